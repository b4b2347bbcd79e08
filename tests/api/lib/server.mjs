// server.mjs — starts a private Rapport server for one test file and talks
// to it. Each test file calls useServer() once: the server gets its own
// temp folder, database and port, and is stopped in an `after` hook.
//
//   const srv = useServer();              // registers before/after hooks
//   test('x', async () => {
//     const r = await srv.admin.post('/api/v1/accounts', { name: 'A' });
//     expectStatus(r, 201);
//   });
//
// The binary is build/rapport, or $RAPPORT_BIN (e.g. build/rapport-asan).
// $RAPPORT_WRAP is a command every server and CLI run goes through, e.g.
// "valgrind --tool=memcheck --error-exitcode=99 …" (`make valgrind`): the
// lib's waits grow by $RAPPORT_SLOW (20 under a wrapper), and a valgrind
// report of errors or definite leaks fails the test file.
// With $RAPPORT_TEST_PG_DIR (a cluster of scripts/pg.sh) every database
// file a test names becomes a PostgreSQL database of that cluster
// (dbUrl), so the same tests run on both stores.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import assert from 'node:assert/strict';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = path.resolve(ROOT, process.env.RAPPORT_BIN || 'build/rapport');
export const ADMIN_EMAIL = 'admin@example.com';
export const API = '/api/v1';

export const WRAP = (process.env.RAPPORT_WRAP || '').split(/\s+/).filter(Boolean);
// How much slower the binary runs: memcheck is some 20-50x slower than the
// plain binary, and start-up (argon2 hashing, ICU's transliterators) pays it.
export const SLOW = Number(process.env.RAPPORT_SLOW || (WRAP.length ? 20 : 1));
const VALGRIND = WRAP.some((a) => /(^|\/)valgrind$/.test(a));

/** [command, args] running BIN with args, through $RAPPORT_WRAP if set. */
function command(args) {
  return WRAP.length ? [WRAP[0], [...WRAP.slice(1), BIN, ...args]] : [BIN, args];
}

const STDERR_KEEP = 64 * 1024;
// valgrind's own lines ("==PID== …") are kept apart from the server's log
// so a long run's log cannot push its first error out of the tail
const VG_KEEP = 1024 * 1024;
const VG_LINE = /^==\d+== /;
const live = new Set();
// every Server of this file; under a wrapper each one's report is checked
// when the file ends (servers of useServer() in its own after hook)
const started = new Set();
if (WRAP.length) {
  after(async () => {
    const bad = [];
    for (const srv of started) {
      if (srv.owned) continue;
      await srv.stop();
      const rep = srv.sanitizerReport();
      if (rep) bad.push(`server on ${srv.dir}:\n${rep}`);
    }
    if (bad.length) throw new Error(`report from ${bad.length} server(s) under ${WRAP[0]}:\n${bad.join('\n\n')}`);
  });
}
// folders startServer made, removed when the test file ends (a file that
// starts servers itself need not clean up after them)
const madeDirs = new Set();
process.on('exit', () => {
  for (const p of live) {
    try { p.kill('SIGKILL'); } catch { /* already gone */ }
  }
  if (process.env.RAPPORT_KEEP_TMP) return;
  for (const d of madeDirs) fs.rmSync(d, { recursive: true, force: true });
});

/**
 * Runs the rapport command on a database: rapport(args, {db, env, binary,
 * timeout}) → {code, out, err}. The admin password is set for commands
 * that initialise a database. Under valgrind a report of errors throws,
 * whatever exit code the test expects; err is then the command's own
 * stderr without valgrind's lines.
 */
