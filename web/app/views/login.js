// login.js — the sign-in form (also shown when the session expired). When
// the server answers otp_required (two-factor sign-in is on for the
// account) the form asks for the authenticator app's code as well and
// sends the three together.
import { html, useState, useEffect, useRef } from '../../vendor/preact-htm.js';
import { login, session, notify } from '../api.js';
import { t, errorText, locale, setLocale, LOCALE_NAMES } from '../i18n.js';

export function Login() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [askCode, setAskCode] = useState(false);
  const [error, setError] = useState(session.expired ? t('login.expired') : '');
  const [busy, setBusy] = useState(false);
  const codeRef = useRef(null);
  useEffect(() => { if (askCode && codeRef.current) codeRef.current.focus(); }, [askCode]);
  const submit = async (e) => {
    e.preventDefault();
    if (!email || !password) { setError(t('login.missing')); return; }
    const otp = code.replace(/[\s-]/g, '');
    if (askCode && !/^\d{6}$/.test(otp)) { setError(t('login.code_missing')); return; }
    setBusy(true);
    setError('');
    try {
      await login(email.trim(), password, askCode ? otp : undefined);
    } catch (err) {
      if (err.code === 'otp_required') {
        setAskCode(true);
      } else {
        if (err.code === 'invalid_otp') setCode('');
        setError(err.code === 'too_many_attempts' ? t('login.throttled') : errorText(err.code, err.message));
      }
      setBusy(false);
    }
  };
  return html`<main class="login-page">
    <form id="login" class="card login" onSubmit=${submit} novalidate>
      <h1><span class="brand">Rapport</span></h1>
      <p class="muted">${t('login.intro')}</p>
      <div class="form-field">
        <label for="login-email">${t('login.email')}</label>
        <input id="login-email" name="email" type="email" autocomplete="username" required autofocus
          value=${email} onInput=${(e) => { setEmail(e.target.value); setAskCode(false); }} />
      </div>
      <div class="form-field">
        <label for="login-password">${t('login.password')}</label>
        <input id="login-password" name="password" type="password" autocomplete="current-password" required
          value=${password} onInput=${(e) => setPassword(e.target.value)} />
      </div>
      ${askCode ? html`<div class="form-field" data-field="otp">
        <p class="muted" id="login-otp-help">${t('login.code_prompt')}</p>
        <label for="login-otp">${t('login.code')}</label>
        <input id="login-otp" name="otp" ref=${codeRef} inputmode="numeric" autocomplete="one-time-code"
          pattern="[0-9 ]*" maxlength="7" aria-describedby="login-otp-help" required
          value=${code} onInput=${(e) => setCode(e.target.value)} />
      </div>` : ''}
      <div data-error class="form-error" role="alert">${error}</div>
      <button type="submit" class="primary wide" disabled=${busy}>${busy ? t('login.signing_in') : t('login.submit')}</button>
      <div class="login-foot">
        <label for="login-locale" class="sr-only">${t('nav.language')}</label>
        <select id="login-locale" value=${locale()} onChange=${(e) => { setLocale(e.target.value); notify(); }}>
          ${Object.entries(LOCALE_NAMES).map(([k, v]) => html`<option value=${k}>${v}</option>`)}
        </select>
      </div>
    </form>
  </main>`;
}
