/* Unit tests of services/catalog/isbn.c: ISBN-10 and ISBN-13 check digits,
 * hyphens and spaces, the X check digit and the 10 → 13 conversion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../services/catalog/isbn.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Asserts in normalises to want. */
static void normalises(const char *in, const char *want)
{
    char out[14];
    memset(out, '#', sizeof out);
    if (!isbn_normalize(in, out)) fail_msg("'%s' rejected", in);
    assert_int_equal(out[13], 0);
    if (strcmp(out, want) != 0) fail_msg("'%s' gave %s, want %s", in, out, want);
}

/* Asserts in is rejected. */
static void rejects(const char *in)
{
    char out[14] = "";
    if (isbn_normalize(in, out)) fail_msg("'%s' accepted as %.13s", in, out);
}

static void isbn13_with_hyphens_normalises_to_its_digits(void **state)
{
    (void)state;
    normalises("978-3-16-148410-0", "9783161484100");
    normalises("978-5-389-07435-4", "9785389074354");
    normalises("978-0-306-40615-7", "9780306406157");
}

static void isbn13_with_spaces_or_nothing_between_digits_is_the_same(void **state)
{
    (void)state;
    normalises("9783161484100", "9783161484100");
    normalises("978 3 16 148410 0", "9783161484100");
    normalises("978-3 16-148410 0", "9783161484100");
}

static void isbn10_normalises_to_978_with_a_new_check_digit(void **state)
{
    (void)state;
    normalises("0-306-40615-2", "9780306406157");
    normalises("0306406152", "9780306406157");
    normalises("5-09-002630-0", "9785090026307");
    normalises("0-19-852663-6", "9780198526636");
    normalises("2-266-11156-6", "9782266111560");
}

static void isbn10_with_x_check_digit_normalises_to_978(void **state)
{
    (void)state;
    normalises("0-8044-2957-X", "9780804429573");
    normalises("080442957X", "9780804429573");
    normalises("0-9752298-0-X", "9780975229804");
}

static void lowercase_x_check_digit_is_accepted(void **state)
{
    (void)state;
    normalises("0-8044-2957-x", "9780804429573");
}

static void isbn10_and_its_isbn13_normalise_alike(void **state)
{
    (void)state;
    char a[14], b[14];
    assert_true(isbn_normalize("0-306-40615-2", a));
    assert_true(isbn_normalize("978-0-306-40615-7", b));
    assert_string_equal(a, b);
}

static void isbn13_with_979_prefix_is_kept(void **state)
{
    (void)state;
    normalises("979-10-90636-07-1", "9791090636071");
    normalises("979-8-6024-0545-3", "9798602405453");
}

static void isbn13_with_another_prefix_is_rejected(void **state)
{
    (void)state;
    rejects("977-1234-567-00-3"); /* an ISSN's EAN: right check digit, not a book */
    rejects("9771234567003");
    rejects("0000000000000");
}

static void wrong_check_digit_is_rejected(void **state)
{
    (void)state;
    rejects("0-306-40615-3");
    rejects("0-306-40615-X");
    rejects("978-0-306-40615-8");
    rejects("978-3-16-148410-1");
    rejects("979-10-90636-07-2");
    rejects("0-8044-2957-0");
    /* swapped neighbours: the ISBN-10 check catches transpositions */
    rejects("0-306-46015-2");
}

static void x_anywhere_but_the_tenth_digit_is_rejected(void **state)
{
    (void)state;
    rejects("X-306-40615-2");
    rejects("0-306-4061X-2");
    rejects("978-0-306-40615-X");
    rejects("978030640615X");
    rejects("080442957X0");
}

static void wrong_lengths_are_rejected(void **state)
{
    (void)state;
    static const char *bad[] = {"",
                                "0",
                                "030640615",      /* 9 */
                                "03064061522",    /* 11 */
                                "978030640615",   /* 12 */
                                "97803064061577", /* 14 */
                                "978030640615700000000",
                                "---",
                                "   "};
    for (size_t i = 0; i < N(bad); i++)
        rejects(bad[i]);
}

static void other_characters_are_rejected(void **state)
{
    (void)state;
    static const char *bad[] = {
        "ISBN 0-306-40615-2", "0.306.40615.2",      "0_306_40615_2",
        "0306406152\n",       "O306406152",                       /* letter O */
        "0306406152;",        "978-0-306-40615-7a", "٠٣٠٦٤٠٦١٥٢", /* Arabic-Indic digits */
        "0306406152\xd0"};
    for (size_t i = 0; i < N(bad); i++)
        rejects(bad[i]);
}

static void separators_at_either_end_are_ignored(void **state)
{
    (void)state;
    normalises(" 0-306-40615-2 ", "9780306406157");
    normalises("-978-0-306-40615-7-", "9780306406157");
    /* the X check digit is no exception */
    /* separators are ignored everywhere else; the X check digit is no exception */
    normalises("0-8044-2957-X ", "9780804429573");
    normalises("080442957X-", "9780804429573");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(isbn13_with_hyphens_normalises_to_its_digits),
        cmocka_unit_test(isbn13_with_spaces_or_nothing_between_digits_is_the_same),
        cmocka_unit_test(isbn10_normalises_to_978_with_a_new_check_digit),
        cmocka_unit_test(isbn10_with_x_check_digit_normalises_to_978),
        cmocka_unit_test(lowercase_x_check_digit_is_accepted),
        cmocka_unit_test(isbn10_and_its_isbn13_normalise_alike),
        cmocka_unit_test(isbn13_with_979_prefix_is_kept),
        cmocka_unit_test(isbn13_with_another_prefix_is_rejected),
        cmocka_unit_test(wrong_check_digit_is_rejected),
        cmocka_unit_test(x_anywhere_but_the_tenth_digit_is_rejected),
        cmocka_unit_test(wrong_lengths_are_rejected),
        cmocka_unit_test(other_characters_are_rejected),
        cmocka_unit_test(separators_at_either_end_are_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
