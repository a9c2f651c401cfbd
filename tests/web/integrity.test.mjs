// integrity.test.mjs — the integrity analytics page (docs/web.md, "Integrity of the data"), in a
// real browser against the demo council of tests/browser_test.sh, which injects the signs of
// manipulation at failure scale 1 (docs/demo.md): there are flags to find. Every count the page
// shows is read back and compared with what GET /api/v1/integrity gives for the same query;
// the CSV is downloaded through the browser.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import en from '../../web/app/messages/en.js';
import {FY, TODAY, apiGet, apiJson, check, downloadCsv, go, launch, newPage, settled, signIn} from
    './harness.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const now = TODAY;
const fy = FY;
// The period asked for: last financial year's start to today.
const FROM = `${fy - 1}-04-01`;

const cellsOf = (page, sel) => page.locator(sel).evaluate((tr) => [...tr.cells].map((c) => c.innerText.trim()));

async function fillDate(page, name, iso) {
  const [y, m, d] = iso.split('-');
  await page.fill(`#f-${name}-day`, String(Number(d)));
  await page.fill(`#f-${name}-month`, String(Number(m)));
  await page.fill(`#f-${name}-year`, y);
}

test('integrity: a head of service looks for the signs over a period, reads each count, opens a flag’s child and downloads the table', async () => {
  const page = await newPage(browser);
  await signIn(page, 'head.of.service');
  await page.getByRole('link', {name: en.nav.integrity}).click();
  await settled(page);
  assert.equal(new URL(page.url()).pathname, '/integrity');
  // The form, with this financial year to today; nothing is analysed (and no look recorded)
  // until the reader asks.
  assert.equal(await page.inputValue('#f-from-year'), String(fy));
  assert.equal(await page.inputValue('#f-from-month'), '4');
  assert.equal(await page.inputValue('#f-to-day'), String(Number(now.slice(8))));
  assert.equal(await page.locator('#integrity-summary').count(), 0);
  await check(page, 'integrity-01-form');

  // A missing end date is in the error summary, and nothing is sent.
  await page.fill('#f-to-day', '');
  await page.fill('#f-to-month', '');
  await page.fill('#f-to-year', '');
  await page.getByRole('button', {name: en.integrity.show}).click();
  const summary = page.locator('.govuk-error-summary');
  await summary.waitFor();
  assert.ok((await summary.innerText()).includes('Enter end date'));
  assert.equal(new URL(page.url()).search, '', 'nothing is sent');
  await check(page, 'integrity-02-error');

  // The period: last financial year's start to today, every team; sent as the page's query.
  await fillDate(page, 'from', FROM);
  await fillDate(page, 'to', now);
  await page.getByRole('button', {name: en.integrity.show}).click();
  await page.waitForURL((u) => u.searchParams.get('from') === FROM);
  await settled(page);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('to'), now);
  assert.equal(url.searchParams.has('team'), false);

  // Every count is the API's for the same query.
  const api = await apiJson(page, `/api/v1/integrity?from=${FROM}&to=${now}`);
  assert.ok(api.flags.length > 0, 'the demo council injects the patterns: there are flags');
  const ids = Object.keys(api.summary);
  assert.equal(await page.locator('#integrity-summary tbody tr').count(), ids.length, 'a row for each pattern');
  for (const id of ids) {
    const s = api.summary[id];
    const row = await cellsOf(page, `#pattern-${id}`);
    assert.equal(row[0], en.integrity.patterns[id].name, `${id}: its name in words`);
    assert.equal(row[1], s.looked_for ? en.common.yes : en.integrity.not_looked_for, `${id}: looked for`);
    assert.deepEqual(row.slice(2), [String(s.checked), String(s.flags), String(s.entries)], `${id}: the counts`);
    assert.equal(await page.locator(`#flags-${id} .cw-flag`).count(), s.flags, `${id}: a block for each flag`);
  }
  assert.equal(await page.locator('#flags-total').innerText(), String(api.flags.length));
  // The checkpoint the page's analysis was made at: the API's own call came after it, and the
  // looks the page's answer recorded are in the log between the two.
  const [origin] = api.checkpoint.note.split('\n');
  const cp = (await page.locator('#checkpoint').innerText()).match(/^(.*), (\d+) entries, root hash \S+$/);
  assert.ok(cp, 'the checkpoint the analysis was made at');
  assert.equal(cp[1], origin);
  assert.ok(Number(cp[2]) > 0 && Number(cp[2]) <= api.checkpoint.size);

  // A flag: its explanation, its staff by name and identifier, its children and entries linked.
  const staff = (await apiJson(page, '/api/v1/staff')).staff;
  const flag = api.flags.find((f) => f.children.length && f.staff.length);
  const k = api.flags.filter((f) => f.pattern === flag.pattern).indexOf(flag) + 1;
  const box = page.locator(`#flag-${flag.pattern}-${k}`);
  const text = await box.innerText();
  assert.ok(text.includes(flag.explanation), 'the explanation');
  const who = staff.find((s) => s.staff_id === flag.staff[0]);
  assert.ok(text.includes(`${who.name} (${who.staff_id})`), 'the member of staff, by name and identifier');
  const entry = flag.entries.findIndex((e, i) => flag.entry_children[i]);
  const entryLink = box.locator(`a[data-entry="${flag.entries[entry]}"]`);
  assert.equal(await entryLink.getAttribute('href'), `/children/${flag.entry_children[entry]}#entry-${flag.entries[entry]}`,
               'the entry links to its row in the child’s chronology');
  assert.equal(await box.locator('a[data-child]').count(), flag.children.length);

  // The table as CSV: a header and a row for each pattern, with the same counts.
  const csv = await downloadCsv(page, page.locator('#integrity-summary + p a[download]'));
  assert.deepEqual(csv[0], [en.integrity.pattern_id, en.integrity.pattern, en.integrity.looked_for, en.integrity.checked,
                            en.integrity.flags, en.integrity.entries_flagged]);
  assert.equal(csv.length, ids.length + 1);
  for (const id of ids) {
    const r = csv.find((x) => x[0] === id);
    assert.deepEqual(r.slice(3), [String(api.summary[id].checked), String(api.summary[id].flags), String(api.summary[id].entries)]);
  }
  // One pattern's flags as CSV: a row each.
  const flagsCsv = await downloadCsv(page, page.locator(`#flags-${flag.pattern} > p a[download]`));
  assert.equal(flagsCsv.length, api.summary[flag.pattern].flags + 1);
  await check(page, 'integrity-03-results');

  // Printing: no navigation, form or download links; the table and the flags stay.
  await page.emulateMedia({media: 'print'});
  for (const sel of ['#cw-header', '#integrity-form', '#integrity-summary + p a[download]']) {
    assert.equal(await page.locator(sel).isVisible(), false, `${sel} is not printed`);
  }
  for (const sel of ['#integrity-summary', `#flag-${flag.pattern}-${k}`]) {
    assert.equal(await page.locator(sel).isVisible(), true, `${sel} is printed`);
  }
  await page.emulateMedia({media: 'screen'});

  // The child's record, from the flag; then the entry's row in its chronology.
  const child = flag.children[0];
  await box.locator(`a[data-child="${child}"]`).click();
  await settled(page);
  assert.equal(new URL(page.url()).pathname, `/children/${child}`);
  assert.equal(await page.getByText(en.forbidden.title).count(), 0);
  assert.ok((await page.locator('main').innerText()).includes(child));
  await page.goBack();
  await settled(page);
  await page.locator(`#flag-${flag.pattern}-${k} a[data-entry="${flag.entries[entry]}"]`).click();
  await settled(page);
  await page.locator(`#entry-${flag.entries[entry]}`).waitFor();
  await page.context().close();
});

test('integrity: a social worker has no link to it, the page says they cannot see it, and the API refuses', async () => {
  const page = await newPage(browser);
  await signIn(page, 'social.worker');
  assert.equal(await page.getByRole('link', {name: en.nav.integrity}).count(), 0, 'not in a social worker’s navigation');
  await go(page, `/integrity?from=${FROM}&to=${now}`);
  assert.equal(await page.locator('#page-heading').innerText(), en.forbidden.title);
  assert.equal(await page.locator('#integrity-summary').count(), 0);
  const r = await apiGet(page, `/api/v1/integrity?from=${FROM}&to=${now}`);
  assert.equal(r.status, 403);
  assert.equal(JSON.parse(r.text).error.field, 'role');
  await check(page, 'integrity-04-refused');
  await page.context().close();
});
