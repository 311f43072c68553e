import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decision } from '#domain/contract/decision.ts';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import { compileRulePack } from '#domain/rules/compile.ts';
import { readOnThread } from '#local/transfer-file-thread.ts';
import { replayFile } from '#local/replay.ts';
import { generateWorkload } from '#local/workload/generate.ts';
import { TYPOLOGIES } from '#local/workload/labels.ts';
import { runBacktest, watchlistByAccountKey } from '#use-cases/backtest/run-backtest.ts';
import shippedPack from '../../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };

const PSEUDONYM_KEY = 'pipeline-equivalence-key-0123456789abcdef';

/** What the two paths must agree on for each transfer. */
const verdict = (d: Pick<Decision, 'outcome' | 'score' | 'holdUntil' | 'rulesetVersion' | 'reasons'>) => ({
  outcome: d.outcome,
  score: d.score,
  holdUntil: d.holdUntil,
  rulesetVersion: d.rulesetVersion,
  rules: d.reasons.map((reason) => reason.ruleId),
});

/**
 * The backtest claims the decisions the Lambda would have made. Here the same file goes through both:
 * `fraudctl replay`'s local pipeline (SQS and DynamoDB stand-ins, the screening handler in its
 * container, the state stored and read back between batches) and the backtest use case, with the same
 * pack, watchlist and pseudonym key.
 *
 * Making the comparison fair: the backtest screens strictly in event-time order, while the pipeline
 * screens batches concurrently, per partner queue. So both banks' transfers travel on one partner's
 * queue (the contract ties a transfer to the queue it arrives on, not to its bank codes; partnerId is
 * no fact a rule reads), with one poller, one container and batches of one: the pipeline then screens
 * in file order, which is event-time order, each transfer at its own event time as the replay clock
 * sets it, exactly as the backtest does.
 */
describe('backtest decisions equal the local pipeline decisions on the same file', () => {
  let dir: string;
  let events: Array<Record<string, unknown>>;
  const pipeline = new Map<string, ReturnType<typeof verdict>>();
  const backtest = new Map<string, ReturnType<typeof verdict>>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'backtest-equivalence-'));
    const workload = generateWorkload({ transfers: 400, seed: 2026 });
    events = workload.events.map((event) => ({ ...event, partnerId: 'kr-demo-bank' }));
    const file = join(dir, 'transfers.ndjson');
    const out = join(dir, 'decisions.ndjson');
    await writeFile(file, `${events.map((event) => JSON.stringify(event)).join('\n')}\n`);

    await replayFile({
      file,
      out,
      watchlist: workload.watchlist,
      pipeline: { pseudonymKey: PSEUDONYM_KEY, batchSize: 1, tuning: { pollersPerQueue: 1, containersPerFunction: 1 } },
    });
    for (const line of (await readFile(out, 'utf8')).trimEnd().split('\n')) {
      const result = JSON.parse(line) as Decision & { line: number };
      pipeline.set(result.transferId, verdict(result));
    }

    const pseudonymiser = createPseudonymiser(PSEUDONYM_KEY);
    await runBacktest({
      source: readOnThread(file, PSEUDONYM_KEY),
      candidate: compileRulePack(shippedPack),
      watchlist: watchlistByAccountKey(workload.watchlist, pseudonymiser),
      onDecision: (decision) => backtest.set(decision.transferId, verdict(decision)),
    });
  }, 300_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('screens a workload with every typology, some transfers held', () => {
    const typologies = new Set(events.map((event) => (event.label as { typology?: string }).typology));
    for (const typology of TYPOLOGIES) expect(typologies).toContain(typology);
    expect([...backtest.values()].filter((v) => v.outcome !== 'ALLOW').length).toBeGreaterThan(10);
    expect([...backtest.values()].filter((v) => v.rules.length > 0).length).toBeGreaterThan(20);
  });

  it('gives every transfer the same outcome, score, hold and fired rules on both paths', () => {
    expect(pipeline.size).toBe(events.length);
    expect(backtest.size).toBe(events.length);
    const differing = [...backtest].filter(([transferId, v]) => !isEqual(pipeline.get(transferId), v));
    expect(
      differing.map(([transferId, v]) => ({ transferId, backtest: v, pipeline: pipeline.get(transferId) })),
    ).toEqual([]);
  });
});

function isEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
