// Tenants (create, rename, delete), their keys (issue, list, revoke) and portal links (mint, list, revoke),
// and "open the portal as this tenant".

import { ApiError, path } from './api.js';
import { go, show } from './router.js';
import {
  KEEP_OPEN, badge, busy, button, card, confirm, copyButton, dialog, emptyState, field, h, input, linkButton, mono, notice,
  pageHeader, relative, select, table, time, toast, replace,
} from './ui.js';

const ID_RULE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export async function tenantList(app, ctx) {
  const tenants = await app.api.all('/v1/tenants');
  const create = button('New tenant', { kind: 'primary', iconName: 'plus', onclick: () => createTenant(app) });
  show(ctx, pageHeader('Tenants', { subtitle: 'Each tenant is one partner: its own endpoints, keys, events and deliveries.', actions: create }),
    card(null, tenants.length ? table([
      { label: 'Name', cls: 'col-main', cell: (t) => h('a', { href: `#/tenants/${encodeURIComponent(t.id)}`, class: 'strong-link' }, t.name) },
      { label: 'Id', cell: (t) => mono(t.id) },
      { label: 'Created', cell: (t) => time(t.created_at) },
    ], tenants, { caption: 'Tenants' }) : emptyState('No tenants yet', 'Create a tenant for each partner that receives webhooks.',
      button('Create the first tenant', { kind: 'primary', iconName: 'plus', onclick: () => createTenant(app) }))));
}

async function createTenant(app) {
  const idIn = input({ name: 'id', required: true, autocomplete: 'off', spellcheck: 'false', placeholder: 'acme' });
  const nameIn = input({ name: 'name', required: true, autocomplete: 'off', placeholder: 'Acme Corporation' });
  const created = await dialog({
    title: 'New tenant',
    body: h('div', { class: 'stack' },
      field('Id', idIn, { field: 'id', hint: 'Used in the API\'s paths: 1 to 64 letters, digits, ".", "_" or "-". It cannot be changed.' }),
      field('Name', nameIn, { field: 'name', hint: 'Shown to operators; can be changed later.' })),
    submitLabel: 'Create tenant',
    onSubmit: () => {
      const id = idIn.value.trim();
      if (!ID_RULE.test(id)) throw new ApiError(422, { field: 'id', detail: 'must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit' });
      if (!nameIn.value.trim()) throw new ApiError(422, { field: 'name', detail: 'Give the tenant a name.' });
      return app.api.post('/v1/tenants', { id, name: nameIn.value.trim() });
    },
  });
  if (created) {
    toast(`Tenant ${created.name} created`);
    go(`/tenants/${created.id}`);
  }
}

