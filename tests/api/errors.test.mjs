// errors.test.mjs — RFC 9457 problems, routing errors, malformed bodies,
// body limits, validation of every field type of every entity (generated
// from /meta), uniqueness, references, and "never a 500 for bad input".
import { test } from 'node:test';
import fs from 'node:fs';
import assert from 'node:assert/strict';
import {
  API, useServer, startServer, expectStatus, expectProblem, expectFieldError, fmt, create, count, uniq, Soft,
} from './lib/server.mjs';
import { Fixtures, getMeta, wrongTypeValue, isReadOnly, fieldOptions, fieldMaxLen, fieldMin, fieldMax } from './lib/gen.mjs';

const srv = useServer();

test('unknown routes → 404 problem; unknown entity → 404', async () => {
  for (const p of ['/nope.js', `${API}/nope`, `${API}/nope/1`, `${API}/nope/1/history`, `${API}/accounts/1/nope`, '/api/v2/accounts', `${API}/`]) {
    const r = await srv.admin.get(p);
    expectProblem(r, 404, null, `GET ${p}`);
  }
  expectProblem(await srv.admin.post(`${API}/nope`, { name: 'x' }), 404, null, 'POST /api/v1/nope');
  expectProblem(await srv.admin.post('/contacts', { name: 'x' }), 404, null, 'POST to a page');
});

test('every kind of response carries nosniff and no-referrer; pages cannot be framed', async () => {
  const anon = srv.server.as(null);
  const answers = [
    ['GET', '/healthz', anon], ['GET', `${API}/accounts`, srv.admin], ['GET', `${API}/accounts`, anon],
    ['GET', `${API}/nope`, srv.admin], ['POST', `${API}/accounts`, srv.admin], ['GET', '/contacts', srv.admin],
    ['GET', '/app/style.css', srv.admin], ['GET', '/nope.js', srv.admin],
  ];
  for (const [method, p, who] of answers) {
    const r = await who.req(method, p, method === 'POST' ? { body: {} } : {});
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', `${method} ${p} → ${r.status}`);
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer', `${method} ${p} → ${r.status}`);
  }
  const page = await srv.admin.get('/contacts');
  assert.match(page.headers.get('content-security-policy'), /frame-ancestors 'none'/);
});

test('page paths outside /api serve the UI with a strict CSP', async () => {
  for (const p of ['/', '/contacts', '/deals/12', '/board']) {
    const r = await srv.admin.get(p);
    expectStatus(r, 200, `GET ${p}`);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    assert.match(r.headers.get('content-security-policy'), /script-src 'self'/);
    assert.doesNotMatch(r.headers.get('content-security-policy'), /unsafe-inline/);
  }
  const css = await srv.admin.get('/app/style.css');
  expectStatus(css, 200);
  const again = await srv.admin.get('/app/style.css', { headers: { 'If-None-Match': css.headers.get('etag') } });
  assert.equal(again.status, 304, 'a matching ETag gets 304');
});

test('module URLs: this build\'s ?v= is kept for good, another build\'s is not found', async () => {
  const page = await srv.admin.get('/');
  const m = /\/app\/main\.js\?v=([0-9a-f]+)/.exec(page.text);
  assert.ok(m, 'index.html names no versioned /app/main.js');
  const cur = await srv.admin.get(`/app/main.js?v=${m[1]}`);
  expectStatus(cur, 200, 'the current version');
  assert.match(cur.headers.get('cache-control'), /immutable/);
  const bare = await srv.admin.get('/app/main.js');
  expectStatus(bare, 200, 'no version');
  assert.equal(bare.headers.get('cache-control'), 'no-cache');
  const stale = m[1] === '0'.repeat(m[1].length) ? '1'.repeat(m[1].length) : '0'.repeat(m[1].length);
  expectProblem(await srv.admin.get(`/app/views/board.js?v=${stale}`), 404, null, 'another build\'s version');
  expectStatus(await srv.admin.get(`/?v=${stale}`), 200, 'a page with a v parameter');
});

