import type { EventTimeBounds } from '#domain/screening/event-time.ts';
import type { TableNames } from '#adapters/dynamodb/tables.ts';
import { tableNamesOf } from '#manifests/function-manifest.ts';
import type { z } from 'zod';
import { screeningManifest, type screeningSettings } from '#manifests/screening.ts';
import { parseEnvironment, pseudonymKeySetting, type PseudonymKeySetting } from './settings.ts';

/** What configures screening itself, whichever way a transfer comes in. */
export type ScreeningCoreConfig = ReturnType<typeof screeningSettingsOf>;

export interface ScreeningConfig extends ScreeningCoreConfig {
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
  return {
    queuePrefix: settings.QUEUE_PREFIX,
    outboundQueueUrls: settings.OUTBOUND_QUEUE_URLS,
    ...screeningSettingsOf('screening', settings),
    // The manifest's grants name every table, so every table name is here.
    tables: tableNamesOf(screeningManifest.tables, settings) as TableNames,
    canaryPartners: new Set(settings.CANARY_PARTNERS),
  };
}

/** What configures screening itself, from the settings the screening and decision API functions share. */
export function screeningSettingsOf(functionName: string, settings: z.output<z.ZodObject<typeof screeningSettings>>) {
  return {
    rulePackId: settings.RULE_PACK_ID,
    rulePackMaxAgeMs: settings.RULE_PACK_MAX_AGE_SECONDS * 1000,
    shadowPointer: settings.SHADOW_MODE === 'pointer',
    pseudonymKey: pseudonymKeySetting(functionName, settings),
    networkIndex: settings.NETWORK_INDEX === 'on',
    eventTimeBounds: {
      maxSkewMs: settings.EVENT_TIME_MAX_SKEW_SECONDS * 1000,
      maxAgeMs: settings.EVENT_TIME_MAX_AGE_HOURS * 3_600_000,
    },
  };
}
