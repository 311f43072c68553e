import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AwsClient } from '#adapters/aws-clients.ts';

export interface RecordedCall {
  readonly command: string;
  readonly input: Record<string, unknown>;
  readonly round: number;
}

/**
 * Records every DynamoDB call and which "round" it belongs to: a round is a stretch of time during
 * which at least one call is in flight, so calls issued together in parallel share one round.
 */
export class DynamoCallRecorder {
  readonly calls: RecordedCall[] = [];
  private inFlight = 0;
  private round = 0;

  readonly instrument = (client: AwsClient) => {
    if (!(client instanceof DynamoDBClient)) return;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (this.inFlight++ === 0) this.round += 1;
        this.calls.push({
          command: String(context.commandName).replace(/Command$/, ''),
          input: args.input as Record<string, unknown>,
          round: this.round,
        });
        try {
          return await next(args);
        } finally {
          this.inFlight -= 1;
        }
      },
      { step: 'initialize', name: 'dynamoCallRecorder' },
    );
  };

  reset() {
    this.calls.length = 0;
    this.round = 0;
  }

  get rounds(): number {
    return new Set(this.calls.map((c) => c.round)).size;
  }

  count(command: string): number {
    return this.calls.filter((c) => c.command === command).length;
  }

  /** Keys asked for across all BatchGetItem calls. */
  batchGetKeys(): number {
    return this.calls
      .filter((c) => c.command === 'BatchGetItem')
      .reduce(
        (sum, c) =>
          sum +
          Object.values(c.input.RequestItems as Record<string, { Keys: unknown[] }>).reduce(
            (n, t) => n + t.Keys.length,
            0,
          ),
        0,
      );
  }
}
