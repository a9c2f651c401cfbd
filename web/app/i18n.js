// i18n.js — every word of the interface comes from a message catalogue: English
// (messages/en.js) or Welsh (messages/cy.js), with the same keys (tests/web/messages.test.mjs).
//
// t('caseload.title') → the text; t('caseload.summary', {n: 3}) fills {n}; a message that is
// an object {one, other} is chosen by the count {n}.
import {foreign, isForeign} from './dom.js';
import cy from './messages/cy.js';
import en from './messages/en.js';

export const LANGUAGES = ['en', 'cy'];
const catalogues = {en, cy};
let lang = 'en';
let messages = en;

export function setLanguage(code) {
  if (catalogues[code]) {
    lang = code;
    messages = catalogues[code];
  }
  document.documentElement.lang = lang;
}

export const language = () => lang;

// A rule pack's or a measure's text (its title, or another key) in a language: the packs give
// each an English `title` and a Welsh `title_cy` (docs/rules.md); Welsh falls back to English
// where a pack (a council's own copy, say) has none.
export const titleIn = (item, code, key = 'title') =>
  (code === 'cy' && item && item[`${key}_cy`] ? item[`${key}_cy`] : item ? item[key] : '');

// The language this browser chose last (the switch in the header), else Welsh for a browser
// that asks for it first, else English.
export function chosenLanguage() {
  let saved = null;
  try {
    saved = localStorage.getItem('cw.lang');
  } catch {
    saved = null; // storage refused: the default
  }
  if (LANGUAGES.includes(saved)) return saved;
  return /^cy\b/i.test((navigator.languages && navigator.languages[0]) || navigator.language || '') ? 'cy' : 'en';
}

export function chooseLanguage(code) {
  setLanguage(code);
  try {
    localStorage.setItem('cw.lang', code);
  } catch {
    // not kept: this page still changes language
  }
}

function lookup(key) {
  let v = messages;
  for (const part of key.split('.')) v = v == null ? undefined : v[part];
  if (v === undefined && messages !== en) {
    v = en;
    for (const part of key.split('.')) v = v == null ? undefined : v[part];
  }
  return v;
}

export function t(key, vars = {}) {
  let v = lookup(key);
  if (v && typeof v === 'object' && 'other' in v) v = vars.n === 1 ? v.one : v.other;
  if (typeof v !== 'string') {
    console.warn(`i18n: no message ${key}`);
    return key;
  }
  return v.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

// Like t, for a message that holds words in another language (foreign() in dom.js, such as a
// rule pack's title): the message's pieces, for h(), each of those words marked with its lang.
export function tx(key, vars = {}) {
  const marks = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, isForeign(v) ? `\u0000${k}\u0000` : v]));
  return t(key, marks).split(/\u0000(\w+)\u0000/).map((s, i) => (i % 2 ? vars[s] : s)).filter((s) => s !== '');
}

// A rule pack's words (an obligation's or a signal's title, a measure's source): the pack's
// Welsh (KEY_cy) on a Welsh page where the pack has it, else its English, marked as English.
export function packText(item, key = 'title') {
  const text = titleIn(item, lang, key);
  return item && text && text === item[`${key}_cy`] ? text : foreign(text ?? '', 'en');
}

// The message for key if there is one, else null (for labels of values that
// may be new, such as an event type the catalogue does not name yet).
export function tMaybe(key, vars) {
  const v = lookup(key);
  return v === undefined ? null : t(key, vars);
}

// A month's name, from its number (1 is January).
export function monthName(m) {
  return (lookup('months') || [])[m - 1] ?? String(m);
}

// A date as people read it: "3 March 2026".
export function formatDate(iso) {
  if (!iso) return '';
  const [y, m, d] = iso.split('-').map(Number);
  if (!y || !m || !d) return iso;
  const months = lookup('months') || [];
  return `${d} ${months[m - 1] ?? m} ${y}`;
}
