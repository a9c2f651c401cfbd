/*
 * audit.c — `caseward audit`: case-file audits from the command line
 * (docs/audits.md). Each subcommand that records something builds one event
 * and appends it as the catalogue checks it (src/casework/audits.c), in one
 * batch: refused, nothing is written. The actor is --actor, a member of staff.
 * Nothing printed here is personal data: identifiers, grades and counts.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casework/casework.h"
#include "cli/cli.h"
#include "ledger/ledger.h"
#include "quality/audit.h"
#include "util/file.h"
#include "util/time.h"

const char cli_audit_usage[] = "audit (programme|sample|add|moderate|grade|complete|finding|"
                               "recommend|action|issue|acknowledge|report|redraw|verify) ...";

const char cli_audit_help[] =
    "Case-file audits (docs/audits.md). Each subcommand takes --db PATH and, when it records,\n"
    "--actor STAFF (the member of staff who records it) and --date DATE (default today):\n"
    "  programme --id P --title T --starts D --ends D --auditors A,B [--scope TEXT]\n"
    "            [--framework standard|ofsted|FILE] [--commissioned-by STAFF]\n"
    "            [--area-manager STAFF]   create a programme (its framework's themes and\n"
    "            grade scale are recorded with it)\n"
    "  sample --programme P --seed S --size N [--minimum M] [--teams T,U]\n"
    "         [--case-types child_protection,looked_after,care_and_support]\n"
    "            draw a reproducible stratified random sample of open cases (not restricted,\n"
    "            none audited in the last 12 months), each given an independent auditor\n"
    "            (never the --actor drawing it)\n"
    "  add --programme P --child C --auditor A --reason TEXT   add a case by hand\n"
    "  moderate --programme P --child C --moderator M   name a second auditor to moderate\n"
    "  grade --programme P --child C --theme T (--grade N | --not-applicable)\n"
    "        --narrative TEXT [--evidence ENTRY,ENTRY] [--moderation]   grade a theme\n"
    "  complete --programme P --child C --overall N [--summary TEXT] [--moderation]\n"
    "            complete the audit (or its moderation): every theme graded first\n"
    "  finding --programme P --child C --action TEXT   the action taken on a critical finding\n"
    "  recommend --programme P --id R --text TEXT [--theme T]   a themed recommendation\n"
    "  action set --recommendation R --action-id A --text TEXT --owner STAFF --due DATE\n"
    "            an improvement point: an action with an owner and a due date\n"
    "  action (update --note TEXT | complete --evidence TEXT [--entries N,N] | sign-off\n"
    "         [--comment TEXT] | return --reason TEXT) --action-id A   an action's progress;\n"
    "            completion needs evidence, and someone other than the owner signs it off\n"
    "  issue --programme P --id REPORT [--recipients STAFF,STAFF] [--within DAYS]\n"
    "            issue the report (every audit completed): its figures and the SHA-256 of its\n"
    "            content go in the log; recipients (default: the head of service and the\n"
    "            director) must acknowledge it within DAYS working days (default 10)\n"
    "  acknowledge --report REPORT [--comment TEXT]   a recipient acknowledges the report\n"
    "  report --programme P [--json] [--framework ID|FILE]   the programme's figures now;\n"
    "         with --html FILE, --csv FILE or --pdf FILE (headless chromium) [--lang en|cy]:\n"
    "            the issued report and the state of everything it started\n"
    "  redraw --dir EXPORT --programme P [--vkey FILE]   draw each of the programme's samples\n"
    "            again from an export (caseward export), checked against its signed checkpoint\n"
    "            (--vkey: the council's verifier key, obtained independently), and say whether\n"
    "            they are the same\n"
    "  verify --dir EXPORT --programme P [--vkey FILE]   check the programme's issued report\n"
    "            against an export: its content's SHA-256 rebuilt from the log, and its figures\n"
    "            recomputed from the log as it stood when it was issued\n";

typedef struct audit_opts {
    const char *db, *actor, *date, *id, *title, *scope, *starts, *ends, *auditors, *framework,
        *commissioned_by, *area_manager, *programme, *seed, *size, *minimum, *teams, *case_types,
        *child, *auditor, *reason, *moderator, *theme, *grade, *narrative, *evidence, *overall,
        *summary, *action, *dir, *vkey, *recommendation, *text, *owner, *due, *note, *comment,
        *report, *recipients, *within, *html, *csv, *pdf, *lang, *action_id, *entries;
    int not_applicable, moderation, json;
} audit_opts;

/* A comma-separated list as a JSON array of strings (NULL: no list). */
static json_t *list_of(const char *s)
{
    json_t *a = json_array();
    while (a && s && *s) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (json_array_append_new(a, json_stringn(s, n))) {
            json_decref(a);
            return NULL;
        }
        s = e ? e + 1 : NULL;
    }
    return a;
}

