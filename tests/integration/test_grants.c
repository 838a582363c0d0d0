/* The grants service through the gateway: programmes, projects and their
 * workflow (every allowed path, every forbidden jump, every forbidden role),
 * concurrency of transitions, lists, the summary, consultations, bad input,
 * and the events on NATS. Each test works in schools of its own (h_uniq). */
#include "harness.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *meth;   /* methodologist of the resource centre */
static char *integr; /* integrator */

/* A school of its own for one test, with a librarian key. */
typedef struct {
    char *id;
    char *lib;
} school;

static school new_school(void)
{
    school s = {h_uniq("sch-"), NULL};
    s.lib = h_new_key(s.id, "librarian");
    assert_non_null(s.lib);
    return s;
}

static void free_school(school *s)
{
    free(s->id);
    free(s->lib);
}

/* Creates a programme (methodologist); returns its id (caller frees). */
static char *new_programme(const char *deadline, const char *min, const char *max)
{
    char *title = h_uniq("Программа ");
    h_resp *r = h_post(meth, "/api/v1/grants/programmes",
                       "{\"funder\":\"Фонд президентских грантов\",\"level\":\"federal\","
                       "\"title\":\"%s\",\"deadline\":\"%s\",\"amount_min\":%s,"
                       "\"amount_max\":%s,\"url\":\"https://grants.example/p\"}",
                       title, deadline, min, max);
    if (r->status != 201) fprintf(stderr, "programme: %ld %s\n", r->status, r->body);
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    h_free(r);
    free(title);
    return id;
}

/* Creates a draft project of sc (by its librarian) in programme pid (may be
 * NULL) asking `amount`; returns its id (caller frees). */
static char *new_project(const school *sc, const char *pid, const char *amount)
{
    char prog[96] = "";
    if (pid) snprintf(prog, sizeof prog, ",\"programme_id\":\"%s\"", pid);
    h_resp *r = h_post(sc->lib, "/api/v1/grants/projects",
                       "{\"title\":\"Информационно-библиотечный центр\",\"direction\":"
                       "\"медиаграмотность\",\"requested_amount\":%s%s,\"team\":[{\"name\":"
                       "\"Иванова Мария Петровна\",\"school\":\"%s\",\"role\":\"руководитель\"}]}",
                       amount, prog, sc->id);
    if (r->status != 201) fprintf(stderr, "project: %ld %s\n", r->status, r->body);
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    h_free(r);
    return id;
}

/* POSTs a transition to `to` with extra members (",\"comment\":..." or "");
 * returns the response (caller frees). */
static h_resp *go(const char *key, const char *id, const char *to, const char *extra)
{
    char path[128], body[512];
    snprintf(path, sizeof path, "/api/v1/grants/projects/%s/transitions", id);
    snprintf(body, sizeof body, "{\"to\":\"%s\"%s}", to, extra ? extra : "");
    return h_http("POST", path, key, body, NULL);
}

/* Makes a transition that must succeed. */
static void go_ok(const char *key, const char *id, const char *to, const char *extra)
{
    h_resp *r = go(key, id, to, extra);
    if (r->status != 201) fprintf(stderr, "%s → %s: %ld %s\n", id, to, r->status, r->body);
    assert_int_equal(r->status, 201);
    assert_string_equal(h_str(r, "to"), to);
    h_free(r);
}

/* The happy path, in order, with the role that makes each step. */
static const char *const path_to[] = {"submitted", "under_review", "approved", "in_progress",
                                      "completed"};

/* Walks project id of sc along the happy path until it is `target`. */
static void walk(const school *sc, const char *id, const char *target)
{
    for (size_t i = 0; i < 5; i++) {
        const char *to = path_to[i];
        bool lib = strcmp(to, "submitted") == 0 || strcmp(to, "in_progress") == 0;
        go_ok(lib ? sc->lib : meth, id, to, NULL);
        if (strcmp(to, target) == 0) return;
    }
}

static json_t *get_project(const char *key, const char *id)
{
    h_resp *r = h_get(key, "/api/v1/grants/projects/%s", id);
    assert_int_equal(r->status, 200);
    json_t *p = json_incref(r->json);
    h_free(r);
    return p;
}

static const char *status_of(json_t *p)
{
    return json_string_value(json_object_get(p, "status"));
}

/* Number of recorded transitions of the project. */
static size_t history_length(const char *id)
{
    h_resp *r = h_get(meth, "/api/v1/grants/projects/%s/transitions", id);
    assert_int_equal(r->status, 200);
    size_t n = json_array_size(json_object_get(r->json, "items"));
    h_free(r);
    return n;
}

/* Asserts the project is still `status` at `version` with `steps` transitions. */
static void assert_unchanged(const char *id, const char *status, long version, size_t steps)
{
    json_t *p = get_project(meth, id);
    assert_string_equal(status_of(p), status);
    assert_int_equal(json_integer_value(json_object_get(p, "version")), version);
    json_decref(p);
    assert_int_equal(history_length(id), steps);
}

static int setup(void **state)
{
    (void)state;
    meth = h_new_key("resource-centre", "methodologist");
    integr = h_new_key("regional-portal", "integrator");
    return meth && integr ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(meth);
    free(integr);
    return 0;
}

/* ------------------------------------------------------------ workflows */

