// pages/signoffs.js — management sign-off (docs/events.md, "Sign-off"): the work awaiting
// the reader's sign-off, and their own work awaiting someone else's (GET /api/v1/sign-offs);
// and one piece of work, read as it stands, signed off (work_signed_off) or returned with a
// reason (work_returned) in the reader's own name. Each decision names the version read; if
// the work changed meanwhile the server refuses it (409) and the page reads it again.
import {api, seg, withoutField} from '../api.js';
import {staffNames} from '../directory.js';
import {frag, h} from '../dom.js';
import {enhance} from '../govuk.js';
import {formatDate, t} from '../i18n.js';
import {button, clearNotice, errorSummary, h2, heading, inset, link, p, summaryList, table, textarea,
        today} from '../ui.js';
import {changedSince, isConflict, rereadEntry} from '../conflict.js';
import {MANAGERS, daysBetween, entryHref, kindLabel} from '../signoff.js';
import {childName} from './caseload.js';
import {fieldLabel, fieldValue} from './child.js';

const bytes = (s) => new TextEncoder().encode(s).length;
const lower = (s) => s.charAt(0).toLowerCase() + s.slice(1);
const waited = (x) => daysBetween(x.submitted_on, today());

// The child an item is about (a supervision of no case is about none).
const childCell = (x) => (x.child_id
  ? frag(link(`/children/${seg(x.child_id)}`, childName(x)), h('br'),
         h('span', {class: 'govuk-hint govuk-!-margin-bottom-0'}, x.child_id))
  : t('signoff.no_child'));
// The work, with a link to read it in the child's chronology.
const workCell = (x) => (x.child_id
  ? frag(link(entryHref(x.child_id, x.entry), kindLabel(x.kind), {'aria-label': t('signoff.read_label', {what: lower(kindLabel(x.kind)), name: childName(x)})}),
         h('br'), h('span', {class: 'govuk-hint govuk-!-margin-bottom-0'}, t('signoff.entry_n', {n: x.entry})))
  : kindLabel(x.kind));

function list(items, names, {id, caption, action}) {
  const data = [...items].sort((a, b) => waited(b) - waited(a) || a.entry - b.entry); // longest waiting first
  const head = [
    {text: t('caseload.child'), sort: (x) => childName(x).toLowerCase()},
    {text: t('signoff.work'), sort: (x) => kindLabel(x.kind)},
    {text: t('signoff.submitted_by'), sort: (x) => names(x.submitted_by)},
    {text: t('signoff.submitted_on'), sort: (x) => x.submitted_on},
    {text: t('signoff.waiting'), numeric: true, sort: waited},
    action && {text: t('caseload.action')},
  ].filter(Boolean);
  const rows = data.map((x) => [childCell(x), workCell(x), names(x.submitted_by), formatDate(x.submitted_on),
                                t('signoff.days', {n: waited(x)}), action && action(x)].filter((c) => c !== false && c !== undefined));
  return table({id, caption, head, rows, data});
}

// The work awaiting the reader's sign-off (a promise of the list, or null: only managers
// sign off), for a dashboard's "Awaiting your sign-off (N)".
export function awaitingSignOff(me) {
  return MANAGERS.includes(me.role) ? api.get('/api/v1/sign-offs').then((r) => r.to_sign_off) : null;
}
export const awaitingLink = (items) => (items
  ? p(link('/sign-offs', t('signoff.awaiting_yours', {n: items.length}), {id: 'awaiting-sign-off'}))
  : null);

export async function signOffs({me}) {
  const [r, names] = await Promise.all([api.get('/api/v1/sign-offs'), staffNames()]);
  const mine = r.submitted;
  const theirs = r.to_sign_off;
  const returned = r.returned || [];
  const decide = (x) => link(`/sign-offs/${x.entry}`, t('signoff.decide'),
                             {'aria-label': t('signoff.decide_label', {what: lower(kindLabel(x.kind)), name: childName(x)})});
  // A manager signs off others' work; everyone on staff may have work awaiting sign-off.
  const manager = MANAGERS.includes(me.role);
  return {
    title: t('signoff.title'),
    body: frag(
      heading(t('signoff.title')),
      p(t('signoff.intro')),
      manager ? p(link('/record/deputy_named', t('signoff.name_deputy'), {id: 'name-deputy'})) : null,
      manager || theirs.length ? frag(
        h2(t('signoff.to_sign_off'), {id: 'to-sign-off'}),
        theirs.length ? list(theirs, names, {id: 'to-sign-off-table', action: decide,
                                             caption: t('signoff.to_sign_off_caption', {n: theirs.length})})
                      : p(t('signoff.none_to_sign_off'))) : null,
      h2(t('signoff.submitted'), {id: 'submitted'}),
      mine.length ? frag(p(t('signoff.submitted_intro')),
                         list(mine, names, {id: 'submitted-table', caption: t('signoff.submitted_caption', {n: mine.length})}))
                  : p(t('signoff.none_submitted')),
      // Work a manager returned to the reader: put right with "Correct this entry", which
      // submits it again.
      returned.length ? frag(
        h2(t('signoff.returned_to_you'), {id: 'returned'}),
        p(t('signoff.returned_intro')),
        list(returned, names, {id: 'returned-table', caption: t('signoff.returned_caption', {n: returned.length})}))
        : null),
  };
}

