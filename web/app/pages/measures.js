// pages/measures.js — the performance measures (docs/measures.md) as a dashboard, and the
// items behind one measure.
//
// /measures: a form choosing the period (this or last financial year, a quarter, a month, or
// from–to dates) and the scope (the council, a service area or a team), sent as the page's
// query so that the page can be bookmarked and printed. It shows every measure with its
// numerator, denominator and target; the trend of one measure by month and by quarter across
// the financial year; and the teams compared on it. Each chart is paired with its table, and
// every table can be downloaded as CSV.
//
// /measures/{id}: the definition, the figure, and the items behind it (children and log
// entries) that the reader may see, with a count of the rest. The server records the look.
//
// Periods are the server's (GET /api/v1/measures): a financial year runs from 1 April to
// 31 March; quarter 1 is April to June. "Today" is the UTC date, as the server counts it.
import {api, seg} from '../api.js';
import {lineChart} from '../chart.js';
import {csvLink, fileName} from '../csv.js';
import {staffNames, teamList} from '../directory.js';
import {foreign, frag, h, isForeign} from '../dom.js';
import {enhance} from '../govuk.js';
import {formatDate, language, monthName, packText, t, tMaybe, titleIn} from '../i18n.js';
import {barChart, button, clearNotice, dateInput, errorSummary, h2, heading, inset, link, p, radios, readDate,
        select, summaryList, table, tag, today} from '../ui.js';
import {entryHref} from '../signoff.js';
import {childName} from './caseload.js';

// Who may download the signed report (the server's route allows these roles only).
export const REPORT_ROLES = ['head_of_service', 'inspector'];

const PERIODS = ['this_year', 'last_year', 'quarter', 'month', 'dates'];
const SCOPES = ['council', 'area', 'team'];
const QUARTER_RE = /^\d{4}-q[1-4]$/;
const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;
const ANCHORS = {period: '#f-period', quarter: '#f-quarter', month: '#f-month', from: '#f-from-day',
                 to: '#f-to-day', scope: '#f-scope', area: '#f-area', team: '#f-team'};

// ---- periods ----

const pad = (n) => String(n).padStart(2, '0');
const isDate = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;
// The financial year (by its first year) a day falls in.
export const fyOf = (iso) => {
  const [y, m] = iso.split('-').map(Number);
  return m >= 4 ? y : y - 1;
};
const lastDay = (y, m) => new Date(Date.UTC(y, m, 0)).getUTCDate();
const monthsOf = (fy) => Array.from({length: 12}, (_, i) => {
  const m = ((i + 3) % 12) + 1;
  const y = i >= 9 ? fy + 1 : fy;
  return {y, m, from: `${y}-${pad(m)}-01`, to: `${y}-${pad(m)}-${pad(lastDay(y, m))}`};
});
const quartersOf = (fy) => [1, 2, 3, 4].map((q) => {
  const ms = monthsOf(fy).slice((q - 1) * 3, q * 3);
  return {q, fy, from: ms[0].from, to: ms[2].to, first: ms[0], last: ms[2]};
});
const fyLabel = (fy) => t('measures.fy', {from: fy, to: fy + 1});
const monthLabel = ({y, m}) => `${monthName(m)} ${y}`;
const quarterLabel = (qq) => t('measures.quarter_label', {q: qq.q, fy: fyLabel(qq.fy)});
const quarterMonths = (qq) => t('measures.quarter_months', {first: monthName(qq.first.m), last: monthName(qq.last.m),
                                                           year: qq.last.y});

// The quarters and months a reader may choose: this financial year's and last year's, up to
// today, newest first.
function quarterOptions(now) {
  const fy = fyOf(now);
  return [fy, fy - 1].flatMap((y) => quartersOf(y).reverse()).filter((qq) => qq.from <= now)
    .map((qq) => [`${qq.fy}-q${qq.q}`, `${quarterLabel(qq)} (${quarterMonths(qq)})`]);
}
function monthOptions(now) {
  const fy = fyOf(now);
  return [fy, fy - 1].flatMap((y) => monthsOf(y).reverse()).filter((mm) => mm.from <= now)
    .map((mm) => [`${mm.y}-${pad(mm.m)}`, monthLabel(mm)]);
}

