// xss.test.mjs — stored script never runs. Records whose text fields carry
// markup and script (names, an industry, a description, a deal's title, an
// activity's subject) are shown on the list, the record pages with their
// timeline, the board and in search results: the text must appear as
// text, no element of the payload may exist in the page, nothing may run,
// and the HTML is served with a strict Content-Security-Policy.
import { before } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, useBrowser, guardedTest, until, defaultPipeline, stagesOf } from './lib.mjs';

const srv = useServer();
const test = guardedTest(srv);
const br = useBrowser();

const MARK = 'Zq9xss';
const P = {
  name: `${MARK} <img src=x id=xss-img onerror="window.__xss='img'">Acme`,
  industry: `<script>window.__xss='script'</script>${MARK}`,
  description: `"><svg id=xss-svg onload="window.__xss='svg'"></svg>${MARK}`,
  person: `${MARK} <b id=xss-b onmouseover="window.__xss='b'">Bold</b>`,
  deal: `${MARK} <iframe id=xss-iframe src="javascript:window.top.__xss='iframe'"></iframe>`,
  subject: `${MARK} <a id=xss-a href="javascript:window.__xss='a'">call</a>`,
};

let S;
let ids = {};
before(async () => {
  await srv.ready;
  const acc = await srv.api.post('/accounts', { name: P.name, industry: P.industry, description: P.description });
  assert.equal(acc.status, 201, acc.text);
  const con = await srv.api.post('/contacts', { name: P.person, account_id: acc.json.id });
  assert.equal(con.status, 201, con.text);
  const pipe = await defaultPipeline(srv.api);
  const stages = await stagesOf(srv.api, pipe.id);
  const deal = await srv.api.post('/deals', { name: P.deal, account_id: acc.json.id, pipeline_id: pipe.id, stage_id: stages[0].id, amount: 987654321 });
  assert.equal(deal.status, 201, deal.text);
  const act = await srv.api.post('/activities', { type: 'call', subject: P.subject, related_type: 'accounts', related_id: acc.json.id });
  assert.equal(act.status, 201, act.text);
  ids = { account: acc.json.id, contact: con.json.id, deal: deal.json.id };
  S = await br.session(srv, srv.adminEmail, srv.adminPassword);
  S.dialogs = [];
  S.page.on('dialog', (d) => { S.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
});

// the page as text shows a record's markup (the mark alone can be a list's
// filter, shown before its rows arrive)
const showsMarkup = (text) => text.includes('<img src=x') || text.includes('<script>') || text.includes('<b id=xss-b') || text.includes('<iframe') || text.includes('<a id=xss-a');

async function expectInert(page, where) {
  await until(async () => showsMarkup(await page.textContent('body')), `${where}: the records are shown, their markup as text`);
  const injected = await page.locator('#xss-img, #xss-svg, #xss-b, #xss-iframe, #xss-a, script:not([src])').count();
  assert.equal(injected, 0, `${where}: an element of the payload made it into the page`);
  await page.mouse.move(5, 5);
  assert.equal(await page.evaluate(() => window.__xss), undefined, `${where}: script from a record ran`);
  assert.deepEqual(S.dialogs, [], `${where}: a dialog opened`);
  assert.ok(showsMarkup(await page.textContent('body')), `${where}: the markup is shown as text`);
}

test('the HTML has a strict Content-Security-Policy', async () => {
  const r = await fetch(srv.url('/accounts'));
  const csp = r.headers.get('content-security-policy') || '';
  const directive = (name) => (csp.split(';').map((d) => d.trim()).find((d) => d.startsWith(`${name} `)) || '');
  assert.equal(directive('script-src'), "script-src 'self'", csp);
  assert.equal(directive('default-src'), "default-src 'self'", csp);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, 'no inline script or eval anywhere');
});

test('list, record pages, timeline, board and search show stored markup as text and run nothing', async () => {
  const { page } = S;
  await page.goto(srv.url(`/accounts?name[prefix]=${encodeURIComponent(MARK)}`));
  await expectInert(page, 'accounts list');
  await page.goto(srv.url(`/accounts/${ids.account}`));
  await expectInert(page, 'account page');
  await page.goto(srv.url(`/contacts/${ids.contact}`));
  await expectInert(page, 'contact page');
  await page.goto(srv.url(`/deals/${ids.deal}`));
  await expectInert(page, 'deal page');
  await page.goto(srv.url('/board'));
  await expectInert(page, 'board');
  await page.goto(srv.url('/'));
  const box = page.locator('input#global-search');
  await box.waitFor({ state: 'visible' });
  await box.pressSequentially(MARK, { delay: 20 });
  await until(async () => (await page.locator('#search-results [data-search-result]').count()) > 0, 'search shows the records');
  await expectInert(page, 'search results');
});
