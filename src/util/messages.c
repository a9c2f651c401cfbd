/*
 * messages.c — the server's message catalogue: every message staff may read from the
 * server, by key, in English and Welsh. See messages.h.
 *
 * {field} is the field the message is about (its identifier in English, its name in
 * Welsh), {1} and {2} the values it quotes. A message about a field starts "{field}: ". A
 * message that holds another (cw_error_wrap) ends with it: {inner}. {role2} is {2} when it
 * is a role, named in the reader's language.
 * The Welsh follows docs/welsh-glossary.md.
 */
#include "util/messages.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct msg {
    const char *key, *en, *cy;
} catalogue[] = {
    /* ---- a field's value (every event's fields) ---- */
    {"required", "{field}: is required for {1}", "{field}: mae angen hwn ar gyfer {1}"},
    {"not_a_field", "{field}: not a field of {1}", "{field}: nid yw’n faes yn {1}"},
    {"set_by_caseward", "{field}: is set by caseward, not given",
     "{field}: caseward sy’n gosod hwn; peidiwch â’i roi"},
    {"not_an_id", "{field}: must be an identifier (1-64 of A-Z a-z 0-9 . _ : -)",
     "{field}: rhaid iddo fod yn ddynodydd (1-64 o A-Z a-z 0-9 . _ : -)"},
    {"not_text", "{field}: must be text", "{field}: rhaid iddo fod yn destun"},
    {"too_long", "{field}: is {1} bytes; the limit is {2}",
     "{field}: mae’n {1} beit; yr uchafswm yw {2}"},
    {"nul", "{field}: contains a NUL character", "{field}: mae’n cynnwys nod NUL"},
    {"blank", "{field}: must not be blank", "{field}: rhaid peidio â’i adael yn wag"},
    {"not_a_date", "{field}: \"{1}\" is not a date (YYYY-MM-DD)",
     "{field}: nid yw \"{1}\" yn ddyddiad (BBBB-MM-DD)"},
    {"date_not_text", "{field}: a non-string is not a date (YYYY-MM-DD)",
     "{field}: nid yw hwn yn ddyddiad (BBBB-MM-DD)"},
    {"in_future", "{field}: {1} is in the future", "{field}: mae {1} yn y dyfodol"},
    {"not_bool", "{field}: must be true or false",
     "{field}: rhaid iddo fod yn gywir neu’n anghywir"},
    {"not_whole", "{field}: must be a whole number >= 0",
     "{field}: rhaid iddo fod yn rhif cyfan, 0 neu fwy"},
    {"not_in_range", "{field}: must be a whole number in range",
     "{field}: rhaid iddo fod yn rhif cyfan o fewn yr ystod"},
    {"not_one_of", "{field}: \"{1}\" is not one of {2}", "{field}: nid yw \"{1}\" yn un o {2}"},
    {"one_of", "{field}: must be one of {1}", "{field}: rhaid iddo fod yn un o {1}"},
    {"not_ids", "{field}: must be a list of identifiers",
     "{field}: rhaid iddo fod yn rhestr o ddynodwyr"},
    {"too_many", "{field}: has {1} items; the limit is {2}",
     "{field}: mae ganddo {1} eitem; yr uchafswm yw {2}"},
    {"item_not_id", "{field}: item {1} is not an identifier",
     "{field}: nid yw eitem {1} yn ddynodydd"},
    {"listed_twice", "{field}: {1} is listed twice", "{field}: mae {1} wedi’i restru ddwywaith"},
    {"not_object", "{field}: must be a non-empty object",
     "{field}: rhaid iddo fod yn wrthrych nad yw’n wag"},

    /* ---- who and what an event names ---- */
    {"no_child", "{field}: no child {1} is registered",
     "{field}: nid oes plentyn {1} wedi’i gofrestru"},
    {"no_staff", "{field}: no member of staff {1}", "{field}: nid oes aelod o staff {1}"},
    {"staff_left", "{field}: {1} has left", "{field}: mae {1} wedi gadael"},
    {"no_record", "{field}: no {1} {2}", "{field}: nid oes cofnod {2}"},
    {"exists", "{field}: {1} already exists", "{field}: mae {1} yn bodoli eisoes"},
    {"no_team", "{field}: no team {1}", "{field}: nid oes tîm {1}"},
    {"other_child", "{field}: {1} is about another child", "{field}: mae {1} am blentyn arall"},
    {"already_decided", "{field}: {1} has already been decided",
     "{field}: mae penderfyniad eisoes wedi’i wneud ar {1}"},
    {"already_completed", "{field}: {1} is already completed",
     "{field}: mae {1} wedi’i gwblhau eisoes"},

    /* ---- dates in order ---- */
    {"before_birth", "{field}: {1} is before the child's date of birth ({2})",
     "{field}: mae {1} cyn dyddiad geni’r plentyn ({2})"},
    {"before_contact", "{field}: {1} is before the contact ({2})",
     "{field}: mae {1} cyn y cyswllt ({2})"},
    {"before_referral", "{field}: {1} is before the referral ({2})",
     "{field}: mae {1} cyn yr atgyfeiriad ({2})"},
    {"before_assessment", "{field}: {1} is before the assessment started ({2})",
     "{field}: mae {1} cyn i’r asesiad ddechrau ({2})"},
    {"before_strategy", "{field}: {1} is before the strategy discussion ({2})",
     "{field}: mae {1} cyn y drafodaeth strategaeth ({2})"},
    {"before_enquiry", "{field}: {1} is before the enquiry started ({2})",
     "{field}: mae {1} cyn i’r ymholiad ddechrau ({2})"},
    {"before_missing", "{field}: {1} is before the child went missing ({2})",
     "{field}: mae {1} cyn i’r plentyn fynd ar goll ({2})"},
    {"before_looked_after", "{field}: {1} is before the child became looked after ({2})",
     "{field}: mae {1} cyn i’r plentyn ddechrau derbyn gofal ({2})"},
    {"dob_future", "{field}: {1} is more than 40 weeks in the future",
     "{field}: mae {1} fwy na 40 wythnos yn y dyfodol"},
    {"seen_after_completed", "{field}: {1} is after the assessment was completed",
     "{field}: mae {1} ar ôl i’r asesiad gael ei gwblhau"},

    /* ---- rules between an event's fields ---- */
    {"views_required",
     "{field}: the child's views and feelings are required, or views_not_obtained_reason "
     "saying why they could not be obtained",
     "{field}: mae angen safbwyntiau a theimladau’r plentyn, neu reswm pam na ellid eu cael"},
    {"details_none",
     "{field}: give at least one of ethnicity_code, disabilities, upn, former_upn, upn_unknown, "
     "date_of_death, uasc or own_child_born",
     "{field}: rhowch o leiaf un o ethnicity_code, disabilities, upn, former_upn, upn_unknown, "
     "date_of_death, uasc neu own_child_born"},
    {"detail_not_reason", "{field}: {1} is not a code for the reason {2}",
     "{field}: nid yw {1} yn god ar gyfer y rheswm {2}"},
    {"setting_not_type", "{field}: not for a placement of type {1}",
     "{field}: nid yw ar gyfer lleoliad o’r math {1}"},
    {"disability_none_and", "{field}: NONE cannot be listed with a disability",
     "{field}: ni ellir rhestru NONE gydag anabledd"},
    {"not_postcode", "{field}: not a postcode (for example CF10 1EP: capitals, one space)",
     "{field}: nid yw’n god post (er enghraifft CF10 1EP: priflythrennau, un bwlch)"},
    {"sdq_score_only", "{field}: a score is given only with an SDQ (kind sdq)",
     "{field}: dim ond gydag SDQ (kind sdq) y rhoddir sgôr"},
    {"adopters_sexes",
     "{field}: one adopter or two, as adopter_sex says (M1, F1: one; MM, FF, MF: two)",
     "{field}: un mabwysiadwr neu ddau, fel y dywed adopter_sex (M1, F1: un; MM, FF, MF: dau)"},
    {"pn0_under_4", "{field}: PN0 is for a child under 4 at the review",
     "{field}: mae PN0 ar gyfer plentyn o dan 4 oed yn yr adolygiad"},
    {"factor_21_and", "{field}: 21 (no factors identified) cannot be listed with a factor",
     "{field}: ni ellir rhestru 21 (dim ffactorau wedi’u nodi) gyda ffactor"},
    {"upn_and_unknown",
     "{field}: a reason the UPN is not known cannot be given with the UPN itself",
     "{field}: ni ellir rhoi rheswm nad yw’r UPN yn hysbys gyda’r UPN ei hun"},
    {"upn_invalid",
     "{field}: not a valid Unique Pupil Number (13 characters, the first the check letter)",
     "{field}: nid yw’n Rhif Disgybl Unigryw dilys (13 nod, y cyntaf yn llythyren wirio)"},
    {"seen_alone_not_seen", "{field}: the child cannot be seen alone without being seen",
     "{field}: ni ellir gweld y plentyn ar ei ben ei hun heb ei weld"},
    {"reason_but_alone",
     "{field}: the child was seen alone; a reason is for a visit where they were not",
     "{field}: gwelwyd y plentyn ar ei ben ei hun; mae rheswm ar gyfer ymweliad lle na "
     "welwyd ef neu hi ar ei ben ei hun"},
    {"bedroom_not_home",
     "{field}: the child's bedroom can be seen only on a visit at home (location home)",
     "{field}: dim ond ar ymweliad â’r cartref y gellir gweld ystafell wely’r plentyn"},
    {"seen_date_required", "{field}: required when child_seen is true",
     "{field}: mae angen hwn pan welwyd y plentyn"},
    {"override_needs_reason", "{field}: a professional override of the band needs a reason",
     "{field}: mae angen rheswm dros newid y band ar sail barn broffesiynol"},
    {"override_reason_alone", "{field}: given without override_band",
     "{field}: wedi’i roi heb newid y band"},
    {"category_required", "{field}: required when registering",
     "{field}: mae angen hwn wrth gofrestru"},
    {"category_only_register", "{field}: only given when registering or continuing a plan",
     "{field}: dim ond wrth gofrestru neu barhau â chynllun y rhoddir hwn"},
    {"own_signoff", "{field}: {1} cannot sign off their own assessment",
     "{field}: ni all {1} gymeradwyo ei asesiad ei hun"},
    {"signoff_needs_manager", "{field}: {1} is a {role2}; sign-off needs a manager",
     "{field}: rôl {1} yw {role2}; rhaid i reolwr gymeradwyo"},
    {"not_a_manager", "{field}: {1} is a {role2}, not a manager",
     "{field}: rôl {1} yw {role2}, nid rheolwr"},
    {"deputise_self", "{field}: a manager cannot deputise for themselves",
     "{field}: ni all rheolwr fod yn ddirprwy iddo’i hun"},
    {"deputy_not_manager", "{field}: {1} is a {role2}; a deputy is a manager",
     "{field}: rôl {1} yw {role2}; rhaid i ddirprwy fod yn rheolwr"},

    /* ---- the state of the child's case ---- */
    {"child_registered", "{field}: {1} is already registered",
     "{field}: mae {1} wedi’i gofrestru eisoes"},
    {"on_register", "{field}: {1} is already on the register",
     "{field}: mae {1} ar y gofrestr eisoes"},
    {"not_on_register", "{field}: {1} is not on the child protection register",
     "{field}: nid yw {1} ar y gofrestr amddiffyn plant"},
    {"review_continues", "{field}: a review conference continues or ends the registration",
     "{field}: mae cynhadledd adolygu yn parhau neu’n dod â’r cofrestriad i ben"},
    {"already_looked_after", "{field}: {1} is already looked after",
     "{field}: mae {1} eisoes yn derbyn gofal"},
    {"not_looked_after", "{field}: {1} is not looked after", "{field}: nid yw {1} yn derbyn gofal"},
    {"supervise_self", "{field}: {1} cannot supervise themselves",
     "{field}: ni all {1} oruchwylio ei hun"},
    {"already_allocated", "{field}: {1} is already allocated to {2} (use case_transferred)",
     "{field}: mae {1} wedi’i ddyrannu i {2} eisoes (trosglwyddwch yr achos)"},
    {"not_allocated", "{field}: {1} is not allocated (use case_allocated)",
     "{field}: nid yw {1} wedi’i ddyrannu (dyrannwch yr achos)"},
    {"holds_case", "{field}: {1} already holds the case", "{field}: mae’r achos gan {1} eisoes"},
    {"case_closed", "{field}: {1}'s case is already closed",
     "{field}: mae achos {1} wedi’i gau eisoes"},
    {"case_not_closed", "{field}: {1}'s case is not closed",
     "{field}: nid yw achos {1} wedi’i gau"},

    /* ---- requests ---- */
    {"param_required", "{field}: is required", "{field}: mae angen hwn"},
    {"param_whole", "{field}: must be a whole number", "{field}: rhaid iddo fod yn rhif cyfan"},
    {"param_date", "{field}: must be a date, YYYY-MM-DD",
     "{field}: rhaid iddo fod yn ddyddiad, BBBB-MM-DD"},
    {"param_date_required", "{field}: is required (a date, YYYY-MM-DD)",
     "{field}: mae angen hwn (dyddiad, BBBB-MM-DD)"},
    {"content_type", "{field}: must be application/json",
     "{field}: rhaid iddo fod yn application/json"},
    {"body_required", "{field}: a JSON object is required", "{field}: mae angen gwrthrych JSON"},
    {"body_utf8", "{field}: is not valid UTF-8 (byte {1})",
     "{field}: nid yw’n UTF-8 dilys (beit {1})"},
    {"body_json", "{field}: is not JSON: {1}", "{field}: nid yw’n JSON: {1}"},
    {"body_object", "{field}: must be a JSON object", "{field}: rhaid iddo fod yn wrthrych JSON"},
    {"not_here", "{field}: is not a field here", "{field}: nid yw’n faes yma"},
    {"body_too_big", "{field}: is larger than the limit of {1} bytes",
     "{field}: mae’n fwy na’r uchafswm o {1} beit"},
    {"path_too_long", "{field}: is too long", "{field}: mae’n rhy hir"},
    {"headers_too_big", "the request's headers are larger than the limit of {1} bytes",
     "mae penawdau’r cais yn fwy na’r uchafswm o {1} beit"},
    {"no_route", "{field}: no such route (see /api/v1/openapi.json)",
     "{field}: nid oes llwybr o’r fath (gweler /api/v1/openapi.json)"},
    {"no_file", "{field}: no such file or route (the API is under /api/v1/)",
     "{field}: nid oes ffeil na llwybr o’r fath (mae’r API o dan /api/v1/)"},
    {"method", "{field}: {1} is not allowed here", "{field}: ni chaniateir {1} yma"},
    {"server_fault", "the server could not complete the request",
     "ni allai’r gweinydd gwblhau’r cais"},
    {"server_busy", "the server is busy; try again",
     "mae’r gweinydd yn brysur; rhowch gynnig arall arni"},
    {"storage_full",
     "the records cannot be saved right now: the server's disk is full. Try again later; if "
     "this goes on, tell your system administrator",
     "ni ellir cadw’r cofnodion ar hyn o bryd: mae disg y gweinydd yn llawn. Rhowch gynnig "
     "arall arni yn nes ymlaen; os yw hyn yn parhau, dywedwch wrth weinyddwr eich system"},
    {"storage_fault",
     "the records cannot be read or saved right now: the server's disk reported an error. Try "
     "again later; if this goes on, tell your system administrator",
     "ni ellir darllen na chadw’r cofnodion ar hyn o bryd: adroddodd disg y gweinydd wall. "
     "Rhowch gynnig arall arni yn nes ymlaen; os yw hyn yn parhau, dywedwch wrth weinyddwr "
     "eich system"},
    {"storage_unreachable",
     "the records cannot be read or saved right now: the database cannot be reached. Try again "
     "later; if this goes on, tell your system administrator",
     "ni ellir darllen na chadw’r cofnodion ar hyn o bryd: ni ellir cyrraedd y gronfa ddata. "
     "Rhowch gynnig arall arni yn nes ymlaen; os yw hyn yn parhau, dywedwch wrth weinyddwr "
     "eich system"},
    {"look_not_recorded", "the look at the record could not be recorded",
     "nid oedd modd cofnodi’r edrychiad ar y cofnod"},
    {"from_after_to", "{field}: must not be after to",
     "{field}: rhaid iddo beidio â bod ar ôl y dyddiad gorffen"},
    {"period_backwards", "{field}: the period ends before it starts",
     "{field}: mae’r cyfnod yn gorffen cyn iddo ddechrau"},
    {"at_most_entries", "{field}: at most {1} entries at a time",
     "{field}: dim mwy na {1} eitem ar y tro"},
    {"limit_range", "{field}: must be from 1 to {1}", "{field}: rhaid iddo fod rhwng 1 a {1}"},
    {"not_child_id", "{field}: is not a child id", "{field}: nid yw’n ddynodydd plentyn"},
    {"not_team_id", "{field}: not a team's identifier", "{field}: nid yw’n ddynodydd tîm"},
    {"team_or_area", "{field}: give a team or an area, not both",
     "{field}: rhowch dîm neu faes gwasanaeth, nid y ddau"},
    {"not_area", "{field}: not the name of a service area",
     "{field}: nid yw’n enw maes gwasanaeth"},
    {"by_team_only", "{field}: the only breakdown is by=team",
     "{field}: yr unig ddadansoddiad yw by=team"},
    {"period_or_dates", "{field}: give a period or from and to, not both",
     "{field}: rhowch gyfnod neu ddyddiadau dechrau a gorffen, nid y ddau"},
    {"no_return", "{field}: caseward makes no return {1} (it makes {2})",
     "{field}: nid yw caseward yn gwneud ffurflen {1} (mae’n gwneud {2})"},
    {"as_of_annex_a", "{field}: only Ofsted's Annex A is made as at a day",
     "{field}: dim ond Atodiad A Ofsted sy’n cael ei wneud fel yr oedd ar ddiwrnod"},
    {"no_return_file", "{field}: the return has no file {1}",
     "{field}: nid oes ffeil {1} yn y ffurflen"},
    {"param_year", "{field}: must be a collection year, the year it ends (2026 for 2025-26)",
     "{field}: rhaid iddi fod yn flwyddyn gasglu, y flwyddyn y mae’n dod i ben (2026 ar gyfer "
     "2025-26)"},
    {"no_la_code",
     "{field}: the council's local authority number is not set: an administrator sets it once "
     "with caseward settings --la-code",
     "{field}: nid yw rhif awdurdod lleol y cyngor wedi’i osod: mae gweinyddwr yn ei osod unwaith "
     "gyda caseward settings --la-code"},
    {"no_measure", "{field}: no measure {1} in the {2} pack",
     "{field}: nid oes mesur {1} ym mhecyn {2}"},
    {"no_child_id", "{field}: no child {1}", "{field}: nid oes plentyn {1}"},
    {"not_a_command", "{field}: {1} is not a command (docs/events.md)",
     "{field}: nid yw {1} yn orchymyn (docs/events.md)"},
    {"no_entry", "{field}: there is no entry {1} yet", "{field}: nid oes eitem {1} eto"},

    /* ---- sign-in and access ---- */
    {"sign_in_first", "{field}: sign in first (POST /api/v1/session)",
     "{field}: mewngofnodwch yn gyntaf (POST /api/v1/session)"},
    {"sign_in_refused", "{field}: the username or password is wrong, or the account is not active",
     "{field}: mae’r enw defnyddiwr neu’r cyfrinair yn anghywir, neu nid yw’r cyfrif yn "
     "weithredol"},
    {"too_many_sign_ins", "{field}: too many sign-in attempts; wait {1} seconds, then try again",
     "{field}: gormod o ymdrechion i fewngofnodi; arhoswch {1} eiliad, yna rhowch gynnig arall "
     "arni"},
    {"no_role", "{field}: the account has no role caseward knows",
     "{field}: nid oes gan y cyfrif rôl y mae caseward yn ei hadnabod"},
    {"bearer_expected", "{field}: expected Bearer and a token",
     "{field}: disgwylir Bearer a thocyn"},
    {"token_unknown", "{field}: the token is unknown or revoked",
     "{field}: nid yw’r tocyn yn hysbys, neu mae wedi’i ddirymu"},
    {"account_inactive", "{field}: the account is not active",
     "{field}: nid yw’r cyfrif yn weithredol"},
    {"staff_has_left", "{field}: the member of staff has left",
     "{field}: mae’r aelod o staff wedi gadael"},
    {"current_password_wrong", "{field}: is wrong", "{field}: mae’n anghywir"},
    {"password_same", "{field}: must differ from the current one",
     "{field}: rhaid iddo fod yn wahanol i’r un presennol"},
    {"password_short",
     "{field}: must be at least {1} characters (a few words together are easy to remember and "
     "hard to guess)",
     "{field}: rhaid iddo fod o leiaf {1} nod (mae ychydig eiriau gyda’i gilydd yn hawdd eu "
     "cofio ac yn anodd eu dyfalu)"},
    {"password_username", "{field}: must not be the username",
     "{field}: rhaid iddo beidio â bod yr un peth â’r enw defnyddiwr"},
    {"not_utf8", "{field}: is not valid UTF-8", "{field}: nid yw’n UTF-8 dilys"},
    {"change_password_first",
     "{field}: a one-time password must be changed first (PUT /api/v1/me/password)",
     "{field}: rhaid newid cyfrinair untro yn gyntaf (PUT /api/v1/me/password)"},
    {"session_only",
     "{field}: signing out and changing a password are for a signed-in session, not an API "
     "token",
     "{field}: mae allgofnodi a newid cyfrinair ar gyfer sesiwn wedi mewngofnodi, nid tocyn API"},
    {"token_read_only", "{field}: this token may only read",
     "{field}: dim ond darllen y caiff y tocyn hwn"},
    {"role_may_not", "{field}: your role may not do this", "{field}: ni chaiff eich rôl wneud hyn"},
    {"role_may_not_record", "{field}: your role may not record {1}",
     "{field}: ni chaiff eich rôl gofnodi {1}"},
    {"csrf", "{field}: missing or wrong (send the token given at sign-in)",
     "{field}: ar goll neu’n anghywir (anfonwch y tocyn a roddwyd wrth fewngofnodi)"},
    {"no_child_you_see", "{field}: no child {1} that you can see",
     "{field}: nid oes plentyn {1} y gallwch ei weld"},
    {"not_yours_see", "{field}: the record of child {1} is not yours to see",
     "{field}: nid eich lle chi yw gweld cofnod plentyn {1}"},
    {"not_yours_change", "{field}: the record of child {1} is not yours to change",
     "{field}: nid eich lle chi yw newid cofnod plentyn {1}"},
    {"team_not_yours", "{field}: team {1} is not yours to see",
     "{field}: nid eich lle chi yw gweld tîm {1}"},
    {"no_child_or_record", "{field}: the command names no child or record that you can see",
     "{field}: nid yw’r gorchymyn yn enwi plentyn na chofnod y gallwch ei weld"},

    /* ---- recording as oneself ---- */
    {"own_name_signoff",
     "{field}: a manager signs off in their own name: save the assessment and it goes to your "
     "manager for sign-off (work_signed_off)",
     "{field}: mae rheolwr yn cymeradwyo yn ei enw ei hun: cadwch yr asesiad ac fe aiff at eich "
     "rheolwr i’w gymeradwyo"},
    {"decision_yours",
     "{field}: the decision is recorded as yours; a manager who decides records it themselves, "
     "or signs yours off",
     "{field}: caiff y penderfyniad ei gofnodi fel eich un chi; mae rheolwr sy’n penderfynu yn "
     "ei gofnodi ei hun, neu’n cymeradwyo eich un chi"},
    {"supervision_by_supervisor",
     "{field}: a supervision is recorded by its supervisor (or by the supervisee, for the "
     "supervisor to confirm)",
     "{field}: y goruchwylydd sy’n cofnodi goruchwyliaeth (neu’r person a oruchwyliwyd, i’r "
     "goruchwylydd ei chadarnhau)"},
    {"restrict_senior",
     "{field}: only a service manager or the head of service restricts a record or changes "
     "who may see it",
     "{field}: dim ond rheolwr gwasanaeth neu’r pennaeth gwasanaeth sy’n cyfyngu cofnod neu’n "
     "newid pwy all ei weld"},
    {"own_deputy",
     "{field}: a manager names their own deputy; an administrator or the head of service "
     "names anyone's",
     "{field}: mae rheolwr yn enwi ei ddirprwy ei hun; mae gweinyddwr neu’r pennaeth "
     "gwasanaeth yn enwi dirprwy unrhyw un"},
    {"based_on_required",
     "{field}: required: the version of the entry you read (the chronology gives each entry's "
     "version; for a restriction, the latest entry that set it), so that a change made since "
     "is never overwritten",
     "{field}: mae angen hwn: fersiwn yr eitem a ddarllenoch (mae’r cronoleg yn rhoi fersiwn "
     "pob eitem), fel na chaiff newid a wnaed ers hynny byth ei drosysgrifo"},
    {"supervision_party",
     "{field}: only its supervisor, its supervisee or a manager may record this",
     "{field}: dim ond y goruchwylydd, y person a oruchwyliwyd neu reolwr gaiff gofnodi hyn"},

    /* ---- sign-off ---- */
    {"not_signoff_work", "{field}: entry {1} is not work that needs a manager's sign-off",
     "{field}: nid yw eitem {1} yn waith sydd angen ei gymeradwyo gan reolwr"},
    {"signed_off_already", "{field}: entry {1} is not awaiting sign-off (it has been signed off)",
     "{field}: nid yw eitem {1} yn aros i gael ei chymeradwyo (mae wedi’i chymeradwyo)"},
    {"returned_already", "{field}: entry {1} is not awaiting sign-off (it was returned)",
     "{field}: nid yw eitem {1} yn aros i gael ei chymeradwyo (fe’i dychwelwyd)"},
    {"no_signoff_needed", "{field}: entry {1} is not awaiting sign-off (it did not need sign-off)",
     "{field}: nid yw eitem {1} yn aros i gael ei chymeradwyo (nid oedd angen ei chymeradwyo)"},
    {"own_work", "{field}: no one signs off their own work; it goes to a manager above you",
     "{field}: nid oes neb yn cymeradwyo ei waith ei hun; mae’n mynd at reolwr uwch eich "
     "pen"},
    {"not_current_staff", "{field}: {1} is not a current member of staff",
     "{field}: nid yw {1} yn aelod presennol o staff"},
    {"supervisor_confirms", "{field}: only the supervisor named in the supervision confirms it",
     "{field}: dim ond y goruchwylydd a enwir yn y oruchwyliaeth sy’n ei chadarnhau"},
    {"signoff_manager_above",
     "{field}: sign-off needs a manager above {1}, or their named deputy; you are a {role2}",
     "{field}: rhaid i reolwr uwchben {1}, neu ei ddirprwy a enwyd, gymeradwyo; eich rôl chi yw "
     "{role2}"},
    {"not_above",
     "{field}: you are not above {1} in the management chain (nor a named deputy of a manager "
     "who is), so this is not yours to sign off",
     "{field}: nid ydych uwchben {1} yn y gadwyn reoli (nac yn ddirprwy a enwyd i reolwr sydd), "
     "felly nid eich lle chi yw cymeradwyo hyn"},

    /* ---- who may see a record ---- */
    {"restriction_changed",
     "{field}: who may see {1}'s record has changed since you read it (its current version is "
     "{2}): read it again and redo your change",
     "{field}: mae pwy all weld cofnod {1} wedi newid ers i chi ei ddarllen (ei fersiwn "
     "bresennol yw {2}): darllenwch ef eto a gwnewch eich newid eto"},
    {"restricted_to_alone", "{field}: names staff only when the record is restricted",
     "{field}: dim ond pan fo’r cofnod wedi’i gyfyngu y mae’n enwi staff"},

    /* ---- corrections and sign-off ---- */
    {"changed_since",
     "{field}: entry {1} has changed since you read it; its current version is {2}: read it "
     "again and redo your change",
     "{field}: mae eitem {1} wedi newid ers i chi ei darllen; ei fersiwn bresennol yw {2}: "
     "darllenwch hi eto a gwnewch eich newid eto"},
    {"too_many_corrections", "{field}: entry {1} has {2} corrections already",
     "{field}: mae {2} cywiriad i eitem {1} eisoes"},
    {"not_correctable", "{field}: entry {1} ({2}) is not a casework event that can be corrected",
     "{field}: nid yw eitem {1} ({2}) yn ddigwyddiad gwaith achos y gellir ei gywiro"},
    {"change_not_a_field", "{field}: {1} is not a field of {2}",
     "{field}: nid yw {1} yn faes yn {2}"},
    {"fix_restriction",
     "{field}: {1} cannot be corrected; a service manager or the head of service changes who "
     "may see a record (restriction_changed)",
     "{field}: ni ellir cywiro {1}; rheolwr gwasanaeth neu’r pennaeth gwasanaeth sy’n newid pwy "
     "all weld cofnod"},
    {"fix_signoff",
     "{field}: {1} cannot be corrected; a sign-off or a decision is its maker's own act "
     "(work_signed_off)",
     "{field}: ni ellir cywiro {1}; mae cymeradwyaeth neu benderfyniad yn weithred gan y sawl "
     "a’i gwnaeth"},
    {"correction_invalid", "{field}: the corrected {1} would be invalid: {inner}",
     "{field}: byddai’r {1} wedi’i gywiro yn annilys: {inner}"},
    {"fix_never", "{field}: {1} cannot be corrected (record the right event instead)",
     "{field}: ni ellir cywiro {1} (cofnodwch y digwyddiad cywir yn lle hynny)"},
    {"decision_before_work", "{field}: the decision is dated before the work it decides",
     "{field}: mae dyddiad y penderfyniad cyn y gwaith y mae’n penderfynu arno"},

    /* ---- erasure and legal holds ---- */
    /* ---- the two-person rule (access_change.c) ---- */
    {"access_needs_second",
     "{field}: this change widens who can see children's records, so it needs a second person: "
     "propose it (access_change_proposed) and another administrator or manager approves it",
     "{field}: mae’r newid hwn yn ehangu pwy all weld cofnodion plant, felly mae angen ail "
     "berson: cynigiwch ef (access_change_proposed) a bydd gweinyddwr neu reolwr arall yn ei "
     "gymeradwyo"},
    {"restricted_worker_not_named",
     "{field}: this record is restricted and does not name {1}: name them on its restriction "
     "first (restriction_changed, which a second person approves), then give them the case",
     "{field}: mae’r cofnod hwn wedi’i gyfyngu ac nid yw’n enwi {1}: enwch nhw ar ei "
     "gyfyngiad yn gyntaf (restriction_changed, y mae ail berson yn ei gymeradwyo), yna "
     "rhowch yr achos iddyn nhw"},
    {"access_not_wider",
     "{field}: this {1} does not widen who can see children's records: record it directly",
     "{field}: nid yw’r {1} hwn yn ehangu pwy all weld cofnodion plant: cofnodwch ef yn "
     "uniongyrchol"},
    {"access_decider",
     "{field}: only an administrator, the head of service or a manager above {1} proposes, "
     "approves or turns down a change to {1}",
     "{field}: dim ond gweinyddwr, y pennaeth gwasanaeth neu reolwr uwchben {1} sy’n cynnig, "
     "yn cymeradwyo neu’n gwrthod newid i {1}"},
    {"no_access_change", "{field}: no access change {1} has been proposed",
     "{field}: nid oes newid mynediad {1} wedi’i gynnig"},
    {"access_change_closed", "{field}: access change {1} is not awaiting approval (it was {2})",
     "{field}: nid yw newid mynediad {1} yn aros am gymeradwyaeth (cafodd ei {2})"},
    {"access_change_expired",
     "{field}: access change {1} was proposed more than {2} days ago and has expired: propose "
     "it again",
     "{field}: cynigiwyd newid mynediad {1} fwy na {2} diwrnod yn ôl ac mae wedi dod i ben: "
     "cynigiwch ef eto"},
    {"access_own_proposal", "{field}: you proposed this change; someone else must approve it",
     "{field}: chi a gynigiodd y newid hwn; rhaid i rywun arall ei gymeradwyo"},
    {"access_own_widening",
     "{field}: this change widens your own access; someone else must approve it",
     "{field}: mae’r newid hwn yn ehangu eich mynediad chi; rhaid i rywun arall ei gymeradwyo"},
    {"access_not_approved",
     "{field}: {1} is not an access change approved in this batch; caseward records an approved "
     "change itself",
     "{field}: nid yw {1} yn newid mynediad a gymeradwywyd yn y swp hwn; caseward sy’n "
     "cofnodi newid a gymeradwywyd"},
    {"account_needs_second",
     "{field}: {1} is an inspector's account, which sees every child's record: it is enabled only "
     "when a second person approves it (access_change_proposed, change account_enabled, approved "
     "by an administrator, the head of service or the director)",
     "{field}: mae {1} yn gyfrif arolygydd, sy’n gweld cofnod pob plentyn: dim ond pan fydd ail "
     "berson yn ei gymeradwyo y caiff ei alluogi (access_change_proposed, newid account_enabled, "
     "wedi’i gymeradwyo gan weinyddwr, y pennaeth gwasanaeth neu’r cyfarwyddwr)"},
    {"account_already_proposed",
     "{field}: enabling {1} is already proposed ({2}) and awaits a second person: approve or turn "
     "down that proposal",
     "{field}: mae galluogi {1} eisoes wedi’i gynnig ({2}) ac yn aros am ail berson: "
     "cymeradwywch neu gwrthodwch y cynnig hwnnw"},
    {"account_decider",
     "{field}: only an administrator, the head of service or the director approves or turns down "
     "an inspector's account",
     "{field}: dim ond gweinyddwr, y pennaeth gwasanaeth neu’r cyfarwyddwr sy’n cymeradwyo neu’n "
     "gwrthod cyfrif arolygydd"},
    {"no_erasure", "{field}: no erasure {1} has been proposed",
     "{field}: nid oes dilead {1} wedi’i gynnig"},
    {"not_entry_number", "{field}: \"{1}\" is not an entry number",
     "{field}: nid yw \"{1}\" yn rhif eitem"},
    {"entry_not_in_record", "{field}: entry {1} is not in {2}'s record",
     "{field}: nid yw eitem {1} yng nghofnod {2}"},
    {"entry_in_leaf",
     "{field}: entry {1} was recorded before caseward kept personal data apart from the log, so "
     "its text is part of the proof and cannot be erased; record a correction instead",
     "{field}: cofnodwyd eitem {1} cyn i caseward gadw data personol ar wahân i’r log, felly mae "
     "ei thestun yn rhan o’r prawf ac ni ellir ei ddileu; cofnodwch gywiriad yn lle hynny"},
    {"entry_no_personal", "{field}: entry {1} holds no personal data",
     "{field}: nid oes data personol yn eitem {1}"},
    {"entry_erased", "{field}: entry {1}'s personal data has already been removed",
     "{field}: mae data personol eitem {1} wedi’i dynnu eisoes"},
    {"entries_empty",
     "{field}: name at least one entry, or leave entries out to erase the whole record",
     "{field}: enwch o leiaf un eitem, neu peidiwch ag enwi dim i ddileu’r cofnod cyfan"},
    {"nothing_to_erase",
     "{field}: {1}'s record holds no personal data that can be erased (none, already removed, or "
     "recorded before caseward kept it apart from the log)",
     "{field}: nid oes data personol yng nghofnod {1} y gellir ei ddileu (dim, wedi’i dynnu "
     "eisoes, neu wedi’i gofnodi cyn i caseward ei gadw ar wahân i’r log)"},
    {"erasure_approved_already", "{field}: erasure {1} has already been approved",
     "{field}: mae dilead {1} wedi’i gymeradwyo eisoes"},
    {"erasure_declined_already", "{field}: erasure {1} has already been declined",
     "{field}: mae dilead {1} wedi’i wrthod eisoes"},
    {"dpo_decides", "{field}: only the data protection officer approves or declines an erasure",
     "{field}: dim ond y swyddog diogelu data sy’n cymeradwyo neu’n gwrthod dilead"},
    {"own_erasure",
     "{field}: {1} proposed erasure {2}; someone else must decide it (two people for every "
     "erasure)",
     "{field}: {1} a gynigiodd ddilead {2}; rhaid i rywun arall benderfynu arno (dau berson ar "
     "gyfer pob dilead)"},
    {"erasure_done", "{field}: everything erasure {1} names has been removed already",
     "{field}: mae popeth a enwir yn nilead {1} wedi’i dynnu eisoes"},
    {"hold_who",
     "{field}: only the head of service or the data protection officer places or lifts a legal "
     "hold",
     "{field}: dim ond y pennaeth gwasanaeth neu’r swyddog diogelu data sy’n gosod neu’n codi "
     "cadw cyfreithiol"},
    {"until_before_hold", "{field}: {1} is before the hold's date {2}",
     "{field}: mae {1} cyn dyddiad y cadw {2}"},
    {"no_hold", "{field}: no legal hold {1}", "{field}: nid oes cadw cyfreithiol {1}"},
    {"hold_lifted", "{field}: legal hold {1} has already been lifted",
     "{field}: mae cadw cyfreithiol {1} wedi’i godi eisoes"},
    {"before_hold", "{field}: {1} is before the legal hold was placed ({2})",
     "{field}: mae {1} cyn i’r cadw cyfreithiol gael ei osod ({2})"},

    /* ---- case-file audits (docs/audits.md) ---- */
    {"self_assigned",
     "{field}: {1} is you: someone else gives an auditor their cases and names moderators",
     "{field}: chi yw {1}: rhywun arall sy’n rhoi achosion i archwilydd ac yn enwi cymedrolwyr"},
    {"restricted_audit",
     "{field}: child {1}'s record is restricted: only the head of service or the director gives "
     "it to an auditor",
     "{field}: mae cofnod plentyn {1} yn gyfyngedig: dim ond y pennaeth gwasanaeth neu’r "
     "cyfarwyddwr sy’n ei roi i archwilydd"},
    {"not_commissioner",
     "{field}: {1} is not a service manager, head of service, director or quality assurance "
     "auditor",
     "{field}: nid yw {1} yn rheolwr gwasanaeth, yn bennaeth gwasanaeth, yn gyfarwyddwr nac yn "
     "archwilydd sicrhau ansawdd"},
    {"programme_too_long", "{field}: {1} is more than a year after the programme starts ({2})",
     "{field}: mae {1} fwy na blwyddyn ar ôl i’r rhaglen ddechrau ({2})"},
    {"seed_text", "{field}: must be 1 to 64 of A-Z a-z 0-9 . _ : - (or left out: a random one)",
     "{field}: rhaid iddo fod yn 1 i 64 o A-Z a-z 0-9 . _ : - (neu ei adael allan: un ar hap)"},
    {"no_programme", "{field}: no audit programme {1}", "{field}: nid oes rhaglen archwilio {1}"},
    {"not_in_programme", "{field}: child {1}'s case is not in audit programme {2}",
     "{field}: nid yw achos plentyn {1} yn rhaglen archwilio {2}"},
    {"already_in_programme", "{field}: child {1}'s case is already in audit programme {2}",
     "{field}: mae achos plentyn {1} yn rhaglen archwilio {2} eisoes"},
    {"auditor_not_independent",
     "{field}: {1} works on child {2}'s case or manages its worker, and may not audit it",
     "{field}: mae {1} yn gweithio ar achos plentyn {2} neu’n rheoli ei weithiwr, ac ni all ei "
     "archwilio"},
    {"not_an_auditor", "{field}: {1} is not an auditor of programme {2}",
     "{field}: nid yw {1} yn archwilydd yn rhaglen {2}"},
    {"outside_programme", "{field}: {1} is outside the programme's dates ({2})",
     "{field}: mae {1} y tu allan i ddyddiadau’r rhaglen ({2})"},
    {"before_programme", "{field}: {1} is before the programme starts ({2})",
     "{field}: mae {1} cyn i’r rhaglen ddechrau ({2})"},
    {"programme_ended", "{field}: {1} is after the programme ended ({2})",
     "{field}: mae {1} ar ôl i’r rhaglen ddod i ben ({2})"},
    {"audit_who",
     "{field}: only a service manager, the head of service, the director or a quality assurance "
     "auditor commissions an audit programme, draws or adds its cases, names moderators and "
     "issues its report",
     "{field}: dim ond rheolwr gwasanaeth, y pennaeth gwasanaeth, y cyfarwyddwr neu archwilydd "
     "sicrhau ansawdd sy’n comisiynu rhaglen archwilio, yn dewis neu’n ychwanegu ei hachosion, "
     "yn enwi cymedrolwyr ac yn cyhoeddi ei hadroddiad"},
    {"not_area_manager", "{field}: {1} is not a service manager, head of service or director",
     "{field}: nid yw {1} yn rheolwr gwasanaeth, yn bennaeth gwasanaeth nac yn gyfarwyddwr"},
    {"ends_before_starts", "{field}: {1} is before the programme starts ({2})",
     "{field}: mae {1} cyn i’r rhaglen ddechrau ({2})"},
    {"no_auditors", "{field}: name at least one auditor", "{field}: enwch o leiaf un archwilydd"},
    {"grades_range", "{field}: a scale has 2 to 7 grades",
     "{field}: mae gan raddfa rhwng 2 a 7 gradd"},
    {"themes_count", "{field}: name 1 to 16 themes", "{field}: enwch rhwng 1 ac 16 thema"},
    {"no_critical", "{field}: name the grades that are a critical finding",
     "{field}: enwch y graddau sy’n ganfyddiad critigol"},
    {"critical_not_grade", "{field}: {1} is not a grade on the scale",
     "{field}: nid yw {1} yn radd ar y raddfa"},
    {"not_sha256", "{field}: must be a SHA-256 in hex (64 of 0-9 a-f)",
     "{field}: rhaid iddo fod yn SHA-256 mewn hecs (64 o 0-9 a-f)"},
    {"assigned_count", "{field}: must name one auditor for each case",
     "{field}: rhaid enwi un archwilydd ar gyfer pob achos"},
    {"sample_log_size", "{field}: is after this entry: it was made from the log before it",
     "{field}: mae ar ôl yr eitem hon: fe’i gwnaed o’r log cyn hynny"},
    {"moderator_is_auditor", "{field}: {1} audited the case; a second auditor moderates it",
     "{field}: {1} a archwiliodd yr achos; archwilydd arall sy’n ei gymedroli"},
    {"already_moderated", "{field}: child {1}'s audit has been moderated already",
     "{field}: mae archwiliad plentyn {1} wedi’i gymedroli eisoes"},
    {"not_the_auditor", "{field}: only the case's auditor grades child {1}'s case",
     "{field}: dim ond archwilydd yr achos sy’n graddio achos plentyn {1}"},
    {"not_the_moderator", "{field}: only the case's moderator moderates child {1}'s audit",
     "{field}: dim ond cymedrolwr yr achos sy’n cymedroli archwiliad plentyn {1}"},
    {"audit_not_completed", "{field}: child {1}'s audit is not completed yet",
     "{field}: nid yw archwiliad plentyn {1} wedi’i gwblhau eto"},
    {"pass_completed", "{field}: child {1}'s audit (or moderation) is completed: it is final",
     "{field}: mae archwiliad (neu gymedroli) plentyn {1} wedi’i gwblhau: mae’n derfynol"},
    {"grade_off_scale", "{field}: must be a grade from 1 to {1}",
     "{field}: rhaid iddo fod yn radd o 1 i {1}"},
    {"grade_or_not_applicable",
     "{field}: give a grade, or mark the theme not applicable (not both)",
     "{field}: rhowch radd, neu nodwch nad yw’r thema’n berthnasol (nid y ddau)"},
    {"not_a_theme", "{field}: \"{1}\" is not one of the programme's themes ({2})",
     "{field}: nid yw \"{1}\" yn un o themâu’r rhaglen ({2})"},
    {"evidence_not_entry", "{field}: {1} is not an earlier entry of the log",
     "{field}: nid yw {1} yn eitem gynharach yn y log"},
    {"evidence_other_child", "{field}: entry {1} is not in child {2}'s record",
     "{field}: nid yw eitem {1} yng nghofnod plentyn {2}"},
    {"themes_ungraded", "{field}: {1} of {2} themes graded; grade each (or mark it not applicable)",
     "{field}: {1} o {2} thema wedi’u graddio; graddiwch bob un (neu nodwch nad yw’n berthnasol)"},
    {"no_finding", "{field}: child {1}'s audit in programme {2} has no critical finding",
     "{field}: nid oes canfyddiad critigol yn archwiliad plentyn {1} yn rhaglen {2}"},
    {"finding_actioned", "{field}: the action on child {1}'s critical finding is recorded already",
     "{field}: mae’r cam a gymerwyd ar ganfyddiad critigol plentyn {1} wedi’i gofnodi eisoes"},
    {"before_finding", "{field}: {1} is before the finding ({2})",
     "{field}: mae {1} cyn y canfyddiad ({2})"},
    {"finding_who",
     "{field}: only the managers of child {1}'s worker, the programme's area manager, the head "
     "of service or the director record the action on a critical finding",
     "{field}: dim ond rheolwyr gweithiwr plentyn {1}, rheolwr ardal y rhaglen, y pennaeth "
     "gwasanaeth neu’r cyfarwyddwr sy’n cofnodi’r cam a gymerwyd ar ganfyddiad critigol"},
    {"report_issued", "{field}: programme {1}'s report {2} is issued: its content is settled",
     "{field}: mae adroddiad {2} rhaglen {1} wedi’i gyhoeddi: mae ei gynnwys yn derfynol"},
    {"recommendation_who",
     "{field}: only the programme's auditors, a service manager, the head of service, the "
     "director or a quality assurance auditor draft its recommendations and actions",
     "{field}: dim ond archwilwyr y rhaglen, rheolwr gwasanaeth, y pennaeth gwasanaeth, y "
     "cyfarwyddwr neu archwilydd sicrhau ansawdd sy’n drafftio ei hargymhellion a’i chamau"},
    {"no_recommendation", "{field}: no recommendation {1}", "{field}: nid oes argymhelliad {1}"},
    {"due_before_date", "{field}: {1} is before the day it is set ({2})",
     "{field}: mae {1} cyn y diwrnod y’i gosodwyd ({2})"},
    {"audits_open", "{field}: {1} of the programme's audits are not completed yet",
     "{field}: nid yw {1} o archwiliadau’r rhaglen wedi’u cwblhau eto"},
    {"no_recommendations", "{field}: programme {1} has no recommendations: make them first",
     "{field}: nid oes argymhellion gan raglen {1}: gwnewch nhw’n gyntaf"},
    {"report_stale",
     "{field}: programme {1}'s recommendations or actions changed while the report was made: "
     "issue it again",
     "{field}: newidiodd argymhellion neu gamau rhaglen {1} tra oedd yr adroddiad yn cael ei "
     "wneud: cyhoeddwch ef eto"},
    {"no_recipients", "{field}: name who must acknowledge the report",
     "{field}: enwch pwy sy’n gorfod cydnabod yr adroddiad"},
    {"audit_needs_staff",
     "{field}: auditing is done by a member of staff: ask an administrator to link your "
     "account to your staff record",
     "{field}: aelod o staff sy’n archwilio: gofynnwch i weinyddwr gysylltu eich cyfrif â’ch "
     "cofnod staff"},
    {"no_framework", "{field}: no audit framework {1} (there are standard and ofsted)",
     "{field}: nid oes fframwaith archwilio {1} (mae standard ac ofsted)"},
    {"not_your_programme",
     "{field}: audit programme {1} is for managers, quality assurance auditors, inspectors and "
     "its own auditors",
     "{field}: mae rhaglen archwilio {1} ar gyfer rheolwyr, archwilwyr sicrhau ansawdd, "
     "arolygwyr a’i harchwilwyr ei hun"},
    {"report_format", "{field}: \"{1}\" is not json, html or csv",
     "{field}: nid yw \"{1}\" yn json, html na csv"},
    {"no_report", "{field}: no audit report {1}", "{field}: nid oes adroddiad archwilio {1}"},
    {"no_report_of", "{field}: programme {1}'s report is not issued",
     "{field}: nid yw adroddiad rhaglen {1} wedi’i gyhoeddi"},
    {"not_a_recipient", "{field}: you are not a recipient of report {1}",
     "{field}: nid ydych yn un o dderbynwyr adroddiad {1}"},
    {"already_acknowledged", "{field}: you have acknowledged report {1} already",
     "{field}: rydych wedi cydnabod adroddiad {1} eisoes"},
    {"before_report", "{field}: {1} is before the report was issued ({2})",
     "{field}: mae {1} cyn i’r adroddiad gael ei gyhoeddi ({2})"},
    {"no_action", "{field}: no audit action {1}", "{field}: nid oes cam archwilio {1}"},
    {"report_not_issued", "{field}: action {1}'s report is not issued yet",
     "{field}: nid yw adroddiad cam {1} wedi’i gyhoeddi eto"},
    {"action_closed", "{field}: action {1} is closed", "{field}: mae cam {1} wedi’i gau"},
    {"not_the_owner", "{field}: only action {1}'s owner records its progress and completion",
     "{field}: dim ond perchennog cam {1} sy’n cofnodi ei gynnydd a’i gwblhau"},
    {"action_awaiting", "{field}: action {1} is awaiting sign-off already",
     "{field}: mae cam {1} yn aros am gymeradwyaeth eisoes"},
    {"action_not_awaiting", "{field}: action {1} is not awaiting sign-off",
     "{field}: nid yw cam {1} yn aros am gymeradwyaeth"},
    {"own_action", "{field}: action {1} is yours: someone else signs it off",
     "{field}: eich cam chi yw {1}: mae rhywun arall yn ei gymeradwyo"},
    {"action_who",
     "{field}: only a manager above action {1}'s owner, the report's issuer or recipients, the "
     "head of service or the director signs it off or returns it",
     "{field}: dim ond rheolwr uwchlaw perchennog cam {1}, cyhoeddwr neu dderbynwyr yr "
     "adroddiad, y pennaeth gwasanaeth neu’r cyfarwyddwr sy’n ei gymeradwyo neu’n ei ddychwelyd"},

    /* ---- the account's language ---- */
    {"language", "{field}: must be en or cy", "{field}: rhaid iddo fod yn en neu cy"},
    /* ---- improvement plans (src/improve/check.c, docs/improvement.md) ---- */
    {"imp_unknown", "{field}: {1} is not recorded", "{field}: nid yw {1} wedi’i gofnodi"},
    {"imp_used", "{field}: {1} is used already; give a new identifier",
     "{field}: mae {1} yn cael ei ddefnyddio eisoes; rhowch ddynodydd newydd"},
    {"imp_not_editor",
     "{field}: {1} may not change this improvement plan: the director, the plan's owner and its "
     "board's chair and members do",
     "{field}: ni chaiff {1} newid y cynllun gwella hwn: y cyfarwyddwr, perchennog y cynllun a "
     "chadeirydd ac aelodau ei fwrdd sy’n gwneud hynny"},
    {"imp_not_owner",
     "{field}: only action {1}'s owner ({2}) or an editor of its plan records its progress",
     "{field}: dim ond perchennog cam gweithredu {1} ({2}) neu olygydd ei gynllun sy’n cofnodi ei "
     "gynnydd"},
    {"imp_before_start", "{field}: {1} is before the inspection started ({2})",
     "{field}: mae {1} cyn i’r arolygiad ddechrau ({2})"},
    {"imp_before_end", "{field}: {1} is before the inspection ended ({2})",
     "{field}: mae {1} cyn i’r arolygiad ddod i ben ({2})"},
    {"imp_plan_within", "{field}: a notice gives at least one working day to write the plan",
     "{field}: mae hysbysiad yn rhoi o leiaf un diwrnod gwaith i ysgrifennu’r cynllun"},
    {"imp_outside_calendar",
     "{field}: the plan's due day falls outside caseward's calendar of working days",
     "{field}: mae dyddiad dyledus y cynllun y tu allan i galendr diwrnodau gwaith caseward"},
    {"imp_notice_other", "{field}: notice {1} is not about inspection {2}",
     "{field}: nid yw hysbysiad {1} yn ymwneud ag arolygiad {2}"},
    {"imp_plan_due", "{field}: a plan with no notice needs its due day",
     "{field}: mae angen dyddiad dyledus ar gynllun heb hysbysiad"},
    {"imp_plan_owner",
     "{field}: {1} is not a director or head of service in post; one of them owns the plan",
     "{field}: nid yw {1} yn gyfarwyddwr nac yn bennaeth gwasanaeth yn y swydd; un ohonynt sy’n "
     "berchen ar y cynllun"},
    {"imp_due_before", "{field}: {1} is before the day it is set ({2})",
     "{field}: mae {1} cyn y diwrnod y’i gosodir ({2})"},
    {"imp_member_already", "{field}: {1} is on plan {2}'s board already",
     "{field}: mae {1} ar fwrdd cynllun {2} eisoes"},
    {"imp_not_member", "{field}: {1} is not on plan {2}'s board",
     "{field}: nid yw {1} ar fwrdd cynllun {2}"},
    {"imp_submitted", "{field}: plan {1} was submitted already",
     "{field}: cyflwynwyd cynllun {1} eisoes"},
    {"imp_plan_empty", "{field}: plan {1} has no actions yet; a plan is submitted with its actions",
     "{field}: nid oes gan gynllun {1} gamau gweithredu eto; caiff cynllun ei gyflwyno gyda’i "
     "gamau"},
    {"imp_sha256", "{field}: is not a SHA-256 (64 lowercase hexadecimal characters)",
     "{field}: nid yw’n SHA-256 (64 o nodau hecsadegol llythrennau bach)"},
    {"imp_before_as_of", "{field}: {1} is before the day the report is for ({2})",
     "{field}: mae {1} cyn y diwrnod y mae’r adroddiad ar ei gyfer ({2})"},
    {"imp_deps_unknown_action", "{field}: action {1} depends on an action that is not recorded",
     "{field}: mae cam gweithredu {1} yn dibynnu ar gam nad yw wedi’i gofnodi"},
    {"imp_deps_other_plan", "{field}: action {1} depends on an action outside plan {2}",
     "{field}: mae cam gweithredu {1} yn dibynnu ar gam y tu allan i gynllun {2}"},
    {"imp_deps_cycle",
     "{field}: action {1}'s dependencies go round in a circle (it would wait for itself)",
     "{field}: mae dibyniaethau cam gweithredu {1} yn mynd mewn cylch (byddai’n aros amdano’i "
     "hun)"},
    {"imp_too_much", "{field}: {1} pence is more than caseward records in one amount ({2})",
     "{field}: mae {1} ceiniog yn fwy nag y mae caseward yn ei gofnodi mewn un swm ({2})"},
    {"imp_action_complete", "{field}: action {1} is complete (signed off); nothing more is added",
     "{field}: mae cam gweithredu {1} wedi’i gwblhau (wedi’i gymeradwyo); nid oes dim mwy yn cael "
     "ei ychwanegu"},
    {"imp_before_set", "{field}: {1} is before the action was set ({2})",
     "{field}: mae {1} cyn i’r cam gweithredu gael ei osod ({2})"},
    {"imp_no_change",
     "{field}: a change to action {1} names its new owner, due day or dependencies",
     "{field}: mae newid i gam gweithredu {1} yn enwi ei berchennog newydd, ei ddyddiad dyledus "
     "neu ei ddibyniaethau"},
    {"imp_awaiting", "{field}: action {1} awaits sign-off; it is signed off or returned first",
     "{field}: mae cam gweithredu {1} yn aros am gymeradwyaeth; caiff ei gymeradwyo neu ei "
     "ddychwelyd yn gyntaf"},
    {"imp_evidence_needs", "{field}: evidence of kind {1} needs it",
     "{field}: mae ei angen ar dystiolaeth o’r math {1}"},
    {"imp_audit_report", "{field}: {1} is not an issued case-file audit report",
     "{field}: nid yw {1} yn adroddiad archwilio ffeiliau achos a gyhoeddwyd"},
    {"imp_no_evidence",
     "{field}: action {1} has no evidence: add a measure with its target, an audit report or a "
     "document first",
     "{field}: nid oes tystiolaeth gan gam gweithredu {1}: ychwanegwch fesur gyda’i darged, "
     "adroddiad archwilio neu ddogfen yn gyntaf"},
    {"imp_dep_open", "{field}: action {1} depends on action {2}, which is not complete",
     "{field}: mae cam gweithredu {1} yn dibynnu ar gam gweithredu {2}, nad yw wedi’i gwblhau"},
    {"imp_not_awaiting", "{field}: action {1} does not await sign-off",
     "{field}: nid yw cam gweithredu {1} yn aros am gymeradwyaeth"},
    {"imp_own_sign_off",
     "{field}: action {1} is yours or you said it was done; someone other than its owner signs "
     "it off",
     "{field}: eich cam gweithredu chi yw {1} neu dywedoch chi ei fod wedi’i wneud; rhywun heblaw "
     "ei berchennog sy’n ei gymeradwyo"},
    {"imp_before_completed", "{field}: {1} is before the action was said to be done ({2})",
     "{field}: mae {1} cyn y dywedwyd bod y cam gweithredu wedi’i wneud ({2})"},
    {"imp_below_committed", "{field}: {1} is less than the {2} already committed from it",
     "{field}: mae {1} yn llai na’r {2} sydd wedi’i ymrwymo ohono eisoes"},
    {"imp_other_plan", "{field}: allocation {1} is not of plan {2}",
     "{field}: nid yw dyraniad {1} yn perthyn i gynllun {2}"},
    {"imp_zero", "{field}: must be above £0.00", "{field}: rhaid iddo fod yn fwy na £0.00"},
    {"imp_over_commit", "{field}: committing {1} is more than the allocation has uncommitted ({2})",
     "{field}: mae ymrwymo {1} yn fwy na’r hyn sydd heb ei ymrwymo yn y dyraniad ({2})"},
    {"imp_reversed", "{field}: spend {1} was reversed already",
     "{field}: mae gwariant {1} wedi’i wrthdroi eisoes"},
    /* ---- reading improvement plans (src/http/improve.c) ---- */
    {"imp_audit_recommendation", "{field}: {1} is not a recommendation of a case-file audit",
     "{field}: nid yw {1} yn argymhelliad o archwiliad ffeiliau achos"},
    {"imp_measure",
     "{field}: {1} is not one of the council's measures (caseward measures lists them)",
     "{field}: nid yw {1} yn un o fesurau’r cyngor (mae caseward measures yn eu rhestru)"},
    {"imp_finding_other", "{field}: finding {1} is not of inspection {2}, the plan's",
     "{field}: nid yw canfyddiad {1} yn perthyn i arolygiad {2}, arolygiad y cynllun"},
    {"imp_not_yet", "{field}: improvement plan {1} was not yet created on that day",
     "{field}: nid oedd cynllun gwella {1} wedi’i greu eto ar y diwrnod hwnnw"},
    {"imp_no_plan", "{field}: no improvement plan {1}", "{field}: nid oes cynllun gwella {1}"},
    {"imp_no_action", "{field}: no improvement action {1}",
     "{field}: nid oes cam gweithredu gwella {1}"},
    {"imp_not_reader",
     "{field}: you may not read improvement plan {1}: its board, the director, heads of "
     "service, service managers, QA auditors and inspectors read it, and an action's owner "
     "reads their own actions",
     "{field}: ni chewch ddarllen cynllun gwella {1}: ei fwrdd, y cyfarwyddwr, penaethiaid "
     "gwasanaeth, rheolwyr gwasanaeth, archwilwyr sicrhau ansawdd ac arolygwyr sy’n ei ddarllen, "
     "a pherchennog cam gweithredu sy’n darllen ei gamau ei hun"},
};

