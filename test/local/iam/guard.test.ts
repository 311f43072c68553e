import {
  DynamoDBClient,
  DynamoDBServiceException,
  ExecuteStatementCommand,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  GetSecretValueCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  KmsAccessDenied,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  SQSServiceException,
} from '@aws-sdk/client-sqs';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableNames } from '#adapters/dynamodb/tables.ts';
import { createTables, type LocalDynamo, startLocalDynamo } from '#local/dynamodb.ts';
import { accessDeniedError, createIamGuard, type GuardedCall, type IamGuardOptions } from '#local/iam/guard.ts';
import { loadPolicy, type PolicyStatement } from '#local/iam/policy-evaluator.ts';
import { UnmappedCallError } from '#local/iam/sdk-permissions.ts';
import { type LocalSqs, startLocalSqs } from '#local/sqs.ts';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/local-ScreeningFunction`;
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/local-ScreeningFunction/local-ScreeningFunction`;
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:local-PseudonymKey-AbCdEf`;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const tableArn = (name: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;

let dynamo: LocalDynamo;
let sqs: LocalSqs;
let admin: { dynamodb: DynamoDBClient; sqs: SQSClient };
let tables: TableNames;
const queues: Record<'decisions' | 'encrypted' | 'inbound', { url: string; arn: string }> = {} as never;

beforeAll(async () => {
  [dynamo, sqs] = await Promise.all([startLocalDynamo(), startLocalSqs({ region: REGION })]);
  admin = {
    dynamodb: new DynamoDBClient({ endpoint: dynamo.endpoint, region: REGION, credentials }),
    sqs: new SQSClient({ endpoint: sqs.endpoint, region: REGION, credentials }),
  };
  tables = await createTables(admin.dynamodb, 'local');
  for (const [role, name] of [
    ['decisions', 'local-bank-a-decisions'],
    ['encrypted', 'local-bank-b-decisions'],
    ['inbound', 'local-bank-a-inbound'],
  ] as const) {
    const { QueueUrl: url = '' } = await admin.sqs.send(new CreateQueueCommand({ QueueName: name }));
    const { Attributes } = await admin.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    );
    queues[role] = { url, arn: Attributes!.QueueArn! };
  }
});
afterAll(async () => {
  admin.dynamodb.destroy();
  admin.sqs.destroy();
  await Promise.all([dynamo.close(), sqs.close()]);
});

/** The screening function's role as the template writes it: one statement per manifest grant. */
const screeningRole = (...extra: PolicyStatement[]) =>
  loadPolicy(
    'ScreeningFunctionServiceRoleDefaultPolicy',
    {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ReadScreeningState',
          Effect: 'Allow',
          Action: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
          Resource: [tableArn(tables.watchlist), tableArn(tables.aggregates)],
        },
        {
          Sid: 'UpdateAggregates',
          Effect: 'Allow',
          Action: 'dynamodb:UpdateItem',
          Resource: tableArn(tables.aggregates),
        },
        { Sid: 'RecordOutcomes', Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: tableArn(tables.decisions) },
        {
          Sid: 'QueryReviewQueues',
          Effect: 'Allow',
          Action: 'dynamodb:Query',
          Resource: `${tableArn(tables.flags)}/index/byDue`,
        },
        {
          Sid: 'SendDecisions',
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Resource: [queues.decisions.arn, queues.encrypted.arn],
        },
        { Sid: 'ReadPseudonymKey', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: SECRET },
        ...extra,
      ],
    },
    'identity',
  );
const USE_DATA_KEY: PolicyStatement = {
  Sid: 'UseDataKey',
  Effect: 'Allow',
  Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
  Resource: KEY,
};

/** KMS Developer Guide, "Default key policy": the account's IAM policies decide. */
const keyPolicy = loadPolicy(
  'DataKey policy',
  {
    Version: '2012-10-17',
    Statement: { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
  },
  'resource',
);
/** What CDK writes for a queue with enforceSSL. */
const enforceSsl = (queueArn: string, ...extra: PolicyStatement[]) =>
  loadPolicy(
    'queue policy',
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'sqs:*',
          Resource: queueArn,
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        ...extra,
      ],
    },
    'resource',
  );

function guarded(overrides: Partial<IamGuardOptions> = {}) {
  const calls: GuardedCall[] = [];
  const guard = createIamGuard({
    principal: { roleArn: ROLE, account: ACCOUNT, sessionName: 'local-ScreeningFunction' },
    identityPolicies: [screeningRole()],
    resourcePolicyOf: (arn) => (Object.values(queues).some((queue) => queue.arn === arn) ? enforceSsl(arn) : undefined),
    keyPolicyOf: (arn) => (arn === KEY ? keyPolicy : undefined),
    lookup: {
      tableArn,
      queueArn: (url) => {
        const queue = Object.values(queues).find((q) => q.url === url);
        if (!queue) throw new Error(`no queue at ${url}`);
        return queue.arn;
      },
      queueArnByName: (name, owner = ACCOUNT) => `arn:aws:sqs:${REGION}:${owner}:${name}`,
      secretArn: () => SECRET,
      keyOf: (arn) => (arn === queues.encrypted.arn || arn === SECRET ? KEY : undefined),
    },
    onCall: (call) => calls.push(call),
    ...overrides,
  });
  const dynamodb = new DynamoDBClient({ endpoint: dynamo.endpoint, region: REGION, credentials, maxAttempts: 3 });
  const queue = new SQSClient({ endpoint: sqs.endpoint, region: REGION, credentials, maxAttempts: 3 });
  guard.instrument(dynamodb);
  guard.instrument(queue);
  const documents = DynamoDBDocumentClient.from(dynamodb);
  return { guard, calls, dynamodb, documents, sqs: queue };
}

/** Counts the requests that reach the transport (below the SDK's retries). */
function countSent(client: { middlewareStack: DynamoDBClient['middlewareStack'] | SQSClient['middlewareStack'] }) {
  const sent = { count: 0 };
  (client.middlewareStack as DynamoDBClient['middlewareStack']).add(
    (next) => async (args) => {
      sent.count += 1;
      return next(args);
    },
    { step: 'finalizeRequest', name: 'countSent' },
  );
  return sent;
}

const rejection = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('the call was not denied');
};

describe('the IAM guard on DynamoDB', () => {
  it('lets an allowed call through to the stand-in', async () => {
    const { documents } = guarded();
    await documents.send(
      new PutCommand({ TableName: tables.decisions, Item: { partnerId: 'bank-a', transferId: 't1' } }),
    );
    const { Item } = await admin.dynamodb.send(
      new GetItemCommand({ TableName: tables.decisions, Key: { partnerId: { S: 'bank-a' }, transferId: { S: 't1' } } }),
    );
    expect(Item).toBeDefined();
  });

  it('fails a denied call as DynamoDB does, before it reaches the stand-in, and the SDK does not retry it', async () => {
    const { dynamodb } = guarded();
    const sent = countSent(dynamodb);
    const error = await rejection(
      dynamodb.send(new PutItemCommand({ TableName: tables.aggregates, Item: { pk: { S: 'denied' } } })),
    );
    expect(error).toBeInstanceOf(DynamoDBServiceException);
    expect(error).toMatchObject({
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, attempts: 1, totalRetryDelay: 0 },
      message: `User: ${SESSION} is not authorized to perform: dynamodb:PutItem on resource: ${tableArn(tables.aggregates)} because no identity-based policy allows the dynamodb:PutItem action`,
    });
    expect(sent.count).toBe(0);
    const { Item } = await admin.dynamodb.send(
      new GetItemCommand({ TableName: tables.aggregates, Key: { pk: { S: 'denied' } } }),
    );
    expect(Item).toBeUndefined();
  });

  it('guards a DynamoDBDocumentClient through the client it was made from; BatchGetItem needs every table', async () => {
    const { documents } = guarded();
    const keys = { [tables.watchlist]: { Keys: [{ accountKey: 'a' }] }, [tables.aggregates]: { Keys: [{ pk: 'a' }] } };
    await documents.send(new BatchGetCommand({ RequestItems: keys }));
    const error = await rejection(
      documents.send(
        new BatchGetCommand({
          RequestItems: { ...keys, [tables.flags]: { Keys: [{ partnerId: 'a', transferId: 'b' }] } },
        }),
      ),
    );
    expect(error.message).toBe(
      `User: ${SESSION} is not authorized to perform: dynamodb:BatchGetItem on resource: ${tableArn(tables.flags)} because no identity-based policy allows the dynamodb:BatchGetItem action`,
    );
  });

  it("allows Query on an index only through the index's ARN", async () => {
    const { documents } = guarded();
    const query = (IndexName?: string) =>
      documents.send(
        new QueryCommand({
          TableName: tables.flags,
          ...(IndexName ? { IndexName } : {}),
          KeyConditionExpression: IndexName === 'byQueue' ? '#q = :v' : IndexName ? 'dueShard = :v' : 'partnerId = :v',
          ...(IndexName === 'byQueue' ? { ExpressionAttributeNames: { '#q': 'queue' } } : {}),
          ExpressionAttributeValues: { ':v': 'x' },
        }),
      );
    await query('byDue');
    expect((await rejection(query('byQueue'))).message).toContain(
      `dynamodb:Query on resource: ${tableArn(tables.flags)}/index/byQueue because`,
    );
    expect((await rejection(query())).message).toContain(
      `dynamodb:Query on resource: ${tableArn(tables.flags)} because`,
    );
  });

  it('needs kms:Decrypt on the key of a table under a customer managed key, failing as DynamoDB does', async () => {
    const lookup = {
      tableArn,
      queueArn: () => '',
      queueArnByName: () => '',
      secretArn: () => SECRET,
      keyOf: (arn: string) => (arn === tableArn(tables.aggregates) ? KEY : undefined),
    };
    const without = guarded({ lookup });
    const error = await rejection(
      without.documents.send(new GetCommand({ TableName: tables.aggregates, Key: { pk: 'a' } })),
    );
    expect(error).toBeInstanceOf(DynamoDBServiceException);
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toMatch(
      /^KMS key access denied error: com\.amazonaws\.services\.kms\.model\.AWSKMSException: The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access\. \(Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; Request ID: [0-9a-f-]{36}; Proxy: null\)$/,
    );
    const withKey = guarded({ lookup, identityPolicies: [screeningRole(USE_DATA_KEY)] });
    await withKey.documents.send(new GetCommand({ TableName: tables.aggregates, Key: { pk: 'a' } }));
  });

  it('refuses a call it cannot check, without sending it', async () => {
    const { dynamodb } = guarded();
    const sent = countSent(dynamodb);
    await expect(
      dynamodb.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "${tables.flags}"` })),
    ).rejects.toThrow(UnmappedCallError);
    expect(sent.count).toBe(0);
  });
});

