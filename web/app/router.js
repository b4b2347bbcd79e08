// router.js — History API routes (/contacts, /contacts/12, /board, …).
import { notify } from './api.js';

export function navigate(url, { replace = false } = {}) {
  const cur = location.pathname + location.search;
  if (url === cur) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', url);
  window.scrollTo(0, 0);
  notify();
}

export function route() {
  const parts = location.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  return { path: location.pathname, parts, query: new URLSearchParams(location.search) };
}

// Same-origin links navigate without a page load.
export function interceptLinks() {
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = e.target.closest && e.target.closest('a[href]');
    if (!a || a.target || a.hasAttribute('download')) return;
    const href = a.getAttribute('href');
    if (!href.startsWith('/') || href.startsWith('//') || href.startsWith('/api/')) return;
    e.preventDefault();
    navigate(href);
  });
  window.addEventListener('popstate', () => notify());
}