export async function tenantDetail(app, ctx) {
  const id = ctx.params.id;
  const base = `/v1/tenants/${path`${id}`}`;
  let t;
  try {
    t = await app.api.get(base);
  } catch (err) {
    if (err.status === 404) {
      show(ctx, pageHeader('Tenant not found', { back: { href: '#/tenants', label: 'Tenants' } }),
        card(null, emptyState('This tenant does not exist', 'It may have been deleted.', linkButton('Back to tenants', '#/tenants'))));
      return;
    }
    throw err;
  }
  const reload = () => tenantDetail(app, ctx);
  const keys = h('div', {});
  const links = h('div', {});
  const openPortal = button('Open portal as this tenant', { kind: 'primary', iconName: 'external', onclick: (ev) => openAs(app, t, ev.currentTarget, loadLinks) });
  const rename = button('Rename', { onclick: async () => {
    const nameIn = input({ name: 'name', value: t.name, required: true, autocomplete: 'off' });
    const saved = await dialog({
      title: 'Rename tenant',
      body: field('Name', nameIn, { field: 'name' }),
      submitLabel: 'Save name',
      onSubmit: () => app.api.patch(base, { name: nameIn.value.trim() }),
    });
    if (saved) {
      toast('Tenant renamed');
      reload();
    }
  } });
  const del = button('Delete', { kind: 'danger-ghost', onclick: async () => {
    const ok = await confirm({
      title: `Delete ${t.name}?`,
      message: ['Its endpoints stop receiving at once; its keys and portal links stop working; its events and deliveries are purged in the background.',
        'This cannot be undone.'],
      confirmLabel: 'Delete tenant',
      danger: true,
    });
    if (!ok) return;
    try {
      await app.api.del(base);
      toast(`Tenant ${t.name} deleted`);
      go('/tenants');
    } catch (err) {
      toast(err.message, 'error');
    }
  } });

  async function loadKeys() {
    try {
      const list = (await app.api.get(`${base}/keys`)).data;
      replace(keys, list.length ? table([
        { label: 'Key', cls: 'col-main', cell: (k) => h('span', { class: 'stack-xs' }, mono(`${k.prefix}…`), h('span', { class: 'muted small' }, k.id)) },
        { label: 'Created', cell: (k) => time(k.created_at) },
        { label: 'Last used', cell: (k) => k.last_used_at ? relative(k.last_used_at) : h('span', { class: 'muted' }, 'Never') },
        { label: '', cls: 'col-action', cell: (k) => button('Revoke', { kind: 'danger-ghost', small: true, 'aria-label': `Revoke key ${k.prefix}`, onclick: async () => {
          const ok = await confirm({ title: 'Revoke this key?', message: `Anything using ${k.prefix}… gets 401 from now on, on every node.`, confirmLabel: 'Revoke key', danger: true });
          if (!ok) return;
          try {
            await app.api.del(`${base}/keys/${path`${k.id}`}`);
            toast('Key revoked');
            loadKeys();
          } catch (err) {
            toast(err.message, 'error');
          }
        } }) },
      ], list, { caption: 'Keys' }) : emptyState('No keys', 'A key lets the partner\'s systems call the API for this tenant.'));
    } catch (err) {
      replace(keys, h('p', { class: 'error-text' }, err.message));
    }
  }

  async function loadLinks() {
    try {
      const list = (await app.api.get(`${base}/portal-sessions`)).data;
      replace(links, list.length ? table([
        { label: 'Session', cls: 'col-main', cell: (s) => h('span', { class: 'stack-xs' }, mono(s.id), s.read_only ? badge('read-only') : badge('full access', 'neutral')) },
        { label: 'Created', cell: (s) => time(s.created_at) },
        { label: 'Expires', cell: (s) => relative(s.expires_at) },
        { label: '', cls: 'col-action', cell: (s) => button('Revoke', { kind: 'danger-ghost', small: true, 'aria-label': `Revoke portal link ${s.id}`, onclick: async () => {
          const ok = await confirm({ title: 'Revoke this portal link?', message: 'Whoever has it sees "link expired or revoked" on their next click.', confirmLabel: 'Revoke link', danger: true });
          if (!ok) return;
          try {
            await app.api.del(`${base}/portal-sessions/${path`${s.id}`}`);
            toast('Portal link revoked');
            loadLinks();
          } catch (err) {
            toast(err.message, 'error');
          }
        } }) },
      ], list, { caption: 'Portal links' }) : emptyState('No live portal links', 'Mint a link to let the partner\'s people manage their endpoints.'));
    } catch (err) {
      replace(links, h('p', { class: 'error-text' }, err.message));
    }
  }

  const issue = button('Issue key', { small: true, iconName: 'plus', onclick: async (ev) => {
    await busy(ev.currentTarget, async () => {
      try {
        const k = await app.api.post(`${base}/keys`, {});
        loadKeys();
        await dialog({
          title: 'New tenant key',
          body: h('div', { class: 'stack' },
            notice('This is the only time the key is shown. Copy it now and hand it over securely.', 'warn'),
            h('div', { class: 'secret-row' }, mono(k.key, 'secret new-key'), copyButton(k.key))),
        });
      } catch (err) {
        toast(err.message, 'error');
      }
    });
  } });
  const mint = button('Mint portal link', { small: true, iconName: 'plus', onclick: () => mintLink(app, t, base, loadLinks) });

  const endpoints = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  app.api.get(`${base}/endpoints`, { limit: 100 }).then((page) => replace(endpoints, page.data.length ? table([
    { label: 'URL', cls: 'col-main', cell: (e) => h('span', { class: 'stack-xs' }, h('span', { class: 'break' }, e.url),
      e.description ? h('span', { class: 'muted small break' }, e.description) : null) },
    { label: 'Status', cell: (e) => h('span', { class: 'stack-xs' }, badge(e.status), e.paused_reason ? h('span', { class: 'muted small' }, e.paused_reason) : null) },
    { label: 'Format', cell: (e) => e.format === 'batch' ? `Batches of up to ${e.batch?.max_events}` : 'One per event' },
    { label: 'Updated', cell: (e) => relative(e.updated_at) },
  ], page.data, { caption: 'Endpoints' }) : emptyState('No endpoints yet', 'The partner registers endpoints in the portal.')),
  (err) => replace(endpoints, h('p', { class: 'error-text' }, err.message)));

  show(ctx,
    pageHeader(t.name, { back: { href: '#/tenants', label: 'Tenants' }, subtitle: h('span', {}, 'Tenant ', mono(t.id), ' · created ', time(t.created_at)), actions: [openPortal, rename, del] }),
    h('div', { class: 'grid-2' },
      card('API keys', keys, { actions: issue, description: 'For the partner\'s systems. Shown once when issued.' }),
      card('Portal links', links, { actions: mint, description: 'Sign-in links to the partner portal; they expire and can be revoked.' })),
    card('Endpoints', endpoints, { description: 'What the partner has registered. They manage them in the portal.' }));
  loadKeys();
  loadLinks();
}

