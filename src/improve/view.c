/*
 * view.c — a folded plan as JSON, the one shape that the API, the web pages,
 * the CLI and the board report all read (docs/improvement.md, "The plan as
 * JSON"). Money is in integer pence, with the pounds beside it as text; RAG
 * ratings and statuses are derived on the day asked for.
 */
#include <stdio.h>
#include <string.h>

#include "improve/improve.h"

static json_t *day_json(cw_date d)
{
    char s[CW_DATE_LEN + 1];
    if (!d)
        return json_null();
    cw_date_format(d, s);
    return json_string(s);
}

static json_t *text_json(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *id_json(const char *s)
{
    return s && s[0] ? json_string(s) : json_null();
}

json_t *cw_improve_money_json(cw_pence p)
{
    char s[32];
    cw_improve_pounds(p, s);
    return json_pack("{sI ss}", "pence", (json_int_t)p, "pounds", s);
}

static int set(json_t *o, const char *k, json_t *v)
{
    return json_object_set_new(o, k, v ? v : json_null());
}

json_t *cw_improve_inspection_json(const cw_improve *st, const cw_imp_inspection *in)
{
    json_t *o = json_object(), *fs = json_array(), *ns = json_array();
    set(o, "inspection_id", json_string(in->id));
    set(o, "inspectorate", json_string(in->inspectorate));
    set(o, "title", text_json(in->title));
    set(o, "report_ref", text_json(in->report_ref));
    set(o, "started", day_json(in->started));
    set(o, "ended", day_json(in->ended));
    set(o, "published", day_json(in->published));
    for (size_t i = 0; i < st->nfindings; i++) {
        const cw_imp_finding *f = &st->findings[i];
        if (strcmp(f->inspection, in->id))
            continue;
        json_t *x = json_object();
        set(x, "finding_id", json_string(f->id));
        set(x, "number", json_integer(f->number));
        set(x, "theme", json_string(f->theme));
        set(x, "severity", json_string(f->severity));
        set(x, "text", text_json(f->text));
        json_array_append_new(fs, x);
    }
    for (size_t i = 0; i < st->nnotices; i++) {
        const cw_imp_notice *n = &st->notices[i];
        if (strcmp(n->inspection, in->id))
            continue;
        json_t *x = json_object(), *rv = json_array();
        set(x, "notice_id", json_string(n->id));
        set(x, "kind", json_string(n->kind));
        set(x, "issued_by", text_json(n->issued_by));
        set(x, "issued", day_json(n->issued));
        set(x, "plan_within", json_integer(n->plan_within));
        set(x, "plan_due", day_json(n->plan_due));
        for (size_t r = 0; r < n->nreviews; r++)
            json_array_append_new(rv, json_pack("{ss so}", "review", n->reviews[r], "due",
                                                day_json(n->review_due[r])));
        set(x, "reviews", rv);
        json_array_append_new(ns, x);
    }
    set(o, "findings", fs);
    set(o, "notices", ns);
    return o;
}

static json_t *evidence_json(const cw_improve *st, const char *action_id)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < st->nevidence; i++) {
        const cw_imp_evidence *e = &st->evidence[i];
        if (strcmp(e->action, action_id))
            continue;
        json_t *x = json_object();
        set(x, "evidence_id", json_string(e->id));
        set(x, "kind", json_string(e->kind));
        set(x, "title", text_json(e->title));
        set(x, "date", day_json(e->date));
        set(x, "by", json_string(e->by));
        if (!strcmp(e->kind, "measure")) {
            char t[24];
            snprintf(t, sizeof t, "%lld.%lld", (long long)(e->target / 10),
                     (long long)(e->target % 10));
            set(x, "measure_id", json_string(e->measure));
            set(x, "target", json_string(t));
            set(x, "direction", json_string(e->direction));
        } else if (!strcmp(e->kind, "audit_report"))
            set(x, "audit_report_id", json_string(e->audit_report));
        else
            set(x, "sha256", json_string(e->sha256));
        json_array_append_new(arr, x);
    }
    return arr;
}

