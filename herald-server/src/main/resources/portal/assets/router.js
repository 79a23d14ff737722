// A hash router: #/endpoints/abc?status=failed. Screens are async functions that render into the outlet;
// a screen that finishes loading after the person has moved on does not draw over the new one.

import { clear, errorBox, loading, replace } from './ui.js';

export function parse(hash = location.hash) {
  const raw = hash.replace(/^#/, '') || '/';
  const [p, q = ''] = raw.split('?');
  return { path: p.startsWith('/') ? p : '/' + p, query: Object.fromEntries(new URLSearchParams(q)) };
}

export function href(p, query = {}) {
  const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ''));
  const q = [...qs].length ? '?' + qs : '';
  return '#' + p + q;
}

export function go(p, query) {
  location.hash = href(p, query);
}

/**
 * routes: [['/endpoints/:id', async ({params, query, outlet, alive}) => …]]
 * onRoute(path) is told every navigation (the frame highlights its nav link).
 */
export function createRouter({ outlet, routes, fallback = '/', onRoute, onError }) {
  const compiled = routes.map(([pattern, screen]) => {
    const names = [];
    const re = new RegExp('^' + pattern.replace(/:(\w+)/g, (_, n) => { names.push(n); return '([^/]+)'; }) + '/?$');
    return { re, names, screen };
  });
  let current = 0;

  async function render() {
    const { path, query } = parse();
    const match = compiled.map((c) => ({ c, m: c.re.exec(path) })).find((x) => x.m);
    if (!match) {
      go(fallback);
      return;
    }
    const token = ++current;
    const params = Object.fromEntries(match.c.names.map((n, i) => [n, decodeURIComponent(match.m[i + 1])]));
    onRoute?.(path);
    replace(outlet, loading());
    const alive = () => token === current;
    try {
      await match.c.screen({ params, query, outlet, alive, path });
      if (alive()) {
        // why: after a navigation, screen readers and keyboards start at the new screen's title
        const title = outlet.querySelector('h1');
        if (title && document.activeElement?.closest?.('dialog') == null) title.focus({ preventScroll: true });
      }
    } catch (e) {
      if (!alive()) return;
      if (onError?.(e)) return;
      replace(outlet, errorBox(e, render));
    }
  }

  window.addEventListener('hashchange', render);
  return { start: render, refresh: render };
}

/** Clears the outlet and appends the screen, unless the person has moved on since it started loading. */
export function show(ctx, ...nodes) {
  if (!ctx.alive()) return false;
  clear(ctx.outlet).append(...nodes.flat().filter(Boolean));
  return true;
}
