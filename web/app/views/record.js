// record.js — a record's page: every field with inline edit (If-Match; a
// 412 opens the conflict dialog), delete/restore, and the tabs: timeline,
// related lists, history. A page load asks for the record while the app
// boots (prefetch).
import { html, useState, useEffect, useLayoutEffect } from '../../vendor/preact-htm.js';
import { api, getAhead, can, titleOf, rememberTitle, session } from '../api.js';
import { t, fieldLabel, entitySingular, entityLabel, errorText, fieldErrorText } from '../i18n.js';
import { Value, FieldInput, Dialog, Spinner, toInput, fromInput, editable, toast, errorToast } from '../components.js';
import { navigate, route } from '../router.js';
import { ui, openQuickLog } from '../state.js';
import { Timeline, History, Related } from './related.js';

const QUICKLOG = ['accounts', 'contacts', 'leads', 'deals'];

// Asks for the record of the address (/{entity}/{id}) as soon as this
// module is in (lazy.js calls it): on a page load, while /auth/me and
// /meta are on their way. RecordView's own GET takes the answer (api.js).
export function prefetch() {
  const [ent, id] = route().parts;
  if (ent && /^\d+$/.test(id || '')) getAhead(`/${ent}/${id}`);
}

export function RecordView({ ent, id }) {
  const [rec, setRec] = useState(null);
  const [error, setError] = useState(null);
  const [editing, setEditing] = useState(null); // field name
  const [draft, setDraft] = useState('');
  const [fieldErr, setFieldErr] = useState(null);
  const [conflict, setConflict] = useState(null); // {server, name, value}
  const [confirmDel, setConfirmDel] = useState(false);
  const [tab, setTab] = useState(route().query.get('tab') || (ent.timeline ? 'timeline' : 'related'));
  const [rev, setRev] = useState(0);

  const load = async () => {
    try {
      const r = await api.get(`/${ent.name}/${id}`);
      rememberTitle(ent.name, r);
      setRec(r);
      setError(null);
      document.title = `${titleOf(ent.name, r)} · Rapport`;
    } catch (e) { setError(e); }
  };
  // a layout effect: the request leaves before the first paint, not after
  useLayoutEffect(() => { load(); ui.context = { entity: ent.name, id }; return () => { ui.context = null; }; }, [ent.name, id]);

  useEffect(() => {
    if (!editing) return;
    const el = document.getElementById('edit-' + editing);
    if (el && document.activeElement !== el) el.focus();
  }, [editing]);

  if (error) {
    return html`<section class="page"><h1>${error.status === 404 ? t('common.not_found') : t('error.unknown')}</h1>
      <p>${errorText(error.code, error.message)}</p><p><a href=${'/' + ent.name}>${entityLabel(ent.name, ent)}</a></p></section>`;
  }
  if (!rec) return html`<section class="page"><${Spinner} /></section>`;

  const canEdit = can(ent, 'edit') && !rec.deleted_at;
  const start = (f) => {
    if (!canEdit || !editable(f, false)) return;
    setEditing(f.name);
    setDraft(toInput(f, rec[f.name], rec));
    setFieldErr(null);
  };
  const cancel = () => { setEditing(null); setFieldErr(null); };
  const save = async (f, value, version = rec.version) => {
    let v;
    try { v = fromInput(f, value, rec); } catch (e) { setFieldErr(errorText(e.code)); return; }
    try {
      const r = await api.patch(`/${ent.name}/${id}`, { [f.name]: v }, version);
      rememberTitle(ent.name, r);
      setRec(r);
      setEditing(null);
      setConflict(null);
      setRev(rev + 1);
      toast(t('record.saved'), 'ok');
    } catch (e) {
      if (e.status === 412) {
        const server = await api.get(`/${ent.name}/${id}`);
        setConflict({ server, f, value });
      } else if (e.errors && e.errors.length) {
        setFieldErr(e.errors.map(fieldErrorText).join(' '));
      } else {
        setFieldErr(errorText(e.code, e.message));
      }
    }
  };
  const onKey = (f) => (e) => {
    if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); cancel(); }
    if (e.key === 'Enter' && (e.target.tagName !== 'TEXTAREA' || e.ctrlKey || e.metaKey)) { e.preventDefault(); save(f, draft); }
  };
  const del = async () => {
    setConfirmDel(false);
    try { await api.del(`/${ent.name}/${id}`, rec.version); toast(t('record.deleted'), 'ok'); navigate('/' + ent.name); } catch (e) { errorToast(e); }
  };
  const restore = async () => {
    try { const r = await api.post(`/${ent.name}/${id}/restore`); setRec(r); toast(t('record.restored'), 'ok'); } catch (e) { errorToast(e); }
  };

  const visible = ent.fields.filter((f) => !f.write_only && f.type !== 'password');
  const main = visible.filter((f) => !f.system);
  const sys = visible.filter((f) => f.system && f.name !== 'id' && f.name !== 'deleted_at');

  const row = (f) => {
    const isEd = editing === f.name;
    const canEd = canEdit && editable(f, false);
    return html`<div class="field-row" data-field=${f.name} key=${f.name}>
      <dt id=${'lbl-' + f.name}>${fieldLabel(f)}</dt>
      <dd>${isEd ? html`<div class="inline-edit">
          <${FieldInput} f=${f} value=${draft} onInput=${setDraft} id=${'edit-' + f.name} rec=${rec} autofocus=${true} labelledby=${'lbl-' + f.name}
            onKeyDown=${onKey(f)} compact=${true} />
          <button type="button" class="primary" data-save onClick=${() => save(f, draft)}>${t('common.save')}</button>
          <button type="button" data-cancel onClick=${cancel}>${t('common.cancel')}</button>
          ${fieldErr ? html`<div class="field-error" data-field-error role="alert">${fieldErr}</div>` : ''}
        </div>`
        : html`<span class=${'value' + (canEd ? ' editable' : '')} onClick=${canEd ? () => start(f) : undefined}><${Value} f=${f} rec=${rec} /></span>
          ${canEd ? html`<button type="button" class="icon edit" data-edit aria-label=${t('record.edit_field', { field: fieldLabel(f) })}
            onClick=${() => start(f)}>✎</button>` : ''}`}</dd>
    </div>`;
  };

  const tabs = [
    ent.timeline ? ['timeline', t('record.timeline')] : null,
    ['related', t('record.related')],
    ['history', t('record.history')],
  ].filter(Boolean);

  return html`<section class="page record-page" id="record" data-entity=${ent.name} data-id=${rec.id}>
    <nav class="crumbs" aria-label=${t('record.breadcrumb')}><a href=${'/' + ent.name}>${entityLabel(ent.name, ent)}</a> ›</nav>
    <div class="page-head">
      <div class="record-title">
        <h1>${titleOf(ent.name, rec)}</h1>
        <span class="muted">${entitySingular(ent.name, ent)} #${rec.id}</span>
        ${rec.deleted_at ? html`<span class="badge b-lost">${t('record.in_bin')}</span>` : ''}
      </div>
      <div class="head-actions">
        ${QUICKLOG.includes(ent.name) && !rec.deleted_at ? html`<button type="button" onClick=${() => openQuickLog({ related_type: ent.name, related_id: rec.id })}>
          ✎ ${t('quicklog.button')}</button>` : ''}
        ${rec.deleted_at ? html`<button type="button" id="restore" onClick=${restore}>${t('record.restore')}</button>`
          : can(ent, 'delete') ? html`<button type="button" id="delete-record" class="danger" onClick=${() => setConfirmDel(true)}>${t('common.delete')}</button>` : ''}
      </div>
    </div>
    <div class="record-grid">
      <div class="card fields">
        <dl>${main.map(row)}</dl>
        <details class="system-fields">
          <summary>${t('record.system_fields')}</summary>
          <dl>${sys.map(row)}</dl>
        </details>
      </div>
      <div class="card tabs-card">
        <div role="tablist" class="tabs" aria-label=${t('record.sections')}>
          ${tabs.map(([k, label]) => html`<button type="button" role="tab" id=${'tab-' + k} aria-selected=${tab === k ? 'true' : 'false'}
            aria-controls=${'panel-' + k} tabindex=${tab === k ? 0 : -1} onClick=${() => setTab(k)}
            onKeyDown=${(e) => {
              const i = tabs.findIndex((x) => x[0] === k);
              const j = e.key === 'ArrowRight' ? (i + 1) % tabs.length : e.key === 'ArrowLeft' ? (i - 1 + tabs.length) % tabs.length : -1;
              if (j >= 0) { setTab(tabs[j][0]); document.getElementById('tab-' + tabs[j][0]).focus(); }
            }}>${label}</button>`)}
        </div>
        <div role="tabpanel" id=${'panel-' + tab} aria-labelledby=${'tab-' + tab} class="tab-panel">
          ${tab === 'timeline' ? html`<${Timeline} ent=${ent} id=${id} rev=${rev} />` : ''}
          ${tab === 'related' ? html`<${Related} ent=${ent} id=${id} />` : ''}
          ${tab === 'history' ? html`<${History} ent=${ent} id=${id} rev=${rev} />` : ''}
        </div>
      </div>
    </div>
    ${conflict ? html`<${Conflict} ent=${ent} base=${rec} c=${conflict}
      onReload=${() => { setRec(conflict.server); setConflict(null); setEditing(null); setRev(rev + 1); }}
      onOverwrite=${() => save(conflict.f, conflict.value, conflict.server.version)}
      onClose=${() => setConflict(null)} />` : ''}
    ${confirmDel ? html`<${Dialog} id="confirm" title=${t('record.delete_title')} onClose=${() => setConfirmDel(false)}>
      <p>${t('record.delete_confirm', { title: titleOf(ent.name, rec) })}</p>
      <div class="actions"><button type="button" onClick=${() => setConfirmDel(false)}>${t('common.cancel')}</button>
        <button type="button" id="confirm-ok" class="danger" onClick=${del}>${t('common.delete')}</button></div>
    <//>` : ''}
  </section>`;
}

// The record changed on the server since we read it: list what changed and
// let the user take the server's version or write theirs over it.
function Conflict({ ent, base, c, onReload, onOverwrite, onClose }) {
  const skip = ['version', 'updated_at'];
  const changed = ent.fields.filter((f) => !skip.includes(f.name) && !f.write_only
    && JSON.stringify(base[f.name]) !== JSON.stringify(c.server[f.name]));
  let mine = c.value;
  try { mine = fromInput(c.f, c.value, base); } catch { /* shown raw */ }
  return html`<${Dialog} id="conflict" title=${t('conflict.title')} onClose=${onClose} wide=${true}>
    <p>${t('conflict.intro')}</p>
    <table class="diff">
      <thead><tr><th scope="col">${t('conflict.field')}</th><th scope="col">${t('conflict.was')}</th><th scope="col">${t('conflict.now')}</th></tr></thead>
      <tbody>
        ${changed.map((f) => html`<tr data-changed-field=${f.name}><th scope="row">${fieldLabel(f)}</th>
          <td><${Value} f=${f} rec=${base} /></td><td><${Value} f=${f} rec=${c.server} /></td></tr>`)}
      </tbody>
    </table>
    <p>${t('conflict.yours', { field: fieldLabel(c.f) })} <strong><${Value} f=${c.f} rec=${{ ...base, [c.f.name]: mine }} /></strong></p>
    <div class="actions">
      <button type="button" id="conflict-reload" onClick=${onReload}>${t('conflict.reload')}</button>
      <button type="button" id="conflict-overwrite" class="danger" onClick=${onOverwrite}>${t('conflict.overwrite')}</button>
    </div>
  <//>`;
}

export { session };
