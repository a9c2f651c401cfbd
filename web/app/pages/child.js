// pages/child.js — a child's record: who they are, the signals, the work due
// with its dates, the chronology, and (for managers and inspectors) who has
// looked at the record. Every one of these reads is itself recorded.
import {api, seg} from '../api.js';
import {actorName, staffNames} from '../directory.js';
import {frag, h} from '../dom.js';
import {formatDate, language, packText, t, tMaybe, titleIn} from '../i18n.js';
import {button, dateText, h2, heading, link, p, summaryList, table, tag, warning} from '../ui.js';
import {CSE_ITEMS, FORMS} from '../forms.js';
import {childName} from './caseload.js';
import {RESTRICTERS, awaitingRow, decisionDetails, entryAnchor, restrictionRow, signOffLine} from '../signoff.js';

const WRITERS = ['social_worker', 'team_manager', 'service_manager', 'head_of_service'];
const LOG_READERS = ['team_manager', 'service_manager', 'head_of_service', 'inspector'];
const NOT_CORRECTED = ['work_signed_off', 'work_returned', 'restriction_changed'];

const STATE_COLOUR = {open: 'blue', overdue: 'red', met_on_time: 'green', met_late: 'yellow', missed: 'red'};
export const stateTag = (s) => tag(tMaybe(`states.${s}`) ?? s, STATE_COLOUR[s]);

// Whether a field of an event type takes one of a list of values (whose labels are in the
// catalogue), rather than free text.
const isOption = (type, name) => (FORMS[type] || []).some((f) => f.name === name && f.kind === 'enum') ||
  (type === 'cse_risk_assessment' && (name === 'override_band' || name in CSE_ITEMS));

// A value of an event's field, as a person reads it.
export function fieldValue(type, name, v, names) {
  if (v === true) return t('common.yes');
  if (v === false) return t('common.no');
  if (Array.isArray(v)) {
    if (type === 'cse_risk_assessment' && name in CSE_ITEMS) return v.map((x) => tMaybe(`cse.items.${x}`) ?? x).join(', ') || t('common.none');
    return v.map((x) => fieldValue(type, name, x, names)).join(', ') || t('common.none');
  }
  if (typeof v === 'string') {
    if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return formatDate(v);
    if (/_id$|^signed_off_by$|^decided_by$/.test(name) && names) {
      const n = names(v);
      if (n !== v) return n;
    }
    return isOption(type, name) ? tMaybe(`values.${v}`) ?? v : v;
  }
  return String(v);
}

export const eventLabel = (type) => tMaybe(`events.${type}`) ?? type;
export const fieldLabel = (name) => tMaybe(`fields.${name}`) ?? name.replace(/_/g, ' ');

// The label of a field in a chronology entry. A date is named as its own form names it
// ("Date of the visit"), which says which date it is.
export const entryFieldLabel = (type, name) =>
  (name === 'date' ? tMaybe(`forms.${type}.date`) : null) ?? fieldLabel(name);

// A value as it reads in a change: "Not recorded" for a detail the entry left out.
const changeValue = (type, name, v, names) =>
  (v === undefined || v === null ? t('common.not_recorded') : fieldValue(type, name, v, names));

