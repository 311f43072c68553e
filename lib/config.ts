import { z } from 'zod';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DEFAULT_BATCH_SIZE } from '#adapters/sqs/queues.ts';
import { RequestLimitsSchema } from '#domain/review/request-limits.ts';
import { DecisionTermsSchema } from '#domain/screening/fallback.ts';
import { SHADOW_MODES } from '#manifests/screening.ts';
import { partnerQueueNames } from './constructs/partner-queues.ts';

/** SQS refuses queue names longer than this. */
const MAX_QUEUE_NAME_LENGTH = 80;
/** Cognito refuses hosted UI domain prefixes longer than this, or containing one of these words. */
const MAX_COGNITO_DOMAIN_PREFIX_LENGTH = 63;
const COGNITO_RESERVED_WORDS = ['aws', 'amazon', 'cognito'] as const;

const AccountId = z.string().regex(/^\d{12}$/, { error: 'must be a 12-digit AWS account id, such as "123456789012"' });
const Slug = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, {
  error: 'must be lower-case letters, digits and single hyphens, such as "kr-demo-bank"',
});
const Seconds = (min: number, max: number) => z.int().min(min).max(max);

const PartnerSchema = z.object({
  /** The partnerId partners put in every transfer event; also part of their queue names. */
  id: Slug,
  /** The only account allowed to send transfer events to the partner's inbound queue. */
  senderAccountId: AccountId,
  /** The only account allowed to read (receive and delete) the partner's decisions. */
  decisionReaderAccountId: AccountId,
  /**
   * The partner's terms on the decision API (when the stage has one): its time budget, the outcome it
   * gets past the budget or with a dependency down (never ALLOW unless set here), its calls a minute.
   * The partner's senderAccountId may assume its caller role, fraud-<stage>-decide-<partnerId>.
   */
  decisionApi: DecisionTermsSchema.prefault({}),
});

/**
 * The operator's own canary partner (fraudctl smoke): queues of its own that only this account may
 * use, so that a post-deploy check sends a transfer end to end without any bank receiving it. Its
 * transfers are decided and recorded, never applied to account state or shown to officers.
 */
const CanarySchema = z.object({
  id: Slug.default('smoke-canary'),
  /** The account the operator runs fraudctl smoke from: it sends the canary and reads its decision. */
  accountId: AccountId,
});

const LogRetention = z
  .number()
  .refine((days) => (Object.values(RetentionDays) as unknown[]).includes(days), {
    error: `must be one of CloudWatch Logs' retention periods in days: ${Object.values(RetentionDays)
      .filter((d) => typeof d === 'number')
      .join(', ')}`,
  })
  .transform((days) => days as RetentionDays);

const ScreeningSchema = z.object({
  /** Records per invocation; above 10, Lambda requires a batching window of at least one second. */
  batchSize: z.int().min(1).max(10_000).default(DEFAULT_BATCH_SIZE),
  maxBatchingWindowSeconds: Seconds(0, 300).default(1),
  /** Upper bound on concurrent invocations per inbound queue (Lambda's SQS mapping requires at least 2). */
  maxConcurrency: z.int().min(2).max(1000).default(10),
  timeoutSeconds: Seconds(3, 900).default(30),
  memorySizeMb: z.int().min(128).max(10_240).default(1024),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  logRetentionDays: LogRetention.default(RetentionDays.THREE_MONTHS),
  /** Bounded staleness of the cached active rule pack. */
  rulePackMaxAgeSeconds: Seconds(1, 3600).default(60),
  /**
   * `pointer`: analysts can put a proposed version in shadow beside the active one without a deploy
   * (fraudctl rules shadow); `off`: the function never reads the SHADOW pointer, so shadow costs nothing.
   */
  shadowMode: z.enum(SHADOW_MODES).default('pointer'),
  /**
   * Index each decision by account for the review console's network view: two index writes of one
   * unit each per transfer. Off: the view shows nothing new, and those writes are not made.
   */
  networkIndex: z.boolean().default(true),
});

const ReviewSchema = z.object({
  /**
   * Largest amount one officer may release alone, per currency in major units, such as
   * {"KRW": "10000000"}; above it a second officer must agree. Unset: the defaults of the domain.
   */
  releaseLimits: z.record(z.string().regex(/^[A-Z]{3}$/), z.string().regex(/^\d+(\.\d+)?$/)).optional(),
  /**
   * Review API requests a minute one officer, and one bank's officers together, may make; above
   * either the API answers 429 with Retry-After. Unset: 120 and 1,200.
   */
  requestLimits: RequestLimitsSchema.optional(),
});

