// chart.js — a small line chart drawn as SVG by the application itself (no chart library:
// nothing to vendor, nothing run from elsewhere).
//
// The chart is a picture of a table that follows it on the page, as the GOV.UK Design
// System asks of charts: the SVG is hidden from assistive technology (aria-hidden) and the
// same figures are in the table. Everything is drawn with SVG attributes and the
// stylesheet's classes (cw-line-chart__*), never inline style, which the
// Content-Security-Policy does not allow.
import {h} from './dom.js';

const NS = 'http://www.w3.org/2000/svg';

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : String(c));
  return el;
}

// A round top for the axis: the smallest of 1, 2, 2.5, 5 × 10^k at or above max.
export function niceMax(max) {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 2.5, 5, 10].map((f) => f * p).find((x) => x >= max);
}

// points: [{label, value (null: nothing to draw)}]; opts: {caption, id, max (fixed top of
// the axis, as 100 for a percentage), target (a horizontal line, or null), targetLabel,
// format (a value as it reads on the axis)}.
export function lineChart(points, {caption, id, max, target = null, targetLabel = '', format = String}) {
  const W = 640;
  const H = 260;
  const left = 56;
  const right = 28;
  const top = 16;
  const bottom = 40;
  const values = points.map((p) => p.value).filter((v) => v !== null && v !== undefined);
  const ymax = max ?? niceMax(Math.max(0, ...values, target ?? 0));
  const step = points.length > 1 ? (W - left - right) / (points.length - 1) : 0;
  const x = (i) => left + (points.length > 1 ? i * step : (W - left - right) / 2);
  const y = (v) => top + (H - top - bottom) * (1 - Math.min(v, ymax) / ymax);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * ymax);

  const grid = ticks.map((v) => s('g', {},
    s('line', {class: 'cw-line-chart__grid', x1: left, x2: W - right, y1: y(v), y2: y(v)}),
    s('text', {class: 'cw-line-chart__label', x: left - 6, y: y(v) + 4, 'text-anchor': 'end'}, format(v))));
  const labels = points.map((p, i) =>
    s('text', {class: 'cw-line-chart__label', x: x(i), y: H - bottom + 20, 'text-anchor': 'middle'}, p.label));
  // The line, broken where there is no figure.
  const runs = [];
  let run = [];
  points.forEach((p, i) => {
    if (p.value === null || p.value === undefined) {
      if (run.length) runs.push(run);
      run = [];
    } else {
      run.push([x(i), y(p.value)]);
    }
  });
  if (run.length) runs.push(run);
  const lines = runs.filter((r) => r.length > 1).map((r) =>
    s('polyline', {class: 'cw-line-chart__line', points: r.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}));
  const dots = runs.flat().map(([a, b]) => s('circle', {class: 'cw-line-chart__point', cx: a.toFixed(1), cy: b.toFixed(1), r: 5}));
  const goal = target === null || target === undefined ? null : s('g', {},
    s('line', {class: 'cw-line-chart__target', x1: left, x2: W - right, y1: y(target), y2: y(target),
               'stroke-dasharray': '8 6'}),
    s('text', {class: 'cw-line-chart__label cw-line-chart__label--target', x: W - right, y: y(target) - 6,
               'text-anchor': 'end'}, targetLabel));

  return h('figure', {class: 'cw-chart cw-line-chart', id, 'aria-labelledby': `${id}-caption`},
    h('figcaption', {class: 'govuk-heading-s', id: `${id}-caption`}, caption),
    s('svg', {class: 'cw-line-chart__svg', viewBox: `0 0 ${W} ${H}`, 'aria-hidden': 'true', focusable: 'false'},
      grid,
      s('line', {class: 'cw-line-chart__axis', x1: left, x2: W - right, y1: y(0), y2: y(0)}),
      labels, goal, lines, dots));
}
