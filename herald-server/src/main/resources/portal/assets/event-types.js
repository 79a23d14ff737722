// The event catalogue for operators: every type with its description, JSON Schema and example; create,
// edit and delete. Partners pick from it when they subscribe.

import { ApiError, path } from './api.js';
import { show } from './router.js';
import { schemaAndExample } from './catalogue.js';
import { button, card, confirm, dialog, emptyState, field, h, input, pageHeader, textarea, toast } from './ui.js';

export async function eventTypes(app, ctx) {
  const types = await app.api.all('/v1/event-types');
  const reload = () => eventTypes(app, ctx);
  const add = button('New event type', { kind: 'primary', iconName: 'plus', onclick: () => edit(app, null, reload) });
  show(ctx, pageHeader('Event catalogue', {
    subtitle: 'The types publishers may send and partners may subscribe to. A schema validates every publish of its type.',
    actions: add,
  }), types.length ? h('div', { class: 'type-cards' }, types.map((t) => card(t.name, h('div', { class: 'stack' }, schemaAndExample(t)), {
    description: t.description || 'No description.',
    cls: 'type-card',
    actions: [
      button('Edit', { small: true, 'aria-label': `Edit ${t.name}`, onclick: () => edit(app, t, reload) }),
      button('Delete', { small: true, kind: 'danger-ghost', 'aria-label': `Delete ${t.name}`, onclick: () => remove(app, t, reload) }),
    ],
  }))) : card(null, emptyState('The catalogue is empty', 'Add the event types your platform publishes, with a description and an example.',
    button('Add the first event type', { kind: 'primary', iconName: 'plus', onclick: () => edit(app, null, reload) }))));
}

function json(el, name) {
  const text = el.value.trim();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ApiError(422, { field: name, detail: `is not valid JSON: ${e.message}` });
  }
}

const pretty = (v) => (v === undefined || v === null ? '' : JSON.stringify(v, null, 2));

async function edit(app, t, reload) {
  const name = input({ name: 'name', value: t?.name ?? '', required: true, spellcheck: 'false', autocomplete: 'off', placeholder: 'order.created', disabled: Boolean(t) });
  const description = input({ name: 'description', value: t?.description ?? '', maxlength: 1024, placeholder: 'When an order is placed' });
  const schema = textarea({ name: 'schema', rows: 9, class: 'input mono', spellcheck: 'false', value: pretty(t?.schema), placeholder: '{"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}' });
  const example = textarea({ name: 'example', rows: 6, class: 'input mono', spellcheck: 'false', value: pretty(t?.example), placeholder: '{"id": "ord_123"}' });
  const saved = await dialog({
    title: t ? `Edit ${t.name}` : 'New event type',
    wide: true,
    body: h('div', { class: 'stack' },
      field('Name', name, { field: 'name', hint: t ? 'A type\'s name cannot change.' : 'Letters, digits, ".", "_", ":" or "-". Partners subscribe to name.* groups by the part before a dot.' }),
      field('Description', description, { field: 'description' }),
      field('JSON Schema (optional)', schema, { field: 'schema', hint: 'Draft 2020-12. Every publish of this type is validated against it.' }),
      field('Example payload (optional)', example, { field: 'example', hint: 'Shown to partners and used for test events; must match the schema.' })),
    submitLabel: t ? 'Save changes' : 'Create event type',
    onSubmit: () => {
      const body = { description: description.value, schema: json(schema, 'schema'), example: json(example, 'example') };
      if (t) return app.api.patch(`/v1/event-types/${path`${t.name}`}`, body);
      if (!name.value.trim()) throw new ApiError(422, { field: 'name', detail: 'Give the type a name.' });
      const create = { name: name.value.trim(), description: body.description };
      if (body.schema !== null) create.schema = body.schema;
      if (body.example !== null) create.example = body.example;
      return app.api.post('/v1/event-types', create);
    },
  });
  if (saved) {
    toast(t ? `${t.name} saved` : `${saved.name} added to the catalogue`);
    reload();
  }
}

async function remove(app, t, reload) {
  const ok = await confirm({
    title: `Delete ${t.name}?`,
    message: 'Publishing it becomes an error. Herald refuses while an endpoint subscribes to it by name.',
    confirmLabel: 'Delete event type',
    danger: true,
  });
  if (!ok) return;
  try {
    await app.api.del(`/v1/event-types/${path`${t.name}`}`);
    toast(`${t.name} deleted`);
    reload();
  } catch (err) {
    toast(err.message, 'error');
  }
}
