/* Generates a large ISO 2709 file for the MARC import benchmark from a real
 * one: the source records are repeated, each copy with a new valid ISBN, a new
 * control number (001) and new holdings barcodes (899/852 $p), so that every
 * record is created (not merged) and every copy becomes an item. All MARC
 * reading and writing is libyaz's (MARC-in-JSON in the middle, edited with
 * jansson).
 *   gen_marc SOURCE OUT COUNT [rusmarc|marc21] [cp1251|utf-8] [FIRST]
 * The source charset is cp1251 or utf-8; the output is UTF-8. FIRST (default
 * 0) numbers the first copy, so that several files do not share ISBNs. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yaz/json.h>
#include <yaz/marcdisp.h>
#include <yaz/yaz-iconv.h>

static void isbn13(unsigned long long n, char out[14])
{
    snprintf(out, 14, "979%09llu", n % 1000000000ULL);
    int sum = 0;
    for (int i = 0; i < 12; i++)
        sum += (out[i] - '0') * (i % 2 ? 3 : 1);
    out[12] = (char)('0' + (10 - sum % 10) % 10);
    out[13] = 0;
}

/* Sets subfield code of every field tag to value (adds the field if absent and add). */
static void set_subfield(json_t *fields, const char *tag, const char *code, const char *value,
                         int add)
{
    int found = 0;
    size_t i;
    json_t *f;
    json_array_foreach(fields, i, f)
    {
        json_t *df = json_object_get(f, tag);
        if (!json_is_object(df)) continue;
        found = 1;
        json_t *subs = json_object_get(df, "subfields");
        size_t k;
        json_t *s;
        int set = 0;
        json_array_foreach(subs, k, s) if (json_object_get(s, code))
        {
            json_object_set_new(s, code, json_string(value));
            set = 1;
        }
        if (!set) json_array_append_new(subs, json_pack("{s:s}", code, value));
    }
    if (!found && add) {
        json_t *df =
            json_pack("{s:s, s:s, s:[{s:s}]}", "ind1", " ", "ind2", " ", "subfields", code, value);
        /* after the control fields */
        json_array_insert_new(fields, 1, json_pack("{s:o}", tag, df));
    }
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s SOURCE OUT COUNT [rusmarc|marc21] [cp1251|utf-8] [FIRST]\n",
                argv[0]);
        return 2;
    }
    long count = atol(argv[3]);
    int rusmarc = argc < 5 || strcmp(argv[4], "marc21") != 0;
    int cp1251 = argc < 6 || strcmp(argv[5], "utf-8") != 0;
    long first = argc < 7 ? 0 : atol(argv[6]);
    FILE *f = fopen(argv[1], "rb");
    if (!f) return perror(argv[1]), 1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = malloc(n);
    if (fread(buf, 1, n, f) != (size_t)n) return 1;
    fclose(f);

    /* the source records as MARC-in-JSON (UTF-8) */
    yaz_marc_t mt = yaz_marc_create();
    yaz_iconv_t cd = cp1251 ? yaz_iconv_open("UTF-8", "CP1251") : NULL;
    yaz_marc_iconv(mt, cd);
    WRBUF wr = wrbuf_alloc();
    json_t *src = json_array();
    for (long pos = 0; pos < n;) {
        int len = yaz_marc_read_iso2709(mt, buf + pos, n - pos);
        if (len <= 0) break;
        wrbuf_rewind(wr);
        yaz_marc_write_json(mt, wr);
        json_array_append_new(src, json_loadb(wrbuf_buf(wr), wrbuf_len(wr), 0, NULL));
        pos += len;
    }
    yaz_marc_iconv(mt, NULL);
    fprintf(stderr, "%zu source records\n", json_array_size(src));

    FILE *out = fopen(argv[2], "wb");
    if (!out) return perror(argv[2]), 1;
    const char *isbn_tag = rusmarc ? "010" : "020", *hold_tag = rusmarc ? "899" : "852";
    unsigned long long seed = (unsigned long long)time(NULL) % 1000 * 1000000ULL;
    for (long i = first; i < first + count; i++) {
        json_t *rec = json_deep_copy(json_array_get(src, i % json_array_size(src)));
        json_t *fields = json_object_get(rec, "fields");
        char isbn[14], ctl[64], bc[64];
        isbn13(seed + (unsigned long long)i, isbn);
        snprintf(ctl, sizeof ctl, "BENCH-%llu-%ld", seed, i);
        snprintf(bc, sizeof bc, "B%llu-%ld", seed, i);
        set_subfield(fields, isbn_tag, "a", isbn, 1);
        set_subfield(fields, hold_tag, "p", bc, 0);
        json_array_set_new(fields, 0, json_pack("{s:s}", "001", ctl));
        /* leader/09 'a': the output is Unicode */
        char leader[25];
        snprintf(leader, sizeof leader, "%s", json_string_value(json_object_get(rec, "leader")));
        leader[9] = 'a';
        json_object_set_new(rec, "leader", json_string(leader));
        char *text = json_dumps(rec, JSON_COMPACT);
        const char *err = NULL;
        struct json_node *node = json_parse(text, &err);
        yaz_marc_reset(mt);
        yaz_marc_read_json_node(mt, node);
        wrbuf_rewind(wr);
        yaz_marc_write_iso2709(mt, wr);
        fwrite(wrbuf_buf(wr), 1, wrbuf_len(wr), out);
        json_remove_node(node);
        free(text);
        json_decref(rec);
    }
    fclose(out);
    wrbuf_destroy(wr);
    yaz_marc_destroy(mt);
    if (cd) yaz_iconv_close(cd);
    json_decref(src);
    free(buf);
    return 0;
}
