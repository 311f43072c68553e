import { createHash } from 'node:crypto';
import { toMinorUnits, formatMinorUnits } from '../contract/money.ts';
import { isFinal, isPendingHold, type Flag, type FlagRow } from './flag.ts';
import { canSeePartner, type Officer } from './officer.ts';
import { ReviewRefusal } from './refusal.ts';
import type { ReleasePolicy } from './release-policy.ts';
import { decideAction, type ActionChoice, type Actor } from './transition.ts';

/**
 * A case gathers every flag whose creditor or debtor is one pseudonymised account: the 30 victims'
 * transfers to a mule account become one thing to decide, across partner banks.
 */

/** A pseudonymised account key as the pseudonymiser makes it: 22 base64url characters. */
export const ACCOUNT_KEY_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** Which side of a linked transfer the case's account is on. */
export type CaseParty = 'creditor' | 'debtor';

export interface AccountKeys {
  readonly debtor: string;
  readonly creditor: string;
}

/** A flag with the pseudonymised keys of its two accounts, as the Flags table's account indexes hold it. */
export interface LinkedFlag {
  readonly flag: Flag;
  readonly accountKeys: AccountKeys;
}

/** A flag's review-queue row with the keys of its two accounts: what the case list groups. */
export interface QueuedFlag {
  readonly row: FlagRow;
  readonly accountKeys: AccountKeys;
}

export const CASE_ACTIONS = ['CONFIRM_MULE', 'ESCALATE'] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

export interface CaseActionRequest {
  readonly action: CaseAction;
  readonly note: string;
  /** The case version the officer decided on (caseVersion): any change to a flag in view changes it. */
  readonly expectedVersion: string;
}

/** One flag's change within a case action: what was read, and what it becomes. */
export interface CaseStep {
  readonly current: Flag;
  readonly next: Flag;
}

export function partyOf(linked: LinkedFlag, accountKey: string): CaseParty {
  return linked.accountKeys.creditor === accountKey ? 'creditor' : 'debtor';
}

export const isOpen = (flag: Flag): boolean => !isFinal(flag.status);

/** Partner officers see their own bank's transfers in a case; the task force sees every bank's. */
export function visibleInCase(linked: readonly LinkedFlag[], officer: Pick<Officer, 'partnerId'>): LinkedFlag[] {
  return linked.filter((l) => canSeePartner(officer, l.flag.partnerId));
}

/**
 * The version of a case as one officer sees it: a digest of every visible flag and its version, so
 * that a decision taken on a case someone changed meanwhile is refused, as for a single flag.
 */
export function caseVersion(visible: readonly LinkedFlag[]): string {
  const lines = visible.map((l) => `${l.flag.partnerId}/${l.flag.transferId}@${l.flag.version}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('base64url').slice(0, 16);
}

const FLAG_ACTION = { CONFIRM_MULE: 'CONFIRM_FRAUD', ESCALATE: 'ESCALATE' } as const;

/**
 * The per-flag transitions a case action makes, every one through the flag state machine (decideAction:
 * scope, roles, four eyes) so that a case confirmation means exactly what confirming each flag means.
 * CONFIRM_MULE confirms every open flag in view as fraud, listing the case's account (the creditor or
 * the debtor of each transfer, whichever it is); ESCALATE escalates the pending ones. All or nothing:
 * when any flag refuses, nothing is decided and the refusal names each flag and why.
 */
export function decideCaseAction(
  accountKey: string,
  visible: readonly LinkedFlag[],
  officer: Actor,
  request: CaseActionRequest,
  policy: ReleasePolicy,
  now: Date,
): CaseStep[] {
  const current = caseVersion(visible);
  if (request.expectedVersion !== current) {
    throw new ReviewRefusal(
      'VERSION_CONFLICT',
      `the case changed after you loaded it (a linked flag was decided or added): reload it and decide again`,
    );
  }
  const open = visible.filter((l) => isOpen(l.flag));
  if (!open.length) throw new ReviewRefusal('FLAG_CLOSED', 'every flag of this case that you can see is already final');
  const targets = request.action === 'ESCALATE' ? open.filter((l) => l.flag.status === 'PENDING') : open;
  if (!targets.length)
    throw new ReviewRefusal('ALREADY_ESCALATED', 'every open flag of this case is already escalated to a supervisor');

  if (request.action === 'CONFIRM_MULE') refuseVictimListing(accountKey, visible, targets);

  const steps: CaseStep[] = [];
  const refusals: ReviewRefusal[] = [];
  const refused: string[] = [];
  for (const linked of targets) {
    const flagRequest = {
      action: FLAG_ACTION[request.action],
      note: `${request.action === 'CONFIRM_MULE' ? 'mule account confirmed' : 'case escalated'} (case ${accountKey}): ${request.note}`,
      expectedVersion: linked.flag.version,
      listedParty: partyOf(linked, accountKey),
    };
    try {
      steps.push({ current: linked.flag, next: decideAction(linked.flag, officer, flagRequest, policy, now) });
    } catch (error) {
      if (!(error instanceof ReviewRefusal)) throw error;
      refusals.push(error);
      refused.push(`${linked.flag.partnerId}/${linked.flag.transferId}: ${error.message}`);
    }
  }
  if (refusals.length) {
    throw new ReviewRefusal(
      refusals[0]!.code,
      `nothing was decided: ${refused.length} of the case's ${targets.length} flags cannot be — ${refused.join('; ')}`,
    );
  }
  return steps;
}

