// adminconfig.js — admin: roles and their permissions, pipelines and
// stages, custom fields (which then show up everywhere from /meta).
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { api, entities, entity, listAll, loadMeta, notify } from '../api.js';
import { t, entityLabel, fieldLabel, enumLabel, errorText, fieldErrorText } from '../i18n.js';
import { Spinner, toast, errorToast, forgetSmallList } from '../components.js';

const SCOPES = ['none', 'own', 'team', 'all'];
const ACTIONS = ['read', 'create', 'edit', 'delete'];

// ---- roles --------------------------------------------------------------

export function Roles() {
  const [roles, setRoles] = useState(null);
  const [sel, setSel] = useState(null);
  const [perm, setPerm] = useState(null);
  const [newName, setNewName] = useState('');
  const load = () => listAll('roles', { sort: 'id' }).then((r) => { setRoles(r); return r; });
  useEffect(() => { load().then((r) => r.length && pick(r[0])); }, []);
  const pick = (r) => { setSel(r); setPerm(JSON.parse(JSON.stringify(r.permissions || {}))); };
  const scope = (ent, act) => {
    const p = perm[ent] || perm['*'] || {};
    return p[act] || 'none';
  };
  const setScope = (ent, act, v) => setPerm({ ...perm, [ent]: { ...(perm[ent] || perm['*'] || {}), [act]: v } });
  const setList = (ent, key, v) => {
    const list = v.split(',').map((x) => x.trim()).filter(Boolean);
    setPerm({ ...perm, [ent]: { ...(perm[ent] || perm['*'] || {}), [key]: list } });
  };
  const save = async () => {
    try {
      const r = await api.patch(`/roles/${sel.id}`, { permissions: perm, require_2fa: !!sel.require_2fa }, sel.version);
      toast(t('admin.saved'), 'ok');
      const all = await load();
      pick(all.find((x) => x.id === r.id) || r);
    } catch (e) { errorToast(e); }
  };
  const create = async (e) => {
    e.preventDefault();
    if (!newName.trim()) return;
    try {
      const r = await api.post('/roles', { name: newName.trim(), permissions: { '*': { read: 'own', create: 'own', edit: 'own', delete: 'none' } } });
      setNewName('');
      forgetSmallList('roles');
      await load();
      pick(r);
    } catch (x) { errorToast(x); }
  };
  if (!roles || !perm) return html`<${Spinner} />`;
  const ents = entities().map((e) => e.name);
  return html`<div class="roles">
    <div class="toolbar">
      <label for="role-pick">${t('admin.role')}</label>
      <select id="role-pick" value=${String(sel.id)} onChange=${(e) => pick(roles.find((r) => String(r.id) === e.target.value))}>
        ${roles.map((r) => html`<option value=${String(r.id)}>${r.name}</option>`)}
      </select>
      <form class="inline-form" onSubmit=${create}>
        <label for="role-new" class="sr-only">${t('admin.new_role')}</label>
        <input id="role-new" name="name" placeholder=${t('admin.new_role')} value=${newName} onInput=${(e) => setNewName(e.target.value)} />
        <button type="submit">+ ${t('common.add')}</button>
      </form>
    </div>
    ${sel.description ? html`<p class="muted">${sel.description}</p>` : ''}
    <label class="check"><input type="checkbox" id="role-admin" checked=${!!perm.admin}
      onChange=${(e) => setPerm({ ...perm, admin: e.target.checked || undefined })} /> ${t('admin.is_admin')}</label>
    <div><label class="check"><input type="checkbox" id="role-require-2fa" checked=${!!sel.require_2fa}
      onChange=${(e) => setSel({ ...sel, require_2fa: e.target.checked })} /> ${t('field.require_2fa')}</label></div>
    ${perm.admin ? '' : html`<div class="table-wrap"><table class="grid" id="permissions">
      <thead><tr><th scope="col">${t('admin.entity')}</th>${ACTIONS.map((a) => html`<th scope="col">${t('admin.action_' + a)}</th>`)}
        <th scope="col">${t('admin.hidden_fields')}</th><th scope="col">${t('admin.readonly_fields')}</th></tr></thead>
      <tbody>${ents.map((en) => html`<tr data-entity=${en}><th scope="row">${entityLabel(en, entity(en))}</th>
        ${ACTIONS.map((a) => html`<td><select aria-label=${`${entityLabel(en, entity(en))}: ${t('admin.action_' + a)}`} value=${scope(en, a)}
          onChange=${(e) => setScope(en, a, e.target.value)}>${SCOPES.map((s) => html`<option value=${s}>${t('scope.' + s)}</option>`)}</select></td>`)}
        <td><input type="text" aria-label=${`${entityLabel(en, entity(en))}: ${t('admin.hidden_fields')}`} value=${((perm[en] || {}).hidden || []).join(', ')}
          onChange=${(e) => setList(en, 'hidden', e.target.value)} /></td>
        <td><input type="text" aria-label=${`${entityLabel(en, entity(en))}: ${t('admin.readonly_fields')}`} value=${((perm[en] || {}).readonly || []).join(', ')}
          onChange=${(e) => setList(en, 'readonly', e.target.value)} /></td>
      </tr>`)}</tbody>
    </table></div>`}
    <div class="actions"><button type="button" class="primary" id="save-role" onClick=${save}>${t('common.save')}</button></div>
  </div>`;
}