describe('the IAM guard on SQS', () => {
  it('fails a send to a queue the role may not send to with AccessDenied (403), as SQS does', async () => {
    const client = guarded().sqs;
    const error = await rejection(
      client.send(new SendMessageCommand({ QueueUrl: queues.inbound.url, MessageBody: 'x' })),
    );
    expect(error).toBeInstanceOf(SQSServiceException);
    expect(error).toMatchObject({
      name: 'AccessDenied',
      Code: 'AccessDenied',
      Type: 'Sender',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: `User: ${SESSION} is not authorized to perform: sqs:SendMessage on resource: ${queues.inbound.arn} because no identity-based policy allows the sqs:SendMessage action`,
    });
    const { Messages = [] } = await admin.sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.inbound.url }));
    expect(Messages).toEqual([]);
  });

  it('needs the key permissions to send to a queue under a customer managed key, failing with KmsAccessDenied', async () => {
    const send = (client: SQSClient) =>
      client.send(new SendMessageCommand({ QueueUrl: queues.encrypted.url, MessageBody: 'decision' }));
    const error = await rejection(send(guarded().sqs));
    expect(error).toBeInstanceOf(KmsAccessDenied);
    expect(error).toBeInstanceOf(SQSServiceException);
    expect(error).toMatchObject({
      name: 'KmsAccessDenied',
      Code: 'KMS.AccessDeniedException',
      Type: 'Sender',
      $metadata: { httpStatusCode: 400 },
      message: `User: ${SESSION} is not authorized to perform: kms:GenerateDataKey on resource: ${KEY} because no identity-based policy allows the kms:GenerateDataKey action`,
    });
    expect(
      (await admin.sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.encrypted.url }))).Messages ?? [],
    ).toEqual([]);

    const withKey = guarded({ identityPolicies: [screeningRole(USE_DATA_KEY)] });
    await send(withKey.sqs);
    expect(withKey.calls.map(({ action, resource, decision }) => [action, resource, decision.decision])).toEqual([
      ['sqs:SendMessage', queues.encrypted.arn, 'allow'],
      ['kms:GenerateDataKey', KEY, 'allow'],
      ['kms:Decrypt', KEY, 'allow'],
    ]);
    const { Messages = [] } = await admin.sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.encrypted.url }));
    expect(Messages.map((m) => m.Body)).toEqual(['decision']);
  });

  it('names an explicit deny in the queue policy as AWS does', async () => {
    const { sqs: client } = guarded({
      resourcePolicyOf: (arn) =>
        enforceSsl(arn, {
          Sid: 'NoDecisions',
          Effect: 'Deny',
          Principal: { AWS: ROLE },
          Action: 'sqs:SendMessage',
          Resource: arn,
        }),
    });
    const error = await rejection(
      client.send(new SendMessageCommand({ QueueUrl: queues.decisions.url, MessageBody: 'x' })),
    );
    expect(error.message).toBe(
      `User: ${SESSION} is not authorized to perform: sqs:SendMessage on resource: ${queues.decisions.arn} with an explicit deny in a resource-based policy`,
    );
  });
});

