// export.test.mjs — GET /api/v1/{entity}/export: CSV read back and compared
// with the list API for the same filters, the BOM, formula neutralisation,
// a sales user's export limited to their scope and without hidden fields,
// XLSX as a zip whose sheet holds typed cells, vCard text, and problems
// for a bad format or filter.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  API, useServer, startServer, expectStatus, expectProblem, create, makeUser, listAll, uniq,
} from './lib/server.mjs';
import { unzip } from './lib/zip.mjs';

const srv = useServer();
const S = {};
const tag = uniq('exp');

/** GETs a path with a session and returns the raw body as a Buffer. */
async function download(session, p) {
  const res = await fetch(srv.server.base + p, { headers: { Cookie: session.cookie } });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body, text: body.toString('utf8') };
}

/** RFC 4180: rows of cells; quoted cells may hold commas, quotes and line breaks. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      cell += c; i++; continue;
    }
    if (c === '"' && cell === '') { quoted = true; i++; continue; }
    if (c === ',') { row.push(cell); cell = ''; i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i += 2; continue; }
    assert.notEqual(c, '\n', `a bare LF outside quotes at ${i}`);
    cell += c; i++;
  }
  assert.equal(cell, '', 'the file does not end with CRLF');
  assert.equal(row.length, 0, 'the file does not end with CRLF');
  return rows;
}

/** What the exporter writes for an API value (neutralised text loses its quote here). */
function cellOf(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'object') return v; // tags, JSON: compared parsed
  return String(v);
}
const unneutralise = (s) => (/^'[=+\-@\t\r]/.test(s) ? s.slice(1) : s);

before(async () => {
  await srv.ready;
  S.teamA = await create(srv.admin, 'teams', { name: `Export A ${tag}` });
  S.teamB = await create(srv.admin, 'teams', { name: `Export B ${tag}` });
  S.acc = await create(srv.admin, 'accounts', { name: `Акме, "Ромашка" ${tag}`, team_id: S.teamA.id });
  S.accB = await create(srv.admin, 'accounts', { name: `Hidden Account ${tag}`, team_id: S.teamB.id });
  S.sales = await makeUser(srv, { role: 'sales', team_id: S.teamA.id, name: 'Export Sales' });
  S.other = await makeUser(srv, { role: 'sales', team_id: S.teamB.id, name: 'Export Other' });
  const bodies = [
    { name: `王小明 ${tag}`, family_name: '王', given_name: '小明', email: 'wang@example.cn', title: '采购总监, 华东', account_id: S.acc.id, birthday: '1985-04-12', marketing_consent: true, tags: ['vip', 'китай'], description: 'line one\nline two; with \\ backslash' },
    { name: `Иван Петров ${tag}`, family_name: 'Петров', given_name: 'Иван', email: 'ivan@example.ru', phone: '+7 495 123-45-67', account_id: S.accB.id, city: 'Москва', country: 'Россия' },
    { name: `=HYPERLINK("http://evil","x") ${tag}`, title: '@SUM(A1)', email: 'evil@example.com', description: '-2+3' },
    { name: `Plain Person ${tag}`, title: 'CEO', email: 'plain@example.com', marketing_consent: false },
  ];
  S.contacts = [];
  for (const b of bodies) S.contacts.push(await create(srv.admin, 'contacts', { ...b, owner_id: S.sales.user.id, team_id: S.teamA.id }));
  S.foreign = await create(srv.admin, 'contacts', { name: `Team B Person ${tag}`, email: 'secret-b@example.com', owner_id: S.other.user.id, team_id: S.teamB.id });
  S.deal = await create(srv.admin, 'deals', { name: `Deal ${tag}`, amount: 123450, currency: 'USD', expected_close: '2026-03-31', account_id: S.acc.id });
  S.neg = await create(srv.admin, 'deals', { name: `Refund ${tag}`, amount: -12345, currency: 'JPY' });
  S.lead = await create(srv.admin, 'leads', { name: `Lead ${tag}`, company: 'Lead Co; Ltd', email: 'lead@example.com' });
});

test('CSV: a filtered export reads back as the list API\'s rows, with reference names', async () => {
  const filter = `name[contains]=${encodeURIComponent(tag)}&sort=-name`;
  const listed = await listAll(srv.admin, `${API}/contacts?${filter}&limit=2`);
  assert.ok(listed.length >= 5, 'the set-up made five contacts');
  const r = await download(srv.adminSession, `${API}/contacts/export?format=csv&${filter}`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/csv; charset=utf-8/);
  const today = new Date().toISOString().slice(0, 10);
  assert.equal(r.headers.get('content-disposition'), `attachment; filename="contacts-${today}.csv"`);
  assert.notEqual(r.body[0], 0xef, 'no BOM unless asked');
  const [header, ...rows] = parseCsv(r.text);
  const fields = Object.keys(listed[0]);
  for (const f of fields) assert.ok(header.includes(f), `header lacks ${f}`);
  assert.equal(header.indexOf('account_name'), header.indexOf('account_id') + 1, 'the name follows the reference');
  assert.equal(header.indexOf('owner_name'), header.indexOf('owner_id') + 1);
  assert.ok(header.includes('created_by_name'));
  assert.equal(rows.length, listed.length, 'one row per listed record');
  rows.forEach((cells, k) => {
    const api = listed[k];
    for (const f of fields) {
      const got = cells[header.indexOf(f)];
      const want = cellOf(api[f]);
      if (typeof want === 'object') assert.deepEqual(JSON.parse(got), want, `${f} of ${api.id}`);
      else assert.equal(unneutralise(got), want, `${f} of ${api.id}`);
    }
  });
  const wang = rows.find((c) => c[0] === String(S.contacts[0].id));
  assert.equal(wang[header.indexOf('account_name')], S.acc.name);
  assert.equal(wang[header.indexOf('owner_name')], 'Export Sales');
});

test('CSV: fields= picks and orders the columns; bom=1 starts with a byte-order mark', async () => {
  const r = await download(srv.adminSession, `${API}/contacts/export?fields=email,name,account_id&bom=1&id=${S.contacts[0].id}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([...r.body.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const rows = parseCsv(r.body.subarray(3).toString('utf8'));
  assert.deepEqual(rows[0], ['id', 'email', 'name', 'account_id', 'account_name']);
  assert.deepEqual(rows[1], [String(S.contacts[0].id), 'wang@example.cn', S.contacts[0].name, String(S.acc.id), S.acc.name]);
});

test('CSV: formula-like text is neutralised, negative numbers stay numbers', async () => {
  const r = await download(srv.adminSession, `${API}/contacts/export?id=${S.contacts[2].id}&fields=name,title,description`);
  const [, row] = parseCsv(r.text);
  assert.equal(row[1], `'=HYPERLINK("http://evil","x") ${tag}`);
  assert.equal(row[2], "'@SUM(A1)");
  assert.equal(row[3], "'-2+3");
  const phone = parseCsv((await download(srv.adminSession, `${API}/contacts/export?id=${S.contacts[1].id}&fields=phone`)).text);
  assert.equal(phone[1][1], "'+7 495 123-45-67");
  const d = await download(srv.adminSession, `${API}/deals/export?id=${S.neg.id}&fields=amount,currency`);
  assert.match(d.text, /\r\n\d+,-12345,JPY\r\n$/, 'a negative amount is written as a plain number');
});

test('CSV: money is in major units with its currency\'s decimals, as the import reads it', async () => {
  const usd = await download(srv.adminSession, `${API}/deals/export?id=${S.deal.id}&fields=amount,currency`);
  assert.match(usd.text, /\r\n\d+,1234\.50,USD\r\n$/, 'USD 123450 minor units is 1234.50');
  const cents = await create(srv.admin, 'deals', { name: `Cents ${uniq('csvmoney')}`, amount: -5, currency: 'EUR' });
  const eur = await download(srv.adminSession, `${API}/deals/export?id=${cents.id}&fields=amount`);
  assert.match(eur.text, /\r\n\d+,-0\.05\r\n$/, 'the currency gives the decimals even when it is not a column');
  const kwd = await create(srv.admin, 'deals', { name: `Fils ${uniq('csvmoney')}`, amount: 1234567, currency: 'KWD' });
  const k = await download(srv.adminSession, `${API}/deals/export?id=${kwd.id}&fields=amount,currency`);
  assert.match(k.text, /\r\n\d+,1234\.567,KWD\r\n$/);
});

test('a sales user exports only the rows in their scope, and no hidden field', async () => {
  // a role like sales whose contacts hide e-mail and phone
  const role = await create(srv.admin, 'roles', {
    name: `sales-hidden-${tag}`,
    permissions: { '*': { read: 'team', create: 'team', edit: 'own', delete: 'own' }, users: { read: 'all' }, contacts: { read: 'team', hidden: ['email', 'phone'] } },
  });
  const u = await makeUser(srv, { role: 'sales', team_id: S.teamA.id, name: 'Export Hidden' });
  expectStatus(await srv.admin.patch(`${API}/users/${u.user.id}`, { role_id: role.id }), 200);
  const listed = await listAll(u.client, `${API}/contacts?name[contains]=${encodeURIComponent(tag)}`);
  const r = await download(u.session, `${API}/contacts/export?name[contains]=${encodeURIComponent(tag)}`);
  assert.equal(r.status, 200, r.text);
  const [header, ...rows] = parseCsv(r.text);
  assert.deepEqual(rows.map((c) => Number(c[0])).sort(), listed.map((c) => c.id).sort(), 'the same rows as the list');
  assert.ok(!rows.some((c) => Number(c[0]) === S.foreign.id), 'the other team\'s contact is not exported');
  assert.ok(!header.includes('email') && !header.includes('phone'), `hidden columns in ${header}`);
  for (const secret of ['secret-b@example.com', 'wang@example.cn', '495 123', 'Team B Person', S.accB.name]) {
    assert.ok(!r.text.includes(secret), `the export shows ${secret}`);
  }
  // Иван's account is in team B: its name is not readable for this user
  const ivan = rows.find((c) => Number(c[0]) === S.contacts[1].id);
  assert.equal(ivan[header.indexOf('account_id')], String(S.accB.id));
  assert.equal(ivan[header.indexOf('account_name')], '');
  // the plain sales user sees e-mail
  const plain = await download(S.sales.session, `${API}/contacts/export?name[contains]=${encodeURIComponent(tag)}&fields=email`);
  assert.ok(plain.text.includes('wang@example.cn'));
  assert.ok(!plain.text.includes('secret-b@example.com'));
  // filtering on a hidden field is refused, as in the list
  expectProblem(await u.client.get(`${API}/contacts/export?email=wang@example.cn`), 400);
});

test('XLSX: a zip whose sheet holds typed cells and a bold, frozen header', async () => {
  const r = await download(srv.adminSession, `${API}/deals/export?format=xlsx&name[contains]=${encodeURIComponent(tag)}&sort=name`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assert.match(r.headers.get('content-disposition'), /filename="deals-\d{4}-\d{2}-\d{2}\.xlsx"/);
  assert.equal(r.body.subarray(0, 2).toString(), 'PK');
  const files = unzip(r.body);
  const sheet = files['xl/worksheets/sheet1.xml'].toString('utf8');
  const styles = files['xl/styles.xml'].toString('utf8');
  assert.match(files['xl/workbook.xml'].toString('utf8'), /<sheet name="deals"/);
  assert.match(sheet, /<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"\/>/);
  // row 2 is "Deal …" (sorted by name), row 3 "Refund …"
  const row = (n) => sheet.match(new RegExp(`<row r="${n}"[^>]*>(.*?)</row>`))[1];
  const cell = (n, value) => row(n).match(new RegExp(`<c r="[A-Z]+${n}"([^>]*)>(?:<v>|<is><t>)${value}<`));
  const header = row(1);
  assert.match(header, /<c r="A1" s="(\d+)" t="inlineStr"><is><t>id<\/t>/);
  const boldXf = Number(header.match(/s="(\d+)"/)[1]);
  const xfs = styles.match(/<cellXfs[^>]*>(.*?)<\/cellXfs>/)[1].match(/<xf [^>]*\/?>/g);
  const fonts = styles.match(/<fonts[^>]*>(.*?)<\/fonts>/)[1].match(/<font>.*?<\/font>/g);
  assert.match(fonts[Number(xfs[boldXf].match(/fontId="(\d+)"/)[1])], /<b\/>/, 'the header is bold');
  // money in major units with two decimals; JPY has none
  const amount = cell(2, '1234.5');
  assert.ok(amount, `no 1234.5 cell in ${row(2)}`);
  const moneyFmt = (c) => xfs[Number(c[1].match(/s="(\d+)"/)[1])].match(/numFmtId="(\d+)"/)[1];
  assert.match(styles, new RegExp(`<numFmt numFmtId="${moneyFmt(amount)}" formatCode="#,##0.00"/>`));
  const yen = cell(3, '-12345');
  assert.match(styles, new RegExp(`<numFmt numFmtId="${moneyFmt(yen)}" formatCode="#,##0"/>`));
  // a date is a serial number with a date format: 2026-03-31 is 46112
  const date = cell(2, '46112');
  assert.ok(date, `expected_close is not the serial 46112 in ${row(2)}`);
  assert.match(styles, new RegExp(`<numFmt numFmtId="${moneyFmt(date)}" formatCode="yyyy-mm-dd"/>`));
  assert.ok(cell(2, `Deal ${tag}`)[1].includes('t="inlineStr"'), 'text is a string');
  assert.ok(cell(2, 'USD'), 'the currency is text');
  assert.ok(row(2).includes(`<c r="D2" t="inlineStr"><is><t>${S.acc.name}</t>`), 'the account name follows account_id');

  const c = await download(srv.adminSession, `${API}/contacts/export?format=xlsx&id=${S.contacts[0].id}&fields=name,marketing_consent,birthday`);
  const csheet = unzip(c.body)['xl/worksheets/sheet1.xml'].toString('utf8');
  assert.match(csheet, /<c r="C2" t="b"><v>1<\/v><\/c>/, 'a boolean is TRUE/FALSE');
  assert.match(csheet, /<c r="D2" s="\d+"><v>31149<\/v><\/c>/, '1985-04-12 is the serial 31149');
  assert.match(csheet, /<t>王小明 /);
});

test('XLSX: text over Excel\'s 32,767 characters is cut there, even when it looks like an escape', async () => {
  // "_x0041_" is written "_x005F_x0041_" so Excel does not read it as "A":
  // the cut must leave room for that, or the sheet is refused whole
  const body = `_x0041_ ${'я'.repeat(40_000)}`;
  const act = await create(srv.admin, 'activities', { type: 'note', subject: `Long ${tag}`, body });
  const r = await download(srv.adminSession, `${API}/activities/export?format=xlsx&id=${act.id}&fields=body`);
  assert.equal(r.status, 200, r.text);
  const sheet = unzip(r.body)['xl/worksheets/sheet1.xml'].toString('utf8');
  const text = sheet.match(/<c r="B2" t="inlineStr"><is><t[^>]*>(.*?)<\/t>/)[1];
  assert.ok(text.startsWith('_x005F_x0041_ яяя'), text.slice(0, 40));
  assert.ok([...text].length <= 32767, `${[...text].length} characters in a cell`);
  assert.ok([...text].length > 32000, `${[...text].length} characters: cut too short`);
});

test('vCard: contacts and leads as vCard 4.0 with escaping, folding and CRLF', async () => {
  const r = await download(srv.adminSession, `${API}/contacts/export?format=vcf&id=${S.contacts[0].id}`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/vcard/);
  assert.match(r.headers.get('content-disposition'), /contacts-.*\.vcf"/);
  const lines = r.text.split('\r\n');
  assert.equal(lines.pop(), '', 'ends with CRLF');
  for (const l of lines) {
    assert.ok(Buffer.byteLength(l) <= 75, `longer than 75 octets: ${l}`);
    assert.ok(!l.includes('\n') && !l.includes('\r'), 'bare line break');
  }
  const card = r.text.replace(/\r\n /g, ''); // unfold
  for (const want of ['BEGIN:VCARD', 'VERSION:4.0', `FN:王小明 ${tag}`, 'N:王;小明;;;', 'EMAIL;PREF=1:wang@example.cn',
    'TITLE:采购总监\\, 华东', 'BDAY:19850412', `UID:urn:rapport:contacts:${S.contacts[0].id}`,
    'NOTE:line one\\nline two\\; with \\\\ backslash', 'CATEGORIES:vip,китай', 'END:VCARD']) {
    assert.ok(card.split('\r\n').includes(want), `no line ${want} in\n${card}`);
  }
  assert.ok(card.includes(`ORG:Акме\\, "Ромашка" ${tag}`), `ORG is the account's name:\n${card}`);
  assert.match(card, /\r\nREV:\d{8}T\d{6}Z\r\n/);

  const l = await download(srv.adminSession, `${API}/leads/export?format=vcf&id=${S.lead.id}`);
  assert.ok(l.text.includes('ORG:Lead Co\\; Ltd\r\n'), l.text);
  assert.equal((l.text.match(/BEGIN:VCARD/g) || []).length, 1);
});

test('bad format or filter: RFC 9457 problems naming the parameter', async () => {
  let p = expectProblem(await srv.admin.get(`${API}/contacts/export?format=pdf`), 400, 'invalid_format');
  assert.ok(p.errors.some((e) => e.field === 'format'), JSON.stringify(p));
  p = expectProblem(await srv.admin.get(`${API}/deals/export?format=vcf`), 400, 'invalid_format');
  assert.ok(p.errors.some((e) => e.field === 'format'));
  p = expectProblem(await srv.admin.get(`${API}/contacts/export?nosuch=1`), 400, 'invalid_filter');
  assert.ok(p.errors.some((e) => e.field === 'nosuch'));
  p = expectProblem(await srv.admin.get(`${API}/contacts/export?sort=nosuch`), 400);
  assert.ok(p.errors.some((e) => e.field === 'sort'));
  expectProblem(await srv.admin.get(`${API}/nothing/export`), 404);
  expectProblem(await srv.request('GET', `${API}/contacts/export`), 401);
});

test('an export is not a record id, and the list still pages as before', async () => {
  const r = await srv.admin.get(`${API}/contacts/export?format=csv&id=${S.contacts[3].id}`);
  expectStatus(r, 200);
  assert.ok(r.text.startsWith('id,name,'));
  const oa = await srv.admin.get(`${API}/openapi.json`);
  assert.ok(oa.json.paths['/api/v1/contacts/export'].get, 'the export is in the OpenAPI document');
  assert.deepEqual(oa.json.paths['/api/v1/deals/export'].get.parameters[0].schema.enum, ['csv', 'xlsx']);
});

test('a server whose data folder is not there yet makes it: exports and uploads work at once', async () => {
  // on PostgreSQL the files beside the database live in RAPPORT_DATA_DIR
  // (the test server's folder): nothing made it, so every export and
  // upload was 503 until an import by the CLI did
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-fresh-'));
  const fresh = await startServer({ dir: path.join(parent, 'data') });
  try {
    const s = await fresh.login(fresh.adminEmail, fresh.adminPassword);
    expectStatus(s, 200, 'admin login');
    const r = await fetch(`${fresh.base}${API}/contacts/export?format=xlsx`, { headers: { Cookie: s.cookie } });
    assert.equal(r.status, 200, await r.text());
    const fd = new FormData();
    fd.append('entity', 'contacts');
    fd.append('file', new Blob(['Name,Email\r\nFresh Folder,fresh@example.com\r\n'], { type: 'text/csv' }), 'fresh.csv');
    const u = await fetch(`${fresh.base}${API}/imports`, {
      method: 'POST', body: fd, headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf },
    });
    assert.equal(u.status, 202, await u.text());
  } finally {
    await fresh.stop();
    fs.rmSync(parent, { recursive: true, force: true });
  }
});

test('headers=labels: the fields\' labels and choices in the user\'s language, linked records by name only; an import reads them back', async () => {
  const u = S.sales;
  expectStatus(await srv.admin.patch(`${API}/contacts/${S.contacts[0].id}`, { preferred_channel: 'phone' }), 200);
  const q = `fields=email,name,account_id,birthday,preferred_channel&headers=labels&id=${S.contacts[0].id}`;
  const want = {
    ru: ['Номер', 'Эл. почта', 'Название', 'Компания', 'День рождения', 'Предпочтительный канал'],
    zh: ['编号', '电子邮箱', '名称', '客户', '生日', '首选联系方式'],
  };
  const phone = { ru: 'Телефон', zh: '电话' };
  try {
    for (const [locale, header] of Object.entries(want)) {
      expectStatus(await u.client.patch(`${API}/auth/me`, { locale }), 200, `PATCH /auth/me ${locale}`);
      const r = await download(u.session, `${API}/contacts/export?${q}`);
      assert.equal(r.status, 200, r.text);
      const rows = parseCsv(r.text);
      assert.deepEqual(rows[0], header, `${locale} header`);
      assert.deepEqual(rows[1], [String(S.contacts[0].id), 'wang@example.cn', S.contacts[0].name, S.acc.name, '1985-04-12', phone[locale]]);
      const x = await download(u.session, `${API}/contacts/export?${q}&format=xlsx`);
      assert.equal(x.status, 200, x.text);
      const sheet = unzip(x.body)['xl/worksheets/sheet1.xml'].toString('utf8');
      for (const text of [header[5], phone[locale], S.acc.name.replace(/&/g, '&amp;')]) {
        assert.ok(sheet.includes(`<t>${text}</t>`), `${locale} XLSX lacks ${text}`);
      }
      // the file read back: every column finds its field, the row its record
      const fd = new FormData();
      fd.append('entity', 'contacts');
      fd.append('dry_run', 'true');
      fd.append('file', new Blob([r.body], { type: 'text/csv' }), `contacts-${locale}.csv`);
      const up = await fetch(`${srv.server.base}${API}/imports`, { method: 'POST', body: fd, headers: { Cookie: u.session.cookie, 'X-CSRF-Token': u.session.csrf } });
      const upText = await up.text();
      assert.equal(up.status, 202, upText);
      const { id } = JSON.parse(upText);
      let imp;
      for (let i = 0; i < 300 && !(imp && imp.status === 'done'); i++) {
        imp = (await u.client.get(`${API}/imports/${id}`)).json;
        if (imp.status !== 'done') await new Promise((res) => setTimeout(res, 50));
      }
      assert.equal(imp.status, 'done', JSON.stringify(imp));
      const targets = Object.fromEntries(imp.report.columns.map((c) => [c.header, c.target]));
      assert.deepEqual(targets, { [header[0]]: '', [header[1]]: 'email', [header[2]]: 'name', [header[3]]: 'account', [header[4]]: 'birthday', [header[5]]: 'preferred_channel' });
      assert.deepEqual(imp.report.rows.map((x) => [x.action, x.id, x.match]), [['skip', S.contacts[0].id, 'email']]);
    }
  } finally {
    await u.client.patch(`${API}/auth/me`, { locale: 'en' });
  }
  expectProblem(await srv.admin.get(`${API}/contacts/export?headers=titles`), 400, 'invalid_headers');
});
