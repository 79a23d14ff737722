// The event catalogue as partners see it: what each type means, its schema and an example payload.

import { show } from './router.js';
import { card, code, emptyState, h, pageHeader } from './ui.js';

export async function catalogue(app, ctx) {
  const types = await app.api.all('/v1/event-types');
  show(ctx, pageHeader('Event types', {
    subtitle: 'The events your platform publishes. Subscribe an endpoint to names, to a group (order.*) or to all of them.',
  }), types.length ? h('div', { class: 'type-cards' }, types.map(typeCard))
    : card(null, emptyState('No event types yet', 'Your platform has not published its catalogue yet.')));
}

export function typeCard(t, actions) {
  return card(t.name, h('div', { class: 'stack' },
    schemaAndExample(t)), { description: t.description || 'No description.', actions, cls: 'type-card' });
}

export function schemaAndExample(t) {
  const has = (v) => v !== undefined && v !== null;
  return [
    has(t.example) ? h('details', { class: 'example' }, h('summary', {}, 'Example payload'), code(t.example, { label: `Example of ${t.name}` })) : null,
    has(t.schema) ? h('details', { class: 'example' }, h('summary', {}, 'JSON Schema'), code(t.schema, { label: `Schema of ${t.name}` })) : null,
    !has(t.example) && !has(t.schema) ? h('p', { class: 'muted small' }, 'No schema or example yet.') : null,
  ];
}
