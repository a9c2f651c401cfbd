/*
 * report.c — see report.h. The live figures and an inspector's recomputation
 * run the same computation (compute.c) over the same tables: the live ones as
 * the server keeps them, the recomputed ones rebuilt by caseward's own replay
 * from nothing but the exported entries. So the two agree bit for bit, and a
 * difference means the database and the log disagree, or the report was
 * changed.
 */
#include "measures/report.h"

#include <errno.h>
#include <sodium.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casework/casework.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "util/file.h"
#include "util/json.h"

static cw_rc applied_row(void *ctx, const cw_value *c, size_t n)
{
    if (n >= 1 && c[0].type == CW_V_INT)
        *(int64_t *)ctx = c[0].i;
    return CW_OK;
}

static json_t *build(const cw_measures_result *r, const cw_measure_set *m, const cw_rule_pack *p,
                     const cw_measures_query *q, const cw_checkpoint *cp, uint64_t children)
{
    char from[CW_DATE_LEN + 1], to[CW_DATE_LEN + 1];
    cw_date_format(q->from, from);
    cw_date_format(q->to, to);
    cw_buf root = CW_BUF_INIT(64);
    if (cw_base64_encode(cp->root, CW_HASH_LEN, &root))
        return NULL;
    json_t *figures = cw_measures_figures(r);
    json_t *o = figures ? json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:{s:s, s:I, s:s}, s:I, s:o}",
                                    "report", "caseward measures", "version", 1, "pack",
                                    cw_rules_name(p), "definitions", cw_measures_digest(m), "from",
                                    from, "to", to, "checkpoint", "origin", cp->origin, "size",
                                    (json_int_t)cp->size, "root_hash", root.data, "children",
                                    (json_int_t)children, "measures", figures)
                        : NULL;
    if (o && q->team)
        json_object_set_new(o, "team", json_string(q->team));
    if (o && q->area)
        json_object_set_new(o, "area", json_string(q->area));
    cw_buf_release(&root);
    return o;
}

cw_rc cw_measures_report(cw_ledger *l, const cw_measure_set *m, const cw_rule_pack *p,
                         const cw_calendar *cal, const cw_measures_query *q, json_t **report,
                         cw_measures_result **result, cw_error *err)
{
    *report = NULL;
    if (result)
        *result = NULL;
    cw_store *s = cw_ledger_store(l);
    cw_buf note = CW_BUF_INIT(CW_NOTE_MAX_BYTES);
    cw_measures_result *r = NULL;
    cw_checkpoint cp;
    uint64_t size = 0;
    int64_t applied = -1;
    size_t text_len = 0;
    /* One read transaction: the checkpoint and the tables of the same moment. */
    cw_rc rc = cw_store_begin_read(s, err);
    if (rc)
        return rc;
    if ((rc = cw_store_checkpoint_latest(s, &note, &size, err)) == CW_ENOTFOUND)
        rc = cw_error_set(err, rc, "the log has no checkpoint yet: nothing to report");
    if (!rc)
        rc = cw_note_open(cw_ledger_verifier(l), note.data, note.len, &text_len, err);
    if (!rc)
        rc = cw_checkpoint_parse(note.data, text_len, &cp, err);
    if (!rc)
        rc = cw_store_run(s, CW_Q_PROJECTION_APPLIED, NULL, 0, applied_row, &applied, NULL, err);
    if (!rc && (applied < 0 || (uint64_t)applied != cp.size))
        rc = cw_error_set(err, CW_EVERIFY,
                          "the casework tables cover %lld of the %" PRIu64
                          " entries of the latest checkpoint; run caseward rebuild (or let the "
                          "server catch up) and try again",
                          (long long)applied, cp.size);
    if (!rc)
        rc = cw_measures_compute(s, m, p, cal, q, &r, err);
    cw_store_rollback(s);
    if (!rc && !(*report = build(r, m, p, q, &cp, cw_measures_children(r))))
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    if (!rc && result)
        *result = r;
    else
        cw_measures_result_free(r);
    cw_buf_release(&note);
    return rc;
}

cw_rc cw_measures_sign(const char *db_path, const json_t *report, cw_buf *note, cw_error *err)
{
    cw_buf path = CW_BUF_INIT(4096), key = CW_BUF_INIT(4096), text = CW_BUF_INIT(CW_NOTE_MAX_BYTES);
    cw_note_signer signer;
    memset(&signer, 0, sizeof signer);
    cw_rc rc = cw_ledger_key_path(db_path, &path, err);
    if (!rc)
        rc = cw_file_read(path.data, &key, err);
    if (!rc)
        rc = cw_note_signer_parse(key.data ? key.data : "", key.len, &signer, err);
    if (!rc && (cw_json_write_canonical(report, &text) || cw_buf_add(&text, "\n", 1)))
        rc = cw_error_set(err, CW_ETOOBIG,
                          "the report is larger than a signed note may be (%d "
                          "bytes); ask for fewer figures (a team, say)",
                          CW_NOTE_MAX_BYTES);
    if (!rc)
        rc = cw_note_sign(&signer, text.data, text.len, note, err);
    cw_note_signer_release(&signer);
    if (key.data)
        sodium_memzero(key.data, key.len);
    cw_buf_release(&key);
    cw_buf_release(&path);
    cw_buf_release(&text);
    return rc;
}