/** The synchronous decision API (POST /v1/decisions): its own function and HTTP API beside the stream. */
const DecisionApiSchema = z.object({
  /** Concurrent executions reserved for the API, so that the stream and the review API cannot starve it. */
  reservedConcurrency: z.int().min(1).optional(),
  /** Execution environments kept initialised (no cold start within them): an alias with provisioned concurrency. */
  provisionedConcurrency: z.int().min(1).optional(),
  memorySizeMb: z.int().min(128).max(10_240).default(1769),
  /** Past every budget: a call that is still screening when the function times out gets API Gateway's 500. */
  timeoutSeconds: Seconds(1, 29).default(5),
  /** The API stage's ceiling for all partners together; each partner's own rate is its requestsPerMinute. */
  throttle: z
    .object({ rateLimit: z.int().min(1).default(1000), burstLimit: z.int().min(1).default(2000) })
    .prefault({}),
  /** The p99 latency (API Gateway's, ms) above which the latency alarm fires. */
  p99LatencyAlarmMs: z.int().min(10).default(300),
});

const ShareSchema = z.number().min(0).max(1);

const AlarmsSchema = z.object({
  /** An inbound queue whose oldest message is older than this means screening is falling behind. */
  inboundOldestMessageAgeSeconds: Seconds(60, 1_209_600).default(300),
  /**
   * The normal band of the share of screened transfers held (DELAY, REVIEW or BLOCK). Above `high`:
   * a noisy rule or an attack wave; below `low` (when above 0): rules that stopped firing.
   */
  heldShare: z
    .object({
      low: ShareSchema.default(0),
      high: ShareSchema.default(0.05),
      /** Periods with fewer screened transfers than this are ignored: a share of three is noise. */
      minimumScreened: z.int().min(1).default(20),
      periodMinutes: z.int().min(1).max(60).default(5),
      evaluationPeriods: z.int().min(1).max(24).default(5),
      datapointsToAlarm: z.int().min(1).max(24).default(3),
    })
    .prefault({}),
});

