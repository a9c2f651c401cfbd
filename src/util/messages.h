/*
 * messages.h — the server's message catalogue, in English and Welsh.
 *
 * A message that staff may read is set by its key (cw_error_key, util/error.h) and written
 * in the language of the person who reads it: the catalogue's text for the key, with the
 * field it is about named in that language (the web application's own names for the fields,
 * web/app/messages) and the values it quotes as they were given. The command line and the
 * server's own log use the English, which names the field by its identifier, as the API has
 * always done ("date_of_birth: ..."). docs/api.md, "Errors", lists the keys.
 */
#ifndef CW_UTIL_MESSAGES_H
#define CW_UTIL_MESSAGES_H

#include <stddef.h>

#include "util/error.h"

typedef enum cw_lang { CW_LANG_EN = 0, CW_LANG_CY = 1 } cw_lang;

/* "en" or "cy". */
const char *cw_lang_code(cw_lang lang);

/* The language an Accept-Language header asks for first, of the two caseward speaks:
 * *found is 0 (and EN returned) when it names neither, or is NULL. */
cw_lang cw_lang_accept(const char *header, int *found);

/*
 * Writes err's message in lang into out (cap bytes, always terminated) and returns the
 * language it is in: lang when err has a key, English (err->msg) when it has none. When
 * problem is not NULL, *problem points into out past the field's name ("…: "), or at out
 * when the message names no field.
 */
cw_lang cw_message(const cw_error *err, cw_lang lang, char *out, size_t cap, const char **problem);

/* A field's name in lang: in English its identifier; in Welsh the name the web application
 * gives it, or the identifier when it has none. */
const char *cw_field_name(const char *field, cw_lang lang);

/* The catalogue for tests and docs: the i-th entry (key, English, Welsh), 0 past the end. */
int cw_message_entry(size_t i, const char **key, const char **en, const char **cy);

#endif
