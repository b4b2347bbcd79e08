// duplicates.js — the duplicates screen (/duplicates/:entity): groups of
// accounts, contacts or leads that share an e-mail, a phone or a name
// (GET /api/v1/{entity}/duplicates, paged by cursor), side by side with the
// matching key marked. Pick the record to keep and, where they differ, the
// value of each field; "Merge" posts /{entity}/{kept}/merge once per other
// record; "Not a duplicate" hides the group (remembered in this browser).
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { api, entity, can, titleOf, rememberTitle, DEDUP_ENTITIES } from '../api.js';
import { t, tn, fieldLabel, entityLabel, errorText, fieldErrorText } from '../i18n.js';
import { Value, Spinner, Empty, toast } from '../components.js';
import { fmtDateTime } from '../format.js';

const PAGE = 20;
const EMPTY_PAGES_READ_ON = 20; // pages of names with no pair alike, read on through
// the fields a group's key comes from, marked in the comparison
const MATCH_FIELDS = { email: ['email', 'email2'], phone: ['phone', 'mobile'], name: ['name', 'family_name', 'given_name'] };
const KEEP_DISMISSED = 500;

const storeKey = (ent) => 'rapport.duplicates.dismissed.' + ent;
function loadDismissed(ent) {
  try { return new Set(JSON.parse(localStorage.getItem(storeKey(ent)) || '[]')); } catch { return new Set(); }
}
function saveDismissed(ent, set) {
  try { localStorage.setItem(storeKey(ent), JSON.stringify([...set].slice(-KEEP_DISMISSED))); } catch { /* full or off */ }
}
// A group is the same group while it holds the same records.
export const groupId = (g) => `${g.kind}:${g.records.map((r) => r.id).sort((a, b) => a - b).join(',')}`;

const empty = (v) => v == null || v === '' || (Array.isArray(v) && !v.length);
const same = (a, b) => JSON.stringify(typeof a === 'string' ? a.trim() : a) === JSON.stringify(typeof b === 'string' ? b.trim() : b);

// The fields worth comparing: what a user could edit, and set on one of them.
function comparable(ent, recs) {
  return ent.fields.filter((f) => !f.read_only && !f.write_only && f.type !== 'password' && f.type !== 'json' && f.type !== 'id'
    && (!f.system || f.name === 'owner_id' || f.name === 'tags') && recs.some((r) => !empty(r[f.name])));
}

// A choice is needed where two records hold different non-empty values.
function choosable(f, recs) {
  const vals = recs.map((r) => r[f.name]).filter((v) => !empty(v));
  return vals.some((v) => !same(v, vals[0]));
}

// The most complete record survives by default (the oldest on a tie).
function defaultKeep(ent, recs) {
  const fields = comparable(ent, recs);
  const filled = (r) => fields.filter((f) => !empty(r[f.name])).length;
  return [...recs].sort((a, b) => filled(b) - filled(a) || a.id - b.id)[0].id;
}

function defaultPick(f, recs, keep) {
  const k = recs.find((r) => r.id === keep);
  if (k && !empty(k[f.name])) return keep;
  const other = recs.find((r) => !empty(r[f.name]));
  return other ? other.id : keep;
}

function problemText(e) {
  if (e && e.errors && e.errors.length) return e.errors.map(fieldErrorText).join(' ');
  return errorText(e && e.code, e && e.message);
}

