import { cliCommand, exits, runCli } from './cli.ts';
import { type ApiOptions, apiOptions, money, printJson, reviewApiClient } from './review-api-client.ts';

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

interface FlagsOptions extends ApiOptions {
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

async function listFlags(values: FlagsOptions): Promise<number> {
  const call = reviewApiClient('flags', values);
  const query = new URLSearchParams({ status: values.status, limit: values.limit });
  if (values.partner) query.set('partnerId', values.partner);
  if (values.cursor) query.set('cursor', values.cursor);
  const page = (await call(`/flags?${query}`)) as { items: FlagJson[]; nextCursor: string | null } | undefined;
  if (!page) return 1;
  if (values.json) return printJson(page);
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
  const flag = (await reviewApiClient('flags', values)(path)) as FlagJson | undefined;
  if (!flag) return 1;
  if (values.json) return printJson(flag);
  describe(flag);
  return 0;
}

async function actOnFlag(path: string, values: FlagsOptions): Promise<number> {
  const call = reviewApiClient('flags', values);
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
  if (values.json) return printJson(flag);
  process.stdout.write(`${flag.partnerId}/${flag.transferId} is now ${flag.status} (version ${flag.version})\n`);
  if (flag.pendingEffects?.length)
    process.stdout.write(`still to be delivered: ${flag.pendingEffects.join(', ')} (retried automatically)\n`);
  return 0;
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