static cw_rc load_framework(const char *name, cw_audit_framework *f, cw_error *err)
{
    if (!strchr(name, '/') && !strchr(name, '.'))
        return cw_audit_framework_builtin(f, name, err);
    cw_buf text = CW_BUF_INIT(1 << 20);
    cw_rc rc = cw_file_read(name, &text, err);
    if (!rc)
        rc = cw_audit_framework_load(f, text.data ? text.data : "", text.len, name, err);
    cw_buf_release(&text);
    return rc;
}

static cw_rc today_or(const char *date, char out[CW_DATE_LEN + 1], cw_error *err)
{
    cw_date d = (cw_date)(cw_time_now_ms() / 86400000);
    if (date) {
        cw_rc rc = cli_parse_date(date, "--date", &d, err);
        if (rc)
            return rc;
    }
    cw_date_format(d, out);
    return CW_OK;
}

cw_rc cli_record(const char *db, const char *actor, const char *type, json_t *payload,
                 cw_error *err)
{
    cw_ledger *l = NULL;
    uint64_t idx = 0, size = 0;
    cw_event ev = {actor, type, payload};
    cw_rc rc = cw_ledger_open(db, CW_LEDGER_WRITE, &l, err);
    if (!rc && !(rc = cw_casework_begin(l, err))) {
        if ((rc = cw_casework_submit(l, &ev, &idx, err)))
            cw_casework_abort(l);
        else if (!(rc = cw_casework_commit(l, &size, err)))
            printf("recorded %s as entry %" PRIu64 "\n", type, idx);
    }
    cw_ledger_close(l);
    if (rc)
        cw_error_prefix(err, "nothing recorded: ");
    return rc;
}

/* Appends one event as actor; prints the entry's index. */
static cw_rc record(const audit_opts *o, const char *type, json_t *payload, cw_error *err)
{
    return cli_record(o->db, o->actor, type, payload, err);
}

static int set(json_t *p, const char *k, const char *v)
{
    return v ? json_object_set_new(p, k, json_string(v)) : 0;
}

static int set_int(json_t *p, const char *k, const char *v, cw_error *err, cw_rc *rc)
{
    int64_t n;
    if (!v || *rc)
        return 0;
    char what[40];
    snprintf(what, sizeof what, "--%s", k);
    if ((*rc = cli_parse_i64(v, what, &n, err)))
        return 0;
    return json_object_set_new(p, k, json_integer((json_int_t)n));
}

static int set_list(json_t *p, const char *k, const char *v)
{
    return v ? json_object_set_new(p, k, list_of(v)) : 0;
}

static cw_rc do_programme(const audit_opts *o, json_t *p, cw_error *err)
{
    cw_rc rc;
    if ((rc = cli_need(o->id, "id", err)) || (rc = cli_need(o->title, "title", err)) ||
        (rc = cli_need(o->starts, "starts", err)) || (rc = cli_need(o->ends, "ends", err)) ||
        (rc = cli_need(o->auditors, "auditors", err)))
        return rc;
    cw_audit_framework f;
    if ((rc = load_framework(o->framework ? o->framework : "standard", &f, err)))
        return rc;
    rc = cw_audit_framework_facts(&f, p, err);
    cw_audit_framework_release(&f);
    if (!rc && (set(p, "programme_id", o->id) || set(p, "title", o->title) ||
                set(p, "scope", o->scope) || set(p, "starts", o->starts) ||
                set(p, "ends", o->ends) || set_list(p, "auditors", o->auditors) ||
                set(p, "commissioned_by", o->commissioned_by ? o->commissioned_by : o->actor) ||
                set(p, "area_manager_id", o->area_manager)))
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    return rc ? rc : record(o, "audit_programme_created", p, err);
}