export function Duplicates({ entName }) {
  const ent = entity(entName);
  const [groups, setGroups] = useState(null);
  const [cursor, setCursor] = useState(null);
  const [status, setStatus] = useState('loading'); // loading | ready | unavailable | error
  const [error, setError] = useState('');
  const [loadingMore, setLoadingMore] = useState(false);
  const [dismissed, setDismissed] = useState(() => loadDismissed(entName));
  const ok = ent && DEDUP_ENTITIES.includes(entName) && can(ent, 'read');

  const load = async (cur) => {
    if (cur) setLoadingMore(true);
    try {
      // a page of names read with no pair alike among them comes back
      // empty with a cursor: read on (a while) rather than show nothing
      let data = [];
      let next = cur;
      for (let i = 0; i < EMPTY_PAGES_READ_ON && !data.length; i++) {
        const r = await api.get(`/${entName}/duplicates`, { limit: PAGE, cursor: next });
        data = r.data || [];
        next = r.next_cursor || null;
        if (!next) break;
      }
      for (const g of data) for (const rec of g.records || []) rememberTitle(entName, rec);
      setGroups((prev) => (cur ? [...(prev || []), ...data] : data));
      setCursor(next);
      setStatus('ready');
    } catch (e) {
      // a server without the duplicates endpoint takes "duplicates" for a record id
      if ([400, 404, 405, 501].includes(e.status) && !cur) setStatus('unavailable');
      else { setStatus(cur ? 'ready' : 'error'); setError(problemText(e)); }
    }
    setLoadingMore(false);
  };
  useEffect(() => {
    document.title = `${t('dup.title')} · ${ent ? entityLabel(entName, ent) : ''} · Rapport`;
    if (ok) load(null);
  }, [entName]);

  if (!ok) return html`<section class="page"><h1>${t('common.not_found')}</h1><p><a href="/duplicates/contacts">${t('dup.title')}</a></p></section>`;

  const dismiss = (g) => {
    const next = new Set(dismissed);
    next.add(groupId(g));
    setDismissed(next);
    saveDismissed(entName, next);
    toast(t('dup.dismissed'), 'ok');
  };
  const restoreDismissed = () => { const next = new Set(); setDismissed(next); saveDismissed(entName, next); };
  // Takes the merged-away records out of every group; a group of one is gone.
  const merged = (survivor, goneIds) => {
    setGroups((prev) => prev.map((g) => ({
      ...g, records: g.records.filter((r) => !goneIds.includes(r.id)).map((r) => (r.id === survivor.id ? { ...r, ...survivor } : r)),
    })).filter((g) => g.records.length > 1));
  };

  const shown = (groups || []).filter((g) => !dismissed.has(groupId(g)));
  const hidden = (groups || []).length - shown.length;
  const tabs = DEDUP_ENTITIES.map((n) => entity(n)).filter((e) => e && can(e, 'read'));
  return html`<section class="page duplicates-page" data-entity=${entName}>
    <nav class="crumbs" aria-label=${t('record.breadcrumb')}><a href=${'/' + entName}>${entityLabel(entName, ent)}</a> ›</nav>
    <div class="page-head"><h1>${t('dup.title')}: ${entityLabel(entName, ent)}</h1></div>
    <nav class="admin-tabs" aria-label=${t('dup.kinds')}>
      ${tabs.map((e) => html`<a href=${'/duplicates/' + e.name} class=${e.name === entName ? 'active' : ''}
        aria-current=${e.name === entName ? 'page' : undefined}>${entityLabel(e.name, e)}</a>`)}
    </nav>
    <p class="muted">${t('dup.intro')}</p>
    ${status === 'loading' ? html`<${Spinner} />` : ''}
    ${status === 'unavailable' ? html`<p class="note" id="duplicates-unavailable" role="status">${t('dup.unavailable')}</p>` : ''}
    ${status === 'error' ? html`<p class="form-error" role="alert">${error}</p>` : ''}
    ${status === 'ready' ? html`<div id="duplicate-groups" class="stack">
      ${shown.map((g, i) => html`<${Group} ent=${ent} g=${g} index=${i} key=${groupId(g)}
        onDismiss=${() => dismiss(g)} onMerged=${merged} />`)}
      ${!shown.length && !cursor ? html`<${Empty}>${t('dup.none')}<//>` : ''}
    </div>` : ''}
    <div class="more" aria-live="polite">
      ${loadingMore ? html`<${Spinner} />` : cursor && status === 'ready' ? html`<button type="button" id="duplicates-more" onClick=${() => load(cursor)}>${t('dup.more')}</button>` : ''}
      ${hidden ? html`<button type="button" class="small" id="duplicates-show-dismissed" onClick=${restoreDismissed}>${tn('dup.show_dismissed', hidden)}</button>` : ''}
    </div>
  </section>`;
}

