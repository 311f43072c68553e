// Review console: a plain ES module, no framework and no build step. Every piece of text from the API
// reaches the page through textContent (never innerHTML), so nothing a transfer carries can run here.

const TOKEN_KEY = 'reviewConsole.token';
const PKCE_KEY = 'reviewConsole.pkce';

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
const CHOICE_IDS = { RELEASE: 'action-release', CONFIRM_FRAUD: 'action-confirm', ESCALATE: 'action-escalate' };

const state = {
  config: null,
  token: null,
  claims: null,
  queue: { status: 'PENDING', partnerId: '', limit: 50, cursors: [null], page: 0, nextCursor: null },
  flag: null,
  case: null,
  lastOpened: null,
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

function show(view) {
  for (const id of ['loading', 'sign-in-view', 'queue-view', 'detail-view', 'cases-view', 'case-view'])
    $(id).hidden = id !== view;
}

function announce(message) {
  $('announcer').textContent = message;
}

function setProblem(id, message) {
  const element = $(id);
  element.textContent = message ?? '';
  element.hidden = !message;
}

// ---------- formatting ----------

function formatAmount(amount) {
  if (!amount) return '—';
  const [whole, fraction] = String(amount.value).split('.');
  return `${amount.currency} ${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction ? `.${fraction}` : ''}`;
}

function timeElement(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return h(
    'time',
    { datetime: iso },
    Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }),
  );
}

function formatValue(value) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'object' && 'currency' in value) return formatAmount(value);
  return String(value);
}

/** "creditor.distinctSenders24h" -> "creditor · distinct senders 24h" */
function humanise(path) {
  return path
    .split('.')
    .map((part) => part.replace(/([a-z])([A-Z0-9])/g, '$1 $2').toLowerCase())
    .join(' · ');
}

function scoreBadge(score) {
  const level = score >= 70 ? 'high' : score >= 40 ? 'medium' : 'low';
  return h('span', { className: `score ${level}`, title: `risk score ${score} of 100` }, String(score));
}

function facts(list, entries) {
  list.replaceChildren(
    ...entries
      .filter(([, value]) => value !== undefined)
      .flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value instanceof Node ? value : formatValue(value))]),
  );
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
  return null;
}

function signOut(problem) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  state.claims = null;
  $('who').hidden = true;
  $('views-nav').hidden = true;
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
  show('sign-in-view');
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

async function api(path, options = {}) {
  const response = await fetch(`${state.config.apiBase}${path}`, {
    ...options,
    headers: {
      authorization: `Bearer ${state.token}`,
      ...(options.body ? { 'content-type': 'application/json' } : {}),
    },
  });
  const body = await response.json().catch(() => ({
    error: { code: 'BAD_RESPONSE', message: `the review API answered ${response.status} without JSON` },
  }));
  if (response.status === 401) {
    signOut(`You are signed out: ${body.error?.message ?? 'the token was refused'}.`);
    throw new SignedOut();
  }
  return { status: response.status, body };
}

class SignedOut extends Error {}

// ---------- queue ----------

async function loadQueue({ focus } = {}) {
  const queue = state.queue;
  show('queue-view');
  const params = new URLSearchParams({ status: queue.status, limit: String(queue.limit) });
  if (queue.partnerId) params.set('partnerId', queue.partnerId);
  const cursor = queue.cursors[queue.page];
  if (cursor) params.set('cursor', cursor);
  $('queue-table').setAttribute('aria-busy', 'true');
  const { status, body } = await api(`/flags?${params}`);
  $('queue-table').removeAttribute('aria-busy');
  if (status !== 200) {
    setProblem('queue-problem', body.error?.message ?? `the review API answered ${status}`);
    $('queue-rows').replaceChildren();
    return;
  }
  setProblem('queue-problem', null);
  queue.nextCursor = body.nextCursor;
  renderQueue(body.items);
  if (focus === 'heading') $('queue-heading').focus();
  else if (focus === 'row' && state.lastOpened)
    (document.querySelector(`a[data-key="${CSS.escape(state.lastOpened)}"]`) ?? $('queue-heading')).focus();
}

