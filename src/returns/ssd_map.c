/*
 * ssd_map.c — the SSD tables caseward holds, their rows, and what each row stands for in
 * caseward's commands (ssd_int.h). Used by the import, and by the export to find what the SSD's
 * columns cannot carry.
 *
 * A row's commands are made from its cells alone (and the rows it refers to: a visit's plan, a
 * review's episode, an assessment's factors), never from caseward_facts.csv: the import lays
 * those facts over the commands afterwards. A cell that cannot be read is refused here; a
 * command that lacks what caseward needs (an outcome the SSD's flags do not give) is refused by
 * the import after the facts are laid over it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "returns/ssd_int.h"
#include "util/buf.h"

const ssd_table cw_ssd_tables[SSD_NTABLES] = {
    [SSD_PERSON] = {"ssd_person",
                    "PERS",
                    {"pers_person_id", "pers_sex", "pers_gender", "pers_ethnicity", "pers_dob",
                     "pers_common_child_id", "pers_legacy_id", "pers_upn_unknown", "pers_send_flag",
                     "pers_expected_dob", "pers_death_date", "pers_is_mother", "pers_nationality"}},
    [SSD_DISABILITY] = {"ssd_disability",
                        "DISA",
                        {"disa_table_id", "disa_person_id", "disa_disability_code"}},
    [SSD_LINKED] = {"ssd_linked_identifiers",
                    "LINK",
                    {"link_table_id", "link_person_id", "link_identifier_type",
                     "link_identifier_value", "link_valid_from_date", "link_valid_to_date"}},
    [SSD_CONTACTS] = {"ssd_contacts",
                      "CONT",
                      {"cont_contact_id", "cont_person_id", "cont_contact_date",
                       "cont_contact_source_code", "cont_contact_source_desc",
                       "cont_contact_outcome_json"}},
    [SSD_CINE] = {"ssd_cin_episodes",
                  "CINE",
                  {"cine_referral_id", "cine_person_id", "cine_referral_date",
                   "cine_cin_primary_need_code", "cine_referral_source_code",
                   "cine_referral_source_desc", "cine_referral_outcome_json", "cine_referral_nfa",
                   "cine_close_reason", "cine_close_date", "cine_referral_team",
                   "cine_referral_worker_id"}},
    [SSD_CINA] = {"ssd_cin_assessments",
                  "CINA",
                  {"cina_assessment_id", "cina_person_id", "cina_referral_id",
                   "cina_assessment_start_date", "cina_assessment_child_seen",
                   "cina_assessment_auth_date", "cina_assessment_outcome_json",
                   "cina_assessment_outcome_nfa", "cina_assessment_team",
                   "cina_assessment_worker_id"}},
    [SSD_CINF] = {"ssd_assessment_factors",
                  "CINF",
                  {"cinf_table_id", "cinf_assessment_id", "cinf_assessment_factors_json"}},
    [SSD_CINP] = {"ssd_cin_plans",
                  "CINP",
                  {"cinp_cin_plan_id", "cinp_referral_id", "cinp_person_id", "cinp_cin_plan_start",
                   "cinp_cin_plan_end", "cinp_cin_plan_team", "cinp_cin_plan_worker_id"}},
    [SSD_CINV] = {"ssd_cin_visits",
                  "CINV",
                  {"cinv_cin_visit_id", "cinv_cin_plan_id", "cinv_cin_visit_date",
                   "cinv_cin_visit_seen", "cinv_cin_visit_seen_alone", "cinv_cin_visit_bedroom"}},
    [SSD_S47E] = {"ssd_s47_enquiry",
                  "S47E",
                  {"s47e_s47_enquiry_id", "s47e_referral_id", "s47e_person_id",
                   "s47e_s47_start_date", "s47e_s47_end_date", "s47e_s47_nfa",
                   "s47e_s47_outcome_json", "s47e_s47_completed_by_worker_id",
                   "s47e_s47_completed_by_team"}},
    [SSD_ICPC] = {"ssd_initial_cp_conference",
                  "ICPC",
                  {"icpc_icpc_id", "icpc_icpc_meeting_id", "icpc_s47_enquiry_id", "icpc_person_id",
                   "icpc_cp_plan_id", "icpc_referral_id", "icpc_icpc_transfer_in",
                   "icpc_icpc_target_date", "icpc_icpc_date", "icpc_icpc_outcome_cp_flag",
                   "icpc_icpc_outcome_json", "icpc_icpc_team", "icpc_icpc_worker_id"}},
    [SSD_CPPL] = {"ssd_cp_plans",
                  "CPPL",
                  {"cppl_cp_plan_id", "cppl_referral_id", "cppl_icpc_id", "cppl_person_id",
                   "cppl_cp_plan_start_date", "cppl_cp_plan_end_date",
                   "cppl_cp_plan_initial_category", "cppl_cp_plan_ola",
                   "cppl_cp_plan_latest_category"}},
    [SSD_CPPV] = {"ssd_cp_visits",
                  "CPPV",
                  {"cppv_visit_id", "cppv_cp_plan_id", "cppv_cp_visit_id", "cppv_cp_visit_date",
                   "cppv_cp_visit_seen", "cppv_cp_visit_seen_alone", "cppv_cp_visit_bedroom"}},
    [SSD_CPPR] = {"ssd_cp_reviews",
                  "CPPR",
                  {"cppr_cp_review_id", "cppr_cp_plan_id", "cppr_cp_review_due",
                   "cppr_cp_review_date", "cppr_cp_review_outcome", "cppr_cp_review_quorate",
                   "cppr_cp_review_participation"}},
    [SSD_CLAE] = {"ssd_cla_episodes",
                  "CLAE",
                  {"clae_cla_episode_id", "clae_person_id", "clae_cla_episode_start_date",
                   "clae_cla_episode_start_reason", "clae_cla_primary_need_code",
                   "clae_cla_episode_ceased", "clae_cla_episode_ceased_reason", "clae_cla_id",
                   "clae_referral_id", "clae_cla_placement_id", "clae_entered_care_date",
                   "clae_cla_last_iro_contact_date"}},
    [SSD_CLAP] = {"ssd_cla_placement",
                  "CLAP",
                  {"clap_cla_placement_id", "clap_cla_episode_id", "clap_cla_placement_start_date",
                   "clap_cla_placement_type", "clap_cla_placement_urn",
                   "clap_cla_placement_distance", "clap_cla_placement_la", "clap_cla_id",
                   "clap_cla_placement_provider", "clap_cla_placement_postcode",
                   "clap_cla_placement_end_date", "clap_cla_placement_change_reason"}},
    [SSD_CLAR] = {"ssd_cla_reviews",
                  "CLAR",
                  {"clar_cla_review_id", "clar_cla_episode_id", "clar_cla_id",
                   "clar_cla_review_due_date", "clar_cla_review_date",
                   "clar_cla_review_participation", "clar_cla_review_last_iro_contact_date"}},
    [SSD_CLAV] = {"ssd_cla_visits",
                  "CLAV",
                  {"clav_cla_visit_id", "clav_casenote_id", "clav_cla_id", "clav_cla_episode_id",
                   "clav_cla_visit_date", "clav_cla_visit_seen", "clav_cla_visit_seen_alone"}},
    [SSD_CLAH] = {"ssd_cla_health",
                  "CLAH",
                  {"clah_health_check_id", "clah_person_id", "clah_health_check_type",
                   "clah_health_check_date", "clah_health_check_status"}},
    [SSD_MISS] = {"ssd_missing",
                  "MISS",
                  {"miss_table_id", "miss_la_person_id", "miss_mis_epi_start", "miss_mis_epi_type",
                   "miss_mis_epi_end", "miss_mis_epi_rhi_offered", "miss_mis_epi_rhi_accepted"}},
    [SSD_CLEA] = {"ssd_care_leavers",
                  "CLEA",
                  {"clea_table_id", "clea_person_id", "clea_care_leaver_eligibility",
                   "clea_care_leaver_in_touch", "clea_care_leaver_latest_contact",
                   "clea_care_leaver_accommodation", "clea_care_leaver_accom_suitable",
                   "clea_care_leaver_activity", "clea_pathway_plan_review_date",
                   "clea_care_leaver_personal_advisor", "clea_care_leaver_allocated_team",
                   "clea_care_leaver_worker_id"}},
    [SSD_DEPT] = {"ssd_department",
                  "DEPT",
                  {"dept_team_id", "dept_team_name", "dept_team_parent_id",
                   "dept_team_parent_name"}},
    [SSD_PROF] = {"ssd_professionals",
                  "PROF",
                  {"prof_professional_id", "prof_staff_id", "prof_professional_name",
                   "prof_social_worker_registration_no", "prof_professional_job_title",
                   "prof_professional_caseload", "prof_professional_department",
                   "prof_full_time_equivalency", "prof_agency_worker_flag"}},
    [SSD_INVO] = {"ssd_involvements",
                  "INVO",
                  {"invo_involvements_id", "invo_professional_id", "invo_professional_role_id",
                   "invo_professional_team", "invo_involvement_start_date",
                   "invo_involvement_end_date", "invo_worker_change_reason", "invo_person_id",
                   "invo_referral_id"}},
};

int cw_ssd_col(int table, const char *col)
{
    for (int i = 0; i < SSD_MAX_COLS && cw_ssd_tables[table].cols[i]; i++)
        if (!strcmp(cw_ssd_tables[table].cols[i], col))
            return i;
    return -1;
}

/* ---- rows ---- */

