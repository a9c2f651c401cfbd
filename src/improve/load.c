/*
 * load.c — the plans folded from a store's improve_* entries or from an
 * exported log, and the check that casework's catalogue calls before an
 * improve_* entry is recorded (registered by cw_improve_register).
 *
 * A check folds the entries recorded so far, those earlier in the same batch
 * included (they are in the write's transaction), so a batch that creates a
 * plan and its first actions is checked as if they came one by one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casework/casework.h"
#include "improve/improve.h"
#include "ledger/ledger.h"
#include "measures/measures.h"
#include "rules/rules.h"

/* Folds one leaf: its type, actor, recorded day and payload. Leaves of other types are
 * skipped (the export holds every entry). */
static cw_rc fold_leaf(cw_improve *st, uint64_t idx, const char *leaf, size_t len, cw_date dated_to,
                       cw_error *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(leaf, len, 0, &jerr);
    const char *type = json_string_value(json_object_get(root, "type"));
    const char *actor = json_string_value(json_object_get(root, "actor"));
    const char *at = json_string_value(json_object_get(root, "recorded_at"));
    /* History moved from another system says when that system recorded it: a claim, which the
     * log keeps beside its own time (ledger/entry.h), and the day that counts here. */
    const char *claim =
        json_string_value(json_object_get(json_object_get(root, "source"), "recorded_at"));
    cw_date recorded = 0;
    cw_rc rc = CW_OK;
    if (claim)
        at = claim;
    if (!root || !type || !actor || !at || strlen(at) < CW_DATE_LEN ||
        cw_date_parse(at, CW_DATE_LEN, &recorded))
        rc = cw_error_set(err, CW_EVERIFY, "entry %llu cannot be read back",
                          (unsigned long long)idx);
    else if (!cw_casework_is_improve(type))
        rc = CW_OK;
    else if (dated_to && recorded > dated_to)
        rc = CW_OK; /* not yet recorded on the day asked for */
    else if ((rc = cw_improve_fold(st, idx, type, actor, recorded, json_object_get(root, "payload"),
                                   err)) &&
             dated_to && rc != CW_ENOMEM) {
        /* A history moved in may claim an entry recorded before the one it names: on such a day
         * it is left out, not believed broken. The whole log still folds, or nothing is shown
         * (dated_to 0). */
        cw_error_clear(err);
        rc = CW_OK;
    }
    json_decref(root);
    return rc;
}

typedef struct loading {
    cw_improve *st;
    cw_date dated_to;
    cw_error *err;
} loading;

static cw_rc entry_row(void *ctx, const cw_value *c, size_t n)
{
    loading *l = ctx;
    if (n < 2 || c[1].type != CW_V_BLOB)
        return cw_error_set(l->err, CW_EDB, "an improvement entry is unreadable");
    return fold_leaf(l->st, (uint64_t)c[0].i, c[1].s, c[1].len, l->dated_to, l->err);
}

cw_rc cw_improve_load(cw_store *s, cw_date dated_to, cw_improve **out, cw_error *err)
{
    return cw_improve_load_upto(s, UINT64_MAX, dated_to, out, err);
}

cw_rc cw_improve_load_upto(cw_store *s, uint64_t size, cw_date dated_to, cw_improve **out,
                           cw_error *err)
{
    *out = cw_improve_new();
    if (!*out)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    loading l = {*out, dated_to, err};
    cw_value below = CW_INT(size > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)size);
    cw_rc rc = cw_store_run(s, CW_Q_IMPROVE_ENTRIES, &below, 1, entry_row, &l, NULL, err);
    if (rc) {
        cw_improve_free(*out);
        *out = NULL;
    }
    return rc;
}

cw_rc cw_improve_load_export(const char *dir, uint64_t size, cw_date dated_to, cw_improve **out,
                             cw_error *err)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/entries.jsonl", dir) >= sizeof path)
        return cw_error_set(err, CW_EINVAL, "%s: the path is too long", dir);
    FILE *f = fopen(path, "rb");
    if (!f)
        return cw_error_set(err, errno == ENOENT ? CW_ENOTFOUND : CW_EIO, "%s: %s", path,
                            strerror(errno));
    *out = cw_improve_new();
    cw_rc rc = *out ? CW_OK : cw_error_set(err, CW_ENOMEM, "out of memory");
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    for (uint64_t idx = 0; !rc && (!size || idx < size) && (got = getline(&line, &cap, f)) > 0;
         idx++) {
        if (line[got - 1] != '\n')
            break;
        /* Only improvement entries are parsed: the rest of a council's log is skipped cheaply. */
        if (!strstr(line, "\"type\":\"improve_"))
            continue;
        rc = fold_leaf(*out, idx, line, (size_t)got - 1, dated_to, err);
    }
    free(line);
    fclose(f);
    if (rc) {
        cw_improve_free(*out);
        *out = NULL;
    }
    return rc;
}

