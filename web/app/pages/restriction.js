// pages/restriction.js — who may see a child's record (restriction_changed, docs/events.md
// "Restriction"): restricted or not, the staff named on it, and why. Only a service manager
// or the head of service changes it; the server refuses anyone else, and this page offers it
// to no one else. A restricted record stays open to oversight: its allocated worker, the
// management chain above them, the head of service and inspectors.
import {api, seg, withoutField} from '../api.js';
import {staffList} from '../directory.js';
import {frag, h} from '../dom.js';
import {enhance} from '../govuk.js';
import {t} from '../i18n.js';
import {button, checkboxes, clearNotice, dateInput, errorSummary, heading, link, p, radios, readDate, textarea,
        today} from '../ui.js';
import {RESTRICTERS, restrictionOf} from '../signoff.js';
import {childName} from './caseload.js';

const bytes = (s) => new TextEncoder().encode(s).length;
const ANCHORS = {date: '#f-date-day', restricted: '#f-restricted', restricted_to: '#f-restricted_to', reason: '#f-reason'};

export async function restriction({params, me, navigate}) {
  const id = params.id;
  if (!RESTRICTERS.includes(me.role)) {
    return {title: t('restriction.only_title'),
            body: frag(heading(t('restriction.only_title')), p(t('restriction.only')), p(link(`/children/${seg(id)}`, t('restriction.back'))))};
  }
  const [record, chron, staff] = await Promise.all([
    api.get(`/api/v1/children/${seg(id)}`), api.get(`/api/v1/children/${seg(id)}/chronology`), staffList(),
  ]);
  const name = childName(record);
  const now = restrictionOf(chron.chronology);
  // The version of who may see the record that this page shows: the latest entry that set it.
  const version = Math.max(...chron.chronology
    .filter((e) => e.type === 'child_registered' || e.type === 'restriction_changed').map((e) => e.index));
  const worker = staff.find((s) => s.staff_id === record.worker_id);
  // Current staff, the allocated worker's team first.
  const near = (s) => (worker && s.team_id && s.team_id === worker.team_id ? 0 : 1);
  const people = staff.filter((s) => !s.left_on)
    .sort((a, b) => near(a) - near(b) || a.name.localeCompare(b.name))
    .map((s) => [s.staff_id, t('record.staff_option', {name: s.name, role: t(`roles.${s.role}`)})]);
  const values = {date: today(), restricted: record.restricted ? 'true' : 'false',
                  restricted_to: now?.to || [], reason: ''};
  const title = t('restriction.title_id', {id});
  const body = h('div', {class: 'govuk-grid-row'});

  const show = (errors = {}, summary = []) => {
    const named = checkboxes('restricted_to', t('restriction.who'), people,
                             {hint: t('restriction.who_hint'), error: errors.restricted_to, values: values.restricted_to, small: true});
    body.replaceChildren(h('div', {class: 'govuk-grid-column-two-thirds'},
      summary.length ? errorSummary(summary) : null,
      heading(t('restriction.title'), {caption: t('record.about', {name, id})}),
      p(record.restricted ? t('restriction.now_restricted') : t('restriction.now_open')),
      p(t('restriction.intro')),
      h('form', {novalidate: true, onsubmit: submit},
        radios('restricted', t('restriction.question'), [['true', t('restriction.yes'), named], ['false', t('restriction.no')]],
               {error: errors.restricted, value: values.restricted}),
        dateInput('date', t('fields.date'), {hint: t('date.hint'), error: errors.date, value: values.date}),
        textarea('reason', t('restriction.reason'), {hint: t('restriction.reason_hint'), error: errors.reason, value: values.reason, rows: 3}),
        h('div', {class: 'govuk-button-group'}, button(t('record.save')), link(`/children/${seg(id)}`, t('record.cancel'))))));
  };

  async function submit(ev) {
    ev.preventDefault();
    const form = ev.target;
    values.restricted = form.querySelector('input[name="restricted"]:checked')?.value ?? '';
    values.restricted_to = [...form.querySelectorAll('input[name="restricted_to"]:checked')].map((x) => x.value);
    values.reason = form.elements.reason.value;
    const date = readDate(form, 'date');
    values.date = date === null ? {day: form.elements['date-day'].value, month: form.elements['date-month'].value, year: form.elements['date-year'].value} : date;
    const errors = {};
    if (date === null) errors.date = t('errors.date_invalid', {label: t('fields.date')});
    else if (!date) errors.date = t('errors.enter', {label: t('fields.date').toLowerCase()});
    else if (date > today()) errors.date = t('errors.date_future', {label: t('fields.date')});
    if (!values.restricted) errors.restricted = t('restriction.choose');
    if (!values.reason.trim()) errors.reason = t('restriction.reason_needed');
    else if (bytes(values.reason) > 1000) errors.reason = t('errors.too_long', {label: t('restriction.reason').toLowerCase(), n: 1000});
    let summary = Object.entries(errors).map(([k, text]) => ({href: ANCHORS[k], text}));
    if (!summary.length) {
      const restricted = values.restricted === 'true';
      const payload = {child_id: id, date, restricted, reason: values.reason.trim(), based_on: version};
      // Staff are named only on a restricted record (the server refuses names on an open one).
      if (restricted) payload.restricted_to = values.restricted_to;
      form.querySelector('button[type="submit"]').disabled = true;
      try {
        await api.post('/api/v1/commands/restriction_changed', payload);
        navigate(`/children/${seg(id)}`, {notice: {success: true, text: restricted ? t('restriction.saved_restricted') : t('restriction.saved_open')}});
        return;
      } catch (e) {
        // A 409: someone changed who may see the record since this page was opened; the
        // reader looks at it again before deciding.
        const field = e.status !== 409 && e.field in ANCHORS ? e.field : null;
        const text = e.status === 409 ? t('restriction.changed_since') : withoutField(e, field);
        if (field) errors[field] = text;
        summary = [{href: field ? ANCHORS[field] : null, text}];
      }
    }
    show(errors, summary);
    clearNotice();
    document.title = `${t('errors.title_prefix')} ${title} – ${t('shell.service')}`;
    enhance(body);
  }

  show();
  return {title, body};
}
