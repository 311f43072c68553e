import type { Pseudonymiser } from '#domain/identity/pseudonym.ts';
import type { Flag } from '#domain/review/flag.ts';
import type { Officer } from '#domain/review/officer.ts';
import { NETWORK_EDGE_LIMIT, networkSince, presentNetwork, type NetworkView } from '#domain/review/network.ts';
import { visibleInCase } from '#domain/review/case.ts';
import { CASE_FLAG_LIMIT, loadVisibleCase } from './cases.ts';
import { loadVisibleFlag } from './get-flag.ts';
import type { CaseRepository, FlagRepository, NetworkStore } from './ports.ts';

export interface NetworkDependencies {
  readonly flags: FlagRepository;
  readonly cases: CaseRepository;
  readonly network: NetworkStore;
  readonly pseudonymiser: Pseudonymiser;
  readonly clock: () => Date;
}

/** Account numbers the officer can already read on these flags, by pseudonym: shown in clear in the graph. */
function knownAccounts(pseudonymiser: Pseudonymiser, flags: readonly Flag[]): Map<string, string> {
  const known = new Map<string, string>();
  for (const { transfer } of flags)
    for (const account of [transfer.debtor.accountId, transfer.creditor.accountId])
      known.set(pseudonymiser.accountKey(account), account);
  return known;
}

/**
 * The network of an account over the last 30 days: who sent to it, where it sent on. Primary course:
 *   1. check the officer may see the account: one of their flags of the case (or of the flag) names it;
 *   2. read at most NETWORK_EDGE_LIMIT transfers each way from the Decisions table's account indexes;
 *   3. present it for the officer: other banks' transfers without ids, unknown accounts by pseudonym.
 */
export function createGetNetwork(deps: NetworkDependencies) {
  async function build(officer: Officer, accountKey: string, flags: readonly Flag[]): Promise<NetworkView> {
    const now = deps.clock();
    const stored = await deps.network.network(accountKey, networkSince(now), now, NETWORK_EDGE_LIMIT);
    return presentNetwork(stored, officer, knownAccounts(deps.pseudonymiser, flags));
  }
  return {
    async ofCase(officer: Officer, accountKey: string): Promise<NetworkView> {
      const visible = await loadVisibleCase(deps, officer, accountKey);
      return build(
        officer,
        accountKey,
        visible.map((l) => l.flag),
      );
    },
    /**
     * The network of a flag's recipient: where the victim's money went, and where it goes next; with the
     * number of flags the officer may see on the account (two or more make it a case).
     */
    async ofFlag(
      officer: Officer,
      partnerId: string,
      transferId: string,
    ): Promise<NetworkView & { readonly caseFlags: number }> {
      const flag = await loadVisibleFlag(deps.flags, officer, partnerId, transferId);
      const accountKey = deps.pseudonymiser.accountKey(flag.transfer.creditor.accountId);
      const linked = visibleInCase(await deps.cases.linkedFlags(accountKey, CASE_FLAG_LIMIT), officer).map(
        (l) => l.flag,
      );
      return { ...(await build(officer, accountKey, [flag, ...linked])), caseFlags: linked.length };
    },
  };
}