static void approved_path_to_completed_keeps_who_and_when_and_emits_events(void **state)
{
    (void)state;
    h_events *ev = h_events_open("ibc.evt.grants.>");
    assert_non_null(ev);
    school sc = new_school();
    char *pid = new_programme("2099-12-31", "100000", "3000000");
    char *id = new_project(&sc, pid, "1234567.89");

    json_t *p = get_project(sc.lib, id);
    assert_string_equal(status_of(p), "draft");
    assert_string_equal(json_string_value(json_object_get(p, "school")), sc.id);
    assert_true(json_number_value(json_object_get(p, "requested_amount")) == 1234567.89);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(p, "team"), 0), "name")),
        "Иванова Мария Петровна");
    json_decref(p);

    go_ok(sc.lib, id, "submitted", ",\"comment\":\"заявка подана\"");
    go_ok(meth, id, "under_review", NULL);
    h_resp *r = go(meth, id, "approved", ",\"awarded_amount\":1000000.5");
    assert_int_equal(r->status, 201);
    assert_string_equal(h_str(r, "from"), "under_review");
    assert_true(json_number_value(json_object_get(json_object_get(r->json, "project"),
                                                  "awarded_amount")) == 1000000.5);
    h_free(r);
    go_ok(sc.lib, id, "in_progress", NULL);
    go_ok(meth, id, "completed", ",\"comment\":\"отчёт принят\"");

    r = h_get(sc.lib, "/api/v1/grants/projects/%s/transitions", id);
    assert_int_equal(r->status, 200);
    json_t *items = json_object_get(r->json, "items");
    assert_int_equal(json_array_size(items), 6);
    static const char *const to[] = {"draft",    "submitted",   "under_review",
                                     "approved", "in_progress", "completed"};
    static const char *const role[] = {"librarian",     "librarian", "methodologist",
                                       "methodologist", "librarian", "methodologist"};
    for (size_t i = 0; i < 6; i++) {
        json_t *t = json_array_get(items, i);
        assert_string_equal(json_string_value(json_object_get(t, "to")), to[i]);
        assert_string_equal(json_string_value(json_object_get(t, "role")), role[i]);
        assert_string_equal(json_string_value(json_object_get(t, "org")),
                            strcmp(role[i], "librarian") == 0 ? sc.id : "resource-centre");
        assert_non_null(json_string_value(json_object_get(t, "principal")));
        assert_non_null(json_string_value(json_object_get(t, "at")));
        if (i > 0) assert_string_equal(json_string_value(json_object_get(t, "from")), to[i - 1]);
    }
    assert_null(json_object_get(json_array_get(items, 0), "from"));
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1), "comment")),
                        "заявка подана");
    h_free(r);

    json_t *e = h_events_find(ev, "ibc.evt.grants.project.created", id, 10000);
    assert_non_null(e);
    json_t *d = json_object_get(e, "data");
    assert_string_equal(json_string_value(json_object_get(d, "school")), sc.id);
    assert_string_equal(json_string_value(json_object_get(d, "programme_id")), pid);
    assert_string_equal(json_string_value(json_object_get(d, "status")), "draft");
    assert_true(json_number_value(json_object_get(d, "requested_amount")) == 1234567.89);
    /* ids and amounts, never the team's names */
    char *text = json_dumps(e, 0);
    assert_null(strstr(text, "Иванова"));
    assert_null(json_object_get(d, "team"));
    free(text);
    json_decref(e);
    e = h_events_find(ev, "ibc.evt.grants.project.transitioned", id, 10000);
    assert_non_null(e);
    d = json_object_get(e, "data");
    assert_string_equal(json_string_value(json_object_get(d, "from")), "draft");
    assert_string_equal(json_string_value(json_object_get(d, "status")), "submitted");
    json_decref(e);
    assert_int_equal(h_events_count(ev, "ibc.evt.grants.project.transitioned", id, 1500), 5);
    assert_int_equal(h_events_count(ev, "ibc.evt.grants.project.created", id, 0), 1);

    h_events_close(ev);
    free(id);
    free(pid);
    free_school(&sc);
}

/* The project's `actions` as one string "a,b" as key reads it. */
static char *actions_of(const char *key, const char *id)
{
    json_t *p = get_project(key, id);
    json_t *a = json_object_get(p, "actions");
    assert_true(json_is_array(a));
    char *out = calloc(1, 256);
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        if (i) strcat(out, ",");
        strncat(out, json_string_value(v), 64);
    }
    json_decref(p);
    return out;
}

/* What the workstation offers: the jumps from the status that the reader's
 * role may make, and after each jump the next ones. */
static void a_project_names_the_actions_its_reader_may_take(void **state)
{
    (void)state;
    school sc = new_school();
    char *pid = new_programme("2099-12-31", "1000", "3000000");
    char *id = new_project(&sc, pid, "5000");
    static const struct {
        const char *lib, *meth, *to;
    } steps[] = {
        {"submitted,withdrawn", "", "submitted"},
        {"withdrawn", "under_review", "under_review"},
        {"withdrawn", "approved,rejected", "approved"},
        {"in_progress,withdrawn", "in_progress", "in_progress"},
        {"completed,withdrawn", "completed", "completed"},
        {"", "", NULL},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        char *lib = actions_of(sc.lib, id), *m = actions_of(meth, id);
        assert_string_equal(lib, steps[i].lib);
        assert_string_equal(m, steps[i].meth);
        free(lib);
        free(m);
        bool by_lib = steps[i].to && (strcmp(steps[i].to, "submitted") == 0 ||
                                      strcmp(steps[i].to, "in_progress") == 0);
        if (steps[i].to) go_ok(by_lib ? sc.lib : meth, id, steps[i].to, NULL);
    }
    free(id);
    free(pid);
    free_school(&sc);
}

static void rejection_needs_a_comment_and_is_final(void **state)
{
    (void)state;
    school sc = new_school();
    char *pid = new_programme("2099-12-31", "0", "500000");
    char *id = new_project(&sc, pid, "250000");
    walk(&sc, id, "under_review");
    h_resp *r = go(meth, id, "rejected", NULL);
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "comment"));
    h_free(r);
    assert_unchanged(id, "under_review", 3, 3);
    go_ok(meth, id, "rejected", ",\"comment\":\"смета не обоснована\"");
    static const char *const all[] = {"draft",       "submitted", "under_review", "approved",
                                      "in_progress", "completed", "withdrawn"};
    for (size_t i = 0; i < 7; i++) {
        r = go(h_admin(), id, all[i], NULL);
        assert_int_equal(r->status, 409);
        assert_non_null(strstr(h_str(r, "detail"), "final"));
        assert_int_equal(json_array_size(json_object_get(r->json, "allowed")), 0);
        h_free(r);
    }
    assert_unchanged(id, "rejected", 4, 4);
    free(id);
    free(pid);
    free_school(&sc);
}

