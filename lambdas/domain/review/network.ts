import type { Outcome } from '../contract/decision.ts';
import { formatMinorUnits, toMinorUnits } from '../contract/money.ts';
import { canSeePartner, isTaskForce, type Officer } from './officer.ts';

/** The network view covers the account's transfers of the last 30 days. */
export const NETWORK_WINDOW_DAYS = 30;
/** At most this many transfers each way (the latest): a bounded read whatever the account's traffic. */
export const NETWORK_EDGE_LIMIT = 200;

/** One screened transfer as the Decisions table's account indexes keep it: no account number, no name. */
export interface NetworkEdge {
  readonly partnerId: string;
  readonly transferId: string;
  readonly debtorKey: string;
  readonly creditorKey: string;
  readonly amount: { readonly value: string; readonly currency: string };
  /** UTC ISO time the transfer happened. */
  readonly occurredAt: string;
  readonly outcome: Outcome;
}

/** What the store returns for one account: its latest inbound and onward transfers in the window. */
export interface StoredNetwork {
  readonly accountKey: string;
  readonly since: string;
  readonly until: string;
  readonly inbound: readonly NetworkEdge[];
  readonly onward: readonly NetworkEdge[];
  /** True when a direction had more transfers than NETWORK_EDGE_LIMIT in the window (older ones left out). */
  readonly truncated: { readonly inbound: boolean; readonly onward: boolean };
}

export interface NetworkNode {
  /**
   * The account's pseudonym for the task force; for a partner officer an alias of this view only
   * (a1, a2, ...), so that no officer can follow another bank's customer from one view to the next.
   */
  readonly key: string;
  /**
   * The account number where the viewer can already read it on one of their flags; else the
   * pseudonym (task force) or "Account 1", "Account 2", ... (partner officer).
   */
  readonly label: string;
  readonly inClear: boolean;
  readonly role: 'account' | 'sender' | 'recipient' | 'sender and recipient';
}

export interface NetworkViewEdge {
  readonly direction: 'inbound' | 'onward';
  readonly from: string;
  readonly to: string;
  readonly partnerId: string;
  readonly transferId: string;
  readonly amount: NetworkEdge['amount'];
  readonly occurredAt: string;
  readonly outcome: Outcome;
}

/**
 * Another bank's transfers of the account as a partner officer sees them: counted and summed per
 * bank, direction, day (UTC) and currency, as the task force agreed to share, never one by one.
 */
export interface OtherBanksDay {
  readonly partnerId: string;
  readonly direction: 'inbound' | 'onward';
  /** YYYY-MM-DD, UTC. */
  readonly day: string;
  readonly currency: string;
  readonly transfers: number;
  readonly total: string;
  /** Of which held (DELAY, REVIEW or BLOCK). */
  readonly held: number;
}

export interface NetworkView {
  /** What the viewer sees one by one: every bank's transfers (task force), or its own bank's. */
  readonly scope: 'every bank' | 'own bank';
  readonly accountKey: string;
  readonly since: string;
  readonly until: string;
  readonly nodes: readonly NetworkNode[];
  /** Every transfer for the task force; a partner officer's own bank's only. */
  readonly edges: readonly NetworkViewEdge[];
  /** Empty for the task force, who sees every transfer in `edges`. */
  readonly otherBanks: readonly OtherBanksDay[];
  readonly truncated: StoredNetwork['truncated'];
}

/** The start of the window ending at `now`. */
export function networkSince(now: Date): Date {
  return new Date(now.getTime() - NETWORK_WINDOW_DAYS * 86_400_000);
}

/**
 * The network as one officer may see it (the disclosure table of the README, cell by cell):
 * - the task force sees every transfer, with its bank and id, and every account by its pseudonym;
 * - a partner officer sees its own bank's transfers in full, other banks' only as daily totals per bank
 *   (OtherBanksDay), and the counterparties of its own transfers by an alias of this view;
 * - anyone sees an account in clear where `knownAccounts` names it: the accounts of flags the officer
 *   can already read.
 */
