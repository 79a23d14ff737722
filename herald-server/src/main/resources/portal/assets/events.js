// Event search: the events the platform published to this tenant (newest first, kept for the retention period),
// found by id or filtered by type and time; one event with its data and the deliveries that carry it.

import { path } from './api.js';
import { go, href, show } from './router.js';
import {
  badge, button, card, clear, clearErrors, code, emptyState, facts, field, fromLocalInput, h, input, linkButton,
  mono, pagedList, pageHeader, select, showError, table, time, toLocalInput,
} from './ui.js';

export async function eventSearch(app, ctx) {
  const types = await app.api.all('/v1/event-types').catch(() => []);
  const q = ctx.query;

  // -- find one event by its id: the question a partner asks most ("did you send me evt_…?")
  const idIn = input({ name: 'event_id', placeholder: 'The id of an event', spellcheck: 'false', autocomplete: 'off' });
  const find = h('form', { class: 'find-form', novalidate: true, role: 'search', 'aria-label': 'Find an event by id' },
    field('Event id', idIn, { field: 'event_id', hint: 'As your platform sent it, or as the events[].id of a batch.' }),
    button('Find event', { kind: 'primary', type: 'submit' }));
  find.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(find);
    const id = idIn.value.trim();
    if (!id) {
      showError(find, { message: 'Paste the id of an event.' }, 'event_id');
      return;
    }
    go(`/events/${encodeURIComponent(id)}`);
  });

  // -- browse by type and time
  const typeSel = select([['', 'Any type'], ...types.map((t) => [t.name, t.name])], { name: 'type', value: q.type ?? '' });
  const sinceIn = input({ type: 'datetime-local', name: 'since', value: toLocalInput(q.since) });
  const untilIn = input({ type: 'datetime-local', name: 'until', value: toLocalInput(q.until) });
  const apply = button('Apply filters', { kind: 'primary', type: 'submit', small: true });
  const reset = button('Clear', { kind: 'ghost', small: true, onclick: () => {
    for (const el of [typeSel, sinceIn, untilIn]) el.value = '';
    load();
  } });
  const filters = h('form', { class: 'filters', novalidate: true, role: 'search', 'aria-label': 'Filter events' },
    field('Event type', typeSel, { field: 'type' }),
    field('Published after', sinceIn, { field: 'since' }),
    field('Published before', untilIn, { field: 'until' }),
    h('div', { class: 'filter-actions' }, reset, apply));
  const results = h('div', { class: 'results', 'aria-live': 'polite' });

  async function load() {
    clearErrors(filters);
    const query = { type: typeSel.value, since: fromLocalInput(sinceIn.value), until: fromLocalInput(untilIn.value) };
    history.replaceState(null, '', href('/events', query));
    const filtered = Object.values(query).some(Boolean);
    await pagedList({
      results, filters, retry: load,
      fetchPage: (cursor) => app.api.get(`${app.base}/events`, { ...query, limit: 50, cursor }),
      render: eventsTable,
      empty: () => emptyState(filtered ? 'No events match these filters' : 'No events yet',
        filtered ? 'Widen the time range or clear a filter.'
          : 'Events appear here as your platform publishes them; they are kept for the retention period.'),
    });
  }

  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    load();
  });
  typeSel.addEventListener('change', load);

  if (!show(ctx, pageHeader('Events', {
    subtitle: 'What your platform published to you, newest first, with the deliveries that carried each event.',
  }), card('Find an event', find, { cls: 'filters-card' }),
  card(null, filters, { cls: 'filters-card' }), card(null, results, { cls: 'results-card' }))) return;
  await load();
}

function eventsTable(rows) {
  return table([
    { label: 'Event', cls: 'col-main', cell: (e) => h('a', { href: `#/events/${encodeURIComponent(e.id)}`, class: 'mono strong-link break' }, e.id) },
    { label: 'Type', cell: (e) => mono(e.type) },
    { label: 'Published', cell: (e) => time(e.created_at, { short: true }) },
    { label: 'Ordering key', cell: (e) => e.ordering_key ? mono(e.ordering_key) : h('span', { class: 'muted' }, '—') },
  ], rows, { caption: 'Events' });
}

export async function eventDetail(app, ctx) {
  const id = ctx.params.id;
  let e;
  try {
    e = await app.api.get(`${app.base}/events/${path`${id}`}`);
  } catch (err) {
    if (err.status === 404) {
      show(ctx, pageHeader('Event not found', { back: { href: '#/events', label: 'Events' } }),
        card(null, emptyState('No event has this id', h('span', {}, 'Herald has no event ', mono(id),
          ' for you. Events are kept for the retention period after they are published; check the id, or ask your platform whether it was sent.'),
        linkButton('Back to events', '#/events'))));
      return;
    }
    throw err;
  }
  const endpoints = await app.api.all(`${app.base}/endpoints`).catch(() => []);
  const byId = new Map(endpoints.map((x) => [x.id, x]));
  const deliveries = e.deliveries ?? [];
  show(ctx,
    pageHeader(`Event ${e.id}`, { back: { href: '#/events', label: 'Events' }, badges: [badge(e.type, 'neutral')] }),
    card('Summary', facts([
      ['Type', mono(e.type)],
      ['Published', time(e.created_at)],
      ['Ordering key', e.ordering_key ? mono(e.ordering_key) : null],
      ['Deliveries', deliveries.length ? `${deliveries.length}` : 'None'],
    ])),
    card('Deliveries', deliveries.length ? table([
      { label: 'Delivery', cls: 'col-main', cell: (d) => h('a', { href: `#/deliveries/${encodeURIComponent(d.id)}`, class: 'mono strong-link break' }, d.id) },
      { label: 'Endpoint', cell: (d) => byId.has(d.endpoint_id)
        ? h('a', { href: `#/endpoints/${encodeURIComponent(d.endpoint_id)}`, class: 'break small' }, byId.get(d.endpoint_id).url)
        : mono(d.endpoint_id) },
      { label: 'Status', cell: (d) => badge(d.status) },
    ], deliveries, { caption: 'Deliveries of this event' })
      : emptyState('Not in any delivery yet', 'No endpoint subscribed to this type when it was published, or its batch is still collecting.'),
    { description: 'Each request that carries this event, one per subscribed endpoint (and more after a replay).',
      actions: deliveries.length ? linkButton('Open in the delivery log', href('/deliveries', { event_id: e.id }), { small: true }) : null }),
    card('Data', code(e.data ?? {}, { label: `Data of event ${e.id}` }), { description: 'As your platform published it.' }));
}
