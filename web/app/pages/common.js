// pages/common.js — the start page for each role, and the pages for a path
// that names nothing and for a request that failed.
import {messageOf} from '../api.js';
import {frag} from '../dom.js';
import {t} from '../i18n.js';
import {heading, p, link} from '../ui.js';

const START = {
  social_worker: '/caseload',
  team_manager: '/team',
  service_manager: '/service',
  head_of_service: '/service',
  director: '/service',
  inspector: '/service',
  qa_auditor: '/children',
  administrator: '/staff',
  data_protection_officer: '/erasures',
  data_team: '/returns',
};

export async function home({me, notice}) {
  return {redirect: START[me.role] || '/children', notice};
}

export function notFound() {
  return {title: t('notfound.title'),
          body: frag(heading(t('notfound.title')), p(t('notfound.body')), p(link('/', t('notfound.home'))))};
}

// A refusal (403), a record that does not exist (404), or a fault.
export function failed(e) {
  const key = e.status === 403 ? 'forbidden' : e.status === 404 ? 'notfound' : 'fault';
  return {title: t(`${key}.title`),
          body: frag(heading(t(`${key}.title`)),
                     e.status === 403 || e.status === 404 ? p(messageOf(e)) : null,
                     p(t(`${key}.body`)), p(link('/', t('notfound.home'))))};
}
