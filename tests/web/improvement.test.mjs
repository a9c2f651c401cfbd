// improvement.test.mjs — improvement plans in a real browser against a real server
// (docs/improvement.md; docs/events.md "Improvement plans"). tests/browser_test.sh records plan
// web-plan ("Improvement plans" there): owned by the director, the head of service its board's
// chair, actions web-plan-A1 (the social worker's, green) and web-plan-A2 (the team manager's,
// red), £4,000,000.00 of funding. The journeys run in order: each reads back what the one
// before recorded.
import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {after, before, test} from 'node:test';
import cy from '../../web/app/messages/cy.js';
import en from '../../web/app/messages/en.js';
import {apiJson, check, go, launch, newPage, settled, signIn, TODAY} from './harness.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const day = (n) => new Date(Date.parse(`${TODAY}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
const PLAN = '/improvement/plans/web-plan';

// The API, from inside a signed-in page (its session and CSRF token): {status, body}.
async function api(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const csrf = decodeURIComponent((document.cookie.match(/(?:^|;\s*)cw_csrf=([^;]*)/) || [])[1] || '');
    const r = await fetch(p, {method: m, headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf},
                              body: b === undefined ? undefined : JSON.stringify(b)});
    return {status: r.status, body: await r.json().catch(() => null)};
  }, [method, path, body]);
}

// Waits for the page drawn after a form was sent: its success notice.
async function saved(page, text) {
  await page.locator('.govuk-notification-banner--success').filter({hasText: text}).waitFor();
  await settled(page);
}

async function fillDate(page, name, iso) {
  const [y, m, d] = iso.split('-');
  await page.locator(`#f-${name}-day`).fill(String(Number(d)));
  await page.locator(`#f-${name}-month`).fill(String(Number(m)));
  await page.locator(`#f-${name}-year`).fill(y);
}

// The task list's row of an action: its text and its status (the RAG tag).
const taskRow = (page, id) => page.locator(`#task-${id}`);

