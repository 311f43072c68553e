import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Decision } from '#domain/contract/decision.ts';
import { everySendSucceeds } from '../support/handler-harness.ts';
import { captureOutput } from '../support/output.ts';
import shippedPack from '../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };
import { TEST_PSEUDONYM_KEY, quietTransfer, transferEvent } from '../support/transfers.ts';

/** Handler tests: the real handler and adapters, with the AWS SDK mocked by aws-sdk-client-mock. */
const documents = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
const secrets = mockClient(SecretsManagerClient);

const OUTBOUND = {
  'kr-demo-bank': 'https://sqs.eu-west-1.amazonaws.com/123456789012/fraud-test-kr-demo-bank-decisions',
};
const ENV = {
  QUEUE_PREFIX: 'fraud-test',
  OUTBOUND_QUEUE_URLS: JSON.stringify(OUTBOUND),
  PSEUDONYM_KEY: TEST_PSEUDONYM_KEY,
  RULE_PACK_ID: 'kr-kh',
  WATCHLIST_TABLE: 'Watchlist',
  AGGREGATES_TABLE: 'Aggregates',
  RULE_PACKS_TABLE: 'RulePacks',
  DECISIONS_TABLE: 'Decisions',
  REJECTIONS_TABLE: 'Rejections',
  FLAGS_TABLE: 'Flags',
  SHADOW_DECISIONS_TABLE: 'ShadowDecisions',
  AWS_REGION: 'eu-west-1',
  POWERTOOLS_METRICS_NAMESPACE: 'TransferScreeningTest',
};

