import { Option } from 'commander';
import { cliCommand, exits, runCli } from './cli.ts';
import { type ApiOptions, apiOptions, money, printJson, reviewApiClient } from './review-api-client.ts';

const CASE_ACTIONS = ['CONFIRM_MULE', 'ESCALATE'] as const;

interface Money {
  value: string;
  currency: string;
}

interface CaseSummaryJson {
  accountKey: string;
  role: string;
  openFlags: number;
  partners: string[];
  maxScore: number;
  firstAt: string;
  lastAt: string;
  totals: Money[];
}

interface CaseJson {
  accountKey: string;
  account: string;
  version: string;
  transfers: Array<{
    partnerId: string;
    transferId: string;
    status: string;
    version: number;
    party: string;
    counterparty: string;
    amount: Money;
    occurredAt: string;
    signals: string[];
  }>;
  choices: Record<string, { allowed: boolean; reason?: string }>;
  changed?: Array<{ partnerId: string; transferId: string; status: string; pendingEffects?: string[] }>;
  conflicts?: string[];
}

interface NetworkJson {
  scope: 'every bank' | 'own bank';
  nodes: Array<{ key: string; label: string; inClear: boolean }>;
  edges: Array<{
    direction: string;
    from: string;
    to: string;
    partnerId: string;
    transferId: string;
    amount: Money;
    occurredAt: string;
    outcome: string;
  }>;
  otherBanks: Array<{
    partnerId: string;
    direction: string;
    day: string;
    currency: string;
    transfers: number;
    total: string;
    held: number;
  }>;
  truncated: { inbound: boolean; onward: boolean };
}

const DETAILS = `
A case is an account (by its pseudonym) that two or more open flags share, as recipient or sender.
Partner officers see their own bank's transfers in a case; task-force supervisors every bank's.
example: fraudctl cases act 3q2sJ0mD4u6W1Xk9PzYb7Q --action CONFIRM_MULE --note "police report 114" --expected-version Vx3...`;

interface CasesOptions extends ApiOptions {
  partner?: string;
  limit: string;
  network?: boolean;
  action?: string;
  note?: string;
  expectedVersion?: string;
}

export function run(args: string[]): Promise<number> {
  const cases = cliCommand('cases', 'list, show and decide cases per mule account through the review API').addHelpText(
    'after',
    DETAILS,
  );
  const list = cases
    .command('list')
    .description('accounts shared by two or more open flags, most flags first')
    .option('--partner <id>', 'task force: only this partner bank')
    .option('--limit <n>', 'at most this many cases', '20')
    .action(exits((options: CasesOptions) => listCases(options)));
  const show = cases
    .command('show')
    .description('a case: every linked transfer you may see, with victim signals, and what you may do')
    .argument('<accountKey>', 'the account pseudonym, as fraudctl cases list prints it')
    .option('--network', "also print the account's network of the last 30 days")
    .action(exits((accountKey: string, options: CasesOptions) => showCase(accountKey, options)));
  const act = cases
    .command('act')
    .description('confirm the account as a mule (every open flag you may see), or escalate the case')
    .argument('<accountKey>', 'the account pseudonym')
    .addOption(new Option('--action <action>', 'what to do').choices(CASE_ACTIONS).makeOptionMandatory())
    .requiredOption('--note <text>', 'what you checked and why')
    .requiredOption('--expected-version <version>', 'the case version you decided on (fraudctl cases show prints it)')
    .action(exits((accountKey: string, options: CasesOptions) => actOnCase(accountKey, options)));
  for (const command of [list, show, act]) for (const option of apiOptions()) command.addOption(option);
  return runCli(cases, args);
}

