/*
 * accounts.c — see accounts.h. Passwords are hashed with argon2id through
 * libsodium's crypto_pwhash_str_alg at its "interactive" limits (2 passes,
 * 64 MiB), the level libsodium recommends for online sign-in; the string it
 * returns carries the algorithm and parameters, so stronger limits later
 * still verify old hashes.
 */
#include "casework/accounts.h"

#include <pthread.h>
#include <semaphore.h>
#include <sodium.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "casework/casework.h"
#include "util/date.h"
#include "util/time.h"
#include "util/utf8.h"

static cw_rc copy_col(const cw_value *v, char *out, size_t cap)
{
    out[0] = '\0';
    if (v->type == CW_V_NULL)
        return CW_OK;
    return cw_value_copy(v, out, cap) > 0 || (v->type == CW_V_TEXT && v->len == 0) ? CW_OK
                                                                                   : CW_EVERIFY;
}

static cw_rc account_row(void *ctx, const cw_value *c, size_t n)
{
    cw_account *a = ctx;
    if (n < 9 || c[3].type != CW_V_INT || c[4].type != CW_V_INT || c[6].type != CW_V_INT ||
        c[7].type != CW_V_INT || copy_col(&c[0], a->staff_id, sizeof a->staff_id) ||
        copy_col(&c[1], a->role, sizeof a->role) ||
        copy_col(&c[2], a->password, sizeof a->password) ||
        copy_col(&c[5], a->expires_on, sizeof a->expires_on) ||
        copy_col(&c[8], a->language, sizeof a->language))
        return CW_EVERIFY;
    a->must_change = c[3].i != 0;
    a->disabled = c[4].i != 0;
    a->failed = c[6].i;
    a->locked_until_ms = c[7].i;
    a->found = 1;
    return CW_OK;
}

cw_rc cw_account_get(cw_store *s, const char *username, cw_account *out, cw_error *err)
{
    memset(out, 0, sizeof *out);
    if (strlen(username) >= sizeof out->username)
        return CW_OK; /* no such account can exist */
    memcpy(out->username, username, strlen(username) + 1);
    cw_value k = cw_text(username);
    cw_rc rc = cw_store_run(s, CW_Q_ACCOUNT_GET, &k, 1, account_row, out, NULL, err);
    if (rc == CW_EVERIFY)
        rc = cw_error_set(err, rc, "account %s: its row in the database is damaged", username);
    return rc;
}

void cw_password_generate(char out[21])
{
    /* No 0/O, 1/l/I: read aloud or copied by hand without mistakes. */
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    for (int i = 0; i < 20; i++)
        out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    out[20] = '\0';
}

cw_rc cw_password_check_policy(const char *username, const char *password, cw_error *err)
{
    size_t n = strlen(password);
    if (n > CW_PASSWORD_MAX)
        return cw_error_key(err, CW_ETOOBIG, "too_long", "password", CW_NUM(n),
                            CW_NUM(CW_PASSWORD_MAX));
    if (cw_utf8_check(password, n) != n)
        return cw_error_key(err, CW_EINVAL, "not_utf8", "password", NULL, NULL);
    size_t chars = 0;
    for (size_t i = 0; i < n; i++)
        chars += ((unsigned char)password[i] & 0xC0) != 0x80;
    if (chars < CW_PASSWORD_MIN)
        return cw_error_key(err, CW_EINVAL, "password_short", "password", CW_NUM(CW_PASSWORD_MIN),
                            NULL);
    if (!strcmp(password, username))
        return cw_error_key(err, CW_EINVAL, "password_username", "password", NULL, NULL);
    return CW_OK;
}

/*
 * Each argon2id hash or verify takes 64 MiB: at most one per CPU runs at a
 * time, so a burst of sign-ins queues instead of exhausting memory.
 */
_Static_assert(CW_PASSWORD_HASH_MAX >= crypto_pwhash_STRBYTES, "room for libsodium's hash");
static sem_t kdf_slots;
static pthread_once_t kdf_once = PTHREAD_ONCE_INIT;
static char dummy_hash[CW_PASSWORD_HASH_MAX]; /* for cw_password_spend */
static int dummy_ok;

static int kdf_hash(const char *password, char out[CW_PASSWORD_HASH_MAX])
{
    return crypto_pwhash_str_alg(out, password, strlen(password),
                                 crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13);
}