export function runRapport(args, { db, adminPassword, env = {}, binary = false, timeout = 60_000 } = {}) {
  const [cmd, argv] = command(args);
  const r = spawnSync(cmd, argv, {
    encoding: binary ? 'buffer' : 'utf8', timeout: timeout * SLOW,
    ...(VALGRIND ? { maxBuffer: 64 * 1024 * 1024 } : {}), // its report comes on stderr too
    env: { ...process.env, RAPPORT_ADMIN_PASSWORD: adminPassword, ...dbEnv(db), ...env },
  });
  let err = binary ? r.stderr.toString() : r.stderr;
  if (VALGRIND) {
    const lines = err.split('\n');
    const vg = lines.filter((l) => VG_LINE.test(l)).join('\n');
    const bad = valgrindReport(vg);
    if (bad) {
      const file = saveReport(`cli-${String(args[0]).replace(/^-+/, '')}`, r.pid, vg);
      throw new Error(`valgrind report from \`rapport ${args.join(' ')}\` (${file}):\n${bad}`);
    }
    err = lines.filter((l) => !VG_LINE.test(l)).join('\n');
    // valgrind's own exit code for errors, when the command had none
    if (r.status === 99) throw new Error(`\`rapport ${args.join(' ')}\` exited 99 under valgrind:\n${vg.slice(-4000)}`);
  }
  return { code: r.status, out: r.stdout, err };
}

/**
 * The part of valgrind's output ("==PID== " lines) that fails a run: its
 * first errors and the summary when ERROR SUMMARY counts any (definite
 * leaks count, with --errors-for-leak-kinds=definite), or null.
 */
export function valgrindReport(vg) {
  const sum = /==\d+== ERROR SUMMARY: ([\d,]+) errors/.exec(vg);
  const lost = /definitely lost: ([\d,]+) bytes/.exec(vg);
  const errors = sum && sum[1] !== '0';
  const leaked = lost && lost[1] !== '0';
  if (!errors && !leaked) return null;
  return vg.length > 12_000 ? `${vg.slice(0, 8000)}\n…\n${vg.slice(-4000)}` : vg;
}

/** Writes a valgrind report to build/valgrind/ (whole, as the test
 * failure shows only part of it); returns the file's path. */
function saveReport(what, pid, text) {
  const dir = path.join(ROOT, 'build/valgrind');
  fs.mkdirSync(dir, { recursive: true });
  const test = path.basename(process.argv[1] || 'test').replace(/\.test\.mjs$/, '');
  const file = path.join(dir, `${test}.${what}.${pid}.txt`);
  fs.writeFileSync(file, text);
  return file;
}

export const PG_DIR = process.env.RAPPORT_TEST_PG_DIR || '';
const pgDbs = new Map();

/**
 * The database a test means by the file path `file`: the path itself, or
 * on PostgreSQL a database of the test cluster named after it (made on
 * first use, empty, like a new file).
 */
