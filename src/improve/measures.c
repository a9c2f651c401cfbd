/*
 * measures.c — a measure-backed action's figures against its target
 * (docs/improvement.md, "Measures against targets"), computed from the log by
 * the measures module, never typed in.
 *
 * The figure is the measure over the three months to the report's day (a
 * rolling quarter, so a small council's monthly figures do not swing on a
 * handful of children); the trend is the same rolling quarter ending at each
 * of the six monthly steps back from that day, oldest first. The latest
 * window is also the signed measures report the figures came from
 * (measures/report.h): its checkpoint and the SHA-256 of its canonical JSON go
 * into the board report, so an inspector can check both against an export.
 */
#include <stdio.h>
#include <string.h>

#include "improve/improve.h"
#include "measures/report.h"
#include "util/json.h"
#include "util/sha256.h"

#define TREND_POINTS 6

/* numerator/denominator in tenths, rounded half up, from integers only (as the measures print). */
static int64_t tenths(const char *unit, int64_t num, int64_t den)
{
    int64_t scale = unit && !strcmp(unit, "percent") ? 1000 : 10;
    return (2 * scale * num + den) / (2 * den);
}

static const json_t *figure(const json_t *measures, const char *id, int64_t *v, int *has)
{
    *has = 0;
    for (size_t i = 0; i < json_array_size(measures); i++) {
        const json_t *m = json_array_get(measures, i);
        if (strcmp(json_string_value(json_object_get(m, "id")), id))
            continue;
        json_int_t num = json_integer_value(json_object_get(m, "numerator"));
        json_int_t den = json_integer_value(json_object_get(m, "denominator"));
        if (den > 0) {
            *v = tenths(json_string_value(json_object_get(m, "unit")), num, den);
            *has = 1;
        }
        return m;
    }
    return NULL;
}

static json_t *tenths_json(int64_t v)
{
    char s[32];
    snprintf(s, sizeof s, "%s%lld.%lld", v < 0 ? "-" : "", (long long)(v < 0 ? -v : v) / 10,
             (long long)(v < 0 ? -v : v) % 10);
    return json_string(s);
}

static int met(const char *direction, int64_t v, int64_t target)
{
    return !strcmp(direction, "at_most") ? v <= target : v >= target;
}

cw_rc cw_improve_measures(cw_ledger *l, const cw_rule_pack *pack, const cw_calendar *cal,
                          const cw_improve *st, const char *plan_id, cw_date as_of, json_t **lines,
                          json_t **report, cw_error *err)
{
    *lines = json_array();
    *report = NULL;
    size_t wanted = 0;
    for (size_t i = 0; i < st->nevidence; i++) {
        const cw_imp_action *a = cw_improve_action(st, st->evidence[i].action);
        wanted += a && !strcmp(a->plan, plan_id) && !strcmp(st->evidence[i].kind, "measure");
    }
    if (!*lines)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    if (!wanted)
        return CW_OK;
    cw_measure_set *m = NULL;
    json_t *windows[TREND_POINTS] = {0};
    cw_rc rc = cw_measures_load_builtin(pack, &m, err);
    /* windows[0] is the latest: the three months to as_of. */
    for (int w = 0; !rc && w < TREND_POINTS; w++) {
        cw_date to = w ? cw_date_add_months(as_of, -w) : as_of;
        cw_measures_query q = {cw_date_add_months(to, -3) + 1, to, NULL, NULL, -1};
        rc = cw_measures_report(l, m, pack, cal, &q, &windows[w], NULL, err);
    }
    for (size_t i = 0; !rc && i < st->nevidence; i++) {
        const cw_imp_evidence *e = &st->evidence[i];
        const cw_imp_action *a = cw_improve_action(st, e->action);
        if (!a || strcmp(a->plan, plan_id) || strcmp(e->kind, "measure"))
            continue;
        int64_t v = 0;
        int has = 0;
        const json_t *latest = json_object_get(windows[0], "measures");
        const json_t *def = figure(latest, e->measure, &v, &has);
        json_t *line = json_object(), *trend = json_array();
        json_object_set_new(line, "action_id", json_string(a->id));
        json_object_set_new(line, "evidence_id", json_string(e->id));
        json_object_set_new(line, "measure_id", json_string(e->measure));
        json_object_set_new(line, "known", json_boolean(def != NULL));
        json_object_set_new(line, "title",
                            def ? json_incref(json_object_get(def, "title")) : json_null());
        json_object_set_new(line, "title_cy",
                            def ? json_incref(json_object_get(def, "title_cy")) : json_null());
        json_object_set_new(line, "unit",
                            def ? json_incref(json_object_get(def, "unit")) : json_null());
        json_object_set_new(line, "target", tenths_json(e->target));
        json_object_set_new(line, "direction", json_string(e->direction));
        json_object_set_new(line, "numerator",
                            def ? json_incref(json_object_get(def, "numerator")) : json_null());
        json_object_set_new(line, "denominator",
                            def ? json_incref(json_object_get(def, "denominator")) : json_null());
        json_object_set_new(line, "value", has ? tenths_json(v) : json_null());
        json_object_set_new(line, "on_target",
                            has ? json_boolean(met(e->direction, v, e->target)) : json_null());
        for (int w = TREND_POINTS - 1; w >= 0; w--) {
            int64_t tv = 0;
            int th = 0;
            figure(json_object_get(windows[w], "measures"), e->measure, &tv, &th);
            json_array_append_new(trend, json_pack("{sO sO so}", "from",
                                                   json_object_get(windows[w], "from"), "to",
                                                   json_object_get(windows[w], "to"), "value",
                                                   th ? tenths_json(tv) : json_null()));
        }
        json_object_set_new(line, "trend", trend);
        json_array_append_new(*lines, line);
    }
    if (!rc) {
        *report = windows[0];
        windows[0] = NULL;
    }
    for (int w = 0; w < TREND_POINTS; w++)
        json_decref(windows[w]);
    cw_measures_free(m);
    if (rc) {
        json_decref(*lines);
        *lines = NULL;
    }
    return rc;
}

cw_rc cw_improve_measures_sha256(const json_t *report, char out[65])
{
    cw_buf b = CW_BUF_INIT(1 << 24);
    cw_rc rc = cw_json_write_canonical(report, &b);
    if (!rc)
        cw_sha256_hex(b.data, b.len, out);
    cw_buf_release(&b);
    return rc;
}
