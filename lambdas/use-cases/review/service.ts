import type { Pseudonymiser } from '#domain/identity/pseudonym.ts';
import type { ReleasePolicy } from '#domain/review/release-policy.ts';
import type { RequestLimits } from '#domain/review/request-limits.ts';
import { createGetAccountProfile } from './account-profile.ts';
import { createActOnFlag } from './act-on-flag.ts';
import { createAutoRelease } from './auto-release.ts';
import { createActOnCase, createGetCase, createListCases } from './cases.ts';
import { createDeliverEffects } from './deliver-effects.ts';
import { createGetFlag } from './get-flag.ts';
import { createListFlags } from './list-flags.ts';
import { createActOnListing, createAppealByAccount, createGetListing, createListListings } from './listings.ts';
import { createGetNetwork } from './network.ts';
import { createAuditRead } from './read-audit.ts';
import { createCheckRequestLimits } from './request-limits.ts';
import type {
  AccountStateReader,
  CaseRepository,
  ConfirmedListingRepository,
  DecisionPublisher,
  FlagRepository,
  NetworkStore,
  ReadAuditStore,
  RequestCounterStore,
  WatchlistWriter,
} from './ports.ts';

export interface ReviewServiceDependencies {
  readonly flags: FlagRepository;
  readonly cases: CaseRepository;
  readonly network: NetworkStore;
  /** Account state (Aggregates), read by the keys flags store: "why this is unusual". */
  readonly accounts: AccountStateReader;
  /** The screening function's key: the network of a flag's recipient is found by its pseudonym. */
  readonly pseudonymiser: Pseudonymiser;
  readonly publisher: DecisionPublisher;
  readonly watchlist: WatchlistWriter;
  /** Confirmations' listings: held at their bank until a second officer shares them; appeals, delisting. */
  readonly listings: ConfirmedListingRepository;
  readonly policy: ReleasePolicy;
  readonly requestCounters: RequestCounterStore;
  readonly readAudit: ReadAuditStore;
  readonly requestLimits: RequestLimits;
  readonly clock: () => Date;
}

/** The review use cases wired to one set of ports: the Lambda handlers and the local server share it. */
export function createReviewService(deps: ReviewServiceDependencies) {
  const deliverEffects = createDeliverEffects(deps);
  return {
    checkRequestLimits: createCheckRequestLimits({
      ...deps,
      counters: deps.requestCounters,
      limits: deps.requestLimits,
    }),
    auditRead: createAuditRead(deps),
    listFlags: createListFlags(deps),
    getFlag: createGetFlag(deps),
    actOnFlag: createActOnFlag({ ...deps, deliverEffects }),
    autoRelease: createAutoRelease({ ...deps, deliverEffects }),
    listCases: createListCases(deps),
    getCase: createGetCase(deps),
    actOnCase: createActOnCase({ ...deps, deliverEffects }),
    network: createGetNetwork(deps),
    accountProfile: createGetAccountProfile(deps),
    listListings: createListListings(deps),
    getListing: createGetListing(deps),
    actOnListing: createActOnListing(deps),
    appealByAccount: createAppealByAccount(deps),
  };
}

export type ReviewService = ReturnType<typeof createReviewService>;
