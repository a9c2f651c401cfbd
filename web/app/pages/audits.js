// pages/audits.js — case-file audits (docs/audits.md; events in docs/events.md, "Case-file
// audits"; routes in docs/api.md). Four pages:
//   /audits                               the cases drawn for me, and the programmes;
//   /audits/{programme}/cases/{child}     auditing (or moderating) one case, theme by theme,
//                                         with the framework's guidance beside each;
//   /audits/{programme}                   the programme's figures as the server gives them
//                                         (never recomputed), critical findings, cases,
//                                         recommendations and actions, the sample and the report;
//   /audit-reports                        every report issued: acknowledgements and actions,
//                                         with the forms each action's owner and signer need.
// The catalogue decides who may record each event; a page offers a form to the roles that
// may, and shows any refusal of the server in the error summary, in the server's words.
import {api, seg, withoutField} from '../api.js';
import {staffList, staffNames, teamList} from '../directory.js';
import {foreign, frag, h, replace} from '../dom.js';
import {enhance} from '../govuk.js';
import {formatDate, language, t} from '../i18n.js';
import {button, checkboxes, clearNotice, dateInput, errorSummary, h2, heading, inset, link, p, radios,
        readDate, select, summaryList, table, tag, textInput, textarea, today} from '../ui.js';
import {childName} from './caseload.js';
import {eventLabel} from './child.js';

const bytes = (s) => new TextEncoder().encode(s).length;
const MANAGERS = ['team_manager', 'service_manager', 'head_of_service', 'director'];
// Who commissions a programme, draws its sample and issues its report (the catalogue).
export const COMMISSIONERS = ['service_manager', 'head_of_service', 'director', 'qa_auditor'];
// Who reads every programme and every report (GET /api/v1/audits/{p}, /api/v1/audit-reports).
export const PROGRAMME_READERS = [...MANAGERS, 'qa_auditor', 'inspector'];
// Whose overview shows the reports' state (the /service page's panel).
export const OVERSEERS = ['head_of_service', 'director', 'inspector'];

// A framework's words in the page's language: the Welsh where the framework gives it, else the
// English, marked as English on a Welsh page.
const fw = (item, key) => (language() === 'cy' && item?.[`${key}_cy`] ? item[`${key}_cy`]
                           : language() === 'cy' ? foreign(item?.[key] ?? '', 'en') : item?.[key] ?? '');
const gradeOf = (framework, g) => framework?.grades.find((x) => x.grade === g);
const gradeText = (framework, g) => {
  const x = gradeOf(framework, g);
  return x ? frag(`${g} `, fw(x, 'label')) : String(g);
};
const themeOf = (framework, id) => framework?.themes.find((x) => x.theme === id);
const themeText = (framework, id) => (themeOf(framework, id) ? fw(themeOf(framework, id), 'title') : id);
const guidance = (text) => (isText(text) ? String(text.text ?? text).split('\n') : []);
const isText = (v) => typeof v === 'string' ? v !== '' : Boolean(v && v.text);

// A page holding several forms has one error summary, at its top (#audit-errors): a form's
// problems go there, and each form shows its own beside its questions.
function errorBox() {
  return h('div', {id: 'audit-errors'});
}
function fail(box, items, title) {
  replace(box, errorSummary(items));
  clearNotice();
  document.title = `${t('errors.title_prefix')} ${title} – ${t('shell.service')}`;
  enhance(box); // the summary takes the focus
}

// One form of a page: draw(errors, values) gives its questions; read(form) its values;
// check(values) the problems the page finds ({name: message}); send(values) records it. A
// refusal of the server names a field (the event's); fieldOf maps it to this form's question.
function formBlock({id, draw, read, check = () => ({}), send, fieldOf = () => null, errors: box, title}) {
  const wrap = h('div', {id: `${id}-box`});
  let values = {};
  const show = (errors = {}) => {
    wrap.replaceChildren(h('form', {novalidate: true, id, onsubmit: submit}, draw(errors, values)));
  };
  async function submit(ev) {
    ev.preventDefault();
    values = read(ev.target);
    const errors = check(values);
    let summary = Object.entries(errors).map(([k, text]) => ({href: `#f-${k}`, text}));
    if (!summary.length) {
      const b = ev.target.querySelector('button[type="submit"]');
      if (b) b.disabled = true;
      try {
        await send(values);
        return;
      } catch (e) {
        const name = e.field ? fieldOf(e.field) : null;
        const text = withoutField(e, name ? e.field : null);
        if (name) errors[name] = text;
        summary = [{href: name ? `#f-${name}` : `#${id}`, text}];
      }
    }
    show(errors);
    fail(box, summary, title);
  }
  show();
  return wrap;
}

const tooLong = (label, n) => t('errors.too_long', {label: label.toLowerCase(), n});
const needText = (values, name, label, max, missing) =>
  (!values[name].trim() ? missing : bytes(values[name]) > max ? tooLong(label, max) : null);
const clean = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));
const post = (type, payload) => api.post(`/api/v1/commands/${type}`, clean(payload));

