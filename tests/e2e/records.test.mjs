// records.test.mjs — creating an account and a contact through
// form#record-form (with the server's validation message for a bad e-mail
// shown at [data-field=email] [data-field-error]), then finding records
// with the global search in Chinese (2-character substring and pinyin),
// Russian (Cyrillic and Latin transliteration) and English (prefix), and
// opening a result.
import { before } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, useBrowser, textOf, until, guardedTest } from './lib.mjs';

const srv = useServer();
const test = guardedTest(srv);
const br = useBrowser();
const enc = encodeURIComponent;

const ACCOUNT = '翠鸟云科技有限公司';
const CONTACT = 'Ярослава Щербакова';
const CONTACT_EMAIL = 'yaroslava.sh@example.ru';
const ZH_PERSON = '欧阳翠花';
const EN_PERSON = 'Quentin Fairweather';

let S; // {page, context, log}
before(async () => {
  await srv.ready;
  S = await br.session(srv, srv.adminEmail, srv.adminPassword);
});

async function findByName(entity, name) {
  const rows = await srv.api.all(`/${entity}?name=${enc(name)}`);
  return rows;
}

test('create an account through the form', async () => {
  const { page } = S;
  await page.goto(srv.url('/accounts'));
  await page.locator('#new-record').click();
  const form = page.locator('form#record-form');
  await form.waitFor({ state: 'visible' });
  await form.locator('[data-field=name] [name=name]').fill(ACCOUNT);
  const site = form.locator('[data-field=website] [name=website]');
  if (await site.count()) await site.fill('https://cuiniao.example.cn');
  const saved = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/accounts');
  await form.locator('button[type=submit]').click();
  const res = await saved;
  assert.equal(res.status(), 201, `POST /api/v1/accounts from the form answered ${res.status()}: ${await res.text()}`);
  const rows = await findByName('accounts', ACCOUNT);
  assert.equal(rows.length, 1, `the API has ${rows.length} accounts named ${ACCOUNT}`);
  // the UI shows the new record (its page or the list)
  await until(async () => (await textOf(page.locator('body'))).includes(ACCOUNT), `the page does not show the new account ${ACCOUNT} after saving (${page.url()})`);
});

test('create a contact: a bad e-mail shows the server\'s message at the field, a good one saves', async () => {
  const { page } = S;
  await page.goto(srv.url('/contacts'));
  await page.locator('#new-record').click();
  const form = page.locator('form#record-form');
  await form.waitFor({ state: 'visible' });
  await form.locator('[data-field=name] [name=name]').fill(CONTACT);
  // a bad e-mail the browser may catch itself: the message shows at the field
  const email = form.locator('[data-field=email] [name=email]');
  const fieldErr = form.locator('[data-field=email] [data-field-error]');
  const errText = async () => ((await fieldErr.count()) && (await fieldErr.first().isVisible()) ? textOf(fieldErr.first()) : '');
  await email.fill('yaroslava@example');
  await form.locator('button[type=submit]').click();
  await until(async () => (await errText()).length > 0, 'no message in [data-field=email] [data-field-error] for the e-mail "yaroslava@example"');
  // one only the server rejects (a trailing dot): its message shows at the field
  await email.fill('yaroslava@example.ru.');
  const bad = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/contacts', { timeout: 5000 })
    .catch(() => null);
  await form.locator('button[type=submit]').click();
  const badRes = await bad;
  assert.ok(badRes, 'submitting a contact with the e-mail "yaroslava@example.ru." sent no POST /api/v1/contacts (blocked on the client?)');
  assert.equal(badRes.status(), 422, `POST with the e-mail "yaroslava@example.ru." answered ${badRes.status()}`);
  const serverMsg = (await badRes.json()).errors?.find((e) => e.field === 'email');
  assert.ok(serverMsg, 'the server\'s 422 names no email field error');
  await until(async () => (await errText()).length > 0,
    'no message in [data-field=email] [data-field-error] after the server rejected the e-mail');
  // no message on a good field
  const nameErr = form.locator('[data-field=name] [data-field-error]');
  if (await nameErr.count()) {
    const t = (await nameErr.first().isVisible()) ? await textOf(nameErr.first()) : '';
    assert.equal(t, '', `[data-field=name] shows an error "${t}" although the name is fine`);
  }
  assert.equal((await findByName('contacts', CONTACT)).length, 0, 'the contact was saved despite the bad e-mail');

  // fix it and save
  await form.locator('[data-field=email] [name=email]').fill(CONTACT_EMAIL);
  const good = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/contacts');
  await form.locator('button[type=submit]').click();
  const goodRes = await good;
  assert.equal(goodRes.status(), 201, `POST with a good e-mail answered ${goodRes.status()}: ${await goodRes.text()}`);
  const rows = await findByName('contacts', CONTACT);
  assert.equal(rows.length, 1, 'the contact is not in the API after saving');
  assert.equal(rows[0].email, CONTACT_EMAIL);
  await until(async () => (await textOf(page.locator('body'))).includes(CONTACT), 'the page does not show the new contact after saving');
});

