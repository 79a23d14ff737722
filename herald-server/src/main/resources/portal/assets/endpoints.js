// Endpoints: the list with each one's health, and one endpoint's page (health chart, settings, secret,
// pause and resume, test-send, recovery and its recent deliveries).

import { ApiError, path } from './api.js';
import { barChart } from './chart.js';
import { go, show } from './router.js';
import {
  KEEP_OPEN, badge, busy, button, card, clear, clearErrors, code, confirm, copyButton, dialog, duration, emptyState, facts, field, fromLocalInput,
  h, input, linkButton, mono, notice, number, pageHeader, relative, select, showError, statusCodeBadge, table, textarea, time, toLocalInput, toast, replace,
} from './ui.js';

/** The secret of an endpoint just created, shown once on its page. */
let justCreated = null;
export function rememberCreated(endpoint) {
  justCreated = endpoint;
}

export function typesSummary(types) {
  if (!types?.length || types.includes('*')) return h('span', { class: 'muted' }, 'All event types');
  const shown = types.slice(0, 3).map((t) => h('span', { class: 'chip' }, t));
  return h('span', { class: 'chips' }, shown, types.length > 3 ? h('span', { class: 'muted' }, `+${types.length - 3} more`) : null);
}

export function batchingText(e) {
  if (e.format !== 'batch' || !e.batch) return 'One request per event';
  return `Up to ${number(e.batch.max_events)} events per request, or every ${duration(e.batch.window_ms)} — whichever comes first`;
}

const attempts = (n) => (n === 1 ? '1 attempt' : `${n} attempts`);

export function retryText(r) {
  if (!r) return '—';
  const on = r.on === 'non_2xx' ? 'any answer other than 2xx' : 'network errors, timeouts, 408, 429 and 5xx';
  if (r.policy === 'polynomial') {
    return `${attempts(r.max_attempts)} spread over ${duration(r.horizon_ms)} (polynomial back-off); retried on ${on}`;
  }
  if (r.max_attempts === 1) return 'One attempt, no retry';
  return `${attempts(r.max_attempts)}, the first retry after ${duration(r.initial_delay_ms)}, then doubling; retried on ${on}`;
}

function statusBadges(e) {
  return [badge(e.status), e.signing === 'ed25519' ? badge('ed25519', 'neutral') : null];
}

function rate(stats) {
  if (!stats || stats.success_rate === null || stats.success_rate === undefined) return null;
  const r = stats.success_rate <= 1 ? stats.success_rate * 100 : stats.success_rate;
  return `${+r.toFixed(1)} %`;
}

// ---------------------------------------------------------------- the list

export async function endpointList(app, ctx) {
  const endpoints = await app.api.all(`${app.base}/endpoints`);
  const add = app.readOnly ? null : linkButton('Add endpoint', '#/endpoints/new', { kind: 'primary', iconName: 'plus' });
  const head = pageHeader('Endpoints', {
    subtitle: 'The URLs Herald sends your events to, each with its own event types, batching and retries.',
    actions: add,
  });
  if (!endpoints.length) {
    show(ctx, head, card(null, emptyState('No endpoints yet',
      app.readOnly ? 'Nobody has registered an endpoint for this account yet.'
        : 'Add the HTTPS URL where you want to receive webhooks, choose the event types, and Herald starts delivering.',
      app.readOnly ? null : linkButton('Add your first endpoint', '#/endpoints/new', { kind: 'primary', iconName: 'plus' }))));
    return;
  }
  const health = new Map(endpoints.map((e) => [e.id, { rate: h('span', { class: 'muted' }, '…'), last: h('span', { class: 'muted' }, '…') }]));
  show(ctx, head, card(null, table([
    { label: 'Endpoint', cls: 'col-main', cell: (e) => h('div', { class: 'stack-xs' },
      h('a', { href: `#/endpoints/${encodeURIComponent(e.id)}`, class: 'strong-link break' }, e.url),
      e.description ? h('span', { class: 'muted small break' }, e.description) : null) },
    { label: 'Status', cell: (e) => h('div', { class: 'stack-xs' }, statusBadges(e),
      e.paused_reason ? h('span', { class: 'muted small' }, e.paused_reason) : null) },
    { label: 'Event types', cell: (e) => typesSummary(e.event_types) },
    { label: 'Format', cell: (e) => e.format === 'batch' ? `Batches of up to ${number(e.batch?.max_events)}` : 'One per event' },
    { label: 'Success (24 h)', cell: (e) => health.get(e.id).rate },
    { label: 'Last delivery', cell: (e) => health.get(e.id).last },
  ], endpoints, { caption: 'Endpoints' })));
  // why: the health cells fill in as their answers come; the list is usable before
  for (const e of endpoints) {
    const cells = health.get(e.id);
    const ep = path`${e.id}`;
    app.api.get(`${app.base}/endpoints/${ep}/stats`).then((st) => {
      const r = rate(st);
      cells.rate.replaceWith(r ? h('span', { class: 'stack-xs' }, h('strong', {}, r),
        h('span', { class: 'muted small' }, `${number(st.deliveries?.delivered)} delivered · ${number(st.deliveries?.failed)} failed`))
        : h('span', { class: 'muted' }, 'No attempts yet'));
    }, () => cells.rate.replaceWith(h('span', { class: 'muted' }, '—')));
    app.api.get(`${app.base}/deliveries`, { endpoint_id: e.id, limit: 1 }).then((page) => {
      const d = page.data[0];
      cells.last.replaceWith(d ? h('a', { href: `#/deliveries/${encodeURIComponent(d.id)}`, class: 'stack-xs plain-link' },
        badge(d.status), relative(d.created_at)) : h('span', { class: 'muted' }, 'None yet'));
    }, () => cells.last.replaceWith(h('span', { class: 'muted' }, '—')));
  }
}

