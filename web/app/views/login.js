// login.js — the sign-in form (also shown when the session expired).
import { html, useState } from '../../vendor/preact-htm.js';
import { login, session, notify } from '../api.js';
import { t, errorText, locale, setLocale, LOCALE_NAMES } from '../i18n.js';

export function Login() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(session.expired ? t('login.expired') : '');
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    if (!email || !password) { setError(t('login.missing')); return; }
    setBusy(true);
    setError('');
    try {
      await login(email.trim(), password);
    } catch (err) {
      setError(err.code === 'too_many_attempts' ? t('login.throttled') : errorText(err.code, err.message));
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
          value=${email} onInput=${(e) => setEmail(e.target.value)} />
      </div>
      <div class="form-field">
        <label for="login-password">${t('login.password')}</label>
        <input id="login-password" name="password" type="password" autocomplete="current-password" required
          value=${password} onInput=${(e) => setPassword(e.target.value)} />
      </div>
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