// ---- the choice: the page's query, the form's answers ----

// The choice in a page query (URLSearchParams), with the defaults: this financial year, the
// whole council.
export function readChoice(query) {
  const get = (k) => query.get(k) || '';
  return {period: get('period') || 'this_year', quarter: get('quarter'), month: get('month'),
          from: get('from'), to: get('to'), scope: get('scope') || 'council', area: get('area'),
          team: get('team'), measure: get('measure')};
}

// What is wrong with a choice: {field: message}. A date may be null (not a real date, from
// the form) or a string.
function problems(c, {areas, teams}) {
  const e = {};
  if (!PERIODS.includes(c.period)) e.period = t('measures.err_period');
  else if (c.period === 'quarter' && !QUARTER_RE.test(c.quarter)) e.quarter = t('measures.err_quarter');
  else if (c.period === 'month' && !MONTH_RE.test(c.month)) e.month = t('measures.err_month');
  else if (c.period === 'dates') {
    for (const k of ['from', 'to']) {
      const label = t(`measures.${k}`);
      if (c[k] === '') e[k] = t('errors.enter', {label: label.toLowerCase()});
      else if (c[k] === null || !isDate(c[k])) e[k] = t('measures.err_date', {label});
    }
    if (!e.from && !e.to && c.from > c.to) e.to = t('measures.err_order');
  }
  if (!SCOPES.includes(c.scope)) e.scope = t('measures.err_scope');
  else if (c.scope === 'area' && !areas.includes(c.area)) e.area = t('measures.err_area');
  else if (c.scope === 'team' && !teams.some((x) => x.team_id === c.team)) e.team = t('measures.err_team');
  return e;
}

// The page's own query for a choice: only what the choice uses.
export function pageQuery(c) {
  const q = new URLSearchParams({period: c.period});
  if (c.period === 'quarter') q.set('quarter', c.quarter);
  if (c.period === 'month') q.set('month', c.month);
  if (c.period === 'dates') {
    q.set('from', c.from);
    q.set('to', c.to);
  }
  q.set('scope', c.scope);
  if (c.scope === 'area') q.set('area', c.area);
  if (c.scope === 'team') q.set('team', c.team);
  if (c.measure) q.set('measure', c.measure);
  return q;
}

// The scope as the API takes it.
function scopeQuery(c) {
  const q = new URLSearchParams();
  if (c.scope === 'team') q.set('team', c.team);
  if (c.scope === 'area') q.set('area', c.area);
  return q;
}

// The API's query for a choice (GET /api/v1/measures and the rest). This financial year is
// from 1 April to today, as the server's default.
export function apiQuery(c, now = today()) {
  const q = new URLSearchParams();
  if (c.period === 'this_year') {
    q.set('from', `${fyOf(now)}-04-01`);
    q.set('to', now);
  } else if (c.period === 'last_year') {
    q.set('period', `fy${fyOf(now) - 1}`);
  } else if (c.period === 'quarter') {
    q.set('period', c.quarter);
  } else if (c.period === 'month') {
    q.set('period', c.month);
  } else {
    q.set('from', c.from);
    q.set('to', c.to);
  }
  for (const [k, v] of scopeQuery(c)) q.set(k, v);
  return q;
}

const areasOf = (teams) => [...new Set(teams.map((x) => x.service_area).filter(Boolean))].sort();
const periodText = (from, to) => t('measures.period_text', {from: formatDate(from), to: formatDate(to)});
function scopeText(c, teams) {
  if (c.scope === 'area') return t('measures.scope_area_is', {area: c.area});
  if (c.scope === 'team') return t('measures.scope_team_is', {team: teams.find((x) => x.team_id === c.team)?.name || c.team});
  return t('measures.scope_council');
}

// ---- figures ----

