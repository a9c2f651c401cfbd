/*
 * improve.c — `caseward improve`: improvement plans after an inspection, from
 * the command line (docs/improvement.md). Each recording verb is one row of a
 * table (its event, and which option fills which field of the payload), so the
 * verbs and the catalogue cannot drift apart; the catalogue and the improvement
 * module check every entry, as they do for the API.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casework/casework.h"
#include "cli/cli.h"
#include "improve/improve.h"
#include "ledger/ledger.h"
#include "ledger/note.h"
#include "measures/report.h"
#include "rules/rules.h"
#include "util/file.h"
#include "util/json.h"
#include "util/sha256.h"
#include "util/time.h"

const char cli_improve_usage[] =
    "improve VERB --db PATH [--actor STAFF] [--date DATE] [options] (caseward improve --help)";

const char cli_improve_help[] =
    "Improvement plans after an inspection (docs/improvement.md). Each verb records one event\n"
    "as --actor (a member of staff; the director or the plan's board edit, an action's owner\n"
    "records its progress); --date is the day it happened (default today). Amounts are pounds\n"
    "and pence (1333333.33 or £1,333,333.33), held as integer pence.\n"
    "  inspection --id I --inspectorate ciw|ofsted|estyn|hiw|cqc|joint|other --title T\n"
    "             --started DATE --ended DATE [--published DATE] [--report-ref R]\n"
    "  finding    --id F --inspection I --theme T --severity serious_concern|priority_action|\n"
    "             area_for_improvement --text T\n"
    "  notice     --id N --inspection I --kind warning_notice|improvement_notice|\n"
    "             priority_action_notice|direction|other --issued-by WHO --issued DATE\n"
    "             [--plan-within WORKING_DAYS (20)] [--reviews 90d,6m,12m]\n"
    "  plan       --id P --title T --owner STAFF [--inspection I] [--notice N] [--due DATE]\n"
    "  board-add  --plan P --staff STAFF --role chair|member|observer\n"
    "  board-remove --plan P --staff STAFF --reason R\n"
    "  submit     --plan P --to WHO\n"
    "  recommend  --id R --plan P --text T [--findings F,F] [--audit-recommendation A]\n"
    "  point      --id PT --recommendation R --text T\n"
    "  action     --id A --point PT --text T --owner STAFF --due DATE [--depends-on A,A]\n"
    "  change     --action A [--owner STAFF] [--due DATE] [--depends-on A,A] --reason R\n"
    "  progress   --action A --note N [--blocked]\n"
    "  evidence   --id E --action A --title T (--measure M --target 85.0 [--direction\n"
    "             at_least|at_most] | --audit-report R | --document FILE)\n"
    "  complete   --action A --note N          (needs evidence; then awaits sign-off)\n"
    "  sign-off   --action A [--comment C]    (not by the action's owner)\n"
    "  return     --action A --reason R\n"
    "  fund       --id AL --plan P --source S --amount £ --reason R\n"
    "  fund-change --allocation AL --amount £ --reason R   (the allocation's new amount)\n"
    "  commit     --id C --action A --allocation AL --amount £ --reason R\n"
    "  commit-change --commitment C --amount £ --reason R  (the commitment's new amount)\n"
    "  spend      --id S --action A --allocation AL --amount £ --reason R [--reference INV]\n"
    "  reverse    --spend S --reason R\n"
    "Reading (no --actor):\n"
    "  show [--plan P] [--as-of DATE] [--json]   the plan as a task list, with RAG and budget\n"
    "  report --plan P [--kind board|minister] [--as-of DATE] [--json | --html FILE | --csv\n"
    "         FILE | --pdf FILE] [--lang en|cy]   the board's or minister's report for a day\n"
    "  issue --plan P --actor STAFF --recipients WHO [--id R] [--kind board|minister]\n"
    "         [--as-of DATE] [--html/--csv/--pdf FILE] [--measures-out FILE]: records the\n"
    "         report (improve_report_issued: its content's SHA-256 and figures)\n"
    "  verify --dir EXPORT --id R [--vkey FILE] [--measures NOTE]   check the export against\n"
    "         its signed checkpoint (--vkey: the council's verifier key, obtained\n"
    "         independently), rebuild the issued report's content from the log before it and\n"
    "         compare its SHA-256 and figures, and (--measures) the measure figures against the\n"
    "         signed measures report it used\n";

enum { O_DB, O_ACTOR, O_DATE, O_ASOF, O_JSON, O_BLOCKED, O_FIRST_FIELD };

/* Every option a verb may take, by name; the row's index is its slot in vals[]. */
static const char *const names[] = {"db",
                                    "actor",
                                    "date",
                                    "as-of",
                                    "json",
                                    "blocked",
                                    "id",
                                    "inspectorate",
                                    "title",
                                    "report-ref",
                                    "started",
                                    "ended",
                                    "published",
                                    "inspection",
                                    "theme",
                                    "severity",
                                    "text",
                                    "kind",
                                    "issued-by",
                                    "issued",
                                    "plan-within",
                                    "reviews",
                                    "plan",
                                    "owner",
                                    "notice",
                                    "due",
                                    "staff",
                                    "role",
                                    "reason",
                                    "to",
                                    "findings",
                                    "audit-recommendation",
                                    "recommendation",
                                    "point",
                                    "depends-on",
                                    "action",
                                    "note",
                                    "measure",
                                    "target",
                                    "direction",
                                    "audit-report",
                                    "document",
                                    "comment",
                                    "source",
                                    "amount",
                                    "allocation",
                                    "commitment",
                                    "spend",
                                    "reference",
                                    "recipients",
                                    "html",
                                    "csv",
                                    "pdf",
                                    "lang",
                                    "measures-out",
                                    "dir",
                                    "vkey",
                                    "measures",
                                    NULL};
