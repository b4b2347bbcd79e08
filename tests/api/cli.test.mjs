// cli.test.mjs — the rapport command: init, migrate (an upgrade's data
// steps too), user, token, demo, backup and --help, each checked through
// its effect on the database or on a server started on the result.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { API, BIN, PG_DIR, startServer, randomPassword, runRapport, sqlOn } from './lib/server.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-cli-'));
const db = path.join(dir, 't.db'); // the name startServer uses in dir
const adminPassword = randomPassword();
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const rapport = (args, env = {}) => runRapport(args, { db, adminPassword, env });

test('--help lists every command and setting; unknown commands are usage errors', () => {
  const h = rapport(['--help']);
  assert.equal(h.code, 0);
  for (const c of ['serve', 'init', 'migrate', 'user', 'token', 'demo', 'backup', '--db', '--listen', 'RAPPORT_DB'])
    assert.match(h.err, new RegExp(c.replace(/-/g, '\\-')), `help mentions ${c}`);
  assert.equal(rapport(['serve', '--help']).code, 0);
  assert.equal(rapport(['nope']).code, 2);
  assert.equal(rapport(['serve', '--threads', 'lots']).code, 2);
});

test('init creates the admin once; migrate reports the schema version', () => {
  const i = rapport(['init']);
  assert.equal(i.code, 0, i.err);
  assert.match(i.err, /created admin admin@example\.com/);
  const again = rapport(['init']);
  assert.equal(again.code, 0);
  assert.doesNotMatch(again.err, /created admin/, 'a second init keeps the data');
  const m = rapport(['migrate']);
  assert.equal(m.code, 0);
  assert.match(m.out, /schema version [1-9]/);
});

test('an upgrade lists the records whose phones it keys otherwise ("+44 (0)20 …"), to be keyed again', () => {
  const old = path.join(dir, 'old.db');
  const on = (args) => runRapport(args, { db: old, adminPassword });
  assert.equal(on(['init']).code, 0);
  const csv = path.join(dir, 'phones.csv');
  fs.writeFileSync(csv, 'Name,Phone,Mobile\r\nTrunk Phone,+44 (0)20 7946 0411,\r\nTrunk Mobile,,+49 (0)30 123456\r\nPlain,+44 20 7946 0412,\r\n');
  const imp = on(['import', 'contacts', csv]);
  assert.equal(imp.code, 0, imp.err);
  // a database of the version before: no backlog, its migrations up to 12
  sqlOn(old, 'DROP TABLE dedup_backlog; DELETE FROM schema_migrations WHERE version >= 13');
  const m = on(['migrate']);
  assert.equal(m.code, 0, m.err);
  const listed = sqlOn(old, 'SELECT key - 5 * 1099511627776 FROM dedup_backlog ORDER BY key').split('\n');
  const ids = sqlOn(old, "SELECT id FROM contacts WHERE name LIKE 'Trunk%' ORDER BY id").split('\n');
  assert.deepEqual(listed, ids, 'the two contacts with "(0)" in a phone, and no other');
  // a new database has nothing to key again
  assert.equal(sqlOn(db, 'SELECT count(*) FROM dedup_backlog'), '0');
});

test('a command started while another process holds the write lock waits its turn', { skip: PG_DIR ? 'holds SQLite\'s lock with the sqlite3 shell' : false }, async () => {
  // the shell takes the write lock for 3 s; the busy timeout is 1 s
  const holder = spawn('sqlite3', [db, 'BEGIN IMMEDIATE; DELETE FROM login_failures;', '.shell sleep 3', 'COMMIT;']);
  const held = new Promise((resolve) => holder.on('exit', resolve));
  await new Promise((r) => setTimeout(r, 500));
  const m = await new Promise((resolve) => {
    const p = spawn(BIN, ['migrate', '--db', db], { env: { ...process.env, RAPPORT_BUSY_TIMEOUT: '1000' } });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('exit', (code) => resolve({ code, out, err }));
  });
  await held;
  assert.equal(m.code, 0, m.err);
  assert.match(m.err, /another process is writing; waiting/);
  assert.match(m.out, /schema version [1-9]/);
});

