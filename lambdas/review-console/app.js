// Review console: a plain ES module, no framework and no build step. Every piece of text from the API
// reaches the page through textContent (never innerHTML), so nothing a transfer carries can run here.
import { renderNetwork } from './network-view.js';
import { dayChart, formatAmount, plain, relativeTime, timeElement, withSeparators } from './format.js';

const TOKEN_KEY = 'reviewConsole.token';
const PKCE_KEY = 'reviewConsole.pkce';
const PRODUCT = 'Transfer screening';

const STATUS_LABEL = {
  PENDING: 'Pending',
  ESCALATED: 'Escalated',
  RELEASED: 'Released',
  CONFIRMED_FRAUD: 'Confirmed fraud',
  AUTO_RELEASED: 'Released automatically',
};
const ACTION_DONE = {
  RELEASE: 'Released',
  CONFIRM_FRAUD: 'Confirmed as fraud',
  ESCALATE: 'Escalated',
  AUTO_RELEASE: 'Released automatically',
};
const OUTCOME_LABEL = { DELAY: 'Delayed (timed hold)', REVIEW: 'Held for review' };
const CHOICE_IDS = { RELEASE: 'action-release', CONFIRM_FRAUD: 'action-confirm', ESCALATE: 'action-escalate' };
const FINAL = ['RELEASED', 'CONFIRMED_FRAUD', 'AUTO_RELEASED'];

const state = {
  config: null,
  token: null,
  claims: null,
  queue: { status: 'PENDING', sort: 'risk', partnerId: '', limit: 50, cursors: [null], page: 0, nextCursor: null },
  /** What the queue table shows now, so that a failed reload can keep it, marked as not up to date. */
  queueShown: null,
  cases: null,
  listing: null,
  flag: null,
  case: null,
  lastOpened: null,
  expiryTimer: undefined,
  countdownTimer: undefined,
};

const $ = (id) => document.getElementById(id);

/** Builds an element; strings among the children become text nodes. */
function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'className') element.className = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

const VIEWS = [
  'loading',
  'sign-in-view',
  'queue-view',
  'detail-view',
  'cases-view',
  'case-view',
  'listings-view',
  'listing-view',
];

/** Shows one view, names it in the tab's title, and marks its navigation link as the current page. */
function show(view, title) {
  for (const id of VIEWS) $(id).hidden = id !== view;
  document.title = `${title} · ${PRODUCT}`;
  const current = { 'queue-view': 'queue', 'cases-view': 'cases', 'listings-view': 'listings' }[view];
  for (const link of document.querySelectorAll('#views-nav a')) {
    if (link.dataset.view === current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (view !== 'queue-view') clearInterval(state.countdownTimer);
}

function announce(message) {
  $('announcer').textContent = message;
}

function setProblem(id, message) {
  const element = $(id);
  element.replaceChildren(...(message instanceof Node ? [message] : message ? [message] : []));
  element.hidden = !message;
}

/**
 * The state of a view's data, shown where the data is: loading (muted, polite), a failure (red, with a
 * button that tries again), or stale (the data below is older than asked for). Null clears it.
 */
function viewStatus(id, status) {
  const element = $(id);
  if (!status) return element.replaceChildren();
  if (status.kind === 'loading') {
    element.replaceChildren(h('p', { className: 'loading', role: 'status' }, status.message));
    return;
  }
  const retry = status.retry
    ? h('button', { type: 'button', className: 'secondary retry' }, status.retryLabel ?? 'Try again')
    : null;
  retry?.addEventListener('click', () => status.retry());
  element.replaceChildren(h('div', { className: 'problem', role: 'alert' }, h('p', {}, status.message), retry));
}

function problemText(status, body) {
  if (status === 0) return 'The review API could not be reached: check the connection, or the service may be down.';
  return withSeparators(body.error?.message ?? `The review API answered ${status}.`);
}

// ---------- formatting helpers for the page ----------

function formatValue(value) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'object' && 'currency' in value) return formatAmount(value);
  return plain(String(value));
}

/** "creditor.distinctSenders24h" -> "recipient · distinct senders 24h" */
function humanise(path) {
  return path
    .split('.')
    .map((part) => ({ creditor: 'recipient', debtor: 'sender' })[part] ?? part)
    .map((part) => part.replace(/([a-z])([A-Z0-9])/g, '$1 $2').toLowerCase())
    .join(' · ');
}

function scoreBadge(score) {
  const level = score >= 70 ? 'high' : score >= 40 ? 'medium' : 'low';
  const word = { high: 'high', medium: 'medium', low: 'low' }[level];
  return h(
    'span',
    { className: `score ${level}`, title: `risk score ${score} of 100 (${word})` },
    String(score),
    h('span', { className: 'visually-hidden' }, ` of 100, ${word} risk`),
  );
}

function facts(list, entries) {
  list.replaceChildren(
    ...entries
      .filter(([, value]) => value !== undefined)
      .flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value instanceof Node ? value : formatValue(value))]),
  );
}

/**
 * A hold's end as a countdown and a time with its zone: "in 23 minutes (7 Dec 2026, 15:55 GMT+9)";
 * one already past says the next auto-release sweep will release it.
 */
function holdEnds(iso) {
  return h('span', { className: 'deadline', 'data-deadline': iso }, holdCountdown(iso), ' (', timeElement(iso), ')');
}

function holdCountdown(iso) {
  return Date.parse(iso) > Date.now() ? relativeTime(iso) : `ended ${relativeTime(iso)}, release due`;
}

/** Keeps every countdown on the page current while it is shown. */
function tickCountdowns() {
  for (const element of document.querySelectorAll('[data-deadline]'))
    element.firstChild.textContent = holdCountdown(element.dataset.deadline);
}

// ---------- sign-in ----------

function decodeClaims(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(payload), (c) => c.charCodeAt(0))));
  } catch {
    return null;
  }
}

function groupsOf(claims) {
  const groups = claims['cognito:groups'];
  return Array.isArray(groups) ? groups : typeof groups === 'string' ? groups.split(/[\s,]+/) : [];
}

function isTaskForce() {
  return groupsOf(state.claims ?? {}).includes('taskforce');
}

function useToken(token) {
  const claims = decodeClaims(token);
  if (!claims || typeof claims.exp !== 'number')
    return 'That is not an access token: copy the whole token printed by fraudctl token.';
  if (claims.exp * 1000 <= Date.now()) return 'This token has expired: get a new one and sign in again.';
  state.token = token;
  state.claims = claims;
  sessionStorage.setItem(TOKEN_KEY, token);
  const groups = groupsOf(claims);
  const role = groups.includes('taskforce')
    ? 'task-force supervisor'
    : groups.includes('supervisor')
      ? 'supervisor'
      : 'analyst';
  const partner = groups.includes('taskforce') ? 'all partners' : claims['custom:partner'];
  $('who-text').textContent = `Signed in as ${claims['cognito:username'] ?? claims.sub} (${role}, ${partner})`;
  $('who').hidden = false;
  $('views-nav').hidden = false;
  $('partner-field').hidden = !isTaskForce();
  $('partner-column').hidden = !isTaskForce();
  // Sign out when the token ends, rather than on the next refused call with a form half filled.
  clearTimeout(state.expiryTimer);
  state.expiryTimer = setTimeout(
    () => signOut('Your sign-in has expired: sign in again to go on.'),
    Math.min(claims.exp * 1000 - Date.now(), 2 ** 31 - 1),
  );
  return null;
}

