// The network view: who paid an account (left) and whom it paid on (right), one line per transfer
// with its amount and time on that line, arrows in the money's direction, and held, allowed and
// blocked transfers told apart by line style and by word, not by colour alone. Laid out by hand in
// lanes, one row per transfer, so that a label can only ever sit on its own line: no layout library.
// The graph is one Tab stop; the arrow keys move inside it (roving tabindex). The table under it
// lists every transfer and is its equivalent.
import { formatAmount, longTime, plain, shortTime, timeElement, utcText } from './format.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Transfers drawn each side; every one is in the table whatever their number. */
export const GRAPH_ROWS_PER_SIDE = 16;

const ROW = 46;
const TOP = 34;
const COLUMNS = {
  senderBox: [8, 188],
  inbound: [188, 396],
  account: [396, 564],
  onward: [564, 772],
  recipientBox: [772, 952],
};
const WIDTH = 960;
/** Each drawing has its own arrow marker id: a flag's and a case's graph may both be in the page. */
let drawings = 0;

/** How each outcome is drawn and said: the line's dash, its mark, and the word. */
const OUTCOMES = {
  ALLOW: { kind: 'allowed', word: 'allowed', dash: undefined, mark: '' },
  DELAY: { kind: 'held', word: 'held (delayed)', dash: '8 5', mark: '‖ ' },
  REVIEW: { kind: 'held', word: 'held for review', dash: '8 5', mark: '‖ ' },
  BLOCK: { kind: 'blocked', word: 'blocked', dash: '2 4', mark: '✕ ' },
};
const outcomeOf = (outcome) => OUTCOMES[outcome] ?? { kind: 'held', word: plain(outcome), dash: '8 5', mark: '' };

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes))
    if (value !== undefined && value !== null) element.setAttribute(name, String(value));
  for (const child of children.flat())
    if (child !== undefined && child !== null)
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return element;
}

function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'className') element.className = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat())
    if (child !== undefined && child !== null && child !== false)
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return element;
}

/**
 * A pseudonym (the task force's view) is long and meaningless: the graph shows its start, every label
 * and the table the whole. A partner officer's view names accounts it cannot read "Account 1", ...
 */
const isPseudonym = (node, key) => !node?.inClear && (node?.label ?? key) === key;
const shortKey = (key) => `${key.slice(0, 8)}…`;
const nodeName = (node) =>
  node?.inClear
    ? `account ${node.label}`
    : isPseudonym(node, node?.key)
      ? `account with pseudonym ${node?.key}`
      : (node?.label ?? 'an account');
const graphLabel = (node, key) => (isPseudonym(node, key) ? shortKey(key) : node.label);
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Draws the network into `container`: legend, graph, notes and table. `current` names the flag's own
 * transfer, which is highlighted (thicker line, a star and the words "this transfer") and focused first.
 */
export function renderNetwork(container, network, { current } = {}) {
  const nodes = new Map(network.nodes.map((node) => [node.key, node]));
  const isCurrent = (edge) =>
    !!current && edge.transferId === current.transferId && edge.partnerId === current.partnerId;
  const sides = {
    inbound: lanes(
      network.edges.filter((e) => e.direction === 'inbound'),
      (e) => e.from,
    ),
    onward: lanes(
      network.edges.filter((e) => e.direction === 'onward'),
      (e) => e.to,
    ),
  };
  const hidden = sides.inbound.hidden + sides.onward.hidden;
  const arrow = `network-arrow-${++drawings}`;
  const figure = h(
    'figure',
    { className: 'network-figure' },
    // Not a Tab stop of its own (Chromium makes scrollers focusable): focus inside scrolls it.
    h('div', { className: 'network-scroll', tabindex: '-1' }, graph(network, nodes, sides, isCurrent, arrow)),
    h('figcaption', {}, legend(!!current && network.edges.some(isCurrent), arrow)),
  );
  container.replaceChildren(
    figure,
    ...notes(network, hidden).map((note) => h('p', { className: 'hint' }, note)),
    h('div', { className: 'table-wrap' }, table(network, nodes, isCurrent)),
    network.otherBanks?.length ? h('div', { className: 'table-wrap' }, otherBanksTable(network.otherBanks)) : null,
  );
}