static cw_rc do_sample(const audit_opts *o, const char *date, cw_error *err)
{
    cw_rc rc;
    int64_t size = 0, minimum = 1;
    if ((rc = cli_need(o->programme, "programme", err)) || (rc = cli_need(o->seed, "seed", err)) ||
        (rc = cli_need(o->size, "size", err)) ||
        (rc = cli_parse_i64(o->size, "--size", &size, err)) ||
        (o->minimum && (rc = cli_parse_i64(o->minimum, "--minimum", &minimum, err))))
        return rc;
    if (size < 1 || size > 50 || minimum < 0 || minimum > 50)
        return cw_error_set(err, CW_EUSAGE, "--size is 1 to 50 cases, --minimum 0 to 50");
    json_t *teams = o->teams ? list_of(o->teams) : NULL;
    json_t *types = o->case_types ? list_of(o->case_types) : NULL;
    cw_date on;
    cw_date_parse(date, strlen(date), &on);
    cw_audit_draw_opts d = {o->programme, o->seed, (size_t)size, (size_t)minimum,
                            teams,        types,   on,           o->actor};
    cw_ledger *l = NULL;
    json_t *p = NULL;
    uint64_t idx = 0, end = 0;
    rc = cw_ledger_open(o->db, CW_LEDGER_WRITE, &l, err);
    /* Drawn and recorded in one batch: the sample is drawn from exactly the log it names. */
    if (!rc && !(rc = cw_casework_begin(l, err))) {
        cw_event ev = {o->actor, "audit_sample_drawn", NULL};
        if (!(rc = cw_audit_draw(cw_ledger_store(l), cw_ledger_size(l), &d, &p, err))) {
            ev.payload = p;
            rc = cw_casework_submit(l, &ev, &idx, err);
        }
        if (rc)
            cw_casework_abort(l);
        else
            rc = cw_casework_commit(l, &end, err);
    }
    if (!rc) {
        const json_t *cases = json_object_get(p, "cases"), *who = json_object_get(p, "assigned");
        printf("drew %zu cases for programme %s (seed %s, from %" PRId64
               " entries) as entry %" PRIu64 ":\n",
               json_array_size(cases), o->programme, o->seed,
               (int64_t)json_integer_value(json_object_get(p, "log_size")), idx);
        for (size_t i = 0; i < json_array_size(cases); i++)
            printf("  %s  auditor %s\n", json_string_value(json_array_get(cases, i)),
                   json_string_value(json_array_get(who, i)));
    } else {
        cw_error_prefix(err, "nothing recorded: ");
    }
    cw_ledger_close(l);
    json_decref(p);
    json_decref(teams);
    json_decref(types);
    return rc;
}

static void print_distribution(const json_t *list, int with_header)
{
    if (with_header)
        printf("  %-28s %7s %8s\n", "grade", "count", "percent");
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *g = json_array_get(list, i);
        char name[64];
        const char *label = json_string_value(json_object_get(g, "label"));
        snprintf(name, sizeof name, "%" JSON_INTEGER_FORMAT "%s%s",
                 json_integer_value(json_object_get(g, "grade")), label ? " " : "",
                 label ? label : "");
        printf("  %-28s %7" JSON_INTEGER_FORMAT " %8s\n", name,
               json_integer_value(json_object_get(g, "count")),
               json_string_value(json_object_get(g, "percent")));
    }
}

/* One line per theme, team or auditor: its gradings and each grade's percentage. */
static void print_breakdown(const json_t *list, const char *key, const char *what)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *t = json_array_get(list, i), *g = json_object_get(t, "grades");
        if (i == 0) {
            printf("  %-26s %8s", what, "gradings");
            for (size_t k = 0; k < json_array_size(g); k++)
                printf(" %6" JSON_INTEGER_FORMAT "%%",
                       json_integer_value(json_object_get(json_array_get(g, k), "grade")));
            printf("\n");
        }
        printf("  %-26s %8" JSON_INTEGER_FORMAT, json_string_value(json_object_get(t, key)),
               json_integer_value(json_object_get(t, "gradings")));
        for (size_t k = 0; k < json_array_size(g); k++)
            printf(" %7s", json_string_value(json_object_get(json_array_get(g, k), "percent")));
        printf("\n");
    }
}