function Group({ ent, g, index, onDismiss, onMerged }) {
  const recs = g.records;
  const [keep, setKeep] = useState(() => defaultKeep(ent, recs));
  const [picks, setPicks] = useState({}); // field → record id, chosen by the user
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const fields = comparable(ent, recs);
  const marked = MATCH_FIELDS[g.kind] || [];
  const pickOf = (f) => picks[f.name] ?? defaultPick(f, recs, keep);
  const canMerge = can(ent, 'edit') && can(ent, 'delete');
  const p = `dup${index}`;

  const merge = async () => {
    setBusy(true);
    setError('');
    const gone = [];
    let survivor = recs.find((r) => r.id === keep);
    try {
      for (const d of recs.filter((r) => r.id !== keep)) {
        const values = {};
        for (const f of fields) if (choosable(f, recs) && pickOf(f) === d.id) values[f.name] = d[f.name];
        const body = { duplicate_id: d.id };
        if (Object.keys(values).length) body.values = values;
        survivor = await api.post(`/${ent.name}/${keep}/merge`, body);
        gone.push(d.id);
      }
      rememberTitle(ent.name, survivor);
      toast(t('dup.merged', { title: titleOf(ent.name, survivor) }), 'ok');
      onMerged(survivor, gone);
    } catch (e) {
      setBusy(false);
      setError(problemText(e));
      if (gone.length) onMerged(survivor, gone);
    }
  };

  const kindLabel = t('dup.kind_' + g.kind);
  // a person's name key starts with their company ("a12:"): not for reading
  const shownKey = g.kind === 'email' || g.kind === 'phone' ? g.key : g.key.replace(/^[^:]*:/, '');
  return html`<section class="card dup-group" data-group=${groupId(g)} data-kind=${g.kind} aria-labelledby=${p + '-h'}>
    <div class="section-head">
      <h2 id=${p + '-h'}>${kindLabel}: <mark class="dup-key">${shownKey}</mark></h2>
      <span class="muted small">${tn('dup.records', recs.length)}</span>
    </div>
    <div class="table-wrap scroll-x"><table class="grid dup-compare">
      <caption class="sr-only">${t('dup.compare', { key: shownKey })}</caption>
      <thead><tr>
        <th scope="col">${t('conflict.field')}</th>
        ${recs.map((r) => html`<th scope="col" data-record=${r.id} class=${r.id === keep ? 'kept' : ''}>
          <a href=${`/${ent.name}/${r.id}`}>${titleOf(ent.name, r)}</a> <span class="muted small">#${r.id}</span>
          ${r.created_at ? html`<div class="muted small">${t('dup.created', { when: fmtDateTime(r.created_at) })}</div>` : ''}
          <label class="check keep"><input type="radio" name=${p + '-keep'} data-keep=${r.id} checked=${r.id === keep}
            onChange=${() => setKeep(r.id)} /> ${t('dup.keep')}</label>
        </th>`)}
      </tr></thead>
      <tbody>${fields.map((f) => {
        const choice = choosable(f, recs);
        const match = marked.includes(f.name);
        return html`<tr data-field=${f.name} class=${(match ? 'match ' : '') + (choice ? 'differs' : '')} key=${f.name}>
          <th scope="row">${fieldLabel(f)}</th>
          ${recs.map((r) => {
            const v = html`<${Value} f=${f} rec=${r} />`;
            const shownV = match && !empty(r[f.name]) ? html`<mark>${v}</mark>` : v;
            if (!choice || empty(r[f.name])) return html`<td class=${pickOf(f) === r.id && !empty(r[f.name]) ? 'picked' : ''}>${shownV}</td>`;
            const id = `${p}-${f.name}-${r.id}`;
            return html`<td class=${pickOf(f) === r.id ? 'picked' : ''}><label class="pick" for=${id}>
              <input type="radio" id=${id} name=${`${p}-${f.name}`} data-pick=${r.id} checked=${pickOf(f) === r.id}
                onChange=${() => setPicks({ ...picks, [f.name]: r.id })} />
              <span class="sr-only">${t('dup.use_for', { field: fieldLabel(f) })}</span> ${shownV}</label></td>`;
          })}
        </tr>`;
      })}</tbody>
    </table></div>
    <div class="form-error" data-error role="alert">${error}</div>
    <div class="actions">
      <button type="button" data-dismiss onClick=${onDismiss} disabled=${busy}>${t('dup.not_duplicate')}</button>
      ${canMerge ? html`<button type="button" class="primary" data-merge disabled=${busy} onClick=${merge}>
        ${busy ? t('common.working') : tn('dup.merge', recs.length - 1)}</button>` : ''}
    </div>
  </section>`;
}