ssd_row *cw_ssd_add_row(ssd_set *s, int table, size_t line)
{
    if (cw_array_grow(&s->rows[table], &s->cap[table], s->n[table], sizeof(ssd_row)))
        return NULL;
    ssd_row *r = &s->rows[table][s->n[table]];
    memset(r, 0, sizeof *r);
    r->table = table;
    r->line = line;
    for (int i = 0; i < SSD_MAX_COLS && cw_ssd_tables[table].cols[i]; i++)
        if (!(r->cell[i] = calloc(1, 1))) {
            for (int j = 0; j < i; j++)
                free(r->cell[j]);
            return NULL;
        }
    s->n[table]++;
    return r;
}

cw_rc cw_ssd_set_cell(ssd_row *r, const char *col, const char *value)
{
    int i = cw_ssd_col(r->table, col);
    if (i < 0)
        return CW_EINVAL;
    char *v = strdup(value ? value : "");
    if (!v)
        return CW_ENOMEM;
    free(r->cell[i]);
    r->cell[i] = v;
    return CW_OK;
}

const char *cw_ssd_cell(const ssd_row *r, const char *col)
{
    int i = cw_ssd_col(r->table, col);
    return i >= 0 && r->cell[i] ? r->cell[i] : "";
}

ssd_row *cw_ssd_find(const ssd_set *s, int table, const char *col, const char *value)
{
    int i = cw_ssd_col(table, col);
    if (i < 0 || !value || !value[0])
        return NULL;
    for (size_t k = 0; k < s->n[table]; k++)
        if (!strcmp(s->rows[table][k].cell[i], value))
            return &s->rows[table][k];
    return NULL;
}

void cw_ssd_set_release(ssd_set *s)
{
    for (int t = 0; t < SSD_NTABLES; t++) {
        for (size_t k = 0; k < s->n[t]; k++)
            for (int i = 0; i < SSD_MAX_COLS; i++)
                free(s->rows[t][k].cell[i]);
        free(s->rows[t]);
    }
    memset(s, 0, sizeof *s);
}

ssd_cmd *cw_ssd_cmd_add(ssd_cmds *l, const char *type, int table, size_t line, const char *row_id)
{
    if (cw_array_grow(&l->c, &l->cap, l->n, sizeof *l->c))
        return NULL;
    ssd_cmd *c = &l->c[l->n];
    memset(c, 0, sizeof *c);
    if (!(c->payload = json_object()) || !(c->cols = json_object())) {
        json_decref(c->payload);
        return NULL;
    }
    snprintf(c->type, sizeof c->type, "%s", type);
    snprintf(c->row_id, sizeof c->row_id, "%s", row_id ? row_id : "");
    c->table = table;
    c->line = line;
    c->entry = -1;
    c->recorded_ms = -1;
    c->cls = 1;
    l->n++;
    return c;
}

void cw_ssd_cmds_release(ssd_cmds *l)
{
    for (size_t i = 0; i < l->n; i++) {
        json_decref(l->c[i].payload);
        json_decref(l->c[i].cols);
    }
    free(l->c);
    memset(l, 0, sizeof *l);
}

void cw_ssd_own_id(const ssd_set *s, int table, const char *id, char out[130])
{
    if (s->roundtrip || table == SSD_PERSON || !id[0])
        snprintf(out, 130, "%s", id);
    else
        snprintf(out, 130, "%s:%s", cw_ssd_tables[table].prefix, id);
}

/* ---- code maps ---- */

typedef struct pair {
    const char *a, *b;
} pair;

static const char *map(const pair *m, size_t n, const char *key, int reverse)
{
    for (size_t i = 0; key && i < n; i++)
        if (!strcasecmp(reverse ? m[i].b : m[i].a, key))
            return reverse ? m[i].a : m[i].b;
    return NULL;
}
#define MAP(m, k, r) map(m, sizeof m / sizeof m[0], k, r)

static const pair SOURCES[] = {
    {"police", "6"},    {"school", "2A"},          {"health", "3F"},
    {"self", "1C"},     {"family", "1A"},          {"neighbour", "1B"},
    {"anonymous", "9"}, {"local_authority", "5A"}, {"other", "8"},
};

/* Every CIN source of referral code, the caseward source it falls under, and its words. */
static const struct {
    const char *code, *source, *desc;
} CODES[] = {
    {"1A", "family", "Individual: family member"},
    {"1B", "neighbour", "Individual: acquaintance"},
    {"1C", "self", "Individual: self"},
    {"1D", "other", "Individual: other"},
    {"2A", "school", "Schools"},
    {"2B", "school", "Education services"},
    {"3A", "health", "Health services: GP"},
    {"3B", "health", "Health services: health visitor"},
    {"3C", "health", "Health services: school nurse"},
    {"3D", "health", "Health services: other primary health services"},
    {"3E", "health", "Health services: A&E"},
    {"3F", "health", "Health services: other"},
    {"4", "other", "Housing"},
    {"5A", "local_authority", "LA services: social care"},
    {"5B", "local_authority", "LA services: other internal"},
    {"5C", "local_authority", "LA services: external"},
    {"5D", "local_authority", "LA services: early help"},
    {"6", "police", "Police"},
    {"7", "other", "Other legal agency"},
    {"8", "other", "Other"},
    {"9", "anonymous", "Anonymous"},
    {"10", "other", "Unknown"},
};

const char *cw_ssd_source_code(const char *source)
{
    const char *c = MAP(SOURCES, source, 0);
    return c ? c : "10";
}

const char *cw_ssd_source_from_code(const char *code)
{
    const char *s = MAP(SOURCES, code, 1);
    if (s)
        return s;
    for (size_t i = 0; code && i < sizeof CODES / sizeof CODES[0]; i++)
        if (!strcasecmp(CODES[i].code, code))
            return CODES[i].source;
    return NULL;
}

static const char *canonical_code(const char *code)
{
    for (size_t i = 0; code && i < sizeof CODES / sizeof CODES[0]; i++)
        if (!strcasecmp(CODES[i].code, code))
            return CODES[i].code;
    return NULL;
}

const char *cw_ssd_source_desc(const char *code)
{
    for (size_t i = 0; code && i < sizeof CODES / sizeof CODES[0]; i++)
        if (!strcmp(CODES[i].code, code))
            return CODES[i].desc;
    return "";
}

static const pair ROLES[] = {
    {"social_worker", "Social Worker"},
    {"senior_practitioner", "Senior Practitioner"},
    {"team_manager", "Team Manager"},
    {"service_manager", "Service Manager"},
    {"head_of_service", "Head of Service"},
    {"director", "Director of Children's Services"},
    {"qa_auditor", "Quality Assurance Auditor"},
    {"inspector", "Inspector"},
    {"administrator", "Administrator"},
    {"data_protection_officer", "Data Protection Officer"},
};

