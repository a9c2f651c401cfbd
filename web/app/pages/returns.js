// pages/returns.js — the data team's page (docs/returns.md): choose a statutory return and its
// collection year, see what it holds (children, records, its files with their SHA-256) and its
// notes (each field the log did not hold for a child, and what the return gave instead), and
// download the files. The choice is the page's query, so the page can be bookmarked. Making a
// return is recorded in the log by the server; the data team reads no child's record, so the
// notes name children by identifier only and link nowhere.
import {api, messageOf} from '../api.js';
import {frag, h} from '../dom.js';
import {t} from '../i18n.js';
import {button, errorSummary, h2, heading, link, p, select, summaryList, table, textInput} from '../ui.js';

export const RETURN_ROLES = ['data_team', 'head_of_service', 'director'];
const KINDS = ['cin', '903', 'annex-a', 'wales-lac', 'ssd'];
const NOTES_SHOWN = 500;

// The collection year a return of today would be for: the year ending the 31 March last past.
function defaultYear() {
  const d = new Date();
  return d.getUTCMonth() >= 3 ? d.getUTCFullYear() : d.getUTCFullYear() - 1;
}

const fileHref = (kind, year, asOf, name) =>
  `/api/v1/returns/${encodeURIComponent(kind)}?year=${encodeURIComponent(year)}` +
  `${asOf ? `&as_of=${encodeURIComponent(asOf)}` : ''}&file=${encodeURIComponent(name)}`;

export async function returns({query, me, navigate}) {
  if (!RETURN_ROLES.includes(me.role)) {
    return {title: t('returns.only_title'), body: frag(heading(t('returns.only_title')), p(t('returns.only')))};
  }
  const kind = query.get('kind') || 'cin';
  const year = query.get('year') || '';
  // Annex A is made as at the inspection's day (default: 31 March of the year)
  const asOf = kind === 'annex-a' ? (query.get('as_of') || '') : '';
  const errors = {};
  if (!KINDS.includes(kind)) errors.kind = t('returns.kind_error');
  if (year && !/^\d{4}$/.test(year)) errors.year = t('returns.year_error');
  if (asOf && !/^\d{4}-\d{2}-\d{2}$/.test(asOf)) errors.as_of = t('returns.as_of_error');
  const extra = asOf ? `&as_of=${encodeURIComponent(asOf)}` : '';
  let made = null;
  if (year && !errors.kind && !errors.year && !errors.as_of) {
    try {
      made = await api.get(`/api/v1/returns/${encodeURIComponent(kind)}?year=${encodeURIComponent(year)}${extra}`);
    } catch (e) {
      if (e.status >= 500 || !e.status) throw e;
      errors[['kind', 'as_of'].includes(e.field) ? e.field : 'year'] = messageOf(e);
    }
  }
  const submit = (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const k = String(f.get('kind') || '');
    const a = k === 'annex-a' ? String(f.get('as_of') || '').trim() : '';
    navigate(`/returns?kind=${encodeURIComponent(k)}&year=${encodeURIComponent(String(f.get('year') || '').trim())}` +
             (a ? `&as_of=${encodeURIComponent(a)}` : ''));
  };
  const summary = Object.entries(errors).map(([k, text]) => ({text, href: `#f-${k}`}));
  return {
    title: made ? t('returns.made_title', {title: made.title, year: `${made.year - 1}-${String(made.year % 100).padStart(2, '0')}`})
                : t('returns.title'),
    body: frag(
      summary.length ? errorSummary(summary) : null,
      heading(t('returns.title')),
      p(t('returns.intro')),
      h('form', {novalidate: true, onsubmit: submit, id: 'returns-form'},
        select('kind', t('returns.kind'), KINDS.map((k) => [k, t(`returns.kinds.${k}`)]), {value: kind, error: errors.kind}),
        textInput('year', t('returns.year'), {hint: t('returns.year_hint'), value: year || String(defaultYear()),
                                              width: 4, error: errors.year}),
        textInput('as_of', t('returns.as_of'), {hint: t('returns.as_of_hint'), value: asOf, width: 10,
                                                error: errors.as_of}),
        button(t('returns.make'))),
      made ? frag(
        h2(t('returns.made_title', {title: made.title, year: `${made.year - 1}-${String(made.year % 100).padStart(2, '0')}`})),
        summaryList([
          [t('returns.la'), made.la || t('returns.no_la')],
          [t('returns.children'), String(made.counts.children)],
          [t('returns.records'), String(made.counts.records)],
        ]),
        table({caption: t('returns.files'), id: 'returns-files',
               head: [{text: t('returns.file')}, {text: t('returns.bytes'), numeric: true}, {text: 'SHA-256'}],
               rows: made.files.map((f) => [link(fileHref(made.kind, made.year, asOf, f.name), f.name, {download: f.name}),
                                            String(f.bytes), h('span', {class: 'cw-mono'}, f.sha256)])}),
        p(t('returns.private')),
        h2(t('returns.notes_title', {n: made.notes.length})),
        made.notes.length
          ? frag(p(t('returns.notes_intro')),
                 table({caption: t('returns.notes_caption'), id: 'returns-notes',
                        head: [{text: t('returns.child')}, {text: t('returns.field')}, {text: t('returns.note')}],
                        rows: made.notes.slice(0, NOTES_SHOWN).map((n) => [n.child, n.field, n.note])}),
                 made.notes.length > NOTES_SHOWN ? p(t('returns.notes_more', {n: made.notes.length - NOTES_SHOWN})) : null)
          : p(t('returns.no_notes'))) : null),
  };
}