const fixed = (v) => (Math.round(v * 10) / 10).toFixed(1);
// A figure as it reads: "85.1%", "92.0 days", "12"; no figure when nothing was counted.
export function formatValue(value, unit) {
  if (value === null || value === undefined) return t('measures.no_figure');
  if (unit === 'percent') return t('measures.percent', {v: fixed(value)});
  if (unit === 'days') return t('measures.days', {v: fixed(value)});
  return String(value);
}
// The figure's short form on a chart's axis.
const axisValue = (unit) => (v) => (unit === 'percent' ? `${Math.round(v)}%` : String(Math.round(v * 10) / 10));

const targetText = (def) => (def.target
  ? t(`measures.target_${def.target.better}`, {v: formatValue(def.target.value, def.unit)}) : t('measures.no_target'));

// Whether a value meets its measure's target: true, false, or null (no target, no figure).
export function meets(def, value) {
  if (!def.target || value === null || value === undefined) return null;
  return def.target.better === 'lower' ? value <= def.target.value : value >= def.target.value;
}
function againstText(def, value) {
  const m = meets(def, value);
  if (m === null) return '';
  return m ? t('measures.meets') : t(def.target.better === 'lower' ? 'measures.above' : 'measures.below');
}
function againstTag(def, value) {
  const text = againstText(def, value);
  return text ? tag(text, meets(def, value) ? 'green' : 'orange') : '';
}

// A table with its CSV beneath it.
function withCsv(tbl, name, rows) {
  return frag(tbl, csvLink(name, rows));
}

// "PM24: its title", the title in its own language (an option's text is text alone).
const withId = (id, title) => (isForeign(title) ? foreign(`${id}: ${title.text}`, title.lang) : `${id}: ${title}`);

// The figures of every measure.
function measuresTable(res, defs, c, filePart) {
  const q = pageQuery(c).toString();
  const rows = res.measures.map((m) => ({m, def: defs.get(m.id) || {id: m.id, title: m.title, title_cy: m.title_cy, unit: m.unit}}));
  const tbl = table({id: 'measures', caption: t('measures.table_caption'),
    head: [{text: t('measures.measure')}, {text: t('measures.value'), numeric: true},
           {text: t('measures.numerator'), numeric: true}, {text: t('measures.denominator'), numeric: true},
           {text: t('measures.target')}, {text: t('measures.against')}],
    rows: rows.map(({m, def}) => [
      frag(link(`/measures/${seg(m.id)}?${q}`, m.id, {'data-measure': m.id}),
           h('span', {class: 'govuk-body-s govuk-!-display-block govuk-!-font-weight-regular govuk-!-margin-bottom-0'}, packText(m))),
      formatValue(m.value, m.unit), String(m.numerator), String(m.denominator),
      targetText(def), againstTag(def, m.value)]),
    data: rows, rowId: ({m}) => `measure-${m.id}`});
  const csv = [[t('measures.measure'), t('measures.title_col'), t('measures.unit'), t('measures.value'),
                t('measures.numerator'), t('measures.denominator'), t('measures.target'), t('measures.against')],
               ...rows.map(({m, def}) => [m.id, titleIn(m, language()), m.unit, m.value, m.numerator, m.denominator,
                                          def.target ? targetText(def) : '', againstText(def, m.value)])];
  return withCsv(tbl, fileName('measures', filePart), csv);
}

// The figures of one measure over sub-periods: points [{label, figure (null: not yet)}].
function trend(def, points, {id, caption, firstCol, filePart}) {
  const unit = def.unit;
  const chart = lineChart(points.map((x) => ({label: x.short, value: x.figure ? x.figure.value : null})),
    {id: `chart-${id}`, caption, max: unit === 'percent' ? 100 : undefined, target: def.target?.value ?? null,
     targetLabel: def.target ? t('measures.target_line', {target: targetText(def)}) : '', format: axisValue(unit)});
  const tbl = table({id, caption,
    head: [{text: firstCol}, {text: t('measures.value'), numeric: true}, {text: t('measures.numerator'), numeric: true},
           {text: t('measures.denominator'), numeric: true}, {text: t('measures.against')}],
    rows: points.map((x) => (x.figure
      ? [x.label, formatValue(x.figure.value, unit), String(x.figure.numerator), String(x.figure.denominator),
         againstTag(def, x.figure.value)]
      : [x.label, t('measures.not_yet'), '', '', '']))});
  const csv = [[firstCol, t('measures.from'), t('measures.to'), t('measures.value'), t('measures.numerator'),
                t('measures.denominator'), t('measures.against')],
               ...points.map((x) => [x.label, x.from, x.to, x.figure ? x.figure.value : '',
                                     x.figure ? x.figure.numerator : '', x.figure ? x.figure.denominator : '',
                                     x.figure ? againstText(def, x.figure.value) : ''])];
  return frag(chart, withCsv(tbl, fileName(def.id, filePart), csv));
}

