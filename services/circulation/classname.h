/* School class names (5А, 10Б, 11 «Физмат»): one spelling per class, so that
 * "5а", "5 А", "5-А" and "5A" typed with a Latin letter all find class 5А. */
#ifndef CIRC_CLASSNAME_H
#define CIRC_CLASSNAME_H

#include <stdbool.h>
#include <stddef.h>

#define CLASS_NAME_MAX 16 /* characters (code points) after normalising */

/* Writes the normalised class name of `in` (valid UTF-8) into out[outlen]:
 * surrounding blanks dropped, inner runs of blanks made one, Cyrillic and
 * Latin letters upper-cased; when the name is a grade and one letter
 * ("5a", "5 - А") the blank or hyphen between them goes and a Latin letter that
 * looks Cyrillic becomes Cyrillic. Returns false (out undefined) when the
 * result is empty, longer than CLASS_NAME_MAX characters, holds a control
 * character, or does not fit out. */
bool class_normalize(const char *in, char *out, size_t outlen);

#endif
