import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { createAwsClients } from '#adapters/aws-clients.ts';
import { DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import { DynamoShadowStore } from '#adapters/dynamodb/shadow-store.ts';
import { TABLES } from '#adapters/dynamodb/tables.ts';
import { parseJsonText } from '#domain/contract/json-text.ts';
import { type CompiledPack, compileRulePack, RulePackError } from '#domain/rules/compile.ts';
import type { PackAuditEntry } from '#domain/rules/maker-checker.ts';
import { readOnThread } from '#local/transfer-file-thread.ts';
import { runBacktest } from '#use-cases/backtest/run-backtest.ts';
import { formatShadowReport, reportPeriod, ShadowReportError, shadowReport } from '#use-cases/rules/shadow-report.ts';
import { runPseudonymKey } from './backtest.ts';
import { cliCommand, exits, jsonOption, runCli, usageError } from './cli.ts';
import { type ApiOptions, apiOptions, printJson, type ReviewApiCall, reviewApiClient } from './review-api-client.ts';

const DETAILS = `
Maker-checker: propose, approve, reject, activate and shadow are calls to the review API (--api, or
FRAUDCTL_API_URL: the ReviewApiUrl output, or what \`fraudctl up\` prints) as the holder of the token
(--token, or FRAUDCTL_TOKEN: in AWS a Cognito ID token, locally from fraudctl token). The server checks
every step: only a task-force supervisor (partner *, role supervisor) may decide, activate or shadow,
and the approver must be someone other than the proposer. Every step is appended to the pack's audit
with the user's id, name, role, the time and the note. In AWS no one else can write the RulePacks
table: its resource policy lets only the review API's role (and the deployment's seed) write it.
Screening Lambdas pick up an activation within RULE_PACK_MAX_AGE_SECONDS.

Shadow mode: rules shadow puts a proposed version beside the one in force (audited; it changes no
outcome); the screening Lambdas (SHADOW_MODE pointer, the default) score every new transfer with it
too and store what it decided, never sending or flagging it. rules shadow-report reads those
decisions from the ShadowDecisions table (${TABLES.shadowDecisions.envVar}) and the shadow pointer from
the RulePacks table (${TABLES.rulePacks.envVar}) over a period of event time, with AWS_REGION (and
locally AWS_ENDPOINT_URL_DYNAMODB), and compares them with the live ones.`;

interface RulesOptions extends ApiOptions {
  file: string;
  pack: string;
  version: string;
  note: string;
  backtestFile?: string;
  backtestSummary?: string;
  off?: boolean;
  shadowVersion?: string;
  from?: string;
  to?: string;
}

export function run(args: string[]): Promise<number> {
  const rules = cliCommand('rules', 'validate rule packs; propose, approve and activate them (maker-checker)');
  rules.addHelpText('after', DETAILS);
  const packOption = () => new Option('--pack <id>', 'the rule pack').default('kr-kh');
  const step = (name: string, description: string, action: (options: RulesOptions) => Promise<number>) =>
    rules.command(name).description(description).action(exits(action));
  const throughApi = (command: Command) => {
    for (const option of apiOptions()) command.addOption(option);
    return command;
  };

  step(
    'validate',
    'check a rule pack offline; errors name the exact path (rules.3.when.all.1.value)',
    validate,
  ).requiredOption('--file <pack.json>', 'the rule pack JSON to check');
  throughApi(
    step('propose', 'store the version and propose it, with a backtest summary against the version in force', propose)
      .requiredOption('--file <pack.json>', 'the rule pack JSON to propose')
      .requiredOption('--note <text>', 'what changed and why')
      .addOption(
        new Option(
          '--backtest-file <transfers.ndjson>',
          'backtest the proposal against the version in force over this file',
        ).conflicts('backtestSummary'),
      )
      .option('--backtest-summary <s.json>', 'or attach a backtest summary made earlier'),
  );
  for (const decision of ['approve', 'reject'] as const)
    throughApi(
      step(decision, `${decision} a proposed version: a task-force supervisor other than the proposer, once`, (o) =>
        decide(decision, o),
      )
        .addOption(packOption())
        .requiredOption('--version <version>', 'the proposed version, such as kr-kh-2026.11.2')
        .requiredOption('--note <text>', 'what you checked'),
    );
  throughApi(
    step('activate', 'put an approved version in force (or one that was in force before: a rollback)', activate)
      .addOption(packOption())
      .requiredOption('--version <version>', 'the stored version to put in force')
      .requiredOption('--note <text>', 'why'),
  );
  const shadowStep: Command = throughApi(
    step('shadow', 'score every transfer also with a proposed version, beside the one in force (or --off)', (o) =>
      shadow(shadowStep, o),
    )
      .addOption(packOption())
      .addOption(new Option('--version <version>', 'the proposed version to put in shadow').conflicts('off'))
      .option('--off', 'stop shadow scoring')
      .requiredOption('--note <text>', 'why'),
  );
  const report: Command = step('shadow-report', 'compare the shadow decisions with the live ones over a period', (o) =>
    shadowReportOf(report, o),
  )
    .addOption(packOption())
    .option('--shadow-version <version>', 'the version that was in shadow (default: the one in shadow now)')
    .requiredOption('--from <iso>', 'start of the period, event time, such as 2026-12-01 or 2026-12-01T09:00+09:00')
    .requiredOption('--to <iso>', 'end of the period (excluded)')
    .addOption(jsonOption());
  throughApi(
    step(
      'history',
      'every proposal, approval, rejection, activation and shadow change, oldest first',
      history,
    ).addOption(packOption()),
  );
  throughApi(step('show', 'the version in force, and the one in shadow', show).addOption(packOption()));
  return runCli(rules, args);
}

interface PackOverview {
  packId: string;
  active: string | null;
  shadow: string | null;
  history: PackAuditEntry[];
}

const packPath = (packId: string) => `/rule-packs/${encodeURIComponent(packId)}`;

async function validate(values: RulesOptions): Promise<number> {
  const compiled = compiledOrProblems(values.file, await readJson(values.file));
  if (!compiled) return 1;
  process.stdout.write(`${values.file}: ${compiled.version} is valid (${compiled.rules.length} enabled rules)\n`);
  return 0;
}

/** The compiled pack, or undefined after listing every problem with its exact path. */
function compiledOrProblems(file: string, document: unknown): CompiledPack | undefined {
  try {
    return compileRulePack(document);
  } catch (error) {
    if (!(error instanceof RulePackError)) throw error;
    process.stderr.write(`${file}: refused, ${error.issues.length} problem${error.issues.length === 1 ? '' : 's'}:\n`);
    for (const issue of error.issues) process.stderr.write(`  ${issue.path}: ${issue.message}\n`);
    return undefined;
  }
}

async function propose(values: RulesOptions): Promise<number> {
  const call = reviewApiClient('rules propose', values);
  const pack = await readJson(values.file);
  // The server validates the pack too; checking here first lists every problem with its path at once.
  const candidate = compiledOrProblems(values.file, pack);
  if (!candidate) return 1;
  const backtest = values.backtestFile
    ? await backtestSummary(call, candidate, values.backtestFile)
    : values.backtestSummary
      ? await readJson(values.backtestSummary)
      : undefined;
  if (backtest === null) return 1;
  const entry = (await call(`${packPath(candidate.packId)}/proposals`, {
    method: 'POST',
    body: JSON.stringify({ pack, note: values.note, ...(backtest === undefined ? {} : { backtest }) }),
  })) as PackAuditEntry | undefined;
  if (!entry) return 1;
  if (values.json) return printJson(entry);
  process.stdout.write(
    `${entry.packId}: ${entry.version} proposed by ${entry.actor.username}; a task-force supervisor other than you must approve it (fraudctl rules approve)\n`,
  );
  return 0;
}

async function decide(action: 'approve' | 'reject', values: RulesOptions): Promise<number> {
  const entry = (await reviewApiClient(`rules ${action}`, values)(
    `${packPath(values.pack)}/versions/${encodeURIComponent(values.version)}/decision`,
    { method: 'POST', body: JSON.stringify({ decision: action.toUpperCase(), note: values.note }) },
  )) as PackAuditEntry | undefined;
  if (!entry) return 1;
  if (values.json) return printJson(entry);
  process.stdout.write(`${entry.packId}: ${entry.version} ${entry.action.toLowerCase()} by ${entry.actor.username}\n`);
  return 0;
}

async function activate(values: RulesOptions): Promise<number> {
  const entry = (await reviewApiClient('rules activate', values)(`${packPath(values.pack)}/activation`, {
    method: 'POST',
    body: JSON.stringify({ version: values.version, note: values.note }),
  })) as PackAuditEntry | undefined;
  if (!entry) return 1;
  if (values.json) return printJson(entry);
  process.stdout.write(
    `${entry.packId}: ${entry.version} is now in force${entry.previousVersion ? ` (was ${entry.previousVersion})` : ''}\n`,
  );
  return 0;
}

async function shadow(command: Command, values: RulesOptions): Promise<number> {
  if (!values.version && !values.off) usageError(command, 'name the --version to put in shadow, or --off');
  const result = (await reviewApiClient('rules shadow', values)(`${packPath(values.pack)}/shadow`, {
    method: 'POST',
    body: JSON.stringify({ version: values.version ?? null, note: values.note }),
  })) as { changed: boolean; entry?: PackAuditEntry } | undefined;
  if (!result) return 1;
  if (values.json) return printJson(result);
  const { entry } = result;
  if (!entry) process.stdout.write(`${values.pack}: nothing to change (${values.version ?? 'no version'} in shadow)\n`);
  else if (entry.action === 'SHADOWED')
    process.stdout.write(
      `${entry.packId}: ${entry.version} now scores in shadow${entry.previousVersion ? ` (was ${entry.previousVersion})` : ''}; screening picks it up within RULE_PACK_MAX_AGE_SECONDS\n`,
    );
  else process.stdout.write(`${entry.packId}: shadow scoring of ${entry.version} stopped\n`);
  return 0;
}

async function shadowReportOf(command: Command, values: RulesOptions): Promise<number> {
  try {
    reportPeriod(values.from, values.to);
  } catch (error) {
    if (error instanceof ShadowReportError) usageError(command, error.message);
    throw error;
  }
  const documents = createAwsClients().documents;
  const shadows = new DynamoShadowStore(documents, tableName(TABLES.shadowDecisions.envVar, 'ShadowDecisions'));
  const packs = new DynamoRulePackStore(documents, tableName(TABLES.rulePacks.envVar, 'RulePacks'));
  try {
    const report = await shadowReport(shadows, packs, {
      packId: values.pack,
      from: values.from!,
      to: values.to!,
      ...(values.shadowVersion ? { shadowVersion: values.shadowVersion } : {}),
    });
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatShadowReport(report));
    return 0;
  } catch (error) {
    if (!(error instanceof ShadowReportError)) throw error;
    process.stderr.write(`fraudctl rules shadow-report: ${error.message}\n`);
    return 1;
  }
}

