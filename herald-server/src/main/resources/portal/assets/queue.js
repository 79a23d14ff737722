// Queue health: what is due now, what is being retried, how late the oldest due delivery is, and the
// endpoints with the largest backlogs. Refreshes itself while it is on screen.

import { show } from './router.js';
import { badge, button, card, duration, emptyState, h, mono, number, pageHeader, relative, table, time, replace } from './ui.js';

const EVERY_MS = 5000;

export async function queue(app, ctx) {
  const body = h('div', { class: 'stack' });
  const stamp = h('span', { class: 'muted small', 'aria-live': 'off' });
  const refresh = button('Refresh', { small: true, iconName: 'refresh', onclick: () => load() });
  async function load() {
    const q = await app.api.get('/v1/queue');
    if (!ctx.alive()) return;
    const late = q.oldest_due_at ? Date.now() - new Date(q.oldest_due_at).getTime() : 0;
    replace(body, 
      h('div', { class: 'kpis' },
        kpi('Due now', number(q.due), q.due ? 'warn' : null, 'deliveries waiting for a sender'),
        kpi('Being retried', number(q.retrying), q.retrying ? 'bad' : null, 'pending after a failed attempt'),
        kpi('Pending', number(q.pending ?? q.due), null, 'due now or scheduled'),
        kpi('Oldest due', q.oldest_due_at ? duration(Math.max(0, late)) : '—', late > 60000 ? 'bad' : null,
          q.oldest_due_at ? h('span', {}, 'late, due ', time(q.oldest_due_at)) : 'nothing is late')),
      card('Endpoints by backlog', q.endpoints.length ? table([
        { label: 'Endpoint', cls: 'col-main', cell: (e) => h('span', { class: 'stack-xs' }, h('span', { class: 'break' }, e.url), mono(e.endpoint_id, 'muted small')) },
        { label: 'Tenant', cell: (e) => h('a', { href: `#/tenants/${encodeURIComponent(e.tenant_id)}` }, e.tenant_id) },
        { label: 'Status', cell: (e) => badge(e.status) },
        { label: 'Due', cls: 'num', cell: (e) => number(e.due) },
        { label: 'Retrying', cls: 'num', cell: (e) => number(e.retrying) },
        { label: 'Pending', cls: 'num', cell: (e) => number(e.pending ?? e.due) },
        { label: 'Oldest due', cell: (e) => e.oldest_due_at ? relative(e.oldest_due_at) : h('span', { class: 'muted' }, '—') },
      ], q.endpoints, { caption: 'Endpoints by backlog' }) : emptyState('Nothing is waiting', 'Every delivery has been sent. Backlogs appear here when an endpoint falls behind.'),
      { description: 'The 50 endpoints with the most due deliveries. A paused endpoint keeps its backlog until it is resumed.' }));
    stamp.textContent = `Updated ${new Date().toLocaleTimeString()} · refreshes every ${EVERY_MS / 1000} s`;
  }
  await load();
  if (!show(ctx, pageHeader('Queue health', { subtitle: 'Deliveries waiting to be sent, across every tenant.', actions: [stamp, refresh] }), body)) return;
  const timer = setInterval(() => {
    if (!ctx.alive() || document.hidden) {
      if (!ctx.alive()) clearInterval(timer);
      return;
    }
    load().catch(() => {});
  }, EVERY_MS);
}

function kpi(label, value, tone, note) {
  return h('div', { class: ['kpi', tone && `kpi-${tone}`] }, h('span', { class: 'kpi-label' }, label),
    h('span', { class: 'kpi-value' }, value), note ? h('span', { class: 'kpi-note' }, note) : null);
}
