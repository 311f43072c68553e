import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../../bin/commands/rules.ts';
import { DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import { DynamoShadowStore } from '#adapters/dynamodb/shadow-store.ts';
import { transferKey } from '#domain/screening/screen-transfer.ts';
import { issueLocalToken, loadLocalSigningKey } from '#local/auth/local-issuer.ts';
import { startDynamoFixture, type DynamoFixture } from '../../support/local-dynamo.ts';
import { captureOutput } from '../../support/output.ts';

const SHIPPED = join(import.meta.dirname, '..', '..', '..', 'lambdas', 'rule-packs', 'kr-kh.json');
import shippedPack from '../../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };
const SHIPPED_VERSION = shippedPack.version;
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

/** Signed tokens, as fraudctl token prints them, verified with the key in the test's state directory. */
async function tokenFor(username: string, role: 'analyst' | 'supervisor'): Promise<string> {
  vi.stubEnv('FRAUDCTL_STATE_DIR', dir);
  return issueLocalToken(await loadLocalSigningKey(dir), { username, partnerId: 'kr-demo-bank', role });
}

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
    expect(out.join('')).toContain(`${SHIPPED_VERSION} is valid (19 enabled rules)`);
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

  it('publishes a new version without putting it in force, and refuses publish --activate', async () => {
    pointAtFixture();
    const file = await packFile((pack) => {
      pack.version = 'kr-kh-2026.11.2';
      pack.thresholds.delay = 35;
    });
    capture();
    const kim = await tokenFor('kim', 'analyst');
    expect(await run(['publish', '--file', file, '--token', kim])).toBe(0);
    const store = new DynamoRulePackStore(fixture.clients.documents, fixture.tables.rulePacks);
    expect(await store.activeVersion('kr-kh')).toBe(SHIPPED_VERSION);
    expect(await run(['publish', '--file', file, '--activate', '--token', kim])).toBe(1);
    expect(err.join('')).toContain('publish --activate would bypass approval');
    expect(await run(['show'])).toBe(0);
    expect(out.join('')).toContain(`kr-kh: ${SHIPPED_VERSION} is in force`);
  });

  it('will not activate a version that was never stored', async () => {
    pointAtFixture();
    const kim = await tokenFor('kim', 'analyst');
    await expect(run(['activate', '--version', 'kr-kh-9999.1.1', '--token', kim])).rejects.toThrow('is not stored');
  });
});