// Figures for each sub-period of the financial year (months or quarters) that has begun,
// counted to today at most. Each is one GET /api/v1/measures.
async function subPeriods(list, c, now, labelOf, shortOf) {
  const scope = scopeQuery(c).toString();
  return Promise.all(list.map(async (x) => {
    const to = x.to > now ? now : x.to;
    const label = x.to > now && x.from <= now ? t('measures.to_date', {label: labelOf(x), date: formatDate(now)}) : labelOf(x);
    if (x.from > now) return {label, short: shortOf(x), from: x.from, to: x.to, res: null};
    const res = await api.get(`/api/v1/measures?from=${x.from}&to=${to}${scope ? `&${scope}` : ''}`);
    return {label, short: shortOf(x), from: x.from, to, res};
  }));
}

// The teams compared on one measure (by=team), best first; the unallocated last.
function comparison(res, def, teams, c, filePart) {
  const name = (id) => (id === null ? t('children.unallocated') : teams.find((x) => x.team_id === id)?.name || id);
  const area = (id) => teams.find((x) => x.team_id === id)?.service_area || '';
  const better = def.target?.better === 'lower' ? 1 : -1;
  const rows = (res.by_team || []).map((bt) => ({team_id: bt.team_id, f: bt.measures.find((m) => m.id === def.id)}))
    .filter((r) => r.f && r.f.denominator > 0)
    .sort((a, b) => (a.f.value === null) - (b.f.value === null) || better * (a.f.value - b.f.value) ||
                    name(a.team_id).localeCompare(name(b.team_id)));
  if (!rows.length) return p(t('measures.no_teams'));
  const unitText = def.unit === 'percent' ? '%' : def.unit === 'days' ? t('measures.days_suffix') : '';
  const base = pageQuery(c);
  const teamHref = (id) => {
    const q = new URLSearchParams(base);
    q.set('scope', 'team');
    q.delete('area');
    q.set('team', id);
    return `/measures?${q}`;
  };
  const caption = t('measures.compare_caption', {id: def.id});
  return frag(
    barChart(t('measures.compare_chart', {id: def.id}),
             rows.filter((r) => r.f.value !== null).map((r) => ({label: name(r.team_id), value: r.f.value,
                                                                   warn: meets(def, r.f.value) === false})),
             {unit: unitText, figures: false}),
    withCsv(table({id: 'by-team', caption,
      head: [{text: t('dash.team')}, {text: t('dash.area')}, {text: t('measures.value'), numeric: true},
             {text: t('measures.numerator'), numeric: true}, {text: t('measures.denominator'), numeric: true},
             {text: t('measures.against')}],
      rows: rows.map((r) => [r.team_id === null ? name(null) : link(teamHref(r.team_id), name(r.team_id)), area(r.team_id),
                             formatValue(r.f.value, def.unit), String(r.f.numerator), String(r.f.denominator),
                             againstTag(def, r.f.value)])}),
    fileName(def.id, 'teams', filePart),
    [[t('dash.team'), t('dash.area'), t('measures.value'), t('measures.numerator'), t('measures.denominator'),
      t('measures.against')],
     ...rows.map((r) => [name(r.team_id), area(r.team_id), r.f.value, r.f.numerator, r.f.denominator,
                         againstText(def, r.f.value)])]));
}

// The signed report for the same period and scope, for those allowed it.
function reportLink(me, c, res) {
  if (!me || !REPORT_ROLES.includes(me.role)) return null;
  const q = apiQuery(c);
  return p(link(`/api/v1/measures-report?${q}`, t('measures.download_report'),
                {download: `${fileName('measures-report', res.from, res.to)}.txt`, class: 'govuk-link cw-no-print',
                 id: 'report-link'}),
           ' ', h('span', {class: 'govuk-body-s'}, t('measures.report_hint')));
}