const char *cw_ssd_role_title(const char *role)
{
    const char *t = MAP(ROLES, role, 0);
    return t ? t : "";
}

const char *cw_ssd_role_from_title(const char *title)
{
    const char *r = MAP(ROLES, title, 1);
    return r ? r : MAP(ROLES, title, 0) ? title : NULL;
}

static const pair CATEGORIES[] = {
    {"neglect", "Neglect"},
    {"physical", "Physical abuse"},
    {"sexual", "Sexual abuse"},
    {"emotional", "Emotional abuse"},
};

const char *cw_ssd_category_words(const char *category)
{
    const char *w = MAP(CATEGORIES, category, 0);
    return w ? w : "";
}

const char *cw_ssd_category_from_words(const char *words)
{
    return MAP(CATEGORIES, words, 1);
}

static const pair HEALTH[] = {
    {"health_assessment", "Health Assessment"},
    {"dental_check", "Dental Check"},
    {"gp_registration", "GP Registration"},
    /* the SSDA903's (OC2): the SSD names no list, so caseward's words */
    {"immunisations", "Immunisations"},
    {"development_check", "Development Check"},
    {"sdq", "SDQ"},
};

const char *cw_ssd_health_words(const char *kind)
{
    const char *w = MAP(HEALTH, kind, 0);
    return w ? w : "";
}

const char *cw_ssd_health_from_words(const char *words)
{
    return MAP(HEALTH, words, 1);
}

static const pair ELIGIBILITY[] = {
    {"eligible", "Eligible"},
    {"relevant", "Relevant"},
    {"former_relevant", "Former Relevant"},
    {"former_relevant_education", "Former Relevant (education or training)"},
    {"qualifying", "Qualifying"},
};

const char *cw_ssd_eligibility_words(const char *status)
{
    const char *w = MAP(ELIGIBILITY, status, 0);
    return w ? w : "";
}

const char *cw_ssd_eligibility_from_words(const char *words)
{
    return MAP(ELIGIBILITY, words, 1);
}

/* ---- reading cells ---- */

static cw_rc bad(const ssd_row *r, const char *col, const char *what, cw_error *err)
{
    return cw_error_set(err, CW_EINVAL, "%s.csv line %zu, %s: %s", cw_ssd_tables[r->table].name,
                        r->line, col, what);
}

/* A datetime cell: YYYY-MM-DD, optionally followed by a time (" 00:00:00", "T00:00:00Z"). */
static cw_rc date_cell(const ssd_row *r, const char *col, char out[CW_DATE_LEN + 1], int *have,
                       cw_error *err)
{
    const char *v = cw_ssd_cell(r, col);
    cw_date d;
    *have = 0;
    out[0] = '\0';
    if (!v[0])
        return CW_OK;
    size_t n = strlen(v);
    if (n < CW_DATE_LEN || (n > CW_DATE_LEN && v[CW_DATE_LEN] != ' ' && v[CW_DATE_LEN] != 'T') ||
        cw_date_parse(v, CW_DATE_LEN, &d)) {
        char what[200];
        snprintf(what, sizeof what, "%.60s is not a date", v);
        return bad(r, col, what, err);
    }
    cw_date_format(d, out);
    *have = 1;
    return CW_OK;
}

static int yes(const char *v)
{
    return !strcasecmp(v, "Y") || !strcasecmp(v, "yes") || !strcmp(v, "1") ||
           !strcasecmp(v, "true");
}

static int no(const char *v)
{
    return !strcasecmp(v, "N") || !strcasecmp(v, "no") || !strcmp(v, "0") ||
           !strcasecmp(v, "false");
}

/* A Y/N cell: 1 yes, 0 no, -1 blank. */
static cw_rc yn_cell(const ssd_row *r, const char *col, int *out, cw_error *err)
{
    const char *v = cw_ssd_cell(r, col);
    *out = -1;
    if (!v[0])
        return CW_OK;
    if (yes(v))
        *out = 1;
    else if (no(v))
        *out = 0;
    else {
        char what[200];
        snprintf(what, sizeof what, "%.60s is not Y or N", v);
        return bad(r, col, what, err);
    }
    return CW_OK;
}

/* The flags of an outcome JSON cell (an object of KEY: "Y"/"N"); NULL when blank. */
static cw_rc flags_cell(const ssd_row *r, const char *col, json_t **out, cw_error *err)
{
    const char *v = cw_ssd_cell(r, col);
    *out = NULL;
    if (!v[0])
        return CW_OK;
    json_error_t jerr;
    json_t *j = json_loads(v, 0, &jerr);
    if (!json_is_object(j)) {
        json_decref(j);
        return bad(r, col, "not a JSON object of flags", err);
    }
    *out = j;
    return CW_OK;
}

static int flag(const json_t *flags, const char *key)
{
    const json_t *v = json_object_get(flags, key);
    return (json_is_string(v) && yes(json_string_value(v))) || json_is_true(v) ||
           (json_is_integer(v) && json_integer_value(v) == 1);
}

/* Whether any outcome flag is set (the totals and comments are not flags). */
static int other_flag(json_t *flags)
{
    const char *key;
    json_t *v;
    json_object_foreach(flags, key, v)
    {
        if (!strcmp(key, "TOTAL_NO_OF_OUTCOMES") || !strcmp(key, "COMMENTS") ||
            !strcmp(key, "OUTCOME_COMMENTS"))
            continue;
        if (flag(flags, key))
            return 1;
    }
    return 0;
}

/* ---- building commands ---- */

static cw_rc put(ssd_cmd *c, const char *field, json_t *v, const char *col)
{
    if (!v || json_object_set_new(c->payload, field, v))
        return CW_ENOMEM;
    if (col && json_object_set_new(c->cols, field, json_string(col)))
        return CW_ENOMEM;
    return CW_OK;
}

static cw_rc put_s(ssd_cmd *c, const char *field, const char *s, const char *col)
{
    return put(c, field, json_string(s), col);
}

static cw_rc put_date(ssd_cmd *c, const char *field, const char *d, const char *col)
{
    cw_date_parse(d, strlen(d), &c->date);
    return put_s(c, field, d, col);
}

static ssd_cmd *add(ssd_cmds *out, const char *type, const ssd_row *r, const char *row_id)
{
    return cw_ssd_cmd_add(out, type, r->table, r->line, row_id);
}

#define TRY(x)                                                                                     \
    do {                                                                                           \
        if ((rc = (x)))                                                                            \
            goto done;                                                                             \
    } while (0)
#define NEW(c, type)                                                                               \
    do {                                                                                           \
        if (!((c) = add(out, (type), r, rid))) {                                                   \
            rc = cw_error_set(err, CW_ENOMEM, "out of memory");                                    \
            goto done;                                                                             \
        }                                                                                          \
    } while (0)

/* The child a row names through another row (a visit's plan, a review's episode). */
static cw_rc child_through(const ssd_set *s, const ssd_row *r, const char *col, int table,
                           const char *idcol, const char *personcol, const char **child,
                           cw_error *err)
{
    const ssd_row *p = cw_ssd_find(s, table, idcol, cw_ssd_cell(r, col));
    if (!p) {
        char what[300];
        snprintf(what, sizeof what, "%.64s is not in %s", cw_ssd_cell(r, col),
                 cw_ssd_tables[table].name);
        return bad(r, col, what, err);
    }
    *child = cw_ssd_cell(p, personcol);
    return CW_OK;
}

