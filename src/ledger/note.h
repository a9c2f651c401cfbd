/*
 * note.h — c2sp.org/signed-note with Ed25519 keys, and the
 * c2sp.org/tlog-checkpoint body that caseward signs.
 *
 * A signed note:
 *
 *   | part       | bytes                                                        |
 *   |------------|--------------------------------------------------------------|
 *   | text       | non-empty UTF-8, no control characters but '\n', ends '\n'  |
 *   | separator  | one empty line ("\n")                                        |
 *   | signatures | one or more "— <name> <base64(key id (4) || sig (64))>\n"    |
 *
 * "—" is U+2014 (e2 80 94). The Ed25519 signature covers the text only,
 * including its final newline. For Ed25519 keys:
 *   key id = SHA-256(name || 0x0a || 0x01 || public key (32))[0:4]
 *   vkey   = name "+" hex(key id) "+" base64(0x01 || public key)
 *   skey   = "PRIVATE+KEY+" name "+" hex(key id) "+" base64(0x01 || seed (32))
 * (the skey form is the one Go's golang.org/x/mod/sumdb/note uses).
 * A key name is 1–255 bytes of printable ASCII with no space and no '+'.
 *
 * A checkpoint text (tlog-checkpoint v1.0.0):
 *
 *   | line | content                                         |
 *   |------|-------------------------------------------------|
 *   | 1    | origin (the log's name; caseward's key name)    |
 *   | 2    | tree size, decimal, no leading zeros            |
 *   | 3    | root hash, standard base64 of 32 bytes          |
 *   | 4..  | optional extension lines (caseward writes none) |
 */
#ifndef CW_LEDGER_NOTE_H
#define CW_LEDGER_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/hash.h"
#include "util/base64.h"
#include "util/buf.h"

#define CW_NOTE_NAME_MAX  255
#define CW_NOTE_MAX_BYTES 65536
#define CW_NOTE_MAX_SIGS  100

typedef struct cw_note_verifier {
    char name[CW_NOTE_NAME_MAX + 1];
    uint8_t key_id[4];
    uint8_t public_key[32];
} cw_note_verifier;

typedef struct cw_note_signer {
    cw_note_verifier v;
    uint8_t secret_key[64]; /* libsodium form: seed || public key */
} cw_note_signer;

/* Checks a key name (and a log origin) against the rules above. */
cw_rc cw_note_check_name(const char *name, cw_error *err);

cw_rc cw_note_signer_generate(const char *name, cw_note_signer *out, cw_error *err);
cw_rc cw_note_signer_parse(const char *skey, size_t len, cw_note_signer *out, cw_error *err);
cw_rc cw_note_signer_format(const cw_note_signer *s, cw_buf *out);
/* Wipes the secret key. */
void cw_note_signer_release(cw_note_signer *s);

cw_rc cw_note_verifier_parse(const char *vkey, size_t len, cw_note_verifier *out, cw_error *err);
cw_rc cw_note_verifier_format(const cw_note_verifier *v, cw_buf *out);

/* Appends to out the signed note for text (which must be valid note text). */
cw_rc cw_note_sign(const cw_note_signer *s, const char *text, size_t len, cw_buf *out,
                   cw_error *err);

/*
 * Checks that note is well formed and carries a valid signature by v.
 * Signatures by other keys are ignored. *text_len receives the length of the
 * signed text (a prefix of note). Fails with CW_EINVAL if malformed and
 * CW_EVERIFY if v's signature is missing or wrong.
 */
cw_rc cw_note_open(const cw_note_verifier *v, const char *note, size_t len, size_t *text_len,
                   cw_error *err);

typedef struct cw_checkpoint {
    char origin[CW_NOTE_NAME_MAX + 1];
    uint64_t size;
    uint8_t root[CW_HASH_LEN];
} cw_checkpoint;

cw_rc cw_checkpoint_format(const cw_checkpoint *c, cw_buf *text);
cw_rc cw_checkpoint_parse(const char *text, size_t len, cw_checkpoint *out, cw_error *err);

#endif
