// main.js — the application shell: header, navigation, the router, and the
// GOV.UK Frontend components of each page. Pages are modules in pages/ that
// read the JSON API and return what to show.
import {api, lastActivity, whenSignedOut} from './api.js';
import {enhance} from './govuk.js';
import {frag, h, replace} from './dom.js';
import {notification} from './ui.js';
import {chooseLanguage, chosenLanguage, language, setLanguage, t} from './i18n.js';
import * as pages from './pages/index.js';
import {signOut} from './pages/signin.js';

// GOV.UK Frontend's check that the browser runs its JavaScript (done here, not
// in an inline script, which the Content-Security-Policy does not allow).
document.body.classList.add('js-enabled');
if ('noModule' in HTMLScriptElement.prototype) document.body.classList.add('govuk-frontend-supported');
setLanguage(chosenLanguage());

// The routes: a path pattern, the page, and whether it needs a sign-in.
const routes = [
  ['/', pages.home],
  ['/sign-in', pages.signIn, {open: true}],
  ['/sign-out', pages.signOut, {open: true}],
  ['/account/password', pages.password],
  ['/caseload', pages.caseload],
  ['/children', pages.children],
  ['/children/:id', pages.child],
  ['/children/:id/record', pages.chooseCommand],
  ['/children/:id/record/:type', pages.command],
  ['/children/:id/restriction', pages.restriction],
  ['/sign-offs', pages.signOffs],
  ['/sign-offs/:entry', pages.signOff],
  ['/record/:type', pages.command],
  ['/team', pages.team],
  ['/teams/:team', pages.team],
  ['/service', pages.service],
  ['/measures', pages.measures],
  ['/measures/:id', pages.measure],
  ['/integrity', pages.integrity],
  ['/returns', pages.returns],
  ['/erasures', pages.erasures],
  ['/erasures/:id', pages.erasure],
  ['/audits', pages.audits],
  ['/audits/:programme', pages.programme],
  ['/audits/:programme/cases/:child', pages.auditCase],
  ['/audit-reports', pages.auditReports],
  ['/improvement', pages.improvement],
  ['/improvement/plans/:plan', pages.improvementPlan],
  ['/improvement/plans/:plan/report', pages.improvementReport],
  ['/improvement/actions/:action', pages.improvementAction],
  ['/verify', pages.verify, {open: true}],
  ['/staff', pages.staff],
].map(([pattern, page, opts = {}]) => ({
  re: new RegExp(`^${pattern.replace(/:(\w+)/g, '(?<$1>[^/]+)')}$`), page, ...opts,
}));

// Who is signed in (null: nobody), read once per page load and after sign-in.
let me;
export async function whoAmI(fresh = false) {
  if (me === undefined || fresh) {
    try {
      me = await api.get('/api/v1/me');
      await ownLanguage(me);
    } catch (e) {
      if (e.status !== 401) throw e;
      me = null;
    }
  }
  return me;
}
// The language is the one chosen last: on the sign-in page (kept with the account once signed
// in), else the account's (chosen on any browser), else this browser's.
async function ownLanguage(who) {
  const pending = sessionStorage.getItem('cw.lang.signed_out');
  sessionStorage.removeItem('cw.lang.signed_out');
  if (pending && pending !== who.language) {
    who.language = pending;
    await keepLanguage(pending);
  } else if (who.language && who.language !== language()) {
    chooseLanguage(who.language);
  }
}
async function keepLanguage(code) {
  try {
    await api.put('/api/v1/me/language', {language: code});
  } catch (e) {
    console.warn(`the language was not kept with the account: ${e.message}`);
  }
}

export function forget() {
  me = null;
  sessionStorage.removeItem('cw.after');
}

// The route and its parameters for a path (null: no page has that path). A parameter that
// is not valid percent-encoding names nothing.
function routeOf(pathname) {
  for (const route of routes) {
    const m = pathname.match(route.re);
    if (!m) continue;
    try {
      const params = Object.fromEntries(Object.entries(m.groups || {}).map(([k, v]) => [k, decodeURIComponent(v)]));
      return {route, params};
    } catch (e) {
      return null;
    }
  }
  return null;
}