// ---------------------------------------------------------------- one endpoint

export async function endpointDetail(app, ctx) {
  const id = ctx.params.id;
  const url = `${app.base}/endpoints/${path`${id}`}`;
  let e;
  try {
    e = await app.api.get(url);
  } catch (err) {
    if (err.status === 404) {
      show(ctx, pageHeader('Endpoint not found', { back: { href: '#/endpoints', label: 'Endpoints' } }),
        card(null, emptyState('This endpoint does not exist', 'It may have been deleted.', linkButton('Back to endpoints', '#/endpoints'))));
      return;
    }
    throw err;
  }
  const reload = () => endpointDetail(app, ctx);
  const actions = app.readOnly ? null : [
    button('Send test event', { kind: 'secondary', iconName: 'send', onclick: () => testSend(app, e) }),
    e.status === 'paused'
      ? button('Resume', { kind: 'primary', onclick: (ev) => setStatus(app, e, 'active', ev.currentTarget, reload) })
      : button('Pause', { onclick: (ev) => setStatus(app, e, 'paused', ev.currentTarget, reload) }),
    linkButton('Edit', `#/endpoints/${encodeURIComponent(e.id)}/edit`),
    button('Delete', { kind: 'danger-ghost', onclick: () => remove(app, e) }),
  ];
  const created = justCreated?.id === e.id ? justCreated : null;
  justCreated = null;
  show(ctx,
    pageHeader(e.url, {
      back: { href: '#/endpoints', label: 'Endpoints' },
      subtitle: e.description || null,
      badges: statusBadges(e),
      actions,
    }),
    created ? createdNotice(created) : null,
    e.status === 'paused' ? notice(e.paused_reason
      ? `Paused: ${e.paused_reason}. Events keep collecting and nothing is lost; they are sent once you resume.`
      : 'Paused by hand. Events keep collecting and nothing is lost; they are sent once you resume.', 'warn', 'Deliveries are paused') : null,
    healthCard(app, e),
    h('div', { class: 'grid-2' }, settingsCard(e), h('div', { class: 'stack' }, secretCard(app, e), app.readOnly ? null : recoveryCard(app, e))),
    recentCard(app, e));
}

function createdNotice(e) {
  const key = e.public_key ?? e.secret;
  return h('div', { class: 'alert alert-ok', role: 'status' },
    h('strong', {}, 'Endpoint created'),
    h('p', {}, e.public_key ? 'Verify every webhook with this public key (Standard Webhooks, ed25519).'
      : 'Verify every webhook with this signing secret (Standard Webhooks). You can reveal it again later.'),
    h('div', { class: 'secret-row' }, mono(key, 'secret'), copyButton(key)));
}

