import type { ContextValue } from './policy-evaluator.ts';

/**
 * The permissions AWS checks for an AWS SDK v3 call: the service's own action on the table, index,
 * queue or secret, and the KMS actions it performs with the caller's credentials when that resource is
 * encrypted with a customer managed key. A command not mapped here throws: the local runtime cannot
 * emulate what it does not know, and never allows by default.
 */

export interface RequiredPermission {
  readonly action: string;
  readonly resource: string;
  /** The ARN whose resource-based policy applies: the table's for one of its indexes. */
  readonly policyResource: string;
  readonly context: Readonly<Record<string, ContextValue>>;
}

export interface SdkCall {
  /** The client's name (context.clientName, such as DynamoDBClient) or its service id (DynamoDB, SQS, Secrets Manager). */
  readonly service: string;
  /** The command's name, with or without the Command suffix (context.commandName: PutItemCommand). */
  readonly command: string;
  readonly input: Readonly<Record<string, unknown>>;
}

export interface Caller {
  readonly roleArn: string;
  readonly account: string;
}

/** How names in a call's input resolve to ARNs; each throws if it does not know the resource. */
export interface ResourceLookup {
  tableArn(tableName: string): string;
  queueArn(queueUrl: string): string;
  /** For GetQueueUrl, which names the queue rather than giving its URL. */
  queueArnByName(queueName: string, ownerAccount?: string): string;
  /** A secret's name, partial ARN or full ARN, as SecretId takes them. */
  secretArn(secretId: string): string;
  /** The customer managed key that encrypts a table, queue or secret; undefined for an AWS owned or managed key. */
  keyOf(resourceArn: string): string | undefined;
}

/** An SDK call the local runtime cannot check as AWS would. */
export class UnmappedCallError extends Error {
  override name = 'UnmappedCallError';
}

/** Every context key requiredPermissions fills in (lower case): a policy conditioned on another cannot be emulated. */
export const FILLED_CONTEXT_KEYS: ReadonlySet<string> = new Set(
  [
    'aws:PrincipalArn',
    'aws:PrincipalAccount',
    'aws:SecureTransport',
    'aws:RequestedRegion',
    'kms:ViaService',
    'kms:CallerAccount',
    'kms:EncryptionContext:aws:dynamodb:tableName',
    'kms:EncryptionContext:aws:dynamodb:subscriberId',
    'kms:EncryptionContext:aws:sqs:arn',
    'kms:EncryptionContext:SecretARN',
  ].map((key) => key.toLowerCase()),
);

export type GuardedService = 'dynamodb' | 'sqs' | 'secretsmanager';

/** The service of a client name (DynamoDBClient) or service id (DynamoDB, Secrets Manager), if guarded. */
export function serviceOf(clientOrServiceId: string): GuardedService | undefined {
  const name = clientOrServiceId
    .replace(/Client$/, '')
    .replace(/\s+/g, '')
    .toLowerCase();
  return name === 'dynamodb' || name === 'sqs' || name === 'secretsmanager' ? name : undefined;
}

/** A record's own entry: input names such as "constructor" must not reach Object.prototype. */
const own = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;

export function requiredPermissions(call: SdkCall, caller: Caller, lookup: ResourceLookup): RequiredPermission[] {
  const service = serviceOf(call.service);
  const mappers = service && MAPPERS[service];
  const command = call.command.replace(/Command$/, '');
  const mapper = mappers && own(mappers, command);
  if (!mapper)
    throw new UnmappedCallError(
      `the local IAM guard cannot check ${call.service} ${command}: local/iam/sdk-permissions.ts maps no such call; map the permissions AWS checks for it there`,
    );
  const permissions = mapper(call.input, new PermissionBuilder(caller, lookup));
  const seen = new Set<string>();
  return permissions.filter((permission) => {
    const key = JSON.stringify([permission.action, permission.resource, permission.context]);
    return !seen.has(key) && !!seen.add(key);
  });
}

const arnSegments = (arn: string) => {
  const segments = arn.split(':');
  if (segments.length < 6 || segments[0] !== 'arn') throw new Error(`lookup returned ${arn}, which is not an ARN`);
  return { region: segments[3]!, account: segments[4]! };
};

class PermissionBuilder {
  constructor(
    private readonly caller: Caller,
    readonly lookup: ResourceLookup,
  ) {}

  /** The keys AWS sets on every request of a role session over HTTPS. */
  private base(region: string): Record<string, ContextValue> {
    return {
      'aws:PrincipalArn': this.caller.roleArn,
      'aws:PrincipalAccount': this.caller.account,
      'aws:SecureTransport': 'true',
      'aws:RequestedRegion': region,
    };
  }

