// pages/signin.js — sign in, sign out, change password.
import {api, messageOf} from '../api.js';
import {forget as forgetMe, takeAfter} from '../main.js';
import {enhance} from '../govuk.js';
import {frag, h} from '../dom.js';
import {t} from '../i18n.js';
import {button, clearNotice, errorSummary, heading, notification, p, textInput} from '../ui.js';

// Errors from the form: [{field, text}] → the summary's links.
const summary = (errors) => errorSummary(errors.map((e) => ({href: e.field ? `#f-${e.field}` : null, text: e.text})));
const errorFor = (errors, field) => errors.find((e) => e.field === field)?.text;

export async function signIn({me, navigate, whoAmI}) {
  if (me) return {redirect: '/'};
  const body = h('div', {class: 'govuk-grid-row'});
  const show = (errors, username = '') => {
    const form = h('form', {novalidate: true, onsubmit: submit},
      textInput('username', t('signin.username'), {value: username, autocomplete: 'username',
                                                   spellcheck: false, error: errorFor(errors, 'username'),
                                                   width: 20}),
      textInput('password', t('signin.password'), {type: 'password', autocomplete: 'current-password',
                                                   error: errorFor(errors, 'password'), width: 20}),
      button(t('signin.submit')));
    body.replaceChildren(h('div', {class: 'govuk-grid-column-two-thirds'},
      errors.length ? summary(errors) : null,
      heading(t('signin.title')), p(t('signin.intro')), form));
    return form;
  };
  async function submit(ev) {
    ev.preventDefault();
    const form = ev.target;
    const username = form.elements.username.value.trim();
    const password = form.elements.password.value;
    const errors = [];
    if (!username) errors.push({field: 'username', text: t('signin.need_username')});
    if (!password) errors.push({field: 'password', text: t('signin.need_password')});
    if (!errors.length) {
      try {
        const who = await api.post('/api/v1/session', {username, password});
        await whoAmI(true);
        const after = takeAfter();
        navigate(who.must_change_password ? '/account/password' : after || '/');
        return;
      } catch (e) {
        // Which of the two was wrong is not said: that would help someone guessing.
        errors.push({field: e.status === 401 ? 'username' : null,
                     text: e.status === 401 ? t('signin.wrong') : messageOf(e)});
      }
    }
    show(errors, username);
    document.title = `${t('errors.title_prefix')} ${t('signin.title')} – ${t('shell.service')}`;
    clearNotice();
    enhance(body);
  }
  show([]);
  return {title: t('signin.title'), body};
}

// Ends the session (the header's Sign out button).
export async function signOut() {
  try {
    await api.del('/api/v1/session');
  } catch (e) {
    // The session may have ended already: signed out either way.
  }
  forgetMe();
}

// The page at /sign-out: a button, so that no link (from anywhere) signs anyone out.
export async function signOutPage({me, navigate}) {
  if (!me) return {redirect: '/sign-in'};
  return {
    title: t('signout.title'),
    body: frag(heading(t('signout.title')), p(t('signout.body')),
               h('form', {novalidate: true, onsubmit: async (ev) => {
                 ev.preventDefault();
                 await signOut();
                 navigate('/sign-in', {notice: {text: t('signin.signed_out')}});
               }}, button(t('nav.sign_out')))),
  };
}

export async function password({me, navigate, whoAmI}) {
  const body = h('div', {class: 'govuk-grid-row'});
  const kept = {current_password: '', new_password: '', confirm: ''};
  const show = (errors) => {
    const field = (name, key, autocomplete) =>
      textInput(name, t(key), {type: 'password', autocomplete, error: errorFor(errors, name),
                               width: 20, value: kept[name]});
    body.replaceChildren(h('div', {class: 'govuk-grid-column-two-thirds'},
      errors.length ? summary(errors) : null,
      me.must_change_password ? notification(t('password.must_change')) : null,
      heading(t('password.title')), p(t('password.rules')),
      h('form', {novalidate: true, onsubmit: submit},
        // For password managers: whose password this is.
        h('input', {type: 'text', name: 'username', autocomplete: 'username', value: me.username, hidden: true}),
        field('current_password', 'password.current', 'current-password'),
        field('new_password', 'password.new', 'new-password'),
        field('confirm', 'password.confirm', 'new-password'),
        button(t('password.submit')))));
  };
  async function submit(ev) {
    ev.preventDefault();
    const f = ev.target.elements;
    for (const k of Object.keys(kept)) kept[k] = f[k].value;
    const errors = [];
    if (!f.current_password.value) errors.push({field: 'current_password', text: t('password.need_current')});
    if (f.new_password.value.length < 12) errors.push({field: 'new_password', text: t('password.too_short')});
    else if (f.new_password.value !== f.confirm.value) errors.push({field: 'confirm', text: t('password.mismatch')});
    if (!errors.length) {
      try {
        await api.put('/api/v1/me/password', {current_password: f.current_password.value,
                                              new_password: f.new_password.value});
        // Every other session of the account has ended; this one has started again.
        await whoAmI(true);
        navigate('/', {notice: {text: t('password.changed'), success: true}});
        return;
      } catch (e) {
        errors.push({field: e.field === 'current_password' || e.field === 'new_password' ? e.field : null,
                     text: messageOf(e)});
      }
    }
    show(errors);
    document.title = `${t('errors.title_prefix')} ${t('password.title')} – ${t('shell.service')}`;
    clearNotice();
    enhance(body);
  }
  show([]);
  return {title: t('password.title'), body: frag(body)};
}
