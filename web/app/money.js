// money.js — amounts of money as people type them ("1,333,333.33", "£4,000,000", "0.01") read
// as whole pence, from the digits: never through a floating-point number (docs/improvement.md,
// "Budget: integer pence"). Its own module, with no imports, so Node tests it directly
// (tests/web/money.test.mjs).

// The most one entry may record: £10,000,000,000.00 (CW_IMPROVE_MAX_PENCE, src/improve/improve.h).
export const MAX_PENCE = 1000000000000n;

// {pence} or {error}: the error a message's key (improve.money_*). Commas group thousands (or
// are left out); a pound sign may lead; at most two decimal places. BigInt holds the digits
// exactly, and the result is at most 10^12, below 2^53, so the number sent is the same integer.
export function parsePence(text) {
  const s = String(text ?? '').trim().replace(/^£\s*/, '');
  if (!s) return {error: 'improve.money_needed'};
  const m = s.match(/^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d*))?$/);
  if (!m) return {error: 'improve.money_format'};
  const dec = m[2] ?? '';
  if (dec.length > 2) return {error: 'improve.money_decimals'};
  if (m[2] !== undefined && !dec.length) return {error: 'improve.money_format'};
  const pence = BigInt(m[1].replace(/,/g, '') + dec.padEnd(2, '0'));
  if (pence > MAX_PENCE) return {error: 'improve.money_too_much'};
  return {pence: Number(pence)};
}