static void every_non_final_status_may_be_withdrawn_by_the_school(void **state)
{
    (void)state;
    school sc = new_school();
    char *pid = new_programme("2099-12-31", "0", "500000");
    static const char *const from[] = {"draft", "submitted", "under_review", "approved",
                                       "in_progress"};
    for (size_t i = 0; i < 5; i++) {
        char *id = new_project(&sc, pid, "1000");
        if (i > 0) walk(&sc, id, from[i]);
        /* the lab may not withdraw a school's application */
        h_resp *r = go(meth, id, "withdrawn", NULL);
        assert_int_equal(r->status, 403);
        h_free(r);
        r = go(sc.lib, id, "withdrawn", ",\"comment\":\"школа отказалась\"");
        assert_int_equal(r->status, 201);
        assert_string_equal(h_str(r, "from"), from[i]);
        h_free(r);
        r = go(sc.lib, id, "withdrawn", NULL);
        assert_int_equal(r->status, 409);
        h_free(r);
        json_t *p = get_project(sc.lib, id);
        assert_string_equal(status_of(p), "withdrawn");
        json_decref(p);
        free(id);
    }
    free(pid);
    free_school(&sc);
}

/* From each non-final status, every jump outside the table is 409, names the
 * allowed statuses, and changes nothing; the same status is 409; an unknown
 * one 400. */
static void forbidden_jumps_are_409_naming_the_allowed_ones(void **state)
{
    (void)state;
    static const struct {
        const char *from;
        const char *allowed[3];
        const char *text;
    } cases[] = {
        {"draft", {"submitted", "withdrawn"}, "submitted or withdrawn"},
        {"submitted", {"under_review", "withdrawn"}, "under_review or withdrawn"},
        {"under_review", {"approved", "rejected", "withdrawn"}, "approved, rejected or withdrawn"},
        {"approved", {"in_progress", "withdrawn"}, "in_progress or withdrawn"},
        {"in_progress", {"completed", "withdrawn"}, "completed or withdrawn"},
    };
    static const char *const all[] = {"draft",    "submitted",   "under_review", "approved",
                                      "rejected", "in_progress", "completed",    "withdrawn"};
    school sc = new_school();
    char *pid = new_programme("2099-12-31", "0", "500000");
    for (size_t c = 0; c < 5; c++) {
        char *id = new_project(&sc, pid, "1000");
        if (c > 0) walk(&sc, id, cases[c].from);
        json_t *before = get_project(meth, id);
        long version = (long)json_integer_value(json_object_get(before, "version"));
        json_decref(before);
        size_t steps = history_length(id);
        for (size_t t = 0; t < 8; t++) {
            bool ok = false;
            for (size_t a = 0; a < 3 && cases[c].allowed[a]; a++)
                ok = ok || strcmp(cases[c].allowed[a], all[t]) == 0;
            if (ok) continue;
            /* the admin may make any allowed jump: a 409 is the workflow's */
            const char *extra = strcmp(all[t], "rejected") == 0 ? ",\"comment\":\"x\"" : NULL;
            h_resp *r = go(h_admin(), id, all[t], extra);
            if (r->status != 409)
                fprintf(stderr, "%s → %s: %ld %s\n", cases[c].from, all[t], r->status, r->body);
            assert_int_equal(r->status, 409);
            assert_string_equal(h_header(r, "Content-Type"), "application/problem+json");
            assert_int_equal(json_integer_value(json_object_get(r->json, "status")), 409);
            assert_string_equal(h_str(r, "current_status"), cases[c].from);
            json_t *allowed = json_object_get(r->json, "allowed");
            for (size_t a = 0; a < 3 && cases[c].allowed[a]; a++)
                assert_string_equal(json_string_value(json_array_get(allowed, a)),
                                    cases[c].allowed[a]);
            if (strcmp(all[t], cases[c].from) == 0)
                assert_non_null(strstr(h_str(r, "detail"), "already"));
            else
                assert_non_null(strstr(h_str(r, "detail"), cases[c].text));
            h_free(r);
        }
        h_resp *r = go(h_admin(), id, "flying", NULL);
        assert_int_equal(r->status, 400);
        assert_non_null(strstr(h_str(r, "detail"), "'to' must be one of"));
        h_free(r);
        r = h_post(h_admin(),
                   "/api/v1/grants/projects/00000000-0000-0000-0000-000000000000/"
                   "transitions",
                   "{\"to\":\"submitted\"}");
        assert_int_equal(r->status, 404);
        h_free(r);
        assert_unchanged(id, cases[c].from, version, steps);
        free(id);
    }
    free(pid);
    free_school(&sc);
}

static void submission_needs_an_open_programme(void **state)
{
    (void)state;
    school sc = new_school();
    char *closed = new_programme("2020-01-31", "0", "500000");
    char *id = new_project(&sc, closed, "1000");
    h_resp *r = go(sc.lib, id, "submitted", NULL);
    assert_int_equal(r->status, 409);
    assert_non_null(strstr(h_str(r, "detail"), "deadline (2020-01-31) has passed"));
    h_free(r);
    assert_unchanged(id, "draft", 1, 1);
    free(id);
    id = new_project(&sc, NULL, "1000");
    r = go(sc.lib, id, "submitted", NULL);
    assert_int_equal(r->status, 409);
    assert_non_null(strstr(h_str(r, "detail"), "programme_id"));
    h_free(r);
    assert_unchanged(id, "draft", 1, 1);
    free(id);
    free(closed);
    free_school(&sc);
}

/* ---------------------------------------------------------------- roles */

