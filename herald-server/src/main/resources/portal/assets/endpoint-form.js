// Register or edit an endpoint: every setting of the API, explained where it is set. Errors from Herald
// appear next to the field they name.

import { ApiError, path } from './api.js';
import { go, show } from './router.js';
import { rememberCreated } from './endpoints.js';
import {
  append, busy, button, card, clearErrors, code, field, h, id, input, linkButton, notice, number, pageHeader, select, showError,
  textarea, toast,
} from './ui.js';

export async function endpointForm(app, ctx, endpointId) {
  const url = endpointId ? `${app.base}/endpoints/${path`${endpointId}`}` : null;
  const back = endpointId ? { href: `#/endpoints/${encodeURIComponent(endpointId)}`, label: 'Endpoint' } : { href: '#/endpoints', label: 'Endpoints' };
  if (app.readOnly) {
    show(ctx, pageHeader(endpointId ? 'Edit endpoint' : 'Add endpoint', { back }),
      notice('This is a read-only session: it can show endpoints but not change them.', 'warn'));
    return;
  }
  const [current, types] = await Promise.all([
    endpointId ? app.api.get(url) : Promise.resolve(null),
    app.api.all('/v1/event-types').catch(() => []),
  ]);
  const e = current ?? {};
  const form = h('form', { class: 'endpoint-form stack-lg', novalidate: true });

  // -- destination
  const urlIn = input({ type: 'url', name: 'url', required: true, value: e.url ?? '', placeholder: 'https://example.com/webhooks', autocomplete: 'off', spellcheck: 'false' });
  const descIn = input({ name: 'description', value: e.description ?? '', maxlength: 1024, placeholder: 'e.g. Production order sync' });
  append(form, [section('Destination', 'Where Herald sends the requests.',
    field('URL', urlIn, { field: 'url', hint: 'An https:// URL is recommended. Redirects are not followed.' }),
    field('Description (optional)', descIn, { field: 'description' }))]);

  // -- event types
  const picker = typePicker(types, e.event_types ?? []);
  append(form, [section('Event types', 'Which events this endpoint receives.', picker.node)]);

  // -- format and batching
  const format = e.format ?? 'batch';
  const fmtBatch = radio('format', 'batch', format === 'batch', 'Batches',
    'Events are grouped into one request: {batch_id, timestamp, count, events[]}. Best for volume.');
  const fmtEvent = radio('format', 'event', format === 'event', 'One request per event',
    '{event, data, delivery_key}, sent as soon as the event is published.');
  const maxEvents = input({ type: 'number', name: 'max_events', min: 1, max: 1000, step: 1, value: e.batch?.max_events ?? 100, inputmode: 'numeric' });
  const windowS = input({ type: 'number', name: 'window_s', min: 0.1, max: 60, step: 0.1, value: (e.batch?.window_ms ?? 1000) / 1000, inputmode: 'decimal' });
  const explain = h('p', { class: 'explain', 'aria-live': 'polite' });
  const batchBox = h('div', { class: 'subsection' },
    h('div', { class: 'row-fields' },
      field('Events per batch', maxEvents, { field: 'batch.max_events', hint: '1 to 1,000 (default 100).' }),
      field('Time window (seconds)', windowS, { field: 'batch.window_ms', hint: '0.1 to 60 s (default 1 s).' })),
    explain);
  const formatGroup = h('fieldset', { class: 'choices', 'data-field': 'format' }, h('legend', { class: 'sr-only' }, 'Format'), fmtBatch.node, fmtEvent.node);
  function syncFormat() {
    const batch = fmtBatch.input.checked;
    batchBox.hidden = !batch;
    const n = Number(maxEvents.value) || 100;
    const w = Number(windowS.value) || 1;
    explain.replaceChildren(h('strong', {}, 'A batch is sent when either is reached: '),
      `${number(n)} events have collected, or ${w} s have passed since the last batch. `,
      'Under light traffic you get small batches quickly; under heavy traffic, full ones.');
    retry.syncFormat(batch ? 'batch' : 'event');
  }
  append(form, [section('Format and batching', 'How events are put into requests.', formatGroup, batchBox)]);

  // -- delivery
  const timeoutS = input({ type: 'number', name: 'timeout_s', min: 0.1, max: 60, step: 0.1, value: (e.timeout_ms ?? 10000) / 1000, inputmode: 'decimal' });
  const concurrency = input({ type: 'number', name: 'max_concurrency', min: 1, max: 100, step: 1, value: e.max_concurrency ?? 8, inputmode: 'numeric' });
  const rateLimit = input({ type: 'number', name: 'rate_limit_per_s', min: 1, max: 10000, step: 1, value: e.rate_limit_per_s ?? '', placeholder: 'No limit', inputmode: 'numeric' });
  const ordering = select([['none', 'None: send concurrently (fastest)'], ['key', 'Per ordering key: one at a time, in publish order']], { name: 'ordering', value: e.ordering ?? 'none' });
  append(form, [section('Delivery', 'How hard Herald may push your endpoint.',
    h('div', { class: 'row-fields' },
      field('Timeout (seconds)', timeoutS, { field: 'timeout_ms', hint: 'How long to wait for an answer: 0.1 to 60 s (default 10).' }),
      field('Concurrent requests', concurrency, { field: 'max_concurrency', hint: 'At most this many requests in flight: 1 to 100 (default 8).' }),
      field('Rate limit (requests per second)', rateLimit, { field: 'rate_limit_per_s', hint: 'Empty for no limit; 1 to 10,000.' })),
    field('Ordering', ordering, { field: 'ordering', hint: 'With ordering, a delivery being retried holds back later events of its own key only.' }))]);

  // -- retries
  const retry = retryFields(e.retry, !endpointId);
  append(form, [section('Retries', 'What happens when your endpoint does not answer 2xx.', retry.node)]);

  // -- headers
  const headers = headerEditor(e.headers ?? {});
  append(form, [section('Custom headers', 'Sent with every request, e.g. an account id. Herald\'s own headers cannot be overridden.', headers.node)]);

  // -- security
  const signing = endpointId ? null : select([['hmac-sha256', 'HMAC-SHA256 with a shared secret (default)'], ['ed25519', 'Ed25519: you verify with a public key']], { name: 'signing', value: 'hmac-sha256' });
  const tls = tlsFields(e.tls);
  append(form, [section('Security', 'How your endpoint knows a request comes from Herald.',
    signing ? field('Signature scheme', signing, { field: 'signing', hint: 'Both follow Standard Webhooks; any of its libraries verifies them.' }) : null,
    tls.node)]);

  const submit = button(endpointId ? 'Save changes' : 'Create endpoint', { kind: 'primary', type: 'submit' });
  append(form, [h('div', { class: 'form-actions' }, linkButton('Cancel', back.href, { kind: 'ghost' }), submit)]);

  for (const el of [fmtBatch.input, fmtEvent.input, maxEvents, windowS]) el.addEventListener('input', syncFormat);
  syncFormat();

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    let body;
    try {
      body = collect();
    } catch (err) {
      showError(form, err);
      return;
    }
    await busy(submit, async () => {
      try {
        const saved = endpointId ? await app.api.patch(url, body) : await app.api.post(`${app.base}/endpoints`, body);
        if (!endpointId) rememberCreated(saved);
        toast(endpointId ? 'Changes saved' : 'Endpoint created');
        go(`/endpoints/${saved.id}`);
      } catch (err) {
        if (err.status !== 401) showError(form, err);
      }
    });
  });

  function collect() {
    const invalid = (field, detail) => new ApiError(422, { field, detail });
    if (!urlIn.value.trim()) throw invalid('url', 'Enter the URL Herald should send to.');
    const body = {
      url: urlIn.value.trim(),
      description: descIn.value,
      event_types: picker.value(),
      format: fmtBatch.input.checked ? 'batch' : 'event',
      timeout_ms: seconds(timeoutS, 'timeout_ms', 0.1, 60),
      max_concurrency: whole(concurrency, 'max_concurrency', 1, 100),
      rate_limit_per_s: rateLimit.value === '' ? null : whole(rateLimit, 'rate_limit_per_s', 1, 10000),
      ordering: ordering.value,
      headers: headers.value(),
    };
    if (body.event_types === null) throw invalid('event_types', 'Choose at least one event type, or subscribe to all of them.');
    if (body.format === 'batch') {
      body.batch = { max_events: whole(maxEvents, 'batch.max_events', 1, 1000), window_ms: seconds(windowS, 'batch.window_ms', 0.1, 60) };
    }
    const r = retry.value();
    if (r) body.retry = r;
    const t = tls.value();
    if (t !== undefined) body.tls = t;
    if (signing && signing.value !== 'hmac-sha256') body.signing = signing.value;
    if (body.rate_limit_per_s === null && !endpointId) delete body.rate_limit_per_s;
    return body;
  }

  show(ctx, pageHeader(endpointId ? 'Edit endpoint' : 'Add an endpoint', {
    back,
    subtitle: endpointId ? e.url : 'Herald starts delivering as soon as it is created. You can pause it at any time.',
  }), form);
}

