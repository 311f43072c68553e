import { describe, expect, it } from 'vitest';
import {
  FILLED_CONTEXT_KEYS,
  type RequiredPermission,
  type ResourceLookup,
  requiredPermissions,
  UnmappedCallError,
} from '#local/iam/sdk-permissions.ts';

const ACCOUNT = '000000000000';
const CALLER = { roleArn: `arn:aws:iam::${ACCOUNT}:role/local-ScreeningFunction`, account: ACCOUNT };
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const table = (name: string) => `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${name}`;
const QUEUE_URL = `http://sqs.us-east-1.localhost:4566/${ACCOUNT}/local-bank-a-decisions`;
const QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:local-bank-a-decisions`;
const SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:local-PseudonymKey-AbCdEf`;

/** Tables, queue and secret of a local stage; `encrypted` lists the resources under the customer managed key. */
const lookup = (encrypted: readonly string[] = []): ResourceLookup => ({
  tableArn: (name) => table(name),
  queueArn: (url) => {
    if (url !== QUEUE_URL) throw new Error(`no queue at ${url}`);
    return QUEUE;
  },
  queueArnByName: (name, owner = ACCOUNT) => `arn:aws:sqs:us-east-1:${owner}:${name}`,
  secretArn: (id) => {
    if (!SECRET.includes(id)) throw new Error(`no secret ${id}`);
    return SECRET;
  },
  keyOf: (arn) => (encrypted.includes(arn) ? KEY : undefined),
});

const permissions = (service: string, command: string, input: Record<string, unknown>, encrypted: string[] = []) =>
  requiredPermissions({ service, command, input }, CALLER, lookup(encrypted));
const actionsOn = (required: readonly RequiredPermission[]) =>
  required.map(({ action, resource }) => [action, resource]);

const BASE_CONTEXT = {
  'aws:PrincipalArn': CALLER.roleArn,
  'aws:PrincipalAccount': ACCOUNT,
  'aws:SecureTransport': 'true',
  'aws:RequestedRegion': 'us-east-1',
};

