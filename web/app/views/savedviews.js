// savedviews.js — saved list views (personal and shared): pick one, save the
// current filters/sort/columns as a view, update or delete your own.
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { api, session, can } from '../api.js';
import { t } from '../i18n.js';
import { Dialog, toast, errorToast } from '../components.js';
import { navigate, route } from '../router.js';

function currentQuery() {
  const p = new URLSearchParams(location.search);
  p.delete('view'); p.delete('cols'); p.delete('cursor');
  return p.toString().replace(/%5B/g, '[').replace(/%5D/g, ']').replace(/%2C/g, ',');
}

export function viewUrl(ent, v) {
  const p = new URLSearchParams(v.query || '');
  const cols = v.columns && Array.isArray(v.columns.columns) ? v.columns.columns : null;
  if (cols && cols.length) p.set('cols', cols.join(','));
  p.set('view', String(v.id));
  return `/${ent}?${p.toString().replace(/%5B/g, '[').replace(/%5D/g, ']').replace(/%2C/g, ',')}`;
}

export function SavedViews({ ent, cols }) {
  const [views, setViews] = useState([]);
  const [dialog, setDialog] = useState(null);
  const viewId = route().query.get('view');
  const load = async () => {
    try {
      const r = await api.get('/saved_views', { entity: ent.name, limit: 200, sort: 'name' });
      setViews(r.data.filter((v) => v.shared || v.owner_id === session.user.id));
    } catch { setViews([]); }
  };
  useEffect(() => { load(); }, [ent.name]);
  const current = views.find((v) => String(v.id) === viewId);
  const mine = current && current.owner_id === session.user.id;
  const pick = (id) => {
    if (!id) { navigate(`/${ent.name}`); return; }
    const v = views.find((x) => String(x.id) === id);
    if (v) navigate(viewUrl(ent.name, v));
  };
  const update = async () => {
    try {
      await api.patch(`/saved_views/${current.id}`, { query: currentQuery(), columns: { columns: cols } }, current.version);
      toast(t('views.updated'), 'ok');
      load();
    } catch (e) { errorToast(e); }
  };
  const remove = async () => {
    try {
      await api.del(`/saved_views/${current.id}`);
      toast(t('views.deleted'), 'ok');
      await load();
      navigate(`/${ent.name}`);
    } catch (e) { errorToast(e); }
  };
  const own = views.filter((v) => v.owner_id === session.user.id);
  const shared = views.filter((v) => v.owner_id !== session.user.id);
  return html`<div class="saved-views">
    <label for="saved-view" class="sr-only">${t('views.label')}</label>
    <select id="saved-view" value=${viewId || ''} onChange=${(e) => pick(e.target.value)}>
      <option value="">${t('views.all')}</option>
      ${own.length ? html`<optgroup label=${t('views.mine')}>${own.map((v) => html`<option value=${String(v.id)}>${v.name}${v.shared ? ' ⇄' : ''}</option>`)}</optgroup>` : ''}
      ${shared.length ? html`<optgroup label=${t('views.shared')}>${shared.map((v) => html`<option value=${String(v.id)}>${v.name}</option>`)}</optgroup>` : ''}
    </select>
    ${can('saved_views', 'create') ? html`<button type="button" id="save-view" onClick=${() => setDialog('save')}>${t('views.save')}</button>` : ''}
    ${mine ? html`<button type="button" id="update-view" onClick=${update}>${t('views.update')}</button>
      <button type="button" id="delete-view" class="danger" aria-label=${t('views.delete')} title=${t('views.delete')} onClick=${remove}>✕</button>` : ''}
    ${dialog === 'save' ? html`<${SaveDialog} ent=${ent} cols=${cols} onClose=${() => setDialog(null)}
      onSaved=${(v) => { setDialog(null); load(); navigate(viewUrl(ent.name, v), { replace: true }); }} />` : ''}
  </div>`;
}

function SaveDialog({ ent, cols, onClose, onSaved }) {
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const [error, setError] = useState('');
  const submit = async (e) => {
    e.preventDefault();
    if (!name.trim()) { setError(t('error.required')); return; }
    try {
      const v = await api.post('/saved_views', { name: name.trim(), entity: ent.name, query: currentQuery(), columns: { columns: cols }, shared });
      toast(t('views.saved'), 'ok');
      onSaved(v);
    } catch (err) { setError(err.message); }
  };
  return html`<${Dialog} id="save-view-dialog" title=${t('views.save')} onClose=${onClose}>
    <form class="stack" onSubmit=${submit}>
      <div class="form-field" data-field="name"><label for="view-name">${t('views.name')}</label>
        <input id="view-name" name="name" value=${name} onInput=${(e) => setName(e.target.value)} maxlength="200" />
        <div class="field-error" data-field-error>${error}</div></div>
      <label class="check"><input type="checkbox" name="shared" checked=${shared} onChange=${(e) => setShared(e.target.checked)} /> ${t('views.share')}</label>
      <p class="muted small">${t('views.link_hint')}</p>
      <div class="actions"><button type="button" onClick=${onClose}>${t('common.cancel')}</button>
        <button type="submit" class="primary">${t('common.save')}</button></div>
    </form>
  <//>`;
}