#define NMSG (sizeof catalogue / sizeof catalogue[0])

/* The Welsh names of fields: the web application's (web/app/messages, fields), kept the same
 * by tests/web/messages.test.mjs. */
static const struct {
    const char *id, *cy;
} names[] =
    {
#define FIELD(id, cy) {id, cy},
#define ROLE(id, cy)
#include "util/field_names.inc"
#undef FIELD
#undef ROLE
},
  roles[] = {
#define FIELD(id, cy)
#define ROLE(id, cy) {id, cy},
#include "util/field_names.inc"
#undef FIELD
#undef ROLE
};

/* A role's name in lang: in English its identifier (as the API has always given it). */
static const char *role_name(const char *role, cw_lang lang)
{
    if (lang == CW_LANG_CY)
        for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
            if (!strcmp(roles[i].id, role))
                return roles[i].cy;
    return role;
}

const char *cw_lang_code(cw_lang lang)
{
    return lang == CW_LANG_CY ? "cy" : "en";
}

cw_lang cw_lang_accept(const char *h, int *found)
{
    /* The first tag caseward speaks, in the order given: "cy-GB,cy;q=0.9,en" is Welsh. A tag
     * weighted q=0 is one the client refuses. */
    *found = 0;
    while (h && *h) {
        h += strspn(h, " \t,");
        const char *tag = h, *end = h + strcspn(h, ",");
        size_t n = strcspn(h, ",; \t");
        const char *q = strstr(h, ";q=");
        double w = q && q < end ? strtod(q + 3, NULL) : 1.0;
        h = end;
        if (w <= 0 || n < 2 || (n > 2 && tag[2] != '-'))
            continue;
        if (!strncasecmp(tag, "cy", 2) || !strncasecmp(tag, "en", 2)) {
            *found = 1;
            return tolower((unsigned char)tag[0]) == 'c' ? CW_LANG_CY : CW_LANG_EN;
        }
    }
    return CW_LANG_EN;
}

