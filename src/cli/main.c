/*
 * main.c — the `caseward` command line. One table lists every subcommand,
 * its usage and its handler; every handler returns a cw_rc, and main maps it
 * once to an exit status (0 ok, 1 failure, 2 usage) and prints the error as
 * one line on stderr. Nothing here prints personal data.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "returns/returns.h"
#include "casework/casework.h"
#include "casework/accounts.h"
#include "casework/deepverify.h"
#include "casework/backup.h"
#include "casework/migrate.h"
#include "casework/retention.h"
#include "http/http.h"
#include "demo/demo.h"
#include "ledger/ledger.h"
#include "ledger/verify.h"
#include "measures/measures.h"
#include "measures/report.h"
#include "measures/integrity.h"
#include "improve/improve.h"
#include "quality/audit.h"
#include "rules/oversight.h"
#include "rules/report.h"
#include "util/time.h"
#include "util/calendar.h"
#include "util/file.h"
#include "util/json.h"

/* ---- option parsing: --name VALUE or --name=VALUE; positional rest ---- */

cw_rc cli_parse_opts(args *a, const opt *opts, const char **pos, int maxpos, int *npos,
                     cw_error *err)
{
    *npos = 0;
    for (int i = 0; i < a->argc; i++) {
        const char *s = a->argv[i];
        if (s[0] == '-' && s[1] == '-' && s[2]) {
            const char *eq = strchr(s, '=');
            size_t len = eq ? (size_t)(eq - s - 2) : strlen(s + 2);
            const opt *o = NULL;
            for (const opt *p = opts; p->name; p++)
                if (strlen(p->name) == len && strncmp(p->name, s + 2, len) == 0)
                    o = p;
            if (!o)
                return cw_error_set(err, CW_EUSAGE, "unknown option %s", s);
            if (o->flag) {
                *o->flag = 1;
            } else if (eq) {
                *o->value = eq + 1;
            } else if (i + 1 < a->argc) {
                *o->value = a->argv[++i];
            } else {
                return cw_error_set(err, CW_EUSAGE, "option --%s needs a value", o->name);
            }
        } else {
            if (*npos >= maxpos)
                return cw_error_set(err, CW_EUSAGE, "unexpected argument \"%.64s\"", s);
            pos[(*npos)++] = s;
        }
    }
    return CW_OK;
}

cw_rc cli_need(const char *value, const char *name, cw_error *err)
{
    if (!value || !*value)
        return cw_error_set(err, CW_EUSAGE, "--%s is required", name);
    return CW_OK;
}

static cw_rc parse_u64(const char *s, const char *what, uint64_t *out, cw_error *err)
{
    if (cw_parse_u64(s, strlen(s), out))
        return cw_error_set(err, CW_EUSAGE, "%s: \"%.32s\" is not a non-negative integer", what, s);
    return CW_OK;
}

/* ---- subcommands ---- */

static cw_rc cmd_init(args *a, cw_error *err)
{
    const char *db = NULL, *origin = NULL, *rules = "wales", *admin = "admin", *la = NULL;
    int no_admin = 0;
    const opt opts[] = {
        {"db", &db, NULL},       {"origin", &origin, NULL},     {"rules", &rules, NULL},
        {"admin", &admin, NULL}, {"no-admin", NULL, &no_admin}, {"la-code", &la, NULL},
        {NULL, NULL, NULL}};
    int np;
    cw_buf def = CW_BUF_INIT(256);
    cw_rule_pack *pack = NULL;
    cw_ledger *l = NULL;
    cw_rc rc = cli_parse_opts(a, opts, NULL, 0, &np, err);
    if (rc || (rc = cli_need(db, "db", err)))
        return rc;
    /* The council's rule pack is a setting of the log; refuse an unknown one first. */
    if ((rc = cw_rules_load_builtin(rules, &pack, err)))
        return rc;
    cw_rules_free(pack);
    if (la && (strlen(la) != 3 || strspn(la, "0123456789") != 3))
        return cw_error_set(err, CW_EUSAGE,
                            "--la-code: %s is not a local authority number (three digits, e.g. "
                            "201)",
                            la);
    if (!origin) {
        if ((rc = cw_ledger_default_origin(&def, err)))
            return rc;
        origin = def.data;
    }
    char one_time[21] = "";
    if (!(rc = cw_ledger_create(db, origin, err)) &&
        !(rc = cw_ledger_open(db, CW_LEDGER_WRITE, &l, err)) &&
        !(rc = cw_store_meta_put(cw_ledger_store(l), "rule_pack", rules, err)) &&
        !(rc = la ? cw_store_meta_put(cw_ledger_store(l), "la_code", la, err) : CW_OK) && !no_admin)
        rc = cw_account_create(l, "cli", admin, NULL, "administrator", NULL, one_time, err);
    cw_buf name = CW_BUF_INIT(8192), key = CW_BUF_INIT(4096);
    if (!rc && cw_store_display_name(db, &name))
        rc = cw_error_set(err, CW_EINVAL, "the database's name is too long");
    if (!rc)
        rc = cw_ledger_key_path(db, &key, err);
    if (!rc) {
        printf("created log %s\norigin %s\nrule pack %s\nsigning key %s (keep it private; "
               "mode 0600)\n",
               name.data, origin, rules, key.data);
        if (!no_admin)
            printf("administrator %s, one-time password %s (shown once; it must be changed at "
                   "the first sign-in)\n",
                   admin, one_time);
    }
    sodium_memzero(one_time, sizeof one_time);
    cw_ledger_close(l);
    cw_buf_release(&def);
    cw_buf_release(&name);
    cw_buf_release(&key);
    return rc;
}

/* user add|disable|enable|reset-password: sign-in accounts (docs/api.md). */
static cw_rc cmd_user(args *a, cw_error *err)
{
    const char *db = NULL, *staff = NULL, *role = NULL, *expires = NULL, *reason = NULL;
    const char *actor = "cli", *pos[2] = {NULL, NULL};
    const opt opts[] = {{"db", &db, NULL},         {"staff", &staff, NULL},
                        {"role", &role, NULL},     {"expires", &expires, NULL},
                        {"reason", &reason, NULL}, {"actor", &actor, NULL},
                        {NULL, NULL, NULL}};
    int np;
    cw_rc rc = cli_parse_opts(a, opts, pos, 2, &np, err);
    if (rc || (rc = cli_need(db, "db", err)))
        return rc;
    const char *verb = np == 2 ? pos[0] : "";
    if (strcmp(verb, "add") && strcmp(verb, "disable") && strcmp(verb, "enable") &&
        strcmp(verb, "reset-password"))
        return cw_error_set(err, CW_EUSAGE,
                            "usage: caseward user (add|disable|enable|reset-password) USERNAME "
                            "--db PATH");
    cw_ledger *l = NULL;
    char one_time[21] = "", pid[CW_ACCOUNT_PROPOSAL_ID_LEN + 1];
    cw_account acct;
    int inspector = 0;
    if ((rc = cw_ledger_open(db, CW_LEDGER_WRITE, &l, err)))
        return rc;
    /* An inspector's account sees every child's record: the two-person rule (docs/events.md).
     * It is created disabled, or left so, and its enabling proposed for a second person. */
    if (!strcmp(verb, "add"))
        rc = cw_account_inspector(cw_ledger_store(l), staff, role, &inspector, err);
    else if (!strcmp(verb, "enable") &&
             !(rc = cw_account_get(cw_ledger_store(l), pos[1], &acct, err)) && acct.found &&
             acct.disabled)
        rc = cw_account_inspector(cw_ledger_store(l), acct.staff_id, acct.role, &inspector, err);
    cw_account_proposal_id(pid);
    if (rc) {
        /* (nothing recorded) */
    } else if (!strcmp(verb, "add") && inspector) {
        if (!(rc = cw_account_create_proposed(l, actor, pos[1], staff, role, expires, pid,
                                              reason ? reason : "an inspector's account", one_time,
                                              err)))
            printf("account %s created, disabled; one-time password %s (shown once; it must be "
                   "changed at the first sign-in)\n",
                   pos[1], one_time);
    } else if (!strcmp(verb, "add")) {
        if (!(rc = cw_account_create(l, actor, pos[1], staff, role, expires, one_time, err)))
            printf("account %s created; one-time password %s (shown once; it must be changed at "
                   "the first sign-in)\n",
                   pos[1], one_time);
    } else if (inspector) {
        if (!(rc = cw_account_propose_enable(l, actor, pos[1], pid,
                                             reason ? reason
                                                    : "an inspector's account enabled "
                                                      "again",
                                             err)))
            printf("account %s is still disabled: enabling it is proposed\n", pos[1]);
    } else if (!strcmp(verb, "reset-password")) {
        cw_password_generate(one_time);
        if (!(rc = cw_account_set_password(l, actor, pos[1], one_time, true, err)))
            printf("account %s: one-time password %s (shown once; it must be changed at the next "
                   "sign-in)\n",
                   pos[1], one_time);
    } else {
        bool off = !strcmp(verb, "disable");
        if (!(rc = cw_account_set_disabled(l, actor, pos[1], off, reason, err)))
            printf("account %s %s\n", pos[1], off ? "disabled" : "enabled");
    }
    if (!rc && inspector)
        printf("%s is an inspector's account, which sees every child's record: it works only "
               "after a second person (an administrator, the head of service or the director; "
               "not %s) approves proposal %s through the API (POST "
               "/api/v1/commands/access_change_approved), within %d days\n",
               pos[1], actor, pid, CW_ACCESS_CHANGE_DAYS);
    sodium_memzero(one_time, sizeof one_time);
    cw_ledger_close(l);
    return rc;
}

/* token add|revoke: API tokens for system-to-system calls (docs/api.md). */
static cw_rc cmd_token(args *a, cw_error *err)
{
    const char *db = NULL, *user = NULL, *scope = "read", *reason = NULL, *actor = "cli";
    const char *pos[2] = {NULL, NULL};
    const opt opts[] = {{"db", &db, NULL},         {"user", &user, NULL},   {"scope", &scope, NULL},
                        {"reason", &reason, NULL}, {"actor", &actor, NULL}, {NULL, NULL, NULL}};
    int np;
    cw_rc rc = cli_parse_opts(a, opts, pos, 2, &np, err);
    if (rc || (rc = cli_need(db, "db", err)))
        return rc;
    int add = np == 2 && !strcmp(pos[0], "add"), revoke = np == 2 && !strcmp(pos[0], "revoke");
    if (!add && !revoke)
        return cw_error_set(err, CW_EUSAGE,
                            "usage: caseward token (add NAME --user USERNAME [--scope read|write] "
                            "| revoke NAME [--reason TEXT]) --db PATH");
    if (add && (rc = cli_need(user, "user", err)))
        return rc;
    cw_ledger *l = NULL;
    if ((rc = cw_ledger_open(db, CW_LEDGER_WRITE, &l, err)))
        return rc;
    char token[CW_TOKEN_LEN + 1] = "";
    if (add) {
        if (!(rc = cw_token_create(l, actor, pos[1], user, scope, token, err)))
            printf("token %s for %s (%s): %s\n(shown once: keep it secret; send it as "
                   "\"Authorization: Bearer TOKEN\")\n",
                   pos[1], user, scope, token);
    } else if (!(rc = cw_token_revoke(l, actor, pos[1], reason, err))) {
        printf("token %s revoked\n", pos[1]);
    }
    sodium_memzero(token, sizeof token);
    cw_ledger_close(l);
    return rc;
}

