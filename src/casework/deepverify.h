/*
 * deepverify.h — "the read model cannot lie": the tables every decision reads
 * (projections, and the log-recorded columns of accounts and API tokens),
 * checked against a read model rebuilt from the log.
 *
 * The rebuild is `caseward rebuild`'s own code (cw_casework_replay) run into
 * a scratch store (store.h, cw_store_open_scratch) that reads the live log;
 * the comparison is row for row, in key order, over every projection table
 * the schema has. The live database is read as of one moment throughout, so a
 * server appending meanwhile does not make it differ.
 */
#ifndef CW_CASEWORK_DEEPVERIFY_H
#define CW_CASEWORK_DEEPVERIFY_H

#include <stdint.h>

#include "store/store.h"

typedef struct cw_deep_report {
    uint64_t size;        /* entries replayed: the log's size at that moment */
    uint64_t rows;        /* rows compared */
    uint64_t differences; /* rows that differ (each reported through fn) */
} cw_deep_report;

/*
 * Rebuilds the read model of the database at db_path from its log and
 * compares it with the database's tables, calling fn for each row that
 * differs (identifiers and column names only, never personal data). CW_OK if
 * none does; CW_EVERIFY saying how many did otherwise. The log itself is
 * assumed verified (cw_verify) first: this checks what was derived from it.
 */
cw_rc cw_casework_deep_verify(const char *db_path, cw_store_diff_fn fn, void *ctx,
                              cw_deep_report *r, cw_error *err);

#endif