describe('the IAM guard on Secrets Manager', () => {
  /** No local stand-in serves Secrets Manager: this one answers below the guard and counts what reaches it. */
  function secretsClient(options: Partial<IamGuardOptions>) {
    const { guard } = guarded(options);
    const client = new SecretsManagerClient({ region: REGION, credentials, endpoint: 'http://127.0.0.1:1' });
    guard.instrument(client);
    const reached = { count: 0 };
    client.middlewareStack.add(
      () => async () => {
        reached.count += 1;
        return { output: { $metadata: {}, ARN: SECRET, SecretString: 'key' }, response: {} };
      },
      { step: 'build', name: 'secretStandIn' },
    );
    return { client, reached };
  }

  it('needs kms:Decrypt on the secret\'s key, failing with "Access to KMS is not allowed" as Secrets Manager does', async () => {
    const without = secretsClient({});
    const error = await rejection(without.client.send(new GetSecretValueCommand({ SecretId: 'local-PseudonymKey' })));
    expect(error).toBeInstanceOf(SecretsManagerServiceException);
    expect(error).toMatchObject({
      name: 'AccessDeniedException',
      message: 'Access to KMS is not allowed',
      $metadata: { httpStatusCode: 400 },
    });
    expect(without.reached.count).toBe(0);

    const withKey = secretsClient({ identityPolicies: [screeningRole(USE_DATA_KEY)] });
    const { SecretString } = await withKey.client.send(new GetSecretValueCommand({ SecretId: 'local-PseudonymKey' }));
    expect(SecretString).toBe('key');
    expect(withKey.reached.count).toBe(1);
  });
});

