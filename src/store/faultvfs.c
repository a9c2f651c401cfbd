/*
 * faultvfs.c — the fault-injecting SQLite VFS (faultvfs.h), a test facility.
 *
 * Each file SQLite opens through it is a fault_file: our sqlite3_file, followed in the same
 * allocation by the wrapped VFS's own. Every method but the four that can be failed
 * (xRead, xWrite, xTruncate, xSync) goes straight to the wrapped file. The plan is shared
 * by every connection of the process (the server's threads each have their own), under one
 * mutex; the mutex is taken only when the VFS is installed, which only tests do.
 */
#include "store/faultvfs.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct fault_file {
    sqlite3_file base;
    unsigned kind;      /* CW_FAULT_FILE_* */
    sqlite3_file *real; /* the wrapped VFS's file, just after this struct */
} fault_file;

static sqlite3_vfs vfs;
static sqlite3_vfs *real_vfs;
static sqlite3_io_methods methods;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int installed;
static cw_fault_plan plan;
static uint64_t seen, failed, injected; /* under mu */

/* The control file (CW_FAULT_CONTROL), if any, and what it looked like when last read. */
static char *control;
static struct stat control_st;
static int control_known, control_warned;

#define REAL(f) (((fault_file *)(f))->real)

/* ---- the plan ---- */

static const struct {
    const char *name;
    cw_fault_what what;
} names[] = {
    {"none", CW_FAULT_OFF},
    {"full", CW_FAULT_FULL},
    {"full-sync", CW_FAULT_FULL_SYNC},
    {"ioerr-write", CW_FAULT_IOERR_WRITE},
    {"ioerr-fsync", CW_FAULT_IOERR_FSYNC},
    {"ioerr-read", CW_FAULT_IOERR_READ},
    {"ioerr-truncate", CW_FAULT_IOERR_TRUNCATE},
};

static int next_word(const char **p, char *w, size_t cap)
{
    const char *s = *p;
    for (;;) {
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            s++;
        if (*s != '#')
            break;
        while (*s && *s != '\n')
            s++;
    }
    size_t n = 0;
    while (*s && !strchr(" \t\r\n#", *s)) {
        if (n + 1 < cap)
            w[n++] = *s;
        s++;
    }
    w[n] = '\0';
    *p = s;
    return n > 0;
}

static int parse_count(const char *w, uint64_t *out)
{
    char *end;
    if (!*w || *w == '-')
        return -1;
    unsigned long long v = strtoull(w, &end, 10);
    if (*end)
        return -1;
    *out = v;
    return 0;
}

static int parse_files(char *w, unsigned *out)
{
    *out = 0;
    for (char *save = NULL, *t = strtok_r(w, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (!strcmp(t, "main"))
            *out |= CW_FAULT_FILE_MAIN;
        else if (!strcmp(t, "wal"))
            *out |= CW_FAULT_FILE_WAL;
        else if (!strcmp(t, "journal"))
            *out |= CW_FAULT_FILE_JOURNAL;
        else if (!strcmp(t, "other"))
            *out |= CW_FAULT_FILE_OTHER;
        else
            return -1;
    }
    return *out ? 0 : -1;
}

cw_rc cw_fault_plan_parse(const char *text, cw_fault_plan *p, cw_error *err)
{
    char w[64], v[64];
    memset(p, 0, sizeof *p);
    if (!next_word(&text, w, sizeof w))
        return CW_OK; /* empty: no fault */
    size_t i = 0;
    while (i < sizeof names / sizeof names[0] && strcmp(names[i].name, w))
        i++;
    if (i == sizeof names / sizeof names[0])
        return cw_error_set(err, CW_EINVAL, "fault plan: %s is not a fault", w);
    p->what = names[i].what;
    while (next_word(&text, w, sizeof w)) {
        if (!next_word(&text, v, sizeof v))
            return cw_error_set(err, CW_EINVAL, "fault plan: %s needs a value", w);
        if (!strcmp(w, "after")   ? parse_count(v, &p->after)
            : !strcmp(w, "times") ? parse_count(v, &p->times)
            : !strcmp(w, "files") ? parse_files(v, &p->files)
                                  : -2)
            return cw_error_set(err, CW_EINVAL, "fault plan: %s %s is not understood", w, v);
    }
    return CW_OK;
}

/* Under mu: the control file read again if it changed since it was last read. */
static void refresh(void)
{
    struct stat st;
    if (stat(control, &st) != 0) {
        if (control_known) /* removed: no fault */
            memset(&plan, 0, sizeof plan);
        control_known = 0;
        return;
    }
    if (control_known && st.st_ino == control_st.st_ino && st.st_size == control_st.st_size &&
        st.st_mtim.tv_sec == control_st.st_mtim.tv_sec &&
        st.st_mtim.tv_nsec == control_st.st_mtim.tv_nsec)
        return;
    control_st = st;
    control_known = 1;
    seen = failed = 0;
    memset(&plan, 0, sizeof plan);
    if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022) || st.st_size > 4096) {
        if (!control_warned++)
            fprintf(stderr,
                    "caseward: CW_FAULT_CONTROL: %s is not a regular file of this user that "
                    "only it may write; ignored\n",
                    control);
        return;
    }
    char text[4097];
    FILE *f = fopen(control, "re");
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f)
        fclose(f);
    text[n] = '\0';
    cw_error e;
    if (cw_fault_plan_parse(text, &plan, &e) != CW_OK) {
        memset(&plan, 0, sizeof plan);
        fprintf(stderr, "caseward: CW_FAULT_CONTROL: %s\n", e.msg);
    }
}

