// audits.test.mjs — case-file audits in a real browser against a real server (docs/audits.md,
// docs/events.md "Case-file audits", docs/web.md "Case-file audits"). tests/browser_test.sh adds
// qa.web (a QA auditor on the staff, with an account), WEB-Q in programme web-2026 for qa.web to
// audit, and WEB-R in web-cy for the Welsh journey. The journeys run in order: the team manager's
// and the report's follow the audit completed in the first.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import cy from '../../web/app/messages/cy.js';
import en from '../../web/app/messages/en.js';
import {apiJson, check, go, launch, newPage, settled, signIn} from './harness.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const THEMES = ['childs_voice', 'assessment', 'planning', 'management_oversight', 'risk', 'recording', 'impact'];
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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

test('audits: the auditor grades every theme of a case (one not applicable), completes it with a critical grade, and reads it back', async () => {
  const page = await newPage(browser);
  await signIn(page, 'qa.web');
  // The navigation leads to the cases drawn for the auditor.
  await page.getByRole('link', {name: en.nav.audits}).click();
  await settled(page);
  assert.equal(new URL(page.url()).pathname, '/audits');
  const mine = await page.locator('#my-cases-table').innerText();
  assert.match(mine, /Cai Testwood[\s\S]*WEB-Q[\s\S]*Web journeys audit[\s\S]*Auditor[\s\S]*To do/);
  assert.match(mine, /Rhys Testwood/);
  await check(page, 'audits-01-my-cases');

  await page.getByRole('link', {name: 'Cai Testwood'}).click();
  await settled(page);
  assert.equal(new URL(page.url()).pathname, '/audits/web-2026/cases/WEB-Q');
  // The framework's guidance beside each theme, and the grades' labels from the framework.
  const fw = await apiJson(page, '/api/v1/audit-frameworks/standard');
  assert.match(await page.locator('#theme-childs_voice aside').innerText(), new RegExp(escape(fw.themes[0].guidance.split('\n')[0])));
  assert.equal(await page.locator('#theme-risk-title').innerText(), fw.themes.find((x) => x.theme === 'risk').title);
  assert.match(await page.locator('#theme-planning').innerText(), /4 Inadequate[\s\S]*5 Critical \(a critical finding\)[\s\S]*Not applicable/);
  assert.equal(await page.getByRole('link', {name: 'Open Cai Testwood’s record'}).first().getAttribute('href'), '/children/WEB-Q');
  await check(page, 'audits-02-case');

  // Nothing chosen, nothing written: both problems in the error summary, which takes the focus.
  await page.locator('#form-childs_voice button[type="submit"]').click();
  await page.locator('.govuk-error-summary').waitFor();
  const summary = await page.locator('.govuk-error-summary').innerText();
  assert.match(summary, new RegExp(escape(en.audits.choose_grade)));
  assert.match(summary, new RegExp(escape(en.audits.narrative_needed)));
  assert.ok(await page.evaluate(() => document.activeElement?.closest('.govuk-error-summary') !== null), 'the summary has the focus');
  assert.match(await page.title(), /^Error:/);
  await check(page, 'audits-03-grade-errors');

  // Completing before every theme is graded: the server's refusal, in the error summary.
  await page.locator('input[name="overall"][value="3"]').check();
  await page.locator('#form-complete button[type="submit"]').click();
  await page.locator('.govuk-error-summary').filter({hasText: /theme|graded/i}).waitFor();
  assert.match(await page.locator('.govuk-error-summary').innerText(), /childs_voice|child's voice|graded/i);

  // Each theme graded, with a case note of the chronology as evidence for the child's voice.
  const chron = (await apiJson(page, '/api/v1/children/WEB-Q/chronology')).chronology;
  const note = chron.find((e) => e.type === 'case_note').index;
  const grades = {childs_voice: '2', assessment: '3', planning: '4', management_oversight: '5', risk: 'na', recording: '3', impact: '4'};
  for (const theme of THEMES) {
    const form = page.locator(`#form-${theme}`);
    await form.locator(`input[name="grade-${theme}"][value="${grades[theme]}"]`).check();
    await form.locator(`#f-narrative-${theme}`).fill(`Reasons for ${theme}: what the file shows.`);
    if (theme === 'childs_voice') {
      await form.locator('summary').click();
      await form.locator(`input[name="evidence-${theme}"][value="${note}"]`).check();
    }
    await form.locator('button[type="submit"]').click();
    // (each notice names its theme: the one before it is still shown until the page is drawn again)
    await saved(page, `Grade saved: ${fw.themes.find((x) => x.theme === theme).title}.`);
    // Read back from the record: the saved grade shown beside its form.
    assert.match(await page.locator(`#theme-${theme}`).innerText(),
                 grades[theme] === 'na' ? /Saved grade[\s\S]*Not applicable/ : new RegExp(`Saved grade[\\s\\S]*Grade\\s+${grades[theme]} `));
  }
  assert.match(await page.locator('#theme-childs_voice').innerText(), new RegExp(`Entries ${note}`));
  await check(page, 'audits-04-graded');

  // Complete, with a critical overall grade.
  await page.locator('input[name="overall"][value="5"]').check();
  await page.locator('#f-summary').fill('Management oversight is missing at key points.');
  await page.locator('#form-complete button[type="submit"]').click();
  await saved(page, 'The audit of Cai Testwood’s file is completed.');
  assert.equal(await page.locator('#form-complete').count(), 0, 'no more forms once completed');
  assert.equal(await page.locator('form').count(), 0);
  const text = await page.locator('#main-content').innerText();
  assert.match(text, new RegExp(escape(en.audits.completed_final)));
  // The saved grades, read back from GET /children/WEB-Q/audits, as the page shows them.
  const back = (await apiJson(page, '/api/v1/children/WEB-Q/audits')).audits.find((a) => a.programme_id === 'web-2026');
  assert.equal(back.grades.length, 7);
  assert.ok(back.completed_on);
  for (const g of back.grades) {
    assert.equal(g.not_applicable ? 'na' : String(g.grade), grades[g.theme], g.theme);
    assert.match(await page.locator(`#theme-${g.theme}`).innerText(), new RegExp(escape(g.narrative)));
  }
  assert.deepEqual(back.grades.find((g) => g.theme === 'childs_voice').evidence, [String(note)]);
  await check(page, 'audits-05-completed');

  // The list says it is done.
  await go(page, '/audits');
  assert.match(await page.locator('#my-cases-table').innerText(), /Cai Testwood[\s\S]*Completed/);
  await page.context().close();
});

test('audits: the case’s team manager sees the critical finding on the programme page and records the action', async () => {
  const page = await newPage(browser);
  await signIn(page, 'team.manager');
  await page.getByRole('link', {name: en.nav.audits}).click();
  await settled(page);
  await page.getByRole('link', {name: 'Web journeys audit'}).click();
  await settled(page);
  assert.equal(new URL(page.url()).pathname, '/audits/web-2026');
  // The figures as the server gives them.
  const prog = await apiJson(page, '/api/v1/audits/web-2026');
  const overall = await page.locator('#overall-table').innerText();
  for (const d of prog.figures.overall) assert.match(overall, new RegExp(`${d.grade} ${escape(d.label)}\\s+${d.count}\\s+${escape(d.percent)}%`));
  assert.match(await page.locator('#distribution-table').innerText(), /4 Inadequate\s+2\s+33\.3%/);
  assert.match(await page.locator('#by-theme-table').innerText(), /The child's voice/);
  assert.match(await page.locator('#findings-table').innerText(), /WEB-Q[\s\S]*No action recorded/);

  // An empty action is refused by the page.
  const form = page.locator('#finding-WEB-Q');
  await form.locator('button[type="submit"]').click();
  await page.locator('.govuk-error-summary').waitFor();
  assert.match(await page.locator('.govuk-error-summary').innerText(), new RegExp(escape(en.audits.action_needed)));
  await check(page, 'audits-06-finding-errors');
  await form.locator('#f-action-WEB-Q').fill('Strategy discussion held; the worker and manager met the family.');
  await form.locator('button[type="submit"]').click();
  await saved(page, 'The action on the critical finding about WEB-Q is recorded.');
  assert.match(await page.locator('#findings-table').innerText(), /WEB-Q[\s\S]*Recorded/);
  assert.equal(await page.locator('#finding-WEB-Q').count(), 0);
  const f = (await apiJson(page, '/api/v1/audits/web-2026')).figures.critical_findings.find((x) => x.child_id === 'WEB-Q');
  assert.ok(f.actioned_on && f.actioned_by);
  await check(page, 'audits-07-finding-actioned');
  // A team manager does not commission: no forms to draw a sample or issue the report.
  assert.equal(await page.locator('#form-issue').count(), 0);
  await page.context().close();
});

test('audits: a recommendation and an action, the report issued, acknowledged, the action completed and signed off', async () => {
  const sm = await newPage(browser);
  await signIn(sm, 'service.manager');
  await go(sm, '/audits/web-2026');
  // Issuing with no recommendation: the server's refusal in the summary.
  await sm.locator('#form-issue button[type="submit"]').click();
  await sm.locator('.govuk-error-summary').waitFor();
  assert.match(await sm.title(), /^Error:/);
  await check(sm, 'audits-08-issue-refused');

  await sm.locator('#f-rec-theme').selectOption('management_oversight');
  await sm.locator('#f-rec-text').fill('Managers record their reasoning at every key decision.');
  await sm.locator('#form-recommendation button[type="submit"]').click();
  await saved(sm, en.audits.rec_added);
  assert.match(await sm.locator('#recommendations ~ h3').first().innerText(), /Recommendation 1/);

  const tmMe = await newPage(browser);
  await signIn(tmMe, 'team.manager');
  const owner = (await apiJson(tmMe, '/api/v1/me')).staff_id;
  const due = new Date(Date.now() + 30 * 86400000).toISOString().slice(0, 10);
  const [y, m, d] = due.split('-');
  await sm.locator('#f-act-text').fill('Audit ten supervision records for reasoning.');
  await sm.locator('#f-act-owner').selectOption(owner);
  await sm.fill('#f-act-due-day', String(Number(d)));
  await sm.fill('#f-act-due-month', String(Number(m)));
  await sm.fill('#f-act-due-year', y);
  await sm.locator('#form-action button[type="submit"]').click();
  await saved(sm, en.audits.act_added);
  assert.match(await sm.locator('#actions-web-2026-1').innerText(), /1\.1\s+Audit ten supervision records for reasoning\.[\s\S]*Open/);
  await check(sm, 'audits-09-recommendation');

  await sm.locator('#form-issue button[type="submit"]').click();
  await saved(sm, en.audits.issued_notice);
  const prog = await apiJson(sm, '/api/v1/audits/web-2026');
  assert.ok(prog.report, 'issued');
  assert.match(await sm.locator('#main-content').innerText(), new RegExp(prog.report.content_sha256));
  // The printable report is the server's page, in the page's language; the CSV too.
  const html = await sm.locator('#report-html').getAttribute('href');
  assert.equal(html, '/api/v1/audits/web-2026/report?format=html&lang=en');
  const printable = await sm.evaluate((u) => fetch(u).then(async (r) => [r.status, r.headers.get('Content-Type'), await r.text()]), html);
  assert.equal(printable[0], 200);
  assert.match(printable[1], /text\/html/);
  assert.match(printable[2], /Case-file audit report/);
  const csv = await sm.evaluate((u) => fetch(u).then((r) => r.status), await sm.locator('#report-csv').getAttribute('href'));
  assert.equal(csv, 200);
  await check(sm, 'audits-10-issued');

  // The head of service: the overview's panel, then the tracker, where they acknowledge it.
  const hos = await newPage(browser);
  await signIn(hos, 'head.of.service');
  assert.equal(new URL(hos.url()).pathname, '/service');
  // The panel's counts are the API's: every report's recipients not yet acknowledging, and
  // every action past its due day (the demo council's own audit has one).
  const all = (await api(hos, 'GET', '/api/v1/audit-reports')).body.reports;
  const unack = all.reduce((s, r) => s + r.recipients.filter((x) => !x.acknowledged_on).length, 0);
  const today = new Date().toISOString().slice(0, 10);
  const late = all.reduce((s, r) => s + r.recommendations.flatMap((x) => x.actions)
    .filter((a) => a.status !== 'closed' && a.due < today).length, 0);
  assert.ok(unack >= 1);
  assert.equal(await hos.locator('#audit-panel').innerText(),
               `Audit reports: ${unack} unacknowledged, ${late} actions overdue`);
  await hos.locator('#audit-panel a').click();
  await settled(hos);
  assert.equal(new URL(hos.url()).pathname, '/audit-reports');
  const report = hos.locator('#report-web-2026-report');
  assert.match(await report.innerText(), /acknowledgement awaited|acknowledgements awaited/);
  await check(hos, 'audits-11-tracker');
  await report.getByRole('button', {name: en.audits.acknowledge}).click();
  await saved(hos, en.audits.acknowledged_notice);
  assert.match(await hos.locator('#recipients-web-2026-report').innerText(), /Acknowledged \d/);

  // The owner completes the action with evidence (after an empty try).
  await go(tmMe, '/audit-reports');
  const act = tmMe.locator('details', {hasText: 'action 1.1'});
  await act.locator('summary').click();
  await act.getByRole('button', {name: en.audits.complete_action}).click();
  await tmMe.locator('.govuk-error-summary').waitFor();
  assert.match(await tmMe.locator('.govuk-error-summary').innerText(), new RegExp(escape(en.audits.evidence_needed)));
  await check(tmMe, 'audits-12-complete-errors');
  const again = tmMe.locator('details', {hasText: 'action 1.1'});
  if (!(await again.getAttribute('open') !== null)) await again.locator('summary').click();
  await again.locator('textarea[name^="evidence-"]').fill('Ten supervision records audited; nine record the reasoning.');
  await again.getByRole('button', {name: en.audits.complete_action}).click();
  await saved(tmMe, 'Action 1.1 is completed');
  assert.match(await tmMe.locator('#actions-web-2026-1').innerText(), /Awaiting sign-off/);
  // The owner cannot sign off their own action: no form for it.
  assert.equal(await tmMe.getByRole('button', {name: en.audits.sign_off}).count(), 0);

  // Someone else signs it off: the service manager, who issued the report.
  await go(sm, '/audit-reports');
  const s = sm.locator('details', {hasText: 'action 1.1'});
  await s.locator('summary').click();
  await s.getByRole('button', {name: en.audits.sign_off}).click();
  await saved(sm, 'Action 1.1 is signed off');
  assert.match(await sm.locator('#actions-web-2026-1').innerText(), /1\.1[\s\S]*Closed/);
  const r = (await apiJson(sm, '/api/v1/audit-reports')).reports.find((x) => x.report_id === 'web-2026-report');
  assert.equal(r.actions.closed, 1);
  assert.equal(r.actions.open, 0);
  await check(sm, 'audits-13-closed');
  for (const p of [sm, tmMe, hos]) await p.context().close();
});

test('audits: the moderator grades a completed audit again, and the programme shows how far the two agree', async () => {
  const page = await newPage(browser);
  await signIn(page, 'qa.web');
  await go(page, '/audits');
  assert.match(await page.locator('#my-cases-table').innerText(), /Mali Testwood[\s\S]*WEB-M[\s\S]*Moderation journey audit[\s\S]*Moderator[\s\S]*To do/);
  await page.getByRole('link', {name: 'Mali Testwood'}).click();
  await settled(page);
  assert.equal(await page.locator('#page-heading').innerText(), `Moderation journey audit — Mali Testwood\nModeration of case WEB-M`);
  const fw = await apiJson(page, '/api/v1/audit-frameworks/standard');
  // The first auditor graded 2 3 4 1 2 3 4 (tests/browser_test.sh); the moderator differs on two.
  const grades = {childs_voice: '2', assessment: '3', planning: '3', management_oversight: '1', risk: '2', recording: '4', impact: '4'};
  for (const theme of THEMES) {
    const form = page.locator(`#form-${theme}`);
    await form.locator(`input[name="grade-${theme}"][value="${grades[theme]}"]`).check();
    await form.locator(`#f-narrative-${theme}`).fill(`Moderator's reasons for ${theme}.`);
    await form.locator('button[type="submit"]').click();
    await saved(page, `Grade saved: ${fw.themes.find((x) => x.theme === theme).title}.`);
  }
  await page.locator('input[name="overall"][value="3"]').check();
  await page.getByRole('button', {name: en.audits.complete_moderation}).click();
  await saved(page, 'The moderation of Mali Testwood’s file is completed.');
  const back = (await apiJson(page, '/api/v1/children/WEB-M/audits')).audits.find((a) => a.programme_id === 'web-mod');
  assert.ok(back.moderated_on);
  assert.deepEqual(Object.fromEntries(back.moderation.map((g) => [g.theme, String(g.grade)])), grades);
  await check(page, 'audits-18-moderated');

  await go(page, '/audits/web-mod');
  const mod = (await apiJson(page, '/api/v1/audits/web-mod')).figures.moderation;
  assert.deepEqual([mod.pairs, mod.exact, mod.exact_percent, mod.within_one, mod.within_one_percent], [7, 5, '71.4', 7, '100.0']);
  const text = await page.locator('#moderation + .govuk-summary-list').innerText();
  assert.match(text, /Themes graded by both\s+7/);
  assert.match(text, /The same grade\s+5 \(71\.4%\)/);
  assert.match(text, /Within one grade\s+7 \(100\.0%\)/);
  assert.match(text, new RegExp(`${escape(mod.kappa_linear)}, ${escape(mod.kappa_quadratic)}`));
  await check(page, 'audits-19-agreement');
  await page.context().close();
});

// English words of the catalogue on a Welsh page (a shorter form of journeys.test.mjs's check):
// a catalogue sentence whose Welsh differs, shown whole.
const english = (() => {
  const out = [];
  const walk = (e, c) => {
    for (const [k, v] of Object.entries(e)) {
      if (typeof v === 'string') {
        if (v.length >= 16 && !/\{\w+\}/.test(v) && c?.[k] && c[k] !== v) out.push(v);
      } else if (v && typeof v === 'object' && !Array.isArray(v)) walk(v, c?.[k]);
    }
  };
  walk(en, cy);
  return out;
})();
async function englishShown(page) {
  const pieces = new Set(await page.evaluate(() => {
    const out = [];
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) out.push(n.textContent.trim());
    for (const el of document.querySelectorAll('[aria-label]')) out.push(el.getAttribute('aria-label').trim());
    return out;
  }));
  return english.filter((s) => pieces.has(s));
}

test('audits: Cymraeg — the grading page in Welsh, with the framework’s Welsh guidance and labels', async () => {
  const page = await newPage(browser);
  try {
    await signIn(page, 'qa.web');
    await page.locator('#language-cy').click();
    await page.waitForFunction(() => document.documentElement.lang === 'cy');
    await settled(page);
    await go(page, '/audits');
    assert.equal(await page.locator('#page-heading').innerText(), cy.audits.title);
    assert.deepEqual(await englishShown(page), [], 'English on the Welsh list');
    await check(page, 'audits-14-cy-list');

    await page.getByRole('link', {name: 'Rhys Testwood'}).click();
    await settled(page);
    assert.equal(new URL(page.url()).pathname, '/audits/web-cy/cases/WEB-R');
    const fw = await apiJson(page, '/api/v1/audit-frameworks/standard');
    const risk = fw.themes.find((x) => x.theme === 'risk');
    assert.equal(await page.locator('#theme-risk-title').innerText(), risk.title_cy);
    assert.match(await page.locator('#theme-risk aside').innerText(), new RegExp(escape(risk.guidance_cy.split('\n')[0])));
    assert.match(await page.locator('#theme-risk').innerText(), /1 Rhagorol[\s\S]*2 Da[\s\S]*3 Angen gwella[\s\S]*4 Annigonol[\s\S]*5 Critigol[\s\S]*Ddim yn berthnasol/);
    assert.equal(await page.locator('#main-content [lang="en"]').count(), 0, 'nothing marked English on the page');
    assert.deepEqual(await englishShown(page), [], 'English on the Welsh grading page');
    await check(page, 'audits-15-cy-case');

    // A grade saved in Welsh, after the page's own check in Welsh.
    const form = page.locator('#form-childs_voice');
    await form.locator('button[type="submit"]').click();
    await page.locator('.govuk-error-summary').waitFor();
    assert.match(await page.locator('.govuk-error-summary').innerText(), new RegExp(escape(cy.audits.choose_grade)));
    await check(page, 'audits-16-cy-errors');
    await form.locator('input[name="grade-childs_voice"][value="2"]').check();
    await form.locator('#f-narrative-childs_voice').fill('Mae Rhys yn cael ei weld ar ei ben ei hun.');
    await form.locator('button[type="submit"]').click();
    await saved(page, 'Cadwyd y radd: Llais y plentyn.');
    assert.match(await page.locator('#theme-childs_voice').innerText(), /Y radd a gadwyd[\s\S]*2 Da/);
    assert.deepEqual(await englishShown(page), [], 'English on the Welsh page after saving');
    await check(page, 'audits-17-cy-saved');
  } finally {
    await api(page, 'PUT', '/api/v1/me/language', {language: 'en'}).catch(() => {});
    await page.context().close();
  }
});
