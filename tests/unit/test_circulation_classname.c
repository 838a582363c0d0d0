/* Class names normalise to one spelling: case, blanks, hyphens and Latin
 * letters that look Cyrillic do not make a second class. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../services/circulation/classname.h"

static void same_class(const char *in, const char *want)
{
    char out[64];
    assert_true(class_normalize(in, out, sizeof out));
    assert_string_equal(out, want);
}

static void cyrillic_and_lookalikes_are_one_class(void **state)
{
    (void)state;
    same_class("5А", "5А");
    same_class("5а", "5А");
    same_class(" 5 а ", "5А");
    same_class("5-А", "5А");
    same_class("5 - а", "5А");
    same_class("5A", "5А"); /* Latin A */
    same_class("5a", "5А");
    same_class("10б", "10Б");
    same_class("11В", "11В");
    same_class("7e", "7Е");
    same_class("1ё", "1Ё");
}

static void other_names_keep_their_words(void **state)
{
    (void)state;
    same_class("11  физмат", "11 ФИЗМАТ");
    same_class("5D", "5D"); /* no Cyrillic twin */
    same_class("Подготовительный", "ПОДГОТОВИТЕЛЬНЫЙ");
    same_class("123A", "123A"); /* not a grade and a letter */
}

static void empty_long_or_control_is_refused(void **state)
{
    (void)state;
    char out[64];
    assert_false(class_normalize("", out, sizeof out));
    assert_false(class_normalize("   ", out, sizeof out));
    assert_false(class_normalize("5\tА\n", out, sizeof out));
    assert_false(class_normalize("abcdefghijklmnopq", out, sizeof out)); /* 17 */
    assert_true(class_normalize("abcdefghijklmnop", out, sizeof out));   /* 16 */
    assert_false(class_normalize("АБВГДЕЖЗИЙКЛМНОПР", out, sizeof out));
    char small[4];
    assert_false(class_normalize("5ААА", small, sizeof small));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cyrillic_and_lookalikes_are_one_class),
        cmocka_unit_test(other_names_keep_their_words),
        cmocka_unit_test(empty_long_or_control_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
