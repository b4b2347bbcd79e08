// admin.js — admin pages (users, teams, tokens here; roles, pipelines and
// custom fields in adminconfig.js) and the user's own settings.
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { api, session, entity, listAll, updateMe, rememberTitle } from '../api.js';
import { t, fieldLabel, LOCALE_NAMES, setLocale, errorText, fieldErrorText } from '../i18n.js';
import { Dialog, Value, Spinner, Empty, toast, errorToast, forgetSmallList } from '../components.js';
import { RecordForm } from './form.js';
import { Roles, Pipelines, Fields } from './adminconfig.js';
import { TwoFactor, ResetTwoFactor } from './twofactor.js';
import { fmtDateTime, userTz } from '../format.js';

const SECTIONS = ['users', 'teams', 'roles', 'pipelines', 'fields', 'tokens'];

export function Admin({ section }) {
  useEffect(() => { document.title = `${t('admin.' + (SECTIONS.includes(section) ? section : 'users'))} · Rapport`; }, [section]);
  if (!SECTIONS.includes(section)) return html`<section class="page"><h1>${t('common.not_found')}</h1></section>`;
  if (!session.admin && section !== 'tokens') {
    return html`<section class="page"><h1>${t('admin.title')}</h1><p>${t('error.forbidden')}</p></section>`;
  }
  const body = {
    users: () => html`<${RecordTable} ent="users" cols=${['name', 'email', 'role_id', 'team_id', 'active', 'two_factor', 'last_login_at']} extra=${UserActions} />`,
    teams: () => html`<${RecordTable} ent="teams" cols=${['name', 'description']} />`,
    roles: () => html`<${Roles} />`,
    pipelines: () => html`<${Pipelines} />`,
    fields: () => html`<${Fields} />`,
    tokens: () => html`<${Tokens} />`,
  }[section];
  return html`<section class="page admin-page" data-admin=${section}>
    <h1>${t('admin.title')}</h1>
    ${session.admin ? html`<nav class="admin-tabs" aria-label=${t('admin.title')}>
      ${SECTIONS.map((s) => html`<a href=${'/admin/' + s} class=${s === section ? 'active' : ''}
        aria-current=${s === section ? 'page' : undefined}>${t('admin.' + s)}</a>`)}
    </nav>` : ''}
    ${body()}
  </section>`;
}