const checkpointText = (cp) => t('measures.checkpoint_text', {origin: cp.origin, size: cp.size, root: cp.root_hash});

// ---- the form ----

function choiceForm(c, {teams, areas, defs, now, errors = {}, onsubmit}) {
  const quarterSel = select('quarter', t('measures.quarter'), quarterOptions(now), {value: c.quarter, error: errors.quarter});
  const monthSel = select('month', t('measures.month'), monthOptions(now), {value: c.month, error: errors.month});
  const dates = frag(dateInput('from', t('measures.from'), {hint: t('date.hint'), value: c.rawFrom ?? c.from, error: errors.from}),
                     dateInput('to', t('measures.to'), {value: c.rawTo ?? c.to, error: errors.to}));
  const fy = fyOf(now);
  return h('form', {method: 'get', action: '/measures', novalidate: true, class: 'cw-no-print', id: 'measures-form', onsubmit},
    radios('period', t('measures.period'), [
      ['this_year', t('measures.this_year', {fy: fyLabel(fy)})],
      ['last_year', t('measures.last_year', {fy: fyLabel(fy - 1)})],
      ['quarter', t('measures.a_quarter'), quarterSel],
      ['month', t('measures.a_month'), monthSel],
      ['dates', t('measures.dates'), dates],
    ], {value: c.period, error: errors.period}),
    radios('scope', t('measures.scope'), [
      ['council', t('measures.scope_council')],
      ['area', t('measures.scope_area'), select('area', t('dash.area'), areas.map((a) => [a, a]), {value: c.area, error: errors.area})],
      ['team', t('measures.scope_team'), select('team', t('dash.team'), teams.map((x) => [x.team_id, x.name]),
                                               {value: c.team, error: errors.team})],
    ], {value: c.scope, error: errors.scope}),
    select('measure', t('measures.chart_measure'), [...defs.values()].map((d) => [d.id, withId(d.id, packText(d))]),
           {value: c.measure, hint: t('measures.chart_measure_hint')}),
    button(t('measures.show')));
}

function readForm(form) {
  const val = (n) => form.elements[n]?.value ?? '';
  const radio = (n) => form.querySelector(`input[name="${n}"]:checked`)?.value ?? '';
  const c = {period: radio('period'), quarter: val('quarter'), month: val('month'), from: '', to: '',
             scope: radio('scope'), area: val('area'), team: val('team'), measure: val('measure')};
  if (c.period === 'dates') {
    for (const k of ['from', 'to']) {
      c[k] = readDate(form, k);
      if (c[k] === null) {
        c[k === 'from' ? 'rawFrom' : 'rawTo'] = {day: val(`${k}-day`), month: val(`${k}-month`), year: val(`${k}-year`)};
      }
    }
  }
  return c;
}

// ---- the pages ----