static void forbidden_roles_are_403_and_change_nothing(void **state)
{
    (void)state;
    school sc = new_school(), other = new_school();
    char *portal = h_new_key(sc.id, "portal");
    char *pid = new_programme("2099-12-31", "0", "500000");
    char *id = new_project(&sc, pid, "1000");
    char path[160];

    /* the lab does not submit; another school's librarian neither */
    h_resp *r = go(meth, id, "submitted", NULL);
    assert_int_equal(r->status, 403);
    assert_non_null(strstr(h_str(r, "detail"), "librarian"));
    h_free(r);
    r = go(other.lib, id, "submitted", NULL); /* another school's project: unknown */
    assert_int_equal(r->status, 404);
    assert_null(strstr(h_str(r, "detail"), sc.id));
    h_free(r);
    assert_unchanged(id, "draft", 1, 1);
    go_ok(sc.lib, id, "submitted", NULL);

    /* a librarian does not review, approve or reject, not even their own */
    r = go(sc.lib, id, "under_review", NULL);
    assert_int_equal(r->status, 403);
    assert_non_null(strstr(h_str(r, "detail"), "methodologist"));
    h_free(r);
    go_ok(meth, id, "under_review", NULL);
    r = go(sc.lib, id, "approved", NULL);
    assert_int_equal(r->status, 403);
    h_free(r);
    r = go(sc.lib, id, "rejected", ",\"comment\":\"сами себе\"");
    assert_int_equal(r->status, 403);
    h_free(r);
    assert_unchanged(id, "under_review", 3, 3);

    /* integrator reads, writes nothing; portal sees nothing */
    json_t *p = get_project(integr, id);
    assert_string_equal(status_of(p), "under_review");
    json_decref(p);
    r = go(integr, id, "approved", NULL);
    assert_int_equal(r->status, 403);
    h_free(r);
    r = h_post(integr, "/api/v1/grants/projects",
               "{\"school\":\"%s\",\"title\":\"x\","
               "\"requested_amount\":1}",
               sc.id);
    assert_int_equal(r->status, 403);
    h_free(r);
    snprintf(path, sizeof path, "/api/v1/grants/projects/%s", id);
    const char *const portal_gets[] = {"/api/v1/grants/projects", path, "/api/v1/grants/programmes",
                                       "/api/v1/grants/summary", "/api/v1/grants/consultations"};
    for (size_t i = 0; i < 5; i++) {
        r = h_get(portal, "%s", portal_gets[i]);
        assert_int_equal(r->status, 403);
        h_free(r);
    }
    r = go(portal, id, "approved", NULL);
    assert_int_equal(r->status, 403);
    h_free(r);

    /* another school's librarian reads nothing of it: to them it does not exist */
    r = h_get(other.lib, "%s", path);
    assert_int_equal(r->status, 404);
    h_free(r);
    r = h_get(other.lib, "/api/v1/grants/projects/%s/transitions", id);
    assert_int_equal(r->status, 404);
    h_free(r);
    r = h_get(other.lib, "/api/v1/grants/projects?school=%s", sc.id);
    assert_int_equal(r->status, 403);
    h_free(r);
    r = h_get(other.lib, "/api/v1/grants/projects");
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 0);
    h_free(r);
    /* nor creates a project for it */
    r = h_post(other.lib, "/api/v1/grants/projects",
               "{\"school\":\"%s\",\"title\":\"x\","
               "\"requested_amount\":1}",
               sc.id);
    assert_int_equal(r->status, 403);
    h_free(r);

    /* programmes and consultations are the lab's */
    r = h_post(sc.lib, "/api/v1/grants/programmes",
               "{\"funder\":\"f\",\"level\":\"federal\","
               "\"title\":\"t\",\"deadline\":\"2099-01-01\",\"amount_min\":1,\"amount_max\":2}");
    assert_int_equal(r->status, 403);
    h_free(r);
    r = h_post(sc.lib, "/api/v1/grants/consultations",
               "{\"date\":\"2025-01-01\",\"school\":"
               "\"%s\",\"topic\":\"t\",\"consultant\":\"c\"}",
               sc.id);
    assert_int_equal(r->status, 403);
    h_free(r);

    /* a librarian does not set the awarded amount */
    go_ok(meth, id, "approved", NULL);
    p = get_project(sc.lib, id);
    char etag[32];
    snprintf(etag, sizeof etag, "If-Match: \"%lld\"",
             (long long)json_integer_value(json_object_get(p, "version")));
    json_decref(p);
    const char *hdr[] = {etag, NULL};
    char body[256];
    snprintf(body, sizeof body,
             "{\"title\":\"ИБЦ\",\"requested_amount\":1000,\"programme_id\":"
             "\"%s\",\"awarded_amount\":999999}",
             pid);
    r = h_http("PUT", path, sc.lib, body, hdr);
    assert_int_equal(r->status, 403);
    h_free(r);
    p = get_project(meth, id);
    assert_true(json_number_value(json_object_get(p, "awarded_amount")) == 1000);
    json_decref(p);

    free(portal);
    free(id);
    free(pid);
    free_school(&sc);
    free_school(&other);
}

/* ---------------------------------------------------------- concurrency */

typedef struct {
    const char *id;
    const char *to;
    const char *extra;
    long status;
} race_arg;

static void *race(void *p)
{
    race_arg *a = p;
    h_resp *r = go(h_admin(), a->id, a->to, a->extra);
    a->status = r->status;
    h_free(r);
    return NULL;
}

static void concurrent_transitions_from_one_status_exactly_one_wins(void **state)
{
    (void)state;
    h_events *ev = h_events_open("ibc.evt.grants.project.transitioned");
    school sc = new_school();
    char *pid = new_programme("2099-12-31", "0", "500000");
    for (int round = 0; round < 4; round++) {
        char *id = new_project(&sc, pid, "1000");
        walk(&sc, id, "under_review");
        /* approved and rejected exclude each other: whichever commits first,
         * every other request finds a status it cannot leave that way */
        enum { N = 8 };
        pthread_t th[N];
        race_arg args[N];
        for (int i = 0; i < N; i++) {
            args[i] = (race_arg){id, i % 2 ? "approved" : "rejected",
                                 i % 2 ? NULL : ",\"comment\":\"гонка\"", 0};
            pthread_create(&th[i], NULL, race, &args[i]);
        }
        int won = 0, lost = 0;
        for (int i = 0; i < N; i++) {
            pthread_join(th[i], NULL);
            won += args[i].status == 201;
            lost += args[i].status == 409;
        }
        assert_int_equal(won, 1);
        assert_int_equal(lost, N - 1);
        assert_int_equal(history_length(id), 4);
        json_t *p = get_project(meth, id);
        assert_int_equal(json_integer_value(json_object_get(p, "version")), 4);
        json_decref(p);
        assert_int_equal(h_events_count(ev, "ibc.evt.grants.project.transitioned", id, 1500), 3);
        free(id);
    }
    h_events_close(ev);
    free(pid);
    free_school(&sc);
}

/* ---------------------------------------------------------- bad input */