#define NOPTS (sizeof names / sizeof names[0] - 1)

/* What an option fills: s text, d date, i whole number, l comma list, m money (pence). */
typedef struct fmap {
    const char *opt, *field;
    char kind;
    char req;
} fmap;

typedef struct verb {
    const char *name, *type;
    fmap f[9];
} verb;

static const verb verbs[] = {
    {"inspection",
     "improve_inspection_recorded",
     {{"id", "inspection_id", 's', 1},
      {"inspectorate", "inspectorate", 's', 1},
      {"title", "title", 's', 1},
      {"report-ref", "report_ref", 's', 0},
      {"started", "started", 'd', 1},
      {"ended", "ended", 'd', 1},
      {"published", "published", 'd', 0}}},
    {"finding",
     "improve_finding_recorded",
     {{"id", "finding_id", 's', 1},
      {"inspection", "inspection_id", 's', 1},
      {"theme", "theme", 's', 1},
      {"severity", "severity", 's', 1},
      {"text", "text", 's', 1}}},
    {"notice",
     "improve_notice_issued",
     {{"id", "notice_id", 's', 1},
      {"inspection", "inspection_id", 's', 1},
      {"kind", "kind", 's', 1},
      {"issued-by", "issued_by", 's', 1},
      {"issued", "issued", 'd', 1},
      {"plan-within", "plan_within", 'i', 0},
      {"reviews", "reviews", 'l', 0}}},
    {"plan",
     "improve_plan_created",
     {{"id", "plan_id", 's', 1},
      {"title", "title", 's', 1},
      {"owner", "owner_id", 's', 1},
      {"inspection", "inspection_id", 's', 0},
      {"notice", "notice_id", 's', 0},
      {"due", "due", 'd', 0}}},
    {"board-add",
     "improve_board_member_added",
     {{"plan", "plan_id", 's', 1}, {"staff", "staff_id", 's', 1}, {"role", "board_role", 's', 1}}},
    {"board-remove",
     "improve_board_member_removed",
     {{"plan", "plan_id", 's', 1}, {"staff", "staff_id", 's', 1}, {"reason", "reason", 's', 1}}},
    {"submit",
     "improve_plan_submitted",
     {{"plan", "plan_id", 's', 1}, {"to", "submitted_to", 's', 1}}},
    {"recommend",
     "improve_recommendation_added",
     {{"id", "recommendation_id", 's', 1},
      {"plan", "plan_id", 's', 1},
      {"text", "text", 's', 1},
      {"findings", "findings", 'l', 0},
      {"audit-recommendation", "audit_recommendation_id", 's', 0}}},
    {"point",
     "improve_point_added",
     {{"id", "point_id", 's', 1},
      {"recommendation", "recommendation_id", 's', 1},
      {"text", "text", 's', 1}}},
    {"action",
     "improve_action_added",
     {{"id", "action_id", 's', 1},
      {"point", "point_id", 's', 1},
      {"text", "text", 's', 1},
      {"owner", "owner_id", 's', 1},
      {"due", "due", 'd', 1},
      {"depends-on", "depends_on", 'l', 0}}},
    {"change",
     "improve_action_changed",
     {{"action", "action_id", 's', 1},
      {"owner", "owner_id", 's', 0},
      {"due", "due", 'd', 0},
      {"depends-on", "depends_on", 'l', 0},
      {"reason", "reason", 's', 1}}},
    {"progress",
     "improve_action_updated",
     {{"action", "action_id", 's', 1}, {"note", "note", 's', 1}}},
    {"evidence",
     "improve_evidence_added",
     {{"id", "evidence_id", 's', 1},
      {"action", "action_id", 's', 1},
      {"title", "title", 's', 1},
      {"measure", "measure_id", 's', 0},
      {"target", "target", 's', 0},
      {"direction", "direction", 's', 0},
      {"audit-report", "audit_report_id", 's', 0}}},
    {"complete",
     "improve_action_completed",
     {{"action", "action_id", 's', 1}, {"note", "note", 's', 1}}},
    {"sign-off",
     "improve_action_signed_off",
     {{"action", "action_id", 's', 1}, {"comment", "comment", 's', 0}}},
    {"return",
     "improve_action_returned",
     {{"action", "action_id", 's', 1}, {"reason", "reason", 's', 1}}},
    {"fund",
     "improve_funding_allocated",
     {{"id", "allocation_id", 's', 1},
      {"plan", "plan_id", 's', 1},
      {"source", "source", 's', 1},
      {"amount", "amount_pence", 'm', 1},
      {"reason", "reason", 's', 1}}},
    {"fund-change",
     "improve_funding_changed",
     {{"allocation", "allocation_id", 's', 1},
      {"amount", "amount_pence", 'm', 1},
      {"reason", "reason", 's', 1}}},
    {"commit",
     "improve_budget_committed",
     {{"id", "commitment_id", 's', 1},
      {"action", "action_id", 's', 1},
      {"allocation", "allocation_id", 's', 1},
      {"amount", "amount_pence", 'm', 1},
      {"reason", "reason", 's', 1}}},
    {"commit-change",
     "improve_commitment_changed",
     {{"commitment", "commitment_id", 's', 1},
      {"amount", "amount_pence", 'm', 1},
      {"reason", "reason", 's', 1}}},
    {"spend",
     "improve_spend_recorded",
     {{"id", "spend_id", 's', 1},
      {"action", "action_id", 's', 1},
      {"allocation", "allocation_id", 's', 1},
      {"amount", "amount_pence", 'm', 1},
      {"reason", "reason", 's', 1},
      {"reference", "reference", 's', 0}}},
    {"reverse",
     "improve_spend_reversed",
     {{"spend", "spend_id", 's', 1}, {"reason", "reason", 's', 1}}},
};
#define NVERBS (sizeof verbs / sizeof verbs[0])

