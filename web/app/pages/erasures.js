// pages/erasures.js — the data protection officer's page (docs/privacy.md, "Erasure"). Every
// erasure of personal data proposed, the latest first; one still to decide opens on its own
// page, where the officer approves it (the personal data it names is destroyed, for good) or
// declines it with a reason. The server refuses anyone else, and the proposer; this page
// offers the decision only to an officer who did not propose it.
import {api, seg, withoutField} from '../api.js';
import {staffNames} from '../directory.js';
import {frag, h} from '../dom.js';
import {enhance} from '../govuk.js';
import {t} from '../i18n.js';
import {button, clearNotice, dateText, errorSummary, heading, link, p, radios, summaryList, table, tag,
        textarea, today, warning} from '../ui.js';

export const DECIDERS = ['data_protection_officer'];
const READERS = [...DECIDERS, 'head_of_service'];
const bytes = (s) => new TextEncoder().encode(s).length;
const STATE_COLOUR = {proposed: 'blue', approved: 'grey', declined: 'yellow'};
const stateTag = (state) => tag(t(`erasures.state.${state}`), STATE_COLOUR[state]);
const what = (e) => (e.entries ? t('erasures.entries', {list: e.entries.join(', ')}) : t('erasures.whole_record'));

function onlyFor() {
  return {title: t('erasures.only_title'), body: frag(heading(t('erasures.only_title')), p(t('erasures.only')))};
}

export async function erasures({me}) {
  if (!READERS.includes(me.role)) return onlyFor();
  const [{erasures: list}, who] = await Promise.all([api.get('/api/v1/erasures'), staffNames()]);
  const pending = list.filter((e) => e.state === 'proposed');
  const row = (e) => [e.state === 'proposed' ? link(`/erasures/${seg(e.erasure_id)}`, e.erasure_id) : e.erasure_id,
                      e.child_id, e.basis_label, who(e.proposed_by), dateText(e.proposed_on), stateTag(e.state)];
  const head = [{text: t('erasures.id')}, {text: t('erasures.child')}, {text: t('erasures.basis')},
                {text: t('erasures.proposed_by')}, {text: t('erasures.proposed_on')}, {text: t('erasures.state_head')}];
  return {title: t('erasures.title'), body: frag(
    heading(t('erasures.title')),
    p(t('erasures.intro')),
    pending.length ? table({caption: t('erasures.to_decide', {n: pending.length}), head, rows: pending.map(row), id: 'erasures-pending'})
                   : p(t('erasures.none_pending')),
    list.length > pending.length
      ? table({caption: t('erasures.decided'), head, rows: list.filter((e) => e.state !== 'proposed').map(row), id: 'erasures-decided'})
      : null)};
}

export async function erasure({params, me, navigate}) {
  if (!READERS.includes(me.role)) return onlyFor();
  const id = params.id;
  const [{erasures: list}, who] = await Promise.all([api.get('/api/v1/erasures'), staffNames()]);
  const e = list.find((x) => x.erasure_id === id);
  if (!e) {
    return {title: t('erasures.gone_title'),
            body: frag(heading(t('erasures.gone_title')), p(t('erasures.gone')), p(link('/erasures', t('erasures.back'))))};
  }
  const title = t('erasures.one_title', {id});
  const facts = summaryList([
    [t('erasures.child'), link(`/children/${seg(e.child_id)}`, e.child_id)],
    [t('erasures.what'), what(e)],
    [t('erasures.basis'), e.basis_label],
    [t('erasures.requested_by'), e.requested_by],
    [t('erasures.reason'), e.reason],
    [t('erasures.proposed_by'), `${who(e.proposed_by)}, ${dateText(e.proposed_on)}`],
    [t('erasures.state_head'), stateTag(e.state)],
    e.state !== 'proposed' ? [t('erasures.decided_by'), `${who(e.decided_by)}, ${dateText(e.decided_on)}`] : null,
    e.decision_reason ? [t('erasures.decline_reason'), e.decision_reason] : null,
  ]);
  const may = DECIDERS.includes(me.role) && e.state === 'proposed' && e.proposed_by !== me.staff_id;
  const body = h('div', {class: 'govuk-grid-row'});
  const values = {decision: '', reason: ''};
  const ANCHORS = {decision: '#f-decision', reason: '#f-reason', erasure_id: '#f-decision'};

  const show = (errors = {}, summary = []) => {
    body.replaceChildren(h('div', {class: 'govuk-grid-column-two-thirds'},
      summary.length ? errorSummary(summary) : null,
      heading(title, {caption: t('erasures.caption')}),
      facts,
      !may ? p(e.state !== 'proposed' ? t('erasures.already') : e.proposed_by === me.staff_id ? t('erasures.own') : t('erasures.not_yours'))
           : h('form', {novalidate: true, onsubmit: submit},
               warning(t('erasures.warning')),
               radios('decision', t('erasures.question'),
                      [['approve', t('erasures.approve')],
                       ['decline', t('erasures.decline'),
                        textarea('reason', t('erasures.decline_reason'), {hint: t('erasures.decline_hint'), error: errors.reason, value: values.reason, rows: 3})]],
                      {error: errors.decision, value: values.decision}),
               h('div', {class: 'govuk-button-group'}, button(t('erasures.save')), link('/erasures', t('record.cancel')))),
      p(link('/erasures', t('erasures.back')))));
  };

  async function submit(ev) {
    ev.preventDefault();
    const form = ev.target;
    values.decision = form.querySelector('input[name="decision"]:checked')?.value ?? '';
    values.reason = form.elements.reason?.value ?? '';
    const errors = {};
    if (!values.decision) errors.decision = t('erasures.choose');
    if (values.decision === 'decline' && !values.reason.trim()) errors.reason = t('erasures.reason_needed');
    else if (bytes(values.reason) > 1000) errors.reason = t('errors.too_long', {label: t('erasures.decline_reason').toLowerCase(), n: 1000});
    let summary = Object.entries(errors).map(([k, text]) => ({href: ANCHORS[k], text}));
    if (!summary.length) {
      const approve = values.decision === 'approve';
      const payload = approve ? {erasure_id: id, date: today()} : {erasure_id: id, date: today(), reason: values.reason.trim()};
      form.querySelector('button[type="submit"]').disabled = true;
      try {
        await api.post(`/api/v1/commands/${approve ? 'erasure_approved' : 'erasure_declined'}`, payload);
        navigate('/erasures', {notice: {success: true, text: t(approve ? 'erasures.done_approved' : 'erasures.done_declined', {id})}});
        return;
      } catch (err) {
        const field = err.field in ANCHORS ? err.field : null;
        const text = withoutField(err, field);
        if (field === 'reason') errors.reason = text;
        summary = [{href: field ? ANCHORS[field] : null, text}];
      }
    }
    show(errors, summary);
    clearNotice();
    document.title = `${t('errors.title_prefix')} ${title} – ${t('shell.service')}`;
    enhance(body);
  }

  show();
  return {title, body};
}