test('improvement: the director reads the inspection and plans, and adds an action that appears in the task list with its RAG', async () => {
  const page = await newPage(browser);
  await signIn(page, 'director');
  await page.getByRole('link', {name: en.nav.improvement}).click();
  await settled(page);
  assert.equal(new URL(page.url()).pathname, '/improvement');
  assert.equal(await page.locator('#page-heading').innerText(), en.improve.title);
  // The inspection: findings with their severity, the notice with the plan's due day and reviews.
  const list = await apiJson(page, '/api/v1/improvement');
  const ins = list.inspections.find((x) => x.inspection_id === 'web-insp');
  const text = await page.locator('#inspection-web-insp').innerText();
  assert.match(text, /Care Inspectorate Wales[\s\S]*CIW-2026-01/);
  assert.match(await page.locator('#inspection-web-insp-findings').innerText(),
               /1\s+safeguarding\s+Serious concern\s+Strategy discussions were not held promptly\.[\s\S]*2\s+supervision\s+Area for improvement/);
  const notice = await page.locator('#notice-web-notice').innerText();
  assert.match(notice, /Improvement notice — Welsh Ministers/);
  const fmt = (iso) => page.evaluate(async (d) => (await import('/app/i18n.js')).formatDate(d), iso);
  assert.match(notice, new RegExp(escape(await fmt(ins.notices[0].plan_due))));
  assert.match(notice, new RegExp(`90 days after the notice: ${escape(await fmt(ins.notices[0].reviews[0].due))}`));
  assert.match(notice, /6 months after the notice[\s\S]*12 months after the notice/);
  // The plan: deadline met, RAG counts, budget totals.
  const plans = await page.locator('#plans-table').innerText();
  assert.match(plans, /Safeguarding improvement plan[\s\S]*On time[\s\S]*2 actions[\s\S]*1 red[\s\S]*0 amber[\s\S]*1 green[\s\S]*Allocated £4,000,000\.00; committed £0\.00; spent £0\.00/);
  await check(page, 'improve-01-list');

  await page.getByRole('link', {name: 'Safeguarding improvement plan'}).first().click();
  await settled(page);
  assert.equal(new URL(page.url()).pathname, PLAN);
  assert.match(await taskRow(page, 'web-plan-A1').innerText(), /1\.1\.1 Weekly report of strategy discussions\.[\s\S]*Not started[\s\S]*Green/);
  assert.match(await taskRow(page, 'web-plan-A2').innerText(), /1\.1\.2 Audit ten strategy discussions\.[\s\S]*past its due day[\s\S]*Red/);
  // RAG and status are shown, never asked for.
  assert.equal(await page.locator('select[name*="rag"], input[name*="rag"], select[name*="status"], input[name*="status"]').count(), 0);
  assert.match(await page.locator('#board-table').innerText(), /Chair/);
  assert.match(await page.locator('#allocations-table').innerText(), /Welsh Government grant\s+£4,000,000\.00\s+£0\.00\s+£0\.00\s+£4,000,000\.00/);
  assert.equal(await page.locator('#report-link').getAttribute('href'), `${PLAN}/report`);
  await check(page, 'improve-02-plan');

  // Nothing filled in: the page's own problems, in the error summary, which takes the focus.
  await page.locator('#form-action button[type="submit"]').click();
  await page.locator('.govuk-error-summary').waitFor();
  const summary = await page.locator('.govuk-error-summary').innerText();
  assert.match(summary, new RegExp(escape(en.improve.act_text_needed)));
  assert.match(summary, new RegExp(escape(en.improve.choose_owner)));
  assert.match(summary, new RegExp(escape(en.improve.due_needed)));
  assert.ok(await page.evaluate(() => document.activeElement?.closest('.govuk-error-summary') !== null), 'the summary has the focus');
  assert.match(await page.title(), /^Error:/);
  await check(page, 'improve-03-action-errors');

  // A due day before the day it is set: the server's refusal, by the question it names.
  const form = page.locator('#form-action');
  await form.locator('#f-act-text').fill('Train managers in strategy discussions.');
  const tm = (await apiJson(page, '/api/v1/staff')).staff.find((s) => s.role === 'team_manager' && !s.left_on);
  await form.locator('#f-act-owner').selectOption(tm.staff_id);
  await fillDate(page, 'act-due', day(-3));
  await form.locator('input[name="act-deps"][value="web-plan-A1"]').check();
  await form.locator('button[type="submit"]').click();
  // The page's own errors of the first try name the due day too: wait for the server's words,
  // not for an error that was already there.
  await page.locator('.govuk-error-summary', {hasText: 'before the day it is set'}).waitFor();
  assert.match(await page.locator('#f-act-due-error').innerText(), /before the day it is set/);

  await fillDate(page, 'act-due', day(60));
  await page.locator('#form-action button[type="submit"]').click();
  await saved(page, en.improve.action_added);
  // Read back: the new action in the task list, green (it waits on A1, due before it), and in the API.
  const plan = await apiJson(page, '/api/v1/improvement/plans/web-plan');
  const added = plan.recommendations[0].points[0].actions.find((a) => a.text === 'Train managers in strategy discussions.');
  assert.ok(added, 'the action is recorded');
  assert.equal(added.action_id, 'web-plan-A3');
  assert.equal(added.owner_id, tm.staff_id);
  assert.equal(added.due, day(60));
  assert.deepEqual(added.depends_on.map((d) => d.action_id), ['web-plan-A1']);
  const row = await taskRow(page, 'web-plan-A3').innerText();
  assert.match(row, /1\.1\.3 Train managers in strategy discussions\./);
  assert.match(row, new RegExp(`${escape(tm.name)}[\\s\\S]*Not started`));
  assert.match(row, new RegExp(escape(en.improve.rag[added.rag])));
  assert.equal(await taskRow(page, 'web-plan-A3').locator('.govuk-task-list__status .govuk-tag').innerText(), en.improve.rag[added.rag]);
  await check(page, 'improve-04-action-added');
  await page.context().close();
});

