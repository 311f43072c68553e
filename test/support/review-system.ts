import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ReceiveMessageCommand, DeleteMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { TableNames } from '#adapters/dynamodb/tables.ts';
import { DecisionSchema, type Decision } from '#domain/contract/decision.ts';
import { loadLocalSigningKey, type LocalSigningKey } from '#local/auth/local-issuer.ts';
import { startLocalReviewStack, type LocalReviewStack, type ServeOptions } from '../../bin/commands/serve.ts';
import { DynamoCallRecorder } from './dynamo-recorder.ts';
import type { DynamoFixture } from './local-dynamo.ts';
import { TEST_PSEUDONYM_KEY } from './transfers.ts';

/**
 * The review side as the local stage deploys it, for tests that drive the review API or the console:
 * the local gateway (the template's routes and JWT authorizer) in front of the review function's
 * container, under its role's policies. `fixture` reaches the same tables with the operator's clients,
 * so a test can screen transfers in-process or seed flags (review-fixtures.ts) and then read them
 * through the API; the pseudonym key is the tests' own, so pseudonyms match.
 */
export interface ReviewTestSystem {
  readonly stack: LocalReviewStack;
  /** The console. */
  readonly url: string;
  /** The review API, as the ReviewApiUrl output says. */
  readonly apiUrl: string;
  readonly fixture: DynamoFixture;
  readonly key: LocalSigningKey;
  /** Decision updates the review function sent to a partner's outbound queue since the last call. */
  decisionUpdates(partnerId: string): Promise<Decision[]>;
  stop(): Promise<void>;
}

export async function startReviewTestSystem(
  options: { readonly stateDir: string } & Pick<ServeOptions, 'releaseLimits'>,
): Promise<ReviewTestSystem> {
  const stack = await startLocalReviewStack({
    stateDir: options.stateDir,
    schedules: 'when-fired',
    pseudonymKey: TEST_PSEUDONYM_KEY,
    ...(options.releaseLimits ? { releaseLimits: options.releaseLimits } : {}),
  });
  const { pipeline } = stack;
  const { clients, tables } = pipeline;
  const fixture: DynamoFixture = {
    dynamo: { endpoint: pipeline.endpoints.dynamodb, close: async () => {} },
    clients,
    tables,
    recorder: new DynamoCallRecorder(),
    async scan(table: keyof TableNames) {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await clients.documents.send(
          new ScanCommand({ TableName: tables[table], ExclusiveStartKey: start }),
        );
        items.push(...((page.Items ?? []) as Record<string, unknown>[]));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
    close: async () => {},
  };
  return {
    stack,
    url: stack.url,
    apiUrl: stack.apiUrl,
    fixture,
    key: await loadLocalSigningKey(options.stateDir),
    async decisionUpdates(partnerId) {
      const url = pipeline.queues[partnerId]!.decisions.url;
      const updates: Decision[] = [];
      for (;;) {
        const { Messages = [] } = await clients.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        if (!Messages.length) return updates;
        updates.push(...Messages.map((m) => DecisionSchema.parse(JSON.parse(m.Body ?? ''))));
        await clients.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: url,
            Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
          }),
        );
      }
    },
    stop: () => stack.stop(),
  };
}
