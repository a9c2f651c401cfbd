// titles.test.mjs — a rule's, signal's or measure's title in the page's language
// (web/app/i18n.js, titleIn): Welsh where the pack gives title_cy, English otherwise; and the
// pages that show such titles go through it. Runs in Node, without the browser.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {titleIn} from '../../web/app/i18n.js';

const pages = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../web/app/pages');

test('titles: Welsh on a Welsh page, English otherwise, and English where there is no Welsh', () => {
  const rule = {rule: 'core_group', title: 'Core group within 10 working days', title_cy: 'Cyfarfod grŵp craidd o fewn 10 diwrnod gwaith'};
  assert.equal(titleIn(rule, 'cy'), 'Cyfarfod grŵp craidd o fewn 10 diwrnod gwaith');
  assert.equal(titleIn(rule, 'en'), 'Core group within 10 working days');
  assert.equal(titleIn({title: 'Local rule', title_cy: null}, 'cy'), 'Local rule');
  assert.equal(titleIn({title: 'Local rule', title_cy: ''}, 'cy'), 'Local rule');
  assert.equal(titleIn({title: 'Local rule'}, 'cy'), 'Local rule');
  assert.equal(titleIn(null, 'cy'), '');
});

test('titles: the pages show rule, signal and measure titles in the page language', () => {
  // Every `.title` these pages read is a rule's, a signal's or a measure's (from the API), so
  // each must go through packText (i18n.js); document.title and a fallback definition's fields aside.
  const bad = [];
  for (const file of ['caseload.js', 'child.js', 'dashboard.js', 'measures.js']) {
    readFileSync(path.join(pages, file), 'utf8').split('\n').forEach((line, i) => {
      const rest = line.replace(/'[^']*'/g, "''").replace(/document\.title/g, '')
        .replace(/title: m\.title, title_cy: m\.title_cy/g, '');
      if (/\.title\b/.test(rest)) bad.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(bad, []);
});

test('titles: a measure\'s source and what it counts go through packText, so English is marked', () => {
  const src = readFileSync(path.join(pages, 'measures.js'), 'utf8');
  assert.match(src, /\[t\('measures\.source'\), packText\(def, 'source'\)\]/);
  assert.match(src, /\[t\('measures\.counted'\), packText\(def, 'counted'\)\]/);
});
