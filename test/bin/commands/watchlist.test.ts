import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../../bin/commands/watchlist.ts';
import { createAwsClients, type AwsClients } from '#adapters/aws-clients.ts';
import { createTables, startLocalDynamo, type LocalDynamo } from '#local/dynamodb.ts';
import { LOCAL_CREDENTIALS, LOCAL_PREFIX, LOCAL_REGION } from '#local/pipeline.ts';
import { TEST_PSEUDONYM_KEY } from '../../support/transfers.ts';
import { captureOutput } from '../../support/output.ts';

/** fraudctl watchlist against a dynalite with the local runtime's tables, as `fraudctl up` runs it. */
let dir: string;
let dynamo: LocalDynamo;
let clients: AwsClients;
let out: string[];
let err: string[];

async function fraudctl(...args: string[]) {
  ({ out, err } = captureOutput());
  return run(args);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'watchlist-cli-'));
  dynamo = await startLocalDynamo();
  clients = createAwsClients({
    endpoints: { dynamodb: dynamo.endpoint },
    region: LOCAL_REGION,
    credentials: { ...LOCAL_CREDENTIALS },
  });
  await createTables(clients.dynamodb, LOCAL_PREFIX);
});
afterAll(async () => {
  clients.dynamodb.destroy();
  await dynamo.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('fraudctl watchlist', () => {
  it('imports a CSV into the local Watchlist table, where lookup finds it under its pseudonym', async () => {
    vi.stubEnv('PSEUDONYM_KEY', TEST_PSEUDONYM_KEY);
    const file = join(dir, 'list.csv');
    await writeFile(
      file,
      '\uFEFFaccountId,bankCode,category,source,confidence,listedAt,expiresAt\r\n110-555-000111,004,SCAM_REPORTED,kr-demo-bank,40,2026-11-01T00:00:00+09:00,2030-01-01T00:00:00+09:00\r\n',
    );
    expect(await fraudctl('import', '--file', file, '--endpoint', dynamo.endpoint)).toBe(0);
    expect(out.join('')).toBe(`listed 1 account in ${LOCAL_PREFIX}-Watchlist\n`);

    expect(await fraudctl('lookup', '--account', '110 555 000111', '--endpoint', dynamo.endpoint, '--json')).toBe(0);
    const found = JSON.parse(out.join(''));
    expect(found).toMatchObject({
      accountKey: expect.any(String),
      listings: [{ category: 'SCAM_REPORTED', source: 'kr-demo-bank', confidence: 40 }],
    });

    expect(await fraudctl('lookup', '--account', '110-555-000111', '--endpoint', dynamo.endpoint)).toBe(0);
    expect(out.join('')).toContain(
      `account ${found.accountKey} (pseudonym):\n  SCAM_REPORTED by kr-demo-bank, confidence 40`,
    );
    expect(out.join('')).not.toContain('000111');
  });

  it('writes nothing from a file with a bad line, and says which line', async () => {
    vi.stubEnv('PSEUDONYM_KEY', TEST_PSEUDONYM_KEY);
    const file = join(dir, 'bad.csv');
    await writeFile(
      file,
      'accountId,bankCode,category,source,confidence,listedAt,expiresAt\nA-1,,SUSPENDED,kh-demo-bank,90,2026-11-01T00:00:00Z,2030-01-01T00:00:00Z\nA-2,,SUSPENDED,kh-demo-bank,190,2026-11-01T00:00:00Z,2030-01-01T00:00:00Z\n',
    );
    expect(await fraudctl('import', '--file', file, '--endpoint', dynamo.endpoint)).toBe(1);
    expect(err.join('')).toMatch(/bad\.csv line 3: confidence: /);
    expect(await fraudctl('lookup', '--account', 'A-1', '--endpoint', dynamo.endpoint)).toBe(0);
    expect(out.join('')).toContain('no current listing');
  });

  it('needs the pseudonym key and a subcommand, and says how to give them', async () => {
    vi.stubEnv('PSEUDONYM_KEY', undefined);
    vi.stubEnv('PSEUDONYM_KEY_SECRET_ARN', undefined);
    expect(await fraudctl('lookup', '--account', 'A-1', '--endpoint', dynamo.endpoint)).toBe(2);
    expect(err.join('')).toContain('set PSEUDONYM_KEY');
    expect(await fraudctl('delete')).toBe(2);
    expect(err.join('')).toContain('unknown subcommand "delete"');
  });
});
