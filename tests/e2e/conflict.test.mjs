// conflict.test.mjs — the record page (/{entity}/{id}): inline editing
// saves through the API, and editing a stale version (the record was
// changed through the API after the page loaded) shows #conflict naming
// the changed fields; #conflict-reload shows the new value and keeps it,
// #conflict-overwrite writes ours.
import { before } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, useBrowser, textOf, until, uniqWord, guardedTest } from './lib.mjs';

const srv = useServer();
const test = guardedTest(srv);
const br = useBrowser();

let S;
before(async () => {
  await srv.ready;
  S = await br.session(srv, srv.adminEmail, srv.adminPassword);
});

const row = (page, f) => page.locator(`#record [data-field="${f}"]`).first();

/** Starts inline editing of a field; returns its input. */
async function startEdit(page, f) {
  const r = row(page, f);
  await r.waitFor({ state: 'visible' });
  const editBtn = r.locator('[data-edit]');
  if (await editBtn.count()) await editBtn.first().click();
  else await r.click();
  const input = r.locator(`input[name="${f}"], textarea[name="${f}"], select[name="${f}"]`).first();
  await input.waitFor({ state: 'visible' });
  return input;
}

async function openRecord(page, entity, id) {
  await page.goto(srv.url(`/${entity}/${id}`));
  await page.locator('#record').waitFor({ state: 'visible' });
}

test('inline edit: Enter saves, Escape cancels', async () => {
  const { page } = S;
  const c = await srv.api.create('contacts', { name: `Inline ${uniqWord()}`, title: 'Buyer' });
  await openRecord(page, 'contacts', c.id);
  await until(async () => (await textOf(row(page, 'title'))).includes('Buyer'), '[data-field=title] does not show the title');

  let input = await startEdit(page, 'title');
  await input.fill('Head of Purchasing');
  await input.press('Enter');
  await until(async () => (await srv.api.ok(`/contacts/${c.id}`)).title === 'Head of Purchasing', 'Enter did not save the title');
  await until(async () => (await textOf(row(page, 'title'))).includes('Head of Purchasing'), 'the page does not show the saved title');

  input = await startEdit(page, 'title');
  await input.fill('Should not be saved');
  await input.press('Escape');
  await until(async () => (await row(page, 'title').locator('input[name="title"]').count()) === 0 ||
    !(await row(page, 'title').locator('input[name="title"]').isVisible()), 'Escape did not leave the editor');
  assert.ok((await textOf(row(page, 'title'))).includes('Head of Purchasing'), 'after Escape the field does not show the saved value');
  await page.waitForTimeout(300);
  assert.equal((await srv.api.ok(`/contacts/${c.id}`)).title, 'Head of Purchasing', 'Escape saved the value');
});

test('editing a stale version shows #conflict; #conflict-reload shows the new value', async () => {
  const { page } = S;
  const c = await srv.api.create('contacts', { name: `Conflict ${uniqWord()}`, title: 'Original title', city: 'Kazan' });
  await openRecord(page, 'contacts', c.id);
  await until(async () => (await textOf(row(page, 'title'))).includes('Original title'), 'the record page does not show the title');

  // someone else changes the record
  const theirs = 'Changed elsewhere 别处修改';
  const p = await srv.api.patch(`/contacts/${c.id}`, { title: theirs }, { 'If-Match': `"${c.version}"` });
  assert.equal(p.status, 200, `API PATCH answered ${p.status} ${p.text}`);

  // we edit the same field from the stale page
  const input = await startEdit(page, 'title');
  await input.fill('Mine 我的');
  const patched = page.waitForResponse((r) => r.request().method() === 'PATCH' && new URL(r.url()).pathname === `/api/v1/contacts/${c.id}`);
  await input.press('Enter');
  const res = await patched;
  assert.equal(res.status(), 412, `the page's PATCH answered ${res.status()}, expected 412 (did it send If-Match with the version it loaded?)`);
  const dlg = page.locator('#conflict');
  await dlg.waitFor({ state: 'visible' });
  const dtext = await textOf(dlg);
  assert.match(dtext, /title/i, `#conflict does not list the changed field "title": "${dtext}"`);
  assert.equal((await srv.api.ok(`/contacts/${c.id}`)).title, theirs, 'the stale edit overwrote the other change');

  await dlg.locator('#conflict-reload').click();
  await dlg.waitFor({ state: 'hidden' });
  await until(async () => (await textOf(row(page, 'title'))).includes(theirs),
    async () => `after #conflict-reload [data-field=title] shows "${await textOf(row(page, 'title'))}", expected "${theirs}"`);
  assert.equal((await srv.api.ok(`/contacts/${c.id}`)).title, theirs, '#conflict-reload changed the record');
});

test('#conflict-overwrite writes our value over the other change', async () => {
  const { page } = S;
  const c = await srv.api.create('contacts', { name: `Overwrite ${uniqWord()}`, city: 'Omsk' });
  await openRecord(page, 'contacts', c.id);
  await until(async () => (await textOf(row(page, 'city'))).includes('Omsk'), 'the record page does not show the city');
  const p = await srv.api.patch(`/contacts/${c.id}`, { city: 'Tomsk' });
  assert.equal(p.status, 200);
  const input = await startEdit(page, 'city');
  await input.fill('Novosibirsk');
  await input.press('Enter');
  const dlg = page.locator('#conflict');
  await dlg.waitFor({ state: 'visible' });
  await dlg.locator('#conflict-overwrite').click();
  await until(async () => (await srv.api.ok(`/contacts/${c.id}`)).city === 'Novosibirsk', '#conflict-overwrite did not save our value');
  await until(async () => (await textOf(row(page, 'city'))).includes('Novosibirsk'), 'the page does not show our value after overwriting');
});