describe('the decisions and what the runtime sees of them', () => {
  it('reports each distinct evaluation to onCall once, with the statements that decided, and decides a repeated call from the cache', async () => {
    const { documents, calls } = guarded();
    const put = (transferId: string) =>
      documents.send(new PutCommand({ TableName: tables.decisions, Item: { partnerId: 'bank-a', transferId } }));
    await put('t2');
    await put('t3');
    await documents.send(new GetCommand({ TableName: tables.aggregates, Key: { pk: 'a' } }));
    expect(calls).toEqual([
      {
        principal: SESSION,
        action: 'dynamodb:PutItem',
        resource: tableArn(tables.decisions),
        decision: {
          decision: 'allow',
          statements: [
            { policy: 'ScreeningFunctionServiceRoleDefaultPolicy', kind: 'identity', sid: 'RecordOutcomes', index: 2 },
          ],
        },
      },
      expect.objectContaining({
        action: 'dynamodb:GetItem',
        decision: { decision: 'allow', statements: [expect.objectContaining({ sid: 'ReadScreeningState' })] },
      }),
    ]);
    expect(calls[1]!.decision).not.toBe(calls[0]!.decision);
  });

  it('reports denials to onCall too', async () => {
    const { documents, calls } = guarded();
    await rejection(
      documents.send(new PutCommand({ TableName: tables.flags, Item: { partnerId: 'a', transferId: 'b' } })),
    );
    expect(calls).toEqual([
      {
        principal: SESSION,
        action: 'dynamodb:PutItem',
        resource: tableArn(tables.flags),
        decision: { decision: 'implicit-deny', reason: 'no-identity-based-allow' },
      },
    ]);
  });

  it("makes errors the SDK's retry strategy does not retry, even where it sees them", async () => {
    // Thrown below the retries, a denial is tried once while a throttle is tried maxAttempts times.
    const attemptsOf = async (error: Error) => {
      const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: REGION, credentials, maxAttempts: 3 });
      let attempts = 0;
      client.middlewareStack.add(
        () => async () => {
          attempts += 1;
          throw error;
        },
        { step: 'finalizeRequest', name: 'fail' },
      );
      await rejection(client.send(new GetItemCommand({ TableName: tables.aggregates, Key: { pk: { S: 'a' } } })));
      client.destroy();
      return attempts;
    };
    const denial = accessDeniedError('DynamoDBClient', {
      principal: SESSION,
      action: 'dynamodb:GetItem',
      resource: tableArn(tables.aggregates),
      decision: { decision: 'implicit-deny', reason: 'no-identity-based-allow' },
    });
    const throttle = new DynamoDBServiceException({
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'Rate exceeded',
    });
    expect(await attemptsOf(throttle)).toBe(3);
    expect(await attemptsOf(denial)).toBe(1);
    for (const service of ['SQSClient', 'SecretsManagerClient'])
      for (const action of ['x:Y', 'kms:Decrypt'])
        expect(
          await attemptsOf(
            accessDeniedError(service, {
              principal: SESSION,
              action,
              resource: KEY,
              decision: { decision: 'implicit-deny', reason: 'no-resource-based-allow' },
            }),
          ),
        ).toBe(1);
  });

  it('refuses at start-up a role conditioned on a key it does not fill in, and a resource policy at first use', async () => {
    const leadingKeys = screeningRole({
      Effect: 'Allow',
      Action: 'dynamodb:GetItem',
      Resource: '*',
      Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': 'a' } },
    });
    expect(() => guarded({ identityPolicies: [leadingKeys] })).toThrow(
      /policy ScreeningFunctionServiceRoleDefaultPolicy has conditions on dynamodb:leadingkeys, which the local IAM guard does not fill in/,
    );
    const { sqs: client } = guarded({
      resourcePolicyOf: (arn) =>
        enforceSsl(arn, {
          Effect: 'Deny',
          Principal: '*',
          Action: 'sqs:SendMessage',
          Resource: arn,
          Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } },
        }),
    });
    await expect(
      client.send(new SendMessageCommand({ QueueUrl: queues.decisions.url, MessageBody: 'x' })),
    ).rejects.toThrow(/queue policy has conditions on aws:sourcevpce/);
  });
});
