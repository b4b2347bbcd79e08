// related.js — a record's timeline (activities and deals around it), its
// related lists (records that point to it) and its history (audit log).
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { api, entities, entity, can, titleOf, rememberTitle } from '../api.js';
import { t, fieldLabel, entityLabel, enumLabel, entitySingular } from '../i18n.js';
import { Value, RefLink, Spinner, Empty, defaultColumns } from '../components.js';
import { fmtDateTime, fmtMoney, fmtRelative } from '../format.js';

const ICON = { call: '☎', email: '✉', meeting: '◉', note: '✎', task: '☑', sms: '✆', chat: '❝', visit: '⌂', deals: '◆' };

export function Timeline({ ent, id, rev }) {
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  const [before, setBefore] = useState(null);
  const load = async (more) => {
    try {
      const q = { limit: 30 };
      if (more && before) q.before = before;
      const r = await api.get(`/${ent.name}/${id}/timeline`, q);
      const list = more ? [...(items || []), ...r.data] : r.data;
      setItems(list);
      setBefore(r.data.length === 30 ? r.data[r.data.length - 1].at : null);
    } catch (e) { setError(e); setItems([]); }
  };
  useEffect(() => { load(false); }, [ent.name, id, rev]);
  if (!items) return html`<${Spinner} />`;
  if (error) return html`<p class="form-error">${error.message}</p>`;
  if (!items.length) return html`<${Empty}>${t('timeline.empty')}<//>`;
  return html`<ol class="timeline">
    ${items.map((it) => html`<li data-timeline-item data-entity=${it.entity} data-id=${it.id} key=${it.entity + it.id}>
      <${TimelineItem} it=${it} />
    </li>`)}
    ${before ? html`<li class="more"><button type="button" onClick=${() => load(true)}>${t('list.load_more')}</button></li>` : ''}
  </ol>`;
}

function TimelineItem({ it }) {
  const r = it.record || {};
  if (it.entity === 'deals') {
    rememberTitle('deals', r);
    return html`<span class="tl-icon" aria-hidden="true">${ICON.deals}</span>
      <div class="tl-body">
        <div><span class="muted">${entitySingular('deals')}</span> <a href=${'/deals/' + it.id}>${r.name}</a>
          ${r.status ? html` <span class=${'badge b-' + r.status}>${enumLabel('status', r.status)}</span>` : ''}</div>
        <div class="muted small">${fmtMoney(r.amount, r.currency)} · <${RefLink} ent="stages" id=${r.stage_id} /> ·
          <time datetime=${it.at} title=${fmtDateTime(it.at)}>${fmtRelative(it.at)}</time></div>
      </div>`;
  }
  const done = !!r.done_at;
  return html`<span class="tl-icon" aria-hidden="true">${ICON[r.type] || '•'}</span>
    <div class="tl-body">
      <div><span class="muted">${enumLabel('type', r.type)}</span> <a href=${'/activities/' + it.id}>${r.subject || '#' + it.id}</a>
        ${r.type === 'task' || r.type === 'meeting' ? html` <span class=${'badge ' + (done ? 'b-won' : 'b-open')}>${done ? t('myday.done') : t('myday.open')}</span>` : ''}</div>
      ${r.body ? html`<p class="tl-text">${String(r.body).slice(0, 400)}</p>` : ''}
      <div class="muted small"><time datetime=${it.at} title=${fmtDateTime(it.at)}>${fmtDateTime(it.at)}</time>
        ${r.owner_id ? html` · <${RefLink} ent="users" id=${r.owner_id} />` : ''}
        ${r.related_type && r.related_id ? html` · <${RefLink} ent=${r.related_type} id=${r.related_id} />` : ''}</div>
    </div>`;
}

