import type { Command } from 'commander';
import { TABLES, type TableKey } from '#adapters/dynamodb/tables.ts';
import { PartnerIdSchema } from '#domain/contract/transfer-event.ts';
import { DEMO_PARTNERS, startLocalPipeline, type LocalPipeline } from '#local/pipeline.ts';
import { cliCommand, exits, jsonOption, runCli, usageError } from './cli.ts';

/** The ports DynamoDB Local and ElasticMQ use, so that existing local tooling finds the stand-ins. */
export const DEFAULT_DYNAMODB_PORT = 8000;
export const DEFAULT_SQS_PORT = 9324;
/** The console and the review API (fraudctl flags and cases look there without --api). */
export const DEFAULT_GATEWAY_PORT = 8080;

interface UpOptions {
  portDynamodb?: string;
  portSqs?: string;
  portGateway?: string;
  partners?: string;
  json?: boolean;
}

export function run(args: string[]): Promise<number> {
  const program = cliCommand(
    'up',
    'run the local stage (its synthesized templates on local stand-ins) until Ctrl-C (or SIGTERM) and print the ' +
      'exports that let the AWS CLI, the SDKs and fraudctl reach it: send transfers, read decisions, scan tables, ' +
      'propose rule packs, work flags, run fraudctl smoke',
  )
    .option('--port-dynamodb <n>', `DynamoDB endpoint port (default ${DEFAULT_DYNAMODB_PORT}; 0 picks a free one)`)
    .option('--port-sqs <n>', `SQS endpoint port (default ${DEFAULT_SQS_PORT}; 0 picks a free one)`)
    .option('--port-gateway <n>', `console and review API port (default ${DEFAULT_GATEWAY_PORT}; 0 picks a free one)`)
    .option('--partners <a,b>', `partner slugs to create queues for (default ${DEMO_PARTNERS.join(',')})`)
    .addOption(jsonOption('print the endpoints as one JSON object instead of the readable list'))
    .addHelpText(
      'after',
      '\nScreening logs (Powertools, JSON) follow on stdout; POWERTOOLS_LOG_LEVEL changes their level.\n' +
        'PSEUDONYM_KEY, if set, is the account pseudonym key; otherwise a new random one is printed.',
    )
    .action(exits(up));
  return runCli(program, args);
}

async function up(values: UpOptions, command: Command): Promise<number> {
  const dynamodbPort = port(values.portDynamodb, DEFAULT_DYNAMODB_PORT, '--port-dynamodb');
  const sqsPort = port(values.portSqs, DEFAULT_SQS_PORT, '--port-sqs');
  const gatewayPort = port(values.portGateway, DEFAULT_GATEWAY_PORT, '--port-gateway');
  const partners = values.partners === undefined ? [...DEMO_PARTNERS] : values.partners.split(',').map((p) => p.trim());
  const problems = [
    ...(typeof dynamodbPort === 'string' ? [dynamodbPort] : []),
    ...(typeof sqsPort === 'string' ? [sqsPort] : []),
    ...(typeof gatewayPort === 'string' ? [gatewayPort] : []),
    ...partners.flatMap((p) =>
      PartnerIdSchema.safeParse(p).success
        ? []
        : [`--partners: ${JSON.stringify(p)} is not a partner slug (1-40 lower-case letters, digits or hyphens)`],
    ),
  ];
  if (
    problems.length ||
    typeof dynamodbPort === 'string' ||
    typeof sqsPort === 'string' ||
    typeof gatewayPort === 'string'
  )
    usageError(command, problems.join('\nerror: '));

  const pipeline = await startLocalPipeline({
    partners,
    ports: { dynamodb: dynamodbPort, sqs: sqsPort, gateway: gatewayPort },
    handlerLogLevel: (process.env.POWERTOOLS_LOG_LEVEL as 'INFO' | undefined) ?? 'INFO',
    ...(process.env.PSEUDONYM_KEY ? { pseudonymKey: process.env.PSEUDONYM_KEY } : {}),
  }).catch((error: Error) => {
    throw new Error(
      /EADDRINUSE/.test(error.message)
        ? `${error.message}: another server holds the port; choose others with --port-dynamodb / --port-sqs / --port-gateway`
        : error.message,
    );
  });
  process.stdout.write(values.json ? `${JSON.stringify(describe(pipeline))}\n` : renderEndpoints(pipeline));

  const signal = await firstSignal(['SIGINT', 'SIGTERM']);
  process.stderr.write(`\n${signal}: stopping the local pipeline...\n`);
  await pipeline.stop();
  process.stderr.write('stopped; nothing was left on disk\n');
  return 0;
}

