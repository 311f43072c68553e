import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ShadowDecision } from '#domain/rules/shadow.ts';
import {
  formatShadowReport,
  MAX_REPORT_DAYS,
  reportPeriod,
  ShadowReportError,
  shadowReport,
  type ShadowDecisionSource,
} from '#use-cases/rules/shadow-report.ts';

const SEED = 20261202;

function stored(transferId: string, occurredAt: string, live: 'ALLOW' | 'DELAY', shadow: 'ALLOW' | 'DELAY') {
  const scored = (outcome: 'ALLOW' | 'DELAY') => ({
    outcome,
    score: outcome === 'DELAY' ? 45 : 0,
    rules: outcome === 'DELAY' ? ['SCAM-HUB-CROSS-BORDER'] : [],
  });
  return {
    partnerId: 'kh-demo-bank',
    transferId,
    transferKey: transferId,
    occurredAt,
    decidedAt: occurredAt,
    fingerprint: transferId,
    liveVersion: 'kr-kh-1',
    shadowVersion: 'kr-kh-2',
    live: scored(live),
    shadow: scored(shadow),
  } satisfies ShadowDecision;
}

/** The adapter's contract, in memory: decisions of one version with event time in [from, to). */
function source(decisions: ShadowDecision[]): ShadowDecisionSource & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async *decisions(version, from, to) {
      asked.push(version);
      for (const d of decisions) {
        const at = Date.parse(d.occurredAt);
        if (d.shadowVersion === version && at >= from.getTime() && at < to.getTime()) yield d;
      }
    },
  };
}

const DECISIONS = [
  stored('A', '2026-12-01T00:00:00Z', 'ALLOW', 'ALLOW'),
  stored('B', '2026-12-01T01:00:00Z', 'DELAY', 'ALLOW'),
  stored('C', '2026-12-01T02:00:00Z', 'DELAY', 'DELAY'),
  stored('D', '2026-12-02T00:00:00Z', 'ALLOW', 'DELAY'),
];

describe('shadow report', () => {
  it('compares the shadow pack with the live one over the period, by the version the pointer names', async () => {
    const from = source(DECISIONS);
    const report = await shadowReport(
      from,
      { shadowVersion: async () => 'kr-kh-2' },
      { packId: 'kr-kh', from: '2026-12-01', to: '2026-12-02' },
    );
    expect(from.asked).toEqual(['kr-kh-2']);
    expect(report).toMatchObject({
      packId: 'kr-kh',
      shadowVersion: 'kr-kh-2',
      period: { from: '2026-12-01T00:00:00.000Z', to: '2026-12-02T00:00:00.000Z' },
      transfers: 3,
      holdRate: { live: 2 / 3, shadow: 1 / 3 },
      differing: 1,
      rules: [{ ruleId: 'SCAM-HUB-CROSS-BORDER', live: 2, shadow: 1 }],
    });
    expect(report.transitions.DELAY).toEqual({ ALLOW: 1, DELAY: 1, REVIEW: 0, BLOCK: 0 });
    expect(report.sample.map((d) => d.transferId)).toEqual(['B']);
    const text = formatShadowReport(report);
    expect(text).toContain('Shadow report of kr-kh: kr-kh-2 beside kr-kh-1');
    expect(text).toMatch(/hold rate\s+66\.67%\s+33\.33%/);
    expect(text).toMatch(/DELAY\s+1\s+1\s+0\s+0/);
    expect(text).toContain('2026-12-01T01:00:00Z kh-demo-bank B: DELAY (45) -> ALLOW (0)');
  });

  it('reads a named version whatever the pointer says, and says so when there is nothing to compare', async () => {
    const report = await shadowReport(
      source(DECISIONS),
      { shadowVersion: async () => undefined },
      { packId: 'kr-kh', shadowVersion: 'kr-kh-9', from: '2026-12-01', to: '2026-12-03' },
    );
    expect(report.transfers).toBe(0);
    expect(formatShadowReport(report)).toContain('no shadow decisions in this period');
  });

  it('refuses to guess a version when no pack is in shadow', async () => {
    await expect(
      shadowReport(
        source(DECISIONS),
        { shadowVersion: async () => undefined },
        { packId: 'kr-kh', from: '2026-12-01', to: '2026-12-02' },
      ),
    ).rejects.toThrow(/kr-kh has no shadow pack now: name the version with --shadow-version/);
  });
});

describe('report period', () => {
  it('names the option and the reason of every refusal', () => {
    expect(() => reportPeriod(undefined, '2026-12-01')).toThrow(/^--from is required/);
    expect(() => reportPeriod('2026-12-01', '')).toThrow(/^--to is required/);
    expect(() => reportPeriod('yesterday', '2026-12-01')).toThrow(/^--from "yesterday" is not an ISO 8601 date/);
    expect(() => reportPeriod('2026-12-01T09:00', '2026-12-02')).toThrow(/^--from .* with a time zone/);
    expect(() => reportPeriod('2026-12-02', '2026-12-01')).toThrow('--to must be after --from');
    expect(() => reportPeriod('2026-01-01', '2026-12-01')).toThrow(`longer than ${MAX_REPORT_DAYS} days`);
    expect(reportPeriod('2026-12-01T09:00+09:00', '2026-12-01T01:00:00.5Z')).toEqual({
      from: new Date('2026-12-01T00:00:00Z'),
      to: new Date('2026-12-01T01:00:00.500Z'),
    });
  });

  it('accepts any instant written in ISO 8601 with a zone, and refuses anything else with a ShadowReportError (fast-check, fixed seed)', () => {
    const instant = fc.date({ min: new Date('2000-01-01'), max: new Date('2099-01-01'), noInvalidDate: true });
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: MAX_REPORT_DAYS * 86_400_000 }), (from, length) => {
        const to = new Date(from.getTime() + length);
        expect(reportPeriod(from.toISOString(), to.toISOString())).toEqual({ from, to });
      }),
      { seed: SEED, numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (from, to) => {
        // Short random text is never an instant with a zone: each pair is refused, none passes unchecked.
        let refused: unknown;
        try {
          reportPeriod(from, to);
        } catch (error) {
          refused = error;
        }
        expect(refused).toBeInstanceOf(ShadowReportError);
        expect((refused as Error).message).toMatch(/^--(from|to) |^the period/);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});
