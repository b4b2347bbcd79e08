// state.js — UI state shared across views (open dialogs, theme, context).
import { notify } from './api.js';

export const ui = {
  navOpen: false,
  palette: false,
  shortcuts: false,
  quickLog: null, // null or {related_type, related_id, type}
  context: null, // the record on screen: {entity, id}
  theme: localStorage.getItem('rapport.theme') || 'auto',
};

export function set(patch) { Object.assign(ui, patch); notify(); }

export function applyTheme() {
  const el = document.documentElement;
  if (ui.theme === 'auto') el.removeAttribute('data-theme');
  else el.setAttribute('data-theme', ui.theme);
}

export function effectiveTheme() {
  if (ui.theme !== 'auto') return ui.theme;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function toggleTheme() {
  ui.theme = effectiveTheme() === 'dark' ? 'light' : 'dark';
  localStorage.setItem('rapport.theme', ui.theme);
  applyTheme();
  notify();
}

export function openQuickLog(ctx) {
  set({ quickLog: ctx || (ui.context && ['accounts', 'contacts', 'leads', 'deals'].includes(ui.context.entity)
    ? { related_type: ui.context.entity, related_id: ui.context.id } : {}) });
}