const STATUS_COLOUR = {open: 'blue', in_progress: 'yellow', awaiting_sign_off: 'purple', closed: 'green'};
const statusTag = (s) => tag(t(`audits.status.${s}`), STATUS_COLOUR[s]);
const overdue = (a) => a.status !== 'closed' && a.due && a.due < today();
const childCell = (c, href) => frag(link(href, childName(c)), h('br'),
                                    h('span', {class: 'govuk-hint govuk-!-margin-bottom-0'}, c.child_id));

function onlyFor() {
  return {title: t('audits.only_title'), body: frag(heading(t('audits.only_title')), p(t('audits.only')))};
}

// ---- /audits: the cases drawn for me, and the programmes ----

export async function audits({me}) {
  const [{programmes, my_cases: mine}, names] = await Promise.all([api.get('/api/v1/audits'), staffNames()]);
  const title = t('audits.title');
  const byId = new Map(programmes.map((x) => [x.programme_id, x]));
  const done = (c) => (c.as === 'moderator' ? c.moderated_on : c.completed_on);
  const reader = PROGRAMME_READERS.includes(me.role);
  return {title, body: frag(
    heading(title),
    p(t('audits.intro')),
    h2(t('audits.my_cases'), {id: 'my-cases'}),
    mine.length
      ? table({id: 'my-cases-table', caption: t('audits.my_cases_caption', {n: mine.length}),
               head: [{text: t('audits.child')}, {text: t('audits.programme')}, {text: t('audits.as')},
                      {text: t('audits.state')}, {text: t('audits.ends')}],
               rows: mine.map((c) => [
                 childCell(c, `/audits/${seg(c.programme_id)}/cases/${seg(c.child_id)}`),
                 reader ? link(`/audits/${seg(c.programme_id)}`, byId.get(c.programme_id)?.title ?? c.programme_id)
                        : byId.get(c.programme_id)?.title ?? c.programme_id,
                 t(`audits.as_${c.as}`),
                 done(c) ? tag(t('audits.done_on', {date: formatDate(done(c))}), 'green') : tag(t('audits.to_do'), 'blue'),
                 formatDate(c.programme_ends)])})
      : p(t('audits.none_mine')),
    reader ? frag(
      h2(t('audits.programmes'), {id: 'programmes'}),
      table({id: 'programmes-table', caption: t('audits.programmes_caption', {n: programmes.length}),
             head: [{text: t('audits.programme')}, {text: t('audits.framework')}, {text: t('audits.starts')},
                    {text: t('audits.ends')}, {text: t('audits.commissioned_by')}],
             rows: programmes.map((x) => [link(`/audits/${seg(x.programme_id)}`, x.title), x.framework,
                                          formatDate(x.starts), formatDate(x.ends), names(x.commissioned_by)])}),
      p(link('/audit-reports', t('audits.reports_link'), {id: 'audit-reports-link'}))) : null)};
}

// ---- /audits/{programme}/cases/{child}: auditing one case ----

