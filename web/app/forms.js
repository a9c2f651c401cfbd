// forms.js — what each casework command's form asks (docs/events.md). The
// labels, hints and option names are in the message catalogue: forms.TYPE.FIELD
// first, then fields.FIELD; values.VALUE for options.
//
// Field kinds:
//   date      a GOV.UK date input (YYYY-MM-DD); today by default
//   yesno     radios, true or false
//   enum      radios of `options`
//   text      a one-line text input; textarea: several lines (`limit` bytes)
//   staff     a select of staff (`who`: 'managers', 'workers', 'reports' or 'all')
//   ref       radios of the child's records of a kind (`of`), from the chronology
//   newid     an identifier made here (`prefix`), not asked for
//   views     the child's views, or why they were not obtained (one is required)
//   cse       the CSE risk assessment's items, scored as they are ticked
//   cases     checkboxes of the team's open cases (a supervision)
// `required` marks what must be given; `when: [field, value]` shows a field
// inside its radios' option, and only then is it sent, or required.

const SOURCES = ['police', 'school', 'health', 'self', 'family', 'neighbour', 'anonymous',
                 'local_authority', 'other'];
const PLACEMENTS = ['foster', 'kinship', 'residential', 'with_parents', 'adoption', 'other'];
// Placements visited weekly until the first review (CPPCR (Wales) 2015 reg 31(3)-(4)).
const INTERIM = ['parent_before_assessment', 'temporary_approval', 'interim_care_order_at_home'];

const date = {name: 'date', kind: 'date', required: true};
// The Active Offer (docs/events.md): was the work offered in Welsh without being asked, and
// the language it was carried out in. Optional: the measures count work that does not say.
const LANGUAGES = ['english', 'welsh', 'bilingual', 'other'];
const activeOffer = [{name: 'active_offer_made', kind: 'yesno'},
                     {name: 'service_language', kind: 'enum', options: LANGUAGES}];

// Who decided a referral and who signed off an assessment are not asked: the server
// records the signed-in person as the actor, and a manager's sign-off is their own act.