  permission(action: string, resource: string, policyResource = resource): RequiredPermission {
    return { action, resource, policyResource, context: this.base(arnSegments(resource).region) };
  }

  /**
   * The KMS actions the service performs with the caller's credentials on the key of `resourceArn`, if a
   * customer managed key encrypts it ("kms:ViaService" is the service's endpoint in the resource's region).
   */
  keyUse(
    resourceArn: string,
    actions: readonly string[],
    service: string,
    encryptionContext: Readonly<Record<string, string>>,
  ): RequiredPermission[] {
    const key = this.lookup.keyOf(resourceArn);
    if (!key) return [];
    const { region } = arnSegments(resourceArn);
    const context: Record<string, ContextValue> = {
      ...this.base(region),
      'kms:ViaService': `${service}.${region}.amazonaws.com`,
      'kms:CallerAccount': this.caller.account,
      ...Object.fromEntries(Object.entries(encryptionContext).map(([k, v]) => [`kms:EncryptionContext:${k}`, v])),
    };
    return actions.map((action) => ({ action, resource: key, policyResource: key, context }));
  }
}

type Mapper = (input: Readonly<Record<string, unknown>>, builder: PermissionBuilder) => RequiredPermission[];

function field(input: Readonly<Record<string, unknown>>, name: string): string {
  const value = input[name];
  if (typeof value !== 'string' || !value) throw new Error(`the call has no ${name}, which AWS requires`);
  return value;
}

// DynamoDB ---------------------------------------------------------------------------------------------

/**
 * A table's data is read and written under its table key, which DynamoDB decrypts with the table's KMS
 * key on behalf of the caller: "When DynamoDB uses the KMS key ... it does so on behalf of the user who
 * is accessing the DynamoDB resource" (KMS Developer Guide, "How Amazon DynamoDB uses AWS KMS", key
 * policy and table key sections), under the encryption context aws:dynamodb:tableName and
 * aws:dynamodb:subscriberId (same page, "DynamoDB encryption context"). Reads and writes alike fail
 * without kms:Decrypt (aws/aws-cdk#10010: PutItem; #19531: DeleteItem). DynamoDB caches the table key
 * for five minutes per caller; checking every call decides as the first call after each expiry does.
 */
function tableKeyUse(builder: PermissionBuilder, tableArn: string): RequiredPermission[] {
  const tableName = tableArn.slice(tableArn.indexOf(':table/') + ':table/'.length).split('/')[0]!;
  return builder.keyUse(tableArn, ['kms:Decrypt'], 'dynamodb', {
    'aws:dynamodb:tableName': tableName,
    'aws:dynamodb:subscriberId': arnSegments(tableArn).account,
  });
}

/** TableName takes a table's name or, since 2024, its ARN. */
const tableArnOf = (builder: PermissionBuilder, table: string) =>
  table.startsWith('arn:') ? table : builder.lookup.tableArn(table);

const onTable =
  (action: string): Mapper =>
  (input, builder) => {
    const table = tableArnOf(builder, field(input, 'TableName'));
    return [builder.permission(action, table), ...tableKeyUse(builder, table)];
  };

/** Query and Scan reach an index only through the index's own ARN; the table's policy governs it. */
const onTableOrIndex =
  (action: string): Mapper =>
  (input, builder) => {
    const table = tableArnOf(builder, field(input, 'TableName'));
    const index = typeof input.IndexName === 'string' ? `${table}/index/${input.IndexName}` : table;
    return [builder.permission(action, index, table), ...tableKeyUse(builder, table)];
  };

/** BatchGetItem and BatchWriteItem need their own action on every table in RequestItems. */
const onEveryTable =
  (action: string): Mapper =>
  (input, builder) =>
    Object.keys((input.RequestItems ?? {}) as Record<string, unknown>).flatMap((name) => {
      const table = tableArnOf(builder, name);
      return [builder.permission(action, table), ...tableKeyUse(builder, table)];
    });