static cw_rc visit(const ssd_set *s, const ssd_row *r, const char *rid, const char *child,
                   const char *datecol, const char *seencol, const char *alonecol,
                   const char *bedcol, ssd_cmds *out, cw_error *err)
{
    char d[CW_DATE_LEN + 1];
    int have, seen, alone, bed = -1;
    ssd_cmd *c;
    cw_rc rc;
    (void)s;
    TRY(date_cell(r, datecol, d, &have, err));
    if (!have) {
        rc = bad(r, datecol, "no date", err);
        goto done;
    }
    TRY(yn_cell(r, seencol, &seen, err));
    TRY(yn_cell(r, alonecol, &alone, err));
    if (bedcol)
        TRY(yn_cell(r, bedcol, &bed, err));
    NEW(c, "statutory_visit");
    TRY(put_s(c, "child_id", child, NULL));
    TRY(put_date(c, "date", d, datecol));
    TRY(put(c, "seen", json_boolean(seen == 1), seencol));
    TRY(put(c, "seen_alone", json_boolean(alone == 1), alonecol));
    if (bed >= 0)
        TRY(put(c, "bedroom_seen", json_boolean(bed == 1), bedcol));
    TRY(put_s(c, "views_not_obtained_reason", SSD_MARKER, NULL));
done:
    if (rc == CW_ENOMEM)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    return rc;
}

static const char *ethnicity(const char *v)
{
    static const char *const codes[] = {"WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA",
                                        "MWAS", "MOTH", "AIND", "APKN", "ABAN", "AOTH", "BCRB",
                                        "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT"};
    if (!strcasecmp(v, "CNHE")) /* the SSD's guidance misspells CHNE */
        return "CHNE";
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (!strcasecmp(codes[i], v))
            return codes[i];
    return NULL;
}

static cw_rc person(const ssd_set *s, const ssd_row *r, ssd_cmds *out, cw_error *err)
{
    const char *id = cw_ssd_cell(r, "pers_person_id"), *rid = id;
    char dob[CW_DATE_LEN + 1], edob[CW_DATE_LEN + 1], death[CW_DATE_LEN + 1];
    int have_dob, have_edob, have_death;
    ssd_cmd *c;
    cw_rc rc;
    if (!id[0])
        return bad(r, "pers_person_id", "no person id", err);
    TRY(date_cell(r, "pers_dob", dob, &have_dob, err));
    TRY(date_cell(r, "pers_expected_dob", edob, &have_edob, err));
    TRY(date_cell(r, "pers_death_date", death, &have_death, err));
    if (!have_dob && !have_edob) {
        rc = bad(r, "pers_dob", "neither a date of birth nor an expected date of birth", err);
        goto done;
    }
    const char *g = cw_ssd_cell(r, "pers_gender"), *sx = cw_ssd_cell(r, "pers_sex");
    const char *gender = NULL, *gcol = "pers_gender";
    if (!strcmp(g, "01") || !strcmp(g, "1"))
        gender = "male";
    else if (!strcmp(g, "02") || !strcmp(g, "2"))
        gender = "female";
    else if (!strcmp(g, "09") || !strcmp(g, "9"))
        gender = "other";
    else if (!strcmp(g, "00") || !strcmp(g, "0"))
        gender = "not_known";
    else if (g[0]) {
        rc = bad(r, "pers_gender", "not one of 00, 01, 02, 09", err);
        goto done;
    } else {
        gcol = "pers_sex";
        gender = !strcasecmp(sx, "F") ? "female" : !strcasecmp(sx, "M") ? "male" : "not_known";
        if (sx[0] && strcasecmp(sx, "F") && strcasecmp(sx, "M") && strcasecmp(sx, "U")) {
            rc = bad(r, "pers_sex", "not one of F, M, U", err);
            goto done;
        }
    }
    NEW(c, "child_registered");
    TRY(put_s(c, "child_id", id, "pers_person_id"));
    TRY(put_s(c, "date_of_birth", have_dob ? dob : edob,
              have_dob ? "pers_dob" : "pers_expected_dob"));
    TRY(put_s(c, "gender", gender, gcol));
    TRY(put_s(c, "given_name", SSD_MARKER, NULL));
    TRY(put_s(c, "family_name", SSD_MARKER, NULL));
    c->rank = 0;

    /* the details the returns need: from the person, its disabilities and identifiers */
    const char *eth = cw_ssd_cell(r, "pers_ethnicity"), *unk = cw_ssd_cell(r, "pers_upn_unknown");
    json_t *dis = json_array();
    const char *upn = NULL, *former = NULL;
    if (!dis) {
        rc = CW_ENOMEM;
        goto done;
    }
    for (size_t k = 0; k < s->n[SSD_DISABILITY]; k++) {
        const ssd_row *d = &s->rows[SSD_DISABILITY][k];
        if (!strcmp(cw_ssd_cell(d, "disa_person_id"), id) &&
            cw_ssd_cell(d, "disa_disability_code")[0])
            json_array_append_new(dis, json_string(cw_ssd_cell(d, "disa_disability_code")));
    }
    for (size_t k = 0; k < s->n[SSD_LINKED]; k++) {
        const ssd_row *l = &s->rows[SSD_LINKED][k];
        const char *t = cw_ssd_cell(l, "link_identifier_type");
        if (strcmp(cw_ssd_cell(l, "link_person_id"), id) != 0 ||
            cw_ssd_cell(l, "link_valid_to_date")[0])
            continue;
        if (!strcasecmp(t, "Unique Pupil Number") || !strcasecmp(t, "UPN"))
            upn = cw_ssd_cell(l, "link_identifier_value");
        else if (!strcasecmp(t, "Former Unique Pupil Number") || !strcasecmp(t, "Former UPN"))
            former = cw_ssd_cell(l, "link_identifier_value");
    }
    if (eth[0] || unk[0] || have_death || json_array_size(dis) || upn || former) {
        NEW(c, "child_details_recorded");
        c->rank = 1;
        TRY(put_s(c, "child_id", id, "pers_person_id"));
        if (eth[0]) {
            const char *e = ethnicity(eth);
            if (!e) {
                json_decref(dis);
                return bad(r, "pers_ethnicity", "not one of the DfE's ethnicity codes", err);
            }
            TRY(put_s(c, "ethnicity_code", e, "pers_ethnicity"));
        }
        if (unk[0] && !upn)
            TRY(put_s(c, "upn_unknown", unk, "pers_upn_unknown"));
        if (have_death)
            TRY(put_s(c, "date_of_death", death, "pers_death_date"));
        if (json_array_size(dis))
            TRY(put(c, "disabilities", json_incref(dis), "disa_disability_code"));
        if (upn)
            TRY(put_s(c, "upn", upn, "link_identifier_value"));
        if (former)
            TRY(put_s(c, "former_upn", former, "link_identifier_value"));
    }
    json_decref(dis);
done:
    if (rc == CW_ENOMEM)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    return rc;
}

static cw_rc need_date(const ssd_row *r, const char *col, char d[CW_DATE_LEN + 1], cw_error *err)
{
    int have;
    cw_rc rc = date_cell(r, col, d, &have, err);
    if (!rc && !have)
        rc = bad(r, col, "no date", err);
    return rc;
}

static cw_rc need_person(const ssd_set *s, const ssd_row *r, const char *col, cw_error *err)
{
    const char *id = cw_ssd_cell(r, col);
    if (!id[0])
        return bad(r, col, "no person id", err);
    (void)s; /* whether the child is known is the import's to check: it may be in the log */
    return CW_OK;
}

static cw_rc source_cells(const ssd_row *r, const char *col, const char **source, const char **code,
                          cw_error *err)
{
    const char *v = cw_ssd_cell(r, col);
    *code = NULL;
    *source = "other";
    if (!v[0])
        return CW_OK;
    if (!(*source = cw_ssd_source_from_code(v)))
        return bad(r, col, "not a CIN source of referral code (1A to 10)", err);
    *code = canonical_code(v);
    return CW_OK;
}