typedef struct cli {
    const char *v[NOPTS];
    int json, blocked;
} cli;

static const char *opt_of(const cli *o, const char *name)
{
    for (size_t i = 0; i < NOPTS; i++)
        if (!strcmp(names[i], name))
            return o->v[i];
    return NULL;
}

/* Options given that the verb does not take are refused, naming them. */
static cw_rc only(const cli *o, const char *verb_name, const char *const *allowed, cw_error *err)
{
    for (size_t i = O_FIRST_FIELD; i < NOPTS; i++) {
        if (!o->v[i])
            continue;
        int ok = 0;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = !strcmp(*a, names[i]);
        if (!ok)
            return cw_error_set(err, CW_EUSAGE, "--%s is not an option of improve %s", names[i],
                                verb_name);
    }
    return CW_OK;
}

static json_t *list_of(const char *s)
{
    json_t *a = json_array();
    while (a && s && *s) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        json_array_append_new(a, json_stringn(s, n));
        s = e ? e + 1 : NULL;
    }
    return a;
}

static cw_date today(void)
{
    return (cw_date)(cw_time_now_ms() / 86400000);
}

static cw_rc day_opt(const char *s, const char *what, cw_date *d, cw_error *err)
{
    if (!s) {
        *d = today();
        return CW_OK;
    }
    return cli_parse_date(s, what, d, err);
}

/* Builds the verb's payload from the options. */
static cw_rc payload_of(const verb *vb, const cli *o, json_t *p, cw_error *err)
{
    const char *allowed[12] = {0};
    size_t na = 0;
    for (const fmap *f = vb->f; f->opt; f++)
        allowed[na++] = f->opt;
    if (!strcmp(vb->name, "evidence"))
        allowed[na++] = "document";
    cw_rc rc = only(o, vb->name, allowed, err);
    for (const fmap *f = vb->f; !rc && f->opt; f++) {
        const char *v = opt_of(o, f->opt);
        char what[40];
        snprintf(what, sizeof what, "--%s", f->opt);
        if (!v) {
            if (f->req)
                rc = cli_need(v, f->opt, err);
            continue;
        }
        json_t *x = NULL;
        if (f->kind == 's') {
            x = json_string(v);
            if (!x)
                rc = cw_error_set(err, CW_EUSAGE, "%s: is not valid UTF-8", what);
        } else if (f->kind == 'd') {
            cw_date d;
            if (!(rc = cli_parse_date(v, what, &d, err)))
                x = json_string(v);
        } else if (f->kind == 'i') {
            int64_t n;
            if (!(rc = cli_parse_i64(v, what, &n, err)))
                x = json_integer((json_int_t)n);
        } else if (f->kind == 'l') {
            x = list_of(v);
        } else if (f->kind == 'm') {
            cw_pence pence;
            if (!(rc = cw_improve_parse_pounds(v, &pence, err)))
                x = json_integer((json_int_t)pence);
            else
                cw_error_prefix(err, "--"); /* "amount: ..." names the option, --amount */
        }
        if (!rc && json_object_set_new(p, f->field, x))
            rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    }
    if (rc)
        return rc;
    if (!strcmp(vb->name, "notice") && !json_object_get(p, "plan_within"))
        json_object_set_new(p, "plan_within", json_integer(20));
    if (!strcmp(vb->name, "progress") && o->blocked)
        json_object_set_new(p, "blocked", json_true());
    if (!strcmp(vb->name, "evidence")) {
        const char *doc = opt_of(o, "document");
        int kinds = !!opt_of(o, "measure") + !!opt_of(o, "audit-report") + !!doc;
        if (kinds != 1)
            return cw_error_set(err, CW_EUSAGE,
                                "give one of --measure (with --target), --audit-report or "
                                "--document");
        if (opt_of(o, "measure")) {
            json_object_set_new(p, "kind", json_string("measure"));
            if (!opt_of(o, "direction"))
                json_object_set_new(p, "direction", json_string("at_least"));
        } else if (opt_of(o, "audit-report"))
            json_object_set_new(p, "kind", json_string("audit_report"));
        else {
            /* A document is kept by its SHA-256: the file itself stays where the council
             * keeps it. */
            cw_buf b = CW_BUF_INIT(1u << 30);
            char sha[65];
            if ((rc = cw_file_read(doc, &b, err)))
                return rc;
            cw_sha256_hex(b.data ? b.data : "", b.len, sha);
            cw_buf_release(&b);
            json_object_set_new(p, "kind", json_string("document"));
            json_object_set_new(p, "sha256", json_string(sha));
        }
    }
    return CW_OK;
}