describe('fraudctl rules maker-checker', () => {
  const store = () => new DynamoRulePackStore(fixture.clients.documents, fixture.tables.rulePacks);
  const proposal = (version: string) =>
    packFile((pack) => {
      pack.version = version;
      pack.thresholds.delay = 35;
    });

  it('refuses self-approval', async () => {
    pointAtFixture();
    const sam = await tokenFor('sam', 'supervisor');
    capture();
    expect(
      await run(['propose', '--file', await proposal('kr-kh-2027.1.1'), '--note', 'lower DELAY', '--token', sam]),
    ).toBe(0);
    expect(await run(['approve', '--version', 'kr-kh-2027.1.1', '--note', 'fine', '--token', sam])).toBe(1);
    expect(err.join('')).toContain('sam proposed kr-kh-2027.1.1; a different approver must decide on it');
  });

  it('refuses approval by someone without the approver role', async () => {
    pointAtFixture();
    const [kim, lee] = [await tokenFor('kim', 'analyst'), await tokenFor('lee', 'analyst')];
    capture();
    expect(await run(['propose', '--file', await proposal('kr-kh-2027.1.2'), '--note', 'x', '--token', kim])).toBe(0);
    expect(await run(['approve', '--version', 'kr-kh-2027.1.2', '--note', 'ok', '--token', lee])).toBe(1);
    expect(err.join('')).toContain('lee is analyst; deciding on a rule pack needs the approver capability');
  });

  it('refuses to activate a version that is not approved, with the reason', async () => {
    pointAtFixture();
    const kim = await tokenFor('kim', 'analyst');
    capture();
    expect(await run(['propose', '--file', await proposal('kr-kh-2027.1.3'), '--note', 'x', '--token', kim])).toBe(0);
    expect(await run(['activate', '--version', 'kr-kh-2027.1.3', '--token', kim])).toBe(1);
    expect(err.join('')).toContain(
      'kr-kh-2027.1.3 is not approved yet: an approver other than kim must approve it first',
    );
    expect(await store().activeVersion('kr-kh')).toBe(SHIPPED_VERSION);
    expect(await run(['activate', '--version', 'kr-kh-2026.11.2', '--token', kim])).toBe(1);
    expect(err.join('')).toContain('kr-kh-2026.11.2 was never proposed');
  });

  it('proposes with a backtest, approves, activates, rolls back, and lists every step in order', async () => {
    pointAtFixture();
    const [kim, sam] = [await tokenFor('kim', 'analyst'), await tokenFor('sam', 'supervisor')];
    const transfers = join(dir, 'history-transfers.ndjson');
    await writeFile(transfers, `${JSON.stringify(labelledTransfer('H-1'))}\n`);
    capture();
    expect(
      await run([
        'propose',
        '--file',
        await proposal('kr-kh-2027.1.4'),
        '--note',
        'DELAY from 35',
        '--backtest-file',
        transfers,
        '--token',
        kim,
      ]),
    ).toBe(0);
    expect(await run(['approve', '--version', 'kr-kh-2027.1.4', '--note', 'backtest read', '--token', sam])).toBe(0);
    expect(await run(['reject', '--version', 'kr-kh-2027.1.4', '--note', 'changed my mind', '--token', sam])).toBe(1);
    expect(await run(['activate', '--version', 'kr-kh-2027.1.4', '--token', kim])).toBe(0);
    expect(await store().activeVersion('kr-kh')).toBe('kr-kh-2027.1.4');
    // Back to the deployment's seed: it was in force before, so it needs no new approval.
    expect(await run(['activate', '--version', SHIPPED_VERSION, '--note', 'rollback', '--token', sam])).toBe(0);
    expect(await store().activeVersion('kr-kh')).toBe(SHIPPED_VERSION);

    const history = (await store().auditTrail('kr-kh')).filter(
      (e) => e.version === 'kr-kh-2027.1.4' || e.action === 'ACTIVATED',
    );
    expect(history.map((e) => [e.action, e.version, e.actor.username, e.actor.role])).toEqual([
      ['PROPOSED', 'kr-kh-2027.1.4', 'kim', 'analyst'],
      ['APPROVED', 'kr-kh-2027.1.4', 'sam', 'supervisor'],
      ['ACTIVATED', 'kr-kh-2027.1.4', 'kim', 'analyst'],
      ['ACTIVATED', SHIPPED_VERSION, 'sam', 'supervisor'],
    ]);
    expect(history[0]!.backtest).toMatchObject({ transfers: 1, baseline: { version: SHIPPED_VERSION } });
    expect(history[2]!.previousVersion).toBe(SHIPPED_VERSION);

    out.length = 0;
    expect(await run(['history'])).toBe(0);
    const lines = out
      .join('')
      .trim()
      .split('\n')
      .filter((l) => l.includes('2027.1.4') || l.includes('ACTIVATED'));
    expect(lines.map((l) => l.split(/\s+/).slice(1, 3).join(' '))).toEqual([
      'PROPOSED kr-kh-2027.1.4',
      'APPROVED kr-kh-2027.1.4',
      'ACTIVATED kr-kh-2027.1.4',
      `ACTIVATED ${SHIPPED_VERSION}`,
    ]);
    expect(lines[0]).toContain('by kim (analyst): DELAY from 35; backtest: 1 transfers');
  });

  it('refuses a step without a valid token', async () => {
    pointAtFixture();
    vi.stubEnv('FRAUDCTL_TOKEN', '');
    await expect(run(['approve', '--version', 'kr-kh-2027.1.4', '--note', 'x'])).rejects.toThrow('no token');
    await expect(
      run(['approve', '--version', 'kr-kh-2027.1.4', '--note', 'x', '--token', 'not-a-jwt']),
    ).rejects.toThrow('the token is not');
  });
});

