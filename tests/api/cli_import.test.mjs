// cli_import.test.mjs — `rapport import` in the shell: --help, a dry run
// that writes nothing, a run with a mapping file and a template, a
// summary naming the rejected rows' file, --undo, --user, and usage
// errors; checked through a server started on the same database.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { API, PG_DIR, startServer, randomPassword, runRapport } from './lib/server.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-cli-import-'));
const db = path.join(dir, 't.db'); // the name startServer uses in dir
const adminPassword = randomPassword();
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const rapport = (args, env = {}) => runRapport(args, { db, adminPassword, env });

function file(name, text) {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

async function withServer(fn) {
  const srv = await startServer({ dir, adminPassword });
  try {
    const s = await srv.login(srv.adminEmail, adminPassword);
    return await fn(srv.as(s));
  } finally {
    await srv.stop();
  }
}

const csv = 'Nom,Courriel,Société,Tags\r\n'
  + 'Жанна Дарк,jeanne@example.fr,Орлеан,cli\r\n'
  + 'Bad Mail,not-mail,,cli\r\n'
  + '张伟,zhang.wei@example.cn,深圳测试有限公司,cli\r\n';

test('--help documents the command; usage errors exit 2', () => {
  assert.equal(rapport(['init']).code, 0);
  const h = rapport(['import', '--help']);
  assert.equal(h.code, 0);
  for (const w of ['--dry-run', '--map', '--strategy', '--country', '--undo', '--all', 'XLSX']) assert.ok(h.err.includes(w), `help mentions ${w}`);
  assert.equal(rapport(['import']).code, 2);
  const notId = rapport(['import', '--undo', 'abc']);
  assert.equal(notId.code, 2);
  assert.match(notId.err, /--undo takes the number of an import, not 'abc'/);
  assert.equal(rapport(['import', 'contacts']).code, 2);
  assert.notEqual(rapport(['import', 'nothing', file('x.csv', 'a\r\n1\r\n')]).code, 0);
  const binary = rapport(['import', 'contacts', file('binary.csv', Buffer.from([0, 1, 2, 0, 98, 105, 110]))]);
  assert.equal(binary.code, 1);
  assert.equal(binary.err.match(/binary data, not CSV text/g).length, 1, `the reason said once: ${binary.err}`);
  const missing = rapport(['import', 'contacts', path.join(dir, 'missing.csv')]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.err, /cannot read/);
});

test('a dry run with a mapping file writes nothing; the run does, and names its rejected rows; --undo takes it back', async () => {
  const data = file('people.csv', csv);
  const map = file('map.json', JSON.stringify({ Nom: 'name', Courriel: 'email', 'Société': 'account', Tags: 'tags' }));
  const dry = rapport(['import', 'contacts', data, '--map', map, '--dry-run']);
  assert.equal(dry.code, 0, dry.err);
  assert.match(dry.err, /3 rows, 2 created, 0 updated, 0 merged, 0 skipped, 1 rejected/);
  assert.match(dry.err, /dry run: nothing written/);
  assert.match(dry.err, /\n {2}row 3: rejected: email: [^\n]+\n/, 'a dry run names the rows it would not create, and why');
  assert.match(dry.err, /the file read as UTF-8, separated by ","; its columns:\n {2}Nom -> name {3}e\.g\. Жанна Дарк \| Bad Mail \| 张伟\n {2}Courriel -> email {3}e\.g\. jeanne@example\.fr \| not-mail/,
    'a dry run shows where each column goes, with its first values');
  assert.equal(dry.err.match(/100%/g).length, 1, 'the progress bar ends once');
  await withServer(async (admin) => {
    const r = await admin.get(`${API}/contacts?tags[contains]=cli`);
    assert.equal(r.json.data.length, 0, 'a dry run wrote contacts');
  });

  const run = rapport(['import', 'contacts', data, '--map', map]);
  assert.equal(run.code, 0, run.err);
  assert.match(run.err, /2 created/);
  const rejects = run.err.match(/rejected rows and why: (\S+)/);
  assert.ok(rejects, run.err);
  assert.match(fs.readFileSync(rejects[1], 'utf8'), /^\uFEFFrow,reason,Nom,Courriel,Société,Tags\r\n3,email: /,
    'the rejects file starts with a BOM, so Excel opens it as UTF-8');
  assert.ok(fs.existsSync(data), 'the user\'s file stays where it was');
  const id = run.err.match(/import (\d+) done/)[1];
  await withServer(async (admin) => {
    const r = await admin.get(`${API}/contacts?tags[contains]=cli&sort=id`);
    assert.deepEqual(r.json.data.map((c) => c.name), ['Жанна Дарк', '张伟']);
    const acc = await admin.get(`${API}/accounts/${r.json.data[1].account_id}`);
    assert.equal(acc.json.name, '深圳测试有限公司');
    const imp = await admin.get(`${API}/imports/${id}`);
    assert.equal(imp.json.status, 'done');
  });
  const undo = rapport(['import', '--undo', id]);
  assert.equal(undo.code, 0, undo.err);
  assert.notEqual(rapport(['import', '--undo', id]).code, 0, 'an import is undone once');
  await withServer(async (admin) => {
    const r = await admin.get(`${API}/contacts?tags[contains]=cli`);
    assert.equal(r.json.data.length, 0);
  });
});

test('an import that came with a restore cannot be undone, and says why', () => {
  const run = rapport(['import', 'contacts', file('restored.csv', 'Name,Email\r\nRestored One,restored.one@example.com\r\n')]);
  assert.equal(run.code, 0, run.err);
  const id = run.err.match(/import (\d+) done/)[1];
  const backup = path.join(dir, 'backup');
  assert.equal(rapport(['export', '--all', backup]).code, 0);
  const other = path.join(dir, 'restored.db');
  const again = (args) => runRapport(args, { db: other, adminPassword });
  assert.equal(again(['import', '--all', backup]).code, 0);
  const undo = again(['import', '--undo', id]);
  assert.notEqual(undo.code, 0);
  assert.match(undo.err, /restored from a backup\): nothing can be undone/);
  assert.equal(rapport(['import', '--undo', id]).code, 0, 'the database it ran in still can');
});

test('a dry run reports a row repeating one 100 rows before as the run then does it', () => {
  let csv = 'Name,Email\r\n';
  for (let i = 0; i < 100; i++) csv += `Dry ${i},dry${i}@example.com\r\n`;
  csv += 'Dry Again,DRY5@example.com\r\n';
  const f = file('dry-far.csv', csv);
  const dry = rapport(['import', 'contacts', f, '--dry-run']);
  assert.match(dry.err, /101 rows, 100 created, 1 updated/, dry.err);
  const run = rapport(['import', 'contacts', f]);
  assert.match(run.err, /101 rows, 100 created, 1 updated/, run.err);
});