// A request refused because the session has ended (idle, or signed out elsewhere): sign in
// again, and come back here. Only a session that existed can end: someone who has not
// signed in is simply not signed in.
whenSignedOut(() => {
  if (!me) return;
  me = null;
  const here = routeOf(location.pathname);
  if (here && !here.route.open) {
    sessionStorage.setItem('cw.after', location.pathname + location.search);
    navigate('/sign-in', {replace: true, notice: {text: t('signin.expired')}});
  }
});

// After sign-in, the page asked for before it: an application path of a page that needs a
// sign-in, or nothing. Read once.
export function takeAfter() {
  const after = sessionStorage.getItem('cw.after');
  sessionStorage.removeItem('cw.after');
  const r = after && after.startsWith('/') && !after.startsWith('//') ? routeOf(after.split('?')[0]) : null;
  return r && !r.route.open ? after : null;
}

// Social workers have no link to the measures: their pages are their own casework. The
// measures page is open to them (as the API is), at /measures. The integrity analytics are
// the head of service's and inspectors' only (pages/integrity.js; the API refuses others).
// Case-file audits (pages/audits.js): the auditor's cases and the programmes for QA auditors and
// managers; the reports' tracker for heads of service and inspectors too. Improvement plans
// (pages/improvement.js) for everyone on the staff: those who read every plan see them all, and
// anyone else the actions assigned to them.
const NAV = {
  social_worker: [['/caseload', 'nav.caseload'], ['/children', 'nav.children'], ['/sign-offs', 'nav.sign_offs'],
                  ['/improvement', 'nav.improvement']],
  team_manager: [['/team', 'nav.team'], ['/caseload', 'nav.caseload'], ['/children', 'nav.children'],
                 ['/sign-offs', 'nav.sign_offs'], ['/record/supervision_held', 'nav.supervision'], ['/measures', 'nav.measures'],
                 ['/audits', 'nav.audits'], ['/improvement', 'nav.improvement']],
  service_manager: [['/service', 'nav.service'], ['/children', 'nav.children'], ['/sign-offs', 'nav.sign_offs'],
                    ['/record/supervision_held', 'nav.supervision'], ['/measures', 'nav.measures'], ['/audits', 'nav.audits'],
                    ['/improvement', 'nav.improvement']],
  head_of_service: [['/service', 'nav.service'], ['/children', 'nav.children'], ['/sign-offs', 'nav.sign_offs'],
                    ['/measures', 'nav.measures'], ['/integrity', 'nav.integrity'], ['/audits', 'nav.audits'],
                    ['/audit-reports', 'nav.audit_reports'], ['/improvement', 'nav.improvement'],
                    ['/returns', 'nav.returns']],
  inspector: [['/service', 'nav.service'], ['/children', 'nav.children'], ['/measures', 'nav.measures'],
              ['/integrity', 'nav.integrity'], ['/audits', 'nav.audits'], ['/audit-reports', 'nav.audit_reports'],
              ['/improvement', 'nav.improvement'], ['/verify', 'nav.verify']],
  qa_auditor: [['/audits', 'nav.audits'], ['/children', 'nav.children'], ['/measures', 'nav.measures'],
               ['/improvement', 'nav.improvement']],
  administrator: [['/staff', 'nav.staff']],
  data_protection_officer: [['/erasures', 'nav.erasures']],
  data_team: [['/returns', 'nav.returns']],
};
// The director of social services has the head of service's access, and their pages.
NAV.director = NAV.head_of_service;

// Signing out is a button, not a link: a link to it from anywhere would sign people out.
async function signOutNow() {
  await signOut();
  navigate('/sign-in', {notice: {text: t('signin.signed_out')}});
}

