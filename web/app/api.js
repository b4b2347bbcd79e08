// api.js — talks to /api/v1: session, CSRF token, errors, metadata and a
// small cache of record titles used to show references by name.

const BASE = '/api/v1';

// The application state every view reads: the signed-in user, the CSRF
// token, the entity descriptors. Views subscribe to re-render on change.
// mustEnrol: the user's role requires two-factor sign-in and they have
// not set it up, so the server answers only /auth/me, /auth/logout and
// /auth/2fa/* (403 two_factor_required otherwise) until they do.
export const session = { user: null, admin: false, csrf: null, meta: null, expired: false, mustEnrol: false };
const listeners = new Set();
export function subscribe(fn) { listeners.add(fn); return () => listeners.delete(fn); }
export function notify() { for (const fn of listeners) fn(); }

export class ApiError extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.title)) || `HTTP ${status}`);
    this.status = status;
    this.code = (body && body.code) || 'http_' + status;
    this.errors = (body && body.errors) || [];
    this.body = body;
  }
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

// request(method, path, {body, headers, query, early}) → parsed JSON (or null
// on 204). A GET takes the answer asked for ahead (getAhead) when there is
// one; any other method drops those. body is sent as JSON, or as it is when it is a FormData (file
// uploads). early: the Response promise of the same GET already started
// (early.js), taken instead of fetching. Adds the CSRF header to unsafe
// methods, retries once when the token went stale, and reports a lost
// session through the unauthorized handler.
export async function request(method, path, opts = {}) {
  if (method === 'GET' && !opts.early && !opts.fresh) {
    const a = takeAhead(path, opts.query);
    if (a) return a.catch(() => request(method, path, { ...opts, fresh: true }));
  } else if (method !== 'GET') {
    ahead.clear();
  }
  const url = BASE + path + (opts.query ? '?' + toQuery(opts.query) : '');
  const headers = { Accept: 'application/json', ...(opts.headers || {}) };
  const init = { method, headers, credentials: 'same-origin' };
  if (opts.body instanceof FormData) {
    // multipart/form-data: the browser writes the Content-Type with its
    // boundary; a JSON one here would break the upload.
    init.body = opts.body;
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(opts.body);
  }
  if (method !== 'GET' && session.csrf) headers['X-CSRF-Token'] = session.csrf;
  let res;
  try {
    res = await (opts.early || fetch(url, init));
  } catch (e) {
    throw new ApiError(0, { code: 'network', detail: String(e) });
  }
  let data = null;
  const text = res.status === 204 ? '' : await res.text();
  if (text) { try { data = JSON.parse(text); } catch { data = null; } }
  if (res.ok) {
    if (data && typeof data === 'object' && !Array.isArray(data)) {
      const etag = res.headers.get('ETag');
      if (etag) Object.defineProperty(data, '_etag', { value: etag, enumerable: false });
    }
    return data;
  }
  const err = new ApiError(res.status, data);
  if (res.status === 403 && err.code === 'csrf_failed' && !opts._retried) {
    await refreshMe();
    return request(method, path, { ...opts, _retried: true });
  }
  if (res.status === 401 && !opts.noAuthRedirect) onUnauthorized(err);
  if (res.status === 403 && err.code === 'two_factor_required' && !session.mustEnrol) {
    // the role began to require it while this page was open
    session.mustEnrol = true;
    notify();
  }
  throw err;
}

// ---- answers asked for ahead -----------------------------------------

// A view's prefetch() (lazy.js) asks for its page's first data while the
// app boots, before /auth/me is answered; the view's own GET of the same
// path and query then takes that answer: once, within AHEAD_MS, and only
// while no write was sent since. One that failed (say 401: signed out) is
// asked for again.
const ahead = new Map(); // "path?query" → {at, answer: Promise}
const AHEAD_MS = 10_000;
const aheadKey = (path, query) => path + '?' + (query ? toQuery(query) : '');

