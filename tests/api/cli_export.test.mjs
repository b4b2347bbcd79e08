// cli_export.test.mjs — `rapport export ENTITY` to a file or stdout (as
// the first admin or --user), and the full backup: export --all, import
// --all into a fresh database, export --all again gives the same files
// (only the manifest's created_at differs), and a server on the restored
// database shows the same records, search and history, and lets the
// admin sign in. A damaged backup or a non-empty target is refused with
// nothing written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  API, PG_DIR, startServer, randomPassword, create, makeUser, listAll, expectStatus, runRapport,
} from './lib/server.mjs';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-backup-'));
const dirA = path.join(root, 'a'); // the original (startServer uses t.db in it)
const dirB = path.join(root, 'b'); // the restored copy
for (const d of [dirA, dirB]) fs.mkdirSync(d);
const dbA = path.join(dirA, 't.db');
const dbB = path.join(dirB, 't.db');
const adminPassword = randomPassword();
const S = {};
after(() => { if (!process.env.RAPPORT_KEEP_TMP) fs.rmSync(root, { recursive: true, force: true }); });

const rapport = (args, { db = dbA, env = {}, binary = false } = {}) =>
  runRapport(args, { db, adminPassword, env, binary, timeout: 120_000 });

const readDir = (d) => Object.fromEntries(fs.readdirSync(d).sort().map((f) => [f, fs.readFileSync(path.join(d, f), 'utf8')]));

// The same files, whatever the manifest's created_at.
function assertSameBackup(dirX, dirY, what) {
  const x = readDir(dirX);
  const y = readDir(dirY);
  assert.deepEqual(Object.keys(y), Object.keys(x), what);
  for (const f of Object.keys(x)) {
    if (f === 'manifest.json') continue;
    assert.equal(y[f], x[f], `${f} differs ${what}`);
  }
  const [mx, my] = [JSON.parse(x['manifest.json']), JSON.parse(y['manifest.json'])];
  delete mx.created_at;
  delete my.created_at;
  assert.deepEqual(my, mx, `the manifests differ in more than created_at ${what}`);
}

before(async () => {
  assert.equal(rapport(['init']).code, 0);
  const srv = await startServer({ dir: dirA, adminPassword });
  try {
    const s = await srv.login('admin@example.com', adminPassword);
    const admin = srv.as(s);
    const ctx = { admin, server: srv };
    expectStatus(await admin.post(`${API}/meta/contacts/fields`, { name: 'loyalty', type: 'enum', options: ['gold', 'silver'] }), 201);
    expectStatus(await admin.post(`${API}/meta/accounts/fields`, { name: 'rating', type: 'number' }), 201);
    S.team = await create(admin, 'teams', { name: 'Backup Team' });
    S.sales = await makeUser(ctx, { role: 'sales', team_id: S.team.id, name: 'Backup Sales', email: 'bsales@example.com' });
    S.acc = await create(admin, 'accounts', { name: '上海众诚物流', rating: 4.25, team_id: S.team.id });
    S.c1 = await create(admin, 'contacts', { name: '王小明', email: 'wang@example.cn', account_id: S.acc.id, tags: ['vip'], loyalty: 'gold', owner_id: S.sales.user.id, team_id: S.team.id });
    S.c2 = await create(admin, 'contacts', { name: 'Иван Петров', email: 'ivan@example.ru', title: 'Директор, "ООО"' });
    S.c3 = await create(admin, 'contacts', { name: 'Deleted Person', email: 'gone@example.com' });
    expectStatus(await admin.patch(`${API}/contacts/${S.c2.id}`, { title: 'Генеральный директор' }), 200);
    expectStatus(await admin.del(`${API}/contacts/${S.c3.id}`), 204);
    await create(admin, 'deals', { name: 'Backup Deal', amount: 990000, account_id: S.acc.id, contact_id: S.c1.id });
    await create(admin, 'activities', { type: 'call', subject: 'Backup call', related_type: 'contacts', related_id: S.c1.id });
    await create(admin, 'saved_views', { name: 'My VIPs', entity: 'contacts', query: 'tags=vip' });
    await create(admin, 'tags', { name: 'vip', color: '#f00' });
    assert.equal(rapport(['token', 'create', '--user', 'admin@example.com', '--name', 'ci']).code, 0);
    // what the restored server must show again
    S.contacts = await listAll(admin, `${API}/contacts?limit=500`);
    S.bin = await listAll(admin, `${API}/contacts?deleted=true`);
    S.history = (await admin.get(`${API}/contacts/${S.c2.id}/history`)).json;
    S.search = (await admin.get(`${API}/search?q=${encodeURIComponent('小明')}`)).json;
    // words of three letters or more: on PostgreSQL found through the
    // search terms, which a restore builds after the rows
    S.searchWords = (await admin.get(`${API}/search?q=${encodeURIComponent('Петров Ива')}`)).json;
    S.accounts = await listAll(admin, `${API}/accounts?limit=500`);
  } finally {
    await srv.stop();
  }
});

