/* The frontend server's handlers (yaz/backend.h): a session keeps its result
 * sets as query trees with their hit counts and the ids of their first
 * SET_IDS records; a record is fetched from the catalog in windows (the
 * present's range), in the syntax asked for: by id within those ids (one
 * cheap read, the query is not run again), by the query beyond them. One
 * session runs on one thread; sessions share the bus connection. */
#include "backend.h"
#include "catalog_client.h"
#include "zquery.h"
#include "zrecord.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaz/oid_db.h>
#include <yaz/proto.h>

#define MAX_SETS 16
#define WINDOW_MAX 100
#define SET_IDS 200 /* ids a result set keeps: the pages most clients read */

typedef struct {
    char name[64];
    json_t *query; /* the catalog's query tree */
    json_t *ids;   /* the first SET_IDS records' ids, in id order */
    long hits;
} zset;

typedef struct {
    zset sets[MAX_SETS];
    int window; /* records to fetch at once: the last present's size */
    /* records of one set in one syntax, from position first */
    char cache_set[64];
    char cache_kind[32]; /* the syntax and the form */
    long cache_first;
    json_t *cache;
} session;

static long exact_hits = 2000;

void z3950_set_exact_hits(long n)
{
    exact_hits = n;
}

static zset *set_find(session *s, const char *name)
{
    for (int i = 0; i < MAX_SETS; i++)
        if (s->sets[i].query && strcmp(s->sets[i].name, name) == 0) return &s->sets[i];
    return NULL;
}

static void set_clear(zset *z)
{
    json_decref(z->query);
    json_decref(z->ids);
    z->query = z->ids = NULL;
}

/* The slot for name: its own, a free one, or the oldest (sets[0], shifted out). */
static zset *set_slot(session *s, const char *name)
{
    zset *z = set_find(s, name);
    for (int i = 0; !z && i < MAX_SETS; i++)
        if (!s->sets[i].query) z = &s->sets[i];
    if (!z) {
        set_clear(&s->sets[0]);
        memmove(&s->sets[0], &s->sets[1], sizeof s->sets[0] * (MAX_SETS - 1));
        z = &s->sets[MAX_SETS - 1];
        z->query = z->ids = NULL; /* moved to sets[MAX_SETS - 2] */
    }
    set_clear(z);
    if (!strcmp(s->cache_set, name)) s->cache_set[0] = 0;
    snprintf(z->name, sizeof z->name, "%s", name);
    return z;
}

static bool database_ok(const char *name)
{
    return strcasecmp(name, "ibc") == 0 || strcasecmp(name, "default") == 0;
}

/* The query tree of a Z39.50 RPN or an SRU CQL query; NULL with d set. */
static json_t *query_tree(const Z_Query *q, zq_diag *d)
{
    if (q->which == Z_Query_type_1 || q->which == Z_Query_type_101)
        return zq_from_rpn(q->u.type_1, d);
    if (q->which == Z_Query_type_104 && q->u.type_104->which == Z_External_CQL)
        return zq_from_cql(q->u.type_104->u.cql, d);
    d->code = 107; /* query type not supported */
    snprintf(d->addinfo, sizeof d->addinfo, "RPN or CQL");
    return NULL;
}

static int z_search(void *handle, bend_search_rr *rr)
{
    session *s = handle;
    zq_diag d = {0, ""};
    for (int i = 0; i < rr->num_bases; i++)
        if (!database_ok(rr->basenames[i])) {
            rr->errcode = 235;
            rr->errstring = odr_strdup(rr->stream, rr->basenames[i]);
            return 0;
        }
    json_t *tree = query_tree(rr->query, &d);
    if (!tree) {
        rr->errcode = d.code;
        rr->errstring = odr_strdup(rr->stream, d.addinfo);
        return 0;
    }
    json_t *reply = NULL;
    char err[256];
    cc_status st = catalog_find_ids(tree, SET_IDS, exact_hits, &reply, err, sizeof err);
    if (st != CC_OK) {
        json_decref(tree);
        rr->errcode = st == CC_INVALID ? 126 : 2;
        rr->errstring = odr_strdup(rr->stream, err);
        return 0;
    }
    zset *z = set_slot(s, rr->setname ? rr->setname : "default");
    z->query = tree;
    z->hits = (long)json_integer_value(json_object_get(reply, "total"));
    z->ids = json_incref(json_object_get(reply, "ids"));
    rr->hits = z->hits;
    /* Z39.50 resultSetStatus estimate; SRU says so as well (yaz) */
    rr->estimated_hit_count = json_is_true(json_object_get(reply, "estimated"));
    json_decref(reply);
    return 0;
}