// The details of the work, as the record says now.
function workDetails(work, names) {
  if (!work) return p(t('signoff.cannot_read'));
  const rows = Object.entries(work.payload || {}).filter(([k]) => k !== 'child_id')
    .map(([k, v]) => [fieldLabel(k), fieldValue(work.type, k, v, names)]);
  return summaryList(rows);
}

export async function signOff({params, navigate}) {
  const index = Number(params.entry);
  const names = await staffNames();
  // The item awaiting the reader's sign-off, and the work as the child's chronology has it.
  let item = null;
  let work = null;
  let byIndex = new Map();
  const load = async () => {
    const r = await api.get('/api/v1/sign-offs');
    item = r.to_sign_off.find((x) => x.entry === index) || null;
    work = null;
    if (item?.child_id) ({entry: work, byIndex} = await rereadEntry(item.child_id, index));
  };
  await load();
  if (!item) {
    return {title: t('signoff.not_yours_title'),
            body: frag(heading(t('signoff.not_yours_title')), p(t('signoff.not_yours')),
                       p(link('/sign-offs', t('signoff.back'))))};
  }
  const what = kindLabel(item.kind);
  const title = t('signoff.decide_title', {what});
  const values = {comment: '', reason: ''};
  const body = h('div', {class: 'govuk-grid-row'});
  let changed = null;

  const show = (errors = {}, summary = []) => {
    const name = item.child_id ? childName(item) : null;
    body.replaceChildren(h('div', {class: 'govuk-grid-column-two-thirds'},
      summary.length ? errorSummary(summary) : null,
      heading(title, {caption: name ? t('record.about', {name, id: item.child_id}) : t('record.about_org')}),
      changed,
      summaryList([
        [t('caseload.child'), childCell(item)],
        [t('signoff.work'), workCell(item)],
        [t('signoff.submitted_by'), names(item.submitted_by)],
        [t('signoff.submitted_on'), formatDate(item.submitted_on)],
        [t('signoff.waiting'), t('signoff.days', {n: waited(item)})],
      ]),
      h2(t('signoff.the_work'), {id: 'the-work'}),
      workDetails(work, names),
      work?.corrected_by?.length ? inset(t('signoff.corrected', {list: work.corrected_by.join(', ')})) : null,
      h('form', {novalidate: true, onsubmit: (ev) => submit(ev, 'work_signed_off'), id: 'sign-off-form'},
        h2(t('signoff.sign_off_heading')),
        textarea('comment', t('signoff.comment'), {hint: t('signoff.comment_hint'), error: errors.comment, value: values.comment, rows: 3}),
        button(t('signoff.sign_off'))),
      h('form', {novalidate: true, onsubmit: (ev) => submit(ev, 'work_returned'), id: 'return-form'},
        h2(t('signoff.return_heading')),
        textarea('reason', t('signoff.reason_label'), {hint: t('signoff.reason_hint'), error: errors.reason, value: values.reason, rows: 4}),
        button(t('signoff.return'), {secondary: true})),
      p(link('/sign-offs', t('signoff.back')))));
  };

  const fail = (errors, summary) => {
    show(errors, summary);
    clearNotice();
    document.title = `${t('errors.title_prefix')} ${title} – ${t('shell.service')}`;
    enhance(body); // the error summary takes the focus
  };

  async function submit(ev, type) {
    ev.preventDefault();
    const form = ev.target;
    values.comment = document.getElementById('f-comment').value;
    values.reason = document.getElementById('f-reason').value;
    const errors = {};
    const payload = {entry: item.entry, based_on: item.version};
    if (type === 'work_signed_off') {
      if (bytes(values.comment) > 1000) errors.comment = t('errors.too_long', {label: t('signoff.comment').toLowerCase(), n: 1000});
      else if (values.comment.trim()) payload.comment = values.comment.trim();
    } else if (!values.reason.trim()) {
      errors.reason = t('signoff.reason_needed');
    } else if (bytes(values.reason) > 1000) {
      errors.reason = t('errors.too_long', {label: t('signoff.reason_label').toLowerCase(), n: 1000});
    } else {
      payload.reason = values.reason.trim();
    }
    const listed = Object.entries(errors).map(([k, text]) => ({href: `#f-${k}`, text}));
    if (listed.length) return fail(errors, listed);
    form.querySelector('button[type="submit"]').disabled = true;
    try {
      await api.post(`/api/v1/commands/${type}`, payload);
      const name = item.child_id ? childName(item) : t('signoff.no_child');
      navigate('/sign-offs', {notice: {success: true, text: t(type === 'work_signed_off' ? 'signoff.done_signed_off' : 'signoff.done_returned', {what, name})}});
    } catch (e) {
      if (isConflict(e)) {
        // Someone changed the work (or decided it) since it was read: read it again.
        const before = work;
        await load();
        if (!item) {
          navigate('/sign-offs', {notice: {text: t('signoff.gone')}});
          return;
        }
        changed = changedSince(before, work, names, byIndex);
        return fail({}, [{href: '#the-work', text: t('signoff.conflict')}]);
      }
      const field = e.field === 'reason' || e.field === 'comment' ? e.field : null;
      const text = withoutField(e, field);
      if (field) errors[field] = text;
      fail(errors, [{href: field ? `#f-${field}` : null, text}]);
    }
  }

  show();
  return {title, body};
}
