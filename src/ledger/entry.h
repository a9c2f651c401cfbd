/*
 * entry.h — the ledger entry: what one leaf of the Merkle tree holds.
 *
 * The leaf bytes are the compact UTF-8 JSON of the whole entry, members in
 * this order, with no whitespace and no raw newline:
 *
 *   | member        | JSON type | content                                           |
 *   |---------------|-----------|---------------------------------------------------|
 *   | "index"       | integer   | 0-based leaf number, decimal, no leading zeros    |
 *   | "recorded_at" | string    | server UTC time of the append, RFC 3339 with      |
 *   |               |           | milliseconds, e.g. "2026-11-22T09:05:03.042Z";    |
 *   |               |           | non-decreasing along the log                      |
 *   | "source"      | object    | only in history migrated from another system:     |
 *   |               |           | {"recorded_at":T,"system":S}, T when that system  |
 *   |               |           | recorded it (RFC 3339 with milliseconds, 'Z', not |
 *   |               |           | after the entry's own recorded_at), S the system  |
 *   |               |           | (1-100 of [A-Za-z0-9._:-]); absent otherwise      |
 *   | "actor"       | string    | who caused it: 1-128 of [A-Za-z0-9._:@-]          |
 *   | "type"        | string    | event type: [a-z][a-z0-9_.]{0,63}                 |
 *   | "payload"     | object    | the event's data in caseward's canonical JSON     |
 *   |               |           | (util/json.h: keys sorted at every depth, minimal |
 *   |               |           | escapes, no whitespace)                           |
 *   | "personal"    | object    | only when the event has a personal part kept      |
 *   |               |           | beside the leaf (issue 13): {"commitment":C}, C   |
 *   |               |           | the base64 of cw_hash_personal (hash.h) over its  |
 *   |               |           | salt and canonical JSON; absent otherwise         |
 *
 * Example (one line):
 *   {"index":0,"recorded_at":"2026-11-22T09:05:03.042Z","actor":"admin",
 *    "type":"staff_added","payload":{"name":"A. Worker","team":"north"}}
 *
 * What is hashed is exactly these bytes (see hash.h for the 0x00 prefix), and
 * the export writes exactly these bytes as one line of entries.jsonl.
 */
#ifndef CW_LEDGER_ENTRY_H
#define CW_LEDGER_ENTRY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/error.h"

#define CW_ENTRY_MAX_BYTES (1024 * 1024) /* one leaf, and one input line */
#define CW_ACTOR_MAX       128
#define CW_TYPE_MAX        64

#define CW_SOURCE_SYSTEM_MAX 100

/* An event to append: the caller's part of an entry. */
typedef struct cw_event {
    const char *actor;
    const char *type;
    const json_t *payload; /* a JSON object */
} cw_event;

/*
 * Where a migrated event was first recorded: the older system's name and
 * when it recorded it (ms since the epoch). An event recorded in caseward
 * has none (system NULL, or no source at all). It is kept beside the log's
 * own recorded_at, which is never the caller's: always the time of the
 * append.
 */
typedef struct cw_event_source {
    const char *system;
    int64_t recorded_ms;
} cw_event_source;

cw_rc cw_entry_check_actor(const char *actor, cw_error *err);
cw_rc cw_entry_check_type(const char *type, cw_error *err);
cw_rc cw_entry_check_source_system(const char *system, cw_error *err);

/*
 * Parses a source's recorded_at: RFC 3339 UTC, "2019-03-02T10:00:00Z" or
 * with milliseconds "2019-03-02T10:00:00.000Z". Errors name the field.
 */
cw_rc cw_entry_parse_source_time(const char *s, int64_t *ms, cw_error *err);

/*
 * Reads the source of leaf bytes, if it has one: *found 0 (and CW_OK) for an
 * entry recorded in caseward; else *ms is the time the source system
 * recorded it, and system (cap bytes, may be NULL) its name. CW_EINVAL if a
 * "source" member is there but not as cw_entry_encode writes it.
 */
cw_rc cw_entry_peek_source(const uint8_t *leaf, size_t len, int *found, int64_t *ms, char *system,
                           size_t cap);

/* Appends the leaf bytes of an entry to out. */
cw_rc cw_entry_encode(uint64_t index, int64_t recorded_ms, const cw_event *ev, cw_buf *out,
                      cw_error *err);
/*
 * The same for a migrated event (src NULL or src->system NULL: none). Refuses
 * a source that names an invalid system or a time after recorded_ms.
 */
cw_rc cw_entry_encode_source(uint64_t index, int64_t recorded_ms, const cw_event *ev,
                             const cw_event_source *src, cw_buf *out, cw_error *err);
/*
 * The same with the commitment to the event's personal part (32 bytes, hash.h; NULL: the
 * event has none, and the leaf is as cw_entry_encode_source writes it).
 */
cw_rc cw_entry_encode_full(uint64_t index, int64_t recorded_ms, const cw_event *ev,
                           const cw_event_source *src, const uint8_t *commitment, cw_buf *out,
                           cw_error *err);

/*
 * Reads the commitment to the personal part at the end of leaf bytes, if there is one:
 * *found 0 for a leaf without a personal part (every leaf written before issue 13).
 */
void cw_entry_peek_commitment(const uint8_t *leaf, size_t len, int *found, uint8_t commitment[32]);

/*
 * Reads index and recorded_at from the start of leaf bytes without a full
 * JSON parse (they are always the first two members). CW_EINVAL if the bytes
 * do not start the way cw_entry_encode writes them.
 */
cw_rc cw_entry_peek(const uint8_t *leaf, size_t len, uint64_t *index, int64_t *recorded_ms);

/*
 * Parses one line of `caseward append` input: a JSON object with a string
 * "type", an optional string "actor" (default_actor if absent) and an
 * optional object "payload" (empty if absent); any other member is refused.
 * "source" is refused here (see cw_entry_parse_command).
 * On success *holder owns the parsed JSON (json_decref it) and ev points
 * into it.
 */
cw_rc cw_entry_parse_request(const char *line, size_t len, const char *default_actor, cw_event *ev,
                             json_t **holder, cw_error *err);
/*
 * The same for a migration (caseward import and append), which may also
 * give "source": {"system":S,"recorded_at":T}, when the event was first
 * recorded in another system: checked here for its form, and against the
 * log's own time when appended. src->system is NULL when there is none; it
 * points into *holder.
 */
cw_rc cw_entry_parse_command(const char *line, size_t len, const char *default_actor, cw_event *ev,
                             cw_event_source *src, json_t **holder, cw_error *err);

#endif
