// The API client: every screen talks to Herald through these few functions, with the token in the
// Authorization header only (never a cookie, never a query string).

/** A failed call: the problem document's detail, and the field it names when one field is at fault. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `Herald answered ${status}`);
    this.status = status;
    this.field = problem?.field ?? null;
    this.problem = problem;
  }

  /** This Herald has no such route (an older version): the screen leaves the feature out. */
  get missingRoute() {
    return (this.status === 404 && /^no such route/.test(this.message)) || this.status === 405;
  }
}

/**
 * @param token          returns the bearer token to send
 * @param onUnauthorized called on a 401 (expired, revoked or wrong token), before the error is thrown
 */
export function createApi({ token, onUnauthorized }) {
  async function request(method, path, { query, body } = {}) {
    let url = path;
    if (query) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) {
        if (v !== undefined && v !== null && v !== '') qs.append(k, v);
      }
      if ([...qs].length) url += '?' + qs;
    }
    const headers = { Authorization: 'Bearer ' + token(), Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(url, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store', credentials: 'omit', redirect: 'error',
      });
    } catch {
      throw new ApiError(0, { detail: 'Herald cannot be reached. Check your connection and try again.' });
    }
    if (res.status === 204) return null;
    const text = await res.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (!res.ok) {
      const error = new ApiError(res.status, data);
      if (res.status === 401 && onUnauthorized) onUnauthorized(error);
      throw error;
    }
    return data;
  }

  /** Every page of a list, following next_cursor (lists here are small: endpoints, event types). */
  async function all(path, query = {}) {
    const out = [];
    let cursor = null;
    do {
      const page = await request('GET', path, { query: { ...query, limit: 100, cursor } });
      out.push(...page.data);
      cursor = page.next_cursor;
    } while (cursor);
    return out;
  }

  return {
    get: (path, query) => request('GET', path, { query }),
    all,
    post: (path, body) => request('POST', path, { body: body ?? {} }),
    patch: (path, body) => request('PATCH', path, { body }),
    del: (path) => request('DELETE', path),
  };
}

/** Path segments are encoded: ids come from the API and from the address bar. */
export function path(strings, ...values) {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? encodeURIComponent(values[i]) : ''), '');
}
