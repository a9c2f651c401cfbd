/*
 * framework.c — the audit-framework loader: text in, a checked framework out,
 * or "source:line: problem" and nothing. The format is docs/audits.md,
 * "Frameworks"; in brief, one directive per line (util/directives.h), '#'
 * comments and blank lines ignored, indentation only for the reader:
 *
 *   framework ID                 first: the framework's id, [a-z0-9_], 1-32
 *   title TEXT                   the framework's title (required)
 *   title_cy TEXT                ... in Welsh (optional)
 *   grade N LABEL | LABEL_CY     (2 to CW_AUDIT_MAX_GRADES) grades 1, 2, ... in order, 1 the
 *                                best; "| LABEL_CY" optional
 *   critical N [N...]            once, after the grades: the grades that are a critical finding
 *   theme ID                     (1 to CW_AUDIT_MAX_THEMES) a theme; the lines below are its own
 *     title TEXT                 required
 *     title_cy TEXT              optional
 *     guidance TEXT              required, repeatable: the lines join with a newline
 *     guidance_cy TEXT           optional, repeatable likewise
 *
 * The scale (grade, critical) comes before the first theme; after a theme line,
 * title and title_cy are the theme's. Invariants of a loaded framework: grades
 * [0..ngrades) hold values 1..ngrades in order, at least one is critical; every
 * theme has a distinct id, a title and guidance; title_cy, label_cy are "" and
 * guidance_cy is "" (never NULL) when the file gives no Welsh.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quality/quality.h"
#include "util/directives.h"
#include "util/sha256.h"

/* Embedded at build time from rules/standard.audit and rules/ofsted.audit. */
extern const char cw_audit_standard[];
extern const char cw_audit_ofsted[];

#define MAX_BYTES (256u * 1024u) /* a framework file */
#define MAX_LINE  2000u          /* a line of it */

typedef struct parser {
    cw_audit_framework *f;
    const char *source;
    cw_error *err;
    size_t line;
    int seen_framework, seen_title, seen_title_cy, seen_critical;
    cw_audit_theme *theme; /* the theme being read, or NULL */
    size_t theme_line[CW_AUDIT_MAX_THEMES];
    int theme_title[CW_AUDIT_MAX_THEMES], theme_title_cy[CW_AUDIT_MAX_THEMES];
} parser;

static cw_rc fail(parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static cw_rc fail(parser *ps, const char *fmt, ...)
{
    char msg[CW_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cw_error_set(ps->err, CW_EINVAL, "%s:%zu: %s", ps->source, ps->line, msg);
}

static int is_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > CW_AUDIT_ID_MAX)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

/* Copies a one-line text value (non-empty, at most cap - 1 bytes) into out. */
static cw_rc text_to(parser *ps, const char *what, const char *rest, int *seen, char *out,
                     size_t cap)
{
    if ((*seen)++)
        return fail(ps, "a second %s line", what);
    if (!*rest)
        return fail(ps, "%s: empty", what);
    size_t n = strlen(rest);
    if (n > cap - 1)
        return fail(ps, "%s: longer than %zu bytes", what, cap - 1);
    memcpy(out, rest, n + 1);
    return CW_OK;
}

/* Appends a guidance line to *text (joined to what is there with a newline). */
static cw_rc append(parser *ps, const char *what, const char *rest, char **text)
{
    if (!*rest)
        return fail(ps, "%s: empty", what);
    size_t old = *text ? strlen(*text) : 0, n = strlen(rest);
    size_t total = old + (old ? 1 : 0) + n;
    if (total > CW_AUDIT_MAX_GUIDANCE)
        return fail(ps, "%s: longer than %d bytes in all", what, CW_AUDIT_MAX_GUIDANCE);
    char *t = realloc(*text, total + 1);
    if (!t)
        return cw_error_set(ps->err, CW_ENOMEM, "out of memory loading %s", ps->source);
    if (old)
        t[old++] = '\n';
    memcpy(t + old, rest, n + 1);
    *text = t;
    return CW_OK;
}

/* A whole number 1..max written in decimal digits only. */
static int grade_number(const char *s, size_t max, int *out)
{
    size_t v = 0;
    if (!*s || strlen(s) > 3)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        v = v * 10 + (size_t)(*s - '0');
    }
    if (v < 1 || v > max)
        return 0;
    *out = (int)v;
    return 1;
}

