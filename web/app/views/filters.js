// filters.js — list filters on any field with the API's operators, shown as
// chips; the column chooser. Both live in the URL query.
import { html, useState } from '../../vendor/preact-htm.js';
import { t, fieldLabel, enumLabel } from '../i18n.js';
import { Dialog, FieldInput, RefLink } from '../components.js';
import { fmtMoney, fmtDate, fmtDateTime, fromLocalInput, toLocalInput, majorToMinor, minorToMajor } from '../format.js';

export const RESERVED = ['sort', 'cols', 'view', 'q', 'cursor', 'limit', 'fields', 'include', 'deleted'];
const OPS = {
  text: ['contains', 'eq', 'ne', 'prefix', 'null'],
  number: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'null'],
  enum: ['eq', 'ne', 'in', 'null'],
  reference: ['eq', 'ne', 'in', 'null'],
  boolean: ['eq'],
  tags: ['eq'],
  json: ['null'],
};
export function opsFor(f) {
  switch (f.type) {
    case 'integer': case 'number': case 'money': case 'date': case 'datetime': case 'id': return OPS.number;
    case 'enum': case 'currency': return OPS.enum;
    case 'reference': return OPS.reference;
    case 'boolean': return OPS.boolean;
    case 'tags': return OPS.tags;
    case 'json': case 'password': return OPS.json;
    default: return OPS.text;
  }
}
const OP_SIGN = { eq: '=', ne: '≠', gt: '>', gte: '≥', lt: '<', lte: '≤' };
export function opLabel(op) { return t('op.' + op); }

// URL params → [{field, op, value, key}] for known fields.
export function parseFilters(params, ent) {
  const out = [];
  for (const [key, value] of params.entries()) {
    if (RESERVED.includes(key)) continue;
    const m = /^([a-z0-9_]+)(?:\[([a-z]+)\])?$/i.exec(key);
    if (!m) continue;
    const f = ent.fields.find((x) => x.name === m[1]);
    if (!f) continue;
    out.push({ field: f, op: m[2] || 'eq', value, key });
  }
  return out;
}

function chipValue(flt) {
  const { field: f, op, value } = flt;
  if (op === 'null') return value === 'true' ? t('filter.empty') : t('filter.not_empty');
  if (op === 'in') {
    return value.split(',').map((v) => (f.type === 'enum' ? enumLabel(f.name, v) : f.type === 'reference' ? html`<${RefLink} ent=${f.ref} id=${v} />` : v))
      .reduce((acc, x, i) => (i ? [...acc, ', ', x] : [x]), []);
  }
  switch (f.type) {
    case 'enum': return enumLabel(f.name, value);
    case 'boolean': return value === 'true' ? t('common.yes') : t('common.no');
    case 'reference': return html`<${RefLink} ent=${f.ref} id=${value} />`;
    case 'money': return fmtMoney(value, 'USD');
    case 'date': return fmtDate(value);
    case 'datetime': return fmtDateTime(value);
    default: return value;
  }
}

export function FilterChips({ filters, onRemove }) {
  if (!filters.length) return '';
  return html`<ul class="chips" aria-label=${t('filter.active')}>
    ${filters.map((flt) => html`<li class="chip" data-filter=${flt.key}>
      <span>${fieldLabel(flt.field)} ${flt.op === 'null' ? '' : html`<span class="op">${OP_SIGN[flt.op] || opLabel(flt.op)}</span>`} ${chipValue(flt)}</span>
      <button type="button" class="icon" aria-label=${t('filter.remove', { field: fieldLabel(flt.field) })}
        onClick=${() => onRemove(flt)}>×</button>
    </li>`)}
  </ul>`;
}

