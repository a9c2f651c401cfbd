// pages/command.js — recording casework: the list of what can be recorded
// about a child, and one form for every command (forms.js), with the GOV.UK
// error summary for what is missing or wrong, here or at the server.
import {api, seg, withoutField} from '../api.js';
import {staffList} from '../directory.js';
import {frag, h} from '../dom.js';
import {enhance} from '../govuk.js';
import {formatDate, t, tMaybe, tx} from '../i18n.js';
import {CHILD_COMMANDS, CSE_BANDS, CSE_ITEMS, FORMS, correctable, cseBand, cseScore, kindOf, newId, optionsOf,
        references, sendsChildId} from '../forms.js';
import {button, checkboxes, clearNotice, dateInput, errorSummary, h2, heading, inset, link, p, radios, readDate,
        select, textInput, textarea, today} from '../ui.js';
import {childName} from './caseload.js';
import {changeItem, eventLabel, fieldLabel, fieldValue} from './child.js';
import {changedSince, isConflict, rereadEntry} from '../conflict.js';

const NOT_ABOUT_A_CHILD = ['supervision_held', 'child_registered', 'deputy_named'];
const MANAGERS = ['team_manager', 'service_manager', 'head_of_service'];

export async function chooseCommand({params}) {
  const record = await api.get(`/api/v1/children/${seg(params.id)}`);
  const name = childName(record);
  return {
    title: t('record.choose_title_id', {id: params.id}),
    body: frag(
      heading(t('record.choose_title', {name}), {caption: t('child.caption', {id: params.id})}),
      CHILD_COMMANDS.map(([group, types]) => frag(
        h2(t(`record.groups.${group}`)),
        h('ul', {class: 'govuk-list'},
          types.map((type) => h('li', {}, link(`/children/${seg(params.id)}/record/${type}`, eventLabel(type))))))),
      p(link(`/children/${seg(params.id)}`, t('record.back', {name})))),
  };
}

const label = (type, name) => tMaybe(`forms.${type}.${name}`) ?? fieldLabel(name);
const hint = (type, name) => tMaybe(`forms.${type}.${name}_hint`);
const lower = (s) => s.charAt(0).toLowerCase() + s.slice(1);
const bytes = (s) => new TextEncoder().encode(s).length;

// Where the summary's link for a field goes.
function anchor(spec, name) {
  const f = spec.find((x) => x.name === name);
  if (!f) {
    if (name === 'views_obtained') return '#f-views_obtained';
    if (name === 'views' || name === 'views_not_obtained_reason') return `#f-${name}`;
    if (name === 'override_reason' || name === 'override_band') return `#f-${name}`;
    if (name in CSE_ITEMS) return `#f-${name}`;
    if (name === 'changes') return '#f-change_field';
    return null;
  }
  if (f.kind === 'newid') return null; // made by the form: nothing to go to
  return f.kind === 'date' ? `#f-${name}-day` : f.kind === 'views' ? '#f-views_obtained' : `#f-${name}`;
}