export async function measures({query, me, navigate}) {
  const now = today();
  const c = readChoice(query);
  const teams = await teamList();
  const areas = areasOf(teams);
  const errors = problems(c, {areas, teams});
  const valid = !Object.keys(errors).length;
  // The figures (with every measure's definition); a choice that cannot be shown still gets
  // its form, with the measures' list from today's figures.
  const q = apiQuery(c, now);
  const byTeam = c.scope !== 'team';
  const res = await api.get(valid ? `/api/v1/measures?${q}${byTeam ? '&by=team' : ''}` : `/api/v1/measures?from=${now}&to=${now}`);
  const defs = new Map(res.measure_definitions.map((d) => [d.id, d]));
  if (!defs.has(c.measure)) c.measure = defs.keys().next().value || '';
  const title = t('measures.title');
  const body = h('div', {});
  const summaryBox = h('div', {});
  const formBox = h('div', {class: 'govuk-grid-row'});

  // The form, with what is wrong in the error summary at the top of the page.
  const showForm = (choice, errors = {}) => {
    const summary = Object.entries(errors).map(([k, text]) => ({href: ANCHORS[k], text}));
    summaryBox.replaceChildren(summary.length ? errorSummary(summary) : '');
    formBox.replaceChildren(h('div', {class: 'govuk-grid-column-two-thirds'},
      choiceForm(choice, {teams, areas, defs, now, errors, onsubmit: submit})));
  };

  function submit(ev) {
    ev.preventDefault();
    const chosen = readForm(ev.target);
    const errors = problems(chosen, {areas, teams});
    if (Object.keys(errors).length) {
      showForm(chosen, errors);
      clearNotice();
      document.title = `${t('errors.title_prefix')} ${title} – ${t('shell.service')}`;
      enhance(summaryBox);
      enhance(formBox);
      return;
    }
    navigate(`/measures?${pageQuery(chosen)}`);
  }

  showForm(c, errors);
  body.append(summaryBox, heading(title), p(t('measures.intro')), formBox);
  if (!valid) return {title, body, error: true};

  const def = defs.get(c.measure);
  const fy = fyOf(res.from);
  const filePart = fileName(res.from, res.to, c.scope === 'council' ? '' : c.area || c.team);
  const [months, quarters] = await Promise.all([
    subPeriods(monthsOf(fy), c, now, monthLabel, (x) => monthName(x.m).slice(0, 3)),
    subPeriods(quartersOf(fy), c, now, quarterLabel, (x) => t('measures.q_short', {q: x.q})),
  ]);
  const pick = (list) => list.map((x) => ({...x, figure: x.res ? x.res.measures.find((m) => m.id === def.id) : null}));

  body.append(
    h2(t('measures.figures_for', {period: periodText(res.from, res.to)}), {id: 'figures'}),
    summaryList([
      [t('measures.period_key'), periodText(res.from, res.to)],
      [t('measures.scope_key'), scopeText(c, teams)],
      [t('measures.children'), String(res.children)],
      [t('measures.checkpoint'), h('span', {class: 'cw-mono', id: 'checkpoint'}, checkpointText(res.checkpoint))],
      [t('measures.pack'), res.pack],
    ]),
    reportLink(me, c, res),
    h('div', {class: 'govuk-button-group cw-no-print'},
      button(t('measures.print'), {type: 'button', secondary: true, onclick: () => window.print()})),
    measuresTable(res, defs, c, filePart),
    inset(t('measures.targets_note')),
    h2(t('measures.trend', {id: def.id}), {id: 'trend'}),
    p(h('strong', {}, packText(def)), ' ', t('measures.trend_intro', {fy: fyLabel(fy)})),
    trend(def, pick(months), {id: 'trend-months', caption: t('measures.by_month', {id: def.id, fy: fyLabel(fy)}),
                              firstCol: t('measures.month'), filePart: fileName('months', fy)}),
    trend(def, pick(quarters), {id: 'trend-quarters', caption: t('measures.by_quarter', {id: def.id, fy: fyLabel(fy)}),
                                firstCol: t('measures.quarter'), filePart: fileName('quarters', fy)}),
    h2(t('measures.compare', {id: def.id}), {id: 'compare'}),
    byTeam ? comparison(res, def, teams, c, filePart) : p(t('measures.compare_needs_more')));
  return {title, body};
}

const stateText = (s) => tMaybe(`measures.states.${s || 'counted'}`) || s;
// An obligation measure's numerator is a list of states ("on_time,late"): in words.
const numeratorText = (rule) => {
  const parts = (rule || '').split(',');
  return rule && parts.every((x) => tMaybe(`measures.states.${x}`)) ? parts.map(stateText).join(', ') : rule;
};

