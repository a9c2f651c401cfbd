// conflict.js — when a change to an entry is refused because someone else changed it first
// (409 `conflict`, docs/events.md "Conflicts"): read the entry again and say what is
// different now, so that the reader can redo their change on what the record says.
import {api, seg} from './api.js';
import {h} from './dom.js';
import {t} from './i18n.js';
import {fieldLabel, fieldValue} from './pages/child.js';
import {signOffLine} from './signoff.js';

// Whether an API error is the refusal of a stale change.
export const isConflict = (e) => e && e.status === 409 && e.code === 'conflict';

// The entry (by index) as the child's chronology has it now, with the chronology by index.
export async function rereadEntry(childId, index) {
  const c = await api.get(`/api/v1/children/${seg(childId)}/chronology`);
  const byIndex = new Map(c.chronology.map((e) => [e.index, e]));
  return {entry: byIndex.get(index) || null, byIndex};
}

// What is different in `after` from `before` (two readings of one entry): a box listing each
// changed detail with its value now, and the sign-off if that changed; null if nothing shows.
export function changedSince(before, after, names, byIndex) {
  if (!before || !after) return null;
  const a = before.payload || {};
  const b = after.payload || {};
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => k !== 'child_id');
  const items = keys.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).map((k) =>
    h('li', {}, t('conflict.now', {field: fieldLabel(k),
                                   value: k in b ? fieldValue(after.type, k, b[k], names) : t('common.not_recorded')})));
  const signOff = JSON.stringify(before.sign_off || null) !== JSON.stringify(after.sign_off || null)
    ? signOffLine(after.sign_off, names, byIndex) : null;
  return h('div', {class: 'govuk-inset-text', id: 'changed-since'},
    h('h2', {class: 'govuk-heading-s'}, t('conflict.changed_title')),
    items.length ? h('ul', {class: 'govuk-list govuk-list--bullet'}, items) : null,
    signOff,
    !items.length && !signOff ? h('p', {class: 'govuk-body'}, t('conflict.changed_other')) : null);
}
