// lib.mjs — helpers of the end-to-end browser tests: a private Rapport
// server with demo data per test file, an API client to set up and verify
// data, and Debian's chromium driven by playwright-core.
//
//   const srv = useServer();            // before/after: demo db + rapport serve
//   const br = useBrowser();            // before/after: one chromium per file
//   test('x', async () => {
//     const { page } = await br.session(srv, srv.adminEmail, srv.adminPassword);
//     await page.goto(srv.url('/contacts'));
//     const r = await srv.api.get('/contacts/1');      // bearer token, admin
//   });
//
// Environment: RAPPORT_BIN (default build/rapport), CHROMIUM (default
// /usr/bin/chromium), E2E_HEADED=1 to watch, E2E_KEEP_TMP=1 to keep the
// server's folder, E2E_SLOWMO=ms, E2E_TIMEOUT=ms (default wait, 8000),
// E2E_WEB_DIR=build/web to serve the UI from disk (no rebuild needed).
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test as nodeTest } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '../..');
export const BIN = path.resolve(ROOT, process.env.RAPPORT_BIN || 'build/rapport');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// The README's screenshots are refreshed only on request
// (UPDATE_SCREENSHOTS=1 tests/e2e/run.sh); ordinary runs write them under
// build/ so a test run leaves the tree clean.
export const SHOTS = process.env.UPDATE_SCREENSHOTS
  ? path.join(ROOT, 'docs/screenshots')
  : path.join(ROOT, 'build/screenshots');
