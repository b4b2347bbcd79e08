// i18n.test.mjs — every locale has the same keys, no empty values, and every
// t('key') / tn('key', n) used in web/app/**/*.js exists in English.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const app = join(here, '..', 'app');
const en = (await import(join(app, 'locales', 'en.js'))).default;
const zh = (await import(join(app, 'locales', 'zh.js'))).default;
const ru = (await import(join(app, 'locales', 'ru.js'))).default;
const locales = { en, zh, ru };

function sources(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { if (name !== 'locales') out.push(...sources(p)); } else if (name.endsWith('.js')) out.push(p);
  }
  return out;
}

for (const [name, dict] of Object.entries(locales)) {
  test(`${name}: same keys as en, no empty values`, () => {
    const missing = Object.keys(en).filter((k) => !(k in dict));
    const extra = Object.keys(dict).filter((k) => !(k in en));
    const empty = Object.entries(dict).filter(([, v]) => typeof v !== 'string' || !v.trim()).map(([k]) => k);
    assert.deepEqual(missing, [], `missing in ${name}`);
    assert.deepEqual(extra, [], `not in en but in ${name}`);
    assert.deepEqual(empty, [], `empty in ${name}`);
  });
  test(`${name}: placeholders match en`, () => {
    const ph = (s) => [...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
    const bad = Object.keys(en).filter((k) => k in dict && ph(en[k]) !== ph(dict[k]) && !/\.(one|few|many|other)$/.test(k));
    assert.deepEqual(bad, [], `placeholders differ in ${name}`);
  });
}

test('zh and ru are translated, not copies of en', () => {
  for (const [name, dict] of Object.entries({ zh, ru })) {
    const same = Object.keys(en).filter((k) => dict[k] === en[k] && /[a-z]{4,}/i.test(en[k]));
    assert.ok(same.length < Object.keys(en).length * 0.03, `${name} has ${same.length} strings equal to en: ${same.slice(0, 20).join(', ')}`);
  }
});

test('every t() and tn() key used in the sources exists in en', () => {
  const missing = [];
  for (const file of sources(app)) {
    if (file.endsWith('i18n.js')) continue;
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/\bt\(\s*'([^'\n]+)'\s*[,)]/g)) if (!(m[1] in en)) missing.push(`${m[1]} (${file})`);
    for (const m of src.matchAll(/\btn\(\s*'([^'\n]+)'\s*,/g)) if (!(`${m[1]}.other` in en)) missing.push(`${m[1]}.other (${file})`);
  }
  assert.deepEqual(missing, []);
});

test('counts read as Russian says them: 1 новая запись, 3 новые записи, 5 новых записей', async () => {
  // i18n.js keeps the chosen locale in localStorage and on <html lang>
  globalThis.localStorage = { getItem: () => null, setItem: () => {} };
  globalThis.document = { documentElement: {} };
  const { setLocale, tn } = await import(join(app, 'i18n.js'));
  setLocale('ru');
  assert.deepEqual([1, 3, 5, 21].map((n) => tn('import.would_create', n)),
    ['новая запись', 'новые записи', 'новых записей', 'новая запись']);
  setLocale('en');
  assert.deepEqual([1, 2].map((n) => tn('import.would_update', n)), ['record updated', 'records updated']);
});