async function history(values: RulesOptions): Promise<number> {
  const overview = (await reviewApiClient('rules history', values)(packPath(values.pack))) as PackOverview | undefined;
  if (!overview) return 1;
  if (values.json) return printJson(overview.history);
  if (!overview.history.length) process.stdout.write(`${values.pack}: no proposals yet\n`);
  for (const entry of overview.history) {
    const summary = entry.backtest ? `; backtest: ${describeBacktest(entry.backtest)}` : '';
    const previous = entry.previousVersion ? ` (replacing ${entry.previousVersion})` : '';
    process.stdout.write(
      `${entry.at}  ${entry.action.padEnd(10)} ${entry.version}${previous} by ${entry.actor.username} (${entry.actor.role})${entry.note ? `: ${entry.note}` : ''}${summary}\n`,
    );
  }
  return 0;
}

async function show(values: RulesOptions): Promise<number> {
  const overview = (await reviewApiClient('rules show', values)(packPath(values.pack))) as PackOverview | undefined;
  if (!overview) return 1;
  if (values.json) return printJson({ packId: overview.packId, active: overview.active, shadow: overview.shadow });
  process.stdout.write(
    `${values.pack}: ${overview.active ?? 'no version'} is in force${overview.shadow ? `; ${overview.shadow} scores in shadow` : ''}\n`,
  );
  return 0;
}