static cw_rc record(const cli *o, const char *type, json_t *payload, cw_error *err)
{
    return cli_record(o->v[O_DB], o->v[O_ACTOR], type, payload, err);
}

static cw_rc do_verb(const verb *vb, const cli *o, cw_error *err)
{
    cw_date d;
    char day[CW_DATE_LEN + 1];
    cw_rc rc;
    if ((rc = cli_need(o->v[O_DB], "db", err)) || (rc = cli_need(o->v[O_ACTOR], "actor", err)) ||
        (rc = day_opt(o->v[O_DATE], "--date", &d, err)))
        return rc;
    json_t *p = json_object();
    cw_date_format(d, day);
    json_object_set_new(p, "date", json_string(day));
    if (!(rc = payload_of(vb, o, p, err)))
        rc = record(o, vb->type, p, err);
    json_decref(p);
    return rc;
}

/* ---- reading ---- */

typedef struct env {
    cw_ledger *l;
    cw_rule_pack *pack;
    cw_improve *st;
} env;

static void env_release(env *e)
{
    cw_improve_free(e->st);
    cw_rules_free(e->pack);
    cw_ledger_close(e->l);
}

static cw_rc env_open(env *e, const char *db, int write, cw_error *err)
{
    memset(e, 0, sizeof *e);
    cw_buf name = CW_BUF_INIT(64);
    cw_rc rc = cw_ledger_open(db, write ? CW_LEDGER_WRITE : CW_LEDGER_READONLY, &e->l, err);
    if (!rc)
        rc = write ? cw_casework_catch_up(e->l, err) : cw_casework_current(e->l, err);
    if (!rc) {
        const char *pack =
            cw_store_meta_get(cw_ledger_store(e->l), "rule_pack", &name, NULL) == CW_OK ? name.data
                                                                                        : "wales";
        rc = cw_rules_load_builtin(pack, &e->pack, err);
    }
    if (!rc)
        rc = cw_improve_load(cw_ledger_store(e->l), 0, &e->st, err);
    cw_buf_release(&name);
    if (rc)
        env_release(e);
    return rc;
}

static const cw_imp_plan *need_plan(const env *e, const char *id, cw_error *err)
{
    const cw_imp_plan *pl = NULL;
    if (id)
        pl = cw_improve_plan(e->st, id);
    else if (e->st->nplans)
        pl = &e->st->plans[e->st->nplans - 1];
    if (!pl)
        cw_error_set(err, CW_ENOTFOUND,
                     id ? "--plan: %s is not a recorded improvement plan"
                        : "no improvement plan is recorded%s",
                     id ? id : "");
    return pl;
}