// ---- pipelines and stages ----------------------------------------------

export function Pipelines() {
  const [pipes, setPipes] = useState(null);
  const [stages, setStages] = useState([]);
  const [newPipe, setNewPipe] = useState('');
  const load = async () => {
    const [p, s] = await Promise.all([listAll('pipelines', { sort: 'id' }), listAll('stages', { sort: 'position' })]);
    setPipes(p); setStages(s);
    forgetSmallList('stages'); forgetSmallList('pipelines');
  };
  useEffect(() => { load().catch(errorToast); }, []);
  const addPipe = async (e) => {
    e.preventDefault();
    if (!newPipe.trim()) return;
    try { await api.post('/pipelines', { name: newPipe.trim() }); setNewPipe(''); load(); } catch (x) { errorToast(x); }
  };
  if (!pipes) return html`<${Spinner} />`;
  return html`<div>
    ${pipes.map((p) => html`<${PipelineCard} p=${p} stages=${stages.filter((s) => s.pipeline_id === p.id)} reload=${load} key=${p.id} />`)}
    <form class="inline-form card" onSubmit=${addPipe}>
      <div class="form-field"><label for="pipe-new">${t('admin.new_pipeline')}</label>
        <input id="pipe-new" name="name" value=${newPipe} onInput=${(e) => setNewPipe(e.target.value)} /></div>
      <button type="submit" class="primary">+ ${t('common.add')}</button>
    </form>
  </div>`;
}