function renderQueue(items) {
  const queue = state.queue;
  const taskForce = isTaskForce();
  const columns = taskForce ? 8 : 7;
  $('queue-caption').textContent =
    `${STATUS_LABEL[queue.status]} flags${queue.partnerId ? ` of ${queue.partnerId}` : ''}, highest risk first, then oldest first`;
  const rows = items.map((flag) => {
    const key = `${flag.partnerId}/${flag.transferId}`;
    const reasons = [...flag.reasons].sort((a, b) => b.points - a.points).slice(0, 2);
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
      h('td', {}, flag.outcome === 'DELAY' ? h('span', {}, 'Delay until ', timeElement(flag.holdUntil)) : 'Review'),
      h('td', { className: 'number' }, formatAmount(flag.amount)),
      h(
        'td',
        {},
        h(
          'ul',
          {},
          reasons.map((reason) => h('li', {}, reason.explanation)),
        ),
      ),
      h('td', {}, timeElement(flag.createdAt)),
      h(
        'td',
        {},
        flag.lastAction
          ? `${ACTION_DONE[flag.lastAction.action] ?? flag.lastAction.action} by ${flag.lastAction.actorName}`
          : '—',
        flag.pendingEffects ? h('span', { className: 'status' }, ' (update to bank pending)') : null,
      ),
    );
  });
  if (!rows.length)
    rows.push(h('tr', {}, h('td', { colspan: columns }, queue.page ? 'No more flags.' : 'No flags with this status.')));
  $('queue-rows').replaceChildren(...rows);
  $('previous-page').disabled = queue.page === 0;
  $('next-page').disabled = !queue.nextCursor;
  $('page-info').textContent = `Page ${queue.page + 1}, ${items.length} flag${items.length === 1 ? '' : 's'}`;
}

function applyFilters(event) {
  event.preventDefault();
  const form = new FormData($('filters'));
  state.queue = {
    ...state.queue,
    status: String(form.get('status')),
    limit: Number(form.get('limit')),
    partnerId: String(form.get('partnerId') ?? '').trim(),
    cursors: [null],
    page: 0,
  };
  loadQueue().catch(report);
}

// ---------- one flag ----------

async function openFlag(partnerId, transferId, { focus = true } = {}) {
  state.lastOpened = `${partnerId}/${transferId}`;
  const { status, body } = await api(`/flags/${encodeURIComponent(partnerId)}/${encodeURIComponent(transferId)}`);
  show('detail-view');
  if (status !== 200) {
    state.flag = null;
    $('detail-heading').textContent = `Flag ${transferId}`;
    setProblem('detail-problem', body.error?.message ?? `the review API answered ${status}`);
    const parts = ['flag-summary', 'reasons', 'debtor-facts', 'creditor-facts', 'context-facts', 'audit-rows'];
    for (const id of [...parts, 'flag-network-body']) $(id).replaceChildren();
    $('flag-case-link').hidden = true;
    $('decide').hidden = true;
    $('owed-effects').hidden = true;
  } else {
    setProblem('detail-problem', null);
    renderFlag(body);
    loadFlagNetwork(body).catch(report);
    $('action-form').reset();
    setProblem('action-problem', null);
    $('reload-flag').hidden = true;
  }
  if (focus) $('detail-heading').focus();
}