static void print_plan(const json_t *pl)
{
    const json_t *c = json_object_get(pl, "counts"), *b = json_object_get(pl, "budget");
    printf("%s: %s\n", json_string_value(json_object_get(pl, "plan_id")),
           json_string_value(json_object_get(pl, "title")));
    const char *sub = json_string_value(json_object_get(pl, "submitted"));
    printf("owner %s; due %s; %s%s%s\n", json_string_value(json_object_get(pl, "owner_id")),
           json_string_value(json_object_get(pl, "due")), sub ? "submitted " : "NOT SUBMITTED",
           sub ? sub : "", json_is_true(json_object_get(pl, "late")) ? " (LATE)" : "");
    printf("on %s: %" JSON_INTEGER_FORMAT " actions, %" JSON_INTEGER_FORMAT
           " due, %" JSON_INTEGER_FORMAT " complete, %" JSON_INTEGER_FORMAT
           " late; red %" JSON_INTEGER_FORMAT ", amber %" JSON_INTEGER_FORMAT
           ", green %" JSON_INTEGER_FORMAT "\n",
           json_string_value(json_object_get(pl, "as_of")),
           json_integer_value(json_object_get(c, "actions")),
           json_integer_value(json_object_get(c, "due")),
           json_integer_value(json_object_get(c, "complete")),
           json_integer_value(json_object_get(c, "late")),
           json_integer_value(json_object_get(c, "red")),
           json_integer_value(json_object_get(c, "amber")),
           json_integer_value(json_object_get(c, "green")));
    const json_t *recs = json_object_get(pl, "recommendations");
    for (size_t r = 0; r < json_array_size(recs); r++) {
        const json_t *rec = json_array_get(recs, r), *pts = json_object_get(rec, "points");
        printf("%" JSON_INTEGER_FORMAT ". %s\n", json_integer_value(json_object_get(rec, "number")),
               json_string_value(json_object_get(rec, "text")));
        for (size_t p = 0; p < json_array_size(pts); p++) {
            const json_t *pt = json_array_get(pts, p), *acts = json_object_get(pt, "actions");
            printf("  %" JSON_INTEGER_FORMAT ".%" JSON_INTEGER_FORMAT " %s\n",
                   json_integer_value(json_object_get(rec, "number")),
                   json_integer_value(json_object_get(pt, "number")),
                   json_string_value(json_object_get(pt, "text")));
            for (size_t a = 0; a < json_array_size(acts); a++) {
                const json_t *x = json_array_get(acts, a);
                printf("    %-8s %-8s %-17s %s  %-12s %s (%s)\n",
                       json_string_value(json_object_get(x, "ref")),
                       json_string_value(json_object_get(x, "rag")),
                       json_string_value(json_object_get(x, "status")),
                       json_string_value(json_object_get(x, "due")),
                       json_string_value(json_object_get(x, "owner_id")),
                       json_string_value(json_object_get(x, "text")),
                       json_string_value(json_object_get(x, "action_id")));
            }
        }
    }
    printf("budget: allocated %s, committed %s, spent %s, uncommitted %s, overspend %s\n",
           json_string_value(json_object_get(json_object_get(b, "allocated"), "pounds")),
           json_string_value(json_object_get(json_object_get(b, "committed"), "pounds")),
           json_string_value(json_object_get(json_object_get(b, "spent"), "pounds")),
           json_string_value(json_object_get(json_object_get(b, "uncommitted"), "pounds")),
           json_string_value(json_object_get(json_object_get(b, "overspend"), "pounds")));
}

static cw_rc do_show(const cli *o, cw_error *err)
{
    static const char *const allowed[] = {"plan", NULL};
    env e;
    cw_date as_of;
    cw_rc rc;
    if ((rc = only(o, "show", allowed, err)) || (rc = cli_need(o->v[O_DB], "db", err)) ||
        (rc = day_opt(o->v[O_ASOF], "--as-of", &as_of, err)) ||
        (rc = env_open(&e, o->v[O_DB], 0, err)))
        return rc;
    const cw_imp_plan *pl = need_plan(&e, opt_of(o, "plan"), err);
    if (!pl)
        rc = err ? err->code : CW_ENOTFOUND;
    json_t *j = pl ? cw_improve_plan_json(e.st, pl, cw_improve_calendar(), as_of) : NULL;
    if (j && o->json) {
        json_dumpf(j, stdout, JSON_INDENT(1) | JSON_SORT_KEYS);
        printf("\n");
    } else if (j)
        print_plan(j);
    json_decref(j);
    env_release(&e);
    return rc;
}

/* The report's content for the plan on as_of, from e (measures at its latest checkpoint). */
static cw_rc content_of(env *e, const cw_imp_plan *pl, const char *kind, cw_date as_of,
                        json_t **content, json_t **measures_report, cw_error *err)
{
    json_t *lines = NULL, *summary = NULL;
    cw_improve *dated = NULL;
    *content = NULL;
    *measures_report = NULL;
    /* The plan as it stood on the day: entries dated after it left out. */
    cw_rc rc =
        cw_improve_load_upto(cw_ledger_store(e->l), cw_ledger_size(e->l), as_of, &dated, err);
    const cw_imp_plan *then = rc ? NULL : cw_improve_plan(dated, pl->id);
    if (!rc && !then)
        rc = cw_error_set(err, CW_ENOTFOUND, "plan %s was not yet created on that day", pl->id);
    if (!rc)
        rc = cw_improve_measures(e->l, e->pack, cw_improve_calendar(), dated, pl->id, as_of, &lines,
                                 measures_report, err);
    if (!rc && *measures_report && !(summary = cw_improve_measures_summary(*measures_report)))
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    if (!rc)
        rc = cw_improve_report_content(dated, then, kind, as_of, cw_improve_calendar(),
                                       cw_ledger_size(e->l), lines, summary, content);
    json_decref(lines);
    json_decref(summary);
    cw_improve_free(dated);
    return rc;
}

static cw_rc outputs(const cli *o, const json_t *content, cw_error *err)
{
    const char *lang = opt_of(o, "lang");
    cw_rc rc = CW_OK;
    if (lang && strcmp(lang, "en") && strcmp(lang, "cy"))
        return cw_error_set(err, CW_EUSAGE, "--lang: give en or cy");
    cw_buf b = CW_BUF_INIT(1 << 24);
    if (opt_of(o, "csv") && !(rc = cw_improve_report_csv(content, &b)))
        rc = cli_write_private(opt_of(o, "csv"), &b, err);
    cw_buf_reset(&b);
    if (!rc && (opt_of(o, "html") || opt_of(o, "pdf")) &&
        !(rc = cw_improve_report_html(content, lang, &b)))
        rc = cli_html_and_pdf(opt_of(o, "html"), opt_of(o, "pdf"), &b, err);
    cw_buf_release(&b);
    return rc;
}

