import { beforeAll, describe, expect, it } from 'vitest';
import { TransferEventSchema } from '#domain/contract/transfer-event.ts';
import { WatchlistListingSchema } from '#domain/watchlist/listing.ts';
import {
  DEFAULT_WORKLOAD_START,
  ENDING_MS,
  MIN_WORKLOAD_TRANSFERS,
  generateWorkload,
  type Workload,
} from '#local/workload/generate.ts';
import { TYPOLOGIES, WorkloadLabelSchema, type ScamLabel, type WorkloadLabel } from '#local/workload/labels.ts';

/** The fields these tests read, typed; the schema test below checks them for every event. */
interface LabelledEvent {
  transferId: string;
  partnerId: string;
  occurredAt: string;
  amount: { value: string; currency: string };
  debtor: { accountId: string; country?: string; birthYear?: number };
  creditor: { accountId: string; country?: string; accountType?: string };
  context?: { newPayee?: boolean; activeCall?: boolean; remoteAccessApp?: boolean };
  label: WorkloadLabel;
}

const labelled = (workload: Workload) => workload.events as unknown as LabelledEvent[];

function scenarios(events: readonly LabelledEvent[]): Map<string, Array<LabelledEvent & { label: ScamLabel }>> {
  const byId = new Map<string, Array<LabelledEvent & { label: ScamLabel }>>();
  for (const event of events) {
    if (event.label.kind !== 'scam') continue;
    const scenario = byId.get(event.label.scenarioId) ?? [];
    scenario.push(event as LabelledEvent & { label: ScamLabel });
    byId.set(event.label.scenarioId, scenario);
  }
  return byId;
}