function renderFlag(flag) {
  state.flag = flag;
  const transfer = flag.transfer;
  $('detail-heading').textContent = `Transfer ${flag.transferId}: ${STATUS_LABEL[flag.status]}`;
  facts($('flag-summary'), [
    ['Status', STATUS_LABEL[flag.status]],
    ['Risk score', scoreBadge(flag.score)],
    ['Screening outcome', flag.outcome === 'DELAY' ? 'Delay' : 'Review'],
    ['Amount', formatAmount(flag.amount)],
    ['Partner bank', flag.partnerId],
    ['Held since', timeElement(flag.createdAt)],
    ['Hold ends', flag.holdUntil ? timeElement(flag.holdUntil) : undefined],
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
          h('p', { className: 'explanation' }, reason.explanation),
          h('p', { className: 'rule' }, `Rule ${reason.ruleId} (${reason.typology}), ${reason.points} points`),
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
    ['Country', transfer.debtor.country],
    ['Birth year', transfer.debtor.birthYear],
    ['Account opened', transfer.debtor.accountOpenedAt],
  ]);
  facts($('creditor-facts'), [
    ['Account', transfer.creditor.accountId],
    ['Name', transfer.creditor.name],
    ['Bank code', transfer.creditor.bankCode],
    ['Country', transfer.creditor.country],
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
    ['IP country', context.ipCountry],
  ]);

  const owed = flag.pendingEffects ?? [];
  $('owed-effects').hidden = !owed.length;
  $('owed-effects').textContent = owed.length
    ? `Still to be delivered: ${owed.map((effect) => (effect === 'WATCHLIST' ? 'the watchlist listing' : 'the decision update to the bank')).join(' and ')}. It is retried automatically within a minute.`
    : '';

  const final = ['RELEASED', 'CONFIRMED_FRAUD', 'AUTO_RELEASED'].includes(flag.status);
  $('decide').hidden = false;
  $('action-form').hidden = final;
  $('closed-note').hidden = !final;
  if (final) {
    const last = flag.audit.at(-1);
    $('closed-note').textContent =
      `This flag is final: ${STATUS_LABEL[flag.status].toLowerCase()}${last ? ` by ${last.actorName}` : ''}. It cannot be changed.`;
  }
  let anyAllowed = false;
  for (const [action, id] of Object.entries(CHOICE_IDS)) {
    const choice = flag.choices?.[action] ?? { allowed: false, reason: '' };
    $(id).disabled = !choice.allowed;
    $(`${id}-hint`).textContent = choice.allowed ? '' : choice.reason;
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
        h('td', {}, ACTION_DONE[entry.action] ?? entry.action),
        h('td', {}, `${STATUS_LABEL[entry.fromStatus]} → ${STATUS_LABEL[entry.toStatus]}`),
        h('td', {}, entry.note),
      ),
    ),
  );
  $('audit-table').hidden = !flag.audit.length;
  $('audit-empty').hidden = flag.audit.length > 0;
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
    setProblem('action-problem', problem);
    (action ? $('action-note') : $('action-problem')).focus();
    return;
  }
  $('action-submit').disabled = true;
  try {
    const { status, body } = await api(
      `/flags/${encodeURIComponent(flag.partnerId)}/${encodeURIComponent(flag.transferId)}/actions`,
      {
        method: 'POST',
        body: JSON.stringify({ action, note, expectedVersion: flag.version }),
      },
    );
    if (status !== 200) {
      const conflict = status === 409;
      setProblem(
        'action-problem',
        `${conflict ? 'Not recorded: someone else acted first. ' : 'Not recorded. '}${body.error?.message ?? `The review API answered ${status}.`}`,
      );
      $('reload-flag').hidden = !conflict;
      $('action-submit').disabled = false;
      $('action-problem').focus();
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
          : `The decision update was sent to ${body.partnerId}${action === 'CONFIRM_FRAUD' ? ', and the recipient account is on the shared watchlist' : ''}.`;
    announce(`${ACTION_DONE[action]}: transfer ${body.transferId}, now version ${body.version}. ${consequence}`);
    $('detail-heading').focus();
  } catch (error) {
    $('action-submit').disabled = false;
    report(error);
  }
}

// ---------- cases ----------

const ROLE_LABEL = { receives: 'Receives', sends: 'Sends', both: 'Receives and sends' };
const PARTY_LABEL = { creditor: 'Recipient', debtor: 'Sender' };

/** A pseudonym is long and meaningless: the graph shows its start, every label and table the whole. */
function shortKey(key) {
  return `${key.slice(0, 8)}…`;
}

async function loadCases({ focus } = {}) {
  show('cases-view');
  $('cases-table').setAttribute('aria-busy', 'true');
  const { status, body } = await api('/cases?limit=100');
  $('cases-table').removeAttribute('aria-busy');
  if (status !== 200) {
    setProblem('cases-problem', body.error?.message ?? `the review API answered ${status}`);
    $('cases-rows').replaceChildren();
    return;
  }
  setProblem('cases-problem', null);
  const rows = body.items.map((item) =>
    h(
      'tr',
      {},
      h(
        'td',
        {},
        h('a', { href: `#/cases/${encodeURIComponent(item.accountKey)}`, className: 'key' }, item.accountKey),
      ),
      h('td', {}, ROLE_LABEL[item.role] ?? item.role),
      h('td', { className: 'number' }, String(item.openFlags)),
      h('td', {}, item.partners.join(', ')),
      h('td', { className: 'number' }, item.totals.map(formatAmount).join(', ')),
      h('td', {}, scoreBadge(item.maxScore)),
      h('td', {}, timeElement(item.firstAt), ' – ', timeElement(item.lastAt)),
    ),
  );
  if (!rows.length) rows.push(h('tr', {}, h('td', { colspan: 7 }, 'No account is shared by two open flags.')));
  $('cases-rows').replaceChildren(...rows);
  if (focus) $('cases-heading').focus();
}