function header(who) {
  const items = who ? [...(NAV[who.role] || []), ['/account/password', 'nav.password']]
                    : [['/verify', 'nav.verify'], ['/sign-in', 'nav.sign_in']];
  const here = location.pathname;
  const active = (href) => here === href || (href !== '/' && here.startsWith(`${href}/`));
  return h('header', {},
    h('a', {href: '#main-content', class: 'govuk-skip-link', 'data-module': 'govuk-skip-link'},
      t('shell.skip')),
    h('div', {class: 'govuk-generic-header'},
      h('div', {class: 'govuk-generic-header__container govuk-width-container'},
        h('div', {class: 'govuk-generic-header__logo'},
          h('a', {href: '/', class: 'govuk-generic-header__homepage-link'}, t('shell.service'))))),
    h('section', {'aria-label': t('shell.menu_label'), class: 'govuk-service-navigation',
                  'data-module': 'govuk-service-navigation'},
      h('div', {class: 'govuk-width-container'},
        h('div', {class: 'govuk-service-navigation__container'},
          who && h('p', {class: 'govuk-body-s cw-signed-in'},
                   t('shell.signed_in_as', {name: who.username, role: t(`roles.${who.role}`)})),
          h('nav', {'aria-label': t('shell.menu'), class: 'govuk-service-navigation__wrapper'},
            h('button', {type: 'button', class: 'govuk-service-navigation__toggle govuk-js-service-navigation-toggle',
                         'aria-controls': 'navigation', hidden: true, 'aria-hidden': 'true'}, t('shell.menu')),
            h('ul', {class: 'govuk-service-navigation__list', id: 'navigation'},
              items.map(([href, key]) => h('li', {class: `govuk-service-navigation__item${active(href) ? ' govuk-service-navigation__item--active' : ''}`},
                h('a', {class: 'govuk-service-navigation__link', href, 'aria-current': active(href) ? 'page' : null},
                  active(href) ? h('strong', {class: 'govuk-service-navigation__active-fallback'}, t(key)) : t(key)))),
              who && h('li', {class: 'govuk-service-navigation__item'},
                h('button', {type: 'button', class: 'govuk-service-navigation__link cw-link-button', id: 'sign-out',
                             onclick: signOutNow}, t('nav.sign_out'))),
              languageSwitch()))))));
}

// English / Cymraeg, as GOV.UK services in Wales offer it: the language in use is shown, the
// other is a link in its own language (lang and hreflang), and the page is drawn again in it.
function languageSwitch() {
  const names = {en: 'English', cy: 'Cymraeg'};
  return h('li', {class: 'govuk-service-navigation__item cw-language'},
    ['en', 'cy'].map((code, i) => frag(i ? h('span', {'aria-hidden': 'true', class: 'cw-language__sep'}, ' | ') : null,
      code === language()
        ? h('span', {lang: code, class: 'cw-language__current', 'aria-current': 'true'}, names[code])
        : h('a', {href: location.pathname + location.search, lang: code, hreflang: code, id: `language-${code}`,
                  class: 'govuk-service-navigation__link',
                  onclick: (ev) => {
                    ev.preventDefault();
                    chooseLanguage(code);
                    // Kept with the account too (an entry in the log), for the next sign-in.
                    if (me) {
                      me.language = code;
                      keepLanguage(code);
                    } else {
                      sessionStorage.setItem('cw.lang.signed_out', code);
                    }
                    render(location.pathname + location.search, {focus: false});
                  }}, names[code]))));
}

function footer() {
  return h('footer', {class: 'govuk-footer'},
    h('div', {class: 'govuk-width-container'},
      h('div', {class: 'govuk-footer__meta'},
        h('div', {class: 'govuk-footer__meta-item govuk-footer__meta-item--grow'},
          h('p', {class: 'govuk-body-s'}, t('shell.footer'))))));
}