function signOut(problem) {
  sessionStorage.removeItem(TOKEN_KEY);
  clearTimeout(state.expiryTimer);
  state.token = null;
  state.claims = null;
  $('who').hidden = true;
  $('who-text').textContent = '';
  $('views-nav').hidden = true;
  $('partner-field').hidden = true;
  announce('');
  setProblem('global-problem', null);
  const auth = state.config?.auth;
  if (!problem && auth?.mode === 'cognito') {
    const url = new URL('/logout', auth.domain);
    url.search = new URLSearchParams({
      client_id: auth.clientId,
      logout_uri: auth.logoutUri ?? auth.redirectUri,
    }).toString();
    location.assign(url.toString());
    return;
  }
  showSignIn(problem);
}

function showSignIn(problem) {
  const cognito = state.config?.auth?.mode === 'cognito';
  $('sign-in-cognito').hidden = !cognito;
  $('sign-in-local').hidden = cognito;
  setProblem('sign-in-problem', problem);
  show('sign-in-view', 'Sign in');
  $('sign-in-heading').focus();
}

function base64url(bytes) {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** Cognito hosted UI, authorization code with PKCE: no client secret in the browser. */
async function startCognitoSignIn() {
  const auth = state.config.auth;
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  const stateValue = base64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state: stateValue }));
  const url = new URL('/oauth2/authorize', auth.domain);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: auth.clientId,
    redirect_uri: auth.redirectUri,
    scope: (auth.scopes ?? ['openid', 'email', 'profile']).join(' '),
    state: stateValue,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

async function finishCognitoSignIn(params) {
  const auth = state.config.auth;
  const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? 'null');
  sessionStorage.removeItem(PKCE_KEY);
  history.replaceState(null, '', location.pathname);
  if (!saved || saved.state !== params.get('state'))
    return 'The sign-in could not be matched to this tab: sign in again.';
  const response = await fetch(new URL('/oauth2/token', auth.domain), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: auth.clientId,
      code: params.get('code'),
      redirect_uri: auth.redirectUri,
      code_verifier: saved.verifier,
    }),
  });
  if (!response.ok) return 'The sign-in service refused the sign-in: sign in again.';
  const tokens = await response.json();
  // The ID token carries the groups and the partner attribute the API authorises on.
  return useToken(tokens.id_token);
}

// ---------- API ----------

/** Every call: { status, body }; status 0 when the API could not be reached at all. */
async function api(path, options = {}) {
  let response;
  try {
    response = await fetch(`${state.config.apiBase}${path}`, {
      ...options,
      headers: {
        authorization: `Bearer ${state.token}`,
        ...(options.body ? { 'content-type': 'application/json' } : {}),
      },
    });
  } catch {
    return { status: 0, body: { error: { code: 'UNREACHABLE' } } };
  }
  const body = await response.json().catch(() => ({
    error: { code: 'BAD_RESPONSE', message: `The review API answered ${response.status} without JSON.` },
  }));
  if (response.status === 401) {
    signOut(`You are signed out: ${body.error?.message ?? 'the token was refused'}.`);
    throw new SignedOut();
  }
  return { status: response.status, body };
}

class SignedOut extends Error {}

// ---------- queue ----------

function queueKey(queue) {
  return JSON.stringify([queue.status, queue.sort, queue.partnerId, queue.limit, queue.page]);
}

function queueCaption(queue) {
  const order =
    queue.sort === 'deadline'
      ? 'delayed transfers whose hold ends soonest first'
      : 'highest risk first, then oldest first';
  return `${STATUS_LABEL[queue.status]} flags${queue.partnerId ? ` of ${queue.partnerId}` : ''}, ${order}`;
}

async function loadQueue({ focus } = {}) {
  const queue = state.queue;
  const key = queueKey(queue);
  show('queue-view', 'Review queue');
  syncFilters();
  if (focus === 'heading') $('queue-heading').focus();
  const params = new URLSearchParams({ status: queue.status, limit: String(queue.limit) });
  if (queue.sort !== 'risk') params.set('sort', queue.sort);
  if (queue.partnerId) params.set('partnerId', queue.partnerId);
  const cursor = queue.cursors[queue.page];
  if (cursor) params.set('cursor', cursor);

  // The same list again keeps its rows while it reloads; another list never shows the old one's rows.
  const same = state.queueShown?.key === key;
  $('queue-caption').textContent = queueCaption(queue);
  $('queue-table').setAttribute('aria-busy', 'true');
  if (!same) {
    state.queueShown = null;
    $('queue-rows').replaceChildren(queueMessageRow('Loading flags…'));
    $('page-info').textContent = '';
  }
  viewStatus('queue-status', { kind: 'loading', message: `Loading ${queueCaption(queue).toLowerCase()}…` });
  const { status, body } = await api(`/flags?${params}`);
  if (queueKey(state.queue) !== key) return; // the officer asked for another list meanwhile
  $('queue-table').removeAttribute('aria-busy');
  if (status !== 200) {
    const message = problemText(status, body);
    if (same) {
      $('queue-table').classList.add('stale');
      viewStatus('queue-status', {
        kind: 'error',
        message: `Not up to date: the flags below are as loaded ${relativeTime(state.queueShown.at)}. ${message}`,
        retry: () => loadQueue().catch(report),
      });
    } else {
      $('queue-rows').replaceChildren(queueMessageRow('The flags could not be loaded.'));
      viewStatus('queue-status', { kind: 'error', message, retry: () => loadQueue().catch(report) });
    }
    return;
  }
  $('queue-table').classList.remove('stale');
  viewStatus('queue-status', null);
  queue.nextCursor = body.nextCursor;
  state.queueShown = { key, at: new Date().toISOString() };
  renderQueue(body);
  clearInterval(state.countdownTimer);
  state.countdownTimer = setInterval(tickCountdowns, 30_000);
  if (focus === 'row' && state.lastOpened)
    (document.querySelector(`a[data-key="${CSS.escape(state.lastOpened)}"]`) ?? $('queue-heading')).focus();
}

function queueColumns() {
  return isTaskForce() ? 9 : 8;
}

function queueMessageRow(message) {
  return h('tr', {}, h('td', { colspan: queueColumns(), className: 'message' }, message));
}

function renderQueue({ items }) {
  const queue = state.queue;
  const taskForce = isTaskForce();
  const rows = items.map((flag) => {
    const key = `${flag.partnerId}/${flag.transferId}`;
    const reasons = [...flag.reasons].sort((a, b) => b.points - a.points).slice(0, 2);
    const open = !FINAL.includes(flag.status);
    return h(
      'tr',
      {},
      h('td', {}, scoreBadge(flag.score)),
      h(
        'td',
        {},
        h(
          'a',
          {
            href: `#/flags/${encodeURIComponent(flag.partnerId)}/${encodeURIComponent(flag.transferId)}`,
            'data-key': key,
          },
          flag.transferId,
        ),
      ),
      taskForce ? h('td', {}, flag.partnerId) : null,
      h('td', {}, OUTCOME_LABEL[flag.outcome] ?? plain(flag.outcome)),
      h(
        'td',
        {},
        flag.outcome === 'DELAY' && flag.holdUntil
          ? open
            ? [h('span', { className: 'visually-hidden' }, 'Released automatically '), holdEnds(flag.holdUntil)]
            : timeElement(flag.holdUntil)
          : h('span', { className: 'muted' }, 'until an officer decides'),
      ),
      h('td', { className: 'number' }, formatAmount(flag.amount)),
      h(
        'td',
        {},
        h(
          'ul',
          {},
          reasons.map((reason) => h('li', {}, plain(reason.explanation))),
        ),
      ),
      h('td', {}, timeElement(flag.createdAt)),
      h(
        'td',
        {},
        flag.lastAction
          ? `${ACTION_DONE[flag.lastAction.action] ?? plain(flag.lastAction.action)} by ${flag.lastAction.actorName}`
          : '—',
        flag.pendingEffects ? h('span', { className: 'status' }, ' (update to bank pending)') : null,
      ),
    );
  });
  if (!rows.length)
    rows.push(
      queueMessageRow(
        queue.page
          ? 'No more flags.'
          : queue.sort === 'deadline'
            ? `No delayed transfer is ${STATUS_LABEL[queue.status].toLowerCase()}.`
            : `No flags are ${STATUS_LABEL[queue.status].toLowerCase()}.`,
      ),
    );
  $('queue-rows').replaceChildren(...rows);
  $('previous-page').disabled = queue.page === 0;
  $('next-page').disabled = !queue.nextCursor;
  $('page-info').textContent = `Page ${queue.page + 1}, ${items.length} flag${items.length === 1 ? '' : 's'}`;
}

