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

#include "ledger/ledger.h"
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

typedef struct cw_returns_counts {
    size_t children; /* in the return */
    size_t records;  /* its main records: CIN episodes (CINdetails), 903 episodes, ... */
} cw_returns_counts;

#define CW_RETURNS_MAX_FILES 32

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
 * The Standard Safeguarding Dataset (data-to-insight's SSD) as it stood at 31 March q->year:
 * every event dated on or before that day, one CSV per SSD table caseward can fill, and
 * caseward_facts.csv, caseward's extension (ssd.c; docs/returns.md).
 */
cw_rc cw_returns_ssd(cw_store *s, const cw_calendar *cal, const cw_returns_query *q,
                     cw_returns_output *out, cw_error *err);

/* ---- importing an SSD (ssd_import.c) ---- */

typedef struct cw_ssd_import_opts {
    const char *dir;      /* the CSVs, named as the SSD's tables (ssd_person.csv, ...) */
    const char *actor;    /* who records a foreign SSD's rows (a member of staff; made if absent) */
    const char *system;   /* source.system of every command */
    const char *language; /* a foreign SSD's children's language (the SSD holds none) */
    int64_t recorded_ms;  /* source.recorded_at where caseward_facts.csv gives none */
} cw_ssd_import_opts;

#define CW_SSD_MAX_TABLES 32

typedef struct cw_ssd_import_result {
    size_t rows[CW_SSD_MAX_TABLES]; /* rows read, by table (cw_ssd_table_name) */
    size_t commands;                /* submitted */
    uint64_t size;                  /* the log's size after */
    cw_buf skipped;                 /* the SSD tables present that caseward does not hold */
} cw_ssd_import_result;

/*
 * Reads the SSD tables in o->dir (and caseward_facts.csv, when caseward made them) and records
 * them as caseward commands in one batch, each with a source claim: all or nothing. A row that
 * cannot be placed refuses the batch with a message naming its table, CSV line and column.
 * res must be released (cw_ssd_import_result_release), whatever the outcome.
 */
cw_rc cw_ssd_import(cw_ledger *l, const cw_ssd_import_opts *o, cw_ssd_import_result *res,
                    cw_error *err);
void cw_ssd_import_result_release(cw_ssd_import_result *res);
const char *cw_ssd_table_name(int i); /* NULL past the last */

/*
 * Wales' looked after children census (docs/returns.md, "Wales: the looked-after children
 * census"): wales-lac-YYYY-children.csv, -episodes.csv, -adoptions.csv, -care-leavers.csv, each
 * with a header row, the council's number (q->la) in its first column. Provisional: its
 * 2025-26 guidance was not reachable.
 */
cw_rc cw_returns_wales_lac(cw_store *s, const cw_calendar *cal, const cw_returns_query *q,
                           cw_returns_output *out, cw_error *err);

/* ---- for the returns' own files ---- */

/* caseward's contact or referral source (police, school, ...) as the CIN census's source of
 * referral code (police 6, school 2A, health 3F, self 1C, family 1A, neighbour 1B, anonymous 9,
 * local_authority 5A, other 8); "10" (unknown) for anything else. */
const char *cw_returns_source_code(const char *source);

/*
 * A personal value a return carries (a UPN, a postcode): field of entry idx as it stands, the
 * latest correction of it first (its text is the correction's own). out gets it, or "" when
 * it is no longer held (erased); *held says which. CW_ENOMEM, CW_EDB: as the store says.
 */
cw_rc cw_returns_personal(cw_store *s, uint64_t idx, const char *field, char *out, size_t cap,
                          int *held);

/* Calls fn with every registered child's history (in child_id order). */
typedef cw_rc (*cw_returns_child_fn)(void *ctx, const cw_child_history *h, cw_error *err);
cw_rc cw_returns_each_child(cw_store *s, cw_returns_child_fn fn, void *ctx, cw_error *err);

#endif
