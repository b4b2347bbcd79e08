// components.js — shared pieces: dialogs, toasts, value display, field
// inputs (one per field type), reference pickers, client-side validation.
import { html, useState, useEffect, useRef } from '../vendor/preact-htm.js';
import { api, entity, cachedTitle, wantTitles, rememberTitle, titleOf, listAll, notify } from './api.js';
import { t, enumLabel, fieldLabel, errorText } from './i18n.js';
import {
  fmtMoney, fmtNumber, fmtDate, fmtDateTime, minorToMajor, majorToMinor, toLocalInput, fromLocalInput,
} from './format.js';

export { html };

// ---- toasts -----------------------------------------------------------

export const toasts = [];
let toastId = 0;
export function toast(message, kind = 'info') {
  const id = ++toastId;
  toasts.push({ id, message, kind });
  notify();
  setTimeout(() => { const i = toasts.findIndex((x) => x.id === id); if (i >= 0) toasts.splice(i, 1); notify(); }, 4000);
}
export function Toasts() {
  return html`<div class="toasts" role="status" aria-live="polite">
    ${toasts.map((x) => html`<div class=${'toast ' + x.kind} key=${x.id}>${x.message}</div>`)}
  </div>`;
}
export function errorToast(e) { toast(errorText(e && e.code, e && e.message), 'error'); }

// ---- dialog (native <dialog>: focus trap, Escape, backdrop) -----------

export function Dialog({ id, title, onClose, children, wide }) {
  const ref = useRef(null);
  useEffect(() => {
    const d = ref.current;
    const prev = document.activeElement;
    if (d && !d.open) d.showModal();
    const first = d && (d.querySelector('.dialog-body [autofocus]')
      || d.querySelector('.dialog-body input:not([type=hidden]), .dialog-body select, .dialog-body textarea, .dialog-body button')
      || d.querySelector('button'));
    if (first) first.focus();
    return () => { if (prev && prev.focus && document.contains(prev)) prev.focus(); };
  }, []);
  const cancel = (e) => { e.preventDefault(); onClose && onClose(); };
  const backdrop = (e) => { if (e.target === ref.current) onClose && onClose(); };
  return html`<dialog id=${id} ref=${ref} class=${wide ? 'wide' : ''} aria-labelledby=${id + '-title'}
      onCancel=${cancel} onClick=${backdrop}>
    <div class="dialog-head">
      <h2 id=${id + '-title'}>${title}</h2>
      <button type="button" class="icon" aria-label=${t('common.close')} onClick=${() => onClose && onClose()}>×</button>
    </div>
    <div class="dialog-body">${children}</div>
  </dialog>`;
}

// ---- values -----------------------------------------------------------

export function RefLink({ ent, id }) {
  if (id == null) return '';
  const title = cachedTitle(ent, id);
  if (title === null || title === undefined) wantTitles(ent, [id]);
  return html`<a href=${`/${ent}/${id}`}>${title || '#' + id}</a>`;
}

export function Value({ f, rec }) {
  if (!f || !rec) return '';
  const v = rec[f.name];
  if (v == null || v === '') return html`<span class="muted">—</span>`;
  switch (f.type) {
    case 'reference': return html`<${RefLink} ent=${f.ref} id=${v} />`;
    case 'money': return fmtMoney(v, rec.currency);
    case 'integer': return f.name === 'id' || /_id$/.test(f.name) ? String(v) : fmtNumber(v);
    case 'number': return fmtNumber(v);
    case 'date': return fmtDate(v);
    case 'datetime': return html`<time datetime=${v}>${fmtDateTime(v)}</time>`;
    case 'boolean': return v ? t('common.yes') : t('common.no');
    case 'enum': return html`<span class=${'badge b-' + v}>${enumLabel(f.name, v)}</span>`;
    case 'email': return html`<a href=${'mailto:' + v}>${v}</a>`;
    case 'phone': return html`<a href=${'tel:' + String(v).replace(/[^\d+]/g, '')}>${v}</a>`;
    case 'url': return /^https?:\/\//i.test(v) ? html`<a href=${v} target="_blank" rel="noopener noreferrer">${v}</a>` : v;
    case 'tags': return Array.isArray(v) && v.length
      ? html`<span class="tags">${v.map((x) => html`<span class="tag">${x}</span>`)}</span>`
      : html`<span class="muted">—</span>`;
    case 'json': return html`<code class="json">${JSON.stringify(v)}</code>`;
    case 'password': return '••••';
    default: return String(v);
  }
}

// ---- input conversion and validation ----------------------------------

export function editable(f, creating) {
  if (f.read_only || f.type === 'id') return false;
  if (f.system && !['owner_id', 'team_id', 'tags'].includes(f.name)) return false;
  if (f.type === 'password' && !creating) return false;
  return true;
}

