import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../../bin/commands/rules.ts';
import { DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import { DynamoShadowStore } from '#adapters/dynamodb/shadow-store.ts';
import { transferKey } from '#domain/screening/screen-transfer.ts';
import { issueLocalToken } from '#local/auth/local-issuer.ts';
import type { DynamoFixture } from '../../support/local-dynamo.ts';
import { captureOutput } from '../../support/output.ts';
import { startReviewTestSystem, type ReviewTestSystem } from '../../support/review-system.ts';

const SHIPPED = join(import.meta.dirname, '..', '..', '..', 'lambdas', 'rule-packs', 'kr-kh.json');
import shippedPack from '../../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };
const SHIPPED_VERSION = shippedPack.version;

/**
 * fraudctl rules against the local review stack: the maker-checker is the review API's, under the
 * review function's role, exactly as a deployed stage serves it. The CLI holds no table credentials.
 */
let system: ReviewTestSystem;
let fixture: DynamoFixture;
let dir: string;
let out: string[];
let err: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rules-'));
  system = await startReviewTestSystem({ stateDir: dir });
  ({ fixture } = system);
});
afterAll(async () => {
  await system?.stop();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

type Who = 'analyst' | 'bank supervisor' | 'task-force supervisor';
/** Signed tokens as fraudctl token prints them (in AWS: Cognito ID tokens); the API verifies them. */
function tokenFor(username: string, who: Who): Promise<string> {
  return issueLocalToken(system.key, {
    username,
    partnerId: who === 'task-force supervisor' ? '*' : 'kr-demo-bank',
    role: who === 'analyst' ? 'analyst' : 'supervisor',
  });
}

/** fraudctl rules as the holder of `token`, pointed at the local stack's ReviewApiUrl. */
async function rules(token: string | undefined, ...args: string[]): Promise<number> {
  ({ out, err } = captureOutput());
  try {
    return await run([...args, '--api', system.apiUrl, ...(token ? ['--token', token] : [])]);
  } finally {
    vi.restoreAllMocks();
  }
}

function capture() {
  ({ out, err } = captureOutput());
}

const store = () => new DynamoRulePackStore(fixture.clients.documents, fixture.tables.rulePacks);

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

  it('refuses a bad pack, listing each problem with its exact path, offline and before proposing it', async () => {
    const fanIn = (pack: Record<string, any>) =>
      pack.rules.findIndex((rule: { id: string }) => rule.id === 'MULE-FANIN-24H');
    const file = await packFile((pack) => {
      pack.rules[fanIn(pack)].when.all[0].value = 'five';
      pack.thresholds.review = 20;
    });
    capture();
    expect(await run(['validate', '--file', file])).toBe(1);
    expect(err.join('')).toContain('thresholds: delay must not be above review');
    expect(
      await run(['validate', '--file', await packFile((pack) => (pack.rules[fanIn(pack)].when.all[0].value = 'five'))]),
    ).toBe(1);
    expect(err.join('')).toContain('rules.4.when.all.0.value: creditor.distinctSenders24h is a whole number');
    expect(await rules(await tokenFor('kim', 'analyst'), 'propose', '--file', file, '--note', 'x')).toBe(1);
    expect(err.join('')).toContain('thresholds: delay must not be above review');
  });

  it('shows the version in force through the API, and refuses a version that was never stored', async () => {
    const sam = await tokenFor('sam', 'task-force supervisor');
    expect(await rules(sam, 'show')).toBe(0);
    expect(out.join('')).toBe(`kr-kh: ${SHIPPED_VERSION} is in force\n`);
    expect(await rules(sam, 'activate', '--version', 'kr-kh-9999.1.1', '--note', 'x')).toBe(1);
    expect(err.join('')).toBe(
      'fraudctl rules activate: 404 UNKNOWN_VERSION: rule pack kr-kh has no version kr-kh-9999.1.1\n',
    );
  });

  it('refuses every call without a token, or with one the API did not issue', async () => {
    vi.stubEnv('FRAUDCTL_TOKEN', '');
    await expect(rules(undefined, 'show')).rejects.toThrow('no token');
    expect(await rules('not-a-jwt', 'show')).toBe(1);
    expect(err.join('')).toMatch(/^fraudctl rules show: 401 /);
  });
});

