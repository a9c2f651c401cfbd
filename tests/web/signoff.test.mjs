// signoff.test.mjs — sign-off as the manager's own act, conflicts and restriction, in a real
// browser against a real server (docs/events.md "Sign-off", "Conflicts", "Restriction";
// tests/browser_test.sh adds the children WEB-S and WEB-T, both allocated to social.worker).
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {check, go, launch, newPage, settled, signIn} from './harness.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
                'October', 'November', 'December'];
// A date as the pages show it ("4 December 2026"); today is the UTC date, as the server counts.
const shown = (iso) => {
  const [y, m, d] = iso.split('-').map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
};
const today = () => new Date().toISOString().slice(0, 10);

// The API, from inside a signed-in page (its session and CSRF token): {status, body}.
async function api(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const csrf = decodeURIComponent((document.cookie.match(/(?:^|;\s*)cw_csrf=([^;]*)/) || [])[1] || '');
    const r = await fetch(p, {method: m, headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf},
                              body: b === undefined ? undefined : JSON.stringify(b)});
    return {status: r.status, body: await r.json().catch(() => null)};
  }, [method, path, body]);
}
const entryOf = async (page, child, pred) =>
  (await api(page, 'GET', `/api/v1/children/${child}/chronology`)).body.chronology.find(pred);

