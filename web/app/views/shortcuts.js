// shortcuts.js — keyboard shortcuts (none fires inside an input) and the
// help dialog (?).
import { html } from '../../vendor/preact-htm.js';
import { t } from '../i18n.js';
import { navigate, route } from '../router.js';
import { ui, set, openQuickLog, toggleTheme } from '../state.js';
import { Dialog } from '../components.js';
import { entity, can } from '../api.js';

const GO = { m: '/my-day', b: '/board', a: '/accounts', c: '/contacts', l: '/leads', d: '/deals', t: '/activities', p: '/products', s: '/settings' };

export function shortcutList() {
  return [
    ['/', t('keys.search')],
    ['Ctrl K', t('keys.palette')],
    ['?', t('keys.help')],
    ['n', t('keys.new')],
    ['l', t('keys.quick_log')],
    ['g m', t('nav.my_day')],
    ['g b', t('nav.board')],
    ['g a', t('keys.go', { page: t('entity.accounts') })],
    ['g c', t('keys.go', { page: t('entity.contacts') })],
    ['g l', t('keys.go', { page: t('entity.leads') })],
    ['g d', t('keys.go', { page: t('entity.deals') })],
    ['g t', t('keys.go', { page: t('entity.activities') })],
    ['g p', t('keys.go', { page: t('entity.products') })],
    ['g s', t('nav.settings')],
    ['Alt ← / Alt →', t('keys.move_card')],
    ['Enter / Esc', t('keys.inline')],
    ['Shift T', t('nav.theme')],
  ];
}

export function ShortcutsHelp() {
  return html`<${Dialog} id="shortcuts" title=${t('keys.title')} onClose=${() => set({ shortcuts: false })}>
    <dl class="shortcut-list">
      ${shortcutList().map(([k, d]) => html`<dt>${k.split(' ').map((x, i) => html`${i ? ' ' : ''}<kbd>${x}</kbd>`)}</dt><dd>${d}</dd>`)}
    </dl>
    <p class="muted small">${t('keys.note')}</p>
  <//>`;
}

function typing(e) {
  const el = e.target;
  if (!el || !el.tagName) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

let pendingG = 0;

export function installShortcuts() {
  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || typing(e)) return;
    if (document.querySelector('dialog[open]') && e.key !== 'Escape') return;
    const k = e.key;
    if ((e.ctrlKey || e.metaKey) && !e.altKey && (k === 'k' || k === 'K')) {
      e.preventDefault(); set({ palette: true }); return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (pendingG && Date.now() - pendingG < 1500) {
      pendingG = 0;
      if (GO[k]) { e.preventDefault(); navigate(GO[k]); }
      return;
    }
    pendingG = 0;
    if (k === 'g') { pendingG = Date.now(); return; }
    if (k === '/') {
      const s = document.getElementById('global-search');
      if (s) { e.preventDefault(); s.focus(); s.select(); }
    } else if (k === '?') {
      e.preventDefault(); set({ shortcuts: true });
    } else if (k === 'l') {
      e.preventDefault(); openQuickLog();
    } else if (k === 'T') {
      e.preventDefault(); toggleTheme();
    } else if (k === 'n') {
      const name = route().parts[0];
      const ent = name && entity(name);
      if (ent && can(ent, 'create')) { e.preventDefault(); navigate(`/${name}/new`); }
    } else if (k === 'Escape' && ui.navOpen) {
      set({ navOpen: false });
    }
  });
}
