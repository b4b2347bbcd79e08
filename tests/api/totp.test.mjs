// totp.test.mjs — two-factor sign-in (RFC 6238 TOTP): setup, enable,
// sign-in with, without, with a wrong and with a replayed code, the
// failed-login lockout, roles that require it (a restricted session until
// enrolled; bearer tokens unaffected), disable, an administrator's reset,
// and the secret never showing up anywhere but in the setup answer —
// while a full backup carries it so a restore keeps two-factor sign-in.
// Codes are computed here with node's HMAC-SHA1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  API, useServer, startServer, runRapport, expectStatus, expectProblem, expectFieldError, makeUser,
  create, uniq, fmt,
} from './lib/server.mjs';

const srv = useServer();

// --- TOTP in node --------------------------------------------------------

function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of s.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(ch);
    assert.ok(v >= 0, `not base32: ${s}`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

function hotp(key, counter, digits = 6) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const h = crypto.createHmac('sha1', key).update(msg).digest();
  const off = h[h.length - 1] & 15;
  const bin = h.readUInt32BE(off) & 0x7fffffff;
  return String(bin % 10 ** digits).padStart(digits, '0');
}

/** The code of a base32 secret for a 30-second step. */
const codeAt = (secret, step) => hotp(base32Decode(secret), step);
const stepNow = () => Math.floor(Date.now() / 1000 / 30);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until at least `need` seconds are left in the current step, so the
 * codes of the previous, this and the next step (the server accepts one
 * step either way) stay valid for a few requests. Returns this step.
 */
async function freshStep(need = 8) {
  const now = Date.now() / 1000;
  const left = 30 - (now % 30);
  if (left < need) await sleep((left + 0.3) * 1000);
  return stepNow();
}

test('the test helper computes RFC 6238 codes (SHA-1 test vector)', () => {
  // RFC 6238 appendix B: secret "12345678901234567890", T=59 → 94287082
  const key = Buffer.from('12345678901234567890');
  assert.equal(hotp(key, Math.floor(59 / 30), 8), '94287082');
  assert.equal(hotp(key, Math.floor(1111111109 / 30), 8), '07081804');
  assert.equal(hotp(key, Math.floor(59 / 30)), '287082');
});

// --- helpers ---------------------------------------------------------------

const login = (email, password, otp) =>
  srv.request('POST', `${API}/auth/login`, { body: otp === undefined ? { email, password } : { email, password, otp } });

function noSession(r, what) {
  const set = r.headers.getSetCookie ? r.headers.getSetCookie() : [];
  assert.ok(!set.some((c) => /^rapport_session=[^;]+/.test(c)), `${what}: a session cookie was set: ${set}`);
}

/** A new user with two-factor sign-in on; returns {…user, secret, step}. */
async function enrolled(role = 'sales') {
  const u = await makeUser(srv, { role });
  const s = await u.client.post(`${API}/auth/2fa/setup`, {});
  expectStatus(s, 200, 'setup');
  const step = await freshStep();
  const e = await u.client.post(`${API}/auth/2fa/enable`, { code: codeAt(s.json.secret, step - 1) });
  expectStatus(e, 200, 'enable');
  return { ...u, secret: s.json.secret, step };
}

// --- setup and enable ------------------------------------------------------

