// totp.test.mjs — two-factor sign-in in the browser: set up in Settings
// (#two-factor: QR code, the key in groups of four, the otpauth:// link,
// confirm with a code), then sign in through form#login, which asks for
// the code (#login-otp) once the password is right, shows [data-error]
// for a wrong one and signs in with the right one; and a user whose role
// requires it lands on the enrolment screen (#enrol) until it is on.
// Codes are computed here (RFC 6238, HMAC-SHA1).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { useServer, useBrowser, textOf, until, guardedTest, cspViolations, uniqWord, sleep } from './lib.mjs';

const srv = useServer();
const test = guardedTest(srv);
const br = useBrowser();

function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of s) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
}

function codeAt(secret, step) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const h = crypto.createHmac('sha1', base32Decode(secret)).update(msg).digest();
  const off = h[h.length - 1] & 15;
  return String((h.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, '0');
}

// This 30-second step, with at least `need` seconds of it left.
async function freshStep(need = 12) {
  const left = 30 - ((Date.now() / 1000) % 30);
  if (left < need) await sleep((left + 0.3) * 1000);
  return Math.floor(Date.now() / 1000 / 30);
}

async function newUser(roleName, extraRole) {
  let roleId;
  if (extraRole) {
    roleId = (await srv.api.create('roles', { name: uniqWord('Role'), ...extraRole })).id;
  } else {
    roleId = (await srv.api.all('/roles')).find((r) => r.name === roleName).id;
  }
  const email = `${uniqWord('tf').toLowerCase()}@example.com`;
  const password = 'pw-two-factor-1';
  const user = await srv.api.create('users', { email, name: `Two Factor ${email}`, password, role_id: roleId });
  return { email, password, user };
}

// Runs the setup in the #two-factor section of the page; returns the key.
// enrolling: the section goes away with the enrolment screen once it is on.
async function setUp(page, { enrolling = false } = {}) {
  const section = page.locator('#two-factor');
  await section.waitFor({ state: 'visible' });
  assert.equal(await section.getAttribute('data-two-factor'), 'off');
  await page.locator('#twofa-setup').click();
  await page.locator('#twofa-qr').waitFor({ state: 'visible' });
  const shown = await textOf(page.locator('#twofa-secret'));
  assert.match(shown, /^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/, `the key is not shown in groups of four: "${shown}"`);
  const secret = shown.replace(/ /g, '');
  const uri = await textOf(page.locator('#twofa-uri'));
  assert.ok(uri.startsWith('otpauth://totp/Rapport:') && uri.includes(`secret=${secret}`) && uri.includes('issuer=Rapport'),
    `the otpauth link is "${uri}"`);
  const step = await freshStep();
  await page.locator('#twofa-code').fill(codeAt(secret, step));
  await page.locator('#twofa-confirm').click();
  if (enrolling) await page.locator('#enrol').waitFor({ state: 'detached' });
  else {
    await until(async () => (await section.getAttribute('data-two-factor')) === 'on',
      async () => `#two-factor did not turn on: ${await textOf(section)}`);
  }
  return { secret, step };
}

test('set up in Settings, then sign in through the form with a code (a wrong one is refused)', async () => {
  const u = await newUser('sales');
  const s = await br.session(srv, u.email, u.password);
  await s.page.goto(srv.url('/settings'));
  const { secret, step } = await setUp(s.page);
  assert.deepEqual(await cspViolations(s.page), [], 'CSP violations on the settings page (the QR code must not need inline style)');
  const stored = await srv.api.ok(`/users/${u.user.id}`);
  assert.equal(stored.two_factor, true, 'the server does not have two-factor sign-in on');

  const { page, context } = await br.page();
  await page.goto(srv.url('/'));
  const form = page.locator('form#login');
  await form.waitFor({ state: 'visible' });
  await form.locator('input[name=email]').fill(u.email);
  await form.locator('input[name=password]').fill(u.password);
  await form.locator('button[type=submit]').click();
  const otp = form.locator('#login-otp');
  await otp.waitFor({ state: 'visible' });
  assert.equal(await page.locator('#user-menu').count(), 0, 'signed in without a code');
  // a wrong code: an error, still on the form, no session
  const right = codeAt(secret, step + 1);
  await otp.fill(String((Number(right) + 1) % 1000000).padStart(6, '0'));
  await form.locator('button[type=submit]').click();
  const err = page.locator('[data-error]');
  await until(async () => (await textOf(err)).length > 0, 'no [data-error] after a wrong code');
  assert.ok(await form.isVisible(), 'the form went away after a wrong code');
  assert.ok(!(await context.cookies(srv.base)).some((c) => c.name === 'rapport_session'), 'a session cookie after a wrong code');
  // the right one (the step after the one that turned it on)
  await otp.fill(`${right.slice(0, 3)} ${right.slice(3)}`);
  await form.locator('button[type=submit]').click();
  await page.locator('#user-menu').waitFor({ state: 'visible' });
  assert.ok((await context.cookies(srv.base)).some((c) => c.name === 'rapport_session'), 'no session cookie after the right code');
});

test('a role that requires two-factor sign-in: the enrolment screen until it is on, then the app', async () => {
  const u = await newUser(null, { permissions: { '*': { read: 'all', create: 'all', edit: 'own', delete: 'own' } }, require_2fa: true });
  const { page } = await br.page();
  await page.goto(srv.url('/contacts'));
  const form = page.locator('form#login');
  await form.waitFor({ state: 'visible' });
  await form.locator('input[name=email]').fill(u.email);
  await form.locator('input[name=password]').fill(u.password);
  await form.locator('button[type=submit]').click();
  await page.locator('#enrol').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#user-menu').count(), 0, 'the app shell is shown to a user who must enrol');
  // a reload keeps them there
  await page.reload();
  await page.locator('#enrol').waitFor({ state: 'visible' });
  await setUp(page, { enrolling: true });
  await page.locator('#user-menu').waitFor({ state: 'visible' });
  // and their settings say it is on
  await page.goto(srv.url('/settings'));
  await until(async () => (await page.locator('#two-factor').getAttribute('data-two-factor')) === 'on', 'settings do not show two-factor sign-in on');
  assert.equal(await page.locator('#enrol').count(), 0, 'the enrolment screen stayed after turning it on');
});