test('a dry run reports rows repeating ones more than a batch before as the run does them', () => {
  let csv = 'Name,Email\r\n';
  for (let i = 0; i < 4100; i++) csv += `Far ${i},far${i}@example.com\r\n`;
  csv += 'Far Again,FAR0@example.com\r\nFar 1,far1@example.com\r\n'; // changed; the same again
  const f = file('dry-farther.csv', csv);
  const dry = rapport(['import', 'contacts', f, '--dry-run']);
  assert.match(dry.err, /4102 rows, 4100 created, 1 updated, 0 merged, 1 skipped/, dry.err);
  const run = rapport(['import', 'contacts', f]);
  assert.match(run.err, /4102 rows, 4100 created, 1 updated, 0 merged, 1 skipped/, run.err);
});

test('a dry run matches a row of an earlier batch by name, alike name and phone as the run does, vetoes included', () => {
  let csv = 'Name,Email,Phone,Company\r\n'
    + 'Kim Anna,,,First Memo Co\r\n'
    + 'Zhukov Pavel,,,Memo Co\r\n'
    + 'Orlov Sergei,,,Memo Co\r\n'
    + 'Belov Ivan,bi1@memo.example,,Memo Co\r\n'
    + 'Phone One,p1@memo.example,+7 916 555-00-01,\r\n';
  for (let i = 5; i < 4000; i++) csv += `Fill ${i},fill${i}@memo.example,,\r\n`;
  // the next batch: its first company may get the id First Memo Co had
  csv += 'Kim Anna,,,Second Memo Co\r\n' // another company's Anna: new
    + 'Zhukov Pavel,zp@memo.example,,Memo Co\r\n' // the same name: updated
    + 'Orlov Sergey,,,Memo Co\r\n' // a name alike: updated
    + 'Belov Ivan,bi2@memo.example,,Memo Co\r\n' // another e-mail: a namesake, new
    + 'Phone Two,p2@memo.example,+7 916 555-00-01,\r\n'; // a shared phone, another e-mail: new
  const f = file('dry-names.csv', csv);
  const dry = rapport(['import', 'contacts', f, '--dry-run']);
  assert.equal(dry.code, 0, dry.err);
  assert.match(dry.err, /4005 rows, 4003 created, 2 updated, 0 merged, 0 skipped/, dry.err);
  assert.match(dry.err, /row 4003: update[^\n]*name/, dry.err);
  assert.match(dry.err, /row 4004: update[^\n]*name/, dry.err);
  const run = rapport(['import', 'contacts', f]);
  assert.match(run.err, /4005 rows, 4003 created, 2 updated, 0 merged, 0 skipped/, run.err);
});

test('a date column is read one way throughout: 25/12 in it makes 03/05 the 3rd of May', () => {
  for (const [who, first, ambiguous, want] of [['Uk', '25/12/1980', '03/05/1981', '1981-05-03'],
    ['Us', '12/25/1980', '03/05/1981', '1981-03-05']]) {
    const f = file(`dates-${who}.csv`, `Name,Email,Birthday\r\n${who} First,${who}.first@dates.example,${first}\r\n`
      + `${who} Second,${who}.second@dates.example,${ambiguous}\r\n`);
    const run = rapport(['import', 'contacts', f]);
    assert.equal(run.code, 0, run.err);
    const out = rapport(['export', 'contacts', '--fields', 'birthday', '--filter', `email=${who}.second@dates.example`]);
    assert.match(out.out, new RegExp(`,${want}\r\n$`), `${who}: ${out.out}`);
  }
});