function seconds(el, fieldName, min, max) {
  const v = Number(el.value);
  if (el.value === '' || !Number.isFinite(v) || v < min || v > max) {
    throw new ApiError(422, { field: fieldName, detail: `must be a number of seconds from ${min} to ${max}` });
  }
  return Math.round(v * 1000);
}

function whole(el, fieldName, min, max) {
  const v = Number(el.value);
  if (el.value === '' || !Number.isInteger(v) || v < min || v > max) {
    throw new ApiError(422, { field: fieldName, detail: `must be a whole number from ${number(min)} to ${number(max)}` });
  }
  return v;
}

function section(title, description, ...content) {
  return card(title, h('div', { class: 'stack' }, content), { description, cls: 'form-section' });
}

function radio(name, value, checked, label, description) {
  const inputEl = h('input', { type: 'radio', name, value, checked, id: id('r') });
  return {
    input: inputEl,
    node: h('label', { class: 'choice', for: inputEl.id }, inputEl,
      h('span', { class: 'choice-text' }, h('span', { class: 'choice-label' }, label), h('span', { class: 'choice-desc' }, description))),
  };
}

// ---------------------------------------------------------------- event type picker

/**
 * Every type of the catalogue with its description and example, grouped by the part before the first dot;
 * a group can be taken whole (prefix.*, which also covers types added to it later), or everything (*).
 */
