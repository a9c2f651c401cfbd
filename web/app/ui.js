// ui.js — GOV.UK Frontend components (https://design-system.service.gov.uk),
// built as DOM with the Design System's markup and classes.
import {h, isForeign, plain} from './dom.js';
import {formatDate, language, t} from './i18n.js';

export const link = (href, text, props = {}) => h('a', {href, class: 'govuk-link', ...props}, text);

export function heading(text, {size = 'l', caption = null} = {}) {
  return h('h1', {class: `govuk-heading-${size}`, tabindex: '-1', id: 'page-heading'},
           caption && h('span', {class: `govuk-caption-${size}`}, caption), text);
}

export const h2 = (text, props = {}) => h('h2', {class: 'govuk-heading-m', ...props}, text);
export const p = (...children) => h('p', {class: 'govuk-body'}, ...children);

export function button(text, props = {}) {
  const {secondary, warning, ...rest} = props;
  const cls = ['govuk-button', secondary && 'govuk-button--secondary',
               warning && 'govuk-button--warning'].filter(Boolean).join(' ');
  return h(rest.href ? 'a' : 'button',
           {class: cls, 'data-module': 'govuk-button', type: rest.href ? null : 'submit',
            role: rest.href ? 'button' : null, ...rest}, text);
}

// A tag: colour one of grey, green, turquoise, blue, purple, pink, red, orange, yellow.
const TAG_COLOURS = {turquoise: 'teal', pink: 'magenta'};
export const tag = (text, colour) =>
  h('strong', {class: `govuk-tag${colour ? ` govuk-tag--${TAG_COLOURS[colour] || colour}` : ''}`},
    text);

export function summaryList(rows) {
  return h('dl', {class: 'govuk-summary-list'},
           rows.filter(Boolean).map(([key, value]) =>
             h('div', {class: 'govuk-summary-list__row'},
               h('dt', {class: 'govuk-summary-list__key'}, key),
               h('dd', {class: 'govuk-summary-list__value'},
                 value === null || value === undefined || value === '' ? t('common.not_recorded')
                                                                        : value))));
}

// A table. head: [{text, sort?: (row) => key, numeric?}], rows: arrays of cells
// (text or nodes). With sort functions, the headings become buttons that sort. rowId: an id
// for each row, from its data (a link can then go to the row).
export function table({caption, head, rows, data, id, rowId}) {
  const tbody = h('tbody', {class: 'govuk-table__body'});
  const ths = head.map((col, i) => {
    const th = h('th', {scope: 'col',
                        class: `govuk-table__header${col.numeric ? ' govuk-table__header--numeric' : ''}`});
    if (col.sort && data) {
      th.setAttribute('aria-sort', 'none');
      th.append(h('button', {type: 'button', class: 'cw-sort', 'data-col': i,
                             onclick: () => sortBy(i)}, col.text));
    } else {
      th.textContent = col.text;
    }
    return th;
  });
  // Each row is made once; sorting moves the rows (a cell may be a fragment,
  // which can be put into the page only once).
  const trs = rows.map((cells, r) => h('tr', {class: 'govuk-table__row', id: rowId && data ? rowId(data[r]) : null,
                                             tabindex: rowId && data ? '-1' : null},
    cells.map((c, i) =>
      h(i === 0 ? 'th' : 'td',
        {scope: i === 0 ? 'row' : null,
         class: `${i === 0 ? 'govuk-table__header' : 'govuk-table__cell'}${
           head[i] && head[i].numeric ? ' govuk-table__cell--numeric' : ''}`},
        c))));
  const order = rows.map((_, i) => i);
  const fill = () => {
    tbody.replaceChildren();
    if (!trs.length) {
      tbody.append(h('tr', {class: 'govuk-table__row'},
                     h('td', {class: 'govuk-table__cell', colspan: head.length}, t('common.none'))));
    }
    for (const i of order) tbody.append(trs[i]);
  };
  function sortBy(i) {
    const th = ths[i];
    const dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
    ths.forEach((x) => x.hasAttribute('aria-sort') && x.setAttribute('aria-sort', 'none'));
    th.setAttribute('aria-sort', dir);
    const key = (x) => head[i].sort(x) ?? '';
    order.sort((a, b) => {
      const ka = key(data[a]);
      const kb = key(data[b]);
      const c = ka < kb ? -1 : ka > kb ? 1 : a - b;
      return dir === 'ascending' ? c : -c;
    });
    fill();
  }
  fill();
  return h('table', {class: 'govuk-table', id},
           caption && h('caption', {class: 'govuk-table__caption govuk-table__caption--m'}, caption),
           h('thead', {class: 'govuk-table__head'}, h('tr', {class: 'govuk-table__row'}, ths)),
           tbody);
}