export const FORMS = {
  statutory_visit: [date,
    {name: 'seen', kind: 'yesno', required: true},
    {name: 'seen_alone', kind: 'yesno', required: true},
    {name: 'not_seen_alone_reason', kind: 'text', limit: 1000, when: ['seen_alone', 'false']},
    {name: 'location', kind: 'enum', options: ['home', 'school', 'office', 'other']},
    {name: 'bedroom_seen', kind: 'yesno', when: ['location', 'home']},
    ...activeOffer,
    {name: 'views', kind: 'views'}],
  case_note: [date, {name: 'text', kind: 'textarea', limit: 8000, required: true}],
  contact_received: [{name: 'contact_id', kind: 'newid', prefix: 'CT'}, date,
    {name: 'source', kind: 'enum', options: SOURCES, required: true},
    {name: 'reason', kind: 'textarea', limit: 2000, required: true},
    {name: 'cse_concern', kind: 'yesno'}],
  referral_received: [{name: 'referral_id', kind: 'newid', prefix: 'R'}, date,
    {name: 'source', kind: 'enum', options: SOURCES, required: true},
    {name: 'reason', kind: 'textarea', limit: 2000, required: true},
    {name: 'cse_concern', kind: 'yesno'}],
  contact_decided: [{name: 'contact_id', kind: 'ref', of: 'open_contacts', required: true}, date,
    {name: 'outcome', kind: 'enum', options: ['no_further_action', 'information_and_advice', 'early_help', 'referral'], required: true}],
  referral_decided: [{name: 'referral_id', kind: 'ref', of: 'open_referrals', required: true}, date,
    {name: 'decision', kind: 'enum', options: ['no_further_action', 'assessment', 'strategy_discussion'], required: true}],
  assessment_started: [{name: 'assessment_id', kind: 'newid', prefix: 'A'}, date,
    {name: 'referral_id', kind: 'ref', of: 'referrals'}],
  assessment_completed: [{name: 'assessment_id', kind: 'ref', of: 'open_assessments', required: true}, date,
    {name: 'child_seen', kind: 'yesno', required: true},
    {name: 'child_seen_date', kind: 'date', when: ['child_seen', 'true'], required: true, noDefault: true},
    ...activeOffer,
    {name: 'views', kind: 'views'},
    {name: 'analysis', kind: 'textarea', limit: 8000, required: true},
    {name: 'outcome', kind: 'enum', required: true,
     options: ['no_further_action', 'care_and_support_plan', 'child_protection', 'looked_after', 'other_services']}],
  strategy_discussion_held: [{name: 'strategy_id', kind: 'newid', prefix: 'SD'}, date,
    {name: 'decision', kind: 'enum', options: ['section_47', 'no_further_action', 'other'], required: true},
    {name: 'cse', kind: 'yesno'}],
  section_47_started: [{name: 'enquiry_id', kind: 'newid', prefix: 'S47'}, date,
    {name: 'strategy_id', kind: 'ref', of: 'strategies'}],
  section_47_completed: [{name: 'enquiry_id', kind: 'ref', of: 'open_enquiries', required: true}, date,
    {name: 'outcome', kind: 'enum', options: ['initial_conference', 'child_in_need', 'no_further_action'], required: true}],
  conference_held: [{name: 'conference_id', kind: 'newid', prefix: 'CC'}, date,
    {name: 'kind', kind: 'enum', options: ['initial', 'review'], required: true},
    {name: 'decision', kind: 'enum', options: ['register', 'continue', 'deregister', 'not_registered'], required: true},
    {name: 'category', kind: 'enum', options: ['neglect', 'physical', 'sexual', 'emotional'], when: ['decision', 'register'], required: true}],
  core_group_held: [date],
  plan_recorded: [{name: 'plan_id', kind: 'newid', prefix: 'P'}, date,
    {name: 'kind', kind: 'enum', required: true,
     options: ['care_and_support', 'child_protection_outline', 'child_protection', 'looked_after', 'placement', 'personal_education', 'pathway']}],
  looked_after_started: [date,
    {name: 'placement_id', kind: 'text', limit: 64, id: true, required: true},
    {name: 'placement_type', kind: 'enum', options: PLACEMENTS, required: true},
    {name: 'until_18', kind: 'yesno'},
    {name: 'interim_arrangement', kind: 'enum', options: INTERIM}],
  placement_changed: [date,
    {name: 'placement_id', kind: 'text', limit: 64, id: true, required: true},
    {name: 'placement_type', kind: 'enum', options: PLACEMENTS, required: true},
    {name: 'school_changed', kind: 'yesno'},
    {name: 'until_18', kind: 'yesno'},
    {name: 'interim_arrangement', kind: 'enum', options: INTERIM}],
  looked_after_ended: [date,
    {name: 'reason', kind: 'enum', options: ['returned_home', 'adoption', 'special_guardianship', 'age_18', 'other'], required: true}],
  looked_after_review_held: [date],
  health_check_recorded: [date,
    {name: 'kind', kind: 'enum', options: ['gp_registration', 'dental_check', 'health_assessment'], required: true}],
  cse_risk_assessment: [date, {name: 'cse', kind: 'cse'}],
  missing_episode: [{name: 'episode_id', kind: 'newid', prefix: 'M'}, date,
    {name: 'returned', kind: 'date', noDefault: true},
    {name: 'return_interview', kind: 'yesno'}],
  return_interview: [{name: 'episode_id', kind: 'ref', of: 'missing_episodes', required: true}, date,
    {name: 'conducted_by', kind: 'text', limit: 200, required: true},
    {name: 'accepted', kind: 'yesno', required: true}],
  // Care leavers (docs/events.md, "Care leavers"): the status, its needs assessment, the
  // personal adviser's visits. The pathway plan is a plan_recorded of kind pathway.
  leaving_care_status: [date,
    {name: 'status', kind: 'enum', options: ['eligible', 'relevant', 'former_relevant', 'former_relevant_education', 'qualifying'],
     required: true},
    {name: 'accommodated_by_authority', kind: 'yesno'}],
  needs_assessment_completed: [date, ...activeOffer, {name: 'views', kind: 'views'}],
  personal_adviser_visit: [date,
    {name: 'adviser', kind: 'text', limit: 200, required: true},
    {name: 'seen', kind: 'yesno', required: true}],
  case_allocated: [{name: 'worker_id', kind: 'staff', who: 'workers', required: true}, date],
  case_transferred: [{name: 'worker_id', kind: 'staff', who: 'workers', required: true}, date,
    {name: 'reason', kind: 'textarea', limit: 1000}],
  case_closed: [date, {name: 'reason', kind: 'textarea', limit: 1000, required: true}],
  case_reopened: [date, {name: 'reason', kind: 'textarea', limit: 1000, required: true}],
  correction: [{name: 'corrects', kind: 'entry', required: true},
    {name: 'reason', kind: 'textarea', limit: 1000, required: true}],
  // Not about one child: reached from the menu.
  supervision_held: [{name: 'supervisee_id', kind: 'staff', who: 'reports', required: true},
    {name: 'supervisor_id', kind: 'staff', who: 'managers', required: true, defaultMe: true}, date,
    {name: 'cases_discussed', kind: 'cases'},
    {name: 'decisions', kind: 'textarea', limit: 4000, required: true},
    {name: 'actions', kind: 'textarea', limit: 4000}],
  // A manager names who signs off in their place until a day (docs/events.md, deputy_named).
  deputy_named: [{name: 'manager_id', kind: 'staff', who: 'managers', required: true, defaultMe: true},
    {name: 'deputy_id', kind: 'staff', who: 'managers', required: true},
    {name: 'until', kind: 'date', required: true, noDefault: true, future: true}],
  child_registered: [{name: 'child_id', kind: 'text', limit: 64, id: true, required: true},
    {name: 'given_name', kind: 'text', limit: 100, required: true},
    {name: 'family_name', kind: 'text', limit: 100, required: true},
    {name: 'date_of_birth', kind: 'date', required: true, noDefault: true, future: true},
    {name: 'gender', kind: 'enum', options: ['female', 'male', 'other', 'not_known'], required: true},
    {name: 'ethnicity', kind: 'text', limit: 60},
    {name: 'language', kind: 'enum', options: ['english', 'welsh', 'other'], required: true},
    {name: 'family_language', kind: 'enum', options: ['english', 'welsh', 'other']},
    {name: 'address', kind: 'textarea', limit: 300, rows: 3},
    {...date, required: false}],
};