test('improvement: a commitment typed as 1,333,333.33 is recorded as 133333333 pence, and the budget reads it back', async () => {
  const page = await newPage(browser);
  await signIn(page, 'director');
  await go(page, PLAN);
  const form = page.locator('#form-commit');
  await form.locator('#f-commit-action').selectOption('web-plan-A2');
  await form.locator('#f-commit-allocation').selectOption('web-fund-1');
  await form.locator('#f-commit-reason').fill('External auditor for ten discussions.');
  // More than two decimal places: refused by the page, and nothing is sent.
  await form.locator('#f-commit-amount').fill('1,333,333.333');
  await form.locator('button[type="submit"]').click();
  await page.locator('#f-commit-amount-error').waitFor();
  assert.match(await page.locator('.govuk-error-summary').innerText(), new RegExp(escape(en.improve.money_decimals)));
  assert.equal((await apiJson(page, '/api/v1/improvement/plans/web-plan/budget')).committed.pence, 0);
  await check(page, 'improve-05-money-error');

  await page.locator('#f-commit-amount').fill('1,333,333.33');
  await page.locator('#form-commit button[type="submit"]').click();
  await saved(page, 'The commitment of £1,333,333.33 is recorded.');
  const b = await apiJson(page, '/api/v1/improvement/plans/web-plan/budget');
  assert.equal(b.committed.pence, 133333333);
  assert.equal(b.committed.pounds, '£1,333,333.33');
  assert.equal(b.uncommitted.pence, 400000000 - 133333333);
  assert.equal(b.actions.find((a) => a.action_id === 'web-plan-A2').committed.pence, 133333333);
  const hist = b.history.find((x) => x.type === 'improve_budget_committed');
  assert.equal(hist.after.pence, 133333333);
  // The page's totals, as the server gives them.
  const totals = await page.locator('#budget + .govuk-summary-list').innerText();
  assert.match(totals, /Allocated\s+£4,000,000\.00\s+Committed\s+£1,333,333\.33\s+Spent\s+£0\.00\s+Uncommitted\s+£2,666,666\.67/);
  assert.match(await page.locator('#allocations-table').innerText(), /Welsh Government grant\s+£4,000,000\.00\s+£1,333,333\.33\s+£0\.00\s+£2,666,666\.67/);
  // More than the allocation has uncommitted: the server's refusal, by the amount's question.
  await page.locator('#f-commit-action').selectOption('web-plan-A2');
  await page.locator('#f-commit-amount').fill('2,666,666.68');
  await page.locator('#f-commit-reason').fill('Too much.');
  await page.locator('#form-commit button[type="submit"]').click();
  await page.locator('.govuk-error-summary', {hasText: 'uncommitted'}).waitFor();
  assert.match(await page.locator('#f-commit-amount-error').innerText(), /uncommitted/);
  assert.equal((await apiJson(page, '/api/v1/improvement/plans/web-plan/budget')).committed.pence, 133333333);
  await page.locator('#money-history summary').click();
  assert.match(await page.locator('#history-table').innerText(), /Commitment web-plan-C1\s+£0\.00\s+£1,333,333\.33\s+External auditor/);
  await check(page, 'improve-06-committed');
  // The action's page: its money, and its measure against the target (the API's own lines).
  await go(page, '/improvement/actions/web-plan-A2');
  const a2 = await apiJson(page, '/api/v1/improvement/actions/web-plan-A2');
  assert.match(await page.locator('#money + .govuk-summary-list').innerText(), /Committed\s+£1,333,333\.33\s+Spent\s+£0\.00\s+Committed less spent\s+£1,333,333\.33/);
  assert.equal(a2.measures.length, 1);
  assert.match(await page.locator('#action-measures').innerText(), new RegExp(`PM24[\\s\\S]*at least 85\\.0[\\s\\S]*${a2.measures[0].on_target ? 'On target' : 'Not on target'}`));
  await check(page, 'improve-06b-action-money');
  await page.context().close();
});

