// pages/dashboard.js — a team manager's dashboard (the team's overdue work,
// signals, supervision, caseload per worker) and the same across teams for
// heads of service, service managers and inspectors.
import {api, seg} from '../api.js';
import {staffNames, teamList} from '../directory.js';
import {frag} from '../dom.js';
import {formatDate, packText, t} from '../i18n.js';
import {barChart, button, dateText, h2, heading, link, p, summaryList, table, tag} from '../ui.js';
import {caseloadTable, childName} from './caseload.js';
import {awaitingLink, awaitingSignOff} from './signoffs.js';
import {auditPanel} from './audits.js';

const SUPERVISION_RULE = 'supervision_gap';

// Per worker: open cases, overdue items, signals, cases not discussed in supervision.
function byWorker(caseload, overdue, signals) {
  const m = new Map();
  const get = (id) => {
    if (!m.has(id)) m.set(id, {worker: id, cases: 0, overdue: 0, signals: 0, unsupervised: 0});
    return m.get(id);
  };
  const worker = new Map(caseload.map((c) => [c.child_id, c.worker_id]));
  for (const c of caseload) get(c.worker_id).cases++;
  for (const o of overdue) if (worker.has(o.child_id)) get(worker.get(o.child_id)).overdue++;
  for (const s of signals) {
    if (!worker.has(s.child_id)) continue;
    const w = get(worker.get(s.child_id));
    w.signals++;
    if (s.rule === SUPERVISION_RULE) w.unsupervised++;
  }
  return [...m.values()];
}

const pct = (num, den) => (den ? Math.round((100 * num) / den) : 100);

// Who holds the case an item is about: the item's own worker_id when it has one
// (/overdue, /signals), else its caseload line's. null only for a case no one holds.
const workerOf = (i, byChild) => i.worker_id || byChild.get(i.child_id)?.worker_id || null;

// The items escalated to the reader's role, most overdue first.
function escalatedTable(items, names, role, byChild) {
  const mine = items.filter((i) => i.escalate_to === role)
    .sort((a, b) => (b.days_overdue || 0) - (a.days_overdue || 0));
  return table({id: 'escalated', caption: t('dash.escalated_caption', {n: mine.length}),
    head: [{text: t('caseload.child')}, {text: t('caseload.worker')}, {text: t('dash.item')}, {text: t('dash.since')},
           {text: t('dash.level')}],
    rows: mine.map((i) => [
      link(`/children/${seg(i.child_id)}`, childName(byChild.get(i.child_id) || i)),
      workerOf(i, byChild) ? names(workerOf(i, byChild)) : t('children.unallocated'),
      packText(i),
      i.due ? t('dash.overdue_since', {date: formatDate(i.due), n: i.days_overdue}) : dateText(i.since),
      tag(t('dash.level_n', {n: i.escalation_level}), i.escalation_level >= 3 ? 'red' : 'orange'),
    ])});
}

// Open cases no one holds, for a manager to allocate.
function waiting(r, me) {
  const canAllocate = MANAGERS.includes(me.role);
  return frag(
    h2(t('dash.unallocated')),
    r.caseload.length
      ? caseloadTable(r.caseload, {id: 'unallocated', caption: t('dash.unallocated_caption', {n: r.caseload.length}),
                                   action: canAllocate && ((c) => link(`/children/${seg(c.child_id)}/record/case_allocated`,
                                     t('dash.allocate'), {'aria-label': t('dash.allocate_label', {name: childName(c)})}))})
      : p(t('dash.no_unallocated')));
}

const MANAGERS = ['team_manager', 'service_manager', 'head_of_service'];