/* ---- recomputation from an export ---- */

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static cw_rc bad_report(cw_error *err, const char *what)
{
    return cw_error_set(err, CW_EINVAL, "the measures report is not one caseward wrote: %s", what);
}

/* Reads the first `size` entries of the export into the scratch store, checking that they hash
 * to the report's root. */
static cw_rc load_export(const char *dir, cw_store *s, const cw_checkpoint *cp, cw_error *err)
{
    uint8_t root[CW_HASH_LEN];
    uint64_t n = 0;
    cw_rc rc = cw_ledger_export_load(dir, s, cp->size, &n, root, err);
    if (!rc && n < cp->size)
        rc = cw_error_set(err, CW_EVERIFY,
                          "the export holds %" PRIu64 " entries, fewer than the %" PRIu64
                          " the report was computed from",
                          n, cp->size);
    if (!rc && memcmp(root, cp->root, CW_HASH_LEN))
        rc = cw_error_set(err, CW_EVERIFY,
                          "the report's checkpoint is not in this export: its first %" PRIu64
                          " entries do not hash to the report's root",
                          cp->size);
    return rc;
}

static void text_of(const json_t *v, char *out, size_t cap)
{
    cw_buf b = CW_BUF_INIT(cap);
    if (!v)
        snprintf(out, cap, "(none)");
    else if (cw_json_write_canonical(v, &b) == CW_OK && b.data)
        snprintf(out, cap, "%s", b.data);
    else
        snprintf(out, cap, "(unprintable)");
    cw_buf_release(&b);
}

static void differ(cw_measures_check *c, cw_measures_diff_fn fn, void *ctx, const char *id,
                   const char *what, const json_t *reported, const json_t *recomputed)
{
    char a[200], b[200];
    text_of(reported, a, sizeof a);
    text_of(recomputed, b, sizeof b);
    c->differences++;
    if (fn)
        fn(ctx, id, what, a, b);
}

/* Compares the reported figures with the recomputed ones, field by field. */
static void compare(json_t *reported, json_t *recomputed, cw_measures_diff_fn fn, void *ctx,
                    cw_measures_check *c)
{
    static const char *const top[] = {"report", "version", "pack",     "definitions", "from", "to",
                                      "team",   "area",    "children", "checkpoint",  NULL};
    for (const char *const *k = top; *k; k++)
        if (!json_equal(json_object_get(reported, *k), json_object_get(recomputed, *k)) &&
            (json_object_get(reported, *k) || json_object_get(recomputed, *k)))
            differ(c, fn, ctx, "(report)", *k, json_object_get(reported, *k),
                   json_object_get(recomputed, *k));
    json_t *ra = json_object_get(reported, "measures"),
           *ca = json_object_get(recomputed, "measures");
    /* Nothing beside what caseward writes: no member of its own, no measure twice. */
    const char *key;
    json_t *v;
    json_object_foreach(reported, key, v)
    {
        if (!json_object_get(recomputed, key))
            differ(c, fn, ctx, "(report)", key, v, NULL);
    }
    if (!json_is_array(ra) || json_array_size(ra) != json_array_size(ca)) {
        json_t *n = json_integer((json_int_t)json_array_size(ra)),
               *m = json_integer((json_int_t)json_array_size(ca));
        differ(c, fn, ctx, "(report)", "measures (how many)", n, m);
        json_decref(n);
        json_decref(m);
    }
    for (size_t i = 0; i < json_array_size(ca); i++) {
        json_t *cm = json_array_get(ca, i), *rm = NULL;
        const char *id = str(cm, "id");
        for (size_t j = 0; j < json_array_size(ra) && !rm; j++)
            if (str(json_array_get(ra, j), "id") && !strcmp(str(json_array_get(ra, j), "id"), id))
                rm = json_array_get(ra, j);
        c->figures++;
        if (!rm) {
            differ(c, fn, ctx, id, "is missing from the report", NULL,
                   json_object_get(cm, "value"));
            continue;
        }
        json_object_foreach(cm, key, v)
        {
            if (!json_equal(v, json_object_get(rm, key)))
                differ(c, fn, ctx, id, key, json_object_get(rm, key), v);
        }
        json_object_foreach(rm, key, v)
        {
            if (!json_object_get(cm, key))
                differ(c, fn, ctx, id, key, v, NULL);
        }
    }
    for (size_t j = 0; j < json_array_size(ra); j++) {
        const char *id = str(json_array_get(ra, j), "id");
        int found = 0;
        for (size_t i = 0; i < json_array_size(ca) && !found; i++)
            found = id && !strcmp(str(json_array_get(ca, i), "id"), id);
        if (!found)
            differ(c, fn, ctx, id ? id : "(no id)", "is not a measure of this pack",
                   json_object_get(json_array_get(ra, j), "value"), NULL);
    }
}

