/*
 * ssd_int.h — the Standard Safeguarding Dataset's tables as caseward writes and reads them
 * (private to src/returns: ssd.c exports, ssd_import.c imports; docs/returns.md, "Standard
 * Safeguarding Dataset: export and import").
 *
 * One table of the SSD tables caseward holds, each with its columns in the order of
 * data-to-insight's YAML (data/objects/ssd_*.yml). A row is its cells as text; the same
 * function (cw_ssd_derive) turns rows into caseward commands on import, and on export tells
 * what an import would make of the rows, so that the export writes into caseward_facts.csv
 * exactly what the SSD's columns cannot carry (the extension file: docs/returns.md).
 */
#ifndef CW_RETURNS_SSD_INT_H
#define CW_RETURNS_SSD_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "util/date.h"
#include "util/error.h"

enum {
    SSD_PERSON,
    SSD_DISABILITY,
    SSD_LINKED,
    SSD_CONTACTS,
    SSD_CINE,
    SSD_CINA,
    SSD_CINF,
    SSD_CINP,
    SSD_CINV,
    SSD_S47E,
    SSD_ICPC,
    SSD_CPPL,
    SSD_CPPV,
    SSD_CPPR,
    SSD_CLAE,
    SSD_CLAP,
    SSD_CLAR,
    SSD_CLAV,
    SSD_CLAH,
    SSD_MISS,
    SSD_CLEA,
    SSD_DEPT,
    SSD_PROF,
    SSD_INVO,
    SSD_NTABLES,
    SSD_EXT = SSD_NTABLES /* caseward_facts.csv's own "table": events the SSD has none for */
};

#define SSD_MAX_COLS   16
#define SSD_FACTS_FILE "caseward_facts.csv"
#define SSD_EXT_TABLE  "caseward"

typedef struct ssd_table {
    const char *name;   /* ssd_person */
    const char *prefix; /* PERS: the id prefix a foreign SSD's ids get on import */
    const char *cols[SSD_MAX_COLS];
} ssd_table;

extern const ssd_table cw_ssd_tables[SSD_NTABLES];
int cw_ssd_col(int table, const char *col); /* the column's index, or -1 */

/* A row: its cells (owned: each a malloc'd string, "" when blank) and its CSV line. */
typedef struct ssd_row {
    int table;
    size_t line;
    char *cell[SSD_MAX_COLS];
} ssd_row;

typedef struct ssd_set {
    ssd_row *rows[SSD_NTABLES];
    size_t n[SSD_NTABLES], cap[SSD_NTABLES];
    int roundtrip; /* caseward's own export (caseward_facts.csv given): ids kept as they are */
} ssd_set;

ssd_row *cw_ssd_add_row(ssd_set *s, int table, size_t line);
cw_rc cw_ssd_set_cell(ssd_row *r, const char *col, const char *value);
const char *cw_ssd_cell(const ssd_row *r, const char *col); /* "" when blank or absent */
ssd_row *cw_ssd_find(const ssd_set *s, int table, const char *col, const char *value);
void cw_ssd_set_release(ssd_set *s);

/* A command an SSD row stands for. */
typedef struct ssd_cmd {
    char type[64];
    json_t *payload;
    json_t *cols; /* payload field -> the SSD column it came from (for refusals) */
    int table;    /* SSD_* or SSD_EXT */
    size_t line;  /* the row's CSV line (caseward_facts.csv's line for SSD_EXT) */
    char row_id[130];
    int64_t entry;       /* the exported entry's index, or -1 */
    char actor[129];     /* "" : the import's actor */
    int64_t recorded_ms; /* -1: the import's recorded_at */
    int has_facts, absent;
    int cls; /* 0 organisation, 1 casework, 2 a member of staff leaving (last) */
    cw_date date;
    int rank;
    size_t seq;
} ssd_cmd;

typedef struct ssd_cmds {
    ssd_cmd *c;
    size_t n, cap;
} ssd_cmds;

ssd_cmd *cw_ssd_cmd_add(ssd_cmds *l, const char *type, int table, size_t line, const char *row_id);
void cw_ssd_cmds_release(ssd_cmds *l);

/*
 * The commands one row stands for, appended to out. A cell that cannot be read (a date that is
 * not a date, a code outside the SSD's list) is refused naming the table, line and column.
 */
cw_rc cw_ssd_derive(const ssd_set *s, const ssd_row *r, ssd_cmds *out, cw_error *err);

/* The id a row's own id column gives (a foreign SSD's with its table's prefix). */
void cw_ssd_own_id(const ssd_set *s, int table, const char *id, char out[130]);

/* The marker written into a personal text field the SSD does not hold. */
#define SSD_MARKER "Not in the Standard Safeguarding Dataset (imported from it)"

/* Code maps shared by the two directions. */
const char *cw_ssd_source_code(const char *source);    /* police -> 6 */
const char *cw_ssd_source_from_code(const char *code); /* 6 -> police; NULL if not a code */
const char *cw_ssd_source_desc(const char *code);
const char *cw_ssd_role_title(const char *role);       /* team_manager -> Team Manager */
const char *cw_ssd_role_from_title(const char *title); /* NULL if not one */
const char *cw_ssd_category_words(const char *category);
const char *cw_ssd_category_from_words(const char *words);
const char *cw_ssd_health_words(const char *kind);
const char *cw_ssd_health_from_words(const char *words);
const char *cw_ssd_eligibility_words(const char *status);
const char *cw_ssd_eligibility_from_words(const char *words);

#endif