export function dbUrl(file) {
  if (!PG_DIR || !file) return file;
  let url = pgDbs.get(file);
  if (url) return url;
  const name = `t_${crypto.createHash('sha1').update(file).digest('hex').slice(0, 20)}`;
  // RAPPORT_TEST_PG_TEMPLATE: a database already migrated, copied rather
  // than migrated again for every server (DDL is slow on a busy machine)
  const tmpl = process.env.RAPPORT_TEST_PG_TEMPLATE;
  const r = spawnSync(path.join(ROOT, 'scripts/pg.sh'), ['createdb', PG_DIR, name, ...(tmpl ? [tmpl] : [])],
    { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scripts/pg.sh createdb ${name}: ${r.stderr}`);
  url = r.stdout.trim();
  pgDbs.set(file, url);
  return url;
}

/**
 * Runs SQL on the test database of `file` (as an outside program would:
 * the sqlite3 shell, or psql on PostgreSQL) and returns what it printed.
 */
export function sqlOn(file, text) {
  const r = PG_DIR
    ? spawnSync(path.join(ROOT, 'scripts/pg.sh'), ['sql', PG_DIR, new URL(dbUrl(file)).pathname.slice(1), text], { encoding: 'utf8' })
    : spawnSync('sqlite3', ['-cmd', '.timeout 10000', file, text], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`SQL on ${file} failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** RAPPORT_DB for a database file, and on PostgreSQL the folder for the
 * files a database keeps beside it (imports). */
export function dbEnv(file) {
  if (!file) return {};
  if (!PG_DIR) return { RAPPORT_DB: file };
  return { RAPPORT_DB: dbUrl(file), RAPPORT_DATA_DIR: path.dirname(file) };
}

export function randomPassword() {
  return crypto.randomBytes(12).toString('base64url').slice(0, 16);
}

/** A unique suffix for names in this process. */
let seq = 0;
export function uniq(prefix = 'x') {
  seq += 1;
  return `${prefix}${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}${seq}`;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `rapport serve` on a fresh (or given) folder. Options:
 *   dir      reuse a folder (restart on the same database)
 *   args     extra command-line arguments (e.g. ['--max-body', '2048'])
 *   env      extra environment
 *   adminPassword  the first admin's password (random by default)
 */
export async function startServer(opts = {}) {
  if (!fs.existsSync(BIN)) {
    throw new Error(`server binary ${BIN} does not exist (make build/rapport, or set RAPPORT_BIN)`);
  }
  const dir = opts.dir || fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-api-'));
  if (!opts.dir) madeDirs.add(dir);
  const adminPassword = opts.adminPassword || randomPassword();
  const srv = new Server({ dir, adminPassword, args: opts.args || [], env: opts.env || {} });
  try {
    await srv.start();
  } catch (e) {
    await srv.stop().catch(() => {});
    throw e;
  }
  return srv;
}

export class Server {
  constructor({ dir, adminPassword, args, env }) {
    this.dir = dir;
    this.db = path.join(dir, 't.db');
    this.port = 0; // known once the server says where it listens
    this.base = null;
    this.adminEmail = ADMIN_EMAIL;
    this.adminPassword = adminPassword;
    this.args = args;
    this.env = env;
    this.stderr = '';
    this.vg = ''; // valgrind's lines, under $RAPPORT_WRAP=valgrind …
    this.partial = ''; // an output line not yet ended
    this.exit = null; // {code, signal} once the process has ended
    this.stopping = false;
  }

  async start() {
    // Port 0: the kernel picks a free port as the server binds, and the
    // server's own "serving" line says which. A port picked beforehand can
    // be taken by another test's server before this one binds it, and its
    // /healthz would then answer for this one.
    const [cmd, argv] = command(['serve', '--db', dbUrl(this.db), '--listen', '127.0.0.1:0', ...this.args]);
    this.proc = spawn(cmd, argv, {
      cwd: ROOT,
      env: {
        ...process.env,
        ...(PG_DIR ? { RAPPORT_DATA_DIR: this.dir } : {}),
        RAPPORT_ADMIN_EMAIL: this.adminEmail,
        RAPPORT_ADMIN_PASSWORD: this.adminPassword,
        RAPPORT_RATE_LIMIT: '0', // tests fire faster than a person; limits.test.mjs sets it
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(this.proc);
    started.add(this);
    const keep = (chunk) => {
      const text = chunk.toString();
      this.stderr += text;
      if (this.stderr.length > STDERR_KEEP) this.stderr = this.stderr.slice(-STDERR_KEEP);
      if (VALGRIND) this.keepValgrind(text);
    };
    this.proc.stdout.on('data', keep);
    this.proc.stderr.on('data', keep);
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exit = { code, signal };
        live.delete(this.proc);
        resolve(this.exit);
      });
      this.proc.on('error', (err) => {
        this.exit = { code: -1, signal: null, error: err };
        live.delete(this.proc);
        resolve(this.exit);
      });
    });
    const deadline = Date.now() + 10_000 * SLOW;
    while (Date.now() < deadline) {
      if (this.exit) {
        throw new Error(`rapport serve exited during start-up (${JSON.stringify(this.exit)}):\n${this.tail()}`);
      }
      const m = /rapport serving http:\/\/127\.0\.0\.1:(\d+)\//.exec(this.stderr);
      if (m) {
        this.port = Number(m[1]);
        this.base = `http://127.0.0.1:${this.port}`;
        return;
      }
      await sleep(20);
    }
    throw new Error(`rapport serve did not say where it serves within ${10 * SLOW} s:\n${this.tail()}`);
  }

  keepValgrind(text) {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop();
    for (const l of lines) {
      if (VG_LINE.test(l) && this.vg.length < VG_KEEP) this.vg += `${l}\n`;
    }
  }

  tail(n = 4000) {
    return this.stderr.slice(-n);
  }

  /** Sanitizer or valgrind reports found in the server's output (valgrind's
   * once the server has exited: its leaks and summary come last). */
  sanitizerReport() {
    const m = this.stderr.match(/((ERROR|WARNING): (Address|Leak|Thread|Memory)Sanitizer[\s\S]{0,3000}|runtime error:[^\n]*(\n[^\n]*){0,10})/);
    if (m) return m[0];
    if (!VALGRIND || !this.exit) return null;
    if (this.partial) this.keepValgrind('\n');
    const vg = valgrindReport(this.vg);
    if (vg) return `(whole report: ${saveReport('serve', this.proc.pid, this.vg)})\n${vg}`;
    if (this.exit.code === 99) return `exit code 99 under valgrind:\n${this.vg.slice(-4000)}`;
    if (!/ERROR SUMMARY/.test(this.vg)) {
      return `no valgrind summary: the server ended ${JSON.stringify(this.exit)} before valgrind reported\n${this.tail(2000)}`;
    }
    return null;
  }

  async stop() {
    if (!this.proc || this.exit) return this.exit;
    this.stopping = true;
    this.proc.kill('SIGTERM');
    // under valgrind the exit runs the leak check, which takes seconds
    const t = setTimeout(() => { if (!this.exit) this.proc.kill('SIGKILL'); }, 3000 * SLOW);
    const r = await this.exited;
    clearTimeout(t);
    return r;
  }

  /** Logs in; returns {status, json, cookie, csrf, user, setCookie}. */
  async login(email, password) {
    const res = await this.request('POST', `${API}/auth/login`, { body: { email, password } });
    const setCookie = res.headers.getSetCookie ? res.headers.getSetCookie() : [];
    let cookie = null;
    for (const c of setCookie) {
      const m = c.match(/^\s*(rapport_session=[^;]*)/);
      if (m) cookie = m[1];
    }
    return {
      status: res.status,
      res,
      json: res.json,
      setCookie,
      cookie,
      csrf: res.json && res.json.csrf_token,
      user: res.json && res.json.user,
    };
  }

  /**
   * Sends a request. body: an object/array (sent as JSON), a string or a
   * Buffer (sent as is). auth: {cookie, csrf} (a login result; X-CSRF-Token
   * is added on unsafe methods unless csrf === false), {token} (bearer), or
   * nothing. Returns {status, headers, json, text, req}.
   */
  async request(method, urlPath, { body, headers = {}, auth, csrf } = {}) {
    const h = { ...headers };
    let payload;
    if (body !== undefined) {
      if (typeof body === 'string' || Buffer.isBuffer(body)) payload = body;
      else payload = JSON.stringify(body);
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['Content-Type'] = 'application/json';
    }
    if (auth && auth.token) h.Authorization = `Bearer ${auth.token}`;
    if (auth && auth.cookie) {
      h.Cookie = auth.cookie;
      const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(method);
      const tok = csrf !== undefined ? csrf : auth.csrf;
      if (unsafe && tok !== false && tok !== undefined && tok !== null) h['X-CSRF-Token'] = tok;
    }
    const req = { method, path: urlPath, body: typeof payload === 'string' ? payload : payload ? `<${payload.length} bytes>` : undefined };
    let res;
    try {
      res = await fetch(this.base + urlPath, { method, headers: h, body: payload, redirect: 'manual', signal: AbortSignal.timeout(15_000 * SLOW) });
    } catch (e) {
      const dead = this.exit ? ` — the server has exited ${JSON.stringify(this.exit)}:\n${this.tail(2000)}` : '';
      throw new Error(`${method} ${urlPath}: request failed: ${e.cause ? e.cause.message || e.cause.code : e.message}${dead}`);
    }
    const text = await res.text();
    let json;
    const ct = res.headers.get('content-type') || '';
    if (text && /json/.test(ct)) {
      try { json = JSON.parse(text); } catch { json = undefined; }
    }
    return { status: res.status, headers: res.headers, json, text, req };
  }

  /** A client bound to an identity: get/post/patch/del/req. */
  as(auth) {
    return new Client(this, auth);
  }
}

export class Client {
  constructor(server, auth) {
    this.server = server;
    this.auth = auth;
    this.user = auth && auth.user;
  }
  req(method, p, opts = {}) { return this.server.request(method, p, { auth: this.auth, ...opts }); }
  get(p, opts) { return this.req('GET', p, opts); }
  post(p, body, opts = {}) { return this.req('POST', p, { ...opts, body }); }
  patch(p, body, opts = {}) { return this.req('PATCH', p, { ...opts, body }); }
  del(p, opts) { return this.req('DELETE', p, opts); }
}

/**
 * Registers before/after hooks that start a server (and log the admin in)
 * for the current test file. Returns a holder filled in by `before`:
 * {server, admin (Client), adminUser, adminSession, ready, request, login,
 * as}. A file's own before() hooks start with `await srv.ready`.
 */
export function useServer(opts = {}) {
  const ctx = {};
  let ready;
  let failed;
  // A file's own before() hooks must `await srv.ready` first.
  ctx.ready = new Promise((res, rej) => { ready = res; failed = rej; });
  ctx.ready.catch(() => {});
  before(async () => {
    try {
      await start();
      ready();
    } catch (e) {
      failed(e);
      throw e;
    }
  });
  async function start() {
    const server = await startServer(opts);
    server.owned = true; // checked by the after hook below
    ctx.server = server;
    const s = await server.login(server.adminEmail, server.adminPassword);
    if (s.status !== 200 || !s.cookie) {
      throw new Error(`admin login failed: ${s.status} ${s.res.text}\nSet-Cookie: ${s.setCookie}`);
    }
    ctx.adminSession = s;
    ctx.adminUser = s.user;
    ctx.admin = server.as(s);
  }
  after(async () => {
    const server = ctx.server;
    if (!server) return;
    const diedEarly = server.exit && !server.stopping;
    await server.stop();
    const san = server.sanitizerReport();
    if (!process.env.RAPPORT_KEEP_TMP) fs.rmSync(server.dir, { recursive: true, force: true });
    if (diedEarly) throw new Error(`the server died during the tests (${JSON.stringify(server.exit)}):\n${server.tail()}`);
    if (san) throw new Error(`sanitizer report from the server:\n${san}`);
  });
  ctx.request = (...a) => ctx.server.request(...a);
  ctx.login = (...a) => ctx.server.login(...a);
  ctx.as = (auth) => ctx.server.as(auth);
  return ctx;
}

// --- assertions ----------------------------------------------------------

function short(s, n = 600) {
  if (s === undefined || s === null) return '';
  s = String(s);
  return s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s;
}

/** "POST /api/v1/x {body} → 422 {response}" for failure messages. */
export function fmt(res) {
  const r = res.req || {};
  const b = r.body !== undefined ? ` ${short(r.body, 300)}` : '';
  return `${r.method} ${r.path}${b} → ${res.status} ${short(res.text)}`;
}

export function expectStatus(res, status, what = '') {
  const ok = Array.isArray(status) ? status.includes(res.status) : res.status === status;
  if (!ok) assert.fail(`${what ? `${what}: ` : ''}expected ${Array.isArray(status) ? status.join('|') : status}, got ${fmt(res)}`);
  return res;
}

/** RFC 9457 problem with the given status and (if given) code. */
export function expectProblem(res, status, code, what = '') {
  expectStatus(res, status, what);
  const ct = res.headers.get('content-type') || '';
  assert.match(ct, /^application\/problem\+json/, `${what} content-type ${ct}: ${fmt(res)}`);
  const j = res.json;
  assert.ok(j && typeof j === 'object', `problem body is not JSON: ${fmt(res)}`);
  for (const k of ['type', 'title', 'detail', 'code']) {
    assert.equal(typeof j[k], 'string', `problem member "${k}" missing or not a string: ${fmt(res)}`);
  }
  const st = Array.isArray(status) ? status : [status];
  assert.ok(st.includes(j.status), `problem "status" ${j.status} does not match the HTTP status: ${fmt(res)}`);
  if (code) {
    const codes = Array.isArray(code) ? code : [code];
    assert.ok(codes.includes(j.code), `${what ? `${what}: ` : ''}expected code ${codes.join('|')}, got ${fmt(res)}`);
  }
  return j;
}

/** 422 validation_failed (or the given status/code) naming field with code. */
export function expectFieldError(res, field, fieldCode, { status = 422, code = 'validation_failed', what = '' } = {}) {
  const j = expectProblem(res, status, code, what);
  assert.ok(Array.isArray(j.errors), `no errors[] in ${fmt(res)}`);
  const codes = Array.isArray(fieldCode) ? fieldCode : [fieldCode];
  const hit = j.errors.find((e) => e.field === field && (!fieldCode || codes.includes(e.code)));
  assert.ok(hit, `${what ? `${what}: ` : ''}expected errors[] entry {field:"${field}", code:"${codes.join('|')}"}, got ${fmt(res)}`);
  assert.equal(typeof hit.message, 'string', `errors[] entry without a message: ${fmt(res)}`);
  return j;
}

// --- API helpers ---------------------------------------------------------

/** Follows next_cursor; returns every row. */
export async function listAll(client, p, { max = 200 } = {}) {
  const rows = [];
  let url = p;
  for (let i = 0; i < max; i++) {
    const r = await client.get(url);
    expectStatus(r, 200);
    assert.ok(Array.isArray(r.json.data), `no data[]: ${fmt(r)}`);
    rows.push(...r.json.data);
    if (r.json.next_cursor === null || r.json.next_cursor === undefined) return rows;
    url = p + (p.includes('?') ? '&' : '?') + `cursor=${encodeURIComponent(r.json.next_cursor)}`;
  }
  assert.fail(`pagination of ${p} did not end after ${max} pages`);
}

export async function count(client, entity, query = '') {
  const rows = await listAll(client, `${API}/${entity}?limit=500${query ? `&${query}` : ''}`);
  return rows.length;
}

export async function create(client, entity, body, what) {
  const r = await client.post(`${API}/${entity}`, body);
  expectStatus(r, 201, what || `create ${entity}`);
  return r.json;
}

const roleCache = new WeakMap();
/** The default roles by name: {admin: {...}, sales: {...}, ...}. */
export async function roles(client) {
  const r = await client.get(`${API}/roles?limit=500`);
  expectStatus(r, 200);
  const byName = {};
  for (const role of r.json.data) byName[role.name] = role;
  return byName;
}

/** Creates a user with a role by name (admin client) and logs them in. */
export async function makeUser(ctx, { role, team_id = null, name, password, email } = {}) {
  if (!roleCache.has(ctx) || !roleCache.get(ctx)[role]) roleCache.set(ctx, await roles(ctx.admin));
  const rs = roleCache.get(ctx);
  assert.ok(rs[role], `no role named ${role} (have ${Object.keys(rs).join(', ')})`);
  password = password || `pw-${randomPassword()}`;
  email = email || `${uniq(role.replace(/[^a-z]/g, ''))}@example.com`;
  const body = { email, name: name || `User ${email}`, password, role_id: rs[role].id };
  if (team_id !== null) body.team_id = team_id;
  const user = await create(ctx.admin, 'users', body, `create ${role} user`);
  const s = await ctx.server.login(email, password);
  expectStatus(s.res, 200, `login as new ${role} user`);
  return { user, session: s, client: ctx.server.as(s), password, email };
}

export function etag(version) {
  return `"${version}"`;
}

/**
 * Collects failures of several independent checks so one run reports them
 * all:  const f = new Soft(); await f.check(() => ...); f.done('what');
 */
export class Soft {
  constructor() { this.failures = []; }
  async check(fn) {
    try {
      await fn();
    } catch (e) {
      this.failures.push(e.message.split('\n')[0]);
    }
  }
  done(what = 'checks') {
    if (this.failures.length) assert.fail(`${what}: ${this.failures.length} failed:\n- ${this.failures.join('\n- ')}`);
  }
}