describe('fraudctl rules maker-checker, enforced by the review API', () => {
  const proposal = (version: string) =>
    packFile((pack) => {
      pack.version = version;
      pack.thresholds.delay = 35;
    });

  it('refuses self-approval, even to a task-force supervisor', async () => {
    const sam = await tokenFor('sam', 'task-force supervisor');
    expect(await rules(sam, 'propose', '--file', await proposal('kr-kh-2027.1.1'), '--note', 'lower DELAY')).toBe(0);
    expect(await rules(sam, 'approve', '--version', 'kr-kh-2027.1.1', '--note', 'fine')).toBe(1);
    expect(err.join('')).toBe(
      'fraudctl rules approve: 403 SELF_APPROVAL: sam proposed kr-kh-2027.1.1; a different approver must decide on it\n',
    );
  });

  it("refuses approval, activation and shadow by a bank's supervisor and by an analyst", async () => {
    const kim = await tokenFor('kim', 'analyst');
    expect(await rules(kim, 'propose', '--file', await proposal('kr-kh-2027.1.2'), '--note', 'x')).toBe(0);
    for (const [name, who] of [
      ['lee', 'analyst'],
      ['park', 'bank supervisor'],
    ] as const) {
      const token = await tokenFor(name, who);
      expect(await rules(token, 'approve', '--version', 'kr-kh-2027.1.2', '--note', 'ok')).toBe(1);
      expect(err.join('')).toMatch(
        new RegExp(
          `^fraudctl rules approve: 403 TASK_FORCE_SUPERVISOR_REQUIRED: ${name} is \\w+ of kr-demo-bank; deciding on a rule pack needs a task-force supervisor\n$`,
        ),
      );
      expect(await rules(token, 'activate', '--version', SHIPPED_VERSION, '--note', 'ok')).toBe(1);
      expect(err.join('')).toContain('TASK_FORCE_SUPERVISOR_REQUIRED');
      expect(await rules(token, 'shadow', '--version', 'kr-kh-2027.1.2', '--note', 'ok')).toBe(1);
      expect(err.join('')).toContain('TASK_FORCE_SUPERVISOR_REQUIRED');
    }
    expect((await store().auditTrail('kr-kh')).filter((e) => e.version === 'kr-kh-2027.1.2').length).toBe(1);
  });

  it('refuses to activate a version that is not approved, with the reason', async () => {
    const kim = await tokenFor('kim', 'analyst');
    const sam = await tokenFor('sam', 'task-force supervisor');
    expect(await rules(kim, 'propose', '--file', await proposal('kr-kh-2027.1.3'), '--note', 'x')).toBe(0);
    expect(await rules(sam, 'activate', '--version', 'kr-kh-2027.1.3', '--note', 'x')).toBe(1);
    expect(err.join('')).toContain(
      '409 NOT_APPROVED: kr-kh-2027.1.3 is not approved yet: a task-force supervisor other than kim must approve it first',
    );
    expect(await store().activeVersion('kr-kh')).toBe(SHIPPED_VERSION);
  });

  it('proposes with a backtest against the version in force, approves, activates, rolls back, and lists every step in order', async () => {
    const [kim, sam, ana] = [
      await tokenFor('kim', 'analyst'),
      await tokenFor('sam', 'task-force supervisor'),
      await tokenFor('ana', 'task-force supervisor'),
    ];
    const transfers = join(dir, 'history-transfers.ndjson');
    await writeFile(transfers, `${JSON.stringify(labelledTransfer('H-1'))}\n`);
    const file = await proposal('kr-kh-2027.1.4');
    expect(await rules(kim, 'propose', '--file', file, '--note', 'DELAY from 35', '--backtest-file', transfers)).toBe(
      0,
    );
    expect(out.join('')).toContain('kr-kh: kr-kh-2027.1.4 proposed by kim');
    expect(await rules(sam, 'approve', '--version', 'kr-kh-2027.1.4', '--note', 'backtest read')).toBe(0);
    expect(await rules(ana, 'reject', '--version', 'kr-kh-2027.1.4', '--note', 'changed my mind')).toBe(1);
    expect(err.join('')).toContain('409 ALREADY_DECIDED');
    expect(await rules(ana, 'activate', '--version', 'kr-kh-2027.1.4', '--note', 'approved by sam')).toBe(0);
    expect(out.join('')).toBe(`kr-kh: kr-kh-2027.1.4 is now in force (was ${SHIPPED_VERSION})\n`);
    expect(await store().activeVersion('kr-kh')).toBe('kr-kh-2027.1.4');
    // Back to the deployment's seed: it was in force before, so it needs no new approval.
    expect(await rules(sam, 'activate', '--version', SHIPPED_VERSION, '--note', 'rollback')).toBe(0);
    expect(await store().activeVersion('kr-kh')).toBe(SHIPPED_VERSION);

    const history = (await store().auditTrail('kr-kh')).filter(
      (e) => e.version === 'kr-kh-2027.1.4' || e.action === 'ACTIVATED',
    );
    expect(history.map((e) => [e.action, e.version, e.actor.username, e.actor.role])).toEqual([
      ['PROPOSED', 'kr-kh-2027.1.4', 'kim', 'analyst'],
      ['APPROVED', 'kr-kh-2027.1.4', 'sam', 'supervisor'],
      ['ACTIVATED', 'kr-kh-2027.1.4', 'ana', 'supervisor'],
      ['ACTIVATED', SHIPPED_VERSION, 'sam', 'supervisor'],
    ]);
    expect(history[0]!.backtest).toMatchObject({ transfers: 1, baseline: { version: SHIPPED_VERSION } });
    expect(history[2]!.previousVersion).toBe(SHIPPED_VERSION);

    expect(await rules(kim, 'history')).toBe(0);
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

  it('refuses a proposal whose pack names another pack than the path, naming the field', async () => {
    const kim = await tokenFor('kim', 'analyst');
    const file = await packFile((pack) => {
      pack.packId = 'kr-kh-other';
      pack.version = 'kr-kh-other-2027.1.1';
    });
    // The CLI proposes to the pack the file names, so this is the API's own check, called directly.
    const response = await fetch(`${system.apiUrl}/rule-packs/kr-kh/proposals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${kim}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pack: JSON.parse(await readFile(file, 'utf8')), note: 'x' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'PACK_MISMATCH' } });
  });

  it('answers bad input with 400 naming the field: a pack that does not compile, a missing note, a bad version', async () => {
    const sam = await tokenFor('sam', 'task-force supervisor');
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${system.apiUrl}/rule-packs/kr-kh${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${sam}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, error: ((await response.json()) as { error: Record<string, string> }).error };
    };
    const broken = { ...shippedPack, version: 'kr-kh-2027.9.1', thresholds: { ...shippedPack.thresholds, review: 1 } };
    expect(await post('/proposals', { pack: broken, note: 'x' })).toMatchObject({
      status: 400,
      error: { code: 'INVALID_PACK', field: 'pack.thresholds' },
    });
    expect(await post('/proposals', { pack: shippedPack })).toMatchObject({
      status: 400,
      error: { code: 'INVALID_INPUT', field: 'note' },
    });
    expect(await post('/activation', { version: 'Not A Version', note: 'x' })).toMatchObject({
      status: 400,
      error: { code: 'INVALID_INPUT', field: 'version' },
    });
    expect(await post('/versions/kr-kh-2027.9.1/decision', { decision: 'MAYBE', note: 'x' })).toMatchObject({
      status: 400,
      error: { code: 'INVALID_INPUT', field: 'decision' },
    });
    expect((await store().auditTrail('kr-kh')).some((e) => e.version === 'kr-kh-2027.9.1')).toBe(false);
  });
});

describe('fraudctl rules shadow', () => {
  const proposal = (version: string) =>
    packFile((pack) => {
      pack.version = version;
      pack.thresholds.delay = 60;
    });

  it('puts a proposed version in shadow and takes it out, audited, and shows it beside the one in force', async () => {
    const kim = await tokenFor('kim', 'analyst');
    const sam = await tokenFor('sam', 'task-force supervisor');
    expect(await rules(kim, 'propose', '--file', await proposal('kr-kh-2027.2.1'), '--note', 'DELAY 60')).toBe(0);
    expect(await rules(sam, 'shadow', '--version', 'kr-kh-2027.2.1', '--note', 'a week beside')).toBe(0);
    expect(out.join('')).toContain('kr-kh: kr-kh-2027.2.1 now scores in shadow');
    expect(await rules(kim, 'show')).toBe(0);
    expect(out.join('')).toContain(`kr-kh: ${SHIPPED_VERSION} is in force; kr-kh-2027.2.1 scores in shadow`);
    expect(await rules(sam, 'shadow', '--off', '--note', 'enough')).toBe(0);
    expect(out.join('')).toContain('kr-kh: shadow scoring of kr-kh-2027.2.1 stopped');
    expect(await rules(sam, 'shadow', '--off', '--note', 'again')).toBe(0);
    expect(out.join('')).toContain('kr-kh: nothing to change (no version in shadow)');
    expect(await rules(kim, 'history')).toBe(0);
    const lines = out
      .join('')
      .split('\n')
      .filter((l) => l.includes('SHADOWED'));
    expect(lines.map((l) => l.split(/\s+/).slice(1, 3).join(' '))).toEqual([
      'SHADOWED kr-kh-2027.2.1',
      'UNSHADOWED kr-kh-2027.2.1',
    ]);
    expect(lines[0]).toContain('by sam (supervisor): a week beside');
  });

  it('refuses a version never proposed, and --version with --off', async () => {
    const sam = await tokenFor('sam', 'task-force supervisor');
    expect(await rules(sam, 'shadow', '--version', SHIPPED_VERSION, '--note', 'x')).toBe(1);
    expect(err.join('')).toContain(`fraudctl rules shadow: 409 NOT_PROPOSED: ${SHIPPED_VERSION} was never proposed`);
    expect(await rules(sam, 'shadow', '--version', SHIPPED_VERSION, '--off', '--note', 'x')).toBe(2);
    expect(await rules(sam, 'shadow', '--note', 'x')).toBe(2);
    expect(err.join('')).toContain('name the --version to put in shadow, or --off');
  });

  it('reports the shadow decisions of a period beside the live ones, as text or JSON', async () => {
    vi.stubEnv('SHADOW_DECISIONS_TABLE', fixture.tables.shadowDecisions);
    vi.stubEnv('RULE_PACKS_TABLE', fixture.tables.rulePacks);
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', fixture.dynamo.endpoint);
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
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
        for (const part of value.split(/[ -]/)) if (part.length > 2) expect(message).not.toContain(part);
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