static void kdf_init(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    sem_init(&kdf_slots, 0, n < 1 ? 1u : n > 16 ? 16u : (unsigned)n);
    dummy_ok = sodium_init() >= 0 && kdf_hash("caseward: no such account", dummy_hash) == 0;
}

static void kdf_enter(void)
{
    pthread_once(&kdf_once, kdf_init);
    while (sem_wait(&kdf_slots) != 0)
        ; /* EINTR */
}

static void kdf_leave(void)
{
    sem_post(&kdf_slots);
}

cw_rc cw_password_hash(const char *password, char out[CW_PASSWORD_HASH_MAX], cw_error *err)
{
    kdf_enter();
    int bad = sodium_init() < 0 || kdf_hash(password, out) != 0;
    kdf_leave();
    return bad ? cw_error_set(err, CW_ENOMEM, "hashing a password: out of memory") : CW_OK;
}

bool cw_password_verify(const char *hash, const char *password)
{
    kdf_enter();
    bool ok = sodium_init() >= 0 && crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
    kdf_leave();
    return ok;
}

void cw_password_spend(const char *password)
{
    /* A hash made once, with the same parameters: verifying against it costs the same. */
    pthread_once(&kdf_once, kdf_init);
    if (dummy_ok)
        (void)cw_password_verify(dummy_hash, password);
}

/* Appends one account event and runs the table change in the same batch. */
static cw_rc account_batch(cw_ledger *l, const char *actor, const char *type, json_t *payload,
                           cw_query q, const cw_value *v, size_t nv, cw_error *err)
{
    if (!payload)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    cw_event ev = {actor, type, payload};
    cw_rc rc = cw_casework_begin(l, err);
    if (rc) {
        json_decref(payload);
        return rc;
    }
    int64_t changes = 0;
    if (!(rc = cw_casework_submit(l, &ev, NULL, err)) &&
        !(rc = cw_store_run(cw_ledger_store(l), q, v, nv, NULL, NULL, &changes, err)) &&
        changes != 1)
        rc = cw_error_set(err, CW_ENOTFOUND, "username: no account %s",
                          json_string_value(json_object_get(payload, "username")));
    if (!rc)
        rc = cw_casework_commit(l, NULL, err);
    else
        cw_casework_abort(l);
    json_decref(payload);
    return rc;
}

cw_rc cw_account_create(cw_ledger *l, const char *actor, const char *username, const char *staff_id,
                        const char *role, const char *expires_on, char one_time[21], cw_error *err)
{
    char hash[CW_PASSWORD_HASH_MAX], now[CW_RFC3339_MS_LEN + 1];
    cw_password_generate(one_time);
    cw_rc rc = cw_password_hash(one_time, hash, err);
    if (rc || (rc = cw_time_format_ms(cw_time_now_ms(), now)))
        return rc ? rc : cw_error_set(err, CW_EIO, "the clock cannot be read");
    json_t *p = json_pack("{s:s, s:s?, s:s?, s:s?}", "username", username, "staff_id", staff_id,
                          "role", role, "expires_on", expires_on);
    cw_value v[] = {cw_text(username), cw_text(staff_id),   cw_text(role), cw_text(hash),
                    CW_INT(1),         cw_text(expires_on), cw_text(now)};
    rc = account_batch(l, actor, "account_created", p, CW_Q_ACCOUNT_PUT, v, 7, err);
    sodium_memzero(hash, sizeof hash);
    if (rc)
        sodium_memzero(one_time, 21);
    return rc;
}

/* ---- an inspector's account: the two-person rule (access_change.c) ---- */

cw_rc cw_account_inspector(cw_store *s, const char *staff_id, const char *role, int *yes,
                           cw_error *err)
{
    *yes = role && !strcmp(role, "inspector");
    if (*yes || !staff_id || !staff_id[0])
        return CW_OK;
    cw_staff_info si;
    cw_rc rc = cw_casework_staff(s, staff_id, &si, err);
    *yes = !rc && si.found && !strcmp(si.role, "inspector");
    return rc;
}

void cw_account_proposal_id(char out[CW_ACCOUNT_PROPOSAL_ID_LEN + 1])
{
    unsigned char raw[6];
    randombytes_buf(raw, sizeof raw);
    memcpy(out, "account-", 8);
    sodium_bin2hex(out + 8, CW_ACCOUNT_PROPOSAL_ID_LEN + 1 - 8, raw, sizeof raw);
}

