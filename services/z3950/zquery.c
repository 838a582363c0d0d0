/* RPN and CQL to the catalog's query tree (see zquery.h). Both walk their
 * parse tree once, counting terms and depth, and build {"op", "args"} and
 * {"index", "term", "trunc", "rel"} nodes. */
#include "zquery.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <yaz/cql.h>
#include <yaz/oid_db.h>

typedef struct {
    zq_diag *d;
    int terms;
} walk;

static json_t *fail(walk *w, int code, const char *fmt, const char *what)
{
    if (!w->d->code) {
        w->d->code = code;
        snprintf(w->d->addinfo, sizeof w->d->addinfo, fmt, what ? what : "");
    }
    return NULL;
}

/* True when s[0..n) is UTF-8 without NUL or other C0 controls. */
static bool text_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        int len = c < 0x80             ? 1
                  : (c & 0xe0) == 0xc0 ? 2
                  : (c & 0xf0) == 0xe0 ? 3
                  : (c & 0xf8) == 0xf0 ? 4
                                       : 0;
        if (!len || (c < 0x20) || (len == 2 && c < 0xc2) || i + len > n) return false;
        for (int k = 1; k < len; k++)
            if (((unsigned char)s[i + k] & 0xc0) != 0x80) return false;
        i += len;
    }
    return true;
}

static json_t *term_node(walk *w, const char *index, const char *term, size_t len,
                         const char *trunc, const char *rel)
{
    if (++w->terms > ZQ_MAX_TERMS) return fail(w, 5, "at most %s terms", "32");
    if (len == 0) return fail(w, 125, "an empty term%s", "");
    if (len > ZQ_MAX_TERM) return fail(w, 11, "a term has at most %s bytes", "256");
    if (!text_ok(term, len)) return fail(w, 125, "a term is not UTF-8 text%s", "");
    return json_pack("{s:s, s:s%, s:s, s:s}", "index", index, "term", term, len, "trunc", trunc,
                     "rel", rel);
}

static json_t *op_node(const char *op, json_t *l, json_t *r)
{
    if (!l || !r) {
        json_decref(l);
        json_decref(r);
        return NULL;
    }
    return json_pack("{s:s, s:[oo]}", "op", op, "args", l, r);
}

/* ------------------------------------------------------------------ RPN */

static const struct {
    int use;
    const char *index;
} uses[] = {
    {ZQ_USE_TITLE, "title"}, {ZQ_USE_AUTHOR, "author"}, {ZQ_USE_AUTHOR_PERSONAL, "author"},
    {1004, "author"},        {ZQ_USE_ISBN, "isbn"},     {ZQ_USE_SUBJECT, "subject"},
    {ZQ_USE_DATE, "year"},   {ZQ_USE_ANY, "any"},       {ZQ_USE_ANYWHERE, "any"},
    {ZQ_USE_UDK, "udk"},     {ZQ_USE_BBK, "bbk"},
};

typedef struct {
    const char *index, *trunc, *rel;
    bool hash_trunc; /* truncation 101/104: a trailing # or ? in the term */
} apt_attrs;

static json_t *use_attr(walk *w, Odr_int v, apt_attrs *a)
{
    for (size_t i = 0; i < sizeof uses / sizeof uses[0]; i++)
        if (uses[i].use == v) {
            a->index = uses[i].index;
            return json_true();
        }
    char s[24];
    snprintf(s, sizeof s, "%lld", (long long)v);
    return fail(w, 114, "%s", s);
}

static json_t *relation_attr(walk *w, Odr_int v, apt_attrs *a)
{
    static const char *const rels[] = {NULL, "lt", "le", "eq", "ge", "gt"};
    if (v >= 1 && v <= 5)
        a->rel = rels[v];
    else if (v != 102 && v != 103) { /* relevance, always matches: as eq */
        char s[24];
        snprintf(s, sizeof s, "%lld", (long long)v);
        return fail(w, 117, "%s", s);
    }
    return json_true();
}

static json_t *trunc_attr(walk *w, Odr_int v, apt_attrs *a)
{
    if (v == 1)
        a->trunc = "right";
    else if (v == 2)
        a->trunc = "left";
    else if (v == 3)
        a->trunc = "both";
    else if (v == 100)
        a->trunc = "none";
    else if (v == 101 || v == 104)
        a->hash_trunc = true;
    else {
        char s[24];
        snprintf(s, sizeof s, "%lld", (long long)v);
        return fail(w, 120, "%s", s);
    }
    return json_true();
}

/* Reads the attributes: use (1), relation (2), truncation (5); position (3),
 * structure (4) and completeness (6) are accepted and do not change the
 * search (words of the field, in any position). */