export function toInput(f, v, rec) {
  if (v == null) return f.type === 'boolean' ? false : '';
  switch (f.type) {
    case 'money': return minorToMajor(v, rec && rec.currency);
    case 'datetime': return toLocalInput(v);
    case 'tags': return Array.isArray(v) ? v.join(', ') : '';
    case 'json': return typeof v === 'string' ? v : JSON.stringify(v, null, 2);
    case 'boolean': return !!v;
    default: return String(v);
  }
}

// Raw input → API value; throws {code} for values the browser can tell are bad.
export function fromInput(f, raw, rec) {
  if (f.type === 'boolean') return !!raw;
  const s = typeof raw === 'string' ? raw.trim() : raw;
  if (s === '' || s == null) {
    if (f.required) throw { code: 'required' };
    if (f.type === 'tags') return [];
    return null;
  }
  if (f.max_length && typeof s === 'string' && !['json', 'tags', 'enum'].includes(f.type) && [...s].length > f.max_length) throw { code: 'too_long' };
  switch (f.type) {
    case 'integer': case 'reference':
      if (!/^-?\d+$/.test(s)) throw { code: 'invalid_type' };
      return Number(s);
    case 'number': if (isNaN(Number(s))) throw { code: 'invalid_type' }; return Number(s);
    case 'money': if (isNaN(Number(s))) throw { code: 'invalid_type' }; return majorToMinor(s, rec && rec.currency);
    case 'email': if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s)) throw { code: 'invalid_email' }; return s;
    case 'url': if (!/^https?:\/\/\S+$/i.test(s)) throw { code: 'invalid_url' }; return s;
    case 'datetime': { const v = fromLocalInput(s); if (!v) throw { code: 'invalid_value' }; return v; }
    case 'date': if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) throw { code: 'invalid_value' }; return s;
    case 'currency': if (!/^[A-Za-z]{3}$/.test(s)) throw { code: 'invalid_value' }; return s.toUpperCase();
    case 'tags': return s.split(',').map((x) => x.trim()).filter(Boolean);
    case 'json': try { return JSON.parse(s); } catch { throw { code: 'invalid_json' }; }
    default: return s;
  }
}

export const CURRENCIES = ['USD', 'EUR', 'CNY', 'RUB', 'GBP', 'JPY', 'HKD', 'KZT', 'CHF', 'SGD'];

// One input for one field. props: f, value (input form), onInput(raw), id, rec.
export function FieldInput({ f, value, onInput, id, rec, autofocus, onKeyDown, compact, filter, labelledby }) {
  const common = {
    id, name: f.name, autofocus, onKeyDown, 'aria-labelledby': labelledby,
    'aria-required': f.required ? 'true' : undefined,
  };
  const str = (e) => onInput(e.target.value);
  switch (f.type) {
    case 'boolean':
      return html`<input type="checkbox" ...${common} checked=${!!value} onChange=${(e) => onInput(e.target.checked)} />`;
    case 'enum':
      return html`<select ...${common} value=${value} onChange=${str}>
        <option value="">${f.required ? t('common.choose') : '—'}</option>
        ${(f.options || []).map((o) => html`<option value=${o}>${enumLabel(f.name, o)}</option>`)}
      </select>`;
    case 'reference':
      return html`<${RefPicker} ...${common} ent=${f.ref} value=${value} onChange=${onInput} filter=${filter} />`;
    case 'date': return html`<input type="date" ...${common} value=${value} onInput=${str} />`;
    case 'datetime': return html`<input type="datetime-local" ...${common} value=${value} onInput=${str} />`;
    case 'integer': return html`<input type="number" step="1" inputmode="numeric" ...${common} value=${value} onInput=${str} />`;
    case 'number': return html`<input type="number" step="any" ...${common} value=${value} onInput=${str} />`;
    case 'money': return html`<input type="number" step="any" inputmode="decimal" ...${common} value=${value} onInput=${str}
      aria-describedby=${id ? id + '-cur' : undefined} />`;
    case 'email': return html`<input type="email" autocomplete="email" ...${common} value=${value} onInput=${str} />`;
    case 'phone': return html`<input type="tel" autocomplete="tel" ...${common} value=${value} onInput=${str} />`;
    case 'url': return html`<input type="url" ...${common} value=${value} onInput=${str} />`;
    case 'password': return html`<input type="password" autocomplete="new-password" ...${common} value=${value} onInput=${str} />`;
    case 'currency': return html`<input type="text" list="currencies" maxlength="3" class="short" ...${common} value=${value} onInput=${str} />`;
    case 'json': return html`<textarea rows="6" class="mono" ...${common} value=${value} onInput=${str}></textarea>`;
    case 'tags': return html`<input type="text" placeholder=${t('common.tags_hint')} ...${common} value=${value} onInput=${str} />`;
    default:
      if (!compact && f.max_length && f.max_length > 500) {
        return html`<textarea rows="4" ...${common} value=${value} onInput=${str}></textarea>`;
      }
      return html`<input type="text" maxlength=${f.max_length || undefined} ...${common} value=${value} onInput=${str} />`;
  }
}

