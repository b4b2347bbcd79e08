// twofactor.js — two-factor sign-in: the section of the user's own
// settings (set up with a QR code, the key in groups of four and the
// otpauth:// link; confirm with a code; turn off with password and code),
// the screen a user whose role requires it sees until it is on, and the
// administrator's reset button in the users table.
import { html, useState } from '../../vendor/preact-htm.js';
import { generate } from '../../vendor/lean-qr.js';
import { toSvgPath } from '../../vendor/lean-qr-svg.js';
import { api, session, takeMe, logout } from '../api.js';
import { t, errorText } from '../i18n.js';
import { Dialog, toast, errorToast } from '../components.js';
import { navigate } from '../router.js';

const digits = (s) => s.replace(/[\s-]/g, '');

// "JBSWY3DPEHPK3PXP…" → "JBSW Y3DP EHPK 3PXP …", as people copy it.
export function groupKey(secret) {
  return (secret.match(/.{1,4}/g) || []).join(' ');
}

// The otpauth:// link as a QR code, drawn as one SVG path (no inline
// style, so the page's CSP holds).
function QrCode({ text }) {
  let code;
  try { code = generate(text); } catch { return null; }
  const pad = 4;
  const n = code.size + 2 * pad;
  return html`<svg id="twofa-qr" class="qr" viewBox=${`${-pad} ${-pad} ${n} ${n}`} width="192" height="192"
    role="img" aria-label=${t('twofa.qr_label')} shape-rendering="crispEdges">
    <rect x=${-pad} y=${-pad} width=${n} height=${n} fill="#fff" />
    <path d=${toSvgPath(code)} fill="#000" />
  </svg>`;
}

function fieldErrors(x) {
  const fe = {};
  for (const y of x.errors || []) fe[y.field] = errorText(y.code === 'invalid_otp' ? 'invalid_otp' : y.code, y.message);
  if (!Object.keys(fe).length) fe.form = errorText(x.code, x.message);
  return fe;
}

