// Small DOM helpers shared by every screen. Outside data (anything the API returns, and so anything a
// receiver or a partner wrote) only ever becomes text: h() appends strings as text nodes and sets
// attributes one by one. Nothing here turns a string into markup.

/** h('a', {href: '#/x', class: 'link', onclick: fn}, 'text', child, [more]) */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  setProps(el, props);
  append(el, children);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element (charts and icons); attributes only, no style. */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v !== null && v !== undefined && v !== false) el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function setProps(el, props) {
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' || k === 'checked' || k === 'disabled' || k === 'selected') el[k] = v;
    else if (k === 'style') throw new Error('no inline style: the Content-Security-Policy forbids it');
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

let uid = 0;
export function id(prefix = 'f') {
  uid += 1;
  return `${prefix}-${uid}`;
}

// ---------------------------------------------------------------- icons (stroke paths, 24×24)

const ICONS = {
  endpoints: 'M4 7h16M4 12h16M4 17h10',
  deliveries: 'M3 12h4l3 8 4-16 3 8h4',
  catalogue: 'M5 4h10l4 4v12H5zM14 4v5h5',
  events: 'M11 4a7 7 0 1 0 0 14a7 7 0 0 0 0-14zM16 16l4 4',
  tenants: 'M4 21V7l8-4 8 4v14M4 21h16M9 21v-5h6v5M9 10h.01M15 10h.01',
  queue: 'M4 6h16M4 12h10M4 18h6',
  plus: 'M12 5v14M5 12h14',
  out: 'M15 4h4v16h-4M10 17l5-5-5-5M15 12H3',
  send: 'M4 12l16-8-6 16-3-7z',
  back: 'M15 18l-6-6 6-6',
  copy: 'M9 9h11v11H9zM5 15V4h11',
  external: 'M14 4h6v6M20 4l-9 9M19 14v6H4V5h6',
  refresh: 'M20 11a8 8 0 1 0-2.3 5.7M20 5v6h-6',
};

export function icon(name) {
  return s('svg', { class: 'icon', viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false' },
    s('path', { d: ICONS[name] ?? '' }));
}

// ---------------------------------------------------------------- times

const LOCAL = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const SHORT = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

export function utc(iso) {
  return new Date(iso).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace('Z', ' UTC');
}

/** A time in the viewer's zone, with the UTC value on hover (and in the datetime attribute). */
export function time(iso, { short = false } = {}) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  const d = new Date(iso);
  return h('time', { datetime: iso, title: utc(iso) }, (short ? SHORT : LOCAL).format(d));
}

export function ago(iso, now = Date.now()) {
  const s = Math.round((now - new Date(iso).getTime()) / 1000);
  const abs = Math.abs(s);
  const unit = abs < 60 ? [s, 'second'] : abs < 3600 ? [Math.round(s / 60), 'minute']
    : abs < 86400 ? [Math.round(s / 3600), 'hour'] : [Math.round(s / 86400), 'day'];
  return new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' }).format(-unit[0], unit[1]);
}

/** A relative time ("3 minutes ago") with the local and UTC times on hover. */
export function relative(iso) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  return h('time', { datetime: iso, title: `${LOCAL.format(new Date(iso))} · ${utc(iso)}` }, ago(iso));
}

/** A datetime-local input's value as RFC 3339 (the viewer's zone), or null when empty. */
export function fromLocalInput(value) {
  return value ? new Date(value).toISOString() : null;
}

export function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  const sec = ms / 1000;
  if (sec < 120) return `${+sec.toFixed(1)} s`;
  const min = sec / 60;
  if (min < 120) return `${+min.toFixed(1)} min`;
  const hours = min / 60;
  if (hours < 48) return `${+hours.toFixed(1)} h`;
  return `${+(hours / 24).toFixed(1)} days`;
}

export function number(n) {
  return new Intl.NumberFormat().format(n ?? 0);
}

// ---------------------------------------------------------------- small pieces

const BADGES = {
  active: 'ok', delivered: 'ok', pending: 'warn', paused: 'warn', failed: 'bad', 'read-only': 'info', test: 'info',
};

export function badge(text, kind = BADGES[text] ?? 'neutral') {
  return h('span', { class: `badge badge-${kind}` }, text);
}

export function statusCodeBadge(code) {
  if (code === null || code === undefined) return badge('no answer', 'bad');
  return badge(String(code), code >= 200 && code < 300 ? 'ok' : code >= 500 || code === 429 ? 'bad' : 'warn');
}

