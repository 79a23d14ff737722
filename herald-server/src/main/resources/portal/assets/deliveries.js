// The delivery log: filters (endpoint, status, type, event id, time range), and one delivery with its
// request (body and headers) and every attempt with the receiver's answer, shown as text.

import { path } from './api.js';
import { href, show } from './router.js';
import { attemptResult, deliveriesTable } from './endpoints.js';
import {
  badge, busy, button, card, clear, clearErrors, code, confirm, duration, emptyState, facts, field, fromLocalInput,
  h, input, linkButton, mono, notice, number, pagedList, pageHeader, select, statusCodeBadge, time, toast,
  toLocalInput,
} from './ui.js';

const FILTERS = ['endpoint_id', 'status', 'event_type', 'event_id', 'since', 'until'];

export async function deliveryLog(app, ctx) {
  const [endpoints, types] = await Promise.all([
    app.api.all(`${app.base}/endpoints`),
    app.api.all('/v1/event-types').catch(() => []),
  ]);
  const byId = new Map(endpoints.map((e) => [e.id, e]));
  const q = ctx.query;
  const endpointSel = select([['', 'All endpoints'], ...endpoints.map((e) => [e.id, e.description ? `${e.description} — ${e.url}` : e.url])],
    { name: 'endpoint_id', value: q.endpoint_id ?? '' });
  const statusSel = select([['', 'Any status'], ['pending', 'Pending'], ['delivered', 'Delivered'], ['failed', 'Failed']],
    { name: 'status', value: q.status ?? '' });
  const typeSel = select([['', 'Any type'], ...types.map((t) => [t.name, t.name])],
    { name: 'event_type', value: q.event_type ?? '' });
  const eventIn = input({ name: 'event_id', value: q.event_id ?? '', placeholder: 'An event id', spellcheck: 'false', autocomplete: 'off' });
  const sinceIn = input({ type: 'datetime-local', name: 'since', value: toLocalInput(q.since) });
  const untilIn = input({ type: 'datetime-local', name: 'until', value: toLocalInput(q.until) });
  const apply = button('Apply filters', { kind: 'primary', type: 'submit', small: true });
  const reset = button('Clear', { kind: 'ghost', small: true, onclick: () => {
    for (const el of [endpointSel, statusSel, typeSel, eventIn, sinceIn, untilIn]) el.value = '';
    load();
  } });
  const filters = h('form', { class: 'filters', novalidate: true, role: 'search', 'aria-label': 'Filter deliveries' },
    field('Endpoint', endpointSel, { field: 'endpoint_id' }),
    field('Status', statusSel, { field: 'status' }),
    field('Event type', typeSel, { field: 'event_type' }),
    field('Event id', eventIn, { field: 'event_id' }),
    field('Created after', sinceIn, { field: 'since' }),
    field('Created before', untilIn, { field: 'until' }),
    h('div', { class: 'filter-actions' }, reset, apply));
  const results = h('div', { class: 'results', 'aria-live': 'polite' });

  function current() {
    return {
      endpoint_id: endpointSel.value, status: statusSel.value, event_type: typeSel.value, event_id: eventIn.value.trim(),
      since: fromLocalInput(sinceIn.value), until: fromLocalInput(untilIn.value),
    };
  }

  async function load() {
    clearErrors(filters);
    const query = current();
    // why: the address keeps the filters (a link can be shared) without a navigation that would reset the screen
    history.replaceState(null, '', href('/deliveries', query));
    const filtered = FILTERS.some((f) => query[f]);
    await pagedList({
      results, filters, retry: load,
      fetchPage: (cursor) => app.api.get(`${app.base}/deliveries`, { ...query, limit: 50, cursor }),
      render: (rows) => deliveriesTable(rows, true, byId),
      empty: () => emptyState(filtered ? 'No deliveries match these filters' : 'No deliveries yet',
        filtered ? 'Widen the time range or clear a filter.'
          : 'Deliveries appear here as soon as events are sent to your endpoints.',
        filtered ? button('Clear filters', { onclick: () => reset.click() }) : null),
    });
  }

  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    load();
  });
  for (const el of [endpointSel, statusSel, typeSel]) el.addEventListener('change', load);

  if (!show(ctx, pageHeader('Delivery log', {
    subtitle: 'Every request Herald made to your endpoints, with the answers it got.',
  }), card(null, filters, { cls: 'filters-card' }), card(null, results, { cls: 'results-card' }))) return;
  await load();
}