static cw_rc kind_of(const cli *o, const char **kind, cw_error *err)
{
    *kind = opt_of(o, "kind") ? opt_of(o, "kind") : "board";
    if (strcmp(*kind, "board") && strcmp(*kind, "minister"))
        return cw_error_set(err, CW_EUSAGE, "--kind: give board or minister");
    return CW_OK;
}

static cw_rc do_report(const cli *o, cw_error *err)
{
    static const char *const allowed[] = {"plan", "kind", "html", "csv", "pdf", "lang", NULL};
    env e;
    cw_date as_of;
    const char *kind;
    cw_rc rc;
    if ((rc = only(o, "report", allowed, err)) || (rc = cli_need(o->v[O_DB], "db", err)) ||
        (rc = kind_of(o, &kind, err)) || (rc = day_opt(o->v[O_ASOF], "--as-of", &as_of, err)) ||
        (rc = env_open(&e, o->v[O_DB], 0, err)))
        return rc;
    json_t *content = NULL, *mr = NULL;
    const cw_imp_plan *pl = need_plan(&e, opt_of(o, "plan"), err);
    rc = pl ? content_of(&e, pl, kind, as_of, &content, &mr, err) : err ? err->code : CW_ENOTFOUND;
    char sha[65] = "";
    if (!rc)
        rc = cw_improve_report_hash(content, sha);
    if (!rc)
        rc = outputs(o, content, err);
    if (!rc && o->json) {
        json_dumpf(content, stdout, JSON_INDENT(1) | JSON_SORT_KEYS);
        printf("\n");
    } else if (!rc)
        printf("%s report of plan %s on %s: content SHA-256 %s (not issued)\n", kind, pl->id,
               json_string_value(json_object_get(content, "as_of")), sha);
    json_decref(content);
    json_decref(mr);
    env_release(&e);
    return rc;
}

static cw_rc do_issue(const cli *o, const char *db_path, cw_error *err)
{
    static const char *const allowed[] = {"plan", "kind", "html",       "csv",          "pdf",
                                          "lang", "id",   "recipients", "measures-out", NULL};
    env e;
    cw_date as_of, d;
    const char *kind;
    cw_rc rc;
    if ((rc = only(o, "issue", allowed, err)) || (rc = cli_need(o->v[O_DB], "db", err)) ||
        (rc = cli_need(o->v[O_ACTOR], "actor", err)) ||
        (rc = cli_need(opt_of(o, "recipients"), "recipients", err)) ||
        (rc = kind_of(o, &kind, err)) || (rc = day_opt(o->v[O_ASOF], "--as-of", &as_of, err)) ||
        (rc = day_opt(o->v[O_DATE], "--date", &d, err)) || (rc = env_open(&e, o->v[O_DB], 1, err)))
        return rc;
    json_t *lines = NULL, *mr = NULL, *summary = NULL, *content = NULL, *p = NULL;
    const cw_imp_plan *pl = need_plan(&e, opt_of(o, "plan"), err);
    char plan_id[65] = "", sha[65] = "", msha[65] = "", id[256], day[CW_DATE_LEN + 1];
    uint64_t idx = 0, size = 0;
    if (!pl)
        rc = err ? err->code : CW_ENOTFOUND;
    else
        snprintf(plan_id, sizeof plan_id, "%s", pl->id);
    /* The measures at the latest checkpoint, before the batch (they read their own moment). */
    cw_improve *dated = NULL;
    if (!rc && !(rc = cw_improve_load(cw_ledger_store(e.l), as_of, &dated, err)))
        rc = cw_improve_measures(e.l, e.pack, cw_improve_calendar(), dated, plan_id, as_of, &lines,
                                 &mr, err);
    cw_improve_free(dated);
    if (!rc && mr &&
        (!(summary = cw_improve_measures_summary(mr)) || cw_improve_measures_sha256(mr, msha)))
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    if (!rc && opt_of(o, "measures-out") && mr) {
        cw_buf note = CW_BUF_INIT(CW_NOTE_MAX_BYTES);
        if (!(rc = cw_measures_sign(db_path, mr, &note, err)))
            rc = cw_file_write_atomic(opt_of(o, "measures-out"), note.data, note.len, 0600, 0, err);
        cw_buf_release(&note);
    }
    /* The plan folded inside the batch: the content is of exactly the log before the report. */
    if (!rc && !(rc = cw_casework_begin(e.l, err))) {
        cw_improve *st = NULL;
        if (!(rc = cw_improve_load(cw_ledger_store(e.l), as_of, &st, err)) &&
            !cw_improve_plan(st, plan_id))
            rc =
                cw_error_set(err, CW_ENOTFOUND, "plan %s was not yet created on that day", plan_id);
        if (!rc &&
            !(rc = cw_improve_report_content(st, cw_improve_plan(st, plan_id), kind, as_of,
                                             cw_improve_calendar(), cw_ledger_size(e.l), lines,
                                             summary, &content)) &&
            !(rc = cw_improve_report_hash(content, sha))) {
            if (opt_of(o, "id"))
                snprintf(id, sizeof id, "%s", opt_of(o, "id"));
            else {
                cw_date_format(as_of, day);
                snprintf(id, sizeof id, "%s-%s-%s", plan_id, kind, day);
            }
            cw_date_format(d, day);
            p = json_pack(
                "{ss ss ss ss ss ss ss so sI}", "report_id", id, "plan_id", plan_id, "date", day,
                "kind", kind, "as_of", json_string_value(json_object_get(content, "as_of")),
                "recipients", opt_of(o, "recipients"), "content_sha256", sha, "figures",
                cw_improve_report_figures(content), "log_size", (json_int_t)cw_ledger_size(e.l));
            if (p && msha[0])
                json_object_set_new(p, "measures_sha256", json_string(msha));
            cw_event ev = {o->v[O_ACTOR], "improve_report_issued", p};
            rc = p ? cw_casework_submit(e.l, &ev, &idx, err)
                   : cw_error_set(err, CW_ENOMEM, "out of memory");
        }
        cw_improve_free(st);
        if (rc)
            cw_casework_abort(e.l);
        else
            rc = cw_casework_commit(e.l, &size, err);
    }
    if (!rc)
        rc = outputs(o, content, err);
    if (!rc)
        printf("issued %s report %s of plan %s on %s as entry %" PRIu64 ": content SHA-256 %s\n",
               kind, id, plan_id, json_string_value(json_object_get(content, "as_of")), idx, sha);
    else
        cw_error_prefix(err, "nothing issued: ");
    json_decref(p);
    json_decref(lines);
    json_decref(mr);
    json_decref(summary);
    json_decref(content);
    env_release(&e);
    return rc;
}