/** The filter controls show the list on screen, also after Back from a flag. */
function syncFilters() {
  $('status-filter').value = state.queue.status;
  $('sort-filter').value = state.queue.sort;
  $('limit-filter').value = String(state.queue.limit);
  $('partner-filter').value = state.queue.partnerId;
}

function applyFilters(event) {
  event.preventDefault();
  const form = new FormData($('filters'));
  state.queue = {
    ...state.queue,
    status: String(form.get('status')),
    sort: String(form.get('sort')),
    limit: Number(form.get('limit')),
    partnerId: isTaskForce() ? String(form.get('partnerId') ?? '').trim() : '',
    cursors: [null],
    page: 0,
  };
  loadQueue().catch(report);
}

// ---------- one flag ----------

const flagPath = (flag) => `/flags/${encodeURIComponent(flag.partnerId)}/${encodeURIComponent(flag.transferId)}`;

async function openFlag(partnerId, transferId, { focus = true } = {}) {
  state.lastOpened = `${partnerId}/${transferId}`;
  // Feedback at once: the heading names the transfer while its details load.
  show('detail-view', `Transfer ${transferId}`);
  if (state.flag?.transferId !== transferId || state.flag?.partnerId !== partnerId) {
    state.flag = null;
    $('detail-body').hidden = true;
    $('detail-heading').textContent = `Transfer ${transferId}`;
  }
  if (focus) $('detail-heading').focus();
  viewStatus('detail-status', { kind: 'loading', message: `Loading transfer ${transferId}…` });
  const { status, body } = await api(`/flags/${encodeURIComponent(partnerId)}/${encodeURIComponent(transferId)}`);
  if (state.lastOpened !== `${partnerId}/${transferId}`) return;
  if (status !== 200) {
    viewStatus('detail-status', {
      kind: 'error',
      message: problemText(status, body),
      ...(status === 0 || status >= 500 ? { retry: () => openFlag(partnerId, transferId).catch(report) } : {}),
    });
    if (status === 404) {
      state.flag = null;
      $('detail-body').hidden = true;
    }
    return;
  }
  viewStatus('detail-status', null);
  $('action-form').reset();
  setProblem('action-problem', null);
  renderFlag(body);
  $('detail-body').hidden = false;
  loadProfile(body).catch(report);
  loadFlagNetwork(body).catch(report);
}

function renderFlag(flag) {
  state.flag = flag;
  const transfer = flag.transfer;
  $('detail-heading').textContent = `Transfer ${flag.transferId}: ${STATUS_LABEL[flag.status]}`;
  document.title = `Transfer ${flag.transferId} (${STATUS_LABEL[flag.status]}) · ${PRODUCT}`;
  const open = !FINAL.includes(flag.status);
  facts($('flag-summary'), [
    ['Status', STATUS_LABEL[flag.status]],
    ['Risk score', scoreBadge(flag.score)],
    ['Screening outcome', OUTCOME_LABEL[flag.outcome] ?? plain(flag.outcome)],
    ['Amount', formatAmount(flag.amount)],
    ['Partner bank', flag.partnerId],
    ['Held since', timeElement(flag.createdAt)],
    [
      open ? 'Released automatically' : 'Hold ended',
      flag.outcome === 'DELAY' && flag.holdUntil
        ? open
          ? holdEnds(flag.holdUntil)
          : timeElement(flag.holdUntil)
        : undefined,
    ],
    ['Rule set', flag.rulesetVersion],
    ['Version', String(flag.version)],
  ]);

  $('reasons').replaceChildren(
    ...[...flag.reasons]
      .sort((a, b) => b.points - a.points)
      .map((reason) => {
        const evidence = h('dl', { className: 'facts' });
        facts(
          evidence,
          Object.entries(reason.evidence ?? {}).map(([name, value]) => [humanise(name), value]),
        );
        return h(
          'li',
          {},
          h('p', { className: 'explanation' }, plain(reason.explanation)),
          h('p', { className: 'rule' }, `Rule ${reason.ruleId} (${plain(reason.typology)}), ${reason.points} points`),
          Object.keys(reason.evidence ?? {}).length
            ? [h('p', { className: 'visually-hidden' }, 'Evidence:'), evidence]
            : null,
        );
      }),
  );

  facts($('debtor-facts'), [
    ['Account', transfer.debtor.accountId],
    ['Customer id', transfer.debtor.customerId],
    ['Bank code', transfer.debtor.bankCode],
    ['Country', transfer.debtor.country && plain(transfer.debtor.country, 'country')],
    ['Birth year', transfer.debtor.birthYear],
    ['Account opened', transfer.debtor.accountOpenedAt],
  ]);
  facts($('creditor-facts'), [
    ['Account', transfer.creditor.accountId],
    ['Name', transfer.creditor.name],
    ['Bank code', transfer.creditor.bankCode],
    ['Country', transfer.creditor.country && plain(transfer.creditor.country, 'country')],
    ['Account type', transfer.creditor.accountType],
    ['Account opened', transfer.creditor.accountOpenedAt],
  ]);
  const context = transfer.context ?? {};
  facts($('context-facts'), [
    ['Occurred', timeElement(transfer.occurredAt)],
    ['Channel', transfer.channel],
    ['Remittance text', transfer.remittanceInfo],
    ['New payee', context.newPayee],
    ['New device', context.newDevice],
    ['Remote-access app', context.remoteAccessApp],
    ['On a call', context.activeCall],
    ['IP country', context.ipCountry && plain(context.ipCountry, 'country')],
  ]);

  const owed = flag.pendingEffects ?? [];
  $('owed-effects').hidden = !owed.length;
  $('owed-effects').textContent = owed.length
    ? `Still to be delivered: ${owed.map((effect) => (effect === 'WATCHLIST' ? 'the watchlist listing' : 'the decision update to the bank')).join(' and ')}. It is retried automatically within a minute.`
    : '';

  $('decide').hidden = false;
  $('action-form').hidden = !open;
  $('closed-note').hidden = open;
  if (!open) {
    const last = flag.audit.at(-1);
    $('closed-note').textContent =
      `This flag is final: ${STATUS_LABEL[flag.status].toLowerCase()}${last ? ` by ${last.actorName}` : ''}. It cannot be changed.`;
  }
  let anyAllowed = false;
  for (const [action, id] of Object.entries(CHOICE_IDS)) {
    const choice = flag.choices?.[action] ?? { allowed: false, reason: '' };
    $(id).disabled = !choice.allowed;
    if (!choice.allowed) $(id).checked = false;
    $(`${id}-hint`).textContent = choice.allowed ? '' : withSeparators(choice.reason);
    anyAllowed ||= choice.allowed;
  }
  $('action-submit').disabled = !anyAllowed;

  $('audit-rows').replaceChildren(
    ...flag.audit.map((entry) =>
      h(
        'tr',
        {},
        h('td', {}, timeElement(entry.at)),
        h('td', {}, entry.actorName),
        h('td', {}, entry.role),
        h('td', {}, ACTION_DONE[entry.action] ?? plain(entry.action)),
        h('td', {}, `${STATUS_LABEL[entry.fromStatus]} → ${STATUS_LABEL[entry.toStatus]}`),
        h('td', {}, entry.note),
      ),
    ),
  );
  $('audit-table').hidden = !flag.audit.length;
  $('audit-empty').hidden = flag.audit.length > 0;
}

