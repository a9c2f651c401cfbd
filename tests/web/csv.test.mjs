// csv.test.mjs — the CSV files the pages offer (web/app/csv.js): RFC 4180 quoting, and no
// cell a spreadsheet would run as a formula. Runs in Node, without the browser.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {csvField, fileName, toCsv} from '../../web/app/csv.js';

test('measures: CSV fields are quoted as RFC 4180 asks', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a, b'), '"a, b"');
  assert.equal(csvField('say "no"'), '"say ""no"""');
  assert.equal(csvField('two\r\nlines'), '"two\r\nlines"');
  assert.equal(csvField('line\nfeed'), '"line\nfeed"');
  assert.equal(csvField(' padded '), '" padded "');
  assert.equal(csvField(null), '');
  assert.equal(csvField(undefined), '');
  assert.equal(csvField(''), '');
  assert.equal(csvField(85.1), '85.1');
  assert.equal(toCsv([['id', 'value'], ['PM24', 85.1], ['x,y', null]]), 'id,value\r\nPM24,85.1\r\n"x,y",\r\n');
});

test('measures: a CSV text cell that a spreadsheet would run as a formula gets an apostrophe', () => {
  for (const s of ['=1+1', '+44 1234', '-2', '@SUM(A1)', '\tx', '\rx']) {
    assert.ok(csvField(s).replace(/^"/, '').startsWith(`'${s[0]}`), JSON.stringify(s));
  }
  assert.equal(csvField('=HYPERLINK("http://x","y")'), '"\'=HYPERLINK(""http://x"",""y"")"');
  assert.equal(csvField(-2), '-2', 'a number stays a number');
  assert.equal(csvField('2025-04-01'), '2025-04-01');
  assert.equal(fileName('PM24', 'teams', '2025-04-01-2025-06-30'), 'pm24-teams-2025-04-01-2025-06-30');
  assert.equal(fileName('timeliness.cp_visit', '', 'Child protection'), 'timeliness-cp-visit-child-protection');
});