/** The rule pack's typology for money sent on within hours of being received (PASS-THROUGH-1H, -24H). */
export const PASS_THROUGH_TYPOLOGY = 'rapid-pass-through';

/**
 * Whether the case shows that its account passed money on when it sent this transfer: screening found
 * the pass-through pattern in it, or the account received one of the case's transfers no later than it
 * sent this one. A sender without either may be the victim, not the mule.
 */
export function showsPassThrough(accountKey: string, visible: readonly LinkedFlag[], sent: LinkedFlag): boolean {
  if (sent.flag.reasons.some((reason) => reason.typology === PASS_THROUGH_TYPOLOGY)) return true;
  const sentAt = Date.parse(sent.flag.transfer.occurredAt);
  return visible.some((l) => l.accountKeys.creditor === accountKey && Date.parse(l.flag.transfer.occurredAt) <= sentAt);
}

/** Listing a case's account as the sender of a transfer needs pass-through evidence: never list a victim. */
function refuseVictimListing(accountKey: string, visible: readonly LinkedFlag[], targets: readonly LinkedFlag[]) {
  const unproven = targets.filter(
    (l) => partyOf(l, accountKey) === 'debtor' && !showsPassThrough(accountKey, visible, l),
  );
  if (!unproven.length) return;
  const named = unproven.map((l) => `${l.flag.partnerId}/${l.flag.transferId}`).join(', ');
  throw new ReviewRefusal(
    'NO_PASS_THROUGH',
    `nothing was decided: account ${accountKey} sent ${named} but the case shows no pass-through (no money received by it before, and no ${PASS_THROUGH_TYPOLOGY} reason), so it may be a victim's account; listing a sender needs that evidence. Confirm the recipients' cases instead, or escalate`,
  );
}

/** What the officer could do to the case now, and if not, why (shown beside a disabled control). */
export function caseChoices(
  accountKey: string,
  visible: readonly LinkedFlag[],
  officer: Actor,
  policy: ReleasePolicy,
  now: Date,
): Record<CaseAction, ActionChoice> {
  const expectedVersion = caseVersion(visible);
  const choice = (action: CaseAction): ActionChoice => {
    try {
      decideCaseAction(accountKey, visible, officer, { action, note: 'preview', expectedVersion }, policy, now);
      return { allowed: true };
    } catch (error) {
      if (error instanceof ReviewRefusal) return { allowed: false, reason: error.message };
      throw error;
    }
  };
  return { CONFIRM_MULE: choice('CONFIRM_MULE'), ESCALATE: choice('ESCALATE') };
}