/* access_change_proposed of enabling username, dated the batch's day, as actor's act. */
static cw_rc propose(cw_ledger *l, const char *actor, const char *username, const char *proposal_id,
                     const char *reason, cw_error *err)
{
    char day[CW_DATE_LEN + 1];
    cw_date_format((cw_date)(cw_ledger_batch_ms(l) / 86400000), day);
    json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s}", "proposal_id", proposal_id, "date", day,
                          "change", "account_enabled", "username", username, "reason", reason);
    if (!p)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    cw_event ev = {actor, "access_change_proposed", p};
    cw_rc rc = cw_casework_submit(l, &ev, NULL, err);
    json_decref(p);
    return rc;
}

cw_rc cw_account_create_proposed(cw_ledger *l, const char *actor, const char *username,
                                 const char *staff_id, const char *role, const char *expires_on,
                                 const char *proposal_id, const char *reason, char one_time[21],
                                 cw_error *err)
{
    char hash[CW_PASSWORD_HASH_MAX], now[CW_RFC3339_MS_LEN + 1];
    cw_password_generate(one_time);
    cw_rc rc = cw_password_hash(one_time, hash, err);
    if (rc || (rc = cw_time_format_ms(cw_time_now_ms(), now)))
        return rc ? rc : cw_error_set(err, CW_EIO, "the clock cannot be read");
    json_t *p = json_pack("{s:s, s:s?, s:s?, s:s?, s:b}", "username", username, "staff_id",
                          staff_id, "role", role, "expires_on", expires_on, "disabled", 1);
    cw_value v[] = {cw_text(username), cw_text(staff_id),   cw_text(role), cw_text(hash),
                    CW_INT(1),         cw_text(expires_on), cw_text(now)};
    cw_value off[] = {cw_text(username), CW_INT(1), CW_NULL, CW_NULL};
    cw_event ev = {actor, "account_created", p};
    int64_t changes = 0;
    if (!p)
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    else if (!(rc = cw_casework_begin(l, err))) {
        if (!(rc = cw_casework_submit(l, &ev, NULL, err)) &&
            !(rc = cw_store_run(cw_ledger_store(l), CW_Q_ACCOUNT_PUT, v, 7, NULL, NULL, NULL,
                                err)) &&
            !(rc = cw_store_run(cw_ledger_store(l), CW_Q_ACCOUNT_SET_STATUS, off, 4, NULL, NULL,
                                &changes, err)) &&
            changes != 1)
            rc = cw_error_set(err, CW_ENOTFOUND, "username: no account %s", username);
        if (!rc)
            rc = propose(l, actor, username, proposal_id, reason, err);
        if (!rc)
            rc = cw_casework_commit(l, NULL, err);
        else
            cw_casework_abort(l);
    }
    json_decref(p);
    sodium_memzero(hash, sizeof hash);
    if (rc)
        sodium_memzero(one_time, 21);
    return rc;
}

cw_rc cw_account_propose_enable(cw_ledger *l, const char *actor, const char *username,
                                const char *proposal_id, const char *reason, cw_error *err)
{
    cw_rc rc = cw_casework_begin(l, err);
    if (rc)
        return rc;
    if (!(rc = propose(l, actor, username, proposal_id, reason, err)))
        rc = cw_casework_commit(l, NULL, err);
    else
        cw_casework_abort(l);
    return rc;
}

cw_rc cw_account_store_password(cw_ledger *l, const char *actor, const char *username,
                                const char *hash, bool one_time, cw_error *err)
{
    json_t *p = json_pack("{s:s, s:b}", "username", username, "one_time", one_time);
    cw_value v[] = {cw_text(username), cw_text(hash), CW_INT(one_time)};
    return account_batch(l, actor, "password_set", p, CW_Q_ACCOUNT_SET_PASSWORD, v, 3, err);
}

