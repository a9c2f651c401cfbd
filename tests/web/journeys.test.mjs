// journeys.test.mjs — what social workers, managers and inspectors do, in a
// real browser against a real server (tests/browser_test.sh sets it up).
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {after, before, test} from 'node:test';
import {CHILD_COMMANDS, FORMS} from '../../web/app/forms.js';
import cy from '../../web/app/messages/cy.js';
import en from '../../web/app/messages/en.js';
import {PASSWORD, URL_, check, go, launch, newPage, noConsoleErrors, settled, signIn} from './harness.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

// Fills a GOV.UK date input (day, month, year) from YYYY-MM-DD.
async function fillDate(page, name, iso) {
  const [y, m, d] = iso.split('-');
  await page.fill(`#f-${name}-day`, String(Number(d)));
  await page.fill(`#f-${name}-month`, String(Number(m)));
  await page.fill(`#f-${name}-year`, y);
}

// Dates as the server counts them (UTC), and as the pages show them ("4 December 2026").
const isoDay = (days = 0) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
const long = (iso) => {
  const [y, m, d] = iso.split('-').map(Number);
  return `${d} ${en.months[m - 1]} ${y}`;
};

// Every command form saved by a journey, and its entry read back (the last test checks
// that none is missing, so that a form that cannot save can never pass again).
const saved = new Set();

// Fills a form from {field: value}, in order (a question shown under an option comes after
// it): a date input from YYYY-MM-DD, radios by value, checkboxes by a list of values, a
// select by value, anything else as text.
async function fillForm(page, values) {
  for (const [name, v] of Object.entries(values)) {
    if (await page.locator(`#f-${name}-day`).count()) await fillDate(page, name, v);
    else if (await page.locator(`input[type="radio"][name="${name}"]`).count()) {
      await page.locator(`input[name="${name}"][value="${v}"]`).check();
    } else if (await page.locator(`input[type="checkbox"][name="${name}"]`).count()) {
      for (const x of v) await page.locator(`input[name="${name}"][value="${x}"]`).check();
    } else if (await page.locator(`select[name="${name}"]`).count()) {
      await page.locator(`select[name="${name}"]`).selectOption(v);
    } else {
      await page.locator(`#f-${name}`).fill(v);
    }
  }
}

