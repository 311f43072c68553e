import type { StageConfigInput } from './config.ts';

/**
 * Per-stage settings, chosen with `-c stage=<name>` (default dev) and validated by lib/config.ts.
 * Settings left out take the defaults documented there. The account ids below are placeholders:
 * replace them with the partner banks' real accounts, and the canary's with the account the operator
 * runs `fraudctl smoke` from, before deploying (AWS refuses policies that name accounts that do not exist).
 */
export const STAGES = {
  dev: {
    stage: 'dev',
    alarmEmail: 'fraud-ops-dev@example.com',
    partners: [
      { id: 'kr-demo-bank', senderAccountId: '111111111111', decisionReaderAccountId: '111111111111' },
      { id: 'kh-demo-bank', senderAccountId: '222222222222', decisionReaderAccountId: '222222222222' },
    ],
    canary: { accountId: '999999999999' },
    screening: { maxConcurrency: 2, logLevel: 'DEBUG', logRetentionDays: 14 },
    decisionApi: { reservedConcurrency: 5 },
  },
  /**
   * What `fraudctl demo`, `up`, `serve`, `replay` and `chaos` run on this machine: the local runtime
   * synthesizes this stage and runs its templates on stand-ins (local/). Its account ids are the
   * stand-ins' own; it is not meant for deploying.
   */
  local: {
    stage: 'local',
    alarmEmail: 'fraud-ops-local@example.com',
    partners: [
      // A generous budget for kr-demo-bank: this machine shares its cores with every stand-in, and a test
      // of the decision must not turn into a test of the machine's speed; kh-demo-bank keeps a bank's.
      {
        id: 'kr-demo-bank',
        senderAccountId: '000000000001',
        decisionReaderAccountId: '000000000001',
        decisionApi: { budgetMs: 10_000 },
      },
      {
        id: 'kh-demo-bank',
        senderAccountId: '000000000002',
        decisionReaderAccountId: '000000000002',
        decisionApi: { budgetMs: 150 },
      },
    ],
    canary: { accountId: '000000000000' },
    decisionApi: { reservedConcurrency: 4, timeoutSeconds: 15 },
    // Two pollers per queue keep this machine's two cores busy; no batching window: a local file is sent at once.
    screening: { timeoutSeconds: 5, maxBatchingWindowSeconds: 0, maxConcurrency: 2, logRetentionDays: 1 },
  },
  prod: {
    stage: 'prod',
    alarmEmail: 'fraud-ops@example.com',
    partners: [
      { id: 'kr-demo-bank', senderAccountId: '333333333333', decisionReaderAccountId: '444444444444' },
      {
        id: 'kh-demo-bank',
        senderAccountId: '555555555555',
        decisionReaderAccountId: '666666666666',
        decisionApi: { budgetMs: 200, fallbackOutcome: 'REVIEW', requestsPerMinute: 30_000 },
      },
    ],
    canary: { accountId: '999999999999' },
    screening: { batchSize: 10, maxBatchingWindowSeconds: 1, maxConcurrency: 20, logRetentionDays: 400 },
    decisionApi: { reservedConcurrency: 100, provisionedConcurrency: 10 },
    alarms: { inboundOldestMessageAgeSeconds: 120, heldShare: { low: 0.001, high: 0.05 } },
  },
} satisfies Record<string, StageConfigInput>;