static int z_present(void *handle, bend_present_rr *rr)
{
    session *s = handle;
    s->window = rr->number < 1 ? 1 : rr->number > WINDOW_MAX ? WINDOW_MAX : rr->number;
    return 0;
}

typedef enum { OUT_ISO2709, OUT_MARCXML, OUT_OPAC, OUT_DC } out_kind;

/* What the client asked for: the output and the MARC the catalog is asked
 * for; false when the syntax or schema is not served. */
static bool output_of(bend_fetch_rr *rr, out_kind *out, const char **syntax)
{
    const Odr_oid *f = rr->request_format;
    const char *schema = rr->schema;
    if (!schema && rr->comp && rr->comp->which == Z_RecordComp_simple &&
        rr->comp->u.simple->which == Z_ElementSetNames_generic)
        schema = rr->comp->u.simple->u.generic;
    *syntax = "marc21";
    if (!f || !oid_oidcmp(f, yaz_oid_recsyn_usmarc) || !oid_oidcmp(f, yaz_oid_recsyn_marc21)) {
        *out = OUT_ISO2709;
    } else if (!oid_oidcmp(f, yaz_oid_recsyn_unimarc) || !oid_oidcmp(f, yaz_oid_recsyn_rusmarc)) {
        *out = OUT_ISO2709, *syntax = "rusmarc";
    } else if (!oid_oidcmp(f, yaz_oid_recsyn_opac)) {
        *out = OUT_OPAC;
    } else if (!oid_oidcmp(f, yaz_oid_recsyn_xml) || !oid_oidcmp(f, yaz_oid_recsyn_text_xml) ||
               !oid_oidcmp(f, yaz_oid_recsyn_application_xml)) {
        *out = OUT_MARCXML;
        if (!schema || !*schema || !strcasecmp(schema, "marcxml") || !strcasecmp(schema, "F") ||
            !strcasecmp(schema, "B") || !strcmp(schema, "info:srw/schema/1/marcxml-v1.1"))
            ;
        else if (!strcasecmp(schema, "rusmarc") || !strcasecmp(schema, "rusmarc-xml") ||
                 !strcasecmp(schema, "unimarc"))
            *syntax = "rusmarc";
        else if (!strcasecmp(schema, "dc") || !strcmp(schema, "info:srw/schema/1/dc-v1.1"))
            *out = OUT_DC;
        else
            return false;
    } else {
        return false;
    }
    return true;
}

/* Asks the catalog for window records of set z from position pos: by id
 * within the ids the set keeps, by its query beyond them. */
static cc_status fetch_window(zset *z, long pos, int window, const char *syntax, const char *form,
                              json_t **reply, char *err, size_t errlen)
{
    size_t have = json_array_size(z->ids), from = (size_t)(pos - 1);
    if (from >= have)
        return catalog_find(z->query, pos - 1, window, syntax, form, reply, err, errlen);
    json_t *ids = json_array();
    for (size_t i = from; i < have && i < from + (size_t)window; i++)
        json_array_append(ids, json_array_get(z->ids, i));
    cc_status st = catalog_records(ids, syntax, form, reply, err, errlen);
    json_decref(ids);
    return st;
}

/* The catalog's form of a record for out (services/catalog/find.c). */
static const char *form_of(out_kind out)
{
    return out == OUT_ISO2709 ? "iso2709"
           : out == OUT_OPAC  ? "opac"
           : out == OUT_DC    ? "dc"
                              : "marcxml";
}

/* The record at position pos (1-based) of set z in syntax for out, from the
 * cache or a new window; NULL with rr's error set. Borrowed from the cache. */
static const json_t *record_at(session *s, zset *z, long pos, const char *syntax, out_kind out,
                               bend_fetch_rr *rr)
{
    json_t *rec = NULL;
    char kind[32];
    snprintf(kind, sizeof kind, "%s %s", syntax, form_of(out));
    if (!strcmp(s->cache_set, z->name) && !strcmp(s->cache_kind, kind) && pos >= s->cache_first &&
        pos < s->cache_first + (long)json_array_size(s->cache)) {
        rec = json_array_get(s->cache, (size_t)(pos - s->cache_first));
    } else {
        json_t *reply = NULL;
        char err[256];
        int window = s->window > 0 ? s->window : 10;
        cc_status st = fetch_window(z, pos, window, syntax, form_of(out), &reply, err, sizeof err);
        if (st != CC_OK) {
            rr->errcode = 14;
            rr->errstring = odr_strdup(rr->stream, err);
            return NULL;
        }
        json_decref(s->cache);
        s->cache = json_incref(json_object_get(reply, "records"));
        json_decref(reply);
        snprintf(s->cache_set, sizeof s->cache_set, "%s", z->name);
        snprintf(s->cache_kind, sizeof s->cache_kind, "%s", kind);
        s->cache_first = pos;
        if (json_array_size(s->cache) == 0) {
            rr->errcode = 13;
            return NULL;
        }
        rec = json_array_get(s->cache, 0);
    }
    if (!json_is_object(rec)) { /* deleted or blocked since the search */
        rr->errcode = 14;
        rr->errstring = odr_strdup(rr->stream, "the record was withdrawn after the search");
        rr->surrogate_flag = 1;
        return NULL;
    }
    return rec;
}

