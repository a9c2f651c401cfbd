/*
 * messages_test.c — the server's message catalogue (util/messages.h): every message in
 * English and Welsh with the same placeholders, the field named in the reader's language,
 * the English kept for the command line, and the language an Accept-Language header asks for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/error.h"
#include "util/messages.h"

static int count(const char *s, const char *what)
{
    int n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

static void test_every_message_in_both_languages(void **state)
{
    (void)state;
    const char *key, *en, *cy, *k2, *e2, *c2;
    size_t n = 0;
    for (size_t i = 0; cw_message_entry(i, &key, &en, &cy); i++, n++) {
        if (!en[0] || !cy[0] || !strcmp(en, cy))
            fail_msg("%s: needs its own English and Welsh (en \"%s\", cy \"%s\")", key, en, cy);
        static const char *const ph[] = {"{field}", "{1}", "{2}", "{inner}", "{role2}"};
        /* no_record's {1} is the kind of record in English words ("section 47 enquiry"): the
         * Welsh says which kind by the field's name instead. */
        int kind_in_words = !strcmp(key, "no_record");
        for (size_t p = 0; p < 5; p++)
            if (count(en, ph[p]) != count(cy, ph[p]) && !(kind_in_words && p == 1))
                fail_msg("%s: %s appears %d times in English, %d in Welsh", key, ph[p],
                         count(en, ph[p]), count(cy, ph[p]));
        if (!strncmp(en, "{field}: ", 9) != !strncmp(cy, "{field}: ", 9))
            fail_msg("%s: one language names the field first and the other does not", key);
        for (size_t j = 0; j < i; j++)
            if (cw_message_entry(j, &k2, &e2, &c2) && !strcmp(k2, key))
                fail_msg("%s: in the catalogue twice", key);
    }
    assert_true(n > 100);
}

static void test_field_named_in_the_readers_language(void **state)
{
    (void)state;
    cw_error e;
    assert_int_equal(cw_error_key(&e, CW_EINVAL, "not_a_date", "date_of_birth", "2024-13-01", NULL),
                     CW_EINVAL);
    /* The English: the identifier, as the API has always named the field. */
    assert_string_equal(e.msg, "date_of_birth: \"2024-13-01\" is not a date (YYYY-MM-DD)");
    char out[CW_ERROR_MSG_MAX];
    const char *problem;
    assert_int_equal(cw_message(&e, CW_LANG_CY, out, sizeof out, &problem), CW_LANG_CY);
    assert_string_equal(out, "Dyddiad geni: nid yw \"2024-13-01\" yn ddyddiad (BBBB-MM-DD)");
    assert_string_equal(problem, "nid yw \"2024-13-01\" yn ddyddiad (BBBB-MM-DD)");
    assert_int_equal(cw_message(&e, CW_LANG_EN, out, sizeof out, &problem), CW_LANG_EN);
    assert_string_equal(problem, "\"2024-13-01\" is not a date (YYYY-MM-DD)");
    /* A request that calls the field differently renames it, in both languages. */
    cw_error_key(&e, CW_EINVAL, "password_username", "password", NULL, NULL);
    cw_error_rename_field(&e, "new_password");
    assert_string_equal(e.msg, "new_password: must not be the username");
    cw_message(&e, CW_LANG_CY, out, sizeof out, NULL);
    assert_string_equal(out, "Cyfrinair newydd: rhaid iddo beidio â bod yr un peth â’r enw "
                             "defnyddiwr");
    /* A role is named in Welsh too, and by its identifier in English. */
    cw_error_key(&e, CW_EINVAL, "not_a_manager", "manager_id", "sw.1", "social_worker");
    assert_string_equal(e.msg, "manager_id: sw.1 is a social_worker, not a manager");
    cw_message(&e, CW_LANG_CY, out, sizeof out, NULL);
    assert_string_equal(out, "Rheolwr: rôl sw.1 yw gweithiwr cymdeithasol, nid rheolwr");
    /* A field with no Welsh name keeps its identifier. */
    cw_error_key(&e, CW_EINVAL, "content_type", "Content-Type", NULL, NULL);
    cw_message(&e, CW_LANG_CY, out, sizeof out, NULL);
    assert_string_equal(out, "Content-Type: rhaid iddo fod yn application/json");
}