cw_rc cw_improve_export_verified(const char *dir, const char *vkey, uint64_t *size, cw_error *err)
{
    cw_store *s = NULL;
    uint8_t root[CW_HASH_LEN];
    cw_rc rc = cw_store_open_scratch(NULL, &s, err);
    if (!rc && !(rc = cw_store_begin(s, err))) {
        if (!(rc = cw_ledger_export_load(dir, s, UINT64_MAX, size, root, err)))
            rc = cw_ledger_export_check(dir, vkey, *size, root, err);
        cw_store_rollback(s);
    }
    cw_store_close(s);
    return rc;
}

cw_rc cw_improve_export_entry(const char *dir, uint64_t idx, json_t **payload, cw_error *err)
{
    char path[4096];
    *payload = NULL;
    if ((size_t)snprintf(path, sizeof path, "%s/entries.jsonl", dir) >= sizeof path)
        return cw_error_set(err, CW_EINVAL, "%s: the path is too long", dir);
    FILE *f = fopen(path, "rb");
    if (!f)
        return cw_error_set(err, errno == ENOENT ? CW_ENOTFOUND : CW_EIO, "%s: %s", path,
                            strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t got = 0;
    for (uint64_t i = 0; i <= idx && (got = getline(&line, &cap, f)) > 0; i++)
        ;
    json_error_t jerr;
    json_t *root = got > 0 ? json_loadb(line, (size_t)got, 0, &jerr) : NULL;
    if (root && json_is_object(json_object_get(root, "payload")))
        *payload = json_incref(json_object_get(root, "payload"));
    json_decref(root);
    free(line);
    fclose(f);
    return *payload ? CW_OK
                    : cw_error_set(err, CW_EVERIFY, "entry %llu of the export cannot be read",
                                   (unsigned long long)idx);
}

/* ---- the check casework calls ---- */

static cw_rc staff_of(void *ctx, const char *id, int *in_post, char role[32], char manager[65],
                      cw_error *err)
{
    cw_staff_info si;
    cw_rc rc = cw_casework_staff(ctx, id, &si, err);
    *in_post = !rc && si.found && !si.left;
    snprintf(role, 32, "%s", rc ? "" : si.role);
    snprintf(manager, 65, "%s", rc ? "" : si.manager);
    return rc;
}

static cw_rc audit_report_of(void *ctx, const char *id, int *issued, cw_error *err)
{
    cw_value k = cw_text(id);
    return cw_store_exists(ctx, CW_Q_AUDIT_REPORT_GET, &k, 1, issued, err);
}

static cw_rc audit_recommendation_of(void *ctx, const char *id, int *exists, cw_error *err)
{
    cw_value k = cw_text(id);
    return cw_store_exists(ctx, CW_Q_AUDIT_RECOMMENDATION_GET, &k, 1, exists, err);
}

/* Whether the council's pack (meta rule_pack, else wales) has a measure with this id: its file's
 * measures and one per obligation rule (measures/measures.h). */
static cw_rc measure_of(void *ctx, const char *id, int *known, cw_error *err)
{
    cw_buf name = CW_BUF_INIT(64);
    cw_rule_pack *pack = NULL;
    cw_measure_set *m = NULL;
    const char *pn = cw_store_meta_get(ctx, "rule_pack", &name, NULL) == CW_OK ? name.data : NULL;
    cw_rc rc = cw_rules_load_builtin(pn ? pn : "wales", &pack, err);
    if (!rc)
        rc = cw_measures_load_builtin(pack, &m, err);
    *known = !rc && cw_measures_find(m, id) >= 0;
    cw_measures_free(m);
    cw_rules_free(pack);
    cw_buf_release(&name);
    return rc;
}

static cw_rc check(const cw_casework_improve_call *call, const char *type, const json_t *payload,
                   cw_error *err)
{
    cw_improve *st = NULL;
    cw_staff_info si;
    cw_rc rc = cw_casework_staff(call->store, call->actor, &si, err);
    if (rc)
        return rc;
    if ((rc = cw_improve_load(call->store, 0, &st, err)))
        return rc;
    cw_improve_env env = {staff_of,   audit_report_of, audit_recommendation_of,
                          measure_of, call->store,     cw_improve_calendar()};
    cw_improve_who who = {call->actor, si.found ? si.role : "", si.found && !si.left};
    rc = cw_improve_check(st, &env, &who, type, payload, call->recorded, err);
    /* The fold must take it too: what it refuses would make the log unreadable. */
    if (!rc && (rc = cw_improve_fold(st, call->idx, type, call->actor, call->recorded, payload,
                                     err)) == CW_EVERIFY)
        rc = err ? (err->code = CW_EINVAL) : CW_EINVAL; /* the entry is refused, the log is whole */
    cw_improve_free(st);
    return rc;
}

cw_rc cw_improve_register(cw_error *err)
{
    if (!cw_improve_calendar())
        return cw_error_set(err, CW_EINVAL, "the working-day calendar cannot be loaded");
    cw_casework_set_improve(check);
    return CW_OK;
}