test('improvement: the owner records progress and evidence and marks the action complete; another editor signs it off', async () => {
  const page = await newPage(browser);
  await signIn(page, 'social.worker');
  await page.getByRole('link', {name: en.nav.improvement}).click();
  await settled(page);
  // Someone who only owns actions sees those actions.
  assert.match(await page.locator('#assigned').innerText(), new RegExp(escape(en.improve.assigned)));
  assert.match(await page.locator('#assigned-table').innerText(), /1\.1\.1\s+Weekly report of strategy discussions\.[\s\S]*Not started\s+Green/);
  assert.equal(await page.locator('#plans-table').count(), 0);
  await check(page, 'improve-07-assigned');
  await page.getByRole('link', {name: 'Weekly report of strategy discussions.'}).click();
  await settled(page);
  assert.equal(new URL(page.url()).pathname, '/improvement/actions/web-plan-A1');
  assert.match(await page.locator('#page-heading').innerText(), /Safeguarding improvement plan\s*Action 1\.1\.1/);
  assert.equal(await page.locator('#form-signoff').count(), 0, 'the owner does not sign off');
  assert.equal(await page.locator('#form-change').count(), 0, 'only editors change an action');
  await check(page, 'improve-08-action');

  // Completion with no evidence: the server's refusal.
  await page.locator('#f-complete-note').fill('The weekly report runs.');
  await page.locator('#form-complete button[type="submit"]').click();
  await page.locator('.govuk-error-summary').waitFor();
  assert.match(await page.locator('.govuk-error-summary').innerText(), /evidence/i);

  await page.locator('#f-progress-note').fill('First two weekly reports sent to managers.');
  await page.locator('#form-progress button[type="submit"]').click();
  await saved(page, en.improve.progress_recorded);
  let a = await apiJson(page, '/api/v1/improvement/actions/web-plan-A1');
  assert.equal(a.status, 'in_progress');
  assert.equal(a.noted_on, TODAY);
  assert.match(await page.locator('#main-content').innerText(), /Status\s+In progress[\s\S]*Latest progress\s+Recorded on /);

  // Evidence: a document, whose SHA-256 the browser works out; the file is not sent.
  const file = Buffer.from('Minutes of the strategy discussions panel, week 1.\n');
  const sha = createHash('sha256').update(file).digest('hex');
  await page.locator('#f-ev-title').fill('Panel minutes, week 1');
  await page.locator('input[name="ev-kind"][value="document"]').check();
  let posted = null;
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().includes('/improve_evidence_added')) posted = r.postData();
  });
  await page.locator('#f-ev-file').setInputFiles({name: 'minutes.txt', mimeType: 'text/plain', buffer: file});
  await page.locator('#ev-file-sha').filter({hasText: sha}).waitFor();
  await check(page, 'improve-09-evidence-form');
  await page.locator('#form-evidence button[type="submit"]').click();
  await saved(page, en.improve.evidence_added);
  assert.ok(posted && !posted.includes('Minutes of the strategy'), 'the file is not sent');
  assert.equal(JSON.parse(posted).sha256, sha);
  a = await apiJson(page, '/api/v1/improvement/actions/web-plan-A1');
  assert.equal(a.evidence.length, 1);
  assert.equal(a.evidence[0].sha256, sha);
  assert.match(await page.locator('#evidence-table').innerText(), new RegExp(`Panel minutes, week 1\\s+A document\\s+${sha}`));

  await page.locator('#f-complete-note').fill('The weekly report runs and the panel meets.');
  await page.locator('#form-complete button[type="submit"]').click();
  await saved(page, en.improve.completed_notice);
  a = await apiJson(page, '/api/v1/improvement/actions/web-plan-A1');
  assert.equal(a.status, 'awaiting_sign_off');
  assert.match(await page.locator('#main-content').innerText(), new RegExp(`Awaiting sign-off[\\s\\S]*${escape(en.improve.awaiting_other)}`));
  assert.equal(await page.locator('form').count(), 0, 'nothing more to add while it awaits sign-off');
  await check(page, 'improve-10-awaiting');
  await page.context().close();

  // The head of service, the board's chair: an editor who is neither its owner nor who said it was done.
  const chair = await newPage(browser);
  await signIn(chair, 'head.of.service');
  await go(chair, '/improvement/actions/web-plan-A1');
  assert.match(await chair.locator('#main-content').innerText(), new RegExp(escape(en.improve.awaiting_you)));
  await check(chair, 'improve-11-sign-off');
  await chair.locator('#f-signoff-comment').fill('Seen the minutes.');
  await chair.locator('#form-signoff button[type="submit"]').click();
  await saved(chair, en.improve.signed_off_notice);
  a = await apiJson(chair, '/api/v1/improvement/actions/web-plan-A1');
  assert.equal(a.status, 'complete');
  assert.equal(a.rag, 'complete');
  // The task list shows it complete.
  await go(chair, PLAN);
  assert.match(await taskRow(chair, 'web-plan-A1').innerText(), /1\.1\.1 Weekly report[\s\S]*Complete/);
  assert.equal(await taskRow(chair, 'web-plan-A1').locator('.govuk-tag').innerText(), en.improve.rag.complete);
  await check(chair, 'improve-12-plan-after-sign-off');
  await chair.context().close();
});

