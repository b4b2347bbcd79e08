// quicklog.js — log a call, note, e-mail, meeting or task from anywhere
// (button in the top bar, shortcut l); attached to the record on screen.
import { html, useState } from '../../vendor/preact-htm.js';
import { api, entity, notify, session } from '../api.js';
import { t, enumLabel, entitySingular, errorText } from '../i18n.js';
import { Dialog, RefPicker, toast } from '../components.js';
import { set } from '../state.js';
import { fromLocalInput, nowIso, toLocalInput } from '../format.js';

const TYPES = ['call', 'note', 'email', 'meeting', 'task', 'sms', 'chat', 'visit'];
const RELATED = ['contacts', 'accounts', 'leads', 'deals'];

export function QuickLog({ ctx }) {
  const [type, setType] = useState(ctx.type || 'call');
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [relType, setRelType] = useState(ctx.related_type || 'contacts');
  const [relId, setRelId] = useState(ctx.related_id ? String(ctx.related_id) : '');
  const [due, setDue] = useState(() => toLocalInput(new Date(Date.now() + 86400000).toISOString()));
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const planned = type === 'task' || type === 'meeting';
  const close = () => set({ quickLog: null });
  const submit = async (e) => {
    e.preventDefault();
    const errs = {};
    if (!subject.trim()) errs.subject = t('error.required');
    if (planned && !due) errs.due_at = t('error.required');
    if (relId && !/^\d+$/.test(relId)) errs.related_id = t('error.invalid_value');
    setErrors(errs);
    if (Object.keys(errs).length) return;
    const rec = { type, subject: subject.trim() };
    if (body.trim()) rec.body = body.trim();
    if (relId) { rec.related_type = relType; rec.related_id = Number(relId); }
    if (planned) rec.due_at = fromLocalInput(due); else rec.done_at = nowIso();
    if (session.user) rec.owner_id = session.user.id;
    setBusy(true);
    try {
      await api.post('/activities', rec);
      toast(t('quicklog.saved'), 'ok');
      close();
      notify();
      window.dispatchEvent(new CustomEvent('rapport:activity'));
    } catch (err) {
      setBusy(false);
      const fe = {};
      for (const x of err.errors || []) fe[x.field] = errorText(x.code, x.message);
      setErrors(Object.keys(fe).length ? fe : { form: errorText(err.code, err.message) });
    }
  };
  const fieldErr = (n) => html`<div class="field-error" data-field-error role=${errors[n] ? 'alert' : undefined}>${errors[n] || ''}</div>`;
  return html`<${Dialog} id="quick-log-dialog" title=${t('quicklog.title')} onClose=${close}>
    <form id="quick-log-form" class="stack" onSubmit=${submit} novalidate>
      <div class="form-field" data-field="type"><label for="ql-type">${t('field.type')}</label>
        <select id="ql-type" name="type" value=${type} onChange=${(e) => setType(e.target.value)}>
          ${TYPES.map((x) => html`<option value=${x}>${enumLabel('type', x)}</option>`)}
        </select></div>
      <div class="form-field" data-field="subject"><label for="ql-subject">${t('field.subject')}<span class="req" aria-hidden="true"> *</span></label>
        <input id="ql-subject" name="subject" type="text" maxlength="500" value=${subject} autofocus
          aria-required="true" onInput=${(e) => setSubject(e.target.value)} />${fieldErr('subject')}</div>
      <div class="form-field" data-field="body"><label for="ql-body">${t('field.body')}</label>
        <textarea id="ql-body" name="body" rows="3" value=${body} onInput=${(e) => setBody(e.target.value)}></textarea></div>
      ${planned ? html`<div class="form-field" data-field="due_at"><label for="ql-due">${t('field.due_at')}</label>
        <input id="ql-due" name="due_at" type="datetime-local" value=${due} onInput=${(e) => setDue(e.target.value)} />${fieldErr('due_at')}</div>` : ''}
      <div class="form-field" data-field="related_type"><label for="ql-rtype">${t('quicklog.about')}</label>
        <select id="ql-rtype" name="related_type" value=${relType} onChange=${(e) => { setRelType(e.target.value); setRelId(''); }}>
          ${RELATED.filter((r) => entity(r)).map((r) => html`<option value=${r}>${entitySingular(r, entity(r))}</option>`)}
        </select></div>
      <div class="form-field" data-field="related_id"><label for="ql-rid">${entitySingular(relType, entity(relType))}</label>
        <${RefPicker} ent=${relType} id="ql-rid" name="related_id" value=${relId} onChange=${setRelId} key=${relType} />${fieldErr('related_id')}</div>
      ${errors.form ? html`<div class="form-error" role="alert">${errors.form}</div>` : ''}
      <div class="actions"><button type="button" onClick=${close}>${t('common.cancel')}</button>
        <button type="submit" class="primary" disabled=${busy}>${t('common.save')}</button></div>
    </form>
  <//>`;
}
