// pages/integrity.js — the integrity analytics (docs/integrity.md): the signs of manipulated
// data, for the head of service and inspectors (GET /api/v1/integrity refuses anyone else).
//
// /integrity: a form choosing the period (from and to dates; this financial year to today by
// default) and, if wanted, one team, sent as the page's query (/integrity?from=&to=&team=) so
// that the page can be bookmarked, shared and printed. Only an address with a query runs the
// analysis: every child the answer names is a look at that child's record, recorded in the
// log, so opening the page from the navigation records nothing until the reader asks.
//
// The answer: the checkpoint it was made at; a table of the patterns (in words, how many
// flags, whether the rule pack looks for it); then the flags, pattern by pattern, each with
// its explanation and figures, the staff (names and identifiers), the team, the children (links
// to their records) and the log entries (links to their rows in the child's chronology, from
// the answer's entry_children). Every table and every pattern's flags can be downloaded as CSV.
import {ApiError, api, seg} from '../api.js';
import {csvLink, fileName} from '../csv.js';
import {staffNames, teamList} from '../directory.js';
import {foreign, frag, h} from '../dom.js';
import {enhance} from '../govuk.js';
import {formatDate, language, t, tMaybe} from '../i18n.js';
import {button, clearNotice, dateInput, errorSummary, h2, heading, inset, link, p, readDate, select, summaryList,
        table, tag, today} from '../ui.js';
import {entryHref} from '../signoff.js';
import {fyOf} from './measures.js';

// Who may read the analytics (the server's route allows these roles only).
export const INTEGRITY_ROLES = ['head_of_service', 'inspector'];

// The patterns in the order docs/integrity.md gives them; one the server adds later follows.
const PATTERNS = ['late_recording', 'overdue_hidden', 'date_correction', 'deadline_clustering', 'clock_reset',
                  'bulk_entry', 'boilerplate', 'outside_team'];
const ANCHORS = {from: '#f-from-day', to: '#f-to-day', team: '#f-team'};

const isDate = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;
const patternName = (id, fallback = id) => tMaybe(`integrity.patterns.${id}.name`) || fallback;

// ---- the choice: the page's query, the form's answers ----

// The choice in a page query, with the defaults: this financial year to today, every team.
function readChoice(query, now) {
  return {from: query.has('from') ? query.get('from') : `${fyOf(now)}-04-01`,
          to: query.has('to') ? query.get('to') : now, team: query.get('team') || ''};
}

// What is wrong with a choice: {field: message}. A date may be null (not a real date, from the
// form) or a string.
function problems(c, teams) {
  const e = {};
  for (const k of ['from', 'to']) {
    const label = t(`integrity.${k}`);
    if (c[k] === '') e[k] = t('errors.enter', {label: label.toLowerCase()});
    else if (c[k] === null || !isDate(c[k])) e[k] = t('integrity.err_date', {label});
  }
  if (!e.from && !e.to && c.from > c.to) e.to = t('integrity.err_order');
  if (c.team && !teams.some((x) => x.team_id === c.team)) e.team = t('integrity.err_team');
  return e;
}

// The query, the page's and the API's alike.
function queryOf(c) {
  const q = new URLSearchParams({from: c.from, to: c.to});
  if (c.team) q.set('team', c.team);
  return q;
}

function readForm(form) {
  const val = (n) => form.elements[n]?.value ?? '';
  const c = {team: val('team')};
  for (const k of ['from', 'to']) {
    c[k] = readDate(form, k);
    if (c[k] === null) c[k === 'from' ? 'rawFrom' : 'rawTo'] = {day: val(`${k}-day`), month: val(`${k}-month`), year: val(`${k}-year`)};
  }
  return c;
}

function choiceForm(c, {teams, errors = {}, onsubmit}) {
  return h('form', {method: 'get', action: '/integrity', novalidate: true, class: 'cw-no-print', id: 'integrity-form', onsubmit},
    dateInput('from', t('integrity.from'), {hint: t('integrity.from_hint'), value: c.rawFrom ?? c.from, error: errors.from}),
    dateInput('to', t('integrity.to'), {hint: t('date.hint'), value: c.rawTo ?? c.to, error: errors.to}),
    select('team', t('integrity.team'), teams.map((x) => [x.team_id, x.name]),
           {value: c.team, error: errors.team, blank: t('integrity.all_teams'), hint: t('integrity.team_hint')}),
    button(t('integrity.show')));
}

// ---- the answer ----

// The signed note's first lines: origin, size, root hash.
function checkpointText(cp) {
  const [origin = '', size = String(cp.size), root = ''] = (cp.note || '').split('\n');
  return t('integrity.checkpoint_text', {origin, size, root});
}

