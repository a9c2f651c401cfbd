// pages/caseload.js — my caseload (each child with the next work due and
// badges for overdue work and signals, sortable), and the children in scope.
import {api, seg} from '../api.js';
import {staffNames} from '../directory.js';
import {frag, h} from '../dom.js';
import {formatDate, packText, t, tMaybe, tx} from '../i18n.js';
import {button, heading, link, p, table, tag, textInput} from '../ui.js';

export const childName = (c) => `${c.given_name ?? ''} ${c.family_name ?? ''}`.trim() || c.child_id;

// What is overdue, or signalled, on one caseload line: a tag with the count,
// then each item by name.
const small = (items) => h('ul', {class: 'govuk-list govuk-body-s govuk-!-margin-top-1 govuk-!-margin-bottom-0'},
                           items.map((text) => h('li', {}, text)));

export function overdueCell(item) {
  if (!item.overdue) return tag(t('caseload.on_track'), 'green');
  return frag(tag(t('caseload.overdue_n', {n: item.overdue}), 'red'),
              small((item.overdue_work || []).map((o) => tx('caseload.overdue_item', {title: packText(o), n: o.days_overdue}))));
}

export function signalsCell(item) {
  if (!item.signals) return t('common.none');
  return frag(tag(t('caseload.signals_n', {n: item.signals}), 'orange'),
              small((item.signals_raised || []).map((x) => packText(x))));
}

export function nextDue(n) {
  if (!n) return t('caseload.nothing_due');
  return frag(h('span', {}, packText(n)), h('br'),
              h('span', {class: 'govuk-hint govuk-!-margin-bottom-0'},
                n.state === 'overdue' ? t('caseload.was_due', {date: formatDate(n.due), n: n.days_overdue})
                                      : t('caseload.due', {date: formatDate(n.due)})));
}

// The caseload table; names: show a worker column (a team's caseload); action: a last
// column, one node per line (a link to allocate, say).
export function caseloadTable(items, {caption, names, action, id = 'caseload'} = {}) {
  // Most urgent first: overdue work, then signals, then the nearest due date.
  const data = [...items].sort((a, b) => b.overdue - a.overdue || b.signals - a.signals ||
                                         (a.next_due?.due || '9999').localeCompare(b.next_due?.due || '9999'));
  const head = [
    {text: t('caseload.child'), sort: (c) => childName(c).toLowerCase()},
    names && {text: t('caseload.worker'), sort: (c) => names(c.worker_id)},
    {text: t('caseload.next_due'), sort: (c) => c.next_due?.due || '9999'},
    {text: t('caseload.overdue'), sort: (c) => c.overdue},
    {text: t('caseload.signals'), sort: (c) => c.signals},
    action && {text: t('caseload.action')},
  ].filter(Boolean);
  const rows = data.map((c) => [
    frag(link(`/children/${seg(c.child_id)}`, childName(c)),
         // the child's own language when it is not English: the Active Offer starts here
         c.language && c.language !== 'english'
           ? frag(' ', tag(tMaybe(`values.${c.language}`) ?? c.language, 'turquoise')) : null,
         // ... and the family's, when it is recorded and differs from the child's
         c.family_language && c.family_language !== 'english' && c.family_language !== c.language
           ? frag(' ', tag(t('caseload.family_language', {language: tMaybe(`values.${c.family_language}`) ?? c.family_language}),
                           'turquoise')) : null,
         h('br'),
         h('span', {class: 'govuk-hint govuk-!-margin-bottom-0'},
           t('caseload.id_dob', {id: c.child_id, dob: formatDate(c.date_of_birth)}))),
    names && (c.worker_id ? names(c.worker_id) : t('children.unallocated')),
    nextDue(c.next_due),
    overdueCell(c),
    signalsCell(c),
    action && action(c),
  ].filter((x) => x !== null && x !== undefined && x !== false));
  return table({caption, head, rows, data, id});
}

export async function caseload({me}) {
  const r = await api.get('/api/v1/caseload');
  const items = r.caseload;
  const overdue = items.filter((c) => c.overdue).length;
  const signals = items.filter((c) => c.signals).length;
  return {
    title: t('caseload.title'),
    body: frag(
      heading(t('caseload.title'), {caption: t('caseload.as_of', {date: formatDate(r.as_of)})}),
      p(t('caseload.summary', {n: items.length}), ' ',
        t('caseload.summary_overdue', {n: overdue}), ' ', t('caseload.summary_signals', {n: signals})),
      caseloadTable(items, {caption: t('caseload.caption')}),
      me.role === 'social_worker' ? p(t('caseload.sort_hint')) : null),
  };
}

export async function children({query, navigate, me}) {
  const after = query.get('after');
  const [r, names] = await Promise.all([
    api.get(`/api/v1/children?limit=100${after ? `&after=${encodeURIComponent(after)}` : ''}`),
    staffNames(),
  ]);
  const find = h('form', {novalidate: true, onsubmit: (ev) => {
    ev.preventDefault();
    const id = ev.target.elements.child_id.value.trim();
    if (id) navigate(`/children/${seg(id)}`);
  }}, textInput('child_id', t('children.find'), {hint: t('children.find_hint'), width: 10, spellcheck: false}),
  button(t('children.open'), {secondary: true}));
  const head = [
    {text: t('caseload.child'), sort: (c) => childName(c).toLowerCase()},
    {text: t('children.dob'), sort: (c) => c.date_of_birth},
    {text: t('caseload.worker'), sort: (c) => names(c.worker_id)},
    {text: t('caseload.status'), sort: (c) => c.case_status},
  ];
  const rows = r.children.map((c) => [
    frag(link(`/children/${seg(c.child_id)}`, childName(c)), h('br'),
         h('span', {class: 'govuk-hint govuk-!-margin-bottom-0'}, c.child_id)),
    formatDate(c.date_of_birth),
    c.worker_id ? names(c.worker_id) : t('children.unallocated'),
    tag(t(`status.${c.case_status}`), c.case_status === 'open' ? 'blue' : 'grey'),
  ]);
  return {
    title: t('children.title'),
    body: frag(heading(t('children.title')), p(t('children.intro')),
               ['social_worker', 'team_manager', 'service_manager', 'head_of_service'].includes(me.role)
                 ? button(t('children.register'), {href: '/record/child_registered', secondary: true}) : null,
               find,
               table({caption: t('children.caption'), head, rows, data: r.children, id: 'children'}),
               r.next ? p(link(`/children?after=${encodeURIComponent(r.next)}`, t('children.next'))) : null),
  };
}
