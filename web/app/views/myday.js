// myday.js — "My day": today's and overdue tasks and meetings, leads not
// contacted yet, open deals with no activity for 14 days.
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { api, session, can } from '../api.js';
import { t, tn, enumLabel } from '../i18n.js';
import { RefLink, Spinner, toast, errorToast } from '../components.js';
import { userTz, dayStart, fmtDate, fmtDateTime, fmtTime, fmtMoney, fmtRelative, nowIso } from '../format.js';
import { navigate, route } from '../router.js';
import { openQuickLog } from '../state.js';

const STALE_DAYS = 14;

function scopeQuery(scope) {
  const u = session.user;
  if (scope === 'all') return {};
  if (scope === 'team' && u.team_id) return { team_id: u.team_id };
  return { owner_id: u.id };
}

async function staleDeals(scope) {
  const since = new Date(Date.now() - STALE_DAYS * 86400000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const r = await api.get('/deals', { ...scopeQuery(scope), status: 'open', 'updated_at[lt]': since, sort: 'updated_at', limit: 60,
    fields: 'id,name,amount,currency,stage_id,updated_at,account_id,owner_id' });
  if (!r.data.length) return [];
  // Leave out deals that had an activity in the window.
  const ids = r.data.map((d) => d.id);
  const a = await api.get('/activities', { related_type: 'deals', 'related_id[in]': ids.join(','), 'created_at[gte]': since,
    fields: 'id,related_id', limit: 500 });
  const active = new Set(a.data.map((x) => x.related_id));
  return r.data.filter((d) => !active.has(d.id)).slice(0, 25);
}

export function MyDay() {
  const scope = route().query.get('scope') || 'mine';
  const [data, setData] = useState(null);
  const [rev, setRev] = useState(0);
  useEffect(() => {
    document.title = `${t('nav.my_day')} · Rapport`;
    const bump = () => setRev((x) => x + 1);
    window.addEventListener('rapport:activity', bump);
    return () => window.removeEventListener('rapport:activity', bump);
  }, []);
  useEffect(() => {
    let live = true;
    const sq = scopeQuery(scope);
    const fields = 'id,type,subject,due_at,done_at,related_type,related_id,owner_id,version';
    const safe = (p) => p.then((r) => (Array.isArray(r) ? r : r.data)).catch(() => null);
    Promise.all([
      can('activities', 'read') ? safe(api.get('/activities', { ...sq, 'done_at[null]': 'true', 'due_at[gte]': dayStart(0), 'due_at[lt]': dayStart(1), sort: 'due_at', limit: 100, fields })) : null,
      can('activities', 'read') ? safe(api.get('/activities', { ...sq, 'done_at[null]': 'true', 'due_at[lt]': dayStart(0), sort: '-due_at', limit: 100, fields })) : null,
      can('leads', 'read') ? safe(api.get('/leads', { ...sq, status: 'new', 'first_contacted_at[null]': 'true', sort: '-created_at', limit: 25,
        fields: 'id,name,company,source,created_at,owner_id' })) : null,
      can('deals', 'read') ? safe(staleDeals(scope)) : null,
    ]).then(([today, overdue, leads, stale]) => { if (live) setData({ today, overdue, leads, stale }); });
    return () => { live = false; };
  }, [scope, rev]);

  const done = async (a) => {
    try {
      await api.patch(`/activities/${a.id}`, { done_at: nowIso() }, a.version);
      toast(t('myday.marked_done'), 'ok');
      setRev(rev + 1);
    } catch (e) { errorToast(e); }
  };
  const setScope = (s) => navigate('/my-day' + (s === 'mine' ? '' : '?scope=' + s), { replace: true });
  const hour = Number(new Intl.DateTimeFormat('en-US', { hour: 'numeric', hourCycle: 'h23', timeZone: userTz() }).format(new Date()));
  const greet = hour < 12 ? t('myday.morning') : hour < 18 ? t('myday.afternoon') : t('myday.evening');

  const task = (a, overdue) => html`<li key=${a.id} data-id=${a.id}>
    <input type="checkbox" aria-label=${t('myday.mark_done', { subject: a.subject })} onChange=${() => done(a)} />
    <div class="grow"><a href=${'/activities/' + a.id}>${a.subject}</a>
      <div class="muted small">${enumLabel('type', a.type)} ·
        <span class=${overdue ? 'overdue-date' : ''}>${overdue ? fmtDateTime(a.due_at) : fmtTime(a.due_at)}</span>
        ${a.related_type && a.related_id ? html` · <${RefLink} ent=${a.related_type} id=${a.related_id} />` : ''}</div></div>
  </li>`;
  const section = (id, title, list, render, emptyKey, extra) => html`<section id=${id} class="card" aria-labelledby=${id + '-h'}>
    <h2 id=${id + '-h'}><span>${title}</span>${list ? html`<span class="count">${list.length}</span>` : ''}</h2>
    ${list === undefined ? html`<${Spinner} />` : list === null ? html`<p class="muted small">${t('myday.unavailable')}</p>`
      : list.length ? html`<ul>${list.map(render)}</ul>` : html`<p class="muted small">${t(emptyKey)}</p>`}
    ${extra || ''}
  </section>`;
  const d = data || {};
  return html`<section class="page">
    <div class="page-head">
      <div><h1>${greet}, ${(session.user.name || '').split(' ')[0]}</h1>
        <p class="muted">${fmtDate(new Date().toISOString())}${data && data.today ? ' · ' + tn('myday.summary', data.today.length) : ''}</p></div>
      <div class="head-actions">
        <label for="myday-scope" class="sr-only">${t('myday.scope')}</label>
        <select id="myday-scope" value=${scope} onChange=${(e) => setScope(e.target.value)}>
          <option value="mine">${t('myday.scope_mine')}</option>
          ${session.user.team_id ? html`<option value="team">${t('myday.scope_team')}</option>` : ''}
          <option value="all">${t('myday.scope_all')}</option>
        </select>
        <button type="button" onClick=${() => openQuickLog({ type: 'task' })}>+ ${t('myday.new_task')}</button>
      </div>
    </div>
    <div class="myday">
      ${section('today', t('myday.today'), data ? d.today : undefined, (a) => task(a, false), 'myday.today_empty')}
      ${section('overdue', t('myday.overdue'), data ? d.overdue : undefined, (a) => task(a, true), 'myday.overdue_empty')}
      ${section('new-leads', t('myday.new_leads'), data ? d.leads : undefined, (l) => html`<li key=${l.id} data-id=${l.id}>
        <div class="grow"><a href=${'/leads/' + l.id}>${l.name}</a>
          <div class="muted small">${l.company || ''}${l.source ? ' · ' + enumLabel('source', l.source) : ''} · ${fmtRelative(l.created_at)}</div></div>
        <button type="button" class="small" onClick=${() => openQuickLog({ related_type: 'leads', related_id: l.id, type: 'call' })}>☎ ${t('myday.log_call')}</button>
      </li>`, 'myday.leads_empty')}
      ${section('stale-deals', t('myday.stale_deals'), data ? d.stale : undefined, (x) => html`<li key=${x.id} data-id=${x.id}>
        <div class="grow"><a href=${'/deals/' + x.id}>${x.name}</a>
          <div class="muted small">${fmtMoney(x.amount, x.currency)} · <${RefLink} ent="stages" id=${x.stage_id} /> ·
            ${t('myday.last_touched', { when: fmtRelative(x.updated_at) })}</div></div>
        <button type="button" class="small" onClick=${() => openQuickLog({ related_type: 'deals', related_id: x.id, type: 'note' })}>✎ ${t('quicklog.button')}</button>
      </li>`, 'myday.stale_empty')}
    </div>
  </section>`;
}