/** "lee (supervisor) escalated it 3 min ago": the audit entries after the version the officer saw. */
function actedSince(audit, seenVersion) {
  const entries = audit.filter((entry) => entry.version > seenVersion);
  if (!entries.length) return 'someone else acted first';
  return entries
    .map(
      (entry) =>
        `${entry.actorName} (${entry.role}) ${(ACTION_DONE[entry.action] ?? plain(entry.action)).toLowerCase()} it ${relativeTime(entry.at)}`,
    )
    .join(', then ');
}

async function submitAction(event) {
  event.preventDefault();
  const flag = state.flag;
  if (!flag) return;
  const form = new FormData($('action-form'));
  const action = form.get('action');
  const note = String(form.get('note') ?? '').trim();
  const problem = !action
    ? 'Choose an action.'
    : !note
      ? 'Write a note: what you checked and why you decided so.'
      : null;
  if (problem) {
    showActionProblem('action-problem', problem);
    if (action) $('action-note').focus();
    return;
  }
  $('action-submit').disabled = true;
  $('action-submit').textContent = 'Recording…';
  try {
    const { status, body } = await api(`${flagPath(flag)}/actions`, {
      method: 'POST',
      body: JSON.stringify({ action, note, expectedVersion: flag.version }),
    });
    if (status === 409) return await afterFlagConflict(flag, body);
    if (status !== 200) {
      showActionProblem('action-problem', `Not recorded. ${problemText(status, body)}`, () =>
        $('action-form').requestSubmit(),
      );
      $('action-submit').disabled = false;
      return;
    }
    setProblem('action-problem', null);
    $('action-form').reset();
    renderFlag(body);
    const owed = body.pendingEffects?.length;
    const consequence =
      action === 'ESCALATE'
        ? 'A supervisor other than you will decide it.'
        : owed
          ? 'The decision update to the bank is pending and will be retried automatically.'
          : `The decision update was sent to ${body.partnerId}${action === 'CONFIRM_FRAUD' ? ', and the recipient account is held at your bank until a second supervisor shares its listing (Listings)' : ''}.`;
    announce(`${ACTION_DONE[action]}: transfer ${body.transferId}, now version ${body.version}. ${consequence}`);
    $('detail-heading').focus();
  } catch (error) {
    $('action-submit').disabled = false;
    report(error);
  } finally {
    $('action-submit').textContent = 'Record decision';
  }
}

/**
 * Someone acted between loading and deciding: show the flag as it is now, say who did what, and keep
 * the officer's note (the form is not reset) so that deciding again is one click.
 */
async function afterFlagConflict(seen, refusal) {
  const { status, body } = await api(flagPath(seen));
  if (status !== 200) {
    showActionProblem(
      'action-problem',
      `Not recorded: someone else acted first. ${problemText(status, refusal)} The flag could not be reloaded: ${problemText(status, body)} Your note is kept.`,
      () => reloadKeepingNote(seen),
      'Reload the flag',
    );
    $('action-submit').disabled = false;
    return;
  }
  renderFlag(body);
  const final = FINAL.includes(body.status);
  // A final flag hides the form; here it stays, its button disabled, so the note remains readable.
  if (final) {
    $('action-form').hidden = false;
    $('action-submit').disabled = true;
  }
  const now = final
    ? `It is now ${STATUS_LABEL[body.status].toLowerCase()} and final (version ${body.version}).`
    : `It is now ${STATUS_LABEL[body.status].toLowerCase()} (version ${body.version}): check it again and decide.`;
  showActionProblem(
    'action-problem',
    `Not recorded: ${actedSince(body.audit, seen.version)}. ${now} Your note is kept${final ? ' here to copy' : ''}.`,
  );
}

async function reloadKeepingNote(seen) {
  const note = $('action-note').value;
  await openFlag(seen.partnerId, seen.transferId, { focus: false });
  $('action-note').value = note;
}

/** A problem next to the control that failed, scrolled into view and focused, with a retry if given. */
function showActionProblem(id, message, retry, retryLabel = 'Try again') {
  const element = $(id);
  const button = retry ? h('button', { type: 'button', className: 'secondary retry' }, retryLabel) : null;
  button?.addEventListener('click', retry);
  element.replaceChildren(...[h('p', {}, message), button].filter(Boolean));
  element.hidden = false;
  element.focus();
  element.scrollIntoView({ block: 'center' });
}

// ---------- why this is unusual ----------

async function loadProfile(flag) {
  const body = $('profile-body');
  body.replaceChildren(h('p', { className: 'loading', role: 'status' }, "Loading the customer's usual activity…"));
  const { status, body: profile } = await api(`${flagPath(flag)}/profile`);
  if (state.flag?.transferId !== flag.transferId) return;
  if (status !== 200) {
    const retry = h('button', { type: 'button', className: 'secondary retry' }, 'Try again');
    retry.addEventListener('click', () => loadProfile(flag).catch(report));
    body.replaceChildren(
      h(
        'div',
        { className: 'problem', role: 'alert' },
        h('p', {}, `Not shown: ${problemText(status, profile)}`),
        retry,
      ),
    );
    return;
  }
  body.replaceChildren(senderPanel(flag, profile.sender), recipientPanel(profile.recipient));
}

const plural = (n, word, many = `${word}s`) => `${n.toLocaleString('en')} ${n === 1 ? word : many}`;

function senderPanel(flag, sender) {
  const usual = sender.usualAmount;
  const amount = h('dl', { className: 'facts' });
  facts(amount, [
    ['This transfer', h('strong', {}, formatAmount(flag.amount))],
    [
      'Usually',
      usual
        ? `${formatAmount(usual.low)} to ${formatAmount(usual.high)} (median ${formatAmount(usual.median)}, ${plural(usual.transfers, 'transfer')})`
        : `no earlier ${flag.amount.currency} transfer in 30 days`,
    ],
    [
      'Compared',
      usual
        ? [
            sender.timesMedian !== null ? `${sender.timesMedian.toLocaleString('en')} × the median` : null,
            compareLargest(flag.amount, usual.largest),
          ]
            .filter(Boolean)
            .join('; ')
        : undefined,
    ],
    [
      'Payees',
      `${plural(sender.payees.distinctIn30Days, 'payee')} in 30 days` +
        (sender.payees.topCounts.length
          ? ` (most paid: ${sender.payees.topCounts.map((n) => plural(n, 'transfer')).join(', ')})`
          : '') +
        `; ${plural(sender.payees.known, 'payee')} known in all`,
    ],
    [
      'This recipient',
      sender.payees.thisRecipient
        ? h(
            'span',
            {},
            'paid before, first ',
            timeElement(sender.payees.thisRecipient.firstPaidAt),
            ` (${plural(sender.payees.thisRecipient.transfersIn30Days, 'transfer')} in 30 days)`,
          )
        : h('strong', {}, 'never paid before'),
    ],
    ['Countries paid before', corridorList(sender.corridors.countries, 'country', 'country')],
    ['Kinds of account paid', corridorList(sender.corridors.accountTypes, 'accountType')],
    [
      'This corridor',
      [
        sender.corridors.firstToCountry === true && flag.transfer.creditor.country
          ? `first payment to ${plain(flag.transfer.creditor.country, 'country')}`
          : null,
        sender.corridors.firstToAccountType === true && flag.transfer.creditor.accountType
          ? `first payment to a ${plain(flag.transfer.creditor.accountType)} account`
          : null,
      ]
        .filter(Boolean)
        .join('; ') || 'paid this way before',
    ],
  ]);
  return h(
    'section',
    { className: 'profile-part', 'aria-labelledby': 'profile-sender-heading' },
    h('h3', { id: 'profile-sender-heading' }, "The sender's normal (30 days before this transfer)"),
    amount,
    dayChart(sender.days, {
      label: `The sender's transfers per day over the 30 days before this one: ${plural(sender.transfers, 'transfer')}`,
      value: (day) => day.transfers,
      describe: (day) => `${plural(day.transfers, 'transfer')}, ${formatAmount(day.sum)}`,
    }),
    sender.truncated ? h('p', { className: 'hint' }, 'Only the latest 200 transfers were read.') : null,
  );
}

