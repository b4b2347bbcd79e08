// board.js — the pipeline board: deals as cards in stage columns. Column
// counts and per-currency amounts come from /deals/summary; the cards load
// per stage, a page at a time ("show more", "show all"). Drag and drop,
// Alt+Arrow keys, or a stage picker on phones move a deal; won/lost asks for
// the reason. Filters (pipeline, owner, team) in the URL.
//
// Loading, in round trips: the pipelines and every stage at once (when the
// tab loaded them before, those are used while they are checked); then
// each column's first page, all in parallel; then the summary. The columns
// are drawn at once; each fills as its page arrives, and the totals when
// the summary is in: a column is its own component that draws again only
// when its own data changed, so one column's page does not redraw the
// others. When a page load opens the board, the first pages are asked for
// while the app boots (prefetch), before /auth/me is answered.
import { html, Component, useState, useEffect, useLayoutEffect, useRef, useMemo } from '../../vendor/preact-htm.js';
import { api, getAhead, listAll, can, session, titlesVersion } from '../api.js';
import { t, tn, enumLabel, locale } from '../i18n.js';
import { Dialog, RefPicker, RefLink, Spinner, toast, errorToast } from '../components.js';
import { fmtMoney, fmtDate } from '../format.js';
import { navigate, route } from '../router.js';

const PAGE = 20; // cards per column at first and per "show more"
const ALL_PAGE = 500; // page size for "show all"
const SORT = '-amount,id';
const FIELDS = 'id,name,amount,currency,stage_id,status,owner_id,account_id,expected_close,version';

// The board's data, replaced (never mutated) on every change:
//   cols[stageId] = {items, next, busy, error}: the loaded cards in SORT
//     order (null until the first page is in) and the cursor of the rest;
//   sums[stageId][currency] = {count, sum}: the column totals (summary;
//     no stage is in sums until it is in);
//   failed: the summary could not be loaded;
//   q: the owner/team filters the data was loaded with.
const EMPTY = { failed: false, cols: {}, sums: {}, q: {} };
const curOf = (d) => d.currency || 'USD';
const order = (a, b) => (Number(b.amount) || 0) - (Number(a.amount) || 0) || a.id - b.id;

function findDeal(m, id) {
  for (const c of Object.values(m.cols)) {
    const d = c.items && c.items.find((x) => x.id === id);
    if (d) return d;
  }
  return null;
}

function withCol(m, sid, patch) {
  return m.cols[sid] ? { ...m, cols: { ...m.cols, [sid]: { ...m.cols[sid], ...patch } } } : m;
}

function removeCard(m, id) {
  const cols = {};
  for (const [k, c] of Object.entries(m.cols)) {
    cols[k] = c.items && c.items.some((x) => x.id === id) ? { ...c, items: c.items.filter((x) => x.id !== id) } : c;
  }
  return { ...m, cols };
}

// Puts the card into its stage's column (when that one is loaded), in order;
// a later page that holds it again does not duplicate it (appendCards).
function insertCard(m, d) {
  const out = removeCard(m, d.id);
  const c = out.cols[d.stage_id];
  return c && c.items ? withCol(out, d.stage_id, { items: [...c.items, d].sort(order) }) : out;
}

function appendCards(m, sid, rows, next) {
  const c = m.cols[sid];
  if (!c) return m;
  const have = new Set((c.items || []).map((x) => x.id));
  const items = [...(c.items || []), ...rows.filter((x) => !have.has(x.id))].sort(order);
  return withCol(m, sid, { items, next: next || null, busy: false, error: false });
}

// Adds (sign 1) or takes away (sign -1) the deal in its stage/currency
// bucket (none before the summary is in, which counts it as it is then).
function tally(m, d, sign) {
  const s = m.sums[d.stage_id];
  if (!s) return m;
  const c = curOf(d);
  const b = s[c] || { count: 0, sum: 0 };
  const nb = { count: b.count + sign, sum: b.sum + sign * (Number(d.amount) || 0) };
  const ns = { ...s, [c]: nb };
  if (nb.count <= 0 && !nb.sum) delete ns[c];
  return { ...m, sums: { ...m.sums, [d.stage_id]: ns } };
}

