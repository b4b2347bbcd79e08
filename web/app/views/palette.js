// palette.js — command palette (Ctrl+K): jump to any page or record, create
// any record, switch theme; records come from the search API as you type.
import { html, useState, useRef, useEffect } from '../../vendor/preact-htm.js';
import { entities, can, canImport, session, entity } from '../api.js';
import { t, entityLabel, entitySingular } from '../i18n.js';
import { navigate } from '../router.js';
import { set, toggleTheme, openQuickLog } from '../state.js';
import { Dialog } from '../components.js';
import { searchAll } from './search.js';

function commands() {
  const out = [
    { id: 'go-myday', label: t('nav.my_day'), run: () => navigate('/my-day') },
    { id: 'go-board', label: t('nav.board'), run: () => navigate('/board') },
  ];
  if (canImport()) out.push({ id: 'go-import', label: t('palette.go', { page: t('import.title') }), run: () => navigate('/import') });
  for (const e of entities()) {
    if (!can(e, 'read') || ['saved_views', 'imports', 'import_templates'].includes(e.name)) continue;
    out.push({ id: 'go-' + e.name, label: t('palette.go', { page: entityLabel(e.name, e) }), run: () => navigate('/' + e.name) });
  }
  for (const e of entities()) {
    if (!can(e, 'create') || ['saved_views', 'tags', 'imports', 'import_templates'].includes(e.name)) continue;
    out.push({ id: 'new-' + e.name, label: t('list.new', { entity: entitySingular(e.name, e) }), run: () => navigate(`/${e.name}/new`) });
  }
  out.push({ id: 'quick-log', label: t('quicklog.title'), run: () => openQuickLog() });
  out.push({ id: 'theme', label: t('nav.theme'), run: toggleTheme });
  out.push({ id: 'settings', label: t('nav.settings'), run: () => navigate('/settings') });
  out.push({ id: 'shortcuts', label: t('nav.shortcuts'), run: () => set({ shortcuts: true }) });
  if (session.admin) {
    for (const s of ['users', 'teams', 'roles', 'pipelines', 'fields', 'tokens']) {
      out.push({ id: 'admin-' + s, label: `${t('nav.admin')}: ${t('admin.' + s)}`, run: () => navigate('/admin/' + s) });
    }
  }
  return out;
}

export function Palette() {
  const [q, setQ] = useState('');
  const [records, setRecords] = useState([]);
  const [active, setActive] = useState(0);
  const timer = useRef(null);
  const close = () => set({ palette: false });
  const text = q.trim().toLowerCase();
  const cmds = commands().filter((c) => !text || c.label.toLowerCase().includes(text)).slice(0, text ? 8 : 12);
  const items = [
    ...cmds.map((c) => ({ ...c, kind: 'cmd' })),
    ...records.map((r) => ({ id: `${r.entity}-${r.id}`, label: r.title, sub: `${entitySingular(r.entity, entity(r.entity))}${r.subtitle ? ' · ' + r.subtitle : ''}`,
      kind: 'rec', run: () => navigate(`/${r.entity}/${r.id}`) })),
  ];
  useEffect(() => {
    clearTimeout(timer.current);
    if (text.length < 1) { setRecords([]); return undefined; }
    timer.current = setTimeout(() => searchAll(q.trim(), 10).then(setRecords).catch(() => setRecords([])), 120);
    return () => clearTimeout(timer.current);
  }, [q]);
  const exec = (it) => { close(); setTimeout(() => it.run(), 0); };
  const key = (e) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); setActive((active + 1) % Math.max(items.length, 1)); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); setActive((active - 1 + items.length) % Math.max(items.length, 1)); }
    else if (e.key === 'Enter') { e.preventDefault(); if (items[active]) exec(items[active]); }
  };
  return html`<${Dialog} id="palette" title=${t('palette.title')} onClose=${close}>
    <label for="palette-input" class="sr-only">${t('palette.placeholder')}</label>
    <input id="palette-input" type="text" autocomplete="off" role="combobox" aria-expanded="true" aria-controls="palette-list"
      aria-activedescendant=${items[active] ? 'pi-' + active : undefined}
      placeholder=${t('palette.placeholder')} value=${q} onInput=${(e) => { setQ(e.target.value); setActive(0); }} onKeyDown=${key} />
    <ul id="palette-list" role="listbox" aria-label=${t('palette.title')}>
      ${items.map((it, i) => html`<li role="option" id=${'pi-' + i} aria-selected=${i === active ? 'true' : 'false'}
          class=${'palette-item' + (i === active ? ' active' : '')} data-command=${it.id}
          onMouseDown=${(e) => { e.preventDefault(); exec(it); }} onMouseMove=${() => i !== active && setActive(i)}>
        ${it.kind === 'rec' ? '↪ ' : '› '}${it.label}${it.sub ? html`<span class="sub">${it.sub}</span>` : ''}</li>`)}
      ${!items.length ? html`<li class="empty">${t('search.none')}</li>` : ''}
    </ul>
  <//>`;
}
