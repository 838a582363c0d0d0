/* The circulation service's SQL. Every function runs on ctx->db inside the
 * caller's transaction, returns JSON built by PostgreSQL where there is JSON
 * to return, and on failure leaves a sentence for the caller in ctx. */
#ifndef CIRCULATION_STORE_H
#define CIRCULATION_STORE_H

#include <ibc/ibc.h>

/* ---------------------------------------------------------------- readers */
typedef struct {
    const char *school, *cls, *status, *category, *card, *q, *limit, *offset;
} store_reader_filter;

/* Inserts a reader of `school` from a validated body; *out is the reader
 * with its name. 409 when the card barcode is taken. */
ibc_rc store_reader_insert(ibc_ctx *ctx, const char *school, const json_t *flat, json_t **out);
/* The reader as the caller may see it; 404 when unknown or, for a
 * librarian, of another school. */
ibc_rc store_reader_get(ibc_ctx *ctx, const char *id, json_t **out);
/* {readers: [...], limit, offset} filtered by f (NULL members: no filter). */
ibc_rc store_readers_list(ibc_ctx *ctx, const store_reader_filter *f, json_t **out);
/* Replaces the reader's fields when its version is `version` (-1: any);
 * 412 when stale, 404 when not visible. */
ibc_rc store_reader_update(ibc_ctx *ctx, const char *id, long version, const json_t *flat,
                           json_t **out);
/* Deletes a reader without open loans (409 otherwise); cancels its active
 * holds first: *holds gets them ([{id, record_id, school, reader_id,
 * item_id?}], new reference). school[72] gets the reader's school. */
ibc_rc store_reader_delete(ibc_ctx *ctx, const char *id, char school[72], json_t **holds);

/* ------------------------------------------------------------------ rules */
/* {school, school_year_ends_on, school_year_set, hold_pickup_days, policies: [...]}. */
ibc_rc store_rules_get(ibc_ctx *ctx, const char *school, json_t **out);
ibc_rc store_policy_put(ibc_ctx *ctx, const char *school, const char *category, const json_t *flat);
/* Sets the school year's end (400 when in the past) and/or pickup days. */
ibc_rc store_settings_put(ibc_ctx *ctx, const char *school, const json_t *flat);

/* ------------------------------------------------------------------ items */
/* What checkout needs to know of an item (strings "" when absent). */
typedef struct {
    char id[37], record_id[37], school[72], status[16];
    bool textbook;
    char loan_due[16]; /* due date of its open loan */
    char held_for[37]; /* reader of a ready hold on it */
    char transfer_id[37], transfer_state[16], transfer_to[72];
    char age_rating[8]; /* the record's age mark (436-ФЗ), "" when none is known */
    long extremist_entry,
        extremist_version; /* the federal list's entry blocking the record, or 0 */
} store_item_state;

/* Finds the projected item by barcode and locks its row for the rest of the
 * transaction; id[0] == 0 when the projection does not know the barcode. */
ibc_rc store_item_lock_by_barcode(ibc_ctx *ctx, const char *barcode, char id[37]);
/* The state of a (locked) item. */
ibc_rc store_item_state_get(ibc_ctx *ctx, const char *id, store_item_state *st);
/* Upserts an item as the catalog describes it ({id, record_id, school,
 * barcode, status, source?, version?}); status_override replaces its status
 * when not NULL. A newer version already stored wins. */
ibc_rc store_item_upsert(ibc_ctx *ctx, const json_t *item, const char *status_override);
/* Keeps the type of a catalog record (textbook or not) and its age mark
 * (NULL: none). */
ibc_rc store_record_upsert(ibc_ctx *ctx, const char *id, const char *type, const char *age_rating);
/* Marks record id blocked by entry `entry` of version `version` of the
 * federal list of extremist materials (both NULL: not blocked). */
ibc_rc store_record_block(ibc_ctx *ctx, const char *id, const char *entry, const char *version);
ibc_rc store_record_forget(ibc_ctx *ctx, const char *id);
/* Follows a merge of records; *cancelled gets ids of holds cancelled as
 * duplicates (JSON array, new reference). */
