// form.js — create form for any entity, from /meta: every writable field,
// client-side checks first, then the server's field errors at the field.
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { api, session, rememberTitle, entity } from '../api.js';
import { t, entitySingular, entityLabel, errorText, fieldLabel, fieldErrorText } from '../i18n.js';
import { FormField, toInput, fromInput, editable, toast } from '../components.js';
import { navigate, route } from '../router.js';

export function initialValues(ent, preset) {
  const vals = {};
  for (const f of ent.fields) {
    if (!editable(f, true)) continue;
    let v = null;
    if (preset && preset[f.name] != null) v = preset[f.name];
    else if (f.default != null && f.default !== '' && f.type !== 'tags' && f.type !== 'json') {
      v = f.type === 'boolean' ? f.default === 'true' : f.type === 'integer' || f.type === 'money' ? Number(f.default) : f.default;
    }
    if (f.name === 'owner_id' && v == null && session.user) v = session.user.id;
    vals[f.name] = toInput(f, v, { currency: (preset && preset.currency) || (ent.fields.find((x) => x.name === 'currency') || {}).default || 'USD' });
  }
  return vals;
}

// Fields in the form: required ones first, then the rest in descriptor order.
export function formFields(ent) {
  const fs = ent.fields.filter((f) => editable(f, true));
  return [...fs.filter((f) => f.required), ...fs.filter((f) => !f.required)];
}

// Validate and convert; returns {body, errors}.
export function collect(ent, values) {
  const body = {};
  const errors = {};
  const cur = values.currency || 'USD';
  for (const f of formFields(ent)) {
    const raw = values[f.name];
    try {
      const v = fromInput(f, raw, { currency: cur });
      if (f.type === 'boolean' || (v !== null && !(Array.isArray(v) && !v.length))) body[f.name] = v;
    } catch (e) {
      errors[f.name] = errorText(e.code);
    }
  }
  return { body, errors };
}

export function RecordForm({ ent, preset, onSaved, onCancel, idPrefix = 'f' }) {
  const [values, setValues] = useState(() => initialValues(ent, preset));
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState('');
  const [busy, setBusy] = useState(false);
  const [key] = useState(() => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`);
  const set = (name) => (v) => {
    setValues({ ...values, [name]: v });
    if (errors[name]) setErrors({ ...errors, [name]: null });
  };
  const submit = async (e) => {
    e.preventDefault();
    const { body, errors: errs } = collect(ent, values);
    if (Object.keys(errs).length) {
      setErrors(errs);
      setFormError(t('form.fix_errors'));
      focusFirst(errs);
      return;
    }
    setBusy(true);
    setFormError('');
    try {
      const rec = await api.post('/' + ent.name, body, { 'Idempotency-Key': key });
      rememberTitle(ent.name, rec);
      toast(t('form.created', { entity: entitySingular(ent.name, ent) }), 'ok');
      onSaved(rec);
    } catch (err) {
      setBusy(false);
      if (err.errors && err.errors.length) {
        const fe = {};
        const unplaced = [];
        for (const x of err.errors) {
          if (x.field && ent.fields.some((f) => f.name === x.field)) fe[x.field] = fieldErrorText(x);
          else unplaced.push(x.message);
        }
        setErrors(fe);
        setFormError(unplaced.join(' ') || t('form.fix_errors'));
        focusFirst(fe);
      } else {
        setFormError(errorText(err.code, err.message));
      }
    }
  };
  const fields = formFields(ent);
  return html`<form id="record-form" class="record-form" onSubmit=${submit} novalidate data-entity=${ent.name}>
    <div class="form-grid">
      ${fields.map((f) => html`<${FormField} f=${f} value=${values[f.name]} onInput=${set(f.name)} error=${errors[f.name]}
        rec=${{ currency: values.currency || 'USD' }} idPrefix=${idPrefix} key=${f.name} filter=${dependentFilter(ent, f, values)} />`)}
    </div>
    <div class="form-error" data-error role="alert">${formError}</div>
    <div class="actions sticky">
      ${onCancel ? html`<button type="button" onClick=${onCancel}>${t('common.cancel')}</button>` : ''}
      <button type="submit" class="primary" disabled=${busy}>${busy ? t('common.working') : t('form.create')}</button>
    </div>
  </form>`;
}

// A reference whose target has a reference to another field of this form
// (a deal's stage belongs to its pipeline) offers only matching options.
export function dependentFilter(ent, f, values) {
  if (f.type !== 'reference') return undefined;
  const target = entity(f.ref);
  if (!target) return undefined;
  for (const g of target.fields) {
    if (g.type !== 'reference' || g.system) continue;
    const h = ent.fields.find((x) => x.type === 'reference' && x.ref === g.ref && x.name !== f.name);
    if (h && values[h.name]) return (r) => String(r[g.name]) === String(values[h.name]);
  }
  return undefined;
}

function focusFirst(errs) {
  const name = Object.keys(errs).find((k) => errs[k]);
  if (!name) return;
  setTimeout(() => {
    const el = document.querySelector(`#record-form [data-field="${name}"] [name="${name}"]`);
    if (el) el.focus();
  }, 0);
}

export function FormView({ ent }) {
  const preset = {};
  for (const [k, v] of route().query.entries()) if (ent.fields.some((f) => f.name === k)) preset[k] = v;
  useEffect(() => { document.title = `${t('list.new', { entity: entitySingular(ent.name, ent) })} · Rapport`; }, [ent.name]);
  return html`<section class="page form-page">
    <nav class="crumbs" aria-label=${t('record.breadcrumb')}><a href=${'/' + ent.name}>${entityLabel(ent.name, ent)}</a> ›</nav>
    <h1>${t('list.new', { entity: entitySingular(ent.name, ent) })}</h1>
    <div class="card">
      <${RecordForm} ent=${ent} preset=${preset} onSaved=${(rec) => navigate(`/${ent.name}/${rec.id}`, { replace: true })}
        onCancel=${() => history.back()} />
    </div>
  </section>`;
}

export { fieldLabel };
