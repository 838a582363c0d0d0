/* The rules of survey campaigns: the questions a methodologist may ask and
 * the answers a school may give to them. Pure code, no database. */
#ifndef MON_SURVEY_H
#define MON_SURVEY_H

#include <ibc/ibc.h>

/* Checks a campaign's questions: an array of 1 to 200 objects {code, text,
 * kind: number|yes_no|choice|text, choices (choice only), required (default
 * true), min, max (number only)} with distinct codes. *out is a new
 * reference to the normalized array (required always present). */
ibc_rc survey_check_questions(ibc_ctx *ctx, const json_t *questions, json_t **out);

/* Checks answers (an object code → value) against the questions: every
 * code is a question, every value fits its kind, every required question is
 * answered. Nulls count as not answered. *out is a new reference to the
 * answers without the nulls. */
ibc_rc survey_check_answers(ibc_ctx *ctx, const json_t *questions, const json_t *answers,
                            json_t **out);

#endif
