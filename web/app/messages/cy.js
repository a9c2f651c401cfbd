// messages/cy.js — every word of caseward's interface, in Welsh: the same keys as en.js
// (tests/web/messages.test.mjs), kept in five parts by section for reviewing. The terms
// chosen, and where each comes from, are in docs/welsh-glossary.md.
import a from './cy-part-a.js';
import b from './cy-part-b.js';
import c from './cy-part-c.js';
import d from './cy-part-d.js';
import e from './cy-part-e.js';

export default {...a, ...b, ...c, ...d, ...e};