test('wrong method on a known route → 405 problem', async () => {
  const soft = new Soft();
  for (const [m, p] of [['DELETE', `${API}/accounts`], ['PATCH', `${API}/accounts`], ['PUT', `${API}/accounts/1`], ['POST', '/healthz'],
    ['DELETE', `${API}/auth/login`], ['PUT', `${API}/meta`], ['POST', `${API}/search`]]) {
    await soft.check(async () => expectProblem(await srv.admin.req(m, p, { body: {} }), 405, null, `${m} ${p}`));
  }
  soft.done('405');
});

test('405 responses carry an Allow header (RFC 9110)', async () => {
  const soft = new Soft();
  for (const [m, p] of [['DELETE', `${API}/accounts`], ['PUT', `${API}/accounts/1`], ['POST', '/healthz']]) {
    await soft.check(async () => {
      const r = await srv.admin.req(m, p, { body: {} });
      expectStatus(r, 405);
      assert.ok(r.headers.get('allow'), `${m} ${p} → 405 without an Allow header`);
    });
  }
  soft.done('Allow header');
});

test('malformed record ids → 400 or 404, never 500', async () => {
  for (const id of ['abc', '0', '-1', '1.5', '99999999999999999999', '1e3', '%20', '1;DROP', '0x10']) {
    const r = await srv.admin.get(`${API}/accounts/${id}`);
    expectStatus(r, [400, 404], `GET /accounts/${id}`);
    expectProblem(r, r.status);
    expectStatus(await srv.admin.patch(`${API}/accounts/${id}`, { name: 'x' }), [400, 404], `PATCH /accounts/${id}`);
    expectStatus(await srv.admin.del(`${API}/accounts/${id}`), [400, 404], `DELETE /accounts/${id}`);
  }
});

test('malformed JSON → 400 invalid_json; nothing created', async () => {
  const soft = new Soft();
  const before = await count(srv.admin, 'accounts');
  for (const body of ['{', '{"name":}', '{"name":"x"', 'nul', '{name:"x"}', "{'name':'x'}", '{"name":"x",}', '{"name":"x"} trailing',
    '{"name":"x","name":"y"}', '{"name":"\\ud800"}', '{"name":"\\x41"}', 'NaN', '{"employees":NaN}', '{"employees":Infinity}']) {
    await soft.check(async () => {
      const r = await srv.admin.post(`${API}/accounts`, body);
      expectProblem(r, 400, 'invalid_json', `body ${JSON.stringify(body)}`);
    });
  }
  soft.done('malformed JSON');
  assert.equal(await count(srv.admin, 'accounts'), before);
});

test('an empty body on POST → 400', async () => {
  const r = await srv.admin.post(`${API}/accounts`, '');
  expectProblem(r, 400, ['invalid_json', 'invalid_body']);
});

test('a body that is not an object → 400 invalid_body', async () => {
  const acc = await create(srv.admin, 'accounts', { name: 'Body target' });
  const soft = new Soft();
  for (const body of ['[]', '[{"name":"x"}]', '"x"', '42', 'true', 'null']) {
    await soft.check(async () => expectProblem(await srv.admin.post(`${API}/accounts`, body), 400, 'invalid_body', `POST body ${body}`));
    await soft.check(async () => expectProblem(await srv.admin.patch(`${API}/accounts/${acc.id}`, body), 400, 'invalid_body', `PATCH body ${body}`));
  }
  soft.done('non-object bodies');
});

test('invalid UTF-8 in the body → 400 invalid_json', async () => {
  const bad = [
    Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), // {"name":"\xff\xfe"}
    Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]), // overlong '/'
    Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]), // UTF-8 surrogate
    Buffer.concat([Buffer.from('{"name":"ab'), Buffer.from([0xe4, 0xb8]), Buffer.from('"}')]), // truncated
    Buffer.concat([Buffer.from('{"na'), Buffer.from([0x80]), Buffer.from('me":"x"}')]), // in a key
  ];
  const before = await count(srv.admin, 'accounts');
  const soft = new Soft();
  for (const b of bad) {
    await soft.check(async () => expectProblem(await srv.admin.post(`${API}/accounts`, b), 400, 'invalid_json', `bytes ${b.toString('hex')}`));
  }
  soft.done('invalid UTF-8');
  assert.equal(await count(srv.admin, 'accounts'), before);
});

test('NUL characters are refused', async () => {
  const r = await srv.admin.post(`${API}/accounts`, '{"name":"a\\u0000b"}');
  expectStatus(r, [400, 422], 'a \\u0000 in a string');
});