async function setStatus(app, e, status, btn, reload) {
  if (status === 'paused') {
    const ok = await confirm({
      title: 'Pause this endpoint?',
      message: ['Herald stops sending to it. Events keep collecting and are sealed into deliveries as usual; nothing is lost.',
        'When you resume, everything that collected is sent.'],
      confirmLabel: 'Pause endpoint',
    });
    if (!ok) return;
  }
  await busy(btn, async () => {
    try {
      await app.api.patch(`${app.base}/endpoints/${path`${e.id}`}`, { status });
      toast(status === 'paused' ? 'Endpoint paused' : 'Endpoint resumed; collected events are on their way');
      reload();
    } catch (err) {
      toast(err.message, 'error');
    }
  });
}

async function remove(app, e) {
  const ok = await confirm({
    title: 'Delete this endpoint?',
    message: [`${e.url} stops receiving events at once, and its delivery log is deleted.`, 'This cannot be undone.'],
    confirmLabel: 'Delete endpoint',
    danger: true,
  });
  if (!ok) return;
  try {
    await app.api.del(`${app.base}/endpoints/${path`${e.id}`}`);
    toast('Endpoint deleted');
    go('/endpoints');
  } catch (err) {
    toast(err.message, 'error');
  }
}

// ---------------------------------------------------------------- health

const RANGES = [['6h', 'Last 6 hours', 6 * 3600e3], ['24h', 'Last 24 hours', 24 * 3600e3], ['7d', 'Last 7 days', 7 * 86400e3]];

function healthCard(app, e) {
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const range = select(RANGES.map(([v, l]) => [v, l]), { value: '24h', 'aria-label': 'Time range' });
  async function load() {
    const ms = RANGES.find(([v]) => v === range.value)[2];
    const until = new Date();
    const since = new Date(until.getTime() - ms);
    try {
      const st = await app.api.get(`${app.base}/endpoints/${path`${e.id}`}/stats`, { since: since.toISOString(), until: until.toISOString() });
      const buckets = st.buckets ?? [];
      const bucketMs = buckets.length > 1 ? new Date(buckets[1].start) - new Date(buckets[0].start) : 3600e3;
      replace(body, 
        h('div', { class: 'kpis' },
          kpi('Delivered', number(st.deliveries?.delivered), 'ok'),
          kpi('Failed', number(st.deliveries?.failed), st.deliveries?.failed ? 'bad' : null),
          kpi('Pending', number(st.deliveries?.pending)),
          kpi('Success rate', rate(st) ?? '—', null, 'of attempts'),
          kpi('Latency p50 / p99', latency(st.latency_ms), null, 'of answered attempts')),
        // why: the route answers every bucket of the range, zeros included; a flat chart says less than a sentence
        buckets.some((b) => b.delivered || b.failed || b.attempts) ? barChart({
          buckets, bucketMs, label: 'Deliveries over time',
          series: [{ key: 'delivered', label: 'Delivered', cls: 'bar-ok' }, { key: 'failed', label: 'Failed', cls: 'bar-bad' }],
          line: { key: 'attempts', label: 'Attempts', cls: 'line-attempts' },
        }) : h('p', { class: 'muted chart-empty' }, 'Nothing was sent to this endpoint in this period.'));
    } catch (err) {
      replace(body, err instanceof ApiError && err.missingRoute
        ? h('p', { class: 'muted' }, 'This Herald does not report endpoint statistics yet.')
        : h('p', { class: 'error-text' }, err.message));
    }
  }
  range.addEventListener('change', load);
  load();
  return card('Health', body, { actions: range, description: 'Deliveries finished and attempts made over time, by the hour (every five minutes over 6 hours); test sends excluded.' });
}

/** "150 / 210 ms": both figures in one unit when they share it, so the pair fits a small tile. */
function latency(l) {
  if (!l || l.p50 === null || l.p50 === undefined) return '—';
  const [a, b] = [duration(l.p50), duration(l.p99)];
  const unit = (t) => t.replace(/^[\d.,]+ /, '');
  return unit(a) === unit(b) ? `${a.replace(/ .*$/, '')} / ${b}` : `${a} / ${b}`;
}

function kpi(label, value, tone, note) {
  return h('div', { class: ['kpi', tone && `kpi-${tone}`] }, h('span', { class: 'kpi-label' }, label),
    h('span', { class: 'kpi-value' }, value), note ? h('span', { class: 'kpi-note' }, note) : null);
}

// ---------------------------------------------------------------- settings