test('improvement: the board report shows the counts and the budget, is issued, and the issued report is listed with its SHA-256', async () => {
  const page = await newPage(browser);
  await signIn(page, 'director');
  await go(page, PLAN);
  await page.locator('#report-link').click();
  await settled(page);
  assert.equal(new URL(page.url()).pathname, `${PLAN}/report`);
  assert.match(await page.locator('#page-heading').innerText(), /As the plan stood on [\s\S]*Board report: Safeguarding improvement plan/);
  const r = await apiJson(page, `/api/v1/improvement/plans/web-plan/report?as_of=${TODAY}&kind=board&format=json`);
  const c = r.content ?? r;
  const counts = c.actions.counts;
  const summary = await page.locator('#summary + .govuk-summary-list').innerText();
  assert.match(summary, new RegExp(`Actions\\s+${counts.actions}\\s+Due by the day\\s+${counts.due}\\s+Late\\s+${counts.late}`));
  assert.match(summary, new RegExp(`${counts.red} red[\\s\\S]*${counts.amber} amber[\\s\\S]*${counts.green} green[\\s\\S]*${counts.complete} complete`));
  assert.match(await page.locator('#late-table').innerText(), /1\.1\.2\s+Audit ten strategy discussions\.[\s\S]*Red/);
  assert.match(await page.locator('#done-table').innerText(), /1\.1\.1\s+Weekly report/);
  assert.match(await page.locator('#report-budget + .govuk-summary-list').innerText(),
               /Allocated\s+£4,000,000\.00\s+Committed\s+£1,333,333\.33\s+Spent\s+£0\.00/);
  assert.match(await page.locator('#risks-table').innerText(), /1\.1\.2[\s\S]*Red/);
  // Measures against targets, as the report's content gives them, with the trend.
  const m = c.measures.find((x) => x.measure_id === 'PM24');
  assert.ok(m, 'the measure evidence is in the report');
  const mt = await page.locator('#measures-table').innerText();
  assert.match(mt, new RegExp(`PM24 ${escape(m.title)}\\s+at least 85\\.0`));
  assert.match(mt, new RegExp(m.value === null ? en.improve.no_figure : `${escape(m.value)} \\(${m.numerator} of ${m.denominator}\\)`));
  assert.match(mt, new RegExp(m.on_target ? en.improve.on_target : en.improve.off_target));
  assert.equal(await page.locator('#measures-table tbody tr').first().locator('li').count(), m.trend.length);
  if (c.measures_report) assert.match(await page.locator('#measures').evaluate((e) => e.parentElement.innerText), new RegExp(c.measures_report.sha256));
  const sha = r.content_sha256;
  assert.match(sha, /^[0-9a-f]{64}$/);
  assert.equal(await page.locator('#content-sha256').innerText(), sha);
  // The printable forms, and printing.
  assert.match(await page.locator('#report-html').getAttribute('href'), /format=html/);
  assert.match(await page.locator('#report-csv').getAttribute('href'), /format=csv/);
  const html = await page.evaluate(async (u) => (await fetch(u)).text(), await page.locator('#report-html').getAttribute('href'));
  assert.match(html, /Safeguarding improvement plan/);
  await page.evaluate(() => {
    window.printed = 0;
    window.print = () => window.printed++;
  });
  await page.locator('#print-report').click();
  assert.equal(await page.evaluate(() => window.printed), 1);
  await check(page, 'improve-13-report');

  // Issued: recipients are needed first.
  await page.locator('#form-issue button[type="submit"]').click();
  await page.locator('#f-issue-recipients-error').waitFor();
  await page.locator('#f-issue-recipients').fill('Improvement board');
  await page.locator('#form-issue button[type="submit"]').click();
  await page.locator('.govuk-notification-banner--success').waitFor();
  await settled(page);
  const plan = await apiJson(page, '/api/v1/improvement/plans/web-plan');
  const issued = plan.reports.find((x) => x.content_sha256 === sha);
  assert.ok(issued, 'the plan lists the issued report');
  assert.equal(issued.kind, 'board');
  assert.equal(issued.as_of, TODAY);
  assert.match(await page.locator('.govuk-notification-banner--success').innerText(), new RegExp(escape(issued.report_id)));
  const table = await page.locator('#reports-table').innerText();
  assert.match(table, new RegExp(`${escape(issued.report_id)}\\s+Report to the improvement board[\\s\\S]*Improvement board\\s+${sha}`));
  const by = (await apiJson(page, '/api/v1/staff')).staff.find((s) => s.staff_id === issued.by);
  assert.equal(by.role, 'director');
  assert.match(table, new RegExp(`${escape(by.name)}, `));
  await check(page, 'improve-14-issued');
  // And on the plan's page.
  await go(page, PLAN);
  assert.match(await page.locator('#reports-table').innerText(), new RegExp(sha));
  await page.context().close();
});

