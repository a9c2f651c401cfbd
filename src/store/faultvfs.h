/*
 * faultvfs.h — a test facility: storage faults injected under SQLite.
 *
 * A SQLite VFS ("cw-fault") that wraps the default one (unix) and, when told to, fails
 * reads, writes, truncations or syncs with the error a failing disk gives: SQLITE_FULL for a
 * full disk, SQLITE_IOERR_READ / _WRITE / _TRUNCATE / _FSYNC for an I/O error. Everything
 * above the store then meets the fault exactly as it would meet a real one
 * (docs/faults.md says what each layer does).
 *
 * Two ways in, neither reachable by a request:
 *   - in a test's own process: cw_faultvfs_install, then cw_faultvfs_set with a plan;
 *   - in any caseward process (the real server in a test): the environment variable
 *     CW_FAULT_CONTROL=/path/to/file, read once when the first SQLite database is opened.
 *     The file holds a plan in the text form below; it is looked at (stat) on every I/O
 *     operation and read again when it changed, so a test switches a fault on and off by
 *     rewriting it (write a new file and rename it over the old). A file that is not a
 *     regular file owned by the process's user, or that others may write, is ignored.
 *
 * The plan's text: one line of words, '#' to the end of a line is a comment.
 *   none | full | full-sync | ioerr-write | ioerr-fsync | ioerr-read | ioerr-truncate
 *   [after N]   the first N operations of that kind succeed (counted from when the plan
 *               was set or the file read)
 *   [times N]   fail N operations, then succeed again (0, the default: until changed)
 *   [files LIST] main, wal, journal, other, comma-separated (default: every file)
 * "full" fails writes (SQLITE_FULL, as ENOSPC); "full-sync" fails syncs with SQLITE_FULL
 * (ENOSPC from fsync, as delayed allocation gives).
 *
 * Never set CW_FAULT_CONTROL in production: a process that has it says so on stderr.
 */
#ifndef CW_STORE_FAULTVFS_H
#define CW_STORE_FAULTVFS_H

#include <stdint.h>

#include "util/error.h"

typedef enum cw_fault_what {
    CW_FAULT_OFF = 0,
    CW_FAULT_FULL,           /* xWrite -> SQLITE_FULL */
    CW_FAULT_FULL_SYNC,      /* xSync -> SQLITE_FULL */
    CW_FAULT_IOERR_WRITE,    /* xWrite -> SQLITE_IOERR_WRITE */
    CW_FAULT_IOERR_FSYNC,    /* xSync -> SQLITE_IOERR_FSYNC */
    CW_FAULT_IOERR_READ,     /* xRead -> SQLITE_IOERR_READ (and no memory mapping) */
    CW_FAULT_IOERR_TRUNCATE, /* xTruncate -> SQLITE_IOERR_TRUNCATE */
} cw_fault_what;

enum {
    CW_FAULT_FILE_MAIN = 1,    /* the database file */
    CW_FAULT_FILE_WAL = 2,     /* its -wal */
    CW_FAULT_FILE_JOURNAL = 4, /* a rollback journal (not used in WAL mode) */
    CW_FAULT_FILE_OTHER = 8,   /* temporary files and the rest */
    CW_FAULT_FILE_ALL = 15,
};

typedef struct cw_fault_plan {
    cw_fault_what what;
    unsigned files; /* CW_FAULT_FILE_* bits; 0 means every file */
    uint64_t after; /* operations of the kind let through first */
    uint64_t times; /* failures before the fault clears by itself; 0: never */
} cw_fault_plan;

/* Parses the text form above into *p. CW_EINVAL names the word that is wrong. */
cw_rc cw_fault_plan_parse(const char *text, cw_fault_plan *p, cw_error *err);

/* Registers the VFS as SQLite's default, in this process (once; later calls do nothing).
 * Databases opened before keep the VFS they were opened with. */
cw_rc cw_faultvfs_install(cw_error *err);

/* Sets the plan (from now; the counts start again). With CW_FAULT_CONTROL, the file's plan
 * replaces it when the file next changes. */
void cw_faultvfs_set(const cw_fault_plan *p);

/* Faults injected since the process started. */
uint64_t cw_faultvfs_injected(void);

/* Once, from the store (store_sqlite.c) before the first database is opened: installs the
 * VFS with the control file if CW_FAULT_CONTROL is set, and says so on stderr. */
void cw_faultvfs_from_env(void);

#endif