function settingsCard(e) {
  const headers = Object.entries(e.headers ?? {});
  return card('Settings', facts([
    ['URL', h('span', { class: 'break mono' }, e.url)],
    ['Event types', typesSummary(e.event_types)],
    ['Format', e.format === 'batch' ? 'Batches ({batch_id, count, events[]})' : 'One event per request ({event, data, delivery_key})'],
    ['Batching', batchingText(e)],
    ['Retries', retryText(e.retry)],
    ['Timeout', duration(e.timeout_ms)],
    ['Concurrency', `At most ${e.max_concurrency} requests in flight`],
    ['Rate limit', e.rate_limit_per_s ? `${number(e.rate_limit_per_s)} requests per second` : 'None'],
    ['Ordering', e.ordering === 'key' ? 'In order per ordering key' : 'None (fastest)'],
    ['Custom headers', headers.length ? h('ul', { class: 'plain-list' }, headers.map(([k, v]) => h('li', {}, mono(`${k}: ${v}`)))) : 'None'],
    ['Client certificate (mTLS)', e.tls?.client_certificate ? 'Presented on every request' : 'None'],
    ['Created', time(e.created_at)],
    ['Updated', time(e.updated_at)],
  ]), { actions: null });
}

// ---------------------------------------------------------------- secret

function secretCard(app, e) {
  const ed = e.signing === 'ed25519';
  const value = h('div', { class: 'secret-row' }, mono(ed && e.public_key ? e.public_key : 'whsec_' + '•'.repeat(24), 'secret'));
  const extra = h('div', {});
  const reveal = button(ed ? 'Show keys' : 'Reveal', { small: true, onclick: async (ev) => {
    await busy(ev.currentTarget, async () => {
      try {
        const sec = await app.api.get(`${app.base}/endpoints/${path`${e.id}`}/secret`);
        showSecret(sec);
      } catch (err) {
        toast(err.missingRoute ? 'This Herald shows the secret only when it is created or rotated.' : err.message, 'error');
      }
    });
  } });
  const rotate = button('Rotate', { small: true, onclick: async () => {
    const rotated = await dialog({
      title: 'Rotate the signing secret?',
      body: h('div', {},
        h('p', {}, 'Herald makes a new secret and signs every request with both the new and the old one for 24 hours.'),
        h('p', {}, 'Within those 24 hours, switch your receiver to the new secret; requests keep verifying all the while. After that only the new secret signs.')),
      submitLabel: 'Rotate secret',
      onSubmit: () => app.api.post(`${app.base}/endpoints/${path`${e.id}`}/rotate-secret`, {}),
    });
    if (rotated) {
      toast('Secret rotated; the old one keeps signing for 24 hours');
      showSecret(rotated);
    }
  } });
  function showSecret(sec) {
    const key = sec.public_key ?? sec.secret;
    replace(value, mono(key, 'secret'), copyButton(key));
    const until = sec.previous_secret_expires_at ?? sec.previous_public_key_expires_at;
    const previous = sec.previous_secret ?? sec.previous_public_key;
    replace(extra, until ? h('div', { class: 'stack' },
      h('p', { class: 'hint' }, 'The previous ', ed ? 'key' : 'secret', ' also signs until ', time(until),
        '. Switch your receiver to the new one before then.'),
      previous ? h('div', { class: 'secret-row' }, mono(previous, 'secret previous-secret'), copyButton(previous)) : null) : null);
  }
  return card(ed ? 'Signing key' : 'Signing secret', h('div', { class: 'stack' },
    h('p', { class: 'muted' }, ed ? 'Requests are signed with ed25519; verify them with this public key.'
      : 'Every request carries a Standard Webhooks signature made with this secret. Verify it before trusting a webhook.'),
    value, extra,
    app.readOnly ? h('p', { class: 'hint' }, 'A read-only session cannot reveal or rotate the secret.') : null),
  { actions: app.readOnly ? null : [reveal, rotate] });
}

// ---------------------------------------------------------------- test send

