// api.js — the JSON API (docs/api.md), the only way the pages reach caseward.
//
// Every call returns {status, body}; a state change carries the session's
// CSRF token (the cw_csrf cookie, readable by this page only). A 401 means the
// session has ended: the caller is sent to sign in, and comes back afterwards.

import {foreign} from './dom.js';
import {language, t} from './i18n.js';

// A refusal: the server's {"error": {code, message, field, lang}}. lang is the message's
// language; the server's messages are English unless it says otherwise.
export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || null;
    this.field = e.field || null;
    this.lang = e.lang || 'en';
    this.problem = typeof e.problem === 'string' ? e.problem : null;
  }
}

// The server's message as words in its own language (foreign() in dom.js): on a page in
// another language it is marked with its lang.
export const messageOf = (e) => foreign(e.message, e.lang);

// The server names the field at fault ("Dyddiad: …", "date: …") and gives the problem alone
// too; a page that shows the problem by its own question for that field drops the name.
export const withoutField = (e, field) =>
  foreign(field && e.field === field && e.problem !== null ? e.problem
          : field && e.message.startsWith(`${field}: `) ? e.message.slice(field.length + 2) : e.message, e.lang);

function csrfToken() {
  const m = document.cookie.match(/(?:^|;\s*)cw_csrf=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : '';
}

let onSignedOut = () => {};
// When this page last reached the server (every request keeps an unused session alive).
let last = Date.now();
export const lastActivity = () => last;
export function whenSignedOut(fn) {
  onSignedOut = fn;
}

async function call(method, path, body) {
  // The server writes its messages in the page's language (docs/api.md, "Errors").
  const headers = {Accept: 'application/json', 'Accept-Language': language()};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken();
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, {error: {code: 'network', message: t('errors.unreachable'), lang: language()}});
  }
  if (res.status !== 401) last = Date.now();
  const type = res.headers.get('Content-Type') || '';
  const data = type.startsWith('application/json') ? await res.json().catch(() => null)
                                                    : await res.text();
  if (res.status === 401 && path !== '/api/v1/session') onSignedOut();
  if (res.status >= 400) throw new ApiError(res.status, data);
  return data;
}

export const api = {
  get: (path) => call('GET', path),
  post: (path, body) => call('POST', path, body ?? {}),
  put: (path, body) => call('PUT', path, body ?? {}),
  del: (path) => call('DELETE', path),
};

// Encodes one path segment (a child's id, a team's id).
export const seg = (s) => encodeURIComponent(s);