/** Other banks' transfers of the account, as a partner officer may see them: daily totals per bank. */
function otherBanksTable(days) {
  return h(
    'table',
    { className: 'network-table other-banks' },
    h(
      'caption',
      {},
      "Other banks' transfers of this account: daily totals per bank, as the task force shares them (no single transfer)",
    ),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Day (UTC)', 'Bank', 'Direction', 'Transfers', 'Of which held', 'Total'].map((name) =>
          h(
            'th',
            { scope: 'col', className: ['Transfers', 'Of which held', 'Total'].includes(name) ? 'number' : undefined },
            name,
          ),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      days.map((day) =>
        h(
          'tr',
          {},
          h('td', {}, day.day),
          h('td', {}, day.partnerId),
          h('td', {}, day.direction === 'inbound' ? 'Into the account' : 'Onward'),
          h('td', { className: 'number' }, String(day.transfers)),
          h('td', { className: 'number' }, String(day.held)),
          h('td', { className: 'number' }, formatAmount({ value: day.total, currency: day.currency })),
        ),
      ),
    ),
  );
}

/** Groups one side's transfers by counterparty (latest first) into rows, at most GRAPH_ROWS_PER_SIDE. */
function lanes(edges, counterparty) {
  const groups = new Map();
  for (const edge of edges) {
    const key = counterparty(edge);
    groups.set(key, [...(groups.get(key) ?? []), edge]);
  }
  const rows = [];
  const boxes = [];
  for (const [key, list] of groups) {
    if (rows.length >= GRAPH_ROWS_PER_SIDE) break;
    const shown = list.slice(0, GRAPH_ROWS_PER_SIDE - rows.length);
    boxes.push({ key, first: rows.length, last: rows.length + shown.length - 1, edges: list });
    rows.push(...shown);
  }
  return { rows, boxes, hidden: edges.length - rows.length };
}

const rowY = (row, rows, total) => TOP + (row + (total - rows) / 2) * ROW + ROW / 2;