async function testSend(app, e) {
  let types = [];
  try {
    types = await app.api.all('/v1/event-types');
  } catch {
    types = [];
  }
  const subscribed = types.filter((t) => matches(e.event_types, t.name));
  const typeSelect = select([['', 'The first subscribed type with an example'], ...subscribed.map((t) => [t.name, t.name])], { name: 'type' });
  const data = textarea({ name: 'data', rows: 8, class: 'input mono', spellcheck: 'false', placeholder: 'The type\'s example payload' });
  const fill = () => {
    const t = subscribed.find((x) => x.name === typeSelect.value) ?? subscribed.find((x) => x.example !== undefined && x.example !== null);
    data.value = t?.example !== undefined && t?.example !== null ? JSON.stringify(t.example, null, 2) : '';
  };
  typeSelect.addEventListener('change', fill);
  fill();
  const result = h('div', { class: 'test-result', 'aria-live': 'polite' });
  let sent = false;
  await dialog({
    title: 'Send a test event',
    wide: true,
    body: h('div', { class: 'stack' },
      h('p', { class: 'muted' }, 'Herald sends one request with the header X-Webhook-Test: true, even when the endpoint is paused. It is sent once, without retries, and is left out of the statistics.'),
      field('Event type', typeSelect, { field: 'type' }),
      field('Data (JSON)', data, { field: 'data', hint: 'Leave empty to send the type\'s example.' }),
      result),
    submitLabel: 'Send test',
    onSubmit: async (form) => {
      if (sent) {
        clear(result);
      }
      const body = {};
      if (typeSelect.value) body.type = typeSelect.value;
      if (data.value.trim()) {
        try {
          body.data = JSON.parse(data.value);
        } catch (err) {
          throw new ApiError(422, { detail: `is not valid JSON: ${err.message}`, field: 'data' });
        }
      }
      const answer = await app.api.post(`${app.base}/endpoints/${path`${e.id}`}/test`, body);
      sent = true;
      replace(result, h('p', { class: 'loading' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Sent; waiting for the answer…'));
      const d = await waitForAttempt(app, answer.delivery_id);
      replace(result, attemptResult(d));
      form.querySelector('button[type=submit]').textContent = 'Send again';
      return KEEP_OPEN;
    },
  });
}

async function waitForAttempt(app, deliveryId) {
  const started = Date.now();
  let d;
  do {
    d = await app.api.get(`${app.base}/deliveries/${path`${deliveryId}`}`);
    if (d.attempts?.length || d.status !== 'pending') return d;
    await new Promise((r) => setTimeout(r, 400));
  } while (Date.now() - started < 30_000);
  return d;
}

export function attemptResult(d) {
  const a = d.attempts?.[d.attempts.length - 1];
  if (!a) {
    return h('div', { class: 'alert alert-warn' }, h('p', {}, 'No answer yet. The delivery log will show it when it comes.'),
      h('a', { href: `#/deliveries/${encodeURIComponent(d.id)}` }, 'Open in the delivery log'));
  }
  const ok = a.status_code >= 200 && a.status_code < 300;
  return h('div', { class: ['result', ok ? 'result-ok' : 'result-bad'] },
    h('div', { class: 'result-head' }, statusCodeBadge(a.status_code),
      h('strong', {}, ok ? 'Delivered' : 'Not delivered'), h('span', { class: 'muted' }, duration(a.duration_ms))),
    a.error ? h('p', { class: 'error-text' }, a.error) : null,
    h('p', { class: 'label' }, 'Response body'),
    a.response_body ? code(a.response_body, { label: 'Response body' }) : h('p', { class: 'muted' }, 'Empty'),
    h('a', { href: `#/deliveries/${encodeURIComponent(d.id)}`, class: 'small' }, 'Open in the delivery log'));
}

/** Whether an endpoint's subscriptions (names, prefix.*, *, or none = all) cover a type. */
export function matches(patterns, name) {
  if (!patterns?.length) return true;
  return patterns.some((p) => p === '*' || p === name || (p.endsWith('.*') && name.startsWith(p.slice(0, -1))));
}

// ---------------------------------------------------------------- recovery

function recoveryCard(app, e) {
  const dayAgo = toLocalInput(new Date(Date.now() - 86400e3).toISOString());
  const ep = `${app.base}/endpoints/${path`${e.id}`}`;
  const recoverForm = rangeForm('recover', dayAgo, 'Recover failed deliveries', 'Recover',
    'Sends every delivery of this endpoint that failed in this period again: same id, same body.',
    async (since, until) => {
      const ok = await confirm({
        title: 'Recover failed deliveries?',
        message: [`Every delivery to ${e.url} that failed ${period(since, until)} is sent again, with the same id and body.`,
          'Each gets a fresh set of attempts.'],
        confirmLabel: 'Recover',
      });
      if (!ok) return null;
      const r = await app.api.post(`${ep}/recover`, { since, ...(until ? { until } : {}) });
      return r.deliveries === 0 ? 'No delivery failed in that period; nothing to send again.'
        : `${number(r.deliveries)} failed ${r.deliveries === 1 ? 'delivery is' : 'deliveries are'} being sent again.`;
    });
  const replayForm = rangeForm('replay', dayAgo, 'Replay events', 'Replay',
    'Queues every event of this period that the endpoint subscribes to now again, in new deliveries (event ids unchanged).',
    async (since, until) => {
      const ok = await confirm({
        title: 'Replay these events?',
        message: [`Every event published ${period(since, until)} that this endpoint subscribes to is sent to it again, in new deliveries.`,
          'Your receiver may have seen them before: deduplicate by event id.'],
        confirmLabel: 'Replay',
      });
      if (!ok) return null;
      const r = await app.api.post(`${ep}/replay`, { since, ...(until ? { until } : {}) });
      return r.events === 0 ? 'No event of a subscribed type was published in that period; nothing was queued.'
        : `${number(r.events)} ${r.events === 1 ? 'event is' : 'events are'} queued again.`;
    });
  return card('Recover from an outage', h('div', { class: 'stack' }, recoverForm, h('hr', { class: 'sep' }), replayForm));
}

function period(since, until) {
  const f = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return until ? `between ${f.format(new Date(since))} and ${f.format(new Date(until))}` : `since ${f.format(new Date(since))}`;
}

/** A since/until form; run(since, until) answers the sentence to show under it, or null when cancelled. */
function rangeForm(kind, since, title, label, text, run) {
  const sinceIn = input({ type: 'datetime-local', name: 'since', value: since, required: true });
  const untilIn = input({ type: 'datetime-local', name: 'until' });
  const submit = button(label, { type: 'submit' });
  const result = h('p', { class: 'range-result', role: 'status' });
  const form = h('form', { class: `range-form range-${kind}`, novalidate: true, 'aria-label': title },
    h('h3', { class: 'range-title' }, title),
    h('p', { class: 'muted small' }, text),
    h('div', { class: 'row-fields' },
      field('Since', sinceIn, { field: 'since' }),
      field('Until (optional)', untilIn, { field: 'until', hint: 'Empty means now.' })),
    submit, result);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    result.textContent = '';
    if (!sinceIn.value) {
      showError(form, new ApiError(422, { detail: 'Choose when the period starts.' }), 'since');
      return;
    }
    await busy(submit, async () => {
      try {
        const said = await run(fromLocalInput(sinceIn.value), fromLocalInput(untilIn.value));
        if (said) {
          result.textContent = said;
          toast(said);
        }
      } catch (err) {
        if (err.status !== 401) showError(form, err);
      }
    });
  });
  return form;
}

// ---------------------------------------------------------------- recent deliveries

function recentCard(app, e) {
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  app.api.get(`${app.base}/deliveries`, { endpoint_id: e.id, limit: 8 }).then((page) => {
    replace(body, page.data.length ? deliveriesTable(page.data, false)
      : emptyState('No deliveries yet', app.readOnly ? 'Deliveries appear here as events are sent.'
        : 'Send a test event to see a delivery and your endpoint\'s answer here.'));
  }, (err) => replace(body, h('p', { class: 'error-text' }, err.message)));
  return card('Recent deliveries', body, {
    actions: linkButton('Open the delivery log', `#/deliveries?endpoint_id=${encodeURIComponent(e.id)}`, { small: true }),
  });
}

export function deliveriesTable(rows, withEndpoint, endpointsById = new Map()) {
  return table([
    { label: 'Delivery', cls: 'col-main', cell: (d) => h('a', { href: `#/deliveries/${encodeURIComponent(d.id)}`, class: 'mono strong-link' }, d.id.slice(0, 18) + (d.id.length > 18 ? '…' : '')) },
    withEndpoint ? { label: 'Endpoint', cell: (d) => h('span', { class: 'break small' }, endpointsById.get(d.endpoint_id)?.url ?? d.endpoint_id) } : null,
    { label: 'Status', cell: (d) => h('span', { class: 'chips' }, badge(d.status), d.test ? badge('test') : null) },
    { label: 'Events', cell: (d) => number(d.event_count) },
    { label: 'Attempts', cell: (d) => number(d.attempt_count) },
    { label: 'Created', cell: (d) => time(d.created_at, { short: true }) },
    { label: 'Delivered / next attempt', cell: (d) => d.delivered_at ? time(d.delivered_at, { short: true })
      : d.next_attempt_at ? h('span', {}, 'next ', relative(d.next_attempt_at)) : h('span', { class: 'muted' }, '—') },
  ].filter(Boolean), rows, { caption: 'Deliveries' });
}