static void print_report(const json_t *r)
{
    const json_t *c = json_object_get(r, "cases"), *m = json_object_get(r, "moderation");
    printf("Audit programme %s: %s (%s framework, grades 1-%" JSON_INTEGER_FORMAT "), %s to %s\n",
           json_string_value(json_object_get(r, "programme_id")),
           json_string_value(json_object_get(r, "title")),
           json_string_value(json_object_get(r, "framework")),
           json_integer_value(json_object_get(r, "grades")),
           json_string_value(json_object_get(r, "starts")),
           json_string_value(json_object_get(r, "ends")));
    printf("cases: %" JSON_INTEGER_FORMAT " in the programme, %" JSON_INTEGER_FORMAT
           " completed, %" JSON_INTEGER_FORMAT " moderated\n",
           json_integer_value(json_object_get(c, "in_programme")),
           json_integer_value(json_object_get(c, "completed")),
           json_integer_value(json_object_get(c, "moderated")));
    printf("gradings (themes of completed audits, not applicable left out): %" JSON_INTEGER_FORMAT
           "\n",
           json_integer_value(json_object_get(r, "gradings")));
    print_distribution(json_object_get(r, "distribution"), 1);
    printf("overall grades:\n");
    print_distribution(json_object_get(r, "overall"), 0);
    print_breakdown(json_object_get(r, "by_theme"), "theme", "by theme");
    print_breakdown(json_object_get(r, "by_team"), "team_id", "by team");
    print_breakdown(json_object_get(r, "by_auditor"), "auditor_id", "by auditor");
    const char *kl = json_string_value(json_object_get(m, "kappa_linear"));
    const char *kq = json_string_value(json_object_get(m, "kappa_quadratic"));
    printf("moderation: %" JSON_INTEGER_FORMAT " paired gradings, exact agreement %s%%, within "
           "one grade %s%%, weighted kappa %s (linear), %s (quadratic)\n",
           json_integer_value(json_object_get(m, "pairs")),
           json_string_value(json_object_get(m, "exact_percent")),
           json_string_value(json_object_get(m, "within_one_percent")), kl ? kl : "n/a",
           kq ? kq : "n/a");
    const json_t *f = json_object_get(r, "critical_findings");
    printf("critical findings: %zu\n", json_array_size(f));
    for (size_t i = 0; i < json_array_size(f); i++) {
        const json_t *x = json_array_get(f, i);
        const char *on = json_string_value(json_object_get(x, "actioned_on"));
        printf("  %s found %s: %s%s%s\n", json_string_value(json_object_get(x, "child_id")),
               json_string_value(json_object_get(x, "found_on")),
               on ? "action recorded " : "NO ACTION RECORDED", on ? on : "", on ? "" : "");
    }
    const json_t *e = json_object_get(r, "earlier");
    for (size_t i = 0; i < json_array_size(e); i++) {
        const json_t *x = json_array_get(e, i);
        printf("earlier programme %s (%s, from %s): %" JSON_INTEGER_FORMAT " gradings\n",
               json_string_value(json_object_get(x, "programme_id")),
               json_string_value(json_object_get(x, "title")),
               json_string_value(json_object_get(x, "starts")),
               json_integer_value(json_object_get(x, "gradings")));
        print_distribution(json_object_get(x, "distribution"), 0);
    }
}

/* Writes a file made 0600 (it may name children: identifiers only, but still a record). */
cw_rc cli_write_private(const char *path, const cw_buf *b, cw_error *err)
{
    return cw_file_write_atomic(path, b->data ? b->data : "", b->len, 0600, 0, err);
}

static cw_rc write_out(const char *path, const cw_buf *b, cw_error *err)
{
    return cli_write_private(path, b, err);
}

/* Prints html (a file) to pdf with Debian's headless chromium. */
static cw_rc print_pdf(const char *html, const char *pdf, cw_error *err)
{
    char cmd[8192];
    const char *chromium = getenv("CHROMIUM") ? getenv("CHROMIUM") : "chromium";
    if (strpbrk(html, "'\\") || strpbrk(pdf, "'\\") || strpbrk(chromium, "'\\"))
        return cw_error_set(err, CW_EUSAGE, "--pdf: a file name with a quote is not supported");
    int n = snprintf(cmd, sizeof cmd,
                     "'%s' --headless --no-sandbox --disable-gpu --no-pdf-header-footer "
                     "--print-to-pdf='%s' 'file://%s' >/dev/null 2>&1",
                     chromium, pdf, html);
    if (n < 0 || (size_t)n >= sizeof cmd)
        return cw_error_set(err, CW_EUSAGE, "--pdf: the file name is too long");
    if (system(cmd) != 0)
        return cw_error_set(err, CW_EIO,
                            "--pdf: chromium could not print the report (is it installed? "
                            "scripts/install-deps installs it; CHROMIUM names another)");
    if (chmod(pdf, 0600) != 0) /* chromium makes it as the umask says: kept private, as the rest */
        return cw_error_set(err, CW_EIO, "%s: cannot be made private (mode 0600)", pdf);
    return CW_OK;
}

