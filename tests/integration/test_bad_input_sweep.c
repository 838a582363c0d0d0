/* An adversarial sweep of bad input over every route of the public API: path
 * ids that are not ids, broken percent-escapes, odd query values, bodies of
 * every wrong shape and type, deep and huge JSON, wrong media types. Whatever
 * is sent, the answer must be a 4xx application/problem+json (or a 2xx where
 * the input happens to be valid, which is noted), never a 5xx, a dropped
 * connection or a crashed service, and nothing may be half-written. The table
 * of routes below is checked against gateway/routes/ (*.inc) at run time. */
#include "harness.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dirent.h>
#include <time.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* B_FORM: an application/x-www-form-urlencoded body (OAI-PMH's POST) */
typedef enum { B_NONE, B_JSON, B_RAW, B_FORM } body_kind;

/* One route: fields are "name:kind" with kind s string, e enum, i integer,
 * n number, b boolean, a array, o object, u UUID, d date, t date-time, x any
 * (from the request schemas of docs/openapi.yaml); base is a body with the
 * required fields valid ("@name" is replaced by a fixture id), into which one
 * bad field at a time is put; query lists the documented query parameters. */
typedef struct {
    const char *method, *path;
    body_kind body;
    const char *fields, *base, *query;
} route;

static const route routes[] = {
    {"GET", "/api/v1/catalog/ping", B_NONE, "", NULL, ""},
    {"POST", "/api/v1/catalog/records", B_JSON,
     "type:e,title:s,subtitle:s,authors:a,publisher:s,place:s,year:i,isbn:s,issn:s,language:s,"
     "bbk:s,udk:s,subjects:a,annotation:s,age_rating:x,edition:s,pages:i,series:s,textbook:x,"
     "eresource:x",
     "{\"type\":\"book\",\"title\":\"@uniq\"}", "allow_duplicate"},
    {"GET", "/api/v1/catalog/records/{id}", B_NONE, "", NULL, ""},
    {"PUT", "/api/v1/catalog/records/{id}", B_JSON,
     "type:e,title:s,subtitle:s,authors:a,publisher:s,place:s,year:i,isbn:s,issn:s,language:s,"
     "bbk:s,udk:s,subjects:a,annotation:s,age_rating:x,edition:s,pages:i,series:s,textbook:x,"
     "eresource:x",
     "{\"type\":\"book\",\"title\":\"@uniq\"}", "allow_duplicate"},
    {"DELETE", "/api/v1/catalog/records/{id}", B_NONE, "", NULL, ""},
    {"GET", "/api/v1/catalog/records", B_NONE, "", NULL,
     "q,type,school,available,year_from,year_to,age_max,grade,subject,language,limit,cursor"},
    {"GET", "/api/v1/catalog/suggest", B_NONE, "", NULL, "q,limit"},
    {"GET", "/api/v1/catalog/records/{id}/similar", B_NONE, "", NULL, "limit"},
    {"POST", "/api/v1/catalog/records/{id}/merge", B_JSON, "from:u", "{}", ""},
    {"GET", "/api/v1/catalog/records/{id}/availability", B_NONE, "", NULL, "school"},
    {"POST", "/api/v1/catalog/items", B_JSON,
     "record_id:u,barcode:s,inventory_number:s,location:s,price:n,acquired_on:d,source:e,"
     "status:e,school:s",
     "{\"record_id\":\"@record\",\"barcode\":\"@uniq\",\"school\":\"@school\"}", ""},
    {"GET", "/api/v1/catalog/items", B_NONE, "", NULL,
     "barcode,record_id,school,status,limit,cursor"},
    {"GET", "/api/v1/catalog/items/lookup", B_NONE, "", NULL, "barcode"},
    {"GET", "/api/v1/catalog/items/{id}", B_NONE, "", NULL, ""},
    {"PUT", "/api/v1/catalog/items/{id}", B_JSON,
     "record_id:u,barcode:s,inventory_number:s,location:s,price:n,acquired_on:d,source:e,"
     "status:e,school:s",
     "{\"record_id\":\"@record\",\"barcode\":\"@uniq\",\"school\":\"@school\"}", ""},
    {"POST", "/api/v1/catalog/items/{id}/write-off", B_JSON, "act:s,reason:s",
     "{\"act\":\"А-1\",\"reason\":\"утеряно\"}", ""},
    {"POST", "/api/v1/catalog/imports", B_RAW, "", NULL, "format,charset,school"},
    {"GET", "/api/v1/catalog/imports", B_NONE, "", NULL, "status,limit,cursor"},
    {"GET", "/api/v1/catalog/imports/{id}", B_NONE, "", NULL, ""},
    {"GET", "/api/v1/catalog/imports/{id}/records", B_NONE, "", NULL, "outcome,limit,cursor"},
    {"POST", "/api/v1/catalog/imports/{id}/cancel", B_NONE, "", NULL, ""},
    {"POST", "/api/v1/catalog/copy-searches", B_JSON, "target:s,query:s,limit:i",
     "{\"target\":\"ztest\",\"query\":\"computer\",\"limit\":1}", ""},
    {"POST", "/api/v1/catalog/copy-searches/{id}/import", B_JSON, "positions:a",
     "{\"positions\":[1]}", ""},
    {"GET", "/api/v1/catalog/export", B_NONE, "", NULL,
     "format,syntax,charset,q,type,school,available,year_from,year_to,age_max,grade,subject,"
     "language"},
    /* OAI-PMH: a protocol error is a 200 XML answer, so "any 2xx or 4xx" is the rule */
    {"GET", "/oai", B_NONE, "", NULL,
     "verb,metadataPrefix,identifier,from,until,set,resumptionToken"},
    {"POST", "/oai", B_FORM, "", NULL,
     "verb,metadataPrefix,identifier,from,until,set,resumptionToken"},
    /* fund accounting: a write-off names no real copy, so that nothing is written off */
    {"POST", "/api/v1/catalog/receipts", B_JSON,
     "school:s,number:s,date:d,source:e,grant_project_id:u,supplier:s,note:s,lines:a",
     "{\"number\":\"@uniq\",\"date\":\"2026-01-15\",\"source\":\"gift\",\"lines\":[{"
     "\"record_id\":\"@record\",\"copies\":1,\"price_kopecks\":100}]}",
     ""},
    {"GET", "/api/v1/catalog/receipts/{id}", B_NONE, "", NULL, ""},
    {"POST", "/api/v1/catalog/write-offs", B_JSON,
     "school:s,number:s,date:d,reason:e,note:s,barcodes:a,stocktake_id:u",
     "{\"number\":\"@uniq\",\"date\":\"2026-01-15\",\"reason\":\"worn\",\"barcodes\":"
     "[\"NO-SUCH-SWEEP\"]}",
     ""},
    {"GET", "/api/v1/catalog/write-offs/{id}", B_NONE, "", NULL, ""},
    {"GET", "/api/v1/catalog/fund-register", B_NONE, "", NULL, "school,year,format"},
    {"GET", "/api/v1/catalog/inventory-book", B_NONE, "", NULL, "school,year,format,limit,cursor"},
    {"GET", "/api/v1/catalog/reports/no-age-mark", B_NONE, "", NULL, "school,limit,cursor"},
    {"POST", "/api/v1/catalog/extremist-lists", B_RAW, "", NULL, "threshold"},
    {"GET", "/api/v1/catalog/extremist-lists", B_NONE, "", NULL, "limit,offset"},
    {"GET", "/api/v1/catalog/extremist-lists/{id}", B_NONE, "", NULL, ""},
    {"GET", "/api/v1/catalog/extremist-lists/{id}/changes", B_NONE, "", NULL, "against,limit"},
    {"GET", "/api/v1/catalog/extremist-matches", B_NONE, "", NULL,
     "list,state,min_score,limit,offset"},
    {"POST", "/api/v1/catalog/extremist-matches/{id}/confirm", B_JSON, "note:s", "{}", ""},
    {"POST", "/api/v1/catalog/extremist-matches/{id}/reject", B_JSON, "note:s", "{}", ""},
    {"GET", "/api/v1/catalog/reports/extremist", B_NONE, "", NULL, "format"},
    {"POST", "/api/v1/catalog/stocktakes", B_JSON, "school:s,kind:e,section:s,note:s", "{}", ""},
    {"GET", "/api/v1/catalog/stocktakes/{id}", B_NONE, "", NULL, ""},
    {"POST", "/api/v1/catalog/stocktakes/{id}/scans", B_RAW, "", NULL, ""},
    {"POST", "/api/v1/catalog/stocktakes/{id}/close", B_JSON, "", "{}", ""},
    {"GET", "/api/v1/monitoring/statistics", B_NONE, "", NULL, "school,period,from,to,format"},
    {"PUT", "/api/v1/monitoring/visits/{school}/{date}", B_JSON, "visits:i", "{\"visits\":3}", ""},
    {"DELETE", "/api/v1/monitoring/visits/{school}/{date}", B_NONE, "", NULL, ""},
    {"GET", "/api/v1/circulation/ping", B_NONE, "", NULL, ""},
    {"POST", "/api/v1/circulation/readers", B_JSON,
     "card_barcode:s,name:s,category:e,class:s,status:e,school:s,birth_date:d",
     "{\"card_barcode\":\"@uniq\",\"name\":\"Читатель\",\"category\":\"student\"}", ""},
    {"GET", "/api/v1/circulation/readers", B_NONE, "", NULL,
     "school,class,status,category,card_barcode,q,limit,offset"},
    {"GET", "/api/v1/circulation/readers/{id}", B_NONE, "", NULL, ""},
    {"PUT", "/api/v1/circulation/readers/{id}", B_JSON,
     "card_barcode:s,name:s,category:e,class:s,status:e,school:s,birth_date:d",
     "{\"card_barcode\":\"@uniq\",\"name\":\"Читатель\",\"category\":\"student\"}", ""},
    {"DELETE", "/api/v1/circulation/readers/{id}", B_NONE, "", NULL, ""},
    {"POST", "/api/v1/circulation/readers/{id}/consents", B_JSON,
     "kind:e,basis:s,given_on:d,given_by:s",
     "{\"kind\":\"reader\",\"basis\":\"sweep\",\"given_on\":\"2026-01-01\"}", ""},
    {"GET", "/api/v1/circulation/readers/{id}/personal-data", B_NONE, "", NULL, ""},
    {"GET", "/api/v1/circulation/audit", B_NONE, "", NULL,
     "school,reader,principal,action,from,to,limit,offset,format"},
    {"GET", "/api/v1/circulation/policies", B_NONE, "", NULL, "school"},
    {"PUT", "/api/v1/circulation/policies/{category}", B_JSON,
     "max_items:i,loan_days:i,renewals:i,textbooks_to_year_end:b",
     "{\"max_items\":5,\"loan_days\":14,\"renewals\":1,\"textbooks_to_year_end\":true}", "school"},
    {"GET", "/api/v1/circulation/settings", B_NONE, "", NULL, "school"},
    {"PUT", "/api/v1/circulation/settings", B_JSON,
     "school_year_ends_on:d,hold_pickup_days:i,teacher_age_override:b", "{}", "school"},
    {"POST", "/api/v1/circulation/checkouts", B_JSON,
     "item_barcode:s,reader_id:u,due_date:d,age_override_teacher_id:u",
     "{\"item_barcode\":\"@barcode\",\"reader_id\":\"@reader\"}", ""},
    {"POST", "/api/v1/circulation/checkins", B_JSON, "item_barcode:s", "{}", ""},
    {"GET", "/api/v1/circulation/loans", B_NONE, "", NULL,
     "school,reader_id,overdue,state,class,item_barcode,record_id,class_set_id,limit,offset"},
    {"GET", "/api/v1/circulation/loans/{id}", B_NONE, "", NULL, ""},
    {"POST", "/api/v1/circulation/loans/{id}/renew", B_NONE, "", NULL, ""},
    {"GET", "/api/v1/circulation/overdue", B_NONE, "", NULL, "school,class,limit,offset"},
    {"POST", "/api/v1/circulation/holds", B_JSON, "record_id:u,reader_id:u,expires_at:t",
     "{\"record_id\":\"@record\",\"reader_id\":\"@reader\"}", ""},
    {"GET", "/api/v1/circulation/holds", B_NONE, "", NULL,
     "school,record_id,reader_id,state,limit,offset"},
    {"POST", "/api/v1/circulation/holds/expire", B_NONE, "", NULL, "school"},
    {"GET", "/api/v1/circulation/holds/{id}", B_NONE, "", NULL, ""},
    {"POST", "/api/v1/circulation/holds/{id}/cancel", B_NONE, "", NULL, ""},
    {"POST", "/api/v1/circulation/class-sets", B_JSON, "class:s,record_ids:a,school:s",
     "{\"class\":\"5А\",\"record_ids\":[\"@record\"]}", ""},
    {"GET", "/api/v1/circulation/class-sets", B_NONE, "", NULL, "school,class,limit,offset"},
    {"POST", "/api/v1/circulation/class-sets/return", B_JSON, "class:s,record_ids:a,school:s",
     "{\"class\":\"5А\"}", ""},
    {"POST", "/api/v1/circulation/transfers", B_JSON,
     "record_id:u,from_school:s,to_school:s,reader_id:u,note:s",
     "{\"record_id\":\"@record\",\"from_school\":\"@other\"}", ""},
    {"GET", "/api/v1/circulation/transfers", B_NONE, "", NULL,
     "school,direction,state,limit,offset"},
    {"GET", "/api/v1/circulation/transfers/{id}", B_NONE, "", NULL, ""},
    {"POST", "/api/v1/circulation/transfers/{id}/transitions", B_JSON,
     "state:e,item_barcode:s,reason:s", "{\"state\":\"approved\"}", ""},
    {"POST", "/api/v1/admin/keys", B_JSON, "org:s,role:e,name:s",
     "{\"org\":\"@other\",\"role\":\"portal\"}", ""},
    {"GET", "/api/v1/admin/keys", B_NONE, "", NULL, ""},
    {"DELETE", "/api/v1/admin/keys/{id}", B_NONE, "", NULL, ""},
    {"POST", "/api/v1/session", B_JSON, "login:s,password:s",
     "{\"login\":\"@uniq\",\"password\":\"not-the-password\"}", ""},
    {"GET", "/api/v1/session", B_NONE, "", NULL, ""},
    {"DELETE", "/api/v1/session", B_NONE, "", NULL, ""},
    {"PUT", "/api/v1/session/password", B_JSON, "current:s,new:s",
     "{\"current\":\"not-the-password\",\"new\":\"another-password\"}", ""},
    {"POST", "/api/v1/admin/accounts", B_JSON, "login:s,org:s,role:e,password:s,name:s",
     "{\"login\":\"@uniq\",\"org\":\"@other\",\"role\":\"librarian\",\"password\":"
     "\"sweep-password\"}",
     ""},
    {"GET", "/api/v1/admin/accounts", B_NONE, "", NULL, "limit,offset"},
    {"PATCH", "/api/v1/admin/accounts/{id}", B_JSON,
     "name:s,org:s,role:e,password:s,disabled:b,unlock:b", "{}", ""},
    {"GET", "/api/v1/grants/ping", B_NONE, "", NULL, ""},
    {"POST", "/api/v1/grants/programmes", B_JSON,
     "funder:s,level:e,title:s,description:s,deadline:d,amount_min:n,amount_max:x,url:s",
     "{\"funder\":\"Фонд\",\"level\":\"federal\",\"title\":\"@uniq\",\"deadline\":\"2027-03-02\","
     "\"amount_min\":1000,\"amount_max\":2000}",
     ""},
    {"GET", "/api/v1/grants/programmes", B_NONE, "", NULL, "level,open,from,to,limit,offset"},
    {"GET", "/api/v1/grants/programmes/{id}", B_NONE, "", NULL, ""},
    {"PUT", "/api/v1/grants/programmes/{id}", B_JSON,
     "funder:s,level:e,title:s,description:s,deadline:d,amount_min:n,amount_max:x,url:s",
     "{\"funder\":\"Фонд\",\"level\":\"federal\",\"title\":\"@uniq\",\"deadline\":\"2027-03-02\","
     "\"amount_min\":1000,\"amount_max\":2000}",
     ""},
    {"POST", "/api/v1/grants/projects", B_JSON,
     "school:x,title:s,direction:s,summary:s,programme_id:u,requested_amount:n,"
     "awarded_amount:x,start_date:d,end_date:d,team:a,milestones:a,documents:a",
     "{\"title\":\"Проект\",\"requested_amount\":1000,\"school\":\"@school\"}", ""},
    {"GET", "/api/v1/grants/projects", B_NONE, "", NULL,
     "school,status,programme_id,from,to,limit,offset"},
    {"GET", "/api/v1/grants/projects/{id}", B_NONE, "", NULL, ""},
    {"PUT", "/api/v1/grants/projects/{id}", B_JSON,
     "school:x,title:s,direction:s,summary:s,programme_id:u,requested_amount:n,"
     "awarded_amount:x,start_date:d,end_date:d,team:a,milestones:a,documents:a",
     "{\"title\":\"Проект\",\"requested_amount\":1000}", ""},
    {"POST", "/api/v1/grants/projects/{id}/transitions", B_JSON, "to:e,comment:s,awarded_amount:x",
     "{\"to\":\"withdrawn\"}", ""},
    {"GET", "/api/v1/grants/projects/{id}/transitions", B_NONE, "", NULL, ""},
    {"GET", "/api/v1/grants/summary", B_NONE, "", NULL, "school,programme_id,from,to"},
    {"POST", "/api/v1/grants/consultations", B_JSON,
     "date:d,school:s,topic:s,consultant:s,outcome:s,project_id:u",
     "{\"date\":\"2026-03-02\",\"school\":\"@school\",\"topic\":\"t\",\"consultant\":\"c\"}", ""},
    {"GET", "/api/v1/grants/consultations", B_NONE, "", NULL,
     "school,project_id,from,to,limit,offset"},
    {"GET", "/api/v1/grants/consultations/{id}", B_NONE, "", NULL, ""},
    {"GET", "/api/v1/monitoring/ping", B_NONE, "", NULL, ""},
    {"GET", "/api/v1/monitoring/schools", B_NONE, "", NULL,
     "school,district,kind,level,limit,offset"},
    {"POST", "/api/v1/monitoring/schools", B_JSON, "id:s,name:s,district:s,kind:e,students:o",
     "{\"id\":\"@uniq\",\"name\":\"Школа\",\"kind\":\"school\"}", ""},
    {"GET", "/api/v1/monitoring/schools/{id}", B_NONE, "", NULL, ""},
    {"PUT", "/api/v1/monitoring/schools/{id}", B_JSON, "id:s,name:s,district:s,kind:e,students:o",
     "{\"name\":\"Школа\",\"kind\":\"school\"}", ""},
    {"GET", "/api/v1/monitoring/schools/{id}/passport", B_NONE, "", NULL, "as_of"},
    {"PUT", "/api/v1/monitoring/schools/{id}/passport", B_JSON,
     "area_m2:n,reading_room_seats:i,computers:i,terminals:i,printers:i,scanners:i,projector:b,"
     "internet_mbps:n,media_equipment:a,staff_count:i,ibc_level:e,level_reached_on:d,note:s",
     "{}", ""},
    {"GET", "/api/v1/monitoring/schools/{id}/passport/history", B_NONE, "", NULL, ""},
    {"POST", "/api/v1/monitoring/campaigns", B_JSON, "title:s,period:s,deadline:d,questions:a",
     "{\"title\":\"@uniq\",\"questions\":[{\"code\":\"q\",\"text\":\"?\",\"kind\":\"number\"}]}",
     ""},
    {"GET", "/api/v1/monitoring/campaigns", B_NONE, "", NULL, "status,limit,offset"},
    {"GET", "/api/v1/monitoring/campaigns/{id}", B_NONE, "", NULL, ""},
    {"POST", "/api/v1/monitoring/campaigns/{id}/close", B_NONE, "", NULL, ""},
    {"GET", "/api/v1/monitoring/campaigns/{id}/completion", B_NONE, "", NULL, "school"},
    {"GET", "/api/v1/monitoring/campaigns/{id}/answers", B_NONE, "", NULL, "school"},
    {"GET", "/api/v1/monitoring/campaigns/{id}/answers/{school}", B_NONE, "", NULL, ""},
    {"PUT", "/api/v1/monitoring/campaigns/{id}/answers/{school}", B_JSON, "answers:o",
     "{\"answers\":{\"q\":1}}", ""},
    {"POST", "/api/v1/monitoring/roadmap/activities", B_JSON,
     "section:s,title:s,deadline:d,responsible_org:s,expected_result:s,status:e,done_on:d,"
     "evidence:a",
     "{\"section\":\"s\",\"title\":\"t\",\"deadline\":\"2027-03-02\",\"responsible_org\":"
     "\"@school\"}",
     ""},
    {"GET", "/api/v1/monitoring/roadmap/activities", B_NONE, "", NULL,
     "section,status,responsible,limit,offset"},
    {"GET", "/api/v1/monitoring/roadmap/activities/{id}", B_NONE, "", NULL, ""},
    {"PUT", "/api/v1/monitoring/roadmap/activities/{id}", B_JSON,
     "section:s,title:s,deadline:d,responsible_org:s,expected_result:s,status:e,done_on:d,"
     "evidence:a",
     "{\"section\":\"s\",\"title\":\"t\",\"deadline\":\"2027-03-02\",\"responsible_org\":"
     "\"@school\"}",
     ""},
    {"DELETE", "/api/v1/monitoring/roadmap/activities/{id}", B_NONE, "", NULL, ""},
    {"POST", "/api/v1/monitoring/roadmap/activities/{id}/evidence", B_JSON, "url:s,title:s",
     "{\"url\":\"https://example.org/e\"}", ""},
    {"GET", "/api/v1/monitoring/roadmap/progress", B_NONE, "", NULL, ""},
    {"POST", "/api/v1/monitoring/promotions", B_JSON,
     "school:s,campaign:s,held_on:d,participants:i,description:s",
     "{\"campaign\":\"Я читаю\",\"held_on\":\"2026-03-02\",\"participants\":1,\"school\":"
     "\"@school\"}",
     ""},
    {"GET", "/api/v1/monitoring/promotions", B_NONE, "", NULL, "school,from,to,limit,offset"},
    {"DELETE", "/api/v1/monitoring/promotions/{id}", B_NONE, "", NULL, ""},
    {"POST", "/api/v1/monitoring/partnerships", B_JSON,
     "school:s,partner:s,signed_on:d,valid_until:d,subject:s",
     "{\"partner\":\"ЦБС\",\"signed_on\":\"2026-03-02\",\"school\":\"@school\"}", ""},
    {"GET", "/api/v1/monitoring/partnerships", B_NONE, "", NULL, "school,active,limit,offset"},
    {"DELETE", "/api/v1/monitoring/partnerships/{id}", B_NONE, "", NULL, ""},
    {"GET", "/api/v1/monitoring/indicators", B_NONE, "", NULL, "months,school"},
    {"POST", "/api/v1/monitoring/indicators/rebuild", B_NONE, "", NULL, ""},
    {"GET", "/api/v1/monitoring/targets", B_NONE, "", NULL, ""},
    {"PUT", "/api/v1/monitoring/targets/{indicator}", B_JSON, "target:n", "{}", ""},
    {"GET", "/api/v1/monitoring/reports/textbook-provision", B_NONE, "", NULL,
     "school,grade,subject"},
    {"GET", "/api/v1/training/ping", B_NONE, "", NULL, ""},
    {"GET", "/api/v1/training/staff", B_NONE, "", NULL, "school,status,from,to,q,limit,offset"},
    {"POST", "/api/v1/training/staff", B_JSON,
     "full_name:s,position:s,school:x,hired_on:d,left_on:d",
     "{\"full_name\":\"Сотрудник\",\"school\":\"@school\"}", ""},
    {"GET", "/api/v1/training/staff/{id}", B_NONE, "", NULL, ""},
    {"PUT", "/api/v1/training/staff/{id}", B_JSON,
     "full_name:s,position:s,school:x,hired_on:d,left_on:d", "{\"full_name\":\"Сотрудник\"}", ""},
    {"DELETE", "/api/v1/training/staff/{id}", B_NONE, "", NULL, ""},
    {"GET", "/api/v1/training/staff/{id}/record", B_NONE, "", NULL, ""},
    {"GET", "/api/v1/training/due", B_NONE, "", NULL, "within_days,school,limit,offset"},
    {"GET", "/api/v1/training/courses", B_NONE, "", NULL,
     "kind,format,status,from,to,q,limit,offset"},
    {"POST", "/api/v1/training/courses", B_JSON,
     "title:s,provider:s,kind:e,format:e,hours:i,starts_on:d,ends_on:d,capacity:i,location:s,"
     "description:s,materials:a",
     "{\"title\":\"@uniq\",\"provider\":\"ИРО\",\"kind\":\"course\",\"format\":\"in_person\","
     "\"hours\":16,\"starts_on\":\"2027-03-02\",\"ends_on\":\"2027-03-05\"}",
     ""},
    {"GET", "/api/v1/training/courses/{id}", B_NONE, "", NULL, ""},
    {"PUT", "/api/v1/training/courses/{id}", B_JSON,
     "title:s,provider:s,kind:e,format:e,hours:i,starts_on:d,ends_on:d,capacity:i,location:s,"
     "description:s,materials:a",
     "{\"title\":\"@uniq\",\"provider\":\"ИРО\",\"kind\":\"course\",\"format\":\"in_person\","
     "\"hours\":16,\"starts_on\":\"2027-03-02\",\"ends_on\":\"2027-03-05\"}",
     ""},
    {"GET", "/api/v1/training/enrolments", B_NONE, "", NULL,
     "school,status,course_id,staff_id,from,to,limit,offset"},
    {"POST", "/api/v1/training/enrolments", B_JSON, "course_id:u,staff_id:u",
     "{\"course_id\":\"@course\",\"staff_id\":\"@staff\"}", ""},
    {"GET", "/api/v1/training/enrolments/{id}", B_NONE, "", NULL, ""},
    {"POST", "/api/v1/training/enrolments/{id}/attendance", B_JSON, "date:d,present:b,hours:i",
     "{\"date\":\"2027-03-02\",\"present\":true}", ""},
    {"POST", "/api/v1/training/enrolments/{id}/complete", B_JSON,
     "certificate_number:s,hours:i,completed_on:d", "{\"completed_on\":\"2027-03-05\"}", ""},
    {"POST", "/api/v1/training/enrolments/{id}/cancel", B_JSON, "reason:s", "{}", ""},
};