export async function auditCase({params, navigate}) {
  const {programme: pid, child: cid} = params;
  const [{programmes, my_cases: mine}, names] = await Promise.all([api.get('/api/v1/audits'), staffNames()]);
  const prog = programmes.find((x) => x.programme_id === pid);
  const mineHere = mine.find((c) => c.programme_id === pid && c.child_id === cid);
  if (!prog) return onlyFor();
  const [framework, {audits: list}, chron] = await Promise.all([
    api.get(`/api/v1/audit-frameworks/${seg(prog.framework)}`),
    api.get(`/api/v1/children/${seg(cid)}/audits`),
    api.get(`/api/v1/children/${seg(cid)}/chronology`).catch(() => ({chronology: []})),
  ]);
  const audit = list.find((a) => a.programme_id === pid) || {grades: [], moderation: []};
  const moderation = mineHere?.as === 'moderator';
  const grades = moderation ? audit.moderation : audit.grades;
  const completedOn = moderation ? audit.moderated_on : audit.completed_on;
  const name = mineHere ? childName(mineHere) : cid;
  const title = t(moderation ? 'audits.moderate_title' : 'audits.case_title', {id: cid});
  const here = `/audits/${seg(pid)}/cases/${seg(cid)}`;
  const box = errorBox();
  const saved = new Map(grades.map((g) => [g.theme, g]));
  const entries = [...(chron.chronology || [])].reverse().filter((e) => e.index !== undefined);
  const may = Boolean(mineHere) && !completedOn;

  const savedList = (g) => summaryList([
    [t('audits.grade'), g.not_applicable ? t('audits.not_applicable') : gradeText(framework, g.grade)],
    [t('audits.narrative'), g.narrative],
    [t('audits.evidence'), g.evidence?.length ? t('audits.entries', {list: g.evidence.join(', ')}) : t('audits.no_evidence')],
    [t('audits.graded_by'), t('audits.by_on', {name: names(g.graded_by), date: formatDate(g.graded_on)})],
  ]);

  const themeForm = (th) => {
    const k = th.theme;
    const g = saved.get(k);
    const f = (n) => `${n}-${k}`;
    const label = themeText(framework, k);
    return formBlock({
      id: `form-${k}`, errors: box, title,
      draw: (errors, v) => frag(
        radios(f('grade'), t('audits.grade_question'),
               [...framework.grades.map((x) => [String(x.grade), frag(`${x.grade} `, fw(x, 'label'),
                                                                       x.critical ? ` (${t('audits.critical')})` : '')]),
                ['na', t('audits.not_applicable')]],
               {error: errors[f('grade')], value: v.grade ?? (g ? (g.not_applicable ? 'na' : String(g.grade)) : '')}),
        textarea(f('narrative'), t('audits.narrative'), {hint: t('audits.narrative_hint'), error: errors[f('narrative')],
                                                         value: v.narrative ?? g?.narrative ?? '', rows: 5}),
        entries.length
          ? h('details', {class: 'govuk-details'},
              h('summary', {class: 'govuk-details__summary'},
                h('span', {class: 'govuk-details__summary-text'}, t('audits.evidence_choose'))),
              h('div', {class: 'govuk-details__text'},
                checkboxes(f('evidence'), t('audits.evidence'),
                           entries.slice(0, 60).map((e) => [String(e.index), t('audits.entry_label', {n: e.index, what: eventLabel(e.type), date: formatDate(e.date)})]),
                           {hint: t('audits.evidence_hint'), error: errors[f('evidence')], small: true,
                            values: v.evidence ?? g?.evidence ?? []})))
          : null,
        button(g ? t('audits.save_again') : t('audits.save_grade'), {'aria-describedby': `theme-${k}-title`})),
      read: (form) => ({
        grade: form.querySelector(`input[name="${f('grade')}"]:checked`)?.value ?? '',
        narrative: form.elements[f('narrative')].value,
        evidence: [...form.querySelectorAll(`input[name="${f('evidence')}"]:checked`)].map((x) => x.value),
      }),
      check: (v) => clean({
        [f('grade')]: v.grade ? null : t('audits.choose_grade'),
        [f('narrative')]: needText(v, 'narrative', t('audits.narrative'), 4000, t('audits.narrative_needed')),
      }),
      fieldOf: (x) => (x === 'grade' || x === 'not_applicable' ? f('grade') : x === 'narrative' ? f('narrative')
                       : x === 'evidence' && entries.length ? f('evidence') : null),
      send: async (v) => {
        await post('audit_theme_graded', {
          programme_id: pid, child_id: cid, date: today(), theme: k,
          grade: v.grade === 'na' ? null : Number(v.grade), not_applicable: v.grade === 'na' ? true : null,
          narrative: v.narrative.trim(), evidence: v.evidence.length ? v.evidence : null,
          moderation: moderation ? true : null});
        navigate(`${here}#theme-${k}`, {notice: {success: true, text: t('audits.grade_saved', {theme: typeof label === 'string' ? label : label.text})}});
      },
    });
  };

  const themes = framework.themes.map((th) => h('section', {class: 'govuk-!-margin-bottom-8', id: `theme-${th.theme}`,
                                                            'aria-labelledby': `theme-${th.theme}-title`},
    h('h2', {class: 'govuk-heading-m', id: `theme-${th.theme}-title`}, themeText(framework, th.theme)),
    h('div', {class: 'govuk-grid-row'},
      h('div', {class: 'govuk-grid-column-two-thirds'},
        saved.get(th.theme) ? frag(h('h3', {class: 'govuk-heading-s'}, t('audits.saved_grade')), savedList(saved.get(th.theme))) : null,
        may ? themeForm(th) : saved.get(th.theme) ? null : p(t('audits.not_graded'))),
      h('aside', {class: 'govuk-grid-column-one-third cw-guidance', 'aria-label': t('audits.guidance_label', {theme: plainText(themeText(framework, th.theme))})},
        h('h3', {class: 'govuk-heading-s'}, t('audits.guidance')),
        guidance(fw(th, 'guidance')).map((line) => p(language() === 'cy' && !th.guidance_cy ? foreign(line, 'en') : line))))));

  const all = framework.themes.every((th) => saved.has(th.theme));
  const complete = may ? formBlock({
    id: 'form-complete', errors: box, title,
    draw: (errors, v) => frag(
      radios('overall', t('audits.overall_question'),
             framework.grades.map((x) => [String(x.grade), frag(`${x.grade} `, fw(x, 'label'), x.critical ? ` (${t('audits.critical')})` : '')]),
             {error: errors.overall, value: v.overall ?? '', hint: t('audits.overall_hint')}),
      textarea('summary', t('audits.summary'), {hint: t('audits.summary_hint'), error: errors.summary, value: v.summary ?? '', rows: 5}),
      button(t(moderation ? 'audits.complete_moderation' : 'audits.complete'))),
    read: (form) => ({overall: form.querySelector('input[name="overall"]:checked')?.value ?? '', summary: form.elements.summary.value}),
    check: (v) => clean({
      overall: v.overall ? null : t('audits.choose_overall'),
      summary: bytes(v.summary) > 4000 ? tooLong(t('audits.summary'), 4000) : null,
    }),
    fieldOf: (x) => (x === 'overall' || x === 'summary' ? x : null),
    send: async (v) => {
      await post('audit_case_completed', {programme_id: pid, child_id: cid, date: today(), overall: Number(v.overall),
                                          summary: v.summary.trim() || null, moderation: moderation ? true : null});
      navigate(here, {notice: {success: true, text: t(moderation ? 'audits.moderation_completed' : 'audits.completed', {name})}});
    },
  }) : null;

  return {title, body: frag(
    box,
    heading(title, {caption: frag(prog.title, ' — ', name)}),
    summaryList([
      [t('audits.child'), frag(link(`/children/${seg(cid)}`, t('audits.child_record', {name})), ' ', h('span', {class: 'govuk-hint'}, cid))],
      [t('audits.programme'), prog.title],
      [t('audits.framework'), fw(framework, 'title')],
      [t('audits.as'), mineHere ? t(`audits.as_${mineHere.as}`) : t('audits.reading')],
      [t('audits.ends'), formatDate(prog.ends)],
      [t('audits.state'), completedOn ? tag(t('audits.done_on', {date: formatDate(completedOn)}), 'green') : tag(t('audits.to_do'), 'blue')],
    ]),
    !mineHere ? inset(t('audits.not_yours')) : completedOn ? inset(t('audits.completed_final')) : p(t('audits.case_intro')),
    themes,
    may ? h('section', {id: 'complete', 'aria-labelledby': 'complete-title'},
      h('h2', {class: 'govuk-heading-m', id: 'complete-title'}, t(moderation ? 'audits.complete_moderation_heading' : 'audits.complete_heading')),
      all ? null : inset(t('audits.complete_first')),
      complete) : null,
    p(link(`/children/${seg(cid)}`, t('audits.child_record', {name}), {id: 'child-record-link'})),
    p(link('/audits', t('audits.back'))))};
}
const plainText = (v) => (typeof v === 'string' ? v : v?.text ?? '');

