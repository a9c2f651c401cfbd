/*
 * cli.h — what the files of the command line share: the argument list, option
 * parsing and the checked parsers of values (main.c), and the subcommands that
 * live in their own file (audit.c).
 */
#ifndef CW_CLI_CLI_H
#define CW_CLI_CLI_H

#include <jansson.h>
#include <stdint.h>

#include "util/date.h"
#include "util/buf.h"
#include "util/error.h"

typedef struct args {
    int argc;
    char **argv;
} args;

typedef struct command {
    const char *name;
    cw_rc (*run)(args *a, cw_error *err);
    const char *usage;
    const char *help;
} command;

typedef struct opt {
    const char *name;
    const char **value; /* NULL for a flag */
    int *flag;
} opt;

/* --name VALUE or --name=VALUE for each of opts; the rest positional (at most maxpos). */
cw_rc cli_parse_opts(args *a, const opt *opts, const char **pos, int maxpos, int *npos,
                     cw_error *err);
/* CW_EUSAGE naming --name when value is missing or empty. */
cw_rc cli_need(const char *value, const char *name, cw_error *err);
/* A YYYY-MM-DD date, or CW_EUSAGE naming what. */
cw_rc cli_parse_date(const char *s, const char *what, cw_date *out, cw_error *err);
/* A whole number, or CW_EUSAGE naming what. */
cw_rc cli_parse_i64(const char *s, const char *what, int64_t *out, cw_error *err);

/* Writes page to html (if given) and prints it to pdf (if given) with headless chromium: both
 * 0600 (audit.c). */
cw_rc cli_html_and_pdf(const char *html, const char *pdf, const cw_buf *page, cw_error *err);
/* Writes b to path, atomically, mode 0600 (audit.c). */
cw_rc cli_write_private(const char *path, const cw_buf *b, cw_error *err);
/* Appends one event as actor in a batch of its own, and prints "recorded TYPE as entry N";
 * a refusal says "nothing recorded: ..." (audit.c). */
cw_rc cli_record(const char *db, const char *actor, const char *type, json_t *payload,
                 cw_error *err);
/* caseward audit ... (audit.c) */
cw_rc cli_audit(args *a, cw_error *err);
extern const char cli_audit_usage[];
extern const char cli_audit_help[];
/* caseward improve ... (improve.c) */
cw_rc cli_improve(args *a, cw_error *err);
extern const char cli_improve_usage[];
extern const char cli_improve_help[];

#endif