test('a workbook whose first sheet is a cover page fails naming its other sheets; --sheet takes one', () => {
  const book = path.join(dir, 'cover.xlsx');
  const py = `
import sys, zipfile
def sheet(rows):
    cells = ''.join('<row r="%d">%s</row>' % (i + 1, ''.join('<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (chr(65 + j), i + 1, v) for j, v in enumerate(r))) for i, r in enumerate(rows))
    return '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>%s</sheetData></worksheet>' % cells
ct = '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
rels = '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
wb = '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Cover" sheetId="1" r:id="rId1"/><sheet name="Data" sheetId="2" r:id="rId2"/></sheets></workbook>'
wbrels = '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/></Relationships>'
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    z.writestr('[Content_Types].xml', ct); z.writestr('_rels/.rels', rels)
    z.writestr('xl/workbook.xml', wb); z.writestr('xl/_rels/workbook.xml.rels', wbrels)
    z.writestr('xl/worksheets/sheet1.xml', sheet([['Quarterly customers']]))
    z.writestr('xl/worksheets/sheet2.xml', sheet([['Name', 'Email'], ['Sheet Person', 'sheet.person@example.com']]))
`;
  const made = spawnSync('python3', ['-c', py, book], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const first = rapport(['import', 'contacts', book]);
  assert.equal(first.code, 1);
  assert.match(first.err, /first sheet has no rows under its header; its other sheets are Data: choose/, first.err);
  const data = rapport(['import', 'contacts', book, '--sheet', 'Data']);
  assert.equal(data.code, 0, data.err);
  assert.match(data.err, /1 row, 1 created/);
});

test('two databases in one folder keep their imports\' files apart', () => {
  const second = path.join(dir, 'second.db');
  assert.equal(runRapport(['init'], { db: second, adminPassword }).code, 0);
  const runs = [[db, 'First Bad'], [second, 'Second Bad']].map(([d, who]) => {
    const r = runRapport(['import', 'contacts', file(`${who}.csv`, `Name,Email\r\n${who},not-an-email\r\n`)],
      { db: d, adminPassword });
    assert.equal(r.code, 0, r.err);
    return { d, who, rejects: r.err.match(/rejected rows and why: (\S+)/)[1] };
  });
  assert.notEqual(path.dirname(runs[0].rejects), path.dirname(runs[1].rejects));
  for (const { d, who, rejects } of runs) {
    // beside a SQLite file, named after it; on PostgreSQL in the data
    // folder, named after the database
    if (!PG_DIR) assert.equal(path.dirname(rejects), `${d}-imports`);
    assert.match(fs.readFileSync(rejects, 'utf8'), new RegExp(`,${who},not-an-email`));
  }
});

test('--template takes a saved mapping; --user acts as that user and their permissions', async () => {
  let tplName;
  await withServer(async (admin) => {
    tplName = `Old CRM ${Date.now()}`;
    const t = await admin.post(`${API}/import_templates`, {
      name: tplName, entity: 'contacts', mapping: { Nom: 'name', Courriel: 'email', 'Société': '', Tags: 'tags' },
    });
    assert.equal(t.status, 201, t.text);
    const roles = await admin.get(`${API}/roles`);
    const ro = roles.json.data.find((r) => r.name === 'read-only');
    const u = await admin.post(`${API}/users`, { email: 'ro@example.com', name: 'RO', password: 'ro-password-1', role_id: ro.id });
    assert.equal(u.status, 201, u.text);
  });
  const data = file('tpl.csv', csv.replace(/cli/g, 'tpl'));
  const run = rapport(['import', 'contacts', data, '--template', tplName]);
  assert.equal(run.code, 0, run.err);
  await withServer(async (admin) => {
    const r = await admin.get(`${API}/contacts?tags[contains]=tpl&sort=id`);
    assert.equal(r.json.data.length, 2);
    assert.ok(r.json.data.every((c) => c.account_id === null), 'the template skips the company column');
  });
  assert.notEqual(rapport(['import', 'contacts', data, '--template', 'no such']).code, 0);
  const ro = rapport(['import', 'contacts', data, '--user', 'ro@example.com']);
  assert.notEqual(ro.code, 0);
  assert.match(ro.err, /may not/);
  assert.notEqual(rapport(['import', 'contacts', data, '--user', 'nobody@example.com']).code, 0);
});

test('a file naming thousands of companies links each row to its own company, however far apart its rows', async () => {
  // 2,400 companies, each on two rows 2,400 rows apart: more names than
  // the importer's first table of remembered accounts holds, so it grows
  // (and rehashes) while the rows link
  const n = 2400;
  let text = 'Name,Email,Company,Tags\r\n';
  for (let pass = 0; pass < 2; pass++)
    for (let i = 0; i < n; i++) text += `Person ${pass}-${i},p${pass}-${i}@memo.example,Memo Company ${i},memo\r\n`;
  const run = rapport(['import', 'contacts', file('memo.csv', text)]);
  assert.equal(run.code, 0, run.err);
  assert.match(run.err, new RegExp(`${2 * n} rows, ${2 * n} created`));
  await withServer(async (admin) => {
    const all = async (url) => {
      const rows = [];
      for (let cursor = null, page = 0; page < 100; page++) {
        const r = await admin.get(`${url}&limit=500${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(r.status, 200, r.text);
        rows.push(...r.json.data);
        if (!(cursor = r.json.next_cursor)) break;
      }
      return rows;
    };
    const accounts = await all(`${API}/accounts?name[prefix]=Memo%20Company&fields=id,name`);
    assert.equal(accounts.length, n, 'each company created once');
    const nameOf = new Map(accounts.map((a) => [a.id, a.name]));
    const contacts = await all(`${API}/contacts?tags[contains]=memo&fields=email,account_id`);
    assert.equal(contacts.length, 2 * n);
    const wrong = contacts.filter((c) => nameOf.get(c.account_id) !== `Memo Company ${c.email.match(/-(\d+)@/)[1]}`);
    assert.deepEqual(wrong.slice(0, 3), [], 'every row linked to the company it names');
  });
});

// A database of its own in a folder of its own (its imports folder too).
function freshDb(name) {
  const d = path.join(dir, name);
  fs.mkdirSync(d);
  const p = path.join(d, 't.db');
  assert.equal(runRapport(['init'], { db: p, adminPassword }).code, 0);
  return p;
}

// `rapport` on database db; fails the test unless it succeeds.
function on(db, args) {
  const r = runRapport(args, { db, adminPassword });
  assert.equal(r.code, 0, `rapport ${args.join(' ')}: ${r.err}`);
  return r;
}

// An export's rows without the id column (a new database numbers anew).
const withoutIds = (text) => text.split('\r\n').map((l) => l.replace(/^[^,]*,/, ''));

test('an export imports back into an empty database as it was: money in its currency\'s units, CSV and XLSX', () => {
  const a = freshDb('rt-a');
  const src = file('rt-deals.csv', 'Name,Amount,Currency\r\n'
    + 'Globex widgets,"$12,500.00",USD\r\n'
    + 'Umbrella vaccine,"¥1,000,000",JPY\r\n' // the sign is CNY's; the column says JPY
    + 'Seoul office,"5,000,000",krw\r\n'
    + 'Kuwait fils,0.125,KWD\r\n'
    + 'Default dollars,99.95,\r\n');
  on(a, ['import', 'deals', src]);
  const fields = ['--fields', 'name,amount,currency', '--sort', 'name'];
  const ea = path.join(dir, 'rt-a.csv');
  on(a, ['export', 'deals', ...fields, '-o', ea]);
  const first = fs.readFileSync(ea, 'utf8');
  assert.deepEqual(withoutIds(first), ['name,amount,currency', 'Default dollars,99.95,USD',
    'Globex widgets,12500.00,USD', 'Kuwait fils,0.125,KWD', 'Seoul office,5000000,KRW',
    'Umbrella vaccine,1000000,JPY', '']);

  const b = freshDb('rt-b');
  on(b, ['import', 'deals', ea]);
  const eb = path.join(dir, 'rt-b.csv');
  on(b, ['export', 'deals', ...fields, '-o', eb]);
  assert.deepEqual(withoutIds(fs.readFileSync(eb, 'utf8')), withoutIds(first), 'a CSV round trip changed the amounts');

  const xa = path.join(dir, 'rt-a.xlsx');
  on(a, ['export', 'deals', ...fields, '-o', xa]);
  const c = freshDb('rt-c');
  on(c, ['import', 'deals', xa]);
  const ec = path.join(dir, 'rt-c.csv');
  on(c, ['export', 'deals', ...fields, '-o', ec]);
  assert.deepEqual(withoutIds(fs.readFileSync(ec, 'utf8')), withoutIds(first), 'an XLSX round trip changed the amounts');
});

test('an export imports back as it was: formula-guarded text and tags; a rejects file re-imports without the guard', () => {
  const a = freshDb('rt-guard-a');
  const src = file('rt-people.csv', 'Name,Email,Phone,Title,Tags,Birthday\r\n'
    + 'Ann Formula,ann@example.com,+1 512 555 0100,"=HYPERLINK(""http://x"",""y"")","[""vip"",""a,b""]",\r\n'
    + 'Bob Plain,bob@example.com,,@home,[],\r\n'
    + 'Cy Rejected,cy@example.com,,-2+3,x,31.02.1980\r\n');
  const run = on(a, ['import', 'contacts', src]);
  assert.match(run.err, /2 created, .* 1 rejected/);
  const fields = ['--fields', 'name,email,phone,title,tags', '--sort', 'name'];
  const ea = path.join(dir, 'rt-guard-a.csv');
  on(a, ['export', 'contacts', ...fields, '-o', ea]);
  const first = fs.readFileSync(ea, 'utf8');
  assert.match(first, /,'\+1 512 555 0100,"'=HYPERLINK\(""http:\/\/x"",""y""\)","\[""vip"",""a,b""\]"\r\n/, first);
  assert.match(first, /,'@home,\[\]\r\n/, first);

  const b = freshDb('rt-guard-b');
  on(b, ['import', 'contacts', ea]);
  const eb = path.join(dir, 'rt-guard-b.csv');
  on(b, ['export', 'contacts', ...fields, '-o', eb]);
  assert.deepEqual(withoutIds(fs.readFileSync(eb, 'utf8')), withoutIds(first));

  // the rejected row, its guarded title and all, imported again without the bad date
  const rejects = fs.readFileSync(run.err.match(/rejected rows and why: (\S+)/)[1], 'utf8');
  assert.match(rejects, /,'-2\+3,/);
  const again = file('rt-rejects.csv', rejects);
  const map = file('rt-rejects-map.json', JSON.stringify({ row: '', reason: '', Birthday: '' }));
  on(a, ['import', 'contacts', again, '--map', map]);
  const ea2 = path.join(dir, 'rt-guard-a2.csv');
  on(a, ['export', 'contacts', '--fields', 'title', '--filter', 'email=cy@example.com', '-o', ea2]);
  assert.match(fs.readFileSync(ea2, 'utf8'), /^id,title\r\n\d+,'-2\+3\r\n$/, 'the title took the guard\'s quote');
});

test('text starting with a tab keeps it through an export\'s guard and back', () => {
  const a = freshDb('rt-tab-a');
  on(a, ['import', 'contacts', file('rt-tab.csv', 'Name,Email\r\nTab Person,tab@example.com\r\n')]);
  const fields = ['--fields', 'name,title', '--sort', 'name'];
  // a title that starts with a tab, as pasted from a spreadsheet
  const edit = path.join(dir, 'rt-tab-edit.csv');
  fs.writeFileSync(edit, 'Email,Title\r\ntab@example.com,"\'\tindented title"\r\n');
  on(a, ['import', 'contacts', edit]);
  const ea = path.join(dir, 'rt-tab-a.csv');
  on(a, ['export', 'contacts', ...fields, '-o', ea]);
  const first = fs.readFileSync(ea, 'utf8');
  assert.match(first, /,'\tindented title\r\n/, 'the guarded cell read back without its tab');
  const b = freshDb('rt-tab-b');
  on(b, ['import', 'contacts', ea]);
  const eb = path.join(dir, 'rt-tab-b.csv');
  on(b, ['export', 'contacts', ...fields, '-o', eb]);
  assert.deepEqual(withoutIds(fs.readFileSync(eb, 'utf8')), withoutIds(first));
});

test('an XLSX export imports back with its carriage returns, and text that looks like Excel\'s _xHHHH_ escape as written', () => {
  const a = freshDb('rt-cr-a');
  on(a, ['import', 'contacts', file('rt-cr.csv', 'Name,Email,Description\r\n'
    + 'Carrie Return,carrie@example.com,"first line\r\nsecond line"\r\n'
    + 'Lit Escape,lit@example.com,file_x000D_name and _x005F_ stay\r\n')]);
  const fields = ['--fields', 'name,description', '--sort', 'name'];
  const ca = path.join(dir, 'rt-cr-a.csv');
  on(a, ['export', 'contacts', ...fields, '-o', ca]);
  const first = fs.readFileSync(ca, 'utf8');
  assert.match(first, /"first line\r\nsecond line"/);
  assert.match(first, /file_x000D_name and _x005F_ stay/);
  const xa = path.join(dir, 'rt-cr-a.xlsx');
  on(a, ['export', 'contacts', ...fields, '-o', xa]);
  const b = freshDb('rt-cr-b');
  on(b, ['import', 'contacts', xa]);
  const cb = path.join(dir, 'rt-cr-b.csv');
  on(b, ['export', 'contacts', ...fields, '-o', cb]);
  assert.deepEqual(withoutIds(fs.readFileSync(cb, 'utf8')), withoutIds(first));
});

test('an export with links imports back into an empty database linked by name, not by the old database\'s ids', () => {
  const a = freshDb('rt-links-a');
  on(a, ['import', 'accounts', file('rt-links-acc.csv', 'Name\r\nFiller Co\r\nUmbrella Corp\r\n')]);
  on(a, ['import', 'contacts', file('rt-links-people.csv', 'Name,Email,Company\r\n'
    + 'Alice Link,alice@example.com,Umbrella Corp\r\nBob Link,bob@example.com,Filler Co\r\n')]);
  on(a, ['import', 'deals', file('rt-links-deals.csv', 'Name,Company,Contact,Stage\r\n'
    + 'Linked deal,Umbrella Corp,alice@example.com,Negotiation\r\n')]);
  // the new database holds Umbrella Corp alone: its ids are not the old ones
  const b = freshDb('rt-links-b');
  const ea = path.join(dir, 'rt-links-acc-a.csv');
  on(a, ['export', 'accounts', '--filter', 'name=Umbrella Corp', '-o', ea]);
  on(b, ['import', 'accounts', ea]);
  const back = (db, entity, fields, filter) => {
    const out = path.join(dir, `rt-links-${entity}-${path.basename(path.dirname(db))}.csv`);
    on(db, ['export', entity, '--fields', fields, '--filter', filter, '-o', out]);
    return withoutIds(fs.readFileSync(out, 'utf8')).join('\n');
  };
  for (const [entity, fields, filter] of [
    ['contacts', 'name,account_id,owner_id', 'email=alice@example.com'],
    ['deals', 'name,account_id,contact_id,stage_id,owner_id', 'name=Linked deal'],
  ]) {
    const ex = path.join(dir, `rt-links-${entity}.csv`);
    on(a, ['export', entity, '--filter', filter, '-o', ex]);
    const run = on(b, ['import', entity, ex]);
    assert.match(run.err, / 1 created, .* 0 rejected/, run.err);
    const want = back(a, entity, fields, filter);
    assert.match(want, /Umbrella Corp/);
    assert.equal(back(b, entity, fields, filter).replace(/,\d+,/g, ',#,'), want.replace(/,\d+,/g, ',#,'));
  }

  // activities name the record they are about: in b, Alice and the deal
  // have other ids than in a, and ids 1 are someone else
  const ids = (db, entity, filter) => {
    const out = path.join(dir, `rt-links-ids-${entity}.csv`);
    on(db, ['export', entity, '--fields', 'id', '--filter', filter, '-o', out]);
    return Number(fs.readFileSync(out, 'utf8').split('\r\n')[1]);
  };
  on(a, ['import', 'activities', file('rt-links-acts.csv', 'Type,Subject,related_type,related_id\r\n'
    + `call,Call Alice,contacts,${ids(a, 'contacts', 'email=alice@example.com')}\r\n`
    + `meeting,Deal review,deals,${ids(a, 'deals', 'name=Linked deal')}\r\n`)]);
  const c = freshDb('rt-links-c');
  on(c, ['import', 'contacts', file('rt-links-other.csv', 'Name,Email\r\nSomeone Else,else@example.com\r\n')]);
  on(c, ['import', 'deals', file('rt-links-other-deal.csv', 'Name\r\nAnother deal\r\n')]);
  for (const [entity, filter] of [['contacts', 'email=alice@example.com'], ['deals', 'name=Linked deal']]) {
    const ex = path.join(dir, `rt-links-c-${entity}.csv`);
    on(a, ['export', entity, '--filter', filter, '-o', ex]);
    on(c, ['import', entity, ex]);
  }
  const acts = path.join(dir, 'rt-links-acts-a.csv');
  on(a, ['export', 'activities', '-o', acts]);
  assert.match(fs.readFileSync(acts, 'utf8'), /related_id,related_name/, 'the export does not name the related record');
  const run = on(c, ['import', 'activities', acts]);
  assert.match(run.err, / 2 created, .* 0 rejected/, run.err);
  const related = (db) => {
    const out = path.join(dir, 'rt-links-acts-back.csv');
    on(db, ['export', 'activities', '--fields', 'subject,related_type,related_id', '--sort', 'subject', '-o', out]);
    return fs.readFileSync(out, 'utf8').trim().split('\r\n').slice(1).map((l) => l.split(',').slice(1));
  };
  assert.deepEqual(related(c), [
    ['Call Alice', 'contacts', String(ids(c, 'contacts', 'email=alice@example.com')), 'Alice Link'],
    ['Deal review', 'deals', String(ids(c, 'deals', 'name=Linked deal')), 'Linked deal'],
  ]);
  assert.deepEqual(related(a).map((r) => r[3]), ['Alice Link', 'Linked deal']);
});

test('a log of calls names whom each was with as people keep one: an e-mail (also "Name <mail>"), a name within the company column, or the company alone', () => {
  const db = freshDb('acts-people');
  on(db, ['import', 'contacts', file('acts-people.csv', 'Name,Email,Company\r\n'
    + 'Jane Doe,Jane.Doe@acme.example,Acme Inc\r\nJane Doe,jane@globex.example,Globex\r\nLi Na,lina@ali.example,\r\n')]);
  const dry = on(db, ['import', 'activities', file('acts-log.csv', 'Subject,Type,Date,Company,Contact Email\r\n'
    + 'Renewal call,call,2026-11-20,,LINA@ALI.EXAMPLE\r\n'
    + 'Lunch,meeting,2026-11-19,,Jane Doe <jane.doe@acme.example>\r\n'
    + 'Globex demo,meeting,2026-11-18,Globex,Jane Doe\r\n'
    + 'Site visit,meeting,2026-11-17,Acme Inc,\r\n'
    + 'Lost,call,2026-11-16,,nobody@nowhere.example\r\n'), '--dry-run']);
  assert.match(dry.err, /\n {2}Company -> related .*\n {2}Contact Email -> related /, dry.err);
  const run = on(db, ['import', 'activities', path.join(dir, 'acts-log.csv')]);
  assert.match(run.err, / 4 created, .* 1 rejected/, run.err);
  const rejects = fs.readFileSync(run.err.match(/rejected rows and why: (\S+)/)[1], 'utf8');
  assert.match(rejects, /\r\n6,"related_id: no contact, account, deal or lead named ""nobody@nowhere\.example""",Lost,/);
  const id = (entity, filter) => {
    const out = path.join(dir, `acts-id-${entity}.csv`);
    on(db, ['export', entity, '--fields', 'id', '--filter', filter, '-o', out]);
    return fs.readFileSync(out, 'utf8').split('\r\n')[1];
  };
  const out = path.join(dir, 'acts-back.csv');
  on(db, ['export', 'activities', '--fields', 'subject,related_type,related_id', '--sort', 'subject', '-o', out]);
  assert.deepEqual(fs.readFileSync(out, 'utf8').trim().split('\r\n').slice(1).map((l) => l.split(',').slice(1)), [
    ['Globex demo', 'contacts', id('contacts', 'email=jane@globex.example'), 'Jane Doe'],
    ['Lunch', 'contacts', id('contacts', 'email=Jane.Doe@acme.example'), 'Jane Doe'],
    ['Renewal call', 'contacts', id('contacts', 'email=lina@ali.example'), 'Li Na'],
    ['Site visit', 'accounts', id('accounts', 'name=Acme Inc'), 'Acme Inc'],
  ]);
});

test('tasks keep their status from the old system: done when done or due (else on import), open ones open; a status no system writes is rejected', () => {
  const db = freshDb('acts-status');
  const run = on(db, ['import', 'activities', file('acts-status.csv', 'Subject,Type,Due Date,Completed Date,Status\r\n'
    + 'Old call,call,2025-03-01 10:00,,Completed\r\n'
    + 'Closed early,call,2099-01-01,,COMPLETED\r\n'
    + 'Not yet,call,2026-12-01,,NOT_STARTED\r\n'
    + 'Russian,call,2025-01-01,,Выполнена\r\n'
    + 'Chinese,call,2025-01-01,,进行中\r\n'
    + 'Done then,call,2025-01-01,2025-01-03 12:00,Completed\r\n'
    + 'Unclear,call,2025-01-01,,Maybe\r\n'
    + 'Both,call,2025-01-01,2025-01-02,Open\r\n')]);
  assert.match(run.err, / 6 created, .* 2 rejected/, run.err);
  const rejects = fs.readFileSync(run.err.match(/rejected rows and why: (\S+)/)[1], 'utf8');
  assert.match(rejects, /\r\n8,"done_at: ""Maybe"" is not a task's status \(done or not\)",Unclear,/);
  assert.match(rejects, /\r\n9,"done_at: the task is ""Open"" but has a done date",Both,/);
  const out = path.join(dir, 'acts-status-back.csv');
  on(db, ['export', 'activities', '--fields', 'subject,due_at,done_at', '--sort', 'id', '-o', out]);
  const rows = fs.readFileSync(out, 'utf8').trim().split('\r\n').slice(1).map((l) => l.split(',').slice(1));
  const closedEarly = rows[1][2];
  assert.ok(closedEarly > '2026-' && closedEarly < '2099-', `a task done before it was due is done on import: ${closedEarly}`);
  rows[1][2] = 'on import';
  assert.deepEqual(rows, [
    ['Old call', '2025-03-01T10:00:00Z', '2025-03-01T10:00:00Z'],
    ['Closed early', '2099-01-01T00:00:00Z', 'on import'],
    ['Not yet', '2026-12-01T00:00:00Z', ''],
    ['Russian', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z'],
    ['Chinese', '2025-01-01T00:00:00Z', ''],
    ['Done then', '2025-01-01T00:00:00Z', '2025-01-03T12:00:00Z'],
  ]);
});

test('open stages as Salesforce, HubSpot and Bitrix24 name theirs land in the closest of ours; a stage\'s name in other letters or spacing is found', () => {
  const db = freshDb('open-stages');
  const run = on(db, ['import', 'deals', file('open-stages.csv', 'Opportunity Name,Stage\r\n'
    + 'SF negotiation,Negotiation/Review\r\n'
    + 'SF quote,Proposal/Price Quote\r\n'
    + 'SF value,Value Proposition\r\n'
    + 'HS contract,contractsent\r\n'
    + 'HS appointment,Appointment Scheduled\r\n'
    + 'Lower case,qualification\r\n'
    + 'Bitrix,Переговоры\r\n'
    + 'Unheard of,Frobnication\r\n')]);
  assert.match(run.err, / 7 created, .* 1 rejected/, run.err);
  const rejects = fs.readFileSync(run.err.match(/rejected rows and why: (\S+)/)[1], 'utf8');
  assert.match(rejects, /\r\n9,"stage_id: no stage named ""Frobnication""",Unheard of,/);
  const out = path.join(dir, 'open-stages-back.csv');
  on(db, ['export', 'deals', '--fields', 'name,stage_id', '--sort', 'id', '-o', out]);
  assert.deepEqual(fs.readFileSync(out, 'utf8').trim().split('\r\n').slice(1).map((l) => l.split(',').slice(1).filter((v, i) => i !== 1)), [
    ['SF negotiation', 'Negotiation'], ['SF quote', 'Proposal'], ['SF value', 'Proposal'],
    ['HS contract', 'Negotiation'], ['HS appointment', 'Prospecting'], ['Lower case', 'Qualification'],
    ['Bitrix', 'Negotiation'],
  ]);
});

test('contacts come in from vCards as phones write them, and a vCard export imports back into an empty database as it was', () => {
  const a = freshDb('vcf-a');
  on(a, ['import', 'contacts', file('vcf-people.csv', 'Name,Family Name,Given Name,Email,Email 2,Phone,Mobile,Company,Title,Birthday,City,Country,Notes,Tags\r\n'
    + 'Jane Doe,Doe,Jane,jane@acme.example,jane@home.example,+1 415 555 0100,+1 415 555 0101,"Acme, Inc",CTO,1980-07-15,Cupertino,United States,"Met at the fair; booth 12\nCall back","vip,partners"\r\n'
    + '张伟,张,伟,zhang.wei@example.cn,,010-12345678,13800138000,华为技术,销售经理,1985-03-12,深圳,中国,,\r\n')]);
  const vcf = path.join(dir, 'vcf-a.vcf');
  on(a, ['export', 'contacts', '--format', 'vcf', '-o', vcf]);
  const b = freshDb('vcf-b');
  const run = on(b, ['import', 'contacts', vcf]);
  assert.match(run.err, / 2 created, .* 0 rejected/, run.err);
  const fields = 'name,family_name,given_name,email,email2,phone,mobile,account_id,title,birthday,city,country,description,tags';
  const rows = (db) => {
    const out = path.join(dir, `vcf-back-${path.basename(path.dirname(db))}.csv`);
    on(db, ['export', 'contacts', '--fields', fields, '--sort', 'email', '-o', out]);
    return withoutIds(fs.readFileSync(out, 'utf8')).join('\n').replace(/,\d+,/g, ',#,');
  };
  assert.match(rows(a), /Acme, Inc/);
  assert.equal(rows(b), rows(a));

  // Android's vCard 2.1 (quoted-printable UTF-8) and an iPhone's 3.0
  const qp = (t) => [...Buffer.from(t)].map((c) => `=${c.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  const phone = file('vcf-phone.vcf', 'BEGIN:VCARD\r\nVERSION:2.1\r\n'
    + `N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:${qp('Иванов')};${qp('Пётр')};;;\r\n`
    + 'TEL;CELL;PREF:+7 916 111-22-33\r\nTEL;HOME:+7 495 111-22-33\r\nTEL;WORK:+7 495 999-88-77\r\n'
    + 'EMAIL;HOME:petr@example.ru\r\nEND:VCARD\r\n'
    + 'BEGIN:VCARD\r\nVERSION:3.0\r\nN:Roe;Rick;;;\r\nFN:Rick Roe\r\nORG:Globex;Sales;\r\n'
    + 'item1.EMAIL;type=INTERNET;type=pref:rick@globex.example\r\nTEL;type=CELL;type=VOICE:(415) 555-0199\r\n'
    + 'BDAY;value=date:--0412\r\nPHOTO;ENCODING=b;TYPE=JPEG:QUJD\r\n REVG\r\nEND:VCARD\r\n');
  const dry = on(b, ['import', 'contacts', phone, '--dry-run']);
  assert.match(dry.err, /\n {2}Mobile -> mobile {3}e\.g\. \+7 916 111-22-33 \| \(415\) 555-0199\n/, dry.err);
  assert.match(on(b, ['import', 'contacts', phone]).err, / 2 created, .* 0 rejected/);
  const out = path.join(dir, 'vcf-phone-back.csv');
  on(b, ['export', 'contacts', '--fields', 'name,phone,mobile,account_id,description', '--filter', 'email[in]=petr@example.ru,rick@globex.example', '--sort', 'email', '-o', out]);
  assert.deepEqual(fs.readFileSync(out, 'utf8').trim().split('\r\n').slice(1).map((l) => l.split(',').slice(1).filter((v, i) => i !== 3)), [
    ['Пётр Иванов', "'+7 495 111-22-33", "'+7 916 111-22-33", '', 'Phone (work): +7 495 999-88-77'], // a CSV's formula guard
    ['Rick Roe', '', '(415) 555-0199', 'Globex', 'Birthday: --04-12'],
  ]);
});

test('names in parts: a Salesforce lead export\'s first and last names make the lead\'s name; a Bitrix24 patronymic goes into the contact\'s', () => {
  const db = freshDb('name-parts');
  const leads = on(db, ['import', 'leads', file('sf-leads.csv', 'First Name,Last Name,Company,Email,Lead Status\r\n'
    + 'John,Doe,Acme,jd@acme.example,Open - Not Contacted\r\nИван,Петров,Рога и копыта,ip@roga.example,Working - Contacted\r\n')]);
  assert.match(leads.err, / 2 created, .* 0 rejected/, leads.err);
  const contacts = on(db, ['import', 'contacts', file('b24-contacts.csv', 'Имя,Фамилия,Отчество,Рабочий e-mail,Частный e-mail,Рабочий телефон,Домашний телефон\r\n'
    + 'Иван,Петров,Сергеевич,ivan@corp.example,ivan@mail.example,+7 495 111-22-33,+7 495 999-00-11\r\n')]);
  assert.match(contacts.err, / 1 created, .* 0 rejected/, contacts.err);
  const back = (entity, fields) => {
    const out = path.join(dir, `name-parts-${entity}.csv`);
    on(db, ['export', entity, '--fields', fields, '--sort', 'id', '-o', out]);
    return fs.readFileSync(out, 'utf8').trim().split('\r\n').slice(1).map((l) => l.split(',').slice(1));
  };
  assert.deepEqual(back('leads', 'name,status'), [['John Doe', 'new'], ['Иван Петров', 'contacted']]);
  assert.deepEqual(back('contacts', 'name,given_name,family_name,email,email2,phone,mobile'), [
    ['Иван Сергеевич Петров', 'Иван', 'Петров', 'ivan@corp.example', 'ivan@mail.example', "'+7 495 111-22-33", "'+7 495 999-00-11"]]);
});

test('a HubSpot deals export lands: its default pipeline is ours, its stages the closest of ours, its company and contact linked', () => {
  const db = freshDb('hs-deals');
  on(db, ['import', 'contacts', file('hs-deals-people.csv', 'First Name,Last Name,Email,Company Name\r\nJane,Doe,jane@acme.example,Acme\r\n')]);
  const run = on(db, ['import', 'deals', file('hs-deals.csv', 'Record ID,Deal Name,Deal Stage,Amount,Close Date,Pipeline,Associated Company,Associated Contact,Deal Type,Last Activity Date\r\n'
    + '9,Big deal,Contract Sent,1000,2026-12-01,Sales Pipeline,Acme,jane@acme.example,newbusiness,\r\n'
    + '10,Other,appointmentscheduled,500,2026-12-15,sales pipeline,Acme,,,\r\n'
    + '11,Lost one,Closed Lost,100,2025-01-15,Marketing Pipeline,,,,\r\n')]);
  assert.match(run.err, / 2 created, .* 1 rejected/, run.err);
  assert.match(run.err, /\nrapport: not imported: "Deal Type" \(no field takes them/, 'a column with values no field took is said, one without values is not');
  const rejects = fs.readFileSync(run.err.match(/rejected rows and why: (\S+)/)[1], 'utf8');
  assert.match(rejects, /\r\n4,"pipeline_id: no pipeline named ""Marketing Pipeline""",/);
  const out = path.join(dir, 'hs-deals-back.csv');
  on(db, ['export', 'deals', '--fields', 'name,pipeline_id,stage_id,account_id,contact_id', '--sort', 'id', '-o', out]);
  assert.deepEqual(fs.readFileSync(out, 'utf8').trim().split('\r\n').slice(1).map((l) => l.split(',').slice(1).filter((v, i) => i % 2 === 0)), [
    ['Big deal', 'Sales', 'Negotiation', 'Acme', 'Jane Doe'],
    ['Other', 'Sales', 'Prospecting', 'Acme', ''],
  ]);
  // Google's labels are tags, not its own groups
  on(db, ['import', 'contacts', file('google-labels.csv', 'First Name,Last Name,E-mail 1 - Value,Labels\r\nRick,Roe,rick@roe.example,* myContacts ::: VIP ::: * starred\r\n')]);
  const tags = path.join(dir, 'google-labels-back.csv');
  on(db, ['export', 'contacts', '--fields', 'tags', '--filter', 'email=rick@roe.example', '-o', tags]);
  assert.match(fs.readFileSync(tags, 'utf8'), /\["VIP","starred"\]|VIP.*starred/);
});

test('closed stages as other CRMs name them land in the pipeline\'s won and lost stages', async () => {
  let enterprise;
  await withServer(async (admin) => {
    const p = await admin.post(`${API}/pipelines`, { name: 'Enterprise' });
    assert.equal(p.status, 201, p.text);
    enterprise = p.json.id;
    for (const [name, kind, position] of [['Talks', 'open', 1], ['Signed', 'won', 2], ['Dropped', 'lost', 3]]) {
      const s = await admin.post(`${API}/stages`, { pipeline_id: enterprise, name, kind, position });
      assert.equal(s.status, 201, s.text);
    }
  });
  // a Salesforce opportunities export, with amoCRM's, Bitrix24's and
  // Chinese CRMs' names for the closed stages
  const opps = 'Opportunity ID,Opportunity Name,Pipeline,Stage,Amount\r\n'
    + 'SF1,Opp won,,Closed Won,100\r\n'
    + 'SF2,Opp lost,,Closed Lost,100\r\n'
    + 'SF3,Opp won plain,,Won,100\r\n'
    + 'SF4,Opp 赢单,,赢单,100\r\n'
    + 'SF5,Opp 输单,,输单,100\r\n'
    + 'SF6,Opp amo won,,Успешно реализовано,100\r\n'
    + 'SF7,Opp amo lost,,Закрыто и не реализовано,100\r\n'
    + 'SF8,Opp ent won,Enterprise,Closed Won,100\r\n'
    + 'SF9,Opp ent lost,Enterprise,closed lost,100\r\n'
    + 'SF10,Opp open,,Proposal,100\r\n'
    + 'SF11,Opp nonsense,,Closed Maybe,100\r\n';
  const run = rapport(['import', 'deals', file('opps.csv', opps)]);
  assert.equal(run.code, 0, run.err);
  assert.match(run.err, /11 rows, 10 created, 0 updated, 0 merged, 0 skipped, 1 rejected/);
  const rejects = run.err.match(/rejected rows and why: (\S+)/);
  assert.match(fs.readFileSync(rejects[1], 'utf8'), /no stage named ""Closed Maybe""/);
  await withServer(async (admin) => {
    const stages = (await admin.get(`${API}/stages?limit=100`)).json.data;
    const stage = new Map(stages.map((s) => [s.id, s]));
    const deals = (await admin.get(`${API}/deals?external_id[prefix]=SF&limit=100`)).json.data;
    const got = Object.fromEntries(deals.map((d) => [d.external_id,
      `${stage.get(d.stage_id).name}/${d.status}/${d.pipeline_id === enterprise ? 'ent' : 'sales'}`]));
    assert.deepEqual(got, {
      SF1: 'Won/won/sales',
      SF2: 'Lost/lost/sales',
      SF3: 'Won/won/sales',
      SF4: 'Won/won/sales',
      SF5: 'Lost/lost/sales',
      SF6: 'Won/won/sales',
      SF7: 'Lost/lost/sales',
      SF8: 'Signed/won/ent',
      SF9: 'Dropped/lost/ent',
      SF10: 'Proposal/open/sales',
    });
  });
});

// Writes an .xlsx of one sheet with python3; a cell is a string (inline
// text) or {n: '12.345'} (a number as Excel stores it).
function xlsx(name, rows) {
  const p = path.join(dir, name);
  const py = `
import sys, json, zipfile
rows = json.loads(sys.argv[2])
def cell(ref, v):
    if isinstance(v, dict):
        return '<c r="%s"><v>%s</v></c>' % (ref, v['n'])
    return '<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, v)
cells = ''.join('<row r="%d">%s</row>' % (i + 1, ''.join(cell('%s%d' % (chr(65 + j), i + 1), v) for j, v in enumerate(r))) for i, r in enumerate(rows))
sheet = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>%s</sheetData></worksheet>' % cells
ct = '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
rels = '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
wb = '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
wbrels = '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    z.writestr('[Content_Types].xml', ct); z.writestr('_rels/.rels', rels)
    z.writestr('xl/workbook.xml', wb); z.writestr('xl/_rels/workbook.xml.rels', wbrels)
    z.writestr('xl/worksheets/sheet1.xml', sheet)
`;
  const made = spawnSync('python3', ['-c', py, p, JSON.stringify(rows)], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  return p;
}

test('XLSX amounts are numbers as Excel stored them: 41.667 is never read as 41,667', () => {
  const d = freshDb('xlsx-money');
  const book = xlsx('money.xlsx', [['Name', 'Amount', 'Currency'],
    ['Price with VAT', { n: '41.667' }, 'RUB'],
    ['Half a rouble more', { n: '1250000.5' }, 'RUB'],
    ['Kuwait', { n: '12.345' }, 'KWD']]);
  const run = runRapport(['import', 'deals', book], { db: d, adminPassword });
  assert.match(run.err, /3 rows, 2 created, .* 1 rejected/, run.err);
  const rejects = fs.readFileSync(run.err.match(/rejected rows and why: (\S+)/)[1], 'utf8'); // on PostgreSQL, in its data folder
  assert.match(rejects, /^2,"amount: ""41.667"" is not an amount of money: more decimals than RUB has \(2\)",Price with VAT,41.667,RUB\r$/m, rejects);
  const out = on(d, ['export', 'deals', '--fields', 'name,amount,currency', '--sort', 'name']).out;
  assert.deepEqual(withoutIds(out), ['name,amount,currency', 'Half a rouble more,1250000.50,RUB',
    'Kuwait,12.345,KWD', '']);
});

test('the old system\'s dates come along: when a record was made, when a deal closed (else its close date), never in the future', () => {
  const db = freshDb('history');
  const deals = file('history-deals.csv', 'Opportunity ID,Opportunity Name,Created Date,Stage,Close Date,Closed Date\r\n'
    + 'H1,History won,2023-01-10,Closed Won,2023-03-15,\r\n'
    + 'H2,History lost,2023-02-01,Closed Lost,,2023-04-02 10:30\r\n'
    + 'H3,History open,2023-02-01,,2030-01-01,2023-04-02\r\n'
    + 'H4,History future,2099-01-01,,,\r\n'
    + 'H5,History won later,2023-05-05,Closed Won,2099-12-31,\r\n');
  const run = on(db, ['import', 'deals', deals, '--timezone', 'UTC']);
  assert.match(run.err, /5 rows, 3 created, .* 2 rejected/, run.err);
  const rows = (fields) => {
    const out = path.join(dir, 'history-back.csv');
    on(db, ['export', 'deals', '--fields', fields, '--sort', 'external_id', '-o', out]);
    return fs.readFileSync(out, 'utf8').trim().split('\r\n').slice(1).map((l) => l.split(',').slice(1));
  };
  const got = rows('external_id,status,created_at,closed_at');
  assert.deepEqual(got.map((r) => r.slice(0, 3)), [
    ['H1', 'won', '2023-01-10T00:00:00Z'], ['H2', 'lost', '2023-02-01T00:00:00Z'],
    ['H5', 'won', '2023-05-05T00:00:00Z']]);
  assert.equal(got[0][3], '2023-03-15T12:00:00Z', 'a won deal\'s close date is not its expected close');
  assert.equal(got[1][3], '2023-04-02T10:30:00Z', 'the given close date is not kept');
  assert.match(got[2][3], new RegExp(`^${new Date().toISOString().slice(0, 10)}`), 'a close date to come is taken for a past one');
  const rejects = fs.readFileSync(run.err.match(/rejected rows and why: (\S+)/)[1], 'utf8');
  assert.match(rejects, /\n4,"?closed_at: an open deal has no close date/, rejects);
  assert.match(rejects, /\n5,"created_at: ""2099-01-01T00:00:00Z"" is in the future/, rejects);
  // a row matching a record leaves its creation date as it is
  const again = on(db, ['import', 'deals', file('history-again.csv', 'Opportunity ID,Opportunity Name,Created Date\r\nH1,History won again,2024-06-06\r\n')]);
  assert.match(again.err, / 1 updated/, again.err);
  assert.deepEqual(rows('external_id,name,created_at')[0], ['H1', 'History won again', '2023-01-10T00:00:00Z']);
  // contacts too
  on(db, ['import', 'contacts', file('history-people.csv', 'Name,Email,Дата создания\r\nOld Friend,old@history.example,15.06.2015\r\n')]);
  const out = path.join(dir, 'history-people-back.csv');
  on(db, ['export', 'contacts', '--fields', 'email,created_at', '--filter', 'email=old@history.example', '-o', out]);
  assert.match(fs.readFileSync(out, 'utf8'), /old@history\.example,2015-06-15T00:00:00Z/);
});

test('a report\'s title rows above the header are passed over, in a workbook and a CSV; rows keep their numbers in the file', () => {
  const db = freshDb('titles');
  const book = xlsx('titles.xlsx', [
    ['Отчёт по контактам'],
    ['Сформирован 01.02.2024'],
    [],
    ['ФИО', 'E-mail', 'Компания'],
    ['Титов Илья', 'titov@titles.example', 'ООО Заголовок'],
    ['Плохой Адрес', 'not-an-email', ''],
  ]);
  const run = on(db, ['import', 'contacts', book]);
  assert.match(run.err, /2 rows, 1 created, .* 1 rejected/, run.err);
  const rejects = fs.readFileSync(run.err.match(/rejected rows and why: (\S+)/)[1], 'utf8');
  assert.match(rejects, /\n6,"?email: /, `the bad row is not row 6 of the sheet:\n${rejects}`);
  const csv = file('titles.csv', 'Отчёт по контактам;;\r\n;;\r\nФИО;E-mail;Компания\r\nТитова Анна;titova@titles.example;ООО Заголовок\r\n');
  const again = on(db, ['import', 'contacts', csv]);
  assert.match(again.err, /1 rows?, 1 created/, again.err);
  const out = path.join(dir, 'titles-back.csv');
  on(db, ['export', 'contacts', '--fields', 'name,email,account_id', '--filter', 'email[contains]=titles.example', '--sort', 'email', '-o', out]);
  const lines = fs.readFileSync(out, 'utf8').trim().split('\r\n').slice(1).map((l) => l.split(',').slice(1));
  assert.deepEqual(lines.map((l) => [l[0], l[1], l[3]]), [
    ['Титов Илья', 'titov@titles.example', 'ООО Заголовок'],
    ['Титова Анна', 'titova@titles.example', 'ООО Заголовок']]);
  // a one-column file has no title rows: its first row is its header
  const one = on(db, ['import', 'contacts', file('titles-one.csv', 'Name\r\nSolo One\r\nSolo Two\r\n')]);
  assert.match(one.err, /2 rows, 2 created/, one.err);
});

test('a row with a cell that cannot be read reports the other bad values too, so one fix mends it', () => {
  const db = freshDb('all-errors');
  const run = on(db, ['import', 'contacts', file('all-errors.csv',
    'Name,Email,Birthday,Preferred channel\r\nTwo Faults,not-an-email,31.02.1990,pigeon\r\n')]);
  assert.match(run.err, /1 rejected/, run.err);
  const rejects = fs.readFileSync(run.err.match(/rejected rows and why: (\S+)/)[1], 'utf8');
  const reason = rejects.split('\r\n')[1];
  for (const field of ['birthday', 'email', 'preferred_channel']) {
    assert.match(reason, new RegExp(`${field}: `), `the reason does not name ${field}: ${reason}`);
  }
});

test('Google Contacts\' cells of several values ("a ::: b") fill the second e-mail and number; more values than fields is an error', () => {
  const db = freshDb('google-multi');
  const run = on(db, ['import', 'contacts', file('google-multi.csv',
    'Name,E-mail 1 - Value,E-mail 2 - Value,Phone 1 - Value\r\n'
    + 'Multi One,one@multi.example ::: one.home@multi.example,,+7 916 111-22-33 ::: +7 495 111-22-33\r\n'
    + 'Multi Two,two@multi.example ::: two.home@multi.example,two.other@multi.example,\r\n'), '--country', 'RU']);
  assert.match(run.err, /2 rows, 1 created, .* 1 rejected/, run.err);
  const out = path.join(dir, 'google-multi-back.csv');
  on(db, ['export', 'contacts', '--fields', 'email,email2,phone,mobile', '--filter', 'email=one@multi.example', '-o', out]);
  assert.match(fs.readFileSync(out, 'utf8'), /,one@multi\.example,one\.home@multi\.example,'\+7 916 111-22-33,'\+7 495 111-22-33\r\n/);
  const rejects = fs.readFileSync(run.err.match(/rejected rows and why: (\S+)/)[1], 'utf8');
  assert.match(rejects, /\n3,"?email: .*holds more values than the two fields for them/, rejects);
});
