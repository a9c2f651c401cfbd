// messages.test.mjs — every word the interface shows comes from the message
// catalogue (web/app/messages/en.js): each key the code names exists, as do
// the labels of every form's fields, options and CSE items.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {readFileSync, readdirSync} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {CHILD_COMMANDS, CSE_BANDS, CSE_ITEMS, FORMS, cseBand, cseScore} from '../../web/app/forms.js';
import cy from '../../web/app/messages/cy.js';
import en from '../../web/app/messages/en.js';

const app = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../web/app');
const lookup = (key) => key.split('.').reduce((v, k) => (v == null ? undefined : v[k]), en);
const isMessage = (v) => typeof v === 'string' || (v && typeof v.one === 'string' && typeof v.other === 'string');

function sources(dir) {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) =>
    e.isDirectory() ? (e.name === 'messages' ? [] : sources(path.join(dir, e.name)))
                    : e.name.endsWith('.js') ? [path.join(dir, e.name)] : []);
}

test('every module of the application parses', () => {
  const bad = [];
  for (const file of [...sources(app), ...readdirSync(path.join(app, 'messages')).map((f) => path.join(app, 'messages', f))]) {
    const r = spawnSync(process.execPath, ['--input-type=module', '--check'], {input: readFileSync(file)});
    if (r.status !== 0) bad.push(`${path.relative(app, file)}: ${String(r.stderr).split('\n').slice(0, 5).join('\n')}`);
  }
  assert.deepEqual(bad, []);
});

test('every key named in the code is in the catalogue', () => {
  const missing = [];
  let seen = 0;
  for (const file of sources(app)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bt\('([a-z0-9_.]+)'/g)) {
      seen++;
      if (!isMessage(lookup(m[1]))) missing.push(`${path.basename(file)}: ${m[1]}`);
    }
    // Keys held in tables, such as the navigation's ['/caseload', 'nav.caseload'].
    for (const m of text.matchAll(/'((?:nav|notfound|forbidden|fault|errors)\.[a-z_]+)'/g)) {
      if (!isMessage(lookup(m[1]))) missing.push(`${path.basename(file)}: ${m[1]}`);
    }
  }
  assert.ok(seen > 100, `found only ${seen} keys: the pattern no longer matches the code`);
  assert.deepEqual(missing, []);
});

test('every form has its title, and every option and CSE item its label', () => {
  const missing = [];
  const need = (key) => isMessage(lookup(key)) || missing.push(key);
  for (const [type, fields] of Object.entries(FORMS)) {
    need(`events.${type}`);
    for (const f of fields) {
      if (f.kind === 'newid' || f.kind === 'views' || f.kind === 'cse' || f.kind === 'entry') continue;
      if (!isMessage(lookup(`forms.${type}.${f.name}`))) need(`fields.${f.name}`);
      for (const o of f.options || []) need(`values.${o}`);
    }
  }
  for (const [group, types] of CHILD_COMMANDS) {
    need(`record.groups.${group}`);
    for (const type of types) assert.ok(FORMS[type], `${type} is offered but has no form`);
  }
  for (const [group, items] of Object.entries(CSE_ITEMS)) {
    need(`cse.${group}`);
    for (const i of items) need(`cse.items.${i}`);
  }
  for (const b of CSE_BANDS) need(`values.${b}`);
  for (const role of ['social_worker', 'senior_practitioner', 'team_manager', 'service_manager',
                      'head_of_service', 'qa_auditor', 'inspector', 'administrator']) need(`roles.${role}`);
  assert.deepEqual(missing, []);
});

test('the CSE score and band follow docs/events.md', () => {
  // each vulnerability and moderate indicator 1, each significant indicator 5
  assert.equal(cseScore({vulnerabilities: ['a', 'b'], moderate_indicators: ['c'], significant_indicators: ['d']}), 8);
  const bands = [[0, 'no_apparent_risk'], [5, 'no_apparent_risk'], [6, 'mild'], [10, 'mild'],
                 [11, 'moderate'], [15, 'moderate'], [16, 'significant'], [40, 'significant']];
  for (const [score, band] of bands) assert.equal(cseBand(score), band, `score ${score}`);
});

// Welsh no less favourably than English (Welsh Language Standards): every message in both,
// each with the same values filled in, and a plural in one a plural in the other.
const leaves = (o, p = '') => Object.entries(o).flatMap(([k, v]) =>
  (v && typeof v === 'object' && !Array.isArray(v) && !('other' in v) ? leaves(v, `${p}${k}.`) : [[`${p}${k}`, v]]));
const holes = (v) => JSON.stringify(v).match(/\{\w+\}/g)?.sort().join() ?? '';

test('every message is in Welsh and in English, with the same values filled in', () => {
  const e = new Map(leaves(en)), c = new Map(leaves(cy));
  assert.ok(e.size > 500, 'the English catalogue is read');
  assert.deepEqual([...e.keys()].filter((k) => !c.has(k)), [], 'messages with no Welsh');
  assert.deepEqual([...c.keys()].filter((k) => !e.has(k)), [], 'Welsh messages with no English');
  const differ = [...e].filter(([k, v]) => holes(v) !== holes(c.get(k)) ||
    Array.isArray(v) !== Array.isArray(c.get(k)) || (Array.isArray(v) && v.length !== c.get(k).length) ||
    (typeof v === 'object' && !Array.isArray(v)) !== (typeof c.get(k) === 'object' && !Array.isArray(c.get(k))));
  assert.deepEqual(differ.map(([k]) => k), [], 'messages whose Welsh fills in other values, or is not of the same shape');
  const untranslated = [...e].filter(([k, v]) => typeof v === 'string' && v.length > 12 && /[a-z]{4}/.test(v) &&
                                                 v === c.get(k) && !/^(caseward|GOV\.UK)/.test(v));
  assert.ok(untranslated.length < 10, `English left in the Welsh catalogue: ${untranslated.map(([k]) => k).join(', ')}`);
});

test('the server names fields as the pages do (src/util/field_names.inc is up to date)', async () => {
  const {fieldNamesInc} = await import('./field-names.mjs');
  const inc = readFileSync(path.join(app, '../../src/util/field_names.inc'), 'utf8');
  assert.equal(inc, await fieldNamesInc(), 'run scripts/gen-field-names');
});
