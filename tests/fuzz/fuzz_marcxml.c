/* libFuzzer target: the MARCXML side of the MARC reader (services/catalog/
 * marc_reader.c): the sniff that parses the whole document and counts its
 * records, and every record read. */
#include "marc_reader.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) marc_xml_init(), ready = 1;
    const char *file = (const char *)data;
    char err[300];
    long count = 0;
    if (!marc_sniff(file, size, MARC_XML, &count, err, sizeof err) && !err[0]) __builtin_trap();
    marc_reader *r = marc_reader_open(file, size, MARC_XML, MARC_UTF8);
    if (!r) return 0;
    marc_rec rec = {0};
    long n = 0;
    while (marc_reader_next(r, &rec)) {
        if ((rec.marc == NULL) != (rec.reason[0] != 0)) __builtin_trap();
        marc_rec_clear(&rec);
        if (++n > 100000) break;
    }
    marc_reader_close(r);
    return 0;
}
