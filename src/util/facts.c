/*
 * facts.c — see facts.h for the format.
 */
#include "util/facts.h"

#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 255
#define TYPE_MAX_LEN 63
#define REC_HEAD     (8 + 4 + 1) /* index, date, type length */

static void put_u32(uint8_t *d, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        d[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *s)
{
    return (uint32_t)s[0] | (uint32_t)s[1] << 8 | (uint32_t)s[2] << 16 | (uint32_t)s[3] << 24;
}

static void put_u64(uint8_t *d, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        d[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_u64(const uint8_t *s)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | s[i];
    return v;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* 1 if every item of the list is a string without NUL (kept as 'L'); the items' bytes. */
static int items_kept(const json_t *v, size_t *bytes)
{
    size_t n = json_array_size(v), total = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *it = json_array_get(v, i);
        if (!json_is_string(it) || memchr(json_string_value(it), '\0', json_string_length(it)))
            return 0;
        total += json_string_length(it) + 1;
    }
    if (n > UINT32_MAX || total > UINT32_MAX)
        return 0;
    *bytes = total;
    return 1;
}

static cw_rc add_field(cw_buf *out, const char *name, const json_t *v, cw_facts_keep keep)
{
    size_t n = strlen(name);
    uint8_t head[1 + NAME_MAX_LEN + 1 + 1], val[8];
    size_t vlen = 0;
    const char *s = NULL;
    size_t slen = 0;
    if (n == 0 || n > NAME_MAX_LEN)
        return CW_EINVAL;
    uint8_t kind;
    if (json_is_null(v))
        return CW_OK; /* the rules treat null as absent */
    size_t ibytes = 0;
    const json_t *items = NULL;
    if (json_is_string(v) && keep == CW_FACTS_PRESENCE) {
        kind = CW_FACT_TRUE;
    } else if (json_is_true(v)) {
        kind = CW_FACT_TRUE;
    } else if (json_is_false(v)) {
        kind = CW_FACT_FALSE;
    } else if (json_is_integer(v)) {
        kind = CW_FACT_INT;
        put_u64(val, (uint64_t)json_integer_value(v));
        vlen = 8;
    } else if (json_is_string(v)) {
        kind = CW_FACT_STRING;
        s = json_string_value(v);
        slen = json_string_length(v);
        if (slen > UINT32_MAX || memchr(s, '\0', slen))
            return CW_EINVAL;
        put_u32(val, (uint32_t)slen);
        vlen = 4;
    } else if (json_is_array(v) && keep == CW_FACTS_ITEMS && items_kept(v, &ibytes)) {
        kind = CW_FACT_ITEMS_BYTE;
        put_u32(val, (uint32_t)json_array_size(v));
        put_u32(val + 4, (uint32_t)ibytes);
        vlen = 8;
        items = v;
    } else if (json_is_array(v)) {
        size_t nitems = json_array_size(v);
        kind = CW_FACT_LIST;
        put_u32(val, nitems > UINT32_MAX ? UINT32_MAX : (uint32_t)nitems);
        vlen = 4;
    } else {
        kind = CW_FACT_PRESENT;
    }
    head[0] = (uint8_t)n;
    memcpy(head + 1, name, n);
    head[1 + n] = 0;
    head[2 + n] = kind;
    size_t before = out->len;
    cw_rc rc = cw_buf_add(out, head, n + 3);
    if (!rc && vlen)
        rc = cw_buf_add(out, val, vlen);
    if (!rc && s) {
        if (!(rc = cw_buf_add(out, s, slen)))
            rc = cw_buf_addc(out, '\0');
    }
    for (size_t i = 0; !rc && items && i < json_array_size(items); i++) {
        const json_t *it = json_array_get(items, i);
        if (!(rc = cw_buf_add(out, json_string_value(it), json_string_length(it))))
            rc = cw_buf_addc(out, '\0');
    }
    if (rc)
        cw_buf_truncate(out, before);
    return rc;
}

cw_rc cw_facts_encode(const json_t *obj, cw_facts_field_fn keep, const void *ctx, cw_buf *out)
{
    if (!json_is_object(obj))
        return CW_EINVAL;
    size_t n = json_object_size(obj);
    const char *stack[32];
    const char **names = n <= 32 ? stack : malloc(n * sizeof *names);
    if (!names)
        return CW_ENOMEM;
    size_t k = 0;
    json_t *o;
    memcpy(&o, &obj, sizeof o); /* jansson's iterator takes a non-const object */
    for (void *it = json_object_iter(o); it && k < n; it = json_object_iter_next(o, it))
        names[k++] = json_object_iter_key(it);
    qsort(names, k, sizeof *names, cmp_str);
    size_t before = out->len;
    cw_rc rc = CW_OK;
    for (size_t i = 0; i < k && !rc; i++) {
        const json_t *v = json_object_get(obj, names[i]);
        rc = add_field(out, names[i], v, keep ? keep(ctx, names[i]) : CW_FACTS_VALUE);
    }
    if (names != stack)
        free(names);
    if (rc)
        cw_buf_truncate(out, before);
    return rc;
}

/* Reads the field at *pos of well-formed facts, advancing *pos. */
static const char *field_at(cw_facts f, size_t *pos, cw_fact *out)
{
    size_t i = *pos;
    size_t n = f.p[i];
    const char *name = (const char *)f.p + i + 1;
    i += n + 2;
    memset(out, 0, sizeof *out);
    uint8_t kind = f.p[i++];
    out->kind = (cw_fact_kind)kind;
    switch (kind) {
    case CW_FACT_INT:
        out->i = (int64_t)get_u64(f.p + i);
        i += 8;
        break;
    case CW_FACT_STRING:
        out->len = get_u32(f.p + i);
        out->s = (const char *)f.p + i + 4;
        i += 4 + out->len + 1;
        break;
    case CW_FACT_LIST:
        out->i = get_u32(f.p + i);
        i += 4;
        break;
    case CW_FACT_ITEMS_BYTE:
        out->kind = CW_FACT_LIST;
        out->i = get_u32(f.p + i);
        out->len = get_u32(f.p + i + 4);
        out->s = (const char *)f.p + i + 8;
        i += 8 + out->len;
        break;
    default:
        break;
    }
    *pos = i;
    return name;
}

const char *cw_fact_item(const cw_fact *f, size_t *pos)
{
    if (f->kind != CW_FACT_LIST || !f->s || *pos >= f->len)
        return NULL;
    const char *item = f->s + *pos;
    *pos += strlen(item) + 1;
    return item;
}

cw_rc cw_facts_check(cw_facts f)
{
    const char *prev = NULL;
    size_t i = 0;
    while (i < f.len) {
        size_t n = f.p[i];
        /* Bounds and terminators are what reading relies on; a NUL inside a
         * name or a string (never written) would only shorten it. */
        if (n == 0 || f.len - i < n + 3 || f.p[i + 1 + n] != 0)
            return CW_EVERIFY;
        const char *name = (const char *)f.p + i + 1;
        int c = prev ? (int)(unsigned char)prev[0] - (int)(unsigned char)name[0] : -1;
        if (c > 0 || (c == 0 && strcmp(prev, name) >= 0))
            return CW_EVERIFY; /* names in order, each once */
        prev = name;
        size_t rest = f.len - (i + n + 3);
        const uint8_t *v = f.p + i + n + 3;
        size_t need;
        switch (f.p[i + n + 2]) {
        case CW_FACT_FALSE:
        case CW_FACT_TRUE:
        case CW_FACT_PRESENT:
            need = 0;
            break;
        case CW_FACT_INT:
            need = 8;
            break;
        case CW_FACT_LIST:
            need = 4;
            break;
        case CW_FACT_ITEMS_BYTE: {
            /* as many NULs as items, the last at the end: every item ends in bounds */
            if (rest < 8)
                return CW_EVERIFY;
            size_t count = get_u32(v), il = get_u32(v + 4), nuls = 0;
            if (rest - 8 < il || (il > 0 && v[8 + il - 1] != 0))
                return CW_EVERIFY;
            for (size_t k = 0; k < il; k++)
                nuls += v[8 + k] == 0;
            if (nuls != count)
                return CW_EVERIFY;
            need = 8 + il;
            break;
        }
        case CW_FACT_STRING: {
            if (rest < 4)
                return CW_EVERIFY;
            size_t sl = get_u32(v);
            if (rest - 4 < sl + 1 || v[4 + sl] != 0)
                return CW_EVERIFY;
            need = 4 + sl + 1;
            break;
        }
        default:
            return CW_EVERIFY;
        }
        if (rest < need)
            return CW_EVERIFY;
        i += n + 3 + need;
    }
    return CW_OK;
}

cw_fact cw_facts_get(cw_facts f, const char *name)
{
    cw_fact out;
    size_t pos = 0;
    while (pos < f.len) {
        const char *k = field_at(f, &pos, &out);
        /* Most names differ in their first byte: compare that before the rest. */
        int c = (int)(unsigned char)k[0] - (int)(unsigned char)name[0];
        if (c == 0)
            c = strcmp(k, name);
        if (c == 0)
            return out;
        if (c > 0)
            break; /* names are in order: it is not there */
    }
    memset(&out, 0, sizeof out);
    return out;
}

/* ---- histories ---- */

static int before(cw_date d1, uint64_t i1, cw_date d2, uint64_t i2)
{
    return d1 < d2 || (d1 == d2 && i1 < i2);
}

bool cw_history_next(const uint8_t *p, size_t len, size_t *pos, cw_history_event *out)
{
    size_t i = *pos;
    if (i >= len)
        return false;
    size_t rec = get_u32(p + i);
    const uint8_t *r = p + i + 4;
    out->index = get_u64(r);
    out->date = (cw_date)(int32_t)get_u32(r + 8);
    size_t tl = r[12];
    out->type = (const char *)r + REC_HEAD;
    out->facts.p = r + REC_HEAD + tl + 1;
    out->facts.len = rec - (REC_HEAD + tl + 1);
    *pos = i + 4 + rec;
    return true;
}

cw_rc cw_history_check(const uint8_t *p, size_t len, bool deep, size_t *count)
{
    size_t i = 0, n = 0;
    cw_date pd = 0;
    uint64_t pi = 0;
    while (i < len) {
        if (len - i < 4)
            return CW_EVERIFY;
        size_t rec = get_u32(p + i);
        if (rec > len - i - 4 || rec < REC_HEAD + 2)
            return CW_EVERIFY;
        const uint8_t *r = p + i + 4;
        size_t tl = r[12];
        if (tl == 0 || tl > TYPE_MAX_LEN || rec < REC_HEAD + tl + 1 || r[REC_HEAD + tl] != 0 ||
            memchr(r + REC_HEAD, '\0', tl) != NULL)
            return CW_EVERIFY;
        cw_history_event e;
        size_t pos = i;
        cw_history_next(p, len, &pos, &e);
        if ((n > 0 && !before(pd, pi, e.date, e.index)) || (deep && cw_facts_check(e.facts)))
            return CW_EVERIFY;
        pd = e.date;
        pi = e.index;
        n++;
        i = pos;
    }
    *count = n;
    return CW_OK;
}

/* Appends one record (its head, type and facts); on failure b is as it was. */
static cw_rc add_record(cw_buf *b, const uint8_t head[4 + REC_HEAD], const char *type, size_t tl,
                        cw_facts facts)
{
    size_t was = b->len;
    cw_rc rc = cw_buf_add(b, head, 4 + REC_HEAD);
    if (!rc)
        rc = cw_buf_add(b, type, tl + 1);
    if (!rc && facts.len)
        rc = cw_buf_add(b, facts.p, facts.len);
    if (rc)
        cw_buf_truncate(b, was);
    return rc;
}

cw_rc cw_history_put(cw_buf *hist, uint64_t index, cw_date date, const char *type, cw_facts facts)
{
    size_t tl = strlen(type);
    if (tl == 0 || tl > TYPE_MAX_LEN || facts.len > UINT32_MAX - REC_HEAD - TYPE_MAX_LEN - 1)
        return CW_EINVAL;
    uint8_t head[4 + REC_HEAD];
    put_u32(head, (uint32_t)(REC_HEAD + tl + 1 + facts.len));
    put_u64(head + 4, index);
    put_u32(head + 12, (uint32_t)(int32_t)date);
    head[16] = (uint8_t)tl;
    /* Usually the event is the child's latest and new: it goes on the end, in place. */
    const uint8_t *p = (const uint8_t *)hist->data;
    size_t len = hist->len, pos = 0;
    bool at_end = true;
    cw_history_event e;
    while (p && at_end && cw_history_next(p, len, &pos, &e))
        at_end = e.index != index && before(e.date, e.index, date, index);
    if (at_end)
        return add_record(hist, head, type, tl, facts);
    /* Else a new copy: the old records in order, without the one it replaces, with the new
     * one at its place. */
    cw_buf out = CW_BUF_INIT(hist->max);
    cw_rc rc = CW_OK;
    bool placed = false;
    size_t cur = 0;
    pos = 0;
    while (!rc && cw_history_next(p, len, &pos, &e)) {
        if (!placed && before(date, index, e.date, e.index)) {
            placed = true;
            rc = add_record(&out, head, type, tl, facts);
        }
        if (!rc && e.index != index)
            rc = cw_buf_add(&out, p + cur, pos - cur);
        cur = pos;
    }
    if (!rc && !placed)
        rc = add_record(&out, head, type, tl, facts);
    if (rc) {
        cw_buf_release(&out);
        return rc;
    }
    cw_buf_release(hist);
    *hist = out;
    return CW_OK;
}
