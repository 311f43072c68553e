import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Decision } from '#domain/contract/decision.ts';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import { compileRulePack } from '#domain/rules/compile.ts';
import { generateWorkload } from '#local/workload/generate.ts';
import type { WorkloadProfile } from '#local/workload/profiles.ts';
import { type BacktestLine, readInThisThread } from '#use-cases/backtest/read-transfers.ts';
import { runBacktest, watchlistByAccountKey } from '#use-cases/backtest/run-backtest.ts';
import shippedPack from '../../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };

/**
 * Pins every decision of the backtest on two fixed workloads, so that work on its speed (state,
 * facts, parsing) cannot change a single outcome unnoticed. The digest covers each transfer's id,
 * outcome, score, hold and fired rules in screening order; the figures beside it say what changed
 * when it breaks. A deliberate change of the pack or the generator updates both, with its reason.
 */
const pseudonymiser = createPseudonymiser('pinned-outcomes-key-0123456789abcdef01');

async function* linesOf(events: ReadonlyArray<Record<string, unknown>>): AsyncGenerator<BacktestLine> {
  for (const [i, event] of events.entries()) yield { line: i + 1, text: JSON.stringify(event) };
}

async function backtestOf(profile: WorkloadProfile, seed: number) {
  const workload = generateWorkload({ transfers: 3_000, seed, profile });
  const digest = createHash('sha256');
  const report = await runBacktest({
    source: readInThisThread(() => linesOf(workload.events), pseudonymiser),
    candidate: compileRulePack(shippedPack),
    watchlist: watchlistByAccountKey(workload.watchlist, pseudonymiser),
    onDecision: (decision: Decision) =>
      digest.update(
        `${decision.partnerId} ${decision.transferId} ${decision.outcome} ${decision.score} ${decision.holdUntil} ${decision.reasons.map((r) => r.ruleId).join(',')}\n`,
      ),
  });
  return { report, digest: digest.digest('hex').slice(0, 16) };
}

describe('backtest outcomes on fixed workloads (shipped pack)', () => {
  it('default, seed 2026', async () => {
    const { report, digest } = await backtestOf('default', 2026);
    expect(report.transfers).toBe(3_000);
    expect(report.candidate.outcomes).toEqual({ ALLOW: 2909, DELAY: 29, REVIEW: 62, BLOCK: 0 });
    expect(report.candidate.labels?.confusion).toEqual({
      fraudHeld: 72,
      fraudNotHeld: 31,
      legitimateHeld: 19,
      legitimateNotHeld: 2878,
    });
    expect(digest).toBe('87d8d4733ccb8b22');
  });

  it('migrant-corridor, seed 7', async () => {
    const { report, digest } = await backtestOf('migrant-corridor', 7);
    expect(report.transfers).toBe(3_000);
    expect(report.candidate.outcomes).toEqual({ ALLOW: 2883, DELAY: 42, REVIEW: 75, BLOCK: 0 });
    expect(report.candidate.labels?.confusion).toEqual({
      fraudHeld: 101,
      fraudNotHeld: 31,
      legitimateHeld: 16,
      legitimateNotHeld: 2852,
    });
    expect(digest).toBe('3b554f9c44694849');
  });
});