async function openCase(accountKey, { focus = true } = {}) {
  const { status, body } = await api(`/cases/${encodeURIComponent(accountKey)}`);
  show('case-view');
  if (status !== 200) {
    state.case = null;
    $('case-heading').textContent = 'Case';
    setProblem('case-problem', body.error?.message ?? `the review API answered ${status}`);
    for (const id of ['case-summary', 'case-transfer-rows', 'case-network-body']) $(id).replaceChildren();
    $('case-decide').hidden = true;
  } else {
    setProblem('case-problem', null);
    renderCase(body);
    $('case-form').reset();
    setProblem('case-action-problem', null);
    $('reload-case').hidden = true;
    loadNetwork(`/cases/${encodeURIComponent(accountKey)}/network`, $('case-network-body')).catch(report);
  }
  if (focus) $('case-heading').focus();
}

function renderCase(view) {
  state.case = view;
  const open = view.transfers.filter((t) => !['RELEASED', 'CONFIRMED_FRAUD', 'AUTO_RELEASED'].includes(t.status));
  $('case-heading').textContent = `Case of account ${view.account}`;
  facts($('case-summary'), [
    ['Account', view.account],
    ['Pseudonym', h('span', { className: 'key' }, view.accountKey)],
    ['Linked transfers you may see', String(view.transfers.length)],
    ['Still open', String(open.length)],
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
        h('td', {}, STATUS_LABEL[t.status] ?? t.status),
        h('td', {}, t.signals.join(', ')),
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
    $(`${id}-hint`).textContent = choice.allowed ? '' : choice.reason;
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
    setProblem('case-action-problem', problem);
    (action ? $('case-note') : $('case-action-problem')).focus();
    return;
  }
  $('case-submit').disabled = true;
  try {
    const { status, body } = await api(`/cases/${encodeURIComponent(view.accountKey)}/actions`, {
      method: 'POST',
      body: JSON.stringify({ action, note, expectedVersion: view.version }),
    });
    if (status !== 200) {
      const conflict = status === 409;
      setProblem(
        'case-action-problem',
        `${conflict ? 'Not recorded: the case changed. ' : 'Not recorded. '}${body.error?.message ?? `The review API answered ${status}.`}`,
      );
      $('reload-case').hidden = !conflict;
      $('case-submit').disabled = false;
      $('case-action-problem').focus();
      return;
    }
    setProblem('case-action-problem', null);
    $('case-form').reset();
    renderCase(body);
    const settled = body.changed.length;
    const what =
      action === 'CONFIRM_MULE'
        ? `Confirmed as a mule: ${settled} transfer${settled === 1 ? '' : 's'} blocked, each with its own audit entry, and the account is on the shared watchlist.`
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

// ---------- network view ----------

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Counterparties drawn each side; every transfer is in the table below the graph whatever their number. */
const GRAPH_NODES_PER_SIDE = 12;

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes))
    if (value !== undefined) element.setAttribute(name, String(value));
  for (const child of children.flat())
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return element;
}

async function loadNetwork(path, container) {
  container.replaceChildren(h('p', { className: 'muted' }, 'Loading the network…'));
  const { status, body } = await api(path);
  if (status !== 200) {
    container.replaceChildren(
      h('p', { className: 'problem', role: 'alert' }, body.error?.message ?? `the review API answered ${status}`),
    );
    return null;
  }
  renderNetwork(container, body);
  return body;
}

function nodeName(node) {
  return node.inClear ? `account ${node.label}` : `account with pseudonym ${node.key}`;
}

