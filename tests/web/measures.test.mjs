// measures.test.mjs — the performance measures pages (docs/web.md, "Performance measures"),
// in a real browser against the demo council (tests/browser_test.sh). Every figure the page
// shows is read back and compared with what the API gives for the same query; every CSV is
// downloaded through the browser (under the server's Content-Security-Policy) and compared
// with its table.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import en from '../../web/app/messages/en.js';
import {FY, TODAY, URL_, apiGet, apiJson, check, downloadCsv, go, launch, newPage, settled,
        signIn} from './harness.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const now = TODAY;
const fy = FY;
// A whole quarter in the past: the first of last financial year.
const QUARTER = `${fy - 1}-q1`;

// A table's body as text, row by row (the "None" row of an empty table is no row).
const rowsOf = (page, sel) => page.locator(`${sel} tbody tr`).evaluateAll((trs) =>
  trs.map((tr) => [...tr.cells].map((c) => c.innerText.trim())).filter((r) => r.length > 1));

// Follows the "Download this table as CSV" link under a table: the file, as records.
async function tableCsv(page, tableSel) {
  const a = page.locator(`${tableSel} + p a[download]`);
  assert.equal(await a.innerText(), en.common.download_csv);
  return downloadCsv(page, a);
}

const pct = (v) => (v === null ? en.measures.no_figure : `${v.toFixed(1)}%`);

