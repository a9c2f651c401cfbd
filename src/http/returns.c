/*
 * returns.c — GET /api/v1/returns/{kind}?year=YYYY[&file=NAME]: a statutory return for the
 * data team (docs/returns.md, docs/api.md "Statutory returns").
 *
 * The data team (role data_team) makes the council's returns without reading a child's
 * record: a return holds facts, the notes name children by identifier and fields by name, and
 * nothing narrative is in either. The head of service and the director may make them too.
 * Making one is a durable entry in the log (record_accessed, naming the return and year, no
 * child) before the answer, as every read of children's data is.
 *
 * Without file: the return's summary (counts, files with their sizes and SHA-256, the notes).
 * With file: that file's bytes (application/xml or text/csv), as an attachment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "returns/returns.h"
#include "util/sha256.h"
#include "util/time.h"

static const char *ctype(const char *name)
{
    size_t n = strlen(name);
    if (n > 4 && !strcmp(name + n - 4, ".xml"))
        return "application/xml; charset=utf-8";
    return "text/csv; charset=utf-8";
}

cw_rc cw_http_returns(cw_http_srv *s, req *r, cw_error *err)
{
    const cw_return_kind *k = cw_returns_find(r->param[0]);
    if (!k)
        return cw_error_key(err, CW_ENOTFOUND, "no_return", "kind", r->param[0],
                            cw_returns_names());
    const char *ys = cw_http_query(r, "year"), *want = cw_http_query(r, "file"),
               *as_of = cw_http_query(r, "as_of");
    cw_date day;
    if (as_of && strcmp(k->name, "annex-a") != 0)
        return cw_error_key(err, CW_EINVAL, "as_of_annex_a", "as_of", NULL, NULL);
    if (as_of && cw_date_parse(as_of, strlen(as_of), &day))
        return cw_error_key(err, CW_EINVAL, "param_date", "as_of", NULL, NULL);
    uint64_t y = 0;
    if (!ys || strlen(ys) != 4 || cw_parse_u64(ys, 4, &y) || y < 2000 || y > 9998)
        return cw_error_key(err, CW_EINVAL, "param_year", "year", NULL, NULL);
    int year = (int)y;
    cw_buf la = CW_BUF_INIT(64);
    char now[CW_RFC3339_MS_LEN + 1];
    cw_time_format_ms(cw_time_now_ms(), now);
    now[19] = '\0';
    cw_rc rc = cw_store_meta_get(cw_ledger_store(r->ro), "la_code", &la, err);
    if (rc == CW_ENOTFOUND)
        rc = CW_OK;
    cw_returns_query q = {year, la.data, "caseward", CW_RELEASE, now, as_of};
    cw_returns_output out;
    cw_returns_output_init(&out);
    if (!rc &&
        (rc = cw_returns_make(k, cw_ledger_store(r->ro), &s->cal, &q, &out, err)) == CW_EUSAGE)
        rc = k->needs_la && !la.data
                 ? cw_error_key(err, CW_ECONFLICT, "no_la_code", "la_code", NULL, NULL)
                 : CW_EINVAL; /* the message is the return's own */
    const cw_returns_file *f = NULL;
    for (size_t i = 0; !rc && want && i < out.nfiles && !f; i++)
        if (!strcmp(out.files[i].name, want))
            f = &out.files[i];
    if (!rc && want && !f)
        rc = cw_error_key(err, CW_ENOTFOUND, "no_return_file", "file", want, NULL);
    char detail[100];
    snprintf(detail, sizeof detail, "%s year=%d%s%s%s%.40s", k->name, year, as_of ? " as_of=" : "",
             as_of ? as_of : "", f ? " file=" : "", f ? f->name : "");
    /* a return that cannot be recorded is not given */
    if (!rc && cw_http_record_access_detail(s, r, NULL, 1, 200, detail) != CW_OK)
        rc = cw_error_set(err, CW_EIO, "the making of the return could not be recorded");
    if (!rc && f) {
        cw_resp_attachment(r, f->name);
        cw_resp_text(r, 200, ctype(f->name), f->data.data ? f->data.data : "", f->data.len);
    } else if (!rc) {
        json_t *files = json_array(), *j = NULL;
        for (size_t i = 0; files && i < out.nfiles; i++) {
            char hex[65];
            cw_sha256_hex(out.files[i].data.data ? out.files[i].data.data : "",
                          out.files[i].data.len, hex);
            json_t *one = json_pack("{s:s, s:I, s:s, s:s}", "name", out.files[i].name, "bytes",
                                    (json_int_t)out.files[i].data.len, "sha256", hex, "media_type",
                                    ctype(out.files[i].name));
            if (!one || json_array_append_new(files, one))
                json_decref(files), files = NULL;
        }
        json_t *notes = out.notes.rows ? json_incref(out.notes.rows) : json_array();
        if (files && notes)
            j = json_pack("{s:s, s:s, s:i, s:s?, s:{s:I, s:I}, s:o, s:o}", "kind", k->name, "title",
                          k->title, "year", year, "la", la.data, "counts", "children",
                          (json_int_t)out.counts.children, "records",
                          (json_int_t)out.counts.records, "files", files, "notes", notes);
        else
            json_decref(files), json_decref(notes);
        if (!j)
            rc = cw_error_set(err, CW_ENOMEM, "out of memory");
        else
            cw_resp_json(r, 200, j);
    }
    cw_returns_output_release(&out);
    cw_buf_release(&la);
    return rc;
}
