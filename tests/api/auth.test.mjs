// auth.test.mjs — health, metrics, login, sessions, CSRF, rate limiting,
// logout and bearer tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  API, useServer, expectStatus, expectProblem, makeUser, uniq, create, count, fmt,
} from './lib/server.mjs';

const srv = useServer();
const SESSION_401 = ['unauthorized', 'session_expired'];
const TOKEN_401 = ['unauthorized', 'invalid_token'];

function noSecrets(obj, res) {
  const s = JSON.stringify(obj);
  assert.ok(!/"password(_hash)?"\s*:/.test(s), `response contains a password member: ${fmt(res)}`);
  assert.ok(!/\$argon2/.test(s), `response contains a password hash: ${fmt(res)}`);
}

test('GET /healthz → 200 {"status":"ok"}', async () => {
  const r = await srv.request('GET', '/healthz');
  expectStatus(r, 200);
  assert.deepEqual(r.json, { status: 'ok' });
});

test('GET /metrics → 200 text/plain with rapport_http_requests_total', async () => {
  const r = await srv.request('GET', '/metrics');
  expectStatus(r, 200);
  assert.match(r.headers.get('content-type') || '', /^text\/plain/);
  assert.match(r.text, /^rapport_http_requests_total(\{[^}]*\})? \d+/m);
});

test('login: 200 with user (no password), csrf_token and a HttpOnly SameSite=Lax session cookie', async () => {
  const s = await srv.login(srv.server.adminEmail, srv.server.adminPassword);
  expectStatus(s.res, 200);
  const u = s.json.user;
  assert.equal(u.email, srv.server.adminEmail);
  assert.equal(typeof u.id, 'number');
  assert.equal(typeof u.name, 'string');
  assert.equal(typeof u.role_id, 'number');
  noSecrets(s.json, s.res);
  assert.equal(typeof s.json.csrf_token, 'string');
  assert.ok(s.json.csrf_token.length >= 16, 'csrf_token too short to be unguessable');
  const c = s.setCookie.find((x) => x.startsWith('rapport_session='));
  assert.ok(c, `no rapport_session cookie in Set-Cookie: ${JSON.stringify(s.setCookie)}`);
  assert.match(c, /;\s*HttpOnly/i);
  assert.match(c, /;\s*SameSite=Lax/i);
  assert.match(c, /;\s*Path=\/(;|$)/);
  assert.ok(c.split(';')[0].length > 'rapport_session='.length + 16, 'session id too short');
  // two logins give two different sessions
  assert.notEqual(s.cookie, srv.adminSession.cookie);
});

test('login: wrong password and unknown e-mail → 401 invalid_credentials, no cookie', async () => {
  const r1 = await srv.request('POST', `${API}/auth/login`, { body: { email: srv.server.adminEmail, password: 'wrong-password-1' } });
  expectProblem(r1, 401, 'invalid_credentials');
  assert.ok(!(r1.headers.getSetCookie() || []).some((c) => /^rapport_session=[^;]+/.test(c) && !/^rapport_session=;/.test(c)),
    'a failed login must not set a session cookie');
  const r2 = await srv.request('POST', `${API}/auth/login`, { body: { email: 'nobody-here@example.com', password: 'whatever-123' } });
  expectProblem(r2, 401, 'invalid_credentials');
});

test('login: missing fields or a non-object body → 4xx, never 500', async () => {
  for (const body of [{}, { email: srv.server.adminEmail }, { password: 'x' }, { email: 5, password: true }, [], '"x"']) {
    const r = await srv.request('POST', `${API}/auth/login`, { body });
    expectStatus(r, [400, 401, 422], `login with ${JSON.stringify(body)}`);
  }
});

