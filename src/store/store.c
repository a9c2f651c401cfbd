/*
 * store.c — dispatch from the storage interface to the chosen backend.
 * A libpq URI (postgresql://... or postgres://...) selects the PostgreSQL
 * backend (store_postgres.c); every other path is a SQLite file.
 */
#include "store/store.h"
#include "store/store_int.h"

#include <string.h>

int cw_store_is_uri(const char *path)
{
    return !strncmp(path, "postgresql://", 13) || !strncmp(path, "postgres://", 11);
}

cw_rc cw_store_display_name(const char *path, cw_buf *out)
{
    if (!cw_store_is_uri(path))
        return cw_buf_addstr(out, path);
    const char *p = strstr(path, "://") + 3;
    size_t auth = strcspn(p, "/?");
    const char *at = memchr(p, '@', auth), *colon = at ? memchr(p, ':', (size_t)(at - p)) : NULL;
    cw_buf_add(out, path, (size_t)(p - path));
    if (colon) { /* user:password@host */
        cw_buf_add(out, p, (size_t)(colon - p));
        cw_buf_addstr(out, ":***");
        p = at;
    }
    /* ...?password=secret&... in the query string */
    for (const char *q; (q = strstr(p, "password="));) {
        int param = q[-1] == '?' || q[-1] == '&';
        cw_buf_add(out, p, (size_t)(q - p) + 9);
        p = q + 9;
        if (param) {
            cw_buf_addstr(out, "***");
            p += strcspn(p, "&");
        }
    }
    cw_buf_addstr(out, p);
    return out->len < out->max ? CW_OK : CW_ETOOBIG;
}

cw_rc cw_store_open(const char *path, int flags, cw_store **out, cw_error *err)
{
    if (cw_store_is_uri(path))
        return cw_store_postgres_open(path, flags, out, err);
    return cw_store_sqlite_open(path, flags, out, err);
}

void cw_store_close(cw_store *s)
{
    if (s)
        s->ops->close(s);
}

void cw_store_set_write_wait(cw_store *s, int ms)
{
    s->write_wait_ms = ms > 0 ? ms : 0;
}

cw_rc cw_store_begin(cw_store *s, cw_error *err)
{
    return s->ops->begin(s, err);
}

cw_rc cw_store_begin_read(cw_store *s, cw_error *err)
{
    return s->ops->begin_read(s, err);
}

cw_rc cw_store_commit(cw_store *s, cw_error *err)
{
    return s->ops->commit(s, err);
}

void cw_store_rollback(cw_store *s)
{
    s->ops->rollback(s);
}

cw_rc cw_store_meta_get(cw_store *s, const char *key, cw_buf *value, cw_error *err)
{
    return s->ops->meta_get(s, key, value, err);
}

cw_rc cw_store_meta_put(cw_store *s, const char *key, const char *value, cw_error *err)
{
    return s->ops->meta_put(s, key, value, err);
}

cw_rc cw_store_entries_end(cw_store *s, uint64_t *end, cw_error *err)
{
    return s->ops->entries_end(s, end, err);
}

cw_rc cw_store_entry_put(cw_store *s, uint64_t idx, const uint8_t *hashes, size_t hlen,
                         const void *leaf, size_t llen, cw_error *err)
{
    return s->ops->entry_put(s, idx, hashes, hlen, leaf, llen, err);
}

cw_rc cw_store_entry_hashes(cw_store *s, uint64_t idx, uint8_t *out, size_t cap, size_t *len,
                            cw_error *err)
{
    return s->ops->entry_hashes(s, idx, out, cap, len, err);
}

cw_rc cw_store_personal_put(cw_store *s, uint64_t idx, const uint8_t *salt, size_t salt_len,
                            const void *body, size_t body_len, cw_error *err)
{
    return s->ops->personal_put(s, idx, salt, salt_len, body, body_len, err);
}

cw_rc cw_store_personal_get(cw_store *s, uint64_t idx, cw_buf *salt, cw_buf *body,
                            cw_personal_state *state, uint64_t *erased_idx, cw_error *err)
{
    return s->ops->personal_get(s, idx, salt, body, state, erased_idx, err);
}

cw_rc cw_store_personal_erase(cw_store *s, uint64_t idx, uint64_t erased_idx, cw_error *err)
{
    return s->ops->personal_erase(s, idx, erased_idx, err);
}

cw_rc cw_store_personal_scan(cw_store *s, cw_store_personal_fn fn, void *ctx, cw_error *err)
{
    return s->ops->personal_scan(s, fn, ctx, err);
}

