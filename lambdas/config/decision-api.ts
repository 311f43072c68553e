import type { TableNames } from '#adapters/dynamodb/tables.ts';
import { tableNamesOf } from '#manifests/function-manifest.ts';
import { type DecisionPartner, decisionApiManifest } from '#manifests/decision-api.ts';
import { type ScreeningCoreConfig, screeningSettingsOf } from './screening.ts';
import { parseEnvironment } from './settings.ts';

export interface DecisionApiConfig extends ScreeningCoreConfig {
  readonly tables: Pick<TableNames, (typeof decisionApiManifest.tables)[number]>;
  readonly inboundQueueUrls: Readonly<Record<string, string>>;
  readonly partners: Readonly<Record<string, DecisionPartner>>;
}

/** Reads and validates the decision API function's settings once, at start-up (lambdas/manifests/decision-api.ts). */
export function loadDecisionApiConfig(env: Record<string, string | undefined>): DecisionApiConfig {
  const settings = parseEnvironment('decision API', decisionApiManifest.environment, env);
  const partners = settings.DECISION_PARTNERS;
  for (const partnerId of Object.keys(partners))
    if (!settings.INBOUND_QUEUE_URLS[partnerId])
      throw new Error(
        `decision API configuration is invalid: INBOUND_QUEUE_URLS has no queue for partner ${partnerId}, so its fallback could not be screened`,
      );
  return {
    ...screeningSettingsOf('decision API', settings),
    tables: tableNamesOf(decisionApiManifest.tables, settings),
    inboundQueueUrls: settings.INBOUND_QUEUE_URLS,
    partners,
  };
}