static cw_rc contact(const ssd_set *s, const ssd_row *r, ssd_cmds *out, cw_error *err)
{
    char rid[130], d[CW_DATE_LEN + 1];
    const char *source, *code;
    json_t *fl = NULL;
    ssd_cmd *c;
    cw_rc rc;
    cw_ssd_own_id(s, SSD_CONTACTS, cw_ssd_cell(r, "cont_contact_id"), rid);
    if (!rid[0])
        return bad(r, "cont_contact_id", "no contact id", err);
    TRY(need_person(s, r, "cont_person_id", err));
    TRY(need_date(r, "cont_contact_date", d, err));
    TRY(source_cells(r, "cont_contact_source_code", &source, &code, err));
    TRY(flags_cell(r, "cont_contact_outcome_json", &fl, err));
    NEW(c, "contact_received");
    c->rank = 2;
    TRY(put_s(c, "contact_id", rid, "cont_contact_id"));
    TRY(put_s(c, "child_id", cw_ssd_cell(r, "cont_person_id"), "cont_person_id"));
    TRY(put_date(c, "date", d, "cont_contact_date"));
    TRY(put_s(c, "source", source, "cont_contact_source_code"));
    TRY(put_s(c, "reason", SSD_MARKER, NULL));
    if (fl && (other_flag(fl))) {
        const char *o = flag(fl, "NEW_REFERRAL_FLAG") || flag(fl, "EXISTING_REFERRAL_FLAG") ||
                                flag(fl, "CP_ENQUIRY_FLAG")
                            ? "referral"
                        : flag(fl, "ADVICE_FLAG") ? "information_and_advice"
                        : flag(fl, "NFA_FLAG")    ? "no_further_action"
                                                  : NULL;
        NEW(c, "contact_decided");
        c->rank = 3;
        TRY(put_s(c, "contact_id", rid, "cont_contact_id"));
        TRY(put_date(c, "date", d, "cont_contact_date"));
        json_object_set_new(c->cols, "outcome", json_string("cont_contact_outcome_json"));
        if (o)
            TRY(put_s(c, "outcome", o, "cont_contact_outcome_json"));
    }
done:
    json_decref(fl);
    if (rc == CW_ENOMEM)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    return rc;
}

static cw_rc episode(const ssd_set *s, const ssd_row *r, ssd_cmds *out, cw_error *err)
{
    char rid[130], d[CW_DATE_LEN + 1], closed[CW_DATE_LEN + 1];
    const char *source, *code, *child = cw_ssd_cell(r, "cine_person_id");
    json_t *fl = NULL;
    int nfa, have_closed;
    ssd_cmd *c;
    cw_rc rc;
    cw_ssd_own_id(s, SSD_CINE, cw_ssd_cell(r, "cine_referral_id"), rid);
    if (!rid[0])
        return bad(r, "cine_referral_id", "no referral id", err);
    TRY(need_person(s, r, "cine_person_id", err));
    TRY(need_date(r, "cine_referral_date", d, err));
    TRY(source_cells(r, "cine_referral_source_code", &source, &code, err));
    TRY(flags_cell(r, "cine_referral_outcome_json", &fl, err));
    TRY(yn_cell(r, "cine_referral_nfa", &nfa, err));
    TRY(date_cell(r, "cine_close_date", closed, &have_closed, err));
    const char *why = cw_ssd_cell(r, "cine_close_reason");
    if (why[0] && (strlen(why) != 3 || strncasecmp(why, "RC", 2) || why[2] < '1' || why[2] > '9')) {
        rc = bad(r, "cine_close_reason", "not one of RC1 to RC9", err);
        goto done;
    }
    NEW(c, "referral_received");
    c->rank = 4;
    TRY(put_s(c, "referral_id", rid, "cine_referral_id"));
    TRY(put_s(c, "child_id", child, "cine_person_id"));
    TRY(put_date(c, "date", d, "cine_referral_date"));
    TRY(put_s(c, "source", source, "cine_referral_source_code"));
    if (code)
        TRY(put_s(c, "source_code", code, "cine_referral_source_code"));
    TRY(put_s(c, "reason", SSD_MARKER, NULL));
    if ((fl && other_flag(fl)) || nfa == 1) {
        const char *dec = flag(fl, "STRATEGY_DISCUSSION_FLAG") ? "strategy_discussion"
                          : flag(fl, "SINGLE_ASSESSMENT_FLAG") ? "assessment"
                          : flag(fl, "NFA_FLAG") || nfa == 1   ? "no_further_action"
                                                               : NULL;
        NEW(c, "referral_decided");
        c->rank = 10;
        TRY(put_s(c, "referral_id", rid, "cine_referral_id"));
        TRY(put_date(c, "date", d, "cine_referral_date"));
        json_object_set_new(c->cols, "decision", json_string("cine_referral_outcome_json"));
        if (dec)
            TRY(put_s(c, "decision", dec, "cine_referral_outcome_json"));
    }
    if (have_closed) {
        char rc3[4];
        NEW(c, "case_closed");
        c->rank = 30;
        TRY(put_s(c, "child_id", child, "cine_person_id"));
        TRY(put_date(c, "date", closed, "cine_close_date"));
        TRY(put_s(c, "reason", SSD_MARKER, NULL));
        if (why[0]) {
            snprintf(rc3, sizeof rc3, "RC%c", why[2]);
            TRY(put_s(c, "closure_reason", rc3, "cine_close_reason"));
        }
    }
done:
    json_decref(fl);
    if (rc == CW_ENOMEM)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    return rc;
}

static cw_rc assessment(const ssd_set *s, const ssd_row *r, ssd_cmds *out, cw_error *err)
{
    char rid[130], ref[130], d[CW_DATE_LEN + 1], done_on[CW_DATE_LEN + 1];
    const char *child = cw_ssd_cell(r, "cina_person_id");
    json_t *fl = NULL, *factors = NULL;
    int seen, nfa, have_done;
    ssd_cmd *c;
    cw_rc rc;
    cw_ssd_own_id(s, SSD_CINA, cw_ssd_cell(r, "cina_assessment_id"), rid);
    if (!rid[0])
        return bad(r, "cina_assessment_id", "no assessment id", err);
    TRY(need_person(s, r, "cina_person_id", err));
    TRY(need_date(r, "cina_assessment_start_date", d, err));
    TRY(date_cell(r, "cina_assessment_auth_date", done_on, &have_done, err));
    TRY(yn_cell(r, "cina_assessment_child_seen", &seen, err));
    TRY(yn_cell(r, "cina_assessment_outcome_nfa", &nfa, err));
    TRY(flags_cell(r, "cina_assessment_outcome_json", &fl, err));
    const ssd_row *f =
        cw_ssd_find(s, SSD_CINF, "cinf_assessment_id", cw_ssd_cell(r, "cina_assessment_id"));
    if (f && cw_ssd_cell(f, "cinf_assessment_factors_json")[0]) {
        json_error_t jerr;
        factors = json_loads(cw_ssd_cell(f, "cinf_assessment_factors_json"), 0, &jerr);
        if (!json_is_array(factors)) {
            rc = bad(f, "cinf_assessment_factors_json", "not a JSON list of factor codes", err);
            goto done;
        }
    }
    NEW(c, "assessment_started");
    c->rank = 7;
    TRY(put_s(c, "assessment_id", rid, "cina_assessment_id"));
    TRY(put_s(c, "child_id", child, "cina_person_id"));
    TRY(put_date(c, "date", d, "cina_assessment_start_date"));
    cw_ssd_own_id(s, SSD_CINE, cw_ssd_cell(r, "cina_referral_id"), ref);
    if (ref[0])
        TRY(put_s(c, "referral_id", ref, "cina_referral_id"));
    if (have_done) {
        const char *o =
            flag(fl, "CLA_REQUEST_FLAG") || flag(fl, "LEGAL_ACTION_FLAG") ? "looked_after"
            : flag(fl, "STRATEGY_DISCUSSION_FLAG")                        ? "child_protection"
            : flag(fl, "PROV_OF_SERVICES_FLAG") || flag(fl, "PROV_OF_SB_CARE_FLAG")
                ? "care_and_support_plan"
            : flag(fl, "SPECIALIST_ASSESSMENT_FLAG") || flag(fl, "REFERRAL_TO_OTHER_AGENCY_FLAG") ||
                    flag(fl, "OTHER_ACTIONS_FLAG")
                ? "other_services"
            : flag(fl, "NFA_FLAG") || flag(fl, "NFA_S47_END_FLAG") || nfa == 1 ? "no_further_action"
                                                                               : NULL;
        NEW(c, "assessment_completed");
        c->rank = 11;
        TRY(put_s(c, "assessment_id", rid, "cina_assessment_id"));
        TRY(put_date(c, "date", done_on, "cina_assessment_auth_date"));
        TRY(put(c, "child_seen", json_boolean(seen == 1), "cina_assessment_child_seen"));
        if (seen == 1) /* the SSD says not when: the latest it can have been */
            TRY(put_s(c, "child_seen_date", done_on, "cina_assessment_auth_date"));
        TRY(put_s(c, "views_not_obtained_reason", SSD_MARKER, NULL));
        TRY(put_s(c, "analysis", SSD_MARKER, NULL));
        json_object_set_new(c->cols, "outcome", json_string("cina_assessment_outcome_json"));
        if (o)
            TRY(put_s(c, "outcome", o, "cina_assessment_outcome_json"));
        if (factors && json_array_size(factors))
            TRY(put(c, "factors", json_incref(factors), "cinf_assessment_factors_json"));
    }
done:
    json_decref(fl);
    json_decref(factors);
    if (rc == CW_ENOMEM)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    return rc;
}

