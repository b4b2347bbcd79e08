// board.js — the pipeline board: deals as cards in stage columns with count
// and amount; drag and drop, Alt+Arrow keys, or a stage picker on phones;
// won/lost asks for the reason. Filters (pipeline, owner, team) in the URL.
import { html, useState, useEffect, useRef } from '../../vendor/preact-htm.js';
import { api, listAll, can, session } from '../api.js';
import { t, tn, enumLabel } from '../i18n.js';
import { Dialog, RefPicker, RefLink, Spinner, toast, errorToast } from '../components.js';
import { fmtMoney, fmtDate, nowIso } from '../format.js';
import { navigate, route } from '../router.js';

const SHOW = 50;

function sums(deals) {
  const by = {};
  for (const d of deals) by[d.currency || 'USD'] = (by[d.currency || 'USD'] || 0) + (Number(d.amount) || 0);
  const keys = Object.keys(by).sort((a, b) => by[b] - by[a]);
  return keys.length ? keys.map((c) => fmtMoney(by[c], c, true)).join(' + ') : fmtMoney(0, 'USD', true);
}

export function Board() {
  const q = route().query;
  const [pipelines, setPipelines] = useState(null);
  const [stages, setStages] = useState([]);
  const [deals, setDeals] = useState(null);
  const [pending, setPending] = useState(null); // {deal, stage}
  const [dragOver, setDragOver] = useState(null);
  const [showAll, setShowAll] = useState({});
  const focusId = useRef(null);
  const pipelineId = q.get('pipeline');
  const owner = q.get('owner') || '';
  const team = q.get('team') || '';

  const setFilter = (k, v) => {
    const p = new URLSearchParams(location.search);
    if (v) p.set(k, v); else p.delete(k);
    navigate('/board' + (p.toString() ? '?' + p : ''), { replace: true });
  };

  useEffect(() => { document.title = `${t('nav.board')} · Rapport`; listAll('pipelines').then(setPipelines).catch(() => setPipelines([])); }, []);
  const pipeline = pipelines && (pipelines.find((p) => String(p.id) === pipelineId) || pipelines.find((p) => p.is_default) || pipelines[0]);

  useEffect(() => {
    if (!pipeline) return;
    let live = true;
    (async () => {
      setDeals(null);
      const st = (await listAll('stages', { pipeline_id: pipeline.id, sort: 'position' }));
      if (!live) return;
      setStages(st);
      if (!st.length) { setDeals([]); return; }
      const query = { 'stage_id[in]': st.map((s) => s.id).join(','), sort: '-amount',
        fields: 'id,name,amount,currency,stage_id,status,owner_id,account_id,expected_close,version' };
      if (owner) query.owner_id = owner;
      if (team) query.team_id = team;
      try {
        const d = await listAll('deals', query, 20000);
        if (live) setDeals(d);
      } catch (e) { errorToast(e); if (live) setDeals([]); }
    })();
    return () => { live = false; };
  }, [pipeline && pipeline.id, owner, team]);

  useEffect(() => {
    if (focusId.current) {
      const el = document.querySelector(`[data-deal-id="${focusId.current}"]`);
      if (el) el.focus();
      focusId.current = null;
    }
  });

  const patchDeal = async (deal, stage, extra = {}) => {
    const before = deals;
    setDeals(deals.map((d) => (d.id === deal.id ? { ...d, stage_id: stage.id, status: stage.kind } : d)));
    try {
      const r = await api.patch(`/deals/${deal.id}`, { stage_id: stage.id, ...extra }, deal.version);
      setDeals((cur) => cur.map((d) => (d.id === deal.id ? { ...d, ...r } : d)));
      toast(t('board.moved', { deal: deal.name, stage: stage.name }), 'ok');
      return true;
    } catch (e) {
      setDeals(before);
      if (e.status === 412) {
        toast(t('board.conflict'), 'error');
        try { const fresh = await api.get(`/deals/${deal.id}`); setDeals((cur) => cur.map((d) => (d.id === deal.id ? { ...d, ...fresh } : d))); } catch { /* gone */ }
      } else errorToast(e);
      return false;
    }
  };

  const move = (deal, stage) => {
    if (!stage || deal.stage_id === stage.id) return;
    if (!can('deals', 'edit')) { toast(t('error.forbidden'), 'error'); return; }
    focusId.current = deal.id;
    if (stage.kind === 'won' || stage.kind === 'lost') setPending({ deal, stage });
    else patchDeal(deal, stage);
  };

  const finish = async (reason) => {
    const { deal, stage } = pending;
    setPending(null);
    focusId.current = deal.id;
    const extra = stage.kind === 'lost' ? { lost_reason: reason } : {};
    const ok = await patchDeal(deal, stage, extra);
    if (ok && reason && stage.kind === 'won') {
      try {
        await api.post('/activities', { type: 'note', subject: t('board.won_note'), body: reason, related_type: 'deals',
          related_id: deal.id, done_at: nowIso(), owner_id: session.user.id });
      } catch (e) { errorToast(e); }
    }
  };

  const onKey = (deal) => (e) => {
    if (!e.altKey || (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft')) return;
    e.preventDefault();
    const i = stages.findIndex((s) => s.id === deal.stage_id);
    const next = stages[i + (e.key === 'ArrowRight' ? 1 : -1)];
    if (next) move(deal, next);
  };

  if (!pipelines) return html`<section class="page"><${Spinner} /></section>`;
  const byStage = (s) => (deals || []).filter((d) => d.stage_id === s.id);

  return html`<section class="page board-page">
    <div class="page-head"><h1>${t('nav.board')}</h1>
      ${can('deals', 'create') ? html`<a id="new-record" class="button primary" href=${'/deals/new' + (pipeline ? '?pipeline_id=' + pipeline.id : '')}>+ ${t('board.new_deal')}</a>` : ''}
    </div>
    <div class="board-filters">
      <span class="filter-item"><label for="board-pipeline">${t('field.pipeline_id')}</label>
      <select id="board-pipeline" value=${pipeline ? String(pipeline.id) : ''} onChange=${(e) => setFilter('pipeline', e.target.value)}>
        ${pipelines.map((p) => html`<option value=${String(p.id)}>${p.name}</option>`)}
      </select></span>
      <span class="filter-item"><label for="board-owner">${t('field.owner_id')}</label>
      <${RefPicker} ent="users" id="board-owner" name="owner" value=${owner} onChange=${(v) => setFilter('owner', v)} /></span>
      <span class="filter-item"><label for="board-team">${t('field.team_id')}</label>
      <${RefPicker} ent="teams" id="board-team" name="team" value=${team} onChange=${(v) => setFilter('team', v)} /></span>
      ${session.user ? html`<button type="button" aria-pressed=${owner === String(session.user.id) ? 'true' : 'false'}
        onClick=${() => setFilter('owner', owner === String(session.user.id) ? '' : String(session.user.id))}>${t('board.mine')}</button>` : ''}
    </div>
    <p class="sr-only" id="board-help">${t('board.help')}</p>
    ${!deals ? html`<${Spinner} />` : html`<div class="board" aria-describedby="board-help">
      ${stages.map((s) => {
        const list = byStage(s);
        const shown = showAll[s.id] ? list : list.slice(0, SHOW);
        return html`<section class=${'column ' + s.kind + (dragOver === s.id ? ' drop' : '')} data-stage-id=${s.id} key=${s.id}
            aria-label=${s.name}
            onDragOver=${(e) => { e.preventDefault(); e.dataTransfer.dropEffect = 'move'; if (dragOver !== s.id) setDragOver(s.id); }}
            onDragLeave=${(e) => { if (!e.currentTarget.contains(e.relatedTarget)) setDragOver(null); }}
            onDrop=${(e) => {
              e.preventDefault(); setDragOver(null);
              const id = Number(e.dataTransfer.getData('text/plain'));
              const deal = deals.find((d) => d.id === id);
              if (deal) move(deal, s);
            }}>
          <header><h2><span>${s.name}</span><span class="muted small">${s.probability != null ? s.probability + '%' : ''}</span></h2>
            <div class="small"><span data-count=${list.length}>${tn('board.deals', list.length)}</span> · <span data-sum>${sums(list)}</span></div></header>
          <ul class="cards">
            ${shown.map((d) => html`<li class="deal-card" data-deal-id=${d.id} key=${d.id} tabindex="0" draggable="true"
                aria-label=${`${d.name}, ${fmtMoney(d.amount, d.currency)}`}
                onDragStart=${(e) => { e.dataTransfer.setData('text/plain', String(d.id)); e.dataTransfer.effectAllowed = 'move'; e.currentTarget.classList.add('dragging'); }}
                onDragEnd=${(e) => e.currentTarget.classList.remove('dragging')}
                onKeyDown=${onKey(d)}>
              <a href=${'/deals/' + d.id} draggable="false">${d.name}</a>
              <div class="amount">${fmtMoney(d.amount, d.currency)}</div>
              <div class="muted small">${d.account_id ? html`<${RefLink} ent="accounts" id=${d.account_id} />` : ''}
                ${d.expected_close ? html` · ${fmtDate(d.expected_close)}` : ''}</div>
              <div class="muted small"><${RefLink} ent="users" id=${d.owner_id} /></div>
              <label class="sr-only" for=${'sp-' + d.id}>${t('board.stage_for', { deal: d.name })}</label>
              <select id=${'sp-' + d.id} data-stage-picker value=${String(d.stage_id)} onChange=${(e) => move(d, stages.find((x) => String(x.id) === e.target.value))}>
                ${stages.map((x) => html`<option value=${String(x.id)}>${x.name}</option>`)}
              </select>
            </li>`)}
          </ul>
          ${list.length > shown.length ? html`<button type="button" class="small" onClick=${() => setShowAll({ ...showAll, [s.id]: true })}>
            ${t('board.show_all', { n: list.length })}</button>` : ''}
        </section>`;
      })}
    </div>`}
    ${pending ? html`<${ReasonDialog} p=${pending} onCancel=${() => { focusId.current = pending.deal.id; setPending(null); }} onSubmit=${finish} />` : ''}
  </section>`;
}

function ReasonDialog({ p, onCancel, onSubmit }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');
  const lost = p.stage.kind === 'lost';
  const submit = (e) => {
    e.preventDefault();
    if (lost && !reason.trim()) { setError(t('error.required')); return; }
    onSubmit(reason.trim());
  };
  return html`<${Dialog} id="reason-dialog" title=${lost ? t('board.lost_title') : t('board.won_title')} onClose=${onCancel}>
    <form class="stack" onSubmit=${submit} novalidate>
      <p>${t('board.reason_intro', { deal: p.deal.name, stage: p.stage.name })}</p>
      <div class="form-field" data-field="reason"><label for="reason-text">${lost ? t('board.lost_reason') : t('board.won_reason')}</label>
        <textarea id="reason-text" name="reason" rows="3" maxlength="500" value=${reason} autofocus
          onInput=${(e) => { setReason(e.target.value); setError(''); }}></textarea>
        <div class="field-error" data-field-error role=${error ? 'alert' : undefined}>${error}</div></div>
      <div class="actions"><button type="button" onClick=${onCancel}>${t('common.cancel')}</button>
        <button type="submit" class="primary">${enumLabel('status', p.stage.kind)}</button></div>
    </form>
  <//>`;
}
