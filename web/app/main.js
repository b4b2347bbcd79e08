// main.js — boot, router and the application shell (navigation, search,
// user menu, language, theme, dialogs).
import { html, render, useEffect, useReducer, useState } from '../vendor/preact-htm.js';
import {
  session, subscribe, notify, refreshMe, loadMeta, logout, updateMe, entities, can, setUnauthorizedHandler,
} from './api.js';
import { takeEarly } from './early.js';
import { t, setLocale, guessLocale, locale, LOCALE_NAMES, entityLabel } from './i18n.js';
import { route, navigate, interceptLinks } from './router.js';
import { ui, set, applyTheme, toggleTheme, effectiveTheme, openQuickLog } from './state.js';
import { Toasts, Spinner, Datalists, errorToast } from './components.js';
import { Login } from './views/login.js';
import { ListView } from './views/list.js';
import { RecordView } from './views/record.js';
import { FormView } from './views/form.js';
import { Board } from './views/board.js';
import { MyDay } from './views/myday.js';
import { Admin, Settings } from './views/admin.js';
import { SearchBox } from './views/search.js';
import { Palette } from './views/palette.js';
import { ShortcutsHelp, installShortcuts } from './views/shortcuts.js';
import { QuickLog } from './views/quicklog.js';
import { ImportPage, ImportView, canImport } from './views/imports.js';
import { Duplicates } from './views/duplicates.js';
import { Enrol } from './views/twofactor.js';

// Entities with their own page in the main navigation; the rest of the
// readable ones (users, teams, …) live under Admin or are reached by links.
// Imports have their own page (/import) instead of a list in the navigation.
const ADMIN_ENTITIES = ['users', 'teams', 'roles', 'pipelines', 'stages', 'tags', 'saved_views', 'imports', 'import_templates'];
export function mainEntities() {
  return entities().filter((e) => !ADMIN_ENTITIES.includes(e.name) && can(e, 'read'));
}

let booted = false;

function Page() {
  const { parts } = route();
  if (parts.length === 0) { navigate('/my-day', { replace: true }); return null; }
  const [a, b] = parts;
  if (a === 'my-day') return html`<${MyDay} />`;
  if (a === 'board') return html`<${Board} />`;
  if (a === 'settings') return html`<${Settings} />`;
  if (a === 'import') {
    if (!b) return html`<${ImportPage} key="import" />`;
    if (/^\d+$/.test(b)) return html`<${ImportView} id=${Number(b)} key=${'import-' + b} />`;
    return html`<${NotFound} />`;
  }
  if (a === 'duplicates') return html`<${Duplicates} entName=${b || 'contacts'} key=${'dup-' + b} />`;
  if (a === 'admin') {
    if (!b) { navigate('/admin/users', { replace: true }); return null; }
    return html`<${Admin} section=${b} key=${b} />`;
  }
  const ent = entities().find((e) => e.name === a);
  if (!ent) return html`<${NotFound} />`;
  if (!b) return html`<${ListView} ent=${ent} key=${'list-' + a} />`;
  if (b === 'new') return html`<${FormView} ent=${ent} key=${'new-' + a} />`;
  if (/^\d+$/.test(b)) return html`<${RecordView} ent=${ent} id=${Number(b)} key=${a + b} />`;
  return html`<${NotFound} />`;
}

function NotFound() {
  return html`<section class="page"><h1>${t('common.not_found')}</h1>
    <p><a href="/my-day">${t('nav.my_day')}</a></p></section>`;
}

function NavLinks() {
  const here = route().path;
  const cls = (href) => (here === href || here.startsWith(href + '/') ? 'active' : '');
  const link = (href, label, key) => html`<li><a href=${href} class=${cls(href)}
      aria-current=${cls(href) ? 'page' : undefined} onClick=${() => set({ navOpen: false })}>
    ${label}${key ? html`<kbd aria-hidden="true">g ${key}</kbd>` : ''}</a></li>`;
  const keys = { accounts: 'a', contacts: 'c', leads: 'l', deals: 'd', activities: 't', products: 'p' };
  return html`<nav id="nav" class=${ui.navOpen ? 'open' : ''} aria-label=${t('nav.main')}>
    <ul>
      ${link('/my-day', t('nav.my_day'), 'm')}
      ${can('deals', 'read') ? link('/board', t('nav.board'), 'b') : ''}
      ${canImport() ? link('/import', t('nav.import')) : ''}
    </ul>
    <h3>${t('nav.records')}</h3>
    <ul>${mainEntities().map((e) => link('/' + e.name, entityLabel(e.name, e), keys[e.name]))}</ul>
    ${session.admin ? html`<h3>${t('nav.admin')}</h3><ul>
      ${link('/admin/users', t('admin.users'))}
      ${link('/admin/teams', t('admin.teams'))}
      ${link('/admin/roles', t('admin.roles'))}
      ${link('/admin/pipelines', t('admin.pipelines'))}
      ${link('/admin/fields', t('admin.fields'))}
      ${link('/admin/tokens', t('admin.tokens'))}
    </ul>` : html`<ul>${link('/admin/tokens', t('admin.tokens'))}</ul>`}
  </nav>`;
}