test('user add, list, passwd and disable', () => {
  const add = rapport(['user', 'add', 'Olga@Example.com', '--name', 'Ольга Петрова', '--role', 'sales', '--password', 'first-pass-1']);
  assert.equal(add.code, 0, add.err);
  const list = rapport(['user', 'list']);
  assert.match(list.out, /olga@example\.com\tОльга Петрова/);
  assert.notEqual(rapport(['user', 'add', 'x@example.com', '--name', 'X', '--role', 'nope']).code, 0);
  assert.notEqual(rapport(['user', 'add', 'olga@example.com', '--name', 'Dup', '--password', 'whatever-1']).code, 0,
    'a taken e-mail is refused');
  const pw = rapport(['user', 'passwd', 'olga@example.com', '--password', 'second-pass-2']);
  assert.equal(pw.code, 0, pw.err);
  const dis = rapport(['user', 'disable', 'olga@example.com']);
  assert.equal(dis.code, 0, dis.err);
  assert.match(rapport(['user', 'list']).out, /olga@example\.com.*disabled/);
});

test('token create gives a working Bearer token; revoke ends it', async () => {
  const t = rapport(['token', 'create', '--user', 'admin@example.com', '--name', 'ci']);
  assert.equal(t.code, 0, t.err);
  const token = t.out.trim();
  assert.match(token, /^rp_[0-9a-f]{48}$/);
  const srv = await startServer({ dir, adminPassword });
  try {
    const ok = await srv.request('GET', `${API}/auth/me`, { auth: { token } });
    assert.equal(ok.status, 200);
    assert.equal(ok.json.user.email, 'admin@example.com');
    const old = await srv.login('olga@example.com', 'second-pass-2');
    assert.equal(old.status, 401, 'a disabled user cannot sign in');
    const list = await srv.request('GET', `${API}/tokens`, { auth: { token } });
    const id = list.json.data.find((x) => x.name === 'ci').id;
    // the server remembers callers between requests (domain/caller.c):
    // a revoke from the shell, another process, still counts at once
    const rv = rapport(['token', 'revoke', String(id)]);
    assert.equal(rv.code, 0, rv.err);
    const gone = await srv.request('GET', `${API}/auth/me`, { auth: { token } });
    assert.equal(gone.status, 401);
    // and so does a user disabled from the shell, and a role changed there
    assert.equal(rapport(['user', 'add', 'ivan@example.com', '--name', 'Иван', '--role', 'sales', '--password', 'ivan-pass-1']).code, 0);
    const it = rapport(['token', 'create', '--user', 'ivan@example.com']).out.trim();
    for (let i = 0; i < 3; i++)
      assert.equal((await srv.request('GET', `${API}/contacts?limit=1`, { auth: { token: it } })).status, 200);
    sqlOn(db, `UPDATE roles SET permissions = '{"*":{"read":"none"}}' WHERE name = 'sales'`);
    const denied = await srv.request('GET', `${API}/contacts?limit=1`, { auth: { token: it } });
    assert.equal(denied.status, 403, `a role changed by another process counts at once: ${denied.text}`);
    assert.equal(rapport(['user', 'disable', 'ivan@example.com']).code, 0);
    const out = await srv.request('GET', `${API}/auth/me`, { auth: { token: it } });
    assert.equal(out.status, 401, 'a user disabled from the shell is out at once');
  } finally {
    await srv.stop();
  }
});