// The "add filter" dialog: field → operator → value.
export function FilterDialog({ ent, onAdd, onClose, initial }) {
  const fields = ent.fields.filter((f) => f.filterable && !f.write_only && f.type !== 'password');
  const [name, setName] = useState((initial && initial.field.name) || (fields.find((f) => f.name === ent.title_field) || fields[0]).name);
  const f = fields.find((x) => x.name === name) || fields[0];
  const ops = opsFor(f);
  const [op, setOp] = useState(ops[0]);
  const [value, setValue] = useState('');
  const [multi, setMulti] = useState([]);
  const curOp = ops.includes(op) ? op : ops[0];
  const submit = (e) => {
    e.preventDefault();
    let v = value;
    if (curOp === 'null') v = value === 'false' ? 'false' : 'true';
    else if (curOp === 'in' && f.type === 'enum') v = multi.join(',');
    else if (f.type === 'boolean') v = value ? 'true' : 'false';
    else if (f.type === 'datetime') v = fromLocalInput(value) || '';
    else if (f.type === 'money' && value !== '') v = String(majorToMinor(value, 'USD'));
    if (v === '' || v == null) return;
    onAdd({ field: f, op: curOp, value: String(v) });
  };
  const valueInput = () => {
    if (curOp === 'null') {
      return html`<select id="flt-value" name="value" value=${value || 'true'} onChange=${(e) => setValue(e.target.value)}>
        <option value="true">${t('filter.empty')}</option><option value="false">${t('filter.not_empty')}</option></select>`;
    }
    if (curOp === 'in' && f.type === 'enum') {
      return html`<fieldset class="checks" id="flt-value"><legend class="sr-only">${fieldLabel(f)}</legend>
        ${(f.options || []).map((o) => html`<label class="check"><input type="checkbox" checked=${multi.includes(o)}
          onChange=${(e) => setMulti(e.target.checked ? [...multi, o] : multi.filter((x) => x !== o))} /> ${enumLabel(f.name, o)}</label>`)}
      </fieldset>`;
    }
    if (curOp === 'in' || ['contains', 'prefix'].includes(curOp) || f.type === 'id') {
      return html`<input id="flt-value" name="value" type="text" value=${value} onInput=${(e) => setValue(e.target.value)}
        placeholder=${curOp === 'in' ? t('filter.comma_list') : ''} />`;
    }
    const ff = f.type === 'tags' ? { ...f, type: 'text' } : { ...f, required: false };
    return html`<${FieldInput} f=${ff} id="flt-value" value=${value} onInput=${setValue} compact=${true} />`;
  };
  return html`<${Dialog} id="filter-dialog" title=${t('filter.add')} onClose=${onClose}>
    <form class="stack" onSubmit=${submit}>
      <div class="form-field"><label for="flt-field">${t('filter.field')}</label>
        <select id="flt-field" name="field" value=${f.name} onChange=${(e) => { setName(e.target.value); setValue(''); setMulti([]); }}>
          ${fields.map((x) => html`<option value=${x.name}>${fieldLabel(x)}</option>`)}
        </select></div>
      <div class="form-field"><label for="flt-op">${t('filter.operator')}</label>
        <select id="flt-op" name="op" value=${curOp} onChange=${(e) => setOp(e.target.value)}>
          ${ops.map((o) => html`<option value=${o}>${opLabel(o)}</option>`)}
        </select></div>
      <div class="form-field"><label for="flt-value">${t('filter.value')}</label>${valueInput()}</div>
      <div class="actions"><button type="button" onClick=${onClose}>${t('common.cancel')}</button>
        <button type="submit" class="primary">${t('filter.apply')}</button></div>
    </form>
  <//>`;
}

// Column chooser: every readable field, in descriptor order.
export function ColumnsDialog({ ent, columns, onChange, onReset, onClose }) {
  const fields = ent.fields.filter((f) => !f.write_only && f.type !== 'password');
  const toggle = (name, on) => {
    const next = on ? fields.map((f) => f.name).filter((n) => n === name || columns.includes(n)) : columns.filter((c) => c !== name);
    if (next.length) onChange(next);
  };
  const move = (name, d) => {
    const i = columns.indexOf(name);
    const j = i + d;
    if (i < 0 || j < 0 || j >= columns.length) return;
    const next = [...columns];
    [next[i], next[j]] = [next[j], next[i]];
    onChange(next);
  };
  return html`<${Dialog} id="columns-dialog" title=${t('list.columns')} onClose=${onClose}>
    <ul class="column-list">
      ${fields.map((f) => {
        const on = columns.includes(f.name);
        return html`<li><label class="check"><input type="checkbox" name=${'col-' + f.name} checked=${on}
            onChange=${(e) => toggle(f.name, e.target.checked)} /> ${fieldLabel(f)}</label>
          ${on ? html`<span class="move">
            <button type="button" class="icon" aria-label=${t('list.move_up', { field: fieldLabel(f) })} onClick=${() => move(f.name, -1)}>↑</button>
            <button type="button" class="icon" aria-label=${t('list.move_down', { field: fieldLabel(f) })} onClick=${() => move(f.name, 1)}>↓</button>
          </span>` : ''}</li>`;
      })}
    </ul>
    <div class="actions"><button type="button" onClick=${onReset}>${t('list.reset_columns')}</button>
      <button type="button" class="primary" onClick=${onClose}>${t('common.done')}</button></div>
  <//>`;
}

export { toLocalInput, minorToMajor };
