/*
 * returns_api_test.c — the data team's statutory returns through the API (docs/api.md,
 * "Statutory returns"; docs/returns.md).
 *
 * A data team account (role data_team) makes the demo council's CIN census: the summary's
 * counts and files, each file's bytes (the same as the library makes, their SHA-256 as the
 * summary says) as an attachment of the right type; the making recorded in the log, naming the
 * return, before the answer. The same account reads no child's record, nor the children's
 * list, nor the measures' items. Bad requests name the problem; an unset LA number is a
 * conflict that says who sets it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "httptest.h"
#include "returns/returns.h"
#include "util/calendar.h"
#include "util/sha256.h"

static who DT, HOS, SW;

static int setup(void **state)
{
    (void)state;
    cw_ledger *l = ht_build("test.caseward.example/returns-api");
    account(l, "dt", NULL, "data_team", 0);
    account(l, "hos", F.hos, NULL, 0);
    account(l, "sw", F.sw, NULL, 0);
    cw_ledger_close(l);
    ht_start();
    sign_in("dt", PW, &DT);
    sign_in("hos", PW, &HOS);
    sign_in("sw", PW, &SW);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ht_stop();
    return 0;
}

/* The bytes the library makes of file name of the 2025-26 CIN census, as the server would. */
static void library_file(const char *name, cw_buf *out)
{
    cw_error err;
    cw_ledger *l;
    cw_calendar cal;
    assert_int_equal(cw_ledger_open(F.db, CW_LEDGER_READONLY, &l, &err), CW_OK);
    assert_int_equal(cw_calendar_load_default(&cal, &err), CW_OK);
    cw_returns_query q = {2026, "999", "caseward", "x", "2026-01-01T00:00:00", NULL};
    cw_returns_output o;
    cw_returns_output_init(&o);
    assert_int_equal(
        cw_returns_make(cw_returns_find("cin"), cw_ledger_store(l), &cal, &q, &o, &err), CW_OK);
    for (size_t i = 0; i < o.nfiles; i++)
        if (!strcmp(o.files[i].name, name))
            assert_int_equal(cw_buf_add(out, o.files[i].data.data, o.files[i].data.len), CW_OK);
    cw_returns_output_release(&o);
    cw_calendar_release(&cal);
    cw_ledger_close(l);
}

/* The text from <Children> on: what does not depend on when it was made. */
static const char *children_of(const char *xml)
{
    const char *c = strstr(xml, "<Children>");
    assert_non_null(c);
    return c;
}

static void test_summary_and_files(void **state)
{
    (void)state;
    char before[32], after[32];
    ht_one("SELECT count(*) FROM record_access WHERE actor = 'user:dt'", before, sizeof before);
    resp r;
    REQ("GET", "/api/v1/returns/cin?year=2026", NULL, DT.session, NULL, &r);
    if (r.status != 200)
        fail_msg("%ld %.*s", r.status, (int)r.body.len, r.body.data);
    assert_string_equal(json_string_value(json_object_get(r.json, "kind")), "cin");
    assert_int_equal(json_integer_value(json_object_get(r.json, "year")), 2026);
    assert_string_equal(json_string_value(json_object_get(r.json, "la")), "999");
    json_t *counts = json_object_get(r.json, "counts");
    assert_true(json_integer_value(json_object_get(counts, "children")) > 10);
    json_t *files = json_object_get(r.json, "files");
    assert_int_equal(json_array_size(files), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(files, 0), "name")),
                        "cin-2026.xml");
    assert_string_equal(json_string_value(json_object_get(json_array_get(files, 1), "name")),
                        "cin-2026-notes.csv");
    assert_true(json_is_array(json_object_get(r.json, "notes")));
    /* no name: the notes carry identifiers, field names and fixed words, never a child's
     * family name (the demo's are invented and distinctive) */
    for (int i = 0; i < 20; i++) {
        char q[200], name[128];
        snprintf(q, sizeof q,
                 "SELECT family_name FROM children WHERE family_name IS NOT NULL ORDER BY "
                 "child_id LIMIT 1 OFFSET %d",
                 i);
        ht_one(q, name, sizeof name);
        if (strstr(r.body.data, name))
            fail_msg("the summary names a child: %s", name);
    }
    char xml_sha[65], notes_sha[65];
    snprintf(xml_sha, sizeof xml_sha, "%s",
             json_string_value(json_object_get(json_array_get(files, 0), "sha256")));
    snprintf(notes_sha, sizeof notes_sha, "%s",
             json_string_value(json_object_get(json_array_get(files, 1), "sha256")));
    done(&r);

    /* the census itself: an attachment, the library's own children */
    REQ("GET", "/api/v1/returns/cin?year=2026&file=cin-2026.xml", NULL, DT.session, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.head.data, "Content-Type: application/xml; charset=utf-8"));
    assert_non_null(
        strstr(r.head.data, "Content-Disposition: attachment; filename=\"cin-2026.xml\""));
    assert_non_null(strstr(r.head.data, "Cache-Control: no-store"));
    /* the bytes the summary's SHA-256 names, though making it was recorded in between */
    char xml_got[65];
    cw_sha256_hex(r.body.data, r.body.len, xml_got);
    assert_string_equal(xml_got, xml_sha);
    cw_buf mine = CW_BUF_INIT(64 << 20);
    library_file("cin-2026.xml", &mine);
    assert_string_equal(children_of(r.body.data), children_of(mine.data));
    cw_buf_release(&mine);
    done(&r);

    /* the notes: the bytes the summary's SHA-256 names */
    REQ("GET", "/api/v1/returns/cin?year=2026&file=cin-2026-notes.csv", NULL, DT.session, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.head.data, "Content-Type: text/csv; charset=utf-8"));
    char got_sha[65];
    cw_sha256_hex(r.body.data, r.body.len, got_sha);
    assert_string_equal(got_sha, notes_sha);
    done(&r);

    /* each making recorded, no child named, the return and the file in what */
    ht_one("SELECT count(*) FROM record_access WHERE actor = 'user:dt'", after, sizeof after);
    assert_int_equal(strtol(after, NULL, 10), strtol(before, NULL, 10) + 3);
    char what[256];
    ht_one("SELECT coalesce(child_id, '-') || ' ' || what FROM record_access WHERE actor = "
           "'user:dt' ORDER BY idx DESC LIMIT 1",
           what, sizeof what);
    assert_string_equal(what, "- GET /api/v1/returns/{kind} cin year=2026 file=cin-2026-notes.csv");
}

