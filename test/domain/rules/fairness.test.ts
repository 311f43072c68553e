import { describe, expect, it } from 'vitest';
import type { Decision } from '#domain/contract/decision.ts';
import { BacktestTally } from '#domain/rules/backtest-tally.ts';
import { compileRulePack } from '#domain/rules/compile.ts';
import { ageBandOf, corridorOf, groupFigures, type TransferGroups } from '#domain/rules/fairness.ts';

describe('fairness groups', () => {
  it('bands ages and names corridors, unknown sides included', () => {
    expect([17, 29, 30, 49, 50, 64, 65, 90, undefined].map(ageBandOf)).toEqual([
      'under 30',
      'under 30',
      '30-49',
      '30-49',
      '50-64',
      '50-64',
      '65 and over',
      '65 and over',
      'no age',
    ]);
    expect(corridorOf('KR', 'KH')).toBe('KR->KH');
    expect(corridorOf(undefined, 'KH')).toBe('?->KH');
  });

  it('judges a group of 100 or more legitimate transfers against twice the overall rate', () => {
    const groups = groupFigures(
      new Map([
        ['KR->KR', { legitimate: 10_000, held: 40 }],
        ['KR->KH', { legitimate: 200, held: 2 }],
        ['KR->PH', { legitimate: 99, held: 5 }],
      ]),
      0.005,
    );
    expect(groups.map((g) => [g.group, g.judged, g.withinLimit, g.ratioToOverall])).toEqual([
      ['KR->KR', true, true, 0.8],
      ['KR->KH', true, true, 2],
      ['KR->PH', false, true, 5 / 99 / 0.005],
    ]);
    const above = groupFigures(new Map([['KR->KH', { legitimate: 200, held: 3 }]]), 0.005);
    expect(above[0]).toMatchObject({ judged: true, withinLimit: false, ratioToOverall: 3 });
  });
});

describe('per-account figures where labels name accounts', () => {
  const pack = compileRulePack({
    packId: 'test',
    version: 'test-1',
    referenceCurrency: 'KRW',
    thresholds: { delay: 40, review: 70 },
    delayMinutes: 30,
    rules: [
      {
        id: 'R-ANY',
        typology: 'test',
        rationale: 'Fires on every transfer, for a tally worked by hand.',
        when: { fact: 'currency', op: 'eq', value: 'KRW' },
        points: 0,
        explanation: 'fired',
      },
    ],
  });
  const decision = (transferId: string, outcome: Decision['outcome']) =>
    ({ partnerId: 'p', transferId, outcome, score: 0, reasons: [] }) as unknown as Decision;
  const groups = (debtorKey: string, creditorKey: string): TransferGroups => ({
    corridor: 'US->US',
    ageBand: 'no age',
    debtorKey,
    creditorKey,
  });

  it('counts a fraud account caught when any transfer in or out was held, and ordinary accounts held alike', () => {
    const tally = new BacktestTally(pack);
    // Ring a -> b -> c (fraud accounts); ordinary x pays a and y.
    tally.add(decision('1', 'ALLOW'), { fraud: true, debtorFraud: true, creditorFraud: true }, groups('a', 'b'));
    tally.add(decision('2', 'DELAY'), { fraud: true, debtorFraud: true, creditorFraud: true }, groups('b', 'c'));
    tally.add(decision('3', 'DELAY'), { fraud: false, debtorFraud: false, creditorFraud: true }, groups('x', 'a'));
    tally.add(decision('4', 'ALLOW'), { fraud: false, debtorFraud: false, creditorFraud: false }, groups('x', 'y'));
    expect(tally.summary().accounts).toEqual({
      fraud: 3,
      fraudHeld: 3,
      recall: 1,
      legitimate: 2,
      legitimateHeld: 1,
      legitimateHeldShare: 1 / 2,
    });
  });
});
