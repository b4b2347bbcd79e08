// i18n.js — translations (en, zh, ru), chosen per user; plural forms via
// Intl.PluralRules; labels for entities, built-in fields and enum values.
import en from './locales/en.js';
import zh from './locales/zh.js';
import ru from './locales/ru.js';

export const LOCALES = { en, zh, ru };
export const LOCALE_NAMES = { en: 'English', zh: '简体中文', ru: 'Русский' };
const INTL = { en: 'en-US', zh: 'zh-CN', ru: 'ru-RU' };

let current = 'en';

export function guessLocale() {
  const saved = localStorage.getItem('rapport.locale');
  if (saved && LOCALES[saved]) return saved;
  const nav = (navigator.language || 'en').slice(0, 2).toLowerCase();
  return LOCALES[nav] ? nav : 'en';
}

export function setLocale(l) {
  current = LOCALES[l] ? l : 'en';
  localStorage.setItem('rapport.locale', current);
  document.documentElement.lang = INTL[current];
}
export function locale() { return current; }
export function intlLocale() { return INTL[current]; }
export function has(key) { return Object.prototype.hasOwnProperty.call(LOCALES[current], key); }

// t('key', {name: 'x'}) → the current locale's string with {name} filled in.
export function t(key, vars) {
  let s = LOCALES[current][key];
  if (s === undefined) s = en[key];
  if (s === undefined) return key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? String(vars[k]) : m));
  return s;
}

// tn('key', n) → 'key.one' / 'key.few' / 'key.many' / 'key.other' for n.
const rules = {};
const numbers = {};
export function tn(key, n, vars) {
  const pr = rules[current] || (rules[current] = new Intl.PluralRules(INTL[current]));
  const nf = numbers[current] || (numbers[current] = new Intl.NumberFormat(INTL[current]));
  const form = pr.select(n);
  const k = has(`${key}.${form}`) ? `${key}.${form}` : `${key}.other`;
  return t(k, { n: nf.format(n), ...(vars || {}) });
}

function humanize(name) {
  const s = String(name).replace(/_id$/, '').replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// A field's label: admins name custom fields themselves; built-in fields
// have translations under field.NAME.
export function fieldLabel(f) {
  if (!f) return '';
  if (f.custom) return f.label && f.label !== f.name ? f.label : humanize(f.name);
  if (has('field.' + f.name)) return t('field.' + f.name);
  return f.label && f.label !== f.name ? f.label : humanize(f.name);
}

export function entityLabel(name, meta) {
  if (has('entity.' + name)) return t('entity.' + name);
  return (meta && meta.label) || humanize(name);
}
export function entitySingular(name, meta) {
  if (has('entity1.' + name)) return t('entity1.' + name);
  return (meta && meta.singular) || humanize(name);
}

export function enumLabel(fieldName, value) {
  if (value == null || value === '') return '';
  if (has(`enum.${fieldName}.${value}`)) return t(`enum.${fieldName}.${value}`);
  if (has('enum.' + value)) return t('enum.' + value);
  return humanize(value);
}

// Server error codes (RFC 9457 "code" and per-field codes) in words.
export function errorText(code, fallback) {
  if (code && has('error.' + code)) return t('error.' + code);
  return fallback || t('error.unknown');
}

// A field error of a problem document in words: its reason with the value at
// fault where the server names one ("“31.02.2020” is not a date"), else its code.
export function fieldErrorText(x) {
  if (x.reason && has('error.' + x.reason)) return t('error.' + x.reason, { value: x.value });
  return errorText(x.code, x.message);
}