export async function measure({params, query}) {
  const id = params.id;
  const now = today();
  const c = readChoice(query);
  const teams = await teamList();
  const back = `/measures?${pageQuery(c)}`;
  const errors = problems(c, {areas: areasOf(teams), teams});
  if (Object.keys(errors).length) {
    return {title: t('measures.item_title', {id}), error: true,
            body: frag(errorSummary(Object.values(errors).map((text) => ({text}))), heading(id),
                       p(link(back, t('measures.back'))))};
  }
  const [r, names] = await Promise.all([api.get(`/api/v1/measures/${seg(id)}?${apiQuery(c, now)}`), staffNames()]);
  const def = r.definition;
  const fig = r.figure || {numerator: 0, denominator: 0, value: null};
  const filePart = fileName(r.from, r.to, c.scope === 'council' ? '' : c.area || c.team);
  const items = r.items;
  const showDays = def.unit === 'days';
  const head = [
    {text: t('caseload.child'), sort: (i) => childName(i).toLowerCase()},
    {text: t('measures.date'), sort: (i) => i.date},
    {text: t('measures.state'), sort: (i) => stateText(i.state)},
    {text: t('measures.in_numerator'), sort: (i) => (i.in_numerator ? 0 : 1)},
    showDays && {text: t('measures.item_days'), numeric: true, sort: (i) => i.days},
    {text: t('caseload.worker'), sort: (i) => names(i.worker_id)},
    {text: t('measures.entries')},
  ].filter(Boolean);
  const entryLinks = (i) => i.entries.map((e, k) => frag(k ? ', ' : '',
    link(entryHref(i.child_id, e), t('measures.entry', {n: e}))));
  const itemsTable = table({id: 'items', caption: t('measures.items_caption', {n: items.length}), head, data: items,
    rows: items.map((i) => [
      link(`/children/${seg(i.child_id)}`, childName(i)), formatDate(i.date), stateText(i.state),
      i.in_numerator ? t('common.yes') : t('common.no'), showDays && String(i.days),
      i.worker_id ? names(i.worker_id) : t('children.unallocated'), entryLinks(i),
    ].filter((x) => x !== false))});
  const itemsCsv = [
    [t('measures.child_id'), t('measures.given_name'), t('measures.family_name'), t('measures.date'), t('measures.state'),
     t('measures.in_numerator'), showDays && t('measures.item_days'), t('caseload.worker'), t('measures.entries')].filter((x) => x !== false),
    ...items.map((i) => [i.child_id, i.given_name ?? '', i.family_name ?? '', i.date, stateText(i.state),
                         i.in_numerator ? t('common.yes') : t('common.no'), showDays && i.days,
                         i.worker_id ? names(i.worker_id) : t('children.unallocated'), i.entries.join(' ')]
      .filter((x) => x !== false)),
  ];
  const breakdown = fig.breakdown && Object.entries(fig.breakdown);
  return {
    title: t('measures.item_title', {id}),
    body: frag(
      link(back, t('measures.back'), {class: 'govuk-back-link cw-no-print'}),
      heading(frag(`${def.id}: `, packText(def)), {caption: `${periodText(r.from, r.to)} · ${scopeText(c, teams)}`}),
      summaryList([
        [t('measures.value'), h('span', {id: 'figure-value'}, formatValue(fig.value, def.unit))],
        [t('measures.numerator'), h('span', {id: 'figure-numerator'}, String(fig.numerator))],
        [t('measures.denominator'), h('span', {id: 'figure-denominator'}, String(fig.denominator))],
        [t('measures.target'), frag(targetText(def), ' ', againstTag(def, fig.value))],
        [t('measures.counted'), packText(def, 'counted')],
        [t('measures.numerator_rule'), numeratorText(def.numerator) || t('measures.numerator_none')],
        [t('measures.source'), packText(def, 'source')],
        [t('measures.checkpoint'), h('span', {class: 'cw-mono'}, checkpointText(r.checkpoint))],
      ]),
      breakdown ? frag(
        withCsv(table({id: 'breakdown', caption: t('measures.breakdown_caption'),
                       head: [{text: t('measures.state')}, {text: t('measures.count'), numeric: true}],
                       rows: breakdown.map(([k, n]) => [stateText(k), String(n)])}),
                fileName(def.id, 'breakdown', filePart),
                [[t('measures.state'), t('measures.count')], ...breakdown.map(([k, n]) => [stateText(k), n])])) : null,
      h2(t('measures.items')),
      p(t('measures.items_intro')),
      r.hidden > 0 ? inset(h('span', {id: 'hidden-items'}, t('measures.hidden', {n: r.hidden}))) : null,
      withCsv(itemsTable, fileName(def.id, 'items', filePart), itemsCsv)),
  };
}