/* Trims blanks at both ends of s in place; returns the first non-blank. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        *--e = '\0';
    return s;
}

/* grade N LABEL | LABEL_CY */
static cw_rc kw_grade(parser *ps, char *rest)
{
    cw_audit_framework *f = ps->f;
    if (ps->theme)
        return fail(ps, "grade: the scale comes before the first theme");
    if (ps->seen_critical)
        return fail(ps, "grade: the grades come before the critical line");
    char *num = rest, *label = rest;
    while (*label && *label != ' ' && *label != '\t')
        label++;
    if (*label)
        *label++ = '\0';
    int g = 0;
    if (!grade_number(num, 999, &g))
        return fail(ps, "grade: \"%s\" is not a grade number (1, 2, ...)", num);
    if (f->ngrades >= CW_AUDIT_MAX_GRADES)
        return fail(ps, "grade %d: more than %d grades", g, CW_AUDIT_MAX_GRADES);
    if ((size_t)g != f->ngrades + 1)
        return fail(ps, "grade %d: expected grade %zu (grades are 1, 2, ... in order, 1 the best)",
                    g, f->ngrades + 1);
    char *bar = strchr(label, '|');
    char *cy = NULL;
    if (bar) {
        *bar = '\0';
        cy = trim(bar + 1);
        if (strchr(cy, '|'))
            return fail(ps, "grade %d: more than one \"|\"", g);
    }
    label = trim(label);
    cw_audit_grade *gr = &f->grades[f->ngrades];
    int seen = 0, seen_cy = 0;
    char what[32];
    snprintf(what, sizeof what, "grade %d: label", g);
    cw_rc rc = text_to(ps, what, label, &seen, gr->label, sizeof gr->label);
    if (!rc && cy) {
        snprintf(what, sizeof what, "grade %d: Welsh label", g);
        rc = text_to(ps, what, cy, &seen_cy, gr->label_cy, sizeof gr->label_cy);
    }
    if (rc)
        return rc;
    gr->value = g;
    f->ngrades++;
    return CW_OK;
}

/* critical N [N...] */
static cw_rc kw_critical(parser *ps, char *rest)
{
    cw_audit_framework *f = ps->f;
    if (ps->theme)
        return fail(ps, "critical: the scale comes before the first theme");
    if (ps->seen_critical++)
        return fail(ps, "a second critical line");
    if (f->ngrades < 2)
        return fail(ps, "critical: the grades (at least 2) come first");
    if (!*rest)
        return fail(ps, "critical: which grades are a critical finding?");
    for (char *s = rest; *s;) {
        char *w = s;
        while (*s && *s != ' ' && *s != '\t')
            s++;
        while (*s == ' ' || *s == '\t')
            *s++ = '\0';
        int g = 0;
        if (!grade_number(w, f->ngrades, &g))
            return fail(ps, "critical: \"%s\" is not a grade on the scale (1 to %zu)", w,
                        f->ngrades);
        if (f->grades[g - 1].critical)
            return fail(ps, "critical: grade %d twice", g);
        f->grades[g - 1].critical = 1;
    }
    return CW_OK;
}

