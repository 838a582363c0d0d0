/* Random bytes and random ids, from the kernel (getrandom(2)). At the bottom
 * of libibc: it includes nothing of it. Not GnuTLS's gnutls_rnd: GnuTLS
 * 3.7.9 (Debian 12) keeps a random state per thread that it never frees,
 * about 220 bytes for every thread that ever called it, and the gateway
 * runs a thread per connection. */
#ifndef IBC_RANDOM_H
#define IBC_RANDOM_H

#include <stdbool.h>
#include <stddef.h>

/* Fills buf with n bytes from the kernel's CSPRNG; false only if the kernel
 * refuses (no getrandom: older than Linux 3.17). */
bool ibc_random_bytes(void *buf, size_t n);
/* A random UUID (version 4) as 36 characters and a NUL into out. Aborts if
 * the kernel gives no random bytes: an id must never repeat. */
void ibc_uuid_v4(char out[37]);
/* The 16 bytes b as UUID text (8-4-4-4-12 lowercase hex) into out. */
void ibc_uuid_text(const unsigned char b[16], char out[37]);

#endif
