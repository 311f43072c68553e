import { beforeAll, describe, expect, it } from 'vitest';
import { parseTransferEvent } from '#domain/contract/transfer-event.ts';
import { HISTORY_DAYS, generateWorkload, type Workload } from '#local/workload/generate.ts';
import { PROFILES, WORKLOAD_PROFILES } from '#local/workload/profiles.ts';
import { TYPOLOGIES, WorkloadLabelSchema } from '#local/workload/labels.ts';
import { DAY_MS } from '#local/workload/world.ts';

describe('the migrant-corridor workload profile', () => {
  let corridor: Workload;
  beforeAll(() => {
    corridor = generateWorkload({ transfers: 20_000, seed: 2026, profile: 'migrant-corridor' });
  });

  it('leaves the default profile as it was: naming it changes nothing', () => {
    const named = generateWorkload({ transfers: 300, seed: 7, profile: 'default' });
    expect(JSON.stringify(named)).toBe(JSON.stringify(generateWorkload({ transfers: 300, seed: 7 })));
  });

  it('is reproducible, valid v1 events with labels, and refuses an unknown profile', () => {
    const again = generateWorkload({ transfers: 20_000, seed: 2026, profile: 'migrant-corridor' });
    expect(JSON.stringify(again.events.slice(0, 500))).toBe(JSON.stringify(corridor.events.slice(0, 500)));
    expect(corridor.events).toHaveLength(20_000);
    for (const event of corridor.events.slice(0, 2_000)) {
      expect(parseTransferEvent(JSON.stringify(event)).ok).toBe(true);
      expect(WorkloadLabelSchema.safeParse(event.label).success).toBe(true);
    }
    expect(() => generateWorkload({ transfers: 300, seed: 1, profile: 'nope' as never })).toThrow(RangeError);
  });

  it('spans five weeks from 1 September 2026, Chuseok included, with every typology', () => {
    const times = corridor.events.map((e) => Date.parse(e.occurredAt as string));
    const first = Math.min(...times);
    expect(first).toBeGreaterThanOrEqual(Date.parse('2026-09-01T00:00:00+09:00'));
    expect(Math.max(...times) - first).toBeGreaterThan(30 * DAY_MS);
    const typologies = new Set(corridor.events.map((e) => (e.label as { typology?: string }).typology));
    for (const typology of TYPOLOGIES) expect(typologies).toContain(typology);
  });

  it('has migrant workers remitting home every month, some to a new family member, and the other life events', () => {
    const patterns = new Map<string, number>();
    for (const e of corridor.events) {
      const label = e.label as { kind: string; pattern?: string };
      if (label.kind === 'legitimate') patterns.set(label.pattern!, (patterns.get(label.pattern!) ?? 0) + 1);
    }
    expect(patterns.get('migrant-remittance')).toBeGreaterThan(800);
    expect(patterns.get('migrant-new-family-member')).toBeGreaterThan(80);
    expect(patterns.get('elderly-life-event')).toBeGreaterThan(80);
    expect(patterns.get('business-supplier-run')).toBeGreaterThan(100);
    expect(patterns.get('holiday-gift')).toBeGreaterThan(150);

    // A worker's remittances go to one account, month after month, at a steady amount.
    const byWorker = new Map<string, Array<Record<string, unknown>>>();
    for (const e of corridor.events)
      if ((e.label as { pattern?: string }).pattern === 'migrant-remittance') {
        const key = (e.debtor as { accountId: string }).accountId;
        byWorker.set(key, [...(byWorker.get(key) ?? []), e]);
      }
    const regular = [...byWorker.values()].filter((list) => list.length >= 2);
    expect(regular.length).toBeGreaterThan(50);
    for (const list of regular) {
      expect(new Set(list.map((e) => (e.creditor as { accountId: string }).accountId)).size).toBe(1);
    }
  });
});

describe('the corridor-households workload profile', () => {
  let households: Workload;
  beforeAll(() => {
    households = generateWorkload({ transfers: 20_000, seed: 2026, profile: 'corridor-households' });
  });

  it('is reproducible, valid v1 events with labels, over six weeks from 1 March 2027 with every typology', () => {
    const again = generateWorkload({ transfers: 20_000, seed: 2026, profile: 'corridor-households' });
    expect(JSON.stringify(again.events.slice(0, 500))).toBe(JSON.stringify(households.events.slice(0, 500)));
    expect(households.events).toHaveLength(20_000);
    for (const event of households.events.slice(0, 2_000)) {
      expect(parseTransferEvent(JSON.stringify(event)).ok).toBe(true);
      expect(WorkloadLabelSchema.safeParse(event.label).success).toBe(true);
    }
    const times = households.events.map((e) => Date.parse(e.occurredAt as string));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(Date.parse('2027-03-01T00:00:00+09:00') - DAY_MS);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(35 * DAY_MS);
    const typologies = new Set(households.events.map((e) => (e.label as { typology?: string }).typology));
    for (const typology of TYPOLOGIES) expect(typologies).toContain(typology);
  });

  it('has its own kinds of ordinary life: remittances the bank calls new, tuition, family, suppliers abroad', () => {
    const patterns = new Map<string, number>();
    let newPayeeRemittances = 0;
    for (const e of households.events) {
      const label = e.label as { kind: string; pattern?: string };
      if (label.kind !== 'legitimate') continue;
      patterns.set(label.pattern!, (patterns.get(label.pattern!) ?? 0) + 1);
      if (label.pattern === 'household-remittance' && (e.context as { newPayee: boolean }).newPayee)
        newPayeeRemittances += 1;
    }
    expect(patterns.get('household-remittance')).toBeGreaterThan(1_000);
    expect(newPayeeRemittances).toBeGreaterThan(300);
    expect(patterns.get('tuition-abroad')).toBeGreaterThan(80);
    expect(patterns.get('elderly-family-payment')).toBeGreaterThan(300);
    expect(patterns.get('supplier-abroad')).toBeGreaterThan(80);
    expect(patterns.has('migrant-remittance')).toBe(false);
  });
});

