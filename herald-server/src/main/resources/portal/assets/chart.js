// Deliveries and failures over time as a stacked bar chart, with the attempts made as a line over it, drawn as
// SVG (attributes only, no style, no library). Each bucket has a <title>, so hovering shows its numbers, the
// chart has a text summary, and the numbers themselves are in a table beside it for screen readers and keyboards.

import { h, s, number, table } from './ui.js';

const H = 200;
const PAD = { top: 12, right: 8, bottom: 26, left: 40 };

/**
 * buckets: [{start, delivered, failed, attempts, ...}] as the stats route gives them; series: [{key, label, cls}]
 * stacked bottom-up; line: an optional {key, label, cls} drawn over the bars. bucketMs: the width of one bucket.
 */
export function barChart({ buckets, series, line, bucketMs, label }) {
  const all = line ? [...series, line] : series;
  const sums = all.map((sr) => `${number(buckets.reduce((n, b) => n + (b[sr.key] ?? 0), 0))} ${sr.label.toLowerCase()}`);
  const holder = h('div', { class: 'chart-holder' });
  const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  const active = buckets.filter((b) => all.some((sr) => b[sr.key]));
  const figure = h('figure', { class: 'chart' }, holder,
    h('figcaption', { class: 'chart-legend' },
      series.map((sr) => h('span', { class: 'legend-item' }, h('span', { class: `legend-swatch ${sr.cls}`, 'aria-hidden': 'true' }), sr.label)),
      line ? h('span', { class: 'legend-item' }, h('span', { class: `legend-line ${line.cls}`, 'aria-hidden': 'true' }), line.label) : null),
    h('details', { class: 'chart-table' }, h('summary', {}, 'Show the numbers'),
      h('p', { class: 'muted small' }, `${label}: ${sums.join(', ')}. Periods with nothing in them are left out.`),
      table([
        { label: bucketMs >= 3_600_000 ? 'Hour starting' : 'Five minutes from', cell: (b) => h('time', { datetime: b.start }, full.format(new Date(b.start))) },
        ...all.map((sr) => ({ label: sr.label, cell: (b) => number(b[sr.key]) })),
      ], active, { caption: label })));
  // why: drawn at the width it is shown at, so its text keeps one size on a phone and on a wide screen
  let drawn = 0;
  new ResizeObserver(() => {
    const width = Math.round(holder.clientWidth);
    if (width > 0 && width !== drawn) {
      drawn = width;
      holder.replaceChildren(svg({ buckets, series, line, bucketMs, label: `${label}: ${sums.join(', ')}`, W: width }));
    }
  }).observe(holder);
  return figure;
}

function svg({ buckets, series, line, bucketMs, label, W }) {
  const totals = buckets.map((b) => series.reduce((n, sr) => n + (b[sr.key] ?? 0), 0));
  const lineValues = line ? buckets.map((b) => b[line.key] ?? 0) : [];
  const max = niceMax(Math.max(1, ...totals, ...lineValues));
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const step = innerW / Math.max(1, buckets.length);
  const barW = Math.max(1, step * 0.72);
  const y = (v) => PAD.top + innerH - (v / max) * innerH;

  const grid = [0, 0.5, 1].map((f) => {
    const v = Math.round(max * f);
    return s('g', { class: 'chart-grid' },
      s('line', { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v) }),
      s('text', { x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'chart-axis' }, number(v)));
  });

  const fmt = new Intl.DateTimeFormat(undefined, bucketMs >= 3_600_000 * 24 ? { month: 'short', day: 'numeric' }
    : { hour: '2-digit', minute: '2-digit' });
  const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  const labelEvery = Math.max(1, Math.ceil(buckets.length / Math.max(2, Math.floor(innerW / 90))));

  const bars = buckets.map((b, i) => {
    const x = PAD.left + i * step + (step - barW) / 2;
    let base = 0;
    const parts = series.map((sr) => {
      const v = b[sr.key] ?? 0;
      if (!v) return null;
      const r = s('rect', { x, y: y(base + v), width: barW, height: Math.max(1, y(base) - y(base + v)), class: sr.cls, rx: 1.5 });
      base += v;
      return r;
    });
    const start = new Date(b.start);
    const tip = `${full.format(start)}: ` + (line ? [...series, line] : series).map((sr) => `${number(b[sr.key] ?? 0)} ${sr.label.toLowerCase()}`).join(', ');
    return s('g', { class: 'chart-bar' },
      s('title', {}, tip),
      // why: an invisible full-height target, so hovering an empty or thin bar still shows its numbers
      s('rect', { x: PAD.left + i * step, y: PAD.top, width: step, height: innerH, class: 'chart-hit' }),
      parts,
      i % labelEvery === 0 ? s('text', { x: x + barW / 2, y: H - 8, 'text-anchor': 'middle', class: 'chart-axis' }, fmt.format(start)) : null);
  });

  // why: the attempts line passes through each bucket's centre; one point alone is drawn as a dot
  const points = lineValues.map((v, i) => `${(PAD.left + i * step + step / 2).toFixed(1)},${y(v).toFixed(1)}`);
  const drawnLine = !line ? null : points.length > 1
    ? s('polyline', { points: points.join(' '), class: `chart-line ${line.cls}`, fill: 'none' })
    : s('circle', { cx: PAD.left + step / 2, cy: y(lineValues[0] ?? 0), r: 3, class: `chart-dot ${line.cls}` });
  return s('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': label, class: 'chart-svg' }, grid, bars, drawnLine);
}

function niceMax(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (v <= m * p) return m * p;
  }
  return 10 * p;
}