json_t *cw_improve_action_json(const cw_improve *st, const cw_imp_action *a, const cw_calendar *cal,
                               cw_date as_of)
{
    const char *why = NULL;
    cw_rag r = cw_improve_rag(st, a, cal, as_of, &why);
    json_t *o = json_object(), *deps = json_array();
    const cw_imp_point *pt = NULL;
    const cw_imp_recommendation *rec = NULL;
    for (size_t i = 0; i < st->npoints && !pt; i++)
        if (!strcmp(st->points[i].id, a->point))
            pt = &st->points[i];
    for (size_t i = 0; pt && i < st->nrecommendations && !rec; i++)
        if (!strcmp(st->recommendations[i].id, pt->recommendation))
            rec = &st->recommendations[i];
    char ref[32];
    snprintf(ref, sizeof ref, "%d.%d.%d", rec ? rec->number : 0, pt ? pt->number : 0, a->number);
    set(o, "action_id", json_string(a->id));
    set(o, "ref", json_string(ref));
    set(o, "plan_id", json_string(a->plan));
    set(o, "point_id", json_string(a->point));
    set(o, "recommendation_id", id_json(rec ? rec->id : NULL));
    set(o, "text", text_json(a->text));
    set(o, "owner_id", json_string(a->owner));
    set(o, "set_on", day_json(a->set_on));
    set(o, "due", day_json(a->due));
    set(o, "first_due", day_json(a->first_due));
    set(o, "status", json_string(cw_improve_status_name(a->status)));
    set(o, "rag", json_string(cw_improve_rag_name(r)));
    set(o, "rag_reason", json_string(why));
    set(o, "blocked", json_boolean(a->blocked));
    set(o, "note", text_json(a->note));
    set(o, "noted_on", day_json(a->noted_on));
    set(o, "completed_on", day_json(a->completed_on));
    set(o, "completed_by", id_json(a->completed_by));
    set(o, "signed_off_on", day_json(a->signed_off_on));
    set(o, "signed_off_by", id_json(a->signed_off_by));
    set(o, "returned", json_integer(a->returned));
    set(o, "replanned", json_integer(a->replanned));
    for (size_t i = 0; i < a->ndeps; i++) {
        const cw_imp_action *d = cw_improve_action(st, a->deps[i]);
        int done = d && d->status == CW_IMP_COMPLETE && d->signed_off_on <= as_of;
        json_array_append_new(deps, json_pack("{ss sb so}", "action_id", a->deps[i], "complete",
                                              done, "due", day_json(d ? d->due : 0)));
    }
    set(o, "depends_on", deps);
    set(o, "evidence", evidence_json(st, a->id));
    set(o, "committed", cw_improve_money_json(a->committed));
    set(o, "spent", cw_improve_money_json(a->spent));
    set(o, "variance", cw_improve_money_json(a->committed - a->spent));
    return o;
}

json_t *cw_improve_budget_json(const cw_improve *st, const char *plan_id)
{
    cw_improve_budget b;
    cw_improve_budget_of(st, plan_id, &b);
    json_t *o = json_object(), *al = json_array();
    set(o, "allocated", cw_improve_money_json(b.allocated));
    set(o, "committed", cw_improve_money_json(b.committed));
    set(o, "spent", cw_improve_money_json(b.spent));
    set(o, "uncommitted", cw_improve_money_json(b.uncommitted));
    set(o, "unspent", cw_improve_money_json(b.unspent));
    set(o, "overspend", cw_improve_money_json(b.overspend));
    set(o, "overspent_actions", json_integer((json_int_t)b.overspent_actions));
    for (size_t i = 0; i < st->nallocations; i++) {
        const cw_imp_allocation *a = &st->allocations[i];
        if (strcmp(a->plan, plan_id))
            continue;
        json_t *x = json_object();
        set(x, "allocation_id", json_string(a->id));
        set(x, "source", text_json(a->source));
        set(x, "amount", cw_improve_money_json(a->amount));
        set(x, "committed", cw_improve_money_json(a->committed));
        set(x, "spent", cw_improve_money_json(a->spent));
        set(x, "uncommitted", cw_improve_money_json(a->amount - a->committed));
        set(x, "unspent", cw_improve_money_json(a->amount - a->spent));
        json_array_append_new(al, x);
    }
    set(o, "allocations", al);
    return o;
}

json_t *cw_improve_money_history_json(const cw_improve *st, const char *plan_id)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < st->nmoney; i++) {
        const cw_imp_money_change *m = &st->money[i];
        if (strcmp(m->plan, plan_id))
            continue;
        json_t *x = json_object();
        set(x, "entry", json_integer((json_int_t)m->idx));
        set(x, "date", day_json(m->date));
        set(x, "by", json_string(m->by));
        set(x, "type", json_string(m->type));
        set(x, "id", json_string(m->id));
        set(x, "before", cw_improve_money_json(m->before));
        set(x, "after", cw_improve_money_json(m->after));
        set(x, "reason", text_json(m->reason));
        json_array_append_new(arr, x);
    }
    return arr;
}