static cw_rc plan(const ssd_set *s, const ssd_row *r, int table, const char *idcol,
                  const char *personcol, const char *startcol, const char *kind, ssd_cmds *out,
                  cw_error *err)
{
    char rid[130], d[CW_DATE_LEN + 1];
    ssd_cmd *c;
    cw_rc rc;
    cw_ssd_own_id(s, table, cw_ssd_cell(r, idcol), rid);
    if (!rid[0])
        return bad(r, idcol, "no plan id", err);
    TRY(need_person(s, r, personcol, err));
    TRY(need_date(r, startcol, d, err));
    NEW(c, "plan_recorded");
    c->rank = 15;
    TRY(put_s(c, "plan_id", rid, idcol));
    TRY(put_s(c, "child_id", cw_ssd_cell(r, personcol), personcol));
    TRY(put_date(c, "date", d, startcol));
    TRY(put_s(c, "kind", kind, NULL));
done:
    if (rc == CW_ENOMEM)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    return rc;
}

static cw_rc s47(const ssd_set *s, const ssd_row *r, ssd_cmds *out, cw_error *err)
{
    char rid[130], sid[140], d[CW_DATE_LEN + 1], end[CW_DATE_LEN + 1];
    const char *child = cw_ssd_cell(r, "s47e_person_id");
    json_t *fl = NULL;
    int have_end, nfa;
    ssd_cmd *c;
    cw_rc rc;
    cw_ssd_own_id(s, SSD_S47E, cw_ssd_cell(r, "s47e_s47_enquiry_id"), rid);
    if (!rid[0])
        return bad(r, "s47e_s47_enquiry_id", "no enquiry id", err);
    TRY(need_person(s, r, "s47e_person_id", err));
    TRY(need_date(r, "s47e_s47_start_date", d, err));
    TRY(date_cell(r, "s47e_s47_end_date", end, &have_end, err));
    TRY(yn_cell(r, "s47e_s47_nfa", &nfa, err));
    TRY(flags_cell(r, "s47e_s47_outcome_json", &fl, err));
    snprintf(sid, sizeof sid, "%.120s:SD", rid);
    NEW(c, "strategy_discussion_held");
    c->rank = 8;
    TRY(put_s(c, "strategy_id", sid, "s47e_s47_enquiry_id"));
    TRY(put_s(c, "child_id", child, "s47e_person_id"));
    TRY(put_date(c, "date", d, "s47e_s47_start_date"));
    TRY(put_s(c, "decision", "section_47", NULL));
    NEW(c, "section_47_started");
    c->rank = 9;
    TRY(put_s(c, "enquiry_id", rid, "s47e_s47_enquiry_id"));
    TRY(put_s(c, "child_id", child, "s47e_person_id"));
    TRY(put_date(c, "date", d, "s47e_s47_start_date"));
    TRY(put_s(c, "strategy_id", sid, "s47e_s47_enquiry_id"));
    if (have_end) {
        const char *o = flag(fl, "CP_CONFERENCE_FLAG")     ? "initial_conference"
                        : flag(fl, "NFA_FLAG") || nfa == 1 ? "no_further_action"
                        : fl && other_flag(fl)             ? "child_in_need"
                                                           : NULL;
        NEW(c, "section_47_completed");
        c->rank = 12;
        TRY(put_s(c, "enquiry_id", rid, "s47e_s47_enquiry_id"));
        TRY(put_date(c, "date", end, "s47e_s47_end_date"));
        json_object_set_new(c->cols, "outcome", json_string("s47e_s47_outcome_json"));
        if (o)
            TRY(put_s(c, "outcome", o, "s47e_s47_outcome_json"));
    }
done:
    json_decref(fl);
    if (rc == CW_ENOMEM)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    return rc;
}

static cw_rc icpc(const ssd_set *s, const ssd_row *r, ssd_cmds *out, cw_error *err)
{
    char rid[130], d[CW_DATE_LEN + 1];
    int reg;
    ssd_cmd *c;
    cw_rc rc;
    cw_ssd_own_id(s, SSD_ICPC, cw_ssd_cell(r, "icpc_icpc_id"), rid);
    if (!rid[0])
        return bad(r, "icpc_icpc_id", "no conference id", err);
    TRY(need_person(s, r, "icpc_person_id", err));
    TRY(need_date(r, "icpc_icpc_date", d, err));
    TRY(yn_cell(r, "icpc_icpc_outcome_cp_flag", &reg, err));
    NEW(c, "conference_held");
    c->rank = 13;
    TRY(put_s(c, "conference_id", rid, "icpc_icpc_id"));
    TRY(put_s(c, "child_id", cw_ssd_cell(r, "icpc_person_id"), "icpc_person_id"));
    TRY(put_date(c, "date", d, "icpc_icpc_date"));
    TRY(put_s(c, "kind", "initial", NULL));
    TRY(put_s(c, "decision", reg == 1 ? "register" : "not_registered",
              "icpc_icpc_outcome_cp_flag"));
    if (reg == 1) {
        const ssd_row *p = cw_ssd_find(s, SSD_CPPL, "cppl_icpc_id", cw_ssd_cell(r, "icpc_icpc_id"));
        const char *cat =
            p ? cw_ssd_category_from_words(cw_ssd_cell(p, "cppl_cp_plan_initial_category")) : NULL;
        json_object_set_new(c->cols, "category", json_string("cppl_cp_plan_initial_category"));
        if (p && cw_ssd_cell(p, "cppl_cp_plan_initial_category")[0] && !cat) {
            rc = bad(p, "cppl_cp_plan_initial_category",
                     "not one of Neglect, Physical abuse, Sexual abuse, Emotional abuse", err);
            goto done;
        }
        if (cat)
            TRY(put_s(c, "category", cat, "cppl_cp_plan_initial_category"));
    }
done:
    if (rc == CW_ENOMEM)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    return rc;
}

static cw_rc cp_review(const ssd_set *s, const ssd_row *r, ssd_cmds *out, cw_error *err)
{
    char rid[130], d[CW_DATE_LEN + 1];
    const char *child;
    int cont;
    ssd_cmd *c;
    cw_rc rc;
    cw_ssd_own_id(s, SSD_CPPR, cw_ssd_cell(r, "cppr_cp_review_id"), rid);
    if (!rid[0])
        return bad(r, "cppr_cp_review_id", "no review id", err);
    TRY(child_through(s, r, "cppr_cp_plan_id", SSD_CPPL, "cppl_cp_plan_id", "cppl_person_id",
                      &child, err));
    TRY(need_date(r, "cppr_cp_review_date", d, err));
    TRY(yn_cell(r, "cppr_cp_review_outcome", &cont, err));
    if (cont < 0) {
        rc =
            bad(r, "cppr_cp_review_outcome", "neither Y (the plan continues) nor N (it ends)", err);
        goto done;
    }
    NEW(c, "conference_held");
    c->rank = 14;
    TRY(put_s(c, "conference_id", rid, "cppr_cp_review_id"));
    TRY(put_s(c, "child_id", child, "cppr_cp_plan_id"));
    TRY(put_date(c, "date", d, "cppr_cp_review_date"));
    TRY(put_s(c, "kind", "review", NULL));
    TRY(put_s(c, "decision", cont ? "continue" : "deregister", "cppr_cp_review_outcome"));
done:
    if (rc == CW_ENOMEM)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    return rc;
}