static void bad_input_is_a_clear_400_and_creates_nothing(void **state)
{
    (void)state;
    school sc = new_school();
    char *pid = new_programme("2099-12-31", "1000", "2000");
    static const struct {
        const char *body;
        const char *needle;
    } cases[] = {
        {"{\"title\":\"x\",\"requested_amount\":\"1500\"}", "'requested_amount' must be a number"},
        {"{\"title\":\"x\",\"requested_amount\":-1}", "'requested_amount' must be from 0"},
        {"{\"title\":\"x\",\"requested_amount\":10.005}", "two decimals"},
        {"{\"title\":\"x\"}", "'requested_amount' is required"},
        {"{\"requested_amount\":1}", "'title' is required"},
        {"{\"title\":\"x\",\"requested_amount\":1,\"start_date\":\"2025-09-01\","
         "\"end_date\":\"2025-06-01\"}",
         "dates are reversed"},
        {"{\"title\":\"x\",\"requested_amount\":1,\"start_date\":\"2025-02-30\"}",
         "'start_date' must be a real date"},
        {"{\"title\":\"x\",\"requested_amount\":1,\"awarded_amount\":1}", "approved"},
        {"{\"title\":\"x\",\"requested_amount\":1,\"status\":\"approved\"}",
         "unknown field 'status'"},
        {"{\"title\":\"x\",\"requested_amount\":1,\"team\":[{\"name\":\"a\",\"school\":\"s 1\","
         "\"role\":\"r\"}]}",
         "'team[0].school'"},
        {"{\"title\":\"x\",\"requested_amount\":1,\"team\":[{\"school\":\"s1\",\"role\":\"r\"}]}",
         "'team[0].name' is required"},
        {"{\"title\":\"x\",\"requested_amount\":1,\"milestones\":[{\"title\":\"m\","
         "\"due_date\":\"2025-01-01\",\"status\":\"lost\"}]}",
         "'milestones[0].status' must be one of"},
        {"{\"title\":\"x\",\"requested_amount\":1,\"documents\":[{\"title\":\"d\","
         "\"url\":\"javascript:alert(1)\"}]}",
         "'documents[0].url'"},
        {"{\"title\":\"x\",\"requested_amount\":1,\"programme_id\":"
         "\"00000000-0000-0000-0000-000000000000\"}",
         "names no programme"},
        {"{\"title\":\"x\",\"requested_amount\":5000,\"programme_id\":\"@\"}",
         "outside the programme's range"},
        {"[1]", "JSON object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char body[512];
        const char *at = strchr(cases[i].body, '@');
        if (at)
            snprintf(body, sizeof body, "%.*s%s%s", (int)(at - cases[i].body), cases[i].body, pid,
                     at + 1);
        else
            snprintf(body, sizeof body, "%s", cases[i].body);
        h_resp *r = h_http("POST", "/api/v1/grants/projects", sc.lib, body, NULL);
        if (r->status != 400 || !strstr(r->body, cases[i].needle))
            fprintf(stderr, "case %zu: %ld %s\n", i, r->status, r->body);
        assert_int_equal(r->status, 400);
        assert_non_null(strstr(r->body, cases[i].needle));
        assert_string_equal(h_header(r, "Content-Type"), "application/problem+json");
        h_free(r);
    }
    h_resp *r = h_get(sc.lib, "/api/v1/grants/projects");
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 0);
    h_free(r);

    /* programmes: reversed range, unknown level, amount as a string */
    static const struct {
        const char *body;
        const char *needle;
    } prog[] = {
        {"{\"funder\":\"f\",\"level\":\"federal\",\"title\":\"t\",\"deadline\":\"2099-01-01\","
         "\"amount_min\":5000,\"amount_max\":100}",
         "range is reversed"},
        {"{\"funder\":\"f\",\"level\":\"galactic\",\"title\":\"t\",\"deadline\":\"2099-01-01\","
         "\"amount_min\":1,\"amount_max\":2}",
         "'level' must be one of"},
        {"{\"funder\":\"f\",\"level\":\"federal\",\"title\":\"t\",\"deadline\":\"2099-01-01\","
         "\"amount_min\":\"1\",\"amount_max\":2}",
         "'amount_min' must be a number"},
        {"{\"funder\":\"f\",\"level\":\"federal\",\"title\":\"t\",\"deadline\":\"31.12.2099\","
         "\"amount_min\":1,\"amount_max\":2}",
         "'deadline' must be a real date"},
        {"{\"funder\":\"f\",\"level\":\"federal\",\"title\":\"t\",\"deadline\":\"2099-01-01\","
         "\"amount_min\":1,\"amount_max\":2,\"url\":\"grants.example\"}",
         "'url' must start with http"},
    };
    for (size_t i = 0; i < sizeof prog / sizeof prog[0]; i++) {
        r = h_http("POST", "/api/v1/grants/programmes", meth, prog[i].body, NULL);
        if (r->status != 400 || !strstr(r->body, prog[i].needle))
            fprintf(stderr, "programme case %zu: %ld %s\n", i, r->status, r->body);
        assert_int_equal(r->status, 400);
        assert_non_null(strstr(r->body, prog[i].needle));
        h_free(r);
    }

    /* transitions: awarded amount as a string, or with another status */
    char *id = new_project(&sc, pid, "1500");
    r = go(sc.lib, id, "submitted", ",\"awarded_amount\":5");
    assert_int_equal(r->status, 400);
    h_free(r);
    walk(&sc, id, "under_review");
    r = go(meth, id, "approved", ",\"awarded_amount\":\"1500\"");
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "'awarded_amount' must be a number"));
    h_free(r);
    r = go(meth, id, "approved", ",\"comment\":7");
    assert_int_equal(r->status, 400);
    h_free(r);
    assert_unchanged(id, "under_review", 3, 3);

    /* list queries */
    static const struct {
        const char *query;
        const char *needle;
    } queries[] = {
        {"/api/v1/grants/projects?status=flying", "unknown status 'flying'"},
        {"/api/v1/grants/projects?from=2025-05-01&to=2025-01-01", "dates are reversed"},
        {"/api/v1/grants/projects?from=yesterday", "'from' must be a real date"},
        {"/api/v1/grants/projects?limit=0", "'limit' must be an integer from 1 to 200"},
        {"/api/v1/grants/projects?offset=-3", "'offset'"},
        {"/api/v1/grants/projects?shool=x", "unknown query parameter 'shool'"},
        {"/api/v1/grants/projects?programme_id=42", "'programme_id' must be a UUID"},
        {"/api/v1/grants/projects/42", "must be a UUID"},
        {"/api/v1/grants/consultations?to=2025-13-01", "'to' must be a real date"},
        {"/api/v1/grants/programmes?level=galactic", "'level' must be"},
        {"/api/v1/grants/programmes?open=maybe", "'open' must be true or false"},
        {"/api/v1/grants/summary?school=bad%20school", "'school' must be an organisation id"},
    };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        r = h_get(meth, "%s", queries[i].query);
        if (r->status != 400 || !strstr(r->body, queries[i].needle))
            fprintf(stderr, "query %zu: %ld %s\n", i, r->status, r->body);
        assert_int_equal(r->status, 400);
        assert_non_null(strstr(r->body, queries[i].needle));
        h_free(r);
    }
    free(id);
    free(pid);
    free_school(&sc);
}