test('export ENTITY writes a file (format from --format or the extension), as the admin or --user', () => {
  const out = path.join(root, 'contacts.csv');
  const r = rapport(['export', 'contacts', '--format', 'csv', '-o', out, '--fields', 'name,email', '--sort', '-name', '--filter', 'email[contains]=example']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /exported 2 contacts/);
  const lines = fs.readFileSync(out, 'utf8').split('\r\n');
  assert.deepEqual(lines, ['id,name,email', `${S.c1.id},王小明,wang@example.cn`, `${S.c2.id},Иван Петров,ivan@example.ru`, '']);
  const mine = rapport(['export', 'contacts', '--user', 'bsales@example.com', '--fields', 'name', '--bom']);
  assert.equal(mine.code, 0, mine.err);
  assert.equal(mine.out, `\ufeffid,name\r\n${S.c1.id},王小明\r\n`, 'a sales user exports only their own team\'s contacts');
  const x = path.join(root, 'deals.xlsx');
  assert.equal(rapport(['export', 'deals', '-o', x]).code, 0);
  assert.equal(fs.readFileSync(x).subarray(0, 2).toString(), 'PK');
  const upper = path.join(root, 'DEALS.XLSX');
  assert.equal(rapport(['export', 'deals', '-o', upper]).code, 0);
  assert.equal(fs.readFileSync(upper).subarray(0, 2).toString(), 'PK', 'an extension in capitals picks the format too');
  const v = rapport(['export', 'contacts', '--format', 'vcf', '--filter', `id=${S.c1.id}`]);
  assert.equal(v.code, 0, v.err);
  assert.match(v.out, /^BEGIN:VCARD\r\nVERSION:4\.0\r\n[\s\S]*FN:王小明\r\n[\s\S]*ORG:上海众诚物流\r\n[\s\S]*END:VCARD\r\n$/);
  const deleted = rapport(['export', 'contacts', '--deleted', '--fields', 'name']);
  assert.match(deleted.out, /Deleted Person/);
});

test('export: bad arguments are refused with a reason; --help documents it', () => {
  const h = rapport(['export', '--help']);
  assert.equal(h.code, 0);
  for (const w of ['csv|xlsx|vcf', '--format', '--filter', '--fields', '--sort', '--bom', '-o', '--user', '--all DIR']) {
    assert.ok(h.err.includes(w), `export --help does not mention ${w}`);
  }
  assert.match(rapport(['--help']).err, /import [^\n]*--all DIR/);
  assert.equal(rapport(['export', 'contacts', '--format', 'pdf']).code, 2);
  assert.equal(rapport(['export', 'nothing']).code, 2);
  const f = rapport(['export', 'contacts', '--filter', 'nosuch=1']);
  assert.equal(f.code, 1);
  assert.match(f.err, /nosuch/);
  const vd = rapport(['export', 'deals', '--format', 'vcf']);
  assert.equal(vd.code, 1);
  assert.match(vd.err, /contacts and leads/);
  assert.equal(rapport(['export', 'contacts', '--user', 'nobody@example.com']).code, 1);
  const target = path.join(root, 'never.csv');
  assert.equal(rapport(['export', 'contacts', '--filter', 'nosuch=1', '-o', target]).code, 1);
  assert.ok(!fs.existsSync(target), 'a failed export leaves no file');
});