const TRANSACT_ACTIONS: Readonly<Record<string, string>> = {
  Get: 'dynamodb:GetItem',
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

/** A transaction needs, per item, the action of the single-item call it stands for. */
const transact: Mapper = (input, builder) =>
  ((input.TransactItems ?? []) as Array<Record<string, { TableName?: unknown }>>).flatMap((item) =>
    Object.entries(item).flatMap(([kind, request]) => {
      const action = own(TRANSACT_ACTIONS, kind);
      if (!action) throw new UnmappedCallError(`the local IAM guard does not know transaction item kind ${kind}`);
      const table = tableArnOf(builder, field(request as Record<string, unknown>, 'TableName'));
      return [builder.permission(action, table), ...tableKeyUse(builder, table)];
    }),
  );

const DYNAMODB: Readonly<Record<string, Mapper>> = {
  GetItem: onTable('dynamodb:GetItem'),
  PutItem: onTable('dynamodb:PutItem'),
  UpdateItem: onTable('dynamodb:UpdateItem'),
  DeleteItem: onTable('dynamodb:DeleteItem'),
  Query: onTableOrIndex('dynamodb:Query'),
  Scan: onTableOrIndex('dynamodb:Scan'),
  BatchGetItem: onEveryTable('dynamodb:BatchGetItem'),
  BatchWriteItem: onEveryTable('dynamodb:BatchWriteItem'),
  TransactGetItems: transact,
  TransactWriteItems: transact,
  // Table metadata, which DynamoDB serves without the table key.
  DescribeTable: (input, builder) => [
    builder.permission('dynamodb:DescribeTable', tableArnOf(builder, field(input, 'TableName'))),
  ],
};

// SQS --------------------------------------------------------------------------------------------------

/**
 * SQS Developer Guide, "Amazon SQS key management": a producer's SendMessage or SendMessageBatch
 * "triggers calls to kms:GenerateDataKey and kms:Decrypt" ("Configure KMS permissions for producers"),
 * a consumer's ReceiveMessage "a call to kms:Decrypt" ("... for consumers"), both made for the caller,
 * so the caller needs them on the queue's key. SQS reuses a data key for up to the queue's reuse period
 * per principal; checking every call decides as the first call of each period does. The encryption
 * context aws:sqs:arn (the queue's ARN) is the one SQS is seen to use; the pages read do not state it.
 */
const queueKeyUse = (builder: PermissionBuilder, queue: string, actions: readonly string[]) =>
  builder.keyUse(queue, actions, 'sqs', { 'aws:sqs:arn': queue });

const onQueue =
  (action: string, keyActions: readonly string[] = []): Mapper =>
  (input, builder) => {
    const queue = builder.lookup.queueArn(field(input, 'QueueUrl'));
    return [builder.permission(action, queue), ...queueKeyUse(builder, queue, keyActions)];
  };

const SQS: Readonly<Record<string, Mapper>> = {
  SendMessage: onQueue('sqs:SendMessage', ['kms:GenerateDataKey', 'kms:Decrypt']),
  SendMessageBatch: onQueue('sqs:SendMessage', ['kms:GenerateDataKey', 'kms:Decrypt']),
  ReceiveMessage: onQueue('sqs:ReceiveMessage', ['kms:Decrypt']),
  DeleteMessage: onQueue('sqs:DeleteMessage'),
  DeleteMessageBatch: onQueue('sqs:DeleteMessage'),
  ChangeMessageVisibility: onQueue('sqs:ChangeMessageVisibility'),
  ChangeMessageVisibilityBatch: onQueue('sqs:ChangeMessageVisibility'),
  GetQueueAttributes: onQueue('sqs:GetQueueAttributes'),
  PurgeQueue: onQueue('sqs:PurgeQueue'),
  GetQueueUrl: (input, builder) => {
    const owner = typeof input.QueueOwnerAWSAccountId === 'string' ? input.QueueOwnerAWSAccountId : undefined;
    return [builder.permission('sqs:GetQueueUrl', builder.lookup.queueArnByName(field(input, 'QueueName'), owner))];
  },
};

// Secrets Manager --------------------------------------------------------------------------------------

/**
 * Secrets Manager User Guide, "Secret encryption and decryption": GetSecretValue makes Secrets Manager
 * call KMS Decrypt, "on behalf of the user", who needs kms:Decrypt on the secret's key ("Permissions for
 * the KMS key"); kms:ViaService is secretsmanager.<region>.amazonaws.com and the encryption context has
 * SecretARN (and SecretVersionId, which the local runtime does not know, so it is not filled in).
 */
const SECRETS_MANAGER: Readonly<Record<string, Mapper>> = {
  GetSecretValue: (input, builder) => {
    const secret = builder.lookup.secretArn(field(input, 'SecretId'));
    return [
      builder.permission('secretsmanager:GetSecretValue', secret),
      ...builder.keyUse(secret, ['kms:Decrypt'], 'secretsmanager', { SecretARN: secret }),
    ];
  },
  DescribeSecret: (input, builder) => [
    builder.permission('secretsmanager:DescribeSecret', builder.lookup.secretArn(field(input, 'SecretId'))),
  ],
};

const MAPPERS: Readonly<Record<GuardedService, Readonly<Record<string, Mapper>>>> = {
  dynamodb: DYNAMODB,
  sqs: SQS,
  secretsmanager: SECRETS_MANAGER,
};
