// main.js — boot, router and the application shell (navigation, search,
// user menu, language, theme, dialogs). The views are loaded when first
// shown (lazy.js); the one for the address being opened starts loading at
// boot, together with /auth/me and /meta.
import { html, render, useEffect, useReducer, useState } from '../vendor/preact-htm.js';
import {
  session, subscribe, notify, refreshMe, loadMeta, logout, updateMe, entities, entity, can, canImport,
  setUnauthorizedHandler,
} from './api.js';
import { takeEarly } from './early.js';
import { t, setLocale, guessLocale, locale, LOCALE_NAMES, entityLabel } from './i18n.js';
import { route, navigate, interceptLinks } from './router.js';
import { ui, set, applyTheme, toggleTheme, effectiveTheme, openQuickLog } from './state.js';
import { Toasts, Spinner, Datalists, errorToast, useMenu } from './components.js';
import { SearchBox } from './views/search.js';
import { ShortcutsHelp, installShortcuts } from './views/shortcuts.js';
import { view, viewFailed, loadView } from './lazy.js';

// Entities with their own page in the main navigation; the rest of the
// readable ones (users, teams, …) live under Admin or are reached by links.
// Imports have their own page (/import) instead of a list in the navigation.
const ADMIN_ENTITIES = ['users', 'teams', 'roles', 'pipelines', 'stages', 'tags', 'saved_views', 'imports', 'import_templates'];
export function mainEntities() {
  return entities().filter((e) => !ADMIN_ENTITIES.includes(e.name) && can(e, 'read'));
}

let booted = false;

// The view (lazy.js) that draws the page at the path's parts, or null when
// there is no such page. Before /meta is in, any other first part may be an
// entity.
const FIXED_PAGES = { 'my-day': 'myday', board: 'board', settings: 'admin', admin: 'admin', import: 'imports', duplicates: 'duplicates' };
function pageView([a, b]) {
  if (FIXED_PAGES[a]) return a === 'import' && b && !/^\d+$/.test(b) ? null : FIXED_PAGES[a];
  if (!a || (session.meta && !entity(a))) return null;
  if (!b) return 'list';
  if (b === 'new') return 'form';
  return /^\d+$/.test(b) ? 'record' : null;
}

function Page() {
  const { parts } = route();
  if (parts.length === 0) { navigate('/my-day', { replace: true }); return null; }
  const [a, b] = parts;
  if (a === 'admin' && !b) { navigate('/admin/users', { replace: true }); return null; }
  const name = pageView(parts);
  if (!name) return html`<${NotFound} />`;
  const m = view(name);
  if (!m) return viewFailed(name) ? html`<${LoadFailed} />` : html`<section class="page"><${Spinner} /></section>`;
  if (a === 'my-day') return html`<${m.MyDay} />`;
  if (a === 'board') return html`<${m.Board} />`;
  if (a === 'settings') return html`<${m.Settings} />`;
  if (a === 'import') return b ? html`<${m.ImportView} id=${Number(b)} key=${'import-' + b} />` : html`<${m.ImportPage} key="import" />`;
  if (a === 'duplicates') return html`<${m.Duplicates} entName=${b || 'contacts'} key=${'dup-' + b} />`;
  if (a === 'admin') return html`<${m.Admin} section=${b} key=${b} />`;
  const ent = entity(a);
  if (!b) return html`<${m.ListView} ent=${ent} key=${'list-' + a} />`;
  if (b === 'new') return html`<${m.FormView} ent=${ent} key=${'new-' + a} />`;
  return html`<${m.RecordView} ent=${ent} id=${Number(b)} key=${a + b} />`;
}

function NotFound() {
  return html`<section class="page"><h1>${t('common.not_found')}</h1>
    <p><a href="/my-day">${t('nav.my_day')}</a></p></section>`;
}

function LoadFailed() {
  return html`<section class="page"><p role="alert">${t('error.network')}</p>
    <p><button type="button" onClick=${() => location.reload()}>${t('common.reload')}</button></p></section>`;
}

// A component of a lazily loaded view (lazy.js); fallback until it is in.
function Lazy({ name, component, fallback = null, ...props }) {
  const m = view(name);
  const C = m && m[component];
  return C ? html`<${C} ...${props} />` : fallback;
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
  const [open, setOpen] = useMenu('user-menu', 'user-menu');
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
    ${ui.palette ? html`<${Lazy} name="palette" component="Palette" />` : ''}
    ${ui.shortcuts ? html`<${ShortcutsHelp} />` : ''}
    ${ui.quickLog ? html`<${Lazy} name="quicklog" component="QuickLog" ctx=${ui.quickLog} />` : ''}
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
  if (!session.user) return html`<${Lazy} name="login" component="Login" fallback=${html`<div class="boot"><${Spinner} /></div>`} /><${Toasts} />`;
  if (session.mustEnrol) return html`<${Lazy} name="twofactor" component="Enrol" fallback=${html`<div class="boot"><${Spinner} /></div>`} /><${Toasts} />`;
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
  // the page being opened, while /auth/me and /meta are on their way
  const first = pageView(route().parts.length ? route().parts : ['my-day']);
  if (first) loadView(first).catch(() => {});
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