export function History({ ent, id, rev }) {
  const [items, setItems] = useState(null);
  useEffect(() => {
    api.get(`/${ent.name}/${id}/history`).then((r) => setItems(r.data)).catch(() => setItems([]));
  }, [ent.name, id, rev]);
  if (!items) return html`<${Spinner} />`;
  if (!items.length) return html`<${Empty}>${t('history.empty')}<//>`;
  const f = (n) => ent.fields.find((x) => x.name === n) || { name: n, type: 'text' };
  return html`<ol class="history">
    ${items.map((h) => html`<li data-history-item key=${h.id}>
      <div class="small"><strong>${t('history.' + (['create', 'update', 'delete', 'restore'].includes(h.action) ? h.action : 'update'))}</strong>
        · <time datetime=${h.at}>${fmtDateTime(h.at)}</time>
        ${h.user_id ? html` · <${RefLink} ent="users" id=${h.user_id} />` : ''}</div>
      ${h.changes && h.changes.length ? html`<table class="diff compact">
        <tbody>${h.changes.map((c) => html`<tr><th scope="row">${fieldLabel(f(c.field))}</th>
          <td class="old"><${Value} f=${f(c.field)} rec=${{ [c.field]: c.old, currency: 'USD' }} /></td>
          <td aria-hidden="true">→</td>
          <td class="new"><${Value} f=${f(c.field)} rec=${{ [c.field]: c.new, currency: 'USD' }} /></td></tr>`)}</tbody>
      </table>` : ''}
    </li>`)}
  </ol>`;
}

// Every readable entity with a reference to this one (and activities
// attached through related_type/related_id).
export function relatedLists(ent) {
  const out = [];
  const people = ['users', 'teams'].includes(ent.name);
  for (const e of entities()) {
    if (!can(e, 'read') || e.name === 'saved_views') continue;
    for (const f of e.fields) {
      if (f.type !== 'reference' || f.ref !== ent.name) continue;
      if (f.system && !(people && (f.name === 'owner_id' || f.name === 'team_id'))) continue;
      if (f.name === 'created_by') continue;
      out.push({ e, key: f.name, filter: { [f.name]: null } });
    }
  }
  const act = entity('activities');
  if (act && can(act, 'read') && ['accounts', 'contacts', 'leads', 'deals'].includes(ent.name)) {
    out.push({ e: act, key: 'related', filter: { related_type: ent.name, related_id: null } });
  }
  return out;
}

export function Related({ ent, id }) {
  const lists = relatedLists(ent);
  if (!lists.length) return html`<${Empty}>${t('related.none')}<//>`;
  return html`<div class="related">${lists.map((l) => html`<${RelatedList} l=${l} id=${id} key=${l.e.name + l.key} />`)}</div>`;
}

function RelatedList({ l, id }) {
  const [rows, setRows] = useState(null);
  const [more, setMore] = useState(false);
  const filter = {};
  for (const [k, v] of Object.entries(l.filter)) filter[k] = v == null ? id : v;
  const qs = new URLSearchParams(filter).toString();
  const cols = defaultColumns(l.e).filter((c) => !(c in filter)).slice(0, 3);
  useEffect(() => {
    const sort = l.e.fields.some((f) => f.name === 'updated_at') ? '-updated_at' : 'id';
    api.get('/' + l.e.name, { ...filter, limit: 5, sort, fields: ['id', 'currency', l.e.title_field, ...cols].filter((n) => l.e.fields.some((f) => f.name === n)).join(',') })
      .then((r) => { setRows(r.data); setMore(!!r.next_cursor); }).catch(() => setRows([]));
  }, [id]);
  const f = (n) => l.e.fields.find((x) => x.name === n);
  const via = l.key === 'related' ? '' : ` (${fieldLabel(f(l.key))})`;
  return html`<section class="related-list" data-related=${l.e.name}>
    <h3><a href=${`/${l.e.name}?${qs}`}>${entityLabel(l.e.name, l.e)}${via}</a>
      ${rows ? html` <span class="count">${rows.length}${more ? '+' : ''}</span>` : ''}
      ${can(l.e, 'create') ? html`<a class="button small" href=${`/${l.e.name}/new?${qs}`}
        aria-label=${t('list.new', { entity: entitySingular(l.e.name, l.e) })}>+</a>` : ''}</h3>
    ${!rows ? html`<${Spinner} />` : !rows.length ? html`<p class="muted small">${t('related.empty')}</p>`
      : html`<ul>${rows.map((r) => html`<li><a href=${`/${l.e.name}/${r.id}`}>${titleOf(l.e.name, r)}</a>
        ${cols.filter((c) => c !== l.e.title_field).slice(0, 2).map((c) => html` <span class="muted small">· <${Value} f=${f(c)} rec=${r} /></span>`)}</li>`)}</ul>`}
    ${more ? html`<a class="small" href=${`/${l.e.name}?${qs}`}>${t('related.view_all')}</a>` : ''}
  </section>`;
}
