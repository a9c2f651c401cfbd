/*
 * escalation.c — what every escalation beside the rules' shares (the case-file audits',
 * src/quality/escalate.c, and the improvement plans', src/improve/escalate.c): recording a
 * step once, as an escalation_raised entry by system:escalation, and the next manager in post
 * up the chain.
 */
#include <stdio.h>
#include <string.h>

#include "casework/casework.h"

cw_rc cw_casework_escalate_once(cw_ledger *l, const char *child, const char *item, int level,
                                const char *who, cw_date as_of, int64_t days, int *raised,
                                cw_error *err)
{
    cw_store *s = cw_ledger_store(l);
    int found = 0;
    *raised = 0;
    cw_value v[] = {cw_text(child ? child : ""), cw_text(item), CW_INT(level)};
    cw_rc rc = cw_store_exists(s, CW_Q_ESCALATION_GET, v, 3, &found, err);
    if (rc || found)
        return rc;
    if (!who[0]) {
        *raised = -1; /* due, and nobody to tell */
        return CW_OK;
    }
    char day[CW_DATE_LEN + 1];
    cw_date_format(as_of, day);
    json_t *p = json_pack("{s:s, s:i, s:s, s:s, s:I}", "item", item, "level", level, "notified_id",
                          who, "as_of", day, "days_overdue", (json_int_t)days);
    if (p && child && json_object_set_new(p, "child_id", json_string(child)))
        json_decref(p), p = NULL;
    if (!p)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    cw_event ev = {"system:escalation", "escalation_raised", p};
    rc = cw_casework_submit(l, &ev, NULL, err);
    json_decref(p);
    *raised = !rc;
    return rc;
}

cw_rc cw_casework_manager_in_post(cw_store *s, const char *staff_id, char out[65], cw_error *err)
{
    char cur[65];
    cw_rc rc = CW_OK;
    out[0] = '\0';
    snprintf(cur, sizeof cur, "%s", staff_id);
    for (int depth = 0; !rc && depth < 64; depth++) {
        cw_staff_info si, m;
        if ((rc = cw_casework_staff(s, cur, &si, err)) || !si.found || !si.manager[0])
            break;
        snprintf(cur, sizeof cur, "%s", si.manager);
        if (!(rc = cw_casework_staff(s, cur, &m, err)) && m.found && !m.left) {
            snprintf(out, 65, "%s", cur);
            break;
        }
    }
    return rc;
}
