import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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

  it('a redelivered transfer gets its stored decision again and no second decision record', async () => {
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

  it('a decision recorded first by a concurrent delivery stands', async () => {
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

  describe('with a shadow pack', () => {
    const batch = () =>
      event(sqsRecord(quietTransfer({ transferId: 'Q-1' }), 'q'), sqsRecord(transferEvent({ transferId: 'V-1' }), 'v'));

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
