// ahead.test.mjs — answers asked for ahead (api.js getAhead): the view's
// GET of the same path and query takes the answer instead of asking again,
// once; a write in between, a failure or a different query asks anew.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { api, getAhead } = await import(pathToFileURL(join(here, '..', 'app', 'api.js')).href);

let calls; // [method, url]
let status; // what the fake server answers
globalThis.fetch = async (url, init) => {
  calls.push([init.method, url]);
  const body = JSON.stringify({ data: [{ id: calls.length }] });
  return new Response(body, { status, headers: { 'Content-Type': 'application/json' } });
};

beforeEach(() => { calls = []; status = 200; });

test('a GET takes the answer asked for ahead, once', async () => {
  getAhead('/deals', { stage_id: 1, limit: 20 });
  const a = await api.get('/deals', { stage_id: 1, limit: 20 });
  assert.equal(calls.length, 1, 'the GET asked again');
  assert.equal(a.data[0].id, 1);
  await api.get('/deals', { stage_id: 1, limit: 20 });
  assert.equal(calls.length, 2, 'a second GET took the answer again');
});

test('another query is asked for', async () => {
  getAhead('/deals', { stage_id: 1 });
  await api.get('/deals', { stage_id: 2 });
  assert.deepEqual(calls.map((c) => c[1]), ['/api/v1/deals?stage_id=1', '/api/v1/deals?stage_id=2']);
});

test('a write drops what was asked for ahead', async () => {
  getAhead('/accounts/7');
  await api.patch('/accounts/7', { name: 'x' }, 1);
  await api.get('/accounts/7');
  assert.deepEqual(calls.map((c) => c[0]), ['GET', 'PATCH', 'GET']);
});

test('a failed answer is asked for again', async () => {
  status = 401;
  getAhead('/accounts/8');
  await new Promise((r) => setTimeout(r, 0));
  status = 200;
  const r = await api.get('/accounts/8');
  assert.equal(calls.length, 2);
  assert.equal(r.data[0].id, 2);
});