/* A well-formed UUID that names nothing. */
#define NOBODY "5f0c2f9e-8a1b-4c3d-9e2f-00000000beef"

/* ---------------------------------------------------------------- findings */

static char **findings; /* what went wrong, one line each */
static size_t nfindings;
static char **accepted; /* writes that answered 2xx to odd input (noted, not wrong) */
static size_t naccepted;
static long nrequests, nwatched; /* requests; writes whose target was read again */

/* Appends a printf-formatted line to a list of findings or notes. */
static void note(char ***list, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note(char ***list, size_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) s = NULL;
    va_end(ap);
    *list = realloc(*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = s;
}

/* ------------------------------------------------------------------ sending */

/* h_http_raw (one kept-alive connection per thread): the same arguments
 * and answer (h_free frees it). A body is JSON unless headers name a
 * Content-Type. */
static h_resp *send_req(const char *method, const char *path, const char *key, const char *body,
                        size_t len, const char *const *headers)
{
    return h_http_raw(method, path, key, body, len, headers);
}

/* ---------------------------------------------------------------- fixtures */

typedef struct {
    const char *prefix; /* a path with this prefix and {id} gets id */
    char *id;
} fixture;

static fixture fx[] = {
    {"/api/v1/catalog/records/", NULL},
    {"/api/v1/catalog/items/", NULL},
    {"/api/v1/circulation/readers/", NULL},
    {"/api/v1/grants/programmes/", NULL},
    {"/api/v1/grants/projects/", NULL},
    {"/api/v1/grants/consultations/", NULL},
    {"/api/v1/monitoring/schools/", NULL},
    {"/api/v1/monitoring/campaigns/", NULL},
    {"/api/v1/monitoring/roadmap/activities/", NULL},
    {"/api/v1/training/staff/", NULL},
    {"/api/v1/training/courses/", NULL},
    {"/api/v1/training/enrolments/", NULL},
};
enum {
    FX_RECORD,
    FX_ITEM,
    FX_READER,
    FX_PROGRAMME,
    FX_PROJECT,
    FX_CONSULTATION,
    FX_SCHOOL,
    FX_CAMPAIGN,
    FX_ACTIVITY,
    FX_STAFF,
    FX_COURSE,
    FX_ENROLMENT
};

static char *school, *other, *lib, *barcode, *target_before;
static void unwatch(void);

/* Creates an entity and returns its id (caller frees); fails the test when
 * the fixture cannot be made. */
static char *create(const char *key, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static char *create(const char *key, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *body = NULL;
    if (vasprintf(&body, fmt, ap) < 0) body = NULL;
    va_end(ap);
    h_resp *r = h_http("POST", path, key, body, NULL);
    if (r->status != 201) fprintf(stderr, "fixture %s: %ld %s\n", path, r->status, r->body);
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    h_free(r);
    free(body);
    return id;
}

/* Blanks what an OAI-PMH answer says of the moment it was made (its
 * responseDate, to the second) in body, so that two reads a second apart
 * compare equal. */
static void drop_response_date(char *body)
{
    char *from = strstr(body, "<responseDate>"),
         *to = from ? strstr(from, "</responseDate>") : NULL;
    if (to) memmove(from, to, strlen(to) + 1);
}

/* Reads path as key; returns "status ETag body" with the body's request_id
 * (or an OAI-PMH answer's responseDate) left out (caller frees). */
static char *snapshot(const char *key, const char *path)
{
    h_resp *r = send_req("GET", path, key, NULL, 0, NULL);
    const char *etag = h_header(r, "ETag");
    if (json_is_object(r->json)) json_object_del(r->json, "request_id");
    char *body = r->json ? json_dumps(r->json, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY)
                         : strdup(r->body);
    if (body && !r->json) drop_response_date(body);
    char *s = NULL;
    if (asprintf(&s, "%ld %s %s", r->status, etag ? etag : "-", body) < 0) s = NULL;
    free(body);
    h_free(r);
    return s;
}

/* Makes the sweep's school (with a librarian key) and one entity of each
 * kind that has a path of its own, so that writes reach real rows. */
static int setup(void **state)
{
    (void)state;
    school = h_uniq("sweep-");
    other = h_uniq("sweep-other-");
    lib = h_new_key(school, "librarian");
    assert_non_null(lib);
    const char *a = h_admin();
    h_resp *r =
        h_post(a, "/api/v1/monitoring/schools",
               "{\"id\":\"%s\",\"name\":\"Школа проверки ввода\",\"kind\":\"school\"}", school);
    assert_int_equal(r->status, 201);
    h_free(r);
    fx[FX_SCHOOL].id = strdup(school);
    char *t = h_uniq("Проверка ввода ");
    fx[FX_RECORD].id =
        create(a, "/api/v1/catalog/records", "{\"type\":\"book\",\"title\":\"%s\"}", t);
    free(t);
    barcode = h_uniq("SWEEP");
    fx[FX_ITEM].id = create(a, "/api/v1/catalog/items",
                            "{\"record_id\":\"%s\",\"barcode\":\"%s\",\"school\":\"%s\"}",
                            fx[FX_RECORD].id, barcode, school);
    char *card = h_uniq("SWEEPCARD");
    fx[FX_READER].id = create(lib, "/api/v1/circulation/readers",
                              "{\"card_barcode\":\"%s\",\"name\":\"Читатель\",\"category\":"
                              "\"student\",\"class\":\"5А\"}",
                              card);
    free(card);
    t = h_uniq("Программа ");
    fx[FX_PROGRAMME].id = create(a, "/api/v1/grants/programmes",
                                 "{\"funder\":\"Фонд\",\"level\":\"federal\",\"title\":\"%s\","
                                 "\"deadline\":\"2099-03-02\",\"amount_min\":1000,"
                                 "\"amount_max\":200000}",
                                 t);
    free(t);
    fx[FX_PROJECT].id =
        create(lib, "/api/v1/grants/projects", "{\"title\":\"Проект\",\"requested_amount\":5000}");
    fx[FX_CONSULTATION].id = create(a, "/api/v1/grants/consultations",
                                    "{\"date\":\"2026-03-02\",\"school\":\"%s\",\"topic\":\"t\","
                                    "\"consultant\":\"c\"}",
                                    school);
    t = h_uniq("Мониторинг ");
    fx[FX_CAMPAIGN].id = create(a, "/api/v1/monitoring/campaigns",
                                "{\"title\":\"%s\",\"questions\":[{\"code\":\"q\",\"text\":\"?\","
                                "\"kind\":\"number\"}]}",
                                t);
    free(t);
    fx[FX_ACTIVITY].id = create(a, "/api/v1/monitoring/roadmap/activities",
                                "{\"section\":\"s\",\"title\":\"t\",\"deadline\":\"2099-03-02\","
                                "\"responsible_org\":\"%s\"}",
                                school);
    fx[FX_STAFF].id = create(lib, "/api/v1/training/staff", "{\"full_name\":\"Сотрудник\"}");
    t = h_uniq("Курс ");
    fx[FX_COURSE].id = create(a, "/api/v1/training/courses",
                              "{\"title\":\"%s\",\"provider\":\"ИРО\",\"kind\":\"course\","
                              "\"format\":\"in_person\",\"hours\":16,\"starts_on\":\"2099-03-02\","
                              "\"ends_on\":\"2099-03-05\",\"capacity\":30}",
                              t);
    free(t);
    fx[FX_ENROLMENT].id =
        create(lib, "/api/v1/training/enrolments", "{\"course_id\":\"%s\",\"staff_id\":\"%s\"}",
               fx[FX_COURSE].id, fx[FX_STAFF].id);
    r = h_get(a, "/api/v1/monitoring/targets");
    json_t *it;
    size_t i;
    json_array_foreach(json_object_get(r->json, "items"), i, it)
    {
        if (strcmp(json_string_value(json_object_get(it, "indicator")), "catalog_records") == 0)
            target_before = json_dumps(json_object_get(it, "target"), JSON_ENCODE_ANY);
    }
    h_free(r);
    assert_non_null(target_before);
    return 0;
}

/* Puts back the indicator target and frees everything. */
static int teardown(void **state)
{
    (void)state;
    /* put back the one network-wide value the sweep may change */
    char body[128];
    snprintf(body, sizeof body, "{\"target\":%s}", target_before);
    h_resp *r = h_http("PUT", "/api/v1/monitoring/targets/catalog_records", h_admin(), body, NULL);
    h_free(r);
    for (size_t i = 0; i < LEN(fx); i++)
        free(fx[i].id);
    unwatch();
    for (size_t i = 0; i < nfindings; i++)
        free(findings[i]);
    for (size_t i = 0; i < naccepted; i++)
        free(accepted[i]);
    free(findings), free(accepted);
    free(school), free(other), free(lib), free(barcode), free(target_before);
    return 0;
}

/* ------------------------------------------------------------------ probes */

/* What a write addresses, read before and after it: a GET of the same path
 * (or of the collection a create adds to, or of the entity a sub-resource
 * belongs to), as the librarian where the librarian may read it. */
static char *watch_path;
static const char *watch_key;
static char *watch_before;

/* Stops watching. */
static void unwatch(void)
{
    free(watch_path), free(watch_before);
    watch_path = watch_before = NULL;
}

/* Whether the table has a GET route with this path template. */
static bool has_get(const char *tmpl, size_t len)
{
    for (size_t i = 0; i < LEN(routes); i++)
        if (strcmp(routes[i].method, "GET") == 0 && strlen(routes[i].path) == len &&
            strncmp(routes[i].path, tmpl, len) == 0)
            return true;
    return false;
}

static char *fill_path(const route *rt, int bad, const char *value);

/* Starts watching what the writes of route rt (with its fixtures) address. */
static void watch_route(const route *rt)
{
    static const struct {
        const char *write, *read;
    } alias[] = {{"/api/v1/circulation/checkouts", "/api/v1/circulation/loans"},
                 {"/api/v1/circulation/checkins", "/api/v1/circulation/loans"},
                 {"/api/v1/circulation/class-sets/return", "/api/v1/circulation/loans"},
                 {"/api/v1/circulation/holds/expire", "/api/v1/circulation/holds"}};
    unwatch();
    if (strcmp(rt->method, "GET") == 0 || strcmp(rt->method, "DELETE") == 0) return;
    route r = *rt;
    size_t len = strlen(rt->path);
    const char *slash = strrchr(rt->path, '/');
    for (size_t i = 0; i < LEN(alias); i++)
        if (strcmp(rt->path, alias[i].write) == 0) r.path = alias[i].read, len = strlen(r.path);
    if (r.path == rt->path && !has_get(rt->path, len)) {
        len = (size_t)(slash - rt->path); /* the entity of a sub-resource */
        if (!strchr(rt->path, '{') || !has_get(rt->path, len)) return;
    }
    char tmpl[256];
    snprintf(tmpl, sizeof tmpl, "%.*s", (int)len, r.path);
    r.path = tmpl;
    watch_path = fill_path(&r, -1, NULL);
    watch_key = lib;
    watch_before = snapshot(lib, watch_path);
    if (strncmp(watch_before, "403 ", 4) == 0) {
        free(watch_before);
        watch_key = h_admin();
        watch_before = snapshot(watch_key, watch_path);
    }
    if (strncmp(watch_before, "200 ", 4) != 0) {
        unwatch(); /* nothing there to keep */
    } else if (!strchr(tmpl, '{') && strstr(watch_before, "\"total\":")) {
        /* a collection that counts itself: its count and first item suffice */
        char *counted = NULL;
        if (asprintf(&counted, "%s?limit=1", watch_path) < 0) counted = NULL;
        free(watch_path), free(watch_before);
        watch_path = counted;
        watch_before = snapshot(watch_key, watch_path);
    }
}

#define ANY_4XX (-4)

/* Sends one request and checks the answer: never 0 (no answer) nor >= 500;
 * a 4xx is an application/problem+json object whose status is the answer's;
 * want, when not 0, is the status that must come (ANY_4XX: some 4xx); a 2xx
 * to a write is noted. header is one more request header or NULL (a PUT gets
 * If-Match "1" unless header is an If-Match). Returns the status. who and
 * what name the key and the input in findings. */
static long probe(const char *who, const char *what, const char *method, const char *path,
                  const char *key, const char *body, size_t len, const char *ctype,
                  const char *header, long want)
{
    char cth[160], ifm[32];
    const char *hdrs[4] = {NULL, NULL, NULL, NULL};
    int nh = 0;
    if (ctype) snprintf(cth, sizeof cth, "Content-Type: %s", ctype), hdrs[nh++] = cth;
    if (header) hdrs[nh++] = header;
    if (strcmp(method, "PUT") == 0 && !(header && strncasecmp(header, "If-Match:", 9) == 0))
        snprintf(ifm, sizeof ifm, "If-Match: \"1\""), hdrs[nh++] = ifm;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    h_resp *r = send_req(method, path, key, body, len, hdrs);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    nrequests++;
    long st = r->status;
    const char *ct = h_header(r, "Content-Type");
    static FILE *trace; /* IBC_SWEEP_TRACE=file: every answer, for reading */
    static bool trace_opened;
    if (!trace_opened) {
        trace_opened = true;
        if (getenv("IBC_SWEEP_TRACE")) trace = fopen(getenv("IBC_SWEEP_TRACE"), "w");
    }
    if (trace)
        fprintf(trace, "%ld\t%s\t%s %.110s\t%s\t%.200s\t%.1f ms\n", st, who, method, path, what,
                h_str(r, "detail") ? h_str(r, "detail") : "",
                (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
    int plen = (int)strlen(path) > 110 ? 110 : (int)strlen(path);
    if (st == 0 || st >= 500) {
        note(&findings, &nfindings, "[%s] %s %.*s%s (%s) -> %ld %.300s", who, method, plen, path,
             strlen(path) > 110 ? "..." : "", what, st, r->body);
    } else if (st >= 400 && (!ct || strcmp(ct, "application/problem+json") != 0)) {
        note(&findings, &nfindings, "[%s] %s %.*s (%s) -> %ld with Content-Type %s", who, method,
             plen, path, what, st, ct ? ct : "(none)");
    } else if (st >= 400 &&
               (!json_is_object(r->json) || !h_str(r, "title") || !h_str(r, "detail") ||
                json_integer_value(json_object_get(r->json, "status")) != st)) {
        note(&findings, &nfindings,
             "[%s] %s %.*s (%s) -> %ld with a body that is no problem: %.200s", who, method, plen,
             path, what, st, r->body);
    } else if ((want > 0 && st != want) || (want == ANY_4XX && (st < 400 || st > 499))) {
        note(&findings, &nfindings, "[%s] %s %.*s (%s) -> %ld, expected %s %ld: %.200s", who,
             method, plen, path, what, st, want == ANY_4XX ? "a 4xx" : "",
             want == ANY_4XX ? 0 : want, r->body);
    } else if (st >= 200 && st < 300 && strcmp(method, "GET") != 0) {
        note(&accepted, &naccepted, "[%s] %s %.*s (%s) -> %ld", who, method, plen, path, what, st);
    }
    /* (an input the gateway turns away by design, want > 0, reaches no service) */
    if (watch_path && strcmp(method, "GET") != 0 && st != 0 && !(want > 0 && st == want)) {
        nwatched++;
        /* a write that failed must have left what it addresses as it was */
        char *now = snapshot(watch_key, watch_path);
        if (st >= 400 && strcmp(now, watch_before) != 0)
            note(&findings, &nfindings,
                 "[%s] %s %.*s (%s) -> %ld, yet %s changed:\n    before %.300s\n    after  %.300s",
                 who, method, plen, path, what, st, watch_path, watch_before, now);
        free(watch_before);
        watch_before = now;
    }
    h_free(r);
    return st;
}

/* The value that a path parameter takes when it is not the one under test:
 * a fixture of the sweep where there is one, else a UUID of nothing. DELETE
 * never gets a fixture. Borrowed. */
static const char *param_value(const route *rt, const char *name)
{
    if (strcmp(name, "category") == 0) return "student";
    if (strcmp(name, "indicator") == 0) return "catalog_records";
    if (strcmp(name, "school") == 0) return school;
    if (strcmp(name, "date") == 0) return "2026-03-02";
    if (strcmp(rt->method, "DELETE") == 0) return NOBODY;
    for (size_t i = 0; i < LEN(fx); i++)
        if (strncmp(rt->path, fx[i].prefix, strlen(fx[i].prefix)) == 0 &&
            rt->path[strlen(fx[i].prefix)] == '{')
            return fx[i].id;
    return NOBODY;
}

/* The route's path with its parameters filled in; the parameter number
 * `bad` (0-based; -1: none) gets `value` instead. Caller frees. */
static char *fill_path(const route *rt, int bad, const char *value)
{
    size_t cap = strlen(rt->path) + 256 + (value ? strlen(value) : 0) * 2;
    char *out = malloc(cap), *o = out;
    int n = 0;
    for (const char *p = rt->path; *p;) {
        if (*p == '{') {
            const char *e = strchr(p, '}');
            char name[32];
            snprintf(name, sizeof name, "%.*s", (int)(e - p - 1), p + 1);
            const char *v = n == bad ? value : param_value(rt, name);
            o += sprintf(o, "%s", v);
            n++;
            p = e + 1;
        } else {
            *o++ = *p++;
        }
    }
    *o = 0;
    return out;
}

/* Number of {parameters} of a path template. */
static int count_params(const char *path)
{
    int n = 0;
    for (const char *p = path; (p = strchr(p, '{')); p++)
        n++;
    return n;
}

/* Replaces each "@name" of a base body with its fixture value. Caller frees. */
static char *resolve(const char *base)
{
    static const char *const names[] = {"@record", "@reader", "@course",  "@staff",
                                        "@school", "@other",  "@barcode", "@uniq"};
    size_t cap = strlen(base) * 2 + 1024;
    char *out = malloc(cap), *o = out;
    for (const char *p = base; *p;) {
        size_t i;
        for (i = 0; i < LEN(names); i++)
            if (strncmp(p, names[i], strlen(names[i])) == 0) break;
        if (i == LEN(names)) {
            *o++ = *p++;
            continue;
        }
        char *u = NULL;
        const char *v = i == 0   ? fx[FX_RECORD].id
                        : i == 1 ? fx[FX_READER].id
                        : i == 2 ? fx[FX_COURSE].id
                        : i == 3 ? fx[FX_STAFF].id
                        : i == 4 ? school
                        : i == 5 ? other
                        : i == 6 ? barcode
                                 : (u = h_uniq("sweep-"));
        o += sprintf(o, "%s", v);
        free(u);
        p += strlen(names[i]);
    }
    *o = 0;
    return out;
}

/* A string of n copies of unit. Caller frees. */
static char *repeat(const char *unit, size_t n)
{
    size_t u = strlen(unit);
    char *s = malloc(u * n + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * u, unit, u);
    s[u * n] = 0;
    return s;
}

/* open^depth inner close^depth. Caller frees. */
static char *nest(const char *open, const char *inner, const char *close, size_t depth)
{
    char *a = repeat(open, depth), *b = repeat(close, depth), *s = NULL;
    if (asprintf(&s, "%s%s%s", a, inner, b) < 0) s = NULL;
    free(a), free(b);
    return s;
}

/* Whether the librarian may use the route at all: one plain request, and a
 * 403 from the gateway ("may not") means the rest would be the same 403. */
static bool librarian_may(const route *rt)
{
    char *path = fill_path(rt, -1, NULL);
    const char *probe_body = rt->body == B_JSON ? "{\"zz_probe\":1}" : NULL;
    h_resp *r =
        send_req(rt->method, path, lib, probe_body, probe_body ? strlen(probe_body) : 0, NULL);
    nrequests++;
    bool ok = !(r->status == 403 && strstr(r->body, "may not"));
    if (r->status >= 500 || r->status == 0)
        note(&findings, &nfindings, "[librarian] %s %s (first probe) -> %ld %.300s", rt->method,
             path, r->status, r->body);
    h_free(r);
    free(path);
    return ok;
}

typedef struct {
    const char *name, *key;
} caller;

static caller callers[2];

/* Runs fn over every route for the admin and, where the role may, the librarian. */
static void each_route(void (*fn)(const caller *c, const route *rt), bool watch)
{
    callers[0] = (caller){"admin", h_admin()};
    callers[1] = (caller){"librarian", lib};
    for (size_t i = 0; i < LEN(routes); i++) {
        if (watch) watch_route(&routes[i]);
        fn(&callers[0], &routes[i]);
        if (librarian_may(&routes[i])) {
            if (watch) watch_route(&routes[i]);
            fn(&callers[1], &routes[i]);
        }
        unwatch();
    }
}

/* A body that a route gets along with a bad path or query: with `good` its
 * base body, so that the parameter is what gets checked (for a bad path,
 * where nothing can be written), else one with an unknown member. */
static void plain_body(const route *rt, bool good, char **body, size_t *len, const char **ctype)
{
    *body = NULL, *len = 0, *ctype = NULL;
    if (rt->body == B_JSON) {
        *body = good ? resolve(rt->base) : strdup("{\"zz_unknown\":1}");
        *len = strlen(*body);
    } else if (rt->body == B_RAW) {
        *body = strdup("not a MARC file");
        *len = strlen(*body);
        *ctype = "application/marc";
    } else if (rt->body == B_FORM) {
        *body = strdup(good ? "verb=Identify" : "zz_unknown=1");
        *len = strlen(*body);
        *ctype = "application/x-www-form-urlencoded";
    }
}

/* Prints where the sweep stands after one battery. */
static void report(const char *what)
{
    fprintf(stderr,
            "%s: %ld requests so far (%ld writes re-read what they address), %zu findings, %zu "
            "writes accepted\n",
            what, nrequests, nwatched, nfindings, naccepted);
}

/* ------------------------------------------------------------ path battery */

/* Every path parameter of rt replaced, one at a time, by ids that are none:
 * each must be a 4xx. */
static void path_battery(const caller *c, const route *rt)
{
    int n = count_params(rt->path);
    if (n == 0) return;
    char *long_id = repeat("a", 5000), *long_pct = repeat("%C3%A9", 900),
         *long_bad = repeat("%FF", 1700), *odd_pct = repeat("%D1%8F", 100), *odd = NULL;
    if (asprintf(&odd, "a%s", odd_pct) < 0) odd = NULL;
    const char *bad[] = {"not-a-uuid",
                         long_id,
                         long_pct,
                         long_bad,
                         "%C3%28",
                         "%00",
                         "%2F",
                         "%2e%2e",
                         "99999999999999999999",
                         "00000000-0000-0000-0000-000000000000",
                         "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
                         "%27%20OR%201%3D1--",
                         "%E2%80%AE%F0%9F%93%9A",
                         odd};
    const char *labels[] = {"id not-a-uuid",    "id of 5000 bytes",   "id of 900 x %C3%A9",
                            "id of 1700 x %FF", "id %C3%28",          "id %00",
                            "id %2F",           "id %2e%2e",          "id 1e20 digits",
                            "id nil UUID",      "id upper-case UUID", "id SQL quote",
                            "id RTL+emoji",     "id a + 100 x я"};
    char *body;
    size_t len;
    const char *ctype;
    plain_body(rt, true, &body, &len, &ctype);
    for (int p = 0; p < n; p++)
        for (size_t i = 0; i < LEN(bad); i++) {
            char *path = fill_path(rt, p, bad[i]);
            char what[96];
            snprintf(what, sizeof what, "param %d: %s", p, labels[i]);
            probe(c->name, what, rt->method, path, c->key, body, len, ctype, NULL, ANY_4XX);
            free(path);
        }
    free(body);
    free(long_id), free(long_pct), free(long_bad), free(odd_pct), free(odd);
}

static void paths_that_are_not_ids_are_4xx(void **state)
{
    (void)state;
    size_t before = nfindings;
    each_route(path_battery, false);
    report("paths");
    for (size_t i = before; i < nfindings; i++)
        fprintf(stderr, "  %s\n", findings[i]);
    assert_int_equal(nfindings - before, 0);
}

/* ----------------------------------------------------------- query battery */

/* Odd values for a query parameter, by what the parameter holds ("" ends). */
static const char *const *query_values(const char *name, size_t nl)
{
    static const char *const number[] = {"abc", "-1", "99999999999999999999", "1.5", "1e400", ""};
    static const char *const date[] = {"2026-02-30",  "0000-00-00", "abc",
                                       "99999-01-01", "infinity",   ""};
    static const char *const id[] = {"not-a-uuid", "00000000-0000-0000-0000-000000000000",
                                     "%27%3B--", "-1", ""};
    static const char *const flag[] = {"maybe", "1", "TRUE", ""};
    static const char *const text[] = {"abc", "%27%3B--", "-1", ""};
    static const char *const numbers[] = {"limit",   "offset", "year_from", "year_to",
                                          "age_max", "grade",  "months",    "within_days"};
    static const char *const dates[] = {"from", "to", "as_of"};
    static const char *const flags[] = {"available", "open", "active", "overdue",
                                        "allow_duplicate"};
    for (size_t i = 0; i < LEN(numbers); i++)
        if (strlen(numbers[i]) == nl && strncmp(name, numbers[i], nl) == 0) return number;
    for (size_t i = 0; i < LEN(dates); i++)
        if (strlen(dates[i]) == nl && strncmp(name, dates[i], nl) == 0) return date;
    for (size_t i = 0; i < LEN(flags); i++)
        if (strlen(flags[i]) == nl && strncmp(name, flags[i], nl) == 0) return flag;
    if ((nl > 3 && strncmp(name + nl - 3, "_id", 3) == 0) || strncmp(name, "cursor", nl) == 0)
        return id;
    return text;
}

/* Every documented query parameter of rt with values odd for its kind and
 * for any kind, and parameters nobody documented. */
static void query_battery(const caller *c, const route *rt)
{
    char *path = fill_path(rt, -1, NULL), *long_v = repeat("x", 5000);
    char *body;
    size_t len;
    const char *ctype;
    plain_body(rt, false, &body, &len, &ctype);
    char *odd_pct = repeat("%D1%8F", 100), *halves = NULL;
    if (asprintf(&halves, "a%s", odd_pct) < 0) halves = NULL;
    const char *any[] = {"%C3%28", "", "%00", long_v, halves};
    char q[6000], url[16384];
    /* every documented parameter with the values odd for it and for any */
    const char *names = rt->query;
    while (names && *names) {
        size_t nl = strcspn(names, ",");
        const char *const *vals = query_values(names, nl);
        for (size_t i = 0; *vals[i]; i++) {
            snprintf(url, sizeof url, "%s?%.*s=%s", path, (int)nl, names, vals[i]);
            snprintf(q, sizeof q, "%.*s=%.40s", (int)nl, names, vals[i]);
            probe(c->name, q, rt->method, url, c->key, body, len, ctype, NULL, 0);
        }
        for (size_t i = 0; i < LEN(any); i++) {
            snprintf(url, sizeof url, "%s?%.*s=%s", path, (int)nl, names, any[i]);
            snprintf(q, sizeof q, "%.*s=%.40s", (int)nl, names, any[i]);
            probe(c->name, q, rt->method, url, c->key, body, len, ctype, NULL,
                  i == 0 ? ANY_4XX : 0); /* not UTF-8: 4xx */
        }
        names += nl;
        if (*names == ',') names++;
    }
    /* and on every route, parameters nobody asked for */
    const char *odd[] = {"zz_unknown=1", "%FF=1", "limit=1&limit=2", "=&&&x"};
    /* a bodiless write (rebuild, expire, renew) would act on the valid ones */
    bool acts = rt->body == B_NONE && strcmp(rt->method, "GET") != 0;
    for (size_t i = 0; i < LEN(odd); i++) {
        if (acts && i != 1) continue;
        snprintf(url, sizeof url, "%s?%s", path, odd[i]);
        probe(c->name, odd[i], rt->method, url, c->key, body, len, ctype, NULL,
              i == 1 ? ANY_4XX : 0);
    }
    free(body);
    free(path), free(long_v), free(odd_pct), free(halves);
}

static void odd_query_values_are_4xx_or_ignored(void **state)
{
    (void)state;
    size_t before = nfindings;
    each_route(query_battery, false); /* its bodies cannot write */
    report("queries");
    for (size_t i = before; i < nfindings; i++)
        fprintf(stderr, "  %s\n", findings[i]);
    assert_int_equal(nfindings - before, 0);
}

/* ------------------------------------------------------------ body battery */

static char *deep_arrays, *deep_objects, *deep_2047, *deep_in_field, *big_string;
/* "a" and 100 two-byte letters: a message that quotes the first N bytes of
 * it cuts a letter in half */
static char *odd_string;

/* Bad values for one field of kind k ("" ends a list). */
static const char *const *bad_values(char k)
{
    static const char *const s[] = {"42",
                                    "[\"x\"]",
                                    "null",
                                    "\"\"",
                                    "\" \"",
                                    "!\"a\\u0000b\"",
                                    "!\"\\ud800\"",
                                    "!\"\xC3\x28\"",
                                    "@big",
                                    "\"\\u202e\xF0\x9F\x93\x9A\"",
                                    "\"2026-02-30\"",
                                    "@odd",
                                    ""};
    static const char *const e[] = {"42", "\"zzz\"", "\"\"", "[]", "null", "\"BOOK\"", "@odd", ""};
    static const char *const i[] = {"\"1\"",
                                    "1.5",
                                    "-1",
                                    "-0",
                                    "2147483648",
                                    "9223372036854775807",
                                    "-9223372036854775808",
                                    "!9223372036854775808",
                                    "1e300",
                                    "!1e400",
                                    "null",
                                    ""};
    static const char *const n[] = {"\"1\"",
                                    "-1",
                                    "-0",
                                    "1e308",
                                    "-1e308",
                                    "!1e400",
                                    "9223372036854775807",
                                    "1e-320",
                                    "123456789012345.678",
                                    "null",
                                    ""};
    static const char *const b[] = {"\"true\"", "1", "0", "null", "[]", ""};
    static const char *const a[] = {"{}",
                                    "\"x\"",
                                    "[1]",
                                    "[null]",
                                    "[\"\"]",
                                    "![\"a\\u0000\"]",
                                    "[{}]",
                                    "[[[[[]]]]]",
                                    "[{\"title\":1e308,\"url\":[],\"name\":{},\"code\":\"\"}]",
                                    "[\"2026-02-30\"]",
                                    "null",
                                    ""};
    static const char *const o[] = {"[]",
                                    "\"x\"",
                                    "{\"\":1}",
                                    "{\"a\":{\"b\":{\"c\":{}}}}",
                                    "{\"1\":\"x\"}",
                                    "{\"5\":-1}",
                                    "{\"5\":1e308}",
                                    "{\"12\":1}",
                                    "{\"q\":\"\"}",
                                    "{\"q\":[]}",
                                    "{\"q\":9223372036854775807}",
                                    "null",
                                    ""};
    static const char *const u[] = {"42",
                                    "\"not-a-uuid\"",
                                    "\"00000000-0000-0000-0000-000000000000\"",
                                    "\"A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11\"",
                                    "\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g\"",
                                    "\"" NOBODY "\"",
                                    "\"\"",
                                    "@odd",
                                    "null",
                                    ""};
    static const char *const d[] = {"20260302",
                                    "\"2026-02-30\"",
                                    "\"0000-00-00\"",
                                    "\"9999-12-31\"",
                                    "\"2026-13-01\"",
                                    "\"2026-1-1\"",
                                    "\"1899-12-31\"",
                                    "\"2100-02-29\"",
                                    "\"2026-03-02T10:00\"",
                                    "\"\"",
                                    "@odd",
                                    "null",
                                    ""};
    static const char *const t[] = {"42",
                                    "\"2026-02-30T10:00:00Z\"",
                                    "\"0000-00-00T00:00:00Z\"",
                                    "\"yesterday\"",
                                    "\"2026-03-02T25:00:00Z\"",
                                    "\"infinity\"",
                                    "\"epoch\"",
                                    "\"294277-01-01T00:00:00Z\"",
                                    "\"2026-03-02\"",
                                    "@odd",
                                    "null",
                                    ""};
    static const char *const x[] = {"42",    "\"x\"",          "[]",   "{}",        "-1",
                                    "1e308", "\"2026-02-30\"", "[{}]", "{\"\":[]}", "null",
                                    ""};
    switch (k) {
    case 's':
        return s;
    case 'e':
        return e;
    case 'i':
        return i;
    case 'n':
        return n;
    case 'b':
        return b;
    case 'a':
        return a;
    case 'o':
        return o;
    case 'u':
        return u;
    case 'd':
        return d;
    case 't':
        return t;
    default:
        return x;
    }
}

/* A value of the wrong JSON type for kind k. */
static const char *wrong_type(char k)
{
    switch (k) {
    case 's':
    case 'e':
    case 'u':
    case 'd':
    case 't':
        return "[1]";
    case 'i':
    case 'n':
        return "\"12\"";
    case 'b':
        return "\"yes\"";
    case 'a':
        return "{\"a\":1}";
    case 'o':
        return "[\"a\"]";
    default:
        return "1e308";
    }
}

/* base (resolved, an object) without `field`, with `"field":value` added
 * textually (value may be JSON that no parser keeps, such as 1e400). */
static char *with_field(const char *base, const char *field, const char *value)
{
    json_t *b = json_loads(base, 0, NULL);
    if (!b) b = json_object();
    json_object_del(b, field);
    char *text = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    size_t tl = strlen(text);
    char *s = NULL;
    if (asprintf(&s, "%.*s%s\"%s\":%s}", (int)(tl - 1), text, tl > 2 ? "," : "", field, value) < 0)
        s = NULL;
    free(text);
    return s;
}

/* Bodies of every wrong shape, type, size, depth and media type, and one bad
 * field at a time in an otherwise good body. */
static void body_battery(const caller *c, const route *rt)
{
    char *path = fill_path(rt, -1, NULL);
    if (rt->body == B_FORM) {
        /* a form route (OAI-PMH): whatever the form, an answer, never a 5xx */
        static const char *const forms[] = {"",
                                            "verb=Identify&verb=Identify",
                                            "=&&&=",
                                            "%",
                                            "verb",
                                            "verb=%FF%FE",
                                            "verb=ListRecords&resumptionToken=%00",
                                            "verb=GetRecord&identifier=\xFF",
                                            "{\"verb\":\"Identify\"}"};
        for (size_t i = 0; i < LEN(forms); i++)
            probe(c->name, forms[i], rt->method, path, c->key, forms[i], strlen(forms[i]),
                  "application/x-www-form-urlencoded", NULL, 0);
        probe(c->name, "JSON as the form", rt->method, path, c->key, "{\"x\":1}", 7,
              "application/json", NULL, 0);
        probe(c->name, "100 KB form", rt->method, path, c->key, big_string, strlen(big_string),
              "application/x-www-form-urlencoded", NULL, ANY_4XX);
        free(path);
        return;
    }
    if (rt->body == B_RAW) {
        /* a raw route: JSON, nothing, the wrong types, garbage */
        struct {
            const char *what, *body, *ctype;
            long want;
        } raw[] = {
            {"JSON on a raw route", "{\"x\":1}", "application/json", ANY_4XX},
            {"empty MARC", "", "application/marc", ANY_4XX},
            {"text/plain", "hello", "text/plain", ANY_4XX},
            {"garbage MARC", "00024     2200025   4500\x1e\x1d", "application/marc", 0},
            {"broken MARCXML", "<collection><record><leader>", "application/marcxml+xml", 0},
            {"MARCXML not UTF-8", "<collection>\xFF\xFE</collection>", "application/marcxml+xml",
             0},
            {"form", "a=1&b=2", "application/x-www-form-urlencoded", ANY_4XX},
            {"multipart", "--x\r\n\r\n--x--\r\n", "multipart/form-data; boundary=x", ANY_4XX}};
        /* without a format, and with each format so that the reader gets the bytes */
        static const char *const formats[] = {"", "?format=marc21",
                                              "?format=rusmarc&charset=cp1251"};
        for (size_t f = 0; f < LEN(formats); f++) {
            char url[512], what[128];
            snprintf(url, sizeof url, "%s%s", path, formats[f]);
            for (size_t i = 0; i < LEN(raw); i++) {
                snprintf(what, sizeof what, "%s%s", raw[i].what, formats[f]);
                probe(c->name, what, rt->method, url, c->key, raw[i].body, strlen(raw[i].body),
                      raw[i].ctype, NULL, raw[i].want);
            }
            snprintf(what, sizeof what, "100 KB of text as MARC%s", formats[f]);
            probe(c->name, what, rt->method, url, c->key, big_string, strlen(big_string),
                  "application/marc", NULL, 0);
        }
        free(path);
        return;
    }
    if (rt->body == B_NONE) {
        /* a route without a body still must not choke on one */
        /* (a bodiless write gets broken JSON, so that it does not act) */
        if (strcmp(rt->method, "GET") == 0)
            probe(c->name, "JSON body on a bodiless route", rt->method, path, c->key, "{\"x\":[1]}",
                  9, NULL, NULL, 0);
        else
            probe(c->name, "broken JSON on a bodiless route", rt->method, path, c->key,
                  "{\"x\":", 5, NULL, NULL, 400);
        probe(c->name, "text body on a bodiless route", rt->method, path, c->key, "hello", 5,
              "text/plain", NULL, 0);
        probe(c->name, "deep JSON on a bodiless route", rt->method, path, c->key, deep_arrays,
              strlen(deep_arrays), NULL, NULL, 0);
        free(path);
        return;
    }
    struct {
        const char *what, *body, *ctype;
        long expect; /* what the gateway answers; 0: any 2xx or 4xx */
    } generic[] = {
        {"empty body", "", NULL, 0},
        {"null", "null", NULL, 0},
        {"[]", "[]", NULL, 0},
        {"\"x\"", "\"x\"", NULL, 0},
        {"42", "42", NULL, 0},
        {"-0", "-0", NULL, 0},
        {"true", "true", NULL, 0},
        {"{}", "{}", NULL, 0},
        {"1e400", "1e400", NULL, 400},
        {"9223372036854775808", "9223372036854775808", NULL, 400},
        {"unknown field", "{\"zz_unknown\":1}", NULL, 0},
        {"duplicate keys", "{\"a\":1,\"a\":2}", NULL, 400},
        {"trailing garbage", "{} x", NULL, 400},
        {"truncated", "{\"a\":", NULL, 400},
        {"BOM", "\xEF\xBB\xBF{}", NULL, 400},
        {"raw invalid UTF-8 in a string", "{\"a\":\"\xC3\x28\"}", NULL, 400},
        {"lone surrogate escape", "{\"a\":\"\\ud800\"}", NULL, 400},
        {"NUL escape", "{\"a\":\"x\\u0000y\"}", NULL, 400},
        {"NUL escape in a key", "{\"a\\u0000\":1}", NULL, 400},
        {"deep arrays (10000)", deep_arrays, NULL, 400},
        {"deep objects (10000)", deep_objects, NULL, 400},
        {"deep arrays (2047)", deep_2047, NULL, 0},
        {"deep value in a field", deep_in_field, NULL, 0},
        {"text/plain", "hello", "text/plain", 415},
        {"JSON as text/plain", "{}", "text/plain", 415},
        {"not JSON as JSON", "hello", "application/json", 400},
        {"JSON as XML", "{}", "application/xml", 415},
        {"form", "a=1&b=2", "application/x-www-form-urlencoded", 415},
        {"multipart", "--x\r\n\r\n--x--\r\n", "multipart/form-data; boundary=x", 415},
        {"JSON with charset", "{}", "application/json; charset=latin1", 0},
        {"odd +json type", "{}", "application/vnd.x+json", 0},
    };
    for (size_t i = 0; i < LEN(generic); i++) {
        probe(c->name, generic[i].what, rt->method, path, c->key, generic[i].body,
              strlen(generic[i].body), generic[i].ctype, NULL, generic[i].expect);
    }

    /* every field of the wrong type at once */
    char *base = resolve(rt->base), *all = strdup("{");
    const char *f = rt->fields;
    while (*f) {
        size_t fl = strcspn(f, ",");
        const char *colon = memchr(f, ':', fl);
        char *next = NULL;
        if (asprintf(&next, "%s%s\"%.*s\":%s", all, strlen(all) > 1 ? "," : "", (int)(colon - f), f,
                     wrong_type(colon[1])) < 0)
            next = NULL;
        free(all);
        all = next;
        f += fl;
        if (*f == ',') f++;
    }
    char *tmp = NULL;
    if (asprintf(&tmp, "%s}", all) < 0) tmp = NULL;
    free(all);
    probe(c->name, "every field of the wrong type", rt->method, path, c->key, tmp, strlen(tmp),
          NULL, NULL, ANY_4XX);
    free(tmp);

    /* one bad field at a time in an otherwise good body */
    for (f = rt->fields; *f;) {
        size_t fl = strcspn(f, ",");
        const char *colon = memchr(f, ':', fl);
        char field[64];
        snprintf(field, sizeof field, "%.*s", (int)(colon - f), f);
        /* the librarian gets every bad value only where the school is named
         * (their own is checked there); elsewhere the wrong type suffices */
        static const char *const none[] = {""};
        const char *const *vals = bad_values(colon[1]);
        if (c == &callers[1] && !strstr(field, "school") && !strstr(field, "org")) vals = none;
        for (size_t i = 0; *vals[i]; i++) {
            /* "!v": v is JSON the gateway turns away with a 400 */
            bool refused = vals[i][0] == '!';
            const char *v = strcmp(vals[i], "@big") == 0   ? big_string
                            : strcmp(vals[i], "@odd") == 0 ? odd_string
                                                           : vals[i] + refused;
            char *body = with_field(base, field, v), what[128];
            snprintf(what, sizeof what, "%s=%.48s", field,
                     v == big_string   ? "<100 KB>"
                     : v == odd_string ? "<a and 100 x я>"
                                       : v);
            probe(c->name, what, rt->method, path, c->key, body, strlen(body), NULL, NULL,
                  refused ? 400 : 0);
            free(body);
        }
        char *body = with_field(base, field, wrong_type(colon[1])), what[128];
        snprintf(what, sizeof what, "%s of the wrong type", field);
        probe(c->name, what, rt->method, path, c->key, body, strlen(body), NULL, NULL, ANY_4XX);
        free(body);
        f += fl;
        if (*f == ',') f++;
    }
    free(base);
    free(path);
}

static void bad_bodies_are_4xx_problems(void **state)
{
    (void)state;
    deep_arrays = nest("[", "1", "]", 10000);
    deep_objects = nest("{\"a\":", "1", "}", 10000);
    deep_2047 = nest("[", "1", "]", 2047);
    char *inner = nest("[", "\"x\"", "]", 2040);
    if (asprintf(&deep_in_field, "{\"title\":%s}", inner) < 0) deep_in_field = NULL;
    free(inner);
    char *s = repeat("я", 50000); /* 100 KB of UTF-8 */
    if (asprintf(&big_string, "\"%s\"", s) < 0) big_string = NULL;
    free(s);
    s = repeat("я", 100);
    if (asprintf(&odd_string, "\"a%s\"", s) < 0) odd_string = NULL;
    free(s);
    size_t before = nfindings;
    each_route(body_battery, true);
    report("bodies");
    for (size_t i = before; i < nfindings; i++)
        fprintf(stderr, "  %s\n", findings[i]);
    free(deep_arrays), free(deep_objects), free(deep_2047), free(deep_in_field), free(big_string);
    free(odd_string);
    assert_int_equal(nfindings - before, 0);
}

/* ---------------------------------------------------------- header battery */

/* Odd forwarded headers on every write with a body (admin): If-Match that is no version,
 * Idempotency-Keys too long or not UTF-8, an Accept and a Content-Type that
 * are not UTF-8. A PUT gets its base body (the header is what is checked),
 * other writes a body with an unknown member, so that nothing is written. */
static void header_battery(const caller *c, const route *rt)
{
    if (c != &callers[0] || rt->body == B_NONE) return;
    char *path = fill_path(rt, -1, NULL), *long_key = NULL, *body = NULL;
    char *k300 = repeat("k", 300);
    if (asprintf(&long_key, "Idempotency-Key: %s", k300) < 0) long_key = NULL;
    free(k300);
    size_t len = 0;
    const char *ctype = NULL;
    plain_body(rt, strcmp(rt->method, "PUT") == 0, &body, &len, &ctype);
    struct {
        const char *header;
        long want;
    } odd[] = {
        {"If-Match: \"\xFF\"", 0},
        {"If-Match: \"99999999999999999999\"", 0},
        {"If-Match: \"-1\"", 0},
        {"If-Match: W/\"1\"", 0},
        {"If-Match: \"\"", 0},
        {"If-Match: 1", 0},
        {"If-Match: \"1\", \"2\"", 0},
        {long_key, ANY_4XX},
        {"Idempotency-Key: \xC3\x28", 0},
        {"Idempotency-Key: a\xD1\x8F\xD1\x8F\xD1", 0},
        {"Accept: \xFF", 0},
        {"Accept: text/csv;q=abc", 0},
    };
    for (size_t i = 0; i < LEN(odd); i++) {
        char what[64];
        snprintf(what, sizeof what, "header %.40s", odd[i].header);
        probe(c->name, what, rt->method, path, c->key, body, len, ctype, odd[i].header,
              odd[i].want);
    }
    if (rt->body == B_JSON)
        probe(c->name, "Content-Type not UTF-8", rt->method, path, c->key, "{}", 2,
              "application/json\xFF", NULL, ANY_4XX);
    free(body), free(path), free(long_key);
}

static void odd_headers_are_4xx_or_ignored(void **state)
{
    (void)state;
    size_t before = nfindings;
    each_route(header_battery, true);
    report("headers");
    for (size_t i = before; i < nfindings; i++)
        fprintf(stderr, "  %s\n", findings[i]);
    assert_int_equal(nfindings - before, 0);
}

/* --------------------------------------------------------------- aftermath */

static void every_service_is_still_alive(void **state)
{
    (void)state;
    static const char *const services[] = {"catalog", "circulation", "grants", "monitoring",
                                           "training"};
    for (size_t i = 0; i < LEN(services); i++) {
        h_resp *r = h_get(h_admin(), "/api/v1/%s/ping", services[i]);
        if (r->status != 200) fprintf(stderr, "%s ping: %ld %s\n", services[i], r->status, r->body);
        assert_int_equal(r->status, 200);
        assert_string_equal(h_str(r, "service"), services[i]);
        h_free(r);
    }
    fprintf(stderr,
            "sweep: %ld requests, %zu findings, %zu writes answered 2xx (their input was "
            "valid)%s\n",
            nrequests, nfindings, naccepted,
            getenv("IBC_SWEEP_TRACE") ? "" : "; IBC_SWEEP_TRACE=file lists every answer");
    if (getenv("IBC_SWEEP_TRACE"))
        for (size_t i = 0; i < naccepted; i++)
            fprintf(stderr, "  %s\n", accepted[i]);
}

/* ----------------------------------------------------- the table is complete */

/* The source tree: IBC_TEST_FIXTURE is <src>/tests/integration/stack-fixture. */
static char *source_dir(void)
{
    const char *fixture = getenv("IBC_TEST_FIXTURE");
    assert_non_null(fixture);
    char *s = strdup(fixture);
    char *cut = strstr(s, "/tests/integration/stack-fixture");
    assert_non_null(cut);
    *cut = 0;
    return s;
}

static void table_lists_every_route_of_the_gateway(void **state)
{
    (void)state;
    char *src = source_dir();
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/gateway/routes", src);
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t rows = 0, missing = 0, files = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t nl = strlen(de->d_name);
        if (nl < 5 || strcmp(de->d_name + nl - 4, ".inc") != 0) continue;
        char file[2048], line[1024];
        snprintf(file, sizeof file, "%s/%s", dir, de->d_name);
        FILE *fp = fopen(file, "r");
        assert_non_null(fp);
        files++;
        while (fgets(line, sizeof line, fp)) {
            char method[16], path[512];
            if (sscanf(line, " {\"%15[A-Z]\", \"%511[^\"]\"", method, path) != 2) continue;
            rows++;
            bool found = false;
            for (size_t k = 0; k < LEN(routes) && !found; k++)
                found = strcmp(routes[k].method, method) == 0 && strcmp(routes[k].path, path) == 0;
            if (!found) {
                fprintf(stderr, "the sweep does not cover %s %s (%s)\n", method, path, de->d_name);
                missing++;
            }
        }
        fclose(fp);
    }
    closedir(d);
    assert_true(files >= 6);
    free(src);
    if (rows != LEN(routes))
        fprintf(stderr, "gateway/routes has %zu rows, the sweep's table %zu\n", rows, LEN(routes));
    assert_int_equal(missing, 0);
    assert_int_equal(rows, LEN(routes));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_lists_every_route_of_the_gateway),
        cmocka_unit_test(paths_that_are_not_ids_are_4xx),
        cmocka_unit_test(odd_query_values_are_4xx_or_ignored),
        cmocka_unit_test(bad_bodies_are_4xx_problems),
        cmocka_unit_test(odd_headers_are_4xx_or_ignored),
        cmocka_unit_test(every_service_is_still_alive),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
