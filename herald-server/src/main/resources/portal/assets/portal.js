// The partner portal: a tenant's people manage their webhook endpoints and read the delivery log.
// Signed in by a portal link (#token=hps_…, minted by the platform) or a pasted tenant key.

import { ApiError, createApi } from './api.js';
import { createRouter, go } from './router.js';
import { takeTokenFromFragment, tokenStore } from './session.js';
import {
  badge, button, field, h, input, mount, product, relative, shell, showError, standalone, clearErrors, busy,
} from './ui.js';
import { endpointDetail, endpointList } from './endpoints.js';
import { endpointForm } from './endpoint-form.js';
import { deliveryDetail, deliveryLog } from './deliveries.js';
import { catalogue } from './catalogue.js';
import { eventDetail, eventSearch } from './events.js';

const store = tokenStore('herald.portal.token');
takeTokenFromFragment(store);
// why: a portal link opened in a tab that shows the portal already changes only the fragment; the new token
// replaces the old one and the page starts again as that session
window.addEventListener('hashchange', () => {
  if (takeTokenFromFragment(store)) location.reload();
});
boot();

async function boot() {
  if (!store.get()) {
    signIn();
    return;
  }
  let expiredShown = false;
  const api = createApi({
    token: () => store.get(),
    onUnauthorized: () => {
      if (!expiredShown) {
        expiredShown = true;
        expired();
      }
    },
  });
  let me;
  try {
    me = await api.get('/v1/me');
  } catch (e) {
    if (e.status === 401) return;
    mount(standalone(product(), h('h1', {}, 'Herald cannot be reached'), h('p', {}, e.message),
      button('Try again', { kind: 'primary', onclick: boot })));
    return;
  }
  if (!me.tenant_id) {
    mount(standalone(product(), h('h1', {}, 'This is an operator token'),
      h('p', {}, 'The portal is for one tenant. Open the operator console, or sign in here with a tenant key or a portal link.'),
      h('div', { class: 'row' }, h('a', { class: 'btn btn-primary', href: '/console' }, 'Open the console'),
        button('Sign out', { onclick: signOut }))));
    return;
  }
  start(api, me);
}

function start(api, me) {
  const tenant = me.tenant_id;
  const app = { api, me, tenant, readOnly: me.read_only, base: `/v1/tenants/${encodeURIComponent(tenant)}` };
  const badges = [];
  if (me.read_only) badges.push(h('p', { class: 'session-note' }, badge('read-only'), ' You can look, not change.'));
  if (me.expires_at) badges.push(h('p', { class: 'session-note' }, 'Link expires ', relative(me.expires_at)));
  const frame = shell({
    product: product(),
    context: tenant,
    badges,
    nav: [
      { href: '#/endpoints', label: 'Endpoints', icon: 'endpoints', match: '/endpoints' },
      { href: '#/deliveries', label: 'Deliveries', icon: 'deliveries', match: '/deliveries' },
      { href: '#/events', label: 'Events', icon: 'events', match: '/events' },
      { href: '#/event-types', label: 'Event types', icon: 'catalogue', match: '/event-types' },
    ],
    footer: button('Sign out', { kind: 'ghost', small: true, iconName: 'out', onclick: signOut }),
  });
  mount(frame.app);
  const router = createRouter({
    outlet: frame.outlet,
    fallback: '/endpoints',
    onRoute: frame.setActive,
    onError: (e) => e instanceof ApiError && e.status === 401,
    routes: [
      ['/endpoints', (ctx) => endpointList(app, ctx)],
      ['/endpoints/new', (ctx) => endpointForm(app, ctx, null)],
      ['/endpoints/:id', (ctx) => endpointDetail(app, ctx)],
      ['/endpoints/:id/edit', (ctx) => endpointForm(app, ctx, ctx.params.id)],
      ['/deliveries', (ctx) => deliveryLog(app, ctx)],
      ['/deliveries/:id', (ctx) => deliveryDetail(app, ctx)],
      ['/events', (ctx) => eventSearch(app, ctx)],
      ['/events/:id', (ctx) => eventDetail(app, ctx)],
      ['/event-types', (ctx) => catalogue(app, ctx)],
    ],
  });
  router.start();
}

function signOut() {
  store.clear();
  history.replaceState(null, '', location.pathname);
  signIn();
}

function signIn(message) {
  const key = input({ type: 'password', name: 'token', autocomplete: 'off', spellcheck: 'false', required: true,
    placeholder: 'hk_… or hps_…' });
  const submit = button('Sign in', { kind: 'primary', type: 'submit' });
  const form = h('form', { class: 'stack', novalidate: true },
    field('Tenant key or portal token', key, { field: 'token',
      hint: 'Your platform gives you a portal link or a tenant key. The key stays in this tab only.' }),
    submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const token = key.value.trim();
    if (!token) {
      showError(form, new ApiError(422, { detail: 'Paste a tenant key (hk_…) or a portal token (hps_…).' }), 'token');
      return;
    }
    await busy(submit, async () => {
      const probe = createApi({ token: () => token });
      try {
        await probe.get('/v1/me');
      } catch (err) {
        showError(form, err.status === 401
          ? new ApiError(401, { detail: 'Herald does not know this key, or it was revoked or has expired.' }) : err, 'token');
        return;
      }
      store.set(token);
      go('/endpoints');
      boot();
    });
  });
  mount(standalone(product(),
    h('h1', {}, 'Sign in to your webhooks'),
    message ? h('div', { class: 'alert alert-warn', role: 'alert' }, h('p', {}, message)) : null,
    h('p', { class: 'lead' }, 'Manage the endpoints that receive your events, see every delivery and its answer, and recover from an outage.'),
    form));
  key.focus();
}

function expired() {
  store.clear();
  history.replaceState(null, '', location.pathname);
  const again = button('Use a tenant key instead', { onclick: () => signIn() });
  mount(standalone(product(),
    h('div', { class: 'expired-art', 'aria-hidden': 'true' }),
    h('h1', { tabindex: '-1' }, 'This link has expired or was revoked'),
    h('p', { class: 'lead' }, 'Portal links work for a limited time and can be revoked by your platform. Nothing has changed on your endpoints.'),
    h('p', {}, 'Ask your platform for a new portal link, or sign in with a tenant key.'),
    h('div', { class: 'row' }, again)));
  document.querySelector('h1')?.focus();
}