test('sign-off: submitted, returned with a reason, corrected, signed off', async () => {
  const sw = await newPage(browser);
  await signIn(sw, 'social.worker');
  const tm = await newPage(browser);
  await signIn(tm, 'team.manager');
  // The team manager is the social worker's line manager in the demo.
  const swMe = (await api(sw, 'GET', '/api/v1/me')).body;
  const tmMe = (await api(tm, 'GET', '/api/v1/me')).body;
  const staff = (await api(sw, 'GET', '/api/v1/staff')).body.staff;
  const swName = staff.find((s) => s.staff_id === swMe.staff_id).name;
  const tmName = staff.find((s) => s.staff_id === tmMe.staff_id).name;
  assert.equal(staff.find((s) => s.staff_id === swMe.staff_id).manager_id, tmMe.staff_id);

  // The worker completes the assessment through its form: it is submitted for sign-off.
  await go(sw, '/children/WEB-S/record/assessment_completed');
  assert.equal(await sw.locator('input[name="assessment_id"][value="WEB-S-A1"]').isChecked(), true);
  await sw.locator('input[name="child_seen"][value="true"]').check();
  const [y, m, d] = today().split('-');
  await sw.fill('#f-child_seen_date-day', String(Number(d)));
  await sw.fill('#f-child_seen_date-month', String(Number(m)));
  await sw.fill('#f-child_seen_date-year', y);
  await sw.locator('input[name="views_obtained"][value="true"]').check();
  await sw.locator('#f-views').fill('Siwan wants to stay at her school.');
  await sw.locator('#f-analysis').fill('Needs are met at home; school attendance is good.');
  await sw.locator('input[name="outcome"][value="no_further_action"]').check();
  await sw.getByRole('button', {name: 'Save'}).click();
  await sw.getByText('Assessment completed: saved in the record.').waitFor();
  await settled(sw);
  const entry = (await entryOf(sw, 'WEB-S', (e) => e.type === 'assessment_completed')).index;

  // The chronology shows it awaiting sign-off, and so does the record's summary.
  assert.equal(new URL(sw.url()).pathname, '/children/WEB-S');
  const row = sw.locator(`#entry-${entry}`);
  assert.match(await row.innerText(),
               new RegExp(`Awaiting sign-off\\s+Submitted for sign-off by ${swName} on ${shown(today())} — awaiting sign-off`));
  assert.match(await sw.locator('.govuk-summary-list').innerText(), /Sign-off\s+Assessment completed on [^\n]*awaiting sign-off/);
  await check(sw, '30-signoff-submitted');

  // The worker sees their own work awaiting sign-off, with nothing to sign off.
  await sw.getByRole('link', {name: 'Sign-off'}).click();
  await settled(sw);
  assert.match(await sw.locator('#submitted-table').innerText(), /Siwan Testwood[\s\S]*Assessment completed/);
  assert.equal(await sw.locator('#to-sign-off').count(), 0, 'a social worker signs nothing off');
  assert.equal(await sw.getByRole('link', {name: /Sign off or return/}).count(), 0);
  await check(sw, '37-signoff-own-work');
  await go(sw, `/sign-offs/${entry}`);
  assert.equal(await sw.locator('#page-heading').innerText(), 'This work is not awaiting your sign-off');
  assert.equal(await sw.getByRole('button', {name: /Sign off|Return/}).count(), 0, 'no sign-off action on your own work');
  // The server refuses it too.
  const own = await api(sw, 'POST', '/api/v1/commands/work_signed_off', {entry, based_on: entry});
  assert.equal(own.status, 403);

  // The manager finds it from the team dashboard.
  await go(tm, '/team');
  await tm.getByRole('link', {name: /^Awaiting your sign-off \(\d+\)$/}).click();
  await settled(tm);
  assert.equal(new URL(tm.url()).pathname, '/sign-offs');
  const item = tm.locator('#to-sign-off-table tr', {hasText: 'Siwan Testwood'});
  assert.match(await item.innerText(), new RegExp(`Assessment completed[\\s\\S]*${swName}\\s+${shown(today())}\\s+0 days`));
  await check(tm, '31-signoff-list');
  // The work's link reaches its entry in the child's chronology.
  await item.getByRole('link', {name: 'Read the assessment completed for Siwan Testwood in the chronology'}).click();
  await settled(tm);
  assert.equal(new URL(tm.url()).pathname, '/children/WEB-S');
  assert.equal(await tm.evaluate(() => document.activeElement.id), `entry-${entry}`);
  await tm.goBack();
  await settled(tm);
  // Returning it needs a reason.
  await item.getByRole('link', {name: /Sign off or return/}).click();
  await settled(tm);
  assert.match(await tm.locator('main').innerText(), /Needs are met at home/, 'the work is there to read');
  await tm.getByRole('button', {name: 'Return with a reason'}).click();
  const summary = tm.locator('.govuk-error-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /Enter why you are returning the work/);
  assert.match(await tm.title(), /^Error:/);
  await summary.getByRole('link', {name: 'Enter why you are returning the work'}).click();
  assert.equal(await tm.evaluate(() => document.activeElement.id), 'f-reason');
  await check(tm, '32-signoff-return-error');
  await tm.getByLabel('Why are you returning it?').fill('Say what Siwan’s views mean for the plan.');
  await tm.getByRole('button', {name: 'Return with a reason'}).click();
  await tm.getByText('Assessment completed for Siwan Testwood: returned with your reason.').waitFor();
  await settled(tm);
  assert.equal(await tm.locator('#to-sign-off-table tr', {hasText: 'Siwan Testwood'}).count(), 0, 'no longer listed');

  // The worker sees it returned: on their sign-off page, and on the record with the reason;
  // they correct it, which submits it again.
  await go(sw, '/sign-offs');
  assert.equal(await sw.locator('#returned-table tr', {hasText: 'Siwan Testwood'}).count(), 1, 'returned to the worker');
  assert.equal(await sw.locator('#submitted-table tr', {hasText: 'Siwan Testwood'}).count(), 0, 'no longer awaiting');
  await check(sw, '40-signoff-returned-list');
  await go(sw, '/children/WEB-S');
  assert.match(await sw.locator(`#entry-${entry}`).innerText(),
               new RegExp(`Returned\\s+Returned by ${tmName} on ${shown(today())}\\. Reason: Say what Siwan’s views mean for the plan\\.`));
  assert.match(await sw.locator('#chronology-table').innerText(),
               new RegExp(`Returned for changes\\s+Returned: Assessment completed \\(entry ${entry}\\) — Say what Siwan’s views mean`));
  await check(sw, '33-signoff-returned');
  await sw.locator(`#entry-${entry}`).getByRole('link', {name: /Correct this entry/}).click();
  await settled(sw);
  await sw.getByLabel('Which detail is wrong?').selectOption('analysis');
  await sw.getByLabel('What should it say?').fill('Needs are met at home. Siwan wants to stay at her school, so no plan is needed.');
  await sw.getByLabel('Why is the entry wrong?').fill('Returned by my manager: the views were not weighed.');
  await sw.getByRole('button', {name: 'Save'}).click();
  await sw.getByText('Correction: saved in the record.').waitFor();
  await settled(sw);
  assert.match(await sw.locator(`#entry-${entry}`).innerText(), /awaiting sign-off/);

  // The manager opens it again; meanwhile the worker changes it once more: the manager's
  // sign-off is refused (409), and the page reads it again and says what changed.
  await go(tm, '/sign-offs');
  await tm.locator('#to-sign-off-table tr', {hasText: 'Siwan Testwood'}).getByRole('link', {name: /Sign off or return/}).click();
  await settled(tm);
  const now = await entryOf(sw, 'WEB-S', (e) => e.index === entry);
  const again = await api(sw, 'POST', '/api/v1/commands/correction', {
    corrects: entry, based_on: now.version, reason: 'A last detail.',
    changes: {outcome: 'other_services'}});
  assert.equal(again.status, 201, JSON.stringify(again.body));
  await tm.getByLabel('Comment (optional)').fill('Clear analysis.');
  await tm.getByRole('button', {name: 'Sign off', exact: true}).click();
  await tm.locator('.govuk-error-summary', {hasText: 'This work has changed since you read it'}).waitFor();
  assert.match(await tm.locator('#changed-since').innerText(), /Outcome: now Other services/);
  assert.equal(await tm.getByLabel('Comment (optional)').inputValue(), 'Clear analysis.', 'what was typed is kept');
  await check(tm, '38-signoff-conflict');
  await tm.getByRole('button', {name: 'Sign off', exact: true}).click();
  await tm.getByText('Assessment completed for Siwan Testwood: signed off.').waitFor();
  await settled(tm);
  assert.equal(await tm.locator('#to-sign-off-table tr', {hasText: 'Siwan Testwood'}).count(), 0);

  // The chronology shows who signed it off, and when.
  await go(sw, '/children/WEB-S');
  assert.match(await sw.locator(`#entry-${entry}`).innerText(),
               new RegExp(`Signed off\\s+Signed off by ${tmName} on ${shown(today())}\\.`));
  assert.match(await sw.locator('#chronology-table').innerText(),
               new RegExp(`Signed off\\s+Signed off: Assessment completed \\(entry ${entry}\\) — Clear analysis\\.`));
  assert.doesNotMatch(await sw.locator('.govuk-summary-list').innerText(), /awaiting sign-off/);
  await check(sw, '34-signoff-signed-off');
  await sw.context().close();
  await tm.context().close();
});

test('conflict: a correction of an entry someone else changed meanwhile is shown and redone', async () => {
  const sw = await newPage(browser);
  await signIn(sw, 'social.worker');
  const tm = await newPage(browser);
  await signIn(tm, 'team.manager');
  const note = await entryOf(sw, 'WEB-T', (e) => e.type === 'case_note');
  await go(sw, '/children/WEB-T');
  await sw.locator(`#entry-${note.index}`).getByRole('link', {name: /Correct this entry/}).click();
  await settled(sw);
  await sw.getByLabel('Which detail is wrong?').selectOption('text');
  const mine = 'Home visit arranged with father for Tuesday.';
  await sw.getByLabel('What should it say?').fill(mine);
  await sw.getByLabel('Why is the entry wrong?').fill('It was the father I spoke to.');
  // Someone else corrects the same entry first, with the page open.
  const theirs = await api(tm, 'POST', '/api/v1/commands/correction', {
    corrects: note.index, based_on: note.version, reason: 'The date was wrong.', changes: {date: today()}});
  assert.equal(theirs.status, 201, JSON.stringify(theirs.body));
  await sw.getByRole('button', {name: 'Save'}).click();
  const summary = sw.locator('.govuk-error-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /Someone else changed this entry after you opened it/);
  assert.match(await sw.locator('#changed-since').innerText(), new RegExp(`Date: now ${shown(today())}`));
  assert.equal(await sw.getByLabel('What should it say?').inputValue(), mine, 'what was typed is kept');
  assert.equal(await sw.getByLabel('Why is the entry wrong?').inputValue(), 'It was the father I spoke to.');
  await check(sw, '35-conflict');
  await sw.getByRole('button', {name: 'Save'}).click();
  await sw.getByText('Correction: saved in the record.').waitFor();
  await settled(sw);
  const row = await sw.locator(`#entry-${note.index}`).innerText();
  assert.match(row, /father for Tuesday/, 'the change is redone on the entry as it is now');
  assert.match(row, new RegExp(shown(today())), 'and the other change stays');
  await sw.context().close();
  await tm.context().close();
});

test('restriction: a service manager restricts a record; no one else is offered it', async () => {
  for (const who of ['social.worker', 'team.manager']) {
    const page = await newPage(browser);
    await signIn(page, who);
    await go(page, '/children/WEB-T');
    assert.equal(await page.getByRole('button', {name: 'Change who may see this record'}).count(), 0, `${who}: not offered`);
    await go(page, '/children/WEB-T/restriction');
    assert.equal(await page.locator('#page-heading').innerText(), 'You cannot change who may see this record');
    assert.equal(await page.getByRole('button', {name: 'Save'}).count(), 0);
    await page.context().close();
  }
  const sm = await newPage(browser);
  await signIn(sm, 'service.manager');
  await go(sm, '/children/WEB-T');
  await sm.getByRole('button', {name: 'Change who may see this record'}).click();
  await settled(sm);
  await sm.getByRole('button', {name: 'Save'}).click();
  await sm.locator('.govuk-error-summary', {hasText: 'Enter why you are changing who may see this record'}).waitFor();
  await check(sm, '39-restriction-form-errors');
  const staff = (await api(sm, 'GET', '/api/v1/staff')).body.staff;
  const record = (await api(sm, 'GET', '/api/v1/children/WEB-T')).body;
  const name = staff.find((s) => s.staff_id === record.worker_id).name;
  await sm.getByLabel('Yes, restrict it').check();
  await sm.getByLabel(`${name} (social worker)`).check();
  await sm.getByLabel('Why?').fill('Tomos is a relative of a member of staff in the team.');
  await sm.getByRole('button', {name: 'Save'}).click();
  await sm.getByText('The record is restricted.').waitFor();
  await settled(sm);
  const summaryList = await sm.locator('.govuk-summary-list').innerText();
  assert.match(summaryList, new RegExp(`Restricted record\\s+Restricted Named on it: ${name}\\.`));
  assert.match(await sm.locator('#chronology-table').innerText(),
               new RegExp(`Who may see the record\\s+Restricted\\. Named on it: ${name}\\. Reason: Tomos is a relative`));
  await check(sm, '36-restriction');
  // Two people at once: the form is opened, someone else changes who is named meanwhile (takes
  // the names off: lifting it would need a second person, docs/events.md "Two-person rule"),
  // and the form's change is refused (409) with what to do, not saved over theirs.
  await go(sm, '/children/WEB-T/restriction');
  const chron = (await api(sm, 'GET', '/api/v1/children/WEB-T/chronology')).body.chronology;
  const version = Math.max(...chron.filter((e) => ['child_registered', 'restriction_changed'].includes(e.type)).map((e) => e.index));
  const other = await api(sm, 'POST', '/api/v1/commands/restriction_changed',
                          {child_id: 'WEB-T', date: today(), restricted: true, restricted_to: [], reason: 'No one named.', based_on: version});
  assert.equal(other.status, 201, JSON.stringify(other.body));
  await sm.getByLabel('Yes, restrict it').check();
  await sm.getByLabel('Why?').fill('Restricted again after all.');
  await sm.getByRole('button', {name: 'Save'}).click();
  await sm.locator('.govuk-error-summary', {hasText: 'Someone changed who may see this record'}).waitFor();
  await check(sm, '41-restriction-conflict');
  await sm.context().close();
  // The allocated worker still sees it.
  const sw = await newPage(browser);
  await signIn(sw, 'social.worker');
  await go(sw, '/children/WEB-T');
  assert.match(await sw.locator('#page-heading').innerText(), /Tomos Testwood/);
  await sw.context().close();
});

test('sign-off: history that names its approver reads as signed off by them', async () => {
  const page = await newPage(browser);
  await signIn(page, 'head.of.service');
  // The demo's assessments were recorded before sign-off was the manager's own act: each
  // names who signed it off (state "claimed").
  const children = (await api(page, 'GET', '/api/v1/children?limit=50')).body.children;
  let found = null;
  for (const c of children) {
    const e = await entryOf(page, c.child_id, (x) => x.sign_off?.state === 'claimed');
    if (e) {
      found = {child: c.child_id, e};
      break;
    }
  }
  assert.ok(found, 'a demo child with a claimed sign-off');
  const staff = (await api(page, 'GET', '/api/v1/staff')).body.staff;
  const by = staff.find((s) => s.staff_id === found.e.sign_off.decided_by)?.name || found.e.sign_off.decided_by;
  await go(page, `/children/${found.child}`);
  assert.match(await page.locator(`#entry-${found.e.index}`).innerText(),
               new RegExp(`Signed off\\s+Signed off by ${by} \\(as recorded in the entry\\)`));
  await page.context().close();
});
