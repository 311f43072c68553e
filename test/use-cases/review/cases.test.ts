import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoWatchlistStore } from '#adapters/dynamodb/watchlist-store.ts';
import { ReviewRefusal } from '#domain/review/refusal.ts';
import { startDynamoFixture, type DynamoFixture } from '../../support/local-dynamo.ts';
import {
  RecordingPublisher,
  heldTransfer,
  officer,
  pseudonymiser,
  reviewService,
  screen,
} from '../../support/review-fixtures.ts';

/**
 * Integration: cases per mule account with the real adapters on dynalite, on flags and decisions
 * written by the real screening code: victims at two banks pay one mule, which pays on.
 */
let fixture: DynamoFixture;
const kim = officer('analyst', 'kr-demo-bank', 'kim');
const lee = officer('supervisor', 'kr-demo-bank', 'lee');
const sok = officer('analyst', 'kh-demo-bank', 'sok');
const chan = officer('supervisor', '*', 'chan');
const now = new Date('2026-11-24T06:00:00.000Z');
const MULE = 'KH-MULE-CASE-1';
const muleKey = pseudonymiser.accountKey(MULE);
const publisher = new RecordingPublisher();
const service = () => reviewService(fixture, { publisher, clock: () => now });

async function refusalOf(promise: Promise<unknown>): Promise<ReviewRefusal> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReviewRefusal);
  return error as ReviewRefusal;
}

beforeAll(async () => {
  fixture = await startDynamoFixture();
  const victim = (n: number, partnerId: string, at: string) =>
    heldTransfer({
      transferId: `CASE-${partnerId.slice(0, 2).toUpperCase()}-${n}`,
      partnerId,
      occurredAt: at,
      debtor: { accountId: `VICTIM-CASE-${partnerId}-${n}` },
      creditor: { accountId: MULE },
    });
  await screen(
    fixture,
    [
      victim(1, 'kr-demo-bank', '2026-11-24T01:00:00.000Z'),
      victim(2, 'kr-demo-bank', '2026-11-24T02:00:00.000Z'),
      victim(3, 'kr-demo-bank', '2026-11-24T03:00:00.000Z'),
      victim(1, 'kh-demo-bank', '2026-11-24T03:30:00.000Z'),
      // The mule sends on from its own bank (kh), held too: the case links it as the debtor.
      heldTransfer({
        transferId: 'CASE-KH-ONWARD',
        partnerId: 'kh-demo-bank',
        occurredAt: '2026-11-24T04:00:00.000Z',
        debtor: { accountId: MULE },
        creditor: { accountId: 'KH-ONWARD-EXCHANGE' },
      }),
    ],
    now,
  );
});
afterAll(async () => fixture.close());