test('setup: a base32 secret and an otpauth:// URI (issuer Rapport, the e-mail), not active yet', async () => {
  const u = await makeUser(srv, { role: 'sales' });
  const r = await u.client.post(`${API}/auth/2fa/setup`, {});
  expectStatus(r, 200);
  assert.match(r.headers.get('cache-control') || '', /no-store/);
  const { secret, otpauth_uri: uri } = r.json;
  assert.match(secret, /^[A-Z2-7]{32}$/, 'a 160-bit secret in base32');
  const url = new URL(uri);
  assert.equal(url.protocol, 'otpauth:');
  assert.equal(url.host, 'totp');
  assert.equal(decodeURIComponent(url.pathname), `/Rapport:${u.email}`);
  assert.equal(url.searchParams.get('secret'), secret);
  assert.equal(url.searchParams.get('issuer'), 'Rapport');
  assert.equal(url.searchParams.get('digits'), '6');
  assert.equal(url.searchParams.get('period'), '30');
  assert.equal(url.searchParams.get('algorithm'), 'SHA1');
  // not active: sign-in needs no code, /auth/me says off
  const s = await login(u.email, u.password);
  expectStatus(s, 200, 'sign-in after setup without enable');
  assert.equal(s.json.user.two_factor, false);
  // another setup replaces the pending secret
  const again = await u.client.post(`${API}/auth/2fa/setup`, {});
  expectStatus(again, 200);
  assert.notEqual(again.json.secret, secret);
  const step = await freshStep();
  expectFieldError(await u.client.post(`${API}/auth/2fa/enable`, { code: codeAt(secret, step) }), 'code', 'invalid_otp', { what: 'a code of the replaced secret' });
  expectStatus(await u.client.post(`${API}/auth/2fa/enable`, { code: codeAt(again.json.secret, step) }), 200);
});

test('setup/enable/disable need a session and the CSRF token', async () => {
  for (const p of ['setup', 'enable', 'disable']) {
    expectProblem(await srv.request('POST', `${API}/auth/2fa/${p}`, { body: {} }), 401, 'unauthorized', `${p} signed out`);
  }
  const u = await makeUser(srv, { role: 'sales' });
  expectProblem(await u.client.post(`${API}/auth/2fa/setup`, {}, { csrf: false }), 403, 'csrf_failed', 'setup without CSRF');
  expectProblem(await u.client.post(`${API}/auth/2fa/enable`, { code: '123456' }, { csrf: false }), 403, 'csrf_failed');
});

test('enable: problems name the field — missing, malformed, wrong code; none set up; already on', async () => {
  const u = await makeUser(srv, { role: 'sales' });
  expectProblem(await u.client.post(`${API}/auth/2fa/enable`, { code: '123456' }), 409, 'setup_required', 'enable before setup');
  const s = await u.client.post(`${API}/auth/2fa/setup`, {});
  expectStatus(s, 200);
  expectFieldError(await u.client.post(`${API}/auth/2fa/enable`, {}), 'code', 'required');
  for (const code of ['12345', '1234567', 'abcdef', 123456]) {
    expectFieldError(await u.client.post(`${API}/auth/2fa/enable`, { code }), 'code', 'invalid_value', { what: `code ${JSON.stringify(code)}` });
  }
  const step = await freshStep();
  const right = codeAt(s.json.secret, step);
  const wrong = String((Number(right) + 1) % 1000000).padStart(6, '0');
  expectFieldError(await u.client.post(`${API}/auth/2fa/enable`, { code: wrong }), 'code', 'invalid_otp');
  expectStatus(await u.client.get(`${API}/auth/me`), 200);
  assert.equal((await u.client.get(`${API}/auth/me`)).json.user.two_factor, false, 'a wrong code turned it on');
  // spaces as apps show them ("123 456") are fine
  const on = await u.client.post(`${API}/auth/2fa/enable`, { code: `${right.slice(0, 3)} ${right.slice(3)}` });
  expectStatus(on, 200);
  assert.equal(on.json.user.two_factor, true);
  assert.equal(on.json.two_factor_required, false);
  expectProblem(await u.client.post(`${API}/auth/2fa/enable`, { code: right }), 409, 'already_enabled');
  expectProblem(await u.client.post(`${API}/auth/2fa/setup`, {}), 409, 'already_enabled', 'setup while on');
  // the existing session goes on working
  expectStatus(await u.client.get(`${API}/accounts`), 200);
});

// --- sign-in ---------------------------------------------------------------