// The API queries of a column's page of cards and of the column totals;
// fq: the owner/team filters (filtersOf).
const cardsQuery = (fq, sid, cursor, limit) => ({ ...fq, stage_id: sid, sort: SORT, fields: FIELDS, limit, cursor });
const sumsQuery = (fq, stages) => ({ group_by: 'stage_id,currency', sum: 'amount', 'stage_id[in]': stages.map((s) => s.id).join(','), ...fq });

function filtersOf(q) {
  const fq = {};
  if (q.get('owner')) fq.owner_id = q.get('owner');
  if (q.get('team')) fq.team_id = q.get('team');
  return fq;
}

// The pipeline the URL asks for (else the default one, else the first) and
// its stages, from lists = {pipelines, stages}.
function boardOf(lists, q) {
  const ps = lists.pipelines;
  const pid = q.get('pipeline');
  const pipeline = ps.find((p) => String(p.id) === pid) || ps.find((p) => p.is_default) || ps[0] || null;
  return { pipeline, stages: pipeline ? lists.stages.filter((s) => s.pipeline_id === pipeline.id) : [] };
}

const totalOf = (s) => Object.values(s || {}).reduce((n, b) => n + b.count, 0);

function sumText(s) {
  const by = s || {};
  const keys = Object.keys(by).filter((c) => by[c].count > 0 || by[c].sum).sort((a, b) => by[b].sum - by[a].sum);
  return keys.length ? keys.map((c) => fmtMoney(by[c].sum, c, true)).join(' + ') : fmtMoney(0, 'USD', true);
}

// A column's count and amounts: "…" until the summary is in (no
// [data-count] yet), "—" when it failed.
function Totals({ sums, failed, n }) {
  if (failed) return html`<div class="small"><span data-count="">—</span> · <span data-sum>—</span></div>`;
  if (!sums) return html`<div class="small" aria-busy="true"><span data-count-pending>…</span></div>`;
  return html`<div class="small"><span data-count=${n}>${tn('board.deals', n)}</span> · <span data-sum>${sumText(sums)}</span></div>`;
}

// A component that draws again only when one of its props changed.
class Pure extends Component {
  shouldComponentUpdate(next) {
    for (const k in next) if (next[k] !== this.props[k]) return true;
    return false;
  }
}

// A column's cards. They draw again only when the cards, the stage
// pickers, fetched titles or the language changed: not for the totals, a
// spinner or the drop highlight around them.
class Cards extends Pure {
  render({ items, stages, pickers, act }) {
    return html`<ul class="cards">
      ${items.map((d) => html`<li class=${'deal-card' + (d.moving ? ' moving' : '')} data-deal-id=${d.id} key=${d.id} tabindex="0" draggable="true"
          aria-label=${`${d.name}, ${fmtMoney(d.amount, d.currency)}`}
          onDragStart=${(e) => { e.dataTransfer.setData('text/plain', String(d.id)); e.dataTransfer.effectAllowed = 'move'; e.currentTarget.classList.add('dragging'); }}
          onDragEnd=${(e) => e.currentTarget.classList.remove('dragging')}
          onKeyDown=${(e) => act.current.onKey(d, e)}>
        <a href=${'/deals/' + d.id} draggable="false">${d.name}</a>
        <div class="amount">${fmtMoney(d.amount, d.currency)}</div>
        <div class="muted small">${d.account_id ? html`<${RefLink} ent="accounts" id=${d.account_id} />` : ''}
          ${d.expected_close ? html` · ${fmtDate(d.expected_close)}` : ''}</div>
        <div class="muted small"><${RefLink} ent="users" id=${d.owner_id} /></div>
        ${pickers ? html`<label class="sr-only" for=${'sp-' + d.id}>${t('board.stage_for', { deal: d.name })}</label>
        <select id=${'sp-' + d.id} data-stage-picker value=${String(d.stage_id)} onChange=${(e) => act.current.move(d, stages.find((x) => String(x.id) === e.target.value))}>
          ${stages.map((x) => html`<option value=${String(x.id)}>${x.name}</option>`)}
        </select>` : ''}
      </li>`)}
    </ul>`;
  }
}