// Saves a form. Returns {refused: the error summary's text, or null once the success notice
// is shown (the type is then counted as saved); payload: what the page sent}.
async function save(page, type) {
  const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/api/v1/commands/${type}`));
  await page.getByRole('button', {name: 'Save'}).click();
  const payload = (await sent).postDataJSON();
  const notice = page.getByText(en.record.saved.replace('{what}', en.events[type]));
  const summary = page.locator('.govuk-error-summary');
  await notice.or(summary).first().waitFor();
  if (await summary.count()) return {refused: await summary.innerText(), payload};
  await settled(page);
  saved.add(type);
  return {refused: null, payload};
}

// The child's chronology as it reads: each row's cells (date, what, details, recorded by).
async function chronology(page) {
  return page.locator('#chronology-table tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.cells].map((c) => c.innerText.trim())));
}

// The chronology on the page has an entry of this type whose row holds every text given.
async function assertEntry(page, type, ...texts) {
  const rows = (await chronology(page)).filter((r) => r[1] === en.events[type]);
  assert.ok(rows.some((r) => texts.every((x) => r.join('\n').includes(x))),
            `the chronology has ${en.events[type]} with ${texts.join(' and ')}; its entries of that kind:\n` +
            rows.map((r) => r.join(' | ')).join('\n'));
}

// Records a command about a child through its form and reads the entry back.
async function recordAndRead(page, child, type, values, ...expect) {
  await go(page, `/children/${child}/record/${type}`);
  await fillForm(page, values);
  const {refused} = await save(page, type);
  assert.equal(refused, null, `${type} is saved`);
  assert.equal(new URL(page.url()).pathname, `/children/${child}`);
  await assertEntry(page, type, ...expect);
}

// A command whose approval is a manager's own act (docs/events.md, "Sign-off"): the form
// asks no signatory and sends none (the server refuses signed_off_by, and a decided_by that
// is not the signed-in person); the work is saved as submitted for sign-off.
async function recordApprovedAndRead(page, child, type, values, field, ...expect) {
  await go(page, `/children/${child}/record/${type}`);
  await fillForm(page, values);
  const {refused, payload} = await save(page, type);
  assert.equal('child_id' in payload, false, `${type} names its record, not the child`);
  assert.equal(field in payload, false, `the ${type} form does not ask for ${field}`);
  assert.equal(refused, null, `${type} is saved`);
  await assertEntry(page, type, ...expect);
}

// The worker's manager signs off the child's latest work of a kind, in their own session,
// through the API (the sign-off page has its own journey).
async function signOffAs(username, child, kind) {
  const page = await newPage(browser);
  await signIn(page, username);
  const r = await page.evaluate(async ([c, k]) => {
    const list = await fetch('/api/v1/sign-offs').then((x) => x.json());
    const item = list.to_sign_off.filter((i) => i.child_id === c && i.kind === k).pop();
    if (!item) return [0, `nothing of ${k} for ${c} to sign off: ${JSON.stringify(list)}`];
    const csrf = document.cookie.match(/(?:^|;\s*)cw_csrf=([^;]*)/)[1];
    const res = await fetch('/api/v1/commands/work_signed_off', {method: 'POST',
      body: JSON.stringify({entry: item.entry, based_on: item.version}),
      headers: {'Content-Type': 'application/json', 'X-CSRF-Token': decodeURIComponent(csrf)}});
    return [res.status, await res.text()];
  }, [child, kind]);
  assert.equal(r[0], 201, `${username} signs off ${kind}: ${r[1]}`);
  await page.context().close();
}

test('sign-in: the page, a wrong password in the error summary, sign-out', async () => {
  const page = await newPage(browser);
  await go(page, '/sign-in');
  await check(page, '01-sign-in');
  await page.getByLabel('Username').fill('social.worker');
  await page.getByLabel('Password', {exact: true}).fill('not the password');
  await page.getByRole('button', {name: 'Sign in'}).click();
  const summary = page.locator('.govuk-error-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /username or password is not right/);
  // The summary takes the focus, and its link goes to the field.
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains('govuk-error-summary')), true);
  assert.match(await page.title(), /^Error:/);
  await check(page, '02-sign-in-error');
  // Nothing entered: both fields named.
  await page.getByLabel('Username').fill('');
  await page.getByRole('button', {name: 'Sign in'}).click();
  await page.locator('.govuk-error-summary a[href="#f-username"]').waitFor();
  await page.locator('.govuk-error-summary a[href="#f-password"]').waitFor();
  // Signing in, then out.
  await signIn(page, 'social.worker');
  assert.equal(new URL(page.url()).pathname, '/caseload');
  await page.getByRole('button', {name: 'Sign out'}).click();
  await page.getByText('You have signed out.').waitFor();
  await go(page, '/caseload');
  assert.equal(new URL(page.url()).pathname, '/sign-in', 'signed out: the caseload asks for a sign-in');
  // Someone who never signed in is not told that their session has ended.
  assert.doesNotMatch(await page.locator('main').innerText(), /session has ended/);
  // After signing in they reach the page they asked for.
  await signIn(page, 'social.worker');
  assert.equal(new URL(page.url()).pathname, '/caseload');
  // A link to /sign-out signs no one out: it asks.
  await go(page, '/sign-out');
  await check(page, '27-sign-out');
  await go(page, '/caseload');
  assert.equal(new URL(page.url()).pathname, '/caseload', 'still signed in');
  await page.context().close();
});

test('signed out: the verify page is open to anyone', async () => {
  const page = await newPage(browser);
  await go(page, '/verify');
  assert.equal(new URL(page.url()).pathname, '/verify');
  assert.doesNotMatch(await page.locator('main').innerText(), /session has ended/);
  assert.match(await page.locator('main').innerText(), /RFC 6962/);
  await page.context().close();
});

test('keyboard only: the skip link, signing in, reaching a child', async () => {
  const page = await newPage(browser);
  await go(page, '/sign-in');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), 'Skip to main content');
  await page.keyboard.press('Enter');
  // Into the form by Tab, typing, Enter to submit.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'f-username');
  await page.keyboard.type('social.worker');
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL('**/caseload');
  await settled(page);
  // Tab from the page's heading to the first child's link (past the sort buttons), and open it.
  let reached = false;
  for (let i = 0; i < 12 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => !!document.activeElement.closest('#caseload tbody a'));
  }
  assert.ok(reached, 'Tab reaches the first child');
  await page.keyboard.press('Enter');
  await page.waitForURL('**/children/**');
  await settled(page);
  assert.ok(await page.locator('#page-heading').isVisible());
  await page.context().close();
});

test('a social worker sees an overdue visit, records it, and sees it met', async () => {
  const page = await newPage(browser);
  await signIn(page, 'social.worker');
  await check(page, '03-caseload');
  const row = page.locator('#caseload tr', {hasText: 'Eira Testwood'});
  await row.waitFor();
  assert.match(await row.innerText(), /seen alone at least every 10 working days/);
  assert.match(await row.innerText(), /overdue/);
  // Sorting by a column: the headings are buttons, with aria-sort.
  await page.getByRole('button', {name: 'Overdue'}).click();
  assert.equal(await page.locator('th:has(button:text("Overdue"))').getAttribute('aria-sort'), 'ascending');
  await page.getByRole('button', {name: 'Overdue'}).click();
  assert.equal(await page.locator('th:has(button:text("Overdue"))').getAttribute('aria-sort'), 'descending');
  assert.match(await page.locator('#caseload tbody tr').first().innerText(), /Eira Testwood/, 'most overdue first');
  const names = async () => page.locator('#caseload tbody th a').allInnerTexts();
  await page.getByRole('button', {name: 'Child'}).click();
  const up = await names();
  assert.ok(up.length > 1, 'more than one child on the caseload');
  assert.deepEqual(up, [...up].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)), 'sorted A to Z');
  await page.getByRole('button', {name: 'Child'}).click();
  assert.deepEqual(await names(), [...up].reverse(), 'then Z to A');

  await row.getByRole('link', {name: 'Eira Testwood'}).click();
  await settled(page);
  const open = page.locator('#open-work');
  assert.match(await open.innerText(), /seen alone[^\n]*\n?[\s\S]*Overdue/);
  await check(page, '04-child-record');

  await page.getByRole('button', {name: 'Record something about this child'}).click();
  await settled(page);
  await check(page, '05-record-choose');
  await page.getByRole('link', {name: 'Statutory visit'}).click();
  await settled(page);
  await check(page, '06-visit-form');

  // Saved with nothing answered: every question in the error summary, each linked to its field.
  await page.getByRole('button', {name: 'Save'}).click();
  const summary = page.locator('.govuk-error-summary');
  await summary.waitFor();
  const text = await summary.innerText();
  assert.match(text, /Select yes if the child was seen\n/);
  assert.match(text, /Select yes if the child was seen alone/);
  assert.match(text, /whether you obtained the child’s views/);
  assert.equal(await summary.locator('a').count(), 3, 'each error links to its question');
  // The summary's link moves the focus to the question.
  await summary.getByRole('link', {name: 'Select yes if the child was seen alone'}).click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'f-seen_alone');
  assert.equal(await page.locator('.govuk-error-message').count() >= 3, true);
  await check(page, '07-visit-form-errors');
  // The views are required: "yes" without them is still an error.
  await page.locator('#f-seen').check();
  await page.locator('#f-seen_alone').check();
  await page.locator('#f-views_obtained').check();
  await page.getByRole('button', {name: 'Save'}).click();
  await page.locator('.govuk-error-summary', {hasText: 'Enter the child’s views'}).waitFor();
  await page.locator('#f-views').fill('Eira said she feels safe at home now and likes her new teacher.');
  await page.getByRole('button', {name: 'Save'}).click();

  await page.getByText('Statutory visit: saved in the record.').waitFor();
  await settled(page);
  const done = page.locator('#done-work');
  assert.match(await done.innerText(), /seen alone[\s\S]*Done late/, 'the overdue visit is met (late)');
  const next = await page.locator('#open-work tr', {hasText: 'seen alone'}).innerText();
  assert.match(next, /\tDue\t/, 'the next visit is due');
  assert.doesNotMatch(next, /Overdue/, 'the visit is no longer overdue');
  assert.match(await page.locator('#chronology-table').innerText(), /likes her new teacher/);
  await check(page, '08-child-record-after-visit');
  await page.context().close();
});

test('the CSE risk assessment scores as items are ticked and shows the band', async () => {
  // Far ahead of UTC: the date the form offers is still one the server accepts.
  const page = await newPage(browser, {timezoneId: 'Pacific/Kiritimati'});
  await signIn(page, 'social.worker');
  await go(page, '/children/WEB-A/record/cse_risk_assessment');
  const score = page.locator('#cse-score');
  assert.equal(await score.innerText(), 'Score 0: No apparent risk');
  await page.getByLabel('Missing from home or care').check();
  await page.getByLabel('Older associates').check();
  // A significant indicator scores 5 in the last 6 months, 1 if 6 to 12 months ago (SERAF).
  const sig = (v, earlier) => page.locator(`input[name="significant_indicators${earlier ? '_earlier' : ''}"][value="${v}"]`);
  await sig('disclosure_of_exploitation').check();
  assert.equal(await score.innerText(), 'Score 7: Mild');
  await sig('seen_in_known_hotspots').check();
  assert.equal(await score.innerText(), 'Score 12: Moderate');
  await sig('repeatedly_missing_overnight').check();
  assert.equal(await score.innerText(), 'Score 17: Significant');
  await sig('repeatedly_missing_overnight').uncheck();
  assert.equal(await score.innerText(), 'Score 12: Moderate');
  await sig('abduction_or_trafficking', true).check();
  assert.equal(await score.innerText(), 'Score 13: Moderate');
  await check(page, '09-cse-form');
  // An override needs a reason.
  await page.locator('input[name="override_band"][value="significant"]').check();
  await page.getByRole('button', {name: 'Save'}).click();
  await page.locator('.govuk-error-summary', {hasText: 'reason for changing the band'}).waitFor();
  await check(page, '10-cse-form-errors');
  await page.locator('#f-override_reason').fill('Disclosure this week points to a higher risk than the score.');
  await page.getByRole('button', {name: 'Save'}).click();
  await page.getByText('CSE risk assessment: saved in the record.').waitFor();
  await page.context().close();
});

test('a social worker cannot open a case outside their scope', async () => {
  const page = await newPage(browser);
  await signIn(page, 'social.worker');
  await go(page, `/children/${process.env.CW_OTHER_CHILD}`);
  assert.equal(await page.locator('#page-heading').innerText(), 'You cannot see this');
  assert.match(await page.locator('main').innerText(), /recorded in the access log/);
  await check(page, '11-refused');
  await page.context().close();
});

test('a team manager sees an escalated item and records supervision', async () => {
  const page = await newPage(browser);
  await signIn(page, 'team.manager');
  assert.equal(new URL(page.url()).pathname, '/team');
  const escalated = page.locator('#escalated');
  assert.match(await escalated.innerText(), /Bryn Testwood[\s\S]*Three or more contacts/);
  // Each escalated item names the case's worker: "Not allocated" only for a case no one holds.
  const [brynWorker, staff] = await page.evaluate(async () => [
    (await fetch('/api/v1/children/WEB-B').then((r) => r.json())).worker_id,
    (await fetch('/api/v1/staff').then((r) => r.json())).staff,
  ]);
  const workerName = staff.find((x) => x.staff_id === brynWorker).name;
  const cells = (name) => escalated.locator('tbody tr', {hasText: name}).first().locator('td, th')
    .evaluateAll((cs) => cs.map((c) => c.innerText.trim()));
  assert.equal((await cells('Bryn Testwood'))[1], workerName, 'Bryn’s escalated signal names his worker');
  assert.equal((await cells('Uned Testwood'))[1], en.children.unallocated, 'Uned, whom no one holds, is not allocated');
  const waiting = await page.evaluate(async () =>
    (await fetch('/api/v1/unallocated').then((r) => r.json())).caseload.map((c) => c.child_id));
  const rows = await escalated.locator('tbody tr').evaluateAll((trs) => trs.map((tr) =>
    [decodeURIComponent(tr.querySelector('a').getAttribute('href').split('/').pop()), tr.cells[1].innerText.trim()]));
  for (const [id, worker] of rows) {
    assert.equal(worker === en.children.unallocated, waiting.includes(id), `${id}: worker "${worker}"`);
  }
  await check(page, '12-team-dashboard');
  // The record of a child in the team, with who has looked at it.
  await escalated.getByRole('link', {name: 'Bryn Testwood'}).first().click();
  await settled(page);
  assert.match(await page.locator('#access-log-table').innerText(), /team\.manager/);
  await check(page, '13-child-record-manager');

  await go(page, '/record/supervision_held');
  await check(page, '14-supervision-form');
  await page.getByRole('button', {name: 'Save'}).click();
  await page.locator('.govuk-error-summary', {hasText: 'Select who was supervised'}).waitFor();
  const who = page.getByLabel('Who was supervised?');
  await who.selectOption(await who.evaluate((s) => [...s.options].find((o) => /social worker/.test(o.text)).value));
  await page.getByLabel('Bryn Testwood').check();
  await page.getByLabel('Decisions').fill('Assessment to start this week; school to be asked for attendance.');
  await page.getByRole('button', {name: 'Save'}).click();
  await page.getByText('Supervision: saved in the record.').waitFor();
  await settled(page);
  assert.equal(new URL(page.url()).pathname, '/team');
  // The supervision is in the chronology of the case it discussed.
  await go(page, '/children/WEB-B');
  await assertEntry(page, 'supervision_held', 'school to be asked for attendance');
  saved.add('supervision_held');
  await page.context().close();

  // A service manager supervises a team manager: no team of their own, no case to tick.
  const sm = await newPage(browser);
  await signIn(sm, 'service.manager');
  await go(sm, '/record/supervision_held');
  const whom = sm.getByLabel('Who was supervised?');
  await whom.selectOption(await whom.evaluate((s) => [...s.options].find((o) => /team manager/.test(o.text)).value));
  await sm.getByLabel('Decisions').fill('Caseloads in the assessment team to be rebalanced.');
  await sm.getByRole('button', {name: 'Save'}).click();
  await sm.getByText('Supervision: saved in the record.').waitFor();
  await sm.context().close();
});

test('a team manager names a deputy to sign off in their place, from the sign-off page', async () => {
  const page = await newPage(browser);
  await signIn(page, 'team.manager');
  await go(page, '/sign-offs');
  await page.locator('#name-deputy').click();
  await settled(page);
  assert.equal(new URL(page.url()).pathname, '/record/deputy_named');
  await check(page, '42-deputy-form');
  const [me, staff] = await page.evaluate(async () => [
    await fetch('/api/v1/me').then((r) => r.json()),
    (await fetch('/api/v1/staff').then((r) => r.json())).staff,
  ]);
  // Another team manager, in post.
  const deputy = staff.find((x) => x.role === 'team_manager' && x.staff_id !== me.staff_id && !x.left_on);
  const until = isoDay(7);
  await fillForm(page, {deputy_id: deputy.staff_id, until});
  const {refused, payload} = await save(page, 'deputy_named');
  assert.equal(refused, null, 'the deputy is named');
  assert.equal(payload.manager_id, me.staff_id, 'in the manager\'s own place, by default');
  // Read back: the staff list names the deputy, until the day given.
  const deputies = await page.evaluate(async () => (await fetch('/api/v1/staff').then((r) => r.json())).deputies);
  assert.ok(deputies.some((d) => d.manager_id === me.staff_id && d.deputy_id === deputy.staff_id && d.until === until),
            `deputy listed: ${JSON.stringify(deputies)}`);
  await page.context().close();
});

test('a head of service sees every team; an inspector reads and verifies', async () => {
  const page = await newPage(browser);
  await signIn(page, 'head.of.service');
  assert.equal(new URL(page.url()).pathname, '/service');
  assert.ok(await page.locator('#teams tbody tr').count() > 1, 'more than one team');
  await check(page, '15-service-dashboard');
  await page.locator('#teams a').first().click();
  await settled(page);
  await check(page, '16-team-dashboard-head-of-service');
  await page.context().close();

  const insp = await newPage(browser);
  await signIn(insp, 'inspector');
  await check(insp, '17-inspector-overview');
  await go(insp, '/children/WEB-A');
  assert.equal(await insp.getByRole('button', {name: 'Record something about this child'}).count(), 0,
               'an inspector records nothing');
  await check(insp, '18-child-record-inspector');
  await insp.getByRole('link', {name: 'Verify the record'}).click();
  await settled(insp);
  const main = await insp.locator('main').innerText();
  const checkpoint = await (await fetch(`${URL_}/api/v1/log/checkpoint`)).text();
  assert.ok(main.includes(checkpoint.split('\n')[0]), 'the checkpoint is shown');
  assert.match(main, /RFC 6962/);
  await check(insp, '19-verify');
  await insp.context().close();
});

test('an administrator sees staff, not cases; an auditor sees children; a password changes', async () => {
  const page = await newPage(browser);
  await signIn(page, 'admin');
  assert.equal(new URL(page.url()).pathname, '/staff');
  await check(page, '20-staff');
  await go(page, '/children/WEB-A');
  assert.equal(await page.locator('#page-heading').innerText(), 'You cannot see this');
  await page.context().close();

  const aud = await newPage(browser);
  await signIn(aud, 'auditor');
  await check(aud, '21-children');
  await go(aud, '/account/password');
  await check(aud, '22-change-password');
  await aud.getByLabel('Current password').fill(PASSWORD);
  await aud.getByLabel('New password', {exact: true}).fill('short');
  await aud.getByRole('button', {name: 'Change password'}).click();
  await aud.locator('.govuk-error-summary', {hasText: 'at least 12 characters'}).waitFor();
  const fresh = 'a new auditor password 2026';
  await aud.getByLabel('New password', {exact: true}).fill(fresh);
  await aud.getByLabel('New password again').fill(fresh);
  await aud.getByRole('button', {name: 'Change password'}).click();
  await aud.getByText('Your password has been changed.').waitFor();
  assert.equal(new URL(aud.url()).pathname, '/children', 'still signed in, at the start page');
  await aud.getByRole('button', {name: 'Sign out'}).click();
  await aud.getByText('You have signed out.').waitFor();
  await signIn(aud, 'auditor', fresh);
  assert.equal(new URL(aud.url()).pathname, '/children');
  await aud.context().close();
});

test('every form is accessible; a correction and a new child are recorded', async () => {
  const page = await newPage(browser);
  await signIn(page, 'social.worker');
  await go(page, '/children/WEB-B/record');
  const forms = await page.locator('main ul a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.ok(forms.length >= 20, `${forms.length} forms offered`);
  for (const href of forms) {
    await go(page, href);
    await check(page, `form-${href.split('/').pop()}`);
  }
  // A correction, from the chronology: the contact's source was wrong.
  await go(page, '/children/WEB-B');
  await page.locator('#chronology-table tr', {hasText: 'Found out late at night'}).getByRole('link', {name: /Correct this entry/}).click();
  await settled(page);
  await check(page, '24-correction-form');
  await page.getByLabel('Which detail is wrong?').selectOption('source');
  // The question for that detail, as its own form asks it: who made contact.
  await page.getByLabel('Neighbour').check();
  await page.getByLabel('Why is the entry wrong?').fill('The call came from a neighbour, not the police.');
  await page.getByRole('button', {name: 'Save'}).click();
  await page.getByText('Correction: saved in the record.').waitFor();
  await settled(page);
  const row = await page.locator('#chronology-table tr', {hasText: 'Found out late at night'}).innerText();
  assert.match(row, /Source: Police → Neighbour/, 'the entry reads as corrected: as recorded, then as now');
  assert.match(row, /Corrected/);
  // The correction itself reads as the change it made, not as "[object Object]".
  await assertEntry(page, 'correction', 'Source: Police → Neighbour', 'not the police', 'Corrects entry: Contact received on');
  saved.add('correction');
  // A new child.
  await go(page, '/children');
  await page.getByRole('button', {name: 'Register a child'}).click();
  await settled(page);
  await check(page, '25-register-child');
  await page.getByLabel('Child’s identifier').fill('WEB-C');
  await page.getByLabel('Given name').fill('Cadi');
  await page.getByLabel('Family name').fill('Testwood');
  await page.fill('#f-date_of_birth-day', '31');
  await page.fill('#f-date_of_birth-month', '2');
  await page.fill('#f-date_of_birth-year', '2020');
  await page.getByRole('button', {name: 'Save'}).click();
  await page.locator('.govuk-error-summary', {hasText: 'Date of birth must be a real date'}).waitFor();
  await page.fill('#f-date_of_birth-day', '29');
  await page.locator('#f-gender').check();
  await page.locator('#f-language-1').check();
  await page.getByRole('button', {name: 'Save'}).click();
  await page.getByText('Cadi Testwood is registered as WEB-C.').waitFor();
  await settled(page);
  assert.equal(new URL(page.url()).pathname, '/children');
  // No one's case yet: a manager sees it waiting, and allocates it to the social worker.
  const me = await page.evaluate(() => fetch('/api/v1/me').then((r) => r.json()));
  const tm = await newPage(browser);
  await signIn(tm, 'team.manager');
  const waitingRow = tm.locator('#unallocated tr', {hasText: 'Cadi Testwood'});
  await waitingRow.getByRole('link', {name: /Allocate/}).click();
  await settled(tm);
  await check(tm, '28-allocate');
  // The manager's own team comes first in the list of workers: no one of the team after
  // anyone from elsewhere.
  const [ids, tmMe, staff] = await tm.evaluate(async () => [
    [...document.querySelectorAll('#f-worker_id option')].slice(1).map((o) => o.value),
    await fetch('/api/v1/me').then((r) => r.json()),
    (await fetch('/api/v1/staff').then((r) => r.json())).staff,
  ]);
  const ours = ids.map((id) => {
    const x = staff.find((y) => y.staff_id === id);
    return x.team_id === tmMe.team_id || x.manager_id === tmMe.staff_id;
  });
  assert.ok(ours[0], 'the list starts with the team');
  assert.equal(ours.lastIndexOf(true), ours.indexOf(false) - 1, 'the team together, first');
  await tm.getByLabel('Allocate to').selectOption(me.staff_id);
  await tm.getByRole('button', {name: 'Save'}).click();
  await tm.getByText('Case allocated: saved in the record.').waitFor();
  await settled(tm);
  await assertEntry(tm, 'case_allocated', `Worker: ${staff.find((x) => x.staff_id === me.staff_id).name}`);
  saved.add('case_allocated');
  await tm.context().close();
  // Now the social worker can open the record they registered, as it was entered.
  await go(page, '/children/WEB-C');
  assert.match(await page.locator('#page-heading').innerText(), /Cadi Testwood/);
  const summary = await page.locator('main .govuk-summary-list').innerText();
  assert.match(summary, /29 February 2020/);
  assert.match(summary, /Female/);
  assert.match(summary, /Welsh/);
  saved.add('child_registered');
  await page.context().close();
});

// WEB-L (tests/browser_test.sh) is 17 and allocated to the social worker: a care leaver's
// status, needs assessment, pathway plan and personal adviser's visit, each read back, and the
// duties they start shown on the record (docs/rules.md, care leavers).
test('a care leaver: status, needs assessment, pathway plan and personal adviser visit', async () => {
  const child = 'WEB-L';
  const page = await newPage(browser);
  await signIn(page, 'social.worker');
  await recordAndRead(page, child, 'leaving_care_status', {status: 'relevant', accommodated_by_authority: 'true'},
                      `Status: ${en.values.relevant}`, 'Accommodation provided by the council: Yes');
  await recordAndRead(page, child, 'needs_assessment_completed', {views_obtained: 'true', views: 'Lowri wants a flat near the college.'},
                      'a flat near the college');
  await recordAndRead(page, child, 'personal_adviser_visit', {adviser: 'Leaving care team', seen: 'true'},
                      'Personal adviser: Leaving care team', 'Child seen: Yes');
  await recordAndRead(page, child, 'plan_recorded', {kind: 'pathway'}, 'Kind: Pathway plan');
  // The visit met the first of the adviser's visits; the next is due, and so is the pathway
  // plan (the one recorded awaits a manager's sign-off).
  const main = await page.locator('main').innerText();
  assert.match(main, /Personal adviser visits a care leaver/, 'the adviser\'s visits are on the record');
  assert.match(main, /Pathway plan within 1 month of the needs assessment/, 'the pathway plan is due');
  await check(page, '31-care-leaver');
  await page.context().close();
});

test('every command about a child saves from its form, and its entry reads back', async () => {
  // WEB-D (tests/browser_test.sh) is the social worker's case with nothing on it yet: its
  // whole course, front door to transfer, one form at a time, each form's preconditions
  // recorded by the forms before it.
  const child = 'WEB-D';
  const today = isoDay();
  const yesterday = isoDay(-1);
  const page = await newPage(browser);
  await signIn(page, 'social.worker');
  const [me, staff] = await page.evaluate(async () => [
    await fetch('/api/v1/me').then((r) => r.json()),
    (await fetch('/api/v1/staff').then((r) => r.json())).staff,
  ]);
  const nameOf = (id) => staff.find((x) => x.staff_id === id).name;
  // The identifier a form made for a new record (contact, referral …), from its entry.
  const newestId = async (type, field) => {
    const rows = (await chronology(page)).filter((r) => r[1] === en.events[type]);
    const m = rows[0]?.[2].match(new RegExp(`${en.fields[field]}: (\\S+)`));
    assert.ok(m, `the ${type} entry shows its ${field}`);
    return m[1];
  };

  // Visits, notes and risk.
  await recordAndRead(page, child, 'case_note', {text: 'Spoke to the school: Dafydd is settled in year 9.'},
                      'Dafydd is settled in year 9');
  await recordAndRead(page, child, 'statutory_visit',
                      {seen: 'true', seen_alone: 'true', views_obtained: 'true', views: 'Dafydd said his new bedroom is warm.'},
                      'his new bedroom is warm', 'Child seen alone: Yes');
  // Where the visit was, the bedroom seen (Wales Safeguarding Procedures), and the reason a
  // child was not seen alone, each read back from the saved entry.
  await recordAndRead(page, child, 'statutory_visit',
                      {seen: 'true', seen_alone: 'false', not_seen_alone_reason: 'His mother stayed: he was unwell.',
                       location: 'home', bedroom_seen: 'true', views_obtained: 'true', views: 'Dafydd showed me his models.'},
                      'showed me his models', 'Where the visit took place: At home', 'Child’s bedroom seen: Yes',
                      'Why the child was not seen alone: His mother stayed: he was unwell.');
  await recordAndRead(page, child, 'cse_risk_assessment', {vulnerabilities: ['young_carer'], moderate_indicators: ['truancy']},
                      'Young carer', 'Truancy');
  await recordAndRead(page, child, 'missing_episode', {date: yesterday, returned: today, return_interview: 'true'},
                      `Returned: ${long(today)}`, 'Return interview offered: Yes');
  const episode = await newestId('missing_episode', 'episode_id');
  await recordAndRead(page, child, 'return_interview', {episode_id: episode, conducted_by: 'Return interview service', accepted: 'false'},
                      `Missing episode: ${episode}`, 'Offered by: Return interview service', 'Accepted: No');
  await recordAndRead(page, child, 'health_check_recorded', {kind: 'dental_check'}, 'Kind: Dental check');
  // The front door: a contact, a referral and the decision on it.
  await recordAndRead(page, child, 'contact_received', {source: 'school', reason: 'Teacher saw a bruise on his arm.'},
                      'Teacher saw a bruise', 'Source: School');
  const contactId = await newestId('contact_received', 'contact_id');
  await recordAndRead(page, child, 'contact_decided', {contact_id: contactId, outcome: 'referral'},
                      `Contact: ${contactId}`, 'Outcome: Passed for a referral');
  await recordAndRead(page, child, 'referral_received', {source: 'health', reason: 'Health visitor worried about his weight.'},
                      'worried about his weight', 'Source: Health');
  const referral = await newestId('referral_received', 'referral_id');
  await recordApprovedAndRead(page, child, 'referral_decided', {referral_id: referral, decision: 'assessment'},
                              'decided_by', `Referral: ${referral}`, 'Decision: Assessment');
  // The assessment.
  await recordAndRead(page, child, 'assessment_started', {referral_id: referral}, `Referral: ${referral}`);
  const assessment = await newestId('assessment_started', 'assessment_id');
  await recordApprovedAndRead(page, child, 'assessment_completed',
                              {assessment_id: assessment, child_seen: 'true', child_seen_date: today, views_obtained: 'false',
                               views_not_obtained_reason: 'He was at a football match.',
                               analysis: 'Needs met at home with help from the school nurse.', outcome: 'care_and_support_plan'},
                              'signed_off_by',
                              `Assessment: ${assessment}`, 'help from the school nurse', 'Outcome: Care and support plan');
  // Child protection: strategy discussion, enquiry, conference, core group, plan.
  await recordAndRead(page, child, 'strategy_discussion_held', {decision: 'section_47', cse: 'false'},
                      'Decision: Section 47 enquiry');
  const strategy = await newestId('strategy_discussion_held', 'strategy_id');
  await recordAndRead(page, child, 'section_47_started', {strategy_id: strategy}, `Strategy discussion: ${strategy}`);
  const enquiry = await newestId('section_47_started', 'enquiry_id');
  await go(page, `/children/${child}/record/section_47_completed`);
  await fillForm(page, {enquiry_id: enquiry, outcome: 'initial_conference'});
  const s47 = await save(page, 'section_47_completed');
  assert.equal('child_id' in s47.payload, false, 'section_47_completed names its enquiry, not the child');
  assert.equal(s47.refused, null, 'section_47_completed is saved');
  await assertEntry(page, 'section_47_completed', `Section 47 enquiry: ${enquiry}`, 'Outcome: Initial child protection conference');
  await recordAndRead(page, child, 'conference_held', {kind: 'initial', decision: 'register', category: 'physical'},
                      'Decision: Register', 'Category: Physical abuse');
  await recordAndRead(page, child, 'core_group_held', {date: today}, long(today));
  await recordAndRead(page, child, 'plan_recorded', {kind: 'child_protection'}, 'Kind: Child protection');
  // Looked after: from the start, through a move and a review, to the end.
  await recordAndRead(page, child, 'looked_after_started', {placement_id: 'WEB-D-PL1', placement_type: 'foster', until_18: 'false'},
                      'Placement: WEB-D-PL1', 'Type of placement: Foster care');
  await recordAndRead(page, child, 'placement_changed', {placement_id: 'WEB-D-PL2', placement_type: 'kinship', school_changed: 'false',
                                                       until_18: 'true', interim_arrangement: 'temporary_approval'},
                      'Placement: WEB-D-PL2', 'Type of placement: Kinship care', 'To stay looked after until 18: Yes',
                      'Interim arrangement: With a relative or friend temporarily approved as a foster carer');
  await recordAndRead(page, child, 'plan_recorded', {kind: 'placement'}, 'Kind: Placement plan');
  await recordAndRead(page, child, 'plan_recorded', {kind: 'personal_education'}, 'Kind: Personal education plan');
  await recordAndRead(page, child, 'looked_after_review_held', {date: today}, long(today));
  await recordAndRead(page, child, 'looked_after_ended', {reason: 'returned_home'}, 'Reason: Returned home');
  // The case: closed, reopened.
  await recordAndRead(page, child, 'case_closed', {reason: 'Family working well with universal services.'},
                      'Family working well');
  // A closure is not done until the worker's manager signs it off; then the case reopens.
  await signOffAs('team.manager', child, 'case_closed');
  await recordAndRead(page, child, 'case_reopened', {reason: 'New concerns from the school nurse.'}, 'New concerns from the school nurse');
  await check(page, '29-child-record-every-form');

  // A correction of a date reads "Label: before → after", dates as the pages write them.
  const note = (await page.locator('#chronology-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.innerText)))
    .findIndex((x) => x.includes('Dafydd is settled in year 9'));
  assert.ok(note >= 0, 'the case note is in the chronology');
  await page.locator('#chronology-table tbody tr').nth(note).getByRole('link', {name: /Correct this entry/}).click();
  await settled(page);
  await page.getByLabel('Which detail is wrong?').selectOption('date');
  await fillForm(page, {change_value: yesterday, reason: 'The school was called the day before.'});
  assert.equal((await save(page, 'correction')).refused, null, 'the correction is saved');
  const change = `${en.forms.case_note.date}: ${long(today)} → ${long(yesterday)}`;
  await assertEntry(page, 'correction', change, 'The school was called the day before');
  await assertEntry(page, 'case_note', 'Dafydd is settled in year 9', change);
  assert.doesNotMatch(await page.locator('#chronology-table').innerText(), /\[object Object\]/);
  await check(page, '30-child-record-corrected');
  await page.context().close();

  // The team manager transfers the case to another of the team's workers.
  const tm = await newPage(browser);
  await signIn(tm, 'team.manager');
  await go(tm, `/children/${child}/record/case_transferred`);
  const to = await tm.locator('#f-worker_id option').evaluateAll((os, mine) =>
    os.find((o) => o.value && o.value !== mine && /social worker/.test(o.text))?.value, me.staff_id);
  assert.ok(to, 'someone to transfer the case to');
  await fillForm(tm, {worker_id: to, reason: 'Moving to the worker who knows the family.'});
  assert.equal((await save(tm, 'case_transferred')).refused, null, 'the transfer is saved');
  await assertEntry(tm, 'case_transferred', `Worker: ${nameOf(to)}`, 'who knows the family');
  assert.match(await tm.locator('main .govuk-summary-list').innerText(), new RegExp(nameOf(to)), 'the record names the new worker');
  await tm.context().close();

  for (const [, types] of CHILD_COMMANDS) {
    for (const type of types) {
      if (type !== 'case_allocated') assert.ok(saved.has(type), `${type} was saved`);
    }
  }
});

test('a note erased by the data protection officer reads as removed, with when and why', async () => {
  // WEB-E (tests/browser_test.sh): a note recorded on the wrong child's file, erased.
  const page = await newPage(browser);
  await signIn(page, 'social.worker');
  await go(page, '/children/WEB-E');
  const notes = (await chronology(page)).filter((r) => r[1] === en.events.case_note);
  assert.equal(notes.length, 2, 'both notes are in the chronology');
  const removed = notes.filter((r) => r[2].includes(en.child.removed_tag));
  assert.equal(removed.length, 1, 'one note reads as removed');
  const [y, m, d] = isoDay(-1).split('-').map(Number);
  const when = `${d} ${en.months[m - 1]} ${y}`;
  assert.ok(removed[0][2].includes(en.child.removed.replace('{date}', when).replace('{under}',
            'recorded on the wrong record (UK GDPR article 5(1)(d))')), removed[0][2]);
  assert.match(removed[0][2], new RegExp(`: ${en.child.removed_value}`));
  const all = await page.locator('main').innerText();
  assert.doesNotMatch(all, /Meant for another family/, 'the erased text is not on the page');
  assert.match(all, /Elin's school says she is doing well/, 'the other note is untouched');
  await check(page, '32-child-erased-note');
  await page.context().close();
});

test('the data protection officer approves one erasure and declines another; the record shows both', async () => {
  // WEB-F (tests/browser_test.sh): two notes proposed for erasure by the social worker's manager.
  const page = await newPage(browser);
  await signIn(page, 'data.protection');
  assert.equal(new URL(page.url()).pathname, '/erasures', 'the officer starts on the erasures');
  const pending = await page.locator('#erasures-pending tbody tr').allInnerTexts();
  for (const id of ['WEB-F-X1', 'WEB-F-X2']) assert.ok(pending.some((r) => r.includes(id)), `${id} is to decide`);
  await check(page, '33-erasures');

  await page.getByRole('link', {name: 'WEB-F-X1', exact: true}).click();
  await settled(page);
  assert.match(await page.locator('main').innerText(), /About the neighbour's son, not Ffion\./);
  await page.getByRole('button', {name: en.erasures.save}).click();
  await page.locator('.govuk-error-summary').waitFor();
  assert.match(await page.locator('.govuk-error-summary').innerText(), new RegExp(en.erasures.choose));
  await page.check('#f-decision');
  await check(page, '34-erasure-decide');
  await page.getByRole('button', {name: en.erasures.save}).click();
  await page.getByText(en.erasures.done_approved.replace('{id}', 'WEB-F-X1')).waitFor();
  await settled(page);

  await page.getByRole('link', {name: 'WEB-F-X2', exact: true}).click();
  await settled(page);
  await page.check('#f-decision-1');
  await page.getByRole('button', {name: en.erasures.save}).click();
  await page.locator('.govuk-error-summary').waitFor();
  assert.match(await page.locator('.govuk-error-summary').innerText(), new RegExp(en.erasures.reason_needed));
  await page.fill('#f-reason', 'The note is about a risk to Ffion: it is kept.');
  await page.getByRole('button', {name: en.erasures.save}).click();
  await page.getByText(en.erasures.done_declined.replace('{id}', 'WEB-F-X2')).waitFor();
  await settled(page);
  const decided = await page.locator('#erasures-decided tbody tr').allInnerTexts();
  assert.ok(decided.some((r) => r.includes('WEB-F-X1') && r.includes(en.erasures.state.approved)), decided.join('\n'));
  assert.ok(decided.some((r) => r.includes('WEB-F-X2') && r.includes(en.erasures.state.declined)), decided.join('\n'));
  noConsoleErrors(page);
  await page.context().close();

  // The social worker's record: the approved note removed, the declined one as it was.
  const sw = await newPage(browser);
  await signIn(sw, 'social.worker');
  await go(sw, '/children/WEB-F');
  const text = await sw.locator('main').innerText();
  assert.doesNotMatch(text, /Neighbour's son/);
  assert.match(text, /worried about her mum/);
  assert.match(text, new RegExp(en.child.removed_tag));
  await sw.context().close();
});

// The catalogue's English sentences that have Welsh of their own: none may show on a Welsh page.
// GOV.UK Frontend's own words (the govuk section, and those caseward's markup draws: the skip
// link, the navigation's toggle and label, an error message's hidden prefix, the warning
// text's, the banners' titles) count however short they are.
const COMPONENT_WORDS = [en.shell.skip, en.shell.menu, en.shell.menu_label, en.errors.title, en.errors.prefix,
                         en.common.warning, en.common.success, en.common.important];
const englishOnly = (() => {
  const out = [...COMPONENT_WORDS];
  const walk = (e, c, all) => {
    for (const [k, v] of Object.entries(e)) {
      if (typeof v === 'string') {
        if ((all || v.length >= 16) && !/\{\w+\}/.test(v) && c?.[k] && c[k] !== v) out.push(v);
      } else if (v && typeof v === 'object' && !Array.isArray(v)) walk(v, c?.[k], all || k === 'govuk');
    }
  };
  walk(en, cy, false);
  return [...new Set(out)];
})();
// The rule pack's English titles: the pack gives each in Welsh too (title_cy), so none may show
// on a Welsh page.
const packTitles = readFileSync(new URL('../../rules/wales.rules', import.meta.url), 'utf8')
  .split('\n').map((l) => l.match(/^\s+title\s+(.+)$/)?.[1]).filter(Boolean);
// A catalogue sentence counts as shown when it is a whole piece of text on the page (a heading,
// a label, a button, a cell), or a long one anywhere in it: a short one inside what someone
// typed (a service called "Return interview service") is their words, not the interface's.
async function englishShown(page, names = []) {
  let text = await page.locator('body').innerText();
  const pieces = new Set(await page.evaluate(() => {
    const out = [];
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) out.push(n.textContent.trim());
    // the words only assistive technology reads
    for (const el of document.querySelectorAll('[aria-label]')) out.push(el.getAttribute('aria-label').trim());
    return out;
  }));
  // each with the words around it, to find where it came from
  // names (a service area called "Child protection") are the council's, in its own words
  return [...englishOnly.filter((s) => (pieces.has(s) && !names.includes(s)) ||
                                       (s.length >= 40 && text.includes(s))),
          ...packTitles.filter((s) => text.includes(s))]
    .map((s) => `${s} (in "…${text.slice(Math.max(0, text.indexOf(s) - 60), text.indexOf(s) + s.length + 60)}…")`);
}

// The language is kept with the account (PUT /api/v1/me/language): a Welsh journey leaves
// each account it signed in with in English, as the journeys after it expect, pass or fail.
async function backToEnglish(page) {
  await page.evaluate(async () => {
    const csrf = decodeURIComponent((document.cookie.match(/(?:^|;\s*)cw_csrf=([^;]*)/) || [])[1] || '');
    if (csrf) {
      await fetch('/api/v1/me/language', {method: 'PUT', body: '{"language":"en"}',
                                          headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf}});
    }
  }).catch(() => {});
}

test('Cymraeg: the caseload, a child’s record and a form with its errors in Welsh, and the choice kept', async () => {
  const page = await newPage(browser);
  try {
    await signIn(page, 'social.worker');
    await page.locator('#language-cy').click();
    await page.waitForFunction(() => document.documentElement.lang === 'cy');
    await settled(page);
    assert.ok((await page.locator('#page-heading').innerText()).endsWith(cy.caseload.title), 'the caseload’s heading in Welsh');
    assert.deepEqual(await englishShown(page), [], 'English on the Welsh caseload');
    await check(page, '40-cy-caseload');

    await go(page, '/children/WEB-D');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'cy', 'Welsh kept from page to page');
    assert.deepEqual(await englishShown(page), [], 'English on the Welsh record');
    await check(page, '41-cy-child');

    await go(page, '/children/WEB-D/record/case_note');
    await page.getByRole('button', {name: cy.record.save}).click();
    await page.locator('.govuk-error-summary').waitFor();
    assert.match(await page.locator('.govuk-error-summary').innerText(), new RegExp(cy.errors.title));
    assert.deepEqual(await englishShown(page), [], 'English on the Welsh form');
    await check(page, '42-cy-form-errors');

    await page.reload();
    await settled(page);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'cy', 'Welsh kept after a reload');
    // Kept with the account: signing in on another browser, which has kept nothing, brings Welsh.
    const other = await newPage(browser);
    await signIn(other, 'social.worker');
    await other.waitForFunction(() => document.documentElement.lang === 'cy');
    assert.ok((await other.locator('#page-heading').innerText()).endsWith(cy.caseload.title), 'Welsh on the other browser');
    const me = await other.evaluate(() => fetch('/api/v1/me').then((r) => r.json()));
    assert.equal(me.language, 'cy', 'the account keeps the choice');
    await other.context().close();
    await page.locator('#language-en').click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await settled(page);
    assert.equal(await page.locator('#language-cy').getAttribute('lang'), 'cy', 'the way back to Welsh is marked as Welsh');
    // The check above can fail: on the English page it finds the English.
    assert.ok((await englishShown(page)).some((x) => x.startsWith(en.shell.skip)), 'englishShown finds English');
  } finally {
    await backToEnglish(page);
    await page.context().close();
  }
});

// ---- the main journeys in Welsh ----

// Text that came in English from the server or a rule pack (an obligation's title, a measure's
// source) and shows whole in an element not marked lang="en".
async function unmarkedEnglish(page, texts) {
  return page.evaluate((list) => {
    const want = new Set(list.filter(Boolean));
    const out = [];
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const text = n.textContent.trim();
      if (want.has(text) && n.parentElement.closest('[lang]')?.getAttribute('lang') !== 'en') out.push(text);
    }
    return out;
  }, texts);
}

// Every Welsh page: <html lang="cy">, GOV.UK Frontend's components with their Welsh words (in
// the markup, and in the configuration their scripts were started with), no English sentence
// of the catalogue, axe-core, and a screenshot.
async function welsh(page, name, what, names = []) {
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'cy', `${what} is in Welsh`);
  assert.equal((await page.locator('.govuk-skip-link').innerText()).trim(), cy.shell.skip, `${what}: the skip link`);
  assert.equal(await page.locator('.govuk-service-navigation__wrapper').getAttribute('aria-label'), cy.shell.menu);
  const words = await page.evaluate(() => import('/app/govuk.js').then((m) => m.componentWords()));
  assert.deepEqual([words.accordion.i18n.showAllSections, words.characterCount.i18n.charactersUnderLimit.other,
                    words.passwordInput.i18n.showPassword],
                   [cy.govuk.accordion.show_all, cy.govuk.count.chars_under.other, cy.govuk.password.show],
                   `${what}: the components' words`);
  assert.deepEqual(await englishShown(page, names), [], `English on ${what}`);
  await check(page, name);
}