json_t *cw_improve_plan_json(const cw_improve *st, const cw_imp_plan *pl, const cw_calendar *cal,
                             cw_date as_of)
{
    json_t *o = json_object(), *recs = json_array(), *board = json_array(), *counts = json_object();
    size_t rag[4] = {0}, total = 0, due = 0, late = 0;
    set(o, "plan_id", json_string(pl->id));
    set(o, "title", text_json(pl->title));
    set(o, "inspection_id", id_json(pl->inspection));
    set(o, "notice_id", id_json(pl->notice));
    set(o, "owner_id", json_string(pl->owner));
    set(o, "created", day_json(pl->created));
    set(o, "due", day_json(pl->due));
    set(o, "submitted", day_json(pl->submitted));
    set(o, "submitted_to", text_json(pl->submitted_to));
    set(o, "as_of", day_json(as_of));
    /* The plan's own deadline: late once the day after it passes unsubmitted. */
    /* As it stood on as_of: a plan submitted after that day was not yet submitted then. */
    int sent = pl->submitted && pl->submitted <= as_of;
    set(o, "late", json_boolean(sent ? pl->submitted > pl->due : as_of > pl->due));
    for (size_t i = 0; i < st->nmembers; i++) {
        const cw_imp_member *m = &st->members[i];
        if (strcmp(m->plan, pl->id))
            continue;
        json_array_append_new(board, json_pack("{ss ss so so}", "staff_id", m->staff, "board_role",
                                               m->role, "from", day_json(m->from), "until",
                                               day_json(m->until)));
    }
    set(o, "board", board);
    for (size_t r = 0; r < st->nrecommendations; r++) {
        const cw_imp_recommendation *rec = &st->recommendations[r];
        if (strcmp(rec->plan, pl->id))
            continue;
        json_t *x = json_object(), *pts = json_array(), *fs = json_array();
        set(x, "recommendation_id", json_string(rec->id));
        set(x, "number", json_integer(rec->number));
        set(x, "text", text_json(rec->text));
        set(x, "audit_recommendation_id", id_json(rec->audit_recommendation));
        for (size_t f = 0; f < rec->nfindings; f++)
            json_array_append_new(fs, json_string(rec->findings[f]));
        set(x, "findings", fs);
        for (size_t p = 0; p < st->npoints; p++) {
            const cw_imp_point *pt = &st->points[p];
            if (strcmp(pt->recommendation, rec->id))
                continue;
            json_t *y = json_object(), *acts = json_array();
            set(y, "point_id", json_string(pt->id));
            set(y, "number", json_integer(pt->number));
            set(y, "text", text_json(pt->text));
            for (size_t a = 0; a < st->nactions; a++) {
                const cw_imp_action *ac = &st->actions[a];
                if (strcmp(ac->point, pt->id))
                    continue;
                cw_rag g = cw_improve_rag(st, ac, cal, as_of, NULL);
                rag[g]++;
                total++;
                due += ac->due <= as_of;
                late += g == CW_RAG_RED;
                json_array_append_new(acts, cw_improve_action_json(st, ac, cal, as_of));
            }
            set(y, "actions", acts);
            json_array_append_new(pts, y);
        }
        set(x, "points", pts);
        json_array_append_new(recs, x);
    }
    set(o, "recommendations", recs);
    json_t *reports = json_array();
    for (size_t i = 0; i < st->nreports; i++) {
        const cw_imp_report *r = &st->reports[i];
        if (strcmp(r->plan, pl->id))
            continue;
        json_t *x = json_object();
        set(x, "report_id", json_string(r->id));
        set(x, "kind", json_string(r->kind));
        set(x, "as_of", day_json(r->as_of));
        set(x, "date", day_json(r->date));
        set(x, "by", json_string(r->by));
        set(x, "recipients", text_json(r->recipients));
        set(x, "content_sha256", json_string(r->content_sha256));
        set(x, "measures_sha256", id_json(r->measures_sha256));
        set(x, "log_size", json_integer((json_int_t)r->log_size));
        set(x, "entry", json_integer((json_int_t)r->idx));
        json_array_append_new(reports, x);
    }
    set(o, "reports", reports);
    set(counts, "actions", json_integer((json_int_t)total));
    set(counts, "due", json_integer((json_int_t)due));
    set(counts, "complete", json_integer((json_int_t)rag[CW_RAG_COMPLETE]));
    set(counts, "late", json_integer((json_int_t)late));
    set(counts, "red", json_integer((json_int_t)rag[CW_RAG_RED]));
    set(counts, "amber", json_integer((json_int_t)rag[CW_RAG_AMBER]));
    set(counts, "green", json_integer((json_int_t)rag[CW_RAG_GREEN]));
    set(o, "counts", counts);
    set(o, "budget", cw_improve_budget_json(st, pl->id));
    return o;
}