const LIFETIMES = [['3600', '1 hour'], ['28800', '8 hours'], ['86400', '1 day'], ['604800', '7 days'], ['300', '5 minutes']];

async function mintLink(app, t, base, reload) {
  const lifetime = select(LIFETIMES, { name: 'expires_in_s', value: '3600' });
  const readOnly = h('input', { type: 'checkbox', name: 'read_only', id: 'mint-read-only' });
  const result = h('div', {});
  let minted = null;
  await dialog({
    title: `Portal link for ${t.name}`,
    body: h('div', { class: 'stack' },
      field('Valid for', lifetime, { field: 'expires_in_s' }),
      h('label', { class: 'choice', for: readOnly.id }, readOnly, h('span', { class: 'choice-text' },
        h('span', { class: 'choice-label' }, 'Read-only'), h('span', { class: 'choice-desc' }, 'Can see endpoints and deliveries, change nothing, never see secrets.'))),
      result),
    submitLabel: 'Mint link',
    onSubmit: async (form) => {
      if (minted) return true;
      minted = await app.api.post(`${base}/portal-sessions`, { expires_in_s: Number(lifetime.value), read_only: readOnly.checked });
      reload();
      replace(result, notice('Anyone with this link can act as this tenant until it expires. Send it privately.', 'warn'),
        h('div', { class: 'secret-row' }, mono(minted.url, 'secret portal-url'), copyButton(minted.url)),
        h('p', { class: 'hint' }, 'Expires ', time(minted.expires_at), '.'));
      const submit = form.querySelector('button[type=submit]');
      submit.textContent = 'Done';
      return KEEP_OPEN;
    },
  });
}

async function openAs(app, t, btn, reload) {
  // why: the window is opened while the click still counts as the person's own action, so no popup blocker
  // stops it; the link is filled in once minted
  const win = window.open('', '_blank');
  await busy(btn, async () => {
    try {
      const s = await app.api.post(`/v1/tenants/${path`${t.id}`}/portal-sessions`, { expires_in_s: 3600 });
      reload();
      if (win) {
        win.opener = null;
        win.location.replace(s.url);
        toast(`Portal opened as ${t.name} in a new tab (link valid for 1 hour)`);
      } else {
        await dialog({
          title: 'Open the portal',
          body: h('div', { class: 'stack' }, h('p', {}, 'The browser blocked the new tab. Open the link yourself:'),
            h('a', { href: s.url, target: '_blank', rel: 'noopener noreferrer', class: 'break' }, 'Open the portal as ', t.name)),
        });
      }
    } catch (err) {
      win?.close();
      toast(err.message, 'error');
    }
  });
}
