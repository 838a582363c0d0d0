/* The authorization matrix: every route of the gateway's table (gw_routes,
 * linked from the gateway itself) is called without a key and as every role
 * of school B and of school A, on objects that belong to school A. What each
 * call must answer comes from ONE table below (`spec`): who may call the
 * route, and how it is bound to a school. A route of the gateway without a
 * row here fails the test, so a new route forces a decision.
 *
 *   no key                                   401 (200 on a public route: N)
 *   a public route (roles "*")               the same for every caller
 *   a role the route does not allow          403
 *   a librarian of B, on A's hidden object   404, and the very same problem
 *                                            (type, title, detail) as for an
 *                                            object that does not exist
 *   a librarian of B naming school A         403 (schools are no secret)
 *   allowed                                  2xx or a 4xx about the input or
 *                                            the state (400, 409, 412, 422, 428) */
#include "harness.h"
#include "routes.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* How a route is bound to a school, for a librarian of another school:
 * '-' it is not (same answer as for the own school),
 * 'o' the object named by `obj` is school A's and hidden from B: 404,
 *     the same problem as for an object that does not exist,
 * 's' the request names school A (body or query): 403,
 * 'v' the object is A's, visible to everyone, changed by A only: 403. */
typedef struct {
    const char *method, *path;
    const char *roles; /* A admin, M methodologist, L librarian, P portal, I integrator,
                        * N no key (a public protocol: OAI-PMH) */
    char scope;
    const char *id;      /* what {id} is: a fixture name ("reader") */
    const char *obj;     /* for 'o': the fixture that is A's hidden object */
    const char *body;    /* JSON with @fixture names, or NULL */
    const char *query;   /* with @fixture names, or NULL */
    bool fresh;          /* the call uses up its {id}: make a new one for each call */
    const char *rule403; /* roles the service may refuse (403) by a rule of the data's
                          * workflow, not by their school (e.g. who submits a project) */
} spec_row;

#define RAW_MARC "@marc"
/* a federal list of extremist materials of one entry (text/plain) */
#define RAW_LIST "@list"
static const char list_text[] = "1. Книга «Матрица прав доступа» (решение суда от 01.01.2010)\n";

