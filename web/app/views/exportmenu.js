// exportmenu.js — the list's Export menu: the records the list shows (its
// filters, search, sort, bin), as CSV, CSV for Excel, XLSX or vCard, with
// the list's columns or every field. The files for Excel are headed as the
// list is, in the user's language, linked records by name; the plain CSV
// and every-field files keep the API's names (for scripts and re-imports).
// The file comes from GET /api/v1/{entity}/export, which applies the same
// scope as the list.
import { html, useState, useRef, useLayoutEffect } from '../../vendor/preact-htm.js';
import { t } from '../i18n.js';
import { useMenu } from '../components.js';

const VCARD_ENTITIES = ['contacts', 'leads'];

// The export's URL for the list's URL parameters.
function exportUrl(ent, params, format, cols, extra = {}) {
  const p = new URLSearchParams();
  for (const [k, v] of params.entries()) if (!['cols', 'view'].includes(k)) p.append(k, v);
  p.set('format', format);
  if (cols) p.set('fields', ['id', ...cols.filter((c) => c !== 'id')].join(','));
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  return `/api/v1/${ent.name}/export?${p.toString()}`;
}

export function ExportMenu({ ent, params, cols }) {
  const [open, setOpen] = useMenu('export-menu', 'export-records');
  const menu = useRef(null);
  const [start, setStart] = useState(false);
  // The menu hangs from its button's right edge, unless that puts it past
  // the screen's left (on a phone the list's buttons wrap, and Export can
  // be the first of a row): then from its left edge.
  useLayoutEffect(() => {
    if (!open || !menu.current) return;
    const btn = document.getElementById('export-records');
    setStart(btn.getBoundingClientRect().right < menu.current.offsetWidth);
  }, [open]);
  // a chosen format closes the menu and puts focus back on its button, as
  // Escape does (the item it was on goes away)
  const chosen = () => { setOpen(false); document.getElementById('export-records').focus(); };
  const item = (id, label, format, fields, extra) => html`<a role="menuitem" id=${id} download
    href=${exportUrl(ent, params, format, fields, extra)} onClick=${chosen}>${label}</a>`;
  return html`<div class="export-menu">
    <button id="export-records" type="button" aria-haspopup="menu" aria-expanded=${open ? 'true' : 'false'}
      onClick=${() => setOpen(!open)}>↓ ${t('export.button')}</button>
    ${open ? html`<div class=${'menu' + (start ? ' menu-start' : '')} role="menu" ref=${menu}>
      <div class="menu-head muted small">${t('export.what')}</div>
      ${item('export-xlsx', t('export.xlsx'), 'xlsx', cols, { headers: 'labels' })}
      ${item('export-csv-excel', t('export.csv_excel'), 'csv', cols, { bom: '1', headers: 'labels' })}
      ${item('export-csv', t('export.csv'), 'csv', cols)}
      ${VCARD_ENTITIES.includes(ent.name) ? item('export-vcf', t('export.vcf'), 'vcf', null) : ''}
      ${item('export-all-fields', t('export.all_fields'), 'csv', null, { bom: '1' })}
    </div>` : ''}
  </div>`;
}