// One change, as "Label: before → after"; before is left out when it is not known.
export function changeItem(type, name, before, after, names, known = true) {
  const value = known ? t('child.change', {before: changeValue(type, name, before, names), after: changeValue(type, name, after, names)})
    : changeValue(type, name, after, names);
  return h('li', {}, h('span', {class: 'govuk-!-font-weight-bold'}, `${entryFieldLabel(type, name)}: `), value);
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// What a correction changed, field by field: [{name, before, after}] and the entry it
// corrects (null when the chronology does not hold it). `before` is what the entry said
// just before this correction: as first recorded (the chronology's `original`), with any
// earlier corrections' changes applied. byIndex: the chronology's entries by index.
export function correctionChanges(corr, byIndex) {
  const target = byIndex.get(corr.payload?.corrects) || null;
  let before = null;
  if (target) {
    before = {...(target.original || target.payload)};
    for (const k of [...(target.corrected_by || [])].sort((a, b) => a - b)) {
      if (k >= corr.index) break;
      Object.assign(before, byIndex.get(k)?.payload?.changes || {});
    }
  }
  const changes = Object.entries(corr.payload?.changes || {}).map(([name, after]) =>
    ({name, before: before ? before[name] : undefined, after}));
  return {target, changes};
}

// The details of a chronology entry: every field but the child and the date. A field a
// correction changed reads "Label: as first recorded → as it is now"; a correction lists
// what it changed the same way.
function details(entry, names, byIndex) {
  if (entry.type === 'correction') return correctionDetails(entry, names, byIndex);
  const original = entry.original || entry.payload || {};
  const changed = (k) => entry.original && !same(original[k], entry.payload?.[k]);
  const keys = [...new Set([...Object.keys(entry.payload || {}), ...Object.keys(original)])]
    .filter((k) => k !== 'child_id' && (k !== 'date' || changed(k)));
  // Personal data erased (docs/privacy.md): the field was there; what it said is gone.
  const removed = new Set(entry.removed?.fields || []);
  const rows = keys.map((k) => (removed.has(k)
    ? h('li', {}, h('span', {class: 'govuk-!-font-weight-bold'}, `${fieldLabel(k)}: `),
        h('span', {class: 'cw-removed'}, t('child.removed_value')))
    : changed(k)
    ? changeItem(entry.type, k, original[k], entry.payload?.[k], names)
    : h('li', {}, h('span', {class: 'govuk-!-font-weight-bold'}, `${fieldLabel(k)}: `),
        fieldValue(entry.type, k, entry.payload[k], names))));
  return frag(rows.length ? h('ul', {class: 'govuk-list govuk-body-s'}, rows) : null,
              entry.removed ? h('p', {class: 'govuk-body-s cw-removed-note'},
                tag(t('child.removed_tag'), 'grey'), ' ',
                t('child.removed', {date: formatDate(entry.removed.on), under: entry.removed.under_label}))
                : null,
              entry.corrected_by?.length ? h('p', {class: 'govuk-body-s'},
                tag(t('child.corrected'), 'yellow'), ' ', t('child.corrected_by', {list: entry.corrected_by.join(', ')}))
                : null);
}

// A correction: the entry it corrects, why, and each change as "Label: before → after".
function correctionDetails(entry, names, byIndex) {
  const {target, changes} = correctionChanges(entry, byIndex);
  const payload = entry.payload || {};
  const bold = (text) => h('span', {class: 'govuk-!-font-weight-bold'}, text);
  return h('ul', {class: 'govuk-list govuk-body-s'},
    h('li', {}, bold(`${fieldLabel('corrects')}: `),
      target ? t('child.corrects_value', {what: eventLabel(target.type), date: formatDate(target.date), index: payload.corrects})
        : String(payload.corrects)),
    payload.reason ? h('li', {}, bold(`${fieldLabel('reason')}: `), payload.reason) : null,
    changes.map((c) => changeItem(target?.type, c.name, c.before, c.after, names, !!target)));
}

export async function child({params, me}) {
  const id = params.id;
  const base = `/api/v1/children/${seg(id)}`;
  const [record, ob, chron, names] = await Promise.all([
    api.get(base), api.get(`${base}/obligations`), api.get(`${base}/chronology`), staffNames(),
  ]);
  // Read after the record, so that this look is in it too.
  const log = LOG_READERS.includes(me.role) ? await api.get(`${base}/access-log`) : null;
  const name = childName(record);
  const open = ob.obligations.filter((o) => o.state === 'open' || o.state === 'overdue');
  const done = ob.obligations.filter((o) => o.state !== 'open' && o.state !== 'overdue');
  const obligationRows = (list) => list.map((o) => [
    packText(o), dateText(o.due), stateTag(o.state),
    o.met_on ? formatDate(o.met_on) : o.state === 'overdue' ? t('child.days_overdue', {n: o.days_overdue}) : '',
    o.escalate_to ? t('child.escalated_to', {role: t(`roles.${o.escalate_to}`)}) : '',
  ]);
  const obHead = [{text: t('child.work'), sort: (o) => titleIn(o, language())}, {text: t('child.due'), sort: (o) => o.due},
                  {text: t('child.state'), sort: (o) => o.state}, {text: t('child.met_or_late')},
                  {text: t('child.escalation')}];
  const entries = [...chron.chronology].reverse();
  const byIndex = new Map(chron.chronology.map((e) => [e.index, e]));
  // Staff correct casework entries; a correction is not itself corrected, nor is caseward's own,
  // a sign-off decision or a change of restriction (docs/events.md).
  const canCorrect = (e) => WRITERS.includes(me.role) && e.type !== 'correction' &&
    e.type !== 'escalation_raised' && !String(e.actor).startsWith('system:') && !NOT_CORRECTED.includes(e.type);
  return {
    title: t('child.title', {id}),
    body: frag(
      heading(name, {caption: t('child.caption', {id})}),
      WRITERS.includes(me.role) ? button(t('child.record'), {href: `/children/${seg(id)}/record`}) : null,
      RESTRICTERS.includes(me.role) ? button(t('restriction.change'), {href: `/children/${seg(id)}/restriction`, secondary: true}) : null,
      ob.signals.length ? warning(t('child.signals_warning', {n: ob.signals.length})) : null,
      summaryList([
        [t('fields.child_id'), record.child_id],
        [t('fields.date_of_birth'), dateText(record.date_of_birth)],
        [t('fields.gender'), fieldValue('child_registered', 'gender', record.gender)],
        [t('fields.ethnicity'), record.ethnicity],
        [t('fields.language'), fieldValue('child_registered', 'language', record.language)],
        [t('fields.family_language'), record.family_language
          ? fieldValue('child_registered', 'family_language', record.family_language) : null],
        [t('fields.address'), record.address],
        [t('child.worker'), record.worker_id ? names(record.worker_id) : t('children.unallocated')],
        [t('caseload.status'), t(`status.${record.case_status}`)],
        record.cp_category && [t('child.cp'), t('child.cp_since', {category: fieldValue('conference_held', 'category', record.cp_category), date: formatDate(record.cp_since)})],
        record.looked_after_since && [t('child.looked_after'), t('child.la_since', {date: formatDate(record.looked_after_since), placement: fieldValue('looked_after_started', 'placement_type', record.placement_type || '')})],
        restrictionRow(record, chron.chronology, names),
        awaitingRow(chron.chronology, names, id),
      ]),
      h2(t('child.signals'), {id: 'signals'}),
      ob.signals.length
        ? table({head: [{text: t('child.signal')}, {text: t('child.since')}, {text: t('child.escalation')}],
                 rows: ob.signals.map((s) => [packText(s), dateText(s.since),
                                              s.escalate_to ? t('child.escalated_to', {role: t(`roles.${s.escalate_to}`)}) : ''])})
        : p(t('child.no_signals')),
      h2(t('child.obligations'), {id: 'obligations'}),
      table({caption: t('child.open_work', {date: formatDate(ob.as_of)}), head: obHead, rows: obligationRows(open), data: open, id: 'open-work'}),
      table({caption: t('child.done_work'), head: obHead, rows: obligationRows(done), data: done, id: 'done-work'}),
      h2(t('child.chronology'), {id: 'chronology'}),
      table({caption: t('child.chronology_caption'), id: 'chronology-table',
             head: [{text: t('child.date'), sort: (e) => `${e.date}${String(e.index).padStart(12, '0')}`},
                    {text: t('child.what'), sort: (e) => eventLabel(e.type)}, {text: t('child.details')},
                    {text: t('child.recorded_by')}],
             data: entries, rowId: (e) => entryAnchor(e.index),
             rows: entries.map((e) => [formatDate(e.date), eventLabel(e.type),
                                       frag(decisionDetails(e, names, byIndex) ?? details(e, names, byIndex),
                                            signOffLine(e.sign_off, names, byIndex),
                                            canCorrect(e) ? link(`/children/${seg(id)}/record/correction?entry=${e.index}`,
                                                                 t('child.correct'), {'aria-label': t('child.correct_label', {what: eventLabel(e.type), date: formatDate(e.date)})}) : null),
                                       actorName(names, e.actor)])}),
      log ? frag(h2(t('child.access_log'), {id: 'access-log'}), p(t('child.access_log_intro')),
                 table({id: 'access-log-table',
                        head: [{text: t('child.when')}, {text: t('child.who')}, {text: t('child.request')},
                               {text: t('child.allowed')}],
                        rows: [...log.access_log].reverse().slice(0, 200).map((a) => [
                          a.at.replace('T', ' ').slice(0, 19), actorName(names, a.actor), a.what,
                          a.allowed ? tag(t('common.yes'), 'green') : tag(t('child.refused'), 'red')])}))
          : null),
  };
}
