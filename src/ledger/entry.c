/*
 * entry.c — encoding, peeking and request parsing for ledger entries. The
 * byte format is documented in entry.h; this file is its only writer.
 */
#include "ledger/entry.h"

#include <string.h>

#include "util/json.h"
#include "util/time.h"
#include "util/utf8.h"

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

cw_rc cw_entry_encode(uint64_t index, int64_t recorded_ms, const cw_event *ev, cw_buf *out,
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
        !(rc = cw_buf_add(out, ts, CW_RFC3339_MS_LEN)) &&
        !(rc = cw_buf_addstr(out, "\",\"actor\":\"")) && !(rc = cw_buf_addstr(out, ev->actor)) &&
        !(rc = cw_buf_addstr(out, "\",\"type\":\"")) && !(rc = cw_buf_addstr(out, ev->type)) &&
        !(rc = cw_buf_addstr(out, "\",\"payload\":")) &&
        !(rc = cw_json_write_canonical(ev->payload, out)))
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

cw_rc cw_entry_peek(const uint8_t *leaf, size_t len, uint64_t *index, int64_t *recorded_ms)
{
    static const char p1[] = "{\"index\":";
    static const char p2[] = ",\"recorded_at\":\"";
    const char *s = (const char *)leaf, *end = s + len;
    if (len < sizeof p1 - 1 || memcmp(s, p1, sizeof p1 - 1) != 0)
        return CW_EINVAL;
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

cw_rc cw_entry_parse_request(const char *line, size_t len, const char *default_actor, cw_event *ev,
                             json_t **holder, cw_error *err)
{
    json_error_t jerr;
    *holder = NULL;
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
        if (strcmp(key, "type") && strcmp(key, "actor") && strcmp(key, "payload")) {
            cw_rc rc = cw_error_set(err, CW_EINVAL,
                                    (!strcmp(key, "index") || !strcmp(key, "recorded_at"))
                                        ? "%.64s: is set by the log, not by the caller"
                                        : "%.64s: unknown field (expected type, actor, payload)",
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