test('deeply nested JSON → 400, the server survives', async () => {
  const deep = `{"name":"x","permissions":${'['.repeat(100000)}${']'.repeat(100000)}}`;
  expectStatus(await srv.admin.post(`${API}/roles`, deep), [400, 413, 422], 'deep nesting');
  const deepObj = `${'{"a":'.repeat(50000)}1${'}'.repeat(50000)}`;
  expectStatus(await srv.admin.post(`${API}/accounts`, deepObj), [400, 413, 422], 'deep objects');
  expectStatus(await srv.request('GET', '/healthz'), 200);
});

test('a body over 1 MiB → 413 payload_too_large; just under the limit is validated normally', async () => {
  const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) });
  let r;
  try {
    r = await srv.admin.post(`${API}/accounts`, big);
  } catch (e) {
    assert.fail(`POST of ${big.length} bytes: the connection failed instead of a 413: ${e.message}`);
  }
  expectProblem(r, 413, 'payload_too_large');
  const under = JSON.stringify({ name: 'y'.repeat(1000 * 1000) });
  expectFieldError(await srv.admin.post(`${API}/accounts`, under), 'name', 'too_long');
  expectStatus(await srv.request('GET', '/healthz'), 200);
});

test('--max-body sets the body limit', async () => {
  const small = await startServer({ args: ['--max-body', '2048'] });
  try {
    const s = await small.login(small.adminEmail, small.adminPassword);
    expectStatus(s.res, 200);
    const c = small.as(s);
    expectProblem(await c.post(`${API}/accounts`, { name: 'a', description: 'd'.repeat(3000) }), 413, 'payload_too_large', '3000-byte body');
    expectStatus(await c.post(`${API}/accounts`, { name: 'a', description: 'd'.repeat(1500) }), 201, '1500-byte body');
  } finally {
    await small.stop();
    fs.rmSync(small.dir, { recursive: true, force: true });
  }
});

test('query strings with invalid UTF-8 or junk → 400, never 500', async () => {
  const soft = new Soft();
  for (const q of ['name=%FF', 'name[contains]=%C0%AF', '%FF=1', 'sort=%FF', 'q=%ED%A0%80', 'limit=%00', 'a=%', 'name[contains]=%E4%B8']) {
    await soft.check(async () => expectStatus(await srv.admin.get(`${API}/accounts?${q}`), 400, `GET /accounts?${q}`));
  }
  soft.done('bad query strings');
  const r = await srv.admin.get(`${API}/search?q=%FF%FE`);
  expectStatus(r, [200, 400], 'search with invalid UTF-8');
  const many = Array.from({ length: 200 }, (_, i) => `name=x${i}`).join('&');
  expectStatus(await srv.admin.get(`${API}/accounts?${many}`), [200, 400], '200 query parameters');
});

test('validation: one errors[] entry per bad field with its code', async () => {
  const r = await srv.admin.post(`${API}/accounts`, { name: 5, employees: 'many', lifecycle: 'bogus', nope: 1, customer_since: '2025-02-30', id: 3 });
  const j = expectProblem(r, 422, 'validation_failed');
  const want = { name: 'invalid_type', employees: 'invalid_type', lifecycle: 'invalid_value', nope: 'unknown_field', customer_since: 'invalid_value', id: 'read_only' };
  const got = j.errors.map((e) => `${e.field}:${e.code}`).sort();
  assert.deepEqual(got, Object.entries(want).map(([f, c]) => `${f}:${c}`).sort(), `expected exactly one entry per bad field: ${fmt(r)}`);
  for (const e of j.errors) assert.equal(typeof e.message, 'string');
  expectFieldError(await srv.admin.post(`${API}/accounts`, {}), 'name', 'required');
  expectFieldError(await srv.admin.post(`${API}/accounts`, { name: '' }), 'name', 'required');
  expectFieldError(await srv.admin.post(`${API}/accounts`, { name: null }), 'name', 'required');
});

