import { randomBytes } from 'node:crypto';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createAwsClients } from '#adapters/aws-clients.ts';
import { DecisionSchema } from '#domain/contract/decision.ts';
import type { TransferEvent } from '#domain/contract/transfer-event.ts';
import { queuePrefix } from '../../lib/config.ts';
import { cliCommand, exits, runCli } from './cli.ts';

interface SmokeOptions {
  stage: string;
  token?: string;
  timeout: string;
  region?: string;
}

export function run(args: string[]): Promise<number> {
  const program = cliCommand(
    'smoke',
    "check a deployed stage end to end after a deploy: a canary transfer on the stage's own canary partner " +
      '(so no bank receives it) to its decision on the outbound queue and in the Decisions table, and the review ' +
      'API refusing a request without a token and answering one with a token',
  )
    .requiredOption('--stage <name>', 'the stage, as deployed with cdk deploy -c stage=<name> (local: fraudctl up)')
    .option('--token <jwt>', "an officer's token for the review API (default: FRAUDCTL_TOKEN)")
    .option('--timeout <seconds>', 'how long to wait for the decision', '60')
    .option('--region <region>', 'the stage region (default: AWS_REGION)')
    .addHelpText(
      'after',
      '\nRuns with the AWS credentials of the shell: the canary account of the stage (lib/stages.ts, canary.accountId).\n' +
        'Exit code 0 when every step passed, 1 otherwise; each step prints PASS or FAIL with the AWS error.',
    )
    .action(exits(smoke));
  return runCli(program, args);
}

interface Step {
  readonly name: string;
  readonly run: () => Promise<string>;
}

