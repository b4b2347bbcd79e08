// imports.test.mjs — POST /api/v1/imports and what it does: files in
// GB18030 and Windows-1251 with Chinese and Russian headers mapped by
// themselves, linked accounts found or created, a dry run that writes
// nothing, rejected rows with their reasons, matching by e-mail and phone
// (update / merge / skip), a migration of accounts, contacts, deals and
// activities linked by the old system's ids (a re-import updates), XLSX,
// undo, cancel, problems for bad requests, and another user's import
// staying hidden; GET /{entity}/duplicates and POST /{entity}/{id}/merge.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import {
  API, useServer, expectStatus, expectProblem, expectFieldError, create, makeUser, listAll, uniq,
} from './lib/server.mjs';

const srv = useServer();
const tag = uniq('imp');

/** Sends a file as multipart/form-data with the admin's session. */
async function upload(fields, { file, name = 'data.csv', type = 'text/csv', session } = {}) {
  const s = session || srv.adminSession;
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, typeof v === 'string' ? v : JSON.stringify(v));
  if (file !== undefined) fd.append('file', new Blob([file], { type }), name);
  const res = await fetch(`${srv.server.base}${API}/imports`, {
    method: 'POST', body: fd, headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf },
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, json, text, headers: res.headers, req: { method: 'POST', path: `${API}/imports` } };
}

/** Polls an import until it is no longer queued or running. */
async function finished(id, client = srv.admin) {
  for (let i = 0; i < 600; i++) {
    const r = await client.get(`${API}/imports/${id}`);
    expectStatus(r, 200, `import ${id}`);
    if (!['queued', 'running', 'cancelling'].includes(r.json.status)) return r.json;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`import ${id} did not finish`);
}

async function runImport(fields, opts) {
  const r = await upload(fields, opts);
  expectStatus(r, 202, 'POST /imports');
  assert.match(r.headers.get('location'), new RegExp(`/api/v1/imports/${r.json.id}$`));
  return finished(r.json.id);
}

function encode(text, encoding) {
  const r = spawnSync('iconv', ['-f', 'UTF-8', '-t', encoding], { input: text });
  assert.equal(r.status, 0, `iconv to ${encoding}: ${r.stderr}`);
  return r.stdout;
}

async function contactsTagged(t) {
  return listAll(srv.admin, `${API}/contacts?tags[contains]=${encodeURIComponent(t)}&sort=id`);
}

before(async () => { await srv.ready; });

test('a GB18030 file with Chinese headers: columns map themselves, accounts are found or created, names composed', async () => {
  const acc = await create(srv.admin, 'accounts', { name: `北京星辰科技有限公司 ${tag}` });
  const t = `cn-${tag}`;
  const csv = '姓,名,邮箱,手机,公司,职位,生日,标签\r\n'
    + `王,小明,wang.${tag}@example.cn,138 1234 5678,北京星辰科技 ${tag},经理,1985年3月5日,${t}\r\n`
    + `李,娜,li.${tag}@example.cn,13900001111,上海新公司 ${tag},总监,1990/7/1,${t}\r\n`;
  const imp = await runImport({ entity: 'contacts', options: { country: 'CN' } }, { file: encode(csv, 'GB18030') });
  assert.equal(imp.status, 'done', JSON.stringify(imp));
  assert.equal(imp.report.encoding, 'GB18030');
  const targets = Object.fromEntries(imp.report.columns.map((c) => [c.header, c.target]));
  assert.deepEqual(targets, { 姓: 'family_name', 名: 'given_name', 邮箱: 'email', 手机: 'mobile', 公司: 'account', 职位: 'title', 生日: 'birthday', 标签: 'tags' });
  assert.deepEqual(imp.report.columns[0].samples, ['王', '李']);
  assert.equal(imp.created, 2);
  assert.equal(imp.report.linked_created, 1, 'the second company did not exist and is created; the first is found');
  const rows = await contactsTagged(t);
  assert.equal(rows.length, 2);
  assert.equal(rows[0].name, '王小明');
  assert.equal(rows[0].account_id, acc.id, '北京星辰科技 matches 北京星辰科技有限公司 (legal form dropped)');
  assert.equal(rows[0].birthday, '1985-03-05');
  assert.equal(rows[1].birthday, '1990-07-01');
});

test('a long Russian or Chinese cell is a sample too, cut short between letters', async () => {
  const ru = 'Встреча на выставке ИнноПром, обсудили поставки оборудования. '.repeat(4);
  const zh = '在广州展会上见面，讨论了设备供应问题。'.repeat(10);
  const csv = `Name,Email,Notes\r\nА,a.${tag}@long.example,"${ru}"\r\nБ,b.${tag}@long.example,"${zh}"\r\n`;
  const imp = await runImport({ entity: 'contacts', dry_run: 'true' }, { file: csv });
  assert.equal(imp.status, 'done', JSON.stringify(imp));
  const notes = imp.report.columns.find((c) => c.header === 'Notes').samples || [];
  assert.equal(notes.length, 2, `the long cells are not samples: ${JSON.stringify(notes)}`);
  assert.ok(ru.startsWith(notes[0]) && notes[0].length >= 90, `the Russian sample is ${JSON.stringify(notes[0])}`);
  assert.ok(zh.startsWith(notes[1]) && notes[1].length >= 60, `the Chinese sample is ${JSON.stringify(notes[1])}`);
});