const char *cw_field_name(const char *field, cw_lang lang)
{
    if (lang == CW_LANG_CY)
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (!strcmp(names[i].id, field))
                return names[i].cy;
    return field;
}

int cw_message_entry(size_t i, const char **key, const char **en, const char **cy)
{
    if (i >= NMSG)
        return 0;
    *key = catalogue[i].key;
    *en = catalogue[i].en;
    *cy = catalogue[i].cy;
    return 1;
}

static const struct msg *find(const char *key)
{
    for (size_t i = 0; key && i < NMSG; i++)
        if (!strcmp(catalogue[i].key, key))
            return &catalogue[i];
    return NULL;
}

/* Appends s to out at *used, truncating (out stays terminated). */
static void put(char *out, size_t cap, size_t *used, const char *s, size_t n)
{
    if (*used + 1 >= cap)
        return;
    if (n > cap - 1 - *used)
        n = cap - 1 - *used;
    memcpy(out + *used, s, n);
    *used += n;
    out[*used] = '\0';
}

/* Writes template t into out at *used: {field} named in lang, {1} {2} the args, {inner} the
 * text inner. *after_field: where the text after "{field}: " starts. */
static void render(const char *t, cw_lang lang, const char *field, const char *a1, const char *a2,
                   const char *inner, char *out, size_t cap, size_t *used, size_t *after_field)
{
    while (*t) {
        const char *open = strchr(t, '{');
        if (!open) {
            put(out, cap, used, t, strlen(t));
            break;
        }
        put(out, cap, used, t, (size_t)(open - t));
        t = open;
        const char *v = NULL;
        size_t skip = 1;
        if (!strncmp(t, "{field}", 7)) {
            const char *f = cw_field_name(field, lang);
            put(out, cap, used, f, strlen(f));
            t += 7;
            if (!strncmp(t, ": ", 2)) {
                put(out, cap, used, ": ", 2);
                t += 2;
                *after_field = *used;
            }
            continue;
        }
        if (!strncmp(t, "{1}", 3))
            v = a1, skip = 3;
        else if (!strncmp(t, "{2}", 3))
            v = a2, skip = 3;
        else if (!strncmp(t, "{inner}", 7))
            v = inner, skip = 7;
        else if (!strncmp(t, "{role2}", 7))
            v = role_name(a2, lang), skip = 7;
        if (v)
            put(out, cap, used, v, strlen(v));
        else
            put(out, cap, used, t, 1);
        t += skip;
    }
}