static const spec_row spec[] = {
    /* the gateway's own routes */
    {"POST", "/api/v1/admin/keys", "A", '-', NULL, NULL,
     "{\"org\":\"@school\",\"role\":\"portal\",\"name\":\"matrix\"}", NULL, false},
    {"GET", "/api/v1/admin/keys", "A", '-', NULL, NULL, NULL, NULL, false},
    {"DELETE", "/api/v1/admin/keys/{id}", "A", '-', "key", NULL, NULL, NULL, true},
    /* people: signing in needs no key ('*': every caller, with a key or none,
     * gets the same answer, here 401 for a login that does not exist) */
    {"POST", "/api/v1/session", "*", '-', NULL, NULL,
     "{\"login\":\"mtx-nobody\",\"password\":\"not-the-password\"}", NULL, false},
    {"GET", "/api/v1/session", "AMLPI", '-', NULL, NULL, NULL, NULL, false},
    {"DELETE", "/api/v1/session", "AMLPI", '-', NULL, NULL, NULL, NULL, false},
    {"PUT", "/api/v1/session/password", "AML", '-', NULL, NULL,
     "{\"current\":\"matrix-password\",\"new\":\"matrix-password-2\"}", NULL, false},
    {"POST", "/api/v1/admin/accounts", "A", '-', NULL, NULL,
     "{\"login\":\"@uniq\",\"org\":\"@school\",\"role\":\"librarian\",\"password\":"
     "\"matrix-password\"}",
     NULL, false},
    {"GET", "/api/v1/admin/accounts", "A", '-', NULL, NULL, NULL, NULL, false},
    {"PATCH", "/api/v1/admin/accounts/{id}", "A", '-', "account", NULL, "{\"name\":\"Матрица\"}",
     NULL, false},
    /* catalog: the union catalog is everyone's; items are public, changed by their school */
    {"GET", "/api/v1/catalog/ping", "AMLPI", '-', NULL, NULL, NULL, NULL, false},
    {"POST", "/api/v1/catalog/records", "AML", '-', NULL, NULL,
     "{\"type\":\"book\",\"title\":\"@uniq\"}", NULL, false},
    {"GET", "/api/v1/catalog/records/{id}", "AMLPI", '-', "record", NULL, NULL, NULL, false},
    {"PUT", "/api/v1/catalog/records/{id}", "AML", '-', "record", NULL,
     "{\"type\":\"book\",\"title\":\"@uniq\"}", NULL, false},
    {"DELETE", "/api/v1/catalog/records/{id}", "AM", '-', "record", NULL, NULL, NULL, true},
    {"GET", "/api/v1/catalog/records", "AMLPI", '-', NULL, NULL, NULL, "q=matrix", false},
    {"GET", "/api/v1/catalog/records/{id}/similar", "AML", '-', "record", NULL, NULL, NULL, false},
    {"POST", "/api/v1/catalog/records/{id}/merge", "AM", '-', "record", NULL,
     "{\"from\":\"@recordm\"}", NULL, false},
    {"GET", "/api/v1/catalog/records/{id}/availability", "AMLPI", '-', "record", NULL, NULL, NULL,
     false},
    {"POST", "/api/v1/catalog/items", "AML", 's', NULL, NULL,
     "{\"record_id\":\"@record\",\"barcode\":\"@uniq\",\"school\":\"@school\"}", NULL, false},
    {"GET", "/api/v1/catalog/items", "AMLPI", '-', NULL, NULL, NULL, "school=@school", false},
    {"GET", "/api/v1/catalog/items/lookup", "AMLPI", '-', NULL, NULL, NULL, "barcode=@barcode",
     false},
    {"GET", "/api/v1/catalog/items/{id}", "AMLPI", '-', "item", NULL, NULL, NULL, false},
    {"PUT", "/api/v1/catalog/items/{id}", "AML", 'v', "item", NULL,
     "{\"record_id\":\"@record\",\"barcode\":\"@barcode\",\"school\":\"@school\"}", NULL, false},
    {"POST", "/api/v1/catalog/items/{id}/write-off", "AML", 'v', "item3", NULL,
     "{\"act\":\"А-1\",\"reason\":\"утеряно\"}", NULL, false},
    {"POST", "/api/v1/catalog/imports", "AML", 's', NULL, NULL, RAW_MARC,
     "format=marc21&charset=utf-8&school=@school", false},
    {"GET", "/api/v1/catalog/imports", "AML", '-', NULL, NULL, NULL, NULL, false},
    {"GET", "/api/v1/catalog/imports/{id}", "AML", 'o', "import", "import", NULL, NULL, false},
    {"GET", "/api/v1/catalog/imports/{id}/records", "AML", 'o', "import", "import", NULL, NULL,
     false},
    /* the fixture's import has ended: 409 for whoever may see it */
    {"POST", "/api/v1/catalog/imports/{id}/cancel", "AML", 'o', "import", "import", NULL, NULL,
     false},
    /* copy cataloguing: the remote target is the fixture's yaz-ztest */
    {"POST", "/api/v1/catalog/copy-searches", "AML", '-', NULL, NULL,
     "{\"target\":\"ztest\",\"query\":\"computer\",\"limit\":1}", NULL, false},
    {"POST", "/api/v1/catalog/copy-searches/{id}/import", "AML", 'o', "copysearch", "copysearch",
     "{\"positions\":[1]}", NULL, false},
    {"GET", "/api/v1/catalog/export", "AMLI", '-', NULL, NULL, NULL, "q=matrix", false},
    /* OAI-PMH: harvesters need no key; a key that is sent is checked all the same */
    {"GET", "/oai", "AMLPIN", '-', NULL, NULL, NULL, "verb=Identify", false},
    {"POST", "/oai", "AMLPIN", '-', NULL, NULL, NULL, "verb=Identify", false},
    {"GET", "/api/v1/catalog/suggest", "AMLPI", '-', NULL, NULL, NULL, "q=matr", false},
    /* fund accounting: a school's books of record and stocktakes */
    {"POST", "/api/v1/catalog/receipts", "AML", 's', NULL, NULL,
     "{\"school\":\"@school\",\"number\":\"@uniq\",\"date\":\"2026-01-15\",\"source\":"
     "\"gift\",\"lines\":[{\"record_id\":\"@record\",\"copies\":1,\"price_kopecks\":100}]}",
     NULL, false},
    {"GET", "/api/v1/catalog/receipts/{id}", "AML", 'o', "receipt", "receipt", NULL, NULL, false},
    {"POST", "/api/v1/catalog/write-offs", "AML", 's', NULL, NULL,
     "{\"school\":\"@school\",\"number\":\"@uniq\",\"date\":\"2026-01-15\",\"reason\":"
     "\"worn\",\"barcodes\":[\"@barcode_w\"]}",
     NULL, false},
    {"GET", "/api/v1/catalog/write-offs/{id}", "AML", 'o', "write_off", "write_off", NULL, NULL,
     false},
    {"GET", "/api/v1/catalog/fund-register", "AML", 's', NULL, NULL, NULL,
     "school=@school&year=2026", false},
    {"GET", "/api/v1/catalog/inventory-book", "AML", 's', NULL, NULL, NULL, "school=@school",
     false},
    {"GET", "/api/v1/catalog/reports/no-age-mark", "AML", '-', NULL, NULL, NULL, "school=@school",
     false},
    {"POST", "/api/v1/catalog/stocktakes", "AML", 's', NULL, NULL,
     "{\"school\":\"@school\",\"note\":\"@uniq\"}", NULL, false},
    {"GET", "/api/v1/catalog/stocktakes/{id}", "AML", 'o', "stocktake", "stocktake", NULL, NULL,
     false},
    {"POST", "/api/v1/catalog/stocktakes/{id}/scans", "AML", 'o', "stocktake", "stocktake",
     "{\"barcodes\":[\"@barcode\"]}", NULL, false},
    {"POST", "/api/v1/catalog/stocktakes/{id}/close", "AML", 'o', "stocktake", "stocktake", NULL,
     NULL, false},
    /* the federal list of extremist materials: the admin uploads and reviews, the
     * network's roles read; no school is involved */
    {"POST", "/api/v1/catalog/extremist-lists", "A", '-', NULL, NULL, RAW_LIST, NULL, false},
    {"GET", "/api/v1/catalog/extremist-lists", "AM", '-', NULL, NULL, NULL, NULL, false},
    {"GET", "/api/v1/catalog/extremist-lists/{id}", "AM", '-', "extremist_list", NULL, NULL, NULL,
     false},
    {"GET", "/api/v1/catalog/extremist-lists/{id}/changes", "AM", '-', "extremist_list", NULL, NULL,
     NULL, false},
    {"GET", "/api/v1/catalog/extremist-matches", "AM", '-', NULL, NULL, NULL, NULL, false},
    {"POST", "/api/v1/catalog/extremist-matches/{id}/confirm", "A", '-', "extremist_match", NULL,
     "{}", NULL, false},
    {"POST", "/api/v1/catalog/extremist-matches/{id}/reject", "A", '-', "extremist_match", NULL,
     "{}", NULL, false},
    {"GET", "/api/v1/catalog/reports/extremist", "AM", '-', NULL, NULL, NULL, NULL, false},
    /* circulation: readers and their loans are their school's alone */
    {"GET", "/api/v1/circulation/ping", "AMLPI", '-', NULL, NULL, NULL, NULL, false},
    {"POST", "/api/v1/circulation/readers", "AL", 's', NULL, NULL,
     "{\"card_barcode\":\"@uniq\",\"name\":\"Читатель\",\"category\":\"student\",\"school\":"
     "\"@school\"}",
     NULL, false},
    {"GET", "/api/v1/circulation/readers", "AML", '-', NULL, NULL, NULL, NULL, false},
    {"GET", "/api/v1/circulation/readers/{id}", "AML", 'o', "reader", "reader", NULL, NULL, false},
    {"PUT", "/api/v1/circulation/readers/{id}", "AL", 'o', "reader", "reader",
     "{\"card_barcode\":\"@uniq\",\"name\":\"Читатель\",\"category\":\"student\"}", NULL, false},
    {"DELETE", "/api/v1/circulation/readers/{id}", "AL", 'o', "reader", "reader", NULL, NULL, true},
    /* 152-ФЗ: consents and the export are the reader's own school's alone
     * (the admin passes the gateway and is refused by the service) */
    {"POST", "/api/v1/circulation/readers/{id}/consents", "AL", 'o', "reader", "reader",
     "{\"kind\":\"reader\",\"basis\":\"matrix\",\"given_on\":\"2026-01-01\"}", NULL, false, "A"},
    {"GET", "/api/v1/circulation/readers/{id}/personal-data", "AL", 'o', "reader", "reader", NULL,
     NULL, false, "A"},
    /* the personal-data audit log: the admin's, and each school's own */
    {"GET", "/api/v1/circulation/audit", "AL", 's', NULL, NULL, NULL, "school=@school", false},
    {"GET", "/api/v1/circulation/policies", "AML", '-', NULL, NULL, NULL, NULL, false},
    {"PUT", "/api/v1/circulation/policies/{category}", "AL", 's', NULL, NULL,
     "{\"max_items\":5,\"loan_days\":14,\"renewals\":1}", "school=@school", false},
    {"GET", "/api/v1/circulation/settings", "AML", '-', NULL, NULL, NULL, NULL, false},
    {"PUT", "/api/v1/circulation/settings", "AL", 's', NULL, NULL, "{\"hold_pickup_days\":3}",
     "school=@school", false},
    {"POST", "/api/v1/circulation/checkouts", "AL", 'o', NULL, "reader",
     "{\"item_barcode\":\"@barcode_b\",\"reader_id\":\"@reader\"}", NULL, false},
    {"POST", "/api/v1/circulation/checkins", "AL", 'o', NULL, "barcode",
     "{\"item_barcode\":\"@barcode\"}", NULL, false},
    {"GET", "/api/v1/circulation/loans", "AML", '-', NULL, NULL, NULL, NULL, false},
    {"GET", "/api/v1/circulation/loans/{id}", "AML", 'o', "loan", "loan", NULL, NULL, false},
    {"POST", "/api/v1/circulation/loans/{id}/renew", "AL", 'o', "loan", "loan", NULL, NULL, false},
    {"GET", "/api/v1/circulation/overdue", "AML", '-', NULL, NULL, NULL, NULL, false},
    {"POST", "/api/v1/circulation/holds", "AL", 'o', NULL, "reader",
     "{\"record_id\":\"@record\",\"reader_id\":\"@reader\"}", NULL, false},
    {"GET", "/api/v1/circulation/holds", "AML", '-', NULL, NULL, NULL, NULL, false},
    {"POST", "/api/v1/circulation/holds/expire", "AL", 's', NULL, NULL, NULL, "school=@school",
     false},
    {"GET", "/api/v1/circulation/holds/{id}", "AML", 'o', "hold", "hold", NULL, NULL, false},
    {"POST", "/api/v1/circulation/holds/{id}/cancel", "AL", 'o', "hold", "hold", NULL, NULL, false},
    {"POST", "/api/v1/circulation/class-sets", "AL", 's', NULL, NULL,
     "{\"class\":\"5А\",\"record_ids\":[\"@record\"],\"school\":\"@school\"}", NULL, false},
    {"GET", "/api/v1/circulation/class-sets", "AML", '-', NULL, NULL, NULL, NULL, false},
    {"POST", "/api/v1/circulation/class-sets/return", "AL", 's', NULL, NULL,
     "{\"class\":\"5А\",\"school\":\"@school\"}", NULL, false},
    {"POST", "/api/v1/circulation/transfers", "AL", 's', NULL, NULL,
     "{\"record_id\":\"@record\",\"from_school\":\"@third\",\"to_school\":\"@school\"}", NULL,
     false},
    {"GET", "/api/v1/circulation/transfers", "AML", '-', NULL, NULL, NULL, NULL, false},
    {"GET", "/api/v1/circulation/transfers/{id}", "AML", 'o', "transfer", "transfer", NULL, NULL,
     false},
    {"POST", "/api/v1/circulation/transfers/{id}/transitions", "AL", 'o', "transfer", "transfer",
     "{\"state\":\"received\"}", NULL, false},
    /* training: staff are their school's; courses are the network's */
    {"GET", "/api/v1/training/ping", "AMLPI", '-', NULL, NULL, NULL, NULL, false},
    {"GET", "/api/v1/training/staff", "AMLI", '-', NULL, NULL, NULL, NULL, false},
    {"POST", "/api/v1/training/staff", "AML", 's', NULL, NULL,
     "{\"full_name\":\"Сотрудник\",\"school\":\"@school\"}", NULL, false},
    {"GET", "/api/v1/training/staff/{id}", "AMLI", 'o', "staff", "staff", NULL, NULL, false},
    {"PUT", "/api/v1/training/staff/{id}", "AML", 'o', "staff", "staff",
     "{\"full_name\":\"Сотрудник\"}", NULL, false},
    {"DELETE", "/api/v1/training/staff/{id}", "AML", 'o', "staff", "staff", NULL, NULL, true},
    {"GET", "/api/v1/training/staff/{id}/record", "AMLI", 'o', "staff", "staff", NULL, NULL, false},
    {"GET", "/api/v1/training/due", "AMLI", '-', NULL, NULL, NULL, NULL, false},
    {"GET", "/api/v1/training/courses", "AMLI", '-', NULL, NULL, NULL, NULL, false},
    {"POST", "/api/v1/training/courses", "AM", '-', NULL, NULL,
     "{\"title\":\"@uniq\",\"provider\":\"ИРО\",\"kind\":\"course\",\"format\":\"in_person\","
     "\"hours\":16,\"starts_on\":\"2099-03-02\",\"ends_on\":\"2099-03-05\"}",
     NULL, false},
    {"GET", "/api/v1/training/courses/{id}", "AMLI", '-', "course", NULL, NULL, NULL, false},
    {"PUT", "/api/v1/training/courses/{id}", "AM", '-', "course", NULL,
     "{\"title\":\"@uniq\",\"provider\":\"ИРО\",\"kind\":\"course\",\"format\":\"in_person\","
     "\"hours\":16,\"starts_on\":\"2099-03-02\",\"ends_on\":\"2099-03-05\",\"capacity\":30}",
     NULL, false},
    {"GET", "/api/v1/training/enrolments", "AMLI", '-', NULL, NULL, NULL, NULL, false},
    {"POST", "/api/v1/training/enrolments", "AML", 'o', NULL, "staff",
     "{\"course_id\":\"@course\",\"staff_id\":\"@staff\"}", NULL, false},
    {"GET", "/api/v1/training/enrolments/{id}", "AMLI", 'o', "enrolment", "enrolment", NULL, NULL,
     false},
    {"POST", "/api/v1/training/enrolments/{id}/attendance", "AM", '-', "enrolment", NULL,
     "{\"date\":\"2099-03-02\",\"present\":true}", NULL, false},
    {"POST", "/api/v1/training/enrolments/{id}/complete", "AM", '-', "enrolment", NULL,
     "{\"completed_on\":\"2099-03-05\"}", NULL, false},
    {"POST", "/api/v1/training/enrolments/{id}/cancel", "AML", 'o', "enrolment", "enrolment", "{}",
     NULL, false},
    /* grants: programmes are the network's; projects and consultations a school's */
    {"GET", "/api/v1/grants/ping", "AMLPI", '-', NULL, NULL, NULL, NULL, false},
    {"POST", "/api/v1/grants/programmes", "AM", '-', NULL, NULL,
     "{\"funder\":\"Фонд\",\"level\":\"federal\",\"title\":\"@uniq\",\"deadline\":\"2099-03-02\","
     "\"amount_min\":1000,\"amount_max\":2000}",
     NULL, false},
    {"GET", "/api/v1/grants/programmes", "AMLI", '-', NULL, NULL, NULL, NULL, false},
    {"GET", "/api/v1/grants/programmes/{id}", "AMLI", '-', "programme", NULL, NULL, NULL, false},
    {"PUT", "/api/v1/grants/programmes/{id}", "AM", '-', "programme", NULL,
     "{\"funder\":\"Фонд\",\"level\":\"federal\",\"title\":\"@uniq\",\"deadline\":\"2099-03-02\","
     "\"amount_min\":1000,\"amount_max\":200000}",
     NULL, false},
    {"POST", "/api/v1/grants/projects", "AML", 's', NULL, NULL,
     "{\"title\":\"Проект\",\"requested_amount\":1000,\"school\":\"@school\"}", NULL, false},
    {"GET", "/api/v1/grants/projects", "AMLI", '-', NULL, NULL, NULL, NULL, false},
    {"GET", "/api/v1/grants/projects/{id}", "AMLI", 'o', "project", "project", NULL, NULL, false},
    {"PUT", "/api/v1/grants/projects/{id}", "AML", 'o', "project", "project",
     "{\"title\":\"Проект\",\"requested_amount\":1000}", NULL, false},
    {"POST", "/api/v1/grants/projects/{id}/transitions", "AML", 'o', "project", "project",
     "{\"to\":\"submitted\"}", NULL, false, "M"},
    {"GET", "/api/v1/grants/projects/{id}/transitions", "AMLI", 'o', "project", "project", NULL,
     NULL, false},
    {"GET", "/api/v1/grants/summary", "AMLI", '-', NULL, NULL, NULL, NULL, false},
    {"POST", "/api/v1/grants/consultations", "AM", '-', NULL, NULL,
     "{\"date\":\"2026-03-02\",\"school\":\"@school\",\"topic\":\"t\",\"consultant\":\"c\"}", NULL,
     false},
    {"GET", "/api/v1/grants/consultations", "AMLI", '-', NULL, NULL, NULL, NULL, false},
    {"GET", "/api/v1/grants/consultations/{id}", "AMLI", 'o', "consultation", "consultation", NULL,
     NULL, false},
    /* monitoring: the directory, passports and answers are each school's;
     * campaigns, the roadmap and the indicators the network's */
    {"GET", "/api/v1/monitoring/ping", "AMLPI", '-', NULL, NULL, NULL, NULL, false},
    {"GET", "/api/v1/monitoring/schools", "AMLI", '-', NULL, NULL, NULL, NULL, false},
    {"POST", "/api/v1/monitoring/schools", "AM", '-', NULL, NULL,
     "{\"id\":\"@uniq\",\"name\":\"Школа\",\"kind\":\"school\"}", NULL, false},
    {"GET", "/api/v1/monitoring/schools/{id}", "AMLI", 'o', "school", "school", NULL, NULL, false},
    {"PUT", "/api/v1/monitoring/schools/{id}", "AML", 'o', "school", "school",
     "{\"name\":\"Школа матрицы\",\"kind\":\"school\"}", NULL, false},
    {"GET", "/api/v1/monitoring/schools/{id}/passport", "AMLI", 'o', "school", "school", NULL, NULL,
     false},
    {"PUT", "/api/v1/monitoring/schools/{id}/passport", "AML", 'o', "school", "school",
     "{\"computers\":3}", NULL, false},
    {"GET", "/api/v1/monitoring/schools/{id}/passport/history", "AMLI", 'o', "school", "school",
     NULL, NULL, false},
    {"POST", "/api/v1/monitoring/campaigns", "AM", '-', NULL, NULL,
     "{\"title\":\"@uniq\",\"questions\":[{\"code\":\"q\",\"text\":\"?\",\"kind\":\"number\"}]}",
     NULL, false},
    {"GET", "/api/v1/monitoring/campaigns", "AMLI", '-', NULL, NULL, NULL, NULL, false},
    {"GET", "/api/v1/monitoring/campaigns/{id}", "AMLI", '-', "campaign", NULL, NULL, NULL, false},
    {"POST", "/api/v1/monitoring/campaigns/{id}/close", "AM", '-', "campaign2", NULL, NULL, NULL,
     false},
    {"GET", "/api/v1/monitoring/campaigns/{id}/completion", "AMLI", '-', "campaign", NULL, NULL,
     NULL, false},
    {"GET", "/api/v1/monitoring/campaigns/{id}/answers", "AMLI", '-', "campaign", NULL, NULL, NULL,
     false},
    {"GET", "/api/v1/monitoring/campaigns/{id}/answers/{school}", "AMLI", 'o', "campaign", "school",
     NULL, NULL, false},
    {"PUT", "/api/v1/monitoring/campaigns/{id}/answers/{school}", "AML", 'o', "campaign", "school",
     "{\"answers\":{\"q\":1}}", NULL, false},
    {"POST", "/api/v1/monitoring/roadmap/activities", "AM", '-', NULL, NULL,
     "{\"section\":\"s\",\"title\":\"t\",\"deadline\":\"2099-03-02\",\"responsible_org\":"
     "\"@school\"}",
     NULL, false},
    {"GET", "/api/v1/monitoring/roadmap/activities", "AMLI", '-', NULL, NULL, NULL, NULL, false},
    {"GET", "/api/v1/monitoring/roadmap/activities/{id}", "AMLI", '-', "activity", NULL, NULL, NULL,
     false},
    {"PUT", "/api/v1/monitoring/roadmap/activities/{id}", "AM", '-', "activity", NULL,
     "{\"section\":\"s\",\"title\":\"t\",\"deadline\":\"2099-03-02\",\"responsible_org\":"
     "\"@school\"}",
     NULL, false},
    {"DELETE", "/api/v1/monitoring/roadmap/activities/{id}", "AM", '-', "activity", NULL, NULL,
     NULL, true},
    {"POST", "/api/v1/monitoring/roadmap/activities/{id}/evidence", "AML", 'v', "activity", NULL,
     "{\"url\":\"https://example.org/e\"}", NULL, false},
    {"GET", "/api/v1/monitoring/roadmap/progress", "AMLI", '-', NULL, NULL, NULL, NULL, false},
    {"POST", "/api/v1/monitoring/promotions", "AML", 's', NULL, NULL,
     "{\"campaign\":\"Я читаю\",\"held_on\":\"2026-03-02\",\"participants\":1,\"school\":"
     "\"@school\"}",
     NULL, false},
    {"GET", "/api/v1/monitoring/promotions", "AMLI", '-', NULL, NULL, NULL, NULL, false},
    {"DELETE", "/api/v1/monitoring/promotions/{id}", "AML", 'o', "promotion", "promotion", NULL,
     NULL, true},
    {"POST", "/api/v1/monitoring/partnerships", "AML", 's', NULL, NULL,
     "{\"partner\":\"ЦБС\",\"signed_on\":\"2026-03-02\",\"school\":\"@school\"}", NULL, false},
    {"GET", "/api/v1/monitoring/partnerships", "AMLI", '-', NULL, NULL, NULL, NULL, false},
    {"DELETE", "/api/v1/monitoring/partnerships/{id}", "AML", 'o', "partnership", "partnership",
     NULL, NULL, true},
    {"GET", "/api/v1/monitoring/indicators", "AMLI", '-', NULL, NULL, NULL, NULL, false},
    {"POST", "/api/v1/monitoring/indicators/rebuild", "AM", '-', NULL, NULL, NULL, NULL, false},
    {"GET", "/api/v1/monitoring/targets", "AMLI", '-', NULL, NULL, NULL, NULL, false},
    {"PUT", "/api/v1/monitoring/targets/{indicator}", "AM", '-', NULL, NULL, "{\"target\":10}",
     NULL, false},
    {"GET", "/api/v1/monitoring/reports/textbook-provision", "AMLI", '-', NULL, NULL, NULL, NULL,
     false},
    {"GET", "/api/v1/monitoring/statistics", "AMLI", 's', NULL, NULL, NULL,
     "school=@school&period=2026-Q1", false},
    {"PUT", "/api/v1/monitoring/visits/{school}/{date}", "AML", 's', NULL, NULL, "{\"visits\":12}",
     NULL, false},
    {"DELETE", "/api/v1/monitoring/visits/{school}/{date}", "AML", 's', NULL, NULL, NULL, NULL,
     false},
};