static cw_rc kw_theme(parser *ps, const char *rest)
{
    cw_audit_framework *f = ps->f;
    if (f->ngrades < 2)
        return fail(ps, "theme: the grades (at least 2) come before the first theme");
    if (!ps->seen_critical)
        return fail(ps, "theme: the critical line comes before the first theme");
    if (!is_id(rest))
        return fail(ps, "theme: \"%.40s\" is not an id ([a-z0-9_], 1 to %d characters)", rest,
                    CW_AUDIT_ID_MAX);
    if (cw_audit_framework_theme(f, rest))
        return fail(ps, "theme %s twice", rest);
    if (f->nthemes >= CW_AUDIT_MAX_THEMES)
        return fail(ps, "theme %s: more than %d themes", rest, CW_AUDIT_MAX_THEMES);
    ps->theme_line[f->nthemes] = ps->line;
    ps->theme = &f->themes[f->nthemes++];
    memcpy(ps->theme->id, rest, strlen(rest) + 1);
    return CW_OK;
}

/* The theme being read is complete (title and guidance given). */
static cw_rc theme_done(parser *ps)
{
    if (!ps->theme)
        return CW_OK;
    size_t k = (size_t)(ps->theme - ps->f->themes);
    const char *missing = !ps->theme_title[k]    ? "title line"
                          : !ps->theme->guidance ? "guidance line"
                                                 : NULL;
    if (missing)
        return cw_error_set(ps->err, CW_EINVAL, "%s:%zu: theme %s has no %s", ps->source,
                            ps->theme_line[k], ps->theme->id, missing);
    return CW_OK;
}

static cw_rc on_directive(void *ctx, size_t line, char *kw, char *rest)
{
    parser *ps = ctx;
    cw_audit_framework *f = ps->f;
    ps->line = line;
    if (!ps->seen_framework) {
        if (strcmp(kw, "framework"))
            return fail(ps, "the first line must be \"framework ID\"");
        if (!is_id(rest))
            return fail(ps, "framework: \"%.40s\" is not an id ([a-z0-9_], 1 to %d characters)",
                        rest, CW_AUDIT_ID_MAX);
        memcpy(f->id, rest, strlen(rest) + 1);
        ps->seen_framework = 1;
        return CW_OK;
    }
    if (!strcmp(kw, "framework"))
        return fail(ps, "a second framework line");
    if (ps->theme) {
        size_t k = (size_t)(ps->theme - f->themes);
        if (!strcmp(kw, "title"))
            return text_to(ps, "title", rest, &ps->theme_title[k], ps->theme->title,
                           sizeof ps->theme->title);
        if (!strcmp(kw, "title_cy"))
            return text_to(ps, "title_cy", rest, &ps->theme_title_cy[k], ps->theme->title_cy,
                           sizeof ps->theme->title_cy);
        if (!strcmp(kw, "guidance"))
            return append(ps, "guidance", rest, &ps->theme->guidance);
        if (!strcmp(kw, "guidance_cy"))
            return append(ps, "guidance_cy", rest, &ps->theme->guidance_cy);
        if (!strcmp(kw, "theme")) {
            cw_rc rc = theme_done(ps);
            return rc ? rc : kw_theme(ps, rest);
        }
        if (!strcmp(kw, "grade") || !strcmp(kw, "critical"))
            return fail(ps, "%s: the scale comes before the first theme", kw);
        return fail(ps,
                    "unknown keyword \"%.40s\" in a theme (title, title_cy, guidance, "
                    "guidance_cy, theme)",
                    kw);
    }
    if (!strcmp(kw, "title"))
        return text_to(ps, "title", rest, &ps->seen_title, f->title, sizeof f->title);
    if (!strcmp(kw, "title_cy"))
        return text_to(ps, "title_cy", rest, &ps->seen_title_cy, f->title_cy, sizeof f->title_cy);
    if (!strcmp(kw, "grade"))
        return kw_grade(ps, rest);
    if (!strcmp(kw, "critical"))
        return kw_critical(ps, rest);
    if (!strcmp(kw, "theme"))
        return kw_theme(ps, rest);
    return fail(
        ps, "unknown keyword \"%.40s\" (framework, title, title_cy, grade, critical, theme)", kw);
}