describe('fraudctl rules shadow', () => {
  const proposal = (version: string) =>
    packFile((pack) => {
      pack.version = version;
      pack.thresholds.delay = 60;
    });

  it('puts a proposed version in shadow and takes it out, audited, and shows it beside the one in force', async () => {
    pointAtFixture();
    const kim = await tokenFor('kim', 'analyst');
    capture();
    expect(
      await run(['propose', '--file', await proposal('kr-kh-2027.2.1'), '--note', 'DELAY 60', '--token', kim]),
    ).toBe(0);
    expect(await run(['shadow', '--version', 'kr-kh-2027.2.1', '--note', 'a week beside', '--token', kim])).toBe(0);
    expect(out.join('')).toContain('kr-kh: kr-kh-2027.2.1 now scores in shadow');
    out.length = 0;
    expect(await run(['show'])).toBe(0);
    expect(out.join('')).toContain(`kr-kh: ${SHIPPED_VERSION} is in force; kr-kh-2027.2.1 scores in shadow`);
    expect(await run(['shadow', '--off', '--token', kim])).toBe(0);
    expect(out.join('')).toContain('kr-kh: shadow scoring of kr-kh-2027.2.1 stopped');
    out.length = 0;
    expect(await run(['history'])).toBe(0);
    const lines = out
      .join('')
      .split('\n')
      .filter((l) => l.includes('SHADOWED'));
    expect(lines.map((l) => l.split(/\s+/).slice(1, 3).join(' '))).toEqual([
      'SHADOWED kr-kh-2027.2.1',
      'UNSHADOWED kr-kh-2027.2.1',
    ]);
    expect(lines[0]).toContain('by kim (analyst): a week beside');
  });

  it('refuses a version never proposed, and --version with --off', async () => {
    pointAtFixture();
    const kim = await tokenFor('kim', 'analyst');
    capture();
    expect(await run(['shadow', '--version', SHIPPED_VERSION, '--token', kim])).toBe(1);
    expect(err.join('')).toContain(`fraudctl rules shadow: refused: ${SHIPPED_VERSION} was never proposed`);
    expect(await run(['shadow', '--version', SHIPPED_VERSION, '--off', '--token', kim])).toBe(2);
    expect(await run(['shadow', '--token', kim])).toBe(2);
    expect(err.join('')).toContain('name the --version to put in shadow, or --off');
  });

  it('reports the shadow decisions of a period beside the live ones, as text or JSON', async () => {
    pointAtFixture();
    vi.stubEnv('SHADOW_DECISIONS_TABLE', fixture.tables.shadowDecisions);
    const shadows = new DynamoShadowStore(fixture.clients.documents, fixture.tables.shadowDecisions);
    const decided = (transferId: string, occurredAt: string, shadowOutcome: 'ALLOW' | 'DELAY') => ({
      partnerId: 'kh-demo-bank',
      transferId,
      transferKey: transferKey('kh-demo-bank', transferId),
      occurredAt,
      decidedAt: occurredAt,
      fingerprint: transferId,
      liveVersion: SHIPPED_VERSION,
      shadowVersion: 'kr-kh-2027.2.9',
      live: { outcome: 'DELAY' as const, score: 45, rules: ['SCAM-HUB-CROSS-BORDER'] },
      shadow: { outcome: shadowOutcome, score: 45, rules: ['SCAM-HUB-CROSS-BORDER'] },
    });
    await shadows.put(decided('ABA-1', '2026-12-01T08:00:00+07:00', 'ALLOW'), 0);
    await shadows.put(decided('ABA-2', '2026-12-01T03:00:00Z', 'DELAY'), 0);
    await shadows.put(decided('ABA-3', '2026-12-02T03:00:00Z', 'ALLOW'), 0);
    capture();
    const period = ['--from', '2026-12-01', '--to', '2026-12-02'];
    expect(await run(['shadow-report', '--shadow-version', 'kr-kh-2027.2.9', ...period])).toBe(0);
    const text = out.join('');
    expect(text).toContain(`Shadow report of kr-kh: kr-kh-2027.2.9 beside ${SHIPPED_VERSION}`);
    expect(text).toContain('2 transfers');
    expect(text).toContain('2026-12-01T08:00:00+07:00 kh-demo-bank ABA-1: DELAY (45) -> ALLOW (45)');
    out.length = 0;
    expect(await run(['shadow-report', '--shadow-version', 'kr-kh-2027.2.9', ...period, '--json'])).toBe(0);
    expect(JSON.parse(out.join(''))).toMatchObject({
      transfers: 2,
      holdRate: { live: 1, shadow: 0.5 },
      transitions: { DELAY: { ALLOW: 1, DELAY: 1 } },
    });

    expect(await run(['shadow-report', '--from', 'last week', '--to', '2026-12-02'])).toBe(2);
    expect(err.join('')).toContain('--from "last week" is not an ISO 8601 date');
    expect(await run(['shadow-report', ...period])).toBe(1);
    expect(err.join('')).toContain('kr-kh has no shadow pack now: name the version with --shadow-version');
  });
});

describe('fraudctl rules with a file that is not JSON', () => {
  it('says where the syntax breaks, never quoting the file', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{"packId":"kr-kh","note":checked 110-234-567890 KIM MIN-JUN}');
    await expect(run(['validate', '--file', file])).rejects.toThrow(
      `${file} is not valid JSON: a value (object, array, string, number, true, false or null) was expected at line 1, column 26`,
    );
    const message = await run(['validate', '--file', file]).catch((error: Error) => error.message);
    expect(message).not.toContain('110-234');
    expect(message).not.toContain('KIM');
  });

  it('quotes no account number or name from any broken pack (fast-check, fixed seed)', async () => {
    const templates = ['{"packId":@}', '[1,2,@', '{"a":"x",@:1}', '@', '{"rules":[true,@]}', '{"note":"x"@}'];
    const secret = fc.oneof(
      fc.stringMatching(/^[0-9]{3}-[0-9]{3}-[0-9]{6}$/),
      fc.stringMatching(/^[A-Z]{4,12} [A-Z]{2,8}$/),
    );
    const file = join(dir, 'broken-property.json');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...templates), secret, async (template, value) => {
        await writeFile(file, template.replace('@', value));
        const message = await run(['validate', '--file', file]).then(
          () => 'accepted',
          (error: Error) => error.message,
        );
        expect(message).toMatch(/ is not valid JSON: .* at line 1, column \d+ \(character \d+\)$/);
        // The file's own path is the test's random temporary folder, which can contain the same digits.
        const told = message.replace(file, '');
        for (const part of value.split(/[ -]/)) if (part.length > 2) expect(told).not.toContain(part);
      }),
      { seed: 2026, numRuns: 60 },
    );
  });
});

function labelledTransfer(transferId: string) {
  return {
    schemaVersion: 1,
    transferId,
    partnerId: 'kr-demo-bank',
    occurredAt: '2026-11-24T09:00:00+09:00',
    amount: { value: '50000', currency: 'KRW' },
    debtor: { accountId: 'D-1', country: 'KR' },
    creditor: { accountId: 'C-1', country: 'KR' },
    label: { fraud: false },
  };
}
