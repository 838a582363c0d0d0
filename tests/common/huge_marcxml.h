/* A test fixture shared by the unit and integration tests of the MARCXML
 * reader: one record whose title is a text node of n bytes, larger than
 * libxml2's limit for a text node. Header only: each test is one file. */
#ifndef IBC_TEST_HUGE_MARCXML_H
#define IBC_TEST_HUGE_MARCXML_H

#include <stdlib.h>
#include <string.h>

/* The document, with *len its length; NULL when out of memory. Caller frees. */
static inline char *huge_text_record(size_t n, size_t *len)
{
    static const char head[] = "<collection xmlns=\"http://www.loc.gov/MARC21/slim\"><record>"
                               "<leader>00000nam a2200000 i 4500</leader>"
                               "<datafield tag=\"245\" ind1=\"0\" ind2=\"0\">"
                               "<subfield code=\"a\">";
    static const char tail[] = "</subfield></datafield></record></collection>\n";
    char *doc = malloc(sizeof head + n + sizeof tail);
    if (!doc) return NULL;
    memcpy(doc, head, sizeof head - 1);
    memset(doc + sizeof head - 1, 'a', n);
    memcpy(doc + sizeof head - 1 + n, tail, sizeof tail);
    *len = sizeof head - 1 + n + sizeof tail - 1;
    return doc;
}

#endif