test('GET /auth/me: 200 with the session, 401 unauthorized without or with a bogus cookie', async () => {
  const r = await srv.admin.get(`${API}/auth/me`);
  expectStatus(r, 200);
  assert.equal(r.json.user.email, srv.server.adminEmail);
  assert.equal(r.json.user.id, srv.adminUser.id);
  assert.equal(typeof r.json.csrf_token, 'string');
  noSecrets(r.json, r);

  expectProblem(await srv.request('GET', `${API}/auth/me`), 401, 'unauthorized');
  expectProblem(await srv.request('GET', `${API}/auth/me`, { headers: { Cookie: 'rapport_session=forged0123456789abcdef' } }), 401, SESSION_401);
  expectProblem(await srv.request('GET', `${API}/auth/me`, { headers: { Cookie: 'rapport_session=' } }), 401, SESSION_401);
});

test('the csrf_token from /auth/me is accepted for writes', async () => {
  const me = await srv.admin.get(`${API}/auth/me`);
  const r = await srv.request('POST', `${API}/tags`, {
    auth: { cookie: srv.adminSession.cookie, csrf: me.json.csrf_token },
    body: { name: uniq('csrfme') },
  });
  expectStatus(r, 201);
});

test('API endpoints without credentials → 401 unauthorized', async () => {
  for (const [m, p, body] of [
    ['GET', `${API}/accounts`],
    ['GET', `${API}/users`],
    ['POST', `${API}/accounts`, { name: 'anon' }],
    ['GET', `${API}/search?q=a`],
    ['GET', `${API}/meta`],
    ['GET', `${API}/tokens`],
  ]) {
    expectProblem(await srv.request(m, p, { body }), 401, 'unauthorized', `${m} ${p}`);
  }
  assert.equal(await count(srv.admin, 'accounts', 'name=anon'), 0, 'an anonymous POST created a record');
});

test('CSRF: unsafe methods with a session cookie but no or a wrong X-CSRF-Token → 403 csrf_failed, nothing changed', async () => {
  const name = uniq('csrf');
  // POST
  for (const csrf of [false, 'wrong-token', '']) {
    const r = await srv.request('POST', `${API}/accounts`, { auth: srv.adminSession, csrf, body: { name } });
    expectProblem(r, 403, 'csrf_failed', `POST with X-CSRF-Token=${JSON.stringify(csrf)}`);
  }
  assert.equal(await count(srv.admin, 'accounts', `name=${name}`), 0, 'POST without CSRF created a record');

  const acc = await create(srv.admin, 'accounts', { name, city: 'Old' });
  // PATCH
  for (const csrf of [false, 'wrong-token']) {
    const r = await srv.request('PATCH', `${API}/accounts/${acc.id}`, { auth: srv.adminSession, csrf, body: { city: 'New' } });
    expectProblem(r, 403, 'csrf_failed', 'PATCH without a valid CSRF token');
  }
  // another session's token does not work either
  const other = await srv.login(srv.server.adminEmail, srv.server.adminPassword);
  if (other.csrf !== srv.adminSession.csrf) {
    const r = await srv.request('PATCH', `${API}/accounts/${acc.id}`, { auth: srv.adminSession, csrf: other.csrf, body: { city: 'New' } });
    expectProblem(r, 403, 'csrf_failed', "PATCH with another session's CSRF token");
  }
  // DELETE
  const d = await srv.request('DELETE', `${API}/accounts/${acc.id}`, { auth: srv.adminSession, csrf: false });
  expectProblem(d, 403, 'csrf_failed', 'DELETE without CSRF');

  const g = await srv.admin.get(`${API}/accounts/${acc.id}`);
  expectStatus(g, 200, 'record must still exist');
  assert.equal(g.json.city, 'Old');
  assert.equal(g.json.version, 1);

  // and with the token it works
  const ok = await srv.admin.patch(`${API}/accounts/${acc.id}`, { city: 'New' });
  expectStatus(ok, 200);
  assert.equal(ok.json.city, 'New');
});

test('GET with a session cookie needs no CSRF token', async () => {
  const r = await srv.request('GET', `${API}/accounts`, { headers: { Cookie: srv.adminSession.cookie } });
  expectStatus(r, 200);
});