// The commands about one child that name their record (the referral, the assessment, the
// enquiry) and not the child: the server finds the child from the record, and refuses a
// child_id, which is not a field of these events (docs/events.md).
const NAMES_ITS_RECORD = new Set(['contact_decided', 'referral_decided', 'assessment_completed', 'section_47_completed',
                                  'return_interview']);

// Whether a command's payload carries the child's identifier (a child's page sends it).
export const sendsChildId = (type) => type !== 'correction' && !NAMES_ITS_RECORD.has(type);

// The commands about one child, in the order a worker meets them.
export const CHILD_COMMANDS = [
  ['casework', ['case_note', 'statutory_visit', 'cse_risk_assessment', 'missing_episode', 'return_interview',
                'health_check_recorded']],
  ['front_door', ['contact_received', 'contact_decided', 'referral_received', 'referral_decided']],
  ['assessment', ['assessment_started', 'assessment_completed']],
  ['protection', ['strategy_discussion_held', 'section_47_started', 'section_47_completed', 'conference_held',
                  'core_group_held', 'plan_recorded']],
  ['looked_after', ['looked_after_started', 'placement_changed', 'looked_after_review_held', 'looked_after_ended']],
  ['leaving_care', ['leaving_care_status', 'needs_assessment_completed', 'personal_adviser_visit']],
  ['case', ['case_allocated', 'case_transferred', 'case_closed', 'case_reopened']],
];

// SERAF-style CSE screening (docs/events.md): each vulnerability and moderate
// indicator scores 1, each significant indicator 5 if present in the last 6 months and 1 if
// present 6 to 12 months ago (SERAF's two columns).
export const CSE_ITEMS = {
  vulnerabilities: ['history_of_abuse', 'domestic_abuse_at_home', 'parental_substance_misuse',
                    'parental_mental_ill_health', 'looked_after', 'disrupted_education',
                    'learning_disability', 'bereavement_or_loss', 'low_self_esteem',
                    'isolated_from_peers', 'homelessness', 'young_carer'],
  moderate_indicators: ['missing_from_home_or_care', 'unexplained_gifts_or_money', 'older_associates',
                        'truancy', 'sexual_health_concerns', 'substance_misuse',
                        'secretive_phone_or_online_use', 'staying_out_late', 'change_in_appearance',
                        'peers_involved_in_exploitation'],
  significant_indicators: ['repeatedly_missing_overnight', 'seen_in_known_hotspots',
                           'disclosure_of_exploitation', 'sexually_transmitted_infection',
                           'abduction_or_trafficking', 'association_with_known_perpetrators'],
};
CSE_ITEMS.significant_indicators_earlier = CSE_ITEMS.significant_indicators;
export const CSE_WEIGHT = {vulnerabilities: 1, moderate_indicators: 1, significant_indicators: 5,
                           significant_indicators_earlier: 1};