test('sign-in with two-factor on: no code → 401 otp_required, wrong → invalid_otp, right → session, replay → refused', async () => {
  const u = await enrolled();
  const none = await login(u.email, u.password);
  expectProblem(none, 401, 'otp_required');
  noSession(none, 'without a code');
  // a wrong password says so, code or not (the code is asked only after it)
  expectProblem(await login(u.email, 'wrong-password-9'), 401, 'invalid_credentials');
  expectProblem(await login(u.email, 'wrong-password-9', codeAt(u.secret, u.step)), 401, 'invalid_credentials');
  const right = codeAt(u.secret, u.step);
  const wrong = String((Number(right) + 500000) % 1000000).padStart(6, '0');
  const bad = await login(u.email, u.password, wrong);
  expectProblem(bad, 401, 'invalid_otp');
  noSession(bad, 'with a wrong code');
  expectFieldError(await login(u.email, u.password, 'abc'), 'otp', 'invalid_value');
  const ok = await login(u.email, u.password, right);
  expectStatus(ok, 200, 'sign-in with the right code');
  assert.ok((ok.headers.getSetCookie() || []).some((c) => /^rapport_session=[^;]+/.test(c)), 'no session cookie');
  assert.equal(ok.json.user.two_factor, true);
  assert.equal(ok.json.two_factor_required, false);
  // the same code again, in the same 30 s: refused
  const replay = await login(u.email, u.password, right);
  expectProblem(replay, 401, 'invalid_otp', 'the same code twice');
  noSession(replay, 'a replayed code');
  // an older one (the previous step, used to enable) too
  expectProblem(await login(u.email, u.password, codeAt(u.secret, u.step - 1)), 401, 'invalid_otp', 'an older code');
  // the next step's code is still within the window and unused
  expectStatus(await login(u.email, u.password, codeAt(u.secret, u.step + 1)), 200, 'the next code');
  // a code two steps away is outside the window
  const far = await enrolled();
  expectProblem(await login(far.email, far.password, codeAt(far.secret, far.step + 3)), 401, 'invalid_otp', 'a code 3 steps ahead');
});

test('wrong codes count toward the failed-login lockout: after 5, 429 even with the right code', async () => {
  const u = await enrolled();
  const right = codeAt(u.secret, u.step);
  const wrong = String((Number(right) + 1) % 1000000).padStart(6, '0');
  for (let i = 1; i <= 5; i++) {
    expectProblem(await login(u.email, u.password, wrong), 401, 'invalid_otp', `wrong code #${i}`);
  }
  const locked = await login(u.email, u.password, right);
  expectProblem(locked, 429, 'too_many_attempts', 'right code after 5 wrong ones');
  noSession(locked, 'locked');
  // the user's open session is unaffected
  expectStatus(await u.client.get(`${API}/auth/me`), 200);
});

test('otp_required does not count as a failure; a successful sign-in clears the count', async () => {
  const u = await enrolled();
  for (let i = 0; i < 6; i++) expectProblem(await login(u.email, u.password), 401, 'otp_required', `attempt ${i + 1}`);
  expectStatus(await login(u.email, u.password, codeAt(u.secret, u.step)), 200, 'sign-in after six code-less tries');
});

// --- roles that require it --------------------------------------------------

test('roles: require_2fa is in /meta and admin-editable; others cannot set it', async () => {
  const meta = await srv.admin.get(`${API}/meta/roles`);
  expectStatus(meta, 200);
  const f = (meta.json.fields || []).find((x) => x.name === 'require_2fa');
  assert.ok(f, `no require_2fa among the roles' fields: ${fmt(meta)}`);
  assert.equal(f.type, 'boolean');
  const um = await srv.admin.get(`${API}/meta/users`);
  const tf = (um.json.fields || []).find((x) => x.name === 'two_factor');
  assert.ok(tf, 'no two_factor among the users\' fields');
  assert.ok(!(um.json.fields || []).some((x) => /totp|secret|otp/.test(x.name)), `a secret field in /meta/users: ${fmt(um)}`);
  const role = await create(srv.admin, 'roles', { name: uniq('strict'), permissions: { '*': { read: 'all' } }, require_2fa: true });
  assert.equal(role.require_2fa, true);
  const plain = await create(srv.admin, 'roles', { name: uniq('plain'), permissions: { '*': { read: 'all' } } });
  assert.equal(plain.require_2fa, false, 'require_2fa defaults to false');
  const sales = await makeUser(srv, { role: 'sales' });
  expectStatus(await sales.client.patch(`${API}/roles/${plain.id}`, { require_2fa: true }), [403, 404], 'a sales user setting require_2fa');
});

