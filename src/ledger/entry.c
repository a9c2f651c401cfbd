/*
 * entry.c — encoding, peeking and request parsing for ledger entries. The
 * byte format is documented in entry.h; this file is its only writer.
 */
#include "ledger/entry.h"

#include <string.h>

#include "ledger/hash.h"
#include "util/base64.h"
#include "util/json.h"
#include "util/time.h"
#include "util/utf8.h"

/* the member a leaf with a personal part ends with, before the commitment */
#define PERSONAL_OPEN ",\"personal\":{\"commitment\":\""

cw_rc cw_entry_check_actor(const char *actor, cw_error *err)
{
    size_t n = strlen(actor);
    if (n == 0 || n > CW_ACTOR_MAX)
        return cw_error_set(err, CW_EINVAL, "actor: must be 1 to %d characters", CW_ACTOR_MAX);
    for (size_t i = 0; i < n; i++) {
        char c = actor[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '@' || c == '-'))
            return cw_error_set(err, CW_EINVAL,
                                "actor: \"%.*s\" has a character outside [A-Za-z0-9._:@-]",
                                (int)(n > 40 ? 40 : n), actor);
    }
    return CW_OK;
}

cw_rc cw_entry_check_type(const char *type, cw_error *err)
{
    size_t n = strlen(type);
    int ok = n >= 1 && n <= CW_TYPE_MAX && type[0] >= 'a' && type[0] <= 'z';
    for (size_t i = 1; ok && i < n; i++) {
        char c = type[i];
        ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    }
    if (!ok)
        return cw_error_set(err, CW_EINVAL,
                            "type: \"%.*s\" is not an event type (lowercase letters, digits, '_' "
                            "and '.', starting with a letter, at most %d)",
                            (int)(n > 40 ? 40 : n), type, CW_TYPE_MAX);
    return CW_OK;
}

