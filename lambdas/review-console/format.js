// How the console words what the API holds: money with separators, times in the officer's zone with
// UTC on hover, codes in plain words, and small charts. Everything returns text or DOM nodes.

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Codes the API and rule explanations carry, in the words an officer reads. */
const CODE_WORDS = {
  CRYPTO_EXCHANGE: 'crypto exchange',
  EMONEY: 'e-money',
  PERSONAL: 'personal',
  BUSINESS: 'business',
  CONFIRMED_FRAUD: 'confirmed fraud',
  SUSPENDED: 'suspended',
  SUSPECTED_MULE: 'suspected mule',
  SCAM_REPORTED: 'scam reported',
  MOBILE: 'mobile app',
  INTERNET: 'internet banking',
  ATM: 'cash machine (ATM)',
  BRANCH: 'branch',
  OPEN_API: 'open banking API',
  QR: 'QR payment',
  ALLOW: 'allowed',
  DELAY: 'delayed',
  REVIEW: 'held for review',
  BLOCK: 'blocked',
  PENDING: 'pending',
  ESCALATED: 'escalated',
  RELEASED: 'released',
  AUTO_RELEASED: 'released automatically',
  RELEASE: 'release',
  CONFIRM_FRAUD: 'confirm fraud',
  CONFIRM_MULE: 'confirm the mule',
  ESCALATE: 'escalate',
};

/** Typologies (rule families) as words: "mule-fan-in" reads "mule fan-in". */
const TYPOLOGY_WORDS = {
  'account-draining': 'account draining',
  'crypto-offramp': 'crypto off-ramp',
  'delayed-withdrawal': 'delayed withdrawal',
  'elderly-new-payee': 'older customer, new payee',
  'escalating-deposits': 'escalating payments',
  'known-mule': 'known mule',
  'mule-fan-in': 'mule fan-in',
  'new-account-large-inbound': 'new account, large inbound',
  'rapid-pass-through': 'rapid pass-through',
  'scam-hub-cross-border': 'cross-border to a scam hub',
  'scam-remittance-text': 'scam remittance text',
  'voice-phishing': 'voice phishing',
};

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/**
 * Text for people: codes in words, amounts with separators ("KRW 12010000" -> "KRW 12,010,000").
 * With kind "country", a two-letter code is named ("KH" -> "Cambodia (KH)").
 */
export function plain(text, kind) {
  if (text === null || text === undefined) return '';
  const value = String(text);
  if (kind === 'country' && /^[A-Z]{2}$/.test(value)) {
    const name = regionNames.of(value);
    return name && name !== value ? `${name} (${value})` : value;
  }
  if (CODE_WORDS[value]) return CODE_WORDS[value];
  if (TYPOLOGY_WORDS[value]) return TYPOLOGY_WORDS[value];
  return value
    .replace(
      /\b([A-Z]{3}) (\d{4,})(\.\d+)?\b/g,
      (_, currency, whole, fraction) => `${currency} ${groupDigits(whole)}${fraction ?? ''}`,
    )
    .replace(
      /\b[A-Z]+(?:_[A-Z]+)+\b|\bEMONEY\b|\bPERSONAL\b|\bBUSINESS\b/g,
      (code) => CODE_WORDS[code] ?? code.toLowerCase().replace(/_/g, ' '),
    );
}

/** Amounts in a sentence with separators: "above KRW 10000000" -> "above KRW 10,000,000". */
export function withSeparators(text) {
  return String(text).replace(
    /\b([A-Z]{3}) (\d{4,})(\.\d+)?\b/g,
    (_, currency, whole, fraction) => `${currency} ${groupDigits(whole)}${fraction ?? ''}`,
  );
}

function groupDigits(whole) {
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function formatAmount(amount) {
  if (!amount) return '—';
  const [whole, fraction] = String(amount.value).split('.');
  return `${amount.currency} ${groupDigits(whole)}${fraction ? `.${fraction}` : ''}`;
}

const local = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
});
const localDate = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
const shortLocal = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});

