// importmap.js — the import wizard's second step: which column of the file
// goes where (a select per column, marked automatic or chosen by hand, with
// the first values the dry run read under its header), and what a dry run says
// the import would do (counts, and each row's outcome with its reasons at
// the field).
import { html, useState } from '../../vendor/preact-htm.js';
import { entity, field } from '../api.js';
import { t, tn, fieldLabel, errorText, fieldErrorText } from '../i18n.js';
import { RefLink } from '../components.js';
import { fmtNumber } from '../format.js';

// ---- what a column can go to ---------------------------------------------

// Mirrors the server's import_target_valid(): writable fields (owner and
// tags among the system ones), never passwords or read-only ones but the
// dates a record brings from the old system (import_history_field).
function writable(f) {
  if (f.name === 'created_at' || f.name === 'closed_at') return true;
  if (f.read_only || f.type === 'id' || f.type === 'password' || f.write_only) return false;
  return !f.system || f.name === 'owner_id' || f.name === 'tags';
}

// [{value, label, group: 'fields'|'links'}] for an entity's columns to map to.
export function targetOptions(ent) {
  const e = typeof ent === 'string' ? entity(ent) : ent;
  if (!e) return [];
  const fields = [];
  const links = [];
  for (const f of e.fields) {
    if (!writable(f)) continue;
    if (f.type === 'reference') {
      const base = f.name.replace(/_id$/, '');
      const label = fieldLabel(f);
      links.push({ value: base, label: f.ref === 'users' ? t('import.link_user', { field: label }) : t('import.link_name', { field: label }) });
      const target = entity(f.ref);
      if (target && target.fields.some((g) => g.name === 'external_id')) {
        links.push({ value: base + '.external_id', label: t('import.link_ext', { field: label }) });
      }
      fields.push({ value: f.name, label: t('import.own_id', { field: label }) });
      continue;
    }
    if (f.name === 'external_id') {
      fields.push({ value: f.name, label: t('import.external_id') });
      continue;
    }
    fields.push({ value: f.name, label: fieldLabel(f) });
  }
  // parts of a person's name with no field of their own (import_name_part)
  if (e.name === 'contacts' || e.name === 'leads') {
    for (const part of ['given_name', 'middle_name', 'family_name']) {
      if (!e.fields.some((f) => f.name === part)) fields.push({ value: part, label: t(`import.name_part.${part}`) });
    }
  }
  if (e.name === 'activities') {
    links.push({ value: 'related', label: t('import.related_name') });
    links.push({ value: 'related.external_id', label: t('import.related_ext') });
    fields.push({ value: 'done', label: t('import.task_done') });
  }
  return [...fields.map((o) => ({ ...o, group: 'fields' })), ...links.map((o) => ({ ...o, group: 'links' }))];
}

// ---- the mapping table ----------------------------------------------------

// columns: the report's [{header, target, auto, samples}] (the samples
// are read by the server: the values under the header, past a report's
// title rows, in CSV and XLSX alike); onChange(header, target).
export function MappingTable({ ent, columns, onChange, busy }) {
  const opts = targetOptions(ent);
  const known = new Set(opts.map((o) => o.value));
  const option = (o) => html`<option value=${o.value}>${o.label}</option>`;
  return html`<div class="table-wrap mapping-wrap"><table id="import-mapping" class="grid mapping" aria-busy=${busy ? 'true' : 'false'}>
    <caption class="sr-only">${t('import.mapping')}</caption>
    <thead><tr>
      <th scope="col">${t('import.column')}</th>
      <th scope="col">${t('import.samples')}</th>
      <th scope="col">${t('import.target')}</th>
      <th scope="col">${t('import.how')}</th>
    </tr></thead>
    <tbody>${columns.map((c, i) => {
      const id = 'map-' + i;
      const vals = c.samples || [];
      return html`<tr data-header=${c.header} key=${c.header + i} class=${c.target ? '' : 'skipped'}>
        <th scope="row" data-label=${t('import.column')}>${c.header || html`<span class="muted">${t('import.no_header', { n: i + 1 })}</span>`}</th>
        <td class="samples" data-label=${t('import.samples')}>${vals.length
          ? html`<ul>${vals.map((v) => html`<li>${v}</li>`)}</ul>`
          : html`<span class="muted">—</span>`}</td>
        <td data-label=${t('import.target')}>
          <label class="sr-only" for=${id}>${t('import.target_for', { column: c.header || i + 1 })}</label>
          <select id=${id} data-target-for=${c.header} value=${c.target || ''} onChange=${(e) => onChange(c.header, e.target.value)}>
            <option value="">${t('import.skip')}</option>
            <optgroup label=${t('import.group_fields')}>${opts.filter((o) => o.group === 'fields').map(option)}</optgroup>
            ${opts.some((o) => o.group === 'links') ? html`<optgroup label=${t('import.group_links')}>${opts.filter((o) => o.group === 'links').map(option)}</optgroup>` : ''}
            ${c.target && !known.has(c.target) ? html`<option value=${c.target}>${c.target}</option>` : ''}
          </select>
        </td>
        <td data-label=${t('import.how')}><span class=${'badge ' + (c.auto ? 'b-auto' : 'b-manual')} data-mode=${c.auto ? 'auto' : 'manual'}>
          ${c.auto ? t('import.auto') : t('import.manual')}</span></td>
      </tr>`;
    })}</tbody>
  </table></div>`;
}