export const CSE_BANDS = ['no_apparent_risk', 'mild', 'moderate', 'significant'];

export function cseScore(ticked) {
  let score = 0;
  for (const [group, items] of Object.entries(ticked)) score += (CSE_WEIGHT[group] || 0) * items.length;
  return score;
}

export function cseBand(score) {
  return score >= 16 ? 'significant' : score >= 11 ? 'moderate' : score >= 6 ? 'mild' : 'no_apparent_risk';
}

// The child's records a `ref` field offers, from the chronology.
export function references(chronology, of) {
  const ids = (type, key) => chronology.filter((e) => e.type === type).map((e) => ({id: e.payload[key], entry: e}));
  const closed = (type, key) => new Set(chronology.filter((e) => e.type === type).map((e) => e.payload[key]));
  switch (of) {
    case 'referrals': return ids('referral_received', 'referral_id');
    case 'missing_episodes': return ids('missing_episode', 'episode_id');
    case 'open_contacts': {
      const done = closed('contact_decided', 'contact_id');
      return ids('contact_received', 'contact_id').filter((r) => !done.has(r.id));
    }
    case 'open_referrals': {
      const done = closed('referral_decided', 'referral_id');
      return ids('referral_received', 'referral_id').filter((r) => !done.has(r.id));
    }
    case 'open_assessments': {
      const done = closed('assessment_completed', 'assessment_id');
      return ids('assessment_started', 'assessment_id').filter((r) => !done.has(r.id));
    }
    case 'strategies': return ids('strategy_discussion_held', 'strategy_id');
    case 'open_enquiries': {
      const done = closed('section_47_completed', 'enquiry_id');
      return ids('section_47_started', 'enquiry_id').filter((r) => !done.has(r.id));
    }
    default: return [];
  }
}

// A new identifier: PREFIX-CHILD-time in base 36, unique enough for one
// council's clicks and readable in a chronology.
export function newId(prefix, childId) {
  const stamp = `${prefix}${Date.now().toString(36).toUpperCase()}`;
  // Identifiers are at most 64 characters: a long child identifier is shortened.
  return childId ? `${childId.slice(0, 63 - stamp.length)}-${stamp}` : stamp;
}

// The fields a correction may change (docs/events.md): not the record's own identifiers,
// nor who was supervised or the cases discussed, nor who decided a referral or signed off
// an assessment (each is that person's own act, not a detail someone else puts right).
const NOT_CORRECTABLE = new Set(['child_id', 'contact_id', 'referral_id', 'assessment_id', 'strategy_id',
                                 'enquiry_id', 'conference_id', 'plan_id', 'episode_id', 'supervisee_id',
                                 'supervisor_id', 'cases_discussed', 'corrects', 'decided_by',
                                 'signed_off_by']);
export function correctable(type, payload) {
  const names = new Set(Object.keys(payload));
  for (const f of FORMS[type] || []) {
    if (f.kind === 'views') ['views', 'views_not_obtained_reason'].forEach((n) => names.add(n));
    else if (f.kind === 'cse') [...Object.keys(CSE_ITEMS), 'override_band', 'override_reason'].forEach((n) => names.add(n));
    else names.add(f.name);
  }
  return [...names].filter((n) => !NOT_CORRECTABLE.has(n));
}

// The kind of a field of a type, as forms.js says ('text' when it does not say).
export function kindOf(type, name) {
  if (name in CSE_ITEMS) return 'list';
  if (name === 'override_band') return 'enum';
  const f = (FORMS[type] || []).find((x) => x.name === name);
  return f ? f.kind : 'text';
}
export const optionsOf = (type, name) =>
  name === 'override_band' ? CSE_BANDS : (FORMS[type] || []).find((x) => x.name === name)?.options || [];