static void test_messages_without_a_key_stay_english(void **state)
{
    (void)state;
    cw_error e;
    cw_error_key(&e, CW_EINVAL, "blank", "views", NULL, NULL);
    cw_error_set(&e, CW_EIO, "entry %d: cannot be read", 7); /* reused: the key goes */
    char out[CW_ERROR_MSG_MAX];
    const char *problem;
    assert_int_equal(cw_message(&e, CW_LANG_CY, out, sizeof out, &problem), CW_LANG_EN);
    assert_string_equal(out, "entry 7: cannot be read");
    /* Context put before a keyed message makes it English only, context and all. */
    cw_error_key(&e, CW_EINVAL, "blank", "views", NULL, NULL);
    cw_error_prefix(&e, "line %d: ", 3);
    assert_int_equal(cw_message(&e, CW_LANG_CY, out, sizeof out, NULL), CW_LANG_EN);
    assert_string_equal(out, "line 3: views: must not be blank");
    /* A key not in the catalogue says so rather than showing nothing. */
    cw_error_key(&e, CW_EINVAL, "no_such_key", "views", NULL, NULL);
    assert_non_null(strstr(e.msg, "no_such_key"));
}

/* A correction's refusal holds the refusal of the corrected event, each in the reader's
 * language; the field at fault is the correction's. */
static void test_a_message_inside_another(void **state)
{
    (void)state;
    cw_error e;
    cw_error_key(&e, CW_EINVAL, "before_birth", "date", "2001-01-01", "2010-05-05");
    cw_error_wrap(&e, "correction_invalid", "changes", "statutory_visit");
    assert_string_equal(e.msg, "changes: the corrected statutory_visit would be invalid: date: "
                               "2001-01-01 is before the child's date of birth (2010-05-05)");
    char out[CW_ERROR_MSG_MAX];
    const char *problem;
    assert_int_equal(cw_message(&e, CW_LANG_CY, out, sizeof out, &problem), CW_LANG_CY);
    assert_string_equal(out, "Newidiadau: byddai’r statutory_visit wedi’i gywiro yn annilys: "
                             "Dyddiad: mae 2001-01-01 cyn dyddiad geni’r plentyn (2010-05-05)");
    assert_true(!strncmp(problem, "byddai’r", strlen("byddai’r")));
    /* An English-only message inside: the outer's English before it, all English. */
    cw_error_set(&e, CW_EINVAL, "payload: odd");
    cw_error_wrap(&e, "correction_invalid", "changes", "case_note");
    assert_string_equal(e.msg, "changes: the corrected case_note would be invalid: payload: odd");
    assert_int_equal(cw_message(&e, CW_LANG_CY, out, sizeof out, NULL), CW_LANG_EN);
}

static void test_long_values_are_cut_not_overrun(void **state)
{
    (void)state;
    char big[400];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    cw_error e;
    cw_error_key(&e, CW_EINVAL, "not_one_of", "location", big, big);
    assert_true(strlen(e.msg) < sizeof e.msg);
    char small[40];
    cw_message(&e, CW_LANG_CY, small, sizeof small, NULL);
    assert_int_equal(strlen(small), sizeof small - 1);
}

static void test_accept_language(void **state)
{
    (void)state;
    static const struct {
        const char *header;
        int found;
        cw_lang lang;
    } cases[] = {
        {"cy", 1, CW_LANG_CY},
        {"cy-GB,cy;q=0.9,en-GB;q=0.8,en;q=0.7", 1, CW_LANG_CY},
        {"en-GB,en;q=0.9,cy;q=0.8", 1, CW_LANG_EN},
        {"fr-FR, fr;q=0.9, CY;q=0.5", 1, CW_LANG_CY},
        {"cy;q=0, en", 1, CW_LANG_EN},
        {"cym, de", 0, CW_LANG_EN},
        {"*", 0, CW_LANG_EN},
        {"", 0, CW_LANG_EN},
        {NULL, 0, CW_LANG_EN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int found = -1;
        cw_lang l = cw_lang_accept(cases[i].header, &found);
        if (found != cases[i].found || l != cases[i].lang)
            fail_msg("Accept-Language \"%s\": found %d lang %s, want %d %s",
                     cases[i].header ? cases[i].header : "(none)", found, cw_lang_code(l),
                     cases[i].found, cw_lang_code(cases[i].lang));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_message_in_both_languages),
        cmocka_unit_test(test_field_named_in_the_readers_language),
        cmocka_unit_test(test_messages_without_a_key_stay_english),
        cmocka_unit_test(test_a_message_inside_another),
        cmocka_unit_test(test_long_values_are_cut_not_overrun),
        cmocka_unit_test(test_accept_language),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