// --- search -----------------------------------------------------------------

async function ensure(entity, body) {
  const rows = await findByName(entity, body.name);
  if (rows.length) return rows[0];
  return srv.api.create(entity, body);
}

const resultSel = (entity, id) => `#search-results [data-search-result][data-entity="${entity}"][data-id="${id}"]`;

/** Types q into the global search and waits for the result (entity, id). */
async function searchFor(page, q, entity, id) {
  const input = page.locator('input#global-search');
  // clear the previous results with a query that finds nothing
  await input.fill('qqzxjv');
  await until(async () => (await page.locator(resultSel(entity, id)).count()) === 0,
    `the result ${entity}/${id} stays in #search-results for a query that should find nothing`);
  await input.fill('');
  await input.pressSequentially(q, { delay: 20 });
  const api = await srv.api.get(`/search?q=${enc(q)}`);
  const apiHas = (api.json?.data || []).some((r) => r.entity === entity && r.id === id);
  await until(async () => (await page.locator(resultSel(entity, id)).count()) > 0,
    () => `searching "${q}" in input#global-search shows no [data-search-result][data-entity="${entity}"][data-id="${id}"] in #search-results` +
      ` (GET /api/v1/search?q=${q} ${apiHas ? 'does' : 'does NOT'} find it)`);
  const grouped = page.locator(`#search-results [data-search-group="${entity}"] [data-search-result][data-id="${id}"]`);
  assert.ok(await grouped.count() > 0, `the result ${entity}/${id} for "${q}" is not inside [data-search-group="${entity}"]`);
  return page.locator(resultSel(entity, id)).first();
}

test('global search finds records in Chinese, pinyin, Cyrillic, Latin transliteration and English prefix; a result opens', async () => {
  const account = await ensure('accounts', { name: ACCOUNT });
  const contact = await ensure('contacts', { name: CONTACT, email: CONTACT_EMAIL });
  const zh = await ensure('contacts', { name: ZH_PERSON, title: '采购经理' });
  const en = await ensure('contacts', { name: EN_PERSON, title: 'Buyer' });

  const { page } = S;
  await page.goto(srv.url('/contacts'));
  await page.locator('input#global-search').waitFor({ state: 'visible' });
  // "/" focuses the search
  await page.locator('body').click({ position: { x: 5, y: 400 } }).catch(() => {});
  await page.keyboard.press('Escape');
  await page.keyboard.press('/');
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
  assert.equal(focused, 'global-search', `pressing "/" focuses #${focused || '(nothing)'} instead of input#global-search`);

  const failures = [];
  const cases = [
    ['鸟云', 'accounts', account.id, 'Chinese 2-character substring'],
    ['cuiniao', 'accounts', account.id, 'pinyin'],
    ['阳翠', 'contacts', zh.id, 'Chinese 2-character substring of a person'],
    ['ouyang cuihua', 'contacts', zh.id, 'pinyin of a person'],
    ['Щербак', 'contacts', contact.id, 'Cyrillic prefix'],
    ['yaroslava', 'contacts', contact.id, 'Latin transliteration'],
    ['shcherbakova', 'contacts', contact.id, 'Latin transliteration of the family name'],
    ['Quen', 'contacts', en.id, 'English prefix'],
  ];
  for (const [q, entity, id, what] of cases) {
    try {
      await searchFor(page, q, entity, id);
    } catch (e) {
      failures.push(`${what}: ${e.message.split('\n')[0]}`);
    }
  }

  // open a result: click the Russian contact
  try {
    const item = await searchFor(page, 'Ярослава', 'contacts', contact.id);
    await item.click();
    await page.waitForURL((u) => u.pathname === `/contacts/${contact.id}`, { timeout: 5000 });
    await page.locator('#record').waitFor({ state: 'visible' });
    await until(async () => (await textOf(page.locator('#record'))).includes(CONTACT), `#record at /contacts/${contact.id} does not show "${CONTACT}"`);
  } catch (e) {
    failures.push(`opening a result: ${e.message.split('\n')[0]}`);
  }
  assert.deepEqual(failures, [], `search failures:\n- ${failures.join('\n- ')}`);
});

test('search results open with the keyboard (ArrowDown, Enter)', async () => {
  const en = await ensure('contacts', { name: EN_PERSON, title: 'Buyer' });
  const { page } = S;
  await page.goto(srv.url('/accounts'));
  const input = page.locator('input#global-search');
  await input.waitFor({ state: 'visible' });
  await input.click();
  await input.pressSequentially('Fairweather', { delay: 20 });
  await page.locator(resultSel('contacts', en.id)).waitFor({ state: 'visible' });
  // the only result: ArrowDown selects it (or it is selected already), Enter opens it
  const n = await page.locator('#search-results [data-search-result]').count();
  assert.equal(n, 1, `"Fairweather" gives ${n} results, expected 1`);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname === `/contacts/${en.id}`, { timeout: 5000 });
  await page.locator('#record').waitFor({ state: 'visible' });
});