/** One line per counterparty and direction: how many transfers, how much, when the latest was. */
function counterparties(network, direction) {
  const byKey = new Map();
  for (const edge of network.edges.filter((e) => e.direction === direction)) {
    const key = direction === 'inbound' ? edge.from : edge.to;
    const entry = byKey.get(key) ?? { key, edges: [] };
    entry.edges.push(edge);
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}

function totals(edges) {
  // Exact sums: amounts are scaled to 4 decimals (the most the contract allows) as BigInt, never floats.
  const sums = new Map();
  for (const { amount } of edges) {
    const [whole, fraction = ''] = amount.value.split('.');
    const entry = sums.get(amount.currency) ?? { total: 0n, digits: 0 };
    entry.total += BigInt(whole + fraction.padEnd(4, '0'));
    entry.digits = Math.max(entry.digits, fraction.length);
    sums.set(amount.currency, entry);
  }
  return [...sums].map(([currency, { total, digits }]) => {
    const text = total.toString().padStart(5, '0');
    const value = digits ? `${text.slice(0, -4)}.${text.slice(-4, -4 + digits || undefined)}` : text.slice(0, -4);
    return formatAmount({ currency, value });
  });
}

function renderNetwork(container, network) {
  const nodes = new Map(network.nodes.map((node) => [node.key, node]));
  const { graph, hidden } = networkGraph(network, nodes);
  container.replaceChildren(
    h('figure', { className: 'network-figure' }, graph),
    ...networkNotes(network, hidden).map((note) => h('p', { className: 'hint' }, note)),
    h('div', { className: 'table-wrap' }, networkTable(network, nodes)),
  );
}

/** Senders left, the account in the middle, onward recipients right; one line per counterparty. */
function networkGraph(network, nodes) {
  const senders = counterparties(network, 'inbound');
  const recipients = counterparties(network, 'onward');
  const rows = Math.max(1, Math.min(GRAPH_NODES_PER_SIDE, Math.max(senders.length, recipients.length)));
  const height = rows * 48 + 40;
  const center = { x: 380, y: height / 2 };
  const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const graph = svg('svg', {
    viewBox: `0 0 760 ${height}`,
    width: '100%',
    role: 'group',
    'aria-label': `Network graph: ${plural(senders.length, 'sender')} on the left, the account in the middle, ${plural(recipients.length, 'onward recipient')} on the right. Tab through accounts and transfers; the table below lists every transfer.`,
    class: 'network-graph',
  });
  const layers = { edges: svg('g', {}), nodes: svg('g', {}) };
  graph.append(layers.edges, layers.nodes);
  let hidden = 0;
  for (const [list, side] of [
    [senders, 'inbound'],
    [recipients, 'onward'],
  ]) {
    const shown = list.slice(0, GRAPH_NODES_PER_SIDE);
    shown.forEach((entry, i) => {
      const at = { x: side === 'inbound' ? 150 : 610, y: 40 + i * 48 + (rows - shown.length) * 24 };
      drawCounterparty(layers, entry, side, at, center, nodes);
    });
    hidden += list.length - shown.length;
  }
  layers.nodes.append(
    svg(
      'g',
      {
        class: 'node account',
        tabindex: 0,
        role: 'img',
        'aria-label': `The account: ${nodeName(nodes.get(network.accountKey))}; ${senders.length} senders, ${recipients.length} onward recipients in 30 days`,
      },
      svg('circle', { cx: center.x, cy: center.y, r: 16 }),
      svg('text', { x: center.x, y: center.y + 36, 'text-anchor': 'middle' }, graphLabel(nodes, network.accountKey)),
    ),
  );
  return { graph, hidden };
}

function graphLabel(nodes, key) {
  const node = nodes.get(key);
  return node?.inClear ? node.label : shortKey(key);
}

/** One counterparty: its line to the account and its node, each focusable with a label saying what it is. */
function drawCounterparty(layers, entry, side, at, center, nodes) {
  const node = nodes.get(entry.key) ?? { key: entry.key };
  const [from, to] = side === 'inbound' ? [at, center] : [center, at];
  const count = entry.edges.length;
  const summary = `${count} transfer${count === 1 ? '' : 's'}, ${totals(entry.edges).join(' and ')}, latest ${new Date(entry.edges[0].occurredAt).toLocaleString()}`;
  const description =
    side === 'inbound'
      ? `From ${nodeName(node)} to the account: ${summary}`
      : `From the account to ${nodeName(node)}: ${summary}`;
  layers.edges.append(
    svg(
      'g',
      { class: 'edge', tabindex: 0, role: 'img', 'aria-label': description },
      svg('line', { x1: from.x, y1: from.y, x2: to.x, y2: to.y }),
      // Near the outer account, where the lines are still apart, not in the crowded middle.
      svg(
        'text',
        { x: at.x + (center.x - at.x) * 0.4, y: at.y + (center.y - at.y) * 0.4 - 6, 'text-anchor': 'middle' },
        totals(entry.edges)[0],
      ),
    ),
  );
  const inbound = side === 'inbound';
  layers.nodes.append(
    svg(
      'g',
      {
        class: `node ${node.inClear ? 'known' : 'pseudonym'}`,
        tabindex: 0,
        role: 'img',
        'aria-label': `${inbound ? 'Sender' : 'Recipient'}: ${nodeName(node)}; ${summary}`,
      },
      svg('circle', { cx: at.x, cy: at.y, r: 10 }),
      svg(
        'text',
        { x: inbound ? at.x - 16 : at.x + 16, y: at.y + 5, 'text-anchor': inbound ? 'end' : 'start' },
        graphLabel(nodes, entry.key),
      ),
    ),
  );
}

function networkNotes(network, hidden) {
  const notes = [];
  if (hidden)
    notes.push(`The graph draws ${GRAPH_NODES_PER_SIDE} accounts each side; ${hidden} more are in the table.`);
  if (network.truncated.inbound || network.truncated.onward)
    notes.push('Only the latest 200 transfers each way are shown; older ones in the 30 days were left out.');
  if (!network.edges.length) notes.push('No screened transfer to or from this account in the last 30 days.');
  notes.push('Accounts you cannot already read on one of your flags are shown by their pseudonym.');
  return notes;
}

/** The graph's equivalent: every transfer, newest first. */
function networkTable(network, nodes) {
  const account = (key) =>
    h('td', { className: nodes.get(key)?.inClear ? undefined : 'key' }, nodes.get(key)?.label ?? key);
  return h(
    'table',
    { className: 'network-table' },
    h('caption', {}, 'The same network as a table: every transfer of the last 30 days, newest first'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Direction', 'From', 'To', 'Amount', 'Occurred', 'Outcome', 'Partner bank', 'Transfer'].map((name) =>
          h('th', { scope: 'col', className: name === 'Amount' ? 'number' : undefined }, name),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      network.edges.map((edge) =>
        h(
          'tr',
          {},
          h('td', {}, edge.direction === 'inbound' ? 'Into the account' : 'Onward'),
          account(edge.from),
          account(edge.to),
          h('td', { className: 'number' }, formatAmount(edge.amount)),
          h('td', {}, timeElement(edge.occurredAt)),
          h('td', {}, edge.outcome),
          h('td', {}, edge.partnerId ?? 'another bank'),
          h('td', {}, edge.transferId ?? '—'),
        ),
      ),
    ),
  );
}

async function loadFlagNetwork(flag) {
  $('flag-case-link').hidden = true;
  const network = await loadNetwork(
    `/flags/${encodeURIComponent(flag.partnerId)}/${encodeURIComponent(flag.transferId)}/network`,
    $('flag-network-body'),
  );
  if (!network) return;
  $('flag-case-link').replaceChildren(
    h('a', { href: `#/cases/${encodeURIComponent(network.accountKey)}` }, 'Open the case of the recipient account'),
  );
  $('flag-case-link').hidden = false;
}

// ---------- routing ----------

async function route() {
  if (!state.token) return showSignIn();
  const match = /^#\/flags\/([^/]+)\/([^/]+)$/.exec(location.hash);
  if (match) return openFlag(decodeURIComponent(match[1]), decodeURIComponent(match[2]));
  const caseMatch = /^#\/cases\/([^/]+)$/.exec(location.hash);
  if (caseMatch) return openCase(decodeURIComponent(caseMatch[1]));
  if (location.hash === '#/cases') return loadCases({ focus: true });
  return loadQueue({ focus: state.lastOpened ? 'row' : undefined });
}

function report(error) {
  if (error instanceof SignedOut) return;
  announce(`Something went wrong: ${error instanceof Error ? error.message : String(error)}. Try again.`);
}

async function boot() {
  state.config = await fetch('config.json').then((response) => response.json());
  let problem = null;

  // `fraudctl serve` links carry a token in the fragment: keep it for this tab and take it out of
  // the address bar (and the history) at once.
  const fragment = new URLSearchParams(location.hash.slice(1));
  const query = new URLSearchParams(location.search);
  if (fragment.has('token')) {
    problem = useToken(fragment.get('token'));
    history.replaceState(null, '', `${location.pathname}${location.search}#/queue`);
  } else if (state.config.auth?.mode === 'cognito' && query.has('code')) {
    problem = await finishCognitoSignIn(query);
  } else {
    const stored = sessionStorage.getItem(TOKEN_KEY);
    if (stored) problem = useToken(stored);
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
$('reload-case').addEventListener('click', () => {
  if (state.case) openCase(state.case.accountKey).catch(report);
});
$('reload-flag').addEventListener('click', () => {
  if (state.flag) openFlag(state.flag.partnerId, state.flag.transferId).catch(report);
});
window.addEventListener('hashchange', () => {
  announce('');
  route().catch(report);
});

boot().catch((error) => {
  show('sign-in-view');
  setProblem(
    'sign-in-problem',
    `The console could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
});