const StageConfigSchema = z
  .object({
    stage: Slug,
    /** Pins the stacks to one account and region; without it the stacks are environment-agnostic. */
    env: z
      .object({
        account: AccountId.optional(),
        region: z
          .string()
          .regex(/^[a-z]{2}(-[a-z]+)+-\d$/)
          .optional(),
      })
      .optional(),
    partners: z.array(PartnerSchema).min(1, { error: 'must list at least one partner bank' }),
    canary: CanarySchema.optional(),
    /** Receives every alarm; the address must confirm the SNS subscription once. */
    alarmEmail: z.email({ error: 'must be an e-mail address that receives the alarms' }),
    screening: ScreeningSchema.prefault({}),
    review: ReviewSchema.prefault({}),
    /** Absent: no decision API in the stage; partners use the stream only. */
    decisionApi: DecisionApiSchema.optional(),
    alarms: AlarmsSchema.prefault({}),
  })
  .superRefine((config, ctx) => {
    if (config.canary && config.partners.some((partner) => partner.id === config.canary!.id))
      ctx.addIssue({
        code: 'custom',
        path: ['canary', 'id'],
        message: `"${config.canary.id}" is also a partner bank: the canary needs queues of its own`,
      });
    const seen = new Set<string>();
    config.partners.forEach((partner, index) => {
      if (seen.has(partner.id))
        ctx.addIssue({
          code: 'custom',
          path: ['partners', index, 'id'],
          message: `partner "${partner.id}" is listed twice`,
        });
      seen.add(partner.id);
      for (const name of Object.values(partnerQueueNames(queuePrefix(config.stage), partner.id))) {
        if (name.length > MAX_QUEUE_NAME_LENGTH) {
          ctx.addIssue({
            code: 'custom',
            path: ['partners', index, 'id'],
            message: `makes the queue name "${name}" longer than the ${MAX_QUEUE_NAME_LENGTH} characters SQS allows: shorten it`,
          });
          break;
        }
      }
    });
    // Slug already keeps the prefix to lower-case letters, digits and inner hyphens, as Cognito requires.
    // Without a pinned account, the deploying account's id (12 digits, like a pinned one) takes the place of <account>.
    const account = config.env?.account ?? '<account>';
    const domainPrefix = signInDomainPrefix(config.stage, account);
    if (domainPrefix.length - account.length + 12 > MAX_COGNITO_DOMAIN_PREFIX_LENGTH) {
      ctx.addIssue({
        code: 'custom',
        path: ['stage'],
        message: `makes the Cognito sign-in domain prefix "${domainPrefix}" longer than the ${MAX_COGNITO_DOMAIN_PREFIX_LENGTH} characters Cognito allows: shorten the stage name`,
      });
    }
    const reserved = COGNITO_RESERVED_WORDS.find((word) => domainPrefix.includes(word));
    if (reserved) {
      ctx.addIssue({
        code: 'custom',
        path: ['stage'],
        message: `puts "${reserved}", which Cognito reserves, into the sign-in domain prefix "${domainPrefix}": choose a stage name without it`,
      });
    }
    if (config.screening.batchSize > 10 && config.screening.maxBatchingWindowSeconds < 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['screening', 'maxBatchingWindowSeconds'],
        message: 'must be at least 1 when batchSize is above 10 (a Lambda rule)',
      });
    }
    const api = config.decisionApi;
    if (api?.provisionedConcurrency && api.reservedConcurrency && api.provisionedConcurrency > api.reservedConcurrency)
      ctx.addIssue({
        code: 'custom',
        path: ['decisionApi', 'provisionedConcurrency'],
        message: `must not exceed reservedConcurrency (${api.reservedConcurrency})`,
      });
    if (api)
      config.partners.forEach((partner, index) => {
        if (partner.decisionApi.budgetMs >= api.timeoutSeconds * 1000)
          ctx.addIssue({
            code: 'custom',
            path: ['partners', index, 'decisionApi', 'budgetMs'],
            message: `must be below decisionApi.timeoutSeconds (${api.timeoutSeconds} s): past the budget the call still has to hand the transfer on and answer`,
          });
      });
    const band = config.alarms.heldShare;
    if (band.low >= band.high)
      ctx.addIssue({
        code: 'custom',
        path: ['alarms', 'heldShare', 'low'],
        message: `must be below high (${band.high})`,
      });
    if (band.datapointsToAlarm > band.evaluationPeriods) {
      ctx.addIssue({
        code: 'custom',
        path: ['alarms', 'heldShare', 'datapointsToAlarm'],
        message: `must not exceed evaluationPeriods (${band.evaluationPeriods})`,
      });
    }
  });

export type StageConfigInput = z.input<typeof StageConfigSchema>;
export type StageConfig = z.output<typeof StageConfigSchema>;

/** Every queue and alarm of a stage is named from this, e.g. "fraud-prod"; the function gets it as QUEUE_PREFIX. */
export function queuePrefix(stage: string): string {
  return `fraud-${stage}`;
}

/** Every partner whose queues the stage creates: the banks, then the operator's canary (with its own account). */
export function partnersWithQueues(config: StageConfig) {
  return [
    ...config.partners.map((partner) => ({ ...partner, canary: false })),
    ...(config.canary
      ? [
          {
            id: config.canary.id,
            senderAccountId: config.canary.accountId,
            decisionReaderAccountId: config.canary.accountId,
            canary: true,
          },
        ]
      : []),
  ];
}

/**
 * The review console's sign-in domain, <prefix>.auth.<region>.amazoncognito.com: Cognito domain
 * prefixes are unique per region across all accounts, hence the account id in it.
 */
export function signInDomainPrefix(stage: string, account: string): string {
  return `${queuePrefix(stage)}-review-${account}`;
}

/**
 * Validates a stage's configuration; the error names the stage, each wrong field and what it must be,
 * so that an operator can fix lib/stages.ts without reading this file.
 */
export function parseStageConfig(stage: string, input: unknown): StageConfig {
  const parsed = StageConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `  - ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new Error(`stage "${stage}" configuration is invalid:\n${problems.join('\n')}`);
}

/** The stage named by `-c stage=<name>` (default dev), validated. */
export function selectStage(stages: Readonly<Record<string, StageConfigInput>>, requested: unknown): StageConfig {
  const name = requested === undefined ? 'dev' : String(requested);
  const input = stages[name];
  if (!input)
    throw new Error(`unknown stage "${name}": choose one of ${Object.keys(stages).join(', ')} with -c stage=<name>`);
  return parseStageConfig(name, input);
}
