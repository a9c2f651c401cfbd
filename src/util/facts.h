/*
 * facts.h — an event's payload as the rules read it, in a compact binary
 * form, and a child's history as one run of such events.
 *
 * The rules engine only asks of a payload: is this field there, is it true,
 * what is this integer or this short string, how long is this list. Parsing
 * JSON into a tree of allocated nodes to answer that was most of the cost of
 * evaluating a child, so the projection keeps each child's events in this
 * form (child_histories.events) and the engine reads it in place: looking up
 * a field walks a few bytes, and strings are returned as pointers into the
 * bytes (each is NUL-terminated there).
 *
 * Facts (one event's payload), a sequence of fields in name order:
 *   u8 name length (1-255), the name, NUL, u8 kind, the value:
 *     'F' false, 'T' true, 'P' present (an object or a number that is not an
 *     integer: only its presence is kept) — no value bytes;
 *     'I' an integer: 8 bytes, little-endian two's complement;
 *     'S' a string: u32 length, the bytes, NUL;
 *     'A' a list: u32 number of items (the items are not kept);
 *     'L' a list of codes whose items are kept (a field the caller marks
 *     CW_FACTS_ITEMS, every item a string without NUL): u32 number of items,
 *     u32 length of the items, the items, each followed by NUL.
 *   JSON null is left out, as the rules treat it as absent.
 *
 * A history (one child's events), records in (date, index) order:
 *   u32 length of the rest of the record, u64 ledger index, i32 date (days
 *   since 1970-01-01), u8 type length (1-63), the type, NUL, the facts.
 * All integers are little-endian. Readers check every length and order
 * before trusting a blob read from disk (cw_history_check).
 */
#ifndef CW_UTIL_FACTS_H
#define CW_UTIL_FACTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/date.h"
#include "util/error.h"

typedef struct cw_facts {
    const uint8_t *p;
    size_t len;
} cw_facts;

typedef enum cw_fact_kind {
    CW_FACT_ABSENT = 0,
    CW_FACT_FALSE = 'F',
    CW_FACT_TRUE = 'T',
    CW_FACT_PRESENT = 'P',
    CW_FACT_INT = 'I',
    CW_FACT_STRING = 'S',
    CW_FACT_LIST = 'A',
} cw_fact_kind;

#define CW_FACT_ITEMS_BYTE 'L' /* read back as CW_FACT_LIST, with its items */

typedef struct cw_fact {
    cw_fact_kind kind;
    int64_t i;     /* CW_FACT_INT: the value; CW_FACT_LIST: the number of items */
    const char *s; /* CW_FACT_STRING: NUL-terminated, inside the facts; CW_FACT_LIST: its
                      items, each NUL-terminated, or NULL where they were not kept */
    size_t len;    /* CW_FACT_STRING: its length; CW_FACT_LIST: the items' bytes */
} cw_fact;

/* What is kept of a field (the default: its value, and a list's length). */
typedef enum cw_facts_keep {
    CW_FACTS_VALUE = 0,
    CW_FACTS_PRESENCE, /* a string: only that it is there (true) */
    CW_FACTS_ITEMS,    /* a list of strings: its items too */
} cw_facts_keep;

/* Called for each field of a payload: what to keep of it. */
typedef cw_facts_keep (*cw_facts_field_fn)(const void *ctx, const char *name);

/*
 * Appends the facts of a JSON object to out. keep (may be NULL: keep every
 * value) says what is kept of each field. Fields are written in name order,
 * so the same payload always gives the same bytes. CW_EINVAL if obj is not an
 * object, a name is empty or over 255 bytes, or a kept string or item holds a
 * NUL; a list marked CW_FACTS_ITEMS with an item that is not a string is
 * kept as its length only.
 */
cw_rc cw_facts_encode(const json_t *obj, cw_facts_field_fn keep, const void *ctx, cw_buf *out);

/*
 * The items of a list fact in turn: *pos starts at 0; NULL at the end, and
 * for a list whose items were not kept.
 */
const char *cw_fact_item(const cw_fact *f, size_t *pos);

/* CW_OK if the bytes are well-formed facts (every length in bounds). */
cw_rc cw_facts_check(cw_facts f);

/* Looks up a field of well-formed facts; kind CW_FACT_ABSENT if not there. */
cw_fact cw_facts_get(cw_facts f, const char *name);

/* One event of a history, pointing into the history's bytes. */
typedef struct cw_history_event {
    uint64_t index;
    cw_date date;
    const char *type; /* NUL-terminated */
    cw_facts facts;
} cw_history_event;

/*
 * Puts an event into a history held in hist, at its place in (date, index)
 * order, replacing an event with the same index if there is one. hist must
 * hold a well-formed history (or be empty).
 */
cw_rc cw_history_put(cw_buf *hist, uint64_t index, cw_date date, const char *type, cw_facts facts);

/*
 * Checks a history read from disk: every length in bounds, every type
 * well-formed, (date, index) strictly increasing and, if deep, every facts
 * well-formed (a history only added to needs no more than its framing
 * checked). *count receives the number of events.
 */
cw_rc cw_history_check(const uint8_t *p, size_t len, bool deep, size_t *count);

/*
 * Iterates a well-formed history: *pos starts at 0; returns false at the end.
 */
bool cw_history_next(const uint8_t *p, size_t len, size_t *pos, cw_history_event *out);

#endif