cw_rc cli_html_and_pdf(const char *html, const char *pdf, const cw_buf *page, cw_error *err)
{
    char tmp[4096] = "";
    cw_rc rc = CW_OK;
    if (!html && pdf) {
        /* The page beside the PDF, for chromium to read: removed after. */
        int n = snprintf(tmp, sizeof tmp, "%s.html", pdf);
        if (n < 0 || (size_t)n >= sizeof tmp)
            return cw_error_set(err, CW_EUSAGE, "--pdf: the file name is too long");
        html = tmp;
    }
    if (html)
        rc = write_out(html, page, err);
    if (!rc && pdf) {
        /* chromium reads a file:// address: the page's absolute path. */
        char abs[8192], cwd[4096];
        int n = html[0] == '/'            ? snprintf(abs, sizeof abs, "%s", html)
                : getcwd(cwd, sizeof cwd) ? snprintf(abs, sizeof abs, "%s/%s", cwd, html)
                                          : -1;
        if (n < 0 || (size_t)n >= sizeof abs)
            rc = cw_error_set(err, CW_EIO, "%s: its full path cannot be made", html);
        else
            rc = print_pdf(abs, pdf, err);
    }
    if (tmp[0])
        remove(tmp);
    return rc;
}

static cw_rc render(const audit_opts *o, cw_store *s, cw_error *err)
{
    json_t *st = NULL;
    cw_audit_framework f;
    int have_f = 0;
    cw_rc rc = cw_audit_report_state(s, o->programme, &st, err);
    const json_t *fig = json_object_get(st, "figures");
    /* The grades' names: the framework given, else the built-in one the programme used, if it
     * is the very file the programme recorded. */
    if (!rc && o->framework && !(rc = load_framework(o->framework, &f, err))) {
        have_f = 1;
        const char *sha = json_string_value(json_object_get(fig, "framework_sha256"));
        if (!sha || strcmp(sha, f.sha256))
            rc = cw_error_set(err, CW_EUSAGE,
                              "--framework: %s is not the framework file programme %s recorded "
                              "(its SHA-256 differs): the grades would be named wrongly",
                              o->framework, o->programme);
    } else if (!rc && !o->framework)
        have_f = cw_audit_framework_of(fig, &f);
    if (!rc && o->lang && strcmp(o->lang, "en") && strcmp(o->lang, "cy"))
        rc = cw_error_set(err, CW_EUSAGE, "--lang: give en or cy");
    cw_buf b = CW_BUF_INIT(1 << 24);
    if (!rc && o->csv && !(rc = cw_audit_report_csv(st, &b)))
        rc = write_out(o->csv, &b, err);
    cw_buf_reset(&b);
    if (!rc && (o->html || o->pdf) &&
        !(rc = cw_audit_report_html(st, have_f ? &f : NULL, o->lang, &b)))
        rc = cli_html_and_pdf(o->html, o->pdf, &b, err);
    if (!rc)
        printf("report %s of programme %s (content SHA-256 %s) written\n",
               json_string_value(json_object_get(st, "report_id")), o->programme,
               json_string_value(json_object_get(st, "content_sha256")));
    cw_buf_release(&b);
    if (have_f)
        cw_audit_framework_release(&f);
    json_decref(st);
    return rc;
}

