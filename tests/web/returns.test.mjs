// returns.test.mjs — the data team's statutory returns page (docs/web.md, "Statutory returns";
// docs/returns.md), in a real browser against the demo council of tests/browser_test.sh. The
// data team signs in and lands on the page; a year that is not one is refused in the error
// summary and nothing is made; the CIN census for the last collection year is made, and every
// figure the page shows is read back and compared with GET /api/v1/returns/cin for the same
// year; the notes file downloads through its link and holds the notes the page lists. The data
// team cannot open the children's list.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import en from '../../web/app/messages/en.js';
import cy from '../../web/app/messages/cy.js';
import {apiGet, apiJson, check, go, launch, newPage, parseCsv, settled, signIn} from './harness.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

// The last collection year: the one that ended on the 31 March last past.
const now = new Date();
const YEAR = now.getUTCMonth() >= 3 ? now.getUTCFullYear() : now.getUTCFullYear() - 1;

test('returns: the data team makes the CIN census, reads its figures and notes, and downloads the notes file', async () => {
  const page = await newPage(browser);
  await signIn(page, 'data.team');
  assert.equal(new URL(page.url()).pathname, '/returns', 'the data team starts on the returns page');
  assert.equal(await page.inputValue('#f-year'), String(YEAR));
  assert.equal(await page.locator('#returns-files').count(), 0, 'nothing made until asked');
  await check(page, 'returns-01-form');

  // A year that is not one: in the error summary, nothing made.
  await page.fill('#f-year', '26');
  await page.getByRole('button', {name: en.returns.make}).click();
  const summary = page.locator('.govuk-error-summary');
  await summary.waitFor();
  assert.ok((await summary.innerText()).includes(en.returns.year_error));
  assert.equal(await page.locator('#returns-files').count(), 0);
  await check(page, 'returns-02-error');

  // The census for the last collection year.
  await page.fill('#f-year', String(YEAR));
  await page.getByRole('button', {name: en.returns.make}).click();
  await page.locator('#returns-files').waitFor();
  await settled(page);
  assert.equal(new URL(page.url()).search, `?kind=cin&year=${YEAR}`);
  const api = await apiJson(page, `/api/v1/returns/cin?year=${YEAR}`);
  const facts = await page.locator('.govuk-summary-list').innerText();
  assert.ok(facts.includes(api.la), 'the LA number');
  assert.ok(facts.includes(`${en.returns.children}\n${api.counts.children}`) ||
            facts.includes(`${en.returns.children}\t${api.counts.children}`), `children: ${facts}`);
  assert.ok(api.counts.children > 0);
  const files = await page.locator('#returns-files tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.cells].map((c) => c.innerText.trim())));
  assert.deepEqual(files, api.files.map((f) => [f.name, String(f.bytes), f.sha256]));
  const notes = await page.locator('#returns-notes tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.cells].map((c) => c.innerText.trim())));
  assert.deepEqual(notes, api.notes.slice(0, 500).map((n) => [n.child, n.field, n.note]));
  await check(page, 'returns-03-made');

  // The notes file, through its link: the notes the page lists, in CSV.
  const link = page.getByRole('link', {name: `cin-${YEAR}-notes.csv`});
  const [dl] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.equal(dl.suggestedFilename(), `cin-${YEAR}-notes.csv`);
  const {readFileSync} = await import('node:fs');
  const rows = parseCsv(readFileSync(await dl.path(), 'utf8'));
  assert.deepEqual(rows[0], ['child', 'field', 'note']);
  assert.equal(rows.length - 1, api.notes.length);
  // The census itself is XML, with the year's reference date.
  const xml = await apiGet(page, `/api/v1/returns/cin?year=${YEAR}&file=cin-${YEAR}.xml`);
  assert.equal(xml.status, 200);
  assert.ok(xml.text.includes(`<ReferenceDate>${YEAR}-03-31</ReferenceDate>`));

  // The data team reads no child: the children's list is refused.
  await go(page, '/children');
  assert.ok((await page.locator('h1').innerText()).length > 0);
  assert.equal((await apiGet(page, '/api/v1/children')).status, 403);
  await page.close();
});

test('returns: in Welsh, the page and its error speak Welsh', async () => {
  const page = await newPage(browser);
  try {
    await signIn(page, 'data.team');
    await page.locator('#language-cy').click();
    await page.waitForFunction(() => document.documentElement.lang === 'cy');
    await go(page, '/returns?kind=cin&year=20x6');
    assert.ok((await page.locator('#page-heading').innerText()).endsWith(cy.returns.title));
    assert.ok((await page.locator('.govuk-error-summary').innerText()).includes(cy.returns.year_error));
    await check(page, 'returns-04-welsh');
  } finally {
    // the account keeps its language: back to English, as other journeys expect
    await page.evaluate(async () => {
      const csrf = decodeURIComponent((document.cookie.match(/(?:^|;\s*)cw_csrf=([^;]*)/) || [])[1] || '');
      if (csrf) {
        await fetch('/api/v1/me/language', {method: 'PUT', body: '{"language":"en"}',
                                            headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf}});
      }
    }).catch(() => {});
    await page.close();
  }
});
