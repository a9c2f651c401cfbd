/*
 * textprint.h — a free text's fingerprint, kept among the facts when the text
 * itself is personal data (issue 13, docs/privacy.md).
 *
 * The integrity analytics ask whether the same text completed work for many
 * children (pasted) and whether it has fewer than a few words (empty). Both
 * answers must survive the text's erasure, and neither may let someone holding
 * an export confirm a guessed text. So the fact is "v1:" and 16 hex digits of
 * a keyed BLAKE2b hash of the normalised text (lower case letters and digits,
 * one space between words), ":" and the number of words. The key is derived
 * from the log's signing key and never leaves the council: equal texts give
 * equal prints, and nothing else can be learnt from one.
 */
#ifndef CW_UTIL_TEXTPRINT_H
#define CW_UTIL_TEXTPRINT_H

#include <stdint.h>

#include "util/buf.h"

#define CW_TEXT_PRINT_KEY_LEN 32
#define CW_TEXT_PRINT_MAX     32 /* "v1:" 16 hex ":" up to 10 digits, and the NUL */

/*
 * Appends text's normalised form to out: letters A-Z lowered, a-z, 0-9 and any byte of a
 * multibyte character are word characters; everything else separates words, written as one
 * space between them. *words is the number of words.
 */
cw_rc cw_text_normalise(const char *text, cw_buf *out, int *words);

/* Writes text's print with key into out (NUL-terminated). */
cw_rc cw_text_print(const uint8_t key[CW_TEXT_PRINT_KEY_LEN], const char *text,
                    char out[CW_TEXT_PRINT_MAX]);

/* Reads a print: its 64-bit hash (never 0) and its word count. CW_EINVAL if s is not one. */
cw_rc cw_text_print_parse(const char *s, uint64_t *hash, int *words);

#endif
