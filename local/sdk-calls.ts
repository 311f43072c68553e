import * as dynamodb from '@aws-sdk/client-dynamodb';
import * as secretsManager from '@aws-sdk/client-secrets-manager';
import * as sqs from '@aws-sdk/client-sqs';
import type { SdkCallModel } from './assembly/system-model.ts';

/** The SDK packages a Custom::AWS call may name, by AwsCustomResource's service names. */
const SERVICES: Record<
  string,
  {
    client: new (config: object) => { send(command: unknown): Promise<unknown>; destroy(): void };
    module: Record<string, unknown>;
  }
> = {
  DynamoDB: { client: dynamodb.DynamoDBClient, module: dynamodb },
  SQS: { client: sqs.SQSClient, module: sqs },
  SecretsManager: { client: secretsManager.SecretsManagerClient, module: secretsManager },
};

export interface SdkCallEnvironment {
  readonly endpoints: { readonly dynamodb: string; readonly sqs: string; readonly secretsManager: string };
  readonly region: string;
  /** Adds the role's IAM guard to the client the call is made with. */
  readonly instrument?: (client: unknown) => void;
}

/**
 * Makes the SDK call of a Custom::AWS resource (CDK's AwsCustomResource) as CloudFormation would on
 * create: with the service's client, the action's command and the template's parameters, failing the
 * start-up on an error unless its name matches the resource's ignoreErrorCodesMatching.
 */
export async function runSdkCall(model: SdkCallModel, environment: SdkCallEnvironment): Promise<void> {
  const { service, action, parameters, ignoreErrorCodesMatching } = model.call;
  const known = SERVICES[service];
  const commandName = `${action.charAt(0).toUpperCase()}${action.slice(1)}Command`;
  const Command = known?.module[commandName] as (new (input: object) => unknown) | undefined;
  if (!known || !Command)
    throw new Error(
      `${model.stackName}: ${model.logicalId} calls ${service}.${action}, which the local runtime does not make (it knows ${Object.keys(SERVICES).join(', ')})`,
    );
  const endpoint = {
    DynamoDB: environment.endpoints.dynamodb,
    SQS: environment.endpoints.sqs,
    SecretsManager: environment.endpoints.secretsManager,
  }[service as 'DynamoDB'];
  const client = new known.client({
    endpoint,
    region: environment.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local', sessionToken: 'custom-resource' },
  });
  environment.instrument?.(client);
  try {
    await client.send(new Command(parameters));
  } catch (error) {
    const name = (error as Error)?.name ?? '';
    if (ignoreErrorCodesMatching && new RegExp(ignoreErrorCodesMatching).test(name)) return;
    throw new Error(
      `${model.stackName}: ${model.logicalId} (${service}.${action}) failed: ${name}: ${(error as Error)?.message}`,
    );
  } finally {
    client.destroy();
  }
}
