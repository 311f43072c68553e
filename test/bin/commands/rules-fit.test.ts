import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../../bin/commands/rules.ts';
import { startLocalReviewStack, type LocalReviewStack } from '../../../bin/commands/serve.ts';
import { exportsFor } from '../../../bin/commands/up.ts';
import { DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import { DynamoShadowStore } from '#adapters/dynamodb/shadow-store.ts';
import { arrivingAt } from '#local/simulated-clock.ts';
import { generateWorkload } from '#local/workload/generate.ts';
import shippedPack from '../../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };
import { captureOutput } from '../../support/output.ts';

/**
 * Officers' decisions to a fitted pack in force, on the local stage as it deploys: transfers screened
 * by the screening function from the partners' queues, flags decided through the review API with local
 * tokens, and fraudctl's rules commands pointed at the stage by the exports `fraudctl up` prints.
 */
let stack: LocalReviewStack;
let dir: string;
const KR = 'kr-demo-bank';
const transfers = () => join(dir, 'transfers.ndjson');
const unlabelled = (event: Record<string, unknown>) => {
  const { label: _label, ...rest } = event;
  return rest;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rules-fit-'));
  stack = await startLocalReviewStack({ stateDir: dir, schedules: 'when-fired' });
  // A day of the corridor's traffic screened by the shipped pack; officers then decide every flag it
  // raised: confirmed fraud where the workload says scam, released otherwise.
  const workload = generateWorkload({ transfers: 400, seed: 3 });
  const events = workload.events.map(unlabelled);
  await writeFile(transfers(), `${events.map((event) => JSON.stringify(event)).join('\n')}\n`);
  for (const partnerId of stack.pipeline.partners)
    await stack.pipeline.send(
      partnerId,
      events
        .filter((event) => event.partnerId === partnerId)
        .map((event) => ({ body: JSON.stringify(event), attributes: arrivingAt(String(event.occurredAt)) })),
    );
  await stack.pipeline.drain();
  const scam = new Set(
    workload.events.filter((e) => (e.label as { kind: string }).kind === 'scam').map((e) => e.transferId as string),
  );
  const { decisions } = await stack.pipeline.collectDecisions();
  const held = [...decisions.values()].filter((d) => d.outcome === 'DELAY' || d.outcome === 'REVIEW');
  for (const decision of held) {
    const fraud = scam.has(decision.transferId);
    const token = await stack.token({
      username: 'ana',
      partnerId: decision.partnerId,
      role: fraud ? 'analyst' : 'supervisor',
    });
    // A release above the single-officer limit needs four eyes: such a flag simply stays undecided.
    await fetch(`${stack.apiUrl}/flags/${decision.partnerId}/${decision.transferId}/actions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        action: fraud ? 'CONFIRM_FRAUD' : 'RELEASE',
        note: 'decided for the fit test',
        expectedVersion: 1,
      }),
    });
  }
}, 180_000);
afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** What an analyst's shell holds after `fraudctl up`: the stage's endpoints, tables and key. */
function pointAtStage() {
  for (const [name, value] of Object.entries(exportsFor(stack.pipeline))) vi.stubEnv(name, value);
  vi.stubEnv('FRAUDCTL_STATE_DIR', dir);
}

const tokenFor = (username: string, role: 'analyst' | 'supervisor', partnerId = KR) =>
  stack.token({ username, partnerId, role });

describe("fraudctl rules labels and fit: officers' decisions to a proposal in force", () => {
  it('exports labels, fits, proposes, is approved by another person, shadows and activates', async () => {
    pointAtStage();
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

    const { documents } = stack.pipeline.clients;
    const store = new DynamoRulePackStore(documents, stack.pipeline.tables.rulePacks);
    captureOutput();
    // The proposer cannot approve; a task-force supervisor can, and another puts it in force.
    expect(await run(['approve', '--version', 'kr-kh-2027.3.1', '--note', 'fit read', '--token', kim])).toBe(1);
    const sam = await tokenFor('sam', 'supervisor', '*');
    const ana = await tokenFor('ana', 'supervisor', '*');
    expect(await run(['approve', '--version', 'kr-kh-2027.3.1', '--note', 'fit read', '--token', sam])).toBe(0);
    expect(await run(['shadow', '--version', 'kr-kh-2027.3.1', '--note', 'beside the live pack', '--token', sam])).toBe(
      0,
    );
    expect(await store.shadowVersion('kr-kh')).toBe('kr-kh-2027.3.1');

    // The screening function now screens each transfer with the fitted pack beside the live one.
    const later = generateWorkload({ transfers: 200, seed: 4, start: new Date('2026-11-26T00:00:00+09:00') });
    const events = later.events.map(unlabelled).filter((event) => event.partnerId === KR);
    await stack.pipeline.send(
      KR,
      events.map((event) => ({ body: JSON.stringify(event), attributes: arrivingAt(String(event.occurredAt)) })),
    );
    await stack.pipeline.drain();
    const shadow = new DynamoShadowStore(documents, stack.pipeline.tables.shadowDecisions);
    let compared = 0;
    for await (const _ of shadow.decisions(
      'kr-kh-2027.3.1',
      new Date('2026-11-26T00:00:00+09:00'),
      new Date('2026-11-29T00:00:00+09:00'),
    ))
      compared += 1;
    expect(compared).toBe(events.length);

    expect(await run(['activate', '--version', 'kr-kh-2027.3.1', '--note', 'shadow read', '--token', ana])).toBe(0);
    expect(await store.activeVersion('kr-kh')).toBe('kr-kh-2027.3.1');
    // In force, it no longer scores in shadow.
    expect(await store.shadowVersion('kr-kh')).toBeUndefined();
    const proposed = (await store.auditTrail('kr-kh')).find((entry) => entry.action === 'PROPOSED');
    expect(proposed?.backtest).toMatchObject({
      transfers: 400,
      candidate: { version: 'kr-kh-2027.3.1' },
      baseline: { version: shippedPack.version },
    });
  }, 180_000);

  it('refuses a bad share or period with the option it concerns', async () => {
    pointAtStage();
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