describe('cases per mule account', () => {
  it("lists the mule as a case, each officer counting only the flags of their own bank's", async () => {
    const krCases = await service().listCases(kim, { limit: 10 });
    expect(krCases.find((c) => c.accountKey === muleKey)).toMatchObject({
      role: 'receives',
      openFlags: 3,
      // Triage: how many wait for anyone, how many for a supervisor, and no DELAY hold to race.
      pendingFlags: 3,
      escalatedFlags: 0,
      earliestHoldUntil: null,
      partners: ['kr-demo-bank'],
      totals: [{ currency: 'KRW', value: '4500000' }],
    });
    const allCases = await service().listCases(chan, { limit: 10 });
    expect(allCases.find((c) => c.accountKey === muleKey)).toMatchObject({
      role: 'both',
      openFlags: 5,
      partners: ['kh-demo-bank', 'kr-demo-bank'],
    });
    const refusal = await refusalOf(service().listCases(kim, { limit: 10, partnerId: 'kh-demo-bank' }));
    expect(refusal).toMatchObject({ code: 'OUT_OF_SCOPE', details: { field: 'partnerId' } });
  });

  it("shows a partner officer their bank's transfers only, and the task force every bank's", async () => {
    const kr = await service().getCase(kim, muleKey);
    expect(kr.account).toBe(MULE);
    expect(kr.transfers.map((t) => t.flag.transferId)).toEqual(['CASE-KR-3', 'CASE-KR-2', 'CASE-KR-1']);
    expect(kr.transfers[0]!.signals).toEqual(expect.arrayContaining(['on a phone call', 'remote-access app']));
    const all = await service().getCase(chan, muleKey);
    expect(all.transfers.map((t) => [t.flag.transferId, t.party])).toEqual([
      ['CASE-KH-ONWARD', 'debtor'],
      ['CASE-KH-1', 'creditor'],
      ['CASE-KR-3', 'creditor'],
      ['CASE-KR-2', 'creditor'],
      ['CASE-KR-1', 'creditor'],
    ]);
    expect(kr.version).not.toBe(all.version);
    const unknown = await refusalOf(service().getCase(kim, pseudonymiser.accountKey('NOBODY')));
    expect(unknown.code).toBe('NOT_FOUND');
    const malformed = await refusalOf(service().getCase(kim, 'not-a-key'));
    expect(malformed).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'accountKey' } });
  });

  it("draws the account's network from the decisions: the officer's own bank's transfers, other banks' as daily totals", async () => {
    const network = await service().network.ofCase(kim, muleKey);
    expect(network.scope).toBe('own bank');
    expect(network.edges.map((e) => [e.direction, e.partnerId])).toEqual(
      Array.from({ length: 3 }, () => ['inbound', 'kr-demo-bank']),
    );
    expect(network.otherBanks).toEqual(
      (['inbound', 'onward'] as const).map((direction) => ({
        partnerId: 'kh-demo-bank',
        direction,
        day: '2026-11-24',
        currency: 'KRW',
        transfers: 1,
        total: '1500000',
        held: 1,
      })),
    );
    // The kr victims' accounts are on kim's flags: in clear; nothing names the kh victim or the onward account.
    expect(network.nodes.map((n) => n.label)).toEqual(
      expect.arrayContaining([
        'VICTIM-CASE-kr-demo-bank-1',
        'VICTIM-CASE-kr-demo-bank-2',
        'VICTIM-CASE-kr-demo-bank-3',
      ]),
    );
    for (const hidden of [
      pseudonymiser.accountKey('VICTIM-CASE-kh-demo-bank-1'),
      pseudonymiser.accountKey('KH-ONWARD-EXCHANGE'),
      'KH-ONWARD-EXCHANGE',
      'CASE-KH',
    ])
      expect(JSON.stringify(network)).not.toContain(hidden);
    const taskForce = await service().network.ofCase(chan, muleKey);
    expect(taskForce.edges.find((e) => e.direction === 'onward')).toMatchObject({
      partnerId: 'kh-demo-bank',
      transferId: 'CASE-KH-ONWARD',
    });
    const ofFlag = await service().network.ofFlag(kim, 'kr-demo-bank', 'CASE-KR-1');
    expect(ofFlag.accountKey).toBe(muleKey);
    expect(ofFlag.edges).toHaveLength(3);
    // kim may see three flags on the mule: a case, so the flag page links to it.
    expect(ofFlag.caseFlags).toBe(3);
  });

  it('refuses an action on a stale case, and a confirmation only a supervisor may make, deciding nothing', async () => {
    const seen = await service().getCase(kim, muleKey);
    const stale = await refusalOf(
      service().actOnCase(kim, muleKey, { action: 'ESCALATE', note: 'x', expectedVersion: 'not-the-version' }),
    );
    expect(stale.code).toBe('VERSION_CONFLICT');
    const escalated = await service().actOnCase(kim, muleKey, {
      action: 'ESCALATE',
      note: 'three victims on calls; supervisor please confirm',
      expectedVersion: seen.version,
    });
    expect(escalated.changed.map((f) => f.status)).toEqual(['ESCALATED', 'ESCALATED', 'ESCALATED']);
    expect(escalated.view.choices.CONFIRM_MULE).toMatchObject({ allowed: false });
    // The analyst cannot confirm escalated flags: nothing changes, and the refusal names each flag.
    const refusal = await refusalOf(
      service().actOnCase(kim, muleKey, {
        action: 'CONFIRM_MULE',
        note: 'x',
        expectedVersion: escalated.view.version,
      }),
    );
    expect(refusal.code).toBe('SUPERVISOR_REQUIRED');
    expect(refusal.message).toContain('nothing was decided: 3 of the case');
    expect(refusal.message).toContain('kr-demo-bank/CASE-KR-1');
  });

  it("confirms the mule once: every open flag in view settled with its own audit entry, the decision updates sent, the account listed; the other bank's flags stay for them", async () => {
    const seen = await service().getCase(lee, muleKey);
    const result = await service().actOnCase(lee, muleKey, {
      action: 'CONFIRM_MULE',
      note: 'same mule in three reports; police case 2026-114',
      expectedVersion: seen.version,
    });
    expect(result.conflicts).toEqual([]);
    expect(result.changed.map((f) => [f.transferId, f.status, f.pendingEffects])).toEqual([
      ['CASE-KR-3', 'CONFIRMED_FRAUD', undefined],
      ['CASE-KR-2', 'CONFIRMED_FRAUD', undefined],
      ['CASE-KR-1', 'CONFIRMED_FRAUD', undefined],
    ]);
    for (const flag of result.changed)
      expect(flag.audit.map((e) => [e.action, e.actorName])).toEqual([
        ['ESCALATE', 'kim'],
        ['CONFIRM_FRAUD', 'lee'],
      ]);
    expect(result.changed[0]!.audit[1]!.note).toBe(
      `mule account confirmed (case ${muleKey}): same mule in three reports; police case 2026-114`,
    );
    const updates = publisher.sent.filter((d) => d.transferId.startsWith('CASE-KR-'));
    expect(updates.map((d) => d.outcome)).toEqual(['BLOCK', 'BLOCK', 'BLOCK']);
    const watchlist = new DynamoWatchlistStore(fixture.clients.documents, fixture.tables.watchlist, pseudonymiser);
    const listings = (await watchlist.lookup([MULE], now)).get(MULE) ?? [];
    // One supervisor confirmed it: held at their bank until a second supervisor shares the listing.
    expect(listings).toEqual([
      expect.objectContaining({ category: 'SUSPECTED_MULE', source: 'kr-demo-bank', onlyFor: 'kr-demo-bank' }),
    ]);
    expect(result.view.choices.CONFIRM_MULE).toMatchObject({ allowed: false });

    // The kh bank's flags were not kim's or lee's to decide: the kh officer still has them open.
    const kh = await service().getCase(sok, muleKey);
    expect(kh.transfers.map((t) => t.flag.status)).toEqual(['PENDING', 'PENDING']);
  });

  it('lists the debtor, not the onward creditor, when the task force confirms the mule that sent money on', async () => {
    const seen = await service().getCase(chan, muleKey);
    const result = await service().actOnCase(chan, muleKey, {
      action: 'CONFIRM_MULE',
      note: 'task force confirms',
      expectedVersion: seen.version,
    });
    expect(result.changed.map((f) => f.transferId)).toEqual(['CASE-KH-ONWARD', 'CASE-KH-1']);
    expect(result.changed[0]!.audit.at(-1)).toMatchObject({ action: 'CONFIRM_FRAUD', listedParty: 'debtor' });
    const watchlist = new DynamoWatchlistStore(fixture.clients.documents, fixture.tables.watchlist, pseudonymiser);
    const found = await watchlist.lookup([MULE, 'KH-ONWARD-EXCHANGE'], now);
    expect(
      found
        .get(MULE)
        ?.map((l) => l.source)
        .sort(),
    ).toEqual(['kh-demo-bank', 'kr-demo-bank']);
    expect(found.get('KH-ONWARD-EXCHANGE') ?? []).toEqual([]);
    const onward = publisher.sent.find((d) => d.transferId === 'CASE-KH-ONWARD')!;
    expect(onward.reasons.at(-1)!.explanation).toContain('the debtor account is held at this bank');
    const closed = await refusalOf(
      service().actOnCase(chan, muleKey, {
        action: 'CONFIRM_MULE',
        note: 'again',
        expectedVersion: result.view.version,
      }),
    );
    expect(closed.code).toBe('FLAG_CLOSED');
  });
});
