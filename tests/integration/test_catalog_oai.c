/* The OAI-PMH provider through the gateway, as a harvester sees it: no key,
 * every verb, every error code, from/until, resumption over several pages
 * (IBC_OAI_PAGE is 10 in the test stack) also across a restart of the
 * catalog, incremental harvests after edits, deletions and merges, and bad
 * input. Every response is validated with xmllint against the published
 * OAI-PMH, oai_dc and MARC21 schemas (tests/data/xsd, offline). */
#include "harness.h"
#include "oai/oai_token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NREC 25 /* records of the school set: three pages of ten */

static char school[64];     /* a school of this run only: its set is ours */
static char ids[NREC][37];  /* records held by it */
static char token_key[300]; /* the stack's IBC_CONTEXT_KEY, to forge a stale token */

/* ------------------------------------------------------------ helpers */

/* Validates body against the schemas; fails the test with xmllint's words. */
static void validate(const h_resp *r)
{
    const char *xsd = getenv("IBC_XSD_DIR");
    if (!xsd || !*xsd) fail_msg("IBC_XSD_DIR is not set (CTest passes tests/data/xsd)");
    char path[] = "/tmp/ibc-oai-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, r->body, r->len), (ssize_t)r->len);
    close(fd);
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "XML_CATALOG_FILES='%s/catalog.xml' xmllint --nonet --noout --schema "
             "'%s/oai-response.xsd' '%s' 2>&1 | grep -v ' validates$' >&2; "
             "XML_CATALOG_FILES='%s/catalog.xml' xmllint --nonet --noout --schema "
             "'%s/oai-response.xsd' '%s' 2>/dev/null",
             xsd, xsd, path, xsd, xsd, path);
    int rc = system(cmd);
    unlink(path);
    if (rc != 0) fail_msg("the response does not validate:\n%.2000s", r->body);
}