cw_rc cw_account_set_password(cw_ledger *l, const char *actor, const char *username,
                              const char *password, bool one_time, cw_error *err)
{
    char hash[CW_PASSWORD_HASH_MAX];
    cw_rc rc = one_time ? CW_OK : cw_password_check_policy(username, password, err);
    if (rc || (rc = cw_password_hash(password, hash, err)))
        return rc;
    rc = cw_account_store_password(l, actor, username, hash, one_time, err);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

cw_rc cw_account_set_disabled(cw_ledger *l, const char *actor, const char *username, bool disabled,
                              const char *reason, cw_error *err)
{
    json_t *p =
        json_pack("{s:s, s:b, s:s?}", "username", username, "disabled", disabled, "reason", reason);
    cw_value v[] = {cw_text(username), CW_INT(disabled), CW_NULL, CW_NULL};
    return account_batch(l, actor, "account_changed", p, CW_Q_ACCOUNT_SET_STATUS, v, 4, err);
}

cw_rc cw_account_set_language(cw_ledger *l, const char *actor, const char *username,
                              const char *language, cw_error *err)
{
    json_t *p = json_pack("{s:s, s:s}", "username", username, "language", language);
    cw_value v[] = {cw_text(username), CW_NULL, CW_NULL, cw_text(language)};
    return account_batch(l, actor, "account_changed", p, CW_Q_ACCOUNT_SET_STATUS, v, 4, err);
}

cw_signin_result cw_account_check(const cw_account *a, const char *password, const char *today,
                                  bool staff_left)
{
    bool ok = a->found && a->password[0] ? cw_password_verify(a->password, password)
                                         : (cw_password_spend(password), false);
    if (!a->found || !ok)
        return CW_SIGNIN_WRONG;
    if (a->disabled || staff_left || (a->expires_on[0] && strcmp(a->expires_on, today) < 0))
        return CW_SIGNIN_INACTIVE;
    return CW_SIGNIN_OK;
}

/* ---- API tokens ---- */

static void token_hash(const char *token, char hex[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(hex, 65, h, sizeof h);
}

cw_rc cw_token_create(cw_ledger *l, const char *actor, const char *name, const char *username,
                      const char *scope, char token[CW_TOKEN_LEN + 1], cw_error *err)
{
    unsigned char raw[32];
    char hex[65], now[CW_RFC3339_MS_LEN + 1];
    if (sodium_init() < 0)
        return cw_error_set(err, CW_ECRYPTO, "libsodium cannot start");
    if (strcmp(scope, "read") != 0 && strcmp(scope, "write") != 0)
        return cw_error_set(err, CW_EINVAL, "scope: must be read or write");
    randombytes_buf(raw, sizeof raw);
    memcpy(token, "cwt_", 4);
    sodium_bin2base64(token + 4, CW_TOKEN_LEN + 1 - 4, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    token_hash(token, hex);
    if (cw_time_format_ms(cw_time_now_ms(), now))
        return cw_error_set(err, CW_EIO, "the clock cannot be read");
    json_t *p = json_pack("{s:s, s:s, s:s}", "name", name, "username", username, "scope", scope);
    cw_value v[] = {cw_text(name), cw_text(hex), cw_text(username), cw_text(scope), cw_text(now)};
    cw_rc rc = account_batch(l, actor, "token_created", p, CW_Q_TOKEN_PUT, v, 5, err);
    if (rc)
        sodium_memzero(token, CW_TOKEN_LEN + 1);
    return rc;
}

cw_rc cw_token_revoke(cw_ledger *l, const char *actor, const char *name, const char *reason,
                      cw_error *err)
{
    json_t *p = json_pack("{s:s, s:s?}", "name", name, "reason", reason);
    cw_value v[] = {cw_text(name)};
    return account_batch(l, actor, "token_revoked", p, CW_Q_TOKEN_REVOKE, v, 1, err);
}

static cw_rc token_row(void *ctx, const cw_value *c, size_t n)
{
    cw_token_info *t = ctx;
    char scope[8] = "";
    if (n < 4 || cw_value_copy(&c[0], t->name, sizeof t->name) <= 0 ||
        cw_value_copy(&c[1], t->username, sizeof t->username) <= 0)
        return CW_EVERIFY;
    cw_value_copy(&c[2], scope, sizeof scope);
    t->write = !strcmp(scope, "write");
    t->found = c[3].type == CW_V_INT && c[3].i == 0;
    return CW_OK;
}

cw_rc cw_token_find(cw_store *s, const char *token, cw_token_info *out, cw_error *err)
{
    char hex[65];
    memset(out, 0, sizeof *out);
    if (strlen(token) != CW_TOKEN_LEN || strncmp(token, "cwt_", 4) != 0)
        return CW_OK;
    token_hash(token, hex);
    cw_value k = cw_text(hex);
    cw_rc rc = cw_store_run(s, CW_Q_TOKEN_BY_HASH, &k, 1, token_row, out, NULL, err);
    if (rc == CW_EVERIFY)
        rc = cw_error_set(err, rc, "an API token's row in the database is damaged");
    return rc;
}