test('a role requiring 2FA: a member without it gets a session that reaches only /auth/me, /auth/logout and /auth/2fa/*', async () => {
  const role = await create(srv.admin, 'roles', {
    name: uniq('enforced'), require_2fa: true,
    permissions: { '*': { read: 'all', create: 'all', edit: 'own', delete: 'own' } },
  });
  const email = `${uniq('enf')}@example.com`;
  const password = 'pw-enforced-123';
  await create(srv.admin, 'users', { email, name: 'Enforced', password, role_id: role.id });
  const s = await srv.login(email, password);
  expectStatus(s.res, 200, 'password-only sign-in of a member without 2FA');
  assert.equal(s.json.two_factor_required, true);
  const c = srv.as(s);
  const me = await c.get(`${API}/auth/me`);
  expectStatus(me, 200);
  assert.equal(me.json.two_factor_required, true);
  for (const [m, p, body] of [['GET', '/accounts'], ['GET', '/meta'], ['GET', '/users'], ['GET', '/search?q=a'],
    ['POST', '/accounts', { name: 'x' }], ['POST', '/tokens', { name: 'escape' }], ['GET', '/tokens'],
    ['GET', '/openapi.json'], ['GET', '/accounts/export']]) {
    expectProblem(await c.req(m, `${API}${p}`, { body }), 403, 'two_factor_required', `${m} ${p} while restricted`);
  }
  // enrolment is open
  const setup = await c.post(`${API}/auth/2fa/setup`, {});
  expectStatus(setup, 200, 'setup while restricted');
  const step = await freshStep();
  const on = await c.post(`${API}/auth/2fa/enable`, { code: codeAt(setup.json.secret, step) });
  expectStatus(on, 200, 'enable while restricted');
  assert.equal(on.json.two_factor_required, false);
  // the same session is now whole
  expectStatus(await c.get(`${API}/accounts`), 200, 'list after enrolling');
  expectStatus(await c.get(`${API}/meta`), 200, 'meta after enrolling');
  // sign-in now needs the code
  expectProblem(await login(email, password), 401, 'otp_required');
  // logout works for a restricted session too
  const other = await makeUser(srv, { role: 'sales' });
  await srv.admin.patch(`${API}/users/${other.user.id}`, { role_id: role.id });
  expectProblem(await other.client.get(`${API}/accounts`), 403, 'two_factor_required', 'an open session once the role changed');
  expectStatus(await other.client.post(`${API}/auth/logout`, {}), 204, 'logout while restricted');
});

test('turning require_2fa on restricts open sessions at once; bearer tokens are unaffected', async () => {
  const role = await create(srv.admin, 'roles', { name: uniq('later'), permissions: { '*': { read: 'all', create: 'all' } } });
  const email = `${uniq('later')}@example.com`;
  const password = 'pw-later-12345';
  await create(srv.admin, 'users', { email, name: 'Later', password, role_id: role.id });
  const s = await srv.login(email, password);
  const c = srv.as(s);
  const tok = await c.post(`${API}/tokens`, { name: 'integration' });
  expectStatus(tok, 201);
  const fresh = await srv.admin.get(`${API}/roles/${role.id}`);
  expectStatus(await srv.admin.patch(`${API}/roles/${role.id}`, { require_2fa: true }, { headers: { 'If-Match': `"${fresh.json.version}"` } }), 200);
  expectProblem(await c.get(`${API}/accounts`), 403, 'two_factor_required', 'the open session');
  const bearer = srv.as({ token: tok.json.token });
  expectStatus(await bearer.get(`${API}/accounts`), 200, 'the bearer token');
  expectStatus(await bearer.post(`${API}/accounts`, { name: uniq('viatoken') }), 201, 'a write with the bearer token');
  const me = await bearer.get(`${API}/auth/me`);
  expectStatus(me, 200);
  assert.equal(me.json.two_factor_required, true, 'me through the token still tells that the user must enrol');
});