/* The SSDA903 placement codes, as caseward's placement types. */
static const char *placement_type(const char *code)
{
    static const pair m[] = {
        {"U1", "kinship"},     {"U2", "kinship"},     {"U3", "kinship"},     {"U4", "foster"},
        {"U5", "foster"},      {"U6", "foster"},      {"A3", "adoption"},    {"A4", "adoption"},
        {"A5", "adoption"},    {"A6", "adoption"},    {"K1", "residential"}, {"K2", "residential"},
        {"R1", "residential"}, {"H5", "residential"}, {"S1", "residential"}, {"P1", "with_parents"},
        {"P2", "other"},       {"P3", "other"},       {"R2", "other"},       {"R3", "other"},
        {"R5", "other"},       {"T0", "other"},       {"T1", "other"},       {"T2", "other"},
        {"T3", "other"},       {"T4", "other"},       {"Z1", "other"},
    };
    return MAP(m, code, 0);
}

static const char *ceased_reason(const char *code)
{
    if (!strncasecmp(code, "E11", 3) || !strncasecmp(code, "E12", 3))
        return "adoption";
    if (!strncasecmp(code, "E4", 2) && strlen(code) == 3)
        return "returned_home";
    if (!strcasecmp(code, "E45") || !strcasecmp(code, "E46") || !strcasecmp(code, "E47") ||
        !strcasecmp(code, "E48"))
        return "special_guardianship";
    static const char *const others[] = {"E2", "E3",  "E13", "E41", "E5",  "E6", "E7",
                                         "E9", "E14", "E15", "E16", "E17", "E8"};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        if (!strcasecmp(others[i], code))
            return "other";
    return NULL;
}

static cw_rc cla_episode(const ssd_set *s, const ssd_row *r, ssd_cmds *out, cw_error *err)
{
    const char *rid = cw_ssd_cell(r, "clae_cla_episode_id"),
               *child = cw_ssd_cell(r, "clae_person_id");
    const char *rne = cw_ssd_cell(r, "clae_cla_episode_start_reason");
    const char *rec = cw_ssd_cell(r, "clae_cla_episode_ceased_reason");
    const char *pl = cw_ssd_cell(r, "clae_cla_placement_id");
    char d[CW_DATE_LEN + 1], end[CW_DATE_LEN + 1];
    int have_end;
    ssd_cmd *c;
    cw_rc rc;
    if (!rid[0])
        return bad(r, "clae_cla_episode_id", "no episode id", err);
    TRY(need_person(s, r, "clae_person_id", err));
    TRY(need_date(r, "clae_cla_episode_start_date", d, err));
    TRY(date_cell(r, "clae_cla_episode_ceased", end, &have_end, err));
    if (strlen(rne) != 1 || !strchr("SLPTBUslptbu", rne[0])) {
        rc = bad(r, "clae_cla_episode_start_reason", "not one of S, L, P, T, B, U", err);
        goto done;
    }
    if (rec[0] && strcasecmp(rec, "X1") && !ceased_reason(rec)) {
        rc = bad(r, "clae_cla_episode_ceased_reason", "not X1 or one of the SSDA903 E codes", err);
        goto done;
    }
    if (strchr("Ll", rne[0]) == NULL) {
        const ssd_row *p = cw_ssd_find(s, SSD_CLAP, "clap_cla_placement_id", pl);
        const char *code = p ? cw_ssd_cell(p, "clap_cla_placement_type") : "";
        const char *type = placement_type(code);
        if (!pl[0]) {
            rc = bad(r, "clae_cla_placement_id", "no placement", err);
            goto done;
        }
        if (code[0] && !type) {
            rc = bad(p, "clap_cla_placement_type", "not an SSDA903 placement code", err);
            goto done;
        }
        NEW(c, strchr("Ss", rne[0]) ? "looked_after_started" : "placement_changed");
        c->rank = strchr("Ss", rne[0]) ? 16 : 17;
        TRY(put_s(c, "child_id", child, "clae_person_id"));
        TRY(put_date(c, "date", d, "clae_cla_episode_start_date"));
        TRY(put_s(c, "placement_id", pl, "clae_cla_placement_id"));
        json_object_set_new(c->cols, "placement_type", json_string("clap_cla_placement_type"));
        if (type)
            TRY(put_s(c, "placement_type", type, "clap_cla_placement_type"));
    }
    if (have_end && strcasecmp(rec, "X1")) {
        NEW(c, "looked_after_ended");
        c->rank = 22;
        TRY(put_s(c, "child_id", child, "clae_person_id"));
        TRY(put_date(c, "date", end, "clae_cla_episode_ceased"));
        json_object_set_new(c->cols, "reason", json_string("clae_cla_episode_ceased_reason"));
        if (rec[0])
            TRY(put_s(c, "reason", ceased_reason(rec), "clae_cla_episode_ceased_reason"));
    }
done:
    if (rc == CW_ENOMEM)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    return rc;
}

static cw_rc simple(const ssd_set *s, const ssd_row *r, const char *type, int rank,
                    const char *childcol, const char *datecol, ssd_cmds *out, const char *child,
                    ssd_cmd **made, cw_error *err)
{
    const char *rid = cw_ssd_cell(r, cw_ssd_tables[r->table].cols[0]);
    char d[CW_DATE_LEN + 1];
    ssd_cmd *c = NULL;
    cw_rc rc;
    (void)s;
    if (childcol)
        TRY(need_person(s, r, childcol, err));
    TRY(need_date(r, datecol, d, err));
    NEW(c, type);
    c->rank = rank;
    TRY(put_s(c, "child_id", child ? child : cw_ssd_cell(r, childcol), childcol));
    TRY(put_date(c, "date", d, datecol));
done:
    *made = c;
    if (rc == CW_ENOMEM)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    return rc;
}

static cw_rc missing(const ssd_set *s, const ssd_row *r, ssd_cmds *out, cw_error *err)
{
    char rid[130], end[CW_DATE_LEN + 1];
    int have_end, acc;
    ssd_cmd *c;
    cw_rc rc;
    cw_ssd_own_id(s, SSD_MISS, cw_ssd_cell(r, "miss_table_id"), rid);
    if (!rid[0])
        return bad(r, "miss_table_id", "no episode id", err);
    const char *t = cw_ssd_cell(r, "miss_mis_epi_type");
    if (t[0] && strcasecmp(t, "M") && strcasecmp(t, "A"))
        return bad(r, "miss_mis_epi_type", "neither M (missing) nor A (away)", err);
    TRY(date_cell(r, "miss_mis_epi_end", end, &have_end, err));
    TRY(yn_cell(r, "miss_mis_epi_rhi_accepted", &acc, err));
    TRY(simple(s, r, "missing_episode", 21, "miss_la_person_id", "miss_mis_epi_start", out, NULL,
               &c, err));
    TRY(put_s(c, "episode_id", rid, "miss_table_id"));
    if (have_end)
        TRY(put_s(c, "returned", end, "miss_mis_epi_end"));
    if (acc >= 0)
        TRY(put(c, "return_interview", json_boolean(acc), "miss_mis_epi_rhi_accepted"));
done:
    if (rc == CW_ENOMEM)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    return rc;
}

/* Whether r is the person's first allocation (the earliest start; the first row on a tie). */
static int first_involvement(const ssd_set *s, const ssd_row *r)
{
    const char *p = cw_ssd_cell(r, "invo_person_id");
    const char *d = cw_ssd_cell(r, "invo_involvement_start_date");
    for (size_t k = 0; k < s->n[SSD_INVO]; k++) {
        const ssd_row *o = &s->rows[SSD_INVO][k];
        if (o == r || strcmp(cw_ssd_cell(o, "invo_person_id"), p) != 0)
            continue;
        int c = strncmp(cw_ssd_cell(o, "invo_involvement_start_date"), d, CW_DATE_LEN);
        if (c < 0 || (c == 0 && o < r))
            return 0;
    }
    return 1;
}

