// phone.test.mjs — the phone layout (375×812, touch): list and record pages
// do not overflow horizontally, the Export menu opens on the screen, the nav
// is reachable through a menu button, and the board offers
// select[data-stage-picker] that moves a deal.
import { before } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, useBrowser, waitRows, until, textOf, defaultPipeline, stagesOf, uniqWord, guardedTest } from './lib.mjs';

const srv = useServer();
const test = guardedTest(srv);
const br = useBrowser();
const PHONE = { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 };

let S;
before(async () => {
  await srv.ready;
  S = await br.session(srv, srv.adminEmail, srv.adminPassword, PHONE);
});

async function overflow(page) {
  return page.evaluate(() => ({
    doc: document.documentElement.scrollWidth,
    body: document.body.scrollWidth,
    widest: [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > 376 && getComputedStyle(e).position !== 'fixed')
      .slice(0, 6).map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className && typeof e.className === 'string' ? `.${e.className.trim().split(/\s+/).join('.')}` : ''}${e.children.length ? '' : ` "${e.textContent.trim().slice(0, 40)}"`} (right edge ${Math.round(e.getBoundingClientRect().right)})`),
  }));
}

async function assertNoOverflow(page, what) {
  const o = await overflow(page);
  assert.ok(o.doc <= 376, `${what}: document.documentElement.scrollWidth is ${o.doc} > 376 on a 375 px screen (sticking out: ${o.widest.join(', ')})`);
}

/** Finds the visible button that opens the nav on a phone. */
async function menuButton(page) {
  const candidates = ['#menu', '#nav-toggle', '#menu-toggle', 'button[aria-controls="nav"]', 'button[aria-label*="enu" i]',
    'button[aria-expanded][aria-controls]', '[data-menu]', 'button.menu', 'button.hamburger'];
  for (const sel of candidates) {
    const l = page.locator(sel).filter({ visible: true });
    if (await l.count()) return { loc: l.first(), sel };
  }
  return null;
}

test('phone: the contacts list fits the screen', async () => {
  const { page } = S;
  await page.goto(srv.url('/contacts'));
  await waitRows(page, 3);
  await page.waitForTimeout(200);
  await assertNoOverflow(page, '/contacts');
});

test('phone: the Export menu opens on the screen, wherever its button wrapped to', async () => {
  const { page } = S;
  // the list's buttons wrap: Export lands at the left edge on some lists
  // and at the right on others
  for (const ent of ['contacts', 'deals', 'products']) {
    await page.goto(srv.url(`/${ent}`));
    await waitRows(page, 1);
    await page.locator('#export-records').click();
    const menu = page.locator('.export-menu [role=menu]');
    await menu.waitFor();
    const b = await menu.boundingBox();
    assert.ok(b.x >= 0 && b.x + b.width <= 375,
      `/${ent}: the Export menu spans ${Math.round(b.x)}…${Math.round(b.x + b.width)} px on a 375 px screen`);
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
  }
});

/** Whether an element's centre is on the 375×812 screen (not off-canvas). */
async function onScreen(loc) {
  if (!(await loc.count()) || !(await loc.first().isVisible())) return false;
  const b = await loc.first().boundingBox();
  if (!b) return false;
  const x = b.x + b.width / 2;
  const y = b.y + b.height / 2;
  return x > 0 && x < 375 && y > 0 && y < 812;
}

test('phone: the nav opens from a menu button', async () => {
  const { page } = S;
  await page.goto(srv.url('/contacts'));
  await waitRows(page, 1);
  const navLink = page.locator('a[href="/accounts"]');
  if (!(await onScreen(navLink))) {
    const m = await menuButton(page);
    assert.ok(m, 'on a phone the nav link a[href="/accounts"] is off screen and there is no visible menu button (#menu, #nav-toggle, button[aria-label*=menu] …)');
    await m.loc.tap();
    await until(() => onScreen(navLink), `after tapping the menu button (${m.sel}) a[href="/accounts"] is still off screen`);
  }
  await navLink.first().tap();
  await page.waitForURL((u) => u.pathname === '/accounts');
  await waitRows(page, 1);
  // the nav gets out of the way after choosing a page
  await until(async () => !(await onScreen(navLink)), 'the nav stays on screen after choosing a link');
});

test('phone: a record page fits the screen and edits inline', async () => {
  const { page } = S;
  const c = await srv.api.create('contacts', {
    name: 'Константин Константинопольский-Длиннофамильный', email: 'konstantin.konstantinopolsky.very.long.address@example.ru',
    title: 'Заместитель генерального директора по развитию', city: 'Санкт-Петербург',
  });
  await page.goto(srv.url(`/contacts/${c.id}`));
  await page.locator('#record').waitFor({ state: 'visible' });
  await page.waitForTimeout(200);
  await assertNoOverflow(page, `/contacts/${c.id}`);
  const r = page.locator('#record [data-field="city"]').first();
  const editBtn = r.locator('[data-edit]');
  if (await editBtn.count()) await editBtn.first().tap();
  else await r.tap();
  const input = r.locator('input[name="city"]');
  await input.waitFor({ state: 'visible' });
  await input.fill('Казань');
  await input.press('Enter');
  await until(async () => (await srv.api.ok(`/contacts/${c.id}`)).city === 'Казань', 'inline edit on a phone did not save');
});

async function phoneBoard(page) {
  await page.goto(srv.url('/board'));
  await page.locator('[data-stage-id]').first().waitFor({ state: 'attached' });
}

test('phone: the board shows stage pickers that move a deal', async () => {
  const { page } = S;
  const pipeline = await defaultPipeline(srv.api);
  const stages = (await stagesOf(srv.api, pipeline.id)).filter((s) => s.kind === 'open');
  const deal = await srv.api.create('deals', { name: `Phone ${uniqWord()}`, pipeline_id: pipeline.id, stage_id: stages[0].id, amount: 6_000_000_000 });
  await phoneBoard(page);
  const pickers = page.locator('select[data-stage-picker]').filter({ visible: true });
  await until(async () => (await pickers.count()) > 0, 'no visible select[data-stage-picker] on the board at 375 px');
  const picker = page.locator(`[data-deal-id="${deal.id}"] select[data-stage-picker]`).first();
  await picker.scrollIntoViewIfNeeded();
  assert.ok(await picker.isVisible(), `the new deal's card has no visible select[data-stage-picker]`);
  await picker.selectOption(String(stages[1].id));
  await until(async () => (await srv.api.ok(`/deals/${deal.id}`)).stage_id === stages[1].id,
    `choosing ${stages[1].name} in the deal's select[data-stage-picker] did not change stage_id`);
});

test('phone: the board page does not scroll sideways (the columns scroll inside the board)', async () => {
  const { page } = S;
  await phoneBoard(page);
  await page.locator('[data-deal-id]').first().waitFor({ state: 'visible' });
  await page.waitForTimeout(200);
  await assertNoOverflow(page, '/board');
  // the top bar stays on screen
  const box = await page.locator('#user-menu').boundingBox();
  assert.ok(box && box.x + box.width <= 376, `#user-menu is off screen on the board (x=${box && box.x})`);
});