export const ADMIN_EMAIL = 'admin@example.com';
export const DEMO_PASSWORD = 'demo-pass-123';
export const API = '/api/v1';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** promise, or `fallback` after ms (the timer does not keep the process alive). */
export function within(promise, ms, fallback) {
  let timer;
  const t = new Promise((r) => { timer = setTimeout(() => r(fallback), ms); });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

const live = new Set();
// Browsers to close before a server stops (open keep-alive connections
// would hold the server's shutdown up).
const closers = new Set();
async function runClosers() {
  for (const c of [...closers]) {
    closers.delete(c);
    await c();
  }
}
process.on('exit', () => {
  for (const p of live) {
    try { p.kill('SIGKILL'); } catch { /* gone */ }
  }
});

let seq = 0;
/** A short unique word (letters only, so search tokenizers keep it whole). */
export function uniqWord(prefix = 'Zq') {
  seq += 1;
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  let n = (process.pid * 1000 + seq * 7919 + Date.now()) % (26 ** 5);
  let s = '';
  for (let i = 0; i < 5; i++) { s += letters[n % 26]; n = Math.floor(n / 26); }
  return prefix + s;
}

// --- the server ------------------------------------------------------------

/** A JSON client of /api/v1 with a bearer token or a cookie session. */
export class Client {
  constructor(base, auth) {
    this.base = base;
    this.auth = auth; // {token} or {cookie, csrf}
  }

  async req(method, p, body, headers = {}) {
    const h = { Accept: 'application/json', ...headers };
    if (this.auth && this.auth.token) h.Authorization = `Bearer ${this.auth.token}`;
    if (this.auth && this.auth.cookie) {
      h.Cookie = this.auth.cookie;
      if (method !== 'GET' && this.auth.csrf) h['X-CSRF-Token'] = this.auth.csrf;
    }
    let payload;
    if (body !== undefined) {
      payload = JSON.stringify(body);
      h['Content-Type'] = 'application/json';
    }
    const url = this.base + (p.startsWith('/api/') ? p : API + p);
    let res;
    for (let attempt = 0; ; attempt++) {
      try {
        res = await fetch(url, { method, headers: h, body: payload, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
        break;
      } catch (e) {
        // refused: perhaps the server is being restarted after an outside kill
        if (attempt >= 10 || !/ECONNREFUSED/.test(String(e.cause && e.cause.code))) throw e;
        await sleep(200);
      }
    }
    const text = await res.text();
    let json;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return { status: res.status, headers: res.headers, json, text, what: `${method} ${p}${payload ? ` ${payload.slice(0, 200)}` : ''}` };
  }

  get(p) { return this.req('GET', p); }
  post(p, body, h) { return this.req('POST', p, body, h); }
  patch(p, body, h) { return this.req('PATCH', p, body, h); }
  del(p, h) { return this.req('DELETE', p, undefined, h); }

  /** GET that must answer 200; returns the JSON. */
  async ok(p) {
    const r = await this.get(p);
    expectStatus(r, 200);
    return r.json;
  }

  /** Every row of a list, following next_cursor. */
  async all(p, max = 50) {
    const rows = [];
    let url = p + (p.includes('?') ? '&' : '?') + 'limit=500';
    for (let i = 0; i < max; i++) {
      const j = await this.ok(url);
      rows.push(...j.data);
      if (j.next_cursor == null) return rows;
      url = p + (p.includes('?') ? '&' : '?') + `limit=500&cursor=${encodeURIComponent(j.next_cursor)}`;
    }
    throw new Error(`pagination of ${p} did not end`);
  }

  async create(entity, body) {
    const r = await this.post(`/${entity}`, body);
    expectStatus(r, 201, `create ${entity}`);
    return r.json;
  }
}

export function expectStatus(r, status, what = '') {
  const ok = Array.isArray(status) ? status.includes(r.status) : r.status === status;
  if (!ok) assert.fail(`${what ? `${what}: ` : ''}expected HTTP ${status}, got ${r.what} → ${r.status} ${String(r.text).slice(0, 400)}`);
  return r;
}

// RAPPORT_TEST_PG_DIR: a cluster of scripts/pg.sh; each server then gets
// a new database of it (a copy of RAPPORT_TEST_PG_TEMPLATE when set)
// instead of a file, and keeps its files (imports) in its folder.
const PG_DIR = process.env.RAPPORT_TEST_PG_DIR || '';

function pgDatabase() {
  const name = `e2e_${process.pid}_${crypto.randomBytes(6).toString('hex')}`;
  const tmpl = process.env.RAPPORT_TEST_PG_TEMPLATE;
  return execFileSync(path.join(ROOT, 'scripts/pg.sh'), ['createdb', PG_DIR, name, ...(tmpl ? [tmpl] : [])],
    { encoding: 'utf8' }).trim();
}

export class Server {
  constructor(opts = {}) {
    this.scale = opts.scale ?? 300;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-e2e-'));
    this.db = path.join(this.dir, 'r.db');
    this.adminEmail = ADMIN_EMAIL;
    this.adminPassword = `adm-${crypto.randomBytes(9).toString('base64url')}`;
    this.demoPassword = DEMO_PASSWORD;
    this.log = '';
    this.exit = null;
    // Root-level before() hooks of a file may run in any order: everything
    // that needs the server awaits this first.
    this.ready = new Promise((res, rej) => { this._ready = res; this._failed = rej; });
    this.ready.catch(() => {});
  }

  env() {
    return {
      ...process.env,
      RAPPORT_ADMIN_EMAIL: this.adminEmail,
      RAPPORT_ADMIN_PASSWORD: this.adminPassword,
      RAPPORT_DEMO_PASSWORD: this.demoPassword,
      ...(PG_DIR ? { RAPPORT_DATA_DIR: this.dir } : {}),
    };
  }

  cli(...args) {
    return execFileSync(this.bin, [...args, '--db', this.db], { cwd: ROOT, env: this.env(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  }

  async start() {
    if (!fs.existsSync(BIN)) throw new Error(`no server binary at ${BIN} (make build/rapport, or set RAPPORT_BIN)`);
    // A private copy: build/rapport may be rebuilt while the tests run.
    this.bin = path.join(this.dir, 'rapport');
    if (PG_DIR) this.db = pgDatabase();
    for (let attempt = 0; ; attempt++) {
      fs.copyFileSync(BIN, this.bin);
      fs.chmodSync(this.bin, 0o755);
      try {
        this.cli('demo', '--scale', String(this.scale));
        break;
      } catch (e) {
        if (attempt >= 2) throw new Error(`rapport demo failed: ${e.stderr || e.message}`);
        if (PG_DIR) this.db = pgDatabase();
        else fs.rmSync(this.db, { force: true });
        await sleep(2000); // perhaps caught mid-rebuild
      }
    }
    const out = this.cli('token', 'create', '--user', this.adminEmail, '--name', 'e2e');
    const m = out.match(/rp_[A-Za-z0-9_-]+/);
    if (!m) throw new Error(`rapport token create printed no token: ${out}`);
    this.token = m[0];
    this.port = 0; // the first start binds a port the kernel picks
    await this.spawn();
    this.started = true;
    this.api = new Client(this.base, { token: this.token });
    return this;
  }

  async spawn() {
    this.stopping = false;
    // E2E_WEB_DIR: serve the UI from a folder instead of the embedded copy
    const web = process.env.E2E_WEB_DIR ? ['--web-dir', path.resolve(process.env.E2E_WEB_DIR)] : [];
    this.proc = spawn(this.bin, ['serve', '--db', this.db, '--listen', `127.0.0.1:${this.port}`, '--quiet', ...web],
      { cwd: ROOT, env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this.proc);
    let said = ''; // this start's own output, for its "serving" line
    const keep = (c) => {
      this.log = (this.log + c.toString()).slice(-32768);
      if (said.length < 4096) said += c.toString();
    };
    this.proc.stdout.on('data', keep);
    this.proc.stderr.on('data', keep);
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exit = { code, signal };
        live.delete(this.proc);
        resolve(this.exit);
        if (!this.stopping && this.started) this.onUnexpectedExit();
      });
      this.proc.on('error', (err) => { this.exit = { code: -1, error: String(err) }; live.delete(this.proc); resolve(this.exit); });
    });
    // the port from the server's own "serving" line: a port picked before
    // the start can be bound by another program first, whose /healthz
    // would then answer for this server
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (this.exit) throw new Error(`rapport serve exited during start-up ${JSON.stringify(this.exit)}:\n${this.log}`);
      const m = /rapport serving http:\/\/127\.0\.0\.1:(\d+)\//.exec(said);
      if (m) {
        this.port = Number(m[1]);
        this.base = `http://127.0.0.1:${this.port}`;
        return;
      }
      await sleep(20);
    }
    throw new Error(`rapport serve did not say where it serves within 10 s:\n${this.log}`);
  }

  /**
   * The server ended while the tests ran. Killed from outside (SIGTERM,
   * SIGKILL, SIGINT: someone's pkill), it is started again on the same
   * database and port, and the file reports it; a crash is not restarted.
   */
  onUnexpectedExit() {
    const { code, signal } = this.exit;
    this.incidents = this.incidents || [];
    // rapport serve stops cleanly (exit 0, "stopping (signal 15)") on SIGTERM
    const external = ['SIGTERM', 'SIGKILL', 'SIGINT', 'SIGHUP'].includes(signal)
      || (code === 0 && /stopping \(signal/.test(this.log.slice(-500)));
    this.incidents.push({ code, signal, external, log: this.log.slice(-4000) });
    if (!external || this.incidents.length > 3) return;
    this.restarting = (async () => {
      this.exit = null;
      try { await this.spawn(); } catch (e) { this.incidents.push({ restartFailed: e.message }); }
    })();
  }

  async stop() {
    if (this.restarting) await this.restarting.catch(() => {});
    this.stopping = true;
    if (!this.proc || this.exit) return;
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => { if (!this.exit) this.proc.kill('SIGKILL'); }, 3000);
    await this.exited;
    clearTimeout(t);
  }

  url(p = '/') { return this.base + p; }

  /** Signs in through the API: {status, cookie (value), csrf, user, client}. */
  async login(email, password) {
    await this.ready;
    const res = await fetch(`${this.base}${API}/auth/login`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password }), signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    let cookie = null;
    for (const c of res.headers.getSetCookie()) {
      const m = c.match(/^\s*rapport_session=([^;]*)/);
      if (m) cookie = m[1];
    }
    if (res.status !== 200 || !cookie) throw new Error(`API login of ${email} failed: ${res.status} ${text}`);
    return {
      cookie, csrf: json.csrf_token, user: json.user,
      client: new Client(this.base, { cookie: `rapport_session=${cookie}`, csrf: json.csrf_token }),
    };
  }
}

/** before/after hooks that run a demo server for the current test file. */
export function useServer(opts = {}) {
  const srv = new Server(opts);
  before(async () => {
    try {
      await srv.start();
      srv._ready();
    } catch (e) {
      srv._failed(e);
      throw e;
    }
  }, { timeout: 60_000 });
  after(async () => {
    await runClosers();
    await srv.stop();
    if (!process.env.E2E_KEEP_TMP) fs.rmSync(srv.dir, { recursive: true, force: true });
    const inc = srv.incidents || [];
    for (const i of inc.filter((x) => x.external)) {
      process.stdout.write(`# rapport serve was stopped from outside (${i.signal || `exit ${i.code}`}) during ${path.basename(process.argv[1] || '')} and restarted\n`);
    }
    const crash = inc.find((x) => !x.external);
    if (crash) throw new Error(`the server crashed during the tests ${JSON.stringify(crash)}`);
  });
  return srv;
}

/**
 * node:test's test(), run again once when the server was stopped from
 * outside during it (another process's pkill on a shared machine): a
 * genuine failure is never retried.
 *   const test = guardedTest(srv);
 */
export function guardedTest(srv) {
  const outside = () => (srv.incidents || []).filter((i) => i.external).length;
  return (name, fn) => nodeTest(name, async (t) => {
    const n0 = outside();
    try {
      await fn(t);
    } catch (e) {
      if (outside() === n0) throw e;
      t.diagnostic(`the server was stopped from outside during this test (${e.message.split('\n')[0]}); running it again`);
      if (srv.restarting) await srv.restarting;
      await fn(t);
    }
  });
}

// --- the browser -----------------------------------------------------------

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage'];

/**
 * Starts chromium as a browser server (so it can be killed whatever state
 * it is in) and connects to it. Returns {browser, server}.
 */
export async function launch() {
  const server = await chromium.launchServer({
    executablePath: CHROMIUM,
    headless: !process.env.E2E_HEADED,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
  const proc = server.process();
  if (proc) live.add(proc);
  const browser = await chromium.connect(server.wsEndpoint(), { slowMo: Number(process.env.E2E_SLOWMO || 0), timeout: 30_000 });
  return { browser, server };
}

/** Closes the browser, and kills it if it does not close within 10 s. */
export async function shutdown({ browser, server }) {
  const closed = Promise.resolve()
    .then(() => browser && browser.close())
    .then(() => server && server.close())
    .then(() => true, () => false);
  const ok = await within(closed, 10_000, false);
  if (!ok && server) await server.kill().catch(() => {});
  const proc = server && server.process();
  if (proc) live.delete(proc);
}

/**
 * Attaches an error log to a page: console errors, uncaught exceptions and
 * CSP violations (reported by the page itself through an init script).
 */
export function watch(page) {
  const log = { console: [], pageerrors: [], csp: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') log.console.push(`${m.text()} @ ${page.url()}`);
  });
  page.on('pageerror', (e) => log.pageerrors.push(`${e.message} @ ${page.url()}`));
  page.__log = log;
  return log;
}

const CSP_INIT = `
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sourceFile || '') + ':' + (e.lineNumber || ''));
  });
`;

export async function cspViolations(page) {
  try { return await page.evaluate(() => window.__csp || []); } catch { return []; }
}

/**
 * before/after hooks for one chromium per test file. Returns
 *   newContext(opts)   a fresh profile (cookies, storage) with watched pages
 *   session(srv, email, password, opts)  a context signed in through the
 *                      API (cookie planted), and its first page
 */
export function useBrowser() {
  const ctx = { browser: null, contexts: [] };
  let launched;
  ctx.ready = new Promise((res, rej) => { launched = { res, rej }; });
  ctx.ready.catch(() => {});
  before(async () => {
    try {
      ctx.launched = await launch();
      ctx.browser = ctx.launched.browser;
      launched.res();
    } catch (e) {
      launched.rej(e);
      throw e;
    }
  }, { timeout: 60_000 });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const c of ctx.contexts) await within(c.close().catch(() => {}), 5000);
    if (ctx.launched) await shutdown(ctx.launched);
  };
  closers.add(close);
  after(close, { timeout: 30_000 });
  ctx.newContext = async (opts = {}) => {
    await ctx.ready;
    const c = await ctx.browser.newContext({
      viewport: { width: 1280, height: 800 },
      deviceScaleFactor: 1,
      locale: 'en-US',
      timezoneId: 'UTC',
      ...opts,
    });
    c.setDefaultTimeout(Number(process.env.E2E_TIMEOUT || 8000));
    await c.addInitScript(CSP_INIT);
    c.on('page', (p) => watch(p));
    ctx.contexts.push(c);
    return c;
  };
  ctx.page = async (opts = {}) => {
    const c = await ctx.newContext(opts);
    const page = await c.newPage();
    if (!page.__log) watch(page);
    return { context: c, page, log: page.__log };
  };
  ctx.session = async (srv, email, password, opts = {}) => {
    const s = await srv.login(email, password);
    const { context, page, log } = await ctx.page(opts);
    await context.addCookies([{ name: 'rapport_session', value: s.cookie, url: srv.base }]);
    return { context, page, log, login: s, client: s.client, user: s.user };
  };
  ctx.close = async (c) => {
    ctx.contexts = ctx.contexts.filter((x) => x !== c);
    await c.close().catch(() => {});
  };
  return ctx;
}