static bool read_attrs(walk *w, const Z_AttributeList *l, apt_attrs *a)
{
    for (int i = 0; i < l->num_attributes; i++) {
        const Z_AttributeElement *e = l->attributes[i];
        if (e->attributeSet && oid_oidcmp(e->attributeSet, yaz_oid_attset_bib_1) != 0)
            return fail(w, 121, "%s", "only Bib-1"), false;
        if (e->which != Z_AttributeValue_numeric || !e->value.numeric || !e->attributeType)
            return fail(w, 113, "%s", "complex attribute values"), false;
        Odr_int type = *e->attributeType, v = *e->value.numeric;
        json_t *ok = type == 1   ? use_attr(w, v, a)
                     : type == 2 ? relation_attr(w, v, a)
                     : type == 5 ? trunc_attr(w, v, a)
                     : (type == 3 || type == 4 || type == 6)
                         ? json_true()
                         : (snprintf(w->d->addinfo, sizeof w->d->addinfo, "%lld", (long long)type),
                            w->d->code = w->d->code ? w->d->code : 113, NULL);
        if (!ok) return false;
    }
    return true;
}

static json_t *rpn_apt(walk *w, const Z_AttributesPlusTerm *apt)
{
    apt_attrs a = {"any", "none", "eq", false};
    if (!read_attrs(w, apt->attributes, &a)) return NULL;
    const Z_Term *t = apt->term;
    const char *buf = NULL;
    size_t len = 0;
    if (t->which == Z_Term_general && t->u.general) {
        buf = (const char *)t->u.general->buf;
        len = (size_t)t->u.general->len;
    } else if (t->which == Z_Term_characterString && t->u.characterString) {
        buf = t->u.characterString;
        len = strlen(buf);
    } else {
        return fail(w, 229, "%s", "only general and characterString terms");
    }
    if (a.hash_trunc && len > 1 && (buf[len - 1] == '#' || buf[len - 1] == '?')) {
        a.trunc = "right";
        len--;
    }
    if (strcmp(a.rel, "eq") != 0 && strcmp(a.index, "year") != 0)
        return fail(w, 123, "relation %s with a word index", a.rel);
    if (strcmp(a.trunc, "none") != 0 && strcmp(a.index, "year") == 0)
        return fail(w, 120, "%s", "the year is not truncated");
    if ((!strcmp(a.trunc, "left") || !strcmp(a.trunc, "both")) && strcmp(a.index, "title"))
        return fail(w, 120, "left truncation on %s (title only)", a.index);
    return term_node(w, a.index, buf, len, a.trunc, a.rel);
}

static json_t *rpn_walk(walk *w, const Z_RPNStructure *s, int depth)
{
    if (depth > ZQ_MAX_DEPTH) return fail(w, 108, "nesting deeper than %s", "24");
    if (s->which == Z_RPNStructure_simple) {
        const Z_Operand *o = s->u.simple;
        if (o->which != Z_Operand_APT)
            return fail(w, 108, "%s", "result set references in a query");
        return rpn_apt(w, o->u.attributesPlusTerm);
    }
    const Z_Complex *c = s->u.complex;
    const char *op = c->roperator->which == Z_Operator_and       ? "and"
                     : c->roperator->which == Z_Operator_or      ? "or"
                     : c->roperator->which == Z_Operator_and_not ? "not"
                                                                 : NULL;
    if (!op) return fail(w, 108, "%s", "proximity");
    json_t *l = rpn_walk(w, c->s1, depth + 1);
    json_t *r = l ? rpn_walk(w, c->s2, depth + 1) : NULL;
    return op_node(op, l, r);
}

json_t *zq_from_rpn(const Z_RPNQuery *q, zq_diag *d)
{
    walk w = {d, 0};
    d->code = 0;
    d->addinfo[0] = 0;
    if (q->attributeSetId && oid_oidcmp(q->attributeSetId, yaz_oid_attset_bib_1) != 0)
        return fail(&w, 121, "%s", "only Bib-1");
    json_t *t = rpn_walk(&w, q->RPNStructure, 0);
    if (!t && !d->code) fail(&w, 2, "%s", "out of memory");
    return t;
}

/* ------------------------------------------------------------------ CQL */

static const struct {
    const char *name, *index;
} cql_indexes[] = {
    {"dc.title", "title"},     {"title", "title"},
    {"dc.creator", "author"},  {"dc.author", "author"},
    {"creator", "author"},     {"author", "author"},
    {"bath.isbn", "isbn"},     {"isbn", "isbn"},
    {"dc.subject", "subject"}, {"subject", "subject"},
    {"dc.date", "year"},       {"date", "year"},
    {"cql.anywhere", "any"},   {"cql.serverchoice", "any"},
    {"cql.keywords", "any"},   {"anywhere", "any"},
    {"serverchoice", "any"},   {"keywords", "any"},
    {"ibc.bbk", "bbk"},        {"bbk", "bbk"},
    {"ibc.udk", "udk"},        {"udk", "udk"},
};