test('logout: POST /auth/logout → 204, then the cookie gets 401; logout needs the CSRF token', async () => {
  const s = await srv.login(srv.server.adminEmail, srv.server.adminPassword);
  expectStatus(s.res, 200);
  const noCsrf = await srv.request('POST', `${API}/auth/logout`, { auth: s, csrf: false });
  expectProblem(noCsrf, 403, 'csrf_failed', 'logout without CSRF');
  expectStatus(await srv.request('GET', `${API}/auth/me`, { auth: s }), 200, 'session must survive a refused logout');

  const out = await srv.request('POST', `${API}/auth/logout`, { auth: s });
  expectStatus(out, 204);
  expectProblem(await srv.request('GET', `${API}/auth/me`, { auth: s }), 401, SESSION_401, 'me after logout');
  expectProblem(await srv.request('GET', `${API}/accounts`, { auth: s }), 401, SESSION_401, 'list after logout');
  expectProblem(await srv.request('POST', `${API}/tags`, { auth: s, body: { name: uniq('afterlogout') } }), 401, SESSION_401, 'write after logout');
  // other sessions of the same user are unaffected
  expectStatus(await srv.admin.get(`${API}/auth/me`), 200, 'the other admin session after logout');
});

test('login rate limit: 5 failures for one e-mail → 429 too_many_attempts with Retry-After, even with the right password; other e-mails unaffected', async () => {
  const victim = await makeUser(srv, { role: 'sales' });
  for (let i = 1; i <= 5; i++) {
    const r = await srv.request('POST', `${API}/auth/login`, { body: { email: victim.email, password: `bad-password-${i}` } });
    expectProblem(r, 401, 'invalid_credentials', `failed login #${i}`);
  }
  const locked = await srv.request('POST', `${API}/auth/login`, { body: { email: victim.email, password: victim.password } });
  expectProblem(locked, 429, 'too_many_attempts', '6th login with the right password');
  const ra = locked.headers.get('retry-after');
  assert.ok(ra && /^\d+$/.test(ra) && Number(ra) > 0 && Number(ra) <= 15 * 60, `Retry-After must be 1..900 seconds, got ${ra}`);
  assert.ok(!(locked.headers.getSetCookie() || []).some((c) => /^rapport_session=[^;]+/.test(c)), 'a throttled login set a cookie');
  // the existing session of that user still works; another e-mail can log in
  expectStatus(await victim.client.get(`${API}/auth/me`), 200, "victim's existing session");
  const admin = await srv.login(srv.server.adminEmail, srv.server.adminPassword);
  expectStatus(admin.res, 200, 'another e-mail is not throttled');
});

test('bearer tokens: create (shown once, rp_), use without CSRF, list without secret, revoke → 401', async () => {
  const c = await srv.admin.post(`${API}/tokens`, { name: 'ci' });
  expectStatus(c, 201);
  assert.equal(c.json.name, 'ci');
  assert.equal(typeof c.json.id, 'number');
  assert.equal(typeof c.json.token, 'string');
  assert.match(c.json.token, /^rp_[A-Za-z0-9_-]{20,}$/);
  const token = c.json.token;
  const bearer = srv.as({ token });

  const me = await bearer.get(`${API}/auth/me`);
  expectStatus(me, 200);
  assert.equal(me.json.user.id, srv.adminUser.id);

  const name = uniq('bearer');
  const w = await bearer.post(`${API}/accounts`, { name });
  expectStatus(w, 201, 'POST with a bearer token and no CSRF header');
  assert.equal(w.json.owner_id, srv.adminUser.id);
  expectStatus(await bearer.patch(`${API}/accounts/${w.json.id}`, { city: 'X' }), 200, 'PATCH with bearer');
  expectStatus(await bearer.del(`${API}/accounts/${w.json.id}`), 204, 'DELETE with bearer');

  const l = await srv.admin.get(`${API}/tokens`);
  expectStatus(l, 200);
  const list = Array.isArray(l.json) ? l.json : l.json.data;
  assert.ok(Array.isArray(list), `token list is neither an array nor {data:[]}: ${fmt(l)}`);
  const mine = list.find((t) => t.id === c.json.id);
  assert.ok(mine, `new token ${c.json.id} not in the list: ${fmt(l)}`);
  assert.equal(mine.name, 'ci');
  assert.ok(!l.text.includes(token), 'the token list contains the secret');
  assert.ok(!('token' in mine) || mine.token !== token, 'the token list contains the secret');
  assert.ok(!l.text.includes(token.slice(3, 23)), 'the token list contains a large part of the secret');

  const d = await srv.admin.del(`${API}/tokens/${c.json.id}`);
  expectStatus(d, 204);
  expectProblem(await bearer.get(`${API}/auth/me`), 401, TOKEN_401, 'revoked token');
  expectProblem(await bearer.post(`${API}/accounts`, { name: uniq('revoked') }), 401, TOKEN_401, 'write with revoked token');
  expectStatus(await srv.admin.del(`${API}/tokens/${c.json.id}`), 404, 'revoking twice');
});