cw_rc cw_measures_recompute(const char *dir, const char *note, size_t len,
                            const cw_note_verifier *v, cw_measures_diff_fn fn, void *ctx,
                            cw_measures_check *out, cw_error *err)
{
    memset(out, 0, sizeof *out);
    size_t text_len = 0;
    cw_rc rc = cw_note_open(v, note, len, &text_len, err);
    if (rc == CW_EVERIFY)
        return cw_error_set(err, rc,
                            "the measures report is not signed by the log's key (%s): it was "
                            "changed, or signed by another log",
                            v->name);
    if (rc) {
        cw_error_prefix(err, "the measures report: ");
        return rc;
    }
    json_error_t jerr;
    json_t *rep = json_loadb(note, text_len, JSON_REJECT_DUPLICATES, &jerr);
    const json_t *ck = json_object_get(rep, "checkpoint");
    cw_checkpoint cp;
    memset(&cp, 0, sizeof cp);
    cw_date from = 0, to = 0;
    if (!json_is_object(rep) || !str(rep, "report") ||
        strcmp(str(rep, "report"), "caseward measures"))
        rc = bad_report(err, "it does not say \"caseward measures\"");
    else if (!str(ck, "origin") || !json_is_integer(json_object_get(ck, "size")) ||
             !str(ck, "root_hash") ||
             cw_base64_decode_exact(str(ck, "root_hash"), strlen(str(ck, "root_hash")), cp.root,
                                    CW_HASH_LEN) ||
             json_integer_value(json_object_get(ck, "size")) < 0)
        rc = bad_report(err, "its checkpoint is malformed");
    else if (!str(rep, "from") || !str(rep, "to") ||
             cw_date_parse(str(rep, "from"), strlen(str(rep, "from")), &from) ||
             cw_date_parse(str(rep, "to"), strlen(str(rep, "to")), &to))
        rc = bad_report(err, "its period is malformed");
    else if (strcmp(str(ck, "origin"), v->name))
        rc = cw_error_set(err, CW_EVERIFY, "the report is for the log %s, the export is of %s",
                          str(ck, "origin"), v->name);
    if (!rc) {
        snprintf(cp.origin, sizeof cp.origin, "%s", str(ck, "origin"));
        cp.size = (uint64_t)json_integer_value(json_object_get(ck, "size"));
        out->size = cp.size;
    }
    cw_rule_pack *pack = NULL;
    cw_measure_set *m = NULL;
    cw_calendar cal;
    memset(&cal, 0, sizeof cal);
    cw_store *s = NULL;
    cw_measures_result *r = NULL;
    json_t *mine = NULL;
    if (!rc && !str(rep, "pack"))
        rc = bad_report(err, "it names no rule pack");
    if (!rc)
        rc = cw_rules_load_builtin(str(rep, "pack"), &pack, err);
    if (!rc)
        rc = cw_measures_load_builtin(pack, &m, err);
    if (!rc && (!str(rep, "definitions") || strcmp(str(rep, "definitions"), cw_measures_digest(m))))
        rc = cw_error_set(err, CW_EVERIFY,
                          "the report was computed with other definitions (rule pack, measures "
                          "or calendar) than this caseward's built-in %s ones: its figures "
                          "cannot be recomputed here",
                          str(rep, "pack"));
    if (!rc)
        rc = cw_calendar_load_default(&cal, err);
    if (!rc)
        rc = cw_store_open_scratch(NULL, &s, err);
    if (!rc && !(rc = cw_store_begin(s, err))) {
        if (!(rc = load_export(dir, s, &cp, err)))
            rc = cw_casework_replay(s, 0, cp.size, err);
        if (!rc) {
            cw_measures_query q = {from, to, str(rep, "team"), str(rep, "area"), -1};
            if (!(rc = cw_measures_compute(s, m, pack, &cal, &q, &r, err)) &&
                !(mine = build(r, m, pack, &q, &cp, cw_measures_children(r))))
                rc = cw_error_set(err, CW_ENOMEM, "out of memory");
        }
        cw_store_rollback(s);
    }
    if (!rc) {
        compare(rep, mine, fn, ctx, out);
        /* The last word: the report must be exactly the one caseward writes for the figures
         * the export gives (the same measures in the same order, and nothing else). */
        if (!out->differences && !json_equal(rep, mine))
            differ(out, fn, ctx, "(report)", "is not the report these figures make", NULL, NULL);
        if (out->differences)
            rc = cw_error_set(err, CW_EVERIFY,
                              "%zu of the report's figures differ from those recomputed from the "
                              "export (listed above)",
                              out->differences);
    }
    json_decref(mine);
    cw_measures_result_free(r);
    cw_store_close(s);
    cw_calendar_release(&cal);
    cw_measures_free(m);
    cw_rules_free(pack);
    json_decref(rep);
    return rc;
}