export function notification(text, {success = false, title} = {}) {
  return h('div', {class: `govuk-notification-banner${success ? ' govuk-notification-banner--success' : ''}`,
                   role: success ? 'alert' : 'region',
                   'aria-labelledby': 'banner-title', 'data-module': 'govuk-notification-banner'},
           h('div', {class: 'govuk-notification-banner__header'},
             h('h2', {class: 'govuk-notification-banner__title', id: 'banner-title'},
               title || (success ? t('common.success') : t('common.important')))),
           h('div', {class: 'govuk-notification-banner__content'},
             h('p', {class: 'govuk-notification-banner__heading'}, text)));
}

// Takes away the notice of the page before (once the reader has acted again).
export function clearNotice() {
  document.querySelector('#main-content > .govuk-notification-banner')?.remove();
}

export const inset = (...children) => h('div', {class: 'govuk-inset-text'}, ...children);
export const warning = (text) =>
  h('div', {class: 'govuk-warning-text'},
    h('span', {class: 'govuk-warning-text__icon', 'aria-hidden': 'true'}, '!'),
    h('strong', {class: 'govuk-warning-text__text'},
      h('span', {class: 'govuk-visually-hidden'}, t('common.warning')), text));

// The error summary: errors is [{href, text}].
export function errorSummary(errors) {
  return h('div', {class: 'govuk-error-summary', 'data-module': 'govuk-error-summary'},
           h('div', {role: 'alert'},
             h('h2', {class: 'govuk-error-summary__title'}, t('errors.title')),
             h('div', {class: 'govuk-error-summary__body'},
               h('ul', {class: 'govuk-list govuk-error-summary__list'},
                 errors.map((e) => h('li', {}, e.href ? h('a', {href: e.href}, e.text) : e.text))))));
}

export const dateText = (iso) => (iso ? formatDate(iso) : t('common.not_recorded'));

// ---- form fields: each is a govuk-form-group; error is a message or null ----

function group(error, ...children) {
  return h('div', {class: `govuk-form-group${error ? ' govuk-form-group--error' : ''}`}, ...children);
}
const hintEl = (id, hint) => hint && h('div', {class: 'govuk-hint', id}, hint);
const errorEl = (id, error) =>
  error && h('p', {class: 'govuk-error-message', id},
             h('span', {class: 'govuk-visually-hidden'}, t('errors.prefix')), error);
const describedBy = (name, hint, error) =>
  [hint && `f-${name}-hint`, error && `f-${name}-error`].filter(Boolean).join(' ') || null;

export function textInput(name, label, {hint, error, value = '', width, type = 'text',
                                        autocomplete, spellcheck} = {}) {
  return group(error,
    h('label', {class: 'govuk-label', for: `f-${name}`}, label),
    hintEl(`f-${name}-hint`, hint), errorEl(`f-${name}-error`, error),
    h('input', {class: `govuk-input${width ? ` govuk-input--width-${width}` : ''}${error ? ' govuk-input--error' : ''}`,
                id: `f-${name}`, name, type, value, autocomplete,
                spellcheck: spellcheck === undefined ? null : String(spellcheck),
                'aria-describedby': describedBy(name, hint, error)}));
}

