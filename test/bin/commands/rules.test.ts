import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../../bin/commands/rules.ts';
import { DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import { startDynamoFixture, type DynamoFixture } from '../../support/local-dynamo.ts';
import { captureOutput } from '../../support/output.ts';

const SHIPPED = join(import.meta.dirname, '..', '..', '..', 'lambdas', 'rule-packs', 'kr-kh.json');
let fixture: DynamoFixture;
let dir: string;
let out: string[];
let err: string[];

beforeAll(async () => {
  fixture = await startDynamoFixture();
  dir = await mkdtemp(join(tmpdir(), 'rules-'));
});
afterAll(async () => fixture.close());
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** What an analyst exports to point fraudctl at a RulePacks table (here: the test's DynamoDB). */
function pointAtFixture() {
  vi.stubEnv('RULE_PACKS_TABLE', fixture.tables.rulePacks);
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', fixture.dynamo.endpoint);
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
}

function capture() {
  ({ out, err } = captureOutput());
}

async function packFile(edit: (pack: Record<string, any>) => void): Promise<string> {
  const pack = JSON.parse(await readFile(SHIPPED, 'utf8'));
  edit(pack);
  const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(pack));
  return file;
}

describe('fraudctl rules', () => {
  it('validates the shipped pack', async () => {
    capture();
    expect(await run(['validate', '--file', SHIPPED])).toBe(0);
    expect(out.join('')).toContain('kr-kh-2026.11.1 is valid (16 enabled rules)');
  });

  it('refuses a bad pack, listing each problem with its exact path', async () => {
    const fanIn = (pack: Record<string, any>) =>
      pack.rules.findIndex((rule: { id: string }) => rule.id === 'MULE-FANIN-24H');
    const file = await packFile((pack) => {
      pack.rules[fanIn(pack)].when.all[0].value = 'five';
      pack.thresholds.review = 20;
    });
    capture();
    expect(await run(['validate', '--file', file])).toBe(1);
    const text = err.join('');
    expect(text).toContain('thresholds: delay must not be above review');
    expect(
      await run(['validate', '--file', await packFile((pack) => (pack.rules[fanIn(pack)].when.all[0].value = 'five'))]),
    ).toBe(1);
    expect(err.join('')).toContain('rules.4.when.all.0.value: creditor.distinctSenders24h is a whole number');
  });

  it('publishes a new version, puts it in force and shows it', async () => {
    pointAtFixture();
    const file = await packFile((pack) => {
      pack.version = 'kr-kh-2026.11.2';
      pack.thresholds.delay = 35;
    });
    capture();
    expect(await run(['publish', '--file', file])).toBe(0);
    const store = new DynamoRulePackStore(fixture.clients.documents, fixture.tables.rulePacks);
    expect(await store.activeVersion('kr-kh')).toBe('kr-kh-2026.11.1');
    expect(await run(['activate', '--version', 'kr-kh-2026.11.2'])).toBe(0);
    expect(await store.activeVersion('kr-kh')).toBe('kr-kh-2026.11.2');
    expect(await run(['show'])).toBe(0);
    expect(out.join('')).toContain('kr-kh: kr-kh-2026.11.2 is in force');
  });

  it('will not activate a version that was never stored', async () => {
    pointAtFixture();
    await expect(run(['activate', '--version', 'kr-kh-9999.1.1'])).rejects.toThrow('is not stored');
  });
});
