/* Unit tests of shared/src/random.c: random bytes from the kernel in any
 * amount, and version 4 UUIDs that are well formed and do not repeat. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <ibc/random.h>

static int cmp_uuid(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void many_bytes_come_whole_and_differ(void **state)
{
    (void)state;
    /* more than the 256 bytes that getrandom() always gives in one call */
    enum { N = 1 << 20 };
    unsigned char *a = calloc(1, N), *b = calloc(1, N);
    assert_true(ibc_random_bytes(a, N));
    assert_true(ibc_random_bytes(b, N));
    assert_memory_not_equal(a, b, N);
    /* every byte value turns up in the last 64 KiB: none was left as zero */
    int seen[256] = {0}, values = 0;
    for (size_t i = N - 65536; i < N; i++)
        values += !seen[a[i]]++;
    assert_int_equal(values, 256);
    assert_true(ibc_random_bytes(a, 0));
    free(a);
    free(b);
}

static void uuids_are_version_4_and_unique(void **state)
{
    (void)state;
    enum { N = 20000 };
    char(*ids)[37] = calloc(N, sizeof *ids);
    for (int i = 0; i < N; i++) {
        ibc_uuid_v4(ids[i]);
        const char *u = ids[i];
        assert_int_equal(strlen(u), 36);
        for (int j = 0; j < 36; j++) {
            if (j == 8 || j == 13 || j == 18 || j == 23)
                assert_int_equal(u[j], '-');
            else
                assert_non_null(strchr("0123456789abcdef", u[j]));
        }
        assert_int_equal(u[14], '4');           /* version */
        assert_non_null(strchr("89ab", u[19])); /* RFC 9562 variant */
    }
    qsort(ids, N, sizeof *ids, cmp_uuid);
    for (int i = 1; i < N; i++)
        assert_string_not_equal(ids[i - 1], ids[i]);
    free(ids);
}

static void uuid_text_is_the_bytes_in_order(void **state)
{
    (void)state;
    const unsigned char b[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                                 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10};
    char out[37];
    ibc_uuid_text(b, out);
    assert_string_equal(out, "01234567-89ab-cdef-fedc-ba9876543210");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(many_bytes_come_whole_and_differ),
        cmocka_unit_test(uuids_are_version_4_and_unique),
        cmocka_unit_test(uuid_text_is_the_bytes_in_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