export async function deliveryDetail(app, ctx) {
  const url = `${app.base}/deliveries/${path`${ctx.params.id}`}`;
  let d;
  try {
    d = await app.api.get(url);
  } catch (err) {
    if (err.status === 404) {
      show(ctx, pageHeader('Delivery not found', { back: { href: '#/deliveries', label: 'Delivery log' } }),
        card(null, emptyState('This delivery does not exist', 'It may have been purged after the retention period.', linkButton('Back to the log', '#/deliveries'))));
      return;
    }
    throw err;
  }
  const endpoint = await app.api.get(`${app.base}/endpoints/${path`${d.endpoint_id}`}`).catch(() => null);
  const reload = () => deliveryDetail(app, ctx);
  const retry = d.status === 'failed' && !app.readOnly ? button('Retry delivery', { kind: 'primary', onclick: async (ev) => {
    const btn = ev.currentTarget;
    const ok = await confirm({
      title: 'Send this delivery again?',
      message: 'Herald sends the same body with the same delivery id once more. If it fails again, it is marked failed again.',
      confirmLabel: 'Retry',
    });
    if (!ok) return;
    await busy(btn, async () => {
      try {
        await app.api.post(`${url}/retry`, {});
        toast('Delivery queued again');
        reload();
      } catch (err) {
        toast(err.message, 'error');
      }
    });
  } }) : null;
  const refresh = d.status === 'pending' ? button('Refresh', { small: true, iconName: 'refresh', onclick: reload }) : null;

  show(ctx,
    pageHeader(`Delivery ${d.id}`, {
      back: { href: `#/deliveries${d.endpoint_id ? `?endpoint_id=${encodeURIComponent(d.endpoint_id)}` : ''}`, label: 'Delivery log' },
      badges: [badge(d.status), d.test ? badge('test') : null],
      actions: [refresh, retry],
    }),
    d.status === 'failed' ? notice(`Herald gave up after ${d.attempt_count} attempt${d.attempt_count === 1 ? '' : 's'}. Fix the endpoint, then retry this delivery, or recover every failed delivery of a period from the endpoint's page.`, 'error', 'Not delivered') : null,
    card('Summary', facts([
      ['Endpoint', endpoint ? h('a', { href: `#/endpoints/${encodeURIComponent(endpoint.id)}`, class: 'break' }, endpoint.url) : mono(d.endpoint_id)],
      ['Event type', d.event_type ? mono(d.event_type) : null],
      ['Events', number(d.event_count)],
      ['Attempts', number(d.attempt_count)],
      ['Created', time(d.created_at)],
      d.delivered_at ? ['Delivered', time(d.delivered_at)] : null,
      d.status === 'pending' ? ['Next attempt', d.next_attempt_at ? time(d.next_attempt_at) : null] : null,
    ])),
    attemptsCard(d),
    requestCard(d, endpoint),
    d.event_ids?.length ? card('Events', h('ul', { class: 'plain-list mono-list' }, d.event_ids.map((e) => h('li', {}, h('a', { href: `#/events/${encodeURIComponent(e)}`, class: 'mono' }, e)))),
      { description: 'In the order they appear in the body.' }) : null);
}

function attemptsCard(d) {
  if (!d.attempts?.length) {
    return card('Attempts', emptyState('No attempt yet', d.next_attempt_at ? 'The first attempt is due soon.' : null));
  }
  const list = h('ol', { class: 'attempts' }, [...d.attempts].reverse().map((a) => {
    const ok = a.status_code >= 200 && a.status_code < 300;
    return h('li', { class: ['attempt', ok ? 'attempt-ok' : 'attempt-bad'] },
      h('div', { class: 'attempt-head' },
        h('span', { class: 'attempt-n' }, `#${a.n}`), statusCodeBadge(a.status_code), time(a.at),
        h('span', { class: 'muted' }, duration(a.duration_ms))),
      a.error ? h('p', { class: 'error-text' }, a.error) : null,
      h('details', { class: 'response', open: a === d.attempts[d.attempts.length - 1] },
        h('summary', {}, 'Response body'),
        a.response_body ? code(a.response_body, { label: `Response body of attempt ${a.n}` }) : h('p', { class: 'muted' }, 'Empty')));
  }));
  return card('Attempts', list, { description: 'Newest first. Response bodies are kept up to 4 KiB.' });
}

function requestCard(d, endpoint) {
  const headers = [
    ['Content-Type', 'application/json'],
    ['X-Webhook-Delivery, webhook-id', d.id],
    ['X-Webhook-Event', d.event_type ?? (d.event_count > 1 ? 'batch' : '—')],
    ['X-Webhook-Retry', 'the attempt number less one (0 on the first)'],
    ['X-Webhook-Timestamp, webhook-timestamp', 'Unix seconds when the attempt was sent'],
    ['X-Webhook-Signature, webhook-signature', 'v1,<signature> (one per live secret)'],
    ['X-Request-ID', 'new for every attempt'],
    d.test ? ['X-Webhook-Test', 'true'] : null,
    ...Object.entries(endpoint?.headers ?? {}).map(([k, v]) => [k, v]),
  ].filter(Boolean);
  return card('Request', h('div', { class: 'stack' },
    h('h3', { class: 'subtitle' }, 'Headers'),
    facts(headers.map(([k, v]) => [mono(k), h('span', { class: 'break' }, v)])),
    h('h3', { class: 'subtitle' }, 'Body'),
    d.body !== undefined ? code(d.body, { label: 'Request body' }) : h('p', { class: 'muted' }, 'This Herald does not show delivery bodies.')),
  { description: 'The same body is sent on every attempt; only the per-attempt headers change.' });
}

export { attemptResult };