describe('DynamoDB calls', () => {
  it('check the item action on the table, with the caller filled into the context', () => {
    expect(permissions('DynamoDBClient', 'PutItemCommand', { TableName: 'local-Aggregates', Item: {} })).toEqual([
      {
        action: 'dynamodb:PutItem',
        resource: table('local-Aggregates'),
        policyResource: table('local-Aggregates'),
        context: BASE_CONTEXT,
      },
    ]);
    for (const command of ['GetItem', 'UpdateItem', 'DeleteItem', 'DescribeTable'])
      expect(actionsOn(permissions('DynamoDB', command, { TableName: 'T' }))).toEqual([
        [`dynamodb:${command}`, table('T')],
      ]);
  });

  it('need kms:Decrypt through DynamoDB on a table under a customer managed key, with its encryption context', () => {
    const required = permissions('DynamoDBClient', 'GetItemCommand', { TableName: 'local-Flags' }, [
      table('local-Flags'),
    ]);
    expect(required).toEqual([
      expect.objectContaining({ action: 'dynamodb:GetItem' }),
      {
        action: 'kms:Decrypt',
        resource: KEY,
        policyResource: KEY,
        context: {
          ...BASE_CONTEXT,
          'kms:ViaService': 'dynamodb.us-east-1.amazonaws.com',
          'kms:CallerAccount': ACCOUNT,
          'kms:EncryptionContext:aws:dynamodb:tableName': 'local-Flags',
          'kms:EncryptionContext:aws:dynamodb:subscriberId': ACCOUNT,
        },
      },
    ]);
    // Table metadata does not need the table key.
    expect(
      actionsOn(permissions('DynamoDB', 'DescribeTable', { TableName: 'local-Flags' }, [table('local-Flags')])),
    ).toEqual([['dynamodb:DescribeTable', table('local-Flags')]]);
  });

  it("Query and Scan an index through its own ARN, under the table's resource policy", () => {
    const [query] = permissions('DynamoDB', 'Query', { TableName: 'local-Flags', IndexName: 'byStatus' });
    expect(query).toMatchObject({
      action: 'dynamodb:Query',
      resource: `${table('local-Flags')}/index/byStatus`,
      policyResource: table('local-Flags'),
    });
    expect(actionsOn(permissions('DynamoDB', 'Scan', { TableName: 'local-Flags' }))).toEqual([
      ['dynamodb:Scan', table('local-Flags')],
    ]);
  });

  it('BatchGetItem and BatchWriteItem need their own action on every table', () => {
    const batchGet = permissions(
      'DynamoDBClient',
      'BatchGetItemCommand',
      { RequestItems: { 'local-Watchlist': { Keys: [] }, 'local-Aggregates': { Keys: [] } } },
      [table('local-Watchlist'), table('local-Aggregates')],
    );
    expect(actionsOn(batchGet)).toEqual([
      ['dynamodb:BatchGetItem', table('local-Watchlist')],
      ['kms:Decrypt', KEY],
      ['dynamodb:BatchGetItem', table('local-Aggregates')],
      ['kms:Decrypt', KEY],
    ]);
    expect(batchGet[1]!.context['kms:EncryptionContext:aws:dynamodb:tableName']).toBe('local-Watchlist');
    expect(batchGet[3]!.context['kms:EncryptionContext:aws:dynamodb:tableName']).toBe('local-Aggregates');
    expect(actionsOn(permissions('DynamoDB', 'BatchWriteItem', { RequestItems: { A: [], B: [] } }))).toEqual([
      ['dynamodb:BatchWriteItem', table('A')],
      ['dynamodb:BatchWriteItem', table('B')],
    ]);
  });

  it("transactions need each item's single-item action, once per action and table", () => {
    const write = permissions('DynamoDB', 'TransactWriteItems', {
      TransactItems: [
        { Put: { TableName: 'A' } },
        { Update: { TableName: 'B' } },
        { Delete: { TableName: 'A' } },
        { ConditionCheck: { TableName: 'B' } },
        { Put: { TableName: 'A' } },
      ],
    });
    expect(actionsOn(write)).toEqual([
      ['dynamodb:PutItem', table('A')],
      ['dynamodb:UpdateItem', table('B')],
      ['dynamodb:DeleteItem', table('A')],
      ['dynamodb:ConditionCheckItem', table('B')],
    ]);
    const get = permissions('DynamoDB', 'TransactGetItems', { TransactItems: [{ Get: { TableName: 'A' } }] });
    expect(actionsOn(get)).toEqual([['dynamodb:GetItem', table('A')]]);
  });

  it('take a table ARN in TableName as it is', () => {
    const arn = `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/Other`;
    expect(permissions('DynamoDB', 'GetItem', { TableName: arn })[0]).toMatchObject({
      resource: arn,
      context: { 'aws:RequestedRegion': 'eu-west-1' },
    });
  });
});

