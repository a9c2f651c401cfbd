// harness.mjs — the browser, the checks every page gets, and sign-in.
//
// Every page a journey reaches is checked by axe-core for WCAG 2.2 A and AA
// failures, and saved as a screenshot (CW_SCREENSHOTS). The browser's console
// must stay free of errors (a script failure, or a Content-Security-Policy
// refusal), apart from the log of a request the server refused on purpose.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {chromium} from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const URL_ = process.env.CW_URL;
export const PASSWORD = process.env.CW_PASSWORD;
const SHOTS = process.env.CW_SCREENSHOTS;
assert.ok(URL_ && PASSWORD && SHOTS, 'run by tests/browser_test.sh (CW_URL, CW_PASSWORD, CW_SCREENSHOTS)');

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    // As root (CI), chromium's sandbox cannot start; the pages are our own.
    args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
  });
}

// A fresh browser context (its own cookies) with a page that records console errors and
// any of the application's own files that failed to load. options: Playwright's context
// options (a timezoneId, say).
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({viewport: {width: 1200, height: 900}, ...options});
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // Chromium logs every 4xx/5xx fetch; the journeys cause some API refusals on purpose,
    // and a file that fails is caught by its response below.
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) page.errors.push(m.text());
  });
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (!u.pathname.startsWith('/api/') && r.status() >= 400) page.errors.push(`${r.status()} for ${u.pathname}`);
  });
  return page;
}

export function noConsoleErrors(page) {
  assert.deepEqual(page.errors, [], 'the browser console has errors');
}

// Waits for the application to finish drawing the page (aria-busy gone, an h1 there).
export async function settled(page) {
  await page.waitForSelector('#main-content:not([aria-busy]) #page-heading');
  await page.waitForLoadState('networkidle');
}

export async function go(page, p) {
  await page.goto(URL_ + p);
  await settled(page);
}

const checked = new Set();
// axe-core on the page as it is now: no WCAG 2.x A or AA violation. Saves a screenshot as NAME.
export async function check(page, name) {
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => window.axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']},
  }));
  const problems = result.violations.map((v) =>
    `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n    ')}`);
  await page.screenshot({path: path.join(SHOTS, `${name}.png`), fullPage: true});
  checked.add(name);
  assert.deepEqual(problems, [], `axe-core finds WCAG A/AA violations on ${name}`);
  noConsoleErrors(page);
}

export async function signIn(page, username, password = PASSWORD) {
  await go(page, '/sign-in');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', {exact: true}).fill(password);
  await page.getByRole('button', {name: 'Sign in'}).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
  await settled(page);
}

// ---- shared by the journeys that read the API and download tables ----

// Today as the server counts days (UTC), and its financial year (by its first year).
export const TODAY = new Date().toISOString().slice(0, 10);
export const FY = Number(TODAY.slice(0, 4)) - (Number(TODAY.slice(5, 7)) >= 4 ? 0 : 1);

// GET on the API in the page's session (its cookie): {status, type, text}; and as JSON (200).
export const apiGet = (page, p) => page.evaluate(async (q) => {
  const r = await fetch(q);
  return {status: r.status, type: r.headers.get('Content-Type'), text: await r.text()};
}, p);
export async function apiJson(page, p) {
  const r = await apiGet(page, p);
  assert.equal(r.status, 200, `${p}: ${r.text}`);
  return JSON.parse(r.text);
}

// RFC 4180: records of fields, quoted fields with doubled quotes, CRLF between records.
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      assert.notEqual(ch, '\n', 'records end in CRLF');
      field += ch;
    }
  }
  assert.equal(field + row.join(''), '', 'the file ends with CRLF');
  return rows;
}

// Clicks a CSV download link: the file (a .csv name, a byte order mark), as records.
export async function downloadCsv(page, link) {
  const [dl] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.match(dl.suggestedFilename(), /^[a-z0-9-.]+\.csv$/);
  const text = readFileSync(await dl.path(), 'utf8');
  assert.ok(text.startsWith('\uFEFF'), 'a UTF-8 byte order mark, for spreadsheets');
  return parseCsv(text.slice(1));
}
