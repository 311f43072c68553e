/**
 * The one definition of every DynamoDB table. The CDK stateful stack, the local runtime and the tests
 * all create tables from these; functions learn the physical names from the environment variables
 * named here, which each function's manifest renders and parses (CloudFormation generates the names in AWS).
 */

export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export interface TableDefinition {
  /** CDK construct id and the base of local table names. */
  readonly id: string;
  readonly envVar: string;
  readonly description: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly timeToLiveAttribute?: string;
  readonly globalSecondaryIndexes?: ReadonlyArray<{
    readonly indexName: string;
    readonly partitionKey: KeyAttribute;
    readonly sortKey?: KeyAttribute;
    /**
     * INCLUDE projection: only these attributes besides the table's and index's keys are copied, so each
     * index item stays small (one write unit). Absent: ALL, the whole item.
     */
    readonly nonKeyAttributes?: readonly string[];
  }>;
}

/** Items expire through this attribute (epoch seconds); readers also ignore items already past it. */
export const EXPIRES_AT = 'expiresAt';

/**
 * Decisions, and the holds and releases of flags, are kept five years: the record-keeping period of
 * Korean (2024 amendment) and Cambodian AML rules. 366-day years: never short of five calendar years.
 */
export const RECORD_KEEPING_SECONDS = 5 * 366 * 24 * 3600;

export const TABLES = {
  watchlist: {
    id: 'Watchlist',
    envVar: 'WATCHLIST_TABLE',
    description:
      'shared mule-account lists: one item per pseudonymised account, one attribute per listing source; per source, membership and audit items',
    partitionKey: { name: 'accountKey', type: 'S' },
    timeToLiveAttribute: EXPIRES_AT,
    // Every listing of one source, for feed imports and exports, without scanning the table.
    globalSecondaryIndexes: [
      { indexName: 'bySource', partitionKey: { name: 'source', type: 'S' }, sortKey: { name: 'entry', type: 'S' } },
    ],
  },
  aggregates: {
    id: 'Aggregates',
    envVar: 'AGGREGATES_TABLE',
    description: 'behavioural aggregates on event time: per account and UTC day, and per debtor history',
    partitionKey: { name: 'pk', type: 'S' },
    timeToLiveAttribute: EXPIRES_AT,
  },
  rulePacks: {
    id: 'RulePacks',
    envVar: 'RULE_PACKS_TABLE',
    description: 'versioned rule packs, and per pack an ACTIVE pointer to the version in force',
    partitionKey: { name: 'packId', type: 'S' },
    sortKey: { name: 'version', type: 'S' },
  },
  decisions: {
    id: 'Decisions',
    envVar: 'DECISIONS_TABLE',
    description: 'one decision record per accepted transfer, keyed by (partnerId, transferId)',
    partitionKey: { name: 'partnerId', type: 'S' },
    sortKey: { name: 'transferId', type: 'S' },
    timeToLiveAttribute: EXPIRES_AT,
    // The network view: an account's inbound and onward transfers by time. Sparse (written only with
    // NETWORK_INDEX=on) and projecting only what the view shows, so each index write is one unit.
    globalSecondaryIndexes: [
      {
        indexName: 'byCreditor',
        partitionKey: { name: 'creditorKey', type: 'S' },
        sortKey: { name: 'edgeAt', type: 'S' },
        nonKeyAttributes: ['debtorKey', 'amount', 'occurredAt', 'outcome'],
      },
      {
        indexName: 'byDebtor',
        partitionKey: { name: 'debtorKey', type: 'S' },
        sortKey: { name: 'edgeAt', type: 'S' },
        nonKeyAttributes: ['creditorKey', 'amount', 'occurredAt', 'outcome'],
      },
    ],
  },
  rejections: {
    id: 'Rejections',
    envVar: 'REJECTIONS_TABLE',
    description: 'malformed, oversize or misrouted records with the reason, keyed by partner and SQS message id',
    partitionKey: { name: 'partnerId', type: 'S' },
    sortKey: { name: 'rejectionId', type: 'S' },
    timeToLiveAttribute: EXPIRES_AT,
  },
  flags: {
    id: 'Flags',
    envVar: 'FLAGS_TABLE',
    description: 'held transfers (REVIEW, DELAY) for compliance review, with version and audit trail',
    partitionKey: { name: 'partnerId', type: 'S' },
    sortKey: { name: 'transferId', type: 'S' },
    timeToLiveAttribute: EXPIRES_AT,
    // Every index key is spread over shards or accounts, never one value for every bank's flags; the
    // item layout behind them is flag-repository.ts's.
    globalSecondaryIndexes: [
      // Review queues: one partner's flags of one status, in shards, by rank (highest score, then oldest).
      {
        indexName: 'byQueue',
        partitionKey: { name: 'queue', type: 'S' },
        sortKey: { name: 'rank', type: 'S' },
        nonKeyAttributes: [
          'status',
          'outcome',
          'score',
          'version',
          'createdAt',
          'holdUntil',
          'amount',
          'row',
          'pendingEffects',
          'creditorKey',
          'debtorKey',
        ],
      },
      // What the auto-release sweep owes, by when (sparse): pending DELAY holds by their end, flags
      // whose effects are still owed; per partner in shards. Keys only, and what tells a hold from an
      // owed effect: every action puts its flag here and takes it out, at 1 write unit each way.
      {
        indexName: 'byDue',
        partitionKey: { name: 'dueShard', type: 'S' },
        sortKey: { name: 'dueAt', type: 'S' },
        nonKeyAttributes: ['status', 'outcome'],
      },
      // Cases: every flag of one pseudonymised account, as the creditor or as the debtor of its transfer,
      // open ones first (caseAt "A#..."), then closed ones ("Z#...").
      {
        indexName: 'byCreditorAccount',
        partitionKey: { name: 'creditorKey', type: 'S' },
        sortKey: { name: 'caseAt', type: 'S' },
        nonKeyAttributes: ['status'],
      },
      {
        indexName: 'byDebtorAccount',
        partitionKey: { name: 'debtorKey', type: 'S' },
        sortKey: { name: 'caseAt', type: 'S' },
        nonKeyAttributes: ['status'],
      },
    ],
  },
  shadowDecisions: {
    id: 'ShadowDecisions',
    envVar: 'SHADOW_DECISIONS_TABLE',
    description:
      'what a shadow rule pack decided beside the live one, per transfer; keyed by shadow version, event hour and shard',
    // pk `<shadowVersion>#<UTC hour of the event>#<shard 0-9>`, sk the transfer key: a period report is a
    // set of Query calls, and ten shards keep each partition far under its 1,000 writes a second.
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    timeToLiveAttribute: EXPIRES_AT,
  },
  requestLimits: {
    id: 'RequestLimits',
    envVar: 'REQUEST_LIMITS_TABLE',
    description: "the review API's request counters: one item per officer or bank and minute, expiring after two",
    partitionKey: { name: 'pk', type: 'S' },
    timeToLiveAttribute: EXPIRES_AT,
  },
  readAudit: {
    id: 'ReadAudit',
    envVar: 'READ_AUDIT_TABLE',
    description: "every officer's read of a flag, case, network or profile (who, what, when), kept two years",
    // pk `<reader's partner>#<UTC day>`, sk `<time>#<uuid>`: one bank's reads of a day are one Query.
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    timeToLiveAttribute: EXPIRES_AT,
  },
} as const satisfies Record<string, TableDefinition>;

export type TableKey = keyof typeof TABLES;
export type TableNames = Record<TableKey, string>;
