// csv.js — a table's figures as a CSV file the reader downloads, made in the browser.
//
// The file follows RFC 4180: fields separated by commas, records by CRLF, a field holding a
// comma, a double quote, CR or LF (or leading or trailing spaces) in double quotes, with its
// quotes doubled. It starts with a UTF-8 byte order mark, so that a spreadsheet reads
// children's names (ŵ, ŷ) as written. A text cell that a spreadsheet would run as a formula
// (starting with =, +, -, @, a tab or CR) gets a leading apostrophe (OWASP, "CSV injection");
// numbers are written as they are, so a figure stays a figure.
//
// The download is a Blob behind an object URL, made when the link is followed. The
// Content-Security-Policy does not stop it: following a link to download a file is a
// navigation, which the policy's fetch directives (connect-src and the rest) do not govern.
import {h} from './dom.js';
import {t} from './i18n.js';

const FORMULA = /^[=+\-@\t\r]/;

// One field: null and undefined are empty.
export function csvField(v) {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && FORMULA.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

// rows: arrays of fields, the header row first. The text of the file, without the BOM.
export function toCsv(rows) {
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

export const BOM = '\uFEFF';

// "Download as CSV" under a table: name is the file's name without ".csv"; rows as for
// toCsv, header first. The object URL is made on each click and let go a minute later.
export function csvLink(name, rows, text = t('common.download_csv')) {
  const a = h('a', {href: '#', class: 'govuk-link', download: `${name}.csv`,
                    'data-csv': name}, text);
  a.addEventListener('click', () => {
    const url = URL.createObjectURL(new Blob([BOM + toCsv(rows)], {type: 'text/csv;charset=utf-8'}));
    a.href = url;
    setTimeout(() => {
      URL.revokeObjectURL(url);
      if (a.href === url) a.href = '#';
    }, 60000);
  });
  return h('p', {class: 'govuk-body cw-no-print'}, a);
}

// A file name from words: letters, digits and hyphens.
export const fileName = (...parts) =>
  parts.filter(Boolean).join('-').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