test('demo fills the database and refuses a second run; backup copies it', () => {
  for (const bad of [['--scale', '6e1'], ['--activities', 'many'], ['--activities', '-1']])
    assert.equal(rapport(['demo', ...bad]).code, 2, `${bad.join(' ')} is a usage error`);
  const tooMany = rapport(['demo', '--scale', '60', '--activities', '600000000']);
  assert.equal(tooMany.code, 1);
  assert.match(tooMany.err, /activities must be between 0 .* and 500000000/);
  const d = rapport(['demo', '--scale', '60', '--activities', '1500'], { RAPPORT_DEMO_PASSWORD: 'demo-pass-123' });
  assert.equal(d.code, 0, d.err);
  assert.match(d.err, /60 contacts, \d+ leads, \d+ deals, 1500 activities/);
  assert.notEqual(rapport(['demo', '--scale', '60']).code, 0, 'demo data is loaded once');
  assert.notEqual(rapport(['demo', '--scale', '0']).code, 0);
  // SQLite: a copy of the file; PostgreSQL: a pg_dump archive (restored
  // and served in backup.test.mjs)
  const copy = path.join(dir, PG_DIR ? 'copy.dump' : 'copy.db');
  const b = rapport(['backup', copy]);
  assert.equal(b.code, 0, b.err);
  assert.ok(fs.statSync(copy).size > (PG_DIR ? 20_000 : 100_000));
  assert.notEqual(rapport(['backup', copy]).code, 0, 'an existing file is not overwritten');
  assert.match(b.err, /copy\.(db|dump) is consistent/, 'a backup is checked once written');
  if (PG_DIR) {
    assert.equal(fs.readFileSync(copy).subarray(0, 5).toString(), 'PGDMP');
    return;
  }
  const users = rapport(['user', 'list'], { RAPPORT_DB: copy });
  assert.match(users.out, /@demo\.rapport\.test/, 'the backup holds the demo users');
});