function graph(network, nodes, sides, isCurrent, arrow) {
  const total = Math.max(1, sides.inbound.rows.length, sides.onward.rows.length);
  const height = TOP + total * ROW + 12;
  const items = [];
  const root = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${height}`,
    width: WIDTH,
    height,
    class: 'network-graph',
    tabindex: -1,
    role: 'group',
    'aria-roledescription': 'network graph',
    'aria-label': `Network graph: ${plural(sides.inbound.boxes.length, 'sender')} on the left, the account in the middle, ${plural(sides.onward.boxes.length, 'onward recipient')} on the right, one line per transfer${network.scope === 'own bank' ? ' of your bank' : ''}. Use the arrow keys to move between accounts and transfers; the table below lists ${network.scope === 'own bank' ? "the same transfers, and the next one other banks' daily totals" : 'every transfer'}.`,
  });
  root.append(
    svg(
      'defs',
      {},
      svg(
        'marker',
        {
          id: arrow,
          viewBox: '0 0 10 10',
          refX: 10,
          refY: 5,
          // In user units, so that the thicker line of this transfer keeps an arrow of the same size.
          markerUnits: 'userSpaceOnUse',
          markerWidth: 9,
          markerHeight: 9,
          orient: 'auto-start-reverse',
        },
        svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow-head' }),
      ),
    ),
  );
  for (const [x, anchor, text] of [
    [COLUMNS.senderBox[0], 'start', 'Senders'],
    [(COLUMNS.account[0] + COLUMNS.account[1]) / 2, 'middle', 'The account'],
    [COLUMNS.recipientBox[1], 'end', 'Onward recipients'],
  ])
    root.append(svg('text', { x, y: 16, 'text-anchor': anchor, class: 'column-heading' }, text));

  const account = nodes.get(network.accountKey);
  const accountBox = svg(
    'g',
    {
      class: 'node account',
      role: 'img',
      'aria-label': `The account: ${nodeName(account)}; ${plural(sides.inbound.rows.length + sides.inbound.hidden, 'transfer')} in, ${plural(sides.onward.rows.length + sides.onward.hidden, 'transfer')} out in 30 days`,
    },
    svg('rect', {
      x: COLUMNS.account[0] + 8,
      y: TOP,
      width: COLUMNS.account[1] - COLUMNS.account[0] - 16,
      height: total * ROW,
      rx: 6,
    }),
    svg(
      'text',
      { x: (COLUMNS.account[0] + COLUMNS.account[1]) / 2, y: TOP + (total * ROW) / 2, 'text-anchor': 'middle' },
      graphLabel(account, network.accountKey),
    ),
  );
  const layers = { rows: svg('g', {}), edges: svg('g', {}), nodes: svg('g', {}) };
  root.append(layers.rows, layers.edges, layers.nodes);
  layers.nodes.append(accountBox);
  items.push({ element: accountBox, column: 2, y: TOP + (total * ROW) / 2 });

  for (const [side, column] of [
    ['inbound', 0],
    ['onward', 4],
  ]) {
    const { rows, boxes } = sides[side];
    const [boxLeft, boxRight] = side === 'inbound' ? COLUMNS.senderBox : COLUMNS.recipientBox;
    for (const box of boxes) {
      const node = nodes.get(box.key) ?? { key: box.key };
      const top = rowY(box.first, rows.length, total) - ROW / 2 + 4;
      const bottom = rowY(box.last, rows.length, total) + ROW / 2 - 4;
      const element = svg(
        'g',
        {
          class: `node ${node.inClear ? 'known' : 'pseudonym'}`,
          role: 'img',
          'aria-label': `${side === 'inbound' ? 'Sender' : 'Recipient'}: ${nodeName(node)}; ${plural(box.edges.length, 'transfer')}`,
        },
        svg('rect', { x: boxLeft, y: top, width: boxRight - boxLeft - 10, height: bottom - top, rx: 6 }),
        svg('text', { x: boxLeft + 10, y: (top + bottom) / 2 - 2 }, graphLabel(node, box.key)),
        svg(
          'text',
          { x: boxLeft + 10, y: (top + bottom) / 2 + 14, class: 'sub' },
          plural(box.edges.length, 'transfer'),
        ),
      );
      layers.nodes.append(element);
      items.push({ element, column, y: (top + bottom) / 2 });
    }
    rows.forEach((edge, row) => {
      const y = rowY(row, rows.length, total);
      const element = drawEdge(edge, side, y, nodes, isCurrent(edge), arrow);
      if (isCurrent(edge))
        layers.rows.append(svg('rect', { x: 0, y: y - ROW / 2, width: WIDTH, height: ROW, class: 'current-row' }));
      layers.edges.append(element);
      items.push({ element, column: column === 0 ? 1 : 3, y, current: isCurrent(edge) });
    });
  }
  rove(root, items);
  return root;
}

/** One transfer: an arrow from the payer to the payee, its amount above and its time and outcome below. */
function drawEdge(edge, side, y, nodes, current, arrow) {
  const [x1, x2] = side === 'inbound' ? COLUMNS.inbound : COLUMNS.onward;
  const from = side === 'inbound' ? x1 : x1 + 8;
  const to = side === 'inbound' ? x2 + 6 : x2 - 2;
  const outcome = outcomeOf(edge.outcome);
  const middle = (x1 + x2) / 2;
  const other = nodes.get(side === 'inbound' ? edge.from : edge.to) ?? {
    key: side === 'inbound' ? edge.from : edge.to,
  };
  const description = `${current ? 'This transfer: ' : ''}${formatAmount(edge.amount)} ${side === 'inbound' ? `from ${nodeName(other)} to the account` : `from the account to ${nodeName(other)}`}, ${longTime(edge.occurredAt)} (${utcText(edge.occurredAt)}), ${outcome.word}, screened by ${edge.partnerId}`;
  return svg(
    'g',
    { class: `edge ${outcome.kind}${current ? ' current' : ''}`, role: 'img', 'aria-label': description },
    svg('line', { x1: from, y1: y, x2: to, y2: y, 'stroke-dasharray': outcome.dash, 'marker-end': `url(#${arrow})` }),
    svg(
      'text',
      { x: middle, y: y - 6, 'text-anchor': 'middle', class: 'amount' },
      `${current ? '★ ' : ''}${formatAmount(edge.amount)}`,
    ),
    svg(
      'text',
      { x: middle, y: y + 15, 'text-anchor': 'middle', class: 'sub' },
      `${outcome.mark}${shortTime(edge.occurredAt)} · ${outcome.kind}`,
    ),
  );
}

/**
 * Roving tabindex: one item of the graph is in the Tab order; Up and Down move within a column
 * (senders, transfers in, the account, transfers out, recipients), Left and Right to the nearest item
 * of the next column, Home and End to the first and last.
 */