/*
 * The signed measures report a board report used: signed by the council's key (vkey, else the
 * export's own), its canonical JSON the one whose SHA-256 the report recorded, and each measure
 * line's numerator and denominator the report's own for that measure.
 */
static cw_rc check_measures(const char *dir, const char *vkey, const char *file,
                            const json_t *figures, cw_error *err)
{
    cw_buf note = CW_BUF_INIT(CW_NOTE_MAX_BYTES), path = CW_BUF_INIT(4096), own = CW_BUF_INIT(4096);
    cw_note_verifier v;
    size_t text_len = 0;
    json_t *report = NULL;
    char sha[65] = "";
    cw_rc rc = CW_OK;
    if (!vkey && !(rc = cw_buf_addf(&path, "%s/vkey", dir)) &&
        !(rc = cw_file_read(path.data, &own, err)))
        vkey = own.data ? own.data : "";
    if (!rc && !(rc = cw_file_read(file, &note, err)) &&
        !(rc = cw_note_verifier_parse(vkey, strlen(vkey), &v, err)) &&
        !(rc = cw_note_open(&v, note.data ? note.data : "", note.len, &text_len, err))) {
        json_error_t jerr;
        report = text_len ? json_loadb(note.data, text_len - 1, 0, &jerr) : NULL;
        if (!report)
            rc = cw_error_set(err, CW_EVERIFY, "--measures: %s is not a measures report", file);
    }
    const json_t *said = json_object_get(figures, "measures_report");
    if (!rc)
        cw_sha256_hex(note.data, text_len - 1, sha);
    if (!rc && strcmp(sha, json_string_value(json_object_get(said, "sha256"))
                               ? json_string_value(json_object_get(said, "sha256"))
                               : ""))
        rc = cw_error_set(err, CW_EVERIFY,
                          "--measures: %s is not the measures report the board report used", file);
    const json_t *lines = json_object_get(figures, "measure_lines");
    const json_t *ms = json_object_get(report, "measures");
    for (size_t i = 0; !rc && i < json_array_size(lines); i++) {
        const json_t *l = json_array_get(lines, i), *m = NULL;
        for (size_t k = 0; !m && k < json_array_size(ms); k++)
            if (json_equal(json_object_get(json_array_get(ms, k), "id"),
                           json_object_get(l, "measure_id")))
                m = json_array_get(ms, k);
        if (!m || !json_equal(json_object_get(m, "numerator"), json_object_get(l, "numerator")) ||
            !json_equal(json_object_get(m, "denominator"), json_object_get(l, "denominator")))
            rc = cw_error_set(err, CW_EVERIFY, "measure %s DIFFERS from the signed measures report",
                              json_string_value(json_object_get(l, "measure_id")));
    }
    json_decref(report);
    cw_buf_release(&note);
    cw_buf_release(&path);
    cw_buf_release(&own);
    return rc;
}

