/* file.c — small-file helpers; see file.h. */
#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

cw_rc cw_file_read(const char *path, cw_buf *out, cw_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cw_error_set(err, errno == ENOENT ? CW_ENOTFOUND : CW_EIO, "%s: %s", path,
                            strerror(errno));
    char chunk[8192];
    size_t n;
    cw_rc rc = CW_OK;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if ((rc = cw_buf_add(out, chunk, n))) {
            cw_error_set(err, rc, "%s: larger than %zu bytes", path, out->max);
            break;
        }
    }
    if (!rc && ferror(f))
        rc = cw_error_set(err, CW_EIO, "%s: read error", path);
    fclose(f);
    return rc;
}

cw_rc cw_file_read_fd(int fd, const char *what, void *buf, size_t cap, cw_file_piece_fn fn,
                      void *ctx, cw_error *err)
{
    for (;;) {
        ssize_t n = read(fd, buf, cap);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return cw_error_set(err, CW_EIO, "%s: %s", what, strerror(errno));
        if (n == 0)
            return CW_OK;
        cw_rc rc = fn(ctx, buf, (size_t)n, err);
        if (rc)
            return rc;
    }
}

cw_rc cw_file_sync_dir(const char *path, cw_error *err)
{
    char *copy = strdup(path);
    if (!copy)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    cw_rc rc = CW_OK;
    if (fd < 0 || fsync(fd) != 0)
        rc = cw_error_set(err, CW_EIO, "%s: cannot sync its directory: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    free(copy);
    return rc;
}

cw_rc cw_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                           int exclusive, cw_error *err)
{
    cw_buf tmp = CW_BUF_INIT(4096);
    if (cw_buf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid()))
        return cw_error_set(err, CW_ETOOBIG, "%s: path too long", path);
    if (exclusive && access(path, F_OK) == 0) {
        cw_buf_release(&tmp);
        return cw_error_set(err, CW_EEXIST, "%s: already exists; refusing to overwrite it", path);
    }
    cw_rc rc = CW_OK;
    /* A fresh file of our own: never an existing one (whose mode and owner
     * would be kept) and never through a symbolic link. A leftover from a
     * crashed run with the same pid is removed once. */
    int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    int fd = open(tmp.data, flags, mode);
    if (fd < 0 && errno == EEXIST && unlink(tmp.data) == 0)
        fd = open(tmp.data, flags, mode);
    if (fd < 0) {
        rc = cw_error_set(err, CW_EIO, "%s: %s", path, strerror(errno));
        goto out;
    }
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            rc = cw_error_set(err, CW_EIO, "%s: %s", path, strerror(errno));
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    if (!rc && fsync(fd) != 0)
        rc = cw_error_set(err, CW_EIO, "%s: %s", path, strerror(errno));
    close(fd);
    if (!rc && exclusive) {
        /* link() fails if path exists, so a racing writer cannot be overwritten. */
        if (link(tmp.data, path) != 0)
            rc = cw_error_set(err, errno == EEXIST ? CW_EEXIST : CW_EIO, "%s: %s", path,
                              errno == EEXIST ? "already exists; refusing to overwrite it"
                                              : strerror(errno));
        unlink(tmp.data);
    } else if (!rc && rename(tmp.data, path) != 0) {
        rc = cw_error_set(err, CW_EIO, "%s: %s", path, strerror(errno));
    }
    if (rc)
        unlink(tmp.data);
    else
        rc = cw_file_sync_dir(path, err);
out:
    cw_buf_release(&tmp);
    return rc;
}

cw_rc cw_file_read_line(FILE *f, cw_buf *line, int *eof, int *newline)
{
    cw_buf_reset(line);
    *eof = 0;
    *newline = 0;
    int c;
    while ((c = getc_unlocked(f)) != EOF) {
        if (c == '\n') {
            *newline = 1;
            return CW_OK;
        }
        if (cw_buf_addc(line, (char)c)) {
            /* Skip the rest of the over-long line so the caller's line count stays true. */
            while ((c = getc_unlocked(f)) != EOF && c != '\n')
                ;
            return CW_ETOOBIG;
        }
    }
    if (ferror(f))
        return CW_EIO;
    if (line->len == 0)
        *eof = 1;
    return CW_OK;
}
