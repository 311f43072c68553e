import { readFile, writeFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { createAwsClients } from '#adapters/aws-clients.ts';
import { DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import { identityFromClaims } from '#handlers/http/review-identity.ts';
import { TABLES } from '#adapters/dynamodb/tables.ts';
import { parseJsonText } from '#domain/contract/json-text.ts';
import { officerFromIdentity, type Officer } from '#domain/review/officer.ts';
import { compileRulePack, RulePackError } from '#domain/rules/compile.ts';
import { RulePackRefusal } from '#domain/rules/maker-checker.ts';
import { DEFAULT_STATE_DIR, loadLocalSigningKey, verifyLocalToken } from '#local/auth/local-issuer.ts';
import { readOnThread } from '#local/transfer-file-thread.ts';
import { runBacktest } from '#use-cases/backtest/run-backtest.ts';
import { activatePack, decideOnPack, proposePack } from '#use-cases/rules/maker-checker.ts';
import { startShadow, stopShadow } from '#use-cases/rules/shadow-pack.ts';
import { formatShadowReport, reportPeriod, ShadowReportError, shadowReport } from '#use-cases/rules/shadow-report.ts';
import { DynamoShadowStore } from '#adapters/dynamodb/shadow-store.ts';
import { readOfficerLabels } from '#adapters/dynamodb/officer-labels.ts';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import { DEFAULT_HOLDOUT_SHARE, DEFAULT_L2, fitPack } from '#use-cases/rules/fit-pack.ts';
import { formatFitReport } from '#use-cases/rules/fit-report.ts';
import { SCORE_FROM_HELP, loadLabels, loadWatchlist, parseScoreFrom, runPseudonymKey } from './backtest.ts';
import { cliCommand, exits, jsonOption, runCli, usageError } from './cli.ts';

const DETAILS = `
Maker-checker: propose, approve, reject and activate act as the holder of a signed token (--token, or
FRAUDCTL_TOKEN; locally from fraudctl token, verified with the key in .fraudctl/). Every step is
appended to the pack's audit with the user's id, name, role, the time and the note.

Everything but validate talks to DynamoDB: set ${TABLES.rulePacks.envVar} to the RulePacks table name
(CloudFormation output, or what \`fraudctl up\` prints), AWS_REGION, and for the local runtime
AWS_ENDPOINT_URL_DYNAMODB. Screening Lambdas pick up an activation within RULE_PACK_MAX_AGE_SECONDS.

Shadow mode: rules shadow puts a proposed version beside the one in force (audited, no approval
needed: it changes no outcome); the screening Lambdas (SHADOW_MODE pointer, the default) score every
new transfer with it too and store what it decided, never sending or flagging it. rules shadow-report
reads those decisions from the ShadowDecisions table (${TABLES.shadowDecisions.envVar}) over a period of
event time and compares them with the live ones.

Fit: rules fit screens a labelled file with the version in force, fits points and thresholds to the
labels (L2-regularised logistic regression over the rules' firings, a held-out share for a calibration
table), backtests the result against the version in force and proposes it like rules propose. rules
labels writes the flags officers confirmed as fraud or released in a period (${TABLES.flags.envVar}) as a
labels CSV for fit --labels and backtest --labels.`;

interface RulesOptions {
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
  activate?: boolean;
  note?: string;
  token?: string;
  backtestFile?: string;
  scoreFrom?: string;
  backtestSummary?: string;
  off?: boolean;
  shadowVersion?: string;
  from?: string;
  to?: string;
  json?: boolean;
}

export function run(args: string[]): Promise<number> {
  const rules = cliCommand('rules', 'validate rule packs; propose, approve and activate them (maker-checker)');
  rules.addHelpText('after', DETAILS);
  const packOption = () => new Option('--pack <id>', 'the rule pack').default('kr-kh');
  const tokenOption = () =>
    new Option('--token <jwt>', 'your signed token (locally from fraudctl token)').env('FRAUDCTL_TOKEN');
  const step = (name: string, description: string, action: (options: RulesOptions) => Promise<number>) =>
    rules
      .command(name)
      .description(description)
      .action(exits((options: RulesOptions) => refusedAsExit1(name, () => action(options))));

  step('validate', 'check a rule pack offline; errors name the exact path (rules.3.when.all.1.value)', (o) =>
    validateOrPublish('validate', o),
  ).requiredOption('--file <pack.json>', 'the rule pack JSON to check');
  step('publish', 'validate and store the version, not in force', (o) => validateOrPublish('publish', o))
    .requiredOption('--file <pack.json>', 'the rule pack JSON to store')
    .option('--activate', 'refused: activation needs approval (propose, approve, activate)')
    .addOption(tokenOption());
  step('propose', 'store the version and propose it, with a backtest summary against the version in force', propose)
    .requiredOption('--file <pack.json>', 'the rule pack JSON to propose')
    .option('--note <text>', 'what changed and why')
    .option('--backtest-file <transfers.ndjson>', 'backtest the proposal against the version in force over this file')
    .option('--backtest-summary <s.json>', 'or attach a backtest summary made earlier')
    .addOption(tokenOption());
  for (const decision of ['approve', 'reject'] as const)
    step(decision, `${decision} a proposed version: an approver (role supervisor) other than the proposer, once`, (o) =>
      decide(decision, o),
    )
      .addOption(packOption())
      .requiredOption('--version <version>', 'the proposed version, such as kr-kh-2026.11.2')
      .option('--note <text>', 'what you checked')
      .addOption(tokenOption());
  step('activate', 'put an approved version in force (or one that was in force before: a rollback)', activate)
    .addOption(packOption())
    .requiredOption('--version <version>', 'the stored version to put in force')
    .option('--note <text>', 'why')
    .addOption(tokenOption());
  const shadowStep: Command = step(
    'shadow',
    'score every transfer also with a proposed version, beside the one in force (or --off)',
    (o) => shadow(shadowStep, o),
  )
    .addOption(packOption())
    .addOption(new Option('--version <version>', 'the proposed version to put in shadow').conflicts('off'))
    .option('--off', 'stop shadow scoring')
    .option('--note <text>', 'why')
    .addOption(tokenOption());
  const report: Command = step('shadow-report', 'compare the shadow decisions with the live ones over a period', (o) =>
    shadowReportOf(report, o),
  )
    .addOption(packOption())
    .option('--shadow-version <version>', 'the version that was in shadow (default: the one in shadow now)')
    .requiredOption('--from <iso>', 'start of the period, event time, such as 2026-12-01 or 2026-12-01T09:00+09:00')
    .requiredOption('--to <iso>', 'end of the period (excluded)')
    .addOption(jsonOption());
  const fitStep: Command = step(
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
    .option('--note <text>', 'what the proposal is for')
    .addOption(tokenOption());
  const labelsStep: Command = step(
    'labels',
    "officers' decisions as labels: confirmed fraud and released flags decided in [from, to), as a labels CSV",
    (o) => labels(labelsStep, o),
  )
    .requiredOption('--from <iso>', 'start of the period (decision time), such as 2026-12-01')
    .requiredOption('--to <iso>', 'end of the period (excluded)')
    .option('--out <labels.csv>', 'write here instead of printing');
  step('history', 'every proposal, approval, rejection, activation and shadow change, oldest first', history).addOption(
    packOption(),
  );
  step('show', 'the version in force, and the one in shadow', show).addOption(packOption());
  return runCli(rules, args);
}

/** A maker-checker refusal is an answer, not a failure of the command: exit code 1 with the reason. */
async function refusedAsExit1(action: string, step: () => Promise<number>): Promise<number> {
  try {
    return await step();
  } catch (error) {
    if (!(error instanceof RulePackRefusal)) throw error;
    process.stderr.write(`fraudctl rules ${action}: refused: ${error.message}\n`);
    return 1;
  }
}

async function validateOrPublish(action: 'validate' | 'publish', values: RulesOptions): Promise<number> {
  const document = await readPack(values.file);
  // biome-ignore lint/suspicious/noImplicitAnyLet: TypeScript types it from the assignment below
  let compiled;
  try {
    compiled = compileRulePack(document);
  } catch (error) {
    if (!(error instanceof RulePackError)) throw error;
    process.stderr.write(
      `${values.file}: refused, ${error.issues.length} problem${error.issues.length === 1 ? '' : 's'}:\n`,
    );
    for (const issue of error.issues) process.stderr.write(`  ${issue.path}: ${issue.message}\n`);
    return 1;
  }
  if (action === 'validate') {
    process.stdout.write(`${values.file}: ${compiled.version} is valid (${compiled.rules.length} enabled rules)\n`);
    return 0;
  }
  if (values.activate)
    throw new RulePackRefusal(
      'NOT_APPROVED',
      'publish --activate would bypass approval: use fraudctl rules propose, then approve (another person), then activate',
    );
  const officer = await signedIn(values.token);
  const published = await store().publish(document, {
    activate: false,
    publishedBy: officer.username,
    now: new Date(),
  });
  process.stdout.write(`published ${published.version} (not in force: propose it for approval)\n`);
  return 0;
}

async function propose(values: RulesOptions): Promise<number> {
  const officer = await signedIn(values.token);
  const document = await readPack(values.file);
  const backtest = values.backtestFile
    ? await backtestSummary(store(), document, values.backtestFile)
    : values.backtestSummary
      ? await readPack(values.backtestSummary)
      : undefined;
  return submitProposal(document, officer, values.note, backtest);
}

/** The one way a version is proposed, by propose and by fit: stored, audited, waiting for an approver. */
async function submitProposal(
  document: unknown,
  officer: Officer,
  note: string | undefined,
  backtest: unknown,
): Promise<number> {
  const entry = await proposePack(store(), document, {
    officer,
    now: new Date(),
    ...(note ? { note } : {}),
    ...(backtest === undefined ? {} : { backtest }),
  });
  process.stdout.write(
    `${entry.packId}: ${entry.version} proposed by ${entry.actor.username}; an approver other than you must approve it (fraudctl rules approve)\n`,
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
  const officer = await signedIn(values.token);
  const rulePacks = store();
  const current = await rulePacks.currentVersion(values.pack);
  if (!current) throw new Error(`${values.pack}: no version in force to fit`);
  const pseudonymKey = runPseudonymKey();
  const { document, report } = await fitPack({
    source: readOnThread(values.file, pseudonymKey),
    inForce: await rulePacks.load(values.pack, current),
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
  return submitProposal(document, officer, values.note ?? `points fitted on ${values.file}`, {
    file: values.file,
    transfers: report.backtest.transfers,
    candidate: report.backtest.proposed,
    baseline: report.backtest.inForce,
    changedOutcomes: report.backtest.changedOutcomes,
    calibration: report.calibration,
  });
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
  const officer = await signedIn(values.token);
  const entry = await decideOnPack(
    store(),
    { packId: values.pack, version: values.version },
    action === 'approve' ? 'APPROVED' : 'REJECTED',
    { officer, now: new Date(), ...(values.note ? { note: values.note } : {}) },
  );
  process.stdout.write(`${entry.packId}: ${entry.version} ${entry.action.toLowerCase()} by ${entry.actor.username}\n`);
  return 0;
}

async function activate(values: RulesOptions): Promise<number> {
  const officer = await signedIn(values.token);
  const entry = await activatePack(
    store(),
    { packId: values.pack, version: values.version },
    { officer, now: new Date(), ...(values.note ? { note: values.note } : {}) },
  );
  process.stdout.write(
    `${entry.packId}: ${entry.version} is now in force${entry.previousVersion ? ` (was ${entry.previousVersion})` : ''}\n`,
  );
  return 0;
}

async function shadow(command: Command, values: RulesOptions): Promise<number> {
  if (!values.version && !values.off) usageError(command, 'name the --version to put in shadow, or --off');
  const officer = await signedIn(values.token);
  const step = { officer, now: new Date(), ...(values.note ? { note: values.note } : {}) };
  const rulePacks = store();
  const entry = values.version
    ? await startShadow(rulePacks, { packId: values.pack, version: values.version }, step)
    : await stopShadow(rulePacks, values.pack, step);
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
  const table = process.env[TABLES.shadowDecisions.envVar];
  if (!table)
    throw new Error(
      `set ${TABLES.shadowDecisions.envVar} to the ShadowDecisions table name (see fraudctl rules --help)`,
    );
  const shadows = new DynamoShadowStore(createAwsClients().documents, table);
  try {
    const report = await shadowReport(shadows, store(), {
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
  const entries = await store().auditTrail(values.pack);
  if (!entries.length) process.stdout.write(`${values.pack}: no proposals yet\n`);
  for (const entry of entries) {
    const summary = entry.backtest ? `; backtest: ${describeBacktest(entry.backtest)}` : '';
    const previous = entry.previousVersion ? ` (replacing ${entry.previousVersion})` : '';
    process.stdout.write(
      `${entry.at}  ${entry.action.padEnd(10)} ${entry.version}${previous} by ${entry.actor.username} (${entry.actor.role})${entry.note ? `: ${entry.note}` : ''}${summary}\n`,
    );
  }
  return 0;
}

async function show(values: RulesOptions): Promise<number> {
  const rulePacks = store();
  const [active, shadowed] = await Promise.all([
    rulePacks.activeVersion(values.pack),
    rulePacks.shadowVersion(values.pack),
  ]);
  process.stdout.write(`${values.pack}: ${active} is in force${shadowed ? `; ${shadowed} scores in shadow` : ''}\n`);
  return 0;
}

/**
 * Who is acting: the holder of a signed token, never a name typed on the command line. Locally the
 * token comes from fraudctl token and is verified with the same key; roles are the review console's.
 */
async function signedIn(token: string | undefined): Promise<Officer> {
  if (!token)
    throw new Error(
      'no token: pass --token or set FRAUDCTL_TOKEN (fraudctl token --user NAME --partner ID --role ROLE)',
    );
  const key = await loadLocalSigningKey(process.env.FRAUDCTL_STATE_DIR ?? DEFAULT_STATE_DIR);
  const check = await verifyLocalToken(key, token);
  if ('failure' in check) throw new Error(check.failure);
  const identity = identityFromClaims(check.claims);
  if (!identity) throw new Error('the token names no subject');
  return officerFromIdentity(identity);
}

/** Backtests the proposed pack against the version in force over a file, for the proposal's record. */
async function backtestSummary(rulePacks: DynamoRulePackStore, document: unknown, file: string) {
  const candidate = compileRulePack(document);
  const inForce = await rulePacks.currentVersion(candidate.packId);
  const report = await runBacktest({
    source: readOnThread(file, runPseudonymKey()),
    candidate,
    ...(inForce ? { baseline: await rulePacks.load(candidate.packId, inForce) } : {}),
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

async function readPack(file: string): Promise<unknown> {
  // Says where the syntax breaks, never quoting the file (JSON.parse's message would): it may hold account numbers.
  const parsed = parseJsonText(await readFile(file, 'utf8'));
  if (!parsed.ok) throw new Error(`${file} ${parsed.problem}`);
  return parsed.value;
}

function store(): DynamoRulePackStore {
  const table = process.env[TABLES.rulePacks.envVar];
  if (!table) throw new Error(`set ${TABLES.rulePacks.envVar} to the RulePacks table name (see fraudctl rules --help)`);
  return new DynamoRulePackStore(createAwsClients().documents, table);
}