/** Signals of a victim in a transfer, in words: what a case reader scans down a column for. */
export function victimSignals(flag: Flag): string[] {
  const context = flag.transfer.context ?? {};
  const signals: string[] = [];
  if (context.activeCall) signals.push('on a phone call');
  if (context.remoteAccessApp) signals.push('remote-access app');
  if (context.newPayee) signals.push('new payee');
  if (context.newDevice) signals.push('new device');
  const birthYear = flag.transfer.debtor.birthYear;
  const age = birthYear === undefined ? undefined : new Date(flag.transfer.occurredAt).getUTCFullYear() - birthYear;
  if (age !== undefined && age >= 60) signals.push(`sender aged ${age}`);
  for (const typology of new Set(flag.reasons.map((reason) => reason.typology))) signals.push(typology);
  return signals;
}

/** One row of the case list. */
export interface CaseSummary {
  readonly accountKey: string;
  /** Which side the account is on in its open flags: receives (creditor), sends (debtor), or both. */
  readonly role: 'receives' | 'sends' | 'both';
  readonly openFlags: number;
  /** Of the open flags, those waiting for any officer and those escalated to a supervisor. */
  readonly pendingFlags: number;
  readonly escalatedFlags: number;
  /** The soonest end of a DELAY hold among the pending flags (released automatically then), or null. */
  readonly earliestHoldUntil: string | null;
  readonly partners: readonly string[];
  readonly maxScore: number;
  readonly firstAt: string;
  readonly lastAt: string;
  /** Sum of the open flags' amounts, per currency, as major-unit decimal strings. */
  readonly totals: ReadonlyArray<{ readonly currency: string; readonly value: string }>;
}

/**
 * Cases from open flags: every account that two or more of them share, as creditor or debtor. Most
 * flags first, then highest score; an account on a single flag is that flag, not a case.
 */
export function groupCases(open: readonly QueuedFlag[], minFlags = 2): CaseSummary[] {
  const groups = new Map<string, { linked: QueuedFlag[]; parties: Set<CaseParty> }>();
  for (const linked of open) {
    for (const party of ['creditor', 'debtor'] as const) {
      const key = linked.accountKeys[party];
      const group = groups.get(key) ?? { linked: [], parties: new Set() };
      if (!group.linked.includes(linked)) group.linked.push(linked);
      group.parties.add(party);
      groups.set(key, group);
    }
  }
  const cases: CaseSummary[] = [];
  for (const [accountKey, { linked, parties }] of groups) {
    if (linked.length < minFlags) continue;
    const flags = linked.map((l) => l.row);
    const times = flags.map((f) => f.occurredAt).sort((a, b) => Date.parse(a) - Date.parse(b));
    cases.push({
      accountKey,
      role: parties.size === 2 ? 'both' : parties.has('creditor') ? 'receives' : 'sends',
      openFlags: flags.length,
      pendingFlags: flags.filter((f) => f.status === 'PENDING').length,
      escalatedFlags: flags.filter((f) => f.status === 'ESCALATED').length,
      earliestHoldUntil:
        flags
          .filter(isPendingHold)
          .map((f) => f.holdUntil!)
          .sort()[0] ?? null,
      partners: [...new Set(flags.map((f) => f.partnerId))].sort(),
      maxScore: Math.max(...flags.map((f) => f.score)),
      firstAt: times[0]!,
      lastAt: times.at(-1)!,
      totals: totalsByCurrency(flags.map((f) => f.amount)),
    });
  }
  return cases.sort(
    (a, b) => b.openFlags - a.openFlags || b.maxScore - a.maxScore || (a.accountKey < b.accountKey ? -1 : 1),
  );
}

/** Exact sums in minor units: money is never a floating-point number here. */
export function totalsByCurrency(
  amounts: ReadonlyArray<{ value: string; currency: string }>,
): Array<{ currency: string; value: string }> {
  const sums = new Map<string, bigint>();
  for (const { value, currency } of amounts)
    sums.set(currency, (sums.get(currency) ?? 0n) + toMinorUnits(value, currency));
  return [...sums]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([currency, minor]) => ({ currency, value: formatMinorUnits(minor, currency) }));
}
