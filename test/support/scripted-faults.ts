import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createAwsClients, type AwsClient, type AwsClients } from '#adapters/aws-clients.ts';
import type { DynamoFixture } from './local-dynamo.ts';

/**
 * What happens to one DynamoDB call: nothing, refused before it reaches the table (throttled), or
 * lost after it landed (the write is stored, the caller sees a timeout: the ambiguous case).
 */
export type ScriptedFault = 'none' | 'throttle' | 'lost';

export interface DynamoCall {
  readonly command: string;
  readonly table: string;
}

/** Decides each call's fault; calls go through unharmed once `script` is undefined. */
export interface FaultScript {
  script: ((call: DynamoCall) => ScriptedFault) | undefined;
}

/**
 * Clients on the fixture's DynamoDB whose calls fail as `faults.script` says. The fault is injected
 * above the SDK's retries, so the code under test sees it as a call that failed after its retries.
 */
export function faultyClients(fixture: DynamoFixture, faults: FaultScript): AwsClients {
  return createAwsClients({
    endpoints: { dynamodb: fixture.dynamo.endpoint, sqs: 'http://127.0.0.1:1' },
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    instrument: (client: AwsClient) => {
      if (!(client instanceof DynamoDBClient)) return;
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const input = args.input as { TableName?: string; RequestItems?: Record<string, unknown> };
          const call = {
            command: String(context.commandName).replace(/Command$/, ''),
            table: input.TableName ?? Object.keys(input.RequestItems ?? {})[0] ?? '',
          };
          const fault = faults.script?.(call) ?? 'none';
          if (fault === 'throttle')
            throw Object.assign(new Error('Rate of requests exceeds the allowed throughput (scripted)'), {
              name: 'ProvisionedThroughputExceededException',
              $fault: 'client',
              $metadata: { httpStatusCode: 400 },
            });
          const result = await next(args);
          if (fault === 'lost')
            throw Object.assign(new Error('the response did not arrive in time (scripted)'), {
              name: 'TimeoutError',
              $metadata: {},
            });
          return result;
        },
        { step: 'initialize', name: 'scriptedFaults' },
      );
    },
  });
}
