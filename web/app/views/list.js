// list.js — the generic list view for any entity, driven by /meta: sortable
// columns, column chooser, filters, saved views, full-text box, infinite
// scroll over the keyset cursor, bulk actions. Everything lives in the URL.
import { html, useState, useEffect, useLayoutEffect, useRef } from '../../vendor/preact-htm.js';
import { api, can, canImport, session, subscribe, DEDUP_ENTITIES } from '../api.js';
import { t, tn, fieldLabel, entityLabel, entitySingular } from '../i18n.js';
import { Value, Spinner, Empty, errorToast, defaultColumns } from '../components.js';
import { navigate, route } from '../router.js';
import { parseFilters, FilterChips, FilterDialog, ColumnsDialog } from './filters.js';
import { SavedViews } from './savedviews.js';
import { BulkBar } from './bulk.js';
import { ExportMenu } from './exportmenu.js';

const PAGE = 50;

export function columnsFrom(params, ent) {
  const c = params.get('cols');
  if (c) {
    const cols = c.split(',').filter((n) => ent.fields.some((f) => f.name === n && !f.write_only));
    if (cols.length) return cols;
  }
  return defaultColumns(ent);
}

// The API query for the current URL: filters, sort and q pass through.
export function apiQuery(params, ent, cols) {
  const p = new URLSearchParams();
  for (const [k, v] of params.entries()) if (!['cols', 'view'].includes(k)) p.append(k, v);
  const extra = ['id', 'version', 'tags', ent.title_field || 'name'];
  if (ent.fields.some((f) => f.name === 'currency')) extra.push('currency');
  if (ent.fields.some((f) => f.name === 'owner_id')) extra.push('owner_id');
  p.set('fields', [...new Set([...cols, ...extra])].join(','));
  p.set('limit', String(PAGE));
  return p;
}

function qs(p) { return p.toString().replace(/%5B/g, '[').replace(/%5D/g, ']').replace(/%2C/g, ','); }

