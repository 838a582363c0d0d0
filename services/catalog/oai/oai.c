/* The OAI-PMH verbs (see oai.h): the arguments are checked (oai_args.c), the
 * lookups that can turn into a protocol error run before the first byte is
 * written, then the response is streamed. Lists go a page at a time in
 * (datestamp, id) order; the next page's position travels in the signed
 * resumption token (oai_token.c), so no state is kept between requests. */
#include "oai.h"

#include "../marc/marc_map.h"
#include "../marc/marc_writer.h"
#include "oai_args.h"
#include "oai_store.h"
#include "oai_xml.h"

#include <ibc/envelope.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Settings, read once from the environment (docs/oai-pmh.md). */
typedef struct {
    const char *base_url, *repo_id, *name, *email;
    oai_token_keys keys;
    bool keys_ok;
    long long ttl_s;
    int page;      /* records of a ListRecords page; ListIdentifiers sends 4 times as many */
    char err[160]; /* a malformed setting: the catalog does not start */
} oai_conf;

static oai_conf conf_;
static pthread_once_t conf_once = PTHREAD_ONCE_INIT;

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

/* A number setting in [min, max], dflt when unset; a malformed one is
 * noted in conf_.err. */
static long env_num(const char *name, long min, long max, long dflt)
{
    const char *v = getenv(name);
    long out;
    if (!v || !*v) return dflt;
    if (ibc_config_int(v, min, max, &out)) return out;
    snprintf(conf_.err, sizeof conf_.err, "%s must be an integer from %ld to %ld, not '%.40s'",
             name, min, max, v);
    return dflt;
}

static void conf_load(void)
{
    conf_.base_url = env_or("IBC_OAI_URL", "http://127.0.0.1:8080/oai");
    conf_.repo_id = env_or("IBC_OAI_REPOSITORY_ID", "ibcnet.local");
    conf_.name = env_or("IBC_OAI_REPOSITORY_NAME", "ibcnet union catalog");
    conf_.email = env_or("IBC_OAI_ADMIN_EMAIL", "admin@ibcnet.invalid");
    conf_.ttl_s = env_num("IBC_OAI_TOKEN_TTL_S", 60, 365L * 86400, 7 * 86400);
    conf_.page = (int)env_num("IBC_OAI_PAGE", 1, 1000, 250);
    conf_.keys_ok = oai_token_keys_init(&conf_.keys, getenv("IBC_CONTEXT_KEY"),
                                        getenv("IBC_CONTEXT_KEY_PREVIOUS"));
}

static const oai_conf *conf(void)
{
    pthread_once(&conf_once, conf_load);
    return &conf_;
}

