import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../../bin/commands/watchlist.ts';
import { createAwsClients, type AwsClients } from '#adapters/aws-clients.ts';
import { DynamoWatchlistStore } from '#adapters/dynamodb/watchlist-store.ts';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
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
    expect(out.join('')).toMatch(
      new RegExp(`^imported list\\.csv \\(sha256 [0-9a-f]{12}…\\) into ${LOCAL_PREFIX}-Watchlist:\n`),
    );
    expect(out.join('')).toContain('total: 1 added, 0 changed, 0 kept, 0 delisted\n');

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
    expect(err.join('')).toMatch(/bad\.csv line 3: confidence: Too big/);
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

  describe('feeds', () => {
    const HEADER = 'accountId,bankCode,category,source,confidence,listedAt,expiresAt';
    const row = (account: string, category: string, source: string, confidence = 90) =>
      `${account},,${category},${source},${confidence},2026-10-03,2030-10-03`;
    let n = 0;
    async function list(...rows: string[]) {
      const file = join(dir, `feed-${++n}.csv`);
      await writeFile(file, `${[HEADER, ...rows].join('\n')}\n`);
      return file;
    }
    async function listings(account: string, endpoint = dynamo.endpoint) {
      expect(await fraudctl('lookup', '--account', account, '--endpoint', endpoint, '--json')).toBe(0);
      return JSON.parse(out.join('')).listings as Array<{ source: string; category: string; confidence: number }>;
    }

    it('reads an outside list through a profile; a dry run shows what it would do and refuses unmapped values', async () => {
      vi.stubEnv('PSEUDONYM_KEY', TEST_PSEUDONYM_KEY);
      const outside = join(dir, 'outside.csv');
      await writeFile(
        outside,
        [
          'acct_no,bankCode,category,source,confidence,listedAt,expiresAt',
          'OUT-1,,mule,outside-feed,high,2026-10-03,2030-10-03',
          'OUT-2,,scam-center,outside-feed,medium,2026-10-03,2030-10-03',
          'OUT-3,,crypto-off-ramp,outside-feed,high,2026-10-03,2030-10-03',
          'OUT-4,,mule,outside-feed,medium,2026-10-03,2030-10-03',
          'OUT-5,,crypto-off-ramp,outside-feed,medium,2026-10-03,2030-10-03',
        ].join('\n'),
      );
      const profile = join(dir, 'profile.json');
      const mapping = {
        columns: { accountId: 'acct_no' },
        values: {
          category: { 'scam-center': 'SCAM_REPORTED', mule: 'SUSPECTED_MULE' },
          confidence: { high: 90, medium: 60, low: 30 },
        },
        timeZone: 'Asia/Seoul',
      };
      await writeFile(profile, JSON.stringify(mapping));
      const target = ['--endpoint', dynamo.endpoint, '--profile', profile];

      expect(await fraudctl('import', '--file', outside, ...target, '--dry-run')).toBe(1);
      expect(out.join('')).toContain('dry run of outside.csv');
      expect(out.join('')).toMatch(/outside-feed +SCAM_REPORTED +1 +0 +0 +0 +0\n/);
      expect(out.join('')).toMatch(/outside-feed +SUSPECTED_MULE +2 +0 +0 +0 +0\n/);
      expect(out.join('')).toMatch(/outside-feed +crypto-off-ramp +0 +0 +0 +0 +2\n/);
      expect(err.join('')).toContain('category "crypto-off-ramp" has no mapping (lines 4, 6)');
      expect(`${out.join('')}${err.join('')}`).not.toContain('OUT-');

      expect(await fraudctl('import', '--file', outside, ...target)).toBe(1);
      expect(err.join('')).toContain('nothing was loaded');
      expect(await listings('OUT-1')).toEqual([]);

      await writeFile(
        profile,
        JSON.stringify({
          ...mapping,
          values: { ...mapping.values, category: { ...mapping.values.category, 'crypto-off-ramp': 'SUSPECTED_MULE' } },
        }),
      );
      expect(await fraudctl('import', '--file', outside, ...target, '--dry-run')).toBe(0);
      expect(out.join('')).toContain('total: 5 added, 0 changed, 0 kept, 0 delisted\n');
      expect(await listings('OUT-1')).toEqual([]);
      expect(await fraudctl('import', '--file', outside, ...target)).toBe(0);
      expect(await listings('OUT-1')).toMatchObject([
        { category: 'SUSPECTED_MULE', confidence: 90, listedAt: '2026-10-03T00:00:00+09:00' },
      ]);
    });

    it('re-importing a source replaces its listings, keeps other sources apart and records who imported which file', async () => {
      vi.stubEnv('PSEUDONYM_KEY', TEST_PSEUDONYM_KEY);
      const target = ['--endpoint', dynamo.endpoint];
      const first = await list(
        row('RS-1', 'SUSPECTED_MULE', 'rs-feed'),
        row('RS-2', 'SUSPECTED_MULE', 'rs-feed'),
        row('RS-3', 'SCAM_REPORTED', 'rs-feed'),
        row('RS-1', 'CONFIRMED_FRAUD', 'rs-bank', 100),
      );
      expect(await fraudctl('import', '--file', first, ...target, '--by', 'kim')).toBe(0);
      expect(out.join('')).toContain('total: 4 added, 0 changed, 0 kept, 0 delisted\n');

      const second = await list(
        row('RS-1', 'SUSPECTED_MULE', 'rs-feed'),
        row('RS-2', 'SUSPECTED_MULE', 'rs-feed', 60),
        row('RS-4', 'SUSPECTED_MULE', 'rs-feed'),
      );
      expect(await fraudctl('import', '--file', second, ...target, '--by', 'lee')).toBe(0);
      expect(out.join('')).toMatch(/rs-feed +SCAM_REPORTED +0 +0 +0 +1 +0\n/);
      expect(out.join('')).toMatch(/rs-feed +SUSPECTED_MULE +1 +1 +1 +0 +0\n/);
      expect(out.join('')).toContain('total: 1 added, 1 changed, 1 kept, 1 delisted\n');

      expect(await listings('RS-3')).toEqual([]);
      expect((await listings('RS-2'))[0]).toMatchObject({ source: 'rs-feed', confidence: 60 });
      // Two sources on one account: both kept, apart.
      expect((await listings('RS-1')).map((l) => [l.source, l.category]).sort()).toEqual([
        ['rs-bank', 'CONFIRMED_FRAUD'],
        ['rs-feed', 'SUSPECTED_MULE'],
      ]);

      expect(await fraudctl('audit', '--source', 'rs-feed', ...target, '--json')).toBe(0);
      const sha256 = createHash('sha256')
        .update(await readFile(second))
        .digest('hex');
      expect(JSON.parse(out.join(''))).toMatchObject([
        { action: 'import', by: 'kim', file: { name: 'feed-1.csv' }, counts: { added: 3 } },
        {
          action: 'import',
          by: 'lee',
          file: { name: 'feed-2.csv', sha256 },
          counts: { added: 1, changed: 1, kept: 1, delisted: 1 },
        },
      ]);
    });

    it('delists one account for one source, and records it', async () => {
      vi.stubEnv('PSEUDONYM_KEY', TEST_PSEUDONYM_KEY);
      const target = ['--endpoint', dynamo.endpoint];
      const file = await list(row('DL-1', 'SUSPECTED_MULE', 'dl-feed'), row('DL-1', 'SCAM_REPORTED', 'dl-bank', 60));
      expect(await fraudctl('import', '--file', file, ...target)).toBe(0);

      expect(await fraudctl('delist', '--source', 'dl-feed', '--account', 'DL-1', ...target, '--by', 'park')).toBe(0);
      expect(out.join('')).toMatch(/^delisted account \S+ \(pseudonym\) from dl-feed\n$/);
      expect(out.join('')).not.toContain('DL-1');
      expect((await listings('DL-1')).map((l) => l.source)).toEqual(['dl-bank']);
      expect(await fraudctl('delist', '--source', 'dl-feed', '--account', 'DL-1', ...target)).toBe(0);
      expect(out.join('')).toContain('does not list account');

      expect(await fraudctl('audit', '--source', 'dl-feed', ...target)).toBe(0);
      expect(out.join('')).toMatch(/ park {2}delisted account \S+ \(pseudonym\)\n$/);
      // A later feed of dl-feed does not count the delisted account as its own any more.
      expect(await fraudctl('import', '--file', await list(row('DL-2', 'SUSPECTED_MULE', 'dl-feed')), ...target)).toBe(
        0,
      );
      expect(out.join('')).toContain('total: 1 added, 0 changed, 0 kept, 0 delisted\n');
    });

    it('exports a source keyed by pseudonyms, which a second deployment with the same key imports and matches', async () => {
      vi.stubEnv('PSEUDONYM_KEY', TEST_PSEUDONYM_KEY);
      const file = await list(
        row('110-777-123456', 'SUSPECTED_MULE', 'ex-feed'),
        row('EX-2', 'SCAM_REPORTED', 'ex-feed', 60),
      );
      expect(await fraudctl('import', '--file', file, '--endpoint', dynamo.endpoint)).toBe(0);
      // A confirmation still waiting for its second officer is held at its bank only: never exported.
      await new DynamoWatchlistStore(
        clients.documents,
        `${LOCAL_PREFIX}-Watchlist`,
        createPseudonymiser(TEST_PSEUDONYM_KEY),
      ).list('EX-HELD-AT-ONE-BANK', {
        category: 'SUSPECTED_MULE',
        source: 'ex-feed',
        confidence: 95,
        listedAt: '2026-11-24T00:00:00Z',
        expiresAt: '2028-11-24T00:00:00Z',
        onlyFor: 'ex-feed',
      });
      const exported = join(dir, 'shared.csv');
      expect(await fraudctl('export', '--source', 'ex-feed', '--out', exported, '--endpoint', dynamo.endpoint)).toBe(0);
      expect(out.join('')).toBe(`exported 2 listings of ex-feed to ${exported} (pseudonyms only)\n`);
      const shared = await readFile(exported, 'utf8');
      expect(shared.split('\n')[0]).toBe('accountKey,bankCode,category,source,confidence,listedAt,expiresAt');
      expect(shared).not.toMatch(/110-777|EX-2/);

      const other = await startLocalDynamo();
      const otherClients = createAwsClients({
        endpoints: { dynamodb: other.endpoint },
        region: LOCAL_REGION,
        credentials: { ...LOCAL_CREDENTIALS },
      });
      try {
        await createTables(otherClients.dynamodb, LOCAL_PREFIX);
        expect(await fraudctl('import', '--file', exported, '--endpoint', other.endpoint)).toBe(0);
        expect(out.join('')).toContain('total: 2 added');
        // The bank on the other side finds the account under its own rendering of the number.
        expect(await listings('110 777 123456', other.endpoint)).toMatchObject([
          { source: 'ex-feed', category: 'SUSPECTED_MULE', confidence: 90 },
        ]);
        // Another key: the pseudonyms match nothing.
        vi.stubEnv('PSEUDONYM_KEY', 'another-key-of-at-least-32-characters-0000');
        expect(await listings('110-777-123456', other.endpoint)).toEqual([]);
      } finally {
        otherClients.dynamodb.destroy();
        await other.close();
      }
    });
  });
});
