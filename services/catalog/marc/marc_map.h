/* Mapping a MARC record (RUSMARC or MARC21, as yaz's MARC-in-JSON) onto the
 * columns of catalog.records, and a record's columns back onto a MARC21
 * record for export. Pure code. */
#ifndef CATALOG_MARC_MAP_H
#define CATALOG_MARC_MAP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum { MARC_RUSMARC, MARC_MARC21 } marc_format;

/* Maps one record. On success returns true and sets *flat to a new object
 * keyed by column of catalog.records (type, title, authors and subjects always
 * present, with marc_format, control_keys (["001:<003>:<001>", "035:<$a>"])
 * and alt_script (880 $a); other columns only when the record has them) and *holdings to a new
 * array of {barcode, inventory_number?} (one per holdings field with a
 * barcode). Problems that do not stop the record (an invalid ISBN, an
 * implausible year) are appended to `warnings` as strings. On failure returns
 * false with a sentence in reason (e.g. no title, a field over its limit). */
bool marc_map(const json_t *marc, marc_format format, json_t **flat, json_t **holdings,
              json_t *warnings, char *reason, size_t reasonlen);

/* Which MARC a record is, from its content: UNIMARC/RUSMARC has 200$a, 210,
 * 215 and coded data in 100$a; MARC21 has 245$a, 260/264, 300 and 008. A file
 * may mix them. A record that says neither more than the other is `declared`. */
marc_format marc_detect(const json_t *marc, marc_format declared);

/* Removes ISBD punctuation from the end of s in place (" :", " /", " ;",
 * " =", trailing "," and "." unless it ends an initial such as "А."), drops
 * the non-sorting marks U+0098/U+009C, and trims blanks. Returns s. */
char *marc_clean(char *s);

/* Builds yaz's MARC-in-JSON for a MARC21 record made from a record's public
 * JSON (as record_json() gives it). Returns a new reference. */
json_t *marc_from_record(const json_t *record);
/* The same as a RUSMARC record (010, 100, 101, 200, 205, 210, 215, 225, 330,
 * 333 age mark, 610, 675, 686, 700/701, 856), read back by marc_map; cp1251
 * sets the character sets of 100$a. Returns a new reference. */
json_t *marc_rusmarc_from_record(const json_t *record, bool cp1251);

#endif
