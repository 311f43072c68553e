import { z } from 'zod';
import { tableNamesFromEnv, type TableNames } from '#adapters/dynamodb/tables.ts';

const ScreeningEnvSchema = z.object({
  QUEUE_PREFIX: z.string().min(1, { error: 'must name the queue prefix, such as fraud-prod' }),
  OUTBOUND_QUEUE_URLS: z
    .string({ error: 'must be a JSON object mapping partnerId to its outbound decision queue URL' })
    .transform((text, ctx) => {
      try {
        return z.record(z.string(), z.url()).parse(JSON.parse(text));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object mapping partnerId to its outbound decision queue URL' });
        return z.NEVER;
      }
    }),
  RULE_PACK_ID: z.string().min(1).default('kr-kh'),
  RULE_PACK_MAX_AGE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  PSEUDONYM_KEY: z.string().min(32).optional(),
  PSEUDONYM_KEY_SECRET_ARN: z.string().min(1).optional(),
});

export interface ScreeningConfig {
  readonly queuePrefix: string;
  readonly outboundQueueUrls: Readonly<Record<string, string>>;
  readonly rulePackId: string;
  readonly rulePackMaxAgeMs: number;
  readonly pseudonymKey: { readonly value: string } | { readonly secretArn: string };
  readonly tables: TableNames;
}

/** Reads and validates the screening function's settings once, at start-up; a missing one fails loudly. */
export function loadScreeningConfig(env: Record<string, string | undefined>): ScreeningConfig {
  const parsed = ScreeningEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`screening configuration is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const settings = parsed.data;
  const pseudonymKey = settings.PSEUDONYM_KEY
    ? { value: settings.PSEUDONYM_KEY }
    : settings.PSEUDONYM_KEY_SECRET_ARN
      ? { secretArn: settings.PSEUDONYM_KEY_SECRET_ARN }
      : undefined;
  if (!pseudonymKey) throw new Error('screening configuration is invalid: set PSEUDONYM_KEY_SECRET_ARN (AWS) or PSEUDONYM_KEY (local)');
  return {
    queuePrefix: settings.QUEUE_PREFIX,
    outboundQueueUrls: settings.OUTBOUND_QUEUE_URLS,
    rulePackId: settings.RULE_PACK_ID,
    rulePackMaxAgeMs: settings.RULE_PACK_MAX_AGE_SECONDS * 1000,
    pseudonymKey,
    tables: tableNamesFromEnv(env),
  };
}