/** "2026-12-07 06:33 UTC": what every time shows on hover. */
export function utcText(iso) {
  return `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A time in the officer's own zone, named; UTC in its title. Dates (YYYY-MM-DD) stay dates. */
export function timeElement(iso, { dateOnly = false, short = false } = {}) {
  if (!iso) return '—';
  const date = new Date(iso);
  const element = document.createElement('time');
  element.setAttribute('datetime', iso);
  if (Number.isNaN(date.getTime())) {
    element.textContent = iso;
    return element;
  }
  element.textContent = dateOnly ? localDate.format(date) : short ? shortLocal.format(date) : local.format(date);
  element.title = utcText(iso);
  return element;
}

export function shortTime(iso) {
  return shortLocal.format(new Date(iso));
}

export function longTime(iso) {
  return local.format(new Date(iso));
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "in 23 minutes", "2 hours ago": how far a time is from now. */
export function relativeTime(iso) {
  const seconds = (Date.parse(iso) - Date.now()) / 1000;
  const abs = Math.abs(seconds);
  if (abs < 60) return seconds >= 0 ? 'in under a minute' : 'just now';
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400 * 2) return relative.format(Math.round(seconds / 3600), 'hour');
  return relative.format(Math.round(seconds / 86_400), 'day');
}

/**
 * A small bar chart of daily values (the last 30 days), with a text equivalent: the figure's label
 * says what it shows, each bar has a title, and a visually hidden list gives every day with activity.
 */
export function dayChart(days, { label, value, describe }) {
  const figure = document.createElement('figure');
  figure.className = 'day-chart';
  const width = 300;
  const height = 60;
  const max = Math.max(1, ...days.map(value));
  const step = width / days.length;
  const chart = document.createElementNS(SVG_NS, 'svg');
  chart.setAttribute('viewBox', `0 0 ${width} ${height + 14}`);
  chart.setAttribute('aria-hidden', 'true');
  chart.setAttribute('focusable', 'false');
  const baseline = document.createElementNS(SVG_NS, 'line');
  for (const [name, v] of Object.entries({ x1: 0, x2: width, y1: height + 0.5, y2: height + 0.5 }))
    baseline.setAttribute(name, String(v));
  baseline.setAttribute('class', 'baseline');
  chart.append(baseline);
  days.forEach((day, i) => {
    const v = value(day);
    if (!v) return;
    const bar = document.createElementNS(SVG_NS, 'rect');
    const barHeight = Math.max(2, (v / max) * (height - 4));
    bar.setAttribute('class', 'bar');
    bar.setAttribute('x', String(i * step + 1));
    bar.setAttribute('width', String(Math.max(1, step - 2)));
    bar.setAttribute('y', String(height - barHeight));
    bar.setAttribute('height', String(barHeight));
    const title = document.createElementNS(SVG_NS, 'title');
    title.textContent = `${day.date}: ${describe(day)}`;
    bar.append(title);
    chart.append(bar);
  });
  for (const [x, anchor, text] of [
    [0, 'start', days[0]?.date ?? ''],
    [width, 'end', days.at(-1)?.date ?? ''],
  ]) {
    const tick = document.createElementNS(SVG_NS, 'text');
    tick.setAttribute('class', 'tick');
    tick.setAttribute('x', String(x));
    tick.setAttribute('y', String(height + 12));
    tick.setAttribute('text-anchor', anchor);
    tick.textContent = text;
    chart.append(tick);
  }
  const caption = document.createElement('figcaption');
  caption.textContent = `${label} (highest day: ${max.toLocaleString('en')}).`;
  const active = days.filter((day) => value(day));
  const list = document.createElement('ul');
  list.className = 'visually-hidden';
  for (const day of active) {
    const item = document.createElement('li');
    item.textContent = `${day.date}: ${describe(day)}`;
    list.append(item);
  }
  if (!active.length) caption.textContent = `${label}: none.`;
  figure.append(chart, caption, list);
  return figure;
}