test('migrate moves a search index shared by all entities into one index per entity', { skip: PG_DIR ? 'SQLite\'s FTS5 tables (PostgreSQL keeps one index)' : false }, async () => {
  // the demo database above, made as schema 7 had it: one FTS5 table, each
  // row keyed by its entity's code << 40 | the record's id
  const old = path.join(fs.mkdtempSync(path.join(dir, 'old-')), 't.db');
  assert.equal(rapport(['backup', old]).code, 0);
  const sql = (text) => {
    const r = spawnSync('sqlite3', [old, text], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  const codes = { users: 1, accounts: 4, contacts: 5, leads: 6, deals: 9, activities: 10, products: 11 };
  const before = Object.fromEntries(Object.keys(codes).map((e) => [e, sql(`SELECT count(*) FROM search_${e}`)]));
  assert.ok(Number(before.contacts) >= 60 && Number(before.activities) > 0, JSON.stringify(before));
  let back = "CREATE VIRTUAL TABLE search_index USING fts5 (body, tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3 4 5');";
  for (const [e, code] of Object.entries(codes))
    back += `INSERT INTO search_index (rowid, body) SELECT rowid + ${2 ** 40 * code}, body FROM search_${e}; DROP TABLE search_${e};`;
  // and without what later migrations add (009: auth_version, 011:
  // import_changes.version, 012 and 013: the backlogs)
  const triggers = sql("SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name LIKE '%_auth_%'").split('\n');
  back += triggers.map((t) => `DROP TRIGGER ${t};`).join('') + 'DROP TABLE auth_version;'
    + 'ALTER TABLE import_changes DROP COLUMN version;'
    + 'DROP TABLE search_backlog; DROP TABLE dedup_backlog;';
  sql(back + 'DELETE FROM schema_migrations WHERE version >= 8;');
  const m = runRapport(['migrate'], { db: old });
  assert.equal(m.code, 0, m.err);
  assert.equal(sql("SELECT count(*) FROM sqlite_schema WHERE name = 'search_index'"), '0');
  for (const e of Object.keys(codes)) assert.equal(sql(`SELECT count(*) FROM search_${e}`), before[e], `${e}'s search rows moved`);
  const [id, name] = sql("SELECT id, name FROM contacts WHERE deleted_at IS NULL ORDER BY id DESC LIMIT 1").split('|');
  const srv = await startServer({ dir: path.dirname(old), adminPassword });
  try {
    const s = srv.as(await srv.login(srv.adminEmail, adminPassword));
    const r = await s.get(`${API}/search?q=${encodeURIComponent(name)}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(JSON.stringify(r.json).includes(`"id":${id}`), `the search finds contact ${id} (${name}): ${r.text.slice(0, 300)}`);
    const list = await s.get(`${API}/contacts?q=${encodeURIComponent(name)}&fields=id`);
    assert.ok(list.json.data.some((c) => c.id === Number(id)), 'a list filtered by q= finds it too');
    const made = await s.post(`${API}/accounts`, { name: 'Migrated Search Holdings' });
    assert.equal(made.status, 201, made.text);
    const found = await s.get(`${API}/search?q=migrated`);
    assert.ok(JSON.stringify(found.json).includes(`"id":${made.json.id}`), 'a record written after the move is found');
  } finally {
    await srv.stop();
  }
  assert.equal(runRapport(['check'], { db: old }).code, 0);
  // an entity of global search without its index (as one added in a
  // later version would be) gets it at the next start
  sql('DROP TABLE search_products');
  assert.equal(runRapport(['migrate'], { db: old }).code, 0);
  assert.equal(sql("SELECT count(*) FROM sqlite_schema WHERE name = 'search_products'"), '1');
  assert.equal(runRapport(['check'], { db: old }).code, 0);
});

test('check and backup --verify find damaged pages, dangling references and a damaged search index', { skip: PG_DIR ? 'SQLite files (PostgreSQL has its own checks)' : false }, () => {
  const live = rapport(['check']);
  assert.equal(live.code, 0, live.err);
  assert.match(live.err, /is consistent/);
  const sql = (file, text) => {
    const r = spawnSync('sqlite3', [file, text], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  };
  const damaged = (name, harm) => {
    const f = path.join(dir, name);
    assert.equal(rapport(['backup', f]).code, 0);
    harm(f);
    return runRapport(['backup', '--verify', f], { db: f });
  };
  const pages = damaged('pages.db', (f) => {
    const fd = fs.openSync(f, 'r+'); // the headers of pages 3 to 12
    for (let page = 3; page <= 12; page++) fs.writeSync(fd, Buffer.alloc(12, 0x5a), 0, 12, (page - 1) * 4096);
    fs.closeSync(fd);
  });
  assert.equal(pages.code, 1, pages.err);
  assert.match(pages.err, /integrity check failed|malformed|damaged/);
  const refs = damaged('refs.db', (f) => sql(f, 'PRAGMA foreign_keys=OFF; UPDATE contacts SET account_id=987654 WHERE id=(SELECT min(id) FROM contacts WHERE account_id IS NOT NULL);'));
  assert.equal(refs.code, 1, refs.err);
  assert.match(refs.err, /contacts \d+ refers to a record of accounts that does not exist/);
  // an activity's link is two columns no foreign key covers
  const links = damaged('links.db', (f) => sql(f, "INSERT INTO activities (type, subject, related_type, related_id, created_at, updated_at, version)"
    + " VALUES ('call', 'About nobody', 'contacts', 987654, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 1);"));
  assert.equal(links.code, 1, links.err);
  assert.match(links.err, /activities \d+ refers to a record of contacts that does not exist/);
  const search = damaged('search.db', (f) => sql(f, 'DELETE FROM search_contacts_content WHERE id=(SELECT max(id) FROM search_contacts_content);'));
  assert.equal(search.code, 1, search.err);
  assert.match(search.err, /search index is damaged/);
  const missing = runRapport(['backup', '--verify', path.join(dir, 'none.db')], { db: db });
  assert.equal(missing.code, 1);
  assert.match(missing.err, /does not exist/);
});
