// limits.test.mjs — one client cannot take the server from the others:
// 1,000 slow (slowloris) connections from four addresses, a client over
// its request rate, an address over its connection cap, idle connections
// closed after --conn-timeout, a request head over 16 KB refused with 414.
// Clients come from distinct loopback addresses (127.0.0.x) so per-address
// limits apply as they would to distinct machines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { startServer } from './lib/server.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** GET path from a given source address: {status, headers, body, ms}. */
function get(port, path, localAddress = '127.0.0.1') {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, localAddress, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body, ms: Date.now() - t0 }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
  });
}

/** A connection that sends a request's headers a few bytes at a time and
 * never finishes them. Resolves once connected; `closed` tells when the
 * server ended it. */
function slowClient(port, localAddress) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port, localAddress });
    const c = { socket: s, closed: false, connected: false };
    s.on('error', () => { c.closed = true; });
    s.on('close', () => { c.closed = true; });
    s.on('connect', () => {
      c.connected = true;
      s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      c.timer = setInterval(() => { if (!c.closed) s.write('X-A: b\r\n'); }, 1000);
      resolve(c);
    });
    setTimeout(() => resolve(c), 3000);
  });
}

function closeAll(clients) {
  for (const c of clients) {
    clearInterval(c.timer);
    c.socket.destroy();
  }
}

test('1,000 slow connections from four addresses do not stop a normal client', { timeout: 120_000 }, async () => {
  const srv = await startServer({ args: ['--max-conns', '2000', '--max-conns-per-ip', '256', '--conn-timeout', '30'] });
  const slow = [];
  try {
    for (let a = 2; a <= 5; a++)
      for (let i = 0; i < 250; i++) slow.push(slowClient(srv.port, `127.0.0.${a}`));
    const clients = await Promise.all(slow.splice(0));
    slow.push(...clients);
    assert.ok(clients.filter((c) => c.connected && !c.closed).length >= 990, 'the slow clients are connected');
    const times = [];
    for (let i = 0; i < 40; i++) {
      const r = await get(srv.port, '/healthz');
      assert.equal(r.status, 200);
      times.push(r.ms);
    }
    times.sort((x, y) => x - y);
    assert.ok(times[times.length - 1] < 5000, `a normal client waited ${times[times.length - 1]} ms`);
    assert.ok(clients.filter((c) => !c.closed).length >= 990, 'the slow clients are still there');
  } finally {
    closeAll(slow);
    await srv.stop();
  }
});

test('an address over its connection cap is refused while others are served', { timeout: 60_000 }, async () => {
  const srv = await startServer({ args: ['--max-conns-per-ip', '20'] });
  const slow = [];
  try {
    for (let i = 0; i < 30; i++) slow.push(await slowClient(srv.port, '127.0.0.6'));
    await sleep(300);
    const open = slow.filter((c) => !c.closed).length;
    assert.ok(open <= 20, `${open} connections from one address stayed open; the cap is 20`);
    await assert.rejects(get(srv.port, '/healthz', '127.0.0.6'), 'a 31st connection from the address is refused');
    const other = await get(srv.port, '/healthz', '127.0.0.7');
    assert.equal(other.status, 200, 'another address is served');
  } finally {
    closeAll(slow);
    await srv.stop();
  }
});

test('an idle connection is closed after --conn-timeout', { timeout: 30_000 }, async () => {
  const srv = await startServer({ args: ['--conn-timeout', '2'] });
  try {
    const c = await slowClient(srv.port, '127.0.0.8');
    clearInterval(c.timer); // now it goes quiet
    const t0 = Date.now();
    while (!c.closed && Date.now() - t0 < 10_000) await sleep(100);
    assert.ok(c.closed, 'the server closed the idle connection');
    assert.ok(Date.now() - t0 >= 1000, 'not before its timeout');
  } finally {
    await srv.stop();
  }
});

test('a client over its request rate gets 429 with Retry-After; other addresses are served', { timeout: 30_000 }, async () => {
  const srv = await startServer({ env: { RAPPORT_RATE_LIMIT: '20' } });
  try {
    const burst = await Promise.all(Array.from({ length: 80 }, () => get(srv.port, '/healthz', '127.0.0.9')));
    const limited = burst.filter((r) => r.status === 429);
    assert.ok(burst.filter((r) => r.status === 200).length >= 30, 'a burst of twice the rate goes through');
    assert.ok(limited.length >= 20, `${limited.length} of 80 requests were limited`);
    const p = JSON.parse(limited[0].body);
    assert.equal(p.status, 429);
    assert.equal(p.code, 'rate_limited');
    assert.match(limited[0].headers['content-type'], /application\/problem\+json/);
    assert.ok(Number(limited[0].headers['retry-after']) >= 1, 'Retry-After says when to come back');
    assert.equal((await get(srv.port, '/healthz', '127.0.0.10')).status, 200, 'another address is served');
    await sleep(1500);
    assert.equal((await get(srv.port, '/healthz', '127.0.0.9')).status, 200, 'the limited address is served again later');
  } finally {
    await srv.stop();
  }
});

test('a request with an 11 KB URL is answered by the API; one over 16 KB gets 414', { timeout: 30_000 }, async () => {
  const srv = await startServer();
  try {
    // a long filter is routed and answered with the API's problem document
    const long = await get(srv.port, `/api/v1/contacts?name=${'x'.repeat(11_000)}`, '127.0.0.11');
    assert.equal(long.status, 401, long.body.slice(0, 200));
    assert.equal(JSON.parse(long.body).code, 'unauthorized');
    // past the connection's 16 KB the server says so instead of dropping it
    const huge = await get(srv.port, `/api/v1/contacts?name=${'x'.repeat(17_000)}`, '127.0.0.11');
    assert.equal(huge.status, 414);
    assert.equal((await get(srv.port, '/healthz', '127.0.0.11')).status, 200, 'and serves the next request');
  } finally {
    await srv.stop();
  }
});
