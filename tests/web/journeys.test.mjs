// journeys.test.mjs — what social workers, managers and inspectors do, in a
// real browser against a real server (tests/browser_test.sh sets it up).
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {PASSWORD, URL_, check, go, launch, newPage, settled, signIn} from './harness.mjs';

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
  assert.match(await row.innerText(), /seen alone, at least every 10 working days/);
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
  await page.getByLabel('Disclosure of exploitation').check();
  assert.equal(await score.innerText(), 'Score 7: Mild');
  await page.getByLabel('Seen in known hotspots').check();
  assert.equal(await score.innerText(), 'Score 12: Moderate');
  await page.getByLabel('Repeatedly missing overnight').check();
  assert.equal(await score.innerText(), 'Score 17: Significant');
  await page.getByLabel('Repeatedly missing overnight').uncheck();
  assert.equal(await score.innerText(), 'Score 12: Moderate');
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
  assert.match(row, /Source: Neighbour/, 'the entry reads as corrected');
  assert.match(row, /Corrected/);
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
  await tm.context().close();
  // Now the social worker can open the record they registered.
  await go(page, '/children/WEB-C');
  assert.match(await page.locator('#page-heading').innerText(), /Cadi Testwood/);
  await page.context().close();
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