// One stage's column: its header with the totals, its cards, "show more".
// It draws again only when one of its props changed (its cards, its totals,
// the drop highlight, fetched titles, the language), so a page arriving for
// one column leaves the others alone. The handlers are read from act.current
// when an event fires, so a column that skipped a draw still calls the
// board's current ones.
const NO_CARDS = [];
class Column extends Pure {
  render({ stage: s, col, sums, failed, over, stages, pickers, act, titles, lang }) {
    const c = col || { items: null };
    const list = c.items || NO_CARDS;
    const n = totalOf(sums);
    const busy = c.busy || !c.items;
    return html`<section class=${'column ' + s.kind + (over ? ' drop' : '')} data-stage-id=${s.id}
        aria-label=${s.name} aria-busy=${busy ? 'true' : 'false'}
        onDragOver=${(e) => { e.preventDefault(); e.dataTransfer.dropEffect = 'move'; if (!this.props.over) act.current.setDragOver(s.id); }}
        onDragLeave=${(e) => { if (!e.currentTarget.contains(e.relatedTarget)) act.current.setDragOver(null); }}
        onDrop=${(e) => { e.preventDefault(); act.current.drop(Number(e.dataTransfer.getData('text/plain')), s); }}>
      <header><h2><span>${s.name}</span><span class="muted small">${s.probability != null ? s.probability + '%' : ''}</span></h2>
        <${Totals} sums=${sums} failed=${failed} n=${n} /></header>
      <${Cards} items=${list} stages=${stages} pickers=${pickers} act=${act} titles=${titles} lang=${lang} />
      ${busy ? html`<${Spinner} />` : ''}
      ${!busy && (c.next || c.error) ? html`<button type="button" class="small" data-show-more onClick=${() => act.current.loadCards(s.id)}>
        ${t('board.show_more')}</button>` : ''}
      ${!busy && c.next && n > list.length ? html`<button type="button" class="small" data-show-all onClick=${() => act.current.loadCards(s.id, true)}>
        ${t('board.show_all', { n })}</button>` : ''}
    </section>`;
  }
}

// The pipelines and stages the board last loaded, for whom (see Board); kept
// in sessionStorage too, so a reload of the tab has them at once.
const LISTS_KEY = 'rapport.board.lists';
let lastLists = null;
function keptLists() {
  if (!lastLists) {
    try { lastLists = JSON.parse(sessionStorage.getItem(LISTS_KEY)); } catch { lastLists = null; }
  }
  return lastLists && Array.isArray(lastLists.pipelines) && Array.isArray(lastLists.stages) ? lastLists : null;
}
function savedLists(user) {
  const l = keptLists();
  return l && l.user === user ? l : null;
}
function saveLists(lists) {
  lastLists = lists;
  try { sessionStorage.setItem(LISTS_KEY, JSON.stringify(lists)); } catch { /* full or disabled: memory only */ }
}

// Asks for the board's first data as soon as this module is in (lazy.js
// calls it), which on a page load is while the app boots: with the
// pipelines and stages this tab kept, each column's first page. The
// board's own requests take those answers (api.js, getAhead); without kept
// lists nothing is asked.
export function prefetch() {
  const lists = keptLists();
  if (!lists) return;
  const q = route().query;
  const fq = filtersOf(q);
  const { stages } = boardOf(lists, q);
  for (const s of stages) getAhead('/deals', cardsQuery(fq, s.id, null, PAGE));
}

// True in the phone layout, the only one that shows the cards' stage
// pickers (style.css): elsewhere they are not drawn at all, as a select of
// every stage per card is most of the board's elements.
const PHONE = '(max-width: 760px)';
function usePhone() {
  const [phone, setPhone] = useState(() => matchMedia(PHONE).matches);
  useEffect(() => {
    const mq = matchMedia(PHONE);
    const on = () => setPhone(mq.matches);
    mq.addEventListener('change', on);
    on();
    return () => mq.removeEventListener('change', on);
  }, []);
  return phone;
}

