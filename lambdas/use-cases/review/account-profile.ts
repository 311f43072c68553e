import { accountProfiles, profileWindow, type AccountProfiles } from '#domain/review/account-profile.ts';
import { NETWORK_EDGE_LIMIT } from '#domain/review/network.ts';
import { canSeePartner, type Officer } from '#domain/review/officer.ts';
import { ReviewRefusal } from '#domain/review/refusal.ts';
import type { AccountStateReader, CaseRepository, NetworkStore } from './ports.ts';

export interface AccountProfileDependencies {
  readonly cases: Pick<CaseRepository, 'linkedFlag'>;
  readonly network: Pick<NetworkStore, 'transfers'>;
  readonly accounts: AccountStateReader;
}

/**
 * "Why this is unusual" for one flag: the sender's normal and the recipient's inbound picture in the
 * 30 days before the transfer. Primary course:
 *   1. read the flag with its accounts' pseudonymised keys (another partner's flag is not found);
 *   2. read, in parallel, the sender's transfers out and the recipient's transfers in of those 30 days
 *      (at most NETWORK_EDGE_LIMIT each) and both accounts' behavioural state;
 *   3. reduce them to the profiles (domain): counts, amounts and dates, no account data.
 * The sender's transfers are those of banks the officer may see; the recipient's are every bank's, as
 * in the network view, since victims at other banks are the point.
 */
export function createGetAccountProfile(deps: AccountProfileDependencies) {
  return async function getAccountProfile(
    officer: Officer,
    partnerId: string,
    transferId: string,
  ): Promise<AccountProfiles> {
    const linked = canSeePartner(officer, partnerId) ? await deps.cases.linkedFlag(partnerId, transferId) : undefined;
    if (!linked)
      throw new ReviewRefusal('NOT_FOUND', `no flag ${transferId} for partner ${partnerId} with account keys`);
    const { transfer } = linked.flag;
    const keys = linked.accountKeys;
    const { since, until } = profileWindow(transfer);
    const [outbound, inbound, states] = await Promise.all([
      deps.network.transfers(keys.debtor, 'onward', since, until, NETWORK_EDGE_LIMIT),
      deps.network.transfers(keys.creditor, 'inbound', since, until, NETWORK_EDGE_LIMIT),
      deps.accounts.read([keys.debtor, keys.creditor]),
    ]);
    return accountProfiles({
      transfer,
      accountKeys: keys,
      senderOutbound: outbound.edges.filter((edge) => canSeePartner(officer, edge.partnerId)),
      recipientInbound: inbound.edges,
      truncated: { senderOutbound: outbound.truncated, recipientInbound: inbound.truncated },
      senderState: states.get(keys.debtor),
      recipientState: states.get(keys.creditor),
    });
  };
}