ibc_rc store_record_merge(ibc_ctx *ctx, const char *kept, const char *merged, json_t **cancelled);

/* ------------------------------------------------------------------ loans */
typedef struct {
    char school[72], status[16], category[16];
    long open_loans, max_items;
    char due_date[16];
    int age; /* full years today; -1 when the birth date is unknown */
} store_reader_loan;

/* Locks the reader for the rest of the transaction and reads its rules;
 * `textbook` picks the school-year end as due date when the rules say so;
 * due_date (may be NULL) overrides the rules (400 unless within a year of
 * today). 404 when there is no such reader. */
ibc_rc store_reader_lock(ibc_ctx *ctx, const char *reader_id, bool textbook, const char *due_date,
                         store_reader_loan *rd);
/* What a checkout needs, in one round trip: the item with this barcode and
 * the reader, both locked for the rest of the transaction (reader first,
 * like every other path), the reader's rules and the due date (due_date,
 * may be NULL, overrides the rules: 400 unless within a year of today).
 * it->id[0] == 0 when the projection does not know the barcode;
 * rd->school[0] == 0 when there is no such reader. */
ibc_rc store_checkout_facts(ibc_ctx *ctx, const char *barcode, const char *reader_id,
                            const char *due_date, store_item_state *it, store_reader_loan *rd);
/* Opens a loan; fulfils the reader's holds on the record at that school.
 * The insert re-checks, on a fresh snapshot, that the copy is still
 * available, held for no one else and not reserved for another school (409
 * otherwise), and the unique index that it is on no open loan.
 * *loan gets the loan, *fulfilled the holds fulfilled ([{id, item_id?}]). */
ibc_rc store_loan_insert(ibc_ctx *ctx, const store_item_state *it, const char *school,
                         const char *reader_id, const char *due_date, json_t **loan,
                         json_t **fulfilled);
/* Closes the open loan of the item with this barcode, when it belongs to
 * `school` ("" for any). *out is {loan, item_school, item_status, waiting:
 * whether readers wait for the record there}. */
ibc_rc store_loan_close(ibc_ctx *ctx, const char *barcode, const char *school, json_t **out);
/* Whether `school` lets teachers allow a loan above a reader's age, and
 * whether teacher_id is an active teacher of it. */
ibc_rc store_age_override_allowed(ibc_ctx *ctx, const char *teacher_id, const char *school,
                                  bool *school_allows, bool *is_teacher);
/* Logs a loan a teacher allowed above the reader's age (age_overrides). */
ibc_rc store_age_override_log(ibc_ctx *ctx, const char *loan_id, const char *school,
                              const char *reader_id, const char *teacher_id,
                              const store_item_state *it, int reader_age);
/* Marks the open loans that fell due before today and were not marked yet
 * (up to 5000, rows other replicas hold are skipped); *marked gets their
 * event data (ids and the due date). */
ibc_rc store_overdue_mark(ibc_ctx *ctx, json_t **marked);
/* Renews within the rules; *out is the loan. */
ibc_rc store_loan_renew(ibc_ctx *ctx, const char *id, json_t **out);
ibc_rc store_loan_get(ibc_ctx *ctx, const char *id, json_t **out);

typedef struct {
    const char *school, *reader_id, *cls, *barcode, *record_id, *class_set_id, *limit, *offset;
    bool overdue;
    const char *open; /* "true", "false" or NULL for all */
} store_loan_filter;
/* {loans: [...], limit, offset}. */
ibc_rc store_loans_list(ibc_ctx *ctx, const store_loan_filter *f, json_t **out);
/* Overdue loans of a school grouped by class and reader; names when `names`. */
ibc_rc store_overdue(ibc_ctx *ctx, const char *school, const char *cls, bool names,
                     const char *limit, const char *offset, json_t **out);

/* ------------------------------------------------------------------ holds */
/* Places a hold of the reader on the record at the reader's school after
 * checking the reader and that the school has a copy. *out is the hold.
 * When the projection knows no copy at the school, *out stays NULL, school
 * names the reader's school and IBC_OK returns, so that the caller can sync
 * and try again; on the `last_try` that is a 409 instead. */
