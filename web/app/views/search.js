// search.js — the global search box (shortcut /): results grouped by
// entity as you type, from GET /search (pinyin and Latin forms match).
import { html, useState, useRef, useEffect } from '../../vendor/preact-htm.js';
import { api, entity } from '../api.js';
import { t, entityLabel } from '../i18n.js';
import { navigate } from '../router.js';

export async function searchAll(q, limit = 20) {
  const r = await api.get('/search', { q, limit });
  return r.data;
}

export function groupResults(items) {
  const groups = [];
  for (const it of items) {
    let g = groups.find((x) => x.entity === it.entity);
    if (!g) { g = { entity: it.entity, items: [] }; groups.push(g); }
    g.items.push(it);
  }
  return groups;
}

export function SearchBox() {
  const [q, setQ] = useState('');
  const [items, setItems] = useState(null);
  const [active, setActive] = useState(-1);
  const [open, setOpen] = useState(false);
  const timer = useRef(null);
  const seq = useRef(0);
  const box = useRef(null);

  useEffect(() => {
    const close = (e) => { if (box.current && !box.current.contains(e.target)) setOpen(false); };
    document.addEventListener('click', close);
    return () => document.removeEventListener('click', close);
  }, []);

  const run = (text) => {
    clearTimeout(timer.current);
    if (!text.trim()) { setItems(null); return; }
    timer.current = setTimeout(async () => {
      const my = ++seq.current;
      try {
        const data = await searchAll(text.trim());
        if (my === seq.current) { setItems(data); setActive(-1); setOpen(true); }
      } catch { if (my === seq.current) setItems([]); }
    }, 120);
  };
  const go = (it) => {
    setOpen(false);
    setQ('');
    setItems(null);
    document.getElementById('global-search').blur();
    navigate(`/${it.entity}/${it.id}`);
  };
  const flat = items || [];
  const groups = groupResults(flat);
  const ordered = groups.flatMap((g) => g.items);
  const key = (e) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); setOpen(true); setActive(Math.min(active + 1, ordered.length - 1)); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); setActive(Math.max(active - 1, -1)); }
    else if (e.key === 'Enter') {
      e.preventDefault();
      if (active >= 0 && ordered[active]) go(ordered[active]);
      else if (ordered.length) go(ordered[0]);
    } else if (e.key === 'Escape') { setOpen(false); e.target.blur(); }
  };
  const idx = (it) => ordered.indexOf(it);
  return html`<div class="search" ref=${box} role="search">
    <label for="global-search" class="sr-only">${t('search.label')}</label>
    <input id="global-search" type="search" autocomplete="off" placeholder=${t('search.placeholder')}
      role="combobox" aria-expanded=${open && items ? 'true' : 'false'} aria-controls="search-results"
      aria-activedescendant=${active >= 0 ? 'sr-' + active : undefined}
      value=${q} onInput=${(e) => { setQ(e.target.value); run(e.target.value); }} onKeyDown=${key}
      onFocus=${() => { if (items) setOpen(true); }} />
    ${open && items ? html`<div id="search-results" role="listbox" aria-label=${t('search.results')}>
      ${!flat.length ? html`<p class="empty">${t('search.none')}</p>` : groups.map((g) => html`
        <div class="result-group" data-search-group=${g.entity} role="group" aria-label=${entityLabel(g.entity, entity(g.entity))}>
          <h4>${entityLabel(g.entity, entity(g.entity))}</h4>
          <ul>${g.items.map((it) => html`<li><a href=${`/${it.entity}/${it.id}`} data-search-result data-entity=${it.entity}
              data-id=${it.id} id=${'sr-' + idx(it)} role="option" aria-selected=${idx(it) === active ? 'true' : 'false'}
              class=${idx(it) === active ? 'active' : ''} onClick=${(e) => { e.preventDefault(); go(it); }}>
            ${it.title}${it.subtitle ? html`<span class="sub">${it.subtitle}</span>` : ''}</a></li>`)}</ul>
        </div>`)}
    </div>` : ''}
  </div>`;
}