test('text length counts characters, not bytes', async () => {
  const ok = await srv.admin.post(`${API}/accounts`, { name: '张'.repeat(300) });
  expectStatus(ok, 201, '300 Chinese characters in a 300-character field');
  assert.equal(ok.json.name, '张'.repeat(300));
  expectFieldError(await srv.admin.post(`${API}/accounts`, { name: '张'.repeat(301) }), 'name', 'too_long');
  expectStatus(await srv.admin.post(`${API}/accounts`, { name: '😀'.repeat(300) }), 201, '300 emoji');
});

test('ranges: integers out of range → out_of_range; boundaries accepted', async () => {
  expectFieldError(await srv.admin.post(`${API}/accounts`, { name: 'r', employees: -1 }), 'employees', 'out_of_range');
  expectFieldError(await srv.admin.post(`${API}/deals`, { name: 'r', probability: 101 }), 'probability', 'out_of_range');
  expectStatus(await srv.admin.post(`${API}/deals`, { name: 'r', probability: 100 }), 201);
  expectStatus(await srv.admin.post(`${API}/deals`, { name: 'r0', probability: 0 }), 201);
  expectFieldError(await srv.admin.post(`${API}/leads`, { name: 'r', score: 1000 }), 'score', 'out_of_range');
});

test('money is integer minor units', async () => {
  for (const amount of [12.5, '100', '12.50', true, 1.0e3 + 0.5]) {
    expectFieldError(await srv.admin.post(`${API}/deals`, { name: 'm', amount }), 'amount', 'invalid_type', { what: `amount ${JSON.stringify(amount)}` });
  }
  const r = await srv.admin.post(`${API}/deals`, '{"name":"m","amount":99999999999999999999999}');
  expectStatus(r, [400, 422], 'an integer too large for 64 bits');
  const ok = await srv.admin.post(`${API}/deals`, { name: 'm', amount: 9007199254740991 });
  expectStatus(ok, 201);
  assert.equal(ok.json.amount, 9007199254740991);
  expectFieldError(await srv.admin.post(`${API}/deals`, { name: 'm', currency: 'usd' }), 'currency', 'invalid_value');
});

test('dates are YYYY-MM-DD and real; times RFC 3339', async () => {
  for (const d of ['2025-02-30', '2023-02-29', '2025-13-01', '2025-3-4', '14.03.2025', '2025-03-14T00:00:00Z', '', 'today']) {
    expectFieldError(await srv.admin.post(`${API}/contacts`, { name: 'd', birthday: d }), 'birthday', ['invalid_value', 'required'], { what: `birthday ${d}` });
  }
  const ok = await srv.admin.post(`${API}/contacts`, { name: 'd', birthday: '2024-02-29' });
  expectStatus(ok, 201);
  assert.equal(ok.json.birthday, '2024-02-29');
  for (const t of ['2025-03-14', '2025-03-14 12:30', '2025-03-14T25:00:00Z', '2025-03-14T12:30:00', 'yesterday', '2025-02-30T10:00:00Z', '2025-03-14T12:30:00+25:00']) {
    expectFieldError(await srv.admin.post(`${API}/activities`, { type: 'task', subject: 't', due_at: t }), 'due_at', 'invalid_value', { what: `due_at ${t}` });
  }
  for (const [t, want] of [['2025-03-14T12:30:00+03:00', '2025-03-14T09:30:00Z'], ['2025-03-14T00:30:00-02:00', '2025-03-14T02:30:00Z'],
    ['2025-03-14T09:30:00Z', '2025-03-14T09:30:00Z'], ['2025-12-31T23:30:00-01:00', '2026-01-01T00:30:00Z']]) {
    const r = await srv.admin.post(`${API}/activities`, { type: 'task', subject: 't', due_at: t });
    expectStatus(r, 201, `due_at ${t}`);
    assert.equal(r.json.due_at, want, `due_at ${t}`);
  }
});