static void utc_text(long long t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ------------------------------------------------------------ arguments */

/* The arguments: the query's, and a POSTed form's. Returns a new reference. */
static json_t *request_params(const json_t *req)
{
    json_t *params = json_deep_copy(json_object_get(req, "params"));
    if (!json_is_object(params)) {
        json_decref(params);
        params = json_object();
    }
    json_t *body = json_object_get(req, "body");
    const char *b64 = json_string_value(json_object_get(body, "base64"));
    size_t n = 0;
    unsigned char *form = b64 ? ibc_base64_decode(b64, strlen(b64), &n) : NULL;
    if (form) oai_args_add_form(params, (const char *)form, n);
    free(form);
    return params;
}

/* ------------------------------------------------------------ the envelope */

/* A value safe to echo in an attribute of <request> (the schema types them:
 * identifiers are URIs, prefixes and sets have their patterns). */
static bool echo_ok(const char *v)
{
    if (!*v || strlen(v) > 600) return false;
    for (; *v; v++)
        if (*v <= ' ' || *v == 0x7f || strchr("<>\"{}|\\^`", *v)) return false;
    return true;
}

static void put_request(oai_out *o, const json_t *params, const oai_error *e)
{
    oai_put(o, "<request");
    bool echo =
        !e || !e->code || (strcmp(e->code, "badVerb") != 0 && strcmp(e->code, "badArgument") != 0);
    static const char *const attrs[] = {"verb",  "identifier", "metadataPrefix", "from",
                                        "until", "set",        "resumptionToken"};
    for (size_t i = 0; echo && i < IBC_LEN(attrs); i++) {
        const char *v = json_string_value(json_object_get(params, attrs[i]));
        if (!v || !echo_ok(v)) continue;
        if (strcmp(attrs[i], "metadataPrefix") == 0 && !oai_prefix_known(v)) continue;
        oai_put(o, " ");
        oai_put(o, attrs[i]);
        oai_put(o, "=\"");
        oai_put_text(o, v);
        oai_put(o, "\"");
    }
    oai_put(o, ">");
    oai_put_text(o, conf()->base_url);
    oai_put(o, "</request>\n");
}

/* Begins the reply and writes everything up to the verb's element. */
static void put_head(oai_out *o, const json_t *params, const oai_error *e)
{
    if (o->rc == IBC_OK) o->rc = ibc_stream_begin(o->ctx, 200, "text/xml; charset=utf-8");
    char now[32];
    utc_text(time(NULL), now);
    oai_put(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\""
               " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
               " xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/"
               " http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd\">\n<responseDate>");
    oai_put(o, now);
    oai_put(o, "</responseDate>\n");
    put_request(o, params, e);
}

static void put_tail(oai_out *o)
{
    oai_put(o, "</OAI-PMH>\n");
    if (o->rc == IBC_OK) o->rc = ibc_stream_end(o->ctx);
}

static void put_error(oai_out *o, const json_t *params, const oai_error *e)
{
    put_head(o, params, e);
    oai_put(o, "<error code=\"");
    oai_put(o, e->code);
    oai_put(o, "\">");
    oai_put_text(o, e->text);
    oai_put(o, "</error>\n");
    put_tail(o);
}

static bool fail(oai_error *e, const char *code, const char *text)
{
    e->code = code;
    snprintf(e->text, sizeof e->text, "%s", text);
    return false;
}

/* ------------------------------------------------------------ records */

/* The record id in "oai:<repository id>:<uuid>", or NULL when it is not one. */
static const char *local_id(const char *identifier, char out[37])
{
    const char *repo = conf()->repo_id;
    size_t n = strlen(repo);
    if (strncmp(identifier, "oai:", 4) != 0 || strncmp(identifier + 4, repo, n) != 0 ||
        identifier[4 + n] != ':' || strlen(identifier + 5 + n) != 36)
        return NULL;
    snprintf(out, 37, "%s", identifier + 5 + n);
    for (int i = 0; i < 36; i++) {
        char c = out[i];
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return NULL;
    }
    return out;
}

static void put_header(oai_out *o, PGresult *p, int i)
{
    bool deleted = PQgetvalue(p, i, OAI_COL_DELETED)[0] == 't';
    oai_put(o,
            deleted ? "<header status=\"deleted\"><identifier>oai:" : "<header><identifier>oai:");
    oai_put(o, conf()->repo_id);
    oai_put(o, ":");
    oai_put(o, PQgetvalue(p, i, OAI_COL_ID));
    oai_put(o, "</identifier><datestamp>");
    oai_put(o, PQgetvalue(p, i, OAI_COL_DATESTAMP));
    oai_put(o, "</datestamp>");
    const char *sets = PQgetvalue(p, i, OAI_COL_SETS);
    while (*sets) {
        size_t n = strcspn(sets, " ");
        oai_put(o, "<setSpec>");
        oai_put_n(o, sets, n);
        oai_put(o, "</setSpec>");
        sets += n + (sets[n] == ' ');
    }
    oai_put(o, "</header>");
}

/* The MARC21 MARCXML of row i: the kept one, else built from its JSON. */
static bool put_marc21(oai_out *o, marc_writer *w, PGresult *p, int i)
{
    const char *data = NULL;
    size_t len = 0;
    char err[200];
    bool ok;
    if (!PQgetisnull(p, i, OAI_COL_MARCXML)) {
        ok = marc_writer_xml(w, PQgetvalue(p, i, OAI_COL_MARCXML), &data, &len, err, sizeof err);
    } else {
        json_t *rec = json_loads(PQgetvalue(p, i, OAI_COL_JSON), 0, NULL);
        json_t *marc = rec ? marc_from_record(rec) : NULL;
        ok = marc && marc_writer_json(w, marc, &data, &len, err, sizeof err);
        json_decref(marc);
        json_decref(rec);
    }
    if (ok) oai_put_n(o, data, len);
    return ok;
}

static bool put_dc(oai_out *o, PGresult *p, int i)
{
    json_t *rec = json_loads(PQgetvalue(p, i, OAI_COL_JSON), 0, NULL);
    if (rec) oai_put_dc(o, rec);
    json_decref(rec);
    return rec != NULL;
}

/* <record> of row i; w is the MARC writer for marc21, else NULL. */
static void put_record(oai_out *o, PGresult *p, int i, marc_writer *w)
{
    oai_put(o, "<record>");
    put_header(o, p, i);
    if (PQgetvalue(p, i, OAI_COL_DELETED)[0] != 't') {
        oai_put(o, "<metadata>");
        if (!(w ? put_marc21(o, w, p, i) : put_dc(o, p, i))) {
            /* the header is out; the only thing left is a well-formed reply */
            ibc_log(IBC_LOG_ERROR, o->ctx->request_id, "oai: record %s could not be written",
                    PQgetvalue(p, i, OAI_COL_ID));
            o->rc = IBC_EINTERNAL;
        }
        oai_put(o, "</metadata>");
    }
    oai_put(o, "</record>\n");
}

/* ------------------------------------------------------------ verbs */

static bool identify(oai_out *o, const json_t *params, oai_error *e)
{
    char earliest[32];
    if ((o->rc = oai_store_earliest(o->ctx, earliest)) != IBC_OK) return true;
    put_head(o, params, e);
    const oai_conf *c = conf();
    oai_put(o, "<Identify>");
    oai_put_element(o, "repositoryName", c->name);
    oai_put_element(o, "baseURL", c->base_url);
    oai_put(o, "<protocolVersion>2.0</protocolVersion>");
    oai_put_element(o, "adminEmail", c->email);
    oai_put_element(o, "earliestDatestamp", earliest);
    oai_put(o, "<deletedRecord>persistent</deletedRecord>"
               "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity>"
               "<description><oai-identifier"
               " xmlns=\"http://www.openarchives.org/OAI/2.0/oai-identifier\""
               " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
               " xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/oai-identifier"
               " http://www.openarchives.org/OAI/2.0/oai-identifier.xsd\">"
               "<scheme>oai</scheme>");
    oai_put_element(o, "repositoryIdentifier", c->repo_id);
    oai_put(o, "<delimiter>:</delimiter><sampleIdentifier>oai:");
    oai_put_text(o, c->repo_id);
    oai_put(o, ":00000000-0000-4000-8000-000000000000</sampleIdentifier></oai-identifier>"
               "</description></Identify>\n");
    put_tail(o);
    return true;
}

/* Looks up identifier; false with idDoesNotExist when there is none. *row
 * gets the row (caller PQclear()s), NULL on a database error (o->rc). */
static bool find_record(oai_out *o, const char *identifier, const char *prefix, PGresult **row,
                        oai_error *e)
{
    char id[37];
    *row = NULL;
    if (!local_id(identifier, id))
        return fail(e, "idDoesNotExist",
                    "identifiers of this repository are oai:<repository>:<uuid>");
    PGresult *p = oai_store_record(o->ctx, id, prefix);
    if (!p) return o->rc = o->ctx->err, true;
    if (PQntuples(p) == 0) {
        PQclear(p);
        return fail(e, "idDoesNotExist", "no record has this identifier");
    }
    *row = p;
    return true;
}

static void put_format(oai_out *o, const char *prefix, const char *schema, const char *ns)
{
    oai_put(o, "<metadataFormat><metadataPrefix>");
    oai_put(o, prefix);
    oai_put(o, "</metadataPrefix><schema>");
    oai_put(o, schema);
    oai_put(o, "</schema><metadataNamespace>");
    oai_put(o, ns);
    oai_put(o, "</metadataNamespace></metadataFormat>");
}

static bool list_formats(oai_out *o, const oai_request *r, const json_t *params, oai_error *e)
{
    if (r->identifier) {
        PGresult *row;
        if (!find_record(o, r->identifier, NULL, &row, e)) return false;
        if (!row) return true;
        bool deleted = PQgetvalue(row, 0, OAI_COL_DELETED)[0] == 't';
        PQclear(row);
        if (deleted)
            return fail(e, "noMetadataFormats",
                        "the record was deleted (or merged into another): no metadata is left");
    }
    put_head(o, params, e);
    oai_put(o, "<ListMetadataFormats>");
    put_format(o, "oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
               "http://www.openarchives.org/OAI/2.0/oai_dc/");
    put_format(o, "marc21", "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd",
               "http://www.loc.gov/MARC21/slim");
    oai_put(o, "</ListMetadataFormats>\n");
    put_tail(o);
    return true;
}

static bool list_sets(oai_out *o, const json_t *params, oai_error *e)
{
    PGresult *p = oai_store_schools(o->ctx);
    if (!p) return o->rc = o->ctx->err, true;
    put_head(o, params, e);
    oai_put(o, "<ListSets><set><setSpec>textbooks</setSpec>"
               "<setName>Textbooks (учебники)</setName></set>");
    for (int i = 0; i < PQntuples(p); i++) {
        oai_put(o, "<set><setSpec>school:");
        oai_put_text(o, PQgetvalue(p, i, 0));
        oai_put(o, "</setSpec><setName>Holdings of school ");
        oai_put_text(o, PQgetvalue(p, i, 0));
        oai_put(o, "</setName></set>");
    }
    PQclear(p);
    oai_put(o, "</ListSets>\n");
    put_tail(o);
    return true;
}

static bool get_record(oai_out *o, const oai_request *r, const json_t *params, oai_error *e)
{
    PGresult *row;
    if (!find_record(o, r->identifier, r->prefix, &row, e)) return false;
    if (!row) return true;
    marc_writer *w =
        strcmp(r->prefix, "marc21") == 0 ? marc_writer_open(MARC_OUT_MARCXML, false) : NULL;
    put_head(o, params, e);
    oai_put(o, "<GetRecord>");
    put_record(o, row, 0, w);
    oai_put(o, "</GetRecord>\n");
    put_tail(o);
    marc_writer_close(w);
    PQclear(row);
    return true;
}

static void put_token(oai_out *o, const oai_cursor *next, bool more)
{
    char cursor[32];
    snprintf(cursor, sizeof cursor, "%ld", next->cursor);
    if (!more) {
        oai_put(o, "<resumptionToken cursor=\"");
        oai_put(o, cursor);
        oai_put(o, "\"/>\n");
        return;
    }
    char tok[OAI_TOKEN_MAX + 1], expires[32];
    if (!oai_token_encode(&conf()->keys, next, tok, sizeof tok)) {
        o->rc = IBC_EINTERNAL;
        return;
    }
    utc_text(next->issued + conf()->ttl_s, expires);
    oai_put(o, "<resumptionToken expirationDate=\"");
    oai_put(o, expires);
    oai_put(o, "\" cursor=\"");
    oai_put(o, cursor);
    oai_put(o, "\">");
    oai_put(o, tok);
    oai_put(o, "</resumptionToken>\n");
}

/* ListIdentifiers and ListRecords: one page after the request's position. */
static bool list(oai_out *o, const oai_request *r, const json_t *params, oai_error *e)
{
    bool records = r->verb == OAI_LIST_RECORDS;
    int limit = records ? conf()->page : 4 * conf()->page;
    PGresult *p = oai_store_page(o->ctx, &r->cur, records, limit + 1);
    if (!p) return o->rc = o->ctx->err, true;
    int n = PQntuples(p);
    if (n == 0) {
        PQclear(p);
        return fail(e, "noRecordsMatch", "no record matches the request's from, until and set");
    }
    marc_writer *w = records && strcmp(r->cur.prefix, "marc21") == 0
                         ? marc_writer_open(MARC_OUT_MARCXML, false)
                         : NULL;
    put_head(o, params, e);
    oai_put(o, records ? "<ListRecords>\n" : "<ListIdentifiers>\n");
    int shown = n > limit ? limit : n;
    for (int i = 0; i < shown && o->rc == IBC_OK; i++) {
        if (records)
            put_record(o, p, i, w);
        else
            put_header(o, p, i), oai_put(o, "\n");
    }
    oai_cursor next = r->cur;
    next.cursor += shown;
    next.issued = time(NULL);
    next.last_us = atoll(PQgetvalue(p, shown - 1, OAI_COL_US));
    snprintf(next.last_id, sizeof next.last_id, "%s", PQgetvalue(p, shown - 1, OAI_COL_ID));
    if (n > limit || r->has_token) put_token(o, &next, n > limit);
    oai_put(o, records ? "</ListRecords>\n" : "</ListIdentifiers>\n");
    put_tail(o);
    marc_writer_close(w);
    PQclear(p);
    return true;
}

/* Runs the verb; false with e when it ends in a protocol error before any
 * output. A database failure leaves o->rc set and returns true. */
static bool answer(oai_out *o, const oai_request *r, const json_t *params, oai_error *e)
{
    switch (r->verb) {
    case OAI_IDENTIFY:
        return identify(o, params, e);
    case OAI_LIST_METADATA_FORMATS:
        return list_formats(o, r, params, e);
    case OAI_LIST_SETS:
        return list_sets(o, params, e);
    case OAI_GET_RECORD:
        return get_record(o, r, params, e);
    default:
        return list(o, r, params, e);
    }
}

bool oai_config_check(char *err, size_t errlen)
{
    const oai_conf *c = conf();
    snprintf(err, errlen, "%s", c->err);
    return c->err[0] == 0;
}

ibc_rc oai_respond(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    *reply = NULL;
    const oai_conf *c = conf();
    if (!c->keys_ok) return ibc_fail(ctx, IBC_EINTERNAL, "IBC_CONTEXT_KEY is not set");
    json_t *params = request_params(req);
    oai_request r;
    oai_error e;
    oai_out o = {ctx, IBC_OK};
    if (!oai_args_parse(params, &c->keys, time(NULL), c->ttl_s, &r, &e) ||
        !answer(&o, &r, params, &e))
        put_error(&o, params, &e);
    json_decref(params);
    if (o.rc != IBC_OK && ctx->stream_state == 0)
        return ctx->err == o.rc ? o.rc : ibc_fail(ctx, o.rc, "the catalog could not answer");
    return o.rc;
}