ibc_rc store_hold_place(ibc_ctx *ctx, const char *record_id, const char *reader_id,
                        const char *expires_at, bool last_try, char school[72], json_t **out);
ibc_rc store_hold_get(ibc_ctx *ctx, const char *id, json_t **out);
/* Cancels an active hold visible to the caller; *out is the hold as it was
 * cancelled (with item_id when it had been ready). */
ibc_rc store_hold_cancel(ibc_ctx *ctx, const char *id, json_t **out);
/* Gives a free copy to the first waiting hold of its record at school;
 * *out is that hold or NULL. */
ibc_rc store_hold_offer(ibc_ctx *ctx, const char *item_id, const char *school, json_t **out);
/* Expires up to 1000 holds past their time; *out is [{hold...}]. */
ibc_rc store_holds_expire(ibc_ctx *ctx, const char *school, json_t **out);
typedef struct {
    const char *school, *record_id, *reader_id, *state, *limit, *offset;
} store_hold_filter;
ibc_rc store_holds_list(ibc_ctx *ctx, const store_hold_filter *f, json_t **out);

/* ------------------------------------------------------------- class sets */
/* Issues one free copy of each record to every active reader of the class;
 * *out is {class_set, readers: [...], textbooks: [...], loans: [...]}.
 * `names` puts readers' names in the answer. */
ibc_rc store_classset_issue(ibc_ctx *ctx, const char *school, const char *cls,
                            const char *record_ids, bool names, json_t **out);
/* Closes the open class-set loans of the class (of record_ids when not
 * NULL); *out is {readers: [...], loans: [...], class_sets: [...]}. */
ibc_rc store_classset_return(ibc_ctx *ctx, const char *school, const char *cls,
                             const char *record_ids, bool names, json_t **out);
/* Records of record_ids with fewer free copies at school than the class has
 * active readers (JSON array of ids). */
ibc_rc store_short_records(ibc_ctx *ctx, const char *school, const char *cls,
                           const char *record_ids, json_t **out);
/* Records with waiting holds at school among record_ids (JSON array). */
ibc_rc store_held_records(ibc_ctx *ctx, const char *school, const char *record_ids, json_t **out);
/* The first of record_ids (a uuid[] literal) blocked by the federal list of
 * extremist materials: its id (empty when none), list entry and version. */
ibc_rc store_blocked_record(ibc_ctx *ctx, const char *record_ids, char id[37], long *entry,
                            long *version);
ibc_rc store_classsets_list(ibc_ctx *ctx, const char *school, const char *cls, const char *limit,
                            const char *offset, json_t **out);

/* -------------------------------------------------------------- transfers */
ibc_rc store_transfer_insert(ibc_ctx *ctx, const char *record_id, const char *from_school,
                             const char *to_school, const char *reader_id, const char *note,
                             json_t **out);
/* The transfer locked for the rest of the transaction, as JSON. */
ibc_rc store_transfer_lock(ibc_ctx *ctx, const char *id, json_t **out);
ibc_rc store_transfer_get(ibc_ctx *ctx, const char *id, json_t **out);
/* Who takes the step from -> to ("lender"/"borrower"), "" when not allowed. */
ibc_rc store_transfer_actor(ibc_ctx *ctx, const char *from, const char *to, char actor[16]);
/* A free copy of the record at the school, id[0] == 0 when none. */
ibc_rc store_free_copy(ibc_ctx *ctx, const char *record_id, const char *school, char id[37]);
/* Moves the transfer to state `to` (item_id, reason may be NULL); *out is it. */
ibc_rc store_transfer_move(ibc_ctx *ctx, const char *id, const char *to, const char *item_id,
                           const char *reason, json_t **out);
typedef struct {
    const char *school, *direction, *state, *limit, *offset;
} store_transfer_filter;
ibc_rc store_transfers_list(ibc_ctx *ctx, const store_transfer_filter *f, json_t **out);
/* Copies of the record at school, not written off or lost. */
ibc_rc store_copies(ibc_ctx *ctx, const char *record_id, const char *school, long *n);
/* True when the item is on an open loan. */
ibc_rc store_item_on_loan(ibc_ctx *ctx, const char *item_id, bool *on_loan);

#endif