test('references to missing records → 422 not_found', async () => {
  expectFieldError(await srv.admin.post(`${API}/contacts`, { name: 'r', account_id: 987654 }), 'account_id', 'not_found');
  expectFieldError(await srv.admin.post(`${API}/deals`, { name: 'r', stage_id: 987654 }), 'stage_id', 'not_found');
  expectFieldError(await srv.admin.post(`${API}/stages`, { name: 'r', pipeline_id: 987654 }), 'pipeline_id', 'not_found');
  expectFieldError(await srv.admin.post(`${API}/accounts`, { name: 'r', owner_id: 987654 }), 'owner_id', 'not_found');
  expectFieldError(await srv.admin.post(`${API}/activities`, { type: 'note', subject: 'r', related_type: 'deals', related_id: 987654 }), 'related_id', 'not_found');
  const acc = await create(srv.admin, 'accounts', { name: 'Soon gone' });
  expectStatus(await srv.admin.del(`${API}/accounts/${acc.id}`), 204);
  expectFieldError(await srv.admin.post(`${API}/contacts`, { name: 'r', account_id: acc.id }), 'account_id', 'not_found', { what: 'reference to a deleted record' });
  expectFieldError(await srv.admin.post(`${API}/contacts`, { name: 'r', account_id: 0 }), 'account_id', ['invalid_value', 'not_found']);
});

test('unique values taken → 409 duplicate with errors[{field, code:duplicate}]', async () => {
  const name = uniq('Team ');
  await create(srv.admin, 'teams', { name });
  const before = await count(srv.admin, 'teams');
  expectFieldError(await srv.admin.post(`${API}/teams`, { name }), 'name', 'duplicate', { status: 409, code: 'duplicate' });
  assert.equal(await count(srv.admin, 'teams'), before);
  const role = (await srv.admin.get(`${API}/roles?name=sales`)).json.data[0];
  const email = `${uniq('dup')}@example.com`;
  await create(srv.admin, 'users', { email, name: 'Dup', password: 'password-1234', role_id: role.id });
  expectFieldError(await srv.admin.post(`${API}/users`, { email, name: 'Dup 2', password: 'password-1234', role_id: role.id }), 'email', 'duplicate', { status: 409, code: 'duplicate' });
  expectFieldError(await srv.admin.post(`${API}/users`, { email: email.toUpperCase(), name: 'Dup 3', password: 'password-1234', role_id: role.id }), 'email', 'duplicate',
    { status: 409, code: 'duplicate', what: 'e-mail differing only in case' });
  // a PATCH onto a taken value too
  const t2 = await create(srv.admin, 'teams', { name: uniq('Team ') });
  expectFieldError(await srv.admin.patch(`${API}/teams/${t2.id}`, { name }), 'name', 'duplicate', { status: 409, code: 'duplicate' });
  const sku = uniq('SKU-');
  await create(srv.admin, 'products', { name: 'p', sku });
  expectFieldError(await srv.admin.post(`${API}/products`, { name: 'p2', sku }), 'sku', 'duplicate', { status: 409, code: 'duplicate' });
});

test('users: short passwords and bad e-mails are refused', async () => {
  const role = (await srv.admin.get(`${API}/roles?name=sales`)).json.data[0];
  expectFieldError(await srv.admin.post(`${API}/users`, { email: `${uniq('p')}@example.com`, name: 'P', password: 'short', role_id: role.id }), 'password', 'invalid_value');
  for (const email of ['not-an-email', 'a@b', '@example.com', 'a b@example.com', 'a@@example.com']) {
    expectFieldError(await srv.admin.post(`${API}/users`, { email, name: 'P', password: 'password-1234', role_id: role.id }), 'email', 'invalid_value', { what: email });
  }
});

