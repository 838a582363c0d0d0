/* The records the server hands out, made from what records.find answers
 * (MARCXML in UTF-8, holdings per school, Dublin Core elements): ISO 2709
 * (USMARC/MARC21 or UNIMARC/RUSMARC), MARCXML, the OPAC record with holdings
 * and circulation data, and SRU's Dublin Core. */
#ifndef Z3950_ZRECORD_H
#define Z3950_ZRECORD_H

#include <jansson.h>
#include <stdbool.h>
#include <yaz/odr.h>
#include <yaz/z-opac.h>

/* The record's MARCXML (without an XML declaration) in o's memory; NULL when
 * it has none. */
char *zrec_marcxml(ODR o, const json_t *rec, int *len);
/* The record as ISO 2709, in o's memory: as the catalog wrote it ("iso2709"),
 * else from its MARCXML; NULL when it cannot be written. */
char *zrec_iso2709(ODR o, const json_t *rec, int *len);
/* The OPAC record: the MARC21 record and, per school holding copies, a
 * holdings entry (nucCode and localLocation: the school) whose circulation
 * record says whether a copy is available now. NULL on failure. */
Z_OPACRecord *zrec_opac(ODR o, const json_t *rec);
/* SRU's Dublin Core (info:srw/schema/1/dc-v1.1), in o's memory. */
char *zrec_dc(ODR o, const json_t *rec, int *len);

#endif