function typePicker(types, selected) {
  const all = !selected.length || selected.includes('*');
  const everyRadio = radio('subscription', 'all', all, 'All event types', 'Including types added to the catalogue later.');
  const someRadio = radio('subscription', 'some', !all, 'Only the types I choose', 'Pick types one by one, or a whole group.');
  const chosen = new Set(all ? [] : selected);
  const groups = new Map();
  for (const t of types) {
    const prefix = t.name.includes('.') ? t.name.slice(0, t.name.indexOf('.')) : '';
    if (!groups.has(prefix)) groups.set(prefix, []);
    groups.get(prefix).push(t);
  }
  const boxes = [];
  const list = h('div', { class: 'type-groups', 'data-field': 'event_types', tabindex: '-1' });
  for (const [prefix, members] of groups) {
    const wildcard = prefix ? `${prefix}.*` : null;
    const groupBox = wildcard ? h('input', { type: 'checkbox', value: wildcard, checked: chosen.has(wildcard), id: id('g') }) : null;
    const items = members.map((t) => {
      const box = h('input', { type: 'checkbox', value: t.name, checked: chosen.has(t.name), id: id('t') });
      boxes.push(box);
      const example = t.example !== undefined && t.example !== null
        ? h('details', { class: 'example' }, h('summary', {}, 'Example payload'), code(t.example, { label: `Example of ${t.name}` })) : null;
      return h('li', { class: 'type-item' },
        h('label', { for: box.id, class: 'type-label' }, box, h('span', {}, h('code', { class: 'type-name' }, t.name),
          t.description ? h('span', { class: 'type-desc' }, t.description) : null)),
        example);
    });
    if (groupBox) {
      boxes.push(groupBox);
      const sync = () => items.forEach((li) => {
        const b = li.querySelector('input');
        b.disabled = groupBox.checked;
        li.classList.toggle('covered', groupBox.checked);
      });
      groupBox.addEventListener('change', sync);
      sync();
    }
    list.append(h('div', { class: 'type-group' },
      groupBox ? h('label', { for: groupBox.id, class: 'group-label' }, groupBox,
        h('span', {}, 'Every ', h('code', {}, prefix), ' event ', h('span', { class: 'muted' }, `(${wildcard}, ${members.length} now)`))) : null,
      h('ul', { class: 'type-list' }, items)));
  }
  // patterns in use that the catalogue does not show (e.g. a.b.*), kept unless removed
  const known = new Set(boxes.map((b) => b.value));
  const extra = [...chosen].filter((p) => !known.has(p));
  const patternIn = input({ name: 'pattern', placeholder: 'e.g. order.* or order.created', spellcheck: 'false', autocomplete: 'off' });
  const extraList = h('ul', { class: 'chips' });
  function addExtra(p) {
    const b = h('input', { type: 'checkbox', value: p, checked: true, id: id('x') });
    boxes.push(b);
    extraList.append(h('li', {}, h('label', { for: b.id, class: 'chip chip-check' }, b, p)));
  }
  extra.forEach(addExtra);
  const addBtn = button('Add', { small: true, onclick: () => {
    const p = patternIn.value.trim();
    if (p && !boxes.some((b) => b.value === p)) addExtra(p);
    patternIn.value = '';
  } });
  const custom = h('div', { class: 'pattern-row' }, field('Another name or pattern', patternIn, { hint: 'A type name, prefix.* for a whole group, or * for everything.' }), addBtn);
  const chooser = h('div', { class: 'stack' },
    types.length ? list : h('p', { class: 'muted' }, 'The catalogue is empty; enter names or patterns below.'), custom, extraList);
  const sync = () => { chooser.hidden = !someRadio.input.checked; };
  everyRadio.input.addEventListener('change', sync);
  someRadio.input.addEventListener('change', sync);
  sync();
  return {
    node: h('div', { class: 'stack' },
      h('fieldset', { class: 'choices' }, h('legend', { class: 'sr-only' }, 'Subscription'), everyRadio.node, someRadio.node), chooser),
    /** [] for every type, the chosen names and patterns, or null when "only these" has none. */
    value() {
      if (everyRadio.input.checked) return [];
      const groupsOn = boxes.filter((b) => b.checked && b.value.endsWith('.*')).map((b) => b.value.slice(0, -1));
      const v = boxes.filter((b) => b.checked && !(b.disabled && groupsOn.some((g) => b.value.startsWith(g)))).map((b) => b.value);
      return v.length ? [...new Set(v)] : null;
    },
  };
}

