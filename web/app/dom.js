// dom.js — building the page from data, safely.
//
// Every string goes into the page as text (a text node or an attribute), never
// as HTML, so nothing a record holds can become markup or script.

// Words in a language that may not be the page's: the server's messages, a rule pack's
// titles (English today). Put into the page by h() and append(), they are marked with their
// language (lang="en" on a Welsh page), and are plain text where the page is in it already.
export const foreign = (text, lang = 'en') => ({text: text ?? '', lang: lang || 'en', foreign: true});
export const isForeign = (v) => Boolean(v && typeof v === 'object' && v.foreign === true);
// The text alone (for a title, an attribute, a file).
export const plain = (v) => (isForeign(v) ? v.text : v);
const pageLang = () => document.documentElement.lang || 'en';

// h('a', {href: '/x', class: 'govuk-link'}, 'text', child, [more]) → an element.
// Props: class, id, text, for (htmlFor), on<event> (a listener), dataset via
// 'data-*', boolean attributes as true/false; null and undefined are skipped.
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    if (isForeign(c)) {
      el.append(c.lang === pageLang() ? c.text : h('span', {lang: c.lang}, c.text));
      continue;
    }
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// A fragment of several nodes.
export function frag(...children) {
  return append(document.createDocumentFragment(), children);
}

// Replaces el's content.
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}