export function getAhead(path, query) {
  const answer = request('GET', path, { query, noAuthRedirect: true, fresh: true });
  answer.catch(() => {}); // whoever takes it sees the failure
  ahead.set(aheadKey(path, query), { at: Date.now(), answer });
}

function takeAhead(path, query) {
  const k = aheadKey(path, query);
  const a = ahead.get(k);
  if (!a) return null;
  ahead.delete(k);
  return Date.now() - a.at <= AHEAD_MS ? a.answer : null;
}

export function toQuery(q) {
  if (typeof q === 'string') return q;
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue;
    p.append(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  return p.toString().replace(/%5B/g, '[').replace(/%5D/g, ']').replace(/%2C/g, ',');
}

export const api = {
  get: (p, query) => request('GET', p, { query }),
  post: (p, body, headers) => request('POST', p, { body, headers }),
  // fields: {name: string | Blob}; sent as multipart/form-data
  upload: (p, fields) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined || v === null) continue;
      if (v instanceof Blob) form.append(k, v, v.name || 'upload');
      else form.append(k, typeof v === 'string' ? v : JSON.stringify(v));
    }
    return request('POST', p, { body: form });
  },
  patch: (p, body, version) =>
    request('PATCH', p, { body, headers: version != null ? { 'If-Match': `"${version}"` } : {} }),
  del: (p, version) =>
    request('DELETE', p, { headers: version != null ? { 'If-Match': `"${version}"` } : {} }),
};

// ---- session ----------------------------------------------------------

// early: a started GET /auth/me (see request)
export async function refreshMe(early) {
  try {
    const me = await request('GET', '/auth/me', { noAuthRedirect: true, early });
    session.user = me.user;
    session.csrf = me.csrf_token;
    session.admin = !!me.admin;
    session.mustEnrol = !!me.two_factor_required;
    return me;
  } catch (e) {
    if (e.status === 401) { session.user = null; session.csrf = null; return null; }
    throw e;
  }
}

// otp: the code of an authenticator app, for users with two-factor
// sign-in on (the server answers 401 otp_required without it).
export async function login(email, password, otp) {
  const body = otp ? { email, password, otp } : { email, password };
  const r = await request('POST', '/auth/login', { body, noAuthRedirect: true });
  session.user = r.user;
  session.csrf = r.csrf_token;
  session.expired = false;
  await refreshMe();
  if (!session.mustEnrol) await loadMeta();
  notify();
  return r;
}

// The signed-in user's answer of /auth/me, /auth/2fa/enable or disable.
export async function takeMe(me) {
  session.user = me.user;
  session.admin = !!me.admin;
  if (me.csrf_token) session.csrf = me.csrf_token;
  const was = session.mustEnrol;
  session.mustEnrol = !!me.two_factor_required;
  if (was && !session.mustEnrol) await loadMeta();
  notify();
}

export async function logout() {
  try { await request('POST', '/auth/logout', { noAuthRedirect: true }); } catch { /* gone anyway */ }
  session.user = null; session.csrf = null; session.meta = null; session.admin = false; session.mustEnrol = false;
  titleCache.clear();
  // what views kept for this tab's session (the board's pipelines and stages)
  try { for (const k of Object.keys(sessionStorage)) if (k.startsWith('rapport.')) sessionStorage.removeItem(k); } catch { /* off */ }
  notify();
}

export async function updateMe(body) {
  const r = await request('PATCH', '/auth/me', { body });
  const user = r && r.user ? r.user : r;
  if (user && user.id) session.user = user;
  notify();
  return user;
}

// ---- metadata ---------------------------------------------------------

// early: a started GET /meta (see request)
export async function loadMeta(early) {
  const m = await request('GET', '/meta', { early });
  session.meta = m;
  return m;
}