function compareLargest(amount, largest) {
  const [a, b] = [Number(amount.value), Number(largest.value)];
  return a > b
    ? `above the largest before (${formatAmount(largest)})`
    : `within the largest before (${formatAmount(largest)})`;
}

function corridorList(entries, key, kind) {
  if (!entries.length) return 'none known';
  return h(
    'span',
    {},
    ...entries.flatMap((entry, i) => [
      i ? '; ' : '',
      `${plain(entry[key], kind)} since `,
      timeElement(entry.since, { dateOnly: true }),
    ]),
  );
}

function recipientPanel(recipient) {
  const list = h('dl', { className: 'facts' });
  const senders = recipient.distinctSenders;
  const estimated = (window) => (window.estimated ? ' (estimated)' : '');
  facts(list, [
    [
      'Account age',
      recipient.accountAgeDays === null
        ? 'not given by the bank'
        : h('strong', {}, plural(recipient.accountAgeDays, 'day'), ' since it was opened'),
    ],
    [
      'Senders before this one',
      `${plural(senders['24h'].count, 'sender')} in 24 h${estimated(senders['24h'])}, ${senders['7d'].count.toLocaleString('en')} in 7 days${estimated(senders['7d'])}, ${senders['30d'].count.toLocaleString('en')} in 30 days${estimated(senders['30d'])}`,
    ],
    [
      'First-time senders',
      `${plural(recipient.firstTimeSenders['24h'], 'sender')} in 24 h, ${recipient.firstTimeSenders['7d'].toLocaleString('en')} in 7 days (this sender included)`,
    ],
    ['Transfers in', `${plural(recipient.transfers, 'transfer')} in the 30 days before this one`],
  ]);
  return h(
    'section',
    { className: 'profile-part', 'aria-labelledby': 'profile-recipient-heading' },
    h('h3', { id: 'profile-recipient-heading' }, "The recipient's inbound picture"),
    list,
    dayChart(recipient.days, {
      label: `Senders per day into the recipient account over the 30 days before this transfer`,
      value: (day) => day.counterparties,
      describe: (day) => `${plural(day.counterparties, 'sender')}, ${plural(day.transfers, 'transfer')}`,
    }),
    recipient.truncated ? h('p', { className: 'hint' }, 'Only the latest 200 transfers were read.') : null,
  );
}

// ---------- cases ----------

const ROLE_LABEL = { receives: 'Receives', sends: 'Sends', both: 'Receives and sends' };
const PARTY_LABEL = { creditor: 'Recipient', debtor: 'Sender' };

async function loadCases({ focus } = {}) {
  show('cases-view', 'Cases');
  if (focus) $('cases-heading').focus();
  $('cases-table').setAttribute('aria-busy', 'true');
  if (!state.cases) $('cases-rows').replaceChildren(casesMessageRow('Loading cases…'));
  viewStatus('cases-status', { kind: 'loading', message: 'Loading cases…' });
  const { status, body } = await api('/cases?limit=100');
  $('cases-table').removeAttribute('aria-busy');
  if (status !== 200) {
    const message = problemText(status, body);
    if (state.cases) {
      $('cases-table').classList.add('stale');
      viewStatus('cases-status', {
        kind: 'error',
        message: `Not up to date: the cases below are as loaded ${relativeTime(state.cases.at)}. ${message}`,
        retry: () => loadCases().catch(report),
      });
    } else {
      $('cases-rows').replaceChildren(casesMessageRow('The cases could not be loaded.'));
      viewStatus('cases-status', { kind: 'error', message, retry: () => loadCases().catch(report) });
    }
    return;
  }
  $('cases-table').classList.remove('stale');
  viewStatus('cases-status', null);
  state.cases = { items: body.items, at: new Date().toISOString() };
  const bank = $('case-bank-filter');
  const chosen = bank.value;
  const banks = [...new Set(body.items.flatMap((item) => item.partners))].sort();
  bank.replaceChildren(
    h('option', { value: '' }, 'Every bank you see'),
    ...banks.map((partner) => h('option', { value: partner }, partner)),
  );
  bank.value = banks.includes(chosen) ? chosen : '';
  renderCases();
}

function casesMessageRow(message) {
  return h('tr', {}, h('td', { colspan: 9, className: 'message' }, message));
}

/** Sums of one currency compare exactly as digit strings of equal scale, never as floats. */
function amountKey(item, currency) {
  const total = item.totals.find((t) => t.currency === currency);
  if (!total) return -1n;
  const [whole, fraction = ''] = total.value.split('.');
  return BigInt(whole + fraction.padEnd(4, '0'));
}

const CASE_SORTS = {
  flags: (a, b) => b.openFlags - a.openFlags || b.maxScore - a.maxScore,
  amount: (a, b, currency) => {
    const [x, y] = [amountKey(a, currency), amountKey(b, currency)];
    return x === y ? b.openFlags - a.openFlags : x < y ? 1 : -1;
  },
  deadline: (a, b) =>
    (a.earliestHoldUntil ?? '~').localeCompare(b.earliestHoldUntil ?? '~') || b.openFlags - a.openFlags,
  score: (a, b) => b.maxScore - a.maxScore || b.openFlags - a.openFlags,
  escalated: (a, b) => b.escalatedFlags - a.escalatedFlags || b.openFlags - a.openFlags,
  latest: (a, b) => b.lastAt.localeCompare(a.lastAt),
};
const CASE_SORT_WORDS = {
  flags: 'most open flags first',
  amount: 'largest amount at risk first',
  deadline: 'earliest hold end first',
  score: 'highest score first',
  escalated: 'most escalated flags first',
  latest: 'latest transfer first',
};

