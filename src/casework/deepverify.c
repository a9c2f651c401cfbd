/*
 * deepverify.c — the read model checked against the log (deepverify.h).
 *
 * 1. A scratch store: empty projection tables, the live log attached
 *    read-only, one read transaction for everything below.
 * 2. cw_casework_replay of every entry into it: the projections exactly as
 *    `caseward rebuild` would make them.
 * 3. The accounts and API tokens as the log records them (account_created,
 *    account_changed, token_created, token_revoked), in the scratch's own
 *    accounts and api_tokens tables; the columns the log does not hold
 *    (hashes, counters, times) are left empty and are not compared.
 * 4. cw_store_compare_read_model: every table, row for row.
 */
#include "casework/deepverify.h"

#include <inttypes.h>
#include <jansson.h>
#include <string.h>

#include "casework/casework_int.h"

static const char *str(const json_t *p, const char *k)
{
    return json_string_value(json_object_get(p, k));
}

typedef struct acct_ctx {
    cw_store *s;
    cw_error *err;
} acct_ctx;

/* One entry that may be an account or token event: its effect on those tables. */
static cw_rc account_entry(void *ctx, const cw_value *c, size_t n)
{
    acct_ctx *a = ctx;
    json_error_t jerr;
    if (n < 2 || c[0].type != CW_V_INT || c[1].type != CW_V_BLOB)
        return cw_error_set(a->err, CW_EDB, "database: an entry could not be read");
    json_t *root = json_loadb(c[1].s, c[1].len, 0, &jerr);
    const char *type = root ? str(root, "type") : NULL;
    const json_t *p = root ? json_object_get(root, "payload") : NULL;
    cw_rc rc = CW_OK;
    if (!type || !json_is_object(p)) {
        rc = cw_error_set(a->err, CW_EVERIFY, "entry %" PRId64 " cannot be read back", c[0].i);
    } else if (!strcmp(type, "account_created")) {
        cw_value v[] = {cw_text(str(p, "username")),
                        cw_text(str(p, "staff_id")),
                        cw_text(str(p, "role")),
                        cw_text(""),
                        CW_INT(1),
                        cw_text(str(p, "expires_on")),
                        cw_text("")};
        cw_value off[] = {v[0], CW_INT(1), CW_NULL, CW_NULL}; /* an inspector's, proposed */
        rc = cw_store_run(a->s, CW_Q_ACCOUNT_PUT, v, 7, NULL, NULL, NULL, a->err);
        if (!rc && json_is_true(json_object_get(p, "disabled")))
            rc = cw_store_run(a->s, CW_Q_ACCOUNT_SET_STATUS, off, 4, NULL, NULL, NULL, a->err);
    } else if (!strcmp(type, "account_changed")) {
        const json_t *d = json_object_get(p, "disabled");
        cw_value v[] = {cw_text(str(p, "username")),
                        json_is_boolean(d) ? CW_INT(json_is_true(d)) : CW_NULL,
                        cw_text(str(p, "expires_on")), cw_text(str(p, "language"))};
        rc = cw_store_run(a->s, CW_Q_ACCOUNT_SET_STATUS, v, 4, NULL, NULL, NULL, a->err);
    } else if (!strcmp(type, "token_created")) {
        /* The token's hash is not in the log; the name stands in for it (both unique). */
        cw_value v[] = {cw_text(str(p, "name")), cw_text(str(p, "name")),
                        cw_text(str(p, "username")), cw_text(str(p, "scope")), cw_text("")};
        rc = cw_store_run(a->s, CW_Q_TOKEN_PUT, v, 5, NULL, NULL, NULL, a->err);
    } else if (!strcmp(type, "token_revoked")) {
        cw_value v[] = {cw_text(str(p, "name"))};
        rc = cw_store_run(a->s, CW_Q_TOKEN_REVOKE, v, 1, NULL, NULL, NULL, a->err);
    }
    if (rc)
        cw_error_prefix(a->err, "entry %" PRId64 ": ", c[0].i);
    json_decref(root);
    return rc;
}

cw_rc cw_casework_deep_verify(const char *db_path, cw_store_diff_fn fn, void *ctx,
                              cw_deep_report *r, cw_error *err)
{
    cw_store *s = NULL;
    memset(r, 0, sizeof *r);
    cw_rc rc = cw_store_open_scratch(db_path, &s, err);
    if (rc)
        return rc;
    acct_ctx a = {s, err};
    if (!(rc = cw_store_begin(s, err)) && !(rc = cw_store_entries_end(s, &r->size, err)) &&
        !(rc = cw_casework_replay(s, 0, r->size, err)) &&
        !(rc = cw_store_run(s, CW_Q_ENTRIES_ACCOUNTS, NULL, 0, account_entry, &a, NULL, err)))
        rc = cw_store_compare_read_model(s, fn, ctx, &r->rows, &r->differences, err);
    if (!rc && r->differences)
        rc = cw_error_set(err, CW_EVERIFY,
                          "the database's tables differ from the log in %" PRIu64 " row%s (listed "
                          "above): they were changed other than through the log",
                          r->differences, r->differences == 1 ? "" : "s");
    cw_store_rollback(s);
    cw_store_close(s);
    return rc;
}