test('a Windows-1251 file with ; and Russian headers; a bad row is rejected alone, with its reason in the rejects file', async () => {
  const t = `ru-${tag}`;
  const csv = 'Фамилия;Имя;E-mail;Телефон;Компания;Дата рождения;Теги\r\n'
    + `Петров;Иван;ivan.${tag}@example.ru;8 (916) 123-45-67;ООО Ромашка ${tag};05.03.1980;${t}\r\n`
    + `Сидорова;Анна;not-an-email;;ООО Лютик ${tag};;${t}\r\n`
    + `Кузнецов;Олег;oleg.${tag}@example.ru;;ООО Ромашка ${tag};31.02.1990;${t}\r\n`;
  const imp = await runImport({ entity: 'contacts', options: { country: 'RU' } }, { file: encode(csv, 'WINDOWS-1251') });
  assert.equal(imp.status, 'done');
  assert.equal(imp.report.encoding, 'WINDOWS-1251');
  assert.equal(imp.report.delimiter, ';');
  assert.equal(imp.created, 1);
  assert.equal(imp.rejected, 2);
  // a Russian name given in parts reads given name first, with a space
  const [ivan] = await listAll(srv.admin, `${API}/contacts?email=${encodeURIComponent(`ivan.${tag}@example.ru`)}`);
  assert.equal(ivan.name, 'Иван Петров');
  const bad = imp.report.rows.find((r) => r.row === 3);
  assert.ok(bad && bad.errors.some((e) => e.field === 'email'), JSON.stringify(imp.report.rows));
  assert.ok(imp.report.rows.find((r) => r.row === 4).errors.some((e) => e.field === 'birthday'));
  // the rejected row's company was not left behind
  const lutik = await listAll(srv.admin, `${API}/accounts?name[contains]=${encodeURIComponent(`Лютик ${tag}`)}`);
  assert.equal(lutik.length, 0, 'an account made for a rejected row stayed');
  const rej = await fetch(`${srv.server.base}${API}/imports/${imp.id}/rejects`, { headers: { Cookie: srv.adminSession.cookie } });
  assert.equal(rej.status, 200);
  assert.match(rej.headers.get('content-type'), /text\/csv/);
  const bytes = Buffer.from(await rej.arrayBuffer());
  assert.equal(bytes.subarray(0, 6).toString('hex'), 'efbbbf726f77', 'one BOM, then the header');
  const text = bytes.subarray(3).toString('utf8');
  const lines = text.trim().split('\r\n');
  assert.equal(lines[0], 'row,reason,Фамилия,Имя,E-mail,Телефон,Компания,Дата рождения,Теги');
  assert.equal(lines.length, 3);
  assert.match(lines[1], /^3,email: /);
  assert.match(lines[1], /Сидорова/);
  // a file written before rejects files had their own BOM is sent with one
  const onDisk = `${srv.server.db}-imports/${imp.id}.rejects.csv`;
  if (fs.existsSync(onDisk)) { // SQLite: the file is beside the database
    fs.writeFileSync(onDisk, fs.readFileSync(onDisk).subarray(3));
    const old = await fetch(`${srv.server.base}${API}/imports/${imp.id}/rejects`, { headers: { Cookie: srv.adminSession.cookie } });
    assert.deepEqual(Buffer.from(await old.arrayBuffer()), bytes, 'an old file is not sent as a new one is');
  }
});