export function ListView({ ent }) {
  const { query: params } = route();
  const search = location.search;
  const cols = columnsFrom(params, ent);
  const filters = parseFilters(params, ent);
  const sort = params.get('sort') || '';
  const [rows, setRows] = useState([]);
  const [cursor, setCursor] = useState(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState(null);
  const [selected, setSelected] = useState(new Set());
  const [dialog, setDialog] = useState(null);
  const [qText, setQText] = useState(params.get('q') || '');
  const more = useRef(null);
  const gen = useRef(0);
  const state = useRef({});
  state.current = { cursor, loading };

  const setParams = (mutate, keepView = false) => {
    const p = new URLSearchParams(location.search);
    mutate(p);
    if (!keepView) p.delete('view');
    const s = qs(p);
    navigate(`/${ent.name}${s ? '?' + s : ''}`, { replace: true });
  };

  const load = async (cur) => {
    const my = cur ? gen.current : ++gen.current;
    setLoading(true);
    const p = apiQuery(new URLSearchParams(location.search), ent, cols);
    if (cur) p.set('cursor', cur);
    try {
      const r = await api.get('/' + ent.name, qs(p));
      if (my !== gen.current) return;
      setRows((prev) => (cur ? [...prev, ...r.data] : r.data));
      setCursor(r.next_cursor || null);
      setError(null);
    } catch (e) {
      if (my !== gen.current) return;
      setError(e);
      if (!cur) setRows([]);
      setCursor(null);
    }
    setLoading(false);
  };

  // a layout effect: the request leaves before the first paint, not after
  useLayoutEffect(() => { setSelected(new Set()); load(null); }, [search, ent.name]);
  useEffect(() => { setQText(params.get('q') || ''); }, [search]);

  // Infinite scroll: load the next page when the sentinel shows.
  useEffect(() => {
    if (!more.current) return undefined;
    const io = new IntersectionObserver((entries) => {
      const { cursor: c, loading: l } = state.current;
      if (entries.some((x) => x.isIntersecting) && c && !l) load(c);
    }, { rootMargin: '300px' });
    io.observe(more.current);
    return () => io.disconnect();
  }, [more.current, cursor, loading]);

  const fieldOf = (n) => ent.fields.find((f) => f.name === n);
  const sortBy = (f) => {
    const cur = sort.split(',')[0];
    const next = cur === f.name ? '-' + f.name : cur === '-' + f.name ? '' : f.name;
    setParams((p) => (next ? p.set('sort', next) : p.delete('sort')), true);
  };
  const ariaSort = (n) => {
    const cur = sort.split(',')[0];
    return cur === n ? 'ascending' : cur === '-' + n ? 'descending' : undefined;
  };
  const toggle = (id, on) => {
    const s = new Set(selected);
    if (on) s.add(id); else s.delete(id);
    setSelected(s);
  };
  const allOn = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const deleted = params.get('deleted') === 'true';
  const submitQ = (e) => { e.preventDefault(); setParams((p) => (qText.trim() ? p.set('q', qText.trim()) : p.delete('q')), true); };
  const restore = async (r) => {
    try { await api.post(`/${ent.name}/${r.id}/restore`); load(null); } catch (e) { errorToast(e); }
  };

  return html`<section class="page list-page">
    <div class="page-head">
      <h1>${entityLabel(ent.name, ent)}${deleted ? html` <span class="muted">· ${t('list.recycle_bin')}</span>` : ''}</h1>
      <div class="head-actions">
        <${SavedViews} ent=${ent} cols=${cols} />
        ${DEDUP_ENTITIES.includes(ent.name) && can(ent, 'edit') && !deleted ? html`<a id="find-duplicates" class="button" href=${'/duplicates/' + ent.name}>
          ${t('dup.find')}</a>` : ''}
        ${canImport(ent) && !deleted ? html`<a id="import-records" class="button" href=${'/import?entity=' + ent.name}>
          ↑ ${t('import.button')}</a>` : ''}
        <${ExportMenu} ent=${ent} params=${params} cols=${cols} />
        ${can(ent, 'create') && !deleted ? html`<a id="new-record" class="button primary" href=${`/${ent.name}/new`}>
          + ${t('list.new', { entity: entitySingular(ent.name, ent) })}</a>` : ''}
      </div>
    </div>
    <div class="toolbar">
      ${ent.searchable ? html`<form class="q-form" role="search" onSubmit=${submitQ}>
        <label for="list-q" class="sr-only">${t('list.search_in', { entity: entityLabel(ent.name, ent) })}</label>
        <input id="list-q" type="search" value=${qText} placeholder=${t('list.search_in', { entity: entityLabel(ent.name, ent) })}
          onInput=${(e) => setQText(e.target.value)} />
      </form>` : ''}
      <button type="button" id="add-filter" onClick=${() => setDialog('filter')}>⚲ ${t('filter.add')}</button>
      <button type="button" id="columns" onClick=${() => setDialog('columns')}>▥ ${t('list.columns')}</button>
      <button type="button" id="bin-toggle" aria-pressed=${deleted ? 'true' : 'false'}
        onClick=${() => setParams((p) => (deleted ? p.delete('deleted') : p.set('deleted', 'true')), true)}>
        ${deleted ? t('list.back_to_list') : t('list.recycle_bin')}</button>
    </div>
    <${FilterChips} filters=${filters} onRemove=${(flt) => setParams((p) => {
      const vals = p.getAll(flt.key).filter((v) => v !== flt.value);
      p.delete(flt.key);
      for (const v of vals) p.append(flt.key, v);
    })} />
    ${selected.size ? html`<${BulkBar} ent=${ent} rows=${rows} selected=${selected}
      onDone=${() => { setSelected(new Set()); load(null); }} onClear=${() => setSelected(new Set())} />` : ''}
    ${error ? html`<p class="form-error" role="alert">${error.message}</p>` : ''}
    <div class="table-wrap">
      <table class="records">
        <caption class="sr-only">${entityLabel(ent.name, ent)}</caption>
        <thead><tr>
          <th class="sel"><input type="checkbox" aria-label=${t('list.select_all')} checked=${allOn}
            onChange=${(e) => setSelected(e.target.checked ? new Set(rows.map((r) => r.id)) : new Set())} /></th>
          ${cols.map((n) => {
            const f = fieldOf(n);
            return html`<th data-field=${n} aria-sort=${ariaSort(n)} class=${f.sortable ? 'sortable' : ''}
              scope="col" onClick=${f.sortable ? () => sortBy(f) : undefined}>
              ${f.sortable ? html`<button type="button" class="th-sort">${fieldLabel(f)}
                <span aria-hidden="true">${ariaSort(n) === 'ascending' ? '▲' : ariaSort(n) === 'descending' ? '▼' : ''}</span></button>`
                : fieldLabel(f)}</th>`;
          })}
          ${deleted ? html`<th></th>` : ''}
        </tr></thead>
        <tbody>
          ${rows.map((r) => html`<tr data-id=${r.id} key=${r.id} class=${selected.has(r.id) ? 'selected' : ''}>
            <td class="sel"><input type="checkbox" data-select=${r.id} aria-label=${t('list.select_row', { title: r[ent.title_field] || r.id })}
              checked=${selected.has(r.id)} onChange=${(e) => toggle(r.id, e.target.checked)} /></td>
            ${cols.map((n, i) => {
              const f = fieldOf(n);
              const title = n === ent.title_field || (i === 0 && n !== ent.title_field);
              return html`<td data-label=${fieldLabel(f)} class=${(title ? 'title ' : '') + 't-' + f.type}>
                ${title ? html`<a href=${`/${ent.name}/${r.id}`}>${r[n] == null || r[n] === '' ? '#' + r.id : html`<${Value} f=${{ ...f, type: f.type === 'email' || f.type === 'url' || f.type === 'phone' ? 'text' : f.type }} rec=${r} />`}</a>`
                  : html`<${Value} f=${f} rec=${r} />`}</td>`;
            })}
            ${deleted ? html`<td><button type="button" onClick=${() => restore(r)}>${t('record.restore')}</button></td>` : ''}
          </tr>`)}
        </tbody>
      </table>
    </div>
    ${!loading && !rows.length && !error ? html`<${Empty}>${filters.length || params.get('q') ? t('list.no_match') : t('list.empty')}<//>` : ''}
    <div id="more" ref=${more} class="more" aria-live="polite">
      ${loading ? html`<${Spinner} />` : cursor ? html`<button type="button" onClick=${() => load(cursor)}>${t('list.load_more')}</button>`
        : rows.length ? html`<span class="muted">${tn('list.count', rows.length)}</span>` : ''}
    </div>
    ${dialog === 'filter' ? html`<${FilterDialog} ent=${ent} onClose=${() => setDialog(null)}
      onAdd=${(flt) => { setDialog(null); setParams((p) => p.append(flt.op === 'eq' ? flt.field.name : `${flt.field.name}[${flt.op}]`, flt.value)); }} />` : ''}
    ${dialog === 'columns' ? html`<${ColumnsDialog} ent=${ent} columns=${cols} onClose=${() => setDialog(null)}
      onReset=${() => setParams((p) => p.delete('cols'), true)}
      onChange=${(next) => setParams((p) => p.set('cols', next.join(',')), true)} />` : ''}
  </section>`;
}

export { subscribe, session };