/* ---------------------------------------------------- update, programmes */

static void update_needs_if_match_and_freezes_the_application_once_submitted(void **state)
{
    (void)state;
    h_events *ev = h_events_open("ibc.evt.grants.project.updated");
    school sc = new_school();
    char *pid = new_programme("2099-12-31", "0", "500000");
    char *id = new_project(&sc, pid, "1000");
    char path[128];
    snprintf(path, sizeof path, "/api/v1/grants/projects/%s", id);
    char body[1024];
    snprintf(body, sizeof body,
             "{\"title\":\"ИБЦ: медиатека\",\"requested_amount\":2000.5,\"programme_id\":\"%s\","
             "\"start_date\":\"2026-01-10\",\"end_date\":\"2026-12-20\",\"team\":[{\"name\":"
             "\"Петров\",\"school\":\"%s\",\"role\":\"участник\"},{\"name\":\"Сидорова\","
             "\"school\":\"school-99\",\"role\":\"партнёр\"}],\"milestones\":[{\"title\":"
             "\"Закупка\",\"due_date\":\"2026-03-01\",\"status\":\"done\",\"done_on\":"
             "\"2026-02-20\"}],\"documents\":[{\"title\":\"Смета\",\"url\":"
             "\"https://docs.example/s.xlsx\",\"kind\":\"budget\"}]}",
             pid, sc.id);
    h_resp *r = h_http("PUT", path, sc.lib, body, NULL);
    assert_int_equal(r->status, 428);
    h_free(r);
    const char *stale[] = {"If-Match: \"9\"", NULL};
    r = h_http("PUT", path, sc.lib, body, stale);
    assert_int_equal(r->status, 412);
    h_free(r);
    const char *v1[] = {"If-Match: \"1\"", NULL};
    r = h_http("PUT", path, sc.lib, body, v1);
    assert_int_equal(r->status, 200);
    assert_string_equal(h_header(r, "ETag"), "\"2\"");
    assert_true(json_number_value(json_object_get(r->json, "requested_amount")) == 2000.5);
    json_t *team = json_object_get(r->json, "team");
    assert_int_equal(json_array_size(team), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(team, 1), "school")),
                        "school-99");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r->json, "milestones"), 0), "done_on")),
                        "2026-02-20");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r->json, "documents"), 0), "kind")),
                        "budget");
    h_free(r);
    json_t *e = h_events_find(ev, "ibc.evt.grants.project.updated", id, 10000);
    assert_non_null(e);
    assert_true(json_number_value(
                    json_object_get(json_object_get(e, "data"), "requested_amount")) == 2000.5);
    json_decref(e);

    go_ok(sc.lib, id, "submitted", NULL);
    /* after submission the programme and the requested amount are fixed */
    const char *v3[] = {"If-Match: \"3\"", NULL};
    snprintf(body, sizeof body,
             "{\"title\":\"ИБЦ\",\"requested_amount\":3000,"
             "\"programme_id\":\"%s\"}",
             pid);
    r = h_http("PUT", path, sc.lib, body, v3);
    assert_int_equal(r->status, 409);
    assert_non_null(strstr(h_str(r, "detail"), "requested_amount"));
    h_free(r);
    snprintf(body, sizeof body,
             "{\"title\":\"ИБЦ\",\"requested_amount\":2000.5,"
             "\"programme_id\":\"%s\",\"status\":\"approved\"}",
             pid);
    r = h_http("PUT", path, sc.lib, body, v3);
    assert_int_equal(r->status, 409);
    assert_non_null(strstr(h_str(r, "detail"), "transitions"));
    h_free(r);
    snprintf(body, sizeof body,
             "{\"title\":\"ИБЦ\",\"requested_amount\":2000.5,"
             "\"programme_id\":\"%s\",\"school\":\"school-99\"}",
             pid);
    r = h_http("PUT", path, sc.lib, body, v3);
    assert_int_equal(r->status, 409);
    h_free(r);
    json_t *p = get_project(sc.lib, id);
    assert_string_equal(json_string_value(json_object_get(p, "title")), "ИБЦ: медиатека");
    json_decref(p);
    /* other fields still change; the team may be emptied */
    snprintf(body, sizeof body,
             "{\"title\":\"ИБЦ\",\"requested_amount\":2000.5,"
             "\"programme_id\":\"%s\",\"team\":[]}",
             pid);
    r = h_http("PUT", path, sc.lib, body, v3);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "team")), 0);
    assert_string_equal(h_str(r, "status"), "submitted");
    h_free(r);
    /* a final project no longer changes */
    go_ok(sc.lib, id, "withdrawn", NULL);
    const char *v5[] = {"If-Match: \"5\"", NULL};
    r = h_http("PUT", path, sc.lib, body, v5);
    assert_int_equal(r->status, 409);
    assert_non_null(strstr(h_str(r, "detail"), "withdrawn"));
    h_free(r);
    h_events_close(ev);
    free(id);
    free(pid);
    free_school(&sc);
}

