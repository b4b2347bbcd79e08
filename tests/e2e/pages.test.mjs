// pages.test.mjs — every main page renders without CSP violations, uncaught
// exceptions or console errors; the shell's dialogs open from their
// shortcuts (Ctrl+K → #palette, ? → #shortcuts, l → form#quick-log-form);
// My day shows its four sections; the admin pages render; so do the import
// wizard and (when the server has the endpoint) the duplicates screen; a
// full load fetches only the shell and its view, and asks for a record once.
import { before } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, useBrowser, errorsOf, until, sleep, guardedTest } from './lib.mjs';

const srv = useServer();
const test = guardedTest(srv);
const br = useBrowser();

let S;
let ids;
let dupes; // the server has the duplicates endpoint (the page 404s without it)
before(async () => {
  await srv.ready;
  S = await br.session(srv, srv.adminEmail, srv.adminPassword);
  const first = async (e) => (await srv.api.ok(`/${e}?limit=1&fields=id`)).data[0].id;
  ids = {
    accounts: await first('accounts'), contacts: await first('contacts'), deals: await first('deals'),
    leads: await first('leads'), activities: await first('activities'), products: await first('products'),
  };
  dupes = (await srv.api.get('/contacts/duplicates?limit=1')).status === 200;
});

// Lets late requests and their errors arrive: the app's own requests end
// within a few hundred ms on a local server.
async function settle(page) {
  await page.waitForLoadState('load').catch(() => {});
  await sleep(250);
}

test('the main pages render without CSP violations, uncaught errors or console errors', async () => {
  const { page } = S;
  const pages = [
    ['/my-day', '#today'],
    ['/contacts', 'table.records tr[data-id]'],
    [`/contacts/${ids.contacts}`, '#record'],
    ['/accounts', 'table.records tr[data-id]'],
    [`/accounts/${ids.accounts}`, '#record'],
    ['/leads', 'table.records tr[data-id]'],
    [`/leads/${ids.leads}`, '#record'],
    ['/deals', 'table.records tr[data-id]'],
    [`/deals/${ids.deals}`, '#record'],
    ['/activities', 'table.records tr[data-id]'],
    ['/products', 'table.records tr[data-id]'],
    ['/board', '[data-deal-id]'],
    ['/contacts/new', 'form#record-form'],
    ['/admin/users', 'main'],
    ['/admin/teams', 'main'],
    ['/admin/roles', 'main'],
    ['/admin/pipelines', 'main'],
    ['/admin/fields', 'main'],
    ['/admin/tokens', 'main'],
    ['/import?entity=contacts', '#import-form'],
    ...(dupes ? [['/duplicates/contacts', '#duplicate-groups']] : []),
  ];
  const problems = [];
  // the first page loads the app; the others are reached the way a link
  // click reaches them (the app's router), which is faster
  await page.goto(srv.url('/my-day'));
  await page.locator('#user-menu').waitFor();
  for (const [p, sel] of pages) {
    const log = page.__log;
    log.console.length = 0;
    log.pageerrors.length = 0;
    await page.evaluate((href) => {
      const a = document.createElement('a');
      a.href = href;
      document.body.appendChild(a);
      a.click();
      a.remove();
    }, p);
    await page.waitForURL((u) => u.pathname + u.search === p, { timeout: 5000 }).catch(() => problems.push(`${p}: the URL did not change`));
    try {
      await page.locator(sel).first().waitFor({ state: 'visible', timeout: 6000 });
    } catch {
      problems.push(`${p}: ${sel} did not appear`);
    }
    await settle(page);
    if (/^\/(accounts|contacts)\/\d+$/.test(p)) {
      for (const tab of ['#tab-timeline', '#tab-history', '#tab-related']) {
        const l = page.locator(tab);
        if (await l.count()) { await l.first().click(); await settle(page); } else problems.push(`${p}: no ${tab}`);
      }
    }
    for (const e of await errorsOf(page)) problems.push(`${p}: ${e}`);
  }
  assert.deepEqual(problems, [], `problems on the main pages:\n- ${problems.join('\n- ')}`);
});

test('the record page\'s tabs: timeline items, history entries', async () => {
  const { page } = S;
  // an account with activities on it or on its contacts/deals
  const tl = await srv.api.ok(`/accounts/${ids.accounts}/timeline`);
  assert.ok(tl.data.length > 0, 'the demo account has an empty timeline');
  await page.goto(srv.url(`/accounts/${ids.accounts}`));
  await page.locator('#record').waitFor({ state: 'visible' });
  await page.locator('#tab-timeline').click();
  await until(async () => (await page.locator('[data-timeline-item]').count()) > 0, 'the timeline tab shows no [data-timeline-item]');
  const n = await page.locator('[data-timeline-item]').count();
  assert.ok(n <= tl.data.length || tl.next_cursor, `the timeline shows ${n} items, the API ${tl.data.length}`);
  // history after a change
  const c = await srv.api.create('contacts', { name: 'History Probe', city: 'Ufa' });
  await srv.api.patch(`/contacts/${c.id}`, { city: 'Perm' });
  await page.goto(srv.url(`/contacts/${c.id}`));
  await page.locator('#record').waitFor({ state: 'visible' });
  await page.locator('#tab-history').click();
  await until(async () => /Perm/.test(await page.locator('main').innerText()) && /Ufa/.test(await page.locator('main').innerText()),
    'the history tab does not show the change Ufa → Perm');
});