// --- disable and reset ---------------------------------------------------------

test('disable: needs the password and a fresh code; problems name the field', async () => {
  const u = await enrolled();
  const code = codeAt(u.secret, u.step);
  expectFieldError(await u.client.post(`${API}/auth/2fa/disable`, { code }), 'password', 'required');
  expectFieldError(await u.client.post(`${API}/auth/2fa/disable`, { password: u.password }), 'code', 'required');
  expectFieldError(await u.client.post(`${API}/auth/2fa/disable`, { password: 'wrong-password-1', code }), 'password', 'invalid_value');
  const wrong = String((Number(code) + 7) % 1000000).padStart(6, '0');
  expectFieldError(await u.client.post(`${API}/auth/2fa/disable`, { password: u.password, code: wrong }), 'code', 'invalid_otp');
  // the code that turned it on is used up
  expectFieldError(await u.client.post(`${API}/auth/2fa/disable`, { password: u.password, code: codeAt(u.secret, u.step - 1) }), 'code', 'invalid_otp', { what: 'the enabling code again' });
  expectProblem(await u.client.post(`${API}/auth/2fa/disable`, { password: u.password, code }, { csrf: false }), 403, 'csrf_failed');
  const off = await u.client.post(`${API}/auth/2fa/disable`, { password: u.password, code });
  expectStatus(off, 200);
  assert.equal(off.json.user.two_factor, false);
  expectStatus(await login(u.email, u.password), 200, 'sign-in without a code once off');
  expectProblem(await u.client.post(`${API}/auth/2fa/disable`, { password: u.password, code }), 409, 'not_enabled');
});

test('an administrator resets a user\'s 2FA (audited); nobody else may', async () => {
  const u = await enrolled();
  const other = await makeUser(srv, { role: 'manager' });
  expectProblem(await other.client.post(`${API}/users/${u.user.id}/reset_2fa`, {}), 403, 'forbidden', 'a manager resetting');
  expectProblem(await srv.admin.post(`${API}/users/999999/reset_2fa`, {}), 404, 'not_found');
  expectProblem(await srv.admin.post(`${API}/users/${u.user.id}/reset_2fa`, {}, { csrf: false }), 403, 'csrf_failed');
  // not through PATCH: the flag is read-only
  expectFieldError(await srv.admin.patch(`${API}/users/${u.user.id}`, { two_factor: false }), 'two_factor', 'read_only');
  const r = await srv.admin.post(`${API}/users/${u.user.id}/reset_2fa`, {});
  expectStatus(r, 200);
  assert.equal(r.json.two_factor, false);
  assert.equal(r.json.id, u.user.id);
  expectStatus(await login(u.email, u.password), 200, 'sign-in without a code after the reset');
  const h = await srv.admin.get(`${API}/users/${u.user.id}/history`);
  expectStatus(h, 200);
  const changes = h.json.data.filter((e) => e.action === 'update' && e.changes.some((c) => c.field === 'two_factor'));
  assert.equal(changes.length, 2, `history has no enable and reset entries: ${fmt(h)}`);
  assert.equal(changes[0].user_id, srv.adminUser.id, 'the reset is recorded as the admin\'s');
  assert.deepEqual(changes[0].changes, [{ field: 'two_factor', old: true, new: false }]);
  assert.equal(changes[1].user_id, u.user.id, 'the enabling is recorded as the user\'s');
  // after a reset the user can set it up anew
  expectStatus(await u.client.post(`${API}/auth/2fa/setup`, {}), 200);
});