// ---- reference picker: a select for small entities, a combobox otherwise -

const smallLists = new Map(); // entity → Promise<records> (only when ≤ 300)
function smallList(ent) {
  if (!smallLists.has(ent)) {
    smallLists.set(ent, api.get('/' + ent, { limit: 300, sort: entity(ent).title_field || 'id' }).then((r) => {
      for (const rec of r.data) rememberTitle(ent, rec);
      return r.next_cursor ? null : r.data;
    }).catch(() => null));
  }
  return smallLists.get(ent);
}
export function forgetSmallList(ent) { smallLists.delete(ent); }
const SMALL = ['users', 'teams', 'roles', 'pipelines', 'stages', 'products', 'tags'];

export function RefPicker({ ent, value, onChange, id, name, autofocus, onKeyDown, filter }) {
  const [options, setOptions] = useState(null);
  useEffect(() => {
    if (SMALL.includes(ent)) smallList(ent).then((r) => setOptions(r || false));
    else setOptions(false);
  }, [ent]);
  if (options === null) return html`<select id=${id} name=${name} disabled><option>…</option></select>`;
  if (options) {
    return html`<select id=${id} name=${name} autofocus=${autofocus} onKeyDown=${onKeyDown} value=${value == null ? '' : String(value)}
        onChange=${(e) => onChange(e.target.value)}>
      <option value="">—</option>
      ${options.filter((r) => !filter || filter(r) || String(r.id) === String(value)).map((r) => html`<option value=${String(r.id)}>${titleOf(ent, r)}</option>`)}
    </select>`;
  }
  return html`<${Combo} ent=${ent} value=${value} onChange=${onChange} id=${id} name=${name} autofocus=${autofocus} onKeyDown=${onKeyDown} />`;
}