describe('SQS calls', () => {
  it('SendMessage and SendMessageBatch need sqs:SendMessage, and kms:GenerateDataKey and kms:Decrypt on an encrypted queue', () => {
    for (const command of ['SendMessage', 'SendMessageBatch']) {
      const required = permissions('SQSClient', `${command}Command`, { QueueUrl: QUEUE_URL }, [QUEUE]);
      expect(actionsOn(required)).toEqual([
        ['sqs:SendMessage', QUEUE],
        ['kms:GenerateDataKey', KEY],
        ['kms:Decrypt', KEY],
      ]);
      expect(required[1]!.context).toEqual({
        ...BASE_CONTEXT,
        'kms:ViaService': 'sqs.us-east-1.amazonaws.com',
        'kms:CallerAccount': ACCOUNT,
        'kms:EncryptionContext:aws:sqs:arn': QUEUE,
      });
    }
    expect(actionsOn(permissions('SQS', 'SendMessage', { QueueUrl: QUEUE_URL }))).toEqual([['sqs:SendMessage', QUEUE]]);
  });

  it('ReceiveMessage needs kms:Decrypt on an encrypted queue; deleting and hiding messages need no key', () => {
    expect(actionsOn(permissions('SQS', 'ReceiveMessage', { QueueUrl: QUEUE_URL }, [QUEUE]))).toEqual([
      ['sqs:ReceiveMessage', QUEUE],
      ['kms:Decrypt', KEY],
    ]);
    const withoutKey = (command: string) => actionsOn(permissions('SQS', command, { QueueUrl: QUEUE_URL }, [QUEUE]));
    expect(withoutKey('DeleteMessage')).toEqual([['sqs:DeleteMessage', QUEUE]]);
    expect(withoutKey('DeleteMessageBatch')).toEqual([['sqs:DeleteMessage', QUEUE]]);
    expect(withoutKey('ChangeMessageVisibility')).toEqual([['sqs:ChangeMessageVisibility', QUEUE]]);
    expect(withoutKey('ChangeMessageVisibilityBatch')).toEqual([['sqs:ChangeMessageVisibility', QUEUE]]);
    expect(withoutKey('GetQueueAttributes')).toEqual([['sqs:GetQueueAttributes', QUEUE]]);
    expect(withoutKey('PurgeQueue')).toEqual([['sqs:PurgeQueue', QUEUE]]);
  });

  it('GetQueueUrl checks the queue it names, in the owner account given', () => {
    expect(actionsOn(permissions('SQS', 'GetQueueUrl', { QueueName: 'local-bank-a-decisions' }))).toEqual([
      ['sqs:GetQueueUrl', QUEUE],
    ]);
    expect(
      actionsOn(permissions('SQS', 'GetQueueUrl', { QueueName: 'inbound', QueueOwnerAWSAccountId: '444455556666' })),
    ).toEqual([['sqs:GetQueueUrl', 'arn:aws:sqs:us-east-1:444455556666:inbound']]);
  });
});

describe('Secrets Manager calls', () => {
  it('GetSecretValue needs kms:Decrypt through Secrets Manager on a secret under a customer managed key', () => {
    const required = permissions('Secrets Manager', 'GetSecretValue', { SecretId: 'local-PseudonymKey' }, [SECRET]);
    expect(actionsOn(required)).toEqual([
      ['secretsmanager:GetSecretValue', SECRET],
      ['kms:Decrypt', KEY],
    ]);
    expect(required[1]!.context).toMatchObject({
      'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com',
      'kms:EncryptionContext:SecretARN': SECRET,
    });
    expect(
      actionsOn(permissions('SecretsManagerClient', 'DescribeSecretCommand', { SecretId: SECRET }, [SECRET])),
    ).toEqual([['secretsmanager:DescribeSecret', SECRET]]);
  });
});

describe('any other call', () => {
  it('cannot be checked, and says where to map it', () => {
    const unmapped = [
      ['DynamoDBClient', 'ExecuteStatementCommand'],
      ['SQSClient', 'CreateQueueCommand'],
      ['S3Client', 'GetObjectCommand'],
      ['DynamoDBClient', 'constructor'],
    ] as const;
    for (const [service, command] of unmapped) {
      expect(() => permissions(service, command, {})).toThrow(UnmappedCallError);
      expect(() => permissions(service, command, {})).toThrow(
        /maps no such call; map the permissions AWS checks for it there/,
      );
    }
  });
});

it('fills in only the context keys it declares', () => {
  const all = [
    permissions('DynamoDB', 'Query', { TableName: 'T', IndexName: 'I' }, [table('T')]),
    permissions('SQS', 'SendMessage', { QueueUrl: QUEUE_URL }, [QUEUE]),
    permissions('Secrets Manager', 'GetSecretValue', { SecretId: SECRET }, [SECRET]),
  ].flat();
  const keys = new Set(all.flatMap((permission) => Object.keys(permission.context).map((key) => key.toLowerCase())));
  expect([...keys].filter((key) => !FILLED_CONTEXT_KEYS.has(key))).toEqual([]);
  expect([...FILLED_CONTEXT_KEYS].filter((key) => !keys.has(key))).toEqual([]);
});