/* ---------------------------------------------------------------- fixtures */

static const char *const role_names[] = {"admin", "methodologist", "librarian", "portal",
                                         "integrator"};
static const char role_letters[] = "AMLPI";

typedef struct {
    const char *name;
    char *value;
} fixture;

static fixture fx[] = {
    {"school", NULL},
    {"third", NULL},
    {"record", NULL},
    {"record2", NULL},
    {"recordm", NULL},
    {"item", NULL},
    {"item3", NULL},
    {"barcode", NULL},
    {"barcode2", NULL},
    {"reader", NULL},
    {"loan", NULL},
    {"hold", NULL},
    {"transfer", NULL},
    {"staff", NULL},
    {"course", NULL},
    {"enrolment", NULL},
    {"programme", NULL},
    {"project", NULL},
    {"consultation", NULL},
    {"campaign", NULL},
    {"campaign2", NULL},
    {"activity", NULL},
    {"promotion", NULL},
    {"partnership", NULL},
    {"import", NULL},
    {"key", NULL},
    {"barcode_b", NULL},
    {"copysearch", NULL},
    {"account", NULL},
    {"barcode_w", NULL},
    {"receipt", NULL},
    {"write_off", NULL},
    {"stocktake", NULL},
    {"extremist_list", NULL},
    {"extremist_match", NULL},
};

