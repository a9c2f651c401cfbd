/*
 * static.c — the web application's files (http_int.h): read into memory once
 * when the server starts, and served from there to anyone, signed in or not.
 *
 * Invariants: the table holds only regular files found below the folder
 * without following a symbolic link, none whose name (or a folder's on the
 * way) begins with '.', none under a node_modules folder; no file is larger
 * than WEB_FILE_MAX and together they are no larger than WEB_TOTAL_MAX. A
 * path holding "//", "/./", "/../", a backslash or a NUL, or ending in "/..",
 * matches nothing, not even index.html. The table is not changed after the
 * start (so threads share it without a lock): a file changed on disk is
 * served as it was until the server restarts.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "http/http_int.h"

/* Content-Type by extension; anything else is application/octet-stream. */
static const struct {
    const char *ext, *ctype;
} types[] = {
    {"html", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"ico", "image/x-icon"},
    {"woff2", "font/woff2"},
    {"woff", "font/woff"},
    {"txt", "text/plain; charset=utf-8"},
};

static const char *content_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (!strcasecmp(dot + 1, types[i].ext))
            return types[i].ctype;
    return "application/octet-stream";
}

/*
 * Reads the open file fs into *data (malloc'd, len bytes and a NUL; the caller frees it):
 * CW_ETOOBIG past WEB_FILE_MAX or past room, the bytes the other files leave.
 */
static cw_rc read_file(int fd, const char *fs, size_t room, char **data, size_t *len, cw_error *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return cw_error_set(err, CW_EIO, "%s: no longer a regular file", fs);
    if ((uint64_t)st.st_size > WEB_FILE_MAX)
        return cw_error_set(err, CW_ETOOBIG,
                            "%s: %lld bytes; a file of the web application may have at most %zu",
                            fs, (long long)st.st_size, WEB_FILE_MAX);
    if ((size_t)st.st_size > room)
        return cw_error_set(err, CW_ETOOBIG,
                            "%s: with it the web application's files come to more than %zu bytes",
                            fs, WEB_TOTAL_MAX);
    size_t want = (size_t)st.st_size, got = 0;
    char *p = malloc(want + 1);
    if (!p)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    while (got < want) {
        ssize_t k = read(fd, p + got, want - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            free(p);
            return cw_error_set(err, CW_EIO, "%s: %s", fs,
                                k < 0 ? strerror(errno) : "shorter than when it was opened");
        }
        got += (size_t)k;
    }
    p[want] = '\0';
    *data = p;
    *len = want;
    return CW_OK;
}

/* Reads the regular file at fs into a new entry of w, under the URL path url. */
static cw_rc add_file(web_files *w, const char *fs, const char *url, cw_error *err)
{
    /* O_NOFOLLOW and fstat: the file read is a regular file, not a link put in the place of
     * the one lstat saw; O_NONBLOCK: a FIFO put there cannot hang the start. */
    int fd = open(fs, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return cw_error_set(err, CW_EIO, "%s: %s", fs, strerror(errno));
    char *data = NULL, *path = NULL;
    size_t len = 0;
    cw_rc rc = read_file(fd, fs, WEB_TOTAL_MAX - w->total, &data, &len, err);
    close(fd);
    if (!rc && (!(path = strdup(url)) || cw_array_grow(&w->f, &w->cap, w->n, sizeof *w->f)))
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    if (rc) {
        free(data);
        free(path);
        return rc;
    }
    web_file *f = &w->f[w->n++];
    f->path = path;
    f->data = data;
    f->len = len;
    f->ctype = content_type(strrchr(url, '/'));
    uint8_t h[crypto_generichash_BYTES];
    crypto_generichash(h, sizeof h, (const uint8_t *)data, len, NULL, 0);
    f->etag[0] = '"';
    sodium_bin2hex(f->etag + 1, 17, h, 8); /* 16 digits and a NUL, replaced by the quote */
    f->etag[17] = '"';
    f->etag[18] = '\0';
    w->total += len;
    return CW_OK;
}

/*
 * Loads the folder whose path is in p (p's first root bytes are the top
 * folder's path, so a file's URL path is what follows them), depth first.
 * p is left as it was.
 */
static cw_rc walk(web_files *w, cw_buf *p, size_t root, cw_error *err)
{
    DIR *d = opendir(p->data);
    if (!d)
        return cw_error_set(err, CW_EIO, "%s: %s", p->data, strerror(errno));
    size_t here = p->len;
    cw_rc rc = CW_OK;
    struct dirent *e;
    while (!rc && (errno = 0, e = readdir(d))) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "node_modules"))
            continue;
        struct stat st;
        if (cw_buf_addc(p, '/') || cw_buf_addstr(p, e->d_name))
            rc = cw_error_set(err, CW_ETOOBIG, "%.*s/%s: the path is too long", (int)here, p->data,
                              e->d_name);
        else if (lstat(p->data, &st) != 0)
            rc = cw_error_set(err, CW_EIO, "%s: %s", p->data, strerror(errno));
        else if (S_ISDIR(st.st_mode))
            rc = walk(w, p, root, err);
        else if (S_ISREG(st.st_mode))
            rc = add_file(w, p->data, p->data + root, err);
        /* a symbolic link, a socket, a device: never served */
        cw_buf_truncate(p, here);
    }
    if (!rc && errno)
        rc = cw_error_set(err, CW_EIO, "%s: %s", p->data, strerror(errno));
    closedir(d);
    return rc;
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const web_file *)a)->path, ((const web_file *)b)->path);
}