// ---- /audits/{programme}: the figures, findings, cases, recommendations and the report ----

// A distribution as a table: one row a grade, its count and the server's percentage.
function distTable(framework, caption, dist, id) {
  return table({id, caption,
                head: [{text: t('audits.grade')}, {text: t('audits.count'), numeric: true}, {text: t('audits.percent'), numeric: true}],
                rows: dist.map((d) => [gradeText(framework, d.grade), String(d.count), `${d.percent}%`])});
}
// Rows of tallies (by theme, team, auditor) with a column per grade: "count (percent%)".
function tallyTable(framework, caption, rows, keyOf, id) {
  const grades = framework ? framework.grades.map((g) => g.grade) : (rows[0]?.grades || []).map((d) => d.grade);
  return table({id, caption,
                head: [{text: caption}, ...grades.map((g) => ({text: plainText(gradeOf(framework, g) ? fw(gradeOf(framework, g), 'label') : String(g)), numeric: true})),
                       {text: t('audits.gradings'), numeric: true}],
                rows: rows.map((r) => [keyOf(r), ...r.grades.map((d) => t('audits.count_percent', {n: d.count, pct: d.percent})), String(r.gradings)])});
}

export async function programme({params, me, navigate}) {
  if (!PROGRAMME_READERS.includes(me.role) && !me.staff_id) return onlyFor();
  const pid = params.programme;
  const [prog, names, teams, staff] = await Promise.all([
    api.get(`/api/v1/audits/${seg(pid)}`), staffNames(), teamList().catch(() => []), staffList()]);
  const fig = prog.figures;
  const framework = await api.get(`/api/v1/audit-frameworks/${seg(fig.framework)}`).catch(() => null);
  const teamName = (id) => (id === '(none)' ? t('audits.no_team') : teams.find((x) => x.team_id === id)?.name ?? id);
  const title = fig.title;
  const here = `/audits/${seg(pid)}`;
  const box = errorBox();
  const report = prog.report;
  const recs = report ? report.recommendations : prog.recommendations;
  const commissioner = COMMISSIONERS.includes(me.role) && Boolean(me.staff_id);
  const manager = MANAGERS.includes(me.role);
  const mod = fig.moderation;
  const done = (notice) => navigate(here, {notice: {success: true, text: notice}});

  // A critical finding, and for the case's managers the form to record the action taken.
  const findingAction = (f) => formBlock({
    id: `finding-${f.child_id}`, errors: box, title,
    draw: (errors, v) => frag(
      textarea(`action-${f.child_id}`, t('audits.finding_action', {id: f.child_id}), {hint: t('audits.finding_action_hint'),
               error: errors[`action-${f.child_id}`], value: v.action ?? '', rows: 3}),
      button(t('audits.record_action'))),
    read: (form) => ({action: form.elements[`action-${f.child_id}`].value}),
    check: (v) => clean({[`action-${f.child_id}`]: needText(v, 'action', t('audits.action_taken'), 4000, t('audits.action_needed'))}),
    fieldOf: (x) => (x === 'action' ? `action-${f.child_id}` : null),
    send: async (v) => {
      await post('audit_finding_actioned', {programme_id: pid, child_id: f.child_id, date: today(), action: v.action.trim()});
      done(t('audits.action_recorded', {id: f.child_id}));
    },
  });
  const findings = fig.critical_findings;

  const sampleForm = formBlock({
    id: 'form-sample', errors: box, title,
    draw: (errors, v) => frag(
      textInput('size', t('audits.size'), {hint: t('audits.size_hint'), error: errors.size, value: v.size ?? '', width: 3, type: 'text'}),
      textInput('minimum', t('audits.minimum'), {hint: t('audits.minimum_hint'), error: errors.minimum, value: v.minimum ?? '1', width: 3}),
      textInput('seed', t('audits.seed'), {hint: t('audits.seed_hint'), error: errors.seed, value: v.seed ?? '', width: 20, spellcheck: false}),
      button(t('audits.draw'), {secondary: true})),
    read: (form) => ({size: form.elements.size.value.trim(), minimum: form.elements.minimum.value.trim(), seed: form.elements.seed.value.trim()}),
    check: (v) => clean({
      size: /^\d+$/.test(v.size) && Number(v.size) >= 1 && Number(v.size) <= 50 ? null : t('audits.size_range'),
      minimum: v.minimum === '' || (/^\d+$/.test(v.minimum) && Number(v.minimum) <= 50) ? null : t('audits.minimum_range'),
      seed: v.seed === '' || /^[A-Za-z0-9._:-]{1,32}$/.test(v.seed) ? null : t('audits.seed_bad'),
    }),
    fieldOf: (x) => (['size', 'minimum', 'seed'].includes(x) ? x : null),
    send: async (v) => {
      const r = await api.post(`/api/v1/audits/${seg(pid)}/sample`, clean({size: Number(v.size), minimum: v.minimum === '' ? null : Number(v.minimum), seed: v.seed || null}));
      done(t('audits.sample_drawn', {n: r.payload?.cases?.length ?? 0}));
    },
  });

  const themeIds = fig.by_theme.map((x) => x.theme);
  const recForm = formBlock({
    id: 'form-recommendation', errors: box, title,
    draw: (errors, v) => frag(
      select('rec-theme', t('audits.rec_theme'), themeIds.map((id) => [id, plainText(themeText(framework, id))]),
             {hint: t('audits.rec_theme_hint'), error: errors['rec-theme'], value: v.theme ?? '', blank: t('audits.no_theme')}),
      textarea('rec-text', t('audits.rec_text'), {hint: t('audits.rec_text_hint'), error: errors['rec-text'], value: v.text ?? '', rows: 4}),
      button(t('audits.add_recommendation'), {secondary: true})),
    read: (form) => ({theme: form.elements['rec-theme'].value, text: form.elements['rec-text'].value}),
    check: (v) => clean({'rec-text': needText(v, 'text', t('audits.rec_text'), 2000, t('audits.rec_needed'))}),
    fieldOf: (x) => (x === 'text' ? 'rec-text' : x === 'theme' ? 'rec-theme' : null),
    send: async (v) => {
      const n = recs.length + 1;
      await post('audit_recommendation_made', {recommendation_id: `${pid}-R${n}-${Date.now().toString(36)}`, programme_id: pid,
                                               date: today(), theme: v.theme || null, text: v.text.trim()});
      done(t('audits.rec_added'));
    },
  });

  const owners = staff.filter((s) => !s.left_on).map((s) => [s.staff_id, `${s.name} (${t(`roles.${s.role}`)})`]);
  const actionForm = formBlock({
    id: 'form-action', errors: box, title,
    draw: (errors, v) => frag(
      select('act-rec', t('audits.act_rec'), recs.map((r) => [r.recommendation_id, `${r.number}. ${r.text.slice(0, 80)}`]),
             {error: errors['act-rec'], value: v.rec ?? (recs.length === 1 ? recs[0].recommendation_id : '')}),
      textarea('act-text', t('audits.act_text'), {hint: t('audits.act_text_hint'), error: errors['act-text'], value: v.text ?? '', rows: 3}),
      select('act-owner', t('audits.act_owner'), owners, {error: errors['act-owner'], value: v.owner ?? ''}),
      dateInput('act-due', t('audits.act_due'), {hint: t('audits.act_due_hint'), error: errors['act-due'], value: v.dueRaw ?? ''}),
      button(t('audits.add_action'), {secondary: true})),
    read: (form) => ({rec: form.elements['act-rec'].value, text: form.elements['act-text'].value, owner: form.elements['act-owner'].value,
                      due: readDate(form, 'act-due'),
                      dueRaw: {day: form.elements['act-due-day'].value, month: form.elements['act-due-month'].value, year: form.elements['act-due-year'].value}}),
    check: (v) => clean({
      'act-rec': v.rec ? null : t('audits.act_rec_needed'),
      'act-text': needText(v, 'text', t('audits.act_text'), 1000, t('audits.act_text_needed')),
      'act-owner': v.owner ? null : t('audits.act_owner_needed'),
      'act-due': v.due ? (v.due < today() ? t('audits.act_due_past') : null) : t('audits.act_due_needed'),
    }),
    fieldOf: (x) => ({recommendation_id: 'act-rec', text: 'act-text', owner_id: 'act-owner', due: 'act-due'}[x] ?? null),
    send: async (v) => {
      const r = recs.find((x) => x.recommendation_id === v.rec);
      await post('audit_action_set', {action_id: `${v.rec}-A${(r?.actions.length ?? 0) + 1}`, recommendation_id: v.rec, date: today(),
                                      text: v.text.trim(), owner_id: v.owner, due: v.due});
      done(t('audits.act_added'));
    },
  });

  const issueForm = formBlock({
    id: 'form-issue', errors: box, title,
    draw: (errors, v) => frag(
      textInput('within', t('audits.within'), {hint: t('audits.within_hint'), error: errors.within, value: v.within ?? '10', width: 3}),
      button(t('audits.issue'))),
    read: (form) => ({within: form.elements.within.value.trim()}),
    check: (v) => clean({within: /^\d+$/.test(v.within) && Number(v.within) >= 1 && Number(v.within) <= 60 ? null : t('audits.within_range')}),
    fieldOf: (x) => (x === 'acknowledge_within' ? 'within' : null),
    send: async (v) => {
      await api.post(`/api/v1/audits/${seg(pid)}/report`, {report_id: `${pid}-report`, acknowledge_within: Number(v.within)});
      done(t('audits.issued_notice'));
    },
  });

  const mayAck = report && report.recipients.some((x) => x.staff_id === me.staff_id && !x.acknowledged_on);
  return {title, body: frag(
    box,
    heading(title, {caption: t('audits.programme_caption')}),
    summaryList([
      [t('audits.framework'), framework ? fw(framework, 'title') : fig.framework],
      [t('audits.dates'), t('audits.from_to', {from: formatDate(fig.starts), to: formatDate(fig.ends)})],
      [t('audits.cases_line'), t('audits.cases_counts', {n: fig.cases.in_programme, completed: fig.cases.completed, moderated: fig.cases.moderated})],
      [t('audits.gradings'), String(fig.gradings)],
      [t('audits.report'), report ? tag(t('audits.issued_on', {date: formatDate(report.issued_on)}), 'green') : tag(t('audits.not_issued'), 'grey')],
    ]),
    h2(t('audits.findings'), {id: 'findings'}),
    findings.length ? table({id: 'findings-table', caption: t('audits.findings_caption', {n: findings.length}),
      head: [{text: t('audits.child')}, {text: t('audits.found_on')}, {text: t('audits.action_taken')}],
      rows: findings.map((f) => [link(`/audits/${seg(pid)}/cases/${seg(f.child_id)}`, f.child_id), formatDate(f.found_on),
                                 f.actioned_on ? t('audits.actioned', {date: formatDate(f.actioned_on), name: names(f.actioned_by)})
                                               : tag(t('audits.no_action'), 'red')])})
      : p(t('audits.no_findings')),
    manager ? findings.filter((f) => !f.actioned_on).map(findingAction) : null,
    h2(t('audits.cases'), {id: 'cases'}),
    table({id: 'cases-table', caption: t('audits.cases_caption', {n: prog.cases.length}),
      head: [{text: t('audits.child')}, {text: t('audits.auditor')}, {text: t('audits.moderator')}, {text: t('audits.state')}, {text: t('audits.overall')}],
      rows: prog.cases.map((c) => [link(`/audits/${seg(pid)}/cases/${seg(c.child_id)}`, c.child_id), names(c.auditor_id),
                                   c.moderator_id ? names(c.moderator_id) : t('audits.none'),
                                   c.completed_on ? tag(t('audits.done_on', {date: formatDate(c.completed_on)}), 'green') : tag(t('audits.to_do'), 'blue'),
                                   c.overall ? gradeText(framework, c.overall) : t('audits.none')])}),
    h2(t('audits.figures'), {id: 'figures'}),
    p(t('audits.figures_intro')),
    distTable(framework, t('audits.overall_caption'), fig.overall, 'overall-table'),
    distTable(framework, t('audits.distribution_caption', {n: fig.gradings}), fig.distribution, 'distribution-table'),
    tallyTable(framework, t('audits.by_theme'), fig.by_theme, (r) => themeText(framework, r.theme), 'by-theme-table'),
    tallyTable(framework, t('audits.by_team'), fig.by_team, (r) => teamName(r.team_id), 'by-team-table'),
    tallyTable(framework, t('audits.by_auditor'), fig.by_auditor, (r) => names(r.auditor_id), 'by-auditor-table'),
    h2(t('audits.moderation'), {id: 'moderation'}),
    summaryList([
      [t('audits.pairs'), String(mod.pairs)],
      [t('audits.exact'), t('audits.count_percent', {n: mod.exact, pct: mod.exact_percent})],
      [t('audits.within_one'), t('audits.count_percent', {n: mod.within_one, pct: mod.within_one_percent})],
      [t('audits.kappa'), mod.kappa_linear ? t('audits.kappa_values', {linear: mod.kappa_linear, quadratic: mod.kappa_quadratic}) : t('audits.kappa_undefined')],
    ]),
    h2(t('audits.recommendations'), {id: 'recommendations'}),
    recs.length ? recs.map((r) => frag(
      h('h3', {class: 'govuk-heading-s', id: `rec-${r.number}`}, t('audits.rec_heading', {n: r.number}), r.theme ? frag(' — ', themeText(framework, r.theme)) : null),
      p(r.text),
      actionsTable(r, names, pid)))
      : p(t('audits.no_recommendations')),
    commissioner && !report ? frag(
      h2(t('audits.add_recommendation'), {id: 'add-recommendation'}), recForm,
      recs.length ? frag(h2(t('audits.add_action'), {id: 'add-action'}), actionForm) : null,
      h2(t('audits.draw_heading'), {id: 'draw'}), p(t('audits.draw_intro')), sampleForm,
      h2(t('audits.issue_heading'), {id: 'issue'}), p(t('audits.issue_intro')), issueForm) : null,
    report ? reportSection(report, names, me, box, title, () => navigate(here, {notice: {success: true, text: t('audits.acknowledged_notice')}}), mayAck) : null,
    p(link('/audits', t('audits.back'))))};
}

