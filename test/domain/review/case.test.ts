import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  caseVersion,
  decideCaseAction,
  groupCases,
  totalsByCurrency,
  victimSignals,
  visibleInCase,
  type LinkedFlag,
} from '#domain/review/case.ts';
import { decisionUpdate, listedAccountId } from '#domain/review/consequences.ts';
import { flagRow } from '#domain/review/flag.ts';
import { ReviewRefusal } from '#domain/review/refusal.ts';
import { DEFAULT_RELEASE_LIMITS, releasePolicy } from '#domain/review/release-policy.ts';
import { NOW, analyst, pendingFlag, supervisor, taskForce } from './flag-fixture.ts';

const policy = releasePolicy(DEFAULT_RELEASE_LIMITS);
const MULE = 'M'.repeat(22);

function linked(partnerId: string, debtor: string, creditor: string, value = '1500000'): LinkedFlag {
  return { flag: pendingFlag({ partnerId, amount: { value, currency: 'KRW' } }), accountKeys: { debtor, creditor } };
}

/** A linked flag as the case list reads it: its queue row. */
const queued = ({ flag, accountKeys }: LinkedFlag) => ({ row: flagRow(flag), accountKeys });

function refusal(run: () => unknown): ReviewRefusal {
  try {
    run();
  } catch (error) {
    if (error instanceof ReviewRefusal) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('cases', () => {
  it('groups open flags by the account they share, as creditor or debtor, and counts only shared ones', () => {
    const flags = [
      linked('kr-demo-bank', 'V1', MULE),
      linked('kr-demo-bank', 'V2', MULE, '2500000'),
      linked('kh-demo-bank', MULE, 'ONWARD'),
      linked('kr-demo-bank', 'V3', 'LONE'),
    ];
    expect(groupCases(flags.map(queued))).toEqual([
      expect.objectContaining({
        accountKey: MULE,
        role: 'both',
        openFlags: 3,
        partners: ['kh-demo-bank', 'kr-demo-bank'],
        totals: [{ currency: 'KRW', value: '5500000' }],
      }),
    ]);
  });

  it('a case count is the number of distinct flags naming the account, whatever the flags (property)', () => {
    const account = fc.constantFrom('A', 'B', 'C', 'D');
    let withCases = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(account, account, fc.integer({ min: 1, max: 10 ** 9 })), { maxLength: 30 }),
        (rows) => {
          const flags = rows.map(([debtor, creditor, value]) =>
            linked('kr-demo-bank', debtor, creditor, String(value)),
          );
          const cases = groupCases(flags.map(queued));
          // Exactly the accounts two or more flags name (a flag naming an account twice counts once).
          const naming = (account: string) =>
            flags.filter((f) => f.accountKeys.debtor === account || f.accountKeys.creditor === account).length;
          const shared = ['A', 'B', 'C', 'D'].filter((account) => naming(account) >= 2);
          expect(cases.map((c) => c.accountKey).sort()).toEqual(shared);
          if (cases.length) withCases++;
          for (const summary of cases) {
            const mine = flags.filter(
              (f) => f.accountKeys.debtor === summary.accountKey || f.accountKeys.creditor === summary.accountKey,
            );
            expect(summary.openFlags).toBe(mine.length);
            expect(summary.openFlags).toBeGreaterThanOrEqual(2);
            const sum = mine.reduce((n, f) => n + BigInt(f.flag.amount.value), 0n);
            expect(summary.totals).toEqual([{ currency: 'KRW', value: String(sum) }]);
          }
        },
      ),
      { seed: 2026, numRuns: 200 },
    );
    // Not vacuous: most runs had cases to check.
    expect(withCases).toBeGreaterThan(100);
  });

  it('sums money exactly in minor units, per currency', () => {
    expect(
      totalsByCurrency([
        { value: '0.10', currency: 'USD' },
        { value: '0.20', currency: 'USD' },
        { value: '1', currency: 'KRW' },
      ]),
    ).toEqual([
      { currency: 'KRW', value: '1' },
      { currency: 'USD', value: '0.30' },
    ]);
  });

  it("shows a partner officer their bank's flags only; the case version changes with any flag's version", () => {
    const flags = [linked('kr-demo-bank', 'V1', MULE), linked('kh-demo-bank', 'V2', MULE)];
    expect(visibleInCase(flags, analyst).map((l) => l.flag.partnerId)).toEqual(['kr-demo-bank']);
    expect(visibleInCase(flags, taskForce)).toHaveLength(2);
    const bumped = [{ ...flags[0]!, flag: { ...flags[0]!.flag, version: 2 } }, flags[1]!];
    expect(caseVersion(bumped)).not.toBe(caseVersion(flags));
    expect(caseVersion([...flags].reverse())).toBe(caseVersion(flags));
  });

  it('confirms every open flag through the flag state machine, listing the case account on either side', () => {
    const flags = [linked('kr-demo-bank', 'V1', MULE), linked('kr-demo-bank', MULE, 'ONWARD')];
    const steps = decideCaseAction(
      MULE,
      flags,
      supervisor,
      { action: 'CONFIRM_MULE', note: 'police report', expectedVersion: caseVersion(flags) },
      policy,
      NOW,
    );
    expect(steps.map((s) => [s.next.status, s.next.version, s.next.pendingEffects])).toEqual([
      ['CONFIRMED_FRAUD', 2, ['WATCHLIST', 'DECISION_UPDATE']],
      ['CONFIRMED_FRAUD', 2, ['WATCHLIST', 'DECISION_UPDATE']],
    ]);
    const [toMule, fromMule] = steps.map((s) => s.next);
    expect(listedAccountId(toMule!)).toBe(toMule!.transfer.creditor.accountId);
    expect(listedAccountId(fromMule!)).toBe(fromMule!.transfer.debtor.accountId);
    expect(decisionUpdate(fromMule!).reasons.at(-1)!.explanation).toContain('the debtor account is held at this bank');
  });

  it("refuses to list a case's account as a sender without pass-through evidence: it may be the victim", () => {
    const victim = 'V'.repeat(22);
    const flags = [linked('kr-demo-bank', victim, 'MULE1'), linked('kr-demo-bank', victim, 'MULE2')];
    const refused = refusal(() =>
      decideCaseAction(
        victim,
        flags,
        supervisor,
        { action: 'CONFIRM_MULE', note: 'two payments to mules', expectedVersion: caseVersion(flags) },
        policy,
        NOW,
      ),
    );
    expect(refused.code).toBe('NO_PASS_THROUGH');
    expect(refused.message).toContain(`account ${victim} sent kr-demo-bank/`);
    expect(refused.message).toContain('may be a victim');
  });

  it('lists a sender whose sending screening found to be pass-through, even without an inbound flag', () => {
    const sender = 'S'.repeat(22);
    const flag = pendingFlag();
    const passThrough = {
      flag: { ...flag, reasons: [{ ...flag.reasons[0]!, ruleId: 'PASS-THROUGH-1H', typology: 'rapid-pass-through' }] },
      accountKeys: { debtor: sender, creditor: 'ONWARD' },
    };
    const [step] = decideCaseAction(
      sender,
      [passThrough],
      supervisor,
      { action: 'CONFIRM_MULE', note: 'forwarded within minutes', expectedVersion: caseVersion([passThrough]) },
      policy,
      NOW,
    );
    expect(step!.next.audit.at(-1)!.listedParty).toBe('debtor');
  });

  it('decides nothing when any flag refuses, and names each refused flag', () => {
    const open = linked('kr-demo-bank', 'V1', MULE);
    const escalated = linked('kr-demo-bank', 'V2', MULE);
    const [step] = decideCaseAction(
      MULE,
      [escalated],
      analyst,
      { action: 'ESCALATE', note: 'n', expectedVersion: caseVersion([escalated]) },
      policy,
      NOW,
    );
    const flags = [open, { ...escalated, flag: step!.next }];
    const problem = refusal(() =>
      decideCaseAction(
        MULE,
        flags,
        analyst,
        { action: 'CONFIRM_MULE', note: 'n', expectedVersion: caseVersion(flags) },
        policy,
        NOW,
      ),
    );
    expect(problem.code).toBe('SUPERVISOR_REQUIRED');
    expect(problem.message).toContain(`1 of the case's 2 flags`);
    expect(problem.message).toContain(escalated.flag.transferId);
    const stale = refusal(() =>
      decideCaseAction(
        MULE,
        flags,
        supervisor,
        { action: 'CONFIRM_MULE', note: 'n', expectedVersion: 'old' },
        policy,
        NOW,
      ),
    );
    expect(stale.code).toBe('VERSION_CONFLICT');
  });

  it("names a victim's signals in words", () => {
    expect(victimSignals(pendingFlag())).toEqual([
      'on a phone call',
      'remote-access app',
      'new payee',
      'sender aged 72',
      'voice-phishing',
    ]);
  });
});