/** Signs in through the login form; waits for the form to go. */
export async function uiLogin(page, srv, email, password) {
  if (!page.url().startsWith(srv.base)) await page.goto(srv.url('/'));
  const form = page.locator('form#login');
  await form.waitFor({ state: 'visible' });
  await form.locator('input[name=email]').fill(email);
  await form.locator('input[name=password]').fill(password);
  await form.locator('button[type=submit]').click();
  await form.waitFor({ state: 'detached', timeout: 10_000 });
}

/** Polls fn() until it returns a truthy value; returns it, or fails with msg(). */
export async function until(fn, msg, { timeout = 6000, interval = 100 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  let err;
  for (;;) {
    try {
      last = await fn();
      err = undefined;
      if (last) return last;
    } catch (e) { err = e; }
    if (Date.now() > deadline) {
      let m = msg;
      if (typeof msg === 'function') {
        try { m = await msg(last); } catch (e) { m = `(message failed: ${e.message})`; }
      }
      assert.fail(`${m}${err ? ` (last error: ${err.message.split('\n')[0]})` : ''}`);
    }
    await sleep(interval);
  }
}

/** Ids of the rows a list page shows now. */
export async function rowIds(page) {
  return page.$$eval('table.records tr[data-id]', (trs) => trs.map((t) => Number(t.getAttribute('data-id'))));
}

/** Waits for a list page to show rows. */
export async function waitRows(page, min = 1) {
  await page.locator('table.records').waitFor({ state: 'visible' });
  await until(async () => (await rowIds(page)).length >= min, `the list at ${page.url()} shows no rows (table.records tr[data-id])`);
  return rowIds(page);
}

/** Text of an element, whitespace collapsed. */
export async function textOf(locator) {
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}

/** A problem summary of a page's error log (console, uncaught, CSP). */
export async function errorsOf(page) {
  const l = page.__log || { console: [], pageerrors: [], csp: [] };
  const csp = await cspViolations(page);
  return [
    ...l.pageerrors.map((e) => `uncaught: ${e}`),
    ...l.console.map((e) => `console.error: ${e}`),
    ...csp.map((e) => `CSP: ${e}`),
  ];
}

/** Saves a screenshot to docs/screenshots/NAME.png; returns its path and size. */
export async function shot(page, name, opts = {}) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, animations: 'disabled', caret: 'hide', ...opts });
  return { file, size: fs.statSync(file).size };
}

/** A short description of the element a selector misses, for messages. */
export function hook(sel) { return `hook ${sel}`; }

/** Demo users of a role with their team: [{id,email,name,team_id,role_id}]. */
export async function usersOfRole(api, roleName) {
  const roles = await api.all('/roles');
  const role = roles.find((r) => r.name === roleName);
  assert.ok(role, `no role ${roleName}`);
  const users = await api.all(`/users?role_id=${role.id}`);
  return users.filter((u) => u.email.endsWith('@demo.rapport.test'));
}

export async function stagesOf(api, pipelineId) {
  const stages = await api.all(`/stages?pipeline_id=${pipelineId}&sort=position`);
  return stages.sort((a, b) => a.position - b.position);
}

export async function defaultPipeline(api) {
  const ps = await api.all('/pipelines');
  return ps.find((p) => p.is_default) || ps[0];
}