cw_lang cw_message(const cw_error *err, cw_lang lang, char *out, size_t cap, const char **problem)
{
    const struct msg *m = find(err->key);
    size_t used = 0, after_field = 0;
    if (cap)
        out[0] = '\0';
    if (!m) {
        /* No key: the English as it was set. An unknown key says so. */
        if (err->key)
            snprintf(out, cap, "(message %s is not in the catalogue)", err->key);
        else if (out != err->msg)
            snprintf(out, cap, "%s", err->msg);
        if (problem)
            *problem = out;
        return CW_LANG_EN;
    }
    const char *t = lang == CW_LANG_CY ? m->cy : m->en;
    const struct msg *o = find(err->outer);
    if (o) {
        char inner[CW_ERROR_MSG_MAX];
        size_t n = 0, ignored = 0;
        inner[0] = '\0';
        render(t, lang, err->field, err->arg[0], err->arg[1], "", inner, sizeof inner, &n,
               &ignored);
        render(lang == CW_LANG_CY ? o->cy : o->en, lang, err->outer_field, err->outer_arg, "",
               inner, out, cap, &used, &after_field);
    } else {
        render(t, lang, err->field, err->arg[0], err->arg[1], "", out, cap, &used, &after_field);
    }
    if (problem)
        *problem = out + (after_field < cap ? after_field : 0);
    return lang;
}
