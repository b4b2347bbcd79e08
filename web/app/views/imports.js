// imports.js — moving data in: the import wizard (/import: choose the kind
// of record and a file, options; a dry run shows the column mapping and
// what would happen; a changed mapping runs the dry run again on the same
// upload), an import's progress and result (/import/:id: live progress bar,
// cancel, counts, rejected rows as CSV, undo) and the history of imports.
import { html, useState, useEffect, useRef } from '../../vendor/preact-htm.js';
import { api, entity, can, importableEntities } from '../api.js';
import { t, tn, entityLabel, locale, intlLocale, errorText, fieldErrorText } from '../i18n.js';
import { Dialog, Spinner, Empty, toast, errorToast } from '../components.js';
import { fmtDateTime, fmtNumber } from '../format.js';

// The browser's time zone: the one a file's times without a zone were
// most likely written in.
function browserZone() {
  try { return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'; } catch { return 'UTC'; }
}

// The zones to choose from (the browser's list, with UTC and the chosen one).
function zones(chosen) {
  let all = [];
  try { all = Intl.supportedValuesOf('timeZone'); } catch { all = []; }
  return [...new Set(['UTC', chosen, ...all].filter(Boolean))];
}
import { navigate, route } from '../router.js';
import { MappingTable, Counts, RowOutcomes } from './importmap.js';

const POLL_MS = 500;
const ACTIVE = ['queued', 'running', 'cancelling'];
// phone numbers without a +code are completed with one of these (the
// server's list, src/domain/dedup.c)
const COUNTRIES = ['CN', 'RU', 'US', 'GB', 'DE', 'FR', 'KZ', 'BY', 'UA', 'UZ', 'KG', 'MN', 'HK', 'MO', 'TW',
  'SG', 'JP', 'KR', 'IN', 'AE', 'TR', 'PL', 'IT', 'ES', 'NL', 'CA', 'AU', 'BR'];
const ENCODINGS = ['UTF-8', 'GB18030', 'Big5', 'windows-1251', 'KOI8-R', 'UTF-16LE', 'UTF-16BE', 'windows-1252', 'ISO-8859-1', 'Shift_JIS'];
const STRATEGIES = ['update', 'merge', 'skip', 'create'];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function regionName(cc) {
  try { return new Intl.DisplayNames([intlLocale()], { type: 'region' }).of(cc); } catch { return cc; }
}

function defaultCountry() {
  return { zh: 'CN', ru: 'RU' }[locale()] || 'US';
}

// Polls an import until it is no longer queued, running or cancelling; onTick gets
// every state. live() false stops it (the page went away).
async function follow(id, onTick, live) {
  for (;;) {
    const r = await api.get('/imports/' + id);
    if (!live()) return r;
    onTick(r);
    if (!ACTIVE.includes(r.status)) return r;
    await sleep(POLL_MS);
    if (!live()) return r;
  }
}

function fileSize(n) {
  if (n < 1024) return tn('import.bytes', n);
  const kb = n / 1024;
  return kb < 1024 ? `${fmtNumber(kb, { maximumFractionDigits: 0 })} KB` : `${fmtNumber(kb / 1024, { maximumFractionDigits: 1 })} MB`;
}

function problemText(e) {
  if (e && e.errors && e.errors.length) return e.errors.map((x) => (x.reason ? fieldErrorText(x) : x.message || errorText(x.code))).join(' ');
  return errorText(e && e.code, e && e.message);
}

// ---- the wizard -----------------------------------------------------------

export function ImportPage() {
  const q = route().query;
  const ents = importableEntities();
  const wanted = q.get('entity');
  const [entName, setEntName] = useState(ents.some((e) => e.name === wanted) ? wanted : (ents[0] && ents[0].name) || '');
  const [file, setFile] = useState(null);
  const [fileRev, setFileRev] = useState(0); // bumped when a new file is chosen
  const [opts, setOpts] = useState({ country: defaultCountry(), date_order: '', timezone: browserZone(), encoding: '', delimiter: '', sheet: '', create_missing: true });
  const [strategy, setStrategy] = useState('update');
  const [templates, setTemplates] = useState([]);
  const [templateId, setTemplateId] = useState('');
  const [manual, setManual] = useState({}); // header → target the user (or a template) chose
  const [dry, setDry] = useState(null); // the latest finished dry run
  const [dryRev, setDryRev] = useState(-1); // the fileRev the dry run read
  const [checking, setChecking] = useState(null); // the dry run under way
  const [error, setError] = useState('');
  const [step, setStep] = useState(1);
  const [saving, setSaving] = useState(false);
  const [starting, setStarting] = useState(false);
  const [dragging, setDragging] = useState(false);
  const gen = useRef(0);
  const alive = useRef(true);
  useEffect(() => () => { alive.current = false; }, []);
  useEffect(() => { document.title = `${t('import.title')} · Rapport`; }, []);

  const loadTemplates = async (name = entName) => {
    if (!name || !can('import_templates', 'read')) { setTemplates([]); return; }
    try {
      const r = await api.get('/import_templates', { entity: name, sort: 'name', limit: 200 });
      if (alive.current) setTemplates(r.data);
    } catch { if (alive.current) setTemplates([]); }
  };
  useEffect(() => { loadTemplates(entName); }, [entName]);

  const reset = () => { setDry(null); setManual({}); setStep(1); setError(''); setTemplateId(''); };
  const chooseEntity = (name) => {
    setEntName(name);
    reset();
    navigate('/import?entity=' + encodeURIComponent(name), { replace: true });
  };
  const chooseFile = (f) => {
    if (!f) return;
    setFile(f);
    if (!templateId) setManual({}); // another file, other columns
    setFileRev((n) => n + 1);
    setError('');
  };
  const chooseTemplate = (id) => {
    setTemplateId(id);
    const tp = templates.find((x) => String(x.id) === id);
    if (!tp) { setManual({}); return; }
    setManual(tp.mapping && typeof tp.mapping === 'object' ? { ...tp.mapping } : {});
    const o = tp.options && typeof tp.options === 'object' ? tp.options : {};
    setOpts({ ...opts, ...o, create_missing: o.create_missing !== false });
  };
  const setOpt = (k) => (e) => setOpts({ ...opts, [k]: e.target.type === 'checkbox' ? e.target.checked : e.target.value });

  const optionsJson = () => {
    const o = {};
    for (const k of ['country', 'date_order', 'timezone', 'encoding', 'delimiter', 'sheet']) if (opts[k]) o[k] = opts[k];
    if (!opts.create_missing) o.create_missing = false;
    return o;
  };

  // Runs a dry run: on the chosen file, or again on the last dry run's
  // upload when the file is the same (a new mapping or options).
  const check = async (mapping = manual) => {
    if (!entName) return;
    const reuse = dry && dryRev === fileRev;
    if (!reuse && !file) { setError(t('import.choose_file')); return; }
    const my = ++gen.current;
    const live = () => alive.current && my === gen.current;
    setError('');
    setChecking({ status: 'queued', progress: 0 });
    try {
      const fields = { entity: entName, strategy, dry_run: 'true', options: optionsJson() };
      if (Object.keys(mapping).length) fields.mapping = mapping;
      if (reuse) fields.from_import = String(dry.id); else fields.file = file;
      const started = await api.upload('/imports', fields);
      const done = await follow(started.id, (r) => { if (live()) setChecking(r); }, live);
      if (!live()) return;
      setChecking(null);
      if (done.status !== 'done') { setError(done.error || t('import.check_failed')); return; }
      setDry(done);
      setDryRev(fileRev);
      const cols = (done.report && done.report.columns) || [];
      const chosen = {};
      for (const c of cols) if (!c.auto) chosen[c.header] = c.target;
      setManual(chosen);
      setStep(2);
    } catch (e) {
      if (!live()) return;
      setChecking(null);
      setError(problemText(e));
    }
  };

  const remap = (header, target) => {
    const next = { ...manual, [header]: target };
    setManual(next);
    // show the choice at once; the new dry run fills in the rest
    setDry((d) => d && { ...d, report: { ...d.report, columns: d.report.columns.map((c) => (c.header === header ? { ...c, target, auto: false } : c)) } });
    check(next);
  };

  const run = async () => {
    if (!dry) return;
    setStarting(true);
    try {
      const fields = { entity: entName, strategy, options: optionsJson(), from_import: String(dry.id) };
      if (Object.keys(manual).length) fields.mapping = manual;
      const r = await api.upload('/imports', fields);
      navigate('/import/' + r.id);
    } catch (e) {
      setStarting(false);
      setError(problemText(e));
    }
  };

  const onDrop = (e) => {
    e.preventDefault();
    setDragging(false);
    const f = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
    if (f) chooseFile(f);
  };

  if (!ents.length || !can('imports', 'create')) {
    return html`<section class="page"><h1>${t('import.title')}</h1><p>${t('error.forbidden')}</p></section>`;
  }
  const ent = entity(entName);
  const busy = !!checking;
  const steps = [t('import.step_file'), t('import.step_check'), t('import.step_run')];
  return html`<section class="page import-page">
    <div class="page-head"><h1>${t('import.title')}</h1></div>
    <ol class="steps" aria-label=${t('import.steps')}>
      ${steps.map((s, i) => html`<li class=${step === i + 1 ? 'current' : step > i + 1 ? 'done' : ''}
        aria-current=${step === i + 1 ? 'step' : undefined}><span class="num">${i + 1}</span> ${s}</li>`)}
    </ol>
    ${step === 1 ? html`<form id="import-form" class="card stack" novalidate onSubmit=${(e) => { e.preventDefault(); check(); }}>
      <div class="form-grid">
        <div class="form-field" data-field="entity"><label for="import-entity">${t('import.entity')}</label>
          <select id="import-entity" name="entity" value=${entName} onChange=${(e) => chooseEntity(e.target.value)}>
            ${ents.map((e) => html`<option value=${e.name}>${entityLabel(e.name, e)}</option>`)}
          </select></div>
        <div class="form-field" data-field="template"><label for="import-template">${t('import.template')}</label>
          <select id="import-template" name="template" value=${templateId} onChange=${(e) => chooseTemplate(e.target.value)}>
            <option value="">${templates.length ? t('import.no_template') : t('import.no_templates')}</option>
            ${templates.map((x) => html`<option value=${String(x.id)}>${x.name}</option>`)}
          </select></div>
      </div>
      <div class=${'dropzone' + (dragging ? ' over' : '')} id="import-drop"
          onDragOver=${(e) => { e.preventDefault(); if (!dragging) setDragging(true); }}
          onDragLeave=${(e) => { if (!e.currentTarget.contains(e.relatedTarget)) setDragging(false); }} onDrop=${onDrop}>
        <label for="import-file">${t('import.file')}</label>
        <p class="muted small" id="import-file-hint">${t('import.file_hint')}</p>
        <input type="file" id="import-file" name="file" aria-describedby="import-file-hint"
          accept=".csv,.tsv,.txt,.xlsx,.vcf,text/csv,text/tab-separated-values,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/vcard,text/x-vcard"
          onChange=${(e) => chooseFile(e.target.files && e.target.files[0])} />
        ${file ? html`<p id="import-file-name" class="chosen"><strong>${file.name}</strong> <span class="muted">· ${fileSize(file.size)}</span></p>` : ''}
      </div>
      <div class="form-grid">
        <div class="form-field" data-field="country"><label for="import-country">${t('import.country')}</label>
          <select id="import-country" name="country" value=${opts.country} onChange=${setOpt('country')} aria-describedby="import-country-hint">
            ${COUNTRIES.map((c) => html`<option value=${c}>${regionName(c)} (${c})</option>`)}
          </select>
          <span class="muted small" id="import-country-hint">${t('import.country_hint')}</span></div>
        <div class="form-field" data-field="date_order"><label for="import-date-order">${t('import.date_order')}</label>
          <select id="import-date-order" name="date_order" value=${opts.date_order} onChange=${setOpt('date_order')}>
            <option value="">${t('import.date_auto')}</option>
            <option value="DMY">${t('import.date_dmy')}</option>
            <option value="MDY">${t('import.date_mdy')}</option>
            <option value="YMD">${t('import.date_ymd')}</option>
          </select></div>
        <div class="form-field" data-field="timezone"><label for="import-timezone">${t('import.timezone')}</label>
          <select id="import-timezone" name="timezone" value=${opts.timezone} onChange=${setOpt('timezone')} aria-describedby="import-timezone-hint">
            ${zones(opts.timezone).map((z) => html`<option value=${z}>${z}</option>`)}
          </select>
          <span class="muted small" id="import-timezone-hint">${t('import.timezone_hint')}</span></div>
      </div>
      <fieldset class="strategies" id="import-strategy">
        <legend>${t('import.strategy')}</legend>
        ${STRATEGIES.map((s) => html`<label class="strategy">
          <input type="radio" name="strategy" value=${s} checked=${strategy === s} onChange=${() => setStrategy(s)} />
          <span><strong>${t('import.strategy_' + s)}</strong><br /><span class="muted small">${t('import.strategy_' + s + '_hint')}</span></span>
        </label>`)}
      </fieldset>
      <details class="advanced" id="import-advanced">
        <summary>${t('import.advanced')}</summary>
        <div class="form-grid">
          <div class="form-field" data-field="encoding"><label for="import-encoding">${t('import.encoding')}</label>
            <select id="import-encoding" name="encoding" value=${opts.encoding} onChange=${setOpt('encoding')}>
              <option value="">${t('import.detect')}</option>
              ${ENCODINGS.map((x) => html`<option value=${x}>${x}</option>`)}
            </select></div>
          <div class="form-field" data-field="delimiter"><label for="import-delimiter">${t('import.delimiter')}</label>
            <select id="import-delimiter" name="delimiter" value=${opts.delimiter} onChange=${setOpt('delimiter')}>
              <option value="">${t('import.detect')}</option>
              <option value=",">${t('import.delim_comma')}</option>
              <option value=";">${t('import.delim_semicolon')}</option>
              <option value="tab">${t('import.delim_tab')}</option>
            </select></div>
          <div class="form-field" data-field="sheet"><label for="import-sheet">${t('import.sheet')}</label>
            <input id="import-sheet" name="sheet" type="text" maxlength="100" value=${opts.sheet} placeholder=${t('import.sheet_hint')}
              onInput=${setOpt('sheet')} /></div>
          <div class="form-field check" data-field="create_missing"><label for="import-create-missing">${t('import.create_missing')}</label>
            <input id="import-create-missing" name="create_missing" type="checkbox" checked=${opts.create_missing} onChange=${setOpt('create_missing')} /></div>
        </div>
      </details>
      ${checking ? html`<div class="checking" role="status">
        <label for="import-check-progress">${t('import.checking')}</label>
        <progress id="import-check-progress" max="100" value=${Math.round((checking.progress || 0) * 100)}></progress></div>` : ''}
      <div class="form-error" data-error role="alert">${error}</div>
      <div class="actions">
        ${dry ? html`<button type="button" onClick=${() => setStep(2)}>${t('import.back_to_mapping')}</button>` : ''}
        <button type="submit" class="primary" id="import-check" disabled=${busy}>${busy ? t('common.working') : t('import.check')}</button>
      </div>
    </form>` : ''}
    ${step === 2 && dry ? html`<div id="import-step2" class="stack" data-import-id=${dry.id} aria-busy=${busy ? 'true' : 'false'}>
      <div class="card stack">
        <div class="section-head"><h2>${t('import.mapping')}</h2>
          <span class="muted small" id="import-detected">${dry.file_name} · ${detected(dry.report)}</span></div>
        <p class="muted">${t('import.mapping_hint')}</p>
        <${MappingTable} ent=${entName} columns=${(dry.report && dry.report.columns) || []} onChange=${remap} busy=${busy} />
      </div>
      <div class="card stack" id="import-outcome">
        <div class="section-head"><h2>${t('import.dry_result')}</h2>
          <span class="muted small" role="status">${busy ? t('import.checking') : tn('import.rows_read', dry.processed_rows || 0)}</span></div>
        <${Counts} imp=${dry} dry=${true} />
        ${dry.report && dry.report.linked_created ? html`<p class="muted small" id="import-linked">${tn('import.linked_created', dry.report.linked_created)}</p>` : ''}
        <${RowOutcomes} ent=${entName} rows=${dry.report && dry.report.rows} dry=${true} key=${dry.id} />
      </div>
      <div class="form-error" data-error role="alert">${error}</div>
      <div class="actions">
        <button type="button" id="import-back" onClick=${() => setStep(1)}>${t('import.back')}</button>
        ${can('import_templates', 'create') ? html`<button type="button" id="import-save-template" onClick=${() => setSaving(true)}>${t('import.save_template')}</button>` : ''}
        <button type="button" class="primary" id="import-run" disabled=${busy || starting} onClick=${run}>
          ${starting ? t('common.working') : t('import.run', { entity: entityLabel(entName, ent) })}</button>
      </div>
    </div>` : ''}
    ${saving ? html`<${TemplateDialog} entName=${entName} mapping=${dry.mapping || manual} options=${optionsJson()}
      onClose=${() => setSaving(false)} onSaved=${(tp) => { setSaving(false); setTemplateId(String(tp.id)); loadTemplates(); }} />` : ''}
    <${History} />
  </section>`;
}

// What the file was read as; a workbook or vCards have no delimiter.
function detected(report) {
  const encoding = (report && report.encoding) || '?';
  if (report && !report.delimiter) return t('import.detected_text', { encoding });
  return t('import.detected', { encoding, delimiter: delimName(report && report.delimiter) });
}

function delimName(d) {
  return { ',': t('import.delim_comma'), ';': t('import.delim_semicolon'), '\t': t('import.delim_tab') }[d] || d || '?';
}

function TemplateDialog({ entName, mapping, options, onClose, onSaved }) {
  const [name, setName] = useState('');
  const [err, setErr] = useState('');
  const submit = async (e) => {
    e.preventDefault();
    if (!name.trim()) { setErr(t('error.required')); return; }
    try {
      const tp = await api.post('/import_templates', { name: name.trim(), entity: entName, mapping, options });
      toast(t('import.template_saved'), 'ok');
      onSaved(tp);
    } catch (x) { setErr(problemText(x)); }
  };
  return html`<${Dialog} id="template-dialog" title=${t('import.save_template')} onClose=${onClose}>
    <form class="stack" onSubmit=${submit} novalidate>
      <div class="form-field" data-field="name"><label for="template-name">${t('import.template_name')}</label>
        <input id="template-name" name="name" maxlength="200" value=${name} onInput=${(e) => { setName(e.target.value); setErr(''); }} />
        <div class="field-error" data-field-error role=${err ? 'alert' : undefined}>${err}</div></div>
      <p class="muted small">${t('import.template_hint')}</p>
      <div class="actions"><button type="button" onClick=${onClose}>${t('common.cancel')}</button>
        <button type="submit" class="primary">${t('common.save')}</button></div>
    </form>
  <//>`;
}

// Undoes import id; the toast says how many records changed since were
// left as they are. The import as it is now.
async function undoImport(id) {
  const r = await api.post(`/imports/${id}/undo`);
  toast(r.undo_kept > 0 ? `${t('import.undone')} ${tn('import.undo_kept', r.undo_kept)}` : t('import.undone'), 'ok');
  return r;
}

// ---- one import: progress, result, undo ---------------------------------

export function ImportView({ id }) {
  const [imp, setImp] = useState(null);
  const [error, setError] = useState(null);
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const alive = useRef(true);
  const gen = useRef(0);
  const watch = () => {
    const my = ++gen.current;
    const live = () => alive.current && my === gen.current;
    follow(id, (r) => setImp(r), live).catch((e) => { if (live()) setError(e); });
  };
  useEffect(() => {
    alive.current = true;
    document.title = `${t('import.title')} #${id} · Rapport`;
    watch();
    return () => { alive.current = false; };
  }, [id]);

  if (error) {
    return html`<section class="page"><h1>${error.status === 404 ? t('common.not_found') : t('error.unknown')}</h1>
      <p>${errorText(error.code, error.message)}</p><p><a href="/import">${t('import.title')}</a></p></section>`;
  }
  if (!imp) return html`<section class="page"><${Spinner} /></section>`;
  const ent = entity(imp.entity);
  const active = ACTIVE.includes(imp.status);
  const pct = Math.round((imp.status === 'done' ? 1 : imp.progress || 0) * 100);
  // A running import is "cancelling" until its worker has committed the
  // batch under way and written the final counts: follow it to the end.
  const cancel = async () => {
    setBusy(true);
    try { setImp(await api.post(`/imports/${id}/cancel`)); toast(t('import.cancelled'), 'ok'); } catch (e) { errorToast(e); }
    setBusy(false);
    if (alive.current) watch();
  };
  const undo = async () => {
    setConfirm(false);
    setBusy(true);
    try { setImp(await undoImport(id)); } catch (e) { errorToast(e); }
    setBusy(false);
  };
  const rejected = ((imp.report && imp.report.rows) || []).filter((r) => r.action === 'rejected');
  const canUndo = !imp.dry_run && ['done', 'cancelled', 'failed'].includes(imp.status);
  return html`<section class="page import-page" id="import-view" data-import-id=${imp.id} data-status=${imp.status}>
    <nav class="crumbs" aria-label=${t('record.breadcrumb')}><a href="/import">${t('import.title')}</a> ›</nav>
    <div class="page-head">
      <div class="record-title"><h1>${imp.file_name || t('import.title')}</h1>
        <span class="muted">${entityLabel(imp.entity, ent)} · #${imp.id}${imp.dry_run ? ' · ' + t('import.dry_run') : ''}</span>
        <span class=${'badge b-' + imp.status} id="import-status">${t('import.status_' + imp.status)}</span></div>
      <div class="head-actions">
        ${active && imp.status !== 'cancelling' ? html`<button type="button" id="import-cancel" class="danger" disabled=${busy} onClick=${cancel}>${t('common.cancel')}</button>` : ''}
        ${canUndo ? html`<button type="button" id="import-undo" disabled=${busy} onClick=${() => setConfirm(true)}>${t('import.undo')}</button>` : ''}
      </div>
    </div>
    <div class="card stack">
      <div class="progress-row">
        <label for="import-progress">${active ? t('import.progress') : t('import.finished')}</label>
        <progress id="import-progress" max="100" value=${pct} aria-valuetext=${`${pct}%`}></progress>
        <span class="pct" aria-hidden="true">${pct}%</span>
      </div>
      <p class="muted small" role="status" id="import-processed">${tn('import.rows_read', imp.processed_rows || 0)}
        ${imp.finished_at ? ' · ' + fmtDateTime(imp.finished_at) : ''}</p>
      ${imp.error && imp.status !== 'cancelled' ? html`<p class="form-error" role="alert">${imp.error}</p>` : ''}
      <${Counts} imp=${imp} dry=${!!imp.dry_run} />
      ${imp.report && imp.report.linked_created ? html`<p class="muted small" id="import-linked">${tn(imp.dry_run ? 'import.linked_created' : 'import.linked_made', imp.report.linked_created)}</p>` : ''}
      ${imp.status === 'undone' ? html`<p class="note" id="import-undone-note">${t('import.undone_note')}</p>` : ''}
      ${imp.status === 'undone' && imp.undo_kept > 0 ? html`<p class="note" id="import-undo-kept">${tn('import.undo_kept', imp.undo_kept)}</p>` : ''}
      <div class="actions start">
        ${imp.rejected > 0 && !imp.dry_run ? html`<a class="button" id="import-rejects" href=${`/api/v1/imports/${imp.id}/rejects`} download=${`import-${imp.id}-rejected.csv`}>
          ↓ ${tn('import.download_rejects', imp.rejected)}</a>` : ''}
        ${ent && !active && imp.status !== 'undone' ? html`<a class="button" href=${`/${imp.entity}?sort=-updated_at`}>${t('import.view_records', { entity: entityLabel(imp.entity, ent) })}</a>` : ''}
        <a class="button" href=${'/import?entity=' + imp.entity}>${t('import.new')}</a>
      </div>
    </div>
    ${rejected.length ? html`<div class="card stack" id="import-rejected">
      <h2>${t('import.rejected_rows')}</h2>
      ${imp.rejected > rejected.length ? html`<p class="muted small">${t('import.rejected_first', { n: rejected.length })}</p>` : ''}
      <${RowOutcomes} ent=${imp.entity} rows=${rejected} dry=${!!imp.dry_run} />
    </div>` : ''}
    ${confirm ? html`<${Dialog} id="confirm" title=${t('import.undo_title')} onClose=${() => setConfirm(false)}>
      <p>${t('import.undo_confirm', { created: fmtNumber(imp.created || 0), changed: fmtNumber((imp.updated || 0) + (imp.merged || 0)) })}</p>
      <div class="actions"><button type="button" onClick=${() => setConfirm(false)}>${t('common.cancel')}</button>
        <button type="button" id="confirm-ok" class="danger" onClick=${undo}>${t('import.undo')}</button></div>
    <//>` : ''}
  </section>`;
}

// ---- history ----------------------------------------------------------------

const HISTORY_FIELDS = 'id,entity,file_name,status,strategy,created,updated,merged,skipped,rejected,processed_rows,created_at,created_by,version';

function History() {
  const [rows, setRows] = useState(null);
  const [cursor, setCursor] = useState(null);
  const [confirm, setConfirm] = useState(null);
  const load = async (cur) => {
    try {
      const r = await api.get('/imports', { sort: '-id', dry_run: 'false', limit: 20, fields: HISTORY_FIELDS, cursor: cur });
      setRows((prev) => (cur ? [...(prev || []), ...r.data] : r.data));
      setCursor(r.next_cursor || null);
    } catch (e) {
      if (!cur) setRows([]);
      errorToast(e);
    }
  };
  useEffect(() => { if (can('imports', 'read')) load(null); }, []);
  if (!can('imports', 'read')) return '';
  const undo = async (imp) => {
    setConfirm(null);
    try {
      const r = await undoImport(imp.id);
      setRows((prev) => prev.map((x) => (x.id === r.id ? r : x)));
    } catch (e) { errorToast(e); }
  };
  return html`<section class="card stack" id="import-history" aria-labelledby="import-history-h">
    <h2 id="import-history-h">${t('import.history')}</h2>
    ${!rows ? html`<${Spinner} />` : !rows.length ? html`<${Empty}>${t('import.history_empty')}<//>` : html`<div class="table-wrap"><table class="grid history-table stacked">
      <thead><tr><th scope="col">${t('import.when')}</th><th scope="col">${t('import.file_col')}</th><th scope="col">${t('import.entity')}</th>
        <th scope="col">${t('field.status')}</th><th scope="col">${t('import.result')}</th><th scope="col"><span class="sr-only">${t('import.actions')}</span></th></tr></thead>
      <tbody>${rows.map((r) => html`<tr data-import-id=${r.id} key=${r.id}>
        <td data-label=${t('import.when')}>${fmtDateTime(r.created_at)}</td>
        <td data-label=${t('import.file_col')}><a href=${'/import/' + r.id}>${r.file_name || '#' + r.id}</a></td>
        <td data-label=${t('import.entity')}>${entityLabel(r.entity, entity(r.entity))}</td>
        <td data-label=${t('field.status')}><span class=${'badge b-' + r.status}>${t('import.status_' + r.status)}</span></td>
        <td data-label=${t('import.result')} class="small">${t('import.summary', {
          created: fmtNumber(r.created || 0), updated: fmtNumber((r.updated || 0) + (r.merged || 0)), rejected: fmtNumber(r.rejected || 0) })}</td>
        <td>${['done', 'cancelled', 'failed'].includes(r.status) && can('imports', 'edit')
          ? html`<button type="button" class="small" data-undo=${r.id} onClick=${() => setConfirm(r)}>${t('import.undo')}</button>` : ''}</td>
      </tr>`)}</tbody>
    </table></div>`}
    ${cursor ? html`<div class="more"><button type="button" onClick=${() => load(cursor)}>${t('list.load_more')}</button></div>` : ''}
    ${confirm ? html`<${Dialog} id="confirm" title=${t('import.undo_title')} onClose=${() => setConfirm(null)}>
      <p>${t('import.undo_confirm', { created: fmtNumber(confirm.created || 0), changed: fmtNumber((confirm.updated || 0) + (confirm.merged || 0)) })}</p>
      <div class="actions"><button type="button" onClick=${() => setConfirm(null)}>${t('common.cancel')}</button>
        <button type="button" id="confirm-ok" class="danger" onClick=${() => undo(confirm)}>${t('import.undo')}</button></div>
    <//>` : ''}
  </section>`;
}