/* What the end of the file must find: a framework line, a title, a scale with a critical
 * grade, at least one theme, the last theme complete. */
static cw_rc finish(parser *ps)
{
    cw_audit_framework *f = ps->f;
    if (!ps->seen_framework)
        return cw_error_set(ps->err, CW_EINVAL, "%s: no framework line (framework ID)", ps->source);
    cw_rc rc = theme_done(ps);
    if (rc)
        return rc;
    if (!ps->seen_title)
        return cw_error_set(ps->err, CW_EINVAL, "%s:%zu: framework %s has no title line",
                            ps->source, ps->line, f->id);
    if (f->ngrades < 2)
        return cw_error_set(ps->err, CW_EINVAL, "%s:%zu: fewer than 2 grades", ps->source,
                            ps->line);
    if (!ps->seen_critical)
        return cw_error_set(ps->err, CW_EINVAL,
                            "%s:%zu: no critical line (which grades are a critical finding?)",
                            ps->source, ps->line);
    if (!f->nthemes)
        return cw_error_set(ps->err, CW_EINVAL, "%s:%zu: no themes", ps->source, ps->line);
    for (size_t i = 0; i < f->nthemes; i++) {
        cw_audit_theme *t = &f->themes[i];
        if (!t->guidance_cy && !(t->guidance_cy = calloc(1, 1)))
            return cw_error_set(ps->err, CW_ENOMEM, "out of memory loading %s", ps->source);
    }
    return CW_OK;
}

cw_rc cw_audit_framework_load(cw_audit_framework *f, const char *text, size_t len,
                              const char *source, cw_error *err)
{
    memset(f, 0, sizeof *f);
    if (!source)
        source = "(audit framework)";
    if (len > MAX_BYTES)
        return cw_error_set(err, CW_ETOOBIG, "%s: larger than %u bytes", source, MAX_BYTES);
    char *copy = malloc(len + 1);
    if (!copy)
        return cw_error_set(err, CW_ENOMEM, "out of memory loading %s", source);
    memcpy(copy, text, len);
    copy[len] = '\0';
    cw_sha256_hex(text, len, f->sha256);
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.f = f;
    ps.source = source;
    ps.err = err;
    cw_rc rc = cw_directives_each(copy, len, source, MAX_LINE, on_directive, &ps, err);
    if (!rc)
        rc = finish(&ps);
    free(copy);
    if (rc)
        cw_audit_framework_release(f);
    return rc;
}

cw_rc cw_audit_framework_builtin(cw_audit_framework *f, const char *id, cw_error *err)
{
    if (id && !strcmp(id, "standard"))
        return cw_audit_framework_load(f, cw_audit_standard, strlen(cw_audit_standard),
                                       "rules/standard.audit", err);
    if (id && !strcmp(id, "ofsted"))
        return cw_audit_framework_load(f, cw_audit_ofsted, strlen(cw_audit_ofsted),
                                       "rules/ofsted.audit", err);
    memset(f, 0, sizeof *f);
    return cw_error_set(err, CW_ENOTFOUND,
                        "framework: \"%.40s\" is not a built-in audit framework (there are "
                        "standard and ofsted)",
                        id ? id : "");
}

void cw_audit_framework_release(cw_audit_framework *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->nthemes && i < CW_AUDIT_MAX_THEMES; i++) {
        free(f->themes[i].guidance);
        free(f->themes[i].guidance_cy);
    }
    memset(f, 0, sizeof *f);
}

const cw_audit_theme *cw_audit_framework_theme(const cw_audit_framework *f, const char *id)
{
    for (size_t i = 0; id && i < f->nthemes; i++)
        if (!strcmp(f->themes[i].id, id))
            return &f->themes[i];
    return NULL;
}

int cw_audit_framework_critical(const cw_audit_framework *f, int g)
{
    return g >= 1 && (size_t)g <= f->ngrades && f->grades[g - 1].critical;
}
