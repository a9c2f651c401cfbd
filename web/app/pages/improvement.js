// pages/improvement.js — improvement plans after an inspection (docs/improvement.md; events in
// docs/events.md, "Improvement plans"; read routes in docs/api.md). Four pages:
//   /improvement                          the inspections (findings, notices) and the plans, or
//                                         for someone who only owns actions, those actions;
//   /improvement/plans/{plan}             the plan as a task list (recommendation → point →
//                                         actions, each with its RAG and status, derived by the
//                                         server, never typed), its board and budget, and the
//                                         editors' forms;
//   /improvement/actions/{action}         one action: dependencies, evidence, money, and the
//                                         forms its owner, an editor and a signer need;
//   /improvement/plans/{plan}/report      the board's (or minister's) report for a day, its
//                                         printable forms, and issuing it.
// Every write is POST /api/v1/commands/{type} with the event's payload: the server decides who
// may record what, and a refusal is shown in the error summary, in the server's words.
// Money is typed as pounds and pence and sent as whole pence, read from the digits: no
// floating point.
import {api, seg, withoutField} from '../api.js';
import {staffList, staffNames} from '../directory.js';
import {foreign, frag, h, replace} from '../dom.js';
import {enhance} from '../govuk.js';
import {parsePence} from '../money.js';
import {formatDate, language, t, titleIn} from '../i18n.js';
import {button, checkboxes, clearNotice, dateInput, errorSummary, h2, heading, inset, link, p, radios,
        readDate, select, summaryList, table, tag, textInput, textarea, today} from '../ui.js';

const bytes = (s) => new TextEncoder().encode(s).length;
const clean = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));
const post = (type, payload) => api.post(`/api/v1/commands/${type}`, clean(payload));
const tooLong = (label, n) => t('errors.too_long', {label: label.toLowerCase(), n});
const needText = (value, label, max, missing) =>
  (!value.trim() ? missing : bytes(value) > max ? tooLong(label, max) : null);

// ---- the page's one error summary, and its forms (as pages/audits.js) ----

function errorBox() {
  return h('div', {id: 'improve-errors'});
}
function fail(box, items, title) {
  replace(box, errorSummary(items));
  clearNotice();
  document.title = `${t('errors.title_prefix')} ${title} – ${t('shell.service')}`;
  enhance(box); // the summary takes the focus
}