test('improvement: Cymraeg — the plan in Welsh', async () => {
  const page = await newPage(browser);
  try {
    await signIn(page, 'inspector');
    await page.locator('#language-cy').click();
    await page.waitForFunction(() => document.documentElement.lang === 'cy');
    await settled(page);
    await go(page, '/improvement');
    assert.equal(await page.locator('#page-heading').innerText(), cy.improve.title);
    assert.match(await page.locator('#inspection-web-insp-findings').innerText(), /Pryder difrifol[\s\S]*Maes i’w wella/);
    assert.match(await page.locator('#notice-web-notice').innerText(), /Hysbysiad gwella[\s\S]*90 diwrnod ar ôl yr hysbysiad/);
    await check(page, 'improve-15-cy-list');
    await go(page, PLAN);
    assert.match(await page.locator('#page-heading').innerText(), /Cynllun gwella/);
    assert.match(await page.locator('#tasks').innerText(), new RegExp(escape(cy.improve.task_list)));
    assert.equal(await taskRow(page, 'web-plan-A1').locator('.govuk-tag').innerText(), cy.improve.rag.complete);
    assert.equal(await taskRow(page, 'web-plan-A2').locator('.govuk-tag').innerText(), cy.improve.rag.red);
    assert.match(await taskRow(page, 'web-plan-A2').innerText(), /Ar y gweill — wedi pasio ei ddyddiad dyledus/);
    assert.match(await page.locator('#budget + .govuk-summary-list').innerText(), /Wedi’i ddyrannu\s+£4,000,000\.00\s+Wedi’i ymrwymo\s+£1,333,333\.33/);
    assert.equal(await page.locator('#form-action').count(), 0, 'an inspector reads the plan, and edits nothing');
    await check(page, 'improve-16-cy-plan');
  } finally {
    await api(page, 'PUT', '/api/v1/me/language', {language: 'en'}).catch(() => {});
    await page.context().close();
  }
});