/* Writes rec into rr as out. */
static void put_record(bend_fetch_rr *rr, const json_t *rec, out_kind out)
{
    int len = 0;
    char *data = NULL;
    if (out == OUT_OPAC) {
        Z_OPACRecord *opac = zrec_opac(rr->stream, rec);
        data = (char *)opac, len = -1;
        rr->output_format = odr_oiddup(rr->stream, yaz_oid_recsyn_opac);
    } else if (out == OUT_ISO2709) {
        data = zrec_iso2709(rr->stream, rec, &len);
        rr->output_format =
            odr_oiddup(rr->stream, rr->request_format ? rr->request_format : yaz_oid_recsyn_usmarc);
    } else {
        data = out == OUT_DC ? zrec_dc(rr->stream, rec, &len) : zrec_marcxml(rr->stream, rec, &len);
        rr->output_format = odr_oiddup(rr->stream, yaz_oid_recsyn_xml);
        rr->schema = odr_strdup(rr->stream, out == OUT_DC ? "info:srw/schema/1/dc-v1.1"
                                                          : "info:srw/schema/1/marcxml-v1.1");
    }
    if (!data) {
        rr->errcode = 238; /* not available in the requested syntax */
        rr->surrogate_flag = 1;
        return;
    }
    rr->record = data;
    rr->len = len;
    rr->basename = odr_strdup(rr->stream, "ibc");
}

static int z_fetch(void *handle, bend_fetch_rr *rr)
{
    session *s = handle;
    zset *z = set_find(s, rr->setname ? rr->setname : "default");
    out_kind out;
    const char *syntax;
    if (!z) {
        rr->errcode = 30;
        rr->errstring = odr_strdup(rr->stream, rr->setname ? rr->setname : "default");
        return 0;
    }
    if (rr->number < 1 || rr->number > z->hits) {
        rr->errcode = 13;
        return 0;
    }
    if (!output_of(rr, &out, &syntax)) {
        /* an unknown schema or element set name, else an unknown syntax */
        rr->errcode = rr->schema ? 25 : 239;
        rr->errstring = odr_strdup(rr->stream, rr->schema ? rr->schema : "record syntax");
        return 0;
    }
    const json_t *rec = record_at(s, z, rr->number, syntax, out, rr);
    if (!rec) return 0;
    put_record(rr, rec, out);
    rr->last_in_set = rr->number == z->hits;
    return 0;
}

static int z_delete(void *handle, bend_delete_rr *rr)
{
    session *s = handle;
    for (int i = 0; i < rr->num_setnames; i++) {
        zset *z = set_find(s, rr->setnames[i]);
        if (z) set_clear(z);
    }
    if (rr->function == Z_DeleteResultSetRequest_all)
        for (int i = 0; i < MAX_SETS; i++)
            set_clear(&s->sets[i]);
    s->cache_set[0] = 0;
    rr->delete_status = Z_DeleteStatus_success;
    return 0;
}

static int z_explain(void *handle, bend_explain_rr *rr)
{
    (void)handle;
    rr->explain_buf = odr_strdup(rr->stream, z3950_explain_record());
    return 0;
}

bend_initresult *z3950_init(bend_initrequest *q)
{
    bend_initresult *r = (bend_initresult *)odr_malloc(q->stream, sizeof *r);
    session *s = calloc(1, sizeof *s);
    r->errcode = s ? 0 : 2;
    r->errstring = NULL;
    r->handle = s;
    q->query_charset = odr_strdup(q->stream, "UTF-8");
    q->records_in_same_charset = 1;
    q->implementation_name = odr_strdup(q->stream, "ibcnet union catalog (ibc-z3950)");
    q->implementation_version = odr_strdup(q->stream, IBC_VERSION);
    q->bend_search = z_search;
    q->bend_present = z_present;
    q->bend_fetch = z_fetch;
    q->bend_delete = z_delete;
    q->bend_explain = z_explain;
    q->named_result_sets = 1;
    return r;
}

void z3950_close(void *handle)
{
    session *s = handle;
    if (!s) return;
    for (int i = 0; i < MAX_SETS; i++)
        set_clear(&s->sets[i]);
    json_decref(s->cache);
    free(s);
}