cw_rc cw_store_entry_leaf(cw_store *s, uint64_t idx, cw_buf *leaf, cw_error *err)
{
    return s->ops->entry_leaf(s, idx, leaf, err);
}

cw_rc cw_store_entry_scan(cw_store *s, int64_t from, int64_t to, cw_store_entry_fn fn, void *ctx,
                          cw_error *err)
{
    return s->ops->entry_scan(s, from, to, fn, ctx, err);
}

cw_rc cw_store_checkpoint_put(cw_store *s, uint64_t size, const char *note, size_t len,
                              cw_error *err)
{
    return s->ops->checkpoint_put(s, size, note, len, err);
}

cw_rc cw_store_checkpoint_latest(cw_store *s, cw_buf *note, uint64_t *size, cw_error *err)
{
    return s->ops->checkpoint_latest(s, note, size, err);
}

cw_value cw_blob(const void *p, size_t len)
{
    cw_value v = {CW_V_BLOB, 0, len ? p : "", len};
    return v;
}

cw_value cw_text(const char *s)
{
    cw_value v = {CW_V_NULL, 0, NULL, 0};
    if (s) {
        v.type = CW_V_TEXT;
        v.s = s;
        v.len = strlen(s);
    }
    return v;
}

int cw_value_copy(const cw_value *v, char *out, size_t cap)
{
    out[0] = '\0';
    if (v->type != CW_V_TEXT)
        return 0;
    if (v->len >= cap)
        return -1;
    memcpy(out, v->s, v->len);
    out[v->len] = '\0';
    return 1;
}

static cw_rc note_row(void *ctx, const cw_value *cols, size_t n)
{
    (void)cols, (void)n;
    *(int *)ctx = 1;
    return CW_OK;
}

cw_rc cw_store_exists(cw_store *s, cw_query q, const cw_value *params, size_t nparams, int *found,
                      cw_error *err)
{
    *found = 0;
    return cw_store_run(s, q, params, nparams, note_row, found, NULL, err);
}

cw_rc cw_store_run(cw_store *s, cw_query q, const cw_value *params, size_t nparams,
                   cw_store_row_fn fn, void *ctx, int64_t *changes, cw_error *err)
{
    return s->ops->run(s, q, params, nparams, fn, ctx, changes, err);
}

cw_rc cw_store_projections_clear(cw_store *s, cw_error *err)
{
    return s->ops->projections_clear(s, err);
}

cw_rc cw_store_check_structure(cw_store *s, cw_error *err)
{
    return s->ops->check_structure(s, err);
}

cw_rc cw_store_checkpoint_scan(cw_store *s, int64_t from, int64_t to, cw_store_checkpoint_fn fn,
                               void *ctx, cw_error *err)
{
    return s->ops->checkpoint_scan(s, from, to, fn, ctx, err);
}

cw_rc cw_store_open_scratch(const char *live_path, cw_store **out, cw_error *err)
{
    if (live_path && cw_store_is_uri(live_path))
        return cw_store_postgres_open_scratch(live_path, out, err);
    return cw_store_sqlite_open_scratch(live_path, out, err);
}

cw_rc cw_store_compare_read_model(cw_store *scratch, cw_store_diff_fn fn, void *ctx, uint64_t *rows,
                                  uint64_t *ndiff, cw_error *err)
{
    return scratch->ops->compare_read_model(scratch, fn, ctx, rows, ndiff, err);
}

static uint64_t fault_count;
static int fault_last;

void cw_store_note_fault(cw_store_fault f)
{
    __atomic_store_n(&fault_last, (int)f, __ATOMIC_RELAXED);
    __atomic_add_fetch(&fault_count, 1, __ATOMIC_SEQ_CST);
}

uint64_t cw_store_faults(cw_store_fault *last)
{
    uint64_t n = __atomic_load_n(&fault_count, __ATOMIC_SEQ_CST);
    if (last)
        *last = (cw_store_fault)__atomic_load_n(&fault_last, __ATOMIC_RELAXED);
    return n;
}

const char *cw_store_fault_text(cw_store_fault f)
{
    switch (f) {
    case CW_STORE_FAULT_FULL:
        return "the disk is full";
    case CW_STORE_FAULT_IO:
        return "the disk reported an input/output error";
    case CW_STORE_FAULT_UNREACHABLE:
        return "the database server cannot be reached";
    default:
        return "";
    }
}

cw_rc cw_store_versions(cw_store *s, int64_t *schema, int64_t *data, cw_error *err)
{
    return s->ops->versions(s, schema, data, err);
}

cw_rc cw_store_snapshot(cw_store *s, const char *path, cw_error *err)
{
    return s->ops->snapshot(s, path, err);
}
