/* file.h — whole-file reads and crash-safe writes of small files. */
#ifndef CW_UTIL_FILE_H
#define CW_UTIL_FILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "util/buf.h"

/* Appends the whole file at path to out; CW_ETOOBIG if it exceeds out's maximum. */
cw_rc cw_file_read(const char *path, cw_buf *out, cw_error *err);

/*
 * Writes data to path atomically: a temporary file beside it (mode), fsync,
 * rename, fsync of the directory. With exclusive, refuses if path exists.
 */
cw_rc cw_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                           int exclusive, cw_error *err);

/*
 * Reads the open descriptor fd to its end through buf (cap bytes), giving each piece read to
 * fn; a read interrupted by a signal is tried again. A failed read is CW_EIO naming what (the
 * file's name); an error fn returns ends the read and is returned. The caller wipes buf if
 * what it held is secret.
 */
typedef cw_rc (*cw_file_piece_fn)(void *ctx, const void *data, size_t len, cw_error *err);
cw_rc cw_file_read_fd(int fd, const char *what, void *buf, size_t cap, cw_file_piece_fn fn,
                      void *ctx, cw_error *err);

/* fsync of the directory that holds path (after a rename or link into it). */
cw_rc cw_file_sync_dir(const char *path, cw_error *err);

/*
 * Reads one line (without its '\n') into line, replacing its contents.
 * *eof is set when the input is exhausted and nothing was read. A line longer
 * than line->max fails with CW_ETOOBIG. *newline says whether the line ended
 * with '\n' (false only for a last line without one).
 */
cw_rc cw_file_read_line(FILE *f, cw_buf *line, int *eof, int *newline);

#endif