test('shortcuts: / search, Ctrl+K palette, ? help, l quick log (which saves an activity)', async () => {
  const { page } = S;
  page.__log.console.length = 0;
  page.__log.pageerrors.length = 0;
  await page.goto(srv.url('/contacts'));
  await page.locator('table.records tr[data-id]').first().waitFor();
  await page.locator('main').click({ position: { x: 2, y: 2 } }).catch(() => {});

  await page.keyboard.press('Control+k');
  await page.locator('#palette').waitFor({ state: 'visible' });
  await page.locator('#palette input').first().waitFor({ state: 'visible' });
  const focused = await page.evaluate(() => !!document.activeElement?.closest('#palette'));
  assert.ok(focused, 'Ctrl+K opened #palette but the focus is not in it');
  await page.keyboard.press('Escape');
  await page.locator('#palette').waitFor({ state: 'hidden' });

  await page.keyboard.press('Shift+?');
  await page.locator('#shortcuts').waitFor({ state: 'visible' });
  await page.keyboard.press('Escape');
  await page.locator('#shortcuts').waitFor({ state: 'hidden' });

  const before0 = (await srv.api.all('/activities?fields=id')).length;
  await page.keyboard.press('l');
  const form = page.locator('form#quick-log-form');
  await form.waitFor({ state: 'visible' });
  const subject = form.locator('[name=subject]');
  if (await subject.count()) await subject.fill('Quick log probe 快速记录');
  await form.locator('button[type=submit]').click();
  await until(async () => (await srv.api.all('/activities?fields=id')).length === before0 + 1, 'the quick log form saved no activity');
  await form.waitFor({ state: 'hidden' });

  // "/" focuses the global search; its results render without errors
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'global-search', '"/" does not focus input#global-search');
  await page.keyboard.type('zhang');
  await page.locator('#search-results [data-search-result]').first().waitFor();
  await page.keyboard.press('Escape');
  await settle(page);
  const errs = await errorsOf(page);
  assert.deepEqual(errs, [], `errors while using the dialogs and the search:\n- ${errs.join('\n- ')}`);
});

test('My day shows today, overdue, new leads and stale deals', async () => {
  const { page } = S;
  await page.goto(srv.url('/my-day'));
  for (const sel of ['#today', '#overdue', '#new-leads', '#stale-deals']) {
    await page.locator(sel).waitFor({ state: 'visible' });
  }
});

test('a full load fetches the shell and the view on screen only; a view that cannot be loaded reloads the page once', async () => {
  // a new context: nothing in its cache, so every module is a request
  const { page } = await br.session(srv, srv.adminEmail, srv.adminPassword);
  const views = [];
  page.on('request', (r) => { const u = new URL(r.url()); if (u.pathname.startsWith('/app/views/')) views.push(u.pathname + u.search); });
  await page.goto(srv.url('/board'));
  await page.locator('[data-deal-id]').first().waitFor({ state: 'visible' });
  // search.js and shortcuts.js are part of the shell (the top bar, the keys)
  assert.deepEqual(views.map((v) => v.replace(/\?.*/, '')).sort(), ['/app/views/board.js', '/app/views/search.js', '/app/views/shortcuts.js'],
    'a full load of /board asked for other views than its own');
  const board = views.find((v) => v.startsWith('/app/views/board.js'));
  const version = /\/app\/main\.js\?v=([0-9a-f]+)/.exec(await page.content());
  if (version) assert.equal(board, `/app/views/board.js?v=${version[1]}`, 'the view was not asked for with the build\'s ?v=');

  // a view that is gone (a newer build on the server): one reload, then a message
  await page.route('**/app/views/myday.js*', (r) => r.fulfill({ status: 404, contentType: 'application/problem+json', body: '{}' }));
  let loads = 0;
  page.on('load', () => { loads++; });
  await page.evaluate(() => sessionStorage.removeItem('rapport.lazy.reloaded'));
  await page.evaluate(() => { const a = document.createElement('a'); a.href = '/my-day'; document.body.appendChild(a); a.click(); a.remove(); });
  await page.locator('main [role=alert]').waitFor({ state: 'visible' });
  assert.equal(loads, 1, `the page loaded ${loads} times after the view failed, expected one reload`);
  assert.equal(new URL(page.url()).pathname, '/my-day');
  await page.unroute('**/app/views/myday.js*');
  await page.context().close();
});

test('a page load of a record asks for the record once (asked while the app boots, taken by the page)', async () => {
  const { page } = S;
  const asked = [];
  const log = (r) => { const u = new URL(r.url()); if (u.pathname === `/api/v1/accounts/${ids.accounts}`) asked.push(r.method()); };
  page.on('request', log);
  try {
    await page.goto(srv.url(`/accounts/${ids.accounts}`));
    await page.locator('#record [data-field=name]').waitFor({ state: 'visible' });
    await settle(page);
  } finally {
    page.off('request', log);
  }
  assert.deepEqual(asked, ['GET'], `GET /api/v1/accounts/${ids.accounts} was asked for ${asked.length} times`);
});
