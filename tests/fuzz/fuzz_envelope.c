/* libFuzzer target: the reply envelope's body offset and the JSON compaction
 * (shared/src/envelope.c, json.c), which the gateway and the catalog apply to
 * every reply. For any bytes: ibc_envelope_body_at either refuses them or
 * names a body that ends one byte before the end, right after ,"body":.
 * When the bytes are JSON: the envelope ibc_envelope_reply_text builds around
 * them parses to {"status", "body_at", "body"} with the same value, and
 * body_at finds exactly them; ibc_json_compact leaves a text that parses to
 * the same value and has no whitespace outside strings. */
#include <ibc/envelope.h>
#include <ibc/json.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check(bool ok)
{
    if (!ok) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    size_t at = 0, len = 0;
    if (ibc_envelope_body_at(s, size, &at, &len)) {
        check(at >= 8 && at + len + 1 == size && s[size - 1] == '}');
        check(memcmp(s + at - 8, ",\"body\":", 8) == 0);
        json_decref(ibc_envelope_head(s, at)); /* what the gateway parses of it */
    }
    if (memchr(s, 0, size)) return 0; /* no reply carries a NUL byte outside \u0000 */
    json_t *value = json_loadb(s, size, JSON_DECODE_ANY, NULL);
    if (!value) return 0;
    char *env = ibc_envelope_reply_text(200, s, size, NULL);
    check(env != NULL);
    check(ibc_envelope_body_at(env, strlen(env), &at, &len));
    check(len == size && memcmp(env + at, s, size) == 0);
    json_t *parsed = json_loads(env, 0, NULL);
    check(parsed && json_equal(json_object_get(parsed, "body"), value));
    check(json_integer_value(json_object_get(parsed, "body_at")) == (json_int_t)at);
    json_decref(parsed);
    free(env);

    char *copy = malloc(size + 1);
    check(copy != NULL);
    memcpy(copy, s, size);
    size_t n = ibc_json_compact(copy, size);
    json_t *again = json_loadb(copy, n, JSON_DECODE_ANY, NULL);
    check(again && json_equal(again, value));
    bool in_string = false, escaped = false;
    for (size_t i = 0; i < n; i++) {
        char c = copy[i];
        if (in_string && escaped)
            escaped = false;
        else if (in_string)
            escaped = c == '\\', in_string = c != '"';
        else if (c == '"')
            in_string = true;
        else
            check(c != ' ' && c != '\n' && c != '\t' && c != '\r');
    }
    json_decref(again);
    json_decref(value);
    free(copy);
    return 0;
}
