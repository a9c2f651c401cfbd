/*
 * accounts.h — sign-in accounts: creating them, passwords (argon2id, through
 * libsodium), disabling, and checking a sign-in with lockout.
 *
 * The accounts table holds the hashes; each change is also an event in the
 * log (account_created, account_changed, password_set; docs/events.md),
 * appended in the same transaction, so the log proves who was given access
 * and when, without ever holding a password or a hash.
 */
#ifndef CW_CASEWORK_ACCOUNTS_H
#define CW_CASEWORK_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/ledger.h"

#define CW_PASSWORD_MIN 12  /* characters a chosen password must have at least */
#define CW_PASSWORD_MAX 256 /* bytes */

typedef struct cw_account {
    int found;
    char username[65];
    char staff_id[65];  /* "" for accounts that are not staff */
    char role[32];      /* administrator, qa_auditor, inspector; "" for staff (see staff.role) */
    char password[160]; /* the stored hash */
    int must_change;
    int disabled;
    char expires_on[11]; /* "" if it does not expire */
    /* The accounts table's failed and locked_until: no longer used (there is no lockout; the
     * server throttles sign-ins in memory, src/http/throttle.c). Read, kept, never set. */
    int64_t failed;
    int64_t locked_until_ms;
    char language[3]; /* en or cy, as the user chose; "" if they have not */
} cw_account;

cw_rc cw_account_get(cw_store *s, const char *username, cw_account *out, cw_error *err);

/* A one-time password: 20 characters from an unambiguous alphabet. */
void cw_password_generate(char out[21]);

/* Whether a password someone chose is acceptable (length, UTF-8, not the username). */
cw_rc cw_password_check_policy(const char *username, const char *password, cw_error *err);

/*
 * Creates an account with a one-time password (the caller shows it once).
 * Exactly one of staff_id (a member of staff) and role (administrator,
 * qa_auditor, inspector) is given; expires_on (YYYY-MM-DD) may be NULL.
 */
cw_rc cw_account_create(cw_ledger *l, const char *actor, const char *username, const char *staff_id,
                        const char *role, const char *expires_on, char one_time[21], cw_error *err);

/*
 * An inspector's account (the two-person rule: access_change.c, docs/events.md "Two-person
 * rule"): an account that sees every child's record works only once a second person approves
 * it. *yes: 1 if an account with this role (administrator, qa_auditor, inspector) or this
 * member of staff (staff_id; their staff role) is an inspector's. Either may be NULL or "".
 */
cw_rc cw_account_inspector(cw_store *s, const char *staff_id, const char *role, int *yes,
                           cw_error *err);

/* A new proposal_id for the two below: "account-" and 12 random hex digits. */
#define CW_ACCOUNT_PROPOSAL_ID_LEN 20
void cw_account_proposal_id(char out[CW_ACCOUNT_PROPOSAL_ID_LEN + 1]);

/*
 * As cw_account_create, for an inspector's account: created disabled (account_created with
 * disabled true) and, in the same batch, its enabling proposed as actor's act
 * (access_change_proposed, change account_enabled, proposal_id, reason). It works once someone
 * else approves the proposal (access_change_approved) within CW_ACCESS_CHANGE_DAYS days.
 */
cw_rc cw_account_create_proposed(cw_ledger *l, const char *actor, const char *username,
                                 const char *staff_id, const char *role, const char *expires_on,
                                 const char *proposal_id, const char *reason, char one_time[21],
                                 cw_error *err);

/* Proposes enabling a disabled inspector's account (access_change_proposed, as above). */
cw_rc cw_account_propose_enable(cw_ledger *l, const char *actor, const char *username,
                                const char *proposal_id, const char *reason, cw_error *err);

/* Sets a password: one_time (an administrator's reset) or chosen by the account holder. */
cw_rc cw_account_set_password(cw_ledger *l, const char *actor, const char *username,
                              const char *password, bool one_time, cw_error *err);

/* The language the user chose for their pages and the server's messages (en or cy): an
 * account_changed entry, recorded by actor (the user themselves). */
cw_rc cw_account_set_language(cw_ledger *l, const char *actor, const char *username,
                              const char *language, cw_error *err);

/* Disables (or enables) an account, with a reason for the log. Enabling a disabled
 * inspector's account is refused (CW_EFORBIDDEN, account_needs_second): propose it
 * (cw_account_propose_enable). */
cw_rc cw_account_set_disabled(cw_ledger *l, const char *actor, const char *username, bool disabled,
                              const char *reason, cw_error *err);

/* An argon2id hash of password, in libsodium's string form (at most one hash or verify per
 * CPU at a time: each takes 64 MiB). */
#define CW_PASSWORD_HASH_MAX 128
cw_rc cw_password_hash(const char *password, char out[CW_PASSWORD_HASH_MAX], cw_error *err);

/* Stores a hash made with cw_password_hash (the slow part done before taking any lock). */
cw_rc cw_account_store_password(cw_ledger *l, const char *actor, const char *username,
                                const char *hash, bool one_time, cw_error *err);

/* Whether password matches the stored hash (libsodium's argon2id verify). */
bool cw_password_verify(const char *hash, const char *password);

/* Spends the time a verify would, for an unknown username. */
void cw_password_spend(const char *password);

typedef enum cw_signin_result {
    CW_SIGNIN_OK = 0,
    CW_SIGNIN_WRONG,    /* unknown user or wrong password */
    CW_SIGNIN_INACTIVE, /* disabled, expired, or the member of staff has left */
} cw_signin_result;

/*
 * Checks a sign-in for an account read with cw_account_get (found or not):
 * the password, then whether the account is active on today (YYYY-MM-DD;
 * staff_left: the member of staff has left). The password is checked even
 * when the result is already known, so every answer takes the time of one
 * argon2id verify. Does not touch the database. There is no lockout: the
 * HTTP server throttles attempts (src/http/throttle.c).
 */
cw_signin_result cw_account_check(const cw_account *a, const char *password, const char *today,
                                  bool staff_left);

/*
 * API tokens, for system-to-system calls. A token acts as an account with a
 * scope: read (GET routes only) or write. Only its SHA-256 is stored; the
 * token itself ("cwt_" and 43 characters) is returned once, here.
 */
#define CW_TOKEN_LEN 47
cw_rc cw_token_create(cw_ledger *l, const char *actor, const char *name, const char *username,
                      const char *scope, char token[CW_TOKEN_LEN + 1], cw_error *err);
cw_rc cw_token_revoke(cw_ledger *l, const char *actor, const char *name, const char *reason,
                      cw_error *err);

typedef struct cw_token_info {
    int found; /* a live (not revoked) token */
    char name[65];
    char username[65];
    int write; /* scope write; else read */
} cw_token_info;

/* Looks a presented token up by its hash. */
cw_rc cw_token_find(cw_store *s, const char *token, cw_token_info *out, cw_error *err);

#endif
