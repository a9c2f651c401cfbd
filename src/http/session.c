/*
 * session.c — sign-in sessions and the principal behind a request.
 *
 * Sessions live in memory only: a restart signs everyone out, and nothing a
 * stolen database copy holds can be replayed as a session. A session is
 * found by the BLAKE2b hash of its cookie token (the token itself is never
 * stored), compared in constant time. It ends after idle_timeout_s unused
 * or absolute_timeout_s after sign-in, at sign-out, and when the account's
 * password is set or the account is disabled.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "casework/casework.h"
#include "http/http_int.h"
#include "util/time.h"

static void token_key(const char *token, uint8_t key[32])
{
    crypto_generichash(key, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

static void random_text(char *out, size_t bytes, size_t cap)
{
    unsigned char raw[48];
    randombytes_buf(raw, bytes);
    sodium_bin2base64(out, cap, raw, bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

static int live(const cw_http_srv *s, const session *x, int64_t now)
{
    return x->used && now - x->last_ms < s->o.idle_timeout_s * 1000 &&
           now - x->created_ms < s->o.absolute_timeout_s * 1000;
}

cw_rc cw_session_create(cw_http_srv *s, const char *username, char token[64], char csrf[48],
                        cw_error *err)
{
    random_text(token, 32, 64);
    random_text(csrf, 24, 48);
    int64_t now = cw_time_now_ms();
    pthread_mutex_lock(&s->sess_mu);
    size_t slot = s->cap_sess;
    for (size_t i = 0; i < s->cap_sess && slot == s->cap_sess; i++)
        if (!live(s, &s->sess[i], now))
            slot = i;
    if (slot == s->cap_sess) {
        size_t cap = s->cap_sess ? s->cap_sess * 2 : 64;
        session *n = cap <= 1u << 20 ? realloc(s->sess, cap * sizeof *n) : NULL;
        if (!n) {
            pthread_mutex_unlock(&s->sess_mu);
            return cw_error_set(err, CW_ENOMEM, "too many sessions");
        }
        memset(n + s->cap_sess, 0, (cap - s->cap_sess) * sizeof *n);
        s->sess = n;
        s->cap_sess = cap;
    }
    session *x = &s->sess[slot];
    memset(x, 0, sizeof *x);
    token_key(token, x->key);
    snprintf(x->username, sizeof x->username, "%s", username);
    memcpy(x->csrf, csrf, sizeof x->csrf);
    x->created_ms = x->last_ms = now;
    x->used = 1;
    pthread_mutex_unlock(&s->sess_mu);
    return CW_OK;
}

/* The session a cookie token names, or NULL; the caller holds sess_mu. Tokens are unique
 * (32 random bytes), so the first match is the only one. */
static session *by_token(cw_http_srv *s, const char *token)
{
    uint8_t key[32];
    token_key(token, key);
    for (size_t i = 0; i < s->cap_sess; i++)
        if (s->sess[i].used && sodium_memcmp(s->sess[i].key, key, sizeof key) == 0)
            return &s->sess[i];
    return NULL;
}

int cw_session_find(cw_http_srv *s, const char *token, char username[65], char csrf[48],
                    principal *who, int *fresh)
{
    *fresh = 0;
    int64_t now = cw_time_now_ms();
    pthread_mutex_lock(&s->sess_mu);
    session *x = by_token(s, token);
    if (x && !live(s, x, now)) {
        sodium_memzero(x, sizeof *x); /* expired: gone */
        x = NULL;
    }
    if (x) {
        x->last_ms = now;
        memcpy(username, x->username, 65);
        memcpy(csrf, x->csrf, 48);
        if (x->who_ms && now - x->who_ms < PRINCIPAL_TTL_MS) {
            *who = x->who;
            *fresh = 1;
        }
    }
    pthread_mutex_unlock(&s->sess_mu);
    return x != NULL;
}

void cw_session_keep(cw_http_srv *s, const char *token, const principal *who)
{
    pthread_mutex_lock(&s->sess_mu);
    session *x = by_token(s, token);
    if (x) {
        x->who = *who;
        x->who_ms = cw_time_now_ms();
    }
    pthread_mutex_unlock(&s->sess_mu);
}

void cw_session_end(cw_http_srv *s, const char *token)
{
    pthread_mutex_lock(&s->sess_mu);
    session *x = by_token(s, token);
    if (x)
        sodium_memzero(x, sizeof *x);
    pthread_mutex_unlock(&s->sess_mu);
}

void cw_session_end_user(cw_http_srv *s, const char *username)
{
    pthread_mutex_lock(&s->sess_mu);
    for (size_t i = 0; i < s->cap_sess; i++)
        if (s->sess[i].used && !strcmp(s->sess[i].username, username))
            sodium_memzero(&s->sess[i], sizeof s->sess[i]);
    pthread_mutex_unlock(&s->sess_mu);
}

cw_rc cw_principal_load(cw_http_srv *s, cw_ledger *ro, const char *username, principal *who,
                        cw_error *err)
{
    (void)s;
    cw_account a;
    cw_store *st = cw_ledger_store(ro);
    memset(who, 0, sizeof *who);
    cw_rc rc = cw_account_get(st, username, &a, err);
    if (rc)
        return rc;
    char today[CW_DATE_LEN + 1];
    cw_date_format((cw_date)(cw_time_now_ms() / 86400000), today);
    if (!a.found || a.disabled || (a.expires_on[0] && strcmp(a.expires_on, today) < 0))
        return cw_error_key(err, CW_EAUTH, "account_inactive", "session", NULL, NULL);
    snprintf(who->username, sizeof who->username, "%s", username);
    snprintf(who->actor, sizeof who->actor, "user:%s", username);
    who->must_change = a.must_change;
    memcpy(who->language, a.language, sizeof who->language);
    if (a.staff_id[0]) {
        cw_staff_info si;
        if ((rc = cw_casework_staff(st, a.staff_id, &si, err)))
            return rc;
        if (!si.found || si.left)
            return cw_error_key(err, CW_EAUTH, "staff_has_left", "session", NULL, NULL);
        memcpy(who->staff_id, a.staff_id, sizeof who->staff_id);
        memcpy(who->team_id, si.team, sizeof who->team_id);
        who->role = cw_role_bit(si.role);
        if (si.team[0] && (rc = cw_team_area(ro, si.team, who->service_area, NULL, err)))
            return rc;
    } else {
        who->role = cw_role_bit(a.role);
    }
    if (!who->role)
        return cw_error_key(err, CW_EAUTH, "no_role", "session", NULL, NULL);
    return CW_OK;
}

static const struct {
    const char *name;
    unsigned bit;
} roles[] = {
    {"social_worker", R_SOCIAL_WORKER},
    {"senior_practitioner", R_SOCIAL_WORKER},
    {"team_manager", R_TEAM_MANAGER},
    {"service_manager", R_SERVICE_MANAGER},
    {"head_of_service", R_HEAD_OF_SERVICE},
    /* The director of social services: the head of service's access (every child); the role
     * the head of service reports to, up to whom audit reports and actions escalate. */
    {"director", R_HEAD_OF_SERVICE},
    {"qa_auditor", R_QA_AUDITOR},
    {"inspector", R_INSPECTOR},
    {"administrator", R_ADMINISTRATOR},
    {"data_protection_officer", R_DATA_PROTECTION},
    {"data_team", R_DATA_TEAM},
};

unsigned cw_role_bit(const char *name)
{
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (!strcmp(roles[i].name, name))
            return roles[i].bit;
    return 0;
}

const char *cw_role_name(unsigned bit)
{
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (roles[i].bit == bit)
            return roles[i].name;
    return "none";
}
