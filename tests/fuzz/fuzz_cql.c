/* libFuzzer target: the query translation of the Z39.50/SRU server
 * (services/z3950/zquery.c). The input is read as CQL, and again as PQF (the
 * RPN that yaz-client sends), and turned into the catalog's query tree. Each
 * gives a tree or a Bib-1 diagnostic, never both or neither, and a tree
 * keeps the limits the catalog relies on: at most ZQ_MAX_TERMS terms of 1 to
 * ZQ_MAX_TERM bytes, known indexes, truncations and relations, binary
 * operators. */
#include "zquery.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaz/pquery.h>

static int terms;

/* Checks one node of a tree and its children; aborts on a broken rule. */
static void check(const json_t *n, int depth)
{
    if (!json_is_object(n) || depth > ZQ_MAX_DEPTH + 1) abort();
    const char *op = json_string_value(json_object_get(n, "op"));
    if (op) {
        const json_t *a = json_object_get(n, "args");
        if (strcmp(op, "and") && strcmp(op, "or") && strcmp(op, "not")) abort();
        if (json_array_size(a) != 2) abort();
        check(json_array_get(a, 0), depth + 1);
        check(json_array_get(a, 1), depth + 1);
        return;
    }
    static const char *const indexes = " title author subject any isbn year bbk udk ";
    static const char *const truncs = " none right left both ";
    static const char *const rels = " lt le eq ge gt ";
    const char *index = json_string_value(json_object_get(n, "index"));
    const char *term = json_string_value(json_object_get(n, "term"));
    const char *trunc = json_string_value(json_object_get(n, "trunc"));
    const char *rel = json_string_value(json_object_get(n, "rel"));
    char word[32];
    if (!index || !term || !trunc || !rel) abort();
    size_t len = json_string_length(json_object_get(n, "term"));
    if (len == 0 || len > ZQ_MAX_TERM || strlen(term) != len) abort();
    snprintf(word, sizeof word, " %.20s ", index);
    if (!strstr(indexes, word)) abort();
    snprintf(word, sizeof word, " %.20s ", trunc);
    if (!strstr(truncs, word)) abort();
    snprintf(word, sizeof word, " %.20s ", rel);
    if (!strstr(rels, word)) abort();
    if (++terms > ZQ_MAX_TERMS) abort();
}

static void verdict(json_t *t, const zq_diag *d)
{
    if ((t == NULL) == (d->code == 0)) abort();
    terms = 0;
    if (t) check(t, 0);
    json_decref(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = 0;
    zq_diag d;
    verdict(zq_from_cql(s, &d), &d);
    ODR o = odr_createmem(ODR_ENCODE);
    YAZ_PQF_Parser p = yaz_pqf_create();
    Z_RPNQuery *rpn = yaz_pqf_parse(p, o, s);
    if (rpn) verdict(zq_from_rpn(rpn, &d), &d);
    yaz_pqf_destroy(p);
    odr_destroy(o);
    free(s);
    return 0;
}
