import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../../bin/commands/rules.ts';
import { DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import type { TransferEvent } from '#domain/contract/transfer-event.ts';
import { issueLocalToken, loadLocalSigningKey } from '#local/auth/local-issuer.ts';
import { generateWorkload } from '#local/workload/generate.ts';
import shippedPack from '../../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };
import { startDynamoFixture, type DynamoFixture } from '../../support/local-dynamo.ts';
import { captureOutput } from '../../support/output.ts';
import { officer, reviewService, screen } from '../../support/review-fixtures.ts';

let fixture: DynamoFixture;
let dir: string;
const transfers = () => join(dir, 'transfers.ndjson');

beforeAll(async () => {
  fixture = await startDynamoFixture();
  dir = await mkdtemp(join(tmpdir(), 'rules-fit-'));
  // A day of the corridor's traffic screened by the shipped pack on the stand-ins; officers then decide
  // every flag it raised: confirmed fraud where the workload says scam, released otherwise.
  const workload = generateWorkload({ transfers: 400, seed: 3 });
  const events = workload.events.map(({ label: _label, ...event }) => event) as unknown as TransferEvent[];
  await writeFile(transfers(), `${events.map((event) => JSON.stringify(event)).join('\n')}\n`);
  const scam = new Set(
    workload.events.filter((e) => (e.label as { kind: string }).kind === 'scam').map((e) => e.transferId as string),
  );
  const decisions = await screen(fixture, events);
  const review = reviewService(fixture);
  for (const decision of decisions.filter((d) => d.outcome === 'DELAY' || d.outcome === 'REVIEW')) {
    const fraud = scam.has(decision.transferId);
    await review
      .actOnFlag(officer(fraud ? 'analyst' : 'supervisor', decision.partnerId, 'ana'), {
        partnerId: decision.partnerId,
        transferId: decision.transferId,
        action: fraud ? 'CONFIRM_FRAUD' : 'RELEASE',
        note: 'decided for the fit test',
        expectedVersion: 1,
      })
      // A release above the single-officer limit needs four eyes: such a flag simply stays undecided.
      .catch(() => undefined);
  }
}, 120_000);
afterAll(async () => fixture.close());
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

async function tokenFor(username: string, role: 'analyst' | 'supervisor'): Promise<string> {
  vi.stubEnv('FRAUDCTL_STATE_DIR', dir);
  return issueLocalToken(await loadLocalSigningKey(dir), { username, partnerId: 'kr-demo-bank', role });
}

function pointAtFixture() {
  vi.stubEnv('RULE_PACKS_TABLE', fixture.tables.rulePacks);
  vi.stubEnv('FLAGS_TABLE', fixture.tables.flags);
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', fixture.dynamo.endpoint);
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
}

describe("fraudctl rules labels and fit: officers' decisions to a proposal in force", () => {
  it('exports labels, fits, proposes, is approved by another person, shadows and activates', async () => {
    pointAtFixture();
    const labels = join(dir, 'labels.csv');
    let { out } = captureOutput();
    expect(await run(['labels', '--from', '2000-01-01', '--to', '2100-01-01', '--out', labels])).toBe(0);
    expect(out.join('')).toMatch(/wrote \d+ labels \(\d+ confirmed fraud, \d+ released\)/);
    const csv = (await readFile(labels, 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('partnerId,transferId,fraud,typology');
    expect(csv.some((line) => line.includes(',true,'))).toBe(true);
    expect(csv.some((line) => line.endsWith(',false,'))).toBe(true);

    const kim = await tokenFor('kim', 'analyst');
    const proposal = join(dir, 'fitted.json');
    const report = join(dir, 'fit.json');
    ({ out } = captureOutput());
    const fitted = [
      'fit',
      ...['--file', transfers(), '--labels', labels, '--version', 'kr-kh-2027.3.1'],
      ...['--holdout', '0.2', '--out', proposal, '--report', report, '--token', kim],
    ];
    expect(await run(fitted)).toBe(0);
    const text = out.join('');
    expect(text).toContain(`Fit of ${shippedPack.version} -> kr-kh-2027.3.1`);
    expect(text).toContain('calibration on the held-out transfers');
    expect(text).toContain('kr-kh: kr-kh-2027.3.1 proposed by kim');
    const document = JSON.parse(await readFile(proposal, 'utf8'));
    expect(document.rules.map((r: { id: string }) => r.id)).toEqual(shippedPack.rules.map((r) => r.id));
    expect(JSON.parse(await readFile(report, 'utf8')).calibration).toHaveLength(10);

    const store = new DynamoRulePackStore(fixture.clients.documents, fixture.tables.rulePacks);
    captureOutput();
    // The proposer cannot approve; another person with the approver role can.
    expect(await run(['approve', '--version', 'kr-kh-2027.3.1', '--note', 'fit read', '--token', kim])).toBe(1);
    const sam = await tokenFor('sam', 'supervisor');
    expect(await run(['approve', '--version', 'kr-kh-2027.3.1', '--note', 'fit read', '--token', sam])).toBe(0);
    expect(await run(['shadow', '--version', 'kr-kh-2027.3.1', '--note', 'beside the live pack', '--token', kim])).toBe(
      0,
    );
    expect(await store.shadowVersion('kr-kh')).toBe('kr-kh-2027.3.1');
    expect(await run(['activate', '--version', 'kr-kh-2027.3.1', '--token', kim])).toBe(0);
    expect(await store.activeVersion('kr-kh')).toBe('kr-kh-2027.3.1');
    const proposed = (await store.auditTrail('kr-kh')).find((entry) => entry.action === 'PROPOSED');
    expect(proposed?.backtest).toMatchObject({ transfers: 400, calibration: expect.any(Array) });
  }, 120_000);

  it('refuses a bad share or period with the option it concerns', async () => {
    pointAtFixture();
    const { err } = captureOutput();
    const kim = await tokenFor('kim', 'analyst');
    await expect(
      run(['fit', '--file', transfers(), '--version', 'kr-kh-x', '--holdout', '2', '--token', kim]),
    ).resolves.toBe(2);
    expect(err.join('')).toContain('--holdout must be a share between 0 and 1');
    await expect(run(['labels', '--from', 'yesterday', '--to', '2100-01-01'])).resolves.toBe(2);
    expect(err.join('')).toContain('--from must be a date or date-time');
  });
});