/** Resolves with the first of the signals; both listeners then go, so that a second Ctrl-C ends the process at once. */
function firstSignal(names: readonly NodeJS.Signals[]): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const listeners = names.map((name) => [name, () => done(name)] as const);
    const done = (name: NodeJS.Signals) => {
      for (const [n, listener] of listeners) process.off(n, listener);
      resolve(name);
    };
    for (const [n, listener] of listeners) process.once(n, listener);
  });
}

function port(text: string | undefined, fallback: number, flag: string): number | string {
  if (text === undefined) return fallback;
  const value = Number(text);
  return Number.isInteger(value) && value >= 0 && value <= 65535
    ? value
    : `${flag} must be a port number from 0 to 65535, got "${text}"`;
}

/** Everything a client needs, as data: what --json prints. */
export function describe(pipeline: LocalPipeline) {
  const { system } = pipeline;
  return {
    region: pipeline.region,
    credentials: pipeline.credentials,
    endpoints: { ...pipeline.endpoints, gateway: system.gatewayUrl },
    reviewApi: system.model.outputs['fraud-local-stateless']?.ReviewApiUrl,
    tables: pipeline.tables,
    queues: Object.fromEntries(
      Object.entries(pipeline.queues).map(([partnerId, q]) => [
        partnerId,
        { inbound: q.inbound.url, dlq: q['inbound-dlq'].url, decisions: q.decisions.url },
      ]),
    ),
    pseudonymKey: pipeline.pseudonymKey,
    exports: exportsFor(pipeline),
  };
}

/**
 * The variables a shell needs to reach the local stage: the SDK's own endpoint variables (the AWS CLI
 * 2.13 or later reads them too), the table names and review API fraudctl's commands read, and the key.
 */
export function exportsFor(pipeline: LocalPipeline): Record<string, string> {
  const { endpoints, region, credentials, system } = pipeline;
  return {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager,
    AWS_ENDPOINT_URL_CLOUDFORMATION: endpoints.cloudformation,
    ...Object.fromEntries((Object.keys(TABLES) as TableKey[]).map((key) => [TABLES[key].envVar, pipeline.tables[key]])),
    FRAUDCTL_API_URL: system.model.outputs['fraud-local-stateless']?.ReviewApiUrl ?? '',
    PSEUDONYM_KEY: pipeline.pseudonymKey,
  };
}

function renderEndpoints(pipeline: LocalPipeline): string {
  const { system } = pipeline;
  const first = pipeline.partners[0]!;
  const exports = exportsFor(pipeline);
  const queueLines = Object.entries(pipeline.queues).flatMap(([partnerId, q]) => [
    `  ${partnerId}`,
    `    inbound     ${q.inbound.url}`,
    `    DLQ         ${q['inbound-dlq'].url}`,
    `    decisions   ${q.decisions.url}`,
  ]);
  return [
    'The local stage is running (Ctrl-C stops it): its synthesized templates on local stand-ins, every call',
    "checked against the calling function's IAM policies.",
    '',
    `  console       ${system.gatewayUrl}/`,
    `  review API    ${exports.FRAUDCTL_API_URL}`,
    `  DynamoDB      ${exports.AWS_ENDPOINT_URL_DYNAMODB}`,
    `  SQS           ${exports.AWS_ENDPOINT_URL_SQS}`,
    `  region        ${exports.AWS_REGION}`,
    '',
    '  queues (their host names do not resolve: use them with the SQS endpoint above)',
    ...queueLines,
    '',
    'In another shell, for the AWS CLI (2.13 or later), the SDKs and fraudctl:',
    ...Object.entries(exports).map(([name, value]) => `  export ${name}=${value}`),
    '',
    'Then, for example:',
    `  aws sqs send-message --queue-url ${pipeline.queues[first]!.inbound.url} --message-body file://transfer.json`,
    `  aws sqs receive-message --queue-url ${pipeline.queues[first]!.decisions.url}`,
    `  aws dynamodb scan --table-name ${pipeline.tables.decisions}`,
    `  export FRAUDCTL_TOKEN=$(npx fraudctl token --user kim --partner ${first} --role analyst | tail -1)`,
    "  export SUPERVISOR_TOKEN=$(npx fraudctl token --user sam --partner '*' --role supervisor | tail -1)   # a second person: approves and activates rule packs",
    '  npx fraudctl flags list',
    '  npx fraudctl smoke --stage local',
    '',
    '',
  ].join('\n');
}
