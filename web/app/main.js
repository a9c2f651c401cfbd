// main.js — the application shell: header, navigation, the router, and the
// GOV.UK Frontend components of each page. Pages are modules in pages/ that
// read the JSON API and return what to show.
import {api, whenSignedOut} from './api.js';
import {enhance} from './govuk.js';
import {h, replace} from './dom.js';
import {notification} from './ui.js';
import {t, setLanguage} from './i18n.js';
import * as pages from './pages/index.js';

// GOV.UK Frontend's check that the browser runs its JavaScript (done here, not
// in an inline script, which the Content-Security-Policy does not allow).
document.body.classList.add('js-enabled');
if ('noModule' in HTMLScriptElement.prototype) document.body.classList.add('govuk-frontend-supported');
setLanguage('en');

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
  ['/record/:type', pages.command],
  ['/team', pages.team],
  ['/teams/:team', pages.team],
  ['/service', pages.service],
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
    } catch (e) {
      if (e.status !== 401) throw e;
      me = null;
    }
  }
  return me;
}
export function forget() {
  me = null;
}

whenSignedOut(() => {
  me = null;
  if (location.pathname !== '/sign-in') {
    sessionStorage.setItem('cw.after', location.pathname + location.search);
    navigate('/sign-in', {replace: true, notice: {text: t('signin.expired')}});
  }
});

const NAV = {
  social_worker: [['/caseload', 'nav.caseload'], ['/children', 'nav.children']],
  team_manager: [['/team', 'nav.team'], ['/caseload', 'nav.caseload'], ['/children', 'nav.children'],
                 ['/record/supervision_held', 'nav.supervision']],
  service_manager: [['/service', 'nav.service'], ['/children', 'nav.children'],
                    ['/record/supervision_held', 'nav.supervision']],
  head_of_service: [['/service', 'nav.service'], ['/children', 'nav.children']],
  inspector: [['/service', 'nav.service'], ['/children', 'nav.children'], ['/verify', 'nav.verify']],
  qa_auditor: [['/children', 'nav.children']],
  administrator: [['/staff', 'nav.staff']],
};

function header(who) {
  const items = who ? [...(NAV[who.role] || []), ['/account/password', 'nav.password'],
                       ['/sign-out', 'nav.sign_out']]
                    : [['/verify', 'nav.verify'], ['/sign-in', 'nav.sign_in']];
  const here = location.pathname;
  const active = (href) => here === href || (href !== '/' && here.startsWith(`${href}/`));
  return h('div', {},
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
          who && h('span', {class: 'govuk-service-navigation__service-name'},
                   h('span', {class: 'govuk-body-s govuk-!-margin-bottom-0'},
                     t('shell.signed_in_as', {name: who.username, role: t(`roles.${who.role}`)}))),
          h('nav', {'aria-label': t('shell.menu'), class: 'govuk-service-navigation__wrapper'},
            h('button', {type: 'button', class: 'govuk-service-navigation__toggle govuk-js-service-navigation-toggle',
                         'aria-controls': 'navigation', hidden: true, 'aria-hidden': 'true'}, t('shell.menu')),
            h('ul', {class: 'govuk-service-navigation__list', id: 'navigation'},
              items.map(([href, key]) => h('li', {class: `govuk-service-navigation__item${active(href) ? ' govuk-service-navigation__item--active' : ''}`},
                h('a', {class: 'govuk-service-navigation__link', href, 'aria-current': active(href) ? 'page' : null},
                  active(href) ? h('strong', {class: 'govuk-service-navigation__active-fallback'}, t(key)) : t(key))))))))));
}

function footer() {
  return h('footer', {class: 'govuk-footer'},
    h('div', {class: 'govuk-width-container'},
      h('div', {class: 'govuk-footer__meta'},
        h('div', {class: 'govuk-footer__meta-item govuk-footer__meta-item--grow'},
          h('p', {class: 'govuk-body-s'}, t('shell.footer'))))));
}

// The page for a path; pages get {params, query, me, navigate} and return
// {title, body} (a node), or {redirect}.
let generation = 0;
async function render(path, {notice, focus = true} = {}) {
  const gen = ++generation;
  // Marks the page as changing, for assistive technology (aria-busy) and for the browser tests.
  document.body.setAttribute('aria-busy', 'true');
  const url = new URL(path, location.origin);
  let route;
  let params = {};
  for (const r of routes) {
    const m = url.pathname.match(r.re);
    if (m) {
      route = r;
      params = Object.fromEntries(Object.entries(m.groups || {}).map(([k, v]) => [k, decodeURIComponent(v)]));
      break;
    }
  }
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
      out = await route.page({params, query: url.searchParams, me: who, navigate, notice, whoAmI, forget});
    }
  } catch (e) {
    out = pages.failed(e);
  }
  if (gen !== generation) return; // a later navigation won
  if (out.redirect) {
    navigate(out.redirect, {replace: true, notice: out.notice});
    return;
  }
  document.title = `${out.error ? `${t('errors.title_prefix')} ` : ''}${out.title} – ${t('shell.service')}`;
  replace(document.getElementById('cw-header'), header(me));
  const main = document.getElementById('main-content');
  // A notice from the page before ("saved", "signed out") heads the page.
  replace(main, notice ? notification(notice.text, {success: !!notice.success}) : null, out.body);
  enhance(document.body);
  if (focus && !main.querySelector('.govuk-error-summary, .govuk-notification-banner--success')) {
    document.getElementById('page-heading')?.focus();
  }
  document.body.removeAttribute('aria-busy');
}

export function navigate(path, {replace: rep = false, notice} = {}) {
  if (rep) history.replaceState({}, '', path);
  else history.pushState({}, '', path);
  window.scrollTo(0, 0);
  return render(path, {notice});
}

// Links inside the app are followed without reloading the page.
document.addEventListener('click', (ev) => {
  const a = ev.target.closest('a[href]');
  if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey ||
      a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/') || url.hash && url.pathname === location.pathname) return;
  ev.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener('popstate', () => render(location.pathname + location.search));

replace(document.getElementById('cw-footer'), footer());
render(location.pathname + location.search, {focus: false});