function scenarioCounts(events: readonly LabelledEvent[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(TYPOLOGIES.map((t) => [t, 0]));
  for (const [first] of scenarios(events).values()) counts[first!.label.typology]! += 1;
  return counts;
}

const ofTypology = (events: readonly LabelledEvent[], typology: ScamLabel['typology']) =>
  [...scenarios(events).values()].filter(([first]) => first!.label.typology === typology);

const koreanWon = (event: LabelledEvent) => (event.amount.currency === 'KRW' ? Number(event.amount.value) : undefined);

describe('workload generator', () => {
  let small: Workload;
  let large: Workload;
  beforeAll(() => {
    small = generateWorkload({ transfers: 300, seed: 7 });
    large = generateWorkload({ transfers: 20_000, seed: 1 });
  });

  it('gives byte-identical events and watchlist for the same options, and others for another seed', () => {
    const again = generateWorkload({ transfers: 300, seed: 7 });
    expect(JSON.stringify(again)).toBe(JSON.stringify(small));
    expect(JSON.stringify(generateWorkload({ transfers: 300, seed: 8 }).events)).not.toBe(JSON.stringify(small.events));
  });

  it('produces exactly the number of transfers asked for', () => {
    for (const transfers of [MIN_WORKLOAD_TRANSFERS, 301, 1_234]) {
      expect(generateWorkload({ transfers, seed: 3 }).events).toHaveLength(transfers);
    }
    expect(large.events).toHaveLength(20_000);
  });

  it('refuses a workload too small to hold every typology', () => {
    expect(() => generateWorkload({ transfers: MIN_WORKLOAD_TRANSFERS - 1, seed: 1 })).toThrow(RangeError);
    expect(() => generateWorkload({ transfers: 250.5, seed: 1 })).toThrow(/whole number/);
  });

  it('emits events that all pass the v1 contract', () => {
    const refused = [...small.events, ...large.events].flatMap((event) => {
      const parsed = TransferEventSchema.safeParse(event);
      return parsed.success ? [] : [`${JSON.stringify(event)}: ${parsed.error.message}`];
    });
    expect(refused).toEqual([]);
  });

  it('labels every event, with scenario steps numbered from 1 in event order', () => {
    expect(labelled(large).filter((e) => !WorkloadLabelSchema.safeParse(e.label).success)).toEqual([]);
    for (const scenario of scenarios(labelled(large)).values()) {
      expect(scenario.map((e) => e.label.step)).toEqual(scenario.map((_, i) => i + 1));
      expect(new Set(scenario.map((e) => e.label.typology)).size).toBe(1);
    }
  });

  it('injects every typology: at least one scenario at 300 transfers and 15 at 20,000', () => {
    for (const count of Object.values(scenarioCounts(labelled(small)))) expect(count).toBeGreaterThanOrEqual(1);
    for (const count of Object.values(scenarioCounts(labelled(large)))) expect(count).toBeGreaterThanOrEqual(15);
    const scam = labelled(large).filter((e) => e.label.kind === 'scam').length;
    expect(scam / 20_000).toBeGreaterThan(0.03);
    expect(scam / 20_000).toBeLessThan(0.06);
  });

  it("spreads two days of event time, in order, in each partner bank's time zone", () => {
    const times = labelled(large).map((e) => Date.parse(e.occurredAt));
    expect(times.filter((t, i) => i > 0 && t < times[i - 1]!)).toEqual([]);
    expect(times.at(-1)! - times[0]!).toBeGreaterThan(40 * 3_600_000);
    const start = DEFAULT_WORKLOAD_START.getTime();
    for (const workload of [large, ...[1, 2, 3, 4, 5, 6].map((seed) => generateWorkload({ transfers: 600, seed }))]) {
      const outside = labelled(workload).filter(
        (e) => Date.parse(e.occurredAt) < start || Date.parse(e.occurredAt) >= start + 48 * 3_600_000,
      );
      expect(outside).toEqual([]);
    }
    const wrongZone = labelled(large).filter(
      (e) => !e.occurredAt.endsWith(e.partnerId === 'kr-demo-bank' ? '+09:00' : '+07:00'),
    );
    expect(wrongZone).toEqual([]);
  });

  it('starts where it is told to', () => {
    const start = new Date('2027-01-04T00:00:00+09:00');
    const first = labelled(generateWorkload({ transfers: 300, seed: 7, start }))[0]!;
    expect(Date.parse(first.occurredAt)).toBeGreaterThanOrEqual(start.getTime());
    expect(Date.parse(first.occurredAt)).toBeLessThan(start.getTime() + 48 * 3_600_000);
  });

  it('fits a window shorter than a day, starting at any hour, for live-like traffic', () => {
    // 23:30 in Seoul: paydays and office hours of the first day fall before the window.
    const start = new Date('2027-01-04T23:30:00+09:00');
    const window = (hours: number) =>
      generateWorkload({ transfers: 200, seed: 7, start, spanMs: hours * 3_600_000 }).events.map((e) =>
        Date.parse(String(e.occurredAt)),
      );
    // An hour holds none of the hours most payments want: drawn anyway, not sought forever.
    expect(window(1)).toHaveLength(200);
    const times = window(23);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(start.getTime());
    expect(Math.max(...times)).toBeLessThan(start.getTime() + 23 * 3_600_000);
  });

  it('uses KRW at the Korean partner and USD or whole riel at the Cambodian one', () => {
    const partners = new Set(labelled(large).map((e) => e.partnerId));
    expect(partners).toEqual(new Set(['kr-demo-bank', 'kh-demo-bank']));
    const currencies = { 'kr-demo-bank': ['KRW', 'USD'], 'kh-demo-bank': ['USD', 'KHR'] } as Record<string, string[]>;
    expect(labelled(large).filter((e) => !currencies[e.partnerId]!.includes(e.amount.currency))).toEqual([]);
    expect(labelled(large).filter((e) => e.amount.currency !== 'USD' && !/^[1-9]\d*$/.test(e.amount.value))).toEqual(
      [],
    );
    expect(new Set(labelled(large).map((e) => e.amount.currency))).toEqual(new Set(['KRW', 'USD', 'KHR']));
  });

  it('gives every transfer its own id within its partner', () => {
    const ids = new Set(labelled(large).map((e) => `${e.partnerId}\n${e.transferId}`));
    expect(ids.size).toBe(20_000);
  });

  it('marks a payee new only on the first payment of the workload', () => {
    const paid = new Set<string>();
    const repeatedAsNew = labelled(large).filter((event) => {
      const pair = `${event.debtor.accountId}>${event.creditor.accountId}`;
      const repeated = paid.has(pair);
      paid.add(pair);
      return repeated && event.context?.newPayee !== false;
    });
    expect(repeatedAsNew).toEqual([]);
  });

  it('lists every known mule on the watchlist, next to listed accounts that receive nothing', () => {
    const listed = new Set(large.watchlist.map((entry) => entry.accountId));
    const knownMules = new Set(
      ofTypology(labelled(large), 'known-mule').flatMap((s) => s.map((e) => e.creditor.accountId)),
    );
    for (const accountId of knownMules) expect(listed).toContain(accountId);
    const paid = new Set(labelled(large).map((e) => e.creditor.accountId));
    expect([...listed].filter((accountId) => !paid.has(accountId)).length).toBeGreaterThan(0);
    for (const { listing } of large.watchlist) expect(WatchlistListingSchema.safeParse(listing).success).toBe(true);
    const categories = new Set(large.watchlist.map((entry) => entry.listing.category));
    expect(categories).toContain('CONFIRMED_FRAUD');
    expect(categories).toContain('SUSPECTED_MULE');
  });

  it('collects a fan-in from 10 to 50 distinct victims within hours, counting only the first ten', () => {
    for (const scenario of ofTypology(labelled(large), 'mule-fan-in')) {
      expect(new Set(scenario.map((e) => e.debtor.accountId)).size).toBe(scenario.length);
      expect(scenario.length).toBeGreaterThanOrEqual(10);
      expect(scenario.length).toBeLessThanOrEqual(50);
      expect(new Set(scenario.map((e) => e.creditor.accountId)).size).toBe(1);
      expect(['PERSONAL', 'EMONEY']).toContain(scenario[0]!.creditor.accountType);
      expect(scenario.map((e) => e.label.countsAsCaughtIfHeld)).toEqual(scenario.map((_, i) => i < 10));
      const span = Date.parse(scenario.at(-1)!.occurredAt) - Date.parse(scenario[0]!.occurredAt);
      expect(span).toBeGreaterThan(0);
      expect(span).toBeLessThanOrEqual(8 * 3_600_000);
    }
  });

  it('forwards most of what a pass-through mule received within the hour', () => {
    for (const scenario of ofTypology(labelled(large), 'rapid-pass-through')) {
      const victims = scenario.filter((e) => e.label.role === 'victim-payment');
      const onward = scenario.filter((e) => e.label.role === 'onward-transfer');
      expect(victims.length).toBeGreaterThanOrEqual(1);
      expect(onward.length).toBeGreaterThanOrEqual(1);
      const mule = victims[0]!.creditor.accountId;
      for (const e of onward) expect(e.debtor.accountId).toBe(mule);
      const received = victims.reduce((sum, e) => sum + Number(e.amount.value), 0);
      const forwarded = onward.reduce((sum, e) => sum + Number(e.amount.value), 0);
      expect(forwarded / received).toBeGreaterThanOrEqual(0.8);
      expect(forwarded).toBeLessThanOrEqual(received);
      expect(Date.parse(onward.at(-1)!.occurredAt) - Date.parse(victims.at(-1)!.occurredAt)).toBeLessThanOrEqual(
        60 * 60_000,
      );
    }
  });

  it('shapes the single-victim typologies as their rules describe them', () => {
    const events = labelled(large);
    const year = 2026;
    for (const scenario of ofTypology(events, 'voice-phishing')) {
      expect(new Set(scenario.map((e) => e.debtor.accountId)).size).toBe(1);
      for (const e of scenario) expect(koreanWon(e)).toBeGreaterThanOrEqual(1_000_000);
      for (const e of scenario) expect(koreanWon(e)).toBeLessThanOrEqual(30_000_000);
    }
    const onCall = ofTypology(events, 'voice-phishing').filter(
      (s) => s[0]!.context?.activeCall || s[0]!.context?.remoteAccessApp,
    );
    expect(onCall.length / ofTypology(events, 'voice-phishing').length).toBeGreaterThan(0.7);
    for (const scenario of ofTypology(events, 'elderly-new-payee')) {
      expect(year - scenario[0]!.debtor.birthYear!).toBeGreaterThanOrEqual(65);
      expect(scenario[0]!.context?.newPayee).toBe(true);
    }
    for (const scenario of ofTypology(events, 'escalating-deposits')) {
      expect(scenario.length).toBeGreaterThanOrEqual(3);
      expect(scenario.length).toBeLessThanOrEqual(6);
      expect(new Set(scenario.map((e) => e.creditor.accountId)).size).toBe(1);
      expect(Number(scenario.at(-1)!.amount.value)).toBeGreaterThan(Number(scenario[0]!.amount.value));
    }
    for (const scenario of ofTypology(events, 'crypto-offramp')) {
      expect(['CRYPTO_EXCHANGE', 'EMONEY']).toContain(scenario[0]!.creditor.accountType);
      expect(scenario[0]!.context?.newPayee).toBe(true);
    }
    for (const scenario of ofTypology(events, 'scam-hub-cross-border')) {
      for (const e of scenario) {
        expect(e.debtor.country).toBe('KR');
        expect(['KH', 'MM', 'LA', 'PH']).toContain(e.creditor.country);
      }
      expect(scenario[0]!.context?.newPayee).toBe(true);
    }
  });

  it('includes the legitimate edge cases a naive rule set would hold', () => {
    const patterns = new Set(labelled(large).flatMap((e) => (e.label.kind === 'legitimate' ? [e.label.pattern] : [])));
    for (const pattern of [
      'elderly-large-new-payee',
      'crypto-first-purchase',
      'cross-border-family-support',
      'rent-multi-unit-landlord',
      'small-business-personal-account',
      'qr-personal-vendor',
      'salary-sweep',
    ] as const) {
      expect(patterns).toContain(pattern);
    }
  });

  it('places the payments the delayed-withdrawal rule holds in the last minutes when asked (the demo), changing nothing else', () => {
    const end = DEFAULT_WORKLOAD_START.getTime() + 2 * 86_400_000;
    const withDelays = generateWorkload({ transfers: 300, seed: 7, delayedAtEnd: 3 });
    expect(withDelays.events).toHaveLength(300);
    const ending = labelled(withDelays).filter(
      (event) => Date.parse(event.occurredAt) >= end - ENDING_MS && Number(event.amount.value) >= 1_000_000,
    ) as Array<LabelledEvent & { creditor: { accountOpenedAt?: string } }>;
    expect(ending.length).toBeGreaterThanOrEqual(3);
    for (const event of ending.slice(-3)) {
      expect(event).toMatchObject({ partnerId: 'kr-demo-bank', label: { kind: 'legitimate' } });
      expect(event.creditor.country).toBe('KR');
      // Opened within the rule's 30 days, and the sending bank knows when.
      expect(end - Date.parse(event.creditor.accountOpenedAt!)).toBeLessThanOrEqual(31 * 86_400_000);
      expect(Date.parse(event.occurredAt)).toBeLessThan(end);
    }
    expect(JSON.stringify(generateWorkload({ transfers: 300, seed: 7, delayedAtEnd: 0 }))).toBe(JSON.stringify(small));
    expect(() => generateWorkload({ transfers: 300, seed: 7, delayedAtEnd: 31 })).toThrow(RangeError);
  });
});