/* Rebuilds an issued report's content from an export and compares its SHA-256. */
static cw_rc do_verify(const cli *o, cw_error *err)
{
    static const char *const allowed[] = {"dir", "id", "vkey", "measures", NULL};
    const char *dir = opt_of(o, "dir"), *id = opt_of(o, "id");
    cw_rc rc;
    uint64_t n = 0;
    cw_buf key = CW_BUF_INIT(4096);
    if ((rc = only(o, "verify", allowed, err)) || (rc = cli_need(dir, "dir", err)) ||
        (rc = cli_need(id, "id", err)))
        return rc;
    if (opt_of(o, "vkey"))
        rc = cw_file_read(opt_of(o, "vkey"), &key, err);
    else
        printf("note: the key came from the export itself and was not pinned; pass --vkey with "
               "the council's key, obtained independently, to rule out a re-signed export\n");
    if (!rc)
        rc = cw_improve_export_verified(dir, opt_of(o, "vkey") ? (key.data ? key.data : "") : NULL,
                                        &n, err);
    cw_improve *all = NULL, *st = NULL;
    if (rc || (rc = cw_improve_load_export(dir, n, 0, &all, err)))
        return rc;
    const cw_imp_report *r = NULL;
    for (size_t i = 0; i < all->nreports; i++)
        if (!strcmp(all->reports[i].id, id))
            r = &all->reports[i];
    if (!r) {
        cw_improve_free(all);
        return cw_error_set(err, CW_ENOTFOUND, "--id: %s is not a report issued in this export",
                            id);
    }
    /* The figures it recorded hold the measure lines it was made with. */
    json_t *content = NULL, *figures = NULL;
    char sha[65] = "";
    json_t *issued = NULL;
    rc = cw_improve_export_entry(dir, r->idx, &issued, err);
    figures = rc ? NULL : json_incref(json_object_get(issued, "figures"));
    json_decref(issued);
    if (!rc)
        rc = cw_improve_load_export(dir, r->log_size, r->as_of, &st, err);
    const cw_imp_plan *pl = st ? cw_improve_plan(st, r->plan) : NULL;
    if (!rc && !pl)
        rc = cw_error_set(err, CW_EVERIFY,
                          "plan %s is not in the export's first %" PRIu64 " entries", r->plan,
                          r->log_size);
    if (!rc) {
        const json_t *ms = json_object_get(figures, "measures_report");
        rc = cw_improve_report_content(st, pl, r->kind, r->as_of, cw_improve_calendar(),
                                       r->log_size, json_object_get(figures, "measure_lines"),
                                       json_is_object(ms) ? ms : NULL, &content);
    }
    if (!rc)
        rc = cw_improve_report_hash(content, sha);
    if (!rc && strcmp(sha, r->content_sha256))
        rc = cw_error_set(err, CW_EVERIFY,
                          "report %s DIFFERS: issued with content SHA-256 %s, the export's log "
                          "gives %s",
                          id, r->content_sha256, sha);
    /* The figures it recorded are the content's: counts and pence cannot be made up. */
    json_t *again = rc ? NULL : cw_improve_report_figures(content);
    if (!rc && !json_equal(again, figures))
        rc = cw_error_set(err, CW_EVERIFY,
                          "report %s DIFFERS: the figures it recorded are not its content's", id);
    json_decref(again);
    /* The measure figures it used, against the signed measures report (--measures NOTE). */
    if (!rc && opt_of(o, "measures"))
        rc = check_measures(dir, opt_of(o, "vkey") ? (key.data ? key.data : "") : NULL,
                            opt_of(o, "measures"), figures, err);
    else if (!rc && json_array_size(json_object_get(figures, "measure_lines")))
        printf("note: the measure figures were not checked; pass --measures with the signed "
               "measures report written by caseward improve issue --measures-out\n");
    if (!rc)
        printf("report %s of plan %s on %s: the same (content SHA-256 %s, from %" PRIu64
               " entries)\n",
               id, r->plan, json_string_value(json_object_get(content, "as_of")), sha, r->log_size);
    json_decref(content);
    json_decref(figures);
    cw_buf_release(&key);
    cw_improve_free(st);
    cw_improve_free(all);
    return rc;
}

cw_rc cli_improve(args *a, cw_error *err)
{
    if (a->argc < 1)
        return cw_error_set(err, CW_EUSAGE, "give a verb (caseward improve --help)");
    const char *name = a->argv[0];
    args rest = {a->argc - 1, a->argv + 1};
    cli o;
    memset(&o, 0, sizeof o);
    opt opts[NOPTS + 1];
    for (size_t i = 0; i < NOPTS; i++) {
        opts[i].name = names[i];
        opts[i].value = i == O_JSON || i == O_BLOCKED ? NULL : &o.v[i];
        opts[i].flag = i == O_JSON ? &o.json : i == O_BLOCKED ? &o.blocked : NULL;
    }
    opts[NOPTS] = (opt){NULL, NULL, NULL};
    int np;
    cw_rc rc = cli_parse_opts(&rest, opts, NULL, 0, &np, err);
    if (rc)
        return rc;
    if (!strcmp(name, "show"))
        return do_show(&o, err);
    if (!strcmp(name, "report"))
        return do_report(&o, err);
    if (!strcmp(name, "issue"))
        return do_issue(&o, o.v[O_DB], err);
    if (!strcmp(name, "verify"))
        return do_verify(&o, err);
    for (size_t i = 0; i < NVERBS; i++)
        if (!strcmp(verbs[i].name, name)) {
            if (o.blocked && strcmp(name, "progress"))
                return cw_error_set(err, CW_EUSAGE, "--blocked is an option of improve progress");
            return do_verb(&verbs[i], &o, err);
        }
    return cw_error_set(err, CW_EUSAGE, "unknown verb \"%.32s\" (caseward improve --help)", name);
}