export async function command({params, me, navigate, query}) {
  const type = params.type;
  const spec = FORMS[type];
  const childId = params.id || null;
  if (!spec || (!childId && !NOT_ABOUT_A_CHILD.includes(type)) || (childId && NOT_ABOUT_A_CHILD.includes(type))) {
    return {title: t('notfound.title'), body: frag(heading(t('notfound.title')), p(t('record.unknown')))};
  }
  const needsCases = spec.some((f) => f.kind === 'cases');
  const [record, chron, staff, team] = await Promise.all([
    childId ? api.get(`/api/v1/children/${seg(childId)}`) : null,
    childId ? api.get(`/api/v1/children/${seg(childId)}/chronology`) : null,
    staffList(),
    needsCases && me.team_id ? api.get(`/api/v1/teams/${seg(me.team_id)}/caseload`) : null,
  ]);
  const current = staff.filter((s) => !s.left_on);
  const nameOf = (id) => staff.find((x) => x.staff_id === id)?.name || id;
  const staffOptions = (who) => {
    let list = current;
    if (who === 'managers') list = current.filter((s) => MANAGERS.includes(s.role));
    else if (who === 'workers') {
      // The reader's own team (and those they manage) first: a manager allocates to them.
      const near = (s) => (s.manager_id === me.staff_id || (me.team_id && s.team_id === me.team_id) ? 0 : 1);
      list = current.filter((s) => ['social_worker', 'senior_practitioner', 'team_manager'].includes(s.role))
        .sort((a, b) => near(a) - near(b));
    }
    else if (who === 'reports') {
      const mine = current.filter((s) => s.manager_id === me.staff_id);
      list = mine.length ? mine : current.filter((s) => s.team_id && s.team_id === me.team_id && s.staff_id !== me.staff_id);
    }
    return list.map((s) => [s.staff_id, t('record.staff_option', {name: s.name, role: t(`roles.${s.role}`)})]);
  };
  let entry = type === 'correction' ? chron?.chronology.find((e) => String(e.index) === query.get('entry')) : null;
  if (type === 'correction' && !entry) {
    return {title: t('notfound.title'), body: frag(heading(t('notfound.title')), p(t('record.no_entry')))};
  }

  // The form's state: what was entered, kept across a failed submission.
  const values = {};
  for (const f of spec) {
    if (f.kind === 'date' && !f.noDefault) values[f.name] = today();
    if (f.defaultMe && current.some((s) => s.staff_id === me.staff_id)) values[f.name] = me.staff_id;
    if (f.kind === 'newid') values[f.name] = newId(f.prefix, childId);
  }
  const title = eventLabel(type);
  const name = record ? childName(record) : null;
  const body = h('div', {class: 'govuk-grid-row'});

  const fieldEl = (f, errors) => {
    const err = errors[f.name];
    const v = values[f.name];
    const lbl = label(type, f.name);
    const hnt = hint(type, f.name);
    switch (f.kind) {
      case 'newid':
        return null;
      case 'date':
        return dateInput(f.name, lbl, {hint: hnt ?? t('date.hint'), error: err, value: v ?? ''});
      case 'yesno':
        return radios(f.name, lbl, [['true', t('common.yes'), conditionalFor(f.name, 'true', errors)],
                                    ['false', t('common.no'), conditionalFor(f.name, 'false', errors)]],
                      {hint: hnt, error: err, value: v ?? '', inline: !spec.some((x) => x.when?.[0] === f.name)});
      case 'enum':
        return radios(f.name, lbl, f.options.map((o) => [o, tMaybe(`values.${o}`) ?? o, conditionalFor(f.name, o, errors)]),
                      {hint: hnt, error: err, value: v ?? ''});
      case 'text':
        return textInput(f.name, lbl, {hint: hnt, error: err, value: v ?? '', width: f.id ? 20 : null,
                                       spellcheck: f.id ? false : null});
      case 'textarea':
        return textarea(f.name, lbl, {hint: hnt, error: err, value: v ?? '', rows: f.rows || 5});
      case 'staff':
        return select(f.name, lbl, staffOptions(f.who), {hint: hnt, error: err, value: v ?? ''});
      case 'ref': {
        const refs = references(chron.chronology, f.of);
        if (!refs.length) return f.required ? inset(t(`record.none_of.${f.of}`)) : null;
        const opts = refs.map((r) => [r.id, t('record.ref_option', {what: eventLabel(r.entry.type), date: formatDate(r.entry.date), id: r.id})]);
        if (!f.required) opts.push(['', t('record.ref_none')]);
        return radios(f.name, lbl, opts, {hint: hnt, error: err, value: v ?? (f.required && refs.length === 1 ? refs[0].id : '')});
      }
      case 'views':
        return viewsEl(errors);
      case 'cse':
        return cseEl(errors);
      case 'cases': {
        const cases = (team?.caseload || []);
        if (!cases.length) return inset(t('record.no_team_cases'));
        return checkboxes(f.name, lbl, cases.map((c) => [c.child_id, childName(c), t('record.case_hint', {id: c.child_id, worker: staff.find((s) => s.staff_id === c.worker_id)?.name || c.worker_id || ''})]),
                          {hint: hnt ?? t('record.cases_hint'), error: err, values: v || [], small: true});
      }
      case 'entry':
        return entryEl(errors);
      default:
        return null;
    }
  };
  // Fields shown inside a yes/no's option (e.g. the date the child was seen).
  const conditionalFor = (parent, value, errors) => {
    const inner = spec.filter((x) => x.when && x.when[0] === parent && x.when[1] === value);
    return inner.length ? frag(inner.map((x) => fieldEl({...x, when: null}, errors))) : null;
  };

  // The child's views, or why they could not be obtained: one is required.
  const viewsEl = (errors) => radios('views_obtained', t('record.views_question'), [
    ['true', t('common.yes'), textarea('views', t('record.views'), {hint: t('record.views_hint'), error: errors.views, value: values.views ?? ''})],
    ['false', t('common.no'), textarea('views_not_obtained_reason', t('record.views_reason'), {error: errors.views_not_obtained_reason, value: values.views_not_obtained_reason ?? ''})],
  ], {hint: t('record.views_question_hint'), error: errors.views_obtained, value: values.views_obtained ?? ''});

  // The CSE risk assessment: three lists of items; the score and band follow the ticks.
  const cseEl = (errors) => {
    const scoreText = h('p', {class: 'govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-0', id: 'cse-score',
                              'aria-live': 'polite'});
    const update = (form) => {
      const ticked = {};
      for (const g of Object.keys(CSE_ITEMS)) ticked[g] = [...form.querySelectorAll(`input[name="${g}"]:checked`)].map((x) => x.value);
      const score = cseScore(ticked);
      scoreText.textContent = t('cse.score', {score, band: t(`values.${cseBand(score)}`)});
    };
    const groups = Object.entries(CSE_ITEMS).map(([g, items]) =>
      checkboxes(g, t(`cse.${g}`), items.map((i) => [i, t(`cse.items.${i}`)]),
                 {hint: t(`cse.${g}_hint`), error: errors[g], values: values[g] || [], small: true}));
    const override = radios('override_band', t('cse.override'), [
      ['', t('cse.no_override')],
      ...CSE_BANDS.map((b) => [b, t(`values.${b}`)])],
    {hint: t('cse.override_hint'), error: errors.override_band, value: values.override_band ?? '', small: true});
    const reason = textarea('override_reason', t('cse.override_reason'), {error: errors.override_reason, value: values.override_reason ?? '', rows: 3});
    const box = h('div', {class: 'cw-score'}, scoreText, h('p', {class: 'govuk-body-s govuk-!-margin-bottom-0'}, t('cse.bands')));
    const wrap = h('div', {onchange: (ev) => update(ev.currentTarget.closest('form'))}, groups, box, override, reason);
    queueMicrotask(() => wrap.closest('form') && update(wrap.closest('form')));
    return wrap;
  };

  // A correction: which detail of the entry changes, and to what. Choosing the detail
  // draws the question for it, as its own form asks it.
  const entryEl = (errors) => {
    const fields = correctable(entry.type, entry.payload);
    const name = values.change_field || '';
    const now = name in entry.payload ? fieldValue(entry.type, name, entry.payload[name], nameOf) : t('common.not_recorded');
    const opts = {hint: name ? t('record.change_now', {value: now}) : null, error: errors.change_value};
    let control = null;
    if (name) {
      const kind = kindOf(entry.type, name);
      const q = t('record.change_value');
      const cur = values.change_value ?? entry.payload[name];
      if (kind === 'date') control = dateInput('change_value', q, {...opts, value: cur ?? ''});
      else if (kind === 'yesno') control = radios('change_value', q, [['true', t('common.yes')], ['false', t('common.no')]], {...opts, value: cur === undefined ? '' : String(cur), inline: true});
      else if (kind === 'enum') control = radios('change_value', q, optionsOf(entry.type, name).map((o) => [o, tMaybe(`values.${o}`) ?? o]), {...opts, value: cur ?? ''});
      else if (kind === 'staff') control = select('change_value', q, staffOptions('all'), {...opts, value: cur ?? ''});
      else if (kind === 'list') control = checkboxes('change_value', q, CSE_ITEMS[name].map((i) => [i, t(`cse.items.${i}`)]), {...opts, values: cur || [], small: true});
      else control = textarea('change_value', q, {...opts, value: typeof cur === 'string' ? cur : ''});
    }
    return frag(
      h2(t('record.correcting', {what: eventLabel(entry.type), date: formatDate(entry.date), index: entry.index})),
      h('ul', {class: 'govuk-list govuk-body-s'}, Object.keys(entry.payload).filter((k) => k !== 'child_id')
        .map((k) => (entry.original && JSON.stringify(entry.original[k]) !== JSON.stringify(entry.payload[k])
          ? changeItem(entry.type, k, entry.original[k], entry.payload[k], nameOf)
          : h('li', {}, `${fieldLabel(k)}: ${fieldValue(entry.type, k, entry.payload[k], nameOf)}`)))),
      h('div', {onchange: (ev) => {
        if (ev.target.name !== 'change_field') return;
        values.change_field = ev.target.value;
        delete values.change_value;
        show();
        enhance(body);
        document.getElementById('f-change_field')?.focus();
      }}, select('change_field', t('record.change_field'), fields.map((k) => [k, fieldLabel(k)]), {error: errors.change_field, value: name})),
      control);
  };

  // A command that needs a record the child does not have (an assessment to complete, say)
  // cannot be saved: the form says so and offers no Save.
  let changed = null; // after a conflict: what someone else changed in the entry meanwhile
  const blocked = spec.some((f) => f.kind === 'ref' && f.required && !references(chron.chronology, f.of).length);
  const show = (errors = {}, summary = []) => {
    const form = h('form', {novalidate: true, onsubmit: submit},
      spec.filter((f) => !f.when).map((f) => fieldEl(f, errors)),
      h('div', {class: 'govuk-button-group'},
        blocked ? null : button(t('record.save')),
        link(childId ? `/children/${seg(childId)}` : '/', t('record.cancel'))));
    body.replaceChildren(h('div', {class: 'govuk-grid-column-two-thirds'},
      summary.length ? errorSummary(summary) : null,
      heading(title, {caption: name ? t('record.about', {name, id: childId}) : t('record.about_org')}),
      changed,
      tMaybe(`forms.${type}._intro`) ? p(tMaybe(`forms.${type}._intro`)) : null,
      form));
  };

  // Reads the form into `values`; returns {payload, errors} (errors by field).
  const read = (form) => {
    const el = form.elements;
    const radio = (n) => form.querySelector(`input[name="${n}"]:checked`)?.value ?? '';
    const boxes = (n) => [...form.querySelectorAll(`input[name="${n}"]:checked`)].map((x) => x.value);
    const errors = {};
    const payload = childId && sendsChildId(type) ? {child_id: childId} : {};
    const visible = (f) => !f.when || radio(f.when[0]) === f.when[1];
    for (const f of spec) {
      if (!visible(f)) continue;
      const lbl = lower(label(type, f.name));
      let v;
      switch (f.kind) {
        case 'newid': v = values[f.name]; break;
        case 'date': {
          v = readDate(form, f.name);
          values[f.name] = v === null ? {day: el[`${f.name}-day`].value, month: el[`${f.name}-month`].value, year: el[`${f.name}-year`].value} : v;
          if (v === null) errors[f.name] = t('errors.date_invalid', {label: lbl});
          else if (v && !f.future && v > today()) errors[f.name] = t('errors.date_future', {label: lbl});
          break;
        }
        case 'yesno': v = radio(f.name); values[f.name] = v; v = v === '' ? '' : v === 'true'; break;
        case 'enum': case 'ref': v = radio(f.name); values[f.name] = v; break;
        case 'text': case 'textarea': case 'staff':
          v = (el[f.name]?.value ?? '').trim();
          values[f.name] = el[f.name]?.value ?? '';
          if (f.limit && bytes(v) > f.limit) errors[f.name] = t('errors.too_long', {label: lbl, n: f.limit});
          break;
        case 'cases': // always sent: the catalogue requires the list, which may be empty
          payload[f.name] = values[f.name] = boxes(f.name);
          continue;
        case 'views': {
          const got = radio('views_obtained');
          values.views_obtained = got;
          values.views = el.views.value;
          values.views_not_obtained_reason = el.views_not_obtained_reason.value;
          if (got === 'true') {
            if (!values.views.trim()) errors.views = t('errors.views_needed');
            else if (bytes(values.views) > 4000) errors.views = t('errors.too_long', {label: t('record.views').toLowerCase(), n: 4000});
            else payload.views = values.views.trim();
          } else if (got === 'false') {
            if (!values.views_not_obtained_reason.trim()) errors.views_not_obtained_reason = t('errors.views_reason_needed');
            else if (bytes(values.views_not_obtained_reason) > 1000) errors.views_not_obtained_reason = t('errors.too_long', {label: t('record.views_reason').toLowerCase(), n: 1000});
            else payload.views_not_obtained_reason = values.views_not_obtained_reason.trim();
          } else {
            errors.views_obtained = t('errors.views_obtained');
          }
          continue;
        }
        case 'cse': {
          for (const g of Object.keys(CSE_ITEMS)) payload[g] = values[g] = boxes(g);
          values.override_band = radio('override_band');
          values.override_reason = el.override_reason.value;
          if (values.override_band) {
            payload.override_band = values.override_band;
            if (!values.override_reason.trim()) errors.override_reason = t('errors.override_reason');
            else payload.override_reason = values.override_reason.trim();
          }
          continue;
        }
        case 'entry': {
          const name = el.change_field.value;
          values.change_field = name;
          if (!name) {
            errors.change_field = t('errors.change_field');
          } else {
            const kind = kindOf(entry.type, name);
            let nv;
            if (kind === 'date') {
              nv = readDate(form, 'change_value');
              values.change_value = nv === null ? {day: el['change_value-day'].value, month: el['change_value-month'].value, year: el['change_value-year'].value} : nv;
              if (nv === null) errors.change_value = t('errors.date_invalid', {label: t('record.change_value_label')});
            } else if (kind === 'yesno') {
              values.change_value = radio('change_value');
              nv = values.change_value === '' ? '' : values.change_value === 'true';
            } else if (kind === 'enum') {
              nv = values.change_value = radio('change_value');
            } else if (kind === 'list') {
              nv = values.change_value = boxes('change_value');
            } else {
              values.change_value = el.change_value.value;
              nv = values.change_value.trim();
            }
            if (nv === '' && !errors.change_value) errors.change_value = t('errors.change_value');
            else if (!errors.change_value) payload.changes = {[name]: nv};
          }
          payload.corrects = entry.index;
          // The version read: a change made since is refused (409), never overwritten.
          payload.based_on = entry.version ?? entry.index;
          continue;
        }
        default: break;
      }
      const needed = f.required;
      if ((v === '' || v === undefined) && !errors[f.name]) {
        if (needed) {
          errors[f.name] = tMaybe(`forms.${type}.${f.name}_error`) ??
            t(['date', 'text', 'textarea'].includes(f.kind) ? 'errors.enter' : 'errors.choose', {label: lbl});
        }
        continue;
      }
      if (!errors[f.name]) payload[f.name] = v;
    }
    return {payload, errors};
  };

  async function submit(ev) {
    ev.preventDefault();
    const form = ev.target;
    const {payload, errors} = read(form);
    let summary = Object.entries(errors).map(([k, text]) => ({href: anchor(spec, k), text}));
    if (!summary.length) {
      form.querySelector('button[type="submit"]').disabled = true;
      try {
        await api.post(`/api/v1/commands/${type}`, payload);
        const done = type === 'child_registered'
          ? t('record.registered', {name: `${payload.given_name} ${payload.family_name}`, id: payload.child_id})
          : t('record.saved', {what: title});
        const notice = {text: done, success: true};
        if (childId) navigate(`/children/${seg(childId)}`, {notice});
        // A new child is no one's case yet: the record opens to staff once it is allocated.
        else if (type === 'child_registered') navigate('/children', {notice});
        else navigate('/', {notice});
        return;
      } catch (e) {
        if (isConflict(e) && type === 'correction') {
          // Someone else changed the entry since this form read it: read it again, say what
          // changed, and keep what was typed, to be saved again on the entry as it is now.
          const before = entry;
          const {entry: fresh, byIndex} = await rereadEntry(childId, entry.index);
          if (fresh) {
            entry = fresh;
            changed = changedSince(before, fresh, nameOf, byIndex);
            show({}, [{href: '#changed-since', text: t('conflict.correction')}]);
            clearNotice();
            document.title = `${t('errors.title_prefix')} ${title} – ${t('shell.service')}`;
            enhance(body);
            return;
          }
        }
        // The server names the field in "field: problem"; show it there too.
        const field = e.field && (spec.some((f) => f.name === e.field) || anchor(spec, e.field)) ? e.field : null;
        const text = withoutField(e, field);
        const shown = field ? tx('errors.server_field', {label: label(type, field), text}) : text;
        if (field) errors[field] = shown;
        summary = [{href: field ? anchor(spec, field) : null, text: shown}];
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