export function entities() { return (session.meta && session.meta.entities) || []; }
export function entity(name) { return entities().find((e) => e.name === name) || null; }
export function field(ent, name) {
  const e = typeof ent === 'string' ? entity(ent) : ent;
  return e ? e.fields.find((f) => f.name === name) || null : null;
}
export function can(ent, action) {
  const e = typeof ent === 'string' ? entity(ent) : ent;
  return !!e && e.access && e.access[action] && e.access[action] !== 'none';
}

// The kinds of record the importer takes that this user may create. (Here
// rather than in views/imports.js: the navigation and the lists ask, and
// they should not have to load the import wizard to know.)
export function importableEntities() {
  const f = entity('imports') && entity('imports').fields.find((x) => x.name === 'entity');
  const names = (f && f.options) || [];
  return names.map((n) => entity(n)).filter((e) => e && can(e, 'create'));
}
export function canImport(ent) {
  if (!can('imports', 'create')) return false;
  const list = importableEntities();
  return ent ? list.some((e) => e.name === (ent.name || ent)) : list.length > 0;
}

// The kinds of record with a duplicates page (/duplicates/:entity).
export const DEDUP_ENTITIES = ['accounts', 'contacts', 'leads'];

// ---- record titles (references shown by name) -------------------------

const titleCache = new Map(); // "entity:id" → title (string) or Promise
const pending = new Map(); // entity → Set of ids
let flushTimer = null;
let titleGen = 0;

// Bumped whenever fetched titles arrive: a view that skips redrawing parts
// whose data did not change (the board's columns) redraws them when it moves.
export function titlesVersion() { return titleGen; }

export function titleOf(ent, rec) {
  const e = entity(ent);
  if (!rec) return '';
  const tf = (e && e.title_field) || 'name';
  const v = rec[tf];
  return v == null || v === '' ? `#${rec.id}` : String(v);
}

export function cachedTitle(ent, id) {
  const v = titleCache.get(ent + ':' + id);
  return typeof v === 'string' ? v : null;
}

export function rememberTitle(ent, rec) {
  if (rec && rec.id != null) titleCache.set(ent + ':' + rec.id, titleOf(ent, rec));
}

// Queue ids to resolve; one request per entity per tick; notify when done.
export function wantTitles(ent, ids) {
  if (!entity(ent) || !can(ent, 'read')) return;
  let set = pending.get(ent);
  for (const id of ids) {
    if (id == null || titleCache.has(ent + ':' + id)) continue;
    if (!set) { set = new Set(); pending.set(ent, set); }
    set.add(id);
    titleCache.set(ent + ':' + id, null);
  }
  if (set && !flushTimer) flushTimer = setTimeout(flushTitles, 0);
}

async function flushTitles() {
  flushTimer = null;
  const jobs = [...pending.entries()];
  pending.clear();
  await Promise.all(jobs.map(async ([ent, set]) => {
    const ids = [...set];
    const tf = entity(ent).title_field || 'name';
    for (let i = 0; i < ids.length; i += 100) {
      const chunk = ids.slice(i, i + 100);
      try {
        const r = await api.get('/' + ent, { 'id[in]': chunk.join(','), fields: `id,${tf}`, limit: 100 });
        for (const rec of r.data) rememberTitle(ent, rec);
        for (const id of chunk) if (!cachedTitle(ent, id)) titleCache.set(ent + ':' + id, `#${id}`);
      } catch {
        for (const id of chunk) titleCache.set(ent + ':' + id, `#${id}`);
      }
    }
  }));
  titleGen++;
  notify();
}

// Fetch every page of a list (for small entities: stages, users, teams).
export async function listAll(ent, query = {}, max = 5000) {
  let out = [];
  let cursor = null;
  do {
    const r = await api.get('/' + ent, { ...query, limit: 500, cursor });
    out = out.concat(r.data);
    cursor = r.next_cursor;
  } while (cursor && out.length < max);
  for (const rec of out) rememberTitle(ent, rec);
  return out;
}
