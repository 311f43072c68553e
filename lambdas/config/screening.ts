import type { EventTimeBounds } from '#domain/screening/event-time.ts';
import type { TableNames } from '#adapters/dynamodb/tables.ts';
import { tableNamesOf } from '#manifests/function-manifest.ts';
import { screeningManifest } from '#manifests/screening.ts';
import { parseEnvironment, pseudonymKeySetting, type PseudonymKeySetting } from './settings.ts';

export interface ScreeningConfig {
  readonly queuePrefix: string;
  readonly outboundQueueUrls: Readonly<Record<string, string>>;
  readonly rulePackId: string;
  readonly rulePackMaxAgeMs: number;
  /** Read the SHADOW pointer and score in shadow the version it names. */
  readonly shadowPointer: boolean;
  readonly pseudonymKey: PseudonymKeySetting;
  readonly tables: TableNames;
  /** Index each decision by account for the network view (NETWORK_INDEX). */
  readonly networkIndex: boolean;
  readonly eventTimeBounds: EventTimeBounds;
  readonly canaryPartners: ReadonlySet<string>;
}

/**
 * Reads and validates the screening function's settings once, at start-up, with the environment
 * schema of its manifest (lambdas/manifests/screening.ts); a missing one fails loudly.
 */
export function loadScreeningConfig(env: Record<string, string | undefined>): ScreeningConfig {
  const settings = parseEnvironment('screening', screeningManifest.environment, env);
  const pseudonymKey = pseudonymKeySetting('screening', settings);
  return {
    queuePrefix: settings.QUEUE_PREFIX,
    outboundQueueUrls: settings.OUTBOUND_QUEUE_URLS,
    rulePackId: settings.RULE_PACK_ID,
    rulePackMaxAgeMs: settings.RULE_PACK_MAX_AGE_SECONDS * 1000,
    shadowPointer: settings.SHADOW_MODE === 'pointer',
    pseudonymKey,
    // The manifest's grants name every table, so every table name is here.
    tables: tableNamesOf(screeningManifest.tables, settings) as TableNames,
    networkIndex: settings.NETWORK_INDEX === 'on',
    eventTimeBounds: {
      maxSkewMs: settings.EVENT_TIME_MAX_SKEW_SECONDS * 1000,
      maxAgeMs: settings.EVENT_TIME_MAX_AGE_HOURS * 3_600_000,
    },
    canaryPartners: new Set(settings.CANARY_PARTNERS),
  };
}