test('measures: a head of service chooses a quarter, reads each figure, its trend, the teams, and downloads them', async () => {
  const page = await newPage(browser);
  await signIn(page, 'head.of.service');
  await page.getByRole('link', {name: en.nav.measures}).click();
  await settled(page);
  assert.equal(new URL(page.url()).pathname, '/measures');
  await check(page, 'measures-01-this-year');

  // The form: a quarter of last year, the whole council; sent as the page's query.
  await page.getByLabel(en.measures.a_quarter).check();
  await page.locator('#f-quarter').selectOption(QUARTER);
  await page.getByLabel(en.measures.scope_council).check();
  await page.getByRole('button', {name: en.measures.show}).click();
  await page.waitForURL((u) => u.searchParams.get('quarter') === QUARTER);
  await settled(page);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('period'), 'quarter');
  assert.equal(url.searchParams.get('scope'), 'council');
  assert.equal(await page.locator('#f-quarter').inputValue(), QUARTER, 'the form shows what was chosen');

  // Every figure is the API's for the same query.
  const api = await apiJson(page, `/api/v1/measures?period=${QUARTER}`);
  const shown = await rowsOf(page, '#measures');
  assert.equal(shown.length, api.measures.length, 'a row for every measure');
  for (const m of api.measures) {
    const row = await page.locator(`[id="measure-${m.id}"]`).evaluate((tr) => [...tr.cells].map((c) => c.innerText.trim()));
    assert.ok(row[0].startsWith(m.id), `${m.id} heads its row`);
    assert.equal(row[2], String(m.numerator), `${m.id}: numerator`);
    assert.equal(row[3], String(m.denominator), `${m.id}: denominator`);
    if (m.unit === 'percent') assert.equal(row[1], pct(m.value), `${m.id}: value`);
  }
  // The targets: PM24's is met or not, in words, as the figure says.
  const pm24 = api.measures.find((m) => m.id === 'PM24');
  const target = api.measure_definitions.find((d) => d.id === 'PM24').target;
  const pm24Row = await page.locator('[id="measure-PM24"]').innerText();
  assert.ok(pm24Row.includes(`At least ${target.value.toFixed(1)}%`));
  if (pm24.value !== null) {
    assert.ok(pm24Row.includes(pm24.value >= target.value ? en.measures.meets : en.measures.below));
  }
  const main = await page.locator('main').innerText();
  assert.ok(main.includes(`${api.checkpoint.origin}, `), 'the checkpoint the figures were computed at');
  assert.ok(main.includes(api.checkpoint.root_hash) || Number(main.match(/, (\d+) entries/)[1]) <= api.checkpoint.size);

  // The CSV of the table: a header and a row for each measure, the same figures.
  const csv = await tableCsv(page, '#measures');
  assert.deepEqual(csv[0].slice(0, 6), [en.measures.measure, en.measures.title_col, en.measures.unit, en.measures.value,
                                        en.measures.numerator, en.measures.denominator]);
  assert.equal(csv.length, shown.length + 1, 'a header row and a row for each row of the table');
  for (const m of api.measures) {
    const r = csv.find((x) => x[0] === m.id);
    assert.deepEqual([r[1], r[4], r[5]], [m.title, String(m.numerator), String(m.denominator)], `${m.id} in the CSV`);
  }

  // The trend of the chosen measure (PM24 by default): 12 months and 4 quarters of the
  // financial year, each month the API's figure for that month.
  const months = await rowsOf(page, '#trend-months');
  assert.equal(months.length, 12, 'twelve months');
  assert.equal(months[0][0], `April ${fy - 1}`);
  assert.equal(months[11][0], `March ${fy}`);
  assert.equal((await rowsOf(page, '#trend-quarters')).length, 4, 'four quarters');
  const may = (await apiJson(page, `/api/v1/measures?from=${fy - 1}-05-01&to=${fy - 1}-05-31`)).measures.find((m) => m.id === 'PM24');
  assert.deepEqual(months[1].slice(0, 4), [`May ${fy - 1}`, pct(may.value), String(may.numerator), String(may.denominator)]);
  const q1 = (await rowsOf(page, '#trend-quarters'))[0];
  assert.deepEqual(q1.slice(2, 4), [String(pm24.numerator), String(pm24.denominator)], 'the first quarter is the chosen one');
  assert.equal(await page.locator('#chart-trend-months svg polyline, #chart-trend-months svg circle').count() > 0, true,
               'the chart is drawn');
  assert.equal(await page.locator('#chart-trend-months svg .cw-line-chart__target').count(), 1, 'with its target');
  assert.equal((await tableCsv(page, '#trend-months')).length, 13, 'the trend as CSV: a header and 12 months');

  // The teams compared (by=team): their denominators add up to the council's; best first.
  const teams = await rowsOf(page, '#by-team');
  const byTeam = await apiJson(page, `/api/v1/measures?period=${QUARTER}&by=team`);
  const sum = byTeam.by_team.reduce((n, bt) => n + bt.measures.find((m) => m.id === 'PM24').denominator, 0);
  assert.equal(sum, pm24.denominator);
  assert.equal(teams.reduce((n, r) => n + Number(r[4]), 0), pm24.denominator, 'the teams add up to the council');
  const values = teams.map((r) => parseFloat(r[2])).filter((v) => !Number.isNaN(v));
  assert.deepEqual(values, [...values].sort((a, b) => b - a), 'best first');
  assert.equal((await tableCsv(page, '#by-team')).length, teams.length + 1);
  await check(page, 'measures-02-quarter');

  // Printing: no navigation, form or download links; the tables and charts stay.
  await page.emulateMedia({media: 'print'});
  for (const sel of ['#cw-header', '#measures-form', '#measures + p a[download]', '#report-link']) {
    assert.equal(await page.locator(sel).isVisible(), false, `${sel} is not printed`);
  }
  for (const sel of ['#measures', '#trend-months', '#chart-trend-months svg', '#by-team']) {
    assert.equal(await page.locator(sel).isVisible(), true, `${sel} is printed`);
  }
  await page.emulateMedia({media: 'screen'});

  // The signed report, for the same query.
  const report = page.locator('#report-link');
  assert.equal(new URL(await report.getAttribute('href'), URL_).search, `?period=${QUARTER}`);
  const note = await apiGet(page, await report.getAttribute('href'));
  assert.equal(note.status, 200);
  assert.ok(note.text.startsWith('{"checkpoint":'), 'a signed note of the report');
  assert.ok(note.text.includes(`"from":"${fy - 1}-04-01"`));
  assert.match(note.text, /\n\n\u2014 /, 'with its signature');

  // The drill-down of the measure with most items: every item counted, the look recorded.
  const big = [...api.measures].sort((a, b) => b.denominator - a.denominator)[0];
  await page.locator(`a[data-measure="${big.id}"]`).click();
  await settled(page);
  const drill = new URL(page.url());
  assert.equal(drill.pathname, `/measures/${big.id}`);
  assert.equal(drill.searchParams.get('quarter'), QUARTER, 'with the same query');
  assert.equal(await page.locator('#figure-numerator').innerText(), String(big.numerator));
  assert.equal(await page.locator('#figure-denominator').innerText(), String(big.denominator));
  const items = await rowsOf(page, '#items');
  const hidden = await page.locator('#hidden-items').count();
  assert.equal(hidden, 0, 'the head of service sees every child');
  assert.equal(items.length, big.denominator, 'an item for each of the denominator');
  assert.equal(items.filter((r) => r[3] === en.common.yes).length, big.numerator, 'those in the numerator');
  const first = page.locator('#items tbody tr').first();
  const child = (await first.locator('a').first().getAttribute('href')).split('/')[2];
  assert.match(await first.locator('a').first().getAttribute('href'), /^\/children\/[^/#]+$/);
  assert.match(await first.locator('a').last().getAttribute('href'), new RegExp(`^/children/${child}#entry-\\d+$`));
  const itemsCsv = await tableCsv(page, '#items');
  assert.equal(itemsCsv.length, items.length + 1, 'the items as CSV: a header and a row each');
  assert.equal(itemsCsv[0][0], en.measures.child_id);
  const log = await apiJson(page, `/api/v1/measures/${big.id}?period=${QUARTER}`);
  assert.equal(log.items.length, items.length);
  await check(page, 'measures-03-drill-down');

  // The child's record, from the item.
  await first.locator('a').first().click();
  await settled(page);
  assert.equal(new URL(page.url()).pathname, `/children/${child}`);

  // The verify page: how to recompute, and the report.
  await go(page, '/verify');
  const v = await page.locator('main').innerText();
  assert.ok(v.includes('caseward verify --dir export/ --vkey vkey --measures report'));
  assert.equal(await page.locator('#verify-report-link').getAttribute('href'), '/api/v1/measures-report');
  await check(page, 'measures-04-verify');
  await page.context().close();
});

test('measures: a social worker sees the items about children they may see, and the number of the rest', async () => {
  const page = await newPage(browser);
  await signIn(page, 'social.worker');
  assert.equal(await page.getByRole('link', {name: en.nav.measures}).count(), 0, 'not in a social worker’s navigation');
  // A measure with items about the social worker's own children and about others': the
  // first, by the number of items, of last year or this year (WEB-A's overdue visit is this
  // year's, tests/browser_test.sh).
  let big;
  let drill;
  let period;
  search: for (const [choice, q] of [['last_year', `period=fy${fy - 1}`], ['this_year', `from=${fy}-04-01&to=${now}`]]) {
    const api = await apiJson(page, `/api/v1/measures?${q}`);
    for (const m of [...api.measures].filter((x) => x.denominator).sort((a, b) => b.denominator - a.denominator)) {
      drill = await apiJson(page, `/api/v1/measures/${m.id}?${q}`);
      [big, period] = [m, choice];
      if (drill.items.length && drill.hidden) break search;
    }
  }
  assert.ok(drill.items.length > 0 && drill.hidden > 0, 'a measure with items seen and items not seen');
  await go(page, `/measures/${big.id}?period=${period}&scope=council`);
  assert.equal(await page.locator('#figure-denominator').innerText(), String(big.denominator));
  const items = await rowsOf(page, '#items');
  assert.equal(items.length, drill.items.length);
  assert.equal(items.length + drill.hidden, big.denominator, 'the items seen and the rest make the denominator');
  const note = await page.locator('#hidden-items').innerText();
  assert.ok(note.startsWith(`${drill.hidden} more item`) && note.includes('cannot see'), note);
  // Each item shown is about a child the social worker may open.
  const mine = new Set();
  for (let after = ''; ;) {
    const r = await apiJson(page, `/api/v1/children?limit=5000${after ? `&after=${after}` : ''}`);
    for (const c of r.children) mine.add(c.child_id);
    if (!r.next) break;
    after = r.next;
  }
  for (const i of drill.items) assert.ok(mine.has(i.child_id), `${i.child_id} is in the social worker's scope`);
  // One of them opens.
  await page.locator('#items tbody tr a').first().click();
  await settled(page);
  assert.match(new URL(page.url()).pathname, /^\/children\/[^/]+$/);
  assert.equal(await page.getByText(en.forbidden.title).count(), 0);
  await page.goBack();
  await settled(page);
  await check(page, 'measures-05-drill-down-social-worker');
  await page.context().close();
});

test('measures: a wrong date is refused in the error summary; a team’s page from its address', async () => {
  const page = await newPage(browser);
  await signIn(page, 'team.manager');
  await go(page, '/measures');
  await page.getByLabel(en.measures.dates).check();
  await page.fill('#f-from-day', '31');
  await page.fill('#f-from-month', '2');
  await page.fill('#f-from-year', String(fy));
  await page.getByRole('button', {name: en.measures.show}).click();
  const summary = page.locator('.govuk-error-summary');
  await summary.waitFor();
  const text = await summary.innerText();
  assert.ok(text.includes('Start date must be a real date'), text);
  assert.ok(text.includes('Enter end date'), text);
  assert.equal(new URL(page.url()).search, '', 'nothing is sent');
  await check(page, 'measures-06-error');

  // A bookmarked page: one month, one team. No teams to compare; the figures are the team's.
  const teams = (await apiJson(page, '/api/v1/teams')).teams;
  const team = teams.find((x) => x.team_id === 'safe.l1') || teams[0];
  const month = `${fy - 1}-06`;
  await go(page, `/measures?period=month&month=${month}&scope=team&team=${team.team_id}&measure=timeliness.cp_visit`);
  const main = await page.locator('main').innerText();
  assert.ok(main.includes(`Team: ${team.name}`));
  assert.ok(main.includes(en.measures.compare_needs_more));
  const api = await apiJson(page, `/api/v1/measures?period=${month}&team=${team.team_id}`);
  const cp = api.measures.find((m) => m.id === 'timeliness.cp_visit');
  const row = await page.locator('[id="measure-timeliness.cp_visit"]').evaluate((tr) => [...tr.cells].map((c) => c.innerText.trim()));
  assert.deepEqual(row.slice(2, 4), [String(cp.numerator), String(cp.denominator)]);
  assert.equal(await page.locator('#report-link').count(), 0, 'the signed report is for the head of service and inspectors');
  await check(page, 'measures-07-team-month');
  await page.context().close();
});