function rove(root, items) {
  const order = [...items].sort((a, b) => a.column - b.column || a.y - b.y);
  let active = order.find((item) => item.current) ?? order.find((item) => item.column === 2) ?? order[0];
  for (const item of order) item.element.setAttribute('tabindex', item === active ? '0' : '-1');
  const moveTo = (item) => {
    if (!item) return;
    active.element.setAttribute('tabindex', '-1');
    active = item;
    item.element.setAttribute('tabindex', '0');
    item.element.focus();
  };
  const nearest = (column, y) =>
    order.filter((item) => item.column === column).sort((a, b) => Math.abs(a.y - y) - Math.abs(b.y - y))[0];
  root.addEventListener('focusin', (event) => {
    const item = order.find((candidate) => candidate.element === event.target);
    if (item && item !== active) {
      active.element.setAttribute('tabindex', '-1');
      active = item;
      item.element.setAttribute('tabindex', '0');
    }
  });
  root.addEventListener('keydown', (event) => {
    const inColumn = order.filter((item) => item.column === active.column);
    const at = inColumn.indexOf(active);
    const columns = [...new Set(order.map((item) => item.column))];
    const columnAt = columns.indexOf(active.column);
    const target = {
      ArrowUp: () => inColumn[at - 1],
      ArrowDown: () => inColumn[at + 1],
      ArrowLeft: () => (columnAt > 0 ? nearest(columns[columnAt - 1], active.y) : undefined),
      ArrowRight: () => (columnAt < columns.length - 1 ? nearest(columns[columnAt + 1], active.y) : undefined),
      Home: () => order[0],
      End: () => order.at(-1),
    }[event.key];
    if (!target) return;
    event.preventDefault();
    moveTo(target());
  });
}

function legend(withCurrent, arrow) {
  const sample = (kind, dash, text) =>
    h(
      'li',
      {},
      svg(
        'svg',
        { viewBox: '0 0 44 12', width: 44, height: 12, 'aria-hidden': 'true', class: `sample edge ${kind}` },
        svg('line', { x1: 1, y1: 6, x2: 40, y2: 6, 'stroke-dasharray': dash, 'marker-end': `url(#${arrow})` }),
      ),
      ' ',
      text,
    );
  return h(
    'ul',
    { className: 'legend', 'aria-label': 'Legend' },
    sample('allowed', undefined, 'allowed: solid line'),
    sample('held', '8 5', '‖ held (delayed or for review): dashed line'),
    sample('blocked', '2 4', '✕ blocked: dotted line'),
    h('li', {}, '→ arrows point the way the money went'),
    withCurrent ? h('li', {}, h('strong', {}, '★ this transfer'), ': thicker line, shaded row') : null,
    h(
      'li',
      {},
      h('span', { className: 'swatch known', 'aria-hidden': 'true' }),
      ' account number shown: on one of your flags',
    ),
    h('li', {}, h('span', { className: 'swatch pseudonym', 'aria-hidden': 'true' }), ' account number not shown'),
  );
}

function notes(network, hidden) {
  const list = [];
  if (hidden) list.push(`The graph draws ${GRAPH_ROWS_PER_SIDE} transfers each side; ${hidden} more are in the table.`);
  if (network.truncated.inbound || network.truncated.onward)
    list.push('Only the latest 200 transfers each way are shown; older ones in the 30 days were left out.');
  if (!network.edges.length) list.push('No screened transfer to or from this account in the last 30 days.');
  list.push(
    `Accounts you cannot already read on one of your flags are shown by ${network.scope === 'own bank' ? 'a name of this view only (Account 1, ...)' : 'their pseudonym'}. Times are in your time zone (${zoneName()}); hover a time in the table for UTC.`,
  );
  return list;
}

function zoneName() {
  return (
    new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' })
      .formatToParts(new Date())
      .find((part) => part.type === 'timeZoneName')?.value ?? 'local time'
  );
}

/** The graph's equivalent: every transfer, newest first, this transfer marked. */
function table(network, nodes, isCurrent) {
  const account = (key) =>
    h('td', { className: nodes.get(key)?.inClear ? undefined : 'key' }, nodes.get(key)?.label ?? key);
  return h(
    'table',
    { className: 'network-table' },
    h(
      'caption',
      {},
      `The same network as a table: ${network.scope === 'own bank' ? "your bank's transfers" : 'every transfer'} of the last 30 days, newest first`,
    ),
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
          { className: isCurrent(edge) ? 'current' : undefined },
          h('td', {}, edge.direction === 'inbound' ? 'Into the account' : 'Onward'),
          account(edge.from),
          account(edge.to),
          h('td', { className: 'number' }, formatAmount(edge.amount)),
          h('td', {}, timeElement(edge.occurredAt)),
          h('td', {}, `${outcomeOf(edge.outcome).mark}${outcomeOf(edge.outcome).word}`),
          h('td', {}, edge.partnerId),
          h('td', {}, edge.transferId, isCurrent(edge) ? h('strong', {}, ' ★ this transfer') : null),
        ),
      ),
    ),
  );
}