test('the rejected rows speak the importing user\'s language: the file\'s reasons and header, the report\'s reason and value', async () => {
  const file = 'Name,Email,Birthday,Phone\r\n'
    + `Ivan ${tag},ivan.l10n.${tag}@example.ru,31.02.1990,\r\n`
    + `Anna ${tag},not-an-email,,\r\n`
    + `Oleg ${tag},,,no digits\r\n`;
  const reasons = {
    ru: ['строка,причина,Name,Email,Birthday,Phone',
      '2,День рождения: «31.02.1990» — не дата,', '3,Эл. почта: «not-an-email» — не адрес эл. почты,',
      '4,Телефон: «no digits» — не номер телефона,'],
    zh: ['行,原因,Name,Email,Birthday,Phone', '2,生日: “31.02.1990”不是日期,',
      '3,电子邮箱: “not-an-email”不是电子邮件地址,', '4,电话: “no digits”不是电话号码,'],
  };
  for (const [locale, [header, ...rows]] of Object.entries(reasons)) {
    const u = await makeUser(srv, { role: 'sales', name: `Imp ${locale} ${tag}` });
    expectStatus(await u.client.patch(`${API}/auth/me`, { locale }), 200, `PATCH /auth/me locale ${locale}`);
    const r = await upload({ entity: 'contacts' }, { file, session: u.session });
    expectStatus(r, 202, `POST /imports as a ${locale} user`);
    const imp = await finished(r.json.id, u.client);
    assert.equal(imp.rejected, 3, JSON.stringify(imp.report.rows));
    const byRow = Object.fromEntries(imp.report.rows.map((x) => [x.row, x.errors[0]]));
    assert.deepEqual([byRow[2].reason, byRow[2].value], ['not_date', '31.02.1990']);
    assert.deepEqual([byRow[3].reason, byRow[3].value], ['not_email', 'not-an-email']);
    assert.deepEqual([byRow[4].reason, byRow[4].value], ['not_phone', 'no digits']);
    assert.match(byRow[2].message, /is not a date/, 'the API\'s message stays English');
    const rej = await fetch(`${srv.server.base}${API}/imports/${imp.id}/rejects`, { headers: { Cookie: u.session.cookie } });
    const lines = (await rej.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(lines[0], header);
    rows.forEach((start, i) => assert.ok(lines[i + 1].startsWith(start), `${locale}: ${lines[i + 1]} starts with ${start}`));
  }
});

test('a dry run reports every row and writes nothing; its file runs again for real with from_import', async () => {
  const t = `dry-${tag}`;
  const csv = `Name,Email,Tags\r\nDry One,dry1.${tag}@example.com,${t}\r\nDry Two,dry2.${tag}@example.com,${t}\r\nDry Bad,nope,${t}\r\n`
    + `Dry One Again,DRY1.${tag}@example.com,${t}\r\n`;
  const dry = await runImport({ entity: 'contacts', dry_run: 'true' }, { file: csv });
  assert.equal(dry.status, 'done');
  assert.equal(dry.dry_run, true);
  assert.deepEqual([dry.created, dry.updated, dry.rejected], [2, 1, 1]);
  assert.deepEqual(dry.report.rows.map((r) => [r.action, r.match || null]),
    [['create', null], ['create', null], ['rejected', null], ['update', 'email']]);
  // the record row 4 matches is row 1's, rolled back with the batch
  assert.ok(dry.report.rows.every((r) => r.id === undefined), `a dry run names ids it rolled back: ${JSON.stringify(dry.report.rows)}`);
  assert.equal((await contactsTagged(t)).length, 0, 'a dry run wrote records');
  const undo = await srv.admin.post(`${API}/imports/${dry.id}/undo`);
  expectProblem(undo, 409, 'dry_run');
  const real = await runImport({ entity: 'contacts', from_import: String(dry.id), mapping: { Tags: 'tags', Name: 'name', Email: 'email' } });
  assert.deepEqual([real.created, real.updated], [2, 1]);
  assert.equal((await contactsTagged(t)).length, 2);
});

test('matching: e-mail (any case) and phone (national or international) find the record; update, merge and skip', async () => {
  const c = await create(srv.admin, 'contacts', {
    name: `Match Me ${tag}`, email: `match.${tag}@example.com`, phone: '+7 916 555-00-11', title: 'Old title', city: null,
  });
  const up = await runImport({ entity: 'contacts', strategy: 'update', options: { country: 'RU' } },
    { file: `Name,Email,Job Title\r\nMatch Me ${tag},MATCH.${tag}@Example.com,New title\r\n` });
  assert.deepEqual([up.created, up.updated], [0, 1]);
  assert.equal(up.report.rows.length, 0, 'a run reports only rejected rows');
  let now = (await srv.admin.get(`${API}/contacts/${c.id}`)).json;
  assert.equal(now.title, 'New title');

  const merge = await runImport({ entity: 'contacts', strategy: 'merge', options: { country: 'RU' } },
    { file: `Name,Phone,Job Title,City\r\nSomeone ${tag},8 (916) 555-00-11,Ignored title,Казань\r\n` });
  assert.deepEqual([merge.created, merge.merged], [0, 1], JSON.stringify(merge));
  now = (await srv.admin.get(`${API}/contacts/${c.id}`)).json;
  assert.equal(now.title, 'New title', 'merge keeps what the record has');
  assert.equal(now.city, 'Казань', 'merge fills what the record lacks');

  const skip = await runImport({ entity: 'contacts', strategy: 'skip', dry_run: 'true' },
    { file: `Email,Job Title\r\nmatch.${tag}@example.com,Whatever\r\n` });
  assert.deepEqual([skip.created, skip.skipped], [0, 1]);
  assert.equal(skip.report.rows[0].match, 'email');
  assert.equal(skip.report.rows[0].id, c.id);

  // a name spelled almost alike, in the same company, is the same person;
  // the same name in another company is not
  const acc = await create(srv.admin, 'accounts', { name: `Similar Co ${tag}` });
  const ivan = await create(srv.admin, 'contacts', { name: 'Ivan Petrov', account_id: acc.id });
  const sim = await runImport({ entity: 'contacts', strategy: 'skip', dry_run: 'true' },
    { file: `Name,Company\r\nIvan Petrow,Similar Co ${tag}\r\nPetrov Ivan,Similar Co ${tag}\r\nIvan Petrov,Other Co ${tag}\r\nOleg Sidorov,Similar Co ${tag}\r\n` });
  assert.deepEqual(sim.report.rows.map((r) => [r.action, r.id || null]),
    [['skip', ivan.id], ['skip', ivan.id], ['create', null], ['create', null]], JSON.stringify(sim.report.rows));

  // strategy create: a row like a record is created anyway, and says so
  const anyway = await runImport({ entity: 'contacts', strategy: 'create' },
    { file: `Name,Email,Company\r\nMatch Me ${tag},match.${tag}@example.com,\r\nIvan Petrow,,Similar Co ${tag}\r\n` });
  assert.deepEqual([anyway.created, anyway.updated, anyway.skipped, anyway.rejected], [2, 0, 0, 0],
    JSON.stringify(anyway));
  const same = await listAll(srv.admin, `${API}/contacts?name=${encodeURIComponent(`Match Me ${tag}`)}&sort=id`);
  assert.equal(same.length, 2, 'the record and the row created beside it');
  assert.equal(same[0].id, c.id);
  assert.equal((await srv.admin.get(`${API}/contacts/${c.id}`)).json.title, 'New title', 'the record is left as it was');
});

test('rows with their own e-mail are their own people; a name like two people matches neither', async () => {
  // "Alexandr Petrov" is a letter from Alexander Petrov and from Alexandra Petrov
  const co = `Namesake Co ${tag}`;
  const r = await runImport({ entity: 'contacts', strategy: 'update', options: { country: 'RU' } },
    { file: 'Name,Email,Phone,Company,Title\r\n'
      + `Alexander Petrov,alexander.${tag}@acme.example,+7 916 700-00-01,${co},CEO\r\n`
      + `Alexandra Petrov,alexandra.${tag}@acme.example,,${co},Accountant\r\n`
      + `Wang Wei,wang.wei1.${tag}@acme.example,,${co},Engineer\r\n`
      + `Wang Wei,wang.wei2.${tag}@acme.example,,${co},Sales\r\n`
      + `New Person,new.${tag}@acme.example,8 916 700-00-01,${co},\r\n`
      + `Alexandr Petrov,,,${co},Chief executive\r\n`
      + `Wang Wei,,,${co},Support\r\n`
      + `New Persson,,,${co},Intern\r\n` });
  assert.deepEqual([r.created, r.updated, r.rejected], [7, 1, 0], JSON.stringify(r));
  const people = await listAll(srv.admin, `${API}/contacts?account_id=${(await listAll(srv.admin,
    `${API}/accounts?name=${encodeURIComponent(co)}`))[0].id}&sort=id`);
  assert.deepEqual(people.map((p) => [p.name, p.email && p.email.split('.')[0], p.title]), [
    ['Alexander Petrov', 'alexander', 'CEO'], ['Alexandra Petrov', 'alexandra', 'Accountant'],
    ['Wang Wei', 'wang', 'Engineer'], ['Wang Wei', 'wang', 'Sales'], ['New Persson', 'new', 'Intern'],
    ['Alexandr Petrov', null, 'Chief executive'], ['Wang Wei', null, 'Support']]);
});

test('a name a whole word or a Chinese syllable away is another person, not one spelled alike', async () => {
  const co = `Alike Co ${tag}`;
  const first = await runImport({ entity: 'contacts' },
    { file: `Name,Company,Title\r\nНаталья Михайлова,${co},Бухгалтер\r\n陈娟,${co},工程师\r\nIvan Petrov,${co},CEO\r\n` });
  assert.equal(first.created, 3, JSON.stringify(first));
  const again = await runImport({ entity: 'contacts', strategy: 'update' },
    { file: `Name,Company,Title\r\nТатьяна Михайлова,${co},Юрист\r\n陈军,${co},销售\r\nIvan Petrow,${co},Chief\r\n` });
  assert.deepEqual([again.created, again.updated], [2, 1], JSON.stringify(again));
  const people = await listAll(srv.admin, `${API}/contacts?account_id=${(await listAll(srv.admin,
    `${API}/accounts?name=${encodeURIComponent(co)}`))[0].id}&sort=id`);
  assert.deepEqual(people.map((p) => [p.name, p.title]), [
    ['Наталья Михайлова', 'Бухгалтер'], ['陈娟', '工程师'], ['Ivan Petrow', 'Chief'],
    ['Татьяна Михайлова', 'Юрист'], ['陈军', '销售']]);
});

test('an import told its country finds a number saved without one, written nationally', async () => {
  const ru = await create(srv.admin, 'contacts', { name: `National Ru ${tag}`, phone: '8 916 777-00-22' });
  const cn = await create(srv.admin, 'contacts', { name: `National Cn ${tag}`, phone: '138 7770 0022' });
  for (const [country, phone, c] of [['RU', '+7 916 777-00-22', ru], ['CN', '+86 138-7770-0022', cn]]) {
    const r = await runImport({ entity: 'contacts', strategy: 'merge', options: { country } },
      { file: `Name,Phone,City\r\nSomeone Else ${tag},${phone},Город ${country}\r\n` });
    assert.deepEqual([r.created, r.merged], [0, 1], `${country}: ${JSON.stringify(r)}`);
    assert.equal((await srv.admin.get(`${API}/contacts/${c.id}`)).json.city, `Город ${country}`);
  }
});

test('in a company of hundreds, a name spelled almost alike is found wherever it sorts', async () => {
  const co = `Big Co ${tag}`;
  let csv = 'Name,Email,Company\r\n';
  for (let i = 0; i < 300; i++) csv += `Aaron Abbot${String(i).padStart(3, '0')},hundreds${i}.${tag}@example.com,${co}\r\n`;
  csv += `Zhukov Petr,zhukov.${tag}@example.com,${co}\r\n`;
  const first = await runImport({ entity: 'contacts' }, { file: csv });
  assert.equal(first.created, 301, JSON.stringify(first));
  const again = await runImport({ entity: 'contacts', strategy: 'merge' },
    { file: `Name,Company,City\r\nZhukov Petrr,${co},Тула\r\n` });
  assert.deepEqual([again.created, again.merged], [0, 1], JSON.stringify(again));
  const [z] = await listAll(srv.admin, `${API}/contacts?email=${encodeURIComponent(`zhukov.${tag}@example.com`)}`);
  assert.equal(z.city, 'Тула');
});

test('times written without a zone are in the import\'s time zone, summer time included', async () => {
  const s = `tz-${tag}`;
  const r = await runImport({ entity: 'activities', options: { timezone: 'Europe/Berlin' } },
    { file: `Subject,Type,Due\r\n${s} winter,call,2026-01-05 14:30\r\n${s} summer,call,2026-07-05 14:30\r\n`
      + `${s} zoned,call,2026-07-05T14:30:00Z\r\n` });
  assert.deepEqual([r.created, r.rejected], [3, 0], JSON.stringify(r));
  const got = await listAll(srv.admin, `${API}/activities?subject[prefix]=${encodeURIComponent(s)}&sort=subject`);
  assert.deepEqual(got.map((a) => a.due_at), ['2026-07-05T12:30:00Z', '2026-01-05T13:30:00Z', '2026-07-05T14:30:00Z']);
  expectFieldError(await upload({ entity: 'activities', options: { timezone: 'Mars/Olympus' } }, { file: 'Subject\r\nx\r\n' }),
    'options.timezone', 'invalid');
});

test('a row changing a record an earlier row of the same file made: one record, found by its last text only', async () => {
  const word = `Zq${tag.replace(/[^a-z0-9]/gi, '')}`;
  const r = await runImport({ entity: 'contacts', strategy: 'update' },
    { file: `Name,Email,City\r\nFirst ${word}a,twice.${tag}@example.com,\r\nSecond ${word}b,twice.${tag}@example.com,Омск\r\n` });
  assert.deepEqual([r.created, r.updated, r.rejected], [1, 1, 0], JSON.stringify(r));
  const found = await srv.admin.get(`${API}/search?q=${encodeURIComponent(`${word}b`)}`);
  expectStatus(found, 200);
  const hits = found.json.data.filter((h) => h.entity === 'contacts');
  assert.equal(hits.length, 1, JSON.stringify(found.json));
  const gone = await srv.admin.get(`${API}/search?q=${encodeURIComponent(`${word}a`)}`);
  assert.equal(gone.json.data.filter((h) => h.entity === 'contacts').length, 0, 'the first text is replaced');
  const c = (await srv.admin.get(`${API}/contacts/${hits[0].id}`)).json;
  assert.equal(c.city, 'Омск');
});

test("a migration from another CRM: accounts, contacts, deals and activities linked by the old ids; a re-import updates", async () => {
  const accounts = `Account ID,Account Name,Industry,Website\r\n001A${tag},Globex ${tag},Energy,globex.example.com\r\n001B${tag},Initech ${tag},Software,\r\n`;
  const contacts = `Contact ID,Account ID,First Name,Last Name,Email\r\n003A${tag},001A${tag},Hank,Scorpio,hank.${tag}@example.com\r\n003B${tag},001B${tag},Bill,Lumbergh,bill.${tag}@example.com\r\n003C${tag},001X${tag},No,Company,noco.${tag}@example.com\r\n`;
  const deals = `Opportunity ID,Contact Name,Account ID,Opportunity Name,Amount,Stage,Close Date\r\n006A${tag},Hank Scorpio,001A${tag},Globex expansion ${tag},"$12,500.50",Negotiation,2026-12-31\r\n`;
  const acts = `Activity ID,Related To ID,Subject,Type,Date\r\n00TA${tag},003A${tag},Call Hank ${tag},Call,2026-11-02 14:30\r\n00TB${tag},006A${tag},Send proposal ${tag},Task,11/20/2026\r\n`;
  const ia = await runImport({ entity: 'accounts' }, { file: accounts });
  assert.equal(ia.created, 2, JSON.stringify(ia.report));
  const ic = await runImport({ entity: 'contacts' }, { file: contacts });
  assert.deepEqual([ic.created, ic.rejected], [2, 1], JSON.stringify(ic.report));
  assert.ok(ic.report.rows[0].errors[0].message.includes(`001X${tag}`));
  const idl = await runImport({ entity: 'deals' }, { file: deals });
  assert.equal(idl.created, 1, JSON.stringify(idl.report));
  const iac = await runImport({ entity: 'activities' }, { file: acts });
  assert.equal(iac.created, 2, JSON.stringify(iac.report));

  const globex = (await listAll(srv.admin, `${API}/accounts?external_id=001A${tag}`))[0];
  const hank = (await listAll(srv.admin, `${API}/contacts?external_id=003A${tag}`))[0];
  const deal = (await listAll(srv.admin, `${API}/deals?external_id=006A${tag}`))[0];
  assert.equal(hank.account_id, globex.id);
  assert.equal(deal.account_id, globex.id);
  assert.equal(deal.contact_id, hank.id, 'the contact is found by name within the deal\'s account');
  assert.equal(deal.amount, 1250050);
  assert.equal(deal.expected_close, '2026-12-31');
  const stage = (await srv.admin.get(`${API}/stages/${deal.stage_id}`)).json;
  assert.equal(stage.name, 'Negotiation');
  assert.equal(deal.pipeline_id, stage.pipeline_id);
  const [call, task] = await listAll(srv.admin, `${API}/activities?external_id[in]=00TA${tag},00TB${tag}&sort=external_id`);
  assert.deepEqual([call.type, call.related_type, call.related_id, call.due_at], ['call', 'contacts', hank.id, '2026-11-02T14:30:00Z']);
  assert.deepEqual([task.type, task.related_type, task.related_id, task.due_at], ['task', 'deals', deal.id, '2026-11-20T00:00:00Z']);

  // the same file again, one value changed: updates, no duplicates
  const again = await runImport({ entity: 'accounts' }, { file: accounts.replace('Energy', 'Utilities') });
  assert.deepEqual([again.created, again.updated], [0, 1], JSON.stringify(again));
  assert.equal((await srv.admin.get(`${API}/accounts/${globex.id}`)).json.industry, 'Utilities');
  assert.equal((await listAll(srv.admin, `${API}/accounts?name[prefix]=Globex ${tag}`)).length, 1);
});

test('real-world files: BOM, quoted line breaks, ragged rows, a 10 MB cell, duplicate headers; every bad row has its line', async () => {
  const t = `rw-${tag}`;
  const big = 'x'.repeat(10 * 1024 * 1024);
  const csv = '\uFEFFFirst Name,Last Name,Email,Email,Notes,Tags\r\n'
    + `Ann,Lee,ann.${tag}@example.com,ann.home.${tag}@example.com,"two\r\nlines, and a comma",${t}\r\n`
    + `Bob,Ray,bob.${tag}@example.com,,"${big}",${t}\r\n`
    + `Cat,Ng,cat.${tag}@example.com,,,${t},surplus\r\n`
    + `Dan,Wu,dan.${tag}@example.com,,,${t},,\r\n`
    + `Eve,Ho${tag}\r\n`;
  const imp = await runImport({ entity: 'contacts' }, { file: csv });
  assert.equal(imp.status, 'done', JSON.stringify(imp));
  const targets = imp.report.columns.map((c) => c.target);
  assert.deepEqual(targets, ['given_name', 'family_name', 'email', 'email2', 'description', 'tags']);
  assert.deepEqual([imp.processed_rows, imp.created, imp.rejected], [5, 3, 2], JSON.stringify(imp.report.rows));
  const byRow = Object.fromEntries(imp.report.rows.map((r) => [r.row, r]));
  assert.match(byRow[4].errors[0].message, /longer than/, 'the 10 MB row is rejected with its line');
  assert.match(byRow[5].errors[0].message, /7 cells and the header 6/);
  const rows = await contactsTagged(t);
  assert.deepEqual(rows.map((r) => r.name), ['Ann Lee', 'Dan Wu']);
  assert.equal(rows[0].email2, `ann.home.${tag}@example.com`);
  assert.equal(rows[0].description, 'two\r\nlines, and a comma');
  const eve = await listAll(srv.admin, `${API}/contacts?name=Eve Ho${tag}`);
  assert.equal(eve.length, 1, 'a short row (fewer cells) is read with the rest empty');
});

test('Salesforce and HubSpot export headers map themselves', async () => {
  const sf = 'Contact ID,First Name,Last Name,Account Name,Title,Email,Phone,Mobile,Mailing City,Mailing Country,Lead Source,Description\r\n'
    + `003SF${tag},Grace,Hopper,Navy ${tag},Admiral,grace.${tag}@example.com,+1 202 555 0101,+1 202 555 0102,Arlington,USA,Web,Compilers\r\n`;
  const a = await runImport({ entity: 'contacts', dry_run: 'true' }, { file: sf });
  const sfMap = Object.fromEntries(a.report.columns.map((c) => [c.header, c.target]));
  assert.deepEqual(sfMap, {
    'Contact ID': 'external_id', 'First Name': 'given_name', 'Last Name': 'family_name', 'Account Name': 'account',
    Title: 'title', Email: 'email', Phone: 'phone', Mobile: 'mobile', 'Mailing City': 'city', 'Mailing Country': 'country',
    'Lead Source': '', Description: 'description',
  });
  assert.equal(a.created, 1, JSON.stringify(a.report.rows));
  const hs = 'Record ID,First Name,Last Name,Email,Phone Number,Company Name,Job Title,City,Contact owner\r\n'
    + `901${tag},Alan,Turing,alan.${tag}@example.com,+44 20 7946 0000,Bletchley ${tag},Mathematician,London,${srv.server.adminEmail}\r\n`;
  const b = await runImport({ entity: 'contacts', dry_run: 'true' }, { file: hs });
  const hsMap = Object.fromEntries(b.report.columns.map((c) => [c.header, c.target]));
  assert.deepEqual(hsMap, {
    'Record ID': 'external_id', 'First Name': 'given_name', 'Last Name': 'family_name', Email: 'email',
    'Phone Number': 'phone', 'Company Name': 'account', 'Job Title': 'title', City: 'city', 'Contact owner': 'owner',
  });
  assert.equal(b.created, 1, JSON.stringify(b.report.rows));
});

test('a Google Contacts export of today maps its organization and address columns', async () => {
  const g = 'First Name,Middle Name,Last Name,Organization Name,Organization Title,Organization Department,Birthday,Notes,Labels,'
    + 'E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,Address 1 - Label,Address 1 - Formatted,'
    + 'Address 1 - Street,Address 1 - City,Address 1 - Region,Address 1 - Postal Code,Address 1 - Country\r\n'
    + `Ada,,Byron,Engines ${tag},Analyst,R&D,1815-12-10,Poet,* myContacts,* Work,ada.${tag}@example.com,Mobile,+44 20 7946 0001,`
    + 'Home,"12 St James\'s Sq\nLondon",12 St James\'s Sq,London,,SW1Y,United Kingdom\r\n';
  const imp = await runImport({ entity: 'contacts', dry_run: 'true' }, { file: g });
  const map = Object.fromEntries(imp.report.columns.map((c) => [c.header, c.target]));
  assert.equal(map['Organization Name'], 'account');
  assert.equal(map['Organization Title'], 'title');
  assert.equal(map['Address 1 - City'], 'city');
  assert.equal(map['Address 1 - Country'], 'country');
  assert.equal(imp.created, 1, JSON.stringify(imp.report.rows));
  const a = await runImport({ entity: 'accounts', dry_run: 'true' }, { file: g });
  const amap = Object.fromEntries(a.report.columns.map((c) => [c.header, c.target]));
  assert.deepEqual([amap['Organization Name'], amap['Address 1 - Street'], amap['Address 1 - Region']], ['name', 'address', 'region']);
});

test('a Bitrix24 deal export maps its stage column ("Стадия сделки")', async () => {
  const b = 'ID;Название сделки;Стадия сделки;Сумма;Валюта;Компания;Предполагаемая дата закрытия\r\n'
    + `B24${tag};Поставка ${tag};Успешно реализовано;12 500,00;RUB;Ромашка ${tag};31.12.2026\r\n`;
  const imp = await runImport({ entity: 'deals', dry_run: 'true' }, { file: encode(b, 'WINDOWS-1251') });
  const map = Object.fromEntries(imp.report.columns.map((c) => [c.header, c.target]));
  assert.deepEqual(map, {
    ID: 'external_id', 'Название сделки': 'name', 'Стадия сделки': 'stage', Сумма: 'amount', Валюта: 'currency',
    Компания: 'account', 'Предполагаемая дата закрытия': 'expected_close',
  });
  assert.equal(imp.created, 1, JSON.stringify(imp.report.rows));
});

test('XLSX: an exported sheet imports back with typed cells (dry run finds every row by e-mail)', async () => {
  const t = `xl-${tag}`;
  for (let i = 0; i < 3; i++) {
    await create(srv.admin, 'contacts', { name: `Xl ${i} ${tag}`, email: `xl${i}.${tag}@example.com`, birthday: `198${i}-01-1${i}`, tags: [t] });
  }
  const x = await fetch(`${srv.server.base}${API}/contacts/export?format=xlsx&tags[contains]=${t}&fields=name,email,birthday`,
    { headers: { Cookie: srv.adminSession.cookie } });
  assert.equal(x.status, 200);
  const xlsx = Buffer.from(await x.arrayBuffer());
  const imp = await runImport({ entity: 'contacts', strategy: 'skip', dry_run: 'true' },
    { file: xlsx, name: 'contacts.xlsx', type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  assert.equal(imp.status, 'done', JSON.stringify(imp));
  assert.deepEqual([imp.processed_rows, imp.skipped, imp.created], [3, 3, 0], JSON.stringify(imp.report));
  assert.ok(imp.report.rows.every((r) => r.match === 'email'));
});

test('undo puts back what an import changed and bins what it created', async () => {
  const t = `undo-${tag}`;
  const keep = await create(srv.admin, 'contacts', { name: `Keep ${tag}`, email: `keep.${tag}@example.com`, title: 'Before' });
  const imp = await runImport({ entity: 'contacts' }, {
    file: `Name,Email,Title,Company,Tags\r\nKeep ${tag},keep.${tag}@example.com,After,,\r\nNew ${tag},new.${tag}@example.com,,Undo Co ${tag},${t}\r\n`,
  });
  assert.deepEqual([imp.created, imp.updated], [1, 1]);
  assert.equal((await srv.admin.get(`${API}/contacts/${keep.id}`)).json.title, 'After');
  const u = await srv.admin.post(`${API}/imports/${imp.id}/undo`);
  expectStatus(u, 200, 'undo');
  assert.equal(u.json.status, 'undone');
  assert.equal((await srv.admin.get(`${API}/contacts/${keep.id}`)).json.title, 'Before');
  assert.equal((await contactsTagged(t)).length, 0);
  assert.equal((await listAll(srv.admin, `${API}/accounts?name=Undo Co ${tag}`)).length, 0, 'the linked account it made stays');
  const binned = await listAll(srv.admin, `${API}/contacts?deleted=true&tags[contains]=${t}`);
  assert.equal(binned.length, 1, 'created records go to the recycle bin');
  expectProblem(await srv.admin.post(`${API}/imports/${imp.id}/undo`), 409, 'not_finished');
});

test('undo leaves a record changed since the import as it is, and says how many it left', async () => {
  const t = `undo-kept-${tag}`;
  const before = await create(srv.admin, 'contacts', { name: `Edited Later ${tag}`, email: `later.${tag}@example.com`, title: 'Before' });
  const imp = await runImport({ entity: 'contacts' }, {
    file: `Name,Email,Title,Tags\r\nEdited Later ${tag},later.${tag}@example.com,Imported,\r\n`
      + `Untouched ${tag},untouched.${tag}@example.com,,${t}\r\nTouched ${tag},touched.${tag}@example.com,,${t}\r\n`
      + `Untouched ${tag},untouched.${tag}@example.com,Twice,${t}\r\n`,
  });
  assert.deepEqual([imp.created, imp.updated], [2, 2], JSON.stringify(imp));
  const touched = (await contactsTagged(t)).find((c) => c.name === `Touched ${tag}`);
  expectStatus(await srv.admin.patch(`${API}/contacts/${before.id}`, { title: 'Edited by hand' }), 200);
  expectStatus(await srv.admin.patch(`${API}/contacts/${touched.id}`, { city: 'Тверь' }), 200);
  const u = await srv.admin.post(`${API}/imports/${imp.id}/undo`);
  expectStatus(u, 200, 'undo');
  assert.equal(u.json.undo_kept, 2);
  assert.equal((await srv.admin.get(`${API}/contacts/${before.id}`)).json.title, 'Edited by hand');
  assert.deepEqual((await contactsTagged(t)).map((c) => c.name), [`Touched ${tag}`], 'the untouched one is binned, twice changed by the import');
});

test('a big import can be cancelled; what it did stays and can be undone', async () => {
  const t = `big-${tag}`;
  let csv = 'Name,Email,Tags\r\n';
  for (let i = 0; i < 20000; i++) csv += `Big ${i} ${tag},big${i}.${tag}@example.com,${t}\r\n`;
  const r = await upload({ entity: 'contacts' }, { file: csv });
  expectStatus(r, 202);
  const c = await srv.admin.post(`${API}/imports/${r.json.id}/cancel`);
  expectStatus(c, 200, 'cancel');
  // a running import stops after the batch under way; until its run has
  // committed that batch it is "cancelling" and cannot be undone
  assert.ok(['cancelling', 'cancelled'].includes(c.json.status), c.json.status);
  let undone = false;
  if (c.json.status === 'cancelling') {
    const early = await srv.admin.post(`${API}/imports/${r.json.id}/undo`);
    if (early.status === 200) assert.equal(early.json.status, 'undone', 'an undo went ahead while cancelling');
    else expectProblem(early, 409, 'not_finished');
    undone = early.status === 200;
  }
  const imp = await finished(r.json.id);
  if (!undone) {
    assert.equal(imp.status, 'cancelled');
    assert.ok(imp.finished_at, 'cancelled without an end');
    assert.ok(imp.processed_rows < 20000, `a cancelled import ran to the end (${imp.processed_rows} rows)`);
    assert.equal((await contactsTagged(t)).length, imp.created);
    expectProblem(await srv.admin.post(`${API}/imports/${imp.id}/cancel`), 409, 'not_running');
    expectStatus(await srv.admin.post(`${API}/imports/${imp.id}/undo`), 200);
  }
  assert.equal((await contactsTagged(t)).length, 0);
});

test('bad requests get problems naming the field; nothing is queued', async () => {
  const before = (await srv.admin.get(`${API}/imports?limit=500`)).json.data.length;
  expectFieldError(await upload({ entity: 'contacts' }), 'file', 'required');
  expectFieldError(await upload({}, { file: 'Name\r\nx\r\n' }), 'entity', 'required');
  expectFieldError(await upload({ entity: 'users' }, { file: 'Name\r\nx\r\n' }), 'entity', 'invalid');
  expectFieldError(await upload({ entity: 'contacts', mapping: '{"Name":"salary"}' }, { file: 'Name\r\nx\r\n' }), 'mapping', 'invalid_target');
  expectFieldError(await upload({ entity: 'contacts', mapping: '{nope' }, { file: 'Name\r\nx\r\n' }), 'mapping', 'invalid_json');
  expectFieldError(await upload({ entity: 'contacts', strategy: 'overwrite' }, { file: 'Name\r\nx\r\n' }), 'strategy', 'invalid');
  expectFieldError(await upload({ entity: 'contacts', options: { country: 'XX' } }, { file: 'Name\r\nx\r\n' }), 'options.country', 'invalid');
  const json = await srv.admin.post(`${API}/imports`, { entity: 'contacts' });
  expectFieldError(json, 'file', 'required');
  assert.equal((await srv.admin.get(`${API}/imports?limit=500`)).json.data.length, before);
  // a file that is not a table fails the import with a reason
  const bin = await runImport({ entity: 'contacts' }, { file: Buffer.from([0, 1, 2, 3, 0, 0, 255, 254, 0, 7]), name: 'x.bin' });
  assert.equal(bin.status, 'failed');
  assert.ok(bin.error && bin.error.length > 0);
});

test("another user's import is not found; a read-only role may not import", async () => {
  const sales = await makeUser(srv, { role: 'sales', name: `Imp Sales ${tag}` });
  const ro = await makeUser(srv, { role: 'read-only', name: `Imp RO ${tag}` });
  const mine = await runImport({ entity: 'contacts', dry_run: 'true' }, { file: 'Name\r\nSomeone\r\n' });
  expectStatus(await sales.client.get(`${API}/imports/${mine.id}`), 404);
  expectStatus(await sales.client.post(`${API}/imports/${mine.id}/undo`), 404);
  const rej = await fetch(`${srv.server.base}${API}/imports/${mine.id}/rejects`, { headers: { Cookie: sales.session.cookie } });
  assert.equal(rej.status, 404);
  const own = await upload({ entity: 'contacts', dry_run: 'true' }, { file: 'Name\r\nSales Person\r\n', session: sales.session });
  expectStatus(own, 202);
  expectStatus(await upload({ entity: 'contacts' }, { file: 'Name\r\nx\r\n', session: ro.session }), 403);
});

test('duplicates: records sharing an e-mail are grouped; merge keeps one, fills it, moves activities, bins the other', async () => {
  const email = `dup.${tag}@example.com`;
  const a = await create(srv.admin, 'contacts', { name: `Dup A ${tag}`, email, title: 'Keeps this' });
  const b = await create(srv.admin, 'contacts', { name: `Dup B ${tag}`, email: email.toUpperCase(), city: 'Новосибирск', title: 'Loses this' });
  const act = await create(srv.admin, 'activities', { type: 'call', subject: `Call B ${tag}`, related_type: 'contacts', related_id: b.id });
  let group;
  let cursor = null;
  for (let page = 0; page < 50 && !group; page++) {
    const r = await srv.admin.get(`${API}/contacts/duplicates?limit=50${cursor ? `&cursor=${cursor}` : ''}`);
    expectStatus(r, 200, 'duplicates');
    group = r.json.data.find((g) => g.kind === 'email' && g.key === email);
    cursor = r.json.next_cursor;
    if (!cursor) break;
  }
  assert.ok(group, 'the two contacts are not in a duplicates group');
  assert.deepEqual(group.records.map((r) => r.id).sort((x, y) => x - y), [a.id, b.id]);
  const m = await srv.admin.post(`${API}/contacts/${a.id}/merge`, { duplicate_id: b.id, values: { name: `Dup B ${tag}` } });
  expectStatus(m, 200, 'merge');
  assert.deepEqual([m.json.name, m.json.title, m.json.city], [`Dup B ${tag}`, 'Keeps this', 'Новосибирск']);
  expectStatus(await srv.admin.get(`${API}/contacts/${b.id}`), 404);
  const moved = (await srv.admin.get(`${API}/activities/${act.id}`)).json;
  assert.equal(moved.related_id, a.id);
  const hist = (await srv.admin.get(`${API}/contacts/${a.id}/history`)).json.data;
  assert.ok(hist.some((h) => h.action === 'merge' && h.changes.some((c) => c.new === b.id)));
  expectProblem(await srv.admin.post(`${API}/contacts/${a.id}/merge`, { duplicate_id: a.id }), 400, 'same_record');
  expectFieldError(await srv.admin.post(`${API}/contacts/${a.id}/merge`, {}), 'duplicate_id', 'required');
  expectStatus(await srv.admin.get(`${API}/contacts/duplicates?cursor=garbage`), 422);
  // an empty cursor is the first page, as for lists; it used to pass a
  // NULL buffer to memchr (undefined behaviour: the ASan build aborted)
  expectStatus(await srv.admin.get(`${API}/contacts/duplicates?cursor=`), 200);
});

test('a dry run shows how far it got while it runs (each rolled-back batch took its progress with it)', async () => {
  let csv = 'Name,Email\r\n';
  for (let i = 0; i < 12500; i++) csv += `Far Along ${i},far.along${i}.${tag}@example.com\r\n`;
  const up = await upload({ entity: 'contacts', dry_run: 'true' }, { file: csv });
  expectStatus(up, 202, 'upload');
  const seen = new Set();
  for (let i = 0; i < 3000; i++) {
    const r = await srv.admin.get(`${API}/imports/${up.json.id}`);
    if (r.json.status === 'running') seen.add(r.json.processed_rows);
    if (!['queued', 'running'].includes(r.json.status)) break;
    await new Promise((res) => setTimeout(res, 20));
  }
  const between = [...seen].filter((n) => n > 0 && n < 12500);
  assert.ok(between.length > 0, `a running dry run showed only ${JSON.stringify([...seen])} rows processed`);
});