// ---------------------------------------------------------------- retries

function retryFields(current, creating) {
  const useDefault = h('input', { type: 'checkbox', checked: creating, id: id('d') });
  const policy = select([['polynomial', 'Polynomial: many attempts spread over days'], ['exponential', 'Exponential: a few attempts, doubling the wait']],
    { name: 'retry_policy', value: current?.policy ?? 'polynomial' });
  const attempts = input({ type: 'number', name: 'max_attempts', min: 1, max: 100, value: current?.max_attempts ?? 26, inputmode: 'numeric' });
  const horizonDays = input({ type: 'number', name: 'horizon_days', min: 0.01, max: 365, step: 'any', value: current?.horizon_ms ? +(current.horizon_ms / 86400e3).toFixed(3) : 30, inputmode: 'decimal' });
  const initialS = input({ type: 'number', name: 'initial_delay_s', min: 0.1, step: 'any', value: current?.initial_delay_ms ? current.initial_delay_ms / 1000 : 60, inputmode: 'decimal' });
  const on = select([['non_2xx', 'Any answer other than 2xx'], ['5xx', 'Network errors, timeouts, 408, 429 and 5xx only']], { name: 'retry_on', value: current?.on ?? 'non_2xx' });
  const horizonField = field('Spread over (days)', horizonDays, { field: 'retry.horizon_ms', hint: 'All waits add up to this (default 30 days).' });
  const initialField = field('First wait (seconds)', initialS, { field: 'retry.initial_delay_ms', hint: 'Then doubled for each retry (default 60 s).' });
  const detail = h('div', { class: 'stack' },
    h('div', { class: 'row-fields' }, field('Policy', policy, { field: 'retry.policy' }),
      field('Attempts', attempts, { field: 'retry.max_attempts', hint: 'Including the first; 1 to 100.' })),
    h('div', { class: 'row-fields' }, horizonField, initialField, field('Retry on', on, { field: 'retry.on' })));
  const defaultText = h('span', { class: 'choice-desc' });
  let fmt = null;
  let started = false;
  function sync() {
    detail.hidden = useDefault.checked;
    horizonField.hidden = policy.value !== 'polynomial';
    initialField.hidden = policy.value !== 'exponential';
    defaultText.textContent = fmt === 'batch'
      ? 'Batches: 26 attempts over about 30 days, polynomial back-off, retried on any answer other than 2xx; then the delivery is marked failed (you can retry or recover it).'
      : 'One per event: 3 attempts, waiting 1 and then 2 minutes, retried on network errors, timeouts and 5xx; then the delivery is marked failed.';
  }
  useDefault.addEventListener('change', sync);
  policy.addEventListener('change', () => {
    if (policy.value === 'exponential' && attempts.value === '26') attempts.value = 3;
    if (policy.value === 'polynomial' && attempts.value === '3') attempts.value = 26;
    sync();
  });
  return {
    node: h('div', { class: 'stack', 'data-field': 'retry' },
      h('label', { class: 'choice', for: useDefault.id }, useDefault,
        h('span', { class: 'choice-text' }, h('span', { class: 'choice-label' }, 'Use the default for the format'), defaultText)),
      detail),
    syncFormat(f) {
      // why: another format has other defaults; a policy tuned for the old one is rarely right for the new
      if (f !== fmt && started) useDefault.checked = true;
      fmt = f;
      started = true;
      sync();
    },
    value() {
      if (useDefault.checked) return null;
      const r = { policy: policy.value, max_attempts: whole(attempts, 'retry.max_attempts', 1, 100), on: on.value };
      if (policy.value === 'polynomial') {
        const d = Number(horizonDays.value);
        if (!Number.isFinite(d) || d <= 0 || d > 365) throw new ApiError(422, { field: 'retry.horizon_ms', detail: 'must be a number of days up to 365' });
        r.horizon_ms = Math.round(d * 86400e3);
      } else {
        r.initial_delay_ms = seconds(initialS, 'retry.initial_delay_ms', 0.1, 31536000);
      }
      return r;
    },
  };
}