// The id names the programme too: the tracker lists every report's actions on one page.
function actionsTable(r, names, pid) {
  return table({id: `actions-${pid}-${r.number}`, caption: t('audits.actions_caption', {n: r.number}),
    head: [{text: t('audits.point')}, {text: t('audits.act_text')}, {text: t('audits.act_owner')}, {text: t('audits.act_due')}, {text: t('audits.status_head')}],
    rows: r.actions.map((a) => [`${r.number}.${a.number}`, a.text, names(a.owner_id), formatDate(a.due),
                                frag(a.status ? statusTag(a.status) : statusTag('open'), overdue(a) ? frag(' ', tag(t('audits.overdue'), 'red')) : null)])});
}

// The issued report: who must acknowledge it by when, who has; printable and CSV forms.
function reportSection(report, names, me, box, title, after, mayAck) {
  const ack = mayAck ? formBlock({
    id: 'form-acknowledge', errors: box, title,
    draw: (errors, v) => frag(
      textarea('ack-comment', t('audits.ack_comment'), {hint: t('audits.ack_comment_hint'), error: errors['ack-comment'], value: v.comment ?? '', rows: 3}),
      button(t('audits.acknowledge'))),
    read: (form) => ({comment: form.elements['ack-comment'].value}),
    check: (v) => clean({'ack-comment': bytes(v.comment) > 1000 ? tooLong(t('audits.ack_comment'), 1000) : null}),
    fieldOf: (x) => (x === 'comment' ? 'ack-comment' : null),
    send: async (v) => {
      await post('audit_report_acknowledged', {report_id: report.report_id, date: today(), comment: v.comment.trim() || null});
      after();
    },
  }) : null;
  const base = `/api/v1/audits/${seg(report.programme_id)}/report`;
  return frag(
    h2(t('audits.report_heading'), {id: 'report'}),
    summaryList([
      [t('audits.report_id'), report.report_id],
      [t('audits.issued'), t('audits.by_on', {name: names(report.issued_by), date: formatDate(report.issued_on)})],
      [t('audits.ack_by'), frag(formatDate(report.acknowledge_by), ' ', t('audits.working_days', {n: report.acknowledge_within}))],
      [t('audits.hash'), h('code', {class: 'cw-hash'}, report.content_sha256)],
    ]),
    p(link(`${base}?format=html&lang=${language()}`, t('audits.printable'), {id: 'report-html', target: '_blank', rel: 'noopener'}),
      ' ', h('span', {class: 'govuk-hint'}, t('audits.new_tab'))),
    p(link(`${base}?format=csv`, t('audits.csv'), {id: 'report-csv', download: `${report.programme_id}-report.csv`})),
    recipientsTable(report, names),
    ack ? frag(h('h3', {class: 'govuk-heading-s'}, t('audits.acknowledge_heading')), ack) : null);
}