export async function team({params, me}) {
  const teamId = params.team || me.team_id;
  if (!teamId) return {redirect: '/service'};
  const awaiting = awaitingSignOff(me);
  const [load, names, teams, unalloc] = await Promise.all([
    api.get(`/api/v1/teams/${seg(teamId)}/caseload`), staffNames(), teamList(), api.get('/api/v1/unallocated'),
  ]);
  const info = teams.find((x) => x.team_id === teamId);
  const byChild = new Map([...unalloc.caseload, ...load.caseload].map((c) => [c.child_id, c]));
  // Each caseload line carries its overdue work and signals: no need to work out the
  // whole council's (/overdue, /signals) to find the team's. The items themselves name
  // no worker (only /overdue and /signals add one): the line they came from does.
  const items = (lines, key) => lines.flatMap((c) => c[key].map((i) => ({...i, worker_id: c.worker_id ?? null})));
  const overdue = items(load.caseload, 'overdue_work');
  const signals = items(load.caseload, 'signals_raised');
  // What is escalated about the cases no one holds yet is the managers' to see too.
  const waitingItems = [...items(unalloc.caseload, 'overdue_work'), ...items(unalloc.caseload, 'signals_raised')];
  const workers = byWorker(load.caseload, overdue, signals).sort((a, b) => names(a.worker).localeCompare(names(b.worker)));
  const cases = load.caseload.length;
  const unsupervised = signals.filter((s) => s.rule === SUPERVISION_RULE).length;
  const isManager = MANAGERS.includes(me.role);
  return {
    title: t('dash.team_title', {team: info?.name || teamId}),
    body: frag(
      heading(info?.name || teamId, {caption: t('dash.team_caption', {date: formatDate(load.as_of)})}),
      isManager ? button(t('dash.record_supervision'), {href: '/record/supervision_held', secondary: true}) : null,
      awaitingLink(await awaiting),
      summaryList([
        [t('dash.open_cases'), String(cases)],
        [t('dash.overdue_items'), String(overdue.length)],
        [t('dash.signals'), String(signals.length)],
        [t('dash.supervision'), t('dash.supervision_value', {pct: pct(cases - unsupervised, cases), n: unsupervised})],
      ]),
      h2(t('dash.escalated')),
      escalatedTable([...overdue, ...signals, ...waitingItems], names, me.role, byChild),
      waiting(unalloc, me),
      h2(t('dash.overdue_work')),
      table({id: 'team-overdue', head: [{text: t('caseload.child')}, {text: t('caseload.worker')}, {text: t('dash.item')},
                                          {text: t('child.due'), sort: (o) => o.due}, {text: t('dash.days_overdue'), numeric: true, sort: (o) => o.days_overdue}],
             data: overdue,
             rows: overdue.map((o) => [link(`/children/${seg(o.child_id)}`, childName(byChild.get(o.child_id))),
                                       names(byChild.get(o.child_id).worker_id), packText(o), formatDate(o.due), String(o.days_overdue)])}),
      h2(t('dash.signals')),
      table({id: 'team-signals', head: [{text: t('caseload.child')}, {text: t('caseload.worker')}, {text: t('child.signal')}, {text: t('child.since'), sort: (s) => s.since}],
             data: signals,
             rows: signals.map((s) => [link(`/children/${seg(s.child_id)}`, childName(byChild.get(s.child_id))),
                                       names(byChild.get(s.child_id).worker_id), packText(s), formatDate(s.since)])}),
      h2(t('dash.by_worker')),
      barChart(t('dash.chart_caseload'), workers.map((w) => ({label: names(w.worker), value: w.cases}))),
      barChart(t('dash.chart_overdue'), workers.map((w) => ({label: names(w.worker), value: w.overdue, warn: w.overdue > 0}))),
      barChart(t('dash.chart_supervision'), workers.map((w) => ({label: names(w.worker), value: pct(w.cases - w.unsupervised, w.cases),
                                                                 warn: w.unsupervised > 0})), {unit: '%'}),
      table({id: 'workers', caption: t('dash.workers_caption'),
             head: [{text: t('caseload.worker'), sort: (w) => names(w.worker)}, {text: t('dash.open_cases'), numeric: true, sort: (w) => w.cases},
                    {text: t('dash.overdue_items'), numeric: true, sort: (w) => w.overdue}, {text: t('dash.signals'), numeric: true, sort: (w) => w.signals},
                    {text: t('dash.supervision'), numeric: true, sort: (w) => pct(w.cases - w.unsupervised, w.cases)}],
             data: workers,
             rows: workers.map((w) => [names(w.worker), String(w.cases), String(w.overdue), String(w.signals),
                                       `${pct(w.cases - w.unsupervised, w.cases)}%`])}),
      h2(t('dash.team_cases')),
      caseloadTable(load.caseload, {caption: t('dash.team_cases_caption', {n: cases}), names})),
  };
}

