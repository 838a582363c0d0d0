/* Reading the federal list of extremist materials as the Ministry of
 * Justice publishes it: a numbered text ("N. <material> (<court decision>)"),
 * a simple HTML table (№ | material | ...) or CSV, in UTF-8 or
 * windows-1251. Pure functions: no database, no bus (unit-testable). */
#ifndef CATALOG_EXTREMIST_LIST_PARSE_H
#define CATALOG_EXTREMIST_LIST_PARSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* At most this many entries in one list, and characters in one entry. */
#define LIST_MAX_ENTRIES 100000
#define LIST_MAX_ENTRY_BYTES 65536

typedef enum { LIST_TEXT, LIST_HTML, LIST_CSV } list_format;

typedef struct {
    json_t *entries;      /* [{number, text, description, court?, title?}], new reference */
    const char *format;   /* "text", "html", "csv" (static) */
    const char *encoding; /* "utf-8", "windows-1251" (static) */
    char error[256];      /* why the file was refused, when list_parse returns false */
    bool too_big;         /* the refusal is about size (413) */
} list_parsed;

/* The format a Content-Type names: 0 when it names none we read. */
bool list_format_of(const char *content_type, list_format *fmt);

/* Parses data[0..len) of the format; the charset parameter of content_type
 * (may be NULL) names the encoding, else UTF-8 when the bytes are UTF-8,
 * else windows-1251 when they are text. Returns false with out->error (and
 * no entries) when the file is not such a list; the caller frees
 * out->entries either way (json_decref of NULL is harmless). */
bool list_parse(const unsigned char *data, size_t len, list_format fmt, const char *content_type,
                list_parsed *out);

/* Splits an entry's text into its description, the court's decision (the
 * last parenthesis that names a court or decision, NULL when none) and the
 * title (the first «quoted» or "quoted" words, NULL when none); returns
 * {number, text, description, court?, title?} (new reference). */
json_t *list_entry_new(long number, const char *text, size_t len);

#endif