// ---- outcomes -------------------------------------------------------------

const ACTIONS = ['create', 'update', 'merge', 'skip', 'rejected'];
// the import record's counter for each row action
export const COUNTER = { create: 'created', update: 'updated', merge: 'merged', skip: 'skipped', rejected: 'rejected' };

// The counts of a dry run (what would happen) or of a run (what happened).
export function Counts({ imp, dry }) {
  return html`<ul id="import-counts" class="counts">
    ${ACTIONS.map((a) => html`<li class=${'count-' + a}>
      <span class="n" data-count=${a}>${fmtNumber(imp[COUNTER[a]] || 0)}</span>
      <span class="what">${dry ? tn('import.would_' + a, imp[COUNTER[a]] || 0) : t('import.did_' + a)}</span></li>`)}
  </ul>`;
}

// "E-mail: Enter a valid e-mail address (not a valid e-mail address)"
export function rowErrors(ent, errors) {
  return (errors || []).map((x) => {
    const f = x.field ? field(ent, x.field) : null;
    const label = f ? fieldLabel(f) : x.field || '';
    const text = fieldErrorText(x);
    // the server's English detail, where the words for it are general
    const extra = !x.reason && x.message && x.message !== text ? x.message : '';
    return html`<span class="row-error" data-error-field=${x.field || ''}>
      ${label ? html`<strong>${label}:</strong> ` : ''}${text}${extra ? html` <span class="muted">(${extra})</span>` : ''}</span>`;
  });
}

const SHOWN = 200;

// Each row's outcome from the report, with a filter by action. A dry run's
// new records were rolled back, so only the records it matched are links.
export function RowOutcomes({ ent, rows, dry }) {
  const [only, setOnly] = useState('');
  const [all, setAll] = useState(false);
  const list = (rows || []).filter((r) => !only || r.action === only);
  const shown = all ? list : list.slice(0, SHOWN);
  const present = ACTIONS.filter((a) => (rows || []).some((r) => r.action === a));
  if (!rows || !rows.length) return html`<p class="muted" id="import-rows-empty">${t('import.no_rows')}</p>`;
  return html`<div class="row-outcomes">
    ${present.length > 1 ? html`<div class="toolbar">
      <label for="import-rows-filter">${t('import.show')}</label>
      <select id="import-rows-filter" value=${only} onChange=${(e) => { setOnly(e.target.value); setAll(false); }}>
        <option value="">${t('import.show_all')}</option>
        ${present.map((a) => html`<option value=${a}>${t('import.action_' + a)}</option>`)}
      </select>
    </div>` : ''}
    <div class="table-wrap"><table id="import-rows" class="grid outcomes stacked">
      <thead><tr><th scope="col">${t('import.row')}</th><th scope="col">${t('import.outcome')}</th>
        <th scope="col">${t('import.details')}</th></tr></thead>
      <tbody>${shown.map((r) => html`<tr data-row=${r.row} data-action=${r.action} key=${r.row}>
        <td data-label=${t('import.row')}>${r.row}</td>
        <td data-label=${t('import.outcome')}><span class=${'badge b-' + r.action}>${t('import.action_' + r.action)}</span></td>
        <td data-label=${t('import.details')}>${r.action === 'rejected' ? rowErrors(ent, r.errors)
          : r.id && (r.action !== 'create' || !dry) ? html`<${RefLink} ent=${ent} id=${r.id} />${r.match
            ? html` <span class="muted">· ${t('import.match_' + r.match)}</span>` : ''}`
          : r.match ? html`<span class="muted" data-earlier-row>${t('import.earlier_row')} · ${t('import.match_' + r.match)}</span>` : ''}</td>
      </tr>`)}</tbody>
    </table></div>
    ${!all && list.length > SHOWN ? html`<div class="more"><button type="button" onClick=${() => setAll(true)}>${tn('import.show_all_rows', list.length)}</button></div>` : ''}
  </div>`;
}