test('every entity: wrong types, bad values, unknown fields and over-long text → 422, nothing created', async (t) => {
  const meta = await getMeta(srv.admin);
  const fx = new Fixtures(srv.admin, meta, srv.adminUser);
  for (const e of meta.entities.filter((x) => x.generic_create)) {
    await t.test(e.name, async () => {
      const valid = await fx.build(e.name);
      const before = await count(srv.admin, e.name);
      const fails = [];
      const send = async (field, value, codes) => {
        const r = await srv.admin.post(`${API}/${e.name}`, { ...valid, [field]: value });
        const ok = r.status === 422 && r.json && r.json.code === 'validation_failed' &&
          Array.isArray(r.json.errors) && r.json.errors.some((x) => x.field === field && codes.includes(x.code));
        if (!ok) fails.push(`${field}=${JSON.stringify(value).slice(0, 60)} expected 422 ${codes.join('|')}: got ${r.status} ${r.text.slice(0, 200)}`);
      };
      for (const f of e.fields) {
        if (isReadOnly(f)) continue;
        for (const v of wrongTypeValue(f.type)) await send(f.name, v, ['invalid_type']);
        const opts = fieldOptions(f);
        if (f.type === 'enum') await send(f.name, 'not_an_option', ['invalid_value']);
        if (f.type === 'enum' && opts && opts[0]) await send(f.name, opts[0].toUpperCase() + 'X', ['invalid_value']);
        if (f.type === 'date') await send(f.name, '2025-02-30', ['invalid_value']);
        if (f.type === 'datetime') await send(f.name, 'not a time', ['invalid_value']);
        if (f.type === 'email') await send(f.name, 'not-an-email', ['invalid_value']);
        if (f.type === 'url') await send(f.name, 'not a url', ['invalid_value']);
        if (f.type === 'phone') await send(f.name, 'call me', ['invalid_value']);
        if (f.type === 'currency') await send(f.name, 'euro', ['invalid_value']);
        if (f.type === 'reference') await send(f.name, 987654321, ['not_found']);
        if (f.type === 'tags') await send(f.name, ['ok', ''], ['invalid_value']);
        if (f.type === 'integer' && fieldMin(f) !== null && fieldMax(f) !== null && fieldMin(f) < fieldMax(f)) {
          if (fieldMax(f) < Number.MAX_SAFE_INTEGER) await send(f.name, fieldMax(f) + 1, ['out_of_range']);
          if (fieldMin(f) > Number.MIN_SAFE_INTEGER) await send(f.name, fieldMin(f) - 1, ['out_of_range']);
        }
        if (['text', 'email', 'phone', 'url'].includes(f.type)) {
          const max = fieldMaxLen(f) || 1000;
          const long = f.type === 'email' ? `${'a'.repeat(max)}@example.com` : f.type === 'url' ? `https://example.com/${'x'.repeat(max)}`
            : f.type === 'phone' ? '1'.repeat(max + 1) : 'x'.repeat(Math.max(max + 1, f.name === 'name' ? 100000 : 0));
          await send(f.name, long, f.type === 'text' ? ['too_long'] : ['too_long', 'invalid_value']);
        }
      }
      await send('no_such_field', 1, ['unknown_field']);
      const after = await count(srv.admin, e.name);
      if (fails.length) assert.fail(`${e.name}: ${fails.length} bad inputs not refused as expected:\n  ${fails.join('\n  ')}`);
      assert.equal(after, before, `${e.name}: bad inputs created records`);
    });
  }
});

test('never a 500: a burst of odd inputs', async () => {
  const odd = [null, true, 0, -1, 1e308, -1e308, '', ' ', 'x'.repeat(5000), '\u202e', '😀', '<script>', "' OR 1=1 --", [], {}, [1, 2], { $gt: 1 }];
  const targets = [['accounts', ['name', 'employees', 'lifecycle', 'customer_since', 'annual_revenue', 'tags', 'owner_id', 'team_id']],
    ['deals', ['amount', 'stage_id', 'pipeline_id', 'expected_close', 'status']], ['activities', ['due_at', 'related_type', 'related_id']],
    ['roles', ['permissions', 'name']], ['users', ['email', 'password', 'role_id', 'active', 'locale']]];
  const bad = [];
  for (const [ent, fields] of targets) {
    for (const f of fields) {
      for (const v of odd) {
        const r = await srv.admin.post(`${API}/${ent}`, { [f]: v });
        if (r.status >= 500) bad.push(`POST ${ent} {${f}: ${JSON.stringify(v).slice(0, 40)}} → ${r.status} ${r.text.slice(0, 200)}`);
      }
    }
  }
  for (const q of ['sort=,,,', 'limit=1&limit=2', 'name[in]=', 'name[in]=,,,', 'id[gt]=-99999999999999999999', 'fields=,', 'include=,', 'cursor=', 'q=',
    'name[null]=', 'amount[lt]=1e400', `name[in]=${Array.from({ length: 500 }, (_, i) => i).join(',')}`]) {
    const r = await srv.admin.get(`${API}/deals?${q}`);
    if (r.status >= 500) bad.push(`GET /deals?${q.slice(0, 60)} → ${r.status} ${r.text.slice(0, 200)}`);
  }
  assert.deepEqual(bad, [], `5xx responses:\n${bad.join('\n')}`);
  expectStatus(await srv.request('GET', '/healthz'), 200);
});