function renderCases() {
  if (!state.cases) return;
  const form = new FormData($('case-filters'));
  const [status, bank, role, sort] = ['status', 'bank', 'role', 'sort'].map((name) => String(form.get(name) ?? ''));
  // Amounts at risk are compared in the currency most cases hold; other currencies follow.
  const counts = new Map();
  for (const item of state.cases.items)
    for (const total of item.totals) counts.set(total.currency, (counts.get(total.currency) ?? 0) + 1);
  const currency = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  const items = state.cases.items
    .filter((item) =>
      status === 'escalated' ? item.escalatedFlags > 0 : status === 'pending' ? !item.escalatedFlags : true,
    )
    .filter((item) => !bank || item.partners.includes(bank))
    .filter((item) => !role || item.role === role)
    .sort((a, b) => CASE_SORTS[sort](a, b, currency));
  $('cases-caption').textContent =
    `${plural(items.length, 'case')} of accounts shared by open flags${bank ? ` at ${bank}` : ''}, ${CASE_SORT_WORDS[sort]}`;
  const rows = items.map((item) =>
    h(
      'tr',
      {},
      h(
        'td',
        {},
        h('a', { href: `#/cases/${encodeURIComponent(item.accountKey)}`, className: 'key' }, item.accountKey),
      ),
      h(
        'td',
        {},
        item.escalatedFlags
          ? h('span', { className: 'badge escalated' }, `▲ Escalated: ${item.escalatedFlags} of ${item.openFlags}`)
          : h('span', { className: 'badge' }, 'Pending'),
      ),
      h('td', { className: 'number' }, String(item.openFlags)),
      h('td', { className: 'number' }, item.totals.map(formatAmount).join(', ')),
      h(
        'td',
        {},
        item.earliestHoldUntil ? holdEnds(item.earliestHoldUntil) : h('span', { className: 'muted' }, 'no timed hold'),
      ),
      h('td', {}, item.partners.join(', ')),
      h('td', {}, scoreBadge(item.maxScore)),
      h('td', {}, ROLE_LABEL[item.role] ?? plain(item.role)),
      h('td', {}, timeElement(item.firstAt), ' – ', timeElement(item.lastAt)),
    ),
  );
  if (!rows.length)
    rows.push(
      casesMessageRow(
        state.cases.items.length ? 'No case matches these filters.' : 'No account is shared by two open flags.',
      ),
    );
  $('cases-rows').replaceChildren(...rows);
}

async function openCase(accountKey, { focus = true } = {}) {
  show('case-view', 'Case');
  if (state.case?.accountKey !== accountKey) {
    state.case = null;
    $('case-body').hidden = true;
    $('case-heading').textContent = 'Case';
  }
  if (focus) $('case-heading').focus();
  viewStatus('case-status', { kind: 'loading', message: 'Loading the case…' });
  const { status, body } = await api(`/cases/${encodeURIComponent(accountKey)}`);
  if (status !== 200) {
    viewStatus('case-status', {
      kind: 'error',
      message: problemText(status, body),
      ...(status === 0 || status >= 500 ? { retry: () => openCase(accountKey).catch(report) } : {}),
    });
    return;
  }
  // One flag is not a case: it opens as the flag it is.
  if (body.transfers.length === 1) {
    const [only] = body.transfers;
    location.replace(`#/flags/${encodeURIComponent(only.partnerId)}/${encodeURIComponent(only.transferId)}`);
    return;
  }
  viewStatus('case-status', null);
  $('case-form').reset();
  setProblem('case-action-problem', null);
  renderCase(body);
  $('case-body').hidden = false;
  loadNetwork(`/cases/${encodeURIComponent(accountKey)}/network`, $('case-network-body'), {}).catch(report);
}

function renderCase(view) {
  state.case = view;
  const open = view.transfers.filter((t) => !FINAL.includes(t.status));
  $('case-heading').textContent = `Case of account ${view.account}`;
  document.title = `Case of account ${view.account} · ${PRODUCT}`;
  facts($('case-summary'), [
    ['Account', view.account],
    ['Pseudonym', h('span', { className: 'key' }, view.accountKey)],
    ['Linked transfers you may see', String(view.transfers.length)],
    ['Still open', String(open.length)],
    ['Escalated', String(open.filter((t) => t.status === 'ESCALATED').length)],
    ['Partner banks', [...new Set(view.transfers.map((t) => t.partnerId))].join(', ')],
  ]);
  $('case-transfer-rows').replaceChildren(
    ...view.transfers.map((t) =>
      h(
        'tr',
        {},
        h(
          'td',
          {},
          h(
            'a',
            { href: `#/flags/${encodeURIComponent(t.partnerId)}/${encodeURIComponent(t.transferId)}` },
            t.transferId,
          ),
        ),
        h('td', {}, t.partnerId),
        h('td', {}, PARTY_LABEL[t.party]),
        h('td', {}, t.counterparty),
        h('td', { className: 'number' }, formatAmount(t.amount)),
        h('td', {}, timeElement(t.occurredAt)),
        h('td', {}, STATUS_LABEL[t.status] ?? plain(t.status)),
        h('td', {}, t.signals.map((signal) => plain(signal)).join(', ')),
      ),
    ),
  );
  const anyAllowed = Object.values(view.choices).some((choice) => choice.allowed);
  $('case-decide').hidden = false;
  $('case-form').hidden = !open.length;
  $('case-closed-note').hidden = open.length > 0;
  $('case-closed-note').textContent = open.length ? '' : 'Every transfer of this case that you may see is decided.';
  for (const [action, id] of Object.entries({ CONFIRM_MULE: 'case-confirm', ESCALATE: 'case-escalate' })) {
    const choice = view.choices[action];
    $(id).disabled = !choice.allowed;
    if (!choice.allowed) $(id).checked = false;
    $(`${id}-hint`).textContent = choice.allowed ? '' : withSeparators(choice.reason);
  }
  $('case-submit').disabled = !anyAllowed;
}

async function submitCaseAction(event) {
  event.preventDefault();
  const view = state.case;
  if (!view) return;
  const form = new FormData($('case-form'));
  const action = form.get('action');
  const note = String(form.get('note') ?? '').trim();
  const problem = !action ? 'Choose an action.' : !note ? 'Write a note: what you checked and why.' : null;
  if (problem) {
    showActionProblem('case-action-problem', problem);
    if (action) $('case-note').focus();
    return;
  }
  $('case-submit').disabled = true;
  try {
    const { status, body } = await api(`/cases/${encodeURIComponent(view.accountKey)}/actions`, {
      method: 'POST',
      body: JSON.stringify({ action, note, expectedVersion: view.version }),
    });
    if (status === 409) return await afterCaseConflict(view, body);
    if (status !== 200) {
      showActionProblem('case-action-problem', `Not recorded. ${problemText(status, body)}`, () =>
        $('case-form').requestSubmit(),
      );
      $('case-submit').disabled = false;
      return;
    }
    setProblem('case-action-problem', null);
    $('case-form').reset();
    renderCase(body);
    const settled = body.changed.length;
    const what =
      action === 'CONFIRM_MULE'
        ? `Confirmed as a mule: ${settled} transfer${settled === 1 ? '' : 's'} blocked, each with its own audit entry, and the account is held at each confirming bank until a second supervisor shares its listing (Listings).`
        : `Escalated: ${settled} transfer${settled === 1 ? '' : 's'} now wait for a supervisor other than you.`;
    const conflicts = body.conflicts.length
      ? ` ${body.conflicts.length} changed meanwhile and were left as they are: ${body.conflicts.join(', ')}.`
      : '';
    announce(`${what}${conflicts}`);
    $('case-heading').focus();
  } catch (error) {
    $('case-submit').disabled = false;
    report(error);
  }
}