static void programmes_are_run_by_the_lab_and_listed_by_deadline(void **state)
{
    (void)state;
    char *open = new_programme("2099-06-30", "50000", "1500000.75");
    h_resp *r = h_get(integr, "/api/v1/grants/programmes/%s", open);
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "level"), "federal");
    assert_true(json_number_value(json_object_get(r->json, "amount_max")) == 1500000.75);
    assert_string_equal(h_header(r, "ETag"), "\"1\"");
    h_free(r);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/grants/programmes/%s", open);
    const char *body = "{\"funder\":\"Благотворительный фонд\",\"level\":\"charitable\","
                       "\"title\":\"Читающая школа\",\"deadline\":\"2099-07-31\","
                       "\"amount_min\":0,\"amount_max\":700000}";
    r = h_http("PUT", path, meth, body, NULL);
    assert_int_equal(r->status, 428);
    h_free(r);
    const char *v1[] = {"If-Match: \"1\"", NULL};
    r = h_http("PUT", path, meth, body, v1);
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "level"), "charitable");
    assert_null(json_object_get(r->json, "url"));
    h_free(r);
    r = h_http("PUT", path, meth, body, v1);
    assert_int_equal(r->status, 412);
    h_free(r);

    char *closed = new_programme("2021-03-01", "0", "10");
    school sc = new_school();
    r = h_get(sc.lib, "/api/v1/grants/programmes?open=true&level=charitable&limit=200");
    assert_int_equal(r->status, 200);
    bool found = false;
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(r->json, "items"), i, g)
    {
        found = found || strcmp(json_string_value(json_object_get(g, "id")), open) == 0;
        assert_string_equal(json_string_value(json_object_get(g, "level")), "charitable");
        assert_true(strcmp(json_string_value(json_object_get(g, "deadline")), "2026-01-01") > 0);
    }
    assert_true(found);
    h_free(r);
    r = h_get(meth, "/api/v1/grants/programmes?open=false&from=2021-03-01&to=2021-03-01");
    assert_int_equal(r->status, 200);
    assert_true(json_integer_value(json_object_get(r->json, "total")) >= 1);
    found = false;
    json_array_foreach(json_object_get(r->json, "items"), i, g)
    {
        found = found || strcmp(json_string_value(json_object_get(g, "id")), closed) == 0;
        assert_string_equal(json_string_value(json_object_get(g, "deadline")), "2021-03-01");
    }
    assert_true(found);
    h_free(r);
    free(open);
    free(closed);
    free_school(&sc);
}

/* ------------------------------------------------------ lists, summary */

static void lists_are_paged_and_filtered_by_school_status_and_date(void **state)
{
    (void)state;
    school sc = new_school();
    char *pid = new_programme("2099-12-31", "0", "500000");
    char *ids[3];
    for (int i = 0; i < 3; i++)
        ids[i] = new_project(&sc, pid, "1000");
    go_ok(sc.lib, ids[1], "submitted", NULL);
    json_t *p = get_project(sc.lib, ids[0]);
    char today[11];
    snprintf(today, sizeof today, "%.10s", json_string_value(json_object_get(p, "created_at")));
    json_decref(p);

    /* a librarian's list is their school's; newest first, paged */
    h_resp *r = h_get(sc.lib, "/api/v1/grants/projects?limit=2");
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 3);
    assert_int_equal(json_integer_value(json_object_get(r->json, "limit")), 2);
    json_t *items = json_object_get(r->json, "items");
    assert_int_equal(json_array_size(items), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "id")), ids[2]);
    h_free(r);
    r = h_get(sc.lib, "/api/v1/grants/projects?limit=2&offset=2");
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r->json, "items"), 0), "id")),
                        ids[0]);
    h_free(r);
    r = h_get(meth, "/api/v1/grants/projects?school=%s&status=submitted", sc.id);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r->json, "items"), 0), "id")),
                        ids[1]);
    h_free(r);
    r = h_get(integr, "/api/v1/grants/projects?programme_id=%s&status=draft", pid);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 2);
    h_free(r);
    r = h_get(meth, "/api/v1/grants/projects?school=%s&from=%s&to=%s", sc.id, today, today);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 3);
    h_free(r);
    r = h_get(meth, "/api/v1/grants/projects?school=%s&to=2020-01-01", sc.id);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 0);
    h_free(r);
    r = h_get(meth, "/api/v1/grants/projects?school=%s&from=2199-01-01", sc.id);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 0);
    h_free(r);
    for (int i = 0; i < 3; i++)
        free(ids[i]);
    free(pid);
    free_school(&sc);
}

static void summary_counts_projects_and_money_per_status_school_and_programme(void **state)
{
    (void)state;
    school a = new_school(), b = new_school();
    char *pid = new_programme("2099-12-31", "0", "1000000");
    char *a1 = new_project(&a, pid, "100000.25"); /* approved for 90000 */
    char *a2 = new_project(&a, pid, "200000");    /* rejected */
    char *a3 = new_project(&a, pid, "50000");     /* draft */
    char *b1 = new_project(&b, pid, "300000");    /* completed, awarded all */
    char *b2 = new_project(&b, pid, "70000");     /* withdrawn after submission */
    walk(&a, a1, "under_review");
    go_ok(meth, a1, "approved", ",\"awarded_amount\":90000");
    walk(&a, a2, "under_review");
    go_ok(meth, a2, "rejected", ",\"comment\":\"нет софинансирования\"");
    walk(&b, b1, "completed");
    walk(&b, b2, "submitted");
    go_ok(b.lib, b2, "withdrawn", NULL);

    h_resp *r = h_get(meth, "/api/v1/grants/summary?programme_id=%s", pid);
    assert_int_equal(r->status, 200);
    json_t *s = r->json;
    assert_int_equal(json_integer_value(json_object_get(s, "projects")), 5);
    /* requested: submitted and on, not withdrawn; awarded: approved and on */
    assert_true(json_number_value(json_object_get(s, "requested_amount")) == 600000.25);
    assert_true(json_number_value(json_object_get(s, "awarded_amount")) == 390000);
    json_t *st = json_object_get(s, "by_status");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(st, "draft"), "projects")),
                     1);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(st, "approved"), "projects")), 1);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(st, "submitted"), "projects")), 0);
    assert_true(json_number_value(
                    json_object_get(json_object_get(st, "approved"), "awarded_amount")) == 90000);
    assert_true(json_number_value(json_object_get(json_object_get(st, "withdrawn"),
                                                  "requested_amount")) == 70000);
    json_t *schools = json_object_get(s, "by_school");
    assert_int_equal(json_array_size(schools), 2);
    size_t i;
    json_t *row;
    json_array_foreach(schools, i, row)
    {
        bool is_a = strcmp(json_string_value(json_object_get(row, "school")), a.id) == 0;
        assert_int_equal(json_integer_value(json_object_get(row, "projects")), is_a ? 3 : 2);
        assert_true(json_number_value(json_object_get(row, "requested_amount")) ==
                    (is_a ? 300000.25 : 300000));
        assert_true(json_number_value(json_object_get(row, "awarded_amount")) ==
                    (is_a ? 90000 : 300000));
        json_t *bs = json_object_get(row, "by_status");
        assert_int_equal(json_integer_value(json_object_get(bs, is_a ? "rejected" : "completed")),
                         1);
    }
    json_t *progs = json_object_get(s, "by_programme");
    assert_int_equal(json_array_size(progs), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(progs, 0), "programme_id")), pid);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(progs, 0), "projects")), 5);
    h_free(r);

    /* a librarian's summary is their own school's */
    r = h_get(a.lib, "/api/v1/grants/summary?programme_id=%s", pid);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "projects")), 3);
    assert_int_equal(json_array_size(json_object_get(r->json, "by_school")), 1);
    h_free(r);
    r = h_get(a.lib, "/api/v1/grants/summary?school=%s", b.id);
    assert_int_equal(r->status, 403);
    h_free(r);
    free(a1);
    free(a2);
    free(a3);
    free(b1);
    free(b2);
    free(pid);
    free_school(&a);
    free_school(&b);
}