describe("every profile's history before the scored window", () => {
  type Party = { accountId: string; accountOpenedAt?: string };
  const accountOf = (e: Record<string, unknown>, side: 'debtor' | 'creditor') => (e[side] as Party).accountId;

  it.each(WORKLOAD_PROFILES)(
    '%s: the same window as without history, after 60 days of the same customers at its ordinary daily rate',
    (profile) => {
      const bare = generateWorkload({ transfers: 600, seed: 5, profile });
      const withHistory = generateWorkload({ transfers: 600, seed: 5, profile, historyDays: HISTORY_DAYS });
      const scoreFrom = Date.parse(withHistory.scoreFrom);
      expect(scoreFrom).toBe(PROFILES[profile].defaultStart.getTime());
      const history = withHistory.events.slice(0, withHistory.historyTransfers);
      const window = withHistory.events.slice(withHistory.historyTransfers);
      // The window is drawn first, so it is the same transfers whatever the history: only their ids
      // (a partner's daily numbering can start in the history) and newPayee (a payee paid in the
      // history is no longer new) can differ.
      const drawn = (events: Array<Record<string, unknown>>) =>
        JSON.stringify(events.map(({ transferId: _id, context: _context, ...rest }) => rest));
      expect(drawn(window)).toBe(drawn(bare.events));
      expect(withHistory.watchlist).toEqual(bare.watchlist);

      // Unlabelled, within the 60 days, and at about the window's daily rate.
      for (const event of history) {
        expect(event.label).toBeUndefined();
        const at = Date.parse(event.occurredAt as string);
        expect(at).toBeLessThan(scoreFrom);
        expect(at).toBeGreaterThanOrEqual(scoreFrom - HISTORY_DAYS * DAY_MS);
        for (const side of ['debtor', 'creditor'] as const) {
          const opened = (event[side] as Party).accountOpenedAt;
          // No account pays or is paid before it was opened (a date, local to the partner).
          if (opened) expect(at).toBeGreaterThanOrEqual(Date.parse(`${opened}T00:00:00+09:00`) - DAY_MS);
        }
      }
      // The window's ordinary traffic sets the rate: the scams are its own, not life.
      const ordinary = window.filter((e) => (e.label as { kind: string }).kind === 'legitimate');
      const perDay = (ordinary.length / PROFILES[profile].spanMs) * DAY_MS;
      expect(history.length).toBeGreaterThan(perDay * HISTORY_DAYS * 0.9);
      expect(history.length).toBeLessThan(perDay * HISTORY_DAYS * 1.1);

      // Most of the window's payers have a past (fewer where the window is weeks long and people pay
      // rarely: the households profile's 600 transfers over six weeks give about two in three).
      const known = new Set(history.map((e) => accountOf(e, 'debtor')));
      const payers = new Set(window.map((e) => accountOf(e, 'debtor')));
      expect([...payers].filter((payer) => known.has(payer)).length).toBeGreaterThan(payers.size * 0.6);
    },
  );

  it('keeps monthly payments monthly: a migrant worker remits to the same family account in the history too', () => {
    const workload = generateWorkload({
      transfers: 2_000,
      seed: 5,
      profile: 'migrant-corridor',
      historyDays: HISTORY_DAYS,
    });
    const remittances = workload.events
      .slice(workload.historyTransfers)
      .filter((e) => (e.label as { pattern?: string }).pattern === 'migrant-remittance');
    const history = workload.events.slice(0, workload.historyTransfers);
    const pairs = new Set(history.map((e) => `${accountOf(e, 'debtor')}>${accountOf(e, 'creditor')}`));
    const continued = remittances.filter((e) => pairs.has(`${accountOf(e, 'debtor')}>${accountOf(e, 'creditor')}`));
    expect(remittances.length).toBeGreaterThan(50);
    expect(continued.length).toBeGreaterThan(remittances.length * 0.9);
  });

  it('refuses a history that is not a whole number of days', () => {
    expect(() => generateWorkload({ transfers: 300, seed: 1, historyDays: 1.5 })).toThrow(RangeError);
    expect(() => generateWorkload({ transfers: 300, seed: 1, historyDays: -1 })).toThrow(RangeError);
  });
});