export function Board() {
  const q = route().query;
  // {user, pipelines, stages}: every pipeline's stages, by position
  const [lists, setLists] = useState(() => (session.user ? savedLists(session.user.id) : null));
  const [pending, setPending] = useState(null); // {deal, stage}
  const [dragOver, setDragOver] = useState(null);
  const [, setTick] = useState(0);
  const phone = usePhone();
  const model = useRef(EMPTY);
  const gen = useRef(0); // bumped when the board reloads: late answers are dropped
  const inflight = useRef(new Map()); // deal id → its running move
  const focusId = useRef(null);
  const act = useRef({}); // the handlers the columns call, renewed on every draw
  const pipelineId = q.get('pipeline');
  const owner = q.get('owner') || '';
  const team = q.get('team') || '';

  const update = (fn) => { model.current = fn(model.current); setTick((n) => n + 1); };

  const setFilter = (k, v) => {
    const p = new URLSearchParams(location.search);
    if (v) p.set(k, v); else p.delete(k);
    navigate('/board' + (p.toString() ? '?' + p : ''), { replace: true });
  };

  // The pipelines and the stages of all of them in one round trip, not the
  // stages after the pipelines: there are few of either. A later visit
  // draws at once with the last visit's and checks them meanwhile.
  // (This and the loading below are layout effects so that the requests
  // leave before the first paint rather than after it.)
  useLayoutEffect(() => {
    document.title = `${t('nav.board')} · Rapport`;
    const user = session.user && session.user.id;
    Promise.all([
      listAll('pipelines').catch(() => null),
      listAll('stages', { sort: 'position' }).catch((e) => { errorToast(e); return null; }),
    ]).then(([pipelines, stages]) => {
      const fresh = { user, pipelines: pipelines || [], stages: stages || [] };
      const known = savedLists(user);
      if (pipelines && stages) {
        if (known && JSON.stringify(known) === JSON.stringify(fresh)) return;
        saveLists(fresh);
      } else if (known) {
        return; // keep drawing the last ones
      }
      setLists(fresh);
    });
  }, []);
  const pipelines = lists && lists.pipelines;
  const { pipeline, stages } = useMemo(() => (lists ? boardOf(lists, q) : { pipeline: null, stages: [] }), [lists, pipelineId]);
  // What the model must have been loaded for to be drawn; a changed set of
  // stages (found when the last visit's lists are checked) loads again.
  const key = pipeline ? `${pipeline.id}|${owner}|${team}|${stages.map((s) => s.id).join(',')}` : '';

  // One page of a column's cards (all the rest with all=true), after its cursor.
  const loadCards = async (sid, all = false) => {
    const g = gen.current;
    const c = model.current.cols[sid];
    if (!c || c.busy) return;
    update((m) => withCol(m, sid, { busy: true }));
    let cursor = c.next;
    let rows = [];
    try {
      do {
        const r = await api.get('/deals', cardsQuery(model.current.q, sid, cursor, all ? ALL_PAGE : PAGE));
        if (g !== gen.current) return;
        rows = rows.concat(r.data);
        cursor = r.next_cursor;
      } while (all && cursor);
      update((m) => appendCards(m, sid, rows, cursor));
    } catch (e) {
      if (g !== gen.current) return;
      errorToast(e);
      update((m) => withCol(m, sid, { items: m.cols[sid].items || [], busy: false, error: true }));
    }
  };

  // Every column's first page in parallel (or the answers prefetch() asked
  // for, when it asked for the same), then the summary.
  useLayoutEffect(() => {
    if (!pipeline) return undefined;
    const g = ++gen.current;
    const live = () => g === gen.current;
    const st = stages;
    const fq = filtersOf(q);
    update(() => ({ key, failed: false, q: fq, sums: {},
      cols: Object.fromEntries(st.map((s) => [s.id, { items: null, next: null, busy: false, error: false }])) }));
    if (st.length) {
      // the totals once the first pages are in: the summary is the slowest
      // query (15-65 ms of server CPU), which the cards should not wait on
      Promise.allSettled(st.map((s) => loadCards(s.id)))
        .then(() => (live() ? api.get('/deals/summary', sumsQuery(fq, st)) : null))
        .then((r) => {
          if (!live()) return;
          const sums = Object.fromEntries(st.map((s) => [s.id, {}]));
          for (const row of r.data || []) {
            if (!sums[row.stage_id]) continue;
            sums[row.stage_id][row.currency || 'USD'] = { count: Number(row.count) || 0, sum: Number(row.sum) || 0 };
          }
          update((m) => ({ ...m, sums }));
        })
        .catch((e) => { if (live()) { errorToast(e); update((m) => ({ ...m, failed: true })); } });
    }
    return () => { gen.current++; };
  }, [key]);

  useEffect(() => {
    if (focusId.current) {
      const el = document.querySelector(`[data-deal-id="${focusId.current}"]`);
      if (el) el.focus();
      focusId.current = null;
    }
  });

  // Does the deal belong on this board as filtered now?
  const fits = (d) => {
    const { q: fq, cols } = model.current;
    return !!cols[d.stage_id] && (!fq.owner_id || String(d.owner_id) === fq.owner_id) && (!fq.team_id || String(d.team_id) === fq.team_id);
  };

  // Moves the card at once, counts it in its new column when the server
  // agrees, puts it back when not. Moves of one deal run one after another.
  const doPatch = async (id, stage, extra) => {
    const g = gen.current;
    const live = () => g === gen.current;
    const from = findDeal(model.current, id);
    if (!from || from.stage_id === stage.id) return false;
    const hadFocus = () => !document.activeElement || document.activeElement === document.body
      || !!(document.activeElement.closest && document.activeElement.closest(`[data-deal-id="${id}"]`));
    // The card is drawn anew in its new column; focus follows it. (move()
    // asks for this too, but when a second move of the deal waited for the
    // first, that request was spent when the first one's answer drew.)
    if (hadFocus()) focusId.current = id;
    update((m) => insertCard(m, { ...from, stage_id: stage.id, status: stage.kind, moving: true }));
    try {
      const r = await api.patch(`/deals/${id}`, { stage_id: stage.id, ...extra }, from.version);
      if (!live()) return true;
      const to = { ...from, ...r, moving: false };
      if (hadFocus()) focusId.current = id; // the answer draws the card again
      update((m) => tally(tally(insertCard(m, to), from, -1), to, 1));
      toast(t('board.moved', { deal: from.name, stage: stage.name }), 'ok');
      return true;
    } catch (e) {
      if (!live()) { errorToast(e); return false; }
      if (hadFocus()) focusId.current = id;
      update((m) => insertCard(m, from));
      if (e.status === 412) {
        toast(t('board.conflict'), 'error');
        try {
          const fresh = await api.get(`/deals/${id}`);
          if (live()) update((m) => { const out = tally(removeCard(m, id), from, -1); return fits(fresh) ? tally(insertCard(out, fresh), fresh, 1) : out; });
        } catch (e2) {
          if (e2.status === 404 && live()) update((m) => tally(removeCard(m, id), from, -1));
        }
      } else errorToast(e);
      return false;
    }
  };

  const patchDeal = (id, stage, extra = {}) => {
    const prev = inflight.current.get(id) || Promise.resolve();
    const p = prev.then(() => doPatch(id, stage, extra));
    inflight.current.set(id, p);
    p.finally(() => { if (inflight.current.get(id) === p) inflight.current.delete(id); });
    return p;
  };

  const move = (deal, stage) => {
    const d = findDeal(model.current, deal.id) || deal;
    if (!stage || d.stage_id === stage.id) return;
    if (!can('deals', 'edit')) { toast(t('error.forbidden'), 'error'); return; }
    if (stage.kind === 'won' || stage.kind === 'lost') { setPending({ deal: d, stage }); return; }
    focusId.current = d.id;
    patchDeal(d.id, stage);
  };

  const finish = (reason) => {
    const { deal, stage } = pending;
    setPending(null);
    focusId.current = deal.id;
    const extra = stage.kind === 'lost' ? { lost_reason: reason } : reason ? { won_reason: reason } : {};
    patchDeal(deal.id, stage, extra);
  };

  const onKey = (deal, e) => {
    if (!e.altKey || (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft')) return;
    e.preventDefault();
    const i = stages.findIndex((s) => s.id === deal.stage_id);
    const next = stages[i + (e.key === 'ArrowRight' ? 1 : -1)];
    if (i >= 0 && next) move(deal, next);
  };

  const drop = (id, stage) => {
    setDragOver(null);
    const deal = findDeal(model.current, id);
    if (deal) move(deal, stage);
  };

  act.current = { move, loadCards, onKey, drop, setDragOver };

  if (!pipelines) return html`<section class="page"><${Spinner} /></section>`;
  const m = model.current.key === key ? model.current : EMPTY;
  const titles = titlesVersion();
  const lang = locale();

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
    <div class="board" aria-describedby="board-help">
      ${stages.map((s) => html`<${Column} key=${s.id} stage=${s} col=${m.cols[s.id]} sums=${m.sums[s.id]} failed=${m.failed}
        over=${dragOver === s.id} stages=${stages} pickers=${phone} act=${act} titles=${titles} lang=${lang} />`)}
    </div>
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
