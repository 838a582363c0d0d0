/* ISBN normalisation: ISBN-10 or ISBN-13, hyphens and spaces allowed,
 * check digit validated, stored as ISBN-13 digits. Pure code. */
#ifndef CATALOG_ISBN_H
#define CATALOG_ISBN_H

#include <stdbool.h>

/* Writes the 13 digits of in's ISBN-13 to out[14]; false when in is not a
 * valid ISBN-10 or ISBN-13 (wrong length, characters or check digit). */
bool isbn_normalize(const char *in, char out[14]);

#endif