// The page for a path; pages get {params, query, me, navigate, notice, whoAmI} and return
// {title, body} (a node), or {redirect}.
let generation = 0;
async function render(path, {notice, focus = true} = {}) {
  const gen = ++generation;
  const main = document.getElementById('main-content');
  // Marks the page as changing, for assistive technology and for the browser tests.
  main.setAttribute('aria-busy', 'true');
  const url = new URL(path, location.origin);
  const found = routeOf(url.pathname);
  const route = found?.route;
  const params = found?.params || {};
  let out;
  try {
    const who = await whoAmI();
    if (!route) out = pages.notFound();
    else if (!route.open && !who) {
      sessionStorage.setItem('cw.after', url.pathname + url.search);
      out = {redirect: '/sign-in'};
    } else if (!route.open && who.must_change_password && url.pathname !== '/account/password') {
      out = {redirect: '/account/password'};
    } else {
      out = await route.page({params, query: url.searchParams, me: who, navigate, notice, whoAmI});
    }
  } catch (e) {
    out = pages.failed(e);
  }
  if (gen !== generation) return; // a later navigation won (and clears aria-busy)
  if (out.redirect) {
    navigate(out.redirect, {replace: true, notice: out.notice});
    return;
  }
  document.title = `${out.error ? `${t('errors.title_prefix')} ` : ''}${out.title} – ${t('shell.service')}`;
  replace(document.getElementById('cw-header'), header(me));
  replace(document.getElementById('cw-footer'), footer()); /* in the language now chosen */
  // A notice from the page before ("saved", "signed out") heads the page.
  replace(main, notice ? notification(notice.text, {success: !!notice.success}) : null, out.body);
  enhance(document.body);
  // A link to a part of a page (a chronology entry, say) goes to that part.
  const target = url.hash.length > 1 ? document.getElementById(url.hash.slice(1)) : null;
  if (target) {
    if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
    target.focus();
    target.scrollIntoView({block: 'center'});
  } else if (focus && !main.querySelector('.govuk-error-summary, .govuk-notification-banner--success')) {
    // A notice from the page before is read first; otherwise the page's heading.
    const banner = main.querySelector('.govuk-notification-banner');
    if (banner) {
      banner.setAttribute('tabindex', '-1');
      banner.focus();
    } else {
      document.getElementById('page-heading')?.focus();
    }
  }
  main.removeAttribute('aria-busy');
  watchSession();
}

export function navigate(path, {replace: rep = false, notice} = {}) {
  if (rep) history.replaceState({}, '', path);
  else history.pushState({}, '', path);
  window.scrollTo(0, 0);
  return render(path, {notice});
}

// A warning before an unused session ends (WCAG 2.2.1): five minutes before, a banner
// says so and offers to stay signed in (any request keeps the session).
let warnTimer = null;
function watchSession() {
  clearInterval(warnTimer);
  warnTimer = null;
  if (!me || !me.idle_timeout_s) return;
  const idleMs = me.idle_timeout_s * 1000;
  const warnAfter = Math.max(idleMs - 5 * 60 * 1000, idleMs / 2);
  warnTimer = setInterval(() => {
    const box = document.getElementById('session-warning');
    const idle = Date.now() - lastActivity();
    if (idle < warnAfter || idle >= idleMs) {
      box?.remove();
      return;
    }
    if (box) return;
    const minutes = Math.max(1, Math.ceil((idleMs - idle) / 60000));
    document.getElementById('main-content').prepend(
      h('div', {class: 'govuk-notification-banner', role: 'alert', id: 'session-warning',
                'aria-labelledby': 'session-warning-title', tabindex: '-1'},
        h('div', {class: 'govuk-notification-banner__header'},
          h('h2', {class: 'govuk-notification-banner__title', id: 'session-warning-title'}, t('common.important'))),
        h('div', {class: 'govuk-notification-banner__content'},
          h('p', {class: 'govuk-notification-banner__heading'}, t('session.warning', {n: minutes})),
          h('div', {class: 'govuk-button-group'},
            h('button', {type: 'button', class: 'govuk-button', 'data-module': 'govuk-button',
                         onclick: async () => {
                           await whoAmI(true).catch(() => null);
                           document.getElementById('session-warning')?.remove();
                         }}, t('session.stay')),
            h('button', {type: 'button', class: 'govuk-button govuk-button--secondary',
                         onclick: signOutNow}, t('nav.sign_out'))))));
  }, 15000);
}

// Links inside the app are followed without reloading the page.
document.addEventListener('click', (ev) => {
  const a = ev.target.closest('a[href]');
  if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey ||
      a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/') || url.hash && url.pathname === location.pathname) return;
  ev.preventDefault();
  navigate(url.pathname + url.search + url.hash);
});
window.addEventListener('popstate', () => render(location.pathname + location.search));

replace(document.getElementById('cw-footer'), footer());
render(location.pathname + location.search, {focus: false});
