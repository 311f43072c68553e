import {
  ACCOUNT_KEY_PATTERN,
  caseChoices,
  caseVersion,
  decideCaseAction,
  groupCases,
  partyOf,
  victimSignals,
  visibleInCase,
  type CaseAction,
  type CaseParty,
  type CaseSummary,
  type LinkedFlag,
} from '#domain/review/case.ts';
import type { Flag } from '#domain/review/flag.ts';
import { ALL_PARTNERS, isTaskForce, type Officer } from '#domain/review/officer.ts';
import { ReviewRefusal } from '#domain/review/refusal.ts';
import type { ReleasePolicy } from '#domain/review/release-policy.ts';
import type { ActionChoice } from '#domain/review/transition.ts';
import type { DeliverEffects } from './deliver-effects.ts';
import { StaleFlagError, type CaseRepository, type FlagRepository } from './ports.ts';

/** Most flags a case reads each way (as creditor, as debtor); a larger case shows its latest. */
export const CASE_FLAG_LIMIT = 100;
/** Most open flags the case list groups: the list is a triage view, bounded in cost whatever the backlog. */
export const CASE_LIST_SCAN_LIMIT = 1000;

export interface CaseDependencies {
  readonly flags: FlagRepository;
  readonly cases: CaseRepository;
  readonly policy: ReleasePolicy;
  readonly clock: () => Date;
}

export interface CaseTransfer {
  readonly flag: Flag;
  /** Whether the case's account received (creditor) or sent (debtor) this transfer. */
  readonly party: CaseParty;
  readonly signals: readonly string[];
}

export interface CaseView {
  readonly accountKey: string;
  /** The account number, read from one of the officer's own flags of the case. */
  readonly account: string;
  readonly version: string;
  readonly transfers: readonly CaseTransfer[];
  readonly choices: Record<CaseAction, ActionChoice>;
}

export interface CaseActionResult {
  readonly view: CaseView;
  /** Flags this action changed, as stored after their effects were delivered. */
  readonly changed: readonly Flag[];
  /** Flags someone else changed between the check and the write: reload the case and decide them again. */
  readonly conflicts: readonly string[];
}

function checkAccountKey(accountKey: string): void {
  if (!ACCOUNT_KEY_PATTERN.test(accountKey))
    throw new ReviewRefusal(
      'INVALID_INPUT',
      'accountKey: must be a pseudonymised account key (22 base64url characters)',
      {
        field: 'accountKey',
      },
    );
}

/**
 * The flags of a case that the officer may see, as stored (the repository reads them by key,
 * consistently, after the account indexes named them), newest transfer first. None: not found.
 */
export async function loadVisibleCase(
  deps: Pick<CaseDependencies, 'cases'>,
  officer: Officer,
  accountKey: string,
): Promise<LinkedFlag[]> {
  checkAccountKey(accountKey);
  const visible = visibleInCase(await deps.cases.linkedFlags(accountKey, CASE_FLAG_LIMIT), officer);
  if (!visible.length) throw new ReviewRefusal('NOT_FOUND', `no case for account ${accountKey} that you can see`);
  return visible.sort((a, b) => Date.parse(b.flag.transfer.occurredAt) - Date.parse(a.flag.transfer.occurredAt));
}

function caseView(deps: CaseDependencies, officer: Officer, accountKey: string, visible: LinkedFlag[]): CaseView {
  const first = visible[0]!;
  const party = partyOf(first, accountKey);
  return {
    accountKey,
    account: first.flag.transfer[party].accountId,
    version: caseVersion(visible),
    transfers: visible.map((l) => ({ flag: l.flag, party: partyOf(l, accountKey), signals: victimSignals(l.flag) })),
    choices: caseChoices(accountKey, visible, officer, deps.policy, deps.clock()),
  };
}

/**
 * Cases to work: accounts that two or more open flags share. Primary course:
 *   1. scope: the officer's partner, or for the task force the partner asked for (or all);
 *   2. read the open flags (at most CASE_LIST_SCAN_LIMIT) and group them by account.
 */
export function createListCases(deps: Pick<CaseDependencies, 'cases'>) {
  return async function listCases(
    officer: Officer,
    input: { readonly limit: number; readonly partnerId?: string },
  ): Promise<CaseSummary[]> {
    if (input.partnerId && !isTaskForce(officer) && input.partnerId !== officer.partnerId) {
      throw new ReviewRefusal(
        'OUT_OF_SCOPE',
        `you work the cases of ${officer.partnerId} only, not ${input.partnerId}`,
        {
          field: 'partnerId',
        },
      );
    }
    const scope = isTaskForce(officer) ? (input.partnerId ?? ALL_PARTNERS) : officer.partnerId;
    return groupCases(await deps.cases.openFlags(scope, CASE_LIST_SCAN_LIMIT)).slice(0, input.limit);
  };
}

/** One case: every linked transfer the officer may see, with signals, and what they may do to it. */
export function createGetCase(deps: CaseDependencies) {
  return async function getCase(officer: Officer, accountKey: string): Promise<CaseView> {
    return caseView(deps, officer, accountKey, await loadVisibleCase(deps, officer, accountKey));
  };
}

/**
 * An officer confirms a case's account as a mule, or escalates the case. Primary course:
 *   1. read the case's flags the officer can see, each consistently;
 *   2. decide every flag's transition through the flag state machine, all or nothing (domain);
 *   3. store each with its own conditional write and audit entry, as a per-flag action does;
 *   4. deliver each flag's effects: the watchlist listing of the account, the decision update.
 * A flag someone changed between 2 and 3 is reported, not overwritten; the rest stand.
 */
export function createActOnCase(deps: CaseDependencies & { readonly deliverEffects: DeliverEffects }) {
  return async function actOnCase(
    officer: Officer,
    accountKey: string,
    request: { readonly action: CaseAction; readonly note: string; readonly expectedVersion: string },
  ): Promise<CaseActionResult> {
    const visible = await loadVisibleCase(deps, officer, accountKey);
    const steps = decideCaseAction(accountKey, visible, officer, request, deps.policy, deps.clock());
    const changed: Flag[] = [];
    const conflicts: string[] = [];
    for (const { current, next } of steps) {
      try {
        await deps.flags.saveTransition(next, current.version);
      } catch (error) {
        if (!(error instanceof StaleFlagError)) throw error;
        conflicts.push(`${next.partnerId}/${next.transferId}`);
        continue;
      }
      changed.push(await deps.deliverEffects(next));
    }
    if (!changed.length) {
      throw new ReviewRefusal(
        'VERSION_CONFLICT',
        'someone acted on the case while you were deciding: reload it and decide again',
      );
    }
    const view = caseView(deps, officer, accountKey, await loadVisibleCase(deps, officer, accountKey));
    return { view, changed, conflicts };
  };
}
