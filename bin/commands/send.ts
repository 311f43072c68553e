import { readFile } from 'node:fs/promises';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import { createAwsClients } from '#adapters/aws-clients.ts';
import { queueName } from '#adapters/sqs/queues.ts';
import { SEND_BATCH_LIMIT, sendMessageBatch } from '#adapters/sqs/send-batch.ts';
import { PartnerIdSchema } from '#domain/contract/transfer-event.ts';
import { queueDepth } from '#local/sqs.ts';
import { queuePrefix } from '../../lib/config.ts';
import { cliCommand, exits, runCli, usageError } from './cli.ts';

interface SendOptions {
  file: string;
  timeout: string;
}

/**
 * The local stage only: in AWS a partner sends from its own account, where queues are found by URL
 * and their depth is not the partner's to read.
 */
const STAGE = 'local';

const RECHECK_MS = 250;

export function run(args: string[]): Promise<number> {
  const program = cliCommand(
    'send',
    "send a file of v1 transfer events (NDJSON) to their partners' inbound queues on the local stage (fraudctl up), " +
      'as the partners would, and wait until the stage has taken every one off its queue',
  )
    .requiredOption('--file <transfers.ndjson>', 'the events, one JSON object a line, each naming its partnerId')
    .option('--timeout <seconds>', 'how long to wait for the inbound queues to empty', '120')
    .addHelpText(
      'after',
      '\nWith the exports fraudctl up prints (AWS_ENDPOINT_URL_SQS, credentials, region). The stage screens on the\n' +
        'wall clock: transfers dated more than 24 hours ago are rejected (fraudctl workload --end now writes traffic\n' +
        "dated up to now). Decisions go to the partners' decision queues and the Decisions table; fraudctl replay\n" +
        'screens a file on a pipeline of its own instead.',
    )
    .action(exits(send));
  return runCli(program, args);
}

async function send(options: SendOptions, command: Command): Promise<number> {
  const timeoutSeconds = Number(options.timeout);
  if (!(timeoutSeconds > 0)) usageError(command, `--timeout must be a number of seconds, got "${options.timeout}"`);
  const byPartner = groupByPartner(await readFile(options.file, 'utf8'), options.file);
  // Given explicitly, the SQS endpoint also serves queue URLs whose host does not resolve (fraudctl up's).
  const sqsEndpoint = process.env.AWS_ENDPOINT_URL_SQS;
  const { sqs } = createAwsClients(sqsEndpoint ? { endpoints: { sqs: sqsEndpoint } } : {});
  const prefix = queuePrefix(STAGE);
  const queues = new Map<string, string>();
  let refused = 0;
  for (const [partnerId, bodies] of byPartner) {
    const name = queueName(prefix, partnerId, 'inbound');
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name })).catch((error: Error) => {
      throw new Error(
        `${name}: ${error.name}: ${error.message} (is ${partnerId} a partner of the local stage? fraudctl up --partners names them)`,
      );
    });
    queues.set(partnerId, QueueUrl!);
    for (let i = 0; i < bodies.length; i += SEND_BATCH_LIMIT) {
      const outcomes = await sendMessageBatch(
        sqs,
        QueueUrl!,
        bodies.slice(i, i + SEND_BATCH_LIMIT).map((MessageBody) => ({ MessageBody })),
      );
      refused += outcomes.filter((outcome) => !outcome.sent).length;
    }
  }
  const sent = [...byPartner.values()].reduce((sum, bodies) => sum + bodies.length, 0) - refused;
  const startedWaiting = performance.now();
  const empty = await queuesEmptied([...queues.values()], timeoutSeconds * 1000, async (url) => {
    const depth = await queueDepth(sqs, url);
    return depth.visible + depth.inFlight + depth.delayed;
  });
  const perPartner = [...byPartner].map(([partnerId, bodies]) => `${partnerId} ${bodies.length}`).join(', ');
  process.stdout.write(
    `sent ${sent} transfers (${perPartner}) to the local stage` +
      (empty
        ? `; every inbound queue empty after ${((performance.now() - startedWaiting) / 1000).toFixed(1)} s\n`
        : '\n'),
  );
  if (refused) process.stderr.write(`fraudctl send: SQS refused ${refused} messages\n`);
  if (!empty) process.stderr.write(`fraudctl send: the inbound queues still held messages after ${timeoutSeconds} s\n`);
  return refused || !empty ? 1 : 0;
}

/** Each non-blank line as it is, under the partner it names; a line naming none refuses the whole file. */
function groupByPartner(text: string, file: string): Map<string, string[]> {
  const byPartner = new Map<string, string[]>();
  text.split(/\r?\n/).forEach((line, index) => {
    if (!line.trim()) return;
    let partnerId: unknown;
    try {
      partnerId = (JSON.parse(line) as { partnerId?: unknown } | null)?.partnerId;
    } catch {
      partnerId = undefined;
    }
    if (!PartnerIdSchema.safeParse(partnerId).success)
      throw new Error(
        `${file} line ${index + 1}: not a JSON object with a valid partnerId, so no queue to send it to (fraudctl replay reports such lines one by one)`,
      );
    byPartner.set(partnerId as string, [...(byPartner.get(partnerId as string) ?? []), line]);
  });
  return byPartner;
}

/** Whether every queue reached depth 0 within the time allowed. */
async function queuesEmptied(
  urls: readonly string[],
  timeoutMs: number,
  depthOf: (url: string) => Promise<number>,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const depths = await Promise.all(urls.map(depthOf));
    if (depths.every((depth) => depth === 0)) return true;
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, RECHECK_MS));
  }
}
