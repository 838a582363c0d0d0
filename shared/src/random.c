/* Random bytes and UUIDs from getrandom(2) (see random.h). */
#include "ibc/random.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

bool ibc_random_bytes(void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n > 0) { /* up to 256 bytes never come short; more may, or be interrupted */
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        p += got;
        n -= (size_t)got;
    }
    return true;
}

void ibc_uuid_text(const unsigned char b[16], char out[37])
{
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

void ibc_uuid_v4(char out[37])
{
    unsigned char b[16];
    if (!ibc_random_bytes(b, sizeof b)) abort();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    ibc_uuid_text(b, out);
}
