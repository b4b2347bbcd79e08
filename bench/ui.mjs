// ui.mjs — how long the main pages of the web UI take to render, in
// Debian's chromium driven by playwright-core, against a copy of a demo
// database (default: the 100k-contact one bench/run.sh prepares).
//
//   node bench/ui.mjs [DB] [RUNS]
//
// For each page: a full load (navigation to the URL, every module and API
// call) and an in-app visit (a link click from another page), each until
// its content (not a spinner) is on screen; medians of RUNS visits with a
// warm server. Prints a table and one BENCH_JSON line per page.
//
// "On screen" is checked in the page at every animation frame (shown()).
// Until 2026-11-22 the bench used page.waitForSelector, which Playwright
// polls from outside with a growing back-off (checks at about 0, 20, 70,
// 170, 270, 770 ms after the wait starts): a page drawn at 280 ms was
// reported at ~770 ms, so those figures were rounded up to the next check.
import { chromium } from '../tests/e2e/node_modules/playwright-core/index.mjs';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = process.env.RAPPORT_BIN || path.join(root, 'build/rapport');
const source = process.argv[2] || path.join(root, 'bench/data/100000/pristine.db');
const runs = Number(process.argv[3] || 7);
const email = 'ui-bench@example.com';
const password = 'ui-bench-pass-1';

const pages = [
  { name: 'contacts list', path: '/contacts', ready: 'table.records tr[data-id]' },
  { name: 'deals list, sorted', path: '/deals?sort=-amount', ready: 'table.records tr[data-id]' },
  { name: 'account page', path: '/accounts/1', ready: '#record [data-field=name]' },
  { name: 'contact page', path: '/contacts/1', ready: '#record [data-field=name]' },
  { name: 'pipeline board', path: '/board', ready: '[data-deal-id]' },
  { name: 'my day', path: '/my-day', ready: '#today' },
];

function freePort() {
  return new Promise((res) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); });
  });
}

async function waitHealthy(base) {
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(base + '/healthz')).ok) return; } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start');
}

// Resolves once sel matches an element with a box on screen, checked in the
// page before each frame is painted.
function shown(page, sel) {
  return page.waitForFunction((s) => {
    const el = document.querySelector(s);
    if (!el) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  }, sel, { polling: 'raf', timeout: 30_000 });
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-ui-bench-'));
const db = path.join(dir, 'r.db');
fs.copyFileSync(source, db);
const add = spawnSync(bin, ['user', 'add', email, '--name', 'UI bench', '--role', 'admin', '--password', password, '--db', db], { encoding: 'utf8' });
if (add.status !== 0) throw new Error(add.stderr);
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = spawn(bin, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--quiet'], { stdio: 'ignore' });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  await waitHealthy(base);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(base + '/');
  await page.fill('form#login input[name=email]', email);
  await page.fill('form#login input[name=password]', password);
  await page.click('form#login button[type=submit]');
  await page.waitForSelector('#user-menu');
  console.log(`page                  load ms   min ms   in-app ms   (median of ${runs}; ${path.basename(path.dirname(source))} contacts)`);
  for (const p of pages) {
    const times = [];
    for (let i = 0; i < runs + 1; i++) {
      const t0 = Date.now();
      await page.goto(base + p.path, { waitUntil: 'commit' });
      await shown(page, p.ready);
      if (i > 0) times.push(Date.now() - t0); // the first load warms caches
    }
    // the same page reached from inside the app (a link click, no reload)
    const inApp = [];
    for (let i = 0; i < runs; i++) {
      await page.goto(base + '/settings');
      await page.waitForSelector('#user-menu');
      const t0 = Date.now();
      await page.evaluate((href) => {
        const a = document.createElement('a');
        a.href = href;
        document.body.appendChild(a);
        a.click();
        a.remove();
      }, p.path);
      await shown(page, p.ready);
      inApp.push(Date.now() - t0);
    }
    const m = median(times);
    const n = median(inApp);
    console.log(`${p.name.padEnd(22)}${String(m).padStart(9)}${String(Math.min(...times)).padStart(9)}${String(n).padStart(12)}`);
    console.log('BENCH_JSON ' + JSON.stringify({ workload: 'ui:' + p.name, path: p.path, load_median_ms: m, load_min_ms: Math.min(...times), in_app_median_ms: n, runs }));
  }
} finally {
  await browser.close();
  server.kill('SIGTERM');
  fs.rmSync(dir, { recursive: true, force: true });
}
