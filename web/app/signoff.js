// signoff.js — how sign-off and restriction read on a page (docs/events.md, "Sign-off",
// "Restriction"): the kind of work in words, an entry's sign-off as a tag and a sentence,
// the decisions' own entries in the chronology, the work a record has awaiting sign-off,
// and who a restricted record names. Pages only: nothing here reaches the API.
import {frag, h} from './dom.js';
import {formatDate, t, tMaybe} from './i18n.js';
import {link, tag} from './ui.js';

// The roles that restrict a record or change who may see it (restriction_changed).
export const RESTRICTERS = ['service_manager', 'head_of_service'];
export const MANAGERS = ['team_manager', 'service_manager', 'head_of_service'];

// The kind of work a sign-off is about, in words ("Assessment completed").
export const kindLabel = (kind) => tMaybe(`signoff.kinds.${kind}`) ?? kind;

// Whole days from one YYYY-MM-DD to another (UTC, as the server counts days); 0 at least.
export function daysBetween(from, to) {
  const ms = Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`);
  return Number.isNaN(ms) ? 0 : Math.max(0, Math.round(ms / 86400000));
}

// Where a chronology entry is, on the child's record (its row carries this id).
export const entryAnchor = (index) => `entry-${index}`;
export const entryHref = (childId, index) => `/children/${encodeURIComponent(childId)}#${entryAnchor(index)}`;

const line = (...children) => h('p', {class: 'govuk-body-s govuk-!-margin-bottom-1 cw-sign-off'}, ...children);

// An entry's sign-off (the chronology's `sign_off`): a tag and who did what, when. byIndex:
// the child's chronology by index, to find a return's reason. Null when none was needed.
export function signOffLine(so, names, byIndex = new Map()) {
  if (!so) return null;
  const who = (id) => names(id) || t('common.not_recorded');
  switch (so.state) {
    case 'pending':
      return line(tag(t('signoff.tag_pending'), 'blue'), ' ',
                  t('signoff.pending_text', {name: who(so.submitted_by), date: formatDate(so.submitted_on)}));
    case 'signed_off':
      return line(tag(t('signoff.tag_signed_off'), 'green'), ' ',
                  t('signoff.signed_off_text', {name: who(so.decided_by), date: formatDate(so.decided_on)}));
    case 'returned': {
      const reason = byIndex.get(so.decided_entry)?.payload?.reason;
      return line(tag(t('signoff.tag_returned'), 'red'), ' ',
                  t('signoff.returned_text', {name: who(so.decided_by), date: formatDate(so.decided_on)}),
                  reason ? ` ${t('signoff.reason', {reason})}` : '');
    }
    case 'claimed':
      return line(tag(t('signoff.tag_signed_off'), 'grey'), ' ', t('signoff.claimed_text', {name: who(so.decided_by)}));
    default:
      return null;
  }
}

// The details of a sign-off decision's own entry (work_signed_off, work_returned) and of a
// change of restriction, as a sentence; null for any other entry (shown field by field).
export function decisionDetails(e, names, byIndex = new Map()) {
  const p = e.payload || {};
  if (e.type === 'work_signed_off' || e.type === 'work_returned') {
    const work = byIndex.get(p.entry);
    const what = work ? kindLabel(work.sign_off?.kind || work.type) : t('signoff.an_entry');
    const ref = work ? link(`#${entryAnchor(p.entry)}`, t('signoff.entry_n', {n: p.entry})) : t('signoff.entry_n', {n: p.entry});
    return e.type === 'work_signed_off'
      ? h('p', {class: 'govuk-body-s'}, t('signoff.decision_signed_off', {what}), ' (', ref, ')',
          p.comment ? ` — ${p.comment}` : '')
      : h('p', {class: 'govuk-body-s'}, t('signoff.decision_returned', {what}), ' (', ref, ')',
          p.reason ? ` — ${p.reason}` : '');
  }
  if (e.type === 'restriction_changed') {
    const named = (p.restricted_to || []).map((id) => names(id)).join(', ');
    return h('p', {class: 'govuk-body-s'},
             p.restricted ? t('restriction.entry_restricted', {names: named || t('common.none')})
                          : t('restriction.entry_open'),
             p.reason ? ` ${t('signoff.reason', {reason: p.reason})}` : '');
  }
  return null;
}

// The work on a record that awaits sign-off or was returned: a summary-list row, or null.
export function awaitingRow(chronology, names, childId) {
  const items = chronology.filter((e) => e.sign_off && (e.sign_off.state === 'pending' || e.sign_off.state === 'returned'));
  if (!items.length) return null;
  return [t('signoff.on_record'), h('ul', {class: 'govuk-list'}, items.map((e) => h('li', {},
    link(entryHref(childId, e.index), t('signoff.on_record_item', {what: kindLabel(e.sign_off.kind), date: formatDate(e.date)})),
    ' ', e.sign_off.state === 'pending'
      ? t('signoff.on_record_pending', {name: names(e.sign_off.submitted_by), date: formatDate(e.sign_off.submitted_on)})
      : t('signoff.on_record_returned', {name: names(e.sign_off.decided_by), date: formatDate(e.sign_off.decided_on)}))))];
}

// Who a record's restriction names, from its chronology: the latest restriction_changed,
// or the registration (a correction cannot change either).
export function restrictionOf(chronology) {
  let last = null;
  for (const e of chronology) {
    if (e.type === 'restriction_changed' || (e.type === 'child_registered' && 'restricted' in (e.payload || {}))) last = e;
  }
  return last ? {restricted: !!last.payload.restricted, to: last.payload.restricted_to || [], entry: last} : null;
}

// The summary-list row of a restricted record: "Restricted", and whom it names.
export function restrictionRow(record, chronology, names) {
  if (!record.restricted) return null;
  const r = restrictionOf(chronology);
  const named = (r?.to || []).map((id) => names(id));
  return [t('child.restricted'), frag(tag(t('restriction.tag'), 'purple'), ' ',
    named.length ? t('restriction.named', {names: named.join(', ')}) : t('restriction.named_none'),
    h('br'), h('span', {class: 'govuk-hint govuk-!-margin-bottom-0'}, t('restriction.oversight')))];
}