test('bearer: forged, malformed and cookie-less tokens → 401', async () => {
  for (const h of ['Bearer rp_forgedforgedforgedforgedforged', 'Bearer ', 'Bearer', 'Basic YWRtaW46YWRtaW4=', 'bearer rp_x']) {
    const r = await srv.request('GET', `${API}/accounts`, { headers: { Authorization: h } });
    expectProblem(r, 401, TOKEN_401, `Authorization: ${h}`);
  }
});

test('a field added to users is in /auth/me at once, though the caller is remembered', async () => {
  const me = await srv.admin.get(`${API}/auth/me`);
  expectStatus(me, 200);
  const name = uniq('nick').replace(/[^a-z0-9_]/gi, '_').toLowerCase();
  expectStatus(await srv.admin.post(`${API}/meta/users/fields`, { name, type: 'text' }), 201);
  const again = await srv.admin.get(`${API}/auth/me`);
  const read = await srv.admin.get(`${API}/users/${me.json.user.id}`);
  expectStatus(read, 200);
  assert.ok(Object.keys(read.json).some((k) => k.includes(name)), `GET /users/:id has the new field: ${Object.keys(read.json)}`);
  assert.deepEqual(Object.keys(again.json.user).sort(), Object.keys(read.json).sort(), '/auth/me has the same fields as GET /users/:id');
});

test("a token acts as its own user (a sales user's token is not admin)", async () => {
  const sales = await makeUser(srv, { role: 'sales' });
  const c = await sales.client.post(`${API}/tokens`, { name: 'mine' });
  expectStatus(c, 201);
  const t = srv.as({ token: c.json.token });
  const me = await t.get(`${API}/auth/me`);
  expectStatus(me, 200);
  assert.equal(me.json.user.id, sales.user.id);
  expectStatus(await t.post(`${API}/users`, { email: `${uniq('u')}@example.com`, name: 'x', password: 'password-123', role_id: sales.user.role_id }), 403, 'sales token creating a user');
  // a sales user cannot revoke the admin's tokens
  const adminTok = await srv.admin.post(`${API}/tokens`, { name: 'admin-only' });
  expectStatus(adminTok, 201);
  expectStatus(await t.del(`${API}/tokens/${adminTok.json.id}`), [403, 404], "sales revoking the admin's token");
  expectStatus(await srv.as({ token: adminTok.json.token }).get(`${API}/auth/me`), 200, "admin's token after a refused revoke");
  // and does not see them
  const l = await t.get(`${API}/tokens`);
  expectStatus(l, 200);
  const list = Array.isArray(l.json) ? l.json : l.json.data;
  assert.ok(!list.some((x) => x.id === adminTok.json.id), "a sales user sees the admin's tokens");
});