const context = {
  functionName: 'screening',
  awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:screening',
  memoryLimitInMB: '512',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

function sqsRecord(body: unknown, messageId: string, queue = 'fraud-test-kr-demo-bank-inbound'): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now() - 50),
      SenderId: 'partner',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:eu-west-1:123456789012:${queue}`,
    awsRegion: 'eu-west-1',
  };
}

const event = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

async function loadHandler() {
  vi.resetModules();
  return (await import('#handlers/screening.ts')).handler;
}

function givenActivePack() {
  documents
    .on(GetCommand, { Key: { packId: 'kr-kh', version: 'ACTIVE' } })
    .resolves({ Item: { activeVersion: shippedPack.version } });
  documents.on(GetCommand, { Key: { packId: 'kr-kh', version: 'SHADOW' } }).resolves({});
  documents
    .on(GetCommand, { Key: { packId: 'kr-kh', version: shippedPack.version } })
    .resolves({ Item: { document: JSON.stringify(shippedPack) } });
}

/** A pack of the delayed-withdrawal rule alone: what the live pack sends to an officer, it only delays. */
const SHADOW_PACK = {
  ...shippedPack,
  version: 'kr-kh-shadow-1',
  rules: shippedPack.rules.filter((rule) => rule.id === 'DELAYED-WITHDRAWAL'),
};

function givenShadowPack() {
  documents
    .on(GetCommand, { Key: { packId: 'kr-kh', version: 'SHADOW' } })
    .resolves({ Item: { shadowVersion: SHADOW_PACK.version } });
  documents
    .on(GetCommand, { Key: { packId: 'kr-kh', version: SHADOW_PACK.version } })
    .resolves({ Item: { document: JSON.stringify(SHADOW_PACK) } });
}

const putItems = (table: string) =>
  documents.commandCalls(PutCommand, { TableName: table }).map((call) => call.args[0].input.Item!);

const sentDecisions = () =>
  sqs
    .commandCalls(SendMessageBatchCommand)
    .flatMap((call) =>
      (call.args[0].input as SendMessageBatchCommandInput).Entries!.map((e) => JSON.parse(e.MessageBody!) as Decision),
    );

/** Everything the handler wrote: Powertools logs INFO to stdout and WARN and ERROR to stderr. */
let output: { out: string[]; err: string[] };
const written = () => [...output.out, ...output.err].join('');

beforeEach(() => {
  for (const [key, value] of Object.entries(ENV)) vi.stubEnv(key, value);
  documents.reset();
  sqs.reset();
  secrets.reset();
  givenActivePack();
  documents.on(BatchGetCommand).resolves({ Responses: {} });
  documents.on(UpdateCommand).resolves({});
  documents.on(PutCommand).resolves({});
  sqs.on(SendMessageBatchCommand).callsFake(everySendSucceeds);
  output = captureOutput();
  // The transfers are dated 2026-11-24; event time may not stray far from processing time.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-11-24T01:00:00Z'));
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('screening handler', () => {
  it('decides every transfer, stores each decision conditionally and sends it to the partner queue', async () => {
    const handler = await loadHandler();
    const transfers = [quietTransfer({ transferId: 'Q-1' }), transferEvent({ transferId: 'V-1' })];
    const response = await handler(event(...transfers.map((t, i) => sqsRecord(t, `m${i}`))), context);
    expect(response).toEqual({ batchItemFailures: [] });
    const decisionPuts = documents.commandCalls(PutCommand, { TableName: 'Decisions' });
    expect(decisionPuts).toHaveLength(2);
    expect(decisionPuts[0]!.args[0].input.ConditionExpression).toBe('attribute_not_exists(transferId)');
    expect(sentDecisions().map((d) => [d.transferId, d.outcome])).toEqual(
      expect.arrayContaining([
        ['Q-1', 'ALLOW'],
        ['V-1', 'REVIEW'],
      ]),
    );
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.QueueUrl).toBe(OUTBOUND['kr-demo-bank']);
  });

  it('stores a malformed record as a rejection and acknowledges it, without holding up the batch', async () => {
    const handler = await loadHandler();
    const response = await handler(
      event(
        sqsRecord(quietTransfer({ transferId: 'OK-1' }), 'good'),
        sqsRecord('{"schemaVersion":1,"transferId":"BAD-1"', 'bad'),
      ),
      context,
    );
    expect(response.batchItemFailures).toEqual([]);
    const rejection = documents.commandCalls(PutCommand, { TableName: 'Rejections' })[0]!.args[0].input.Item!;
    expect(rejection).toMatchObject({
      partnerId: 'kr-demo-bank',
      rejectionId: 'bad',
      reason: expect.stringContaining('is not valid JSON'),
    });
    expect(sentDecisions().map((d) => d.transferId)).toEqual(['OK-1']);
  });

  it('rejects a record whose partnerId is not the partner of its queue', async () => {
    const handler = await loadHandler();
    const response = await handler(
      event(sqsRecord(quietTransfer({ transferId: 'X-1', partnerId: 'kh-demo-bank' }), 'x')),
      context,
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(documents.commandCalls(PutCommand, { TableName: 'Rejections' })[0]!.args[0].input.Item).toMatchObject({
      transferId: 'X-1',
      reason: expect.stringMatching(/^partnerId: /),
    });
    expect(sentDecisions()).toEqual([]);
  });

  describe('with the pseudonym key in Secrets Manager, as deployed', () => {
    const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pseudonym-key-AbCdEf';
    const SECRET_KEY = 'fedcba9876543210fedcba9876543210fedcba98';

    beforeEach(() => {
      vi.stubEnv('PSEUDONYM_KEY', undefined);
      vi.stubEnv('PSEUDONYM_KEY_SECRET_ARN', SECRET_ARN);
    });

    it('reads the key once per container and pseudonymises every account with it', async () => {
      secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: SECRET_KEY });
      const handler = await loadHandler();
      const transfer = quietTransfer({ transferId: 'SECRET-1' });
      expect((await handler(event(sqsRecord(transfer, 's1')), context)).batchItemFailures).toEqual([]);
      await handler(event(sqsRecord(quietTransfer({ transferId: 'SECRET-2' }), 's2')), context);

      const { createPseudonymiser } = await import('#domain/identity/pseudonym.ts');
      const keys = (key: string) => {
        const pseudonymiser = createPseudonymiser(key);
        return [transfer.debtor.accountId, transfer.creditor.accountId].map(
          (id) => `S#${pseudonymiser.accountKey(id)}`,
        );
      };
      const written = new Set(putItems('Aggregates').map((item) => item.pk));
      expect([...written].sort()).toEqual(keys(SECRET_KEY).sort());
      expect(written.has(keys(TEST_PSEUDONYM_KEY)[0]!)).toBe(false);
      expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    });

    it('fails the whole batch while the secret is empty, and reads it again on the next invocation', async () => {
      secrets.on(GetSecretValueCommand).resolvesOnce({ SecretString: '' }).resolves({ SecretString: SECRET_KEY });
      const handler = await loadHandler();
      const batch = event(sqsRecord(quietTransfer({ transferId: 'SECRET-3' }), 's3'));
      await expect(handler(batch, context)).rejects.toThrow('the pseudonymisation key secret is empty');
      expect(sentDecisions()).toEqual([]);
      expect((await handler(batch, context)).batchItemFailures).toEqual([]);
      expect(sentDecisions().map((d) => d.transferId)).toEqual(['SECRET-3']);
      expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    });
  });

  it('stores a record from a queue that belongs to no configured partner as a rejection, and decides nothing', async () => {
    const handler = await loadHandler();
    const response = await handler(
      event(
        sqsRecord(quietTransfer({ transferId: 'STRAY-1' }), 'stray', 'fraud-other-kr-demo-bank-inbound'),
        sqsRecord(quietTransfer({ transferId: 'OK-1' }), 'ok'),
      ),
      context,
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(putItems('Rejections')).toEqual([
      expect.objectContaining({
        partnerId: 'unknown-queue',
        rejectionId: 'stray',
        issues: [{ path: '(queue)', message: 'the record came from a queue that belongs to no configured partner' }],
      }),
    ]);
    expect(sentDecisions().map((d) => d.transferId)).toEqual(['OK-1']);
    expect(putItems('Decisions').map((item) => item.transferId)).toEqual(['OK-1']);
  });

  it('fails closed when the rule pack cannot be read: every transfer comes back, nothing is allowed', async () => {
    documents
      .on(GetCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' }));
    const handler = await loadHandler();
    const response = await handler(
      event(
        sqsRecord(quietTransfer({ transferId: 'A' }), 'a'),
        sqsRecord(quietTransfer({ transferId: 'B' }), 'b'),
        sqsRecord('not json', 'c'),
      ),
      context,
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'a' }, { itemIdentifier: 'b' }]);
    expect(sentDecisions()).toEqual([]);
    expect(documents.commandCalls(PutCommand, { TableName: 'Decisions' })).toEqual([]);
    expect(documents.commandCalls(PutCommand, { TableName: 'Rejections' })).toHaveLength(1);
  });

  it('fails closed when the watchlist and aggregates cannot be read', async () => {
    documents.on(BatchGetCommand).rejects(Object.assign(new Error('timeout'), { name: 'TimeoutError' }));
    const handler = await loadHandler();
    const response = await handler(event(sqsRecord(quietTransfer({ transferId: 'A' }), 'a')), context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'a' }]);
    expect(sentDecisions()).toEqual([]);
  });

  it('retries only the transfers whose aggregate write failed', async () => {
    const handler = await loadHandler();
    const { createPseudonymiser } = await import('#domain/identity/pseudonym.ts');
    const flakyKey = createPseudonymiser(TEST_PSEUDONYM_KEY).accountKey('FLAKY-CREDITOR');
    documents.on(PutCommand).callsFake((input: { Item: { pk?: string } }) => {
      if (input.Item.pk === `S#${flakyKey}`)
        throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
      return {};
    });
    const ok = quietTransfer({ transferId: 'OK', creditor: { accountId: 'STEADY-CREDITOR' } });
    const flaky = quietTransfer({
      transferId: 'FLAKY',
      debtor: { accountId: 'OTHER-DEBTOR' },
      creditor: { accountId: 'FLAKY-CREDITOR' },
    });
    const response = await handler(event(sqsRecord(ok, 'ok'), sqsRecord(flaky, 'flaky')), context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'flaky' }]);
    expect(sentDecisions().map((d) => d.transferId)).toEqual(['OK']);
  });

  it('retries only the record whose decision SQS would not take, after retrying the send', async () => {
    sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => {
      const entries = input.Entries!;
      const failing = entries.filter((e) => JSON.parse(e.MessageBody!).transferId === 'STUCK');
      return {
        Successful: entries
          .filter((e) => !failing.includes(e))
          .map((e) => ({ Id: e.Id!, MessageId: 'x', MD5OfMessageBody: '' })),
        Failed: failing.map((e) => ({ Id: e.Id!, Code: 'InternalError', SenderFault: false })),
      };
    });
    const handler = await loadHandler();
    const response = await handler(
      event(
        sqsRecord(quietTransfer({ transferId: 'FINE' }), 'fine'),
        sqsRecord(quietTransfer({ transferId: 'STUCK', creditor: { accountId: 'C2' } }), 'stuck'),
      ),
      context,
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'stuck' }]);
    expect(sqs.commandCalls(SendMessageBatchCommand).length).toBe(3);
  });

  it('a redelivered transfer gets its stored decision again and no second decision record (a record from before fingerprints)', async () => {
    const transfer = quietTransfer({ transferId: 'AGAIN' });
    const stored: Decision = {
      transferId: 'AGAIN',
      partnerId: 'kr-demo-bank',
      outcome: 'DELAY',
      score: 45,
      holdUntil: '2026-11-24T01:00:00.000Z',
      rulesetVersion: 'kr-kh-2026.10.9',
      reasons: [],
      decidedAt: '2026-11-24T00:30:00.000Z',
    };
    documents.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, unknown> }) => ({
      Responses: {
        Decisions:
          'Decisions' in input.RequestItems
            ? [{ partnerId: 'kr-demo-bank', transferId: 'AGAIN', decision: stored }]
            : [],
      },
    }));
    const handler = await loadHandler();
    const response = await handler(event(sqsRecord(transfer, 'again')), context);
    expect(response.batchItemFailures).toEqual([]);
    expect(sentDecisions()).toEqual([stored]);
    expect(documents.commandCalls(PutCommand, { TableName: 'Decisions' })).toEqual([]);
  });

  it('a decision recorded first by a concurrent delivery stands (a record from before fingerprints cannot tell other content)', async () => {
    const winner: Decision = {
      transferId: 'RACE',
      partnerId: 'kr-demo-bank',
      outcome: 'ALLOW',
      score: 0,
      holdUntil: null,
      rulesetVersion: shippedPack.version,
      reasons: [],
      decidedAt: '2026-11-24T00:30:00.000Z',
    };
    documents
      .on(PutCommand, { TableName: 'Decisions' })
      .rejects(Object.assign(new Error('conditional'), { name: 'ConditionalCheckFailedException' }));
    let reads = 0;
    documents
      .on(BatchGetCommand)
      .callsFake(() =>
        ++reads === 1
          ? { Responses: {} }
          : { Responses: { Decisions: [{ partnerId: 'kr-demo-bank', transferId: 'RACE', decision: winner }] } },
      );
    const handler = await loadHandler();
    const response = await handler(event(sqsRecord(quietTransfer({ transferId: 'RACE' }), 'race')), context);
    expect(response.batchItemFailures).toEqual([]);
    expect(sentDecisions()).toEqual([winner]);
  });

  describe('redelivery and races, against items as the handler stores them', () => {
    const conditionFailed = () =>
      Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
    const KEY_NAMES: Record<string, string[]> = {
      Decisions: ['partnerId', 'transferId'],
      Aggregates: ['pk'],
      Watchlist: ['accountKey'],
      Flags: ['partnerId', 'transferId'],
      Rejections: ['partnerId', 'rejectionId'],
      ShadowDecisions: ['pk', 'sk'],
    };

    /**
     * The tables behind the mocked client: BatchGetItem answers exactly the keys asked for, PutItem
     * honours the repository's conditions, so what one delivery writes is what the next one reads.
     */
    function storedTables() {
      const items = new Map<string, Record<string, any>>();
      const keyOf = (table: string, item: Record<string, unknown>) =>
        [table, ...KEY_NAMES[table]!.map((name) => String(item[name]))].join('|');
      const hooks = { afterRead: () => {}, failPut: (_table: string, _item: Record<string, any>) => false };
      documents.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: any[] }> }) => {
        const Responses = Object.fromEntries(
          Object.entries(input.RequestItems).map(([table, { Keys }]) => [
            table,
            Keys.map((key) => items.get(keyOf(table, key))).filter((item) => item !== undefined),
          ]),
        );
        hooks.afterRead();
        return { Responses };
      });
      documents
        .on(PutCommand)
        .callsFake(
          (input: {
            TableName: string;
            Item: Record<string, any>;
            ConditionExpression?: string;
            ExpressionAttributeValues?: any;
          }) => {
            if (hooks.failPut(input.TableName, input.Item))
              throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
            const key = keyOf(input.TableName, input.Item);
            const existing = items.get(key);
            const condition = input.ConditionExpression ?? '';
            if (condition.startsWith('attribute_not_exists') && existing) throw conditionFailed();
            if (condition === 'v = :v' && existing?.v !== input.ExpressionAttributeValues[':v'])
              throw conditionFailed();
            items.set(key, structuredClone(input.Item));
            return {};
          },
        );
      const table = (name: string) => [...items].filter(([key]) => key.startsWith(`${name}|`)).map(([, item]) => item);
      return {
        items,
        hooks,
        table,
        put: (name: string, item: Record<string, any>) => items.set(keyOf(name, item), item),
      };
    }

    const accountsOf = async (transfer: ReturnType<typeof quietTransfer>) => {
      const { createPseudonymiser } = await import('#domain/identity/pseudonym.ts');
      const { toActivity } = await import('#domain/screening/screen-transfer.ts');
      return toActivity(transfer, createPseudonymiser(TEST_PSEUDONYM_KEY));
    };

    it('repairs a state write that failed beside a decision write that landed, and counts nothing twice', async () => {
      const tables = storedTables();
      const transfer = quietTransfer({ transferId: 'REPAIR-1' });
      const { fp, debtorKey, creditorKey } = await accountsOf(transfer);
      tables.hooks.failPut = (table) => table === 'Aggregates';
      const first = await (await loadHandler())(event(sqsRecord(transfer, 'repair')), context);
      expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'repair' }]);
      const [decisionItem] = tables.table('Decisions');
      expect(decisionItem).toMatchObject({ fingerprint: expect.any(String), recordedAt: expect.any(String) });
      expect(tables.table('Aggregates')).toEqual([]);

      tables.hooks.failPut = () => false;
      vi.setSystemTime(new Date('2026-11-24T01:00:30Z'));
      const again = await (await loadHandler())(event(sqsRecord(transfer, 'repair')), context);
      expect(again.batchItemFailures).toEqual([]);
      expect(sentDecisions()).toEqual([decisionItem!.decision]);
      const { readAccountItem } = await import('#adapters/dynamodb/account-items.ts');
      const states = new Map(
        tables.table('Aggregates').map((item) => [readAccountItem(item)!.accountKey, readAccountItem(item)!.state!]),
      );
      expect(states.get(debtorKey)?.applied(fp)).toBe(true);
      expect(states.get(creditorKey)?.applied(fp)).toBe(true);
      expect(states.get(creditorKey)?.inbound.recent).toHaveLength(1);

      // Delivered once more, with both writes on record: the state stands as it is.
      documents.resetHistory();
      await (await loadHandler())(event(sqsRecord(transfer, 'repair')), context);
      expect(documents.commandCalls(PutCommand, { TableName: 'Aggregates' })).toEqual([]);
    });

    it('when a concurrent delivery of other content recorded its decision first, sends nothing and refuses it next time', async () => {
      const original = quietTransfer({ transferId: 'RACE-2' });
      const other = { ...original, amount: { value: '990000', currency: 'KRW' } };
      // What the concurrent delivery of the other content writes, as this handler writes it.
      const winner = storedTables();
      await (await loadHandler())(event(sqsRecord(other, 'other')), context);
      const [winnerItem] = winner.table('Decisions');
      documents.resetHistory();
      sqs.resetHistory();

      const tables = storedTables();
      tables.hooks.afterRead = () => {
        tables.put('Decisions', structuredClone(winnerItem!));
        tables.hooks.afterRead = () => {};
      };
      const raced = await (await loadHandler())(event(sqsRecord(original, 'original')), context);
      expect(raced.batchItemFailures).toEqual([{ itemIdentifier: 'original' }]);
      expect(sentDecisions()).toEqual([]);

      const next = await (await loadHandler())(event(sqsRecord(original, 'original')), context);
      expect(next.batchItemFailures).toEqual([]);
      expect(sentDecisions()).toEqual([]);
      expect(putItems('Rejections').map((item) => [item.transferId, item.issues[0].path])).toEqual([
        ['RACE-2', 'transferId'],
      ]);
    });

    it('when a concurrent delivery of the same content recorded its decision first, sends that decision', async () => {
      const transfer = quietTransfer({ transferId: 'RACE-3' });
      const winner = storedTables();
      vi.setSystemTime(new Date('2026-11-24T00:59:00Z'));
      await (await loadHandler())(event(sqsRecord(transfer, 'first')), context);
      const [winnerItem] = winner.table('Decisions');
      documents.resetHistory();
      sqs.resetHistory();

      vi.setSystemTime(new Date('2026-11-24T01:00:00Z'));
      const tables = storedTables();
      tables.hooks.afterRead = () => {
        tables.put('Decisions', structuredClone(winnerItem!));
        tables.hooks.afterRead = () => {};
      };
      const raced = await (await loadHandler())(event(sqsRecord(transfer, 'second')), context);
      expect(raced.batchItemFailures).toEqual([]);
      expect(sentDecisions()).toEqual([winnerItem!.decision]);
      expect(sentDecisions()[0]!.decidedAt).toBe('2026-11-24T00:59:00.000Z');
    });
  });

  describe('event-time bounds, at their configured edges', () => {
    const NOW = Date.parse('2026-11-24T01:00:00Z');
    const dated = (transferId: string, offsetSeconds: number) =>
      quietTransfer({ transferId, occurredAt: new Date(NOW + offsetSeconds * 1000).toISOString() });
    const screen = async (...transfers: ReturnType<typeof dated>[]) => {
      const response = await (await loadHandler())(
        event(...transfers.map((t) => sqsRecord(t, `m-${t.transferId}`))),
        context,
      );
      expect(response.batchItemFailures).toEqual([]);
      const rejected = putItems('Rejections').map((item) => [item.transferId, item.issues[0].path]);
      return { decided: sentDecisions().map((d) => d.transferId), rejected };
    };

    it('by default: 300 seconds ahead and 24 hours behind', async () => {
      const day = 24 * 3600;
      const { decided, rejected } = await screen(
        dated('AHEAD-300', 300),
        dated('AHEAD-301', 301),
        dated('BEHIND-24H', -day),
        dated('BEHIND-24H-1S', -day - 1),
      );
      expect(decided.sort()).toEqual(['AHEAD-300', 'BEHIND-24H']);
      expect(rejected.sort()).toEqual([
        ['AHEAD-301', 'occurredAt'],
        ['BEHIND-24H-1S', 'occurredAt'],
      ]);
    });

    it('as EVENT_TIME_MAX_SKEW_SECONDS and EVENT_TIME_MAX_AGE_HOURS set them', async () => {
      vi.stubEnv('EVENT_TIME_MAX_SKEW_SECONDS', '60');
      vi.stubEnv('EVENT_TIME_MAX_AGE_HOURS', '2');
      const { decided, rejected } = await screen(
        dated('AHEAD-60', 60),
        dated('AHEAD-61', 61),
        dated('BEHIND-2H', -7200),
        dated('BEHIND-2H-1S', -7201),
      );
      expect(decided.sort()).toEqual(['AHEAD-60', 'BEHIND-2H']);
      expect(rejected.sort()).toEqual([
        ['AHEAD-61', 'occurredAt'],
        ['BEHIND-2H-1S', 'occurredAt'],
      ]);
    });
  });

  describe('with a shadow pack', () => {
    const batch = () =>
      event(
        sqsRecord(quietTransfer({ transferId: 'Q-1' }), 'q'),
        // Voice phishing into a new account at home: the delayed-withdrawal rule applies to accounts at home.
        sqsRecord(transferEvent({ transferId: 'V-1', creditor: { country: 'KR' } }), 'v'),
      );

    it('stores its decisions beside the live ones, and sends and flags only the live ones', async () => {
      givenShadowPack();
      const handler = await loadHandler();
      const response = await handler(batch(), context);
      expect(response).toEqual({ batchItemFailures: [] });

      const shadow = putItems('ShadowDecisions');
      expect(shadow.map((item) => [item.transferId, item.liveOutcome, item.shadowOutcome])).toEqual(
        expect.arrayContaining([
          ['Q-1', 'ALLOW', 'ALLOW'],
          ['V-1', 'REVIEW', 'DELAY'],
        ]),
      );
      expect(shadow).toHaveLength(2);
      for (const item of shadow) {
        expect(item.pk).toMatch(/^kr-kh-shadow-1#2026-11-24T\d\d#\d$/);
        expect(item).toMatchObject({ liveVersion: shippedPack.version, shadowVersion: SHADOW_PACK.version });
      }
      expect(sentDecisions().map((d) => [d.transferId, d.outcome, d.rulesetVersion])).toEqual(
        expect.arrayContaining([
          ['Q-1', 'ALLOW', shippedPack.version],
          ['V-1', 'REVIEW', shippedPack.version],
        ]),
      );
      expect(sentDecisions()).toHaveLength(2);
      expect(putItems('Flags').map((flag) => [flag.transferId, flag.outcome])).toEqual([['V-1', 'REVIEW']]);
      expect(written()).toMatch(/"shadow":\{"version":"kr-kh-shadow-1","scored":2,"differing":1,"unsaved":0\}/);
    });

    it('leaves the behavioural state exactly as without it: the state is updated once', async () => {
      const handler = await loadHandler();
      await handler(batch(), context);
      const withoutShadow = putItems('Aggregates');
      documents.resetHistory();
      givenShadowPack();
      await (await loadHandler())(batch(), context);
      expect(putItems('ShadowDecisions')).toHaveLength(2);
      expect(putItems('Aggregates')).toEqual(withoutShadow);
      expect(withoutShadow.length).toBeGreaterThan(0);
    });

    it('scores no redelivery of a stored decision again', async () => {
      givenShadowPack();
      const stored: Decision = {
        transferId: 'AGAIN',
        partnerId: 'kr-demo-bank',
        outcome: 'ALLOW',
        score: 0,
        holdUntil: null,
        rulesetVersion: shippedPack.version,
        reasons: [],
        decidedAt: '2026-11-24T00:30:00.000Z',
      };
      documents.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, unknown> }) => ({
        Responses: {
          Decisions:
            'Decisions' in input.RequestItems
              ? [{ partnerId: 'kr-demo-bank', transferId: 'AGAIN', decision: stored }]
              : [],
        },
      }));
      const response = await (await loadHandler())(
        event(sqsRecord(quietTransfer({ transferId: 'AGAIN' }), 'again')),
        context,
      );
      expect(response.batchItemFailures).toEqual([]);
      expect(putItems('ShadowDecisions')).toEqual([]);
    });

    it('never holds up the live decisions when its write fails', async () => {
      givenShadowPack();
      documents
        .on(PutCommand, { TableName: 'ShadowDecisions' })
        .rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
      const response = await (await loadHandler())(batch(), context);
      expect(response.batchItemFailures).toEqual([]);
      expect(sentDecisions()).toHaveLength(2);
      expect(written()).toMatch(/"shadow":\{"version":"kr-kh-shadow-1","scored":2,"differing":1,"unsaved":2\}/);
    });

    it('is never read with SHADOW_MODE off', async () => {
      givenShadowPack();
      vi.stubEnv('SHADOW_MODE', 'off');
      await (await loadHandler())(batch(), context);
      expect(documents.commandCalls(GetCommand, { Key: { packId: 'kr-kh', version: 'SHADOW' } })).toEqual([]);
      expect(putItems('ShadowDecisions')).toEqual([]);
    });
  });

  it('logs and emits metrics without account numbers, names or customer ids', async () => {
    const handler = await loadHandler();
    const risky = transferEvent({ transferId: 'LOG-1' });
    await handler(
      event(
        sqsRecord(risky, 'log-1'),
        sqsRecord({ ...risky, transferId: 'LOG-2', amount: { value: '1.5', currency: 'KRW' } }, 'log-2'),
      ),
      context,
    );
    const logs = written();
    expect(logs).toContain('LOG-1');
    expect(logs).toContain('LOG-2');
    expect(logs).toContain('TransfersScreened');
    for (const secret of [
      risky.debtor.accountId,
      risky.creditor.accountId,
      risky.creditor.name!,
      risky.debtor.customerId!,
    ])
      expect(logs).not.toContain(secret);
  });

  it("logs a malformed event's transferId only when it is one the contract allows: anything else may be an account or a name", async () => {
    const handler = await loadHandler();
    const outside = 'SOK DARA 110-234-567890';
    await handler(
      event(
        sqsRecord({ schemaVersion: 1, transferId: outside, partnerId: 'kr-demo-bank' }, 'bad-id'),
        sqsRecord({ schemaVersion: 1, transferId: 'KB-OK-1', partnerId: 'kr-demo-bank' }, 'good-id'),
      ),
      context,
    );
    const logs = written();
    expect(logs).not.toContain(outside);
    expect(logs).not.toContain('110-234-567890');
    expect(logs).toContain('KB-OK-1');
    const stored = documents.commandCalls(PutCommand).map((call) => JSON.stringify(call.args[0].input.Item));
    expect(stored.join('')).not.toContain('"transferId":"SOK DARA');
  });
});