cw_rc cw_entry_check_source_system(const char *system, cw_error *err)
{
    size_t n = strlen(system);
    if (n == 0 || n > CW_SOURCE_SYSTEM_MAX)
        return cw_error_set(err, CW_EINVAL, "source.system: must be 1 to %d characters",
                            CW_SOURCE_SYSTEM_MAX);
    for (size_t i = 0; i < n; i++) {
        char c = system[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-'))
            return cw_error_set(err, CW_EINVAL,
                                "source.system: \"%.*s\" has a character outside [A-Za-z0-9._:-]",
                                (int)(n > 40 ? 40 : n), system);
    }
    return CW_OK;
}

cw_rc cw_entry_parse_source_time(const char *s, int64_t *ms, cw_error *err)
{
    char full[CW_RFC3339_MS_LEN + 1];
    size_t n = strlen(s);
    if (n == CW_RFC3339_MS_LEN - 4 && s[n - 1] == 'Z') { /* no milliseconds: add .000 */
        memcpy(full, s, n - 1);
        memcpy(full + n - 1, ".000Z", 6);
        s = full;
        n = CW_RFC3339_MS_LEN;
    }
    if (n != CW_RFC3339_MS_LEN || cw_time_parse_ms(s, n, ms))
        return cw_error_set(err, CW_EINVAL,
                            "source.recorded_at: \"%.30s\" is not a UTC time such as "
                            "2019-03-02T10:00:00Z",
                            s);
    return CW_OK;
}

/* ,"source":{"recorded_at":T,"system":S} (canonical: members sorted), after recorded_at. */
static cw_rc encode_source(const cw_event_source *src, int64_t recorded_ms, cw_buf *out,
                           cw_error *err)
{
    char ts[CW_RFC3339_MS_LEN + 1];
    cw_rc rc = cw_entry_check_source_system(src->system, err);
    if (rc)
        return rc;
    if (cw_time_format_ms(src->recorded_ms, ts))
        return cw_error_set(err, CW_EINVAL, "source.recorded_at: out of range");
    if (src->recorded_ms > recorded_ms) {
        char now[CW_RFC3339_MS_LEN + 1];
        cw_time_format_ms(recorded_ms, now);
        return cw_error_set(err, CW_EINVAL,
                            "source.recorded_at: %s is after the log's own time (%s): a record "
                            "cannot have been made in another system later than now",
                            ts, now);
    }
    /* the system was checked above: it needs no escaping. */
    if ((rc = cw_buf_addstr(out, ",\"source\":{\"recorded_at\":\"")) ||
        (rc = cw_buf_add(out, ts, CW_RFC3339_MS_LEN)) ||
        (rc = cw_buf_addstr(out, "\",\"system\":\"")) || (rc = cw_buf_addstr(out, src->system)) ||
        (rc = cw_buf_addstr(out, "\"}")))
        return cw_error_set(err, rc, "entry: larger than %d bytes", CW_ENTRY_MAX_BYTES);
    return CW_OK;
}

cw_rc cw_entry_encode(uint64_t index, int64_t recorded_ms, const cw_event *ev, cw_buf *out,
                      cw_error *err)
{
    return cw_entry_encode_source(index, recorded_ms, ev, NULL, out, err);
}

cw_rc cw_entry_encode_source(uint64_t index, int64_t recorded_ms, const cw_event *ev,
                             const cw_event_source *src, cw_buf *out, cw_error *err)
{
    return cw_entry_encode_full(index, recorded_ms, ev, src, NULL, out, err);
}

cw_rc cw_entry_encode_full(uint64_t index, int64_t recorded_ms, const cw_event *ev,
                           const cw_event_source *src, const uint8_t *commitment, cw_buf *out,
                           cw_error *err)
{
    char ts[CW_RFC3339_MS_LEN + 1];
    cw_rc rc;
    if ((rc = cw_entry_check_actor(ev->actor, err)) || (rc = cw_entry_check_type(ev->type, err)))
        return rc;
    if (!json_is_object(ev->payload))
        return cw_error_set(err, CW_EINVAL, "payload: must be a JSON object");
    if (cw_time_format_ms(recorded_ms, ts))
        return cw_error_set(err, CW_EINVAL, "recorded_at: the clock is out of range");
    size_t start = out->len;
    /* actor and type were checked above: they need no escaping. */
    if (!(rc = cw_buf_addstr(out, "{\"index\":")) && !(rc = cw_buf_add_u64(out, index)) &&
        !(rc = cw_buf_addstr(out, ",\"recorded_at\":\"")) &&
        !(rc = cw_buf_add(out, ts, CW_RFC3339_MS_LEN)) && !(rc = cw_buf_addc(out, '"')) && src &&
        src->system) {
        /* a migrated event: when the older system recorded it, beside the log's own time */
        if ((rc = encode_source(src, recorded_ms, out, err))) {
            cw_buf_truncate(out, start);
            return rc;
        }
    }
    if (!rc && !(rc = cw_buf_addstr(out, ",\"actor\":\"")) &&
        !(rc = cw_buf_addstr(out, ev->actor)) && !(rc = cw_buf_addstr(out, "\",\"type\":\"")) &&
        !(rc = cw_buf_addstr(out, ev->type)) && !(rc = cw_buf_addstr(out, "\",\"payload\":")) &&
        !(rc = cw_json_write_canonical(ev->payload, out)) && commitment &&
        !(rc = cw_buf_addstr(out, PERSONAL_OPEN)) &&
        !(rc = cw_base64_encode(commitment, CW_HASH_LEN, out)))
        rc = cw_buf_addstr(out, "\"}");
    if (!rc)
        rc = cw_buf_addc(out, '}');
    if (!rc && out->len - start > CW_ENTRY_MAX_BYTES)
        rc = CW_ETOOBIG;
    if (rc) {
        cw_buf_truncate(out, start);
        if (rc == CW_EINVAL)
            return cw_error_set(err, rc, "payload: nested deeper than %d levels",
                                CW_JSON_MAX_DEPTH);
        return cw_error_set(err, rc, "entry: larger than %d bytes", CW_ENTRY_MAX_BYTES);
    }
    return CW_OK;
}

void cw_entry_peek_commitment(const uint8_t *leaf, size_t len, int *found, uint8_t commitment[32])
{
    /* ...,"personal":{"commitment":"<44 base64>"}} : the payload's own members end in "}}}"
     * or another way, never in "\"}}" straight after 44 base64 characters of this member */
    static const size_t b64 = 44, tail = 3;
    size_t open = sizeof PERSONAL_OPEN - 1, need = open + b64 + tail;
    const char *s = (const char *)leaf;
    *found = 0;
    if (len < need || memcmp(s + len - tail, "\"}}", tail) != 0 ||
        memcmp(s + len - need, PERSONAL_OPEN, open) != 0)
        return;
    /* a hash, public: the table-driven decoder (cw_base64_decode_public) */
    *found = cw_base64_decode_public(s + len - tail - b64, b64, commitment, 32) == CW_OK;
}

cw_rc cw_entry_peek(const uint8_t *leaf, size_t len, uint64_t *index, int64_t *recorded_ms)
{
    static const char p1[] = "{\"index\":";
    static const char p2[] = ",\"recorded_at\":\"";
    const char *s = (const char *)leaf;
    /* An empty line may come as NULL: no end is computed from it (no offset to NULL). */
    if (!leaf || len < sizeof p1 - 1 || memcmp(s, p1, sizeof p1 - 1) != 0)
        return CW_EINVAL;
    const char *end = s + len;
    s += sizeof p1 - 1;
    const char *d = s;
    while (s < end && *s >= '0' && *s <= '9')
        s++;
    uint64_t v;
    if (cw_parse_u64(d, (size_t)(s - d), &v))
        return CW_EINVAL;
    if ((size_t)(end - s) < sizeof p2 - 1 + CW_RFC3339_MS_LEN + 1 ||
        memcmp(s, p2, sizeof p2 - 1) != 0)
        return CW_EINVAL;
    s += sizeof p2 - 1;
    if (s[CW_RFC3339_MS_LEN] != '"' || cw_time_parse_ms(s, CW_RFC3339_MS_LEN, recorded_ms))
        return CW_EINVAL;
    *index = v;
    return CW_OK;
}

cw_rc cw_entry_peek_source(const uint8_t *leaf, size_t len, int *found, int64_t *ms, char *system,
                           size_t cap)
{
    static const char p1[] = ",\"source\":{\"recorded_at\":\"";
    static const char p2[] = "\",\"system\":\"";
    uint64_t idx;
    int64_t own;
    *found = 0;
    if (cw_entry_peek(leaf, len, &idx, &own))
        return CW_EINVAL;
    const char *s = memchr(leaf, 'Z', len); /* the end of the entry's own recorded_at */
    const char *end = (const char *)leaf + len;
    if (!s || end - s < 2)
        return CW_EINVAL;
    s += 2; /* Z" */
    if ((size_t)(end - s) < sizeof p1 - 1 || memcmp(s, p1, sizeof p1 - 1) != 0)
        return CW_OK; /* recorded in caseward */
    s += sizeof p1 - 1;
    if ((size_t)(end - s) < CW_RFC3339_MS_LEN + sizeof p2 - 1 ||
        cw_time_parse_ms(s, CW_RFC3339_MS_LEN, ms) ||
        memcmp(s + CW_RFC3339_MS_LEN, p2, sizeof p2 - 1) != 0)
        return CW_EINVAL;
    s += CW_RFC3339_MS_LEN + sizeof p2 - 1;
    const char *q = memchr(s, '"', (size_t)(end - s));
    if (!q || q == s || (size_t)(q - s) > CW_SOURCE_SYSTEM_MAX)
        return CW_EINVAL;
    if (system && cap) {
        size_t n = (size_t)(q - s) < cap - 1 ? (size_t)(q - s) : cap - 1;
        memcpy(system, s, n);
        system[n] = '\0';
    }
    *found = 1;
    return CW_OK;
}

/*
 * jansson's own messages quote the input ("near 'Jane Smith'"), and input
 * may be about a child, so errors are described in fixed words instead.
 */
static const char *json_problem(const json_error_t *e)
{
    switch (json_error_code(e)) {
    case json_error_out_of_memory:
        return "out of memory";
    case json_error_stack_overflow:
        return "nested too deeply";
    case json_error_invalid_utf8:
        return "invalid UTF-8";
    case json_error_premature_end_of_input:
        return "the JSON ends too early";
    case json_error_end_of_input_expected:
        return "text follows the JSON object";
    case json_error_null_character:
    case json_error_null_byte_in_key:
        return "a NUL character is not allowed";
    case json_error_duplicate_key:
        return "duplicate member name";
    case json_error_numeric_overflow:
        return "a number is too large";
    default:
        return "invalid syntax";
    }
}

/* A command's "source": {"system":S,"recorded_at":T} and nothing else. */
static cw_rc parse_source(const json_t *src, cw_event_source *out, cw_error *err)
{
    if (!src)
        return CW_OK;
    if (!out)
        return cw_error_set(err, CW_EINVAL,
                            "source: only a migration (caseward import or append) may say where "
                            "an event was first recorded");
    if (!json_is_object(src))
        return cw_error_set(err, CW_EINVAL,
                            "source: must be an object {\"system\":...,\"recorded_at\":...}");
    const char *key;
    json_t *val, *obj;
    memcpy(&obj, &src, sizeof obj);
    json_object_foreach(obj, key, val)
    {
        if (strcmp(key, "system") && strcmp(key, "recorded_at"))
            return cw_error_set(err, CW_EINVAL,
                                "source.%.64s: unknown field (expected system, recorded_at)", key);
    }
    const json_t *sys = json_object_get(src, "system"), *at = json_object_get(src, "recorded_at");
    if (!json_is_string(sys))
        return cw_error_set(err, CW_EINVAL,
                            sys ? "source.system: must be a string" : "source.system: is missing");
    if (!json_is_string(at))
        return cw_error_set(err, CW_EINVAL,
                            at ? "source.recorded_at: must be a string"
                               : "source.recorded_at: is missing");
    cw_rc rc = cw_entry_check_source_system(json_string_value(sys), err);
    if (!rc)
        rc = cw_entry_parse_source_time(json_string_value(at), &out->recorded_ms, err);
    if (!rc)
        out->system = json_string_value(sys);
    return rc;
}

cw_rc cw_entry_parse_request(const char *line, size_t len, const char *default_actor, cw_event *ev,
                             json_t **holder, cw_error *err)
{
    return cw_entry_parse_command(line, len, default_actor, ev, NULL, holder, err);
}

cw_rc cw_entry_parse_command(const char *line, size_t len, const char *default_actor, cw_event *ev,
                             cw_event_source *src, json_t **holder, cw_error *err)
{
    json_error_t jerr;
    *holder = NULL;
    if (src)
        src->system = NULL, src->recorded_ms = 0;
    if (len > CW_ENTRY_MAX_BYTES)
        return cw_error_set(err, CW_ETOOBIG, "event is %zu bytes; the limit is %d", len,
                            CW_ENTRY_MAX_BYTES);
    size_t bad = cw_utf8_check(line, len);
    if (bad != len)
        return cw_error_set(err, CW_EINVAL, "invalid UTF-8 at byte %zu", bad + 1);
    json_t *root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return cw_error_set(err, CW_EINVAL, "invalid JSON at column %d: %s", jerr.column,
                            json_problem(&jerr));
    if (!json_is_object(root)) {
        json_decref(root);
        return cw_error_set(err, CW_EINVAL, "an event must be a JSON object");
    }
    const char *key;
    json_t *val;
    json_object_foreach(root, key, val)
    {
        if (strcmp(key, "type") && strcmp(key, "actor") && strcmp(key, "payload") &&
            strcmp(key, "source")) {
            cw_rc rc = cw_error_set(
                err, CW_EINVAL,
                (!strcmp(key, "index") || !strcmp(key, "recorded_at"))
                    ? "%.64s: is set by the log, not by the caller (a migration gives the time "
                      "the older system recorded it as source.recorded_at)"
                    : "%.64s: unknown field (expected type, actor, payload, source)",
                key);
            json_decref(root);
            return rc;
        }
    }
    json_t *type = json_object_get(root, "type");
    json_t *actor = json_object_get(root, "actor");
    json_t *payload = json_object_get(root, "payload");
    cw_rc rc = CW_OK;
    if (!json_is_string(type))
        rc = cw_error_set(err, CW_EINVAL, type ? "type: must be a string" : "type: is missing");
    else if (actor && !json_is_string(actor))
        rc = cw_error_set(err, CW_EINVAL, "actor: must be a string");
    else if (payload && !json_is_object(payload))
        rc = cw_error_set(err, CW_EINVAL, "payload: must be a JSON object");
    if (!rc)
        rc = parse_source(json_object_get(root, "source"), src, err);
    if (!rc && !payload) {
        payload = json_object();
        if (!payload || json_object_set_new(root, "payload", payload))
            rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    }
    if (!rc) {
        ev->type = json_string_value(type);
        ev->actor = actor ? json_string_value(actor) : default_actor;
        ev->payload = payload;
        if (!(rc = cw_entry_check_type(ev->type, err)))
            rc = cw_entry_check_actor(ev->actor, err);
    }
    if (rc) {
        json_decref(root);
        return rc;
    }
    *holder = root;
    return CW_OK;
}