/* The error to give for operation op (the fault it could be) on file f, or SQLITE_OK. */
static int inject(const fault_file *f, cw_fault_what op_a, cw_fault_what op_b, int code_a,
                  int code_b)
{
    int rc = SQLITE_OK;
    pthread_mutex_lock(&mu);
    if (control)
        refresh();
    if ((plan.what == op_a || plan.what == op_b) && (!plan.files || (plan.files & f->kind))) {
        if (seen < plan.after)
            seen++;
        else if (!plan.times || failed < plan.times) {
            failed++;
            injected++;
            rc = plan.what == op_a ? code_a : code_b;
        }
    }
    pthread_mutex_unlock(&mu);
    return rc;
}

void cw_faultvfs_set(const cw_fault_plan *p)
{
    pthread_mutex_lock(&mu);
    plan = *p;
    seen = failed = 0;
    pthread_mutex_unlock(&mu);
}

uint64_t cw_faultvfs_injected(void)
{
    pthread_mutex_lock(&mu);
    uint64_t n = injected;
    pthread_mutex_unlock(&mu);
    return n;
}

/* ---- the file methods ---- */

static int f_close(sqlite3_file *f)
{
    int rc = REAL(f)->pMethods->xClose(REAL(f));
    f->pMethods = NULL;
    return rc;
}

static int f_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
    int rc = inject((fault_file *)f, CW_FAULT_IOERR_READ, CW_FAULT_IOERR_READ, SQLITE_IOERR_READ,
                    SQLITE_IOERR_READ);
    return rc ? rc : REAL(f)->pMethods->xRead(REAL(f), buf, amt, off);
}

static int f_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
    int rc = inject((fault_file *)f, CW_FAULT_FULL, CW_FAULT_IOERR_WRITE, SQLITE_FULL,
                    SQLITE_IOERR_WRITE);
    return rc ? rc : REAL(f)->pMethods->xWrite(REAL(f), buf, amt, off);
}

