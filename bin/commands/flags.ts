import { Option } from 'commander';
import { cliCommand, exits, jsonOption, runCli } from './cli.ts';

const DEFAULT_API_URL = 'http://127.0.0.1:8080/api';

interface ApiError {
  error: { code: string; message: string; field?: string; currentVersion?: number };
}

interface Reason {
  ruleId: string;
  points: number;
  explanation: string;
  evidence?: Record<string, unknown>;
}

interface FlagJson {
  partnerId: string;
  transferId: string;
  status: string;
  outcome: string;
  score: number;
  version: number;
  createdAt: string;
  holdUntil: string | null;
  amount: { value: string; currency: string };
  reasons: Reason[];
  pendingEffects?: string[];
  lastAction?: { action: string; actorName: string; at: string } | null;
  transfer?: {
    creditor: Record<string, unknown>;
    debtor: Record<string, unknown>;
    remittanceInfo?: string;
    channel?: string;
    occurredAt: string;
  };
  audit?: Array<{
    at: string;
    actorName: string;
    role: string;
    action: string;
    note: string;
    fromStatus: string;
    toStatus: string;
    version: number;
  }>;
  choices?: Record<string, { allowed: boolean; reason?: string }>;
}

interface FlagsOptions {
  api: string;
  token?: string;
  json?: boolean;
  status: string;
  limit: string;
  partner?: string;
  cursor?: string;
  action?: string;
  note?: string;
  expectedVersion?: string;
}

export function run(args: string[]): Promise<number> {
  const flags = cliCommand('flags', 'list, show and act on review flags through the review API');
  // Every subcommand talks to the API: these come after its own options.
  const apiOptions = () => [
    new Option('--api <url>', 'the review API (fraudctl serve; in AWS the ReviewApiUrl output of the stateless stack)')
      .env('FRAUDCTL_API_URL')
      .default(DEFAULT_API_URL),
    new Option('--token <jwt>', 'a bearer token: locally from fraudctl token, in AWS a Cognito ID token').env(
      'FRAUDCTL_TOKEN',
    ),
    jsonOption("print the API's JSON instead of text"),
  ];
  const subcommand = (name: string, description: string) => flags.command(name).description(description);

  const list = subcommand(
    'list',
    'one page of the review queue, highest risk first; prints the cursor of the next page',
  )
    .option('--status <status>', 'PENDING, or a decided status', 'PENDING')
    .option('--limit <n>', 'flags per page', '20')
    .option('--partner <id>', "one partner's flags (a task-force supervisor sees every partner)")
    .option('--cursor <c>', 'the next page, as the previous page printed it')
    .action(exits((options: FlagsOptions) => listFlags(options)));
  const show = subcommand('show', 'a flag with its reasons, evidence, transfer and audit trail')
    .argument('<partner>', 'the partner id, such as kr-demo-bank')
    .argument('<transfer>', 'the transfer id, such as KB-20261124-000018')
    .action(
      exits((partner: string, transfer: string, options: FlagsOptions) =>
        showFlag(flagPath(partner, transfer), options),
      ),
    );
  const act = subcommand('act', 'record a decision on a flag')
    .argument('<partner>', 'the partner id')
    .argument('<transfer>', 'the transfer id')
    .requiredOption('--action <action>', 'RELEASE, CONFIRM_FRAUD or ESCALATE')
    .requiredOption('--note <text>', 'what you checked and why')
    .option('--expected-version <n>', 'the version of the flag you decided on (fraudctl flags show prints it)')
    .action(
      exits((partner: string, transfer: string, options: FlagsOptions) =>
        actOnFlag(flagPath(partner, transfer), options),
      ),
    );
  for (const command of [list, show, act]) for (const option of apiOptions()) command.addOption(option);
  return runCli(flags, args);
}

const flagPath = (partnerId: string, transferId: string) =>
  `/flags/${encodeURIComponent(partnerId)}/${encodeURIComponent(transferId)}`;

function client(values: FlagsOptions) {
  if (!values.token)
    throw new Error('no token: pass --token or set FRAUDCTL_TOKEN (fraudctl token prints one locally)');
  const token = values.token;
  return (path: string, init: RequestInit = {}) => request(values.api, token, path, init);
}

async function listFlags(values: FlagsOptions): Promise<number> {
  const call = client(values);
  const query = new URLSearchParams({ status: values.status, limit: values.limit });
  if (values.partner) query.set('partnerId', values.partner);
  if (values.cursor) query.set('cursor', values.cursor);
  const page = (await call(`/flags?${query}`)) as { items: FlagJson[]; nextCursor: string | null } | undefined;
  if (!page) return 1;
  if (values.json) return print(page);
  if (!page.items.length) process.stdout.write(`no ${values.status} flags\n`);
  for (const flag of page.items) {
    const top = [...flag.reasons].sort((a, b) => b.points - a.points)[0];
    process.stdout.write(
      `${String(flag.score).padStart(3)}  ${flag.partnerId}/${flag.transferId}  ${flag.outcome.padEnd(6)}  ${money(flag.amount).padStart(18)}  v${flag.version}  ${top?.explanation ?? ''}\n`,
    );
  }
  if (page.nextCursor)
    process.stdout.write(`next page: fraudctl flags list --status ${values.status} --cursor ${page.nextCursor}\n`);
  return 0;
}