async function smoke(options: SmokeOptions): Promise<number> {
  const timeoutSeconds = Number(options.timeout);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1)
    throw new Error(`--timeout "${options.timeout}" is not a number of seconds`);
  const token = options.token ?? process.env.FRAUDCTL_TOKEN;
  const region = options.region ?? process.env.AWS_REGION;
  const prefix = queuePrefix(options.stage);
  const cloudformation = new CloudFormationClient(region ? { region } : {});
  // Given explicitly, the SQS endpoint also serves queue URLs whose host does not resolve (fraudctl up's).
  const sqsEndpoint = process.env.AWS_ENDPOINT_URL_SQS;
  const clients = createAwsClients({
    ...(region ? { region } : {}),
    ...(sqsEndpoint ? { endpoints: { sqs: sqsEndpoint } } : {}),
  });
  const outputs: Record<string, string> = {};
  const transferId = `SMOKE-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
  let decisionOutcome: string | undefined;
  const need = (name: string) => {
    const value = outputs[name];
    if (!value)
      throw new Error(
        `the stacks have no output ${name}: give the stage a canary (canary: { accountId } in lib/stages.ts) and deploy it`,
      );
    return value;
  };

  const steps: Step[] = [
    {
      name: `read the outputs of ${prefix}-stateful and ${prefix}-stateless`,
      run: async () => {
        for (const stackName of [`${prefix}-stateful`, `${prefix}-stateless`]) {
          const { Stacks = [] } = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
          for (const output of Stacks[0]?.Outputs ?? [])
            if (output.OutputKey && output.OutputValue) outputs[output.OutputKey] = output.OutputValue;
        }
        return `${Object.keys(outputs).length} outputs; canary partner ${need('CanaryPartnerId')}`;
      },
    },
    {
      name: "send a canary transfer on the canary partner's inbound queue",
      run: async () => {
        const { MessageId } = await clients.sqs.send(
          new SendMessageCommand({
            QueueUrl: need('CanaryInboundQueueUrl'),
            MessageBody: JSON.stringify(canaryTransfer(need('CanaryPartnerId'), transferId)),
          }),
        );
        return `${transferId} (message ${MessageId})`;
      },
    },
    {
      name: "receive its decision on the canary partner's decision queue",
      run: async () => {
        const started = Date.now();
        const deadline = started + timeoutSeconds * 1000;
        while (Date.now() < deadline) {
          const wait = Math.max(1, Math.min(20, Math.ceil((deadline - Date.now()) / 1000)));
          const { Messages = [] } = await clients.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: need('CanaryDecisionQueueUrl'),
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: wait,
            }),
          );
          for (const message of Messages) {
            const decision = DecisionSchema.safeParse(JSON.parse(message.Body ?? 'null'));
            // Canary decisions of earlier runs are read and dropped too: nobody else reads this queue.
            await clients.sqs.send(
              new DeleteMessageCommand({
                QueueUrl: need('CanaryDecisionQueueUrl'),
                ReceiptHandle: message.ReceiptHandle!,
              }),
            );
            if (decision.success && decision.data.transferId === transferId) {
              decisionOutcome = decision.data.outcome;
              return `${decision.data.outcome} after ${((Date.now() - started) / 1000).toFixed(1)} s`;
            }
          }
        }
        throw new Error(
          `no decision for ${transferId} within ${timeoutSeconds} s: look at the canary's inbound DLQ and the screening function's logs`,
        );
      },
    },
    {
      name: 'read the decision back from the Decisions table',
      run: async () => {
        const { Item } = await clients.documents.send(
          new GetCommand({
            TableName: need('DecisionsTableName'),
            Key: { partnerId: need('CanaryPartnerId'), transferId },
            ConsistentRead: true,
          }),
        );
        const stored = DecisionSchema.safeParse(Item?.decision);
        if (!stored.success) throw new Error(`no decision record for ${transferId}`);
        if (decisionOutcome && stored.data.outcome !== decisionOutcome)
          throw new Error(`the record says ${stored.data.outcome}, the queue said ${decisionOutcome}`);
        return `${stored.data.outcome}, ruleset ${stored.data.rulesetVersion}`;
      },
    },
    {
      name: 'the review API refuses a request without a token',
      run: async () => {
        const response = await fetch(`${need('ReviewApiUrl')}/flags`);
        if (response.status !== 401) throw new Error(`answered ${response.status}, not 401`);
        return '401';
      },
    },
    {
      name: 'the review API answers a request with a token',
      run: async () => {
        if (!token)
          throw new Error(
            "no token: pass --token or set FRAUDCTL_TOKEN to an officer's ID token (locally: fraudctl token)",
          );
        const response = await fetch(`${need('ReviewApiUrl')}/flags?limit=1`, {
          headers: { authorization: `Bearer ${token}` },
        });
        if (response.status !== 200)
          throw new Error(`answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
        return '200';
      },
    },
  ];

  let failed = 0;
  try {
    for (const step of steps) {
      try {
        process.stdout.write(`PASS  ${step.name}: ${await step.run()}\n`);
      } catch (error) {
        failed++;
        const { name, message } = error as Error;
        process.stdout.write(`FAIL  ${step.name}: ${name && name !== 'Error' ? `${name}: ` : ''}${message}\n`);
      }
    }
  } finally {
    cloudformation.destroy();
    clients.dynamodb.destroy();
    clients.sqs.destroy();
  }
  process.stdout.write(
    failed ? `\n${failed} of ${steps.length} steps failed\n` : `\nall ${steps.length} steps passed\n`,
  );
  return failed ? 1 : 0;
}

/** A transfer no bank makes: made-up accounts and a small amount, on the canary partner, dated now. */
function canaryTransfer(partnerId: string, transferId: string): TransferEvent {
  const account = () => `CANARY-${randomBytes(6).toString('hex')}`;
  return {
    schemaVersion: 1,
    transferId,
    partnerId,
    occurredAt: new Date().toISOString(),
    amount: { value: '10000', currency: 'KRW' },
    channel: 'OPEN_API',
    debtor: { accountId: account(), country: 'KR' },
    creditor: { accountId: account(), country: 'KR' },
    remittanceInfo: 'fraudctl smoke canary',
  };
}