// A plain table of every record of a small entity, with a create dialog.
function RecordTable({ ent, cols, extra: Extra }) {
  const e = entity(ent);
  const [rows, setRows] = useState(null);
  const [creating, setCreating] = useState(false);
  const load = () => listAll(ent, { sort: e.title_field || 'id' }).then(setRows).catch((err) => { errorToast(err); setRows([]); });
  useEffect(() => { load(); }, [ent]);
  const fields = cols.map((c) => e.fields.find((f) => f.name === c)).filter(Boolean);
  return html`<div>
    <div class="toolbar"><button type="button" id="new-record" class="primary" onClick=${() => setCreating(true)}>+ ${t('admin.new_' + ent)}</button></div>
    ${!rows ? html`<${Spinner} />` : !rows.length ? html`<${Empty}>${t('list.empty')}<//>` : html`<div class="table-wrap"><table class="records">
      <thead><tr><th class="sel"></th>${fields.map((f) => html`<th data-field=${f.name} scope="col">${fieldLabel(f)}</th>`)}${Extra ? html`<th></th>` : ''}</tr></thead>
      <tbody>${rows.map((r) => html`<tr data-id=${r.id} key=${r.id}><td class="sel"></td>
        ${fields.map((f, i) => html`<td data-label=${fieldLabel(f)} class=${i === 0 ? 'title' : ''}>
          ${i === 0 ? html`<a href=${`/${ent}/${r.id}`}>${r[f.name]}</a>` : html`<${Value} f=${f} rec=${r} />`}</td>`)}
        ${Extra ? html`<td><${Extra} rec=${r} reload=${load} /></td>` : ''}</tr>`)}</tbody>
    </table></div>`}
    ${creating ? html`<${Dialog} id="create-dialog" title=${t('admin.new_' + ent)} onClose=${() => setCreating(false)} wide=${true}>
      <${RecordForm} ent=${e} idPrefix="c" onCancel=${() => setCreating(false)}
        onSaved=${(rec) => { setCreating(false); rememberTitle(ent, rec); forgetSmallList(ent); load(); }} />
    <//>` : ''}
  </div>`;
}

function UserActions({ rec, reload }) {
  return html`<${PasswordButton} rec=${rec} /> <${ResetTwoFactor} rec=${rec} onDone=${reload} />`;
}

function PasswordButton({ rec }) {
  const [open, setOpen] = useState(false);
  const [pw, setPw] = useState('');
  const [err, setErr] = useState('');
  const submit = async (e) => {
    e.preventDefault();
    if (pw.length < 8) { setErr(t('settings.password_short')); return; }
    try { await api.patch(`/users/${rec.id}`, { password: pw }); toast(t('settings.password_changed'), 'ok'); setOpen(false); } catch (x) { setErr(errorText(x.code, x.message)); }
  };
  return html`<button type="button" class="small" onClick=${() => setOpen(true)}>${t('admin.set_password')}</button>
    ${open ? html`<${Dialog} id="password-dialog" title=${`${t('admin.set_password')}: ${rec.name}`} onClose=${() => setOpen(false)}>
      <form class="stack" onSubmit=${submit}>
        <div class="form-field" data-field="password"><label for="pw-new">${t('settings.new_password')}</label>
          <input id="pw-new" name="password" type="password" autocomplete="new-password" value=${pw} onInput=${(e) => setPw(e.target.value)} />
          <div class="field-error" data-field-error>${err}</div></div>
        <div class="actions"><button type="button" onClick=${() => setOpen(false)}>${t('common.cancel')}</button>
          <button type="submit" class="primary">${t('common.save')}</button></div>
      </form><//>` : ''}`;
}

function Tokens() {
  const [rows, setRows] = useState(null);
  const [name, setName] = useState('');
  const [secret, setSecret] = useState(null);
  const [err, setErr] = useState('');
  const load = () => api.get('/tokens').then((r) => setRows(r.data)).catch((e) => { errorToast(e); setRows([]); });
  useEffect(() => { load(); }, []);
  const create = async (e) => {
    e.preventDefault();
    if (!name.trim()) { setErr(t('error.required')); return; }
    try { const r = await api.post('/tokens', { name: name.trim() }); setSecret(r); setName(''); setErr(''); load(); } catch (x) { setErr(errorText(x.code, x.message)); }
  };
  const revoke = async (r) => {
    try { await api.del('/tokens/' + r.id); toast(t('tokens.revoked'), 'ok'); load(); } catch (e) { errorToast(e); }
  };
  return html`<div>
    <p class="muted">${t('tokens.intro')}</p>
    <form class="inline-form card" onSubmit=${create}>
      <div class="form-field" data-field="name"><label for="token-name">${t('tokens.name')}</label>
        <input id="token-name" name="name" value=${name} maxlength="200" onInput=${(e) => setName(e.target.value)} />
        <div class="field-error" data-field-error>${err}</div></div>
      <button type="submit" class="primary" id="create-token">${t('tokens.create')}</button>
    </form>
    ${secret ? html`<div class="token-secret" role="status" id="token-secret"><strong>${t('tokens.copy_now')}</strong><br /><code>${secret.token}</code></div>` : ''}
    ${!rows ? html`<${Spinner} />` : !rows.length ? html`<${Empty}>${t('tokens.none')}<//>` : html`<table class="grid">
      <thead><tr><th scope="col">${t('tokens.name')}</th><th scope="col">${t('tokens.prefix')}</th><th scope="col">${t('field.created_at')}</th><th scope="col">${t('tokens.last_used')}</th><th></th></tr></thead>
      <tbody>${rows.map((r) => html`<tr data-id=${r.id}><td>${r.name}</td><td><code>${r.prefix || ''}</code></td>
        <td>${fmtDateTime(r.created_at)}</td><td>${r.last_used_at ? fmtDateTime(r.last_used_at) : '—'}</td>
        <td><button type="button" class="danger small" onClick=${() => revoke(r)}>${t('tokens.revoke')}</button></td></tr>`)}</tbody>
    </table>`}
  </div>`;
}

function zones() {
  try { return Intl.supportedValuesOf('timeZone'); } catch { return ['UTC', 'Europe/Moscow', 'Asia/Shanghai', 'America/New_York']; }
}

export function Settings() {
  const u = session.user;
  const [name, setName] = useState(u.name || '');
  const [loc, setLoc] = useState(u.locale || 'en');
  const [tz, setTz] = useState(u.time_zone || userTz());
  const [cur, setCur] = useState('');
  const [pw, setPw] = useState('');
  const [errors, setErrors] = useState({});
  useEffect(() => { document.title = `${t('nav.settings')} · Rapport`; }, []);
  const saveProfile = async (e) => {
    e.preventDefault();
    if (!name.trim()) { setErrors({ name: t('error.required') }); return; }
    try {
      await updateMe({ name: name.trim(), locale: loc, time_zone: tz });
      setLocale(loc);
      setErrors({});
      toast(t('settings.saved'), 'ok');
    } catch (x) {
      const fe = {};
      for (const y of x.errors || []) fe[y.field] = fieldErrorText(y);
      setErrors(Object.keys(fe).length ? fe : { form: errorText(x.code, x.message) });
    }
  };
  const savePw = async (e) => {
    e.preventDefault();
    if (pw.length < 8) { setErrors({ password: t('settings.password_short') }); return; }
    try {
      await updateMe({ password: pw, current_password: cur });
      setCur(''); setPw(''); setErrors({});
      toast(t('settings.password_changed'), 'ok');
    } catch (x) {
      setErrors({ password: x.code === 'invalid_credentials' || x.status === 403 ? t('settings.wrong_password') : errorText(x.code, x.message) });
    }
  };
  const err = (n) => html`<div class="field-error" data-field-error>${errors[n] || ''}</div>`;
  return html`<section class="page">
    <h1>${t('nav.settings')}</h1>
    <form id="profile-form" class="card stack" onSubmit=${saveProfile}>
      <h2>${t('settings.profile')}</h2>
      <div class="form-field" data-field="name"><label for="s-name">${t('field.name')}</label>
        <input id="s-name" name="name" value=${name} onInput=${(e) => setName(e.target.value)} />${err('name')}</div>
      <div class="form-field" data-field="locale"><label for="s-locale">${t('nav.language')}</label>
        <select id="s-locale" name="locale" value=${loc} onChange=${(e) => setLoc(e.target.value)}>
          ${Object.entries(LOCALE_NAMES).map(([k, v]) => html`<option value=${k}>${v}</option>`)}</select>${err('locale')}</div>
      <div class="form-field" data-field="time_zone"><label for="s-tz">${t('field.time_zone')}</label>
        <select id="s-tz" name="time_zone" value=${tz} onChange=${(e) => setTz(e.target.value)}>
          ${[...new Set(['UTC', ...zones()])].map((z) => html`<option value=${z}>${z}</option>`)}</select>${err('time_zone')}</div>
      ${errors.form ? html`<div class="form-error" role="alert">${errors.form}</div>` : ''}
      <div class="actions"><button type="submit" class="primary">${t('common.save')}</button></div>
    </form>
    <form id="password-form" class="card stack" onSubmit=${savePw}>
      <h2>${t('settings.password')}</h2>
      <div class="form-field"><label for="s-cur">${t('settings.current_password')}</label>
        <input id="s-cur" name="current_password" type="password" autocomplete="current-password" value=${cur} onInput=${(e) => setCur(e.target.value)} /></div>
      <div class="form-field" data-field="password"><label for="s-pw">${t('settings.new_password')}</label>
        <input id="s-pw" name="password" type="password" autocomplete="new-password" value=${pw} onInput=${(e) => setPw(e.target.value)} />${err('password')}</div>
      <div class="actions"><button type="submit" class="primary">${t('settings.change_password')}</button></div>
    </form>
    <${TwoFactor} />
  </section>`;
}
