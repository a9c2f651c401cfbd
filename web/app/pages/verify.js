// pages/verify.js — for inspectors, and anyone: the log's current signed
// checkpoint, the key that verifies it, and how to check both independently.
import {api} from '../api.js';
import {frag, h} from '../dom.js';
import {t} from '../i18n.js';
import {h2, heading, inset, link, p, summaryList} from '../ui.js';
import {REPORT_ROLES} from './measures.js';

const code = (text) => h('pre', {class: 'govuk-body-s cw-mono', tabindex: '0'}, h('code', {}, text));

export async function verify({me}) {
  const [checkpoint, vkey] = await Promise.all([api.get('/api/v1/log/checkpoint'), api.get('/api/v1/log/vkey')]);
  // A c2sp signed note: origin, size, root hash; a blank line; signature lines.
  const [body] = String(checkpoint).split('\n\n');
  const [origin, size, root] = body.split('\n');
  return {
    title: t('verify.title'),
    body: frag(
      heading(t('verify.title')),
      p(t('verify.intro')),
      summaryList([
        [t('verify.origin'), origin],
        [t('verify.size'), size],
        [t('verify.root'), h('span', {class: 'cw-mono'}, root)],
      ]),
      h2(t('verify.checkpoint')),
      p(t('verify.checkpoint_intro')),
      code(String(checkpoint).trimEnd()),
      p(link('/api/v1/log/checkpoint', t('verify.download_checkpoint'), {download: 'checkpoint'})),
      h2(t('verify.key')),
      p(t('verify.key_intro')),
      code(String(vkey).trimEnd()),
      p(link('/api/v1/log/vkey', t('verify.download_key'), {download: 'vkey'})),
      h2(t('verify.how')),
      h('ol', {class: 'govuk-list govuk-list--number'},
        h('li', {}, t('verify.step_keep')),
        h('li', {}, t('verify.step_consistency'), code(`GET /api/v1/log/proof/consistency?old=${size}&new=NEW`)),
        h('li', {}, t('verify.step_inclusion'), code('GET /api/v1/log/proof/inclusion?index=I&size=N')),
        h('li', {}, t('verify.step_recompute'),
          code('caseward export --db caseward.db --out export/\ncaseward verify --dir export/ --vkey vkey --checkpoint checkpoint'))),
      h2(t('verify.measures'), {id: 'measures'}),
      p(t('verify.measures_intro')),
      code('caseward export --db caseward.db --out export/\ncaseward verify --dir export/ --vkey vkey --measures report'),
      p(t('verify.measures_result')),
      me && REPORT_ROLES.includes(me.role)
        ? p(link('/api/v1/measures-report', t('verify.download_report'), {download: 'report', id: 'verify-report-link'}),
            ' ', t('verify.report_other'), ' ', link('/measures', t('nav.measures')), '.')
        : p(t('verify.report_who')),
      inset(t('verify.standards'))),
  };
}