/** As for a flag: the case as it is now, which of its transfers changed and by whom, the note kept. */
async function afterCaseConflict(seen, refusal) {
  const { status, body } = await api(`/cases/${encodeURIComponent(seen.accountKey)}`);
  if (status !== 200) {
    showActionProblem(
      'case-action-problem',
      `Not recorded: the case changed. ${problemText(409, refusal)} It could not be reloaded: ${problemText(status, body)} Your note is kept.`,
      () => afterCaseConflict(seen, refusal),
      'Reload the case',
    );
    $('case-submit').disabled = false;
    return;
  }
  const before = new Map(seen.transfers.map((t) => [`${t.partnerId}/${t.transferId}`, t.version]));
  const changes = body.transfers
    .filter((t) => before.get(`${t.partnerId}/${t.transferId}`) !== t.version)
    .map((t) =>
      t.lastAction && before.has(`${t.partnerId}/${t.transferId}`)
        ? `${t.transferId}: ${t.lastAction.actorName} ${(ACTION_DONE[t.lastAction.action] ?? plain(t.lastAction.action)).toLowerCase()} it ${relativeTime(t.lastAction.at)}`
        : `${t.transferId}: newly linked`,
    );
  const note = $('case-note').value;
  const action = new FormData($('case-form')).get('action');
  renderCase(body);
  $('case-note').value = note;
  const radio = document.querySelector(`#case-form input[value="${action}"]`);
  if (radio && !radio.disabled) radio.checked = true;
  showActionProblem(
    'case-action-problem',
    `Not recorded: the case changed while you were deciding (${changes.join('; ') || 'a linked flag changed'}). The case below is as it is now; your note is kept: check and decide again.`,
  );
}

// ---------- listings: the second officer, appeals, delisting ----------

const LISTING_STATUS_LABEL = {
  HELD_AT_OWN_BANK: 'Held at the confirming bank only: waiting for a second officer',
  SHARED: 'Shared with every bank',
  REJECTED: 'Rejected by the second officer (hold lifted)',
  DELISTED: 'Delisted',
};
const LISTING_ACTION_LABEL = {
  PROPOSE: 'Confirmed fraud (proposed the listing)',
  APPROVE: 'Approve: share the listing with every bank',
  REJECT: 'Reject: do not share it, and lift the hold at the confirming bank',
  APPEAL: "File an appeal on the account holder's behalf (the listing stays until it is settled)",
  DISMISS_APPEAL: 'Dismiss the appeal (the listing stays)',
  DELIST: "Delist: remove the listing (the account's next transfer is screened without it)",
};
const listingPath = (listing) =>
  `/listings/${encodeURIComponent(listing.source)}/${encodeURIComponent(listing.accountKey)}`;

async function loadListings({ focus } = {}) {
  show('listings-view', 'Listings');
  if (focus) $('listings-heading').focus();
  const status = $('listing-status-filter').value;
  $('listings-table').setAttribute('aria-busy', 'true');
  viewStatus('listings-status', { kind: 'loading', message: 'Loading listings…' });
  const answer = await api(`/listings?limit=100${status ? `&status=${encodeURIComponent(status)}` : ''}`);
  $('listings-table').removeAttribute('aria-busy');
  if (answer.status !== 200) {
    $('listings-rows').replaceChildren();
    viewStatus('listings-status', {
      kind: 'error',
      message: problemText(answer.status, answer.body),
      retry: () => loadListings().catch(report),
    });
    return;
  }
  viewStatus('listings-status', null);
  const items = answer.body.items;
  $('listings-rows').replaceChildren(
    ...(items.length
      ? items.map((listing) =>
          h(
            'tr',
            {},
            h('td', {}, h('a', { href: `#${listingPath(listing)}`, className: 'key' }, listing.accountKey)),
            h('td', {}, listing.source),
            h('td', {}, LISTING_STATUS_LABEL[listing.status] ?? plain(listing.status)),
            h('td', {}, PARTY_LABEL[listing.party]),
            h('td', {}, timeElement(listing.proposedAt)),
            h('td', {}, listing.appeal ? `Open, filed by ${listing.appeal.filedByName}` : '—'),
          ),
        )
      : [h('tr', {}, h('td', { colspan: '6', className: 'muted' }, 'No listing has this status.'))]),
  );
}

/** The account holder's bank appeals: the account number goes in the body only, and the form is cleared. */
async function submitHolderAppeal(event) {
  event.preventDefault();
  const form = new FormData($('holder-appeal-form'));
  const accountId = String(form.get('accountId') ?? '').trim();
  const reason = String(form.get('reason') ?? '').trim();
  const problem = !accountId
    ? "Write your customer's account number."
    : !reason
      ? 'Write a reason: why the listing is wrong.'
      : null;
  if (problem) return showActionProblem('holder-appeal-problem', problem);
  $('holder-appeal-submit').disabled = true;
  try {
    const { status, body } = await api('/listings/appeals', {
      method: 'POST',
      body: JSON.stringify({ accountId, reason }),
    });
    $('holder-appeal-submit').disabled = false;
    if (status !== 200) return showActionProblem('holder-appeal-problem', `Not recorded. ${problemText(status, body)}`);
    setProblem('holder-appeal-problem', null);
    $('holder-appeal-form').reset();
    const banks = body.appealed.map((listing) => listing.source).join(', ');
    announce(`Appeal filed on the listing by ${banks}; its supervisors settle it.`);
    await loadListings();
  } catch (error) {
    $('holder-appeal-submit').disabled = false;
    report(error);
  }
}

async function openListing(source, accountKey, { focus = true } = {}) {
  show('listing-view', 'Listing');
  if (state.listing?.accountKey !== accountKey || state.listing?.source !== source) {
    state.listing = null;
    $('listing-body').hidden = true;
  }
  if (focus) $('listing-heading').focus();
  viewStatus('listing-status', { kind: 'loading', message: 'Loading the listing…' });
  const { status, body } = await api(listingPath({ source, accountKey }));
  if (status !== 200) {
    viewStatus('listing-status', {
      kind: 'error',
      message: problemText(status, body),
      ...(status === 0 || status >= 500 ? { retry: () => openListing(source, accountKey).catch(report) } : {}),
    });
    return;
  }
  viewStatus('listing-status', null);
  $('listing-form').reset();
  setProblem('listing-action-problem', null);
  renderListing(body);
  $('listing-body').hidden = false;
}

function renderListing(listing) {
  state.listing = listing;
  $('listing-heading').textContent = `Listing of account ${listing.accountKey}`;
  document.title = `Listing of account ${listing.accountKey} · ${PRODUCT}`;
  facts($('listing-summary'), [
    ['Status', LISTING_STATUS_LABEL[listing.status] ?? plain(listing.status)],
    ['Account (pseudonym)', h('span', { className: 'key' }, listing.accountKey)],
    ['Confirming bank', listing.source],
    [
      'Confirmed on',
      h(
        'a',
        {
          href: `#/flags/${encodeURIComponent(listing.flag.partnerId)}/${encodeURIComponent(listing.flag.transferId)}`,
        },
        `transfer ${listing.flag.transferId} (the ${PARTY_LABEL[listing.party].toLowerCase()})`,
      ),
    ],
    ['Expires', timeElement(listing.expiresAt)],
    [
      'Appeal',
      listing.appeal
        ? `Open: filed by ${listing.appeal.filedByName} (${listing.appeal.filedByPartnerId}): ${listing.appeal.reason}`
        : 'None open',
    ],
    ['Version', String(listing.version)],
  ]);
  $('listing-trail-rows').replaceChildren(
    ...listing.history.map((event) =>
      h(
        'tr',
        {},
        h('td', {}, timeElement(event.at)),
        h('td', {}, `${event.actorName} (${event.role}, ${event.actorPartnerId})`),
        h('td', {}, (LISTING_ACTION_LABEL[event.action] ?? plain(event.action)).split(':')[0]),
        h('td', {}, LISTING_STATUS_LABEL[event.toStatus] ?? plain(event.toStatus)),
        h('td', {}, event.reason),
      ),
    ),
  );
  const entries = Object.entries(listing.choices);
  $('listing-choices').replaceChildren(
    ...entries.map(([action, choice]) => {
      const id = `listing-${action.toLowerCase().replaceAll('_', '-')}`;
      return h(
        'div',
        { className: 'choice' },
        h('input', {
          type: 'radio',
          id,
          name: 'action',
          value: action,
          disabled: !choice.allowed,
          'aria-describedby': `${id}-hint`,
        }),
        h('label', { for: id }, LISTING_ACTION_LABEL[action] ?? plain(action)),
        h('p', { id: `${id}-hint`, className: 'hint' }, choice.allowed ? '' : withSeparators(choice.reason)),
      );
    }),
  );
  const open = entries.some(([, choice]) => choice.allowed);
  $('listing-form').hidden = !open;
  $('listing-closed-note').hidden = open;
  $('listing-closed-note').textContent = open ? '' : 'There is nothing you may do to this listing now.';
}