static cw_rc involvement(const ssd_set *s, const ssd_row *r, ssd_cmds *out, cw_error *err)
{
    char worker[130];
    ssd_cmd *c;
    cw_rc rc;
    const char *w = cw_ssd_cell(r, "invo_professional_id");
    if (!w[0])
        return bad(r, "invo_professional_id", "no worker", err);
    cw_ssd_own_id(s, SSD_PROF, w, worker);
    int first = first_involvement(s, r);
    TRY(simple(s, r, first ? "case_allocated" : "case_transferred", first ? 5 : 6, "invo_person_id",
               "invo_involvement_start_date", out, NULL, &c, err));
    TRY(put_s(c, "worker_id", worker, "invo_professional_id"));
done:
    if (rc == CW_ENOMEM)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    return rc;
}

static cw_rc organisation(const ssd_set *s, const ssd_row *r, ssd_cmds *out, cw_error *err)
{
    char rid[130], team[130];
    ssd_cmd *c;
    cw_rc rc = CW_OK;
    if (r->table == SSD_DEPT) {
        cw_ssd_own_id(s, SSD_DEPT, cw_ssd_cell(r, "dept_team_id"), rid);
        if (!rid[0])
            return bad(r, "dept_team_id", "no team id", err);
        const char *name = cw_ssd_cell(r, "dept_team_name");
        NEW(c, "team_created");
        c->cls = 0;
        c->rank = 0;
        TRY(put_s(c, "team_id", rid, "dept_team_id"));
        TRY(put_s(c, "name", name[0] ? name : cw_ssd_cell(r, "dept_team_id"), "dept_team_name"));
        if (cw_ssd_cell(r, "dept_team_parent_name")[0])
            TRY(put_s(c, "service_area", cw_ssd_cell(r, "dept_team_parent_name"),
                      "dept_team_parent_name"));
    } else {
        cw_ssd_own_id(s, SSD_PROF, cw_ssd_cell(r, "prof_professional_id"), rid);
        if (!rid[0])
            return bad(r, "prof_professional_id", "no professional id", err);
        const char *title = cw_ssd_cell(r, "prof_professional_job_title");
        const char *role = cw_ssd_role_from_title(title);
        const ssd_row *t = cw_ssd_find(s, SSD_DEPT, "dept_team_name",
                                       cw_ssd_cell(r, "prof_professional_department"));
        NEW(c, "staff_added");
        c->cls = 0;
        c->rank = 1;
        TRY(put_s(c, "staff_id", rid, "prof_professional_id"));
        TRY(put_s(c, "name", SSD_MARKER, NULL));
        /* a job title caseward has no role for: a social worker (docs/returns.md) */
        TRY(put_s(c, "role", role ? role : "social_worker", "prof_professional_job_title"));
        if (t) {
            cw_ssd_own_id(s, SSD_DEPT, cw_ssd_cell(t, "dept_team_id"), team);
            TRY(put_s(c, "team_id", team, "prof_professional_department"));
        }
    }
done:
    if (rc == CW_ENOMEM)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    return rc;
}

cw_rc cw_ssd_derive(const ssd_set *s, const ssd_row *r, ssd_cmds *out, cw_error *err)
{
    const char *child = NULL, *rid = cw_ssd_cell(r, cw_ssd_tables[r->table].cols[0]);
    ssd_cmd *c = NULL;
    int v;
    cw_rc rc = CW_OK;
    switch (r->table) {
    case SSD_PERSON:
        return person(s, r, out, err);
    case SSD_CONTACTS:
        return contact(s, r, out, err);
    case SSD_CINE:
        return episode(s, r, out, err);
    case SSD_CINA:
        return assessment(s, r, out, err);
    case SSD_CINP:
        return plan(s, r, SSD_CINP, "cinp_cin_plan_id", "cinp_person_id", "cinp_cin_plan_start",
                    "care_and_support", out, err);
    case SSD_CPPL:
        return plan(s, r, SSD_CPPL, "cppl_cp_plan_id", "cppl_person_id", "cppl_cp_plan_start_date",
                    "child_protection", out, err);
    case SSD_CINV:
        TRY(child_through(s, r, "cinv_cin_plan_id", SSD_CINP, "cinp_cin_plan_id", "cinp_person_id",
                          &child, err));
        return visit(s, r, rid, child, "cinv_cin_visit_date", "cinv_cin_visit_seen",
                     "cinv_cin_visit_seen_alone", "cinv_cin_visit_bedroom", out, err);
    case SSD_CPPV:
        TRY(child_through(s, r, "cppv_cp_plan_id", SSD_CPPL, "cppl_cp_plan_id", "cppl_person_id",
                          &child, err));
        return visit(s, r, rid, child, "cppv_cp_visit_date", "cppv_cp_visit_seen",
                     "cppv_cp_visit_seen_alone", "cppv_cp_visit_bedroom", out, err);
    case SSD_CLAV:
        TRY(child_through(s, r, "clav_cla_episode_id", SSD_CLAE, "clae_cla_episode_id",
                          "clae_person_id", &child, err));
        return visit(s, r, rid, child, "clav_cla_visit_date", "clav_cla_visit_seen",
                     "clav_cla_visit_seen_alone", NULL, out, err);
    case SSD_S47E:
        return s47(s, r, out, err);
    case SSD_ICPC:
        return icpc(s, r, out, err);
    case SSD_CPPR:
        return cp_review(s, r, out, err);
    case SSD_CLAE:
        return cla_episode(s, r, out, err);
    case SSD_CLAR:
        TRY(child_through(s, r, "clar_cla_episode_id", SSD_CLAE, "clae_cla_episode_id",
                          "clae_person_id", &child, err));
        return simple(s, r, "looked_after_review_held", 19, NULL, "clar_cla_review_date", out,
                      child, &c, err);
    case SSD_CLAH: {
        const char *st = cw_ssd_cell(r, "clah_health_check_status");
        const char *kind = cw_ssd_health_from_words(cw_ssd_cell(r, "clah_health_check_type"));
        if (st[0] && strcasecmp(st, "Completed"))
            return CW_OK; /* planned, refused or cancelled: not a check caseward records */
        if (!kind)
            return bad(
                r, "clah_health_check_type",
                "not one of Health Assessment, Dental Check, GP Registration, Immunisations, "
                "Development Check, SDQ",
                err);
        TRY(simple(s, r, "health_check_recorded", 20, "clah_person_id", "clah_health_check_date",
                   out, NULL, &c, err));
        TRY(put_s(c, "kind", kind, "clah_health_check_type"));
        break;
    }
    case SSD_MISS:
        return missing(s, r, out, err);
    case SSD_CLEA: {
        const char *w = cw_ssd_cell(r, "clea_care_leaver_eligibility");
        const char *st = cw_ssd_eligibility_from_words(w);
        if (!w[0] || !strcasecmp(w, "No Current Eligibility"))
            return CW_OK;
        if (!st)
            return bad(r, "clea_care_leaver_eligibility",
                       "not one of Eligible, Relevant, Former Relevant, Qualifying", err);
        TRY(need_person(s, r, "clea_person_id", err));
        if (!(c = add(out, "leaving_care_status", r, rid)))
            return cw_error_set(err, CW_ENOMEM, "out of memory");
        c->rank = 23;
        TRY(put_s(c, "child_id", cw_ssd_cell(r, "clea_person_id"), "clea_person_id"));
        TRY(put_s(c, "status", st, "clea_care_leaver_eligibility"));
        json_object_set_new(c->cols, "date", json_string("clea_care_leaver_eligibility"));
        break;
    }
    case SSD_INVO:
        return involvement(s, r, out, err);
    case SSD_DEPT:
    case SSD_PROF:
        return organisation(s, r, out, err);
    default: /* disabilities, identifiers, factors, placements: read through other rows */
        (void)v;
        return CW_OK;
    }
done:
    if (rc == CW_ENOMEM)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    return rc;
}