function PipelineCard({ p, stages, reload }) {
  const [draft, setDraft] = useState({ name: '', probability: '10', kind: 'open' });
  const patch = async (s, body) => {
    try { await api.patch(`/stages/${s.id}`, body, s.version); await reload(); } catch (e) { errorToast(e); }
  };
  const swap = async (i, j) => {
    const a = stages[i]; const b = stages[j];
    if (!a || !b) return;
    try {
      await api.patch(`/stages/${a.id}`, { position: b.position }, a.version);
      await api.patch(`/stages/${b.id}`, { position: a.position }, b.version);
      await reload();
    } catch (e) { errorToast(e); }
  };
  const remove = async (s) => { try { await api.del(`/stages/${s.id}`, s.version); await reload(); } catch (e) { errorToast(e); } };
  const add = async (e) => {
    e.preventDefault();
    if (!draft.name.trim()) return;
    const pos = stages.reduce((m, s) => Math.max(m, s.position || 0), 0) + 1;
    try {
      await api.post('/stages', { pipeline_id: p.id, name: draft.name.trim(), probability: Number(draft.probability) || 0, kind: draft.kind, position: pos });
      setDraft({ name: '', probability: '10', kind: 'open' });
      await reload();
    } catch (x) { errorToast(x); }
  };
  const setDefault = async () => { try { await api.patch(`/pipelines/${p.id}`, { is_default: true }, p.version); await reload(); } catch (e) { errorToast(e); } };
  return html`<section class="card pipeline-card" data-pipeline-id=${p.id}>
    <h2>${p.name} ${p.is_default ? html`<span class="badge b-open">${t('admin.default')}</span>`
      : html`<button type="button" class="small" onClick=${setDefault}>${t('admin.make_default')}</button>`}</h2>
    <div class="table-wrap"><table class="grid">
      <thead><tr><th scope="col">${t('field.position')}</th><th scope="col">${t('field.name')}</th><th scope="col">${t('field.probability')}</th>
        <th scope="col">${t('field.kind')}</th><th></th></tr></thead>
      <tbody>${stages.map((s, i) => html`<tr data-stage-row=${s.id} key=${s.id}>
        <td><button type="button" class="icon" aria-label=${t('list.move_up', { field: s.name })} onClick=${() => swap(i, i - 1)} disabled=${i === 0}>↑</button>
          <button type="button" class="icon" aria-label=${t('list.move_down', { field: s.name })} onClick=${() => swap(i, i + 1)} disabled=${i === stages.length - 1}>↓</button></td>
        <td><input type="text" aria-label=${t('field.name')} value=${s.name} onChange=${(e) => e.target.value.trim() && patch(s, { name: e.target.value.trim() })} /></td>
        <td><input type="number" min="0" max="100" class="short" aria-label=${t('field.probability')} value=${s.probability}
          onChange=${(e) => patch(s, { probability: Number(e.target.value) })} /></td>
        <td><select aria-label=${t('field.kind')} value=${s.kind} onChange=${(e) => patch(s, { kind: e.target.value })}>
          ${['open', 'won', 'lost'].map((k) => html`<option value=${k}>${enumLabel('kind', k)}</option>`)}</select></td>
        <td><button type="button" class="danger small" onClick=${() => remove(s)}>${t('common.delete')}</button></td>
      </tr>`)}</tbody>
    </table></div>
    <form class="inline-form" onSubmit=${add}>
      <div class="form-field"><label for=${'st-name-' + p.id}>${t('admin.new_stage')}</label>
        <input id=${'st-name-' + p.id} value=${draft.name} onInput=${(e) => setDraft({ ...draft, name: e.target.value })} /></div>
      <div class="form-field"><label for=${'st-prob-' + p.id}>${t('field.probability')}</label>
        <input id=${'st-prob-' + p.id} type="number" min="0" max="100" class="short" value=${draft.probability}
          onInput=${(e) => setDraft({ ...draft, probability: e.target.value })} /></div>
      <div class="form-field"><label for=${'st-kind-' + p.id}>${t('field.kind')}</label>
        <select id=${'st-kind-' + p.id} value=${draft.kind} onChange=${(e) => setDraft({ ...draft, kind: e.target.value })}>
          ${['open', 'won', 'lost'].map((k) => html`<option value=${k}>${enumLabel('kind', k)}</option>`)}</select></div>
      <button type="submit">+ ${t('common.add')}</button>
    </form>
  </section>`;
}

// ---- custom fields -----------------------------------------------------

const TYPES = ['text', 'integer', 'number', 'money', 'boolean', 'date', 'datetime', 'enum', 'email', 'phone', 'url', 'reference', 'tags'];

