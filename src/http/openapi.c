/*
 * openapi.c — the OpenAPI 3 document, generated from the route table so it
 * cannot leave a route out; docs/openapi.json is a copy that a test keeps
 * equal to it.
 */
#include <stdlib.h>
#include <string.h>

#include "casework/casework.h"
#include "http/http_int.h"

/* The query parameters each route reads (the handlers in routes.c). */
static const struct {
    const char *pattern;
    const char *names[3];
    int required;
} query_params[] = {
    {"/api/v1/log/proof/inclusion", {"index", "size", NULL}, 1},
    {"/api/v1/log/proof/consistency", {"old", "new", NULL}, 1},
    {"/api/v1/log/entries", {"start", "end", NULL}, 1},
    {"/api/v1/children/{id}/obligations", {"as_of", NULL, NULL}, 0},
    {"/api/v1/children", {"after", "limit", NULL}, 0},
    {"/api/v1/caseload", {"as_of", NULL, NULL}, 0},
    {"/api/v1/teams/{team}/caseload", {"as_of", NULL, NULL}, 0},
    {"/api/v1/overdue", {"as_of", NULL, NULL}, 0},
    {"/api/v1/signals", {"as_of", NULL, NULL}, 0},
    {"/api/v1/improvement/plans/{plan}", {"as_of", NULL, NULL}, 0},
    {"/api/v1/improvement/actions/{action}", {"as_of", NULL, NULL}, 0},
};

static json_t *error_response(const char *why)
{
    return json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", why, "content", "application/json",
                     "schema", "$ref", "#/components/schemas/Error");
}

static json_t *operation(const route *rt)
{
    json_t *op = json_pack("{s:s, s:s}", "summary", rt->summary, "operationId", rt->pattern);
    json_t *params = json_array();
    /* path parameters */
    for (const char *p = strchr(rt->pattern, '{'); p; p = strchr(p + 1, '{')) {
        const char *close = strchr(p, '}');
        json_t *schema = json_pack("{s:s}", "type", "string");
        if (!strncmp(p, "{type}", 6)) {
            json_t *types = json_array();
            for (size_t i = 0; cw_casework_type_name(i); i++) {
                const char *t = cw_casework_type_name(i);
                if (!cw_http_reserved_type(t))
                    json_array_append_new(types, json_string(t));
            }
            json_object_set_new(schema, "enum", types);
        }
        json_array_append_new(params, json_pack("{s:s%, s:s, s:b, s:o}", "name", p + 1,
                                                (size_t)(close - p - 1), "in", "path", "required",
                                                1, "schema", schema));
    }
    for (size_t i = 0; i < sizeof query_params / sizeof query_params[0]; i++) {
        if (strcmp(query_params[i].pattern, rt->pattern) != 0)
            continue;
        for (size_t k = 0; k < 3 && query_params[i].names[k]; k++) {
            const char *n = query_params[i].names[k];
            json_array_append_new(params,
                                  json_pack("{s:s, s:s, s:b, s:{s:s, s:s?}}", "name", n, "in",
                                            "query", "required", query_params[i].required, "schema",
                                            "type", strcmp(n, "as_of") ? "integer" : "string",
                                            "format", strcmp(n, "as_of") ? NULL : "date"));
        }
    }
    json_object_set_new(op, "parameters", params);
    if (!strcmp(rt->method, "POST") || !strcmp(rt->method, "PUT"))
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:{s:{s:{s:s}}}}", "required", 1, "content",
                                      "application/json", "schema", "type", "object"));
    json_t *resp =
        json_pack("{s:{s:s}}", !strcmp(rt->pattern, "/api/v1/commands/{type}") ? "201" : "200",
                  "description", "done");
    json_object_set_new(resp, "400",
                        error_response("malformed request; the error names the field"));
    json_object_set_new(resp, "413", error_response("body over the limit"));
    if (rt->roles) {
        json_object_set_new(resp, "401", error_response("not signed in"));
        json_object_set_new(resp, "403",
                            error_response("not this role's, or not this child's, or CSRF"));
        json_t *roles = json_array();
        for (unsigned b = 1; b <= R_DATA_TEAM; b <<= 1)
            if (rt->roles & b)
                json_array_append_new(roles, json_string(cw_role_name(b)));
        json_object_set_new(op, "x-caseward-roles", roles);
        json_object_set_new(op, "security", json_pack("[{s:[]}]", "session"));
    } else {
        json_object_set_new(op, "security", json_array());
    }
    if (rt->flags & RF_CHILD)
        json_object_set_new(resp, "404", error_response("no such child that you can see"));
    json_object_set_new(op, "responses", resp);
    json_object_set_new(op, "x-caseward-records-access", json_boolean((rt->flags & RF_CHILD) != 0));
    json_object_set_new(op, "x-caseward-csrf", json_boolean((rt->flags & RF_WRITE) != 0));
    return op;
}

char *cw_http_openapi(void)
{
    json_t *paths = json_object();
    for (size_t i = 0; i < cw_nroutes; i++) {
        const route *rt = &cw_routes[i];
        json_t *item = json_object_get(paths, rt->pattern);
        if (!item) {
            item = json_object();
            json_object_set_new(paths, rt->pattern, item);
        }
        char m[8];
        size_t k = 0;
        for (; rt->method[k] && k < sizeof m - 1; k++)
            m[k] = (char)(rt->method[k] - 'A' + 'a');
        m[k] = '\0';
        json_object_set_new(item, m, operation(rt));
    }
    json_t *error =
        json_pack("{s:s, s:[s], s:{s:{s:s, s:[s, s], s:{s:{s:s}, s:{s:s}, s:{s:s, s:b}}}}}", "type",
                  "object", "required", "error", "properties", "error", "type", "object",
                  "required", "code", "message", "properties", "code", "type", "string", "message",
                  "type", "string", "field", "type", "string", "nullable", 1);
    json_t *doc =
        json_pack("{s:s, s:{s:s, s:s, s:s}, s:o, s:{s:{s:{s:s, s:s, s:s}}, s:{s:o}}}", "openapi",
                  "3.0.3", "info", "title", "caseward API", "version", "1", "description",
                  "Children's social care casework on statutory timescales, with a "
                  "tamper-evident log. See docs/api.md.",
                  "paths", paths, "components", "securitySchemes", "session", "type", "apiKey",
                  "in", "cookie", "name", "cw_session", "schemas", "Error", error);
    char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
    json_decref(doc);
    return text;
}