// One form: draw(errors, values) its questions; read(form) its values (may be async);
// check(values) the problems the page finds ({name: message}); send(values) records it. A
// refusal names the event's field; fieldOf maps it to this form's question.
function formBlock({id, draw, read, check = () => ({}), send, fieldOf = () => null, errors: box, title}) {
  const wrap = h('div', {id: `${id}-box`, class: 'cw-no-print'});
  let values = {};
  const show = (errors = {}) => {
    wrap.replaceChildren(h('form', {novalidate: true, id, onsubmit: submit}, draw(errors, values)));
  };
  async function submit(ev) {
    ev.preventDefault();
    const b = ev.target.querySelector('button[type="submit"]');
    if (b) b.disabled = true;
    values = await read(ev.target);
    const errors = check(values);
    let summary = Object.entries(errors).map(([k, text]) => ({href: `#f-${k}`, text}));
    if (!summary.length) {
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

// A heading and a form, in a section of its own.
const formSection = (id, title, intro, form) =>
  h('section', {class: 'govuk-!-margin-bottom-8 cw-no-print', id, 'aria-labelledby': `${id}-title`},
    h('h2', {class: 'govuk-heading-m', id: `${id}-title`}, title), intro ? p(intro) : null, form);

// ---- the words of the plan's values ----

const RAG_COLOUR = {green: 'green', amber: 'yellow', red: 'red', complete: 'blue'};
export const ragTag = (rag) => tag(t(`improve.rag.${rag}`), RAG_COLOUR[rag]);
const STATUS_COLOUR = {not_started: 'grey', in_progress: 'turquoise', awaiting_sign_off: 'purple', complete: 'green'};
const statusText = (s) => t(`improve.status.${s}`);
const statusTag = (s) => tag(statusText(s), STATUS_COLOUR[s]);
const SEVERITY_COLOUR = {serious_concern: 'red', priority_action: 'orange', area_for_improvement: 'blue'};
const severityTag = (s) => tag(t(`improve.severity.${s}`), SEVERITY_COLOUR[s]);
const reasonText = (r) => (r ? t(`improve.rag_reasons.${r}`) : '');
const money = (m) => (m ? m.pounds : '');
const safeId = (s) => String(s).replace(/[^A-Za-z0-9_-]/g, '_');

// A plan's deadline: met, late, or not yet submitted.
function deadlineTag(pl) {
  if (pl.late) return tag(pl.submitted ? t('improve.deadline_late_submitted') : t('improve.deadline_late'), 'red');
  if (pl.submitted) return tag(t('improve.deadline_met'), 'green');
  return tag(t('improve.deadline_open'), 'yellow');
}

// The counts as tags: red, amber, green, complete (each with its number).
function countTags(c) {
  return h('ul', {class: 'govuk-list cw-rag-counts'},
    ['red', 'amber', 'green', 'complete'].map((k) => h('li', {class: 'govuk-!-display-inline-block govuk-!-margin-right-2'},
      tag(t(`improve.count.${k}`, {n: c[k] ?? 0}), RAG_COLOUR[k]))));
}

// A review point ("90d", "6m", "20wd") in words.
function reviewText(r) {
  const m = /^(\d+)(d|wd|m)$/.exec(r);
  return m ? t(`improve.review_${m[2]}`, {n: Number(m[1])}) : r;
}

function onlyFor() {
  return {title: t('improve.only_title'), body: frag(heading(t('improve.only_title')), p(t('improve.only')))};
}

// The actions of a plan, flat, in order.
const actionsOf = (plan) => plan.recommendations.flatMap((r) => r.points.flatMap((pt) => pt.actions));

// ---- /improvement ----

export async function improvement({me}) {
  const [data, names] = await Promise.all([api.get('/api/v1/improvement'), staffNames()]);
  const title = t('improve.title');
  const full = data.plans.filter((x) => !x.filtered);
  const own = data.plans.filter((x) => x.filtered);
  // Someone who owns actions in a plan they do not oversee sees only those actions.
  const ownPlans = await Promise.all(own.map((x) => api.get(`/api/v1/improvement/plans/${seg(x.plan_id)}`)));
  const mine = ownPlans.flatMap((pl) => actionsOf(pl).map((a) => ({...a, plan_title: pl.title})));
  if (!data.plans.length && !data.inspections.length) {
    return {title, body: frag(heading(title), p(t('improve.intro')), p(t('improve.none')))};
  }
  return {title, body: frag(
    heading(title),
    p(t('improve.intro')),
    mine.length ? frag(
      h2(t('improve.assigned'), {id: 'assigned'}),
      table({id: 'assigned-table', caption: t('improve.assigned_caption', {n: mine.length}),
             head: [{text: t('improve.ref')}, {text: t('improve.action')}, {text: t('improve.plan')},
                    {text: t('improve.due')}, {text: t('improve.status_head')}, {text: t('improve.rag_head')}],
             rows: mine.map((a) => [a.ref, link(`/improvement/actions/${seg(a.action_id)}`, a.text), a.plan_title,
                                    formatDate(a.due), statusText(a.status), ragTag(a.rag)])})) : null,
    full.length ? frag(
      h2(t('improve.plans'), {id: 'plans'}),
      table({id: 'plans-table', caption: t('improve.plans_caption', {n: full.length}),
             head: [{text: t('improve.plan')}, {text: t('improve.owner')}, {text: t('improve.deadline')},
                    {text: t('improve.actions_head')}, {text: t('improve.budget_head')}],
             rows: full.map((x) => [
               link(`/improvement/plans/${seg(x.plan_id)}`, x.title),
               names(x.owner_id),
               frag(formatDate(x.due), h('br'), deadlineTag(x)),
               frag(t('improve.n_actions', {n: x.counts.actions}), countTags(x.counts)),
               x.budget ? h('span', {}, t('improve.budget_line', {allocated: money(x.budget.allocated), committed: money(x.budget.committed),
                                                                  spent: money(x.budget.spent)})) : t('improve.not_shown')])})) : null,
    data.inspections.length ? frag(
      h2(t('improve.inspections'), {id: 'inspections'}),
      data.inspections.map((ins) => inspectionSection(ins, data.plans))) : null)};
}

function inspectionSection(ins, plans) {
  const id = `inspection-${safeId(ins.inspection_id)}`;
  return h('section', {class: 'govuk-!-margin-bottom-8', id, 'aria-labelledby': `${id}-title`},
    h('h3', {class: 'govuk-heading-m', id: `${id}-title`}, ins.title),
    summaryList([
      [t('improve.inspectorate'), t(`improve.inspectorates.${ins.inspectorate}`)],
      [t('improve.report_ref'), ins.report_ref],
      [t('improve.inspected'), t('improve.from_to', {from: formatDate(ins.started), to: formatDate(ins.ended)})],
      [t('improve.published'), ins.published ? formatDate(ins.published) : null],
      [t('improve.its_plans'), plans.filter((x) => x.inspection_id === ins.inspection_id && !x.filtered).length
        ? h('ul', {class: 'govuk-list'}, plans.filter((x) => x.inspection_id === ins.inspection_id && !x.filtered)
          .map((x) => h('li', {}, link(`/improvement/plans/${seg(x.plan_id)}`, x.title))))
        : t('improve.none_yet')],
    ]),
    table({id: `${id}-findings`, caption: t('improve.findings_caption', {n: ins.findings.length}),
           head: [{text: t('improve.number')}, {text: t('improve.theme')}, {text: t('improve.severity_head')}, {text: t('improve.finding')}],
           rows: ins.findings.map((f) => [String(f.number), f.theme, severityTag(f.severity), f.text])}),
    ins.notices.map((n) => h('div', {class: 'govuk-!-margin-bottom-6', id: `notice-${safeId(n.notice_id)}`},
      h('h4', {class: 'govuk-heading-s'}, t(`improve.notice_kind.${n.kind}`), ' — ', n.issued_by),
      summaryList([
        [t('improve.issued'), formatDate(n.issued)],
        [t('improve.plan_due'), frag(formatDate(n.plan_due), ' ', h('span', {class: 'govuk-hint govuk-!-display-inline'},
          t('improve.within_days', {n: n.plan_within})))],
        [t('improve.reviews'), n.reviews.length
          ? h('ul', {class: 'govuk-list'}, n.reviews.map((r) => h('li', {}, t('improve.review_on', {review: reviewText(r.review), date: formatDate(r.due)}))))
          : t('common.none')],
      ]))));
}

// ---- /improvement/plans/{plan} ----

export async function improvementPlan({params, me, navigate}) {
  const pid = params.plan;
  const [plan, names, staff] = await Promise.all([
    api.get(`/api/v1/improvement/plans/${seg(pid)}`), staffNames(), staffList().catch(() => [])]);
  const budget = plan.filtered ? null : await api.get(`/api/v1/improvement/plans/${seg(pid)}/budget`).catch(() => null);
  const title = plan.title;
  const here = `/improvement/plans/${seg(pid)}`;
  const box = errorBox();
  const done = (text, hash = '') => navigate(`${here}${hash}`, {notice: {success: true, text}});
  const acts = actionsOf(plan);
  const recs = plan.recommendations;
  const points = recs.flatMap((r) => r.points.map((pt) => ({...pt, rec: r})));
  const allocations = plan.budget?.allocations ?? [];
  const inPost = staff.filter((s) => !s.left_on).map((s) => [s.staff_id, `${s.name} (${t(`roles.${s.role}`)})`]);
  const countOf = (type) => new Set((budget?.history ?? []).filter((x) => x.type === type).map((x) => x.id)).size;
  const fresh = (base, n, used) => {
    let i = n + 1;
    while (used.has(`${base}${i}`)) i++;
    return `${base}${i}`;
  };

  // A finding by its number in the inspection's report (its identifier if the plan has no inspection).
  const findingNumber = (id) => String(plan.inspection?.findings?.find((f) => f.finding_id === id)?.number ?? id);
  // The task list: recommendation → point → actions, each a row linking to its page.
  const taskList = recs.length ? recs.map((r) => h('section', {class: 'govuk-!-margin-bottom-6', id: `rec-${r.number}`, 'aria-labelledby': `rec-${r.number}-title`},
    h('h3', {class: 'govuk-heading-m', id: `rec-${r.number}-title`}, t('improve.rec_heading', {n: r.number}), ': ', r.text),
    r.findings.length ? p(h('span', {class: 'govuk-hint'}, t('improve.answers_findings', {list: r.findings.map(findingNumber).join(', ')}))) : null,
    r.points.map((pt) => frag(
      h('h4', {class: 'govuk-heading-s', id: `point-${r.number}-${pt.number}`}, t('improve.point_heading', {n: `${r.number}.${pt.number}`}), ': ', pt.text),
      pt.actions.length ? h('ul', {class: 'govuk-task-list', id: `tasks-${safeId(pt.point_id)}`},
        pt.actions.map((a) => {
          const sid = `task-${safeId(a.action_id)}-status`;
          return h('li', {class: 'govuk-task-list__item govuk-task-list__item--with-link', id: `task-${safeId(a.action_id)}`},
            h('div', {class: 'govuk-task-list__name-and-hint'},
              h('a', {class: 'govuk-link govuk-task-list__link', href: `/improvement/actions/${seg(a.action_id)}`, 'aria-describedby': sid},
                `${a.ref} ${a.text}`),
              h('div', {class: 'govuk-task-list__hint'},
                t('improve.task_hint', {owner: names(a.owner_id), due: formatDate(a.due), status: statusText(a.status)}),
                a.rag !== 'complete' && a.rag !== 'green' ? frag(' — ', reasonText(a.rag_reason)) : null)),
            h('div', {class: 'govuk-task-list__status', id: sid}, ragTag(a.rag)));
        }))
        : p(t('improve.no_actions_yet'))))))
    : p(t('improve.no_recommendations'));

  const budgetPart = plan.budget ? frag(
    h2(t('improve.budget'), {id: 'budget'}),
    summaryList([
      [t('improve.allocated'), money(plan.budget.allocated)],
      [t('improve.committed'), money(plan.budget.committed)],
      [t('improve.spent'), money(plan.budget.spent)],
      [t('improve.uncommitted'), money(plan.budget.uncommitted)],
      [t('improve.unspent'), money(plan.budget.unspent)],
      [t('improve.overspend'), plan.budget.overspend.pence
        ? frag(money(plan.budget.overspend), ' ', tag(t('improve.overspent_actions', {n: plan.budget.overspent_actions}), 'red'))
        : money(plan.budget.overspend)],
    ]),
    table({id: 'allocations-table', caption: t('improve.allocations_caption', {n: allocations.length}),
           head: [{text: t('improve.source')}, {text: t('improve.amount'), numeric: true}, {text: t('improve.committed'), numeric: true},
                  {text: t('improve.spent'), numeric: true}, {text: t('improve.uncommitted'), numeric: true}],
           rows: allocations.map((x) => [x.source, money(x.amount), money(x.committed), money(x.spent), money(x.uncommitted)])}),
    budget?.history?.length ? h('details', {class: 'govuk-details', id: 'money-history'},
      h('summary', {class: 'govuk-details__summary'}, h('span', {class: 'govuk-details__summary-text'}, t('improve.history'))),
      h('div', {class: 'govuk-details__text'},
        table({id: 'history-table', caption: t('improve.history_caption', {n: budget.history.length}),
               head: [{text: t('improve.entry')}, {text: t('improve.date')}, {text: t('improve.by')}, {text: t('improve.change_head')},
                      {text: t('improve.before'), numeric: true}, {text: t('improve.after'), numeric: true}, {text: t('improve.reason')}],
               rows: budget.history.map((x) => [String(x.entry), formatDate(x.date), names(x.by), t(`improve.money_type.${x.type}`, {id: x.id}),
                                                money(x.before), money(x.after), x.reason])}))) : null) : null;

  // ---- the editors' forms ----
  const ed = plan.editable;
  const recForm = ed ? formBlock({
    id: 'form-rec', errors: box, title,
    draw: (errors, v) => frag(
      textarea('rec-text', t('improve.rec_text'), {error: errors['rec-text'], value: v.text ?? '', rows: 3}),
      plan.inspection?.findings?.length
        ? checkboxes('rec-findings', t('improve.rec_findings'),
                     plan.inspection.findings.map((f) => [f.finding_id, `${f.number}. ${f.text}`]),
                     {hint: t('improve.rec_findings_hint'), error: errors['rec-findings'], values: v.findings ?? [], small: true})
        : null,
      button(t('improve.add_rec'))),
    read: (form) => ({text: form.elements['rec-text'].value,
                      findings: [...form.querySelectorAll('input[name="rec-findings"]:checked')].map((x) => x.value)}),
    check: (v) => clean({'rec-text': needText(v.text, t('improve.rec_text'), 2000, t('improve.rec_text_needed'))}),
    fieldOf: (x) => ({text: 'rec-text', findings: 'rec-findings'}[x] ?? null),
    send: async (v) => {
      const rid = fresh(`${pid}-R`, recs.length, new Set(recs.map((r) => r.recommendation_id)));
      await post('improve_recommendation_added', {recommendation_id: rid, plan_id: pid, date: today(), text: v.text.trim(),
                                                  findings: v.findings.length ? v.findings : null});
      done(t('improve.rec_added'));
    },
  }) : null;

  const pointForm = ed && recs.length ? formBlock({
    id: 'form-point', errors: box, title,
    draw: (errors, v) => frag(
      select('point-rec', t('improve.point_rec'), recs.map((r) => [r.recommendation_id, `${r.number}. ${r.text}`]),
             {error: errors['point-rec'], value: v.rec ?? (recs.length === 1 ? recs[0].recommendation_id : '')}),
      textarea('point-text', t('improve.point_text'), {error: errors['point-text'], value: v.text ?? '', rows: 3}),
      button(t('improve.add_point'))),
    read: (form) => ({rec: form.elements['point-rec'].value, text: form.elements['point-text'].value}),
    check: (v) => clean({'point-rec': v.rec ? null : t('improve.choose_rec'),
                         'point-text': needText(v.text, t('improve.point_text'), 1000, t('improve.point_text_needed'))}),
    fieldOf: (x) => ({recommendation_id: 'point-rec', text: 'point-text'}[x] ?? null),
    send: async (v) => {
      const r = recs.find((x) => x.recommendation_id === v.rec);
      const ptId = fresh(`${v.rec}-P`, r?.points.length ?? 0, new Set(points.map((x) => x.point_id)));
      await post('improve_point_added', {point_id: ptId, recommendation_id: v.rec, date: today(), text: v.text.trim()});
      done(t('improve.point_added'));
    },
  }) : null;

  const actionForm = ed && points.length ? formBlock({
    id: 'form-action', errors: box, title,
    draw: (errors, v) => frag(
      select('act-point', t('improve.act_point'), points.map((pt) => [pt.point_id, `${pt.rec.number}.${pt.number} ${pt.text}`]),
             {error: errors['act-point'], value: v.point ?? (points.length === 1 ? points[0].point_id : '')}),
      textarea('act-text', t('improve.act_text'), {error: errors['act-text'], value: v.text ?? '', rows: 3}),
      select('act-owner', t('improve.act_owner'), inPost, {hint: t('improve.act_owner_hint'), error: errors['act-owner'], value: v.owner ?? ''}),
      dateInput('act-due', t('improve.act_due'), {hint: t('date.hint'), error: errors['act-due'], value: v.due ?? ''}),
      acts.length ? checkboxes('act-deps', t('improve.act_deps'), acts.map((a) => [a.action_id, `${a.ref} ${a.text}`]),
                               {hint: t('improve.act_deps_hint'), error: errors['act-deps'], values: v.deps ?? [], small: true}) : null,
      button(t('improve.add_action'))),
    read: (form) => ({point: form.elements['act-point'].value, text: form.elements['act-text'].value,
                      owner: form.elements['act-owner'].value, due: readDate(form, 'act-due'),
                      deps: [...form.querySelectorAll('input[name="act-deps"]:checked')].map((x) => x.value)}),
    check: (v) => clean({
      'act-point': v.point ? null : t('improve.choose_point'),
      'act-text': needText(v.text, t('improve.act_text'), 1000, t('improve.act_text_needed')),
      'act-owner': v.owner ? null : t('improve.choose_owner'),
      'act-due': v.due === '' ? t('improve.due_needed') : v.due === null ? t('errors.date_invalid', {label: t('improve.act_due')}) : null,
    }),
    fieldOf: (x) => ({point_id: 'act-point', text: 'act-text', owner_id: 'act-owner', due: 'act-due', depends_on: 'act-deps'}[x] ?? null),
    send: async (v) => {
      const aid = fresh(`${pid}-A`, acts.length, new Set(acts.map((a) => a.action_id)));
      await post('improve_action_added', {action_id: aid, point_id: v.point, date: today(), text: v.text.trim(),
                                          owner_id: v.owner, due: v.due, depends_on: v.deps.length ? v.deps : null});
      done(t('improve.action_added'), `#task-${safeId(aid)}`);
    },
  }) : null;

  // Money: pounds and pence typed, whole pence sent.
  const amountCheck = (v, name, positive) => {
    const r = parsePence(v.amount);
    return r.error ? t(r.error) : positive && r.pence === 0 ? t('improve.money_zero') : null;
  };
  const fundForm = ed ? formBlock({
    id: 'form-fund', errors: box, title,
    draw: (errors, v) => frag(
      textInput('fund-source', t('improve.source'), {hint: t('improve.source_hint'), error: errors['fund-source'], value: v.source ?? ''}),
      textInput('fund-amount', t('improve.amount_pounds'), {hint: t('improve.amount_hint'), error: errors['fund-amount'], value: v.amount ?? '', width: 10, spellcheck: false}),
      textarea('fund-reason', t('improve.reason'), {error: errors['fund-reason'], value: v.reason ?? '', rows: 2}),
      button(t('improve.record_funding'))),
    read: (form) => ({source: form.elements['fund-source'].value, amount: form.elements['fund-amount'].value, reason: form.elements['fund-reason'].value}),
    check: (v) => clean({'fund-source': needText(v.source, t('improve.source'), 200, t('improve.source_needed')),
                         'fund-amount': amountCheck(v, 'fund-amount', false),
                         'fund-reason': needText(v.reason, t('improve.reason'), 1000, t('improve.reason_needed'))}),
    fieldOf: (x) => ({source: 'fund-source', amount_pence: 'fund-amount', reason: 'fund-reason'}[x] ?? null),
    send: async (v) => {
      const id = fresh(`${pid}-F`, allocations.length, new Set(allocations.map((x) => x.allocation_id)));
      await post('improve_funding_allocated', {allocation_id: id, plan_id: pid, date: today(), source: v.source.trim(),
                                               amount_pence: parsePence(v.amount).pence, reason: v.reason.trim()});
      done(t('improve.funding_recorded'), '#budget');
    },
  }) : null;

  // A commitment or a spend: an action, an allocation, an amount and a reason.
  const moneyForm = (kind) => formBlock({
    id: `form-${kind}`, errors: box, title,
    draw: (errors, v) => frag(
      select(`${kind}-action`, t('improve.money_action'), acts.map((a) => [a.action_id, `${a.ref} ${a.text}`]), {error: errors[`${kind}-action`], value: v.action ?? ''}),
      select(`${kind}-allocation`, t('improve.money_allocation'), allocations.map((x) => [x.allocation_id, t('improve.allocation_choice', {source: x.source, left: money(x.uncommitted)})]),
             {error: errors[`${kind}-allocation`], value: v.allocation ?? (allocations.length === 1 ? allocations[0].allocation_id : '')}),
      textInput(`${kind}-amount`, t('improve.amount_pounds'), {hint: t('improve.amount_hint'), error: errors[`${kind}-amount`], value: v.amount ?? '', width: 10, spellcheck: false}),
      kind === 'spend' ? textInput('spend-reference', t('improve.reference'), {hint: t('improve.optional'), error: errors['spend-reference'], value: v.reference ?? '', width: 20}) : null,
      textarea(`${kind}-reason`, t('improve.reason'), {error: errors[`${kind}-reason`], value: v.reason ?? '', rows: 2}),
      button(t(kind === 'commit' ? 'improve.record_commitment' : 'improve.record_spend'))),
    read: (form) => ({action: form.elements[`${kind}-action`].value, allocation: form.elements[`${kind}-allocation`].value,
                      amount: form.elements[`${kind}-amount`].value, reason: form.elements[`${kind}-reason`].value,
                      reference: kind === 'spend' ? form.elements['spend-reference'].value : ''}),
    check: (v) => clean({
      [`${kind}-action`]: v.action ? null : t('improve.choose_action'),
      [`${kind}-allocation`]: v.allocation ? null : t('improve.choose_allocation'),
      [`${kind}-amount`]: amountCheck(v, `${kind}-amount`, true),
      [`${kind}-reason`]: needText(v.reason, t('improve.reason'), 1000, t('improve.reason_needed')),
      'spend-reference': kind === 'spend' && bytes(v.reference) > 100 ? tooLong(t('improve.reference'), 100) : null,
    }),
    fieldOf: (x) => ({action_id: `${kind}-action`, allocation_id: `${kind}-allocation`, amount_pence: `${kind}-amount`,
                      reason: `${kind}-reason`, reference: kind === 'spend' ? 'spend-reference' : null}[x] ?? null),
    send: async (v) => {
      const pence = parsePence(v.amount).pence;
      if (kind === 'commit') {
        const id = fresh(`${pid}-C`, countOf('improve_budget_committed'), new Set((budget?.history ?? []).map((x) => x.id)));
        await post('improve_budget_committed', {commitment_id: id, action_id: v.action, allocation_id: v.allocation, date: today(),
                                                amount_pence: pence, reason: v.reason.trim()});
        done(t('improve.commitment_recorded', {amount: v.amount.trim().replace(/^£\s*/, '')}), '#budget');
      } else {
        const id = fresh(`${pid}-S`, countOf('improve_spend_recorded'), new Set((budget?.history ?? []).map((x) => x.id)));
        await post('improve_spend_recorded', {spend_id: id, action_id: v.action, allocation_id: v.allocation, date: today(),
                                              amount_pence: pence, reason: v.reason.trim(), reference: v.reference.trim() || null});
        done(t('improve.spend_recorded', {amount: v.amount.trim().replace(/^£\s*/, '')}), '#budget');
      }
    },
  });

  const reports = plan.reports ?? [];
  return {title, body: frag(
    box,
    heading(title, {caption: t('improve.plan_caption')}),
    plan.filtered ? inset(t('improve.filtered')) : null,
    summaryList([
      [t('improve.owner'), names(plan.owner_id)],
      [t('improve.deadline'), frag(formatDate(plan.due), ' ', deadlineTag(plan))],
      plan.submitted ? [t('improve.submitted_to'), t('improve.submitted_line', {to: plan.submitted_to ?? '', date: formatDate(plan.submitted)})] : null,
      plan.inspection ? [t('improve.inspection'), plan.inspection.title] : null,
      [t('improve.as_of'), formatDate(plan.as_of)],
      [t('improve.actions_head'), frag(t('improve.counts_line', {n: plan.counts.actions, due: plan.counts.due, late: plan.counts.late}),
                                       countTags(plan.counts))],
    ]),
    plan.filtered ? null : h('p', {class: 'govuk-body cw-no-print'}, link(`${here}/report`, t('improve.report_link'), {id: 'report-link'})),
    h2(t('improve.task_list'), {id: 'tasks'}),
    p(t('improve.task_list_intro')),
    taskList,
    plan.filtered ? null : frag(
      h2(t('improve.board'), {id: 'board'}),
      table({id: 'board-table', caption: t('improve.board_caption', {n: plan.board.length}),
             head: [{text: t('improve.member')}, {text: t('improve.board_role')}, {text: t('improve.from')}, {text: t('improve.until')}],
             rows: plan.board.map((m) => [names(m.staff_id), t(`improve.board_roles.${m.board_role}`), formatDate(m.from),
                                          m.until ? formatDate(m.until) : t('improve.still')])})),
    budgetPart,
    reports.length ? reportsTable(reports, names) : null,
    ed ? frag(
      formSection('add-recommendation', t('improve.add_rec_heading'), null, recForm),
      pointForm ? formSection('add-point', t('improve.add_point_heading'), null, pointForm) : null,
      actionForm ? formSection('add-action', t('improve.add_action_heading'), t('improve.add_action_intro'), actionForm) : null,
      formSection('record-funding', t('improve.funding_heading'), t('improve.money_intro'), fundForm),
      acts.length && allocations.length ? frag(
        formSection('record-commitment', t('improve.commit_heading'), t('improve.commit_intro'), moneyForm('commit')),
        formSection('record-spend', t('improve.spend_heading'), t('improve.spend_intro'), moneyForm('spend'))) : null) : null,
    p(link('/improvement', t('improve.back'))))};
}

// The reports issued for a plan: who, when, the SHA-256 of the content.
function reportsTable(reports, names) {
  return frag(
    h2(t('improve.reports_issued'), {id: 'reports-issued'}),
    table({id: 'reports-table', caption: t('improve.reports_caption', {n: reports.length}),
           head: [{text: t('improve.report_id')}, {text: t('improve.kind')}, {text: t('improve.report_for')},
                  {text: t('improve.issued_by_on')}, {text: t('improve.recipients')}, {text: t('improve.sha256')}],
           rows: reports.map((x) => [x.report_id, t(`improve.kinds.${x.kind}`), formatDate(x.as_of),
                                     t('improve.by_on', {name: names(x.by), date: formatDate(x.date)}), x.recipients,
                                     h('code', {class: 'cw-hash'}, x.content_sha256)])}));
}

// ---- /improvement/actions/{action} ----

// The SHA-256 of a file, in hex, computed here: the file is not sent.
async function sha256Hex(file) {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function improvementAction({params, navigate}) {
  const aid = params.action;
  const [a, names, staff] = await Promise.all([
    api.get(`/api/v1/improvement/actions/${seg(aid)}`), staffNames(), staffList().catch(() => [])]);
  const title = t('improve.action_title', {ref: a.ref});
  const here = `/improvement/actions/${seg(aid)}`;
  const box = errorBox();
  const done = (text) => navigate(here, {notice: {success: true, text}});
  const closed = a.status === 'complete' || a.status === 'awaiting_sign_off';
  const may = (a.owner || a.editable) && !closed;
  const inPost = staff.filter((s) => !s.left_on).map((s) => [s.staff_id, `${s.name} (${t(`roles.${s.role}`)})`]);

  const evidenceDetail = (e) => (e.kind === 'measure'
    ? t('improve.evidence_measure', {measure: e.measure_id, target: e.target, direction: t(`improve.direction.${e.direction}`)})
    : e.kind === 'audit_report' ? t('improve.evidence_audit', {id: e.audit_report_id})
      : h('code', {class: 'cw-hash'}, e.sha256));

  const progressForm = may ? formBlock({
    id: 'form-progress', errors: box, title,
    draw: (errors, v) => frag(
      textarea('progress-note', t('improve.progress_note'), {hint: t('improve.personal_hint'), error: errors['progress-note'], value: v.note ?? '', rows: 4}),
      checkboxes('progress-blocked', t('improve.blocked_question'), [['yes', t('improve.blocked_label')]],
                 {values: v.blocked ? ['yes'] : a.blocked ? ['yes'] : [], small: true}),
      button(t('improve.record_progress'))),
    read: (form) => ({note: form.elements['progress-note'].value, blocked: form.querySelector('input[name="progress-blocked"]').checked}),
    check: (v) => clean({'progress-note': needText(v.note, t('improve.progress_note'), 2000, t('improve.note_needed'))}),
    fieldOf: (x) => ({note: 'progress-note', blocked: 'progress-blocked'}[x] ?? null),
    send: async (v) => {
      await post('improve_action_updated', {action_id: aid, date: today(), note: v.note.trim(), blocked: v.blocked});
      done(t('improve.progress_recorded'));
    },
  }) : null;

  // Measures for evidence: the council's pack (its definitions), or an id typed.
  let defs = [];
  if (may) defs = await api.get(`/api/v1/measures?from=${today()}&to=${today()}`).then((r) => r.measure_definitions ?? []).catch(() => []);
  const evidenceForm = may ? formBlock({
    id: 'form-evidence', errors: box, title,
    draw: (errors, v) => frag(
      textInput('ev-title', t('improve.ev_title'), {hint: t('improve.ev_title_hint'), error: errors['ev-title'], value: v.title ?? ''}),
      radios('ev-kind', t('improve.ev_kind'), [
        ['measure', t('improve.ev_kinds.measure'), frag(
          defs.length ? select('ev-measure', t('improve.ev_measure'), defs.map((d) => [d.id, `${d.id} ${titleIn(d, language())}`]),
                               {error: errors['ev-measure'], value: v.measure ?? ''})
            : textInput('ev-measure', t('improve.ev_measure'), {error: errors['ev-measure'], value: v.measure ?? '', width: 10}),
          textInput('ev-target', t('improve.ev_target'), {hint: t('improve.ev_target_hint'), error: errors['ev-target'], value: v.target ?? '', width: 5}),
          radios('ev-direction', t('improve.ev_direction'), [['at_least', t('improve.direction.at_least')], ['at_most', t('improve.direction.at_most')]],
                 {error: errors['ev-direction'], value: v.direction ?? '', small: true}))],
        ['audit_report', t('improve.ev_kinds.audit_report'),
          textInput('ev-audit', t('improve.ev_audit'), {hint: t('improve.ev_audit_hint'), error: errors['ev-audit'], value: v.audit ?? '', width: 20})],
        ['document', t('improve.ev_kinds.document'), frag(
          h('div', {class: `govuk-form-group${errors['ev-file'] ? ' govuk-form-group--error' : ''}`},
            h('label', {class: 'govuk-label', for: 'f-ev-file'}, t('improve.ev_file')),
            h('div', {class: 'govuk-hint', id: 'f-ev-file-hint'}, t('improve.ev_file_hint')),
            errors['ev-file'] ? h('p', {class: 'govuk-error-message', id: 'f-ev-file-error'},
              h('span', {class: 'govuk-visually-hidden'}, t('errors.prefix')), errors['ev-file']) : null,
            h('input', {class: `govuk-file-upload${errors['ev-file'] ? ' govuk-file-upload--error' : ''}`, id: 'f-ev-file', name: 'ev-file', type: 'file',
                        'aria-describedby': `f-ev-file-hint${errors['ev-file'] ? ' f-ev-file-error' : ''}`,
                        onchange: async (ev) => {
                          const f = ev.target.files[0];
                          const out = document.getElementById('ev-file-sha');
                          if (out) out.textContent = f ? t('improve.ev_sha_is', {sha: await sha256Hex(f)}) : '';
                        }}),
            h('p', {class: 'govuk-body-s cw-hash', id: 'ev-file-sha', 'aria-live': 'polite'}, v.sha ? t('improve.ev_sha_is', {sha: v.sha}) : '')))],
      ], {error: errors['ev-kind'], value: v.kind ?? ''}),
      button(t('improve.add_evidence'))),
    read: async (form) => {
      const kind = form.querySelector('input[name="ev-kind"]:checked')?.value ?? '';
      const file = form.elements['ev-file']?.files?.[0];
      return {title: form.elements['ev-title'].value, kind,
              measure: form.elements['ev-measure']?.value ?? '', target: form.elements['ev-target']?.value.trim() ?? '',
              direction: form.querySelector('input[name="ev-direction"]:checked')?.value ?? '',
              audit: form.elements['ev-audit']?.value.trim() ?? '',
              sha: kind === 'document' && file ? await sha256Hex(file) : ''};
    },
    check: (v) => clean({
      'ev-title': needText(v.title, t('improve.ev_title'), 200, t('improve.ev_title_needed')),
      'ev-kind': v.kind ? null : t('improve.choose_ev_kind'),
      'ev-measure': v.kind === 'measure' && !v.measure ? t('improve.choose_measure') : null,
      'ev-target': v.kind === 'measure' && !/^\d{1,9}(\.\d)?$/.test(v.target) ? t('improve.target_format') : null,
      'ev-direction': v.kind === 'measure' && !v.direction ? t('improve.choose_direction') : null,
      'ev-audit': v.kind === 'audit_report' && !v.audit ? t('improve.audit_needed') : null,
      'ev-file': v.kind === 'document' && !v.sha ? t('improve.file_needed') : null,
    }),
    fieldOf: (x) => ({title: 'ev-title', kind: 'ev-kind', measure_id: 'ev-measure', target: 'ev-target', direction: 'ev-direction',
                      audit_report_id: 'ev-audit', sha256: 'ev-file'}[x] ?? null),
    send: async (v) => {
      const used = new Set(a.evidence.map((e) => e.evidence_id));
      let i = a.evidence.length + 1;
      while (used.has(`${aid}-E${i}`)) i++;
      await post('improve_evidence_added', {evidence_id: `${aid}-E${i}`, action_id: aid, date: today(), kind: v.kind, title: v.title.trim(),
        measure_id: v.kind === 'measure' ? v.measure : null, target: v.kind === 'measure' ? v.target : null,
        direction: v.kind === 'measure' ? v.direction : null, audit_report_id: v.kind === 'audit_report' ? v.audit : null,
        sha256: v.kind === 'document' ? v.sha : null});
      done(t('improve.evidence_added'));
    },
  }) : null;

  const completeForm = may ? formBlock({
    id: 'form-complete', errors: box, title,
    draw: (errors, v) => frag(
      textarea('complete-note', t('improve.complete_note'), {hint: t('improve.personal_hint'), error: errors['complete-note'], value: v.note ?? '', rows: 3}),
      button(t('improve.mark_complete'))),
    read: (form) => ({note: form.elements['complete-note'].value}),
    check: (v) => clean({'complete-note': needText(v.note, t('improve.complete_note'), 2000, t('improve.note_needed'))}),
    fieldOf: (x) => (x === 'note' ? 'complete-note' : null),
    send: async (v) => {
      await post('improve_action_completed', {action_id: aid, date: today(), note: v.note.trim()});
      done(t('improve.completed_notice'));
    },
  }) : null;

  const signForm = a.may_sign_off ? formBlock({
    id: 'form-signoff', errors: box, title,
    draw: (errors, v) => frag(
      textarea('signoff-comment', t('improve.signoff_comment'), {hint: t('improve.optional_personal'), error: errors['signoff-comment'], value: v.comment ?? '', rows: 3}),
      button(t('improve.sign_off'))),
    read: (form) => ({comment: form.elements['signoff-comment'].value}),
    check: (v) => clean({'signoff-comment': bytes(v.comment) > 1000 ? tooLong(t('improve.signoff_comment'), 1000) : null}),
    fieldOf: (x) => (x === 'comment' ? 'signoff-comment' : null),
    send: async (v) => {
      await post('improve_action_signed_off', {action_id: aid, date: today(), comment: v.comment.trim() || null});
      done(t('improve.signed_off_notice'));
    },
  }) : null;
  const returnForm = a.may_sign_off ? formBlock({
    id: 'form-return', errors: box, title,
    draw: (errors, v) => frag(
      textarea('return-reason', t('improve.return_reason'), {hint: t('improve.personal_hint'), error: errors['return-reason'], value: v.reason ?? '', rows: 3}),
      button(t('improve.return'), {secondary: true})),
    read: (form) => ({reason: form.elements['return-reason'].value}),
    check: (v) => clean({'return-reason': needText(v.reason, t('improve.return_reason'), 1000, t('improve.reason_needed'))}),
    fieldOf: (x) => (x === 'reason' ? 'return-reason' : null),
    send: async (v) => {
      await post('improve_action_returned', {action_id: aid, date: today(), reason: v.reason.trim()});
      done(t('improve.returned_notice'));
    },
  }) : null;

  // Not while it awaits sign-off: what was said to be done is signed off or returned as it stands.
  const changeForm = a.editable && !closed ? formBlock({
    id: 'form-change', errors: box, title,
    draw: (errors, v) => frag(
      select('change-owner', t('improve.change_owner'), inPost, {hint: t('improve.change_owner_hint'), error: errors['change-owner'], value: v.owner ?? '', blank: t('improve.keep_owner')}),
      dateInput('change-due', t('improve.change_due'), {hint: t('improve.change_due_hint'), error: errors['change-due'], value: v.due ?? ''}),
      textarea('change-reason', t('improve.change_reason'), {error: errors['change-reason'], value: v.reason ?? '', rows: 2}),
      button(t('improve.change'), {secondary: true})),
    read: (form) => ({owner: form.elements['change-owner'].value, due: readDate(form, 'change-due'), reason: form.elements['change-reason'].value}),
    check: (v) => clean({
      'change-owner': !v.owner && v.due === '' ? t('improve.change_something') : null,
      'change-due': v.due === null ? t('errors.date_invalid', {label: t('improve.change_due')}) : null,
      'change-reason': needText(v.reason, t('improve.change_reason'), 1000, t('improve.reason_needed')),
    }),
    fieldOf: (x) => ({owner_id: 'change-owner', due: 'change-due', reason: 'change-reason'}[x] ?? null),
    send: async (v) => {
      await post('improve_action_changed', {action_id: aid, date: today(), owner_id: v.owner || null, due: v.due || null, reason: v.reason.trim()});
      done(t('improve.changed_notice'));
    },
  }) : null;

  return {title, body: frag(
    box,
    heading(title, {caption: a.plan_title ?? a.plan_id}),
    p(a.text),
    summaryList([
      [t('improve.plan'), link(`/improvement/plans/${seg(a.plan_id)}`, a.plan_title ?? a.plan_id)],
      [t('improve.owner'), names(a.owner_id)],
      [t('improve.due'), frag(formatDate(a.due), a.first_due && a.first_due !== a.due
        ? frag(' ', h('span', {class: 'govuk-hint govuk-!-display-inline'}, t('improve.first_due', {date: formatDate(a.first_due), n: a.replanned}))) : null)],
      [t('improve.status_head'), statusTag(a.status)],
      [t('improve.rag_head'), frag(ragTag(a.rag), ' ', reasonText(a.rag_reason))],
      [t('improve.blocked'), a.blocked ? t('common.yes') : t('common.no')],
      // The note itself is personal, kept beside the log: the plan's JSON gives the day.
      a.note ? [t('improve.latest_progress'), frag(a.note, a.noted_on ? frag(' ', h('span', {class: 'govuk-hint govuk-!-display-inline'}, `(${formatDate(a.noted_on)})`)) : null)]
        : a.noted_on ? [t('improve.latest_progress'), t('improve.progress_on', {date: formatDate(a.noted_on)})] : null,
      a.completed_on ? [t('improve.said_done'), t('improve.by_on', {name: names(a.completed_by), date: formatDate(a.completed_on)})] : null,
      a.signed_off_on ? [t('improve.signed_off'), t('improve.by_on', {name: names(a.signed_off_by), date: formatDate(a.signed_off_on)})] : null,
      a.returned ? [t('improve.returned'), t('improve.times', {n: a.returned})] : null,
    ]),
    h2(t('improve.dependencies'), {id: 'dependencies'}),
    a.depends_on.length
      ? table({id: 'deps-table', caption: t('improve.deps_caption', {n: a.depends_on.length}),
               head: [{text: t('improve.action')}, {text: t('improve.due')}, {text: t('improve.state')}],
               rows: a.depends_on.map((d) => [link(`/improvement/actions/${seg(d.action_id)}`, d.action_id), formatDate(d.due),
                                              d.complete ? tag(t('improve.dep_complete'), 'green')
                                                         : d.due && d.due < a.as_of ? tag(t('improve.dep_late'), 'red') : tag(t('improve.dep_open'), 'yellow')])})
      : p(t('improve.no_dependencies')),
    h2(t('improve.evidence'), {id: 'evidence'}),
    a.evidence.length
      ? table({id: 'evidence-table', caption: t('improve.evidence_caption', {n: a.evidence.length}),
               head: [{text: t('improve.ev_title')}, {text: t('improve.ev_kind_head')}, {text: t('improve.details')}, {text: t('improve.added')}],
               rows: a.evidence.map((e) => [e.title, t(`improve.ev_kinds.${e.kind}`), evidenceDetail(e),
                                            t('improve.by_on', {name: names(e.by), date: formatDate(e.date)})])})
      : p(t('improve.no_evidence')),
    a.measures?.length ? measuresTable('action-measures', a.measures) : null,
    h2(t('improve.money'), {id: 'money'}),
    summaryList([
      [t('improve.committed'), money(a.committed)],
      [t('improve.spent'), money(a.spent)],
      [t('improve.variance'), a.variance.pence < 0 ? frag(money(a.variance), ' ', tag(t('improve.overspent'), 'red')) : money(a.variance)],
    ]),
    progressForm ? formSection('progress', t('improve.progress_heading'), null, progressForm) : null,
    evidenceForm ? formSection('add-evidence', t('improve.evidence_heading'), t('improve.evidence_intro'), evidenceForm) : null,
    completeForm ? formSection('complete', t('improve.complete_heading'), t('improve.complete_intro'), completeForm) : null,
    a.status === 'awaiting_sign_off' ? inset(a.may_sign_off ? t('improve.awaiting_you') : t('improve.awaiting_other')) : null,
    signForm ? formSection('sign-off', t('improve.signoff_heading'), null, signForm) : null,
    returnForm ? formSection('return', t('improve.return_heading'), null, returnForm) : null,
    changeForm ? formSection('change', t('improve.change_heading'), t('improve.change_intro'), changeForm) : null,
    p(link(`/improvement/plans/${seg(a.plan_id)}#task-${safeId(aid)}`, t('improve.back_to_plan'))))};
}

// Measures against their targets (the report's content, or an action's own lines): the measure
// in the page's language, the target, the latest rolling quarter's figure, whether it is met, and
// the trend.
const measureTitle = (m) => (language() === 'cy' && m.title_cy ? m.title_cy
                             : language() === 'cy' ? foreign(m.title ?? m.measure_id, 'en') : m.title ?? m.measure_id);
function measuresTable(id, list) {
  return table({id, caption: t('improve.measures_caption', {n: list.length}),
    head: [{text: t('improve.measure')}, {text: t('improve.target')}, {text: t('improve.latest')}, {text: t('improve.met')}, {text: t('improve.trend')}],
    rows: list.map((m) => [frag(m.measure_id, ' ', measureTitle(m)),
                           t('improve.target_line', {direction: t(`improve.direction.${m.direction}`), target: m.target}),
                           m.value === null || m.value === undefined ? t('improve.no_figure')
                             : m.denominator !== undefined ? t('improve.value_of', {value: m.value, numerator: m.numerator, denominator: m.denominator}) : m.value,
                           m.on_target ? tag(t('improve.on_target'), 'green') : tag(t('improve.off_target'), 'red'),
                           h('ul', {class: 'govuk-list govuk-body-s'}, (m.trend ?? []).map((x) =>
                             h('li', {}, t('improve.trend_point', {from: formatDate(x.from), to: formatDate(x.to), value: x.value ?? t('improve.no_figure')}))))])});
}

// ---- /improvement/plans/{plan}/report ----

export async function improvementReport({params, query, navigate}) {
  const pid = params.plan;
  const asOf = /^\d{4}-\d{2}-\d{2}$/.test(query.get('as_of') ?? '') ? query.get('as_of') : today();
  const kind = query.get('kind') === 'minister' ? 'minister' : 'board';
  const q = `as_of=${asOf}&kind=${kind}`;
  const base = `/api/v1/improvement/plans/${seg(pid)}/report`;
  const [plan, res, names] = await Promise.all([
    api.get(`/api/v1/improvement/plans/${seg(pid)}`), api.get(`${base}?${q}&format=json`), staffNames()]);
  if (plan.filtered) return onlyFor();
  const c = res.content ?? res;
  const sha = res.content_sha256 ?? c.content_sha256;
  const title = t(`improve.report_title_${kind}`, {plan: plan.title});
  const here = `/improvement/plans/${seg(pid)}/report`;
  const box = errorBox();
  const counts = c.actions?.counts ?? {};
  const b = c.budget;

  const chooser = formBlock({
    id: 'form-choose', errors: box, title,
    draw: (errors, v) => frag(
      dateInput('rep-day', t('improve.report_day'), {hint: t('date.hint'), error: errors['rep-day'], value: v.day ?? asOf}),
      radios('rep-kind', t('improve.report_kind'), [['board', t('improve.kinds.board')], ['minister', t('improve.kinds.minister')]],
             {value: v.kind ?? kind, inline: true, small: true}),
      button(t('improve.show_report'), {secondary: true})),
    read: (form) => ({day: readDate(form, 'rep-day'), kind: form.querySelector('input[name="rep-kind"]:checked')?.value ?? 'board'}),
    check: (v) => clean({'rep-day': v.day ? (v.day > today() ? t('errors.date_future', {label: t('improve.report_day')}) : null)
                                          : t('errors.date_invalid', {label: t('improve.report_day')})}),
    send: async (v) => navigate(`${here}?as_of=${v.day}&kind=${v.kind}`),
  });

  const actionRows = (list) => (list ?? []).map((a) => [a.ref, a.text, names(a.owner_id), formatDate(a.due), statusText(a.status),
                                                         frag(ragTag(a.rag), a.rag === 'red' || a.rag === 'amber' ? frag(' ', reasonText(a.rag_reason)) : null)]);
  const actionTable = (id, caption, list) => table({id, caption: t(caption, {n: (list ?? []).length}),
    head: [{text: t('improve.ref')}, {text: t('improve.action')}, {text: t('improve.owner')}, {text: t('improve.due')},
           {text: t('improve.status_head')}, {text: t('improve.rag_head')}],
    rows: actionRows(list)});

  const issueForm = plan.editable ? formBlock({
    id: 'form-issue', errors: box, title,
    draw: (errors, v) => frag(
      textInput('issue-recipients', t('improve.recipients'), {hint: t('improve.recipients_hint'), error: errors['issue-recipients'], value: v.recipients ?? ''}),
      button(t('improve.issue'))),
    read: (form) => ({recipients: form.elements['issue-recipients'].value}),
    check: (v) => clean({'issue-recipients': needText(v.recipients, t('improve.recipients'), 400, t('improve.recipients_needed'))}),
    fieldOf: (x) => (x === 'recipients' ? 'issue-recipients' : null),
    send: async (v) => {
      const r = await api.post(base, {kind, as_of: asOf, recipients: v.recipients.trim()});
      navigate(`${here}?${q}#reports-issued`, {notice: {success: true, text: t('improve.issued_notice', {id: r.report_id})}});
    },
  }) : null;

  const reports = plan.reports ?? [];
  return {title, body: frag(
    box,
    heading(title, {caption: t('improve.report_caption', {date: formatDate(asOf)})}),
    h('div', {class: 'cw-no-print'}, chooser),
    summaryList([
      [t('improve.plan'), link(`/improvement/plans/${seg(pid)}`, plan.title)],
      [t('improve.owner'), names(c.plan?.owner_id)],
      [t('improve.deadline'), c.plan ? frag(formatDate(c.plan.due), ' ', deadlineTag(c.plan)) : null],
      c.plan?.notice ? [t('improve.notice'), frag(t(`improve.notice_kind.${c.plan.notice.kind}`), ', ', c.plan.notice.issued_by, ', ', formatDate(c.plan.notice.issued))] : null,
      c.plan?.next_review ? [t('improve.next_review'), t('improve.review_on', {review: reviewText(c.plan.next_review.review), date: formatDate(c.plan.next_review.due)})] : null,
    ]),
    h2(t('improve.summary'), {id: 'summary'}),
    summaryList([
      [t('improve.actions_head'), String(counts.actions ?? 0)],
      [t('improve.due_by_day'), String(counts.due ?? 0)],
      [t('improve.late'), String(counts.late ?? 0)],
      [t('improve.rag_head'), countTags(counts)],
    ]),
    h2(t('improve.actions_head'), {id: 'report-actions'}),
    actionTable('late-table', 'improve.late_caption', c.actions?.late),
    actionTable('due-table', 'improve.due_caption', c.actions?.due),
    actionTable('done-table', 'improve.done_caption', c.actions?.done),
    actionTable('upcoming-table', 'improve.upcoming_caption', c.actions?.upcoming),
    h2(t('improve.measures'), {id: 'measures'}),
    c.measures?.length
      ? measuresTable('measures-table', c.measures)
      : p(t('improve.no_measures')),
    c.measures_report ? p(h('span', {class: 'govuk-hint'}, t('improve.measures_from', {from: formatDate(c.measures_report.from), to: formatDate(c.measures_report.to),
                                                                                       size: c.measures_report.checkpoint?.size ?? ''})),
                          ' ', h('code', {class: 'cw-hash'}, c.measures_report.sha256)) : null,
    b ? frag(
      h2(t('improve.budget_against_spend'), {id: 'report-budget'}),
      summaryList([
        [t('improve.allocated'), money(b.allocated)],
        [t('improve.committed'), money(b.committed)],
        [t('improve.spent'), money(b.spent)],
        [t('improve.uncommitted'), money(b.uncommitted)],
        [t('improve.unspent'), money(b.unspent)],
        [t('improve.overspend'), money(b.overspend)],
      ]),
      table({id: 'report-allocations', caption: t('improve.allocations_caption', {n: (b.allocations ?? []).length}),
             head: [{text: t('improve.source')}, {text: t('improve.amount'), numeric: true}, {text: t('improve.committed'), numeric: true},
                    {text: t('improve.spent'), numeric: true}, {text: t('improve.unspent'), numeric: true}],
             rows: (b.allocations ?? []).map((x) => [x.source, money(x.amount), money(x.committed), money(x.spent), money(x.unspent)])})) : null,
    h2(t('improve.risks'), {id: 'risks'}),
    c.risks?.length
      ? table({id: 'risks-table', caption: t('improve.risks_caption', {n: c.risks.length}),
               head: [{text: t('improve.ref')}, {text: t('improve.action')}, {text: t('improve.owner')}, {text: t('improve.due')},
                      {text: t('improve.rag_head')}, {text: t('improve.waiting_on')}],
               rows: c.risks.map((r) => [r.ref, r.text, names(r.owner_id), formatDate(r.due),
                                         frag(ragTag(r.rag), ' ', reasonText(r.rag_reason), r.blocked ? frag(' ', tag(t('improve.blocked'), 'orange')) : null),
                                         (r.waiting_on ?? []).length ? (r.waiting_on).map((w) => (typeof w === 'string' ? w : w.ref ?? w.action_id)).join(', ') : t('common.none')])})
      : p(t('improve.no_risks')),
    h2(t('improve.content_sha'), {id: 'content-sha'}),
    p(h('code', {class: 'cw-hash', id: 'content-sha256'}, sha ?? '')),
    c.log_size ? p(h('span', {class: 'govuk-hint'}, t('improve.content_sha_hint', {n: c.log_size}))) : null,
    h('div', {class: 'cw-no-print'},
      p(link(`${base}?${q}&format=html&lang=${language()}`, t('improve.download_html'), {id: 'report-html', target: '_blank', rel: 'noopener'}),
        ' ', h('span', {class: 'govuk-hint govuk-!-display-inline'}, t('improve.new_tab'))),
      p(link(`${base}?${q}&format=csv&lang=${language()}`, t('improve.download_csv'), {id: 'report-csv', download: `${pid}-${kind}-${asOf}.csv`})),
      h('button', {type: 'button', class: 'govuk-button govuk-button--secondary', 'data-module': 'govuk-button', id: 'print-report',
                   onclick: () => window.print()}, t('improve.print'))),
    issueForm ? formSection('issue', t('improve.issue_heading'), t('improve.issue_intro', {date: formatDate(asOf)}), issueForm) : null,
    reports.length ? reportsTable(reports, names) : h('div', {id: 'reports-issued'}, p(t('improve.no_reports'))),
    h('p', {class: 'govuk-body cw-no-print'}, link(`/improvement/plans/${seg(pid)}`, t('improve.back_to_plan'))))};
}