/* Whether dir holds an index.html (a regular file, as the server would serve it). */
static int has_index(const char *dir)
{
    char path[PATH_MAX];
    struct stat st;
    return snprintf(path, sizeof path, "%s/index.html", dir) < (int)sizeof path &&
           lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* A count or a number of seconds for serve, at most max (0 allowed where zero means "no
 * limit"). */
static cw_rc serve_limit(const char *s, const char *what, uint64_t min, uint64_t max, unsigned *out,
                         cw_error *err)
{
    uint64_t v;
    if (!s)
        return CW_OK;
    cw_rc rc = parse_u64(s, what, &v, err);
    if (!rc && (v < min || v > max))
        rc = cw_error_set(err, CW_EUSAGE, "%s: %" PRIu64 " is not between %" PRIu64 " and %" PRIu64,
                          what, v, min, max);
    if (!rc)
        *out = (unsigned)v;
    return rc;
}

/* serve: the HTTP API (and the web application's files) until SIGTERM or SIGINT. */
static cw_rc cmd_serve(args *a, cw_error *err)
{
    const char *db = NULL, *listen = "127.0.0.1:8080", *web = NULL, *proxies = NULL;
    const char *max_conn = NULL, *per_address = NULL, *head_s = NULL, *body_s = NULL;
    int secure = 0;
    const opt opts[] = {{"db", &db, NULL},
                        {"listen", &listen, NULL},
                        {"secure-cookies", NULL, &secure},
                        {"trusted-proxy", &proxies, NULL},
                        {"web", &web, NULL},
                        {"max-connections", &max_conn, NULL},
                        {"max-per-address", &per_address, NULL},
                        {"header-timeout", &head_s, NULL},
                        {"body-timeout", &body_s, NULL},
                        {NULL, NULL, NULL}};
    int np;
    cw_rc rc = cli_parse_opts(a, opts, NULL, 0, &np, err);
    if (rc || (rc = cli_need(db, "db", err)))
        return rc;
    cw_http_opts o;
    cw_http_opts_init(&o);
    if ((rc = serve_limit(max_conn, "--max-connections", 1, 100000, &o.max_connections, err)) ||
        (rc = serve_limit(per_address, "--max-per-address", 0, 100000, &o.max_per_address, err)) ||
        (rc = serve_limit(head_s, "--header-timeout", 0, 3600, &o.header_timeout_s, err)) ||
        (rc = serve_limit(body_s, "--body-timeout", 0, 3600, &o.body_timeout_s, err)))
        return rc;
    if (web && !has_index(web))
        return cw_error_set(err, CW_EUSAGE, "--web: %s has no index.html", web);
#ifdef CW_WEB_DIR
    /* By default the web application of the source tree it was built from, if it is there. */
    if (!web && has_index(CW_WEB_DIR))
        web = CW_WEB_DIR;
#endif
    o.db = db;
    o.listen = listen;
    o.secure_cookies = secure;
    o.web_dir = web;
    o.trusted_proxies = proxies;
    /* SIGTERM and SIGINT are blocked in every thread (the server's inherit the mask) and
     * taken here with sigwait, so whichever thread the kernel picks, this one wakes. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    cw_http *h = NULL;
    if ((rc = cw_http_start(&o, &h, err)))
        return rc;
    cw_buf shown = CW_BUF_INIT(8192); /* a URI's password is not printed */
    cw_store_display_name(db, &shown);
    fprintf(stderr, "caseward: serving %s on port %u; stop with Ctrl-C or SIGTERM\n",
            shown.data ? shown.data : "the database", (unsigned)cw_http_port(h));
    cw_buf_release(&shown);
    if (web)
        fprintf(stderr, "caseward: the web application from %s (read at start)\n", web);
    int sig = 0;
    while (sigwait(&stop, &sig) != 0)
        ;
    fprintf(stderr, "caseward: stopping (requests in flight finish first)\n");
    cw_http_stop(h);
    return CW_OK;
}

static cw_rc cmd_openapi(args *a, cw_error *err)
{
    int np;
    const opt opts[] = {{NULL, NULL, NULL}};
    cw_rc rc = cli_parse_opts(a, opts, NULL, 0, &np, err);
    if (rc)
        return rc;
    char *doc = cw_http_openapi();
    if (!doc)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    printf("%s\n", doc);
    free(doc);
    return CW_OK;
}

/* append and import: JSON Lines of casework commands, validated, one batch. */
/* One line of append/import input, parsed: its event points into holder. */
typedef struct cmd_line {
    cw_event ev;
    cw_event_source src;
    json_t *holder;
} cmd_line;

/*
 * What append and import refuse: an account's or an API token's events, which `caseward user`
 * and `caseward token` record together with their table's row (appended alone, the log and the
 * accounts would differ); and an approval of a change that widens access, which is a second,
 * signed-in person's act through the API (docs/events.md, "Two-person rule"): the command line
 * is one person, whatever --actor it names.
 */
static cw_rc cli_refused(const char *type, cw_error *err)
{
    static const char *const own[] = {"account_created", "account_changed", "password_set",
                                      "token_created",   "token_revoked",   NULL};
    for (size_t i = 0; own[i]; i++)
        if (!strcmp(type, own[i]))
            return cw_error_set(err, CW_EINVAL,
                                "type: %s is recorded by caseward user or caseward token, with "
                                "the account's or token's row, not appended",
                                type);
    if (!strcmp(type, "access_change_approved"))
        return cw_error_set(err, CW_EFORBIDDEN,
                            "type: a change that widens who can see children's records is "
                            "approved by a second person, signed in, through the API "
                            "(POST /api/v1/commands/access_change_approved), not at the command "
                            "line");
    return CW_OK;
}

static cw_rc run_commands(args *a, int need_file, cw_error *err)
{
    const char *db = NULL, *actor = "cli", *pos[1] = {NULL};
    const opt opts[] = {{"db", &db, NULL}, {"actor", &actor, NULL}, {NULL, NULL, NULL}};
    int np;
    cw_rc rc = cli_parse_opts(a, opts, pos, 1, &np, err);
    if (rc || (rc = cli_need(db, "db", err)))
        return rc;
    if ((rc = cw_entry_check_actor(actor, err))) {
        cw_error_prefix(err, "--");
        return CW_EUSAGE;
    }
    if (need_file && (np != 1 || !strcmp(pos[0], "-")))
        return cw_error_set(err, CW_EUSAGE, "give the file of commands to import");
    FILE *in = stdin;
    if (np == 1 && strcmp(pos[0], "-") != 0) {
        in = fopen(pos[0], "rb");
        if (!in)
            return cw_error_set(err, CW_ENOTFOUND, "%s: cannot open", pos[0]);
    }
    /* Every line is read and parsed before the log's tail is taken: a slow pipe must not hold
     * the other writers (a server among them) waiting while it trickles in. */
    cw_buf line = CW_BUF_INIT(CW_ENTRY_MAX_BYTES);
    cmd_line *cmds = NULL;
    size_t n = 0, cap = 0;
    uint64_t lineno = 0, size = 0;
    cw_ledger *l = NULL;
    for (;;) {
        int eof, nl;
        lineno++;
        rc = cw_file_read_line(in, &line, &eof, &nl);
        if (rc) {
            cw_error_set(err, rc, "line %" PRIu64 ": %s", lineno,
                         rc == CW_ETOOBIG ? "longer than the 1 MiB limit" : "read error");
            break;
        }
        if (eof)
            break;
        if (line.len == 0) {
            rc = cw_error_set(err, CW_EINVAL, "line %" PRIu64 ": empty line", lineno);
            break;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            cmd_line *m = realloc(cmds, ncap * sizeof *m);
            if (!m) {
                rc = cw_error_set(err, CW_ENOMEM, "line %" PRIu64 ": out of memory", lineno);
                break;
            }
            cmds = m;
            cap = ncap;
        }
        cmd_line *c = &cmds[n];
        c->holder = NULL;
        if ((rc = cw_entry_parse_command(line.data, line.len, actor, &c->ev, &c->src, &c->holder,
                                         err))) {
            cw_error_prefix(err, "line %" PRIu64 ": ", lineno);
            break;
        }
        n++; /* its holder is released below */
        if ((rc = cli_refused(c->ev.type, err))) {
            cw_error_prefix(err, "line %" PRIu64 ": ", lineno);
            break;
        }
    }
    if (!rc && !(rc = cw_ledger_open(db, CW_LEDGER_WRITE, &l, err)) &&
        !(rc = cw_casework_begin(l, err))) {
        for (size_t i = 0; i < n && !rc; i++)
            if ((rc = cw_casework_submit_source(l, &cmds[i].ev, &cmds[i].src, NULL, err)))
                cw_error_prefix(err, "line %zu: ", i + 1);
        if (rc)
            cw_casework_abort(l);
        else if (!(rc = cw_casework_commit(l, &size, err)))
            printf("%" PRIu64 "\n", size);
    }
    if (rc && rc != CW_EUSAGE)
        cw_error_prefix(err, "nothing appended: ");
    cw_ledger_close(l);
    for (size_t i = 0; i < n; i++)
        json_decref(cmds[i].holder);
    free(cmds);
    cw_buf_release(&line);
    if (in != stdin)
        fclose(in);
    return rc;
}

static cw_rc cmd_append(args *a, cw_error *err)
{
    return run_commands(a, 0, err);
}

/* import --from ssd DIR: history migrated from a Standard Safeguarding Dataset (docs/returns.md).
 */
static cw_rc import_ssd(args *a, cw_error *err)
{
    const char *db = NULL, *from = NULL, *actor = "ssd.import", *system = "SSD";
    const char *recorded = NULL, *language = "english", *pos[1] = {NULL};
    const opt opts[] = {{"db", &db, NULL},
                        {"from", &from, NULL},
                        {"actor", &actor, NULL},
                        {"system", &system, NULL},
                        {"recorded-at", &recorded, NULL},
                        {"language", &language, NULL},
                        {NULL, NULL, NULL}};
    int np;
    cw_rc rc = cli_parse_opts(a, opts, pos, 1, &np, err);
    if (rc || (rc = cli_need(db, "db", err)))
        return rc;
    if (np != 1)
        return cw_error_set(err, CW_EUSAGE, "import --from ssd: say which directory");
    if (strcmp(language, "english") && strcmp(language, "welsh") && strcmp(language, "other"))
        return cw_error_set(err, CW_EUSAGE, "--language: %s is not english, welsh or other",
                            language);
    if ((rc = cw_entry_check_source_system(system, err)))
        return rc;
    cw_ssd_import_opts o = {pos[0], actor, system, language, cw_time_now_ms()};
    if (recorded && cw_time_parse_ms(recorded, strlen(recorded), &o.recorded_ms))
        return cw_error_set(
            err, CW_EUSAGE,
            "--recorded-at: %s is not an RFC 3339 UTC time (2025-04-01T00:00:00.000Z)", recorded);
    cw_ledger *l = NULL;
    cw_ssd_import_result res;
    memset(&res, 0, sizeof res);
    int64_t t0 = cw_time_now_ms();
    if (!(rc = cw_ledger_open(db, CW_LEDGER_WRITE, &l, err)))
        rc = cw_ssd_import(l, &o, &res, err);
    if (!rc) {
        size_t rows = 0;
        for (int i = 0; cw_ssd_table_name(i); i++)
            rows += res.rows[i];
        printf("imported %zu rows of the Standard Safeguarding Dataset as %zu commands in %.1f s; "
               "the log holds %" PRIu64 " entries\n",
               rows, res.commands, (double)(cw_time_now_ms() - t0) / 1000.0, res.size);
        for (int i = 0; cw_ssd_table_name(i); i++)
            if (res.rows[i])
                printf("  %-28s %zu rows\n", cw_ssd_table_name(i), res.rows[i]);
        if (res.skipped.len)
            printf("skipped (tables caseward does not hold): %s\n", res.skipped.data);
    } else if (rc != CW_EUSAGE) {
        cw_error_prefix(err, "nothing imported: ");
    }
    cw_ssd_import_result_release(&res);
    cw_ledger_close(l);
    return rc;
}

static cw_rc cmd_import(args *a, cw_error *err)
{
    for (int i = 0; i + 1 < a->argc; i++)
        if (!strcmp(a->argv[i], "--from")) {
            if (strcmp(a->argv[i + 1], "ssd") != 0)
                return cw_error_set(err, CW_EUSAGE,
                                    "--from: %s is not a format caseward imports (ssd; without "
                                    "--from, JSON Lines commands)",
                                    a->argv[i + 1]);
            return import_ssd(a, err);
        }
    return run_commands(a, 1, err);
}

static cw_rc cmd_rebuild(args *a, cw_error *err)
{
    const char *db = NULL;
    const opt opts[] = {{"db", &db, NULL}, {NULL, NULL, NULL}};
    int np;
    cw_ledger *l = NULL;
    cw_rc rc = cli_parse_opts(a, opts, NULL, 0, &np, err);
    if (rc || (rc = cli_need(db, "db", err)))
        return rc;
    if (!(rc = cw_ledger_open(db, CW_LEDGER_WRITE, &l, err)) && !(rc = cw_casework_rebuild(l, err)))
        printf("rebuilt the projections from %" PRIu64 " entries\n", cw_ledger_size(l));
    cw_ledger_close(l);
    return rc;
}

static cw_rc cmd_upgrade(args *a, cw_error *err)
{
    const char *db = NULL;
    const opt opts[] = {{"db", &db, NULL}, {NULL, NULL, NULL}};
    int np;
    cw_ledger *l = NULL;
    cw_rc rc = cli_parse_opts(a, opts, NULL, 0, &np, err);
    if (rc || (rc = cli_need(db, "db", err)))
        return rc;
    /* Opening for writing upgrades the schema; the catch-up replays what it emptied. */
    if (!(rc = cw_ledger_open(db, CW_LEDGER_WRITE, &l, err)) &&
        !(rc = cw_casework_catch_up(l, err)))
        printf("the database is at this caseward's schema, its projections covering %" PRIu64
               " entries\n",
               cw_ledger_size(l));
    cw_ledger_close(l);
    return rc;
}

/* One line of a chronology, then any corrections beside it. */
static void print_entry(const cw_history_entry *e, FILE *f)
{
    char date[CW_DATE_LEN + 1];
    cw_date_format(e->date, date);
    char *payload = json_dumps(e->payload, JSON_COMPACT | JSON_SORT_KEYS);
    fprintf(f, "%s  #%" PRIu64 "  %s  by %s  %s\n", date, e->index, e->type, e->actor,
            payload ? payload : "{}");
    free(payload);
    if (e->removed_by >= 0) {
        char on[CW_DATE_LEN + 1];
        cw_date_format(e->removed_on, on);
        fprintf(f,
                "            personal data removed on %s under %s (#%" PRId64 "); true marks "
                "what was there\n",
                on, cw_casework_basis_label(e->removed_under), e->removed_by);
    }
    for (size_t i = 0; i < e->ncorrections; i++)
        fprintf(f, "            corrected by #%" PRIu64 "\n", e->corrected_by[i]);
    if (e->original) {
        char *orig = json_dumps(e->original, JSON_COMPACT | JSON_SORT_KEYS);
        fprintf(f, "            as first recorded: %s\n", orig ? orig : "{}");
        free(orig);
    }
}

static cw_rc cmd_chronology(args *a, cw_error *err)
{
    const char *db = NULL, *child = NULL;
    int as_json = 0;
    const opt opts[] = {
        {"db", &db, NULL}, {"child", &child, NULL}, {"json", NULL, &as_json}, {NULL, NULL, NULL}};
    int np;
    cw_ledger *l = NULL;
    cw_history h;
    cw_rc rc = cli_parse_opts(a, opts, NULL, 0, &np, err);
    if (rc || (rc = cli_need(db, "db", err)) || (rc = cli_need(child, "child", err)))
        return rc;
    if ((rc = cw_ledger_open(db, CW_LEDGER_READONLY, &l, err)) ||
        (rc = cw_casework_current(l, err)) || (rc = cw_casework_history(l, child, &h, err))) {
        cw_ledger_close(l);
        return rc;
    }
    if (as_json) {
        json_t *arr = cw_report_chronology(&h);
        if (arr)
            json_dumpf(arr, stdout, JSON_INDENT(1) | JSON_SORT_KEYS);
        printf("\n");
        json_decref(arr);
    } else {
        for (size_t i = 0; i < h.n; i++)
            print_entry(&h.entries[i], stdout);
    }
    cw_casework_history_release(&h);
    cw_ledger_close(l);
    return CW_OK;
}

/* ---- the demo council ---- */

static void demo_progress(void *ctx, uint64_t done, uint64_t total, uint64_t events)
{
    (void)ctx;
    fprintf(stderr, "\rdemo: %" PRIu64 " of %" PRIu64 " children, %" PRIu64 " events", done, total,
            events);
}

static cw_rc cmd_demo(args *a, cw_error *err)
{
    const char *db = NULL, *children = NULL, *seed = NULL, *as_of = NULL, *years = NULL;
    const char *failure = NULL, *batch = NULL, *accounts = NULL, *leaf_format = NULL;
    const opt opts[] = {
        {"db", &db, NULL},       {"children", &children, NULL}, {"seed", &seed, NULL},
        {"as-of", &as_of, NULL}, {"years", &years, NULL},       {"failure-scale", &failure, NULL},
        {"batch", &batch, NULL}, {"accounts", &accounts, NULL}, {"leaf-format", &leaf_format, NULL},
        {NULL, NULL, NULL}};
    int np;
    cw_demo_opts o;
    cw_demo_stats st;
    uint64_t v;
    cw_demo_opts_init(&o);
    cw_rc rc = cli_parse_opts(a, opts, NULL, 0, &np, err);
    if (rc || (rc = cli_need(db, "db", err)))
        return rc;
    if (children && !(rc = parse_u64(children, "--children", &v, err)))
        o.children = v;
    if (!rc && seed && !(rc = parse_u64(seed, "--seed", &v, err)))
        o.seed = v;
    if (!rc && years && !(rc = parse_u64(years, "--years", &v, err)))
        o.years = v > 100 ? 101 : (unsigned)v;
    if (!rc && as_of)
        rc = cli_parse_date(as_of, "--as-of", &o.as_of, err);
    if (!rc && batch && !(rc = parse_u64(batch, "--batch", &v, err)))
        o.batch = (size_t)v;
    /* 1: as before issue 13, personal text inside the leaves (to make an older database for the
     * upgrade tests); 2, the default: personal text beside them, erasable. */
    if (!rc && leaf_format && strcmp(leaf_format, "1") && strcmp(leaf_format, "2"))
        rc = cw_error_set(err, CW_EUSAGE, "--leaf-format: \"%.32s\" is not 1 or 2", leaf_format);
    o.leaf_v1 = leaf_format && !strcmp(leaf_format, "1");
    if (!rc && failure) {
        /* A small decimal: 0 (a clean council) to 5. */
        char *end = NULL;
        double f = strtod(failure, &end);
        if (!*failure || *end || !(f >= 0 && f <= 5))
            rc = cw_error_set(err, CW_EUSAGE,
                              "--failure-scale: \"%.32s\" is not a number from 0 to 5", failure);
        o.failure_scale = f;
    }
    if (rc)
        return rc;
    if (isatty(2))
        o.progress = demo_progress;
    /* A new log for the demo, unless an empty one is given. */
    if (cw_store_is_uri(db)) { /* PostgreSQL: a log is made unless the database holds one */
        cw_store *probe = NULL;
        rc = cw_store_open(db, CW_STORE_READONLY, &probe, err);
        cw_store_close(probe);
        if (rc == CW_ENOTFOUND)
            rc = cw_ledger_create(db, "caseward.demo.local/children", err);
        if (rc)
            return rc;
    } else if (access(db, F_OK) != 0 &&
               (rc = cw_ledger_create(db, "caseward.demo.local/children", err))) {
        return rc;
    }
    cw_ledger *l = NULL;
    if ((rc = cw_ledger_open(db, CW_LEDGER_WRITE, &l, err)))
        return rc;
    if (accounts && (rc = cw_password_check_policy("", accounts, err))) {
        cw_ledger_close(l);
        return rc;
    }
    rc = cw_demo_generate(l, &o, &st, err);
    if (o.progress)
        fprintf(stderr, "\n");
    cw_buf out = CW_BUF_INIT(1 << 16);
    if (!rc && !cw_demo_stats_format(&st, &out))
        fputs(out.data, stdout);
    cw_buf_reset(&out);
    if (!rc && accounts && !(rc = cw_demo_accounts(l, accounts, &out, err)))
        printf("\nsign-ins for the demo (password as given to --accounts):\n%s", out.data);
    cw_buf_release(&out);
    cw_ledger_close(l);
    return rc;
}

/* ---- the rules: obligations, overdue work, signals, escalation ---- */

typedef struct rules_env {
    cw_ledger *l;
    cw_rule_pack *pack;
    cw_calendar cal;
    cw_date as_of;
} rules_env;

static void rules_env_release(rules_env *e)
{
    cw_rules_free(e->pack);
    cw_calendar_release(&e->cal);
    cw_ledger_close(e->l);
}

/* Opens the log, the rule pack (--rules NAME or --rules-file FILE) and the calendar. */
static cw_rc rules_env_open(rules_env *e, const char *db, int write, const char *rules,
                            const char *rules_file, const char *as_of, int need_as_of,
                            cw_error *err)
{
    memset(e, 0, sizeof *e);
    cw_rc rc;
    if (need_as_of && !as_of)
        return cw_error_set(err, CW_EUSAGE, "--as-of DATE is required");
    if (as_of) {
        if ((rc = cli_parse_date(as_of, "--as-of", &e->as_of, err)))
            return rc;
    } else {
        e->as_of = (cw_date)(cw_time_now_ms() / 86400000);
    }
    if ((rc = cw_calendar_load_default(&e->cal, err)))
        return rc;
    if (rules_file) {
        cw_buf text = CW_BUF_INIT(1 << 20);
        if (!(rc = cw_file_read(rules_file, &text, err)))
            rc = cw_rules_load(text.data ? text.data : "", text.len, rules_file, &e->pack, err);
        cw_buf_release(&text);
    } else {
        /* The log's own pack (set at init), unless --rules overrides it. */
        cw_buf name = CW_BUF_INIT(64);
        if (!(rc = cw_ledger_open(db, write ? CW_LEDGER_WRITE : CW_LEDGER_READONLY, &e->l, err)) &&
            !rules && cw_store_meta_get(cw_ledger_store(e->l), "rule_pack", &name, NULL) == CW_OK)
            rules = name.data;
        if (!rc)
            rc = cw_rules_load_builtin(rules ? rules : "wales", &e->pack, err);
        cw_buf_release(&name);
    }
    if (!rc && !e->l)
        rc = cw_ledger_open(db, write ? CW_LEDGER_WRITE : CW_LEDGER_READONLY, &e->l, err);
    /* The rules read the casework tables: they must cover the whole log. */
    if (!rc)
        rc = write ? cw_casework_catch_up(e->l, err) : cw_casework_current(e->l, err);
    if (rc)
        rules_env_release(e);
    return rc;
}

static const char *day(cw_date d, char out[CW_DATE_LEN + 1])
{
    cw_date_format(d, out);
    return out;
}

/* ---- --lang en|cy: the words of the text reports (docs/cli.md, "Language") ---- */

/* The words the measures and signals text reports print around the figures and titles, in
 * English and in Welsh (docs/welsh-glossary.md). The command line's own messages and --help
 * stay English. */
typedef struct report_words {
    const char *code;
    const char *heading[3];    /* "measures (" PACK " pack), " FROM " to " TO */
    const char *team, *area;   /* ", team " ID */
    const char *checkpoint[3]; /* "computed at the log's checkpoint " ORIGIN ", size " ... */
    const char *days;          /* a mean length's unit */
    const char *signed_to[3];  /* "signed report written to " FILE " (caseward verify ..." */
    const char *since, *evidence, *escalate_to;
} report_words;

static const report_words report_langs[] = {
    {"en",
     {"measures (", " pack), ", " to "},
     ", team ",
     ", area ",
     {"computed at the log's checkpoint ", ", size ", ", root "},
     " days",
     {"signed report written to ", " (caseward verify --dir EXPORT --measures ", " checks it)"},
     "since",
     "evidence",
     "escalate to"},
    {"cy",
     {"mesurau perfformiad (pecyn ", "), ", " i "},
     ", tîm ",
     ", maes gwasanaeth ",
     {"wedi’u cyfrifo ym mhwynt gwirio’r log ", ", maint ", ", stwnsh gwraidd "},
     " diwrnod",
     {"adroddiad wedi’i lofnodi wedi’i ysgrifennu i ",
      " (mae caseward verify --dir ALLFORIAD --measures ", " yn ei wirio)"},
     "ers",
     "tystiolaeth",
     "uwchgyfeirio at"},
};

/* The column heads of the measures report, in the order the columns print. */
static const char *const report_columns[][5] = {
    {"measure", "value", "numerator", "denominator", "title"},
    {"mesur", "gwerth", "rhifiadur", "enwadur", "teitl"},
};

/* --lang: en (the default) or cy. */
static cw_rc report_lang(const char *lang, const report_words **out, size_t *index, cw_error *err)
{
    for (size_t i = 0; i < sizeof report_langs / sizeof report_langs[0]; i++)
        if (!strcmp(report_langs[i].code, lang ? lang : "en")) {
            *out = &report_langs[i];
            if (index)
                *index = i;
            return CW_OK;
        }
    return cw_error_set(err, CW_EUSAGE,
                        "--lang: \"%.16s\" is not a language of the reports: give en (English) "
                        "or cy (Cymraeg, Welsh)",
                        lang);
}

/* A title in the report's language: the Welsh one when asked for and the pack has one, the
 * English one otherwise. */
static const char *title_in(const report_words *w, const char *title, const char *title_cy)
{
    return !strcmp(w->code, "cy") && title_cy && *title_cy ? title_cy : title;
}

static void print_obligation(const char *child, const cw_obligation *o)
{
    char a[CW_DATE_LEN + 1], b[CW_DATE_LEN + 1], c[CW_DATE_LEN + 1];
    printf("%-10s %-28s from #%-6" PRIu64 " %s  due %s  %-11s", child, o->rule_id, o->started_by,
           day(o->start, a), day(o->due, b), cw_obligation_state_name(o->state));
    if (o->met)
        printf("  met %s by #%" PRIu64, day(o->met_on, c), o->met_by);
    if (o->state == CW_OBLIGATION_OVERDUE)
        printf("  %" PRId64 " days overdue", o->days_overdue);
    if (o->state == CW_OBLIGATION_ENDED_BY_CLOSURE)
        printf("  case closed %s, %" PRId64 " days overdue then", day(o->ended_on, c),
               o->days_overdue);
    if (o->escalation_level > 0 && o->escalate_to)
        printf("  escalate to %s", o->escalate_to);
    printf("\n");
}

static void print_signal(const char *child, const cw_signal *s, const report_words *w)
{
    char a[CW_DATE_LEN + 1];
    printf("%-10s %-28s %s %s  %s", child, s->rule_id, w->since, day(s->since, a), w->evidence);
    for (size_t i = 0; i < s->nevidence; i++)
        printf(" #%" PRIu64, s->evidence[i]);
    if (s->escalation_level > 0 && s->escalate_to)
        printf("  %s %s", w->escalate_to, s->escalate_to);
    printf("  (%s)\n", title_in(w, s->title, s->title_cy));
}

static cw_rc cmd_obligations(args *a, cw_error *err)
{
    const char *db = NULL, *child = NULL, *as_of = NULL, *rules = NULL, *rules_file = NULL;
    int as_json = 0;
    const opt opts[] = {
        {"db", &db, NULL},       {"child", &child, NULL},           {"as-of", &as_of, NULL},
        {"rules", &rules, NULL}, {"rules-file", &rules_file, NULL}, {"json", NULL, &as_json},
        {NULL, NULL, NULL}};
    int np;
    rules_env e;
    cw_rule_results r;
    cw_rc rc = cli_parse_opts(a, opts, NULL, 0, &np, err);
    if (rc || (rc = cli_need(db, "db", err)) || (rc = cli_need(child, "child", err)) ||
        (rc = rules_env_open(&e, db, 0, rules, rules_file, as_of, 0, err)))
        return rc;
    cw_rule_results_init(&r);
    if (!(rc = cw_oversight_child(e.l, e.pack, &e.cal, child, e.as_of, &r, err))) {
        if (as_json) {
            json_t *arr = json_array();
            for (size_t i = 0; arr && i < r.nobligations; i++)
                json_array_append_new(arr, cw_report_obligation(child, &r.obligations[i]));
            json_dumpf(arr, stdout, JSON_INDENT(1));
            printf("\n");
            json_decref(arr);
        } else {
            for (size_t i = 0; i < r.nobligations; i++)
                print_obligation(child, &r.obligations[i]);
        }
    }
    cw_rule_results_release(&r);
    rules_env_release(&e);
    return rc;
}

typedef struct list_ctx {
    int signals; /* 0: overdue obligations; 1: signals */
    json_t *arr; /* NULL for text */
    uint64_t count;
    const rules_env *e;
    const report_words *words; /* --lang */
} list_ctx;

static cw_rc list_child(void *ctx, const char *child, const cw_rule_results *r)
{
    list_ctx *lc = ctx;
    if (!lc->signals) {
        for (size_t i = 0; i < r->nobligations; i++) {
            if (!cw_rules_outstanding(lc->e->pack, &lc->e->cal, &r->obligations[i], lc->e->as_of))
                continue;
            lc->count++;
            if (lc->arr)
                json_array_append_new(lc->arr, cw_report_obligation(child, &r->obligations[i]));
            else
                print_obligation(child, &r->obligations[i]);
        }
    } else {
        for (size_t i = 0; i < r->nsignals; i++) {
            lc->count++;
            if (lc->arr)
                json_array_append_new(lc->arr, cw_report_signal(child, &r->signals[i]));
            else
                print_signal(child, &r->signals[i], lc->words);
        }
    }
    return CW_OK;
}

static cw_rc list_all(args *a, int signals, cw_error *err)
{
    const char *db = NULL, *as_of = NULL, *rules = NULL, *rules_file = NULL, *lang = NULL;
    int as_json = 0;
    const opt opts[] = {{"db", &db, NULL},        {"as-of", &as_of, NULL},
                        {"rules", &rules, NULL},  {"rules-file", &rules_file, NULL},
                        {"json", NULL, &as_json}, {"lang", &lang, NULL},
                        {NULL, NULL, NULL}};
    int np;
    rules_env e;
    const report_words *words = NULL;
    cw_rc rc = cli_parse_opts(a, opts, NULL, 0, &np, err);
    /* overdue's lines print no titles: only signals has words to translate */
    if (!rc && lang && !signals)
        rc = cw_error_set(err, CW_EUSAGE, "unknown option --lang");
    if (rc || (rc = report_lang(lang, &words, NULL, err)) || (rc = cli_need(db, "db", err)) ||
        (rc = rules_env_open(&e, db, 0, rules, rules_file, as_of, 1, err)))
        return rc;
    list_ctx lc = {signals, as_json ? json_array() : NULL, 0, &e, words};
    rc = cw_oversight_all(e.l, e.pack, &e.cal, e.as_of, list_child, &lc, err);
    if (!rc && lc.arr) {
        json_dumpf(lc.arr, stdout, JSON_INDENT(1));
        printf("\n");
    }
    json_decref(lc.arr);
    rules_env_release(&e);
    return rc;
}

/* The period of --from/--to, or of --period (fy2025, 2025-q1, 2025-04). */
static cw_rc period_opts(const char *from, const char *to, const char *period, cw_date *f,
                         cw_date *t, cw_error *err)
{
    cw_rc rc;
    if (period && (from || to))
        return cw_error_set(err, CW_EUSAGE, "give --period or --from and --to, not both");
    if (period)
        return cw_measures_period(period, f, t, err);
    if (!from || !to)
        return cw_error_set(err, CW_EUSAGE, "--from DATE and --to DATE (or --period) are required");
    if ((rc = cli_parse_date(from, "--from", f, err)) || (rc = cli_parse_date(to, "--to", t, err)))
        return rc;
    if (*f > *t)
        return cw_error_set(err, CW_EUSAGE, "--from %s is after --to %s", from, to);
    return CW_OK;
}

static void print_figures(const json_t *report, const report_words *w, size_t lang)
{
    const json_t *cp = json_object_get(report, "checkpoint");
    printf("%s%s%s%s%s%s", w->heading[0], json_string_value(json_object_get(report, "pack")),
           w->heading[1], json_string_value(json_object_get(report, "from")), w->heading[2],
           json_string_value(json_object_get(report, "to")));
    if (json_object_get(report, "team"))
        printf("%s%s", w->team, json_string_value(json_object_get(report, "team")));
    if (json_object_get(report, "area"))
        printf("%s%s", w->area, json_string_value(json_object_get(report, "area")));
    printf("\n%s%s%s%" JSON_INTEGER_FORMAT "%s%s\n", w->checkpoint[0],
           json_string_value(json_object_get(cp, "origin")), w->checkpoint[1],
           json_integer_value(json_object_get(cp, "size")), w->checkpoint[2],
           json_string_value(json_object_get(cp, "root_hash")));
    const char *const *col = report_columns[lang];
    printf("%-30s %12s  %7s / %-7s  %s\n", col[0], col[1], col[2], col[3], col[4]);
    const json_t *arr = json_object_get(report, "measures");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *m = json_array_get(arr, i);
        const json_t *v = json_object_get(m, "value");
        const char *unit = json_string_value(json_object_get(m, "unit"));
        char value[48] = "-";
        if (json_is_real(v))
            snprintf(value, sizeof value, "%.1f%s", json_real_value(v),
                     !strcmp(unit, "percent") ? "%" : w->days);
        else if (json_is_integer(v))
            snprintf(value, sizeof value, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        printf("%-30s %12s  %7" JSON_INTEGER_FORMAT " / %-7" JSON_INTEGER_FORMAT "  %s\n",
               json_string_value(json_object_get(m, "id")), value,
               json_integer_value(json_object_get(m, "numerator")),
               json_integer_value(json_object_get(m, "denominator")),
               title_in(w, json_string_value(json_object_get(m, "title")),
                        json_string_value(json_object_get(m, "title_cy"))));
    }
}

static cw_rc cmd_measures(args *a, cw_error *err)
{
    const char *db = NULL, *from = NULL, *to = NULL, *period = NULL, *team = NULL, *area = NULL,
               *out = NULL, *lang = NULL;
    int as_json = 0;
    const opt opts[] = {{"db", &db, NULL},         {"from", &from, NULL},    {"to", &to, NULL},
                        {"period", &period, NULL}, {"team", &team, NULL},    {"area", &area, NULL},
                        {"out", &out, NULL},       {"json", NULL, &as_json}, {"lang", &lang, NULL},
                        {NULL, NULL, NULL}};
    int np;
    rules_env e;
    cw_measures_query q = {0, 0, NULL, NULL, -1};
    const report_words *words = NULL;
    size_t li = 0;
    cw_rc rc = cli_parse_opts(a, opts, NULL, 0, &np, err);
    if (rc || (rc = report_lang(lang, &words, &li, err)) || (rc = cli_need(db, "db", err)) ||
        (rc = period_opts(from, to, period, &q.from, &q.to, err)))
        return rc;
    if (team && area)
        return cw_error_set(err, CW_EUSAGE, "give --team or --area, not both");
    q.team = team;
    q.area = area;
    if ((rc = rules_env_open(&e, db, 0, NULL, NULL, NULL, 0, err)))
        return rc;
    cw_measure_set *m = NULL;
    json_t *report = NULL;
    cw_buf note = CW_BUF_INIT(CW_NOTE_MAX_BYTES), body = CW_BUF_INIT(CW_NOTE_MAX_BYTES);
    if (!(rc = cw_measures_load_builtin(e.pack, &m, err)) &&
        !(rc = cw_measures_report(e.l, m, e.pack, &e.cal, &q, &report, NULL, err))) {
        /* Signed only when written: reading the figures does not need the log's key. */
        if (out && !(rc = cw_measures_sign(db, report, &note, err)))
            rc = cw_file_write_atomic(out, note.data, note.len, 0644, 0, err);
        if (!rc && as_json) {
            cw_json_write_canonical(report, &body);
            printf("%s\n", body.data);
        } else if (!rc) {
            print_figures(report, words, li);
            if (out)
                printf("%s%s%s%s%s\n", words->signed_to[0], out, words->signed_to[1], out,
                       words->signed_to[2]);
        }
    }
    cw_buf_release(&note);
    cw_buf_release(&body);
    json_decref(report);
    cw_measures_free(m);
    rules_env_release(&e);
    return rc;
}

/* ---- retention (docs/privacy.md, "Retention") ---- */

/* The retention rules: --rules-file, else --rules NAME, else the nation of the log's rule
 * pack (set at init). */
static cw_rc retention_rules(cw_ledger *l, const char *rules, const char *rules_file,
                             cw_retention_rules *out, cw_error *err)
{
    cw_rc rc;
    if (rules_file) {
        cw_buf text = CW_BUF_INIT(1 << 20);
        if (!(rc = cw_file_read(rules_file, &text, err)))
            rc = cw_retention_load(text.data ? text.data : "", text.len, rules_file, out, err);
        cw_buf_release(&text);
        return rc;
    }
    cw_buf name = CW_BUF_INIT(64);
    if (!rules && cw_store_meta_get(cw_ledger_store(l), "rule_pack", &name, NULL) == CW_OK)
        rules = name.data;
    rc = cw_retention_load_builtin(rules ? rules : "wales", out, err);
    if (rc == CW_ENOTFOUND)
        rc = CW_EUSAGE;
    cw_buf_release(&name);
    return rc;
}

static json_t *retention_json(const cw_retention_due *d)
{
    char due[CW_DATE_LEN + 1], since[CW_DATE_LEN + 1];
    cw_date_format(d->due, due);
    json_t *hold = json_null();
    if (d->hold.found) {
        cw_date_format(d->hold.since, since);
        hold = json_pack("{s:s, s:s, s:s, s:b}", "hold_id", d->hold.hold_id, "kind", d->hold.kind,
                         "since", since, "every_child", d->hold.every_child);
    }
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "child_id", d->child, "due", due,
                     "rule", d->rule->id, "records", d->rule->records, "basis",
                     d->rule->statutory ? "statutory" : "schedule", "source", d->rule->source,
                     "hold", hold, "proposed",
                     d->proposed[0] ? json_string(d->proposed) : json_null());
}

static cw_rc cmd_retention(args *a, cw_error *err)
{
    const char *db = NULL, *as_of = NULL, *rules = NULL, *rules_file = NULL, *actor = NULL;
    int as_json = 0, propose = 0;
    const opt opts[] = {{"db", &db, NULL},        {"as-of", &as_of, NULL},
                        {"rules", &rules, NULL},  {"rules-file", &rules_file, NULL},
                        {"json", NULL, &as_json}, {"propose", NULL, &propose},
                        {"actor", &actor, NULL},  {NULL, NULL, NULL}};
    int np;
    cw_date on;
    cw_rc rc = cli_parse_opts(a, opts, NULL, 0, &np, err);
    if (rc || (rc = cli_need(db, "db", err)) || (rc = cli_need(as_of, "as-of", err)))
        return rc;
    if ((rc = cli_parse_date(as_of, "--as-of", &on, err)))
        return CW_EUSAGE;
    if (rules && rules_file)
        return cw_error_set(err, CW_EUSAGE, "give --rules or --rules-file, not both");
    if (propose && (rc = cli_need(actor, "actor (the member of staff proposing)", err)))
        return rc;
    if (!propose && actor)
        return cw_error_set(err, CW_EUSAGE, "--actor goes with --propose");
    if (propose && (rc = cw_entry_check_actor(actor, err))) {
        cw_error_prefix(err, "--actor: ");
        return CW_EUSAGE;
    }
    cw_ledger *l = NULL;
    cw_retention_rules r = {0};
    cw_retention_report rep = {0};
    size_t proposed = 0;
    if ((rc = cw_ledger_open(db, propose ? CW_LEDGER_WRITE : CW_LEDGER_READONLY, &l, err)) ||
        (rc = retention_rules(l, rules, rules_file, &r, err)))
        goto out;
    if (propose)
        rc = cw_retention_propose(l, &r, on, actor, &proposed, err);
    else
        rc = cw_casework_current(l, err);
    if (!rc)
        rc = cw_retention_due_on(cw_ledger_store(l), &r, on, &rep, err);
    if (rc)
        goto out;
    if (as_json) {
        json_t *arr = json_array();
        for (size_t i = 0; arr && i < rep.n; i++)
            json_array_append_new(arr, retention_json(&rep.v[i]));
        json_t *doc = json_pack("{s:s, s:s, s:o, s:I}", "as_of", as_of, "rules",
                                r.nation[0] ? r.nation : "custom", "due", arr, "proposed",
                                (json_int_t)proposed);
        json_dumpf(doc, stdout, JSON_INDENT(1));
        printf("\n");
        json_decref(doc);
        goto out;
    }
    if (propose)
        printf("%zu erasure%s proposed under the retention schedule, for the data protection "
               "officer to approve\n",
               proposed, proposed == 1 ? "" : "s");
    printf("retention (%s rules) as of %s: %zu record%s due for destruction\n",
           r.nation[0] ? r.nation : "custom", as_of, rep.n, rep.n == 1 ? "" : "s");
    for (size_t i = 0; i < rep.n; i++) {
        const cw_retention_due *d = &rep.v[i];
        char due[CW_DATE_LEN + 1], since[CW_DATE_LEN + 1];
        printf("%-10s due %s  %-28s %-9s", d->child, day(d->due, due), d->rule->id,
               d->rule->statutory ? "statutory" : "schedule");
        if (d->hold.found)
            printf("  stopped by legal hold %s (%s%s) since %s", d->hold.hold_id, d->hold.kind,
                   d->hold.every_child ? ", every child" : "", day(d->hold.since, since));
        if (d->proposed[0])
            printf("  proposed as erasure %s", d->proposed);
        printf("\n");
    }
    printf("rules:\n");
    for (size_t i = 0; i < r.n; i++)
        printf("  %-28s %-16s %s %d%s, %s: %s\n", r.v[i].id, r.v[i].records,
               r.v[i].trigger == CW_RETAIN_BIRTHDAY ? "birthday" : "closure +", r.v[i].years,
               r.v[i].older_years ? " (older at closure: later)" : "",
               r.v[i].statutory ? "statutory" : "schedule", r.v[i].source);
out:
    cw_retention_report_release(&rep);
    cw_retention_rules_release(&r);
    cw_ledger_close(l);
    return rc;
}

static cw_rc cmd_overdue(args *a, cw_error *err)
{
    return list_all(a, 0, err);
}

static cw_rc cmd_signals(args *a, cw_error *err)
{
    return list_all(a, 1, err);
}

/* ---- integrity analytics (docs/integrity.md) ---- */

static cw_rc cmd_integrity(args *a, cw_error *err)
{
    const char *db = NULL, *from = NULL, *to = NULL, *team = NULL, *rules = NULL,
               *rules_file = NULL;
    int as_json = 0;
    const opt opts[] = {{"db", &db, NULL},        {"from", &from, NULL},
                        {"to", &to, NULL},        {"team", &team, NULL},
                        {"rules", &rules, NULL},  {"rules-file", &rules_file, NULL},
                        {"json", NULL, &as_json}, {NULL, NULL, NULL}};
    int np;
    cw_integrity_opts io = {0, 0, NULL};
    cw_rc rc = cli_parse_opts(a, opts, NULL, 0, &np, err);
    if (rc || (rc = cli_need(db, "db", err)) || (rc = cli_need(from, "from", err)) ||
        (rc = cli_need(to, "to", err)) || (rc = cli_parse_date(from, "--from", &io.from, err)) ||
        (rc = cli_parse_date(to, "--to", &io.to, err)))
        return rc;
    if (io.from > io.to)
        return cw_error_set(err, CW_EUSAGE, "--from %s is after --to %s", from, to);
    io.team = team;
    rules_env e;
    if ((rc = rules_env_open(&e, db, 0, rules, rules_file, NULL, 0, err)))
        return rc;
    if (!e.l)
        rc = cw_ledger_open(db, CW_LEDGER_READONLY, &e.l, err);
    cw_integrity_report rep;
    cw_integrity_report_init(&rep);
    if (!rc)
        rc = cw_integrity_run(e.l, e.pack, &e.cal, &io, &rep, err);
    if (!rc && as_json) {
        json_t *j = NULL;
        if (!(rc = cw_integrity_json(&rep, &j))) {
            json_dumpf(j, stdout, JSON_INDENT(1));
            printf("\n");
        } else {
            rc = cw_error_set(err, rc, "out of memory");
        }
        json_decref(j);
    } else if (!rc) {
        cw_buf out = CW_BUF_INIT(SIZE_MAX / 2);
        if (!(rc = cw_integrity_text(&rep, &out)))
            fwrite(out.data, 1, out.len, stdout);
        else
            rc = cw_error_set(err, rc, "out of memory");
        cw_buf_release(&out);
    }
    cw_integrity_report_release(&rep);
    rules_env_release(&e);
    return rc;
}

static cw_rc cmd_escalate(args *a, cw_error *err)
{
    const char *db = NULL, *as_of = NULL, *rules = NULL, *rules_file = NULL;
    const opt opts[] = {{"db", &db, NULL},
                        {"as-of", &as_of, NULL},
                        {"rules", &rules, NULL},
                        {"rules-file", &rules_file, NULL},
                        {NULL, NULL, NULL}};
    int np;
    rules_env e;
    uint64_t raised = 0, unrouted = 0;
    cw_rc rc = cli_parse_opts(a, opts, NULL, 0, &np, err);
    if (rc || (rc = cli_need(db, "db", err)) ||
        (rc = rules_env_open(&e, db, 1, rules, rules_file, as_of, 1, err)))
        return rc;
    uint64_t audit_raised = 0, audit_unrouted = 0, plan_raised = 0, plan_unrouted = 0;
    if (!(rc = cw_oversight_escalate(e.l, e.pack, &e.cal, e.as_of, &raised, &unrouted, err)) &&
        !(rc = cw_audit_escalate(e.l, &e.cal, e.as_of, &audit_raised, &audit_unrouted, err)) &&
        !(rc = cw_improve_escalate(e.l, &e.cal, e.as_of, &plan_raised, &plan_unrouted, err))) {
        raised += audit_raised + plan_raised;
        unrouted += audit_unrouted + plan_unrouted;
        printf("%" PRIu64 " escalation%s recorded (%" PRIu64 " of case-file audits, %" PRIu64
               " of improvement plans); %" PRIu64 " item%s had nobody with the role to tell\n",
               raised, raised == 1 ? "" : "s", audit_raised, plan_raised, unrouted,
               unrouted == 1 ? "" : "s");
    }
    rules_env_release(&e);
    return rc;
}

static cw_rc open_ro(args *a, const char **pos, int maxpos, int *np, cw_ledger **l, cw_error *err)
{
    const char *db = NULL;
    const opt opts[] = {{"db", &db, NULL}, {NULL, NULL, NULL}};
    cw_rc rc = cli_parse_opts(a, opts, pos, maxpos, np, err);
    if (rc || (rc = cli_need(db, "db", err)))
        return rc;
    return cw_ledger_open(db, CW_LEDGER_READONLY, l, err);
}

static cw_rc cmd_checkpoint(args *a, cw_error *err)
{
    cw_ledger *l = NULL;
    int np;
    cw_buf note = CW_BUF_INIT(CW_NOTE_MAX_BYTES);
    cw_rc rc = open_ro(a, NULL, 0, &np, &l, err);
    if (!rc && !(rc = cw_ledger_checkpoint(l, &note, NULL, err)))
        fwrite(note.data, 1, note.len, stdout);
    cw_buf_release(&note);
    cw_ledger_close(l);
    return rc;
}

static cw_rc cmd_vkey(args *a, cw_error *err)
{
    cw_ledger *l = NULL;
    int np;
    cw_buf vk = CW_BUF_INIT(1024);
    cw_rc rc = open_ro(a, NULL, 0, &np, &l, err);
    if (!rc && !(rc = cw_ledger_vkey(l, &vk)))
        printf("%s\n", vk.data);
    cw_buf_release(&vk);
    cw_ledger_close(l);
    return rc;
}

static cw_rc cmd_proof(args *a, cw_error *err)
{
    const char *pos[3] = {NULL, NULL, NULL};
    int np;
    cw_ledger *l = NULL;
    uint64_t x, y;
    uint8_t proof[CW_MERKLE_MAX_PROOF][CW_HASH_LEN];
    size_t n = 0;
    cw_rc rc = open_ro(a, pos, 3, &np, &l, err);
    if (rc)
        goto out;
    int incl = np == 3 && strcmp(pos[0], "inclusion") == 0;
    int cons = np == 3 && strcmp(pos[0], "consistency") == 0;
    if (!incl && !cons) {
        rc = cw_error_set(err, CW_EUSAGE,
                          "usage: caseward proof (inclusion INDEX SIZE | "
                          "consistency OLD NEW) --db PATH");
        goto out;
    }
    if ((rc = parse_u64(pos[1], incl ? "INDEX" : "OLD", &x, err)) ||
        (rc = parse_u64(pos[2], incl ? "SIZE" : "NEW", &y, err)))
        goto out;
    rc = incl ? cw_ledger_inclusion_proof(l, x, y, proof, &n, err)
              : cw_ledger_consistency_proof(l, x, y, proof, &n, err);
    for (size_t i = 0; !rc && i < n; i++) {
        cw_buf b = CW_BUF_INIT(64);
        if (!cw_base64_encode(proof[i], CW_HASH_LEN, &b))
            printf("%s\n", b.data);
        cw_buf_release(&b);
    }
out:
    cw_ledger_close(l);
    return rc;
}

static cw_rc cmd_export(args *a, cw_error *err)
{
    const char *db = NULL, *dir = NULL;
    int facts_only = 0;
    const opt opts[] = {{"db", &db, NULL},
                        {"out", &dir, NULL},
                        {"facts-only", NULL, &facts_only},
                        {NULL, NULL, NULL}};
    int np;
    cw_ledger *l = NULL;
    uint64_t size = 0, held = 0, erased = 0;
    cw_buf stale = CW_BUF_INIT(4096);
    cw_rc rc = cli_parse_opts(a, opts, NULL, 0, &np, err);
    if (rc || (rc = cli_need(db, "db", err)) || (rc = cli_need(dir, "out", err)))
        return rc;
    if (!(rc = cw_ledger_open(db, CW_LEDGER_READONLY, &l, err)) &&
        !(rc = cw_ledger_export(l, dir, &size, err)) && !facts_only)
        rc = cw_ledger_export_personal(l, dir, size, &held, &erased, err);
    /* A facts-only export holds no personal part: one left by an earlier export goes. */
    if (!rc && facts_only && !cw_buf_addf(&stale, "%s/personal.jsonl", dir) &&
        unlink(stale.data) != 0 && errno != ENOENT)
        rc = cw_error_set(err, CW_EIO, "%s: %s", stale.data, strerror(errno));
    if (!rc && facts_only)
        printf("exported %" PRIu64 " entries to %s: the facts only, no personal part\n", size, dir);
    else if (!rc)
        printf("exported %" PRIu64 " entries to %s, with %" PRIu64 " personal parts held (%" PRIu64
               " erased): keep it as private as the database\n",
               size, dir, held, erased);
    cw_buf_release(&stale);
    cw_ledger_close(l);
    return rc;
}

/* ---- the log's settings ---- */

static cw_rc cmd_settings(args *a, cw_error *err)
{
    const char *db = NULL, *la = NULL;
    const opt opts[] = {{"db", &db, NULL}, {"la-code", &la, NULL}, {NULL, NULL, NULL}};
    int np;
    cw_rc rc = cli_parse_opts(a, opts, NULL, 0, &np, err);
    if (rc || (rc = cli_need(db, "db", err)))
        return rc;
    if (la && (strlen(la) != 3 || strspn(la, "0123456789") != 3))
        return cw_error_set(err, CW_EUSAGE,
                            "--la-code: %s is not a local authority number (three digits, e.g. "
                            "201)",
                            la);
    cw_ledger *l = NULL;
    if ((rc = cw_ledger_open(db, la ? CW_LEDGER_WRITE : CW_LEDGER_READONLY, &l, err)))
        return rc;
    cw_store *s = cw_ledger_store(l);
    cw_buf v = CW_BUF_INIT(4096);
    if (la) {
        /* Set once: a council's number does not change, and the log's settings are written
         * once (on PostgreSQL the application may add a setting, never change one). */
        rc = cw_store_meta_get(s, "la_code", &v, err);
        if (rc == CW_ENOTFOUND) {
            cw_error_clear(err);
            rc = cw_store_meta_put(s, "la_code", la, err);
        } else if (!rc && strcmp(v.data, la) != 0) {
            rc = cw_error_set(err, CW_EEXIST,
                              "--la-code: this log's local authority number is %s already; a "
                              "council's number does not change",
                              v.data);
        }
    }
    static const char *const keys[][2] = {
        {"origin", "origin"}, {"rule_pack", "rule pack"}, {"la_code", "local authority number"}};
    for (size_t i = 0; !rc && i < sizeof keys / sizeof keys[0]; i++) {
        cw_buf_reset(&v);
        cw_rc got = cw_store_meta_get(s, keys[i][0], &v, NULL);
        printf("%-24s %s\n", keys[i][1],
               got == CW_OK                       ? v.data
               : !strcmp(keys[i][0], "rule_pack") ? "wales (not set)"
                                                  : "(not set)");
    }
    cw_buf_release(&v);
    cw_ledger_close(l);
    return rc;
}

/* ---- statutory returns (docs/returns.md) ---- */

static cw_rc cmd_returns(args *a, cw_error *err)
{
    const char *db = NULL, *dir = NULL, *year_s = NULL, *la = NULL, *as_of = NULL, *pos[1] = {NULL};
    const opt opts[] = {{"db", &db, NULL}, {"out", &dir, NULL},     {"year", &year_s, NULL},
                        {"la", &la, NULL}, {"as-of", &as_of, NULL}, {NULL, NULL, NULL}};
    int np;
    cw_rc rc = cli_parse_opts(a, opts, pos, 1, &np, err);
    if (rc || (rc = cli_need(db, "db", err)) || (rc = cli_need(dir, "out", err)) ||
        (rc = cli_need(year_s, "year", err)))
        return rc;
    const cw_return_kind *k = np == 1 ? cw_returns_find(pos[0]) : NULL;
    if (np != 1)
        return cw_error_set(err, CW_EUSAGE, "say which return: %s", cw_returns_names());
    if (!k)
        return cw_error_set(err, CW_EUSAGE, "%s: not a return caseward makes (%s)", pos[0],
                            cw_returns_names());
    if (as_of && strcmp(k->name, "annex-a") != 0)
        return cw_error_set(err, CW_EUSAGE, "--as-of: only annex-a is made as at a day");
    uint64_t year = 0;
    if (strlen(year_s) != 4 || cw_parse_u64(year_s, 4, &year) || year < 2000)
        return cw_error_set(err, CW_EUSAGE,
                            "--year: %s is not a collection year (the year it ends, e.g. 2026 "
                            "for 2025-26)",
                            year_s);
    rules_env e;
    if ((rc = rules_env_open(&e, db, 0, NULL, NULL, NULL, 0, err)))
        return rc;
    cw_buf la_buf = CW_BUF_INIT(64), path = CW_BUF_INIT(8192);
    if (!la && cw_store_meta_get(cw_ledger_store(e.l), "la_code", &la_buf, NULL) == CW_OK)
        la = la_buf.data;
    char now[CW_RFC3339_MS_LEN + 1];
    cw_time_format_ms(cw_time_now_ms(), now);
    now[19] = '\0'; /* YYYY-MM-DDThh:mm:ss */
    cw_returns_query q = {(int)year, la, "caseward", CW_RELEASE, now, as_of};
    cw_returns_output out;
    cw_returns_output_init(&out);
    if (!(rc = cw_returns_make(k, cw_ledger_store(e.l), &e.cal, &q, &out, err)) &&
        mkdir(dir, 0700) != 0 && errno != EEXIST)
        rc = cw_error_set(err, CW_EIO, "%s: %s", dir, strerror(errno));
    for (size_t i = 0; !rc && i < out.nfiles; i++) {
        cw_buf_reset(&path);
        if (cw_buf_addf(&path, "%s/%s", dir, out.files[i].name))
            rc = cw_error_set(err, CW_EUSAGE, "--out: the name is too long");
        else
            rc = cw_file_write_atomic(path.data,
                                      out.files[i].data.data ? out.files[i].data.data : "",
                                      out.files[i].data.len, 0600, 0, err);
    }
    if (!rc) {
        if (as_of)
            printf("%s as at %s", k->title, as_of);
        else
            printf("%s %d-%02d", k->title, (int)year - 1, (int)(year % 100));
        printf(": %zu children, %zu records; written to %s:", out.counts.children,
               out.counts.records, dir);
        for (size_t i = 0; i < out.nfiles; i++)
            printf(" %s", out.files[i].name);
        printf("\n%zu notes of what the log did not hold and what the return gave instead (the "
               "last file). Keep the files as private as the database.\n",
               json_array_size(out.notes.rows));
    }
    cw_returns_output_release(&out);
    cw_buf_release(&la_buf);
    cw_buf_release(&path);
    rules_env_release(&e);
    return rc;
}

/* Each difference of the read model: one line on stderr (identifiers and column names only). */
#define MAX_DIFFS_SHOWN 100
static void print_diff(void *ctx, const char *table, const char *key, const char *what)
{
    uint64_t *shown = ctx;
    if ((*shown)++ < MAX_DIFFS_SHOWN)
        fprintf(stderr, "caseward: verify: %s: row %s %s\n", table, key, what);
}

/* migrate: a log moved from its file into PostgreSQL (casework/migrate.h). */
static cw_rc cmd_migrate(args *a, cw_error *err)
{
    const char *from = NULL, *to = NULL;
    const opt opts[] = {{"from", &from, NULL}, {"to", &to, NULL}, {NULL, NULL, NULL}};
    int np;
    cw_migrate_report r;
    uint64_t shown = 0;
    cw_rc rc = cli_parse_opts(a, opts, NULL, 0, &np, err);
    if (rc || (rc = cli_need(from, "from", err)) || (rc = cli_need(to, "to", err)))
        return rc;
    rc = cw_casework_migrate(from, to, print_diff, &shown, &r, err);
    if (shown > MAX_DIFFS_SHOWN)
        fprintf(stderr, "caseward: verify: ... and %" PRIu64 " more\n", shown - MAX_DIFFS_SHOWN);
    if (rc)
        return rc;
    cw_buf name = CW_BUF_INIT(8192), key = CW_BUF_INIT(4096), root = CW_BUF_INIT(64),
           to_root = CW_BUF_INIT(64);
    cw_store_display_name(to, &name); /* a URI's password is not printed */
    cw_ledger_key_path(to, &key, NULL);
    cw_base64_encode(r.root, CW_HASH_LEN, &root);
    cw_base64_encode(r.to_root, CW_HASH_LEN, &to_root);
    printf("migrated %s to %s\n", from, name.data ? name.data : "the database");
    printf("copied %" PRIu64 " entries, %" PRIu64 " checkpoints, %" PRIu64
           " personal parts (%" PRIu64 " held, %" PRIu64 " erased), %" PRIu64 " account%s, %" PRIu64
           " API token%s; the projections rebuilt from the log\n",
           r.size, r.checkpoints, r.held + r.erased, r.held, r.erased, r.accounts,
           r.accounts == 1 ? "" : "s", r.tokens, r.tokens == 1 ? "" : "s");
    printf("signing key %s %s (mode 0600; keep it private)\n", key.data ? key.data : "",
           r.key_written ? "copied from the file's" : "already held the log's key");
    printf("the file:     %" PRIu64 " entries, root %s\n", r.size, root.data ? root.data : "");
    printf("the database: %" PRIu64 " entries, root %s\n", r.to_size,
           to_root.data ? to_root.data : "");
    printf("the same: the database verifies (the read model too: %" PRIu64
           " rows compared) and its latest checkpoint is the file's, byte for byte\n",
           r.model_rows);
    cw_buf_release(&name);
    cw_buf_release(&key);
    cw_buf_release(&root);
    cw_buf_release(&to_root);
    return CW_OK;
}

/* backup: the whole database as of one moment, in one file (casework/backup.h). */
static cw_rc cmd_backup(args *a, cw_error *err)
{
    const char *db = NULL, *out = NULL;
    int with_key = 0;
    const opt opts[] = {
        {"db", &db, NULL}, {"out", &out, NULL}, {"with-key", NULL, &with_key}, {NULL, NULL, NULL}};
    int np;
    cw_backup_report r;
    cw_rc rc = cli_parse_opts(a, opts, NULL, 0, &np, err);
    if (rc || (rc = cli_need(db, "db", err)) || (rc = cli_need(out, "out", err)) ||
        (rc = cw_casework_backup(db, out, with_key, &r, err)))
        return rc;
    cw_buf name = CW_BUF_INIT(8192), key = CW_BUF_INIT(4096), root = CW_BUF_INIT(64);
    cw_store_display_name(db, &name); /* a URI's password is not printed */
    cw_ledger_key_path(db, &key, NULL);
    cw_base64_encode(r.root, CW_HASH_LEN, &root);
    printf("backed up %s to %s (%" PRIu64 " bytes, mode 0600)\n", name.data ? name.data : "", out,
           r.bytes);
    printf("%" PRIu64 " entr%s, root %s; %" PRIu64 " signed checkpoint%s verified in the copy\n",
           r.size, r.size == 1 ? "y" : "ies", root.data ? root.data : "", r.checkpoints,
           r.checkpoints == 1 ? "" : "s");
    printf("with %" PRIu64 " account%s and %" PRIu64 " API token%s (their password and token "
           "hashes: keep the backup as private as the database)\n",
           r.accounts, r.accounts == 1 ? "" : "s", r.tokens, r.tokens == 1 ? "" : "s");
    printf("sha256 %s (written to %s.sha256): the log's verification does not cover the "
           "accounts and tokens; keep this apart from the backup and give it to restore "
           "--sha256\n",
           r.sha256, out);
    if (r.key_copied)
        printf("the signing key IS included: written to %s.key (mode 0600); whoever holds it can "
               "sign checkpoints as this log: keep it apart from the backup\n",
               out);
    else
        printf("the signing key (%s) is NOT in the backup: keep a copy of it elsewhere "
               "(docs/operations.md)\n",
               key.data ? key.data : "");
    cw_buf_release(&name);
    cw_buf_release(&key);
    cw_buf_release(&root);
    return CW_OK;
}

/* restore: a backup verified, then put in place (casework/backup.h). */
static cw_rc cmd_restore(args *a, cw_error *err)
{
    const char *from = NULL, *db = NULL, *sha = NULL;
    int replace = 0, accept_loss = 0;
    const opt opts[] = {{"from", &from, NULL},       {"db", &db, NULL},
                        {"replace", NULL, &replace}, {"accept-loss", NULL, &accept_loss},
                        {"sha256", &sha, NULL},      {NULL, NULL, NULL}};
    int np;
    cw_restore_report r;
    uint64_t shown = 0;
    cw_rc rc = cli_parse_opts(a, opts, NULL, 0, &np, err);
    if (rc || (rc = cli_need(from, "from", err)) || (rc = cli_need(db, "db", err)))
        return rc;
    cw_restore_opts o = {.replace = replace, .accept_loss = accept_loss, .sha256 = sha};
    rc = cw_casework_restore(from, db, &o, print_diff, &shown, &r, err);
    if (shown > MAX_DIFFS_SHOWN)
        fprintf(stderr, "caseward: verify: ... and %" PRIu64 " more\n", shown - MAX_DIFFS_SHOWN);
    if (rc)
        return rc;
    cw_buf name = CW_BUF_INIT(8192), root = CW_BUF_INIT(64);
    cw_store_display_name(db, &name);
    cw_base64_encode(r.root, CW_HASH_LEN, &root);
    printf("the backup verified: %" PRIu64 " entr%s, root %s; %" PRIu64
           " signed checkpoint%s; the read model matches the log (%" PRIu64 " rows compared)\n",
           r.size, r.size == 1 ? "y" : "ies", root.data ? root.data : "", r.checkpoints,
           r.checkpoints == 1 ? "" : "s", r.model_rows);
    printf("restored to %s, with %" PRIu64 " account%s and %" PRIu64 " API token%s\n",
           name.data ? name.data : "", r.accounts, r.accounts == 1 ? "" : "s", r.tokens,
           r.tokens == 1 ? "" : "s");
    if (r.sha256_checked)
        printf("its SHA-256 is the one given: %s\n", r.sha256);
    else
        printf("sha256 %s (not checked: give --sha256 the one caseward backup printed)\n",
               r.sha256);
    if (r.before[0] && r.unread[0])
        printf("the database it replaced could not be read (%s), so it could not be compared "
               "with the backup; it is kept as %s (mode 0600)%s\n",
               r.unread, r.before,
               r.moved ? ", with its -wal, -shm and -journal, if any, under that name" : "");
    else if (r.before[0])
        printf("the database it replaced is kept as %s (mode 0600)\n", r.before);
    if (r.lost)
        printf("%" PRIu64 " entr%s recorded since the backup %s not in the restored log (they "
               "are kept in %s)\n",
               r.lost, r.lost == 1 ? "y" : "ies", r.lost == 1 ? "is" : "are", r.before);
    if (r.key == 1)
        printf("signing key copied from %s.key to %s (mode 0600)\n", from, r.key_path);
    else if (r.key == 0)
        printf("signing key: %s holds this log's key\n", r.key_path);
    else
        printf("no signing key: put this log's key (kept apart from the backup) at %s before "
               "anything is appended; it can be read and verified meanwhile\n",
               r.key_path[0] ? r.key_path : "the file " CW_LEDGER_KEY_ENV " names");
    cw_buf_release(&name);
    cw_buf_release(&root);
    return CW_OK;
}

static void print_measure_diff(void *ctx, const char *id, const char *what, const char *reported,
                               const char *recomputed)
{
    (void)ctx;
    fprintf(stderr, "caseward: verify: measure %s: %s: the report says %s, the export gives %s\n",
            id, what, reported, recomputed);
}

/* Recomputes a signed measures report from the export in dir. */
static cw_rc verify_measures(const char *dir, const char *file, const char *vkey, cw_error *err)
{
    cw_buf note = CW_BUF_INIT(CW_NOTE_MAX_BYTES), key = CW_BUF_INIT(4096), path = CW_BUF_INIT(4096);
    cw_note_verifier v;
    cw_measures_check c;
    cw_rc rc = cw_file_read(file, &note, err);
    if (!rc && !vkey) {
        if ((rc = cw_buf_addf(&path, "%s/vkey", dir)))
            rc = cw_error_set(err, rc, "%s: the path is too long", dir);
        else if (!(rc = cw_file_read(path.data, &key, err)))
            vkey = key.data ? key.data : "";
    }
    if (!rc)
        rc = cw_note_verifier_parse(vkey, strcspn(vkey, "\n"), &v, err);
    if (!rc)
        rc = cw_measures_recompute(dir, note.data ? note.data : "", note.len, &v,
                                   print_measure_diff, NULL, &c, err);
    if (!rc)
        printf("the measures report's %zu figures, computed at size %" PRIu64
               ", are what the exported log gives\n",
               c.figures, c.size);
    cw_buf_release(&note);
    cw_buf_release(&key);
    cw_buf_release(&path);
    return rc;
}

static cw_rc cmd_verify(args *a, cw_error *err)
{
    const char *db = NULL, *dir = NULL, *vkey_file = NULL, *cp_file = NULL, *measures = NULL;
    const opt opts[] = {{"db", &db, NULL},
                        {"dir", &dir, NULL},
                        {"vkey", &vkey_file, NULL},
                        {"checkpoint", &cp_file, NULL},
                        {"measures", &measures, NULL},
                        {NULL, NULL, NULL}};
    int np;
    cw_buf vk = CW_BUF_INIT(1024), cp = CW_BUF_INIT(CW_NOTE_MAX_BYTES);
    cw_verify_opts o = {0};
    cw_verify_report r;
    cw_rc rc = cli_parse_opts(a, opts, NULL, 0, &np, err);
    if (rc)
        return rc;
    if (!db == !dir)
        return cw_error_set(err, CW_EUSAGE, "give exactly one of --db PATH or --dir DIR");
    if (measures && !dir)
        return cw_error_set(err, CW_EUSAGE,
                            "--measures recomputes a report from an export: give --dir DIR");
    o.db_path = db;
    o.dir = dir;
    if (vkey_file) {
        if ((rc = cw_file_read(vkey_file, &vk, err)))
            goto out;
        o.vkey = vk.data ? vk.data : ""; /* an empty file is a bad key, not no key */
    }
    if (cp_file) {
        if ((rc = cw_file_read(cp_file, &cp, err)))
            goto out;
        o.checkpoint = cp.data ? cp.data : "";
        o.checkpoint_len = cp.len;
    }
    rc = cw_verify(&o, &r, err);
    /* Then the read model, checked against the log it was derived from. */
    cw_deep_report dr;
    uint64_t shown = 0;
    if (!rc && db && (rc = cw_casework_deep_verify(db, print_diff, &shown, &dr, err)) &&
        shown > MAX_DIFFS_SHOWN)
        fprintf(stderr, "caseward: verify: ... and %" PRIu64 " more\n", shown - MAX_DIFFS_SHOWN);
    if (!rc) {
        cw_buf root = CW_BUF_INIT(64);
        cw_base64_encode(r.root, CW_HASH_LEN, &root);
        printf("verified %" PRIu64 " entries; root %s\n", r.size, root.data);
        printf("%" PRIu64 " signed checkpoint%s verified with key %s\n", r.checkpoints,
               r.checkpoints == 1 ? "" : "s", r.key);
        if (!r.key_pinned)
            printf("note: the key came from the log itself and was not pinned; pass --vkey with "
                   "a key obtained independently to rule out a re-signed log\n");
        if (cp_file)
            printf("the log still contains the pinned checkpoint for size %" PRIu64 "\n",
                   r.pinned_size);
        if (dir && r.personal_file)
            printf("personal parts: %" PRIu64 " held and %" PRIu64 " erased, each matching its "
                   "leaf's commitment\n",
                   r.personal_held, r.personal_erased);
        else if (dir && r.commitments)
            printf("personal parts: none in this export (facts only); %" PRIu64
                   " entries commit to one\n",
                   r.commitments);
        else if (db && r.commitments)
            printf("personal parts: %" PRIu64 " entries commit to one, each held and matching, "
                   "or erased by a later entry\n",
                   r.commitments);
        if (db)
            printf("the read model matches the log: %" PRIu64 " rows rebuilt from %" PRIu64
                   " entries and compared\n",
                   dr.rows, dr.size);
        cw_buf_release(&root);
    }
    if (!rc && measures)
        rc = verify_measures(dir, measures, vkey_file ? vk.data : NULL, err);
out:
    cw_buf_release(&vk);
    cw_buf_release(&cp);
    return rc;
}

cw_rc cli_parse_date(const char *s, const char *what, cw_date *out, cw_error *err)
{
    if (cw_date_parse(s, strlen(s), out))
        return cw_error_set(err, CW_EINVAL, "%s: \"%.32s\" is not a date (YYYY-MM-DD)", what, s);
    return CW_OK;
}

cw_rc cli_parse_i64(const char *s, const char *what, int64_t *out, cw_error *err)
{
    uint64_t v;
    int neg = s[0] == '-';
    if (cw_parse_u64(s + neg, strlen(s + neg), &v))
        return cw_error_set(err, CW_EUSAGE, "%s: \"%.32s\" is not an integer", what, s);
    if (v > (uint64_t)INT32_MAX)
        return cw_error_set(err, CW_EUSAGE, "%s: %.32s is out of range", what, s);
    *out = neg ? -(int64_t)v : (int64_t)v;
    return CW_OK;
}

static cw_rc cmd_calendar(args *a, cw_error *err)
{
    const char *file = NULL, *pos[3] = {NULL, NULL, NULL};
    const opt opts[] = {{"holidays", &file, NULL}, {NULL, NULL, NULL}};
    int np;
    cw_calendar cal;
    cw_buf text = CW_BUF_INIT(1 << 20);
    cw_rc rc = cli_parse_opts(a, opts, pos, 3, &np, err);
    if (rc)
        return rc;
    int add = np == 3 && !strcmp(pos[0], "add-working-days");
    int count = np == 3 && !strcmp(pos[0], "working-days");
    int is = np == 2 && !strcmp(pos[0], "is-working-day");
    if (!add && !count && !is)
        return cw_error_set(err, CW_EUSAGE,
                            "expected add-working-days DATE N, working-days "
                            "FROM TO or is-working-day DATE");
    if (file) {
        if ((rc = cw_file_read(file, &text, err)) ||
            (rc = cw_calendar_load(&cal, text.data, text.len, file, err))) {
            cw_buf_release(&text);
            return rc;
        }
        cw_buf_release(&text);
    } else if ((rc = cw_calendar_load_default(&cal, err))) {
        return rc;
    }
    cw_date d, e;
    int64_t n;
    bool w;
    char out[CW_DATE_LEN + 1];
    if (add) {
        if (!(rc = cli_parse_date(pos[1], "DATE", &d, err)) &&
            !(rc = cli_parse_i64(pos[2], "N", &n, err)) &&
            !(rc = cw_calendar_add_working_days(&cal, d, n, &e, err))) {
            cw_date_format(e, out);
            printf("%s\n", out);
        }
    } else if (count) {
        if (!(rc = cli_parse_date(pos[1], "FROM", &d, err)) &&
            !(rc = cli_parse_date(pos[2], "TO", &e, err)) &&
            !(rc = cw_calendar_working_days(&cal, d, e, &n, err)))
            printf("%lld\n", (long long)n);
    } else if (!(rc = cli_parse_date(pos[1], "DATE", &d, err)) &&
               !(rc = cw_calendar_is_working_day(&cal, d, &w, err))) {
        printf("%s\n", w ? "yes" : "no");
    }
    cw_calendar_release(&cal);
    return rc;
}

static cw_rc cmd_help(args *a, cw_error *err);

static const command commands[] = {
    {"init", cmd_init,
     "init --db PATH [--origin NAME] [--rules wales|england] [--la-code NNN] [--admin NAME | "
     "--no-admin]",
     "Create a new log: the database and its Ed25519 signing key (PATH.key), both mode\n"
     "0600, and a signed checkpoint for size 0. Refuses to overwrite either file. The origin\n"
     "names the log in its checkpoints (default caseward.local/<random>); use something\n"
     "unique to your council, e.g. caseward.example-council.gov.uk/children. --rules sets\n"
     "the council's statutory rule pack (default wales); the rule commands use it unless\n"
     "given --rules or --rules-file. It also creates the first administrator account\n"
     "(--admin, default admin; --no-admin for none) and prints its one-time password,\n"
     "which must be changed at the first sign-in; the account_created entry is entry 0.\n"
     "--la-code is the council's three-digit local authority number, which the statutory\n"
     "returns carry (docs/returns.md).\n"},
    {"user", cmd_user,
     "user (add|disable|enable|reset-password) USERNAME --db PATH [--staff ID | --role ROLE]\n"
     "         [--expires DATE] [--reason TEXT] [--actor NAME]",
     "Manage sign-in accounts (docs/api.md). add: an account for a member of staff (--staff;\n"
     "their role comes from the staff record) or, for someone who is not staff, --role\n"
     "administrator, qa_auditor, inspector or data_team (the statutory returns, no case\n"
     "content: docs/returns.md) (--expires: the last day an inspector's account\n"
     "works); prints a one-time password. reset-password: a new one-time password. disable /\n"
     "enable: sign-in refused or allowed again (--reason is recorded). Each change is an entry\n"
     "in the log (account_created, password_set, account_changed), never the password.\n"
     "An inspector's account (--role inspector, or --staff of an inspector) sees every\n"
     "child's record: add creates it disabled, and add and enable record a proposal\n"
     "(access_change_proposed, by --actor, default cli; --reason) that a second person, an\n"
     "administrator, the head of service or the director, approves through the API within\n"
     "14 days (docs/events.md, \"Two-person rule\"). disable is one person's act.\n"},
    {"token", cmd_token,
     "token (add NAME --user USERNAME [--scope read|write] | revoke NAME [--reason TEXT]) "
     "--db PATH",
     "API tokens for system-to-system calls. add makes a token that acts as the account\n"
     "USERNAME, reading only (read, the default) or also changing (write), and prints it\n"
     "once: only its SHA-256 is kept. revoke refuses it from then on. Both are entries in\n"
     "the log (token_created, token_revoked), never the token.\n"},
    {"openapi", cmd_openapi, "openapi",
     "Print the OpenAPI 3 document of the HTTP API (the one served at\n"
     "/api/v1/openapi.json; docs/openapi.json is a copy a test keeps equal).\n"},
    {"serve", cmd_serve,
     "serve --db PATH [--listen HOST:PORT] [--secure-cookies] [--trusted-proxy ADDR[,ADDR]] "
     "[--web DIR] [--max-connections N] [--max-per-address N] [--header-timeout SECONDS] "
     "[--body-timeout SECONDS]",
     "Serve the JSON API (docs/api.md) on HOST:PORT (default 127.0.0.1:8080) until SIGTERM\n"
     "or SIGINT; requests in flight finish first. --secure-cookies marks the session cookie\n"
     "Secure and sends Strict-Transport-Security, for when a TLS proxy is in front. An\n"
     "access log line per request goes to stderr (route, status, time; never a child's\n"
     "details).\n"
     "Limits: at most --max-connections connections (default 512), --max-per-address from\n"
     "one client address (default 32; 0: no limit. Behind a proxy every client has the\n"
     "proxy's address: give 0 and limit clients at the proxy, docs/deploy.md). A request's\n"
     "line and headers must arrive within --header-timeout seconds (default 10) of the\n"
     "connection opening or of the request's first byte, its body within --body-timeout\n"
     "(default 60) of its headers, else the connection is closed; 0: no deadline.\n"
     "--web DIR serves the web application in DIR (it must hold index.html) at every path\n"
     "outside /api/; without it, the source tree's web/ folder if it holds an index.html.\n"
     "The files are read once, at start: restart the server to serve changed ones.\n"
     "--trusted-proxy ADDR[,ADDR...]: requests from these addresses (a reverse proxy) are\n"
     "taken to come from the address in their X-Forwarded-For, for sign-in throttling.\n"},
    {"append", cmd_append, "append --db PATH [--actor NAME] [FILE|-]",
     "Append casework commands from JSON Lines (FILE, or standard input): one object per\n"
     "line with a string \"type\" (docs/events.md), \"actor\" (default --actor, itself\n"
     "default \"cli\") and \"payload\". Each is validated as import does; all lines go in\n"
     "one batch, or none if any line is refused (the error names the line). Prints the\n"
     "new tree size.\n"},
    {"import", cmd_import,
     "import --db PATH [--actor NAME] FILE | import --from ssd DIR --db PATH [--actor NAME] "
     "[--system NAME] [--recorded-at TIME] [--language english|welsh|other]",
     "Import casework commands (JSON Lines, docs/events.md) in one atomic batch: each is\n"
     "validated against the catalogue and the current record; if any line is refused,\n"
     "nothing is imported and the error names the line, the field and the value.\n"
     "With --from ssd, DIR holds a Standard Safeguarding Dataset (one CSV per table, as\n"
     "returns ssd writes it, or a council's own extract): its rows become commands in\n"
     "date order (caseward's own export: as first recorded, with caseward_facts.csv), each\n"
     "with source {--system (default SSD), recorded_at}; all in one batch. A row that\n"
     "cannot be placed is refused naming its table, CSV line and column, and nothing is\n"
     "written; tables caseward does not hold are skipped and named. A foreign SSD's rows\n"
     "are recorded by --actor (default ssd.import, added as an administrator if not staff),\n"
     "claimed recorded at --recorded-at (default: now; the SSD holds no recording times),\n"
     "its children's language --language (default english). docs/returns.md.\n"},
    {"rebuild", cmd_rebuild, "rebuild --db PATH",
     "Recreate the projections (children, cases, records, visits, supervision, ...) by\n"
     "replaying the whole ledger. The result is identical to the projections kept as\n"
     "commands are appended.\n"},
    {"upgrade", cmd_upgrade, "upgrade --db PATH",
     "Bring the database's schema up to this caseward's version (docs/cli.md, \"Upgrading a\n"
     "database\"), and the projections up to date with the log. Any command that writes does\n"
     "it too; on PostgreSQL only the database's owner (caseward_owner) may, so run this as\n"
     "that role after installing a new caseward, before the servers start.\n"},
    {"migrate", cmd_migrate, "migrate --from FILE --to postgresql://...",
     "Move a council's log from its SQLite file into PostgreSQL (docs/postgres.md, \"Moving\n"
     "from a file to PostgreSQL\"). The database must exist, be empty and UTF-8; the signing\n"
     "key FILE.key is copied to the file CASEWARD_KEY_FILE names (mode 0600; one there already\n"
     "must hold the same key). The file is verified first, as verify --db does, and refused if\n"
     "it does not verify. Then, in one transaction, the schema, every entry byte for byte,\n"
     "every checkpoint, the personal parts (erased ones stay erased), the accounts and API\n"
     "tokens as they are, and the projections rebuilt from the log: on any failure the\n"
     "database is left as it was. Last, the database is verified, the read model too, and its\n"
     "latest checkpoint must be the file's byte for byte. Stop the server first; the file is\n"
     "left as it was. Prints what was copied and both roots; never personal data.\n"},
    {"backup", cmd_backup, "backup --db PATH --out FILE [--with-key]",
     "Write the whole database as of one moment to the new file FILE (mode 0600; never over\n"
     "a file), while the server and other writers carry on: the log, its checkpoints, the\n"
     "personal parts, the projections, the accounts and API tokens. It is written under a\n"
     "temporary name, synced to disk and its log verified before it takes the name FILE. A\n"
     "SQLite file or a PostgreSQL database alike gives one SQLite file, which restore puts\n"
     "into either. The signing key is not in it: --with-key copies it to FILE.key (0600),\n"
     "and says so. Its SHA-256 is printed and written to FILE.sha256 (keep it apart; restore\n"
     "--sha256 checks it). docs/operations.md says how often, where, and how to test restores.\n"},
    {"restore", cmd_restore,
     "restore --from FILE --db PATH [--replace [--accept-loss]] [--sha256 HEX]",
     "Put a backup in place, after verifying it as verify --db does (every hash, every signed\n"
     "checkpoint, the read model rebuilt from the log and compared): a damaged backup is\n"
     "refused and nothing is put in place. Into a file: copied beside PATH, synced, verified\n"
     "and renamed; an existing PATH is refused unless --replace, and then it must not be open\n"
     "in a server, must hold the same log with no more entries than the backup (unless\n"
     "--accept-loss) and is kept as PATH.before-restore-TIME. --sha256: the backup's must be\n"
     "that (caseward backup prints it). A live database is refused. Into PostgreSQL: an empty\n"
     "database, filled in one transaction as migrate does. FILE.key (a backup made\n"
     "--with-key) becomes PATH's key file if there is none; otherwise put the key there.\n"},
    {"audit", cli_audit, cli_audit_usage, cli_audit_help},
    {"improve", cli_improve, cli_improve_usage, cli_improve_help},
    {"chronology", cmd_chronology, "chronology --db PATH --child ID [--json]",
     "Print a child's significant events in date order, with corrections shown beside\n"
     "what they corrected. Its output is the child's record: keep it as private.\n"},
    {"demo", cmd_demo,
     "demo --db PATH [--children N] [--seed S] [--as-of DATE] [--years Y] [--failure-scale X] "
     "[--batch N] [--accounts PASSWORD] [--leaf-format 1|2]",
     "Create a synthetic council in a new (or empty) log: staff and teams, and N children\n"
     "(default 1000) with a few years of realistic casework up to --as-of (default today),\n"
     "with a documented share of late work and safeguarding failures (docs/demo.md;\n"
     "--failure-scale 0 gives a clean council, up to 5 multiplies every share). The same\n"
     "options give the same events. Every name and address is invented. --accounts creates\n"
     "sign-ins for trying it (a social worker, their team manager, a service manager, a head\n"
     "of service, an inspector, a QA auditor, an administrator, the data protection\n"
     "officer), all with that password:\n"
     "for demonstrations only. --leaf-format 1 writes personal text inside the leaves, as\n"
     "caseward did before it kept it apart (to test upgrades; it can never be erased).\n"},
    {"obligations", cmd_obligations,
     "obligations --db PATH --child ID [--as-of DATE] [--rules wales|england] [--json]",
     "Every obligation for one child (rule, what started it, due date, state: open, met on\n"
     "time, met late, overdue, missed), as of today or --as-of. docs/rules.md lists them.\n"},
    {"overdue", cmd_overdue, "overdue --db PATH --as-of DATE [--rules NAME] [--json]",
     "Every obligation overdue on DATE, across all children, with days overdue and who it\n"
     "escalates to. \"What was overdue on 1 March?\" has an answer.\n"},
    {"signals", cmd_signals,
     "signals --db PATH --as-of DATE [--rules NAME] [--json] [--lang en|cy]",
     "Safeguarding signals on DATE (repeat referrals without assessment, CSE indicators\n"
     "without a risk assessment, children on the register not seen, drifting cases, missing\n"
     "views, no supervision, undecided referrals), each with the events behind it. --lang cy\n"
     "prints the labels and the signals' titles in Welsh (default en).\n"},
    {"retention", cmd_retention,
     "retention --db PATH --as-of DATE [--rules wales|england | --rules-file FILE] [--json] "
     "[--propose --actor STAFF_ID]",
     "Every child whose record is due for destruction on DATE under the retention rules\n"
     "(rules/retention-wales.txt or -england.txt, by the log's rule pack; docs/privacy.md,\n"
     "\"Retention\"): the rule whose period is longest, its due date, whether it is a\n"
     "statutory minimum or the council's schedule, and any legal hold that stops it.\n"
     "Records already erased are not listed. --propose records, in one batch, an\n"
     "erasure_proposed (whole record, lawful basis retention_schedule) by STAFF_ID for each\n"
     "child due, not on hold and not already proposed; the data protection officer then\n"
     "approves or declines each. Identifiers and dates only, never a name.\n"},
    {"escalate", cmd_escalate, "escalate --db PATH --as-of DATE [--rules NAME]",
     "Escalate overdue work and signals up the management chain as of DATE, recording\n"
     "who was told as escalation_raised events in the ledger. Each step of an item's ladder\n"
     "is recorded once, so running it again adds nothing.\n"},
    {"integrity", cmd_integrity,
     "integrity --db PATH --from DATE --to DATE [--team ID] [--rules NAME] [--json]",
     "The signs of manipulated data in the entries dated FROM to TO (docs/integrity.md):\n"
     "late recording, work recorded after its deadline but dated before it, dates corrected\n"
     "to make late work on time, completions bunched on the due date, cases closed and\n"
     "reopened while work was overdue, bulk entry of backdated records, empty or pasted\n"
     "content, and casework by staff outside the case's team; thresholds from the rule\n"
     "pack's integrity lines. Prints a summary per pattern, then each flag with the entries,\n"
     "staff, team and children behind it (identifiers only, never names or text).\n"},
    {"checkpoint", cmd_checkpoint, "checkpoint --db PATH",
     "Print the latest signed checkpoint (c2sp tlog-checkpoint in a signed note).\n"},
    {"vkey", cmd_vkey, "vkey --db PATH", "Print the log's verifier key in c2sp vkey format.\n"},
    {"proof", cmd_proof, "proof (inclusion INDEX SIZE | consistency OLD NEW) --db PATH",
     "Print an RFC 9162 inclusion or consistency proof: base64 hashes, one per line, leaf to\n"
     "root.\n"},
    {"settings", cmd_settings, "settings --db PATH [--la-code NNN]",
     "Print the log's settings: its origin, rule pack and local authority number. --la-code\n"
     "sets the council's three-digit local authority number, which the statutory returns\n"
     "carry (docs/returns.md), on a log that has none; a log's number, once set, does not\n"
     "change.\n"},
    {"returns", cmd_returns,
     "returns KIND --db PATH --year YYYY --out DIR [--la NNN] [--as-of YYYY-MM-DD]",
     "Make a statutory return from the log for the collection year ending 31 March YYYY\n"
     "(2026: 2025-26), into DIR (made mode 0700 if new; files mode 0600). KIND:\n"
     "  cin      England's Children in Need census: cin-YYYY.xml\n"
     "  annex-a  Ofsted's Annex A lists for an inspection (ILACS) as at --as-of, the\n"
     "           inspection date (default 31 March YYYY): annex-a-YYYY-list-01-contacts.csv\n"
     "           to annex-a-YYYY-list-11-adopters.csv (UTF-8 with a BOM, for Excel; staff ids,\n"
     "           never names)\n"
     "  903      England's looked-after children return (SSDA903): one CSV per table,\n"
     "           903-YYYY-header.csv, -episodes.csv, -reviews.csv, -uasc.csv, -oc2.csv,\n"
     "           -oc3.csv, -ad1.csv, -placed-for-adoption.csv, -previous-permanence.csv,\n"
     "           -missing.csv, -sw-episodes.csv, -dolo.csv (DoLo: 2026-27 on, header only);\n"
     "           check-903 reads every .csv in its folder: give it the tables without the notes\n"
     "  ssd      the Standard Safeguarding Dataset as it stood at 31 March YYYY (every event\n"
     "           dated on or before it): one CSV per SSD table caseward fills (ssd_person.csv,\n"
     "           ...), facts only, and caseward_facts.csv, caseward's extension (what the SSD has\n"
     "           no column for), so that import --from ssd rebuilds the same record\n"
     "  wales-lac  Wales' looked after children census (provisional: caseward's arrangement\n"
     "           of the items in the 2018-19 guidance and SAIL code lists; check against the\n"
     "           Afon templates):\n"
     "           wales-lac-YYYY-children.csv, -episodes.csv, -adoptions.csv,\n"
     "           -care-leavers.csv, the Welsh codes; no Welsh validator is published\n"
     "Each return also writes KIND-YYYY-notes.csv: one line for each field the log did not\n"
     "hold and what the return gave instead. Check the return with the government's\n"
     "validator and record what the notes ask for before sending it. --la is the council's\n"
     "three-digit local authority number (default: the log's, from init or settings --la-code).\n"
     "docs/returns.md maps each field to the events it comes from.\n"},
    {"export", cmd_export, "export --db PATH --out DIR [--facts-only]",
     "Write DIR/entries.jsonl (line i is exactly the bytes of leaf i), DIR/checkpoint and\n"
     "DIR/vkey, for independent verification, and DIR/personal.jsonl: the personal parts\n"
     "the leaves commit to, those not erased (docs/privacy.md). --facts-only leaves that\n"
     "file out: the export for an inspector, from which verify and the measures give the\n"
     "same answers.\n"},
    {"measures", cmd_measures,
     "measures --db PATH (--from DATE --to DATE | --period P) [--team ID] [--area NAME] "
     "[--json] "
     "[--out FILE] [--lang en|cy]",
     "Compute the rule pack's performance measures for a period (both days included; --period\n"
     "fy2025 is 1 April 2025 to 31 March 2026, 2025-q1 its first quarter, 2025-04 a month), "
     "for\n"
     "the council, a team or a service area, from the log at its latest checkpoint. Prints\n"
     "each figure with its numerator and denominator; --json prints the report itself;\n"
     "--out writes the report signed with the log's key (docs/measures.md). --lang cy prints\n"
     "the report's headings, labels and titles in Welsh (default en); the JSON and the signed\n"
     "report carry both titles whatever the language.\n"},
    {"verify", cmd_verify,
     "verify (--db PATH | --dir DIR) [--vkey FILE] [--checkpoint FILE] [--measures REPORT]",
     "Recompute every leaf and node hash and the root from the stored bytes and check every\n"
     "checkpoint signature. --vkey pins the key you were given (otherwise the log's own key\n"
     "is used, and verify says so); --checkpoint holds the log to an older checkpoint you\n"
     "kept (it must still be contained: consistency). Exits 1 and names the first bad entry\n"
     "or checkpoint on failure. --measures REPORT (with --dir) then recomputes every figure "
     "of\n"
     "a signed measures report from the export alone, and names each that differs.\n"},
    {"calendar", cmd_calendar,
     "calendar (add-working-days DATE N | working-days FROM TO | is-working-day DATE) "
     "[--holidays FILE]",
     "Working-day arithmetic on the statutory calendar: Monday to Friday except England and\n"
     "Wales bank holidays (2010-2035, built in; --holidays loads another calendar file, see\n"
     "docs/calendar.md). add-working-days prints the N-th working day after DATE (before it\n"
     "when N is negative; DATE itself when N is 0). working-days prints how many working days\n"
     "fall after FROM up to and including TO, so that\n"
     "working-days D $(add-working-days D N) is N.\n"},
    {"help", cmd_help, "help [COMMAND]", "Show help for all commands or one.\n"},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage_all(FILE *f)
{
    fprintf(f, "caseward — children's social care casework on a tamper-evident ledger\n\n"
               "usage:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  caseward %s\n", commands[i].usage);
    fprintf(f, "\nRun caseward COMMAND --help for details.\n");
}

static void usage_one(const command *c, FILE *f)
{
    fprintf(f, "usage: caseward %s\n\n%s", c->usage, c->help);
}

static cw_rc cmd_help(args *a, cw_error *err)
{
    (void)err;
    if (a->argc >= 1) {
        for (size_t i = 0; i < NCOMMANDS; i++)
            if (strcmp(commands[i].name, a->argv[0]) == 0) {
                usage_one(&commands[i], stdout);
                return CW_OK;
            }
        return cw_error_set(err, CW_EUSAGE, "unknown command \"%.32s\"", a->argv[0]);
    }
    usage_all(stdout);
    return CW_OK;
}

int main(int argc, char **argv)
{
    cw_error err;
    cw_error_clear(&err);
    if (argc < 2) {
        fprintf(stderr, "caseward: no command given (try caseward --help)\n");
        return cw_rc_exit_status(CW_EUSAGE);
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage_all(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("caseward %s\n", CW_RELEASE);
        return 0;
    }
    const command *c = NULL;
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, argv[1]) == 0)
            c = &commands[i];
    if (!c) {
        fprintf(stderr, "caseward: unknown command \"%.32s\" (try caseward --help)\n", argv[1]);
        return cw_rc_exit_status(CW_EUSAGE);
    }
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage_one(c, stdout);
            return 0;
        }
    args a = {argc - 2, argv + 2};
    /* Improvement plans check their own events (src/improve/, above casework). */
    cw_rc rc = cw_improve_register(&err);
    if (!rc)
        rc = c->run(&a, &err);
    if (rc) {
        /* One line, always: scripts and people both read it. */
        if (rc == CW_EUSAGE)
            fprintf(stderr, "caseward %s: %s (usage: caseward %s)\n", c->name, err.msg, c->usage);
        else
            fprintf(stderr, "caseward %s: %s\n", c->name, err.msg[0] ? err.msg : cw_rc_str(rc));
    }
    if (fflush(stdout) != 0 && !rc) {
        fprintf(stderr, "caseward %s: cannot write output\n", c->name);
        return 1;
    }
    return cw_rc_exit_status(rc);
}
