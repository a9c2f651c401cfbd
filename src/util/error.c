/*
 * error.c — messages and the one mapping of error codes to exit and HTTP
 * statuses. See error.h.
 */
#include "util/error.h"
#include "util/messages.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *text;
    int exit_status;
    int http_status;
} table[] = {
    [CW_OK] = {"ok", 0, 200},
    [CW_EINVAL] = {"invalid input", 1, 400},
    [CW_ENOTFOUND] = {"not found", 1, 404},
    [CW_EEXIST] = {"already exists", 1, 409},
    [CW_ETOOBIG] = {"too large", 1, 413},
    [CW_ENOMEM] = {"out of memory", 1, 503},
    [CW_EIO] = {"input/output error", 1, 500},
    [CW_EDB] = {"database error", 1, 500},
    [CW_ECRYPTO] = {"cryptographic failure", 1, 500},
    [CW_EVERIFY] = {"verification failed", 1, 409},
    [CW_EUSAGE] = {"usage error", 2, 400},
    [CW_EBUSY] = {"database is busy", 1, 503},
    [CW_EAUTH] = {"not signed in", 1, 401},
    [CW_EFORBIDDEN] = {"not allowed", 1, 403},
    [CW_ELIMIT] = {"too many attempts", 1, 429},
    [CW_ECONFLICT] = {"changed by someone else", 1, 409},
    [CW_EUNAVAIL] = {"storage unavailable", 1, 503},
};

#define NCODES (sizeof table / sizeof table[0])

cw_rc cw_error_set(cw_error *err, cw_rc code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->key = NULL;
        err->outer = NULL;
    }
    return code;
}

static void copy_arg(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

cw_rc cw_error_key(cw_error *err, cw_rc code, const char *key, const char *field, const char *a1,
                   const char *a2)
{
    if (!err)
        return code;
    err->code = code;
    err->key = key;
    err->outer = NULL;
    copy_arg(err->field, sizeof err->field, field);
    copy_arg(err->arg[0], sizeof err->arg[0], a1);
    copy_arg(err->arg[1], sizeof err->arg[1], a2);
    cw_message(err, CW_LANG_EN, err->msg, sizeof err->msg, NULL);
    return code;
}

void cw_error_wrap(cw_error *err, const char *key, const char *field, const char *a1)
{
    if (!err)
        return;
    if (!err->key || err->outer) {
        /* English only: the outer message (its {inner} comes last, left empty) before it. */
        cw_error outer;
        cw_error_key(&outer, err->code, key, field, a1, NULL);
        cw_error_prefix(err, "%s", outer.msg);
        return;
    }
    err->outer = key;
    copy_arg(err->outer_field, sizeof err->outer_field, field);
    copy_arg(err->outer_arg, sizeof err->outer_arg, a1);
    cw_message(err, CW_LANG_EN, err->msg, sizeof err->msg, NULL);
}

const char *cw_num_text(long long n, char out[24])
{
    snprintf(out, 24, "%lld", n);
    return out;
}

void cw_error_rename_field(cw_error *err, const char *field)
{
    if (err && err->key) {
        copy_arg(err->field, sizeof err->field, field);
        cw_message(err, CW_LANG_EN, err->msg, sizeof err->msg, NULL);
    }
}

void cw_error_prefix(cw_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    err->key = NULL;
    err->outer = NULL;
    char prefix[CW_ERROR_MSG_MAX];
    char old[CW_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    /* Truncation is acceptable: the message stays NUL-terminated. */
    size_t n = strlen(prefix);
    memcpy(err->msg, prefix, n + 1);
    size_t room = sizeof err->msg - n - 1;
    size_t m = strnlen(old, room);
    memcpy(err->msg + n, old, m);
    err->msg[n + m] = '\0';
}

void cw_error_clear(cw_error *err)
{
    if (err) {
        err->code = CW_OK;
        err->msg[0] = '\0';
        err->key = NULL;
        err->outer = NULL;
    }
}

const char *cw_rc_str(cw_rc rc)
{
    if ((unsigned)rc >= NCODES || !table[rc].text)
        return "unknown error";
    return table[rc].text;
}

int cw_rc_exit_status(cw_rc rc)
{
    if ((unsigned)rc >= NCODES || !table[rc].text)
        return 1;
    return table[rc].exit_status;
}

int cw_rc_http_status(cw_rc rc)
{
    if ((unsigned)rc >= NCODES || !table[rc].text)
        return 500;
    return table[rc].http_status;
}