static const char *cql_rel(walk *w, const char *rel, const char *index)
{
    static const struct {
        const char *cql, *rel;
    } rels[] = {{"<", "lt"}, {"<=", "le"},  {"=", "eq"},   {"==", "eq"},    {">=", "ge"},
                {">", "gt"}, {"adj", "eq"}, {"all", "eq"}, {"exact", "eq"}, {"scr", "eq"}};
    for (size_t i = 0; i < sizeof rels / sizeof rels[0]; i++)
        if (strcasecmp(rel, rels[i].cql) == 0) {
            if (strcmp(rels[i].rel, "eq") && strcmp(index, "year"))
                return fail(w, 117, "relation %s on a word index", rel), NULL;
            return rels[i].rel;
        }
    return fail(w, 117, "%s", rel), NULL;
}

/* The term without its CQL masking: a leading and a trailing unescaped '*'
 * become truncation; '?' or an inner '*' cannot be searched; "\x" is x. */
static json_t *cql_term(walk *w, const char *index, const char *term, const char *rel)
{
    size_t n = strlen(term);
    if (n > ZQ_MAX_TERM * 2) return fail(w, 11, "a term has at most %s bytes", "256");
    char buf[ZQ_MAX_TERM * 2 + 1], *o = buf;
    bool left = n > 0 && term[0] == '*', right = false;
    for (size_t i = left ? 1 : 0; i < n; i++) {
        if (term[i] == '\\' && i + 1 < n) {
            *o++ = term[++i];
        } else if (term[i] == '*' && i == n - 1) {
            right = true;
        } else if (term[i] == '*' || term[i] == '?') {
            return fail(w, 120, "%s", "masking inside a term (only a leading or trailing *)");
        } else {
            *o++ = term[i];
        }
    }
    *o = 0;
    const char *trunc = left && right ? "both" : left ? "left" : right ? "right" : "none";
    if (strcmp(trunc, "none") && strcmp(index, "year") == 0)
        return fail(w, 120, "%s", "the year is not truncated");
    if (left && strcmp(index, "title"))
        return fail(w, 120, "left truncation on %s (title only)", index);
    return term_node(w, index, buf, (size_t)(o - buf), trunc, rel);
}

static json_t *cql_walk(walk *w, struct cql_node *cn, int depth)
{
    if (depth > ZQ_MAX_DEPTH) return fail(w, 108, "nesting deeper than %s", "24");
    if (cn->which == CQL_NODE_ST) {
        const char *index = NULL, *name = cn->u.st.index ? cn->u.st.index : "cql.serverChoice";
        for (size_t i = 0; i < sizeof cql_indexes / sizeof cql_indexes[0]; i++)
            if (strcasecmp(name, cql_indexes[i].name) == 0) index = cql_indexes[i].index;
        if (!index) return fail(w, 114, "%s", name);
        if (cn->u.st.modifiers) return fail(w, 117, "%s", "relation modifiers");
        const char *rel = cql_rel(w, cn->u.st.relation ? cn->u.st.relation : "=", index);
        return rel ? cql_term(w, index, cn->u.st.term, rel) : NULL;
    }
    if (cn->which != CQL_NODE_BOOL) return fail(w, 108, "%s", "sort specifications");
    const char *v = cn->u.boolean.value;
    const char *op = strcasecmp(v, "and") == 0   ? "and"
                     : strcasecmp(v, "or") == 0  ? "or"
                     : strcasecmp(v, "not") == 0 ? "not"
                                                 : NULL;
    if (!op) return fail(w, 108, "%s", v);
    if (cn->u.boolean.modifiers) return fail(w, 108, "%s", "boolean modifiers");
    json_t *l = cql_walk(w, cn->u.boolean.left, depth + 1);
    json_t *r = l ? cql_walk(w, cn->u.boolean.right, depth + 1) : NULL;
    return op_node(op, l, r);
}

json_t *zq_from_cql(const char *cql, zq_diag *d)
{
    walk w = {d, 0};
    d->code = 0;
    d->addinfo[0] = 0;
    size_t n = strlen(cql);
    if (n > ZQ_MAX_CQL) return fail(&w, 11, "a query has at most %s bytes", "8192");
    if (!text_ok(cql, n)) return fail(&w, 108, "%s", "the query is not UTF-8 text");
    CQL_parser cp = cql_parser_create();
    if (!cp) return fail(&w, 2, "%s", "out of memory");
    json_t *t = NULL;
    if (cql_parser_string(cp, cql) != 0)
        fail(&w, 108, "%s", "the CQL could not be parsed");
    else
        t = cql_walk(&w, cql_parser_result(cp), 0);
    cql_parser_destroy(cp);
    if (!t && !d->code) fail(&w, 2, "%s", "out of memory");
    return t;
}