const teamText = (teams, id) => {
  if (!id) return t('integrity.no_team');
  const team = teams.find((x) => x.team_id === id);
  return team ? t('integrity.named_id', {name: team.name, id}) : id;
};
const staffText = (names, id) => (names(id) && names(id) !== id ? t('integrity.named_id', {name: names(id), id}) : id);
const percent = (v) => t('integrity.percent', {v: (Math.round(v * 1000) / 10).toFixed(1)});

// A flag's figures as lines of words: what its count and "of" are depends on the pattern.
function figureLines(f) {
  const g = f.figures || {};
  const out = [];
  if (g.count !== undefined) out.push(tMaybe(`integrity.figures.count.${f.pattern}`, {v: g.count}) || t('integrity.figures.count_any', {v: g.count}));
  if (g.of !== undefined) out.push(tMaybe(`integrity.figures.of.${f.pattern}`, {v: g.of}) || t('integrity.figures.of_any', {v: g.of}));
  if (g.rate !== undefined) out.push(t('integrity.figures.rate', {v: percent(g.rate)}));
  if (g.team_rate !== undefined) out.push(t('integrity.figures.team_rate', {v: percent(g.team_rate)}));
  if (g.z !== undefined) out.push(t('integrity.figures.z', {v: g.z.toFixed(1)}));
  return out;
}

// The child of each listed entry (the answer's entry_children), or null.
const entryChild = (f, k) => (f.entry_children ? f.entry_children[k] : f.children.length === 1 ? f.children[0] : null);

function entryLinks(f) {
  const more = f.entries_total - f.entries.length;
  return frag(f.entries.map((e, k) => {
    const child = entryChild(f, k);
    return frag(k ? ', ' : '', child ? link(entryHref(child, e), t('integrity.entry', {n: e}), {'data-entry': e})
                                     : t('integrity.entry', {n: e}));
  }), more > 0 ? ` ${t('integrity.more_entries', {n: more})}` : '');
}

function flagBox(f, n, {names, teams}) {
  const list = (items) => (items.length ? h('ul', {class: 'govuk-list'}, items.map((x) => h('li', {}, x))) : null);
  return h('div', {class: 'cw-flag', id: `flag-${f.pattern}-${n}`, 'data-pattern': f.pattern},
    h('h3', {class: 'govuk-heading-s'}, t('integrity.flag_heading', {n, team: teamText(teams, f.team)})),
    // The server writes the explanation in English only (docs/integrity.md): marked so on a Welsh page.
    p(foreign(f.explanation, 'en')),
    summaryList([
      [t('integrity.figures_key'), list(figureLines(f))],
      [t('integrity.staff'), list(f.staff.map((id) => staffText(names, id)))],
      [t('integrity.team_key'), teamText(teams, f.team)],
      [t('integrity.children'), f.children.length
        ? list(f.children.map((c) => link(`/children/${seg(c)}`, c, {'data-child': c}))) : t('integrity.no_children')],
      [t('integrity.entries'), h('span', {class: 'cw-flag__entries'}, entryLinks(f))],
    ]));
}

// One pattern's flags as CSV: the figures, the identifiers and the explanation.
function flagsCsv(flags, names, teams) {
  return [[t('integrity.pattern_id'), t('integrity.pattern'), t('integrity.team_id'), t('integrity.team_key'),
           t('integrity.staff_ids'), t('integrity.staff'), t('integrity.children'), t('integrity.entries'),
           t('integrity.entries_total'), t('integrity.csv_count'), t('integrity.csv_of'), t('integrity.csv_rate'),
           t('integrity.csv_team_rate'), t('integrity.csv_z'), t('integrity.explanation')],
          ...flags.map((f) => {
            const g = f.figures || {};
            return [f.pattern, patternName(f.pattern, f.title), f.team, f.team ? teamText(teams, f.team) : '',
                    f.staff.join(' '), f.staff.map((id) => names(id)).join('; '), f.children.join(' '),
                    f.entries.join(' '), f.entries_total, g.count ?? '', g.of ?? '', g.rate ?? '', g.team_rate ?? '',
                    g.z ?? '', f.explanation];
          })];
}

function summaryTable(res, filePart) {
  const ids = [...PATTERNS.filter((id) => res.summary[id]), ...Object.keys(res.summary).filter((id) => !PATTERNS.includes(id))];
  const rows = ids.map((id) => ({id, s: res.summary[id]}));
  const tbl = table({id: 'integrity-summary', caption: t('integrity.summary_caption'),
    head: [{text: t('integrity.pattern')}, {text: t('integrity.looked_for')}, {text: t('integrity.checked'), numeric: true},
           {text: t('integrity.flags'), numeric: true}, {text: t('integrity.entries_flagged'), numeric: true}],
    rows: rows.map(({id, s}) => [
      s.flags ? link(`#flags-${id}`, patternName(id, s.title)) : patternName(id, s.title),
      s.looked_for ? t('common.yes') : tag(t('integrity.not_looked_for'), 'grey'),
      String(s.checked), String(s.flags), String(s.entries)]),
    data: rows, rowId: ({id}) => `pattern-${id}`});
  const csv = [[t('integrity.pattern_id'), t('integrity.pattern'), t('integrity.looked_for'), t('integrity.checked'),
                t('integrity.flags'), t('integrity.entries_flagged')],
               ...rows.map(({id, s}) => [id, patternName(id, s.title), s.looked_for ? t('common.yes') : t('common.no'),
                                         s.checked, s.flags, s.entries])];
  return frag(tbl, csvLink(fileName('integrity', 'summary', filePart), csv));
}