static cw_rc do_report(const audit_opts *o, cw_error *err)
{
    cw_rc rc = cli_need(o->programme, "programme", err);
    cw_ledger *l = NULL;
    json_t *r = NULL;
    cw_audit_framework f;
    int have_f = 0;
    int issued = o->html || o->csv || o->pdf;
    if (!rc && o->framework && !issued && !(rc = load_framework(o->framework, &f, err)))
        have_f = 1;
    if (!rc && !(rc = cw_ledger_open(o->db, CW_LEDGER_READONLY, &l, err)) &&
        !(rc = cw_casework_current(l, err))) {
        if (issued)
            rc = render(o, cw_ledger_store(l), err);
        else
            rc = cw_audit_figures(cw_ledger_store(l), o->programme, have_f ? &f : NULL, &r, err);
    }
    if (!rc && !issued && o->json) {
        char *s = json_dumps(r, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        rc = s ? (printf("%s\n", s), CW_OK) : cw_error_set(err, CW_ENOMEM, "out of memory");
        free(s);
    } else if (!rc && !issued) {
        print_report(r);
    }
    json_decref(r);
    if (have_f)
        cw_audit_framework_release(&f);
    cw_ledger_close(l);
    return rc;
}

typedef struct in_post {
    json_t *ids;
} in_post;

static cw_rc in_post_row(void *ctx, const cw_value *c, size_t n)
{
    in_post *p = ctx;
    char id[65];
    if (n >= 1 && cw_value_copy(&c[0], id, sizeof id) > 0 && json_array_size(p->ids) < 10)
        return json_array_append_new(p->ids, json_string(id)) ? CW_ENOMEM : CW_OK;
    return CW_OK;
}

/* Issues the report: its content built from the log as it stands, in the batch that records it. */
static cw_rc do_issue(const audit_opts *o, const char *date, cw_error *err)
{
    int64_t within = 10;
    cw_rc rc;
    if ((rc = cli_need(o->programme, "programme", err)) || (rc = cli_need(o->id, "id", err)) ||
        (o->within && (rc = cli_parse_i64(o->within, "--within", &within, err))))
        return rc;
    cw_ledger *l = NULL;
    json_t *payload = NULL;
    in_post to = {o->recipients ? list_of(o->recipients) : json_array()};
    uint64_t idx = 0, end = 0;
    if (!to.ids)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    rc = cw_ledger_open(o->db, CW_LEDGER_WRITE, &l, err);
    if (!rc && !(rc = cw_casework_begin(l, err))) {
        /* Default recipients: the head of service and the director, those in post. */
        static const char *const roles[] = {"head_of_service", "director"};
        for (size_t i = 0; !rc && !o->recipients && i < 2; i++) {
            cw_value k = cw_text(roles[i]);
            rc = cw_store_run(cw_ledger_store(l), CW_Q_STAFF_IN_POST, &k, 1, in_post_row, &to, NULL,
                              err);
        }
        if (!rc)
            rc = cw_audit_report_content(cw_ledger_store(l), cw_ledger_size(l), o->programme, o->id,
                                         date, to.ids, within, &payload, err);
        cw_event ev = {o->actor, "audit_report_issued", payload};
        if (!rc)
            rc = cw_casework_submit(l, &ev, &idx, err);
        if (rc)
            cw_casework_abort(l);
        else
            rc = cw_casework_commit(l, &end, err);
    }
    if (!rc)
        printf("issued report %s of programme %s as entry %" PRIu64
               " (content SHA-256 %s) to %zu recipient(s), to acknowledge within %" PRId64
               " working days\n",
               o->id, o->programme, idx,
               json_string_value(json_object_get(payload, "content_sha256")),
               json_array_size(to.ids), within);
    else
        cw_error_prefix(err, "nothing recorded: ");
    cw_ledger_close(l);
    json_decref(payload);
    json_decref(to.ids);
    return rc;
}

cw_rc cli_audit(args *a, cw_error *err)
{
    if (a->argc < 1)
        return cw_error_set(err, CW_EUSAGE, "give a subcommand");
    const char *sub = a->argv[0];
    audit_opts o = {0};
    const opt opts[] = {{"db", &o.db, NULL},
                        {"actor", &o.actor, NULL},
                        {"date", &o.date, NULL},
                        {"id", &o.id, NULL},
                        {"title", &o.title, NULL},
                        {"scope", &o.scope, NULL},
                        {"starts", &o.starts, NULL},
                        {"ends", &o.ends, NULL},
                        {"auditors", &o.auditors, NULL},
                        {"framework", &o.framework, NULL},
                        {"commissioned-by", &o.commissioned_by, NULL},
                        {"area-manager", &o.area_manager, NULL},
                        {"programme", &o.programme, NULL},
                        {"seed", &o.seed, NULL},
                        {"size", &o.size, NULL},
                        {"minimum", &o.minimum, NULL},
                        {"teams", &o.teams, NULL},
                        {"case-types", &o.case_types, NULL},
                        {"child", &o.child, NULL},
                        {"auditor", &o.auditor, NULL},
                        {"reason", &o.reason, NULL},
                        {"moderator", &o.moderator, NULL},
                        {"theme", &o.theme, NULL},
                        {"grade", &o.grade, NULL},
                        {"not-applicable", NULL, &o.not_applicable},
                        {"narrative", &o.narrative, NULL},
                        {"evidence", &o.evidence, NULL},
                        {"moderation", NULL, &o.moderation},
                        {"overall", &o.overall, NULL},
                        {"summary", &o.summary, NULL},
                        {"action", &o.action, NULL},
                        {"dir", &o.dir, NULL},
                        {"vkey", &o.vkey, NULL},
                        {"recommendation", &o.recommendation, NULL},
                        {"text", &o.text, NULL},
                        {"owner", &o.owner, NULL},
                        {"due", &o.due, NULL},
                        {"note", &o.note, NULL},
                        {"comment", &o.comment, NULL},
                        {"report", &o.report, NULL},
                        {"recipients", &o.recipients, NULL},
                        {"within", &o.within, NULL},
                        {"html", &o.html, NULL},
                        {"csv", &o.csv, NULL},
                        {"pdf", &o.pdf, NULL},
                        {"lang", &o.lang, NULL},
                        {"action-id", &o.action_id, NULL},
                        {"entries", &o.entries, NULL},
                        {"json", NULL, &o.json},
                        {NULL, NULL, NULL}};
    /* `action VERB`: the verb is the second word. */
    const char *verb = NULL;
    int skip = 1;
    if (!strcmp(sub, "action")) {
        if (a->argc < 2)
            return cw_error_set(err, CW_EUSAGE,
                                "action: give set, update, complete, sign-off or return");
        verb = a->argv[1];
        skip = 2;
    }
    args rest = {a->argc - skip, a->argv + skip};
    int np;
    cw_rc rc = cli_parse_opts(&rest, opts, NULL, 0, &np, err);
    if (rc)
        return rc;
    if (!strcmp(sub, "verify")) {
        if ((rc = cli_need(o.dir, "dir", err)) || (rc = cli_need(o.programme, "programme", err)))
            return rc;
        cw_buf out = CW_BUF_INIT(1 << 16), key = CW_BUF_INIT(4096);
        if (o.vkey && (rc = cw_file_read(o.vkey, &key, err)))
            return rc;
        rc = cw_audit_verify_report(o.dir, o.vkey ? (key.data ? key.data : "") : NULL, o.programme,
                                    &out, err);
        cw_buf_release(&key);
        if (out.data)
            fputs(out.data, stdout);
        cw_buf_release(&out);
        return rc;
    }
    if (!strcmp(sub, "redraw")) {
        if ((rc = cli_need(o.dir, "dir", err)) || (rc = cli_need(o.programme, "programme", err)))
            return rc;
        cw_buf out = CW_BUF_INIT(1 << 20), key = CW_BUF_INIT(4096);
        if (o.vkey && (rc = cw_file_read(o.vkey, &key, err)))
            return rc;
        rc = cw_audit_redraw(o.dir, o.vkey ? (key.data ? key.data : "") : NULL, o.programme, &out,
                             err);
        cw_buf_release(&key);
        if (out.data)
            fputs(out.data, stdout);
        cw_buf_release(&out);
        return rc;
    }
    if ((rc = cli_need(o.db, "db", err)))
        return rc;
    if (!strcmp(sub, "report"))
        return do_report(&o, err);
    static const char *const recording[] = {"programme", "sample",   "add",         "moderate",
                                            "grade",     "complete", "finding",     "recommend",
                                            "action",    "issue",    "acknowledge", NULL};
    int known = 0;
    for (const char *const *s = recording; *s; s++)
        known |= !strcmp(*s, sub);
    if (!known)
        return cw_error_set(err, CW_EUSAGE, "unknown subcommand \"%.32s\"", sub);
    if ((rc = cli_need(o.actor, "actor", err)))
        return rc;
    char date[CW_DATE_LEN + 1];
    if ((rc = today_or(o.date, date, err)))
        return rc;
    if (!strcmp(sub, "sample"))
        return do_sample(&o, date, err);
    if (!strcmp(sub, "issue"))
        return do_issue(&o, date, err);
    json_t *p = json_object();
    if (!p || json_object_set_new(p, "date", json_string(date)))
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    const char *type = NULL;
    if (!rc && !strcmp(sub, "programme")) {
        rc = do_programme(&o, p, err);
        json_decref(p);
        return rc;
    }
    if (!rc && !strcmp(sub, "recommend")) {
        type = "audit_recommendation_made";
        if (!(rc = cli_need(o.programme, "programme", err)) && !(rc = cli_need(o.id, "id", err)) &&
            !(rc = cli_need(o.text, "text", err)) &&
            (set(p, "programme_id", o.programme) || set(p, "recommendation_id", o.id) ||
             set(p, "text", o.text) || set(p, "theme", o.theme)))
            rc = CW_ENOMEM;
    } else if (!rc && !strcmp(sub, "acknowledge")) {
        type = "audit_report_acknowledged";
        if (!(rc = cli_need(o.report, "report", err)) &&
            (set(p, "report_id", o.report) || set(p, "comment", o.comment)))
            rc = CW_ENOMEM;
    } else if (!rc && !strcmp(sub, "action")) {
        if ((rc = cli_need(o.action_id, "action-id", err)))
            ;
        else if (set(p, "action_id", o.action_id))
            rc = CW_ENOMEM;
        else if (!strcmp(verb, "set")) {
            type = "audit_action_set";
            if (!(rc = cli_need(o.recommendation, "recommendation", err)) &&
                !(rc = cli_need(o.text, "text", err)) && !(rc = cli_need(o.owner, "owner", err)) &&
                !(rc = cli_need(o.due, "due", err)) &&
                (set(p, "recommendation_id", o.recommendation) || set(p, "text", o.text) ||
                 set(p, "owner_id", o.owner) || set(p, "due", o.due)))
                rc = CW_ENOMEM;
        } else if (!strcmp(verb, "update")) {
            type = "audit_action_updated";
            if (!(rc = cli_need(o.note, "note", err)) && set(p, "note", o.note))
                rc = CW_ENOMEM;
        } else if (!strcmp(verb, "complete")) {
            type = "audit_action_completed";
            if (!(rc = cli_need(o.evidence, "evidence", err)) &&
                (set(p, "evidence", o.evidence) || set_list(p, "evidence_entries", o.entries)))
                rc = CW_ENOMEM;
        } else if (!strcmp(verb, "sign-off")) {
            type = "audit_action_signed_off";
            if (set(p, "comment", o.comment))
                rc = CW_ENOMEM;
        } else if (!strcmp(verb, "return")) {
            type = "audit_action_returned";
            if (!(rc = cli_need(o.reason, "reason", err)) && set(p, "reason", o.reason))
                rc = CW_ENOMEM;
        } else {
            rc = cw_error_set(err, CW_EUSAGE,
                              "action: \"%.32s\" is not set, update, complete, sign-off or return",
                              verb);
        }
    } else if (!rc && ((rc = cli_need(o.programme, "programme", err)) ||
                       (rc = cli_need(o.child, "child", err))))
        ;
    else if (!rc && (set(p, "programme_id", o.programme) || set(p, "child_id", o.child)))
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");

    if (!rc && !strcmp(sub, "add")) {
        type = "audit_case_added";
        if (!(rc = cli_need(o.auditor, "auditor", err)) &&
            !(rc = cli_need(o.reason, "reason", err)) &&
            (set(p, "auditor_id", o.auditor) || set(p, "reason", o.reason)))
            rc = CW_ENOMEM;
    } else if (!rc && !strcmp(sub, "moderate")) {
        type = "audit_moderator_assigned";
        if (!(rc = cli_need(o.moderator, "moderator", err)) && set(p, "moderator_id", o.moderator))
            rc = CW_ENOMEM;
    } else if (!rc && !strcmp(sub, "grade")) {
        type = "audit_theme_graded";
        if (!(rc = cli_need(o.theme, "theme", err)) &&
            !(rc = cli_need(o.narrative, "narrative", err)) &&
            (set(p, "theme", o.theme) || set(p, "narrative", o.narrative) ||
             set_int(p, "grade", o.grade, err, &rc) || set_list(p, "evidence", o.evidence) ||
             (o.not_applicable && json_object_set_new(p, "not_applicable", json_true())) ||
             (o.moderation && json_object_set_new(p, "moderation", json_true()))))
            rc = rc ? rc : CW_ENOMEM;
    } else if (!rc && !strcmp(sub, "complete")) {
        type = "audit_case_completed";
        if (!(rc = cli_need(o.overall, "overall", err)) &&
            (set_int(p, "overall", o.overall, err, &rc) || set(p, "summary", o.summary) ||
             (o.moderation && json_object_set_new(p, "moderation", json_true()))))
            rc = rc ? rc : CW_ENOMEM;
    } else if (!rc && !strcmp(sub, "finding")) {
        type = "audit_finding_actioned";
        if (!(rc = cli_need(o.action, "action", err)) && set(p, "action", o.action))
            rc = CW_ENOMEM;
    }
    if (rc == CW_ENOMEM)
        cw_error_set(err, rc, "out of memory");
    if (!rc)
        rc = record(&o, type, p, err);
    json_decref(p);
    return rc;
}