function UserMenu() {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (!open) return undefined;
    const close = (e) => { if (!e.target.closest('.user-menu')) setOpen(false); };
    const esc = (e) => { if (e.key === 'Escape') { setOpen(false); document.getElementById('user-menu').focus(); } };
    document.addEventListener('click', close);
    document.addEventListener('keydown', esc);
    return () => { document.removeEventListener('click', close); document.removeEventListener('keydown', esc); };
  }, [open]);
  const u = session.user;
  const initials = (u.name || u.email).trim().slice(0, 1).toUpperCase();
  return html`<div class="user-menu">
    <button id="user-menu" type="button" class="avatar" aria-haspopup="menu" aria-expanded=${open ? 'true' : 'false'}
      aria-label=${t('nav.user_menu', { name: u.name })} onClick=${() => setOpen(!open)}>${initials}</button>
    ${open ? html`<div class="menu" role="menu">
      <div class="menu-head"><strong>${u.name}</strong><br /><span class="muted">${u.email}</span></div>
      <a role="menuitem" href="/settings" onClick=${() => setOpen(false)}>${t('nav.settings')}</a>
      <button role="menuitem" type="button" onClick=${() => { setOpen(false); set({ shortcuts: true }); }}>${t('nav.shortcuts')}</button>
      <button role="menuitem" id="logout" type="button" onClick=${async () => { await logout(); navigate('/'); }}>${t('nav.logout')}</button>
    </div>` : ''}
  </div>`;
}

async function changeLocale(l) {
  setLocale(l);
  notify();
  if (session.user && session.user.locale !== l) {
    try { await updateMe({ locale: l }); } catch (e) { errorToast(e); }
  }
}

function Shell() {
  return html`<div class="shell">
    <a class="skip" href="#main">${t('nav.skip')}</a>
    <header class="topbar">
      <button type="button" class="icon nav-toggle" id="nav-toggle" aria-controls="nav"
        aria-expanded=${ui.navOpen ? 'true' : 'false'} aria-label=${t('nav.menu')}
        onClick=${() => set({ navOpen: !ui.navOpen })}>☰</button>
      <a href="/my-day" class="brand">Rapport</a>
      <${SearchBox} />
      <div class="top-actions">
        <button type="button" id="quick-log" class="primary" title=${t('quicklog.title') + ' (l)'}
          onClick=${() => openQuickLog()}><span aria-hidden="true">✎</span><span class="hide-sm"> ${t('quicklog.button')}</span></button>
        <label class="sr-only" for="locale">${t('nav.language')}</label>
        <select id="locale" value=${locale()} onChange=${(e) => changeLocale(e.target.value)}>
          ${Object.entries(LOCALE_NAMES).map(([k, v]) => html`<option value=${k}>${v}</option>`)}
        </select>
        <button type="button" id="theme" class="icon" aria-pressed=${effectiveTheme() === 'dark' ? 'true' : 'false'}
          aria-label=${t('nav.theme')} title=${t('nav.theme')} onClick=${toggleTheme}>${effectiveTheme() === 'dark' ? '☀' : '☾'}</button>
        <${UserMenu} />
      </div>
    </header>
    <div class="body">
      <${NavLinks} />
      ${ui.navOpen ? html`<div class="scrim" onClick=${() => set({ navOpen: false })}></div>` : ''}
      <main id="main" tabindex="-1"><${Page} /></main>
    </div>
    ${ui.palette ? html`<${Palette} />` : ''}
    ${ui.shortcuts ? html`<${ShortcutsHelp} />` : ''}
    ${ui.quickLog ? html`<${QuickLog} ctx=${ui.quickLog} />` : ''}
    <${Datalists} />
    <${Toasts} />
  </div>`;
}

function App() {
  const [, force] = useReducer((x) => x + 1, 0);
  // An effect runs after paint, and boot() may notify before that (a fast
  // 401 from /auth/me): render once more on subscribing so no change is
  // missed in between.
  useEffect(() => { const off = subscribe(force); force(); return off; }, []);
  if (!booted) return html`<div class="boot"><${Spinner} /></div>`;
  if (!session.user) return html`<${Login} /><${Toasts} />`;
  if (session.mustEnrol) return html`<${Enrol} /><${Toasts} />`;
  if (!session.meta) return html`<div class="boot"><${Spinner} /></div>`;
  return html`<${Shell} />`;
}

async function boot() {
  applyTheme();
  setLocale(guessLocale());
  interceptLinks();
  installShortcuts();
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', notify);
  setUnauthorizedHandler(() => {
    if (!session.user) return;
    session.user = null;
    session.expired = true;
    notify();
  });
  render(html`<${App} />`, document.getElementById('app'));
  try {
    // Both were asked for by early.js while the modules loaded; /meta is
    // only used once /auth/me says who is signed in (signed out it is a 401).
    const meta = loadMeta(takeEarly('/meta'));
    meta.catch(() => {});
    const me = await refreshMe(takeEarly('/auth/me'));
    if (me) {
      if (me.user.locale) setLocale(me.user.locale);
      // a session that must set up two-factor sign-in first gets no /meta
      if (!session.mustEnrol) await meta;
    }
  } catch (e) {
    errorToast(e);
  }
  booted = true;
  notify();
}

// After sign-in, take the user's own language (once per signed-in user).
let localeFor = null;
subscribe(() => {
  const id = session.user ? session.user.id : null;
  if (id === localeFor) return;
  localeFor = id;
  if (session.user && session.user.locale && session.user.locale !== locale()) {
    setLocale(session.user.locale);
    notify();
  }
});

boot();
