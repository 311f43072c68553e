import type { Outcome } from '../contract/decision.ts';
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
  readonly key: string;
  /** The account number where the viewer can already read it on one of their flags, else the pseudonym. */
  readonly label: string;
  readonly inClear: boolean;
  readonly role: 'account' | 'sender' | 'recipient' | 'sender and recipient';
}

export interface NetworkViewEdge {
  readonly direction: 'inbound' | 'onward';
  readonly from: string;
  readonly to: string;
  /** The screening partner, or null for another bank's transfer seen by a partner officer. */
  readonly partnerId: string | null;
  readonly transferId: string | null;
  readonly amount: NetworkEdge['amount'];
  readonly occurredAt: string;
  readonly outcome: Outcome;
}

export interface NetworkView {
  readonly accountKey: string;
  readonly since: string;
  readonly until: string;
  readonly nodes: readonly NetworkNode[];
  readonly edges: readonly NetworkViewEdge[];
  readonly truncated: StoredNetwork['truncated'];
}

/** The start of the window ending at `now`. */
export function networkSince(now: Date): Date {
  return new Date(now.getTime() - NETWORK_WINDOW_DAYS * 86_400_000);
}

/**
 * The network as one officer may see it. Every transfer is shown (the point is to follow money across
 * banks), but another bank's transfer to a partner officer carries no partner or transfer id, and an
 * account is shown in clear only where `knownAccounts` names it: the accounts of flags the officer can
 * already read. Every other account is its pseudonym.
 */
export function presentNetwork(
  stored: StoredNetwork,
  officer: Pick<Officer, 'partnerId'>,
  knownAccounts: ReadonlyMap<string, string>,
): NetworkView {
  const roles = new Map<string, Set<'sender' | 'recipient'>>();
  const note = (key: string, role: 'sender' | 'recipient') => {
    if (key === stored.accountKey) return;
    roles.set(key, (roles.get(key) ?? new Set()).add(role));
  };
  const edges: NetworkViewEdge[] = [];
  for (const [direction, list] of [
    ['inbound', stored.inbound],
    ['onward', stored.onward],
  ] as const) {
    for (const edge of list) {
      note(edge.debtorKey, 'sender');
      note(edge.creditorKey, 'recipient');
      const visible = canSeePartner(officer, edge.partnerId);
      edges.push({
        direction,
        from: edge.debtorKey,
        to: edge.creditorKey,
        partnerId: visible ? edge.partnerId : null,
        transferId: visible ? edge.transferId : null,
        amount: edge.amount,
        occurredAt: edge.occurredAt,
        outcome: edge.outcome,
      });
    }
  }
  edges.sort((a, b) => (a.occurredAt < b.occurredAt ? 1 : a.occurredAt > b.occurredAt ? -1 : 0));
  const node = (key: string, role: NetworkNode['role']): NetworkNode => {
    const clear = knownAccounts.get(key);
    return { key, label: clear ?? key, inClear: clear !== undefined, role };
  };
  const nodes = [
    node(stored.accountKey, 'account'),
    ...[...roles].map(([key, set]) => node(key, set.size === 2 ? 'sender and recipient' : [...set][0]!)),
  ];
  return {
    accountKey: stored.accountKey,
    since: stored.since,
    until: stored.until,
    nodes,
    edges,
    truncated: stored.truncated,
  };
}

/** Whether an officer may open the network of an account: the task force any, others one of their flags'. */
export function mayViewNetwork(officer: Pick<Officer, 'partnerId'>, linkedPartners: readonly string[]): boolean {
  return isTaskForce(officer) || linkedPartners.some((partnerId) => canSeePartner(officer, partnerId));
}