test('rapport user reset-2fa EMAIL turns it off from the shell (a locked-out last administrator)', async () => {
  const u = await enrolled('admin');
  const r = runRapport(['user', 'reset-2fa', u.email], { db: srv.server.db });
  assert.equal(r.code, 0, `reset-2fa: ${r.err}`);
  expectStatus(await login(u.email, u.password), 200, 'sign-in without a code after the shell reset');
  const h = await srv.admin.get(`${API}/users/${u.user.id}/history`);
  assert.deepEqual(h.json.data[0].changes, [{ field: 'two_factor', old: true, new: false }], `no audit entry of the reset: ${fmt(h)}`);
  assert.notEqual(runRapport(['user', 'reset-2fa', 'nobody-here@example.com'], { db: srv.server.db }).code, 0, 'an unknown e-mail');
});

// --- the secret stays secret -----------------------------------------------------

test('the secret is in no response but the setup answer: me, records, lists, history, exports, meta', async () => {
  const u = await enrolled();
  const pending = await makeUser(srv, { role: 'sales' });
  const ps = await pending.client.post(`${API}/auth/2fa/setup`, {});
  expectStatus(ps, 200);
  const secrets = [u.secret, ps.json.secret];
  const reads = [
    [u.client, '/auth/me'], [pending.client, '/auth/me'],
    [srv.admin, `/users/${u.user.id}`], [srv.admin, `/users/${pending.user.id}`],
    [srv.admin, '/users?limit=500'], [srv.admin, '/users?limit=500&fields=id,email,two_factor'],
    [srv.admin, `/users/${u.user.id}/history`], [srv.admin, `/users/${pending.user.id}/history`],
    [srv.admin, '/users/export?format=csv'], [srv.admin, '/meta'], [srv.admin, '/openapi.json'],
    [srv.admin, `/search?q=${encodeURIComponent(u.email)}`],
  ];
  for (const [client, p] of reads) {
    const r = await client.get(`${API}${p}`);
    expectStatus(r, 200, p);
    for (const s of secrets) {
      assert.ok(!r.text.includes(s) && !r.text.includes(s.toLowerCase()), `GET ${p} contains a TOTP secret`);
    }
  }
  // filtering or sorting on a secret is not possible either
  expectStatus(await srv.admin.get(`${API}/users?secret=${u.secret}`), 400, 'a filter on "secret"');
  expectStatus(await srv.admin.get(`${API}/users?two_factor=true`), 200, 'a filter on two_factor');
});

test('a full backup carries the secret (user_totp.jsonl) so a restore keeps 2FA on', async () => {
  const u = await enrolled();
  const dir = path.join(srv.server.dir, uniq('backup'));
  const ex = runRapport(['export', '--all', dir], { db: srv.server.db });
  assert.equal(ex.code, 0, `export --all: ${ex.err}`);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  assert.ok(manifest.load_order.some((x) => x.name === 'user_totp'), 'user_totp is not in the manifest');
  const users = fs.readFileSync(path.join(dir, 'users.jsonl'), 'utf8');
  const audit = fs.readFileSync(path.join(dir, 'audit_log.jsonl'), 'utf8');
  assert.ok(!users.includes(u.secret) && !audit.includes(u.secret), 'the secret is in users.jsonl or audit_log.jsonl');
  const totp = fs.readFileSync(path.join(dir, 'user_totp.jsonl'), 'utf8');
  assert.ok(totp.includes(u.secret), 'user_totp.jsonl does not hold the secret');
  const rdir = fs.mkdtempSync(path.join(srv.server.dir, 'restored-'));
  const im = runRapport(['import', '--all', dir], { db: path.join(rdir, 't.db'), adminPassword: 'pw-restore-123' });
  assert.equal(im.code, 0, `import --all: ${im.err}`);
  const s3 = await startServer({ dir: rdir });
  try {
    const r = await s3.request('POST', `${API}/auth/login`, { body: { email: u.email, password: u.password } });
    expectProblem(r, 401, 'otp_required', 'sign-in on the restored database');
    const step = await freshStep(4);
    const ok = await s3.request('POST', `${API}/auth/login`, { body: { email: u.email, password: u.password, otp: codeAt(u.secret, step + 1) } });
    expectStatus(ok, 200, 'sign-in with a code of the same secret after a restore');
  } finally {
    await s3.stop();
  }
});
