// The operator console: tenants, their keys and portal links, the event catalogue and queue health.
// Signed in with the admin token, kept in this tab only.

import { ApiError, createApi } from './api.js';
import { createRouter, go } from './router.js';
import { tokenStore } from './session.js';
import { busy, button, clearErrors, field, h, input, mount, product, shell, showError, standalone } from './ui.js';
import { tenantDetail, tenantList } from './tenants.js';
import { eventTypes } from './event-types.js';
import { queue } from './queue.js';

const store = tokenStore('herald.console.token');
boot();

async function boot() {
  if (!store.get()) {
    signIn();
    return;
  }
  let signedOut = false;
  const api = createApi({
    token: () => store.get(),
    onUnauthorized: () => {
      if (!signedOut) {
        signedOut = true;
        store.clear();
        signIn('Herald no longer accepts this token. Sign in again with the current admin token.');
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
  if (me.principal !== 'admin') {
    store.clear();
    signIn('That token belongs to a tenant. The console needs the admin token; partners use the portal at /portal.');
    return;
  }
  const frame = shell({
    product: product(),
    context: 'Operator console',
    nav: [
      { href: '#/tenants', label: 'Tenants', icon: 'tenants', match: '/tenants' },
      { href: '#/event-types', label: 'Catalogue', icon: 'catalogue', match: '/event-types' },
      { href: '#/queue', label: 'Queue', icon: 'queue', match: '/queue' },
    ],
    footer: button('Sign out', { kind: 'ghost', small: true, iconName: 'out', onclick: signOut }),
  });
  mount(frame.app);
  const app = { api };
  createRouter({
    outlet: frame.outlet,
    fallback: '/tenants',
    onRoute: frame.setActive,
    onError: (e) => e instanceof ApiError && e.status === 401,
    routes: [
      ['/tenants', (ctx) => tenantList(app, ctx)],
      ['/tenants/:id', (ctx) => tenantDetail(app, ctx)],
      ['/event-types', (ctx) => eventTypes(app, ctx)],
      ['/queue', (ctx) => queue(app, ctx)],
    ],
  }).start();
}

function signOut() {
  store.clear();
  history.replaceState(null, '', location.pathname);
  signIn();
}

function signIn(message) {
  const token = input({ type: 'password', name: 'token', autocomplete: 'off', spellcheck: 'false', required: true });
  const submit = button('Sign in', { kind: 'primary', type: 'submit' });
  const form = h('form', { class: 'stack', novalidate: true },
    field('Admin token', token, { field: 'token',
      hint: 'HERALD_ADMIN_TOKEN, the file HERALD_ADMIN_TOKEN_FILE names, or the token Herald printed at its first start. Kept in this tab only.' }),
    submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const value = token.value.trim();
    if (!value) {
      showError(form, new ApiError(422, { detail: 'Paste the admin token.' }), 'token');
      return;
    }
    await busy(submit, async () => {
      let me;
      try {
        me = await createApi({ token: () => value }).get('/v1/me');
      } catch (err) {
        showError(form, err.status === 401 ? new ApiError(401, { detail: 'This is not Herald\'s admin token.' }) : err, 'token');
        return;
      }
      if (me.principal !== 'admin') {
        showError(form, new ApiError(403, { detail: 'This token belongs to a tenant; the console needs the admin token.' }), 'token');
        return;
      }
      store.set(value);
      go('/tenants');
      boot();
    });
  });
  mount(standalone(product(),
    h('h1', {}, 'Operator console'),
    message ? h('div', { class: 'alert alert-warn', role: 'alert' }, h('p', {}, message)) : null,
    h('p', { class: 'lead' }, 'Create tenants, issue their keys and portal links, curate the event catalogue and watch the queue.'),
    form));
  token.focus();
}