export function mono(text, cls = '') {
  return h('code', { class: ['mono', cls] }, text);
}

/** Pretty JSON (or the text as it is) in a scrollable block; always text, never markup. */
export function code(value, { label } = {}) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return h('pre', { class: 'code', tabindex: '0', 'aria-label': label ?? null }, h('code', {}, text));
}

export function copyButton(getText, label = 'Copy') {
  const b = h('button', { type: 'button', class: 'btn btn-ghost btn-sm' }, icon('copy'), label);
  b.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(typeof getText === 'function' ? getText() : getText);
      toast('Copied to the clipboard');
    } catch {
      toast('The browser did not allow copying; select the text and copy it by hand', 'error');
    }
  });
  return b;
}

export function button(label, { kind = 'secondary', onclick, type = 'button', iconName, small, ...rest } = {}) {
  return h('button', { type, class: ['btn', `btn-${kind}`, small && 'btn-sm'], onclick, ...rest },
    iconName ? icon(iconName) : null, label);
}

export function linkButton(label, href, { kind = 'secondary', iconName, small } = {}) {
  return h('a', { href, class: ['btn', `btn-${kind}`, small && 'btn-sm'] }, iconName ? icon(iconName) : null, label);
}

/** Runs an action with the button disabled and busy, so a double click does not send twice. */
export async function busy(btn, work) {
  btn.disabled = true;
  btn.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    btn.disabled = false;
    btn.removeAttribute('aria-busy');
  }
}

export function card(title, body, { actions, cls, description } = {}) {
  return h('section', { class: ['card', cls] },
    title ? h('div', { class: 'card-head' },
      h('div', {}, h('h2', { class: 'card-title' }, title), description ? h('p', { class: 'card-desc' }, description) : null),
      actions ? h('div', { class: 'card-actions' }, actions) : null) : null,
    body);
}

export function pageHeader(title, { subtitle, actions, back, badges } = {}) {
  const h1 = h('h1', { tabindex: '-1', class: 'page-title' }, title);
  return h('header', { class: 'page-head' },
    back ? h('a', { class: 'back', href: back.href }, icon('back'), back.label) : null,
    h('div', { class: 'page-head-row' },
      h('div', { class: 'page-head-text' }, h('div', { class: 'title-line' }, h1, badges ?? null),
        subtitle ? h('p', { class: 'page-sub' }, subtitle) : null),
      actions ? h('div', { class: 'page-actions' }, actions) : null));
}

export function loading(text = 'Loading…') {
  return h('div', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text);
}

export function emptyState(title, text, action) {
  return h('div', { class: 'empty' },
    h('div', { class: 'empty-art', 'aria-hidden': 'true' }),
    h('h3', {}, title), text ? h('p', {}, text) : null, action ?? null);
}

export function errorBox(error, retry) {
  return h('div', { class: 'alert alert-error', role: 'alert' },
    h('strong', {}, error.status ? `Herald answered ${error.status}` : 'Something went wrong'),
    h('p', {}, error.message),
    retry ? button('Try again', { onclick: retry, small: true }) : null);
}

export function notice(text, kind = 'info', title) {
  return h('div', { class: `alert alert-${kind}` }, title ? h('strong', {}, title) : null, h('p', {}, text));
}

/** A definition list of [label, value] pairs; values may be nodes. */
export function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(Boolean).map(([k, v]) => h('div', { class: 'fact' },
    h('dt', {}, k), h('dd', {}, v ?? h('span', { class: 'muted' }, '—')))));
}

/**
 * A table that becomes a stack of cards on a phone: every cell carries its column's label.
 * columns: [{label, cell: (row) => node|string, cls}]
 */
export function table(columns, rows, { caption, rowClass } = {}) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
    caption ? h('caption', { class: 'sr-only' }, caption) : null,
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.cls }, c.label)))),
    h('tbody', {}, rows.map((r) => h('tr', { class: rowClass?.(r) },
      columns.map((c) => h('td', { class: c.cls, 'data-label': c.label }, c.cell(r))))))));
}

// ---------------------------------------------------------------- forms