export function presentNetwork(
  stored: StoredNetwork,
  officer: Pick<Officer, 'partnerId'>,
  knownAccounts: ReadonlyMap<string, string>,
): NetworkView {
  const everything = isTaskForce(officer);
  const shown = (edge: NetworkEdge) => everything || canSeePartner(officer, edge.partnerId);
  const aliases = new Map<string, string>();
  const keyOf = (key: string) => {
    if (everything || key === stored.accountKey) return key;
    if (!aliases.has(key)) aliases.set(key, `a${aliases.size + 1}`);
    return aliases.get(key)!;
  };
  const roles = new Map<string, { account: string; roles: Set<'sender' | 'recipient'> }>();
  const note = (key: string, role: 'sender' | 'recipient') => {
    if (key === stored.accountKey) return;
    const shownAs = keyOf(key);
    const seen = roles.get(shownAs) ?? { account: key, roles: new Set() };
    seen.roles.add(role);
    roles.set(shownAs, seen);
  };
  const edges: NetworkViewEdge[] = [];
  const others: Array<NetworkEdge & { direction: 'inbound' | 'onward' }> = [];
  for (const [direction, list] of [
    ['inbound', stored.inbound],
    ['onward', stored.onward],
  ] as const) {
    for (const edge of list) {
      if (!shown(edge)) {
        others.push({ ...edge, direction });
        continue;
      }
      note(edge.debtorKey, 'sender');
      note(edge.creditorKey, 'recipient');
      edges.push({
        direction,
        from: keyOf(edge.debtorKey),
        to: keyOf(edge.creditorKey),
        partnerId: edge.partnerId,
        transferId: edge.transferId,
        amount: edge.amount,
        occurredAt: edge.occurredAt,
        outcome: edge.outcome,
      });
    }
  }
  edges.sort((a, b) => (a.occurredAt < b.occurredAt ? 1 : a.occurredAt > b.occurredAt ? -1 : 0));
  const node = (key: string, account: string, role: NetworkNode['role']): NetworkNode => {
    const clear = knownAccounts.get(account);
    if (clear !== undefined) return { key, label: clear, inClear: true, role };
    return { key, label: key === account ? key : `Account ${key.slice(1)}`, inClear: false, role };
  };
  const nodes = [
    node(stored.accountKey, stored.accountKey, 'account'),
    ...[...roles].map(([key, { account, roles: set }]) =>
      node(key, account, set.size === 2 ? 'sender and recipient' : [...set][0]!),
    ),
  ];
  return {
    scope: everything ? 'every bank' : 'own bank',
    accountKey: stored.accountKey,
    since: stored.since,
    until: stored.until,
    nodes,
    edges,
    otherBanks: dailyTotals(others),
    truncated: stored.truncated,
  };
}

/** Other banks' transfers as daily totals per bank, direction and currency, latest day first. */
function dailyTotals(edges: ReadonlyArray<NetworkEdge & { direction: 'inbound' | 'onward' }>): OtherBanksDay[] {
  const days = new Map<string, { row: Omit<OtherBanksDay, 'total'>; minor: bigint }>();
  for (const edge of edges) {
    const day = edge.occurredAt.slice(0, 10);
    const id = [edge.partnerId, edge.direction, day, edge.amount.currency].join(' ');
    const found = days.get(id) ?? {
      row: {
        partnerId: edge.partnerId,
        direction: edge.direction,
        day,
        currency: edge.amount.currency,
        transfers: 0,
        held: 0,
      },
      minor: 0n,
    };
    days.set(id, {
      row: {
        ...found.row,
        transfers: found.row.transfers + 1,
        held: found.row.held + (edge.outcome === 'ALLOW' ? 0 : 1),
      },
      minor: found.minor + toMinorUnits(edge.amount.value, edge.amount.currency),
    });
  }
  return [...days.values()]
    .map(({ row, minor }) => ({ ...row, total: formatMinorUnits(minor, row.currency) }))
    .sort(
      (a, b) =>
        b.day.localeCompare(a.day) ||
        a.partnerId.localeCompare(b.partnerId) ||
        a.direction.localeCompare(b.direction) ||
        a.currency.localeCompare(b.currency),
    );
}

/** Whether an officer may open the network of an account: the task force any, others one of their flags'. */
export function mayViewNetwork(officer: Pick<Officer, 'partnerId'>, linkedPartners: readonly string[]): boolean {
  return isTaskForce(officer) || linkedPartners.some((partnerId) => canSeePartner(officer, partnerId));
}
