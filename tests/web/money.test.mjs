// money.test.mjs — amounts typed as pounds and pence, read as whole pence from the digits
// (web/app/money.js; docs/improvement.md, "Budget: integer pence"). Runs in Node, without the
// browser.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {parsePence} from '../../web/app/money.js';

test('improvement: pounds and pence are read as whole pence, without floating point', () => {
  assert.deepEqual(parsePence('1,333,333.33'), {pence: 133333333});
  assert.deepEqual(parsePence('£1,333,333.33'), {pence: 133333333});
  assert.deepEqual(parsePence(' £ 4000000 '), {pence: 400000000});
  assert.deepEqual(parsePence('0.01'), {pence: 1});
  assert.deepEqual(parsePence('0.1'), {pence: 10});
  assert.deepEqual(parsePence('0'), {pence: 0});
  // 0.29 * 100 is 28.999999999999996 in floating point: the digits give 29.
  assert.deepEqual(parsePence('0.29'), {pence: 29});
  assert.deepEqual(parsePence('10,000,000,000.00'), {pence: 1000000000000});
  assert.deepEqual(parsePence('9007199254740.99'), {error: 'improve.money_too_much'});
  // Three allocations of £1,333,333.33 and one of £0.01 total £4,000,000.00 exactly.
  const total = ['1,333,333.33', '1,333,333.33', '1,333,333.33', '0.01'].reduce((s, x) => s + parsePence(x).pence, 0);
  assert.equal(total, 400000000);
});

test('improvement: an amount that is not pounds and pence is refused, and says why', () => {
  assert.deepEqual(parsePence('1.333'), {error: 'improve.money_decimals'});
  assert.deepEqual(parsePence('1,333,333.333'), {error: 'improve.money_decimals'});
  assert.deepEqual(parsePence(''), {error: 'improve.money_needed'});
  assert.deepEqual(parsePence('   '), {error: 'improve.money_needed'});
  assert.deepEqual(parsePence('£'), {error: 'improve.money_needed'});
  for (const bad of ['1,33,333', '1.', '.5', '-5', '1e6', '12,34', 'ten', '1 000', '1,000.5.0', '0x10']) {
    assert.deepEqual(parsePence(bad), {error: 'improve.money_format'}, bad);
  }
  assert.deepEqual(parsePence('10,000,000,000.01'), {error: 'improve.money_too_much'});
});
