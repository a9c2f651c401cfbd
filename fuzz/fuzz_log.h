/*
 * fuzz_log.h — a small demo council in a temporary SQLite log, for the fuzz
 * targets that need a log to validate against (http_fuzz, command_fuzz).
 * Header-only: each target is one executable built from one .c file.
 *
 * The council is the demo's (10 children, seed 1: children C0000001 ...,
 * the head of service hos.1), entirely invented. The directory is removed
 * when the process exits.
 */
#ifndef CW_FUZZ_FUZZ_LOG_H
#define CW_FUZZ_FUZZ_LOG_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demo/demo.h"
#include "improve/improve.h"
#include "ledger/ledger.h"

static char fuzz_dir[64];

static inline void fuzz_die(const char *what, const cw_error *err)
{
    fprintf(stderr, "fuzz setup: %s: %s\n", what, err ? err->msg : "failed");
    abort();
}

/* Removes dir and what it holds (files, and folders of files). */
static inline void fuzz_remove(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path)
                continue;
            if (unlink(path) != 0)
                fuzz_remove(path);
        }
    closedir(d);
    rmdir(dir);
}

static inline void fuzz_remove_dir(void)
{
    fuzz_remove(fuzz_dir);
}

/* Makes the log at db (a buffer of cap bytes) and returns it open for writing. */
static inline cw_ledger *fuzz_log(char *db, size_t cap)
{
    cw_error err;
    cw_ledger *l = NULL;
    const char *tmp = getenv("TMPDIR");
    snprintf(fuzz_dir, sizeof fuzz_dir, "%.40s/cw-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fuzz_dir))
        fuzz_die("mkdtemp", NULL);
    atexit(fuzz_remove_dir);
    snprintf(db, cap, "%s/c.db", fuzz_dir);
    if (cw_improve_register(&err) || cw_ledger_create(db, "fuzz.caseward.example", &err) ||
        cw_ledger_open(db, CW_LEDGER_WRITE, &l, &err))
        fuzz_die("the log", &err);
    cw_demo_opts o;
    cw_demo_opts_init(&o);
    o.children = 10;
    o.seed = 1;
    if (cw_demo_generate(l, &o, NULL, &err))
        fuzz_die("the demo council", &err);
    return l;
}

#endif