// ---- the page ----

export async function integrity({query, me, navigate}) {
  const now = today();
  const asked = ['from', 'to', 'team'].some((k) => query.has(k));
  const c = readChoice(query, now);
  // Other roles: the server refuses them before anything is read (403, which the router shows
  // as "You cannot see this", with the server's reason). Should it not, the page says so itself.
  if (!INTEGRITY_ROLES.includes(me.role)) {
    await api.get(`/api/v1/integrity?${queryOf({...c, from: isDate(c.from) ? c.from : now, to: now})}`);
    throw new ApiError(403, {error: {message: t('integrity.not_for_role'), lang: language()}});
  }
  const teams = await teamList();
  const errors = asked ? problems(c, teams) : {};
  const title = t('integrity.title');
  const body = h('div', {});
  const summaryBox = h('div', {});
  const formBox = h('div', {class: 'govuk-grid-row'});

  const showForm = (choice, errs = {}) => {
    const list = Object.entries(errs).map(([k, text]) => ({href: ANCHORS[k], text}));
    summaryBox.replaceChildren(list.length ? errorSummary(list) : '');
    formBox.replaceChildren(h('div', {class: 'govuk-grid-column-two-thirds'}, choiceForm(choice, {teams, errors: errs, onsubmit: submit})));
  };
  function submit(ev) {
    ev.preventDefault();
    const chosen = readForm(ev.target);
    const errs = problems(chosen, teams);
    if (Object.keys(errs).length) {
      showForm(chosen, errs);
      clearNotice();
      document.title = `${t('errors.title_prefix')} ${title} – ${t('shell.service')}`;
      enhance(summaryBox);
      enhance(formBox);
      return;
    }
    navigate(`/integrity?${queryOf(chosen)}`);
  }

  showForm(c, errors);
  body.append(summaryBox, heading(title), p(t('integrity.intro')), inset(t('integrity.looks_note')), formBox);
  if (!asked) return {title, body};
  if (Object.keys(errors).length) return {title, body, error: true};

  const [res, names] = await Promise.all([api.get(`/api/v1/integrity?${queryOf(c)}`), staffNames()]);
  const period = t('integrity.period_text', {from: formatDate(res.from), to: formatDate(res.to)});
  const filePart = fileName(res.from, res.to, res.team || '');
  // Every flag raised is counted; at most 500 of each pattern are listed (docs/integrity.md).
  const total = Object.values(res.summary).reduce((n, x) => n + (x.flags || 0), 0);
  body.append(
    h2(t('integrity.results_for', {period}), {id: 'results'}),
    summaryList([
      [t('integrity.period_key'), period],
      [t('integrity.team_key'), res.team ? teamText(teams, res.team) : t('integrity.all_teams')],
      [t('integrity.checkpoint'), h('span', {class: 'cw-mono', id: 'checkpoint'}, checkpointText(res.checkpoint))],
      [t('integrity.flags_total'), h('span', {id: 'flags-total'}, String(total))],
    ]),
    h('div', {class: 'govuk-button-group cw-no-print'},
      button(t('integrity.print'), {type: 'button', secondary: true, onclick: () => window.print()})),
    summaryTable(res, filePart),
    inset(t('integrity.thresholds_note')));
  if (!total) {
    body.append(p(h('span', {id: 'no-flags'}, t('integrity.no_flags'))));
    return {title, body};
  }
  const ids = [...PATTERNS, ...new Set(res.flags.map((f) => f.pattern).filter((id) => !PATTERNS.includes(id)))];
  for (const id of ids) {
    const flags = res.flags.filter((f) => f.pattern === id);
    if (!flags.length) continue;
    body.append(h('section', {class: 'cw-flags', id: `flags-${id}`, 'aria-labelledby': `flags-${id}-heading`},
      h2(t('integrity.group_heading', {name: patternName(id, flags[0].title), n: flags.length}), {id: `flags-${id}-heading`}),
      p(tMaybe(`integrity.patterns.${id}.what`) || ''),
      res.summary[id] && res.summary[id].listed < res.summary[id].flags
        ? inset(t('integrity.not_all_listed', {listed: res.summary[id].listed, n: res.summary[id].flags}))
        : null,
      flags.map((f, k) => flagBox(f, k + 1, {names, teams})),
      csvLink(fileName('integrity', id, filePart), flagsCsv(flags, names, teams), t('integrity.download_flags'))));
  }
  return {title, body};
}