// The section: status, then setting up or turning off.
export function TwoFactor() {
  const u = session.user;
  const [setup, setSetup] = useState(null); // {secret, otpauth_uri} while setting up
  const [code, setCode] = useState('');
  const [pw, setPw] = useState('');
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const run = async (fn) => {
    setBusy(true);
    try { await fn(); } catch (x) { setErrors(fieldErrors(x)); } finally { setBusy(false); }
  };
  const start = () => run(async () => {
    const r = await api.post('/auth/2fa/setup', {});
    setSetup(r); setCode(''); setErrors({});
  });
  const confirm = (e) => {
    e.preventDefault();
    if (!/^\d{6}$/.test(digits(code))) { setErrors({ code: t('login.code_missing') }); return; }
    run(async () => {
      const me = await api.post('/auth/2fa/enable', { code: digits(code) });
      setSetup(null); setCode(''); setErrors({});
      await takeMe(me);
      toast(t('twofa.enabled'), 'ok');
    });
  };
  const turnOff = (e) => {
    e.preventDefault();
    if (!/^\d{6}$/.test(digits(code))) { setErrors({ code: t('login.code_missing') }); return; }
    run(async () => {
      const me = await api.post('/auth/2fa/disable', { password: pw, code: digits(code) });
      setPw(''); setCode(''); setErrors({});
      await takeMe(me);
      toast(t('twofa.disabled'), 'ok');
    });
  };
  const err = (n) => html`<div class="field-error" data-field-error>${errors[n] || ''}</div>`;
  const codeField = html`<div class="form-field" data-field="code"><label for="twofa-code">${t('twofa.code')}</label>
    <input id="twofa-code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="7"
      value=${code} onInput=${(e) => setCode(e.target.value)} />${err('code')}</div>`;
  return html`<section id="two-factor" class="card stack" data-two-factor=${u.two_factor ? 'on' : 'off'}>
    <h2>${t('twofa.title')}</h2>
    <p class="muted">${t('twofa.intro')}</p>
    <p id="twofa-status"><strong>${u.two_factor ? t('twofa.on') : t('twofa.off')}</strong>
      ${session.mustEnrol ? html` ${t('twofa.required_by_role')}` : ''}</p>
    ${u.two_factor ? html`<form id="twofa-disable" class="stack" onSubmit=${turnOff}>
        <p class="muted">${t('twofa.turn_off_intro')}</p>
        <div class="form-field" data-field="password"><label for="twofa-pw">${t('settings.current_password')}</label>
          <input id="twofa-pw" name="password" type="password" autocomplete="current-password" value=${pw}
            onInput=${(e) => setPw(e.target.value)} />${err('password')}</div>
        ${codeField}
        ${errors.form ? html`<div class="form-error" role="alert">${errors.form}</div>` : ''}
        <div class="actions"><button type="submit" class="danger" disabled=${busy}>${t('twofa.turn_off')}</button></div>
      </form>`
    : !setup ? html`<div class="actions"><button type="button" id="twofa-setup" class="primary" disabled=${busy} onClick=${start}>${t('twofa.set_up')}</button></div>
        ${errors.form ? html`<div class="form-error" role="alert">${errors.form}</div>` : ''}`
    : html`<form id="twofa-enable" class="stack" onSubmit=${confirm}>
        <p>${t('twofa.scan')}</p>
        <${QrCode} text=${setup.otpauth_uri} />
        <div class="form-field"><span class="label">${t('twofa.secret')}</span>
          <code id="twofa-secret" class="twofa-secret">${groupKey(setup.secret)}</code></div>
        <div class="form-field"><span class="label">${t('twofa.uri')}</span>
          <code id="twofa-uri" class="twofa-uri">${setup.otpauth_uri}</code></div>
        <p class="muted">${t('twofa.secret_once')}</p>
        ${codeField}
        ${errors.form ? html`<div class="form-error" role="alert">${errors.form}</div>` : ''}
        <div class="actions">
          <button type="button" onClick=${() => { setSetup(null); setErrors({}); }}>${t('common.cancel')}</button>
          <button type="submit" class="primary" id="twofa-confirm" disabled=${busy}>${t('twofa.confirm')}</button>
        </div>
      </form>`}
  </section>`;
}

// What a user whose role requires two-factor sign-in sees until it is on:
// the server answers nothing else for them.
export function Enrol() {
  return html`<main class="login-page" id="enrol">
    <div class="login enrol stack">
      <h1><span class="brand">Rapport</span></h1>
      <h2>${t('twofa.enrol_title')}</h2>
      <p>${t('twofa.enrol_intro')}</p>
      <${TwoFactor} />
      <div class="actions"><button type="button" id="logout" onClick=${async () => { await logout(); navigate('/'); }}>${t('nav.logout')}</button></div>
    </div>
  </main>`;
}

// Admin, users table: turns a user's two-factor sign-in off (lost phone).
export function ResetTwoFactor({ rec, onDone }) {
  const [open, setOpen] = useState(false);
  if (!rec.two_factor) return null;
  const reset = async () => {
    try {
      await api.post(`/users/${rec.id}/reset_2fa`, {});
      toast(t('twofa.reset_done'), 'ok');
      setOpen(false);
      if (onDone) onDone();
    } catch (e) { errorToast(e); }
  };
  return html`<button type="button" class="small" data-reset-2fa onClick=${() => setOpen(true)}>${t('twofa.reset')}</button>
    ${open ? html`<${Dialog} id="reset-2fa-dialog" title=${t('twofa.reset')} onClose=${() => setOpen(false)}>
      <p>${t('twofa.reset_confirm', { name: rec.name })}</p>
      <div class="actions"><button type="button" onClick=${() => setOpen(false)}>${t('common.cancel')}</button>
        <button type="button" class="danger" id="reset-2fa-confirm" onClick=${reset}>${t('twofa.reset')}</button></div>
    <//>` : ''}`;
}