/* The data team sees no child: not the list, not a record, not a measure's items. */
static void test_reads_no_child(void **state)
{
    (void)state;
    char path[200];
    const char *paths[] = {"/api/v1/children", "/api/v1/measures/PM24?period=fy2025",
                           "/api/v1/signals", path};
    snprintf(path, sizeof path, "/api/v1/children/%s", F.child_own);
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        resp r;
        REQ("GET", paths[i], NULL, DT.session, NULL, &r);
        if (r.status != 403)
            fail_msg("%s: %ld", paths[i], r.status);
        done(&r);
    }
    /* a social worker makes no return; the head of service does */
    resp r;
    REQ("GET", "/api/v1/returns/cin?year=2026", NULL, SW.session, NULL, &r);
    assert_int_equal(r.status, 403);
    done(&r);
    REQ("GET", "/api/v1/returns/cin?year=2025", NULL, HOS.session, NULL, &r);
    assert_int_equal(r.status, 200);
    done(&r);
}

/* Ofsted's Annex A as at an inspection day: its lists, each a file; as_of only for it. */
static void test_annex_a(void **state)
{
    (void)state;
    resp r;
    REQ("GET", "/api/v1/returns/annex-a?year=2026&as_of=2026-03-02", NULL, DT.session, NULL, &r);
    if (r.status != 200)
        fail_msg("%ld %.*s", r.status, (int)r.body.len, r.body.data);
    json_t *files = json_object_get(r.json, "files");
    assert_int_equal(json_array_size(files), 12); /* eleven lists and the notes */
    char what[256];
    ht_one("SELECT what FROM record_access WHERE actor = 'user:dt' ORDER BY idx DESC LIMIT 1", what,
           sizeof what);
    assert_string_equal(what, "GET /api/v1/returns/{kind} annex-a year=2026 as_of=2026-03-02");
    done(&r);
    REQ("GET", "/api/v1/returns/cin?year=2026&as_of=2026-03-02", NULL, DT.session, NULL, &r);
    expect_error(&r, 400, "invalid", "as_of");
    done(&r);
    REQ("GET", "/api/v1/returns/annex-a?year=2026&as_of=2026-02-30", NULL, DT.session, NULL, &r);
    expect_error(&r, 400, "invalid", "as_of");
    done(&r);
}

static void test_bad_requests(void **state)
{
    (void)state;
    resp r;
    REQ("GET", "/api/v1/returns/ssda?year=2026", NULL, DT.session, NULL, &r);
    expect_error(&r, 404, "not_found", "kind");
    assert_non_null(
        strstr(err_member(&r, "message"), "caseward makes no return ssda (it makes cin"));
    done(&r);
    REQ("GET", "/api/v1/returns/cin?year=26", NULL, DT.session, NULL, &r);
    expect_error(&r, 400, "invalid", "year");
    done(&r);
    REQ("GET", "/api/v1/returns/cin", NULL, DT.session, NULL, &r);
    expect_error(&r, 400, "invalid", "year");
    done(&r);
    REQ("GET", "/api/v1/returns/cin?year=2026&file=../etc/passwd", NULL, DT.session, NULL, &r);
    expect_error(&r, 404, "not_found", "file");
    done(&r);
    /* in Welsh for a Welsh reader */
    call_with("GET", "/api/v1/returns/cin?year=2O26", NULL, 0, DT.session, NULL,
              "Accept-Language: cy", &r);
    expect_error(&r, 400, "invalid", "year");
    assert_non_null(
        strstr(err_member(&r, "message"), "Blwyddyn: rhaid iddi fod yn flwyddyn gasglu"));
    done(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_summary_and_files),
        cmocka_unit_test(test_reads_no_child),
        cmocka_unit_test(test_annex_a),
        cmocka_unit_test(test_bad_requests),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
