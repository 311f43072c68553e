import { readFile } from 'node:fs/promises';
import { Option } from 'commander';
import { decisionCallerRoleName } from '#handlers/http/decision-routes.ts';
import { queuePrefix } from '../../lib/config.ts';
import { DEFAULT_STATE_DIR } from '#local/auth/local-issuer.ts';
import { loadCallerCredentials } from '#local/auth/sigv4.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '#local/local-account.ts';
import { cliCommand, exits, runCli } from './cli.ts';
import { postDecision, type SigningCredentials } from './decision-api-client.ts';

/** The DecisionApiUrl of `fraudctl up` on its default port. */
export const DEFAULT_DECISION_API_URL = 'http://127.0.0.1:8080/decision-api';

const DETAILS = `
Each transfer (a JSON file, or NDJSON: one per line) is sent to POST /v1/decisions, signed with SigV4.
Against the local stage (fraudctl up), --partner picks the partner's local caller credentials.
In AWS: assume the partner's caller role (the <Partner>DecisionCallerRoleArn output), export its
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, and pass --api <DecisionApiUrl> --aws.
Prints one line per transfer: the HTTP status and the decision (or the refusal) as JSON.`;

interface DecideOptions {
  file: string;
  api: string;
  partner?: string;
  aws?: boolean;
  region: string;
  stateDir: string;
}

export function run(args: string[]): Promise<number> {
  const program = cliCommand('decide', 'ask the decision API for the decision on each transfer of a file')
    .requiredOption('--file <path>', 'a transfer event as JSON, or NDJSON with one transfer a line')
    .addOption(
      new Option('--api <url>', 'the DecisionApiUrl output of the stateless stack')
        .env('FRAUDCTL_DECISION_API_URL')
        .default(DEFAULT_DECISION_API_URL),
    )
    .option('--partner <id>', 'local stage: sign as this partner (its local caller credentials)')
    .option('--aws', 'sign with the role session in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN')
    .addOption(new Option('--region <region>', 'the API region').env('AWS_REGION').default(LOCAL_REGION))
    .option('--state-dir <dir>', 'local stage: where fraudctl up keeps its keys', DEFAULT_STATE_DIR)
    .addHelpText('after', DETAILS)
    .action(exits(decide));
  return runCli(program, args);
}

async function decide(options: DecideOptions): Promise<number> {
  const credentials = await credentialsFor(options);
  const text = (await readFile(options.file, 'utf8')).trim();
  // A file that parses as one JSON value is one transfer; otherwise each non-empty line is one.
  const bodies = isOneJsonValue(text) ? [text] : text.split('\n').filter((line) => line.trim());
  let refused = 0;
  for (const body of bodies) {
    const answer = await postDecision(options.api, body, credentials, options.region);
    if (answer.status !== 200) refused++;
    process.stdout.write(`${answer.status} ${JSON.stringify(answer.body)}\n`);
  }
  return refused ? 1 : 0;
}

async function credentialsFor(options: DecideOptions): Promise<SigningCredentials> {
  if (options.aws) {
    const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = process.env;
    if (!AWS_ACCESS_KEY_ID || !AWS_SECRET_ACCESS_KEY)
      throw new Error('--aws needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (a session of the caller role)');
    return {
      accessKeyId: AWS_ACCESS_KEY_ID,
      secretAccessKey: AWS_SECRET_ACCESS_KEY,
      ...(AWS_SESSION_TOKEN ? { sessionToken: AWS_SESSION_TOKEN } : {}),
    };
  }
  if (!options.partner)
    throw new Error('name the partner to sign as (--partner) or sign with your AWS session (--aws)');
  const roleArn = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${decisionCallerRoleName(queuePrefix('local'), options.partner)}`;
  return (await loadCallerCredentials(options.stateDir))(roleArn);
}

function isOneJsonValue(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