export function textarea(name, label, {hint, error, value = '', rows = 5} = {}) {
  const ta = h('textarea', {class: `govuk-textarea${error ? ' govuk-textarea--error' : ''}`,
                            id: `f-${name}`, name, rows, 'aria-describedby': describedBy(name, hint, error)});
  ta.value = value;
  return group(error, h('label', {class: 'govuk-label', for: `f-${name}`}, label),
               hintEl(`f-${name}-hint`, hint), errorEl(`f-${name}-error`, error), ta);
}

// A select; blank: the words of the empty choice (default "Choose…"), for a question whose
// empty answer means something ("All teams"). An option's text may be words in another
// language (foreign() in dom.js): the option is marked with its lang.
export function select(name, label, options, {hint, error, value = '', blank} = {}) {
  return group(error,
    h('label', {class: 'govuk-label', for: `f-${name}`}, label),
    hintEl(`f-${name}-hint`, hint), errorEl(`f-${name}-error`, error),
    h('select', {class: `govuk-select${error ? ' govuk-select--error' : ''}`, id: `f-${name}`, name,
                 'aria-describedby': describedBy(name, hint, error)},
      h('option', {value: ''}, blank ?? t('common.choose')),
      options.map(([v, text]) => h('option', {value: v, selected: v === value,
                                              lang: isForeign(text) && text.lang !== language() ? text.lang : null},
                                   plain(text)))));
}

// Radios; options [[value, label, conditional?]]: a conditional node follows
// its option and is shown while that option is chosen. caseward shows and
// hides it itself: GOV.UK Frontend's Radios would also set aria-expanded on
// the radio inputs, which ARIA 1.2 does not allow on a radio (axe-core
// reports it), and the content follows the option either way.
function reveal(ev) {
  for (const input of ev.currentTarget.querySelectorAll(':scope > .govuk-radios__item > input')) {
    const box = input.parentElement.nextElementSibling;
    if (box && box.classList.contains('govuk-radios__conditional')) {
      box.classList.toggle('govuk-radios__conditional--hidden', !input.checked);
    }
  }
}

export function radios(name, legend, options, {hint, error, value = '', inline = false, small = false} = {}) {
  const items = [];
  options.forEach(([v, text, conditional], i) => {
    const id = i === 0 ? `f-${name}` : `f-${name}-${i}`;
    items.push(h('div', {class: 'govuk-radios__item'},
      h('input', {class: 'govuk-radios__input', id, name, type: 'radio', value: v, checked: v === value}),
      h('label', {class: 'govuk-label govuk-radios__label', for: id}, text)));
    if (conditional) {
      items.push(h('div', {class: `govuk-radios__conditional${v === value ? '' : ' govuk-radios__conditional--hidden'}`,
                           id: `c-${name}-${i}`}, conditional));
    }
  });
  return group(error, h('fieldset', {class: 'govuk-fieldset', 'aria-describedby': describedBy(name, hint, error)},
    h('legend', {class: 'govuk-fieldset__legend govuk-fieldset__legend--s'}, legend),
    hintEl(`f-${name}-hint`, hint), errorEl(`f-${name}-error`, error),
    h('div', {class: `govuk-radios${inline ? ' govuk-radios--inline' : ''}${small ? ' govuk-radios--small' : ''}`,
              'data-module': 'govuk-radios', onchange: reveal}, items)));
}

export function checkboxes(name, legend, options, {hint, error, values = [], small = false} = {}) {
  return group(error, h('fieldset', {class: 'govuk-fieldset', 'aria-describedby': describedBy(name, hint, error)},
    h('legend', {class: 'govuk-fieldset__legend govuk-fieldset__legend--s'}, legend),
    hintEl(`f-${name}-hint`, hint), errorEl(`f-${name}-error`, error),
    h('div', {class: `govuk-checkboxes${small ? ' govuk-checkboxes--small' : ''}`, 'data-module': 'govuk-checkboxes'},
      options.map(([v, text, itemHint], i) => {
        const id = i === 0 ? `f-${name}` : `f-${name}-${i}`;
        return h('div', {class: 'govuk-checkboxes__item'},
          h('input', {class: 'govuk-checkboxes__input', id, name, type: 'checkbox', value: v,
                      checked: values.includes(v), 'aria-describedby': itemHint ? `${id}-hint` : null}),
          h('label', {class: 'govuk-label govuk-checkboxes__label', for: id}, text),
          itemHint && h('div', {class: 'govuk-hint govuk-checkboxes__hint', id: `${id}-hint`}, itemHint));
      }))));
}

