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
 * Last updated for kr-kh-2026.12.4 (corroborated rules against each account's own normal).
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
    expect(report.candidate.outcomes).toEqual({ ALLOW: 2920, DELAY: 20, REVIEW: 60, BLOCK: 0 });
    expect(report.candidate.labels?.confusion).toEqual({
      fraudHeld: 68,
      fraudNotHeld: 35,
      legitimateHeld: 12,
      legitimateNotHeld: 2885,
    });
    expect(digest).toBe('b26bc9a8347e200f');
  });

  it('migrant-corridor, seed 7', async () => {
    const { report, digest } = await backtestOf('migrant-corridor', 7);
    expect(report.transfers).toBe(3_000);
    expect(report.candidate.outcomes).toEqual({ ALLOW: 2893, DELAY: 35, REVIEW: 72, BLOCK: 0 });
    expect(report.candidate.labels?.confusion).toEqual({
      fraudHeld: 101,
      fraudNotHeld: 31,
      legitimateHeld: 6,
      legitimateNotHeld: 2862,
    });
    expect(digest).toBe('4f830de2b59ea0b3');
  });
});
