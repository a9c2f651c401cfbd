/*
 * error.h — caseward's one error vocabulary.
 *
 * Every fallible function returns a cw_rc and, when given a cw_error, fills it
 * with a one-line message that names the field and the value that was wrong
 * ("line 3: type: \"Visit!\" is not a valid event type"). The numeric values
 * are pinned: they are part of the CLI and API contract and never change.
 * Each code maps once to a CLI exit status and once to an HTTP status.
 */
#ifndef CW_UTIL_ERROR_H
#define CW_UTIL_ERROR_H

#include <stddef.h>

typedef enum cw_rc {
    CW_OK = 0,
    CW_EINVAL = 1,      /* input is malformed or out of range */
    CW_ENOTFOUND = 2,   /* the named thing does not exist */
    CW_EEXIST = 3,      /* refusing to overwrite something that exists */
    CW_ETOOBIG = 4,     /* a size limit was exceeded */
    CW_ENOMEM = 5,      /* out of memory */
    CW_EIO = 6,         /* a file or OS operation failed */
    CW_EDB = 7,         /* the database failed or is unreadable */
    CW_ECRYPTO = 8,     /* a cryptographic primitive failed */
    CW_EVERIFY = 9,     /* an integrity check failed: the log does not verify */
    CW_EUSAGE = 10,     /* the command line was wrong */
    CW_EBUSY = 11,      /* another process holds the database */
    CW_EAUTH = 12,      /* no valid sign-in (session, token or password) */
    CW_EFORBIDDEN = 13, /* signed in, but this is not theirs to do or see */
    CW_ELIMIT = 14,     /* too many attempts: try again later */
    CW_ECONFLICT = 15,  /* someone else changed the record since the version named */
    CW_EUNAVAIL = 16,   /* the storage cannot save now (disk full, I/O error, database server
                           gone): nothing was acknowledged; try again once it is back */
} cw_rc;

#define CW_ERROR_MSG_MAX 512
#define CW_ERROR_ARG_MAX 160

/*
 * A message that staff may read (a refusal, a field's problem) is written from the message
 * catalogue (util/messages.h) by its key, so that the server can give it in the user's
 * language: key names the text, field the field it is about, arg the values it quotes. msg
 * always holds the English, for the command line and the server's own log. An error set
 * with cw_error_set has no key: its message is English only.
 */
typedef struct cw_error {
    cw_rc code;
    char msg[CW_ERROR_MSG_MAX];
    const char *key;               /* catalogue key, or NULL */
    char field[65];                /* {field}: the field named, "" if none */
    char arg[2][CW_ERROR_ARG_MAX]; /* {1} and {2} */
    const char *outer;             /* a key whose {inner} is the message above, or NULL */
    char outer_field[65];          /* ... its {field} */
    char outer_arg[65];            /* ... its {1} */
} cw_error;

/* Sets err (which may be NULL) to code and a formatted message; returns code. */
cw_rc cw_error_set(cw_error *err, cw_rc code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Sets err (which may be NULL) to code and the catalogue's message key, naming field (may
 * be NULL) and quoting a1 and a2 (may be NULL); msg gets the English. Returns code. An
 * unknown key is a programming error: the message then says so, in English.
 */
cw_rc cw_error_key(cw_error *err, cw_rc code, const char *key, const char *field, const char *a1,
                   const char *a2);

/* Puts a keyed message inside another (key, naming field and quoting a1), as its {inner}:
 * "changes: the corrected statutory_visit would be invalid: date: ...". A message with no key
 * gets the English of the outer one before it, and stays English. */
void cw_error_wrap(cw_error *err, const char *key, const char *field, const char *a1);

/* n in decimal, for a keyed message's {1} or {2}: CW_NUM(n) stays valid to the end of the
 * block it is written in (a compound literal holds it). */
const char *cw_num_text(long long n, char out[24]);
#define CW_NUM(n) cw_num_text((long long)(n), (char[24]){0})

/* Names another field in a keyed message (a request that calls the field differently). */
void cw_error_rename_field(cw_error *err, const char *field);

/* Prepends context ("line 3: ") to err's message, keeping its code; the message is then
 * English only (its key is dropped). */
void cw_error_prefix(cw_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Clears err to CW_OK with an empty message. */
void cw_error_clear(cw_error *err);

/* A short fixed description of a code ("invalid input"). */
const char *cw_rc_str(cw_rc rc);

/* The process exit status for a code: 0 ok, 2 usage, 1 otherwise. */
int cw_rc_exit_status(cw_rc rc);

/* The HTTP status for a code (400, 404, 409, 413, 500, ...). */
int cw_rc_http_status(cw_rc rc);

#endif
