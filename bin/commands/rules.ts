import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createAwsClients } from '#adapters/aws-clients.ts';
import { DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import { identityFromClaims } from '#adapters/http/review-identity.ts';
import { TABLES } from '#adapters/dynamodb/tables.ts';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import { officerFromIdentity, type Officer } from '#domain/review/officer.ts';
import { compileRulePack, RulePackError } from '#domain/rules/compile.ts';
import { RulePackRefusal } from '#domain/rules/maker-checker.ts';
import { DEFAULT_STATE_DIR, loadLocalSigningKey, verifyLocalToken } from '#local/auth/local-issuer.ts';
import { readLines } from '#local/ndjson.ts';
import { runBacktest } from '#use-cases/backtest/run-backtest.ts';
import { activatePack, decideOnPack, proposePack } from '#use-cases/rules/maker-checker.ts';

const USAGE = `usage:
  fraudctl rules validate --file pack.json
      check a rule pack offline; errors name the exact path (rules.3.when.all.1.value)
  fraudctl rules publish --file pack.json
      validate and store the version, not in force
  fraudctl rules propose --file pack.json --note "..." [--backtest-file transfers.ndjson | --backtest-summary s.json]
      store the version and propose it, with a backtest summary against the version in force
  fraudctl rules approve|reject --pack kr-kh --version kr-kh-2026.11.2 --note "..."
      an approver (role supervisor) other than the proposer decides, once
  fraudctl rules activate --pack kr-kh --version kr-kh-2026.11.2 [--note "..."]
      put an approved version in force (or one that was in force before: a rollback)
  fraudctl rules history --pack kr-kh
      every proposal, approval, rejection and activation, oldest first
  fraudctl rules show [--pack kr-kh]
      the version in force

Maker-checker: propose, approve, reject and activate act as the holder of a signed token (--token, or
FRAUDCTL_TOKEN; locally from fraudctl token, verified with the key in .fraudctl/). Every step is
appended to the pack's audit with the user's id, name, role, the time and the note.

Everything but validate talks to DynamoDB: set ${TABLES.rulePacks.envVar} to the RulePacks table name
(CloudFormation output, or what \`fraudctl up\` prints), AWS_REGION, and for the local runtime
AWS_ENDPOINT_URL_DYNAMODB. Screening Lambdas pick up an activation within RULE_PACK_MAX_AGE_SECONDS.
`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      file: { type: 'string' },
      pack: { type: 'string', default: 'kr-kh' },
      version: { type: 'string' },
      activate: { type: 'boolean', default: false },
      note: { type: 'string' },
      token: { type: 'string' },
      'backtest-file': { type: 'string' },
      'backtest-summary': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const [action] = positionals;
  if (values.help || !action) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }

  try {
    return await act(action, values);
  } catch (error) {
    if (!(error instanceof RulePackRefusal)) throw error;
    process.stderr.write(`fraudctl rules ${action}: refused: ${error.message}\n`);
    return 1;
  }
}

async function act(action: string, values: Options): Promise<number> {
  if (action === 'validate' || action === 'publish') {
    if (!values.file) throw new Error('--file is required: the rule pack JSON to check');
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
  if (action === 'propose') {
    if (!values.file) throw new Error('--file is required: the rule pack JSON to propose');
    const officer = await signedIn(values.token);
    const document = await readPack(values.file);
    const rulePacks = store();
    const backtest = values['backtest-file']
      ? await backtestSummary(rulePacks, document, values['backtest-file'])
      : values['backtest-summary']
        ? await readPack(values['backtest-summary'])
        : undefined;
    const entry = await proposePack(rulePacks, document, {
      officer,
      now: new Date(),
      ...(values.note ? { note: values.note } : {}),
      ...(backtest === undefined ? {} : { backtest }),
    });
    process.stdout.write(
      `${entry.packId}: ${entry.version} proposed by ${entry.actor.username}; an approver other than you must approve it (fraudctl rules approve)\n`,
    );
    return 0;
  }
  if (action === 'approve' || action === 'reject') {
    if (!values.version) throw new Error('--version is required: the proposed version');
    const officer = await signedIn(values.token);
    const entry = await decideOnPack(
      store(),
      { packId: values.pack, version: values.version },
      action === 'approve' ? 'APPROVED' : 'REJECTED',
      { officer, now: new Date(), ...(values.note ? { note: values.note } : {}) },
    );
    process.stdout.write(
      `${entry.packId}: ${entry.version} ${entry.action.toLowerCase()} by ${entry.actor.username}\n`,
    );
    return 0;
  }
  if (action === 'activate') {
    if (!values.version) throw new Error('--version is required: the stored version to put in force');
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
  if (action === 'history') {
    const entries = await store().auditTrail(values.pack);
    if (!entries.length) process.stdout.write(`${values.pack}: no proposals yet\n`);
    for (const entry of entries) {
      const summary = entry.backtest ? `; backtest: ${describeBacktest(entry.backtest)}` : '';
      const previous = entry.previousVersion ? ` (replacing ${entry.previousVersion})` : '';
      process.stdout.write(
        `${entry.at}  ${entry.action.padEnd(9)} ${entry.version}${previous} by ${entry.actor.username} (${entry.actor.role})${entry.note ? `: ${entry.note}` : ''}${summary}\n`,
      );
    }
    return 0;
  }
  if (action === 'show') {
    process.stdout.write(`${values.pack}: ${await store().activeVersion(values.pack)} is in force\n`);
    return 0;
  }
  process.stderr.write(`fraudctl rules: unknown action "${action}"\n\n${USAGE}`);
  return 2;
}

type Options = {
  file?: string;
  pack: string;
  version?: string;
  activate: boolean;
  note?: string;
  token?: string;
  'backtest-file'?: string;
  'backtest-summary'?: string;
};

/**
 * Who is acting: the holder of a signed token, never a name typed on the command line. Locally the
 * token comes from fraudctl token and is verified with the same key; roles are the review console's.
 */
async function signedIn(token = process.env.FRAUDCTL_TOKEN): Promise<Officer> {
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
    lines: readLines(file),
    candidate,
    ...(inForce ? { baseline: await rulePacks.load(candidate.packId, inForce) } : {}),
    pseudonymiser: createPseudonymiser(process.env.PSEUDONYM_KEY ?? randomBytes(32).toString('hex')),
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
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

function store(): DynamoRulePackStore {
  const table = process.env[TABLES.rulePacks.envVar];
  if (!table) throw new Error(`set ${TABLES.rulePacks.envVar} to the RulePacks table name (see fraudctl rules --help)`);
  return new DynamoRulePackStore(createAwsClients().documents, table);
}