/** A labelled control with its hint and a place for its error; `field` is the API field it sets. */
export function field(label, control, { hint, field: apiField, cls } = {}) {
  const controlId = control.id || id('in');
  control.id = controlId;
  if (apiField) control.dataset.field = apiField;
  const hintEl = hint ? h('p', { class: 'hint', id: `${controlId}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: ['field', cls] }, h('label', { for: controlId }, label), control, hintEl);
}

export function input(props = {}) {
  return h('input', { type: 'text', class: 'input', ...props });
}

export function select(options, props = {}) {
  const sel = h('select', { class: 'input', ...props });
  for (const o of options) {
    const [value, label] = Array.isArray(o) ? o : [o, o];
    sel.append(h('option', { value }, label));
  }
  if (props.value !== undefined) sel.value = props.value;
  return sel;
}

export function textarea(props = {}) {
  return h('textarea', { class: 'input', rows: 4, ...props });
}

/** Clears the errors a previous submit left. */
export function clearErrors(root) {
  root.querySelectorAll('.field-error, .form-error').forEach((e) => e.remove());
  root.querySelectorAll('[aria-invalid]').forEach((e) => {
    e.removeAttribute('aria-invalid');
    const hint = e.getAttribute('aria-describedby')?.split(' ').filter((i) => !i.endsWith('-error')).join(' ');
    if (hint) e.setAttribute('aria-describedby', hint); else e.removeAttribute('aria-describedby');
  });
}

/**
 * Shows an error next to the field it names (problem+json `field`, e.g. "batch.window_ms" or
 * "headers.X-Api-Key": the control whose data-field is the longest prefix), or at the top of the form.
 */
export function showError(root, error, fieldName = error.field) {
  clearErrors(root);
  let target = null;
  if (fieldName) {
    let best = -1;
    for (const el of root.querySelectorAll('[data-field]')) {
      const f = el.dataset.field;
      if ((fieldName === f || ['.', '[', '/'].some((sep) => fieldName.startsWith(f + sep))) && f.length > best) {
        best = f.length;
        target = el;
      }
    }
  }
  const message = fieldName && target ? error.message.replace(/^[\w.[\]"/$-]+: /, '') : error.message;
  if (target) {
    const errId = `${target.id || id('in')}-error`;
    const msg = h('p', { class: 'field-error', id: errId }, fieldName !== target.dataset.field ? `${fieldName}: ${message}` : message);
    const holder = target.closest('.field, fieldset') ?? target.parentElement;
    holder.append(msg);
    target.setAttribute('aria-invalid', 'true');
    target.setAttribute('aria-describedby', [target.getAttribute('aria-describedby'), errId].filter(Boolean).join(' '));
    if (typeof target.focus === 'function') target.focus();
    return;
  }
  const banner = h('div', { class: 'form-error alert alert-error', role: 'alert', tabindex: '-1' },
    fieldName ? h('strong', {}, fieldName) : null, h('p', {}, error.message));
  root.prepend(banner);
  banner.focus();
}

// ---------------------------------------------------------------- toasts and dialogs

export function toast(message, kind = 'ok') {
  const host = document.getElementById('toasts');
  const t = h('div', { class: `toast toast-${kind}` }, h('span', {}, message),
    h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss' }, '×'));
  t.querySelector('button').addEventListener('click', () => t.remove());
  host.append(t);
  setTimeout(() => t.remove(), kind === 'error' ? 9000 : 5000);
}

/**
 * A modal dialog (native <dialog>: focus is trapped inside and returns to the opener when it closes).
 * `body` is a node; `onSubmit(form)` may throw an ApiError, shown next to its field while the dialog stays open.
 * Resolves with onSubmit's result, or null when cancelled.
 */
export function dialog({ title, body, submitLabel = 'Save', danger = false, onSubmit, cancelLabel = 'Cancel', wide = false }) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const titleId = id('dlg');
    const form = h('form', { method: 'dialog', class: 'dialog-form', novalidate: true });
    const submit = onSubmit ? button(submitLabel, { kind: danger ? 'danger' : 'primary', type: 'submit' }) : null;
    const cancel = button(onSubmit ? cancelLabel : 'Close', { kind: 'ghost', onclick: () => finish(null) });
    append(form, [h('h2', { id: titleId, class: 'dialog-title' }, title), h('div', { class: 'dialog-body' }, body),
      h('div', { class: 'dialog-actions' }, cancel, submit)]);
    const dlg = h('dialog', { class: ['dialog', wide && 'dialog-wide'], 'aria-labelledby': titleId }, form);
    let done = false;
    function finish(value) {
      if (done) return;
      done = true;
      dlg.close();
      dlg.remove();
      if (opener && document.contains(opener)) opener.focus();
      resolve(value);
    }
    dlg.addEventListener('cancel', (e) => {
      e.preventDefault();
      finish(null);
    });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!onSubmit) return finish(null);
      clearErrors(form);
      try {
        const result = await busy(submit, () => onSubmit(form));
        if (result !== KEEP_OPEN) finish(result ?? true);
      } catch (err) {
        if (err?.status === 401) return finish(null);
        showError(form, err);
      }
    });
    document.body.append(dlg);
    dlg.showModal();
    // why: for a destructive action the safe choice has the focus; otherwise the first control does
    const first = danger ? cancel : form.querySelector('.dialog-body input, .dialog-body select, .dialog-body textarea, .dialog-body button') ?? cancel;
    first.focus();
  });
}

/** Returned by a dialog's onSubmit to keep it open (e.g. to show a result inside it). */
export const KEEP_OPEN = Symbol('keep-open');

export function confirm({ title, message, confirmLabel = 'Confirm', danger = false }) {
  const body = Array.isArray(message) ? message.map((m) => h('p', {}, m)) : h('p', {}, message);
  return dialog({ title, body: h('div', {}, body), submitLabel: confirmLabel, danger, onSubmit: async () => true })
    .then((v) => v === true);
}

// ---------------------------------------------------------------- the frame around every screen

/**
 * The app frame: a left navigation on wide screens, a top bar on phones; `outlet` is where screens render.
 * nav: [{href, label, icon, match}]
 */
export function shell({ product, context, badges = [], nav, footer }) {
  const navList = h('ul', { class: 'nav-list' }, nav.map((n) => h('li', {},
    h('a', { href: n.href, class: 'nav-link', dataset: { match: n.match } }, icon(n.icon), h('span', {}, n.label)))));
  const outlet = h('main', { id: 'main', class: 'main', tabindex: '-1' });
  const app = h('div', { class: 'app' },
    h('a', { class: 'skip', href: '#main', onclick: (e) => { e.preventDefault(); outlet.focus(); } }, 'Skip to content'),
    h('aside', { class: 'sidebar' },
      h('div', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, product.slice(0, 1).toUpperCase()),
        h('div', { class: 'brand-text' }, h('span', { class: 'brand-name' }, product),
          context ? h('span', { class: 'brand-context' }, context) : null)),
      h('nav', { class: 'nav', 'aria-label': 'Main' }, navList),
      h('div', { class: 'sidebar-foot' }, badges, footer)),
    outlet);
  function setActive(path) {
    for (const a of navList.querySelectorAll('a')) {
      if (path.startsWith(a.dataset.match)) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
  }
  return { app, outlet, setActive };
}

/** Replaces the whole page (sign-in, expired link). */
export function mount(node) {
  const root = document.getElementById('app');
  root.classList.remove('booting');
  root.removeAttribute('aria-busy');
  replace(root, node);
}

/** A centred card for pages outside the frame: sign-in, an expired link. */
export function standalone(product, ...content) {
  return h('div', { class: 'standalone' },
    h('div', { class: 'brand standalone-brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, product.slice(0, 1).toUpperCase()),
      h('span', { class: 'brand-name' }, product)),
    h('main', { class: 'standalone-card', id: 'main' }, content));
}

export const product = () => document.title || 'Herald';

/** Replaces an element's children (null and false are skipped, arrays flattened). */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/**
 * Fills {@code results} with a filtered list a page at a time, with "Load more" while the API gives a cursor: the
 * list screens' one way of loading. {@code fetchPage(cursor)} answers the API's {data, next_cursor};
 * {@code render(rows)} draws them, {@code empty()} what shows when there are none. A 400 or 422 names a filter, so it
 * is shown at that filter; other errors offer {@code retry}.
 */
export async function pagedList({ results, filters, fetchPage, render, empty, retry }) {
  replace(results, h('p', { class: 'muted' }, 'Loading…'));
  const rows = [];
  let cursor = null;
  const more = button('Load more', { small: true });
  async function page() {
    try {
      const answer = await fetchPage(cursor);
      rows.push(...answer.data);
      cursor = answer.next_cursor;
      replace(results, rows.length ? [render(rows), cursor ? h('div', { class: 'more' }, more) : null] : empty());
    } catch (err) {
      if (err.status === 401) return;
      if (err.status === 400 || err.status === 422) {
        clear(results);
        showError(filters, err);
      } else {
        replace(results, errorBox(err, retry));
      }
    }
  }
  more.addEventListener('click', () => busy(more, page));
  await page();
}