async function showFlag(path: string, values: FlagsOptions): Promise<number> {
  const flag = (await client(values)(path)) as FlagJson | undefined;
  if (!flag) return 1;
  if (values.json) return print(flag);
  describe(flag);
  return 0;
}

async function actOnFlag(path: string, values: FlagsOptions): Promise<number> {
  const call = client(values);
  const expectedVersion = Number(values.expectedVersion);
  // Not a requiredOption: a missing or malformed version gets one message, which says where to find it.
  if (!Number.isInteger(expectedVersion) || expectedVersion < 1)
    throw new Error(
      '--expected-version is required: the version of the flag you decided on (fraudctl flags show prints it)',
    );
  const flag = (await call(`${path}/actions`, {
    method: 'POST',
    body: JSON.stringify({ action: values.action, note: values.note, expectedVersion }),
  })) as FlagJson | undefined;
  if (!flag) return 1;
  if (values.json) return print(flag);
  process.stdout.write(`${flag.partnerId}/${flag.transferId} is now ${flag.status} (version ${flag.version})\n`);
  if (flag.pendingEffects?.length)
    process.stdout.write(`still to be delivered: ${flag.pendingEffects.join(', ')} (retried automatically)\n`);
  return 0;
}

/** The API's JSON, or undefined after printing the API's error (code, field and message) to stderr. */
async function request(api: string, token: string, path: string, init: RequestInit): Promise<unknown> {
  const response = await fetch(`${api.replace(/\/+$/, '')}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
  });
  const body = (await response.json().catch(() => undefined)) as unknown;
  if (response.ok) return body;
  const error = (body as ApiError | undefined)?.error;
  process.stderr.write(
    `fraudctl flags: ${response.status} ${error?.code ?? response.statusText}${error?.field ? ` (${error.field})` : ''}: ${error?.message ?? 'no error details'}\n`,
  );
  return undefined;
}

function print(value: unknown): number {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  return 0;
}

function money(amount: { value: string; currency: string }): string {
  const [whole = '', fraction] = amount.value.split('.');
  return `${amount.currency} ${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction ? `.${fraction}` : ''}`;
}

function describe(flag: FlagJson): void {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out(`${flag.partnerId}/${flag.transferId}  ${flag.status}  version ${flag.version}`);
  out(
    `  ${flag.outcome}, score ${flag.score}, ${money(flag.amount)}, held since ${flag.createdAt}${flag.holdUntil ? `, hold ends ${flag.holdUntil}` : ''}`,
  );
  if (flag.pendingEffects?.length) out(`  still to be delivered: ${flag.pendingEffects.join(', ')}`);
  out('reasons:');
  for (const reason of [...flag.reasons].sort((a, b) => b.points - a.points)) {
    out(`  ${String(reason.points).padStart(3)}  ${reason.ruleId}: ${reason.explanation}`);
    for (const [name, value] of Object.entries(reason.evidence ?? {}))
      out(`         ${name} = ${typeof value === 'object' && value ? JSON.stringify(value) : String(value)}`);
  }
  if (flag.transfer) {
    const { debtor, creditor } = flag.transfer;
    out('transfer:');
    out(
      `  occurred ${flag.transfer.occurredAt}${flag.transfer.channel ? ` via ${flag.transfer.channel}` : ''}${flag.transfer.remittanceInfo ? `, "${flag.transfer.remittanceInfo}"` : ''}`,
    );
    out(`  from ${String(debtor.accountId)}${debtor.country ? ` (${String(debtor.country)})` : ''}`);
    out(
      `  to   ${String(creditor.accountId)}${creditor.name ? ` ${String(creditor.name)}` : ''}${creditor.country ? ` (${String(creditor.country)})` : ''}${creditor.accountType ? `, ${String(creditor.accountType)}` : ''}`,
    );
  }
  out('audit trail:');
  if (!flag.audit?.length) out('  (no actions yet)');
  for (const entry of flag.audit ?? [])
    out(
      `  ${entry.at}  ${entry.actorName} (${entry.role})  ${entry.action}  ${entry.fromStatus} -> ${entry.toStatus}  v${entry.version}  "${entry.note}"`,
    );
  if (flag.choices) {
    out('you may:');
    for (const [action, choice] of Object.entries(flag.choices))
      out(`  ${action.padEnd(13)} ${choice.allowed ? 'yes' : `no: ${choice.reason}`}`);
  }
}