export async function service({me}) {
  const awaiting = awaitingSignOff(me);
  const [teams, od, sg, names, unalloc, audits] = await Promise.all([
    teamList(), api.get('/api/v1/overdue'), api.get('/api/v1/signals'), staffNames(), api.get('/api/v1/unallocated'),
    auditPanel(me).catch(() => null), // the overview stands without it
  ]);
  // Each team the reader may see (a service manager sees their service area's).
  const loads = await Promise.all(teams.map((tm) =>
    api.get(`/api/v1/teams/${seg(tm.team_id)}/caseload`).then((r) => ({team: tm, load: r.caseload}))
      .catch((e) => (e.status === 403 ? null : Promise.reject(e)))));
  const rows = loads.filter(Boolean).map(({team: tm, load}) => {
    const ids = new Set(load.map((c) => c.child_id));
    const signals = sg.signals.filter((s) => ids.has(s.child_id));
    const unsupervised = signals.filter((s) => s.rule === SUPERVISION_RULE).length;
    return {team: tm, cases: load.length, overdue: od.overdue.filter((o) => ids.has(o.child_id)).length,
            signals: signals.length, supervision: pct(load.length - unsupervised, load.length), load};
  });
  const byChild = new Map(rows.flatMap((r) => r.load.map((c) => [c.child_id, c])));
  const total = (k) => rows.reduce((n, r) => n + r[k], 0);
  return {
    title: t('dash.service_title'),
    body: frag(
      heading(t('dash.service_title'), {caption: t('dash.team_caption', {date: formatDate(od.as_of)})}),
      me.role === 'inspector' ? p(t('dash.inspector_intro'), ' ', link('/verify', t('nav.verify'))) : null,
      awaitingLink(await awaiting),
      audits,
      summaryList([
        [t('dash.open_cases'), String(total('cases'))],
        [t('dash.overdue_items'), String(od.overdue.length)],
        [t('dash.signals'), String(sg.signals.length)],
      ]),
      h2(t('dash.escalated')),
      escalatedTable([...od.overdue, ...sg.signals], names, me.role, byChild),
      waiting(unalloc, me),
      h2(t('dash.by_team')),
      barChart(t('dash.chart_team_cases'), rows.map((r) => ({label: r.team.name, value: r.cases}))),
      barChart(t('dash.chart_team_overdue'), rows.map((r) => ({label: r.team.name, value: r.overdue, warn: r.overdue > 0}))),
      barChart(t('dash.chart_team_supervision'), rows.map((r) => ({label: r.team.name, value: r.supervision, warn: r.supervision < 100})), {unit: '%'}),
      table({id: 'teams', caption: t('dash.teams_caption'),
             head: [{text: t('dash.team'), sort: (r) => r.team.name}, {text: t('dash.area'), sort: (r) => r.team.service_area || ''},
                    {text: t('dash.open_cases'), numeric: true, sort: (r) => r.cases}, {text: t('dash.overdue_items'), numeric: true, sort: (r) => r.overdue},
                    {text: t('dash.signals'), numeric: true, sort: (r) => r.signals}, {text: t('dash.supervision'), numeric: true, sort: (r) => r.supervision}],
             data: rows,
             rows: rows.map((r) => [link(`/teams/${seg(r.team.team_id)}`, r.team.name), r.team.service_area || '',
                                    String(r.cases), String(r.overdue), String(r.signals), `${r.supervision}%`])})),
  };
}