async function listCases(options: CasesOptions): Promise<number> {
  const call = reviewApiClient('cases', options);
  const query = new URLSearchParams({ limit: options.limit });
  if (options.partner) query.set('partnerId', options.partner);
  const page = (await call(`/cases?${query}`)) as { items: CaseSummaryJson[] } | undefined;
  if (!page) return 1;
  if (options.json) return printJson(page);
  if (!page.items.length) process.stdout.write('no account is shared by two open flags\n');
  for (const item of page.items)
    process.stdout.write(
      `${item.accountKey}  ${String(item.openFlags).padStart(3)} open  ${item.role.padEnd(8)}  ${item.totals.map(money).join(', ').padStart(18)}  max score ${item.maxScore}  ${item.partners.join(',')}\n`,
    );
  return 0;
}

async function showCase(accountKey: string, options: CasesOptions): Promise<number> {
  const call = reviewApiClient('cases', options);
  const path = `/cases/${encodeURIComponent(accountKey)}`;
  const view = (await call(path)) as CaseJson | undefined;
  if (!view) return 1;
  const network = options.network ? ((await call(`${path}/network`)) as NetworkJson | undefined) : undefined;
  if (options.network && !network) return 1;
  if (options.json) return printJson(network ? { ...view, network } : view);
  describe(view);
  if (network) describeNetwork(network);
  return 0;
}

async function actOnCase(accountKey: string, options: CasesOptions): Promise<number> {
  const result = (await reviewApiClient('cases', options)(`/cases/${encodeURIComponent(accountKey)}/actions`, {
    method: 'POST',
    body: JSON.stringify({ action: options.action, note: options.note, expectedVersion: options.expectedVersion }),
  })) as CaseJson | undefined;
  if (!result) return 1;
  if (options.json) return printJson(result);
  for (const flag of result.changed ?? [])
    process.stdout.write(
      `${flag.partnerId}/${flag.transferId} is now ${flag.status}${flag.pendingEffects?.length ? ` (still to be delivered: ${flag.pendingEffects.join(', ')}, retried automatically)` : ''}\n`,
    );
  for (const key of result.conflicts ?? [])
    process.stdout.write(`${key} changed meanwhile and was left as it is: show the case again and decide it\n`);
  process.stdout.write(`case version is now ${result.version}\n`);
  return 0;
}

function describe(view: CaseJson): void {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out(`case of account ${view.account} (pseudonym ${view.accountKey})  version ${view.version}`);
  out('linked transfers, newest first:');
  for (const t of view.transfers)
    out(
      `  ${t.partnerId}/${t.transferId}  ${t.status.padEnd(15)}  ${t.party === 'creditor' ? 'received from' : 'sent to'} ${t.counterparty}  ${money(t.amount)}  ${t.occurredAt}  ${t.signals.join(', ')}`,
    );
  out('you may:');
  for (const [action, choice] of Object.entries(view.choices))
    out(`  ${action.padEnd(12)} ${choice.allowed ? 'yes' : `no: ${choice.reason}`}`);
}

function describeNetwork(network: NetworkJson): void {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const label = new Map(network.nodes.map((n) => [n.key, n.label]));
  const unreadable = network.scope === 'own bank' ? 'by a name of this view only' : 'by pseudonym';
  out(`network, last 30 days, newest first (accounts you cannot read on your own flags ${unreadable}):`);
  if (!network.edges.length) out('  (no screened transfer to or from the account)');
  for (const e of network.edges)
    out(
      `  ${e.direction === 'inbound' ? 'in ' : 'out'}  ${label.get(e.from) ?? e.from} -> ${label.get(e.to) ?? e.to}  ${money(e.amount)}  ${e.occurredAt}  ${e.outcome}  ${e.partnerId}/${e.transferId}`,
    );
  if (network.otherBanks.length) out("other banks' transfers, daily totals per bank (UTC days):");
  for (const d of network.otherBanks)
    out(
      `  ${d.day}  ${d.partnerId}  ${d.direction === 'inbound' ? 'in ' : 'out'}  ${d.transfers} transfer${d.transfers === 1 ? '' : 's'} (${d.held} held)  ${money({ value: d.total, currency: d.currency })}`,
    );
  if (network.truncated.inbound || network.truncated.onward) out('  (only the latest 200 each way are shown)');
}
