// bulk.js — actions on the selected rows of a list: assign owner, add a
// tag, delete (to the recycle bin).
import { html, useState } from '../../vendor/preact-htm.js';
import { api, can, field } from '../api.js';
import { t, tn } from '../i18n.js';
import { Dialog, RefPicker, toast } from '../components.js';

// Run fn over items, four at a time; returns the number of failures.
async function each(items, fn) {
  let failed = 0;
  let i = 0;
  const worker = async () => {
    while (i < items.length) {
      const x = items[i++];
      try { await fn(x); } catch { failed++; }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return failed;
}

export function BulkBar({ ent, rows, selected, onDone, onClear }) {
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const [tag, setTag] = useState('');
  const chosen = rows.filter((r) => selected.has(r.id));
  const run = async (fn, doneKey) => {
    setBusy(true);
    const failed = await each(chosen, fn);
    setBusy(false);
    if (failed) toast(tn('bulk.failed', failed), 'error');
    else toast(tn(doneKey, chosen.length), 'ok');
    onDone();
  };
  const assign = (owner) => {
    if (!owner) return;
    run((r) => api.patch(`/${ent.name}/${r.id}`, { owner_id: Number(owner) }), 'bulk.assigned');
  };
  const addTag = (e) => {
    if (e) e.preventDefault();
    const v = tag.trim();
    if (!v) return;
    run((r) => api.patch(`/${ent.name}/${r.id}`, { tags: [...new Set([...(r.tags || []), v])] }), 'bulk.tagged');
    setTag('');
  };
  const del = () => { setConfirm(false); run((r) => api.del(`/${ent.name}/${r.id}`), 'bulk.deleted'); };
  const canEdit = can(ent, 'edit');
  return html`<div id="bulk" class="bulk" role="region" aria-label=${t('bulk.label')}>
    <strong>${tn('bulk.selected', selected.size)}</strong>
    ${canEdit && field(ent, 'owner_id') ? html`<span class="bulk-item">
      <label for="bulk-owner">${t('bulk.assign')}</label>
      <${RefPicker} ent="users" id="bulk-owner" name="owner_id" value="" onChange=${assign} />
    </span>` : ''}
    ${canEdit && field(ent, 'tags') ? html`<form class="bulk-item" onSubmit=${addTag}>
      <label for="bulk-tag">${t('bulk.add_tag')}</label>
      <input id="bulk-tag" name="tag" type="text" list="tag-list" value=${tag} onInput=${(e) => setTag(e.target.value)} maxlength="64" />
      <button type="submit" id="bulk-tag-apply">${t('common.add')}</button>
    </form>` : ''}
    ${can(ent, 'delete') ? html`<button type="button" id="bulk-delete" class="danger" onClick=${() => setConfirm(true)}>${t('common.delete')}</button>` : ''}
    <button type="button" onClick=${onClear}>${t('bulk.clear')}</button>
    ${busy ? html`<span class="muted">${t('common.working')}</span>` : ''}
    ${confirm ? html`<${Dialog} id="confirm" title=${t('bulk.delete_title')} onClose=${() => setConfirm(false)}>
      <p>${tn('bulk.delete_confirm', chosen.length)}</p>
      <div class="actions"><button type="button" onClick=${() => setConfirm(false)}>${t('common.cancel')}</button>
        <button type="button" id="confirm-ok" class="danger" onClick=${del}>${t('common.delete')}</button></div>
    <//>` : ''}
  </div>`;
}