test('export --all, import --all into a new database, export --all again: the same files', async () => {
  const bk1 = path.join(root, 'bk1');
  const bk2 = path.join(root, 'bk2');
  const e1 = rapport(['export', '--all', bk1]);
  assert.equal(e1.code, 0, e1.err);
  const files = readDir(bk1);
  const manifest = JSON.parse(files['manifest.json']);
  assert.equal(manifest.format, 'rapport-backup');
  assert.ok(manifest.schema_version >= 1);
  const order = manifest.load_order.map((x) => x.name);
  for (const n of ['custom_fields', 'users', 'roles', 'teams', 'pipelines', 'stages', 'saved_views', 'tags', 'contacts', 'audit_log', 'api_tokens']) {
    assert.ok(order.includes(n), `the manifest has no ${n}`);
    assert.ok(files[`${n}.jsonl`] !== undefined, `no ${n}.jsonl`);
  }
  assert.equal(order[0], 'custom_fields', 'definitions load first');
  for (const e of manifest.load_order) assert.equal(files[e.file].split('\n').filter(Boolean).length, e.count, `count of ${e.name}`);
  assert.match(files['users.jsonl'], /"password":"\$argon2id\$/, 'password hashes are kept');
  const gone = files['contacts.jsonl'].split('\n').filter(Boolean).map(JSON.parse).find((r) => r.id === S.c3.id);
  assert.ok(gone && gone.deleted_at, 'the recycle bin is in the backup');
  assert.match(files['contacts.jsonl'], /"loyalty":"gold"/);
  assert.match(files['custom_fields.jsonl'], /"name":"rating"/);

  const i = rapport(['import', '--all', bk1], { db: dbB });
  assert.equal(i.code, 0, i.err);
  assert.match(i.err, /restored \d+ records/);
  const e2 = rapport(['export', '--all', bk2], { db: dbB });
  assert.equal(e2.code, 0, e2.err);
  assertSameBackup(bk1, bk2, 'after the round trip');

  // a database that holds data is refused, and left as it was
  const twice = rapport(['import', '--all', bk1], { db: dbB });
  assert.equal(twice.code, 1);
  assert.match(twice.err, /already holds data/);
  // one that only `init` has touched takes the backup instead of its own rows
  const dbC = path.join(root, 'c.db');
  assert.equal(rapport(['init'], { db: dbC }).code, 0);
  const c = rapport(['import', '--all', bk1], { db: dbC });
  assert.equal(c.code, 0, c.err);
});

test('a backup moves a team between the stores: PostgreSQL to SQLite and back, the same files',
  { skip: PG_DIR ? false : 'needs the PostgreSQL run (make api-pg)' }, () => {
    const bk1 = path.join(root, 'cross1');
    assert.equal(rapport(['export', '--all', bk1]).code, 0);
    // to a SQLite file: the URL of the run is overridden with a path
    const lite = path.join(root, 'cross.db');
    const toLite = rapport(['import', '--all', bk1], { env: { RAPPORT_DB: lite } });
    assert.equal(toLite.code, 0, toLite.err);
    const bk2 = path.join(root, 'cross2');
    const fromLite = rapport(['export', '--all', bk2], { env: { RAPPORT_DB: lite } });
    assert.equal(fromLite.code, 0, fromLite.err);
    assertSameBackup(bk1, bk2, 'after PostgreSQL -> SQLite');
    assert.equal(rapport(['check'], { env: { RAPPORT_DB: lite } }).code, 0, 'rapport check of the SQLite copy');
    // and from SQLite into a new PostgreSQL database
    const dbE = path.join(root, 'e.db');
    const toPg = rapport(['import', '--all', bk2], { db: dbE });
    assert.equal(toPg.code, 0, toPg.err);
    const bk3 = path.join(root, 'cross3');
    assert.equal(rapport(['export', '--all', bk3], { db: dbE }).code, 0);
    assertSameBackup(bk1, bk3, 'after SQLite -> PostgreSQL');
  });

test('a damaged backup is refused and nothing is written', () => {
  const bad = path.join(root, 'bad');
  fs.cpSync(path.join(root, 'bk1'), bad, { recursive: true });
  const dbD = path.join(root, 'd.db');
  const lines = fs.readFileSync(path.join(bad, 'contacts.jsonl'), 'utf8').split('\n').filter(Boolean);
  fs.writeFileSync(path.join(bad, 'contacts.jsonl'), `${lines.slice(1).join('\n')}\n`);
  let r = rapport(['import', '--all', bad], { db: dbD });
  assert.equal(r.code, 1);
  assert.match(r.err, /contacts\.jsonl holds \d+ rows but the manifest says \d+/);
  fs.writeFileSync(path.join(bad, 'contacts.jsonl'), `${lines.map((l, k) => (k === 1 ? l.replace('"name":', '"nom":') : l)).join('\n')}\n`);
  r = rapport(['import', '--all', bad], { db: dbD });
  assert.equal(r.code, 1);
  assert.match(r.err, /contacts\.jsonl line 2: contacts has no field nom/);
  fs.writeFileSync(path.join(bad, 'contacts.jsonl'), `${lines.map((l, k) => (k === 1 ? l.replace(/"name":"[^"]*"/, '"name":null') : l)).join('\n')}\n`);
  r = rapport(['import', '--all', bad], { db: dbD });
  assert.equal(r.code, 1);
  assert.match(r.err, /contacts\.jsonl line 2: contacts has no name/);
  fs.writeFileSync(path.join(bad, 'contacts.jsonl'), `${lines.map((l, k) => (k === 0 ? l.replace(/"account_id":\d+/, '"account_id":99999') : l)).join('\n')}\n`);
  r = rapport(['import', '--all', bad], { db: dbD });
  assert.equal(r.code, 1);
  // checked once everything is loaded, and named by its file and line
  assert.match(r.err, /contacts\.jsonl line 1: contacts \d+ refers to a record of accounts that does not exist/);
  fs.writeFileSync(path.join(bad, 'contacts.jsonl'), `${lines.join('\n')}\n`);
  // an activity's link names its table in a column: no foreign key sees it
  const acts = fs.readFileSync(path.join(bad, 'activities.jsonl'), 'utf8');
  assert.match(acts, /"related_type":"contacts","related_id":\d+/);
  fs.writeFileSync(path.join(bad, 'activities.jsonl'), acts.replace(/"related_id":\d+/, '"related_id":99999'));
  r = rapport(['import', '--all', bad], { db: dbD });
  assert.equal(r.code, 1, 'an activity linked to a missing contact is restored');
  const actLine = acts.split('\n').findIndex((l) => /"related_id":\d+/.test(l)) + 1;
  assert.match(r.err, new RegExp(`activities\\.jsonl line ${actLine}: activities \\d+ refers to a record of contacts that does not exist`));
  fs.writeFileSync(path.join(bad, 'activities.jsonl'), acts);
  // a row the database refuses (an id twice): on PostgreSQL rows are
  // written many to a statement, and the problem names their lines
  const twice = lines.map((l, k) => (k === 2 ? l.replace(/^\{"id":\d+/, lines[0].match(/^\{"id":\d+/)[0]) : l));
  assert.notEqual(twice[2], lines[2], 'the third row now has the first one\'s id');
  fs.writeFileSync(path.join(bad, 'contacts.jsonl'), `${twice.join('\n')}\n`);
  r = rapport(['import', '--all', bad], { db: dbD });
  assert.equal(r.code, 1);
  assert.match(r.err, /contacts\.jsonl (line 3|lines 1-\d+):/);
  fs.writeFileSync(path.join(bad, 'contacts.jsonl'), `${lines.join('\n')}\n`);
  fs.rmSync(path.join(bad, 'manifest.json'));
  r = rapport(['import', '--all', bad], { db: dbD });
  assert.equal(r.code, 1);
  assert.match(r.err, /not a finished backup/);
  // after six failed imports the database holds nothing
  const empty = path.join(root, 'empty');
  assert.equal(rapport(['export', '--all', empty], { db: dbD }).code, 0);
  for (const e of JSON.parse(fs.readFileSync(path.join(empty, 'manifest.json'), 'utf8')).load_order) {
    assert.equal(e.count, 0, `${e.name} has rows after a failed import`);
  }
});

test('a server on the restored database shows the same records and lets the admin in', async () => {
  const srv = await startServer({ dir: dirB, adminPassword: 'not-used-any-more' });
  try {
    const s = await srv.login('admin@example.com', adminPassword);
    assert.equal(s.status, 200, 'the admin signs in with the original password');
    const admin = srv.as(s);
    assert.deepEqual(await listAll(admin, `${API}/contacts?limit=500`), S.contacts);
    assert.deepEqual(await listAll(admin, `${API}/contacts?deleted=true`), S.bin);
    assert.deepEqual(await listAll(admin, `${API}/accounts?limit=500`), S.accounts);
    assert.deepEqual((await admin.get(`${API}/contacts/${S.c2.id}/history`)).json, S.history);
    assert.deepEqual((await admin.get(`${API}/search?q=${encodeURIComponent('小明')}`)).json, S.search);
    assert.ok(S.search.data.length > 0, 'search found 王小明 before the backup');
    assert.deepEqual((await admin.get(`${API}/search?q=${encodeURIComponent('Петров Ива')}`)).json, S.searchWords);
    assert.ok(S.searchWords.data.length > 0, 'search found Иван Петров before the backup');
    const sales = await srv.login('bsales@example.com', S.sales.password);
    assert.equal(sales.status, 200, 'other users keep their passwords');
    const created = await create(admin, 'contacts', { name: 'After Restore' });
    assert.ok(created.id > S.c3.id, 'new ids continue after the restored ones');
  } finally {
    await srv.stop();
  }
});