cw_rc cw_static_load(web_files *w, const char *dir, cw_error *err)
{
    memset(w, 0, sizeof *w);
    cw_buf p = CW_BUF_INIT(PATH_MAX);
    struct stat st;
    cw_rc rc = CW_OK;
    if (cw_buf_addstr(&p, dir))
        rc = cw_error_set(err, CW_ETOOBIG, "%.64s...: the path is too long", dir);
    else if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        rc = cw_error_set(err, CW_ENOTFOUND, "%s: not a folder", dir);
    /* A file's URL path is what follows the folder's path: "/index.html". */
    while (!rc && p.len > 1 && p.data[p.len - 1] == '/')
        cw_buf_truncate(&p, p.len - 1);
    if (!rc)
        rc = walk(w, &p, p.len, err);
    cw_buf_release(&p);
    if (rc) {
        cw_static_release(w);
        return rc;
    }
    if (w->n)
        qsort(w->f, w->n, sizeof *w->f, by_path);
    return CW_OK;
}

void cw_static_release(web_files *w)
{
    for (size_t i = 0; i < w->n; i++) {
        free(w->f[i].path);
        free(w->f[i].data);
    }
    free(w->f);
    memset(w, 0, sizeof *w);
}

int cw_static_wants(const char *method, const char *path)
{
    return (!strcmp(method, "GET") || !strcmp(method, "HEAD")) && strncmp(path, "/api/", 5) != 0 &&
           strcmp(path, "/healthz") != 0 && strcmp(path, "/metrics") != 0;
}

static const web_file *find(const web_files *w, const char *path)
{
    web_file key = {.path = (char *)(uintptr_t)path};
    return w->n ? bsearch(&key, w->f, w->n, sizeof *w->f, by_path) : NULL;
}

/* Whether path may name a file: it cannot climb out of a folder or hide one, and holds no
 * NUL (which the server leaves as "%00", see unescape() in server.c). */
static int path_ok(const char *path)
{
    size_t n = strlen(path);
    return path[0] == '/' && !strstr(path, "//") && !strstr(path, "/./") && !strstr(path, "/../") &&
           !strchr(path, '\\') && !strstr(path, "%00") && !(n >= 3 && !strcmp(path + n - 3, "/.."));
}

/* Whether an If-None-Match value lists etag, or is "*" (weak comparison: RFC 9110 13.1.2). */
static int etag_listed(const char *inm, const char *etag)
{
    size_t el = strlen(etag);
    for (const char *p = inm; *p;) {
        p += strspn(p, " \t,");
        size_t n = strcspn(p, ",");
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        const char *t = p;
        if (n > 2 && !strncmp(t, "W/", 2)) {
            t += 2;
            n -= 2;
        }
        if ((n == 1 && *t == '*') || (n == el && !memcmp(t, etag, el)))
            return 1;
        p += strcspn(p, ",");
    }
    return 0;
}

/*
 * Whether path asks for a file: its last segment has a '.' and its folder is one of the web
 * application's ("/", or a folder some file was loaded from). Any other path is one of the
 * application's own pages, such as /children/C.001 (an identifier may hold a dot).
 */
static int names_file(const web_files *w, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!strchr(slash, '.'))
        return 0;
    size_t n = (size_t)(slash - path) + 1; /* the folder, with its '/' */
    if (n == 1)
        return 1;
    /* the first path at or after the folder's name, in the sorted table, starts with it if any
     * does */
    size_t lo = 0, hi = w->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strncmp(w->f[mid].path, path, n) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < w->n && !strncmp(w->f[lo].path, path, n);
}

void cw_static_serve(const web_files *w, req *r, const char *path)
{
    r->is_static = 1;
    const web_file *f = NULL;
    /* The application routes in the browser: /caseload, /children/C0000001 are its pages. */
    if (path_ok(path) && !(f = find(w, path)) && !names_file(w, path))
        f = find(w, "/index.html");
    if (!f) {
        cw_resp_key(r, CW_ENOTFOUND, "no_file", "path", NULL);
        return;
    }
    const char *inm =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    r->file = f;
    r->ctype = f->ctype;
    r->status = inm && etag_listed(inm, f->etag) ? 304 : 200;
}