/**
 * Backtests the proposed pack against the version in force over a file, for the proposal's record.
 * The version in force comes from the review API, so the comparison is with what screening runs;
 * null when the API refused (its error printed).
 */
async function backtestSummary(call: ReviewApiCall, candidate: CompiledPack, file: string) {
  const overview = (await call(packPath(candidate.packId))) as PackOverview | undefined;
  if (!overview) return null;
  const inForce = overview.active
    ? ((await call(`${packPath(candidate.packId)}/versions/${encodeURIComponent(overview.active)}`)) as
        | { pack: unknown }
        | undefined)
    : undefined;
  if (overview.active && !inForce) return null;
  const report = await runBacktest({
    source: readOnThread(file, runPseudonymKey()),
    candidate,
    ...(inForce ? { baseline: compileRulePack(inForce.pack) } : {}),
  });
  const brief = (s: typeof report.candidate) => ({
    version: s.pack.version,
    outcomes: s.outcomes,
    heldShare: s.heldShare,
    legitimateHoldRate: s.labels?.legitimateHoldRate ?? null,
    typologies: s.labels?.typologies ?? null,
  });
  return {
    file,
    transfers: report.transfers,
    invalidLines: report.invalid.count,
    candidate: brief(report.candidate),
    ...(report.baseline ? { baseline: brief(report.baseline), changedOutcomes: report.changes?.count ?? 0 } : {}),
  };
}

function describeBacktest(summary: unknown): string {
  const s = summary as {
    transfers?: number;
    candidate?: { heldShare?: number; legitimateHoldRate?: number | null };
    baseline?: { version?: string };
    changedOutcomes?: number;
  };
  if (typeof s.transfers !== 'number' || !s.candidate) return JSON.stringify(summary).slice(0, 200);
  const held = ((s.candidate.heldShare ?? 0) * 100).toFixed(2);
  const legitimate =
    typeof s.candidate.legitimateHoldRate === 'number'
      ? `, legitimate held ${(s.candidate.legitimateHoldRate * 100).toFixed(2)}%`
      : '';
  const changed = s.baseline ? `, ${s.changedOutcomes} outcomes changed from ${s.baseline.version}` : '';
  return `${s.transfers} transfers, held ${held}%${legitimate}${changed}`;
}

async function readJson(file: string): Promise<unknown> {
  // Says where the syntax breaks, never quoting the file (JSON.parse's message would): it may hold account numbers.
  const parsed = parseJsonText(await readFile(file, 'utf8'));
  if (!parsed.ok) throw new Error(`${file} ${parsed.problem}`);
  return parsed.value;
}

function tableName(envVar: string, table: string): string {
  const name = process.env[envVar];
  if (!name) throw new Error(`set ${envVar} to the ${table} table name (see fraudctl rules --help)`);
  return name;
}
