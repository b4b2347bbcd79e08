// gen.mjs — builds valid (and invalid) request bodies for any entity from
// GET /api/v1/meta, creating the records a body refers to first.
import assert from 'node:assert/strict';
import { API, expectStatus, fmt, uniq } from './server.mjs';

export const ENTITIES = ['users', 'teams', 'roles', 'accounts', 'contacts', 'leads', 'pipelines', 'stages',
  'deals', 'activities', 'products', 'tags'];
export const SYSTEM_FIELDS = ['id', 'created_at', 'updated_at', 'created_by', 'owner_id', 'team_id', 'version',
  'deleted_at', 'tags'];
const NOT_BUILT = new Set(['id', 'created_at', 'updated_at', 'created_by', 'owner_id', 'team_id', 'version', 'deleted_at']);

export async function getMeta(client) {
  const r = await client.get(`${API}/meta`);
  expectStatus(r, 200, 'GET /meta');
  assert.ok(r.json && Array.isArray(r.json.entities), `meta has no entities[]: ${fmt(r)}`);
  return r.json;
}

// Field facts, tolerant of how meta spells the optional ones.
export const fieldOptions = (f) => f.options || f.values || f.enum || f.enum_values || null;
export const fieldRef = (f) => f.ref || f.references || f.entity || null;
export const fieldMaxLen = (f) => f.max_len ?? f.max_length ?? f.maxLength ?? null;
export const fieldMin = (f) => f.min ?? f.minimum ?? null;
export const fieldMax = (f) => f.max ?? f.maximum ?? null;
export const isWriteOnly = (f) => f.type === 'password' || f.write_only === true || f.writeonly === true;
export const isReadOnly = (f) => f.read_only === true || f.readonly === true;
export const isRequired = (f) => f.required === true;

const TEXTLIKE = new Set(['text', 'email', 'phone', 'url', 'currency', 'date', 'datetime', 'enum', 'password']);

/** Values of the wrong JSON type for a field type, each must give invalid_type. */
export function wrongTypeValue(type) {
  switch (type) {
    case 'integer': case 'money': case 'reference': return ['abc', 1.5];
    case 'number': return ['abc', true];
    case 'boolean': return ['yes', 1];
    case 'json': return ['text', 5];
    case 'tags': return ['vip', 5];
    default: return TEXTLIKE.has(type) ? [12345, { a: 1 }] : [];
  }
}

export class Fixtures {
  constructor(client, meta, me) {
    this.client = client;
    this.meta = meta;
    this.me = me; // the caller's user record
    this.cache = new Map();
  }

  entity(name) {
    const e = this.meta.entities.find((x) => x.name === name);
    assert.ok(e, `meta has no entity ${name}`);
    return e;
  }

  /** A valid value for field f of entity ent (not references). */
  value(ent, f, u = uniq('v')) {
    const max = fieldMaxLen(f);
    const opts = fieldOptions(f);
    switch (f.name) {
      case 'time_zone': return 'Europe/Berlin';
      case 'locale': if (opts && opts.includes('ru')) return 'ru'; break;
      default: break;
    }
    switch (f.type) {
      case 'text': {
        const s = `${u} ${ent} ${f.name}`;
        return max ? s.slice(0, max) : s;
      }
      case 'email': return `${u.toLowerCase()}@example.com`;
      case 'phone': return '+15550100199';
      case 'url': return `https://example.com/${u}`;
      case 'currency': return 'EUR';
      case 'integer': {
        const lo = fieldMin(f);
        const hi = fieldMax(f);
        let v = 7;
        if (lo !== null && hi !== null && lo < hi) v = Math.min(hi, Math.max(lo, 7));
        return v;
      }
      case 'money': return 123456;
      case 'number': return 2.5;
      case 'boolean': return f.default === true || f.default === 'true' ? false : true;
      case 'date': return '2025-03-14';
      case 'datetime': return '2025-03-14T09:30:00Z';
      case 'enum': {
        assert.ok(opts && opts.length, `meta gives no options for enum ${ent}.${f.name}`);
        return opts.length > 1 ? opts[1] : opts[0];
      }
      case 'json': return ent === 'roles' && f.name === 'permissions' ? { accounts: { read: 'own' } } : {};
      case 'tags': return ['vip', u.slice(-20)];
      case 'password': return `Pw-${u}-secret`;
      default: return undefined;
    }
  }

  /** An id of a record of `ent` for references; created once. */
  async ref(ent, stack = []) {
    if (ent === 'users') return this.me.id;
    if (this.cache.has(ent)) return this.cache.get(ent);
    const body = await this.build(ent, { required: true, stack });
    const r = await this.client.post(`${API}/${ent}`, body);
    expectStatus(r, 201, `creating a ${ent} record to refer to`);
    this.cache.set(ent, r.json.id);
    return r.json.id;
  }

  /**
   * A valid body for ent. required: only required fields (plus their
   * references); otherwise every writable field.
   */
  async build(ent, { required = false, stack = [] } = {}) {
    const e = this.entity(ent);
    const u = uniq('g');
    const body = {};
    const names = new Set(e.fields.map((f) => f.name));
    for (const f of e.fields) {
      if (NOT_BUILT.has(f.name) || isReadOnly(f)) continue;
      if (required && !isRequired(f)) continue;
      if (f.type === 'reference') {
        const target = fieldRef(f);
        assert.ok(target, `meta gives no ref for reference ${ent}.${f.name}`);
        if (stack.includes(target) || target === ent) {
          if (isRequired(f)) assert.fail(`reference cycle ${[...stack, ent, target].join(' → ')}`);
          continue;
        }
        body[f.name] = await this.ref(target, [...stack, ent]);
        continue;
      }
      const v = this.value(ent, f, u);
      if (v !== undefined) body[f.name] = v;
    }
    // activities: link to a record that exists
    if (names.has('related_type') && names.has('related_id') && (!required || body.related_type !== undefined)) {
      const target = 'accounts';
      body.related_type = target;
      body.related_id = await this.ref(target, [...stack, ent]);
    }
    if (ent === 'deals' && !required && body.stage_id !== undefined) {
      // the cached stage belongs to the cached pipeline
      body.pipeline_id = await this.ref('pipelines', [...stack, ent]);
    }
    return body;
  }
}

/** Compares what was sent with what came back, field by field. */
export function assertRoundTrip(meta, ent, sent, got, what) {
  const e = meta.entities.find((x) => x.name === ent);
  for (const [k, v] of Object.entries(sent)) {
    const f = e.fields.find((x) => x.name === k);
    if (f && isWriteOnly(f)) {
      assert.ok(!(k in got), `${what}: write-only field ${k} returned`);
      continue;
    }
    assert.ok(k in got, `${what}: field ${k} missing from the response ${JSON.stringify(got).slice(0, 400)}`);
    if (f && f.type === 'datetime' && typeof v === 'string') {
      assert.equal(Date.parse(got[k]), Date.parse(v), `${what}: ${k} sent ${v}, got ${got[k]}`);
      assert.match(got[k], /Z$/, `${what}: ${k} not in UTC Z form: ${got[k]}`);
    } else if (f && f.type === 'tags') {
      assert.deepEqual([...got[k]].sort(), [...v].sort(), `${what}: ${k}`);
    } else {
      assert.deepEqual(got[k], v, `${what}: ${k} sent ${JSON.stringify(v)}, got ${JSON.stringify(got[k])}`);
    }
  }
}
