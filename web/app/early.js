// early.js — asks for what every page needs first, /auth/me and /meta, the
// moment index.html is read. It is an async module without imports, so it
// runs while the other modules are still loading, and the two requests go
// together rather than one after the other once main.js has started.
// main.js takes the answers at boot (takeEarly); later calls fetch anew.
const early = {};
for (const path of ['/auth/me', '/meta']) {
  early[path] = fetch('/api/v1' + path, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  early[path].catch(() => {}); // a failure reaches whoever takes the promise
}

// The request for path started at load (a Promise of its Response), once;
// null when there is none or it was taken.
export function takeEarly(path) {
  const r = early[path] || null;
  delete early[path];
  return r;
}