export function Fields() {
  const ents = entities().filter((e) => !['saved_views'].includes(e.name));
  const [entName, setEntName] = useState('contacts');
  const [form, setForm] = useState({ name: '', label: '', type: 'text', options: '', ref: 'accounts', required: false });
  const [errors, setErrors] = useState({});
  const ent = entity(entName) || ents[0];
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.type === 'checkbox' ? e.target.checked : e.target.value });
  const submit = async (e) => {
    e.preventDefault();
    const errs = {};
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(form.name)) errs.name = t('admin.field_name_rule');
    if (form.type === 'enum' && !form.options.trim()) errs.options = t('error.required');
    setErrors(errs);
    if (Object.keys(errs).length) return;
    const body = { name: form.name, type: form.type, label: form.label.trim() || form.name, required: form.required };
    if (form.type === 'enum') body.options = form.options.split(',').map((x) => x.trim()).filter(Boolean);
    if (form.type === 'reference') body.ref = form.ref;
    try {
      await api.post(`/meta/${ent.name}/fields`, body);
      await loadMeta();
      notify();
      toast(t('admin.field_added'), 'ok');
      setForm({ name: '', label: '', type: 'text', options: '', ref: 'accounts', required: false });
    } catch (x) {
      const fe = {};
      for (const y of x.errors || []) fe[y.field] = fieldErrorText(y);
      setErrors(Object.keys(fe).length ? fe : { name: errorText(x.code, x.message) });
    }
  };
  const err = (n) => html`<div class="field-error" data-field-error>${errors[n] || ''}</div>`;
  return html`<div>
    <div class="toolbar"><label for="fields-entity">${t('admin.entity')}</label>
      <select id="fields-entity" value=${ent.name} onChange=${(e) => setEntName(e.target.value)}>
        ${ents.map((e) => html`<option value=${e.name}>${entityLabel(e.name, e)}</option>`)}</select></div>
    <div class="table-wrap"><table class="grid" id="field-list">
      <thead><tr><th scope="col">${t('admin.field_label')}</th><th scope="col">${t('admin.field_name')}</th><th scope="col">${t('admin.field_type')}</th><th scope="col">${t('admin.field_kind')}</th></tr></thead>
      <tbody>${ent.fields.map((f) => html`<tr data-field-name=${f.name}><td>${fieldLabel(f)}${f.required ? ' *' : ''}</td><td><code>${f.name}</code></td>
        <td>${t('type.' + (TYPES.includes(f.type) ? f.type : 'other'))}${f.options ? html` <span class="muted small">(${f.options.join(', ')})</span>` : ''}${f.ref ? html` → ${entityLabel(f.ref, entity(f.ref))}` : ''}</td>
        <td>${f.custom ? html`<span class="badge b-open">${t('admin.custom')}</span>` : f.system ? t('admin.system') : t('admin.builtin')}</td></tr>`)}</tbody>
    </table></div>
    <form id="field-form" class="card stack" onSubmit=${submit} novalidate>
      <h2>${t('admin.add_field')}</h2>
      <div class="form-grid">
        <div class="form-field" data-field="name"><label for="cf-name">${t('admin.field_name')}</label>
          <input id="cf-name" name="name" value=${form.name} onInput=${set('name')} placeholder="loyalty_tier" />${err('name')}</div>
        <div class="form-field" data-field="label"><label for="cf-label">${t('admin.field_label')}</label>
          <input id="cf-label" name="label" value=${form.label} onInput=${set('label')} />${err('label')}</div>
        <div class="form-field" data-field="type"><label for="cf-type">${t('admin.field_type')}</label>
          <select id="cf-type" name="type" value=${form.type} onChange=${set('type')}>
            ${TYPES.map((x) => html`<option value=${x}>${t('type.' + x)}</option>`)}</select>${err('type')}</div>
        ${form.type === 'enum' ? html`<div class="form-field" data-field="options"><label for="cf-options">${t('admin.field_options')}</label>
          <input id="cf-options" name="options" value=${form.options} onInput=${set('options')} placeholder="gold, silver, bronze" />${err('options')}</div>` : ''}
        ${form.type === 'reference' ? html`<div class="form-field" data-field="ref"><label for="cf-ref">${t('admin.field_ref')}</label>
          <select id="cf-ref" name="ref" value=${form.ref} onChange=${set('ref')}>
            ${ents.map((e) => html`<option value=${e.name}>${entityLabel(e.name, e)}</option>`)}</select>${err('ref')}</div>` : ''}
        <div class="form-field check" data-field="required"><label for="cf-required">${t('admin.field_required')}</label>
          <input id="cf-required" name="required" type="checkbox" checked=${form.required} onChange=${set('required')} /></div>
      </div>
      <div class="actions"><button type="submit" class="primary">${t('admin.add_field')}</button></div>
    </form>
  </div>`;
}
