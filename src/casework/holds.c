/*
 * holds.c — legal holds (issue 13, docs/privacy.md "Retention"). A hold stops the
 * destruction of a child's record, or of every child's (an inquiry), while litigation,
 * an inquiry, a complaint or a police investigation may need it. Placing and lifting a
 * hold are events (legal_hold_placed, legal_hold_lifted), recorded by the head of
 * service or the data protection officer; the legal_holds projection says which are in
 * force. A hold is in force from the entry that places it until the entry that lifts it,
 * or until its `until` day has passed.
 *
 * While a hold covers a child, an erasure under the retention schedule or on a request
 * for erasure is refused, when proposed and again when approved (a hold placed after the
 * proposal). Rectification and recorded_in_error correct the record rather than destroy
 * it, so a hold does not stop them.
 */
#include <string.h>

#include "casework/casework_int.h"

static const char *str(const json_t *p, const char *k)
{
    return json_string_value(json_object_get(p, k));
}

/* The roles that may place and lift a hold: the head of service (for the council) and the
 * data protection officer (for the records). */
static int may_hold(const char *role)
{
    return !strcmp(role, "head_of_service") || !strcmp(role, "data_protection_officer");
}

static cw_rc need_holder(cw_ctx *c, cw_error *err)
{
    cw_staff_info me;
    cw_rc rc = cw_casework_staff(c->store, c->actor, &me, err);
    if (!rc && (!me.found || !may_hold(me.role)))
        rc = cw_error_key(err, CW_EFORBIDDEN, "hold_who", "actor", NULL, NULL);
    return rc;
}

typedef struct hold_row {
    int found, lifted;
    char child[65];
    char kind[32];
    cw_date placed;
} hold_row;

static cw_rc hold_get_row(void *ctx, const cw_value *c, size_t n)
{
    hold_row *h = ctx;
    char buf[16];
    if (n < 6)
        return CW_EDB;
    h->found = 1;
    cw_value_copy(&c[0], h->child, sizeof h->child);
    cw_value_copy(&c[1], h->kind, sizeof h->kind);
    if (cw_value_copy(&c[2], buf, sizeof buf) <= 0 || cw_date_parse(buf, strlen(buf), &h->placed))
        return CW_EDB;
    h->lifted = c[4].type != CW_V_NULL;
    return CW_OK;
}

static cw_rc hold_get(cw_store *s, const char *id, hold_row *h, cw_error *err)
{
    memset(h, 0, sizeof *h);
    cw_value k = cw_text(id);
    return cw_store_run(s, CW_Q_HOLD_GET, &k, 1, hold_get_row, h, NULL, err);
}

static cw_date date_of(const json_t *p, const char *k)
{
    const char *s = str(p, k);
    cw_date d = 0;
    if (s)
        cw_date_parse(s, strlen(s), &d);
    return d;
}

cw_rc cw_casework_check_hold_placed(cw_ctx *c, const json_t *p, cw_error *err)
{
    hold_row h;
    const char *id = str(p, "hold_id"), *child = str(p, "child_id");
    cw_rc rc = need_holder(c, err);
    if (!rc)
        rc = hold_get(c->store, id, &h, err);
    if (!rc && h.found)
        rc = cw_error_key(err, CW_EEXIST, "exists", "hold_id", id, NULL);
    if (!rc && child) {
        cw_child_info ci;
        if (!(rc = cw_casework_child(c->store, child, &ci, err)) && !ci.found)
            rc = cw_error_key(err, CW_ENOTFOUND, "no_child", "child_id", child, NULL);
    }
    if (!rc && str(p, "until") && date_of(p, "until") < date_of(p, "date"))
        rc = cw_error_key(err, CW_EINVAL, "until_before_hold", "until", str(p, "until"),
                          str(p, "date"));
    return rc;
}

cw_rc cw_casework_check_hold_lifted(cw_ctx *c, const json_t *p, cw_error *err)
{
    hold_row h;
    const char *id = str(p, "hold_id");
    cw_rc rc = need_holder(c, err);
    if (!rc)
        rc = hold_get(c->store, id, &h, err);
    if (!rc && !h.found)
        rc = cw_error_key(err, CW_ENOTFOUND, "no_hold", "hold_id", id, NULL);
    if (!rc && h.lifted)
        rc = cw_error_key(err, CW_EINVAL, "hold_lifted", "hold_id", id, NULL);
    if (!rc && date_of(p, "date") < h.placed) {
        char d[CW_DATE_LEN + 1];
        cw_date_format(h.placed, d);
        rc = cw_error_key(err, CW_EINVAL, "before_hold", "date", str(p, "date"), d);
    }
    return rc;
}

static cw_rc covering_row(void *ctx, const cw_value *c, size_t n)
{
    cw_legal_hold *h = ctx;
    char buf[16];
    if (h->found || n < 4)
        return CW_OK; /* the earliest placed */
    h->found = 1;
    cw_value_copy(&c[0], h->hold_id, sizeof h->hold_id);
    cw_value_copy(&c[1], h->kind, sizeof h->kind);
    if (cw_value_copy(&c[2], buf, sizeof buf) <= 0 || cw_date_parse(buf, strlen(buf), &h->since))
        return CW_EDB;
    h->every_child = c[3].type == CW_V_NULL;
    return CW_OK;
}

cw_rc cw_casework_hold_covering(cw_store *s, const char *child, cw_date on, cw_legal_hold *out,
                                cw_error *err)
{
    char day[CW_DATE_LEN + 1];
    memset(out, 0, sizeof *out);
    cw_date_format(on, day);
    cw_value v[] = {cw_text(child), cw_text(day)};
    return cw_store_run(s, CW_Q_HOLDS_COVERING, v, 2, covering_row, out, NULL, err);
}

cw_rc cw_casework_hold_allows(cw_store *s, const char *child, const char *basis, cw_date on,
                              cw_error *err)
{
    if (!basis || (strcmp(basis, "retention_schedule") && strcmp(basis, "erasure_request")))
        return CW_OK;
    cw_legal_hold h;
    cw_rc rc = cw_casework_hold_covering(s, child, on, &h, err);
    if (!rc && h.found) {
        char since[CW_DATE_LEN + 1];
        cw_date_format(h.since, since);
        rc = cw_error_set(err, CW_EFORBIDDEN,
                          "child_id: %s's record is under legal hold %s (%s%s) since %s: it "
                          "cannot be destroyed until the hold is lifted",
                          child, h.hold_id, h.kind, h.every_child ? ", every child" : "", since);
    }
    return rc;
}
