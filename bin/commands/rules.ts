import { readFile, writeFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { createAwsClients } from '#adapters/aws-clients.ts';
import { DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import { DynamoShadowStore } from '#adapters/dynamodb/shadow-store.ts';
import { TABLES } from '#adapters/dynamodb/tables.ts';
import { parseJsonText } from '#domain/contract/json-text.ts';
import { type CompiledPack, compileRulePack, RulePackError } from '#domain/rules/compile.ts';
import type { PackAuditEntry } from '#domain/rules/maker-checker.ts';
import { readOnThread } from '#local/transfer-file-thread.ts';
import {
  BacktestReportFiguresSchema,
  type ProposalBacktest,
  proposalBacktest,
} from '#use-cases/backtest/proposal-backtest.ts';
import { runBacktest } from '#use-cases/backtest/run-backtest.ts';
import { formatShadowReport, reportPeriod, ShadowReportError, shadowReport } from '#use-cases/rules/shadow-report.ts';
import { readOfficerLabels } from '#adapters/dynamodb/officer-labels.ts';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import { DEFAULT_HOLDOUT_SHARE, DEFAULT_L2, fitPack } from '#use-cases/rules/fit-pack.ts';
import { formatFitReport } from '#use-cases/rules/fit-report.ts';
import { SCORE_FROM_HELP, loadLabels, loadWatchlist, parseScoreFrom, runPseudonymKey } from './backtest.ts';
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
locally AWS_ENDPOINT_URL_DYNAMODB), and compares them with the live ones.

Fit: rules fit screens a labelled file with the version in force (read through the API), fits points
and thresholds to the labels (L2-regularised logistic regression over the rules' firings, a held-out
share for a calibration table), backtests the result against the version in force and proposes it
like rules propose. rules labels writes the flags officers confirmed as fraud or released in a period
(${TABLES.flags.envVar}) as a labels CSV for fit --labels and backtest --labels.`;

interface RulesOptions extends ApiOptions {
  file: string;
  labels?: string;
  watchlist?: string;
  profile?: string;
  holdout?: string;
  l2?: string;
  out?: string;
  report?: string;
  pack: string;
  version: string;
  note: string;
  backtestFile?: string;
  scoreFrom?: string;
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
  const proposeStep: Command = throughApi(
    step('propose', 'store the version and propose it, with a backtest summary against the version in force', (o) =>
      propose(proposeStep, o),
    )
      .requiredOption('--file <pack.json>', 'the rule pack JSON to propose')
      .requiredOption('--note <text>', 'what changed and why')
      .addOption(
        new Option(
          '--backtest-file <transfers.ndjson>',
          'backtest the proposal against the version in force over this file',
        ).conflicts('backtestSummary'),
      )
      .option('--backtest-summary <report.json>', 'or attach the figures of a report of fraudctl backtest --json')
      .option('--watchlist <list.csv>', 'listings in force over the --backtest-file (its known mules)')
      .option('--profile <p.json>', "the watchlist provider's column profile"),
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
  const fitStep: Command = throughApi(
    step(
      'fit',
      "fit a pack's points and thresholds to labelled transfers (L2-regularised logistic regression over its rules' firings) and propose the result",
      (o) => fitAndPropose(fitStep, o),
    )
      .requiredOption('--file <transfers.ndjson>', 'labelled transfers (a "label" on each event, or --labels)')
      .addOption(packOption())
      .option('--labels <labels.csv>', 'labels CSV, such as fraudctl rules labels writes')
      .option('--watchlist <list.csv>', 'listings in force over the file')
      .option('--profile <p.json>', "the watchlist provider's column profile")
      .requiredOption('--version <version>', 'the proposed version (new)')
      .option('--score-from <time>', SCORE_FROM_HELP)
      .option('--holdout <share>', 'share of the labelled transfers kept out of the fit', String(DEFAULT_HOLDOUT_SHARE))
      .option('--l2 <lambda>', 'L2 penalty on the weights', String(DEFAULT_L2))
      .option('--out <pack.json>', 'also write the proposed pack here')
      .option('--report <fit.json>', 'also write the fit report (weights, calibration, backtest) here')
      .option('--note <text>', 'what the proposal is for'),
  );
  const labelsStep: Command = step(
    'labels',
    "officers' decisions as labels: confirmed fraud and released flags decided in [from, to), as a labels CSV",
    (o) => labels(labelsStep, o),
  )
    .requiredOption('--from <iso>', 'start of the period (decision time), such as 2026-12-01')
    .requiredOption('--to <iso>', 'end of the period (excluded)')
    .option('--out <labels.csv>', 'write here instead of printing');
  throughApi(
    step('export', 'write a stored version (default: the one in force) as a pack file to edit and propose', exportPack)
      .addOption(packOption())
      .option('--version <version>', 'the stored version (default: the one in force)')
      .requiredOption('--out <pack.json>', 'the file to write'),
  );
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

async function propose(command: Command, values: RulesOptions): Promise<number> {
  if (values.watchlist && !values.backtestFile)
    usageError(command, '--watchlist lists the known mules of a --backtest-file: name that file too');
  const call = reviewApiClient('rules propose', values);
  const pack = await readJson(values.file);
  // The server validates the pack too; checking here first lists every problem with its path at once.
  const candidate = compiledOrProblems(values.file, pack);
  if (!candidate) return 1;
  const backtest = values.backtestFile
    ? await backtestSummary(call, candidate, values.backtestFile, values)
    : values.backtestSummary
      ? backtestOfReport(values.backtestSummary, await readJson(values.backtestSummary))
      : undefined;
  if (backtest === null) return 1;
  return submitProposal(call, pack, candidate.packId, values, backtest);
}

/** The one way a version is proposed, by propose and by fit: through the API, audited, waiting for an approver. */
async function submitProposal(
  call: ReviewApiCall,
  pack: unknown,
  packId: string,
  values: Pick<RulesOptions, 'note' | 'json'>,
  backtest: ProposalBacktest | undefined,
): Promise<number> {
  const entry = (await call(`${packPath(packId)}/proposals`, {
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

/**
 * Fits the version in force to labelled transfers (see fit-pack.ts), prints and writes what came out,
 * and proposes it like any other version: nothing goes into force without another person's approval.
 */
async function fitAndPropose(command: Command, values: RulesOptions): Promise<number> {
  const holdoutShare = Number(values.holdout);
  if (!(holdoutShare > 0 && holdoutShare < 1))
    usageError(command, '--holdout must be a share between 0 and 1, such as 0.3');
  const l2 = Number(values.l2);
  if (!(l2 > 0)) usageError(command, '--l2 must be a positive number, such as 1');
  const scoreFrom = parseScoreFrom(command, values.scoreFrom);
  const call = reviewApiClient('rules fit', values);
  const inForce = await packInForce(call, values.pack);
  if (inForce === null) return 1;
  if (!inForce) throw new Error(`${values.pack}: no version in force to fit`);
  const pseudonymKey = runPseudonymKey();
  const { document, report, proposalBacktest } = await fitPack({
    source: readOnThread(values.file, pseudonymKey),
    inForce,
    version: values.version,
    file: values.file,
    holdoutShare,
    l2,
    ...(scoreFrom === undefined ? {} : { scoreFrom }),
    ...(values.labels ? { labels: await loadLabels(values.labels) } : {}),
    ...(values.watchlist
      ? { watchlist: await loadWatchlist(values.watchlist, values.profile, createPseudonymiser(pseudonymKey)) }
      : {}),
  });
  if (values.out) await writeFile(values.out, `${JSON.stringify(document, null, 2)}\n`);
  if (values.report) await writeFile(values.report, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(formatFitReport(report));
  return submitProposal(
    call,
    document,
    values.pack,
    { ...values, note: values.note ?? `points fitted on ${values.file}` },
    proposalBacktest,
  );
}

/** Officers' decisions of a period as a labels CSV for backtest --labels and rules fit --labels. */
async function labels(command: Command, values: RulesOptions): Promise<number> {
  const from = Date.parse(values.from ?? '');
  const to = Date.parse(values.to ?? '');
  if (Number.isNaN(from)) usageError(command, `--from must be a date or date-time, got "${values.from}"`);
  if (Number.isNaN(to) || to <= from) usageError(command, `--to must be a date or date-time after --from`);
  const table = process.env[TABLES.flags.envVar];
  if (!table)
    throw new Error(`set ${TABLES.flags.envVar} to the Flags table name (CloudFormation output, or fraudctl up)`);
  const decided = await readOfficerLabels(
    createAwsClients().documents,
    table,
    new Date(from).toISOString(),
    new Date(to).toISOString(),
  );
  const csv = `partnerId,transferId,fraud,typology\n${decided.map((l) => `${l.partnerId},${l.transferId},${l.fraud},${l.typology ?? ''}`).join('\n')}${decided.length ? '\n' : ''}`;
  if (values.out) {
    await writeFile(values.out, csv);
    const fraud = decided.filter((l) => l.fraud).length;
    process.stdout.write(
      `wrote ${decided.length} labels (${fraud} confirmed fraud, ${decided.length - fraud} released) to ${values.out}\n`,
    );
  } else process.stdout.write(csv);
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

async function exportPack(values: RulesOptions): Promise<number> {
  const call = reviewApiClient('rules export', values);
  let version: string | null = values.version ?? null;
  if (!version) {
    const overview = (await call(packPath(values.pack))) as PackOverview | undefined;
    if (!overview) return 1;
    if (!overview.active) throw new Error(`${values.pack}: no version in force; name one with --version`);
    version = overview.active;
  }
  const stored = (await call(`${packPath(values.pack)}/versions/${encodeURIComponent(version)}`)) as
    | { pack: unknown }
    | undefined;
  if (!stored) return 1;
  await writeFile(values.out!, `${JSON.stringify(stored.pack, null, 2)}\n`);
  process.stdout.write(`${values.pack}: wrote ${version} to ${values.out}\n`);
  return 0;
}

/**
 * Backtests the proposed pack against the version in force over a file, for the proposal's record.
 * The version in force comes from the review API, so the comparison is with what screening runs;
 * null when the API refused (its error printed).
 */
async function backtestSummary(
  call: ReviewApiCall,
  candidate: CompiledPack,
  file: string,
  { watchlist, profile }: Pick<RulesOptions, 'watchlist' | 'profile'>,
) {
  const inForce = await packInForce(call, candidate.packId);
  if (inForce === null) return null;
  const pseudonymKey = runPseudonymKey();
  const report = await runBacktest({
    source: readOnThread(file, pseudonymKey),
    candidate,
    ...(inForce ? { baseline: inForce } : {}),
    ...(watchlist ? { watchlist: await loadWatchlist(watchlist, profile, createPseudonymiser(pseudonymKey)) } : {}),
  });
  return proposalBacktest(report, file);
}

/**
 * The version in force, compiled, as the review API serves it (what screening runs); undefined when
 * the pack has none, null when the API refused (its error printed).
 */
async function packInForce(call: ReviewApiCall, packId: string): Promise<CompiledPack | undefined | null> {
  const overview = (await call(packPath(packId))) as PackOverview | undefined;
  if (!overview) return null;
  if (!overview.active) return undefined;
  const stored = (await call(`${packPath(packId)}/versions/${encodeURIComponent(overview.active)}`)) as
    | { pack: unknown }
    | undefined;
  return stored ? compileRulePack(stored.pack) : null;
}

/** A report of `fraudctl backtest --json`, reduced to what the proposal records; refused naming the field. */
function backtestOfReport(file: string, report: unknown) {
  const parsed = BacktestReportFiguresSchema.safeParse(report);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(
      `${file} is not a backtest report (fraudctl backtest --json): ${issue.path.join('.') || 'the file'}: ${issue.message}`,
    );
  }
  return proposalBacktest(parsed.data, file);
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