// ---------------------------------------------------------------- headers

function headerEditor(initial) {
  const rows = h('div', { class: 'header-rows', 'data-field': 'headers', tabindex: '-1' });
  function addRow(name = '', value = '') {
    const n = input({ name: 'header_name', value: name, placeholder: 'X-Partner-Account', spellcheck: 'false', autocomplete: 'off', 'aria-label': 'Header name' });
    const v = input({ name: 'header_value', value, placeholder: 'value', spellcheck: 'false', autocomplete: 'off', 'aria-label': 'Header value' });
    const row = h('div', { class: 'header-row' }, n, v,
      button('Remove', { kind: 'ghost', small: true, 'aria-label': 'Remove this header', onclick: () => { row.remove(); } }));
    rows.append(row);
    return n;
  }
  Object.entries(initial).forEach(([k, v]) => addRow(k, v));
  return {
    node: h('div', { class: 'stack' }, rows,
      h('div', {}, button('Add header', { small: true, iconName: 'plus', onclick: () => addRow().focus() }))),
    value() {
      const out = {};
      for (const row of rows.querySelectorAll('.header-row')) {
        const [n, v] = row.querySelectorAll('input');
        if (n.value.trim()) out[n.value.trim()] = v.value;
      }
      return out;
    },
  };
}

// ---------------------------------------------------------------- mTLS

function tlsFields(current) {
  const has = Boolean(current?.client_certificate || current?.ca_certificates);
  const cert = pemField('Client certificate (PEM)', 'tls.client_certificate', current?.client_certificate ?? '');
  const key = pemField('Client private key (PEM)', 'tls.client_key', '', has ? 'Kept as it is unless you upload a new one; Herald never shows it.' : 'Stored encrypted when the operator has set an encryption key.');
  const ca = pemField('Extra CA certificates (PEM, optional)', 'tls.ca_certificates', current?.ca_certificates ?? '', 'To trust a private CA for this endpoint.');
  const enable = h('input', { type: 'checkbox', checked: has, id: id('tls') });
  const box = h('div', { class: 'stack subsection', 'data-field': 'tls' }, cert.node, key.node, ca.node);
  const sync = () => { box.hidden = !enable.checked; };
  enable.addEventListener('change', sync);
  sync();
  return {
    node: h('div', { class: 'stack' },
      h('label', { class: 'choice', for: enable.id }, enable, h('span', { class: 'choice-text' },
        h('span', { class: 'choice-label' }, 'Present a client certificate (mTLS)'),
        h('span', { class: 'choice-desc' }, 'Your endpoint can require it to authenticate Herald. https:// URLs only.'))),
      box),
    /** undefined: unchanged; null: remove; an object: replace. */
    value() {
      if (!enable.checked) return has ? null : undefined;
      const c = cert.el.value.trim();
      const k = key.el.value.trim();
      const a = ca.el.value.trim();
      if (has && c === (current.client_certificate ?? '').trim() && !k && a === (current.ca_certificates ?? '').trim()) return undefined;
      if (c && !k) {
        throw new ApiError(422, { field: 'tls.client_key', detail: has && current.client_certificate
          ? 'To change the TLS settings, upload the private key again (Herald never shows the stored one).'
          : 'A client certificate needs its private key.' });
      }
      const t = {};
      if (c) t.client_certificate = c;
      if (k) t.client_key = k;
      if (a) t.ca_certificates = a;
      return t;
    },
  };
}

function pemField(label, apiField, value, hint) {
  const el = textarea({ rows: 4, class: 'input mono', spellcheck: 'false', value, placeholder: '-----BEGIN …-----' });
  const file = h('input', { type: 'file', accept: '.pem,.crt,.cer,.key,text/plain', class: 'file', 'aria-label': `Upload ${label}` });
  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    if (f) el.value = await f.text();
  });
  const node = field(label, el, { field: apiField, hint });
  node.append(h('div', { class: 'file-row' }, h('span', { class: 'muted small' }, 'or upload a file: '), file));
  return { el, node };
}