static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    int rc = inject((fault_file *)f, CW_FAULT_IOERR_TRUNCATE, CW_FAULT_IOERR_TRUNCATE,
                    SQLITE_IOERR_TRUNCATE, SQLITE_IOERR_TRUNCATE);
    return rc ? rc : REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int f_sync(sqlite3_file *f, int flags)
{
    int rc = inject((fault_file *)f, CW_FAULT_IOERR_FSYNC, CW_FAULT_FULL_SYNC, SQLITE_IOERR_FSYNC,
                    SQLITE_FULL);
    return rc ? rc : REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int f_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int f_lock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int f_unlock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int f_check_reserved(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int f_file_control(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int f_sector_size(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int f_device_characteristics(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int f_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, pp);
}

static int f_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void f_shm_barrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int f_shm_unmap(sqlite3_file *f, int del)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

/* A mapped page is read without xRead: while reads fail, SQLite is told to read instead. */
static int f_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **pp)
{
    *pp = NULL;
    pthread_mutex_lock(&mu);
    int reads_fail = plan.what == CW_FAULT_IOERR_READ;
    pthread_mutex_unlock(&mu);
    return reads_fail ? SQLITE_OK : REAL(f)->pMethods->xFetch(REAL(f), off, amt, pp);
}

static int f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

/* ---- the VFS methods: xOpen wraps; the rest go to the wrapped VFS ---- */

static int v_open(sqlite3_vfs *v, sqlite3_filename name, sqlite3_file *file, int flags,
                  int *out_flags)
{
    (void)v;
    fault_file *f = (fault_file *)file;
    f->real = (sqlite3_file *)(f + 1);
    f->kind = (flags & SQLITE_OPEN_MAIN_DB)        ? CW_FAULT_FILE_MAIN
              : (flags & SQLITE_OPEN_WAL)          ? CW_FAULT_FILE_WAL
              : (flags & SQLITE_OPEN_MAIN_JOURNAL) ? CW_FAULT_FILE_JOURNAL
                                                   : CW_FAULT_FILE_OTHER;
    int rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
    /* Without methods SQLite does not close the file: neither may we claim one. */
    file->pMethods = f->real->pMethods ? &methods : NULL;
    return rc;
}

static int v_delete(sqlite3_vfs *v, const char *name, int sync_dir)
{
    (void)v;
    return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int v_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
    (void)v;
    return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int v_full_pathname(sqlite3_vfs *v, const char *name, int n, char *out)
{
    (void)v;
    return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static void *v_dlopen(sqlite3_vfs *v, const char *name)
{
    (void)v;
    return real_vfs->xDlOpen(real_vfs, name);
}

static void v_dlerror(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    real_vfs->xDlError(real_vfs, n, out);
}

static void (*v_dlsym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
    (void)v;
    return real_vfs->xDlSym(real_vfs, h, sym);
}

static void v_dlclose(sqlite3_vfs *v, void *h)
{
    (void)v;
    real_vfs->xDlClose(real_vfs, h);
}

static int v_randomness(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return real_vfs->xRandomness(real_vfs, n, out);
}

static int v_sleep(sqlite3_vfs *v, int us)
{
    (void)v;
    return real_vfs->xSleep(real_vfs, us);
}

static int v_current_time(sqlite3_vfs *v, double *out)
{
    (void)v;
    return real_vfs->xCurrentTime(real_vfs, out);
}

static int v_last_error(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return real_vfs->xGetLastError(real_vfs, n, out);
}

static int v_current_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
    (void)v;
    return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static int v_set_syscall(sqlite3_vfs *v, const char *name, sqlite3_syscall_ptr p)
{
    (void)v;
    return real_vfs->xSetSystemCall(real_vfs, name, p);
}

static sqlite3_syscall_ptr v_get_syscall(sqlite3_vfs *v, const char *name)
{
    (void)v;
    return real_vfs->xGetSystemCall(real_vfs, name);
}

static const char *v_next_syscall(sqlite3_vfs *v, const char *name)
{
    (void)v;
    return real_vfs->xNextSystemCall(real_vfs, name);
}

cw_rc cw_faultvfs_install(cw_error *err)
{
    pthread_mutex_lock(&mu);
    cw_rc rc = CW_OK;
    if (!installed) {
        sqlite3_vfs *r = sqlite3_vfs_find(NULL);
        if (!r || r->iVersion < 3) {
            rc = cw_error_set(err, CW_EDB, "fault injection: SQLite has no default VFS to wrap");
            goto out;
        }
        real_vfs = r;
        methods = (sqlite3_io_methods){
            .iVersion = 3,
            .xClose = f_close,
            .xRead = f_read,
            .xWrite = f_write,
            .xTruncate = f_truncate,
            .xSync = f_sync,
            .xFileSize = f_file_size,
            .xLock = f_lock,
            .xUnlock = f_unlock,
            .xCheckReservedLock = f_check_reserved,
            .xFileControl = f_file_control,
            .xSectorSize = f_sector_size,
            .xDeviceCharacteristics = f_device_characteristics,
            .xShmMap = f_shm_map,
            .xShmLock = f_shm_lock,
            .xShmBarrier = f_shm_barrier,
            .xShmUnmap = f_shm_unmap,
            .xFetch = f_fetch,
            .xUnfetch = f_unfetch,
        };
        vfs = (sqlite3_vfs){
            .iVersion = 3,
            .szOsFile = (int)sizeof(fault_file) + r->szOsFile,
            .mxPathname = r->mxPathname,
            .zName = "cw-fault",
            .xOpen = v_open,
            .xDelete = v_delete,
            .xAccess = v_access,
            .xFullPathname = v_full_pathname,
            .xDlOpen = v_dlopen,
            .xDlError = v_dlerror,
            .xDlSym = v_dlsym,
            .xDlClose = v_dlclose,
            .xRandomness = v_randomness,
            .xSleep = v_sleep,
            .xCurrentTime = v_current_time,
            .xGetLastError = v_last_error,
            .xCurrentTimeInt64 = v_current_time64,
            .xSetSystemCall = v_set_syscall,
            .xGetSystemCall = v_get_syscall,
            .xNextSystemCall = v_next_syscall,
        };
        if (sqlite3_vfs_register(&vfs, 1) != SQLITE_OK) {
            rc = cw_error_set(err, CW_EDB, "fault injection: the VFS could not be registered");
            goto out;
        }
        installed = 1;
    }
out:
    pthread_mutex_unlock(&mu);
    return rc;
}

void cw_faultvfs_from_env(void)
{
    const char *path = getenv("CW_FAULT_CONTROL");
    if (!path || !*path)
        return;
    cw_error e;
    if (cw_faultvfs_install(&e) != CW_OK) {
        fprintf(stderr, "caseward: CW_FAULT_CONTROL: %s\n", e.msg);
        return;
    }
    pthread_mutex_lock(&mu);
    if (!control)
        control = strdup(path);
    pthread_mutex_unlock(&mu);
    fprintf(stderr,
            "caseward: CW_FAULT_CONTROL is set: storage faults are injected as %s says "
            "(a test facility: never set it in production)\n",
            path);
}
