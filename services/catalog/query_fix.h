/* Fixing a user's query before it is searched again: text typed with the
 * Latin keyboard layout where the Russian one was meant. Pure code. */
#ifndef CATALOG_QUERY_FIX_H
#define CATALOG_QUERY_FIX_H

#include <stdbool.h>
#include <stddef.h>

/* Writes into out what q gives on the ЙЦУКЕН layout ("rfgbnfycrfz" ->
 * "капитанская"). Returns true when q had Latin letters and nothing but
 * ASCII and the result fits outlen; false leaves out empty. */
bool query_layout_ru(const char *q, char *out, size_t outlen);

#endif