/* GET /oai?query without a key: 200, XML, valid. Caller frees. */
static h_resp *oai(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static h_resp *oai(const char *fmt, ...)
{
    char q[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q, sizeof q, fmt, ap);
    va_end(ap);
    h_resp *r = h_get(NULL, "/oai?%s", q);
    if (r->status != 200) fail_msg("GET /oai?%s: %ld %.500s", q, r->status, r->body);
    const char *ct = h_header(r, "Content-Type");
    assert_non_null(ct);
    assert_non_null(strstr(ct, "text/xml"));
    validate(r);
    return r;
}

/* The code of the response's error, or "" when it has none. Static buffer. */
static const char *error_code(const h_resp *r)
{
    static char code[64];
    const char *p = strstr(r->body, "<error code=\"");
    code[0] = 0;
    if (p) snprintf(code, sizeof code, "%.*s", (int)strcspn(p + 13, "\""), p + 13);
    return code;
}

static void expect_error(const char *code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void expect_error(const char *code, const char *fmt, ...)
{
    char q[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q, sizeof q, fmt, ap);
    va_end(ap);
    h_resp *r = oai("%s", q);
    if (strcmp(error_code(r), code) != 0)
        fail_msg("/oai?%.200s: want %s, got '%s'\n%.1000s", q, code, error_code(r), r->body);
    h_free(r);
}

static int count(const char *s, const char *what)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

/* The resumption token of a list response (malloc'd), NULL when it is empty
 * or missing. */
static char *token_of(const h_resp *r)
{
    const char *p = strstr(r->body, "<resumptionToken");
    if (!p) return NULL;
    const char *gt = strchr(p, '>');
    if (!gt || gt[-1] == '/') return NULL;
    const char *end = strstr(gt, "</resumptionToken>");
    return end && end > gt + 1 ? strndup(gt + 1, (size_t)(end - gt - 1)) : NULL;
}

/* Adds the record ids of r's headers (deleted ones prefixed with '-') to the
 * newline-separated list *acc. Returns how many it found. */
static int collect(const h_resp *r, char **acc)
{
    int n = 0;
    for (const char *p = r->body; (p = strstr(p, "<header")); p++) {
        bool deleted = strncmp(p, "<header status=\"deleted\">", 24) == 0;
        const char *id = strstr(p, "<identifier>oai:");
        assert_non_null(id);
        const char *colon = strchr(id + 16, ':');
        char line[48];
        snprintf(line, sizeof line, "%s%.36s\n", deleted ? "-" : "", colon + 1);
        size_t have = strlen(*acc);
        *acc = realloc(*acc, have + strlen(line) + 1);
        strcpy(*acc + have, line);
        n++;
    }
    return n;
}

/* Harvests verb with args to the end; returns the list of ids (caller frees)
 * and the number of pages in *pages. */
static char *harvest(const char *verb, const char *args, int *pages)
{
    char *acc = strdup(""), *tok = NULL;
    *pages = 0;
    h_resp *r = oai("verb=%s&%s", verb, args);
    for (;;) {
        if (*error_code(r)) {
            assert_string_equal(error_code(r), "noRecordsMatch");
            h_free(r);
            break;
        }
        (*pages)++;
        collect(r, &acc);
        free(tok);
        tok = token_of(r);
        h_free(r);
        if (!tok) break;
        assert_true(*pages < 100);
        r = oai("verb=%s&resumptionToken=%s", verb, tok);
    }
    free(tok);
    return acc;
}

static h_resp *admin_post(const char *path, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static h_resp *admin_post(const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    h_resp *r = h_vpost(h_admin(), path, fmt, ap);
    va_end(ap);
    return r;
}

static void new_record(char id[37], const char *type, const char *title)
{
    h_resp *r = admin_post("/api/v1/catalog/records",
                           "{\"type\":\"%s\",\"title\":\"%s\",\"authors\":[\"Пушкин, А. С.\"],"
                           "\"year\":2021,\"subjects\":[\"Литература\"],\"udk\":\"821.161.1\"}",
                           type, title);
    assert_int_equal(r->status, 201);
    snprintf(id, 37, "%s", h_str(r, "id"));
    h_free(r);
}

static void new_item(const char *record_id)
{
    char *barcode = h_uniq("oai");
    h_resp *r = admin_post("/api/v1/catalog/items",
                           "{\"record_id\":\"%s\",\"school\":\"%s\",\"barcode\":\"%s\"}", record_id,
                           school, barcode);
    assert_int_equal(r->status, 201);
    h_free(r);
    free(barcode);
}

static void read_context_key(void)
{
    char path[1024], line[512];
    snprintf(path, sizeof path, "%s/context.secrets", getenv("IBC_TEST_RUN_DIR"));
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "IBC_CONTEXT_KEY=", 16) == 0) {
            line[strcspn(line, "\r\n")] = 0;
            snprintf(token_key, sizeof token_key, "%s", line + 16);
        }
    fclose(f);
    assert_true(token_key[0] != 0);
}

static int setup(void **state)
{
    (void)state;
    char *u = h_uniq("oai-sch");
    snprintf(school, sizeof school, "%s", u);
    free(u);
    for (int i = 0; i < NREC; i++) {
        char title[64];
        snprintf(title, sizeof title, "Сказки %d & <повести>", i);
        new_record(ids[i], i % 2 ? "book" : "textbook", title);
        new_item(ids[i]);
    }
    read_context_key();
    return 0;
}

/* ------------------------------------------------------------ tests */

static void identify_needs_no_key_and_validates(void **state)
{
    (void)state;
    h_resp *r = oai("verb=Identify");
    assert_non_null(strstr(r->body, "<deletedRecord>persistent</deletedRecord>"));
    assert_non_null(strstr(r->body, "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity>"));
    assert_non_null(strstr(r->body, "<protocolVersion>2.0</protocolVersion>"));
    h_free(r);
    /* a POSTed form is the same request */
    const char *ct[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    r = h_http_raw("POST", "/oai", NULL, "verb=Identify", 13, ct);
    assert_int_equal(r->status, 200);
    validate(r);
    assert_non_null(strstr(r->body, "<Identify>"));
    h_free(r);
}

static void formats_and_sets_are_listed(void **state)
{
    (void)state;
    h_resp *r = oai("verb=ListMetadataFormats");
    assert_non_null(strstr(r->body, "<metadataPrefix>oai_dc</metadataPrefix>"));
    assert_non_null(strstr(r->body, "<metadataPrefix>marc21</metadataPrefix>"));
    h_free(r);
    r = oai("verb=ListMetadataFormats&identifier=oai:ibcnet.local:%s", ids[0]);
    assert_int_equal(count(r->body, "<metadataFormat>"), 2);
    h_free(r);
    r = oai("verb=ListSets");
    char want[128];
    snprintf(want, sizeof want, "<setSpec>school:%s</setSpec>", school);
    assert_non_null(strstr(r->body, want));
    assert_non_null(strstr(r->body, "<setSpec>textbooks</setSpec>"));
    h_free(r);
}

static void get_record_in_both_formats(void **state)
{
    (void)state;
    h_resp *r = oai("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:ibcnet.local:%s", ids[0]);
    assert_string_equal(error_code(r), "");
    assert_non_null(strstr(r->body, "<dc:title>Сказки 0 &amp; &lt;повести&gt;</dc:title>"));
    assert_non_null(strstr(r->body, "<dc:creator>Пушкин, А. С.</dc:creator>"));
    char want[128];
    snprintf(want, sizeof want, "<setSpec>school:%s</setSpec>", school);
    assert_non_null(strstr(r->body, want));
    assert_non_null(strstr(r->body, "<setSpec>textbooks</setSpec>"));
    h_free(r);
    r = oai("verb=GetRecord&metadataPrefix=marc21&identifier=oai:ibcnet.local:%s", ids[1]);
    assert_non_null(strstr(r->body, "<record xmlns=\"http://www.loc.gov/MARC21/slim\">"));
    assert_non_null(strstr(r->body, "Сказки 1"));
    assert_null(strstr(r->body, "<setSpec>textbooks</setSpec>")); /* a book */
    h_free(r);
}

static void every_error_code_of_the_protocol(void **state)
{
    (void)state;
    expect_error("badVerb", "verb=Nonsense");
    expect_error("badVerb", "metadataPrefix=oai_dc");
    expect_error("badArgument", "verb=Identify&extra=1");
    expect_error("badArgument", "verb=ListRecords");
    expect_error("badArgument", "verb=ListRecords&metadataPrefix=oai_dc&from=2026-13-01");
    expect_error("badArgument", "verb=ListRecords&metadataPrefix=oai_dc&from=yesterday");
    expect_error("badArgument",
                 "verb=ListRecords&metadataPrefix=oai_dc&from=2026-02-01&until=2026-01-01");
    expect_error("badArgument", "verb=ListIdentifiers&metadataPrefix=oai_dc"
                                "&from=2026-01-01&until=2026-02-01T00:00:00Z");
    expect_error("badArgument", "verb=GetRecord&identifier=oai:ibcnet.local:%s", ids[0]);
    expect_error("cannotDisseminateFormat", "verb=ListRecords&metadataPrefix=mods");
    expect_error("cannotDisseminateFormat",
                 "verb=GetRecord&metadataPrefix=mods&identifier=oai:ibcnet.local:%s", ids[0]);
    expect_error("idDoesNotExist",
                 "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:ibcnet.local:"
                 "00000000-0000-4000-8000-000000000000");
    expect_error("idDoesNotExist", "verb=GetRecord&metadataPrefix=oai_dc&identifier=nonsense");
    expect_error("idDoesNotExist", "verb=ListMetadataFormats&identifier=oai:elsewhere:%s", ids[0]);
    expect_error("noRecordsMatch", "verb=ListRecords&metadataPrefix=oai_dc&from=2100-01-01");
    expect_error("noRecordsMatch", "verb=ListIdentifiers&metadataPrefix=oai_dc&until=1990-01-01");
    expect_error("noRecordsMatch",
                 "verb=ListIdentifiers&metadataPrefix=oai_dc&set=school:no-such-school-here");
    expect_error("noSetHierarchy", "verb=ListIdentifiers&metadataPrefix=oai_dc&set=class:5");
    expect_error("badResumptionToken", "verb=ListRecords&resumptionToken=garbage");
    expect_error("badResumptionToken", "verb=ListSets&resumptionToken=anything");
    /* noMetadataFormats: a deleted record has none left */
    char gone[37];
    new_record(gone, "book", "Удаляемая");
    h_resp *r = h_http("DELETE", "/api/v1/catalog/records/x", h_admin(), NULL, NULL);
    h_free(r);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/catalog/records/%s", gone);
    r = h_http("DELETE", path, h_admin(), NULL, NULL);
    assert_true(r->status == 200 || r->status == 204);
    h_free(r);
    expect_error("noMetadataFormats", "verb=ListMetadataFormats&identifier=oai:ibcnet.local:%s",
                 gone);
    r = oai("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:ibcnet.local:%s", gone);
    assert_non_null(strstr(r->body, "<header status=\"deleted\">"));
    assert_null(strstr(r->body, "<metadata>"));
    h_free(r);
}

static void harvest_in_pages_survives_a_catalog_restart(void **state)
{
    (void)state;
    char set[128];
    snprintf(set, sizeof set, "metadataPrefix=oai_dc&set=school:%s", school);
    /* the first page, then the catalog goes down and comes back */
    h_resp *r = oai("verb=ListRecords&%s", set);
    assert_int_equal(count(r->body, "<record>"), 10);
    assert_non_null(strstr(r->body, "cursor=\"10\""));
    char *acc = strdup(""), *tok = token_of(r);
    collect(r, &acc);
    h_free(r);
    assert_non_null(tok);
    assert_int_equal(h_stack("stop", "catalog"), 0);
    assert_int_equal(h_stack("start", "catalog"), 0);
    h_resp *again = NULL;
    for (int i = 0; i < 200; i++) { /* up to 20 s for it to subscribe */
        again = h_get(NULL, "/oai?verb=ListRecords&resumptionToken=%s", tok);
        if (again->status == 200) break;
        h_free(again);
        again = NULL;
        usleep(100000);
    }
    assert_non_null(again);
    validate(again);
    int pages = 1;
    while (again) {
        pages++;
        collect(again, &acc);
        free(tok);
        tok = token_of(again);
        h_free(again);
        again = tok ? oai("verb=ListRecords&resumptionToken=%s", tok) : NULL;
    }
    assert_int_equal(pages, 3);
    for (int i = 0; i < NREC; i++)
        assert_non_null(strstr(acc, ids[i]));
    assert_int_equal(count(acc, "\n"), NREC);
    free(acc);
    /* ListIdentifiers pages by forty: one page, and the same records */
    acc = harvest("ListIdentifiers", set, &pages);
    assert_int_equal(pages, 1);
    assert_int_equal(count(acc, "\n"), NREC);
    free(acc);
    /* marc21 over the same pages validates against MARC21slim.xsd too */
    acc = harvest("ListRecords", "metadataPrefix=marc21&set=textbooks&from=2000-01-01", &pages);
    assert_true(pages >= 2);
    free(acc);
}

/* Sleeps until the wall clock is in a later second than now, and returns
 * that second as a datestamp. */
static void next_second(char out[32])
{
    time_t t0 = time(NULL);
    while (time(NULL) <= t0)
        usleep(50000);
    time_t t = time(NULL);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
}

static void incremental_harvest_returns_exactly_the_changes(void **state)
{
    (void)state;
    char from[32], until[32], args[256];
    next_second(from);
    /* two edits, and a merge of ids[3] into ids[2] (its copies move there) */
    for (int i = 5; i <= 6; i++) {
        char path[128];
        snprintf(path, sizeof path, "/api/v1/catalog/records/%s", ids[i]);
        h_resp *g = h_get(h_admin(), "%s", path);
        char etag[64];
        snprintf(etag, sizeof etag, "If-Match: %s", h_header(g, "ETag"));
        h_free(g);
        const char *hdr[] = {etag, NULL};
        h_resp *r = h_http("PUT", path, h_admin(),
                           "{\"type\":\"book\",\"title\":\"Исправлено\",\"year\":2022}", hdr);
        assert_int_equal(r->status, 200);
        h_free(r);
    }
    char merge[128];
    snprintf(merge, sizeof merge, "/api/v1/catalog/records/%s/merge", ids[2]);
    h_resp *r = admin_post(merge, "{\"from\":\"%s\"}", ids[3]);
    assert_int_equal(r->status, 200);
    h_free(r);
    snprintf(args, sizeof args, "metadataPrefix=oai_dc&set=school:%s&from=%s", school, from);
    int pages;
    char *acc = harvest("ListIdentifiers", args, &pages);
    /* exactly: the two edited and the one merged away; the record kept gained
     * copies of the same school, so its sets (and metadata) did not change */
    if (count(acc, "\n") != 3) fail_msg("want 3 changes, got:\n%s", acc);
    char line[48];
    for (int i = 5; i <= 6; i++) {
        snprintf(line, sizeof line, "%s\n", ids[i]);
        assert_non_null(strstr(acc, line));
    }
    snprintf(line, sizeof line, "%s\n", ids[2]);
    assert_null(strstr(acc, line));
    snprintf(line, sizeof line, "-%s\n", ids[3]);
    assert_non_null(strstr(acc, line));
    free(acc);
    /* the tombstone stays: in ListRecords without metadata, and from a day ago too */
    acc = harvest("ListRecords", args, &pages);
    assert_non_null(strstr(acc, line));
    free(acc);
    /* until before the edits: none of them */
    time_t t = time(NULL) - 3600 * 24 * 365 * 30;
    strftime(until, sizeof until, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    expect_error("noRecordsMatch",
                 "verb=ListIdentifiers&metadataPrefix=oai_dc&set=school:%s"
                 "&from=%s&until=%s",
                 school, "1990-01-01T00:00:00Z", until);
}

static void forged_stale_and_mixed_tokens_are_refused(void **state)
{
    (void)state;
    h_resp *r = oai("verb=ListIdentifiers&metadataPrefix=oai_dc&set=textbooks&from=2000-01-01");
    char *tok = token_of(r);
    h_free(r);
    if (!tok) { /* fewer than 40 textbooks: page by records instead */
        r = oai("verb=ListRecords&metadataPrefix=oai_dc&set=school:%s", school);
        tok = token_of(r);
        h_free(r);
        assert_non_null(tok);
        expect_error("badResumptionToken", "verb=ListIdentifiers&resumptionToken=%s", tok);
    } else {
        expect_error("badResumptionToken", "verb=ListRecords&resumptionToken=%s", tok);
    }
    /* one character changed */
    tok[5] = tok[5] == 'A' ? 'B' : 'A';
    expect_error("badResumptionToken", "verb=ListRecords&resumptionToken=%s", tok);
    expect_error("badResumptionToken", "verb=ListIdentifiers&resumptionToken=%s", tok);
    free(tok);
    /* with the filter changed and signed by someone without the key */
    oai_token_keys wrong, right;
    oai_token_keys_init(&wrong, "not-the-key-not-the-key-not-the-key", NULL);
    oai_token_keys_init(&right, token_key, NULL);
    oai_cursor c = {.verb = 'R', .from = -1, .until = -1, .last_us = 1, .issued = time(NULL)};
    strcpy(c.prefix, "oai_dc");
    strcpy(c.last_id, "00000000-0000-4000-8000-000000000000");
    char forged[OAI_TOKEN_MAX + 1];
    assert_true(oai_token_encode(&wrong, &c, forged, sizeof forged));
    expect_error("badResumptionToken", "verb=ListRecords&resumptionToken=%s", forged);
    /* properly signed but issued eight days ago: stale */
    c.issued = time(NULL) - 8 * 86400;
    assert_true(oai_token_encode(&right, &c, forged, sizeof forged));
    r = oai("verb=ListRecords&resumptionToken=%s", forged);
    assert_string_equal(error_code(r), "badResumptionToken");
    assert_non_null(strstr(r->body, "expired"));
    h_free(r);
    /* and the same signed today is good: the key is the one the stack has */
    c.issued = time(NULL);
    assert_true(oai_token_encode(&right, &c, forged, sizeof forged));
    r = oai("verb=ListRecords&resumptionToken=%s", forged);
    assert_string_equal(error_code(r), "");
    h_free(r);
}

static void bad_input_gets_a_protocol_error_never_a_crash(void **state)
{
    (void)state;
    char *big = malloc(20001);
    memset(big, 'A', 20000);
    big[20000] = 0;
    expect_error("badResumptionToken", "verb=ListRecords&resumptionToken=%s", big);
    expect_error("badArgument", "verb=ListRecords&metadataPrefix=oai_dc&set=x%.3000s", big);
    expect_error("noSetHierarchy", "verb=ListRecords&metadataPrefix=oai_dc&set=x%.60s", big);
    expect_error("badArgument", "verb=ListRecords&metadataPrefix=oai_dc&set=school:%.2000s", big);
    expect_error("idDoesNotExist", "verb=GetRecord&metadataPrefix=oai_dc&identifier=%.3000s", big);
    free(big);
    expect_error("badArgument", "verb=ListRecords&metadataPrefix=oai_dc&set=a%%20b");
    expect_error("badArgument", "verb=ListRecords&metadataPrefix=oai_dc&until=2026-02-30");
    expect_error("cannotDisseminateFormat", "verb=ListRecords&metadataPrefix=%%3Cx%%3E");
    expect_error("badResumptionToken", "verb=ListRecords&resumptionToken=%%F0%%9F%%98%%80.%%00");
    expect_error("idDoesNotExist",
                 "verb=GetRecord&metadataPrefix=oai_dc&identifier=%%D0%%BA%%D0%%BD%%D0%%B8");
    /* a form repeating an argument */
    const char *ct[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    const char form[] = "verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=marc21";
    h_resp *r = h_http_raw("POST", "/oai", NULL, form, sizeof form - 1, ct);
    assert_int_equal(r->status, 200);
    validate(r);
    assert_string_equal(error_code(r), "badArgument");
    h_free(r);
    const char junk[] = "\x01\x02verb=%ZZ&&&==&%";
    r = h_http_raw("POST", "/oai", NULL, junk, sizeof junk - 1, ct);
    assert_int_equal(r->status, 200);
    validate(r);
    assert_string_equal(error_code(r), "badVerb");
    h_free(r);
    /* a key that is sent is checked: a wrong one is refused, not ignored */
    r = h_get("not-a-key", "/oai?verb=Identify");
    assert_int_equal(r->status, 401);
    h_free(r);
    /* and the provider still answers */
    r = oai("verb=Identify");
    h_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(identify_needs_no_key_and_validates),
        cmocka_unit_test(formats_and_sets_are_listed),
        cmocka_unit_test(get_record_in_both_formats),
        cmocka_unit_test(every_error_code_of_the_protocol),
        cmocka_unit_test(harvest_in_pages_survives_a_catalog_restart),
        cmocka_unit_test(incremental_harvest_returns_exactly_the_changes),
        cmocka_unit_test(forged_stale_and_mixed_tokens_are_refused),
        cmocka_unit_test(bad_input_gets_a_protocol_error_never_a_crash),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