/* ------------------------------------------------------- consultations */

static void consultations_are_recorded_by_the_lab_and_read_by_the_school(void **state)
{
    (void)state;
    h_events *ev = h_events_open("ibc.evt.grants.consultation.recorded");
    school sc = new_school(), other = new_school();
    char *pid = new_programme("2099-12-31", "0", "500000");
    char *id = new_project(&sc, pid, "1000");
    h_resp *r = h_post(meth, "/api/v1/grants/consultations",
                       "{\"date\":\"2026-02-14\",\"school\":\"%s\",\"topic\":\"Бюджет проекта\","
                       "\"consultant\":\"Смирнова Анна Викторовна\",\"outcome\":\"смета "
                       "пересчитана\",\"project_id\":\"%s\"}",
                       sc.id, id);
    assert_int_equal(r->status, 201);
    char *cid = strdup(h_str(r, "id"));
    assert_string_equal(h_str(r, "consultant"), "Смирнова Анна Викторовна");
    h_free(r);
    r = h_post(meth, "/api/v1/grants/consultations",
               "{\"date\":\"2026-01-10\",\"school\":\"%s\",\"topic\":\"Поиск фондов\","
               "\"consultant\":\"Смирнова Анна Викторовна\"}",
               sc.id);
    assert_int_equal(r->status, 201);
    h_free(r);

    json_t *e = h_events_find(ev, "ibc.evt.grants.consultation.recorded", cid, 10000);
    assert_non_null(e);
    json_t *d = json_object_get(e, "data");
    assert_string_equal(json_string_value(json_object_get(d, "school")), sc.id);
    assert_string_equal(json_string_value(json_object_get(d, "project_id")), id);
    char *text = json_dumps(e, 0);
    assert_null(strstr(text, "Смирнова"));
    free(text);
    json_decref(e);

    r = h_get(sc.lib, "/api/v1/grants/consultations/%s", cid);
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "topic"), "Бюджет проекта");
    h_free(r);
    r = h_get(other.lib, "/api/v1/grants/consultations/%s", cid);
    assert_int_equal(r->status, 404);
    h_free(r);
    r = h_get(sc.lib, "/api/v1/grants/consultations");
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 2);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r->json, "items"), 0), "date")),
                        "2026-02-14");
    h_free(r);
    r = h_get(meth, "/api/v1/grants/consultations?project_id=%s", id);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 1);
    h_free(r);
    r = h_get(integr, "/api/v1/grants/consultations?school=%s&from=2026-02-01&to=2026-02-28",
              sc.id);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 1);
    h_free(r);
    r = h_get(other.lib, "/api/v1/grants/consultations");
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 0);
    h_free(r);

    /* the project must be the school's; dates and fields are checked */
    static const char *const bad[] = {
        "{\"date\":\"2026-02-30\",\"school\":\"%s\",\"topic\":\"t\",\"consultant\":\"c\"}",
        "{\"date\":\"2026-02-01\",\"school\":\"%s\",\"consultant\":\"c\"}",
        "{\"date\":\"2026-02-01\",\"school\":\"%s\",\"topic\":\"t\",\"consultant\":\"c\","
        "\"project_id\":\"00000000-0000-0000-0000-000000000000\"}",
    };
    static const char *const needle[] = {"'date' must be a real date", "'topic' is required",
                                         "names no project"};
    for (size_t i = 0; i < 3; i++) {
        char body[512];
        snprintf(body, sizeof body, bad[i], sc.id);
        r = h_http("POST", "/api/v1/grants/consultations", meth, body, NULL);
        assert_int_equal(r->status, 400);
        assert_non_null(strstr(r->body, needle[i]));
        h_free(r);
    }
    r = h_post(meth, "/api/v1/grants/consultations",
               "{\"date\":\"2026-02-01\",\"school\":\"%s\",\"topic\":\"t\",\"consultant\":\"c\","
               "\"project_id\":\"%s\"}",
               other.id, id);
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "belongs to"));
    h_free(r);
    r = h_get(meth, "/api/v1/grants/consultations?school=%s", other.id);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 0);
    h_free(r);
    assert_int_equal(h_events_count(ev, "ibc.evt.grants.consultation.recorded", NULL, 500), 2);

    h_events_close(ev);
    free(cid);
    free(id);
    free(pid);
    free_school(&sc);
    free_school(&other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(approved_path_to_completed_keeps_who_and_when_and_emits_events),
        cmocka_unit_test(a_project_names_the_actions_its_reader_may_take),
        cmocka_unit_test(rejection_needs_a_comment_and_is_final),
        cmocka_unit_test(every_non_final_status_may_be_withdrawn_by_the_school),
        cmocka_unit_test(forbidden_jumps_are_409_naming_the_allowed_ones),
        cmocka_unit_test(submission_needs_an_open_programme),
        cmocka_unit_test(forbidden_roles_are_403_and_change_nothing),
        cmocka_unit_test(concurrent_transitions_from_one_status_exactly_one_wins),
        cmocka_unit_test(bad_input_is_a_clear_400_and_creates_nothing),
        cmocka_unit_test(update_needs_if_match_and_freezes_the_application_once_submitted),
        cmocka_unit_test(programmes_are_run_by_the_lab_and_listed_by_deadline),
        cmocka_unit_test(lists_are_paged_and_filtered_by_school_status_and_date),
        cmocka_unit_test(summary_counts_projects_and_money_per_status_school_and_programme),
        cmocka_unit_test(consultations_are_recorded_by_the_lab_and_read_by_the_school),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