// The GOV.UK date input: day, month, year. value is YYYY-MM-DD or {day, month, year}.
export function dateInput(name, legend, {hint, error, value = ''} = {}) {
  const parts = typeof value === 'string'
    ? (([y, m, d]) => ({day: d ? String(Number(d)) : '', month: m ? String(Number(m)) : '', year: y || ''}))(value.split('-'))
    : value;
  const item = (part, width) => h('div', {class: 'govuk-date-input__item'},
    h('div', {class: 'govuk-form-group'},
      h('label', {class: 'govuk-label govuk-date-input__label', for: `f-${name}-${part}`}, t(`date.${part}`)),
      h('input', {class: `govuk-input govuk-date-input__input govuk-input--width-${width}${error ? ' govuk-input--error' : ''}`,
                  id: `f-${name}-${part}`, name: `${name}-${part}`, type: 'text', inputmode: 'numeric',
                  value: parts[part] || ''})));
  return group(error, h('fieldset', {class: 'govuk-fieldset', role: 'group',
                                     'aria-describedby': describedBy(name, hint, error)},
    h('legend', {class: 'govuk-fieldset__legend govuk-fieldset__legend--s'}, legend),
    hintEl(`f-${name}-hint`, hint), errorEl(`f-${name}-error`, error),
    h('div', {class: 'govuk-date-input', id: `f-${name}`}, item('day', 2), item('month', 2), item('year', 4))));
}

// Reads a date input back: YYYY-MM-DD, '' if empty, or null if not a real date.
export function readDate(form, name) {
  const get = (part) => (form.elements[`${name}-${part}`]?.value || '').trim();
  const d = get('day');
  const m = get('month');
  const y = get('year');
  if (!d && !m && !y) return '';
  if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y)) return null;
  const iso = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const dt = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(dt.getTime()) || dt.toISOString().slice(0, 10) !== iso ? null : iso;
}

// Today, as caseward's server counts it: the UTC date (it refuses a date after the day it
// records the entry, in UTC). A council's own day (Europe/London) is a server change.
export function today() {
  return new Date().toISOString().slice(0, 10);
}

// A bar chart with its figures: rows [{label, value, warn?}], plus the same in
// a table for anyone who cannot see the bars. figures: false when the page puts a
// fuller table of the same figures right after the chart.
export function barChart(title, rows, {unit = '', figures = true} = {}) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  const id = `chart-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return h('figure', {class: 'cw-chart', 'aria-labelledby': id},
    h('figcaption', {class: 'govuk-heading-s', id}, title),
    h('div', {'aria-hidden': 'true'},
      rows.map((r) => h('div', {class: 'cw-chart__row'},
        h('span', {class: 'govuk-body-s govuk-!-margin-bottom-0'}, r.label),
        h('span', {class: 'cw-chart__track'},
          h('span', {class: `cw-chart__bar cw-w-${Math.round((r.value / max) * 20) * 5}${r.warn ? ' cw-chart__bar--warn' : ''}`}),
          h('span', {class: 'govuk-body-s govuk-!-margin-bottom-0'}, `${r.value}${unit}`))))),
    figures && h('details', {class: 'govuk-details'},
      h('summary', {class: 'govuk-details__summary'},
        h('span', {class: 'govuk-details__summary-text'}, t('common.chart_figures'))),
      h('div', {class: 'govuk-details__text'},
        table({head: [{text: t('common.item')}, {text: t('common.value'), numeric: true}],
               rows: rows.map((r) => [r.label, `${r.value}${unit}`])}))));
}
