/*
 * returns.h — the statutory returns, made from the log (docs/returns.md).
 *
 * A return reads each child's history as the rules do (the projection's facts:
 * types, dates, codes, flags, identifiers, corrections applied, work awaiting
 * sign-off left out), never a name or narrative. The personal values a return
 * carries are those the government asks for: the child's Unique Pupil Number
 * (CIN census, SSDA903) and the home and placement postcodes (SSDA903); each is
 * read from the entry that recorded it, and left out (with a note) once erased.
 *
 * Where the log does not hold what a return's field needs, the return gives
 * the specification's own "not known" value or leaves an optional field out,
 * and says so in its notes: one line per child and field, so the data team can
 * see what to record before sending it.
 */
#ifndef CW_RETURNS_RETURNS_H
#define CW_RETURNS_RETURNS_H

#include <jansson.h>
#include <stddef.h>

#include "rules/rules.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/calendar.h"
#include "util/error.h"

typedef struct cw_returns_query {
    int year;             /* the collection year: the year its census period ends, 31 March */
    const char *la;       /* the council's three-digit local authority number (the DfE's) */
    const char *software; /* what made it (the header's SoftwareCode and Release) */
    const char *release;
    const char *now;   /* the header's DateTime, YYYY-MM-DDThh:mm:ss */
    const char *as_of; /* Annex A's inspection date, YYYY-MM-DD; NULL: 31 March of year. The
                          census returns do not read it. */
} cw_returns_query;

/* What a return left out or assumed: one note per child and field. */
typedef struct cw_returns_notes {
    json_t *rows; /* array of {"child","field","note"} */
} cw_returns_notes;

cw_rc cw_returns_note(cw_returns_notes *n, const char *child, const char *field, const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));

/* The notes as CSV (child,field,note), sorted by child then field. */
cw_rc cw_returns_notes_csv(const cw_returns_notes *n, cw_buf *out);

/* A CSV cell (quoted; a leading =, +, -, @, tab or CR gets an apostrophe, so that a
 * spreadsheet does not run it as a formula), followed by a comma or, if last, CRLF. */
cw_rc cw_returns_csv_cell(cw_buf *out, const char *s, int last);

typedef struct cw_returns_counts {
    size_t children; /* in the return */
    size_t records;  /* its main records: CIN episodes (CINdetails), 903 episodes, ... */
} cw_returns_counts;

#define CW_RETURNS_MAX_FILES 16

/* One file of a return: its name in the output directory (e.g. cin-2026.xml) and bytes. */
typedef struct cw_returns_file {
    char name[64];
    cw_buf data;
} cw_returns_file;

/* What making a return gives: its files, its notes and its counts. */
typedef struct cw_returns_output {
    cw_returns_file files[CW_RETURNS_MAX_FILES];
    size_t nfiles;
    cw_returns_notes notes;
    cw_returns_counts counts;
} cw_returns_output;

void cw_returns_output_init(cw_returns_output *o);
void cw_returns_output_release(cw_returns_output *o);
/* A new empty file of the output, named by the format; NULL when there are too many. */
cw_buf *cw_returns_output_file(cw_returns_output *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

typedef cw_rc (*cw_return_fn)(cw_store *s, const cw_calendar *cal, const cw_returns_query *q,
                              cw_returns_output *out, cw_error *err);

/* A return caseward makes. */
typedef struct cw_return_kind {
    const char *name;  /* as the command line and the API name it: cin, 903, ... */
    const char *title; /* in words */
    int needs_la;      /* the header carries the council's local authority number */
    cw_return_fn make;
} cw_return_kind;

/* The return called name, or NULL; cw_returns_kinds lists them all (names, for messages). */
const cw_return_kind *cw_returns_find(const char *name);
const char *cw_returns_names(void);

/*
 * Makes the return: checks q (the year; the LA number where needed), then its files and
 * notes. The notes become NAME-YYYY-notes.csv, the last file.
 */
cw_rc cw_returns_make(const cw_return_kind *k, cw_store *s, const cw_calendar *cal,
                      const cw_returns_query *q, cw_returns_output *out, cw_error *err);

/*
 * England's Children in Need census for q->year (reference date 31 March of that year) as
 * its XML (the DfE's CIN census specification: Sex from 2024-25, GenderCurrent before):
 * cin-YYYY.xml.
 */
cw_rc cw_returns_cin(cw_store *s, const cw_calendar *cal, const cw_returns_query *q,
                     cw_returns_output *out, cw_error *err);

/*
 * Ofsted's Annex A lists (ILACS) as they stood on q->as_of (default 31 March of q->year): one
 * CSV per list, annex-a-YYYY-list-NN-NAME.csv (UTF-8 with a byte-order mark, CRLF), with the
 * template's headers; a list caseward records nothing for has its header only.
 */
cw_rc cw_returns_annexa(cw_store *s, const cw_calendar *cal, const cw_returns_query *q,
                        cw_returns_output *out, cw_error *err);

/*
 * England's looked-after children return (SSDA903) for q->year (1 April to 31 March) as the
 * DfE's CSV files, one per table (903-YYYY-header.csv, -episodes.csv, ...), each with the header
 * the validator recognises; the deprivation of liberty file (from 2026-27) is header-only.
 */
cw_rc cw_returns_903(cw_store *s, const cw_calendar *cal, const cw_returns_query *q,
                     cw_returns_output *out, cw_error *err);

/*
 * Wales' looked after children census (docs/returns.md, "Wales: the looked-after children
 * census"): wales-lac-YYYY-children.csv, -episodes.csv, -adoptions.csv, -care-leavers.csv, each
 * with a header row, the council's number (q->la) in its first column. Provisional: its
 * 2025-26 guidance was not reachable.
 */
cw_rc cw_returns_wales_lac(cw_store *s, const cw_calendar *cal, const cw_returns_query *q,
                           cw_returns_output *out, cw_error *err);

/* ---- for the returns' own files ---- */

/* Calls fn with every registered child's history (in child_id order). */
typedef cw_rc (*cw_returns_child_fn)(void *ctx, const cw_child_history *h, cw_error *err);
cw_rc cw_returns_each_child(cw_store *s, cw_returns_child_fn fn, void *ctx, cw_error *err);

#endif
