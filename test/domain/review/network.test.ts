import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type NetworkEdge, presentNetwork, type StoredNetwork } from '#domain/review/network.ts';
import { analyst, taskForce } from './flag-fixture.ts';

const MULE = 'M'.repeat(22);
const KNOWN = new Map([['VICTIM-KR', '110-000-1']]);

function edge(
  partnerId: string,
  transferId: string,
  debtorKey: string,
  creditorKey: string,
  occurredAt: string,
  value = '100',
  outcome: NetworkEdge['outcome'] = 'REVIEW',
): NetworkEdge {
  return { partnerId, transferId, debtorKey, creditorKey, occurredAt, amount: { value, currency: 'KRW' }, outcome };
}

const stored: StoredNetwork = {
  accountKey: MULE,
  since: '2026-10-25T06:00:00.000Z',
  until: '2026-11-24T06:00:00.000Z',
  inbound: [
    edge('kr-demo-bank', 'T-KR', 'VICTIM-KR', MULE, '2026-11-24T01:00:00.000Z', '900000'),
    edge('kh-demo-bank', 'T-KH-1', 'VICTIM-KH', MULE, '2026-11-24T02:00:00.000Z', '2500000'),
    edge('kh-demo-bank', 'T-KH-2', 'OTHER-KH', MULE, '2026-11-24T04:00:00.000Z', '1000000', 'ALLOW'),
    edge('kh-demo-bank', 'T-KH-3', 'VICTIM-KH', MULE, '2026-11-23T22:00:00.000Z', '500000'),
  ],
  onward: [
    edge('kh-demo-bank', 'T-OUT', MULE, 'ONWARD', '2026-11-24T03:00:00.000Z', '7000000'),
    edge('kr-demo-bank', 'T-KR-OUT', MULE, 'CASH-OUT-KR', '2026-11-24T05:00:00.000Z', '300000', 'ALLOW'),
  ],
  truncated: { inbound: false, onward: false },
};

/** The disclosure table of the README ("Who sees what"), cell by cell. */
describe('network view disclosure', () => {
  const partner = presentNetwork(stored, analyst, KNOWN);
  const everyone = presentNetwork(stored, taskForce, KNOWN);

  it("task force: every bank's transfers one by one, with bank, id, amount, time and outcome", () => {
    expect(everyone.scope).toBe('every bank');
    expect(everyone.edges.map((e) => [e.partnerId, e.transferId, e.amount.value, e.occurredAt, e.outcome])).toEqual([
      ['kr-demo-bank', 'T-KR-OUT', '300000', '2026-11-24T05:00:00.000Z', 'ALLOW'],
      ['kh-demo-bank', 'T-KH-2', '1000000', '2026-11-24T04:00:00.000Z', 'ALLOW'],
      ['kh-demo-bank', 'T-OUT', '7000000', '2026-11-24T03:00:00.000Z', 'REVIEW'],
      ['kh-demo-bank', 'T-KH-1', '2500000', '2026-11-24T02:00:00.000Z', 'REVIEW'],
      ['kr-demo-bank', 'T-KR', '900000', '2026-11-24T01:00:00.000Z', 'REVIEW'],
      ['kh-demo-bank', 'T-KH-3', '500000', '2026-11-23T22:00:00.000Z', 'REVIEW'],
    ]);
    expect(everyone.otherBanks).toEqual([]);
  });

  it('task force: counterparties by their pseudonyms, in clear where already known from a flag', () => {
    expect(everyone.nodes).toEqual([
      { key: MULE, label: MULE, inClear: false, role: 'account' },
      { key: 'VICTIM-KR', label: '110-000-1', inClear: true, role: 'sender' },
      { key: 'VICTIM-KH', label: 'VICTIM-KH', inClear: false, role: 'sender' },
      { key: 'OTHER-KH', label: 'OTHER-KH', inClear: false, role: 'sender' },
      { key: 'ONWARD', label: 'ONWARD', inClear: false, role: 'recipient' },
      { key: 'CASH-OUT-KR', label: 'CASH-OUT-KR', inClear: false, role: 'recipient' },
    ]);
  });

  it("partner officer: its own bank's transfers one by one, in full", () => {
    expect(partner.scope).toBe('own bank');
    expect(
      partner.edges.map((e) => [e.direction, e.partnerId, e.transferId, e.amount.value, e.occurredAt, e.outcome]),
    ).toEqual([
      ['onward', 'kr-demo-bank', 'T-KR-OUT', '300000', '2026-11-24T05:00:00.000Z', 'ALLOW'],
      ['inbound', 'kr-demo-bank', 'T-KR', '900000', '2026-11-24T01:00:00.000Z', 'REVIEW'],
    ]);
  });

  it("partner officer: other banks' transfers only as daily totals per bank, direction and currency", () => {
    expect(partner.otherBanks).toEqual([
      {
        partnerId: 'kh-demo-bank',
        direction: 'inbound',
        day: '2026-11-24',
        currency: 'KRW',
        transfers: 2,
        total: '3500000',
        held: 1,
      },
      {
        partnerId: 'kh-demo-bank',
        direction: 'onward',
        day: '2026-11-24',
        currency: 'KRW',
        transfers: 1,
        total: '7000000',
        held: 1,
      },
      {
        partnerId: 'kh-demo-bank',
        direction: 'inbound',
        day: '2026-11-23',
        currency: 'KRW',
        transfers: 1,
        total: '500000',
        held: 1,
      },
    ]);
    const text = JSON.stringify(partner);
    for (const hidden of ['T-KH-1', 'T-KH-2', 'T-KH-3', 'T-OUT', 'VICTIM-KH', 'OTHER-KH', 'ONWARD', 'T02:00', 'T04:00'])
      expect(text).not.toContain(hidden);
  });

  it('partner officer: counterparties of its own transfers by an alias of this view, in clear where known', () => {
    expect(partner.nodes).toEqual([
      { key: MULE, label: MULE, inClear: false, role: 'account' },
      { key: 'a1', label: '110-000-1', inClear: true, role: 'sender' },
      { key: 'a2', label: 'Account 2', inClear: false, role: 'recipient' },
    ]);
    expect(partner.edges.map((e) => [e.from, e.to])).toEqual([
      [MULE, 'a2'],
      ['a1', MULE],
    ]);
    expect(JSON.stringify(partner)).not.toContain('CASH-OUT-KR');
  });

  it('partner officer: counterparties are named by their place in the view, never by a pseudonym (fast-check, fixed seed)', () => {
    // The same counterparty, seen from two cases, carries nothing that links the two views.
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[A-Z]{6,10}$/), { minLength: 1, maxLength: 8 }), (others) => {
        const viewOf = (accountKey: string, counterparties: readonly string[]) =>
          presentNetwork(
            {
              ...stored,
              accountKey,
              inbound: counterparties.map((c, i) =>
                edge('kr-demo-bank', `T-${i}`, c, accountKey, `2026-11-2${i % 4}T00:00:00.000Z`),
              ),
              onward: [],
            },
            analyst,
            new Map(),
          );
        for (const view of [viewOf('CASE-A', [...others, 'SHARED']), viewOf('CASE-B', ['SHARED', ...others])]) {
          expect(view.nodes.slice(1).every((n) => /^a\d+$/.test(n.key) && /^Account \d+$/.test(n.label))).toBe(true);
          expect(JSON.stringify(view)).not.toContain('SHARED');
        }
      }),
      { seed: 2026, numRuns: 100 },
    );
  });
});