async function submitListingAction(event) {
  event.preventDefault();
  const listing = state.listing;
  if (!listing) return;
  const form = new FormData($('listing-form'));
  const action = form.get('action');
  const reason = String(form.get('reason') ?? '').trim();
  const problem = !action ? 'Choose an action.' : !reason ? 'Write a reason: what you checked and why.' : null;
  if (problem) {
    showActionProblem('listing-action-problem', problem);
    if (action) $('listing-reason').focus();
    return;
  }
  $('listing-submit').disabled = true;
  try {
    const { status, body } = await api(`${listingPath(listing)}/actions`, {
      method: 'POST',
      body: JSON.stringify({ action, reason, expectedVersion: listing.version }),
    });
    $('listing-submit').disabled = false;
    if (status !== 200) {
      // The reason stays in the form: reload the listing (or correct the input) and decide again.
      showActionProblem('listing-action-problem', `Not recorded. ${problemText(status, body)}`);
      return;
    }
    setProblem('listing-action-problem', null);
    $('listing-form').reset();
    renderListing(body);
    announce(`Recorded: the listing is now ${(LISTING_STATUS_LABEL[body.status] ?? body.status).toLowerCase()}.`);
    $('listing-heading').focus();
  } catch (error) {
    $('listing-submit').disabled = false;
    report(error);
  }
}

// ---------- network view ----------

async function loadNetwork(path, container, options) {
  container.replaceChildren(h('p', { className: 'loading', role: 'status' }, 'Loading the network…'));
  const { status, body } = await api(path);
  if (status !== 200) {
    const retry = h('button', { type: 'button', className: 'secondary retry' }, 'Try again');
    retry.addEventListener('click', () => loadNetwork(path, container, options).catch(report));
    container.replaceChildren(
      h('div', { className: 'problem', role: 'alert' }, h('p', {}, `Not shown: ${problemText(status, body)}`), retry),
    );
    return null;
  }
  renderNetwork(container, body, options);
  return body;
}

async function loadFlagNetwork(flag) {
  $('flag-case-link').hidden = true;
  const network = await loadNetwork(`${flagPath(flag)}/network`, $('flag-network-body'), {
    current: { partnerId: flag.partnerId, transferId: flag.transferId },
  });
  if (!network || state.flag?.transferId !== flag.transferId) return;
  // A case is two or more flags: an account on this flag alone has no case to open.
  if (network.caseFlags >= 2) {
    $('flag-case-link').replaceChildren(
      h(
        'a',
        { href: `#/cases/${encodeURIComponent(network.accountKey)}` },
        `Open the case of the recipient account (${network.caseFlags} flags)`,
      ),
    );
    $('flag-case-link').hidden = false;
  }
}

// ---------- routing ----------

async function route() {
  setProblem('global-problem', null);
  if (!state.token) return showSignIn();
  const match = /^#\/flags\/([^/]+)\/([^/]+)$/.exec(location.hash);
  if (match) return openFlag(decodeURIComponent(match[1]), decodeURIComponent(match[2]));
  const caseMatch = /^#\/cases\/([^/]+)$/.exec(location.hash);
  if (caseMatch) return openCase(decodeURIComponent(caseMatch[1]));
  if (location.hash === '#/cases') return loadCases({ focus: true });
  const listingMatch = /^#\/listings\/([^/]+)\/([^/]+)$/.exec(location.hash);
  if (listingMatch) return openListing(decodeURIComponent(listingMatch[1]), decodeURIComponent(listingMatch[2]));
  if (location.hash === '#/listings') return loadListings({ focus: true });
  return loadQueue({ focus: state.lastOpened ? 'row' : 'heading' });
}

/** A failure no view caught: said in red, at the top, with what to do. */
function report(error) {
  if (error instanceof SignedOut) return;
  setProblem(
    'global-problem',
    `Something went wrong in the console: ${error instanceof Error ? error.message : String(error)}. Reload the page to try again.`,
  );
}

async function boot() {
  state.config = await fetch('config.json').then((response) => response.json());
  let problem = null;

  // `fraudctl serve` links carry a token in the fragment: keep it for this tab and take it out of
  // the address bar (and the history) at once. Only locally: in AWS a link must never sign an
  // officer in as whoever made it, so the fragment is dropped unread.
  const fragment = new URLSearchParams(location.hash.slice(1));
  const query = new URLSearchParams(location.search);
  if (fragment.has('token')) {
    if (state.config.auth?.mode === 'local') problem = useToken(fragment.get('token'));
    history.replaceState(null, '', `${location.pathname}${location.search}#/queue`);
    if (state.config.auth?.mode !== 'local') return showSignIn(null);
  } else if (state.config.auth?.mode === 'cognito' && query.has('code')) {
    problem = await finishCognitoSignIn(query);
  } else {
    const stored = sessionStorage.getItem(TOKEN_KEY);
    if (stored) problem = useToken(stored);
    if (problem) sessionStorage.removeItem(TOKEN_KEY);
  }
  if (problem) return showSignIn(problem);
  await route();
}

$('sign-in-local').addEventListener('submit', (event) => {
  event.preventDefault();
  const problem = useToken($('token-input').value.trim());
  if (problem) return showSignIn(problem);
  $('token-input').value = '';
  state.lastOpened = null;
  if (location.hash !== '#/queue') location.hash = '#/queue';
  else route().catch(report);
});
$('sign-in-button').addEventListener('click', () => startCognitoSignIn().catch(report));
$('sign-out').addEventListener('click', () => signOut());
$('filters').addEventListener('submit', applyFilters);
$('case-filters').addEventListener('change', renderCases);
$('case-filters').addEventListener('submit', (event) => {
  event.preventDefault();
  renderCases();
});
$('previous-page').addEventListener('click', () => {
  state.queue.page = Math.max(0, state.queue.page - 1);
  loadQueue({ focus: 'heading' }).catch(report);
});
$('next-page').addEventListener('click', () => {
  if (!state.queue.nextCursor) return;
  state.queue.cursors[state.queue.page + 1] = state.queue.nextCursor;
  state.queue.page += 1;
  loadQueue({ focus: 'heading' }).catch(report);
});
$('action-form').addEventListener('submit', submitAction);
$('case-form').addEventListener('submit', submitCaseAction);
$('listing-form').addEventListener('submit', submitListingAction);
$('holder-appeal-form').addEventListener('submit', submitHolderAppeal);
$('listing-filters').addEventListener('change', () => loadListings().catch(report));
$('listing-filters').addEventListener('submit', (event) => {
  event.preventDefault();
  loadListings().catch(report);
});
window.addEventListener('hashchange', () => {
  announce('');
  route().catch(report);
});

boot().catch((error) => {
  if (error instanceof SignedOut) return;
  show('sign-in-view', 'Sign in');
  setProblem(
    'sign-in-problem',
    `The console could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
});