// Chooses Welsh with the header's switch (before signing in, unless this browser has chosen it
// already), and signs in in Welsh.
async function signInWelsh(page, username) {
  await go(page, '/sign-in');
  if (await page.locator('#language-cy').count()) {
    await page.locator('#language-cy').click();
    await page.waitForFunction(() => document.documentElement.lang === 'cy');
    await settled(page);
  }
  await page.getByLabel(cy.signin.username).fill(username);
  await page.getByLabel(cy.signin.password, {exact: true}).fill(PASSWORD);
  await page.getByRole('button', {name: cy.signin.submit}).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
  await settled(page);
}

test('Cymraeg: a social worker’s journeys in Welsh — caseload, record, a visit with its errors, sign-off, measures', async () => {
  const page = await newPage(browser);
  try {
    await go(page, '/sign-in');
    await page.locator('#language-cy').click();
    await page.waitForFunction(() => document.documentElement.lang === 'cy');
    await settled(page);
    assert.equal(await page.locator('#page-heading').innerText(), cy.signin.title);
    await welsh(page, '43-cy-sign-in', 'the sign-in page');
    // Nothing entered: the error summary and the hidden prefix of each error message in Welsh.
    await page.getByRole('button', {name: cy.signin.submit}).click();
    await page.locator('.govuk-error-summary').waitFor();
    assert.match(await page.locator('.govuk-error-summary__title').innerText(), new RegExp(cy.errors.title));
    assert.equal(await page.locator('.govuk-error-message .govuk-visually-hidden').first().textContent(), cy.errors.prefix);
    assert.ok((await page.title()).startsWith(cy.errors.title_prefix), 'the page title starts "Gwall:"');
    await welsh(page, '44-cy-sign-in-errors', 'the sign-in page with its errors');

    await signInWelsh(page, 'social.worker');
    assert.equal(new URL(page.url()).pathname, '/caseload');
    assert.ok((await page.locator('#page-heading').innerText()).endsWith(cy.caseload.title));
    const obligations = await page.evaluate(() => fetch('/api/v1/children/WEB-W/obligations').then((r) => r.json()));
    const ruleTitles = [...obligations.obligations, ...obligations.signals].map((o) => o.title);
    assert.ok(ruleTitles.length > 0, 'WEB-W has work due');
    assert.deepEqual(await unmarkedEnglish(page, ruleTitles), [], 'the caseload’s English titles are marked lang="en"');
    await welsh(page, '45-cy-caseload', 'the Welsh caseload');

    await page.locator('#caseload').getByRole('link', {name: 'Gwenllian Testwood'}).click();
    await settled(page);
    assert.deepEqual(await unmarkedEnglish(page, ruleTitles), [], 'the rule pack’s English titles are marked lang="en"');
    await welsh(page, '46-cy-child', 'the Welsh record');

    await page.getByRole('button', {name: cy.child.record}).click();
    await settled(page);
    await welsh(page, '47-cy-record-choose', 'the Welsh choice of what to record');
    await page.getByRole('link', {name: cy.events.statutory_visit}).click();
    await settled(page);
    await welsh(page, '48-cy-visit-form', 'the Welsh visit form');

    // Saved with nothing answered: the error summary in Welsh, each error linked to its question.
    await page.getByRole('button', {name: cy.record.save}).click();
    const summary = page.locator('.govuk-error-summary');
    await summary.waitFor();
    const text = await summary.innerText();
    assert.match(text, new RegExp(cy.errors.title));
    assert.match(text, new RegExp(cy.forms.statutory_visit.seen_error));
    assert.equal(await summary.locator('a').count(), 3, 'each error links to its question');
    assert.equal(await page.locator('.govuk-error-message .govuk-visually-hidden').first().textContent(), cy.errors.prefix);
    assert.ok((await page.title()).startsWith(cy.errors.title_prefix));
    await welsh(page, '49-cy-visit-errors', 'the Welsh visit form with its errors');

    // The server's refusal, in English (no lang in its error body): marked lang="en", beside the
    // question it names and in the summary; one that says it is Welsh is not marked.
    await page.locator('#f-seen').check();
    await page.locator('#f-seen_alone').check();
    await page.locator('#f-views_obtained').check();
    await page.locator('#f-views').fill('Dywedodd Gwenllian ei bod hi’n hapus gartref.');
    const refuse = (error) => page.route('**/api/v1/commands/statutory_visit', (r) =>
      r.fulfill({status: 422, contentType: 'application/json', body: JSON.stringify({error})}), {times: 1});
    await refuse({code: 'invalid', message: 'date: is before the child was known to children’s services', field: 'date'});
    await page.getByRole('button', {name: cy.record.save}).click();
    await summary.locator('[lang="en"]').first().waitFor();
    assert.equal(await summary.locator('a [lang="en"]').innerText(), 'is before the child was known to children’s services');
    assert.equal(await page.locator('#f-date-error [lang="en"]').innerText(), 'is before the child was known to children’s services');
    await welsh(page, '50-cy-visit-server-error', 'the Welsh visit form with the server’s English refusal');
    await refuse({code: 'invalid', message: 'Mae’r dyddiad cyn i’r plentyn fod yn hysbys', lang: 'cy'});
    await page.getByRole('button', {name: cy.record.save}).click();
    await summary.getByText('Mae’r dyddiad cyn i’r plentyn fod yn hysbys').waitFor();
    assert.equal(await summary.locator('[lang]').count(), 0, 'Welsh from the server is not marked on a Welsh page');
    // A real refusal, from the server's own catalogue, in the page's language: a visit dated
    // before the child was born. The date is named in Welsh, and nothing is marked English.
    const parts = ['day', 'month', 'year'];
    const typed = await Promise.all(parts.map((x) => page.inputValue(`#f-date-${x}`)));
    await fillDate(page, 'date', '2000-01-01');
    await page.getByRole('button', {name: cy.record.save}).click();
    await summary.getByText(/cyn dyddiad geni’r plentyn|cyn dyddiad geni'r plentyn/).waitFor();
    assert.match(await page.locator('#f-date-error').innerText(), /mae 2000-01-01 cyn dyddiad geni/);
    assert.equal(await summary.locator('[lang]').count(), 0, 'the server’s Welsh is not marked as another language');
    assert.deepEqual(await englishShown(page), [], 'English on the Welsh form with the server’s refusal');
    for (const [i, x] of parts.entries()) await page.fill(`#f-date-${x}`, typed[i]);

    // Put right and saved: the record reads it back, in Welsh.
    await page.getByRole('button', {name: cy.record.save}).click();
    await page.getByText(cy.record.saved.replace('{what}', cy.events.statutory_visit)).waitFor();
    await settled(page);
    const rows = (await chronology(page)).filter((r) => r[1] === cy.events.statutory_visit);
    assert.ok(rows.some((r) => r.join('\n').includes('ei bod hi’n hapus gartref')), rows.join('\n'));
    saved.add('statutory_visit');
    await welsh(page, '51-cy-child-after-visit', 'the Welsh record after the visit');

    await page.getByRole('link', {name: cy.nav.sign_offs}).click();
    await settled(page);
    assert.equal(await page.locator('#page-heading').innerText(), cy.signoff.title);
    await welsh(page, '52-cy-sign-offs', 'the Welsh sign-off page');

    await go(page, '/measures');
    assert.equal(await page.locator('#page-heading').innerText(), cy.measures.title);
    const res = await page.evaluate(() => fetch('/api/v1/measures').then((r) => r.json()));
    assert.deepEqual(await unmarkedEnglish(page, res.measure_definitions.map((d) => d.title)), [],
                     'the measures’ English titles are marked lang="en"');
    const teams = (await page.evaluate(() => fetch('/api/v1/teams').then((r) => r.json()))).teams;
    await welsh(page, '53-cy-measures', 'the Welsh measures', teams.flatMap((x) => [x.name, x.service_area]));
    const first = res.measure_definitions[0];
    await page.locator(`#measures a[data-measure="${first.id}"]`).click();
    await settled(page);
    assert.deepEqual(await unmarkedEnglish(page, [first.title, first.source]), [],
                     'a measure’s English title and source are marked lang="en"');
    await welsh(page, '54-cy-measure', 'a Welsh measure’s items');
  } finally {
    await backToEnglish(page);
    await page.context().close();
  }
});

test('Cymraeg: the data protection officer declines an erasure in Welsh', async () => {
  const page = await newPage(browser);
  try {
    await signInWelsh(page, 'data.protection');
    assert.equal(new URL(page.url()).pathname, '/erasures');
    assert.equal(await page.locator('#page-heading').innerText(), cy.erasures.title);
    await welsh(page, '55-cy-erasures', 'the Welsh erasures');
    await page.getByRole('link', {name: 'WEB-W-X1', exact: true}).click();
    await settled(page);
    await welsh(page, '56-cy-erasure', 'a Welsh erasure to decide');
    await page.getByRole('button', {name: cy.erasures.save}).click();
    await page.locator('.govuk-error-summary').waitFor();
    assert.match(await page.locator('.govuk-error-summary').innerText(), new RegExp(cy.erasures.choose));
    await welsh(page, '57-cy-erasure-errors', 'a Welsh erasure with its error');
    await page.check('#f-decision-1');
    await page.fill('#f-reason', 'Mae’r nodyn am Gwenllian: caiff ei gadw.');
    await page.getByRole('button', {name: cy.erasures.save}).click();
    await page.getByText(cy.erasures.done_declined.replace('{id}', 'WEB-W-X1')).waitFor();
    await settled(page);
    const decided = await page.locator('#erasures-decided tbody tr').allInnerTexts();
    assert.ok(decided.some((r) => r.includes('WEB-W-X1') && r.includes(cy.erasures.state.declined)), decided.join('\n'));
    await welsh(page, '58-cy-erasure-declined', 'the Welsh erasures after a decision');
  } finally {
    await backToEnglish(page);
    await page.context().close();
  }
});

test('a warning before an unused session ends, and staying signed in', async () => {
  const page = await newPage(browser);
  await page.clock.install();
  await signIn(page, 'social.worker');
  // Sessions end after 30 minutes unused; the warning comes 5 minutes before.
  await page.clock.fastForward('20:00');
  assert.equal(await page.locator('#session-warning').count(), 0, 'no warning after 20 minutes');
  await page.clock.fastForward('05:30');
  const warning = page.locator('#session-warning');
  await warning.waitFor();
  assert.match(await warning.innerText(), /signed out in 5 minutes/);
  await check(page, '26-session-warning');
  await page.getByRole('button', {name: 'Stay signed in'}).click();
  await warning.waitFor({state: 'detached'});
  await page.context().close();
});

test('a path that names nothing', async () => {
  const page = await newPage(browser);
  await signIn(page, 'social.worker');
  await go(page, '/no/such/page');
  assert.equal(await page.locator('#page-heading').innerText(), 'Page not found');
  await check(page, '23-not-found');
  await page.context().close();
});

test('every form in forms.js was saved by a journey, and read back', (t) => {
  if (process.env.CW_TEST_PATTERN) {
    t.skip('only some journeys ran (CW_TEST_PATTERN)');
    return;
  }
  assert.deepEqual(Object.keys(FORMS).filter((type) => !saved.has(type)), [], 'forms no journey saved');
});
