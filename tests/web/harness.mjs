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
