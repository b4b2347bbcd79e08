// lazy.js — the views (pages and dialogs), each loaded with import() the
// first time it is shown, so a page load fetches and runs the shell and the
// one view on screen rather than every view. The specifiers are literal
// strings so that the build gives them the UI's ?v= like static imports
// (scripts/build-web.sh); a view shares the shell's api.js, i18n.js, … only
// when both come from the same build.
import { notify } from './api.js';

const LOADERS = {
  login: () => import('./views/login.js'),
  myday: () => import('./views/myday.js'),
  board: () => import('./views/board.js'),
  list: () => import('./views/list.js'),
  record: () => import('./views/record.js'),
  form: () => import('./views/form.js'),
  admin: () => import('./views/admin.js'),
  imports: () => import('./views/imports.js'),
  duplicates: () => import('./views/duplicates.js'),
  palette: () => import('./views/palette.js'),
  quicklog: () => import('./views/quicklog.js'),
  twofactor: () => import('./views/twofactor.js'),
};

const loaded = {}; // name → the module, once in
const loading = {}; // name → Promise of the module
const failed = {}; // name → true when it could not be loaded
const RELOADED = 'rapport.lazy.reloaded';

// Starts loading the view called name (once) and returns a Promise of its
// module; the app draws again when it is in.
export function loadView(name) {
  if (!loading[name]) {
    loading[name] = LOADERS[name]().then((m) => {
      loaded[name] = m;
      // a view may ask for its first data before it is drawn: on a page
      // load this is while /auth/me and /meta are still on their way
      if (m.prefetch) m.prefetch();
      notify();
      return m;
    }, (e) => {
      delete loading[name];
      failedToLoad(name);
      throw e;
    });
  }
  return loading[name];
}

// The view's module if it is loaded; otherwise null, and it starts loading.
export function view(name) {
  if (loaded[name]) return loaded[name];
  if (!failed[name]) loadView(name).catch(() => {});
  return null;
}

// True when the view could not be loaded (see failedToLoad).
export function viewFailed(name) { return !!failed[name]; }

// A view that cannot be loaded most likely belongs to a newer build than
// the page (the server was upgraded while the tab was open: it answers a
// stale ?v= with 404, src/http/static.c), so the page loads again, which
// takes the new build. Once a minute at most, so a server that is down does
// not make the tab reload again and again; then the view says it failed.
function failedToLoad(name) {
  let last = 0;
  try { last = Number(sessionStorage.getItem(RELOADED)) || 0; } catch { /* storage disabled */ }
  if (Date.now() - last > 60_000) {
    try { sessionStorage.setItem(RELOADED, String(Date.now())); } catch { /* storage disabled */ }
    location.reload();
    return;
  }
  failed[name] = true;
  notify();
}