function Combo({ ent, value, onChange, id, name, autofocus, onKeyDown }) {
  const e = entity(ent);
  const title = value ? cachedTitle(ent, value) : '';
  if (value && title == null) wantTitles(ent, [value]);
  const [text, setText] = useState(null);
  const [items, setItems] = useState([]);
  const [active, setActive] = useState(-1);
  const timer = useRef(null);
  const shown = text !== null ? text : (title || (value ? '#' + value : ''));
  const search = (q) => {
    clearTimeout(timer.current);
    timer.current = setTimeout(async () => {
      const tf = e.title_field || 'name';
      const query = { limit: 8, fields: `id,${tf}` };
      if (e.searchable) query.q = q; else query[`${tf}[contains]`] = q;
      if (!q) { delete query.q; delete query[`${tf}[contains]`]; query.sort = '-updated_at'; }
      try { const r = await api.get('/' + ent, query); setItems(r.data); setActive(-1); } catch { setItems([]); }
    }, 150);
  };
  const pick = (r) => { rememberTitle(ent, r); onChange(String(r.id)); setText(null); setItems([]); };
  const key = (ev) => {
    if (ev.key === 'ArrowDown' && items.length) { ev.preventDefault(); setActive((active + 1) % items.length); return; }
    if (ev.key === 'ArrowUp' && items.length) { ev.preventDefault(); setActive((active - 1 + items.length) % items.length); return; }
    if (ev.key === 'Enter' && items.length && active >= 0) { ev.preventDefault(); ev.stopPropagation(); pick(items[active]); return; }
    if (ev.key === 'Escape' && items.length) { ev.stopPropagation(); ev.preventDefault(); setItems([]); return; }
    if (onKeyDown) onKeyDown(ev);
  };
  const input = (ev) => {
    const v = ev.target.value;
    setText(v);
    if (v === '') onChange('');
    else if (/^#?\d+$/.test(v.trim())) onChange(v.trim().replace('#', ''));
    search(v.trim());
  };
  const listId = (id || name) + '-list';
  return html`<div class="combo">
    <input type="text" id=${id} name=${name} autocomplete="off" role="combobox" autofocus=${autofocus}
      aria-expanded=${items.length ? 'true' : 'false'} aria-controls=${listId} aria-autocomplete="list"
      aria-activedescendant=${active >= 0 ? `${listId}-${active}` : undefined}
      value=${shown} placeholder=${t('common.type_to_search')} onInput=${input} onKeyDown=${key}
      onFocus=${() => { if (!items.length) search(''); }}
      onBlur=${() => setTimeout(() => { setItems([]); setText(null); }, 200)} />
    ${items.length ? html`<ul class="combo-list" role="listbox" id=${listId}>
      ${items.map((r, i) => html`<li role="option" id=${`${listId}-${i}`} aria-selected=${i === active ? 'true' : 'false'}
          class=${i === active ? 'active' : ''} onMouseDown=${(ev) => { ev.preventDefault(); pick(r); }}>${titleOf(ent, r)}</li>`)}
    </ul>` : ''}
  </div>`;
}

// ---- lists ------------------------------------------------------------

// The fields a list of ent shows when the URL names none: the title, up to
// four of the fields people scan for, the owner. (Here, not in
// views/list.js: a record page's related lists use it too, and should not
// load the list view for it.)
export function defaultColumns(ent) {
  const skip = (f) => f.write_only || f.type === 'json' || f.type === 'password' || f.type === 'id' || f.read_only
    || f.system || f.name === 'currency' || (f.type === 'text' && f.max_length > 1000);
  const tf = ent.title_field || 'name';
  // Prefer the fields people scan for: e-mail, phone, links, money, status.
  const prio = { email: 0, phone: 1, money: 1, reference: 2, enum: 3, date: 4, datetime: 4, integer: 5 };
  const cap = { reference: 2, enum: 2, email: 1, phone: 1 };
  const cands = ent.fields.map((f, i) => ({ f, i })).filter(({ f }) => !skip(f) && f.name !== tf)
    .sort((a, b) => (prio[a.f.type] ?? 6) - (prio[b.f.type] ?? 6) || a.i - b.i);
  const used = {};
  const picked = [];
  for (const c of cands) {
    if (picked.length >= 4) break;
    const n = used[c.f.type] || 0;
    if (cap[c.f.type] !== undefined && n >= cap[c.f.type]) continue;
    used[c.f.type] = n + 1;
    picked.push(c);
  }
  picked.sort((a, b) => a.i - b.i);
  const cols = [tf, ...picked.map((c) => c.f.name)];
  if (ent.fields.some((f) => f.name === 'owner_id')) cols.push('owner_id');
  return cols.filter((c) => ent.fields.some((f) => f.name === c));
}

// A labelled field with its error, as forms use it: [data-field=NAME].
export function FormField({ f, value, onInput, error, rec, idPrefix = 'f', filter }) {
  const id = `${idPrefix}-${f.name}`;
  const errId = id + '-err';
  const input = html`<${FieldInput} f=${f} value=${value} onInput=${onInput} id=${id} rec=${rec} filter=${filter} />`;
  return html`<div class=${'form-field' + (f.type === 'boolean' ? ' check' : '') + (error ? ' invalid' : '')} data-field=${f.name}>
    <label for=${id}>${fieldLabel(f)}${f.required ? html`<span class="req" aria-hidden="true"> *</span>` : ''}
      ${f.type === 'money' ? html`<span class="muted" id=${id + '-cur'}> (${(rec && rec.currency) || 'USD'})</span>` : ''}</label>
    ${input}
    <div class="field-error" data-field-error id=${errId} role=${error ? 'alert' : undefined}>${error || ''}</div>
  </div>`;
}

export function Spinner() { return html`<div class="spinner" role="status" aria-label=${t('common.loading')}></div>`; }

export function Empty({ children }) { return html`<p class="empty">${children}</p>`; }

export function Datalists() {
  return html`<datalist id="currencies">${CURRENCIES.map((c) => html`<option value=${c} />`)}</datalist>`;
}

export async function loadAllTitles(ent) { return listAll(ent); }

// A popup menu's open state: a click outside the element of class
// rootClass closes it, and so does Escape, giving the focus back to the
// button buttonId; inside, the keys move between its menu items.
export function useMenu(rootClass, buttonId) {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (!open) return undefined;
    const items = () => [...document.querySelectorAll(`.${rootClass} [role=menuitem]`)];
    // as a menu button does: the first item takes the focus, the arrows,
    // Home and End move it, Tab leaves the menu closed behind it
    const first = items()[0];
    if (first) first.focus();
    const close = (e) => { if (!e.target.closest('.' + rootClass)) setOpen(false); };
    const keys = (e) => {
      const list = items();
      const at = list.indexOf(document.activeElement);
      const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: list.length - 1 }[e.key];
      if (e.key === 'Escape') { setOpen(false); document.getElementById(buttonId).focus(); }
      else if (e.key === 'Tab') setOpen(false);
      else if (to !== undefined && list.length) { e.preventDefault(); list[(to + list.length) % list.length].focus(); }
    };
    document.addEventListener('click', close);
    document.addEventListener('keydown', keys);
    return () => { document.removeEventListener('click', close); document.removeEventListener('keydown', keys); };
  }, [open]);
  return [open, setOpen];
}