function recipientsTable(report, names) {
  return table({id: `recipients-${report.report_id}`, caption: t('audits.recipients'),
    head: [{text: t('audits.recipient')}, {text: t('audits.acknowledged')}],
    rows: report.recipients.map((x) => [names(x.staff_id),
      x.acknowledged_on ? tag(t('audits.acknowledged_on', {date: formatDate(x.acknowledged_on)}), 'green')
                        : report.acknowledge_by < today() ? tag(t('audits.ack_overdue'), 'red') : tag(t('audits.not_acknowledged'), 'yellow')])});
}

// ---- /audit-reports: every report issued, and the actions' tracker ----

export async function auditReports({me, navigate}) {
  if (!PROGRAMME_READERS.includes(me.role)) return onlyFor();
  const [{reports}, names] = await Promise.all([api.get('/api/v1/audit-reports'), staffNames()]);
  const title = t('audits.reports_title');
  const box = errorBox();
  const again = (text) => navigate('/audit-reports', {notice: {success: true, text}});
  const signer = (a, report) => a.owner_id !== me.staff_id && Boolean(me.staff_id) &&
    (MANAGERS.includes(me.role) || report.issued_by === me.staff_id || report.recipients.some((x) => x.staff_id === me.staff_id));

  // The forms of one action: its owner updates and completes it; someone else signs it off or
  // returns it.
  const actionForms = (a, point, report) => {
    const k = a.action_id.replace(/[^A-Za-z0-9_-]/g, '_');
    const forms = [];
    const one = (id, heading3, fields, submitText, type, payloadOf, notice, secondary) => forms.push(frag(
      h('h4', {class: 'govuk-heading-s'}, heading3),
      formBlock({id: `${id}-${k}`, errors: box, title,
        draw: (errors, v) => frag(fields.map((f) => textarea(`${f.name}-${k}`, f.label, {hint: f.hint, error: errors[`${f.name}-${k}`], value: v[f.name] ?? '', rows: 3})),
                                  button(submitText, {secondary})),
        read: (form) => Object.fromEntries(fields.map((f) => [f.name, form.elements[`${f.name}-${k}`].value])),
        check: (v) => clean(Object.fromEntries(fields.map((f) => [`${f.name}-${k}`,
          f.required ? needText(v, f.name, f.label, f.max, f.missing) : bytes(v[f.name]) > f.max ? tooLong(f.label, f.max) : null]))),
        fieldOf: (x) => (fields.some((f) => f.name === x) ? `${x}-${k}` : x === 'evidence_entries' ? `entries-${k}` : null),
        send: async (v) => {
          await post(type, {action_id: a.action_id, date: today(), ...payloadOf(v)});
          again(t(notice, {n: point}));
        }})));
    if (a.owner_id === me.staff_id && a.status !== 'closed' && a.status !== 'awaiting_sign_off') {
      one('update', t('audits.update_heading'), [{name: 'note', label: t('audits.note'), required: true, max: 2000, missing: t('audits.note_needed')}],
          t('audits.update'), 'audit_action_updated', (v) => ({note: v.note.trim()}), 'audits.updated_notice', true);
      one('complete', t('audits.complete_action_heading'),
          [{name: 'evidence', label: t('audits.completion_evidence'), hint: t('audits.completion_evidence_hint'), required: true, max: 4000, missing: t('audits.evidence_needed')},
           {name: 'entries', label: t('audits.evidence_entries'), hint: t('audits.evidence_entries_hint'), max: 1000}],
          t('audits.complete_action'), 'audit_action_completed',
          (v) => ({evidence: v.evidence.trim(), evidence_entries: v.entries.trim() ? v.entries.split(/[\s,]+/).filter(Boolean) : null}),
          'audits.completed_notice');
    }
    if (a.status === 'awaiting_sign_off' && signer(a, report)) {
      one('signoff', t('audits.sign_off_heading'), [{name: 'comment', label: t('audits.sign_off_comment'), hint: t('audits.optional'), max: 1000}],
          t('audits.sign_off'), 'audit_action_signed_off', (v) => ({comment: v.comment.trim() || null}), 'audits.signed_off_notice');
      one('return', t('audits.return_heading'), [{name: 'reason', label: t('audits.return_reason'), required: true, max: 1000, missing: t('audits.reason_needed')}],
          t('audits.return'), 'audit_action_returned', (v) => ({reason: v.reason.trim()}), 'audits.returned_notice', true);
    }
    return forms.length ? h('details', {class: 'govuk-details', id: `act-${k}`},
      h('summary', {class: 'govuk-details__summary'}, h('span', {class: 'govuk-details__summary-text'}, t('audits.act_forms', {n: point}))),
      h('div', {class: 'govuk-details__text'}, forms)) : null;
  };

  const ackForm = (report) => formBlock({
    id: `ack-${report.report_id}`, errors: box, title,
    draw: () => button(t('audits.acknowledge')),
    read: () => ({}),
    send: async () => {
      await post('audit_report_acknowledged', {report_id: report.report_id, date: today()});
      again(t('audits.acknowledged_notice'));
    },
  });

  const one = (r) => h('section', {class: 'govuk-!-margin-bottom-8', id: `report-${r.report_id}`, 'aria-labelledby': `report-${r.report_id}-title`},
    h('h2', {class: 'govuk-heading-m', id: `report-${r.report_id}-title`}, link(`/audits/${seg(r.programme_id)}`, r.programme_id), ' — ', r.report_id),
    h('p', {class: 'govuk-body'},
      r.acknowledgement_overdue ? tag(t('audits.ack_overdue'), 'red') : r.unacknowledged ? tag(t('audits.awaiting_ack', {n: r.unacknowledged}), 'yellow') : tag(t('audits.all_acknowledged'), 'green'),
      ' ', r.actions.overdue ? tag(t('audits.actions_overdue', {n: r.actions.overdue}), 'red') : null),
    summaryList([
      [t('audits.issued'), t('audits.by_on', {name: names(r.issued_by), date: formatDate(r.issued_on)})],
      [t('audits.ack_by'), formatDate(r.acknowledge_by)],
      [t('audits.actions_counts'), t('audits.actions_summary', {open: r.actions.open, overdue: r.actions.overdue, awaiting: r.actions.awaiting_sign_off, closed: r.actions.closed})],
    ]),
    recipientsTable(r, names),
    r.recipients.some((x) => x.staff_id === me.staff_id && !x.acknowledged_on) ? ackForm(r) : null,
    r.recommendations.map((rec) => frag(
      h('h3', {class: 'govuk-heading-s'}, t('audits.rec_heading', {n: rec.number}), ': ', rec.text),
      actionsTable(rec, names, r.programme_id),
      rec.actions.map((a) => actionForms(a, `${rec.number}.${a.number}`, r)))));

  return {title, body: frag(
    box,
    heading(title),
    p(t('audits.reports_intro')),
    reports.length ? reports.map(one) : p(t('audits.no_reports')))};
}

// The overview's panel (the /service page): "Audit reports: N unacknowledged, M actions overdue".
export async function auditPanel(me) {
  if (!OVERSEERS.includes(me.role)) return null;
  const {reports} = await api.get('/api/v1/audit-reports');
  const n = reports.reduce((s, r) => s + r.unacknowledged, 0);
  const m = reports.reduce((s, r) => s + r.actions.overdue, 0);
  return h('div', {class: 'govuk-inset-text', id: 'audit-panel'},
    link('/audit-reports', t('audits.panel', {n, m})));
}
