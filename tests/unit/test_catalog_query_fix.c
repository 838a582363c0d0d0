/* The keyboard-layout fix of a search query (services/catalog/query_fix.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../services/catalog/query_fix.h"

static void latin_layout_becomes_russian(void **state)
{
    (void)state;
    char out[128];
    assert_true(query_layout_ru("rfgbnfycrfz", out, sizeof out));
    assert_string_equal(out, "капитанская");
    assert_true(query_layout_ru("Rfgbnfycrfz ljxrf", out, sizeof out));
    assert_string_equal(out, "Капитанская дочка");
    /* keys with punctuation are letters inside and at the end of a word */
    assert_true(query_layout_ru("yj; [kt,,", out, sizeof out));
    assert_string_equal(out, "нож хлеб,"); /* the last comma: a comma */
    assert_true(query_layout_ru("'ktrnhjybrf", out, sizeof out));
    assert_string_equal(out, "электроника");
    assert_true(query_layout_ru("f , ,", out, sizeof out));
    assert_string_equal(out, "а , ,");
    /* a full stop after the query stays one */
    assert_true(query_layout_ru("ltnb.", out, sizeof out));
    assert_string_equal(out, "дети.");
}

static void other_queries_are_not_touched(void **state)
{
    (void)state;
    char out[128];
    assert_false(query_layout_ru("капитанская", out, sizeof out));
    assert_string_equal(out, "");
    assert_false(query_layout_ru("2024 12+", out, sizeof out));
    assert_false(query_layout_ru("mixed ёлка", out, sizeof out));
    /* too long for out: refused, never cut */
    assert_false(query_layout_ru("rfgbnfycrfz", out, 10));
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(latin_layout_becomes_russian),
        cmocka_unit_test(other_queries_are_not_touched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
