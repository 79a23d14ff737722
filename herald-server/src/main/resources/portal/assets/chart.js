// Deliveries and failures over time as a stacked bar chart, drawn as SVG (attributes only, no style, no
// library): each bar has a <title>, so hovering shows its numbers, and the chart has a text summary.

import { h, s, number } from './ui.js';

const H = 200;
const PAD = { top: 12, right: 8, bottom: 26, left: 40 };

/**
 * buckets: [{start, delivered, failed, ...}]; series: [{key, label, cls}] stacked bottom-up.
 * bucketMs: the width of one bucket, for the hover text.
 */
export function barChart({ buckets, series, bucketMs, label }) {
  const sums = series.map((sr) => `${number(buckets.reduce((n, b) => n + (b[sr.key] ?? 0), 0))} ${sr.label.toLowerCase()}`);
  const holder = h('div', { class: 'chart-holder' });
  const figure = h('figure', { class: 'chart' }, holder,
    h('figcaption', { class: 'chart-legend' }, series.map((sr) => h('span', { class: 'legend-item' },
      h('span', { class: `legend-swatch ${sr.cls}`, 'aria-hidden': 'true' }), sr.label))));
  // why: drawn at the width it is shown at, so its text keeps one size on a phone and on a wide screen
  let drawn = 0;
  new ResizeObserver(() => {
    const width = Math.round(holder.clientWidth);
    if (width > 0 && width !== drawn) {
      drawn = width;
      holder.replaceChildren(svg({ buckets, series, bucketMs, label: `${label}: ${sums.join(', ')}`, W: width }));
    }
  }).observe(holder);
  return figure;
}

function svg({ buckets, series, bucketMs, label, W }) {
  const totals = buckets.map((b) => series.reduce((n, sr) => n + (b[sr.key] ?? 0), 0));
  const max = niceMax(Math.max(1, ...totals));
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
    const tip = `${full.format(start)}: ` + series.map((sr) => `${number(b[sr.key] ?? 0)} ${sr.label.toLowerCase()}`).join(', ');
    return s('g', { class: 'chart-bar' },
      s('title', {}, tip),
      // why: an invisible full-height target, so hovering an empty or thin bar still shows its numbers
      s('rect', { x: PAD.left + i * step, y: PAD.top, width: step, height: innerH, class: 'chart-hit' }),
      parts,
      i % labelEvery === 0 ? s('text', { x: x + barW / 2, y: H - 8, 'text-anchor': 'middle', class: 'chart-axis' }, fmt.format(start)) : null);
  });

  return s('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': label, class: 'chart-svg' }, grid, bars);
}

function niceMax(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (v <= m * p) return m * p;
  }
  return 10 * p;
}
