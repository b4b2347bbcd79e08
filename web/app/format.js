// format.js — dates, times, numbers and money for the user's locale and
// time zone (Intl only), plus conversions between UTC and local input values.
import { intlLocale } from './i18n.js';
import { session } from './api.js';

// The user's time zone if it is a valid one, else the browser's. Asked for
// by every date drawn, so the answer is kept per configured zone (building
// a DateTimeFormat to check the zone costs about a millisecond).
let tzFor;
let tzIs;
export function userTz() {
  const tz = session.user && session.user.time_zone;
  if (tzIs !== undefined && tz === tzFor) return tzIs;
  let zone = null;
  try { if (tz) { new Intl.DateTimeFormat('en', { timeZone: tz }); zone = tz; } } catch { /* bad zone */ }
  tzFor = tz;
  tzIs = zone || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  return tzIs;
}

const cache = new Map();
function fmt(kind, opts) {
  const key = kind + intlLocale() + JSON.stringify(opts);
  let f = cache.get(key);
  if (!f) {
    f = kind === 'n' ? new Intl.NumberFormat(intlLocale(), opts) : new Intl.DateTimeFormat(intlLocale(), opts);
    cache.set(key, f);
  }
  return f;
}

export function fmtNumber(n, opts = {}) {
  if (n == null || n === '') return '';
  return fmt('n', opts).format(Number(n));
}

// Minor-unit digits per currency (2 for USD, 0 for JPY). Building an
// Intl.NumberFormat costs ~0.5 ms, and the board formats two amounts per
// card on every render, so the answer is kept.
const digits = new Map();
export function currencyDigits(cur) {
  const c = cur || 'USD';
  let d = digits.get(c);
  if (d === undefined) {
    try {
      d = new Intl.NumberFormat('en', { style: 'currency', currency: c }).resolvedOptions().maximumFractionDigits;
    } catch { d = 2; }
    digits.set(c, d);
  }
  return d;
}

// Money is integer minor units plus an ISO 4217 code.
export function fmtMoney(minor, cur, compact = false) {
  if (minor == null || minor === '') return '';
  const c = cur || 'USD';
  const d = currencyDigits(c);
  const major = Number(minor) / 10 ** d;
  try {
    return fmt('n', compact
      ? { style: 'currency', currency: c, notation: 'compact', maximumFractionDigits: 1 }
      : { style: 'currency', currency: c, minimumFractionDigits: d, maximumFractionDigits: d }).format(major);
  } catch {
    return `${fmtNumber(major)} ${c}`;
  }
}
export function minorToMajor(minor, cur) {
  if (minor == null || minor === '') return '';
  return String(Number(minor) / 10 ** currencyDigits(cur));
}
export function majorToMinor(major, cur) {
  if (major === '' || major == null) return null;
  return Math.round(Number(major) * 10 ** currencyDigits(cur));
}

export function fmtDate(v) {
  if (!v) return '';
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? v + 'T00:00:00Z' : v);
  if (isNaN(d)) return String(v);
  const tz = /^\d{4}-\d{2}-\d{2}$/.test(v) ? 'UTC' : userTz();
  return fmt('d', { dateStyle: 'medium', timeZone: tz }).format(d);
}

export function fmtDateTime(v) {
  if (!v) return '';
  const d = new Date(v);
  if (isNaN(d)) return String(v);
  return fmt('d', { dateStyle: 'medium', timeStyle: 'short', timeZone: userTz() }).format(d);
}

export function fmtTime(v) {
  if (!v) return '';
  return fmt('d', { timeStyle: 'short', timeZone: userTz() }).format(new Date(v));
}

const relative = new Map(); // locale → Intl.RelativeTimeFormat
export function fmtRelative(v) {
  if (!v) return '';
  const diff = (new Date(v).getTime() - Date.now()) / 1000;
  const loc = intlLocale();
  let rtf = relative.get(loc);
  if (!rtf) relative.set(loc, (rtf = new Intl.RelativeTimeFormat(loc, { numeric: 'auto' })));
  const a = Math.abs(diff);
  if (a < 60) return rtf.format(Math.round(diff), 'second');
  if (a < 3600) return rtf.format(Math.round(diff / 60), 'minute');
  if (a < 86400) return rtf.format(Math.round(diff / 3600), 'hour');
  if (a < 86400 * 30) return rtf.format(Math.round(diff / 86400), 'day');
  return fmtDate(v);
}

// Wall-clock parts of an instant in a time zone.
const partsFmt = new Map(); // zone → its DateTimeFormat
function parts(date, tz) {
  let f = partsFmt.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    partsFmt.set(tz, f);
  }
  const p = {};
  for (const x of f.formatToParts(date)) p[x.type] = x.value;
  return p;
}
function offsetMs(ms, tz) {
  const p = parts(new Date(ms), tz);
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour % 24, +p.minute, +p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

// ISO instant → "YYYY-MM-DDTHH:mm" in the user's zone (for datetime-local).
export function toLocalInput(iso, tz = userTz()) {
  if (!iso) return '';
  const p = parts(new Date(iso), tz);
  return `${p.year}-${p.month}-${p.day}T${String(+p.hour % 24).padStart(2, '0')}:${p.minute}`;
}

// "YYYY-MM-DDTHH:mm" in the user's zone → ISO instant in UTC.
export function fromLocalInput(s, tz = userTz()) {
  if (!s) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(s);
  if (!m) return null;
  const guess = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  let ms = guess - offsetMs(guess, tz);
  ms = guess - offsetMs(ms, tz);
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// Midnight today (plus days) in the user's zone, as an ISO instant.
export function dayStart(days = 0, tz = userTz()) {
  const p = parts(new Date(), tz);
  const d = new Date(Date.UTC(+p.year, +p.month - 1, +p.day + days));
  const ymd = d.toISOString().slice(0, 10);
  return fromLocalInput(`${ymd}T00:00`, tz);
}

export function todayYmd(tz = userTz()) {
  const p = parts(new Date(), tz);
  return `${p.year}-${p.month}-${p.day}`;
}

export function nowIso() { return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'); }
