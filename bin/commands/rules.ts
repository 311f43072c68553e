import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createAwsClients } from '#adapters/aws-clients.ts';
import { DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import { TABLES } from '#adapters/dynamodb/tables.ts';
import { compileRulePack, RulePackError } from '#domain/rules/compile.ts';

const USAGE = `usage:
  fraudctl rules validate --file pack.json
      check a rule pack offline; errors name the exact path (rules.3.when.all.1.value)
  fraudctl rules publish --file pack.json [--activate] [--by NAME]
      validate, store the version, and with --activate put it in force
  fraudctl rules activate --pack kr-kh --version kr-kh-2026.11.2 [--by NAME]
  fraudctl rules show [--pack kr-kh]
      the version in force

publish, activate and show talk to DynamoDB: set ${TABLES.rulePacks.envVar} to the RulePacks table name
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
      by: { type: 'string', default: process.env.USER ?? 'fraudctl' },
      help: { type: 'boolean', default: false },
    },
  });
  const [action] = positionals;
  if (values.help || !action) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }

  if (action === 'validate' || action === 'publish') {
    if (!values.file) throw new Error('--file is required: the rule pack JSON to check');
    const document = await readPack(values.file);
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
    const published = await store().publish(document, {
      activate: values.activate,
      publishedBy: values.by,
      now: new Date(),
    });
    process.stdout.write(
      `published ${published.version}${values.activate ? ' and put it in force' : ' (not active: run fraudctl rules activate)'}\n`,
    );
    return 0;
  }
  if (action === 'activate') {
    if (!values.version) throw new Error('--version is required: the stored version to put in force');
    const rulePacks = store();
    await rulePacks.load(values.pack, values.version);
    await rulePacks.activate(values.pack, values.version, values.by, new Date());
    process.stdout.write(`${values.pack}: ${values.version} is now in force\n`);
    return 0;
  }
  if (action === 'show') {
    process.stdout.write(`${values.pack}: ${await store().activeVersion(values.pack)} is in force\n`);
    return 0;
  }
  process.stderr.write(`fraudctl rules: unknown action "${action}"\n\n${USAGE}`);
  return 2;
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