static char *school_b, *keys[2][5]; /* [0] school B, [1] school A; by role */
static char *lib_a;

static char **fx_slot(const char *name, size_t len)
{
    for (size_t i = 0; i < LEN(fx); i++)
        if (strlen(fx[i].name) == len && strncmp(fx[i].name, name, len) == 0) return &fx[i].value;
    return NULL;
}

static const char *fx_get(const char *name)
{
    char **v = fx_slot(name, strlen(name));
    assert_non_null(v);
    return *v;
}

static void fx_set(const char *name, char *value)
{
    char **v = fx_slot(name, strlen(name));
    assert_non_null(v);
    free(*v);
    *v = value;
}

/* POSTs body (printf) to path as key; returns the new object's member
 * `member` (caller frees); fails the test unless 201/202. */
static char *create(const char *key, const char *path, const char *member, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static char *create(const char *key, const char *path, const char *member, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    h_resp *r = h_vpost(key, path, fmt, ap);
    va_end(ap);
    if (r->status != 201 && r->status != 202)
        fprintf(stderr, "fixture %s: %ld %s\n", path, r->status, r->body);
    assert_true(r->status == 201 || r->status == 202);
    const char *v = h_str(r, member);
    assert_non_null(v);
    char *out = strdup(v);
    h_free(r);
    return out;
}

/* Makes a new object of the fixture kind `name` owned by school A (or the
 * network's) and returns its id; caller frees. */
static char *make(const char *name)
{
    const char *a = h_admin(), *sa = fx_get("school");
    char *u = h_uniq("Матрица "), *out = NULL;
    if (strcmp(name, "record") == 0 || strcmp(name, "record2") == 0)
        out = create(a, "/api/v1/catalog/records", "id", "{\"type\":\"book\",\"title\":\"%s\"}", u);
    else if (strcmp(name, "reader") == 0)
        out = create(lib_a, "/api/v1/circulation/readers", "id",
                     "{\"card_barcode\":\"%s\",\"name\":\"Читатель\",\"category\":\"student\","
                     "\"class\":\"5А\"}",
                     u);
    else if (strcmp(name, "staff") == 0)
        out = create(lib_a, "/api/v1/training/staff", "id", "{\"full_name\":\"Сотрудник\"}");
    else if (strcmp(name, "activity") == 0)
        out = create(a, "/api/v1/monitoring/roadmap/activities", "id",
                     "{\"section\":\"s\",\"title\":\"t\",\"deadline\":\"2099-03-02\","
                     "\"responsible_org\":\"%s\"}",
                     sa);
    else if (strcmp(name, "promotion") == 0)
        out = create(lib_a, "/api/v1/monitoring/promotions", "id",
                     "{\"campaign\":\"Я читаю\",\"held_on\":\"2026-03-02\",\"participants\":1}");
    else if (strcmp(name, "partnership") == 0)
        out = create(lib_a, "/api/v1/monitoring/partnerships", "id",
                     "{\"partner\":\"ЦБС\",\"signed_on\":\"2026-03-02\"}");
    else if (strcmp(name, "key") == 0)
        out = create(a, "/api/v1/admin/keys", "id",
                     "{\"org\":\"%s\",\"role\":\"portal\",\"name\":\"matrix\"}", sa);
    else if (strcmp(name, "account") == 0)
        out = create(a, "/api/v1/admin/accounts", "id",
                     "{\"login\":\"mtx%s\",\"org\":\"%s\",\"role\":\"librarian\","
                     "\"password\":\"matrix-password\"}",
                     u + strlen("Матрица "), sa);
    else if (strcmp(name, "campaign") == 0 || strcmp(name, "campaign2") == 0)
        out = create(a, "/api/v1/monitoring/campaigns", "id",
                     "{\"title\":\"%s\",\"questions\":[{\"code\":\"q\",\"text\":\"?\","
                     "\"kind\":\"number\"}]}",
                     u);
    else
        fail_msg("no maker for fixture %s", name);
    free(u);
    return out;
}

/* An item of school A of record `record` with a new barcode; *id gets its id. */
static char *make_item(const char *record, char **id)
{
    char *bc = h_uniq("MTX");
    *id = create(h_admin(), "/api/v1/catalog/items", "id",
                 "{\"record_id\":\"%s\",\"barcode\":\"%s\",\"school\":\"%s\"}", record, bc,
                 fx_get("school"));
    return bc;
}

/* The MARC file every import call sends. */
static char *marc;
static size_t marc_len;

static void load_marc(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/marc21-utf8-cyrillic.mrc", h_marc_dir());
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    marc_len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    marc = malloc(marc_len);
    assert_int_equal(fread(marc, 1, marc_len, f), marc_len);
    fclose(f);
}

/* A version of the list whose one entry matches a record: its id and the match's. */
static void extremist_fixtures(const char *admin)
{
    free(h_record("{\"type\":\"book\",\"title\":\"Матрица прав доступа\"}"));
    const char *ct[] = {"Content-Type: text/plain", NULL};
    h_resp *r = h_http_raw("POST", "/api/v1/catalog/extremist-lists", admin, list_text,
                           strlen(list_text), ct);
    assert_int_equal(r->status, 202); /* matched by the catalog's job: wait for it */
    fx_set("extremist_list", strdup(h_str(r, "id")));
    h_free(r);
    bool done = false;
    for (int i = 0; i < 600 && !done; i++) {
        r = h_get(admin, "/api/v1/catalog/extremist-lists/%s", fx_get("extremist_list"));
        const json_t *m = json_object_get(r->json, "matching");
        done = strcmp(json_string_value(json_object_get(m, "state")), "running") != 0 &&
               strcmp(json_string_value(json_object_get(m, "state")), "queued") != 0;
        h_free(r);
        if (!done) usleep(100000);
    }
    r = h_get(admin, "/api/v1/catalog/extremist-matches?list=%s", fx_get("extremist_list"));
    assert_int_equal(r->status, 200);
    json_t *m = json_array_get(json_object_get(r->json, "items"), 0);
    assert_non_null(m);
    fx_set("extremist_match", strdup(json_string_value(json_object_get(m, "id"))));
    h_free(r);
}

static int setup(void **state)
{
    (void)state;
    const char *a = h_admin();
    char *sa = h_uniq("mtx-a-");
    school_b = h_uniq("mtx-b-");
    fx_set("school", sa);
    fx_set("third", h_uniq("mtx-c-"));
    for (int s = 0; s < 2; s++)
        for (int r = 0; r < 5; r++)
            keys[s][r] = h_new_key(s ? sa : school_b, role_names[r]);
    lib_a = keys[1][2];
    const char *schools[] = {sa, school_b, fx_get("third")};
    for (size_t i = 0; i < LEN(schools); i++)
        free(create(a, "/api/v1/monitoring/schools", "id",
                    "{\"id\":\"%s\",\"name\":\"Школа матрицы\",\"kind\":\"school\"}", schools[i]));
    fx_set("record", make("record"));
    fx_set("record2", make("record"));
    fx_set("recordm", make("record"));
    char *id;
    fx_set("barcode", make_item(fx_get("record"), &id));
    fx_set("item", id);
    fx_set("barcode2", make_item(fx_get("record"), &id));
    free(id);
    free(make_item(fx_get("record"), &id));
    fx_set("item3", id);
    /* a copy of school B: B lends it, so that B's checkout reaches A's reader */
    char *bcb = h_uniq("MTXB");
    free(create(a, "/api/v1/catalog/items", "id",
                "{\"record_id\":\"%s\",\"barcode\":\"%s\",\"school\":\"%s\"}", fx_get("record"),
                bcb, school_b));
    fx_set("barcode_b", bcb);
    fx_set("reader", make("reader"));
    /* the fund's acts: a receipt, a write-off, an open stocktake of A */
    h_resp *rc = h_post(lib_a, "/api/v1/catalog/receipts",
                        "{\"number\":\"М-1\",\"date\":\"2026-01-15\",\"source\":\"gift\","
                        "\"lines\":[{\"record_id\":\"%s\",\"copies\":3,\"price_kopecks\":100}]}",
                        fx_get("record"));
    assert_int_equal(rc->status, 201);
    fx_set("receipt", strdup(h_str(rc, "id")));
    json_t *ritems = json_object_get(rc->json, "items");
    fx_set("barcode_w",
           strdup(json_string_value(json_object_get(json_array_get(ritems, 0), "barcode"))));
    fx_set("write_off",
           create(lib_a, "/api/v1/catalog/write-offs", "id",
                  "{\"number\":\"М-1\",\"date\":\"2026-01-15\",\"reason\":\"worn\","
                  "\"barcodes\":[\"%s\"]}",
                  json_string_value(json_object_get(json_array_get(ritems, 1), "barcode"))));
    h_free(rc);
    fx_set("stocktake", create(lib_a, "/api/v1/catalog/stocktakes", "id", "{}"));
    fx_set("loan", create(lib_a, "/api/v1/circulation/checkouts", "id",
                          "{\"item_barcode\":\"%s\",\"reader_id\":\"%s\"}", fx_get("barcode"),
                          fx_get("reader")));
    /* the hold waits for record2's only copy, on loan to another reader */
    char *reader2 = make("reader"), *bc2 = make_item(fx_get("record2"), &id);
    free(id);
    free(create(lib_a, "/api/v1/circulation/checkouts", "id",
                "{\"item_barcode\":\"%s\",\"reader_id\":\"%s\"}", bc2, reader2));
    free(reader2), free(bc2);
    fx_set("hold", create(lib_a, "/api/v1/circulation/holds", "id",
                          "{\"record_id\":\"%s\",\"reader_id\":\"%s\"}", fx_get("record2"),
                          fx_get("reader")));
    /* a third school holds a copy, so that A may ask it for one */
    char *bc3 = h_uniq("MTXC");
    free(create(a, "/api/v1/catalog/items", "id",
                "{\"record_id\":\"%s\",\"barcode\":\"%s\",\"school\":\"%s\"}", fx_get("record"),
                bc3, fx_get("third")));
    free(bc3);
    fx_set("transfer", create(lib_a, "/api/v1/circulation/transfers", "id",
                              "{\"record_id\":\"%s\",\"from_school\":\"%s\"}", fx_get("record"),
                              fx_get("third")));
    fx_set("staff", make("staff"));
    char *u = h_uniq("Курс ");
    fx_set("course", create(a, "/api/v1/training/courses", "id",
                            "{\"title\":\"%s\",\"provider\":\"ИРО\",\"kind\":\"course\","
                            "\"format\":\"in_person\",\"hours\":16,\"starts_on\":\"2099-03-02\","
                            "\"ends_on\":\"2099-03-05\"}",
                            u));
    free(u);
    fx_set("enrolment",
           create(lib_a, "/api/v1/training/enrolments", "id",
                  "{\"course_id\":\"%s\",\"staff_id\":\"%s\"}", fx_get("course"), fx_get("staff")));
    u = h_uniq("Программа ");
    fx_set("programme", create(a, "/api/v1/grants/programmes", "id",
                               "{\"funder\":\"Фонд\",\"level\":\"federal\",\"title\":\"%s\","
                               "\"deadline\":\"2099-03-02\",\"amount_min\":1000,"
                               "\"amount_max\":200000}",
                               u));
    free(u);
    fx_set("project", create(lib_a, "/api/v1/grants/projects", "id",
                             "{\"title\":\"Проект\",\"requested_amount\":5000}"));
    fx_set("consultation",
           create(a, "/api/v1/grants/consultations", "id",
                  "{\"date\":\"2026-03-02\",\"school\":\"%s\",\"topic\":\"t\",\"consultant\":"
                  "\"c\"}",
                  sa));
    fx_set("campaign", make("campaign"));
    fx_set("campaign2", make("campaign"));
    fx_set("activity", make("activity"));
    fx_set("promotion", make("promotion"));
    fx_set("partnership", make("partnership"));
    fx_set("key", make("key"));
    extremist_fixtures(a);
    fx_set("account", make("account"));
    /* A has a passport and has answered the campaign */
    char path0[256];
    snprintf(path0, sizeof path0, "/api/v1/monitoring/schools/%s/passport", sa);
    h_resp *p0 = h_http("PUT", path0, lib_a, "{\"computers\":2}", NULL);
    assert_int_equal(p0->status, 201);
    h_free(p0);
    snprintf(path0, sizeof path0, "/api/v1/monitoring/campaigns/%s/answers/%s", fx_get("campaign"),
             sa);
    p0 = h_http("PUT", path0, lib_a, "{\"answers\":{\"q\":1}}", NULL);
    assert_int_equal(p0->status, 201);
    h_free(p0);
    load_marc();
    const char *ct[] = {"Content-Type: application/marc", NULL};
    char path[256];
    snprintf(path, sizeof path, "/api/v1/catalog/imports?format=marc21&charset=utf-8");
    h_resp *r = h_http_raw("POST", path, lib_a, marc, marc_len, ct);
    if (r->status != 202) fprintf(stderr, "fixture import: %ld %s\n", r->status, r->body);
    assert_int_equal(r->status, 202);
    fx_set("import", strdup(h_str(r, "id")));
    h_free(r);
    r = h_http("POST", "/api/v1/catalog/copy-searches", lib_a,
               "{\"target\":\"ztest\",\"query\":\"computer\",\"limit\":1}", NULL);
    if (r->status != 201) fprintf(stderr, "fixture copy search: %ld %s\n", r->status, r->body);
    assert_int_equal(r->status, 201);
    fx_set("copysearch", strdup(h_str(r, "id")));
    h_free(r);
    return 0;
}

/* ----------------------------------------------------------------- calling */

/* Replaces each @name in tmpl by its fixture (or a new unique string for
 * @uniq); the fixture `ghost` (when not NULL) becomes `ghost_value`.
 * Caller frees. */
static char *fill(const char *tmpl, const char *ghost, const char *ghost_value)
{
    size_t cap = strlen(tmpl) * 2 + 256, o = 0;
    char *out = malloc(cap);
    for (const char *p = tmpl; *p;) {
        const char *v = NULL;
        char *tmp = NULL;
        size_t n = 0;
        if (*p == '@') {
            while (p[1 + n] == '_' || (p[1 + n] >= 'a' && p[1 + n] <= 'z') ||
                   (p[1 + n] >= '0' && p[1 + n] <= '9'))
                n++;
            if (n == 4 && strncmp(p + 1, "uniq", 4) == 0)
                v = tmp = h_uniq("mtx");
            else if (ghost && strlen(ghost) == n && strncmp(p + 1, ghost, n) == 0)
                v = ghost_value;
            else {
                char **slot = fx_slot(p + 1, n);
                if (!slot || !*slot) fail_msg("template %s names an unknown fixture", tmpl);
                v = *slot;
            }
        }
        size_t vl = v ? strlen(v) : 1;
        if (o + vl + 1 >= cap) out = realloc(out, cap = (o + vl) * 2 + 64);
        if (v)
            memcpy(out + o, v, vl), p += n + 1;
        else
            out[o] = *p++;
        o += vl;
        free(tmp);
    }
    out[o] = 0;
    return out;
}

/* The request path of a row, with {id} its fixture, {school} school A and
 * the other parameters a valid value; `ghost` as for fill. Caller frees. */
static char *row_path(const spec_row *row, const char *ghost, const char *ghost_value)
{
    char tmpl[512] = "";
    size_t o = 0;
    for (const char *p = row->path; *p && o < sizeof tmpl - 64;) {
        char sub[64] = "";
        if (strncmp(p, "{id}", 4) == 0)
            snprintf(sub, sizeof sub, "@%s", row->id), p += 4;
        else if (strncmp(p, "{school}", 8) == 0)
            snprintf(sub, sizeof sub, "@school"), p += 8;
        else if (strncmp(p, "{category}", 10) == 0)
            snprintf(sub, sizeof sub, "student"), p += 10;
        else if (strncmp(p, "{indicator}", 11) == 0)
            snprintf(sub, sizeof sub, "catalog_records"), p += 11;
        else if (strncmp(p, "{date}", 6) == 0)
            snprintf(sub, sizeof sub, "2026-03-02"), p += 6;
        if (*sub)
            o += (size_t)snprintf(tmpl + o, sizeof tmpl - o, "%s", sub);
        else
            tmpl[o++] = *p++;
    }
    tmpl[o] = 0;
    if (row->query) snprintf(tmpl + o, sizeof tmpl - o, "?%s", row->query);
    return fill(tmpl, ghost, ghost_value);
}

/* Calls row as key; the fixture `ghost` (may be NULL) becomes ghost_value. */
static h_resp *call(const spec_row *row, const char *key, const char *ghost,
                    const char *ghost_value)
{
    char *path = row_path(row, ghost, ghost_value);
    h_resp *r;
    if (row->body && strcmp(row->body, RAW_LIST) == 0) {
        const char *ct[] = {"Content-Type: text/plain", NULL};
        r = h_http_raw(row->method, path, key, list_text, strlen(list_text), ct);
    } else if (row->body && strcmp(row->body, RAW_MARC) == 0) {
        const char *ct[] = {"Content-Type: application/marc", NULL};
        r = h_http_raw(row->method, path, key, marc, marc_len, ct);
    } else {
        /* a write names a version, so that a check of it cannot hide the
         * check of the school (412 is an allowed answer) */
        const char *if_match[] = {"If-Match: \"1\"", NULL};
        char *body = row->body ? fill(row->body, ghost, ghost_value) : NULL;
        r = h_http(row->method, path, key, body, strcmp(row->method, "PUT") == 0 ? if_match : NULL);
        free(body);
    }
    free(path);
    return r;
}

/* ---------------------------------------------------------------- checking */

static size_t nviolations, ncalls;

static void violation(const spec_row *row, const char *who, const char *want, const h_resp *r)
{
    nviolations++;
    fprintf(stderr, "VIOLATION %s %s as %s: want %s, got %ld %.300s\n", row->method, row->path, who,
            want, r->status, r->body ? r->body : "");
}

static bool allowed_status(long s)
{
    return (s >= 200 && s < 300) || s == 400 || s == 409 || s == 412 || s == 422 || s == 428;
}

/* A problem's type, title and detail with `value` written as <x>; caller frees. */
static char *problem_text(const h_resp *r, const char *value)
{
    const char *fields[] = {"type", "title", "detail"};
    char *out = strdup("");
    for (size_t i = 0; i < LEN(fields); i++) {
        const char *v = h_str(r, fields[i]);
        char *s = strdup(v ? v : "(none)"), *hit, *next = NULL;
        while (value && *value && (hit = strstr(s, value))) {
            *hit = 0;
            if (asprintf(&next, "%s<x>%s", s, hit + strlen(value)) < 0) next = NULL;
            free(s);
            s = next;
        }
        if (asprintf(&next, "%s%s | ", out, s) < 0) next = NULL;
        free(out), free(s);
        out = next;
    }
    return out;
}

/* A librarian of B asks for A's object: the answer must be a 404 that reads
 * exactly like the one for an object that does not exist. */
static void check_hidden(const spec_row *row, const char *who, const char *key, h_resp *r,
                         const char *real)
{
    if (r->status != 404) {
        violation(row, who, "404 (another school's object)", r);
        return;
    }
    char *ghost = NULL;
    bool uuid = strlen(real) == 36 && real[8] == '-';
    ghost = uuid ? strdup("5f0c2f9e-8a1b-4c3d-9e2f-00000000beef") : h_uniq("mtxghost");
    h_resp *g = call(row, key, row->obj, ghost);
    ncalls++;
    char *a = problem_text(r, real), *b = problem_text(g, ghost);
    if (g->status != 404 || strcmp(a, b) != 0) {
        nviolations++;
        fprintf(stderr,
                "VIOLATION %s %s as %s: another school's object answers\n    %ld %s\n"
                "  but one that does not exist\n    %ld %s\n",
                row->method, row->path, who, r->status, a, g->status, b);
    }
    free(a), free(b), free(ghost);
    h_free(g);
}

/* One call of row as role r (-1: no key) of school s (0 B, 1 A). */
static void check_call(const spec_row *row, int s, int r)
{
    char who[64];
    snprintf(who, sizeof who, "%s of %s", r < 0 ? "no key" : role_names[r], s ? "A" : "B");
    const char *key = r < 0 ? NULL : keys[s][r];
    bool allowed = r >= 0 && strchr(row->roles, role_letters[r]);
    char *fresh = row->fresh && allowed ? make(row->id) : NULL;
    h_resp *resp = call(row, key, fresh ? row->id : NULL, fresh);
    ncalls++;
    bool bound = r == 2 && s == 0; /* only a librarian acts for one school */
    if (strcmp(row->roles, "*") == 0) {
        if (resp->status != 401 && !allowed_status(resp->status))
            violation(row, who, "the public route's answer (2xx, 4xx of the input, 401)", resp);
    } else if (r < 0 && strchr(row->roles, 'N')) {
        if (resp->status != 200) violation(row, who, "200 (public)", resp);
    } else if (r < 0) {
        if (resp->status != 401) violation(row, who, "401", resp);
    } else if (!allowed) {
        if (resp->status != 403) violation(row, who, "403 (role)", resp);
    } else if (bound && row->scope == 'o') {
        check_hidden(row, who, key, resp, fresh ? fresh : fx_get(row->obj));
    } else if (bound && (row->scope == 's' || row->scope == 'v')) {
        if (resp->status != 403) violation(row, who, "403 (another school)", resp);
    } else if (resp->status == 403 && row->rule403 && strchr(row->rule403, role_letters[r])) {
        /* the workflow's rule, the same for every school */
    } else if (!allowed_status(resp->status)) {
        violation(row, who, "2xx or 400/409/412/422/428", resp);
    }
    free(fresh);
    h_free(resp);
}

static const spec_row *spec_find(const char *method, const char *path)
{
    for (size_t i = 0; i < LEN(spec); i++)
        if (strcmp(spec[i].method, method) == 0 && strcmp(spec[i].path, path) == 0) return &spec[i];
    return NULL;
}

/* Every route of the gateway has a row, and every row a route. */
static void every_route_has_a_row(void **state)
{
    (void)state;
    size_t missing = 0;
    for (size_t i = 0; i < gw_nroutes; i++)
        if (!spec_find(gw_routes[i].method, gw_routes[i].path)) {
            fprintf(stderr, "no row in the matrix for %s %s\n", gw_routes[i].method,
                    gw_routes[i].path);
            missing++;
        }
    for (size_t i = 0; i < LEN(spec); i++) {
        bool found = false;
        for (size_t k = 0; k < gw_nroutes && !found; k++)
            found = strcmp(gw_routes[k].method, spec[i].method) == 0 &&
                    strcmp(gw_routes[k].path, spec[i].path) == 0;
        if (!found)
            fprintf(stderr, "the matrix has a row for no route: %s %s\n", spec[i].method,
                    spec[i].path);
        missing += !found;
    }
    assert_int_equal(missing, 0);
}

/* Every route × no key, every role of school B, every role of school A. */
static void every_route_answers_every_role_as_the_table_says(void **state)
{
    (void)state;
    for (size_t i = 0; i < gw_nroutes; i++) {
        const spec_row *row = spec_find(gw_routes[i].method, gw_routes[i].path);
        if (!row) continue;
        check_call(row, 0, -1);
        /* B first, its librarian first, while A's objects are untouched */
        static const int order[] = {2, 0, 1, 3, 4};
        for (int s = 0; s < 2; s++)
            for (int k = 0; k < 5; k++)
                check_call(row, s, order[k]);
    }
    fprintf(stderr, "authz matrix: %zu routes, %zu calls, %zu violations\n", gw_nroutes, ncalls,
            nviolations);
    assert_int_equal(nviolations, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_route_has_a_row),
        cmocka_unit_test(every_route_answers_every_role_as_the_table_says),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
