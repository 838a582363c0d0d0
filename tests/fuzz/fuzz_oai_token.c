/* libFuzzer target: the OAI-PMH resumption token parser
 * (services/catalog/oai/oai_token.c). Each input is tried as a whole token
 * (base64url, the MAC check) and as the payload behind a matching MAC (the
 * field parser, which a fuzzer could not reach through a forged MAC), as
 * the resumptionToken argument of a ListRecords request, and as a POSTed
 * form (the integration test found a crash there: a name without '=' at the
 * end of a form). */
#include "oai/oai_args.h"
#include "oai/oai_token.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static oai_token_keys keys;
    static int ready;
    if (!ready) ready = oai_token_keys_init(&keys, "fuzz-key-fuzz-key-fuzz-key-fuzz-key", NULL);
    oai_cursor c;
    const char *why;
    oai_token_decode(&keys, (const char *)data, size, 1800000000LL, 86400, &c, &why);
    if (oai_token_parse_payload((const char *)data, size, &c)) {
        /* what parses must encode again, and decode to the same position */
        char tok[OAI_TOKEN_MAX + 1];
        oai_cursor d;
        c.issued = 1800000000LL;
        if (oai_token_encode(&keys, &c, tok, sizeof tok) &&
            (!oai_token_decode(&keys, tok, strlen(tok), 1800000000LL, 86400, &d, &why) ||
             d.last_us != c.last_us || strcmp(d.last_id, c.last_id) != 0))
            abort();
    }
    json_t *form = json_object(); /* the same bytes as a POSTed form */
    oai_args_add_form(form, (const char *)data, size);
    oai_request fr;
    oai_error fe;
    oai_args_parse(form, &keys, 1800000000LL, 86400, &fr, &fe);
    json_decref(form);
    json_t *params = json_pack("{s:s, s:s%}", "verb", "ListRecords", "resumptionToken",
                               (const char *)data, size);
    if (params) { /* NULL when the input is not UTF-8 */
        oai_request r;
        oai_error e;
        oai_args_parse(params, &keys, 1800000000LL, 86400, &r, &e);
        json_decref(params);
    }
    return 0;
}
