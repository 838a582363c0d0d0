/* libFuzzer target: the ISO 2709 side of the MARC reader (services/catalog/
 * marc_reader.c) as an import uses it: the sniff, the split into segments for
 * parallel import, and every record read, in each character set. The input
 * is the file, so that the MARC fixtures are seeds as they are. */
#include "marc_reader.h"

#include <stdint.h>

static void read_all(const char *file, size_t len, marc_charset cs);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *file = (const char *)data;
    char err[300];
    long count = 0;
    marc_sniff(file, size, MARC_ISO2709, &count, err, sizeof err);
    for (int cs = MARC_UTF8; cs <= MARC_MARC8; cs++)
        read_all(file, size, (marc_charset)cs);
    return 0;
}

/* Reads every record of the file, then again from the second segment on. */
static void read_all(const char *file, size_t len, marc_charset cs)
{
    long starts[4], before[4], records = 0;
    int nseg = marc_iso2709_plan(file, len, 4, starts, before, &records);
    if (nseg < 0 || nseg > 4) __builtin_trap();

    marc_reader *r = marc_reader_open(file, len, MARC_ISO2709, cs);
    if (!r) return;
    marc_rec rec = {0};
    long n = 0;
    while (marc_reader_next(r, &rec)) {
        /* a record is either read (MARC-in-JSON and MARCXML) or has a reason */
        if ((rec.marc == NULL) != (rec.reason[0] != 0)) __builtin_trap();
        if (rec.marc && !rec.marcxml) __builtin_trap();
        marc_rec_clear(&rec);
        if (++n > 100000) break;
    }
    marc_reader_close(r);
    /* a resumed reader (an import picking up after a restart) */
    if (nseg > 1) {
        r = marc_reader_open(file, len, MARC_ISO2709, cs);
        if (!r) return;
        marc_reader_seek(r, before[1], starts[1]);
        while (marc_reader_next(r, &rec))
            marc_rec_clear(&rec);
        marc_reader_close(r);
    }
}
