import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import type { Officer } from '#domain/review/officer.ts';
import { RulePackRefusal } from '#domain/rules/maker-checker.ts';
import { createRulePackGovernance } from '#use-cases/rules/governance.ts';
import shippedPack from '../../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };
import { startDynamoFixture, type DynamoFixture } from '../../support/local-dynamo.ts';

let fixture: DynamoFixture;
let store: DynamoRulePackStore;
beforeAll(async () => {
  fixture = await startDynamoFixture();
  store = new DynamoRulePackStore(fixture.clients.documents, fixture.tables.rulePacks);
});
afterAll(async () => fixture.close());

const OFFICERS = {
  analyst: { id: 'u-mina', username: 'mina', role: 'analyst', partnerId: 'kr-demo-bank' },
  bankSupervisor: { id: 'u-park', username: 'park', role: 'supervisor', partnerId: 'kr-demo-bank' },
  cambodianSupervisor: { id: 'u-sokha', username: 'sokha', role: 'supervisor', partnerId: 'kh-demo-bank' },
  taskForce: { id: 'u-hana', username: 'hana', role: 'supervisor', partnerId: '*' },
  // The same person as hana, with a second token (another session, another name typed in): one subject.
  taskForceAgain: { id: 'u-hana', username: 'hana.kim', role: 'supervisor', partnerId: '*' },
  otherTaskForce: { id: 'u-joon', username: 'joon', role: 'supervisor', partnerId: '*' },
} satisfies Record<string, Officer>;
type Who = keyof typeof OFFICERS;
const GOVERNORS = new Set(['u-hana', 'u-joon']);

type Step =
  | { kind: 'propose'; who: Who; version: number }
  | { kind: 'approve' | 'reject'; who: Who; version: number }
  | { kind: 'activate'; who: Who; version: number }
  | { kind: 'shadow'; who: Who; version: number | null };

let packs = 0;
/** A pack of its own per run, so runs cannot see each other's audit. */
function freshPack() {
  const packId = `gov-${++packs}`;
  const documentOf = (version: number) => ({ ...shippedPack, packId, version: `${packId}-v${version}` });
  return { packId, documentOf, versionOf: (version: number) => `${packId}-v${version}` };
}

async function take(step: Step, pack: ReturnType<typeof freshPack>, minute: number) {
  const governance = createRulePackGovernance({ store, clock: () => new Date(Date.UTC(2026, 11, 7, 9, minute)) });
  const officer = OFFICERS[step.who];
  switch (step.kind) {
    case 'propose':
      return governance.propose(officer, pack.packId, { pack: pack.documentOf(step.version), note: 'proposed' });
    case 'approve':
    case 'reject':
      return governance.decide(
        officer,
        { packId: pack.packId, version: pack.versionOf(step.version) },
        step.kind === 'approve' ? 'APPROVED' : 'REJECTED',
        'decided',
      );
    case 'activate':
      return governance.activate(officer, { packId: pack.packId, version: pack.versionOf(step.version) }, 'activated');
    case 'shadow':
      return governance.shadow(
        officer,
        pack.packId,
        step.version === null ? null : pack.versionOf(step.version),
        'shadowed',
      );
  }
}

// Weighted towards the two task-force supervisors and two versions, so most runs reach an approval.
const who: fc.Arbitrary<Who> = fc.oneof(
  { arbitrary: fc.constantFrom<Who>('taskForce', 'otherTaskForce'), weight: 3 },
  { arbitrary: fc.constantFrom<Who>('analyst', 'bankSupervisor', 'cambodianSupervisor', 'taskForceAgain'), weight: 2 },
);
const version = fc.integer({ min: 1, max: 2 });
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('propose' as const), who, version }),
  fc.record({ kind: fc.constantFrom('approve' as const, 'reject' as const), who, version }),
  fc.record({ kind: fc.constant('activate' as const), who, version }),
  fc.record({ kind: fc.constant('shadow' as const), who, version: fc.option(version, { nil: null }) }),
);
/**
 * A proposal, an approval and an activation of one version, in that order, each by anyone, with random
 * steps of any kind around them: most runs come near a version in force, by a route the property judges.
 */
const noise = fc.array(step, { maxLength: 3 });
const steps: fc.Arbitrary<Step[]> = fc
  .tuple(noise, noise, noise, noise, version, who, who, who)
  .map(([a, b, c, d, v, proposer, approver, activator]) => [
    ...a,
    { kind: 'propose' as const, who: proposer, version: v },
    ...b,
    { kind: 'approve' as const, who: approver, version: v },
    ...c,
    { kind: 'activate' as const, who: activator, version: v },
    ...d,
  ]);

describe('rule pack governance (the review API maker-checker)', () => {
  it('puts a version in force only after a different task-force supervisor approved it, whatever the order of steps (fast-check, fixed seed)', async () => {
    let activations = 0;
    await fc.assert(
      fc.asyncProperty(steps, async (run) => {
        const pack = freshPack();
        for (const [minute, s] of run.entries()) {
          const accepted = await take(s, pack, minute).then(
            () => true,
            (error: unknown) => {
              if (!(error instanceof RulePackRefusal)) throw error;
              return false;
            },
          );
          // Only proposing is open to every officer; every other step is a task-force supervisor's.
          if (accepted && s.kind !== 'propose') expect(GOVERNORS.has(OFFICERS[s.who].id)).toBe(true);
        }
        const trail = await store.auditTrail(pack.packId);
        const proposerOf = (v: string) => trail.find((e) => e.action === 'PROPOSED' && e.version === v)!.actor.id;
        for (const decision of trail.filter((e) => e.action === 'APPROVED' || e.action === 'REJECTED')) {
          expect(decision.actor.id).not.toBe(proposerOf(decision.version));
          expect(GOVERNORS.has(decision.actor.id)).toBe(true);
        }
        for (const entry of trail.filter((e) => e.action === 'ACTIVATED')) {
          activations++;
          const proposal = trail.find((e) => e.action === 'PROPOSED' && e.version === entry.version)!;
          const approval = trail.find((e) => e.action === 'APPROVED' && e.version === entry.version);
          expect(approval).toBeDefined();
          expect(approval!.actor.id).not.toBe(proposal.actor.id);
          expect(GOVERNORS.has(approval!.actor.id)).toBe(true);
          expect(GOVERNORS.has(entry.actor.id)).toBe(true);
        }
        const active = await store.currentVersion(pack.packId);
        if (active) expect(trail.some((e) => e.action === 'ACTIVATED' && e.version === active)).toBe(true);
      }),
      { seed: 2026, numRuns: 60 },
    );
    // The property held over runs that did put versions in force, not only over refusals.
    expect(activations).toBeGreaterThan(10);
  });

  it('never lets one person put their own proposal in force, with any number of tokens', async () => {
    const pack = freshPack();
    await take({ kind: 'propose', who: 'taskForce', version: 1 }, pack, 0);
    for (const who of ['taskForce', 'taskForceAgain'] as const)
      await expect(take({ kind: 'approve', who, version: 1 }, pack, 1)).rejects.toMatchObject({
        code: 'SELF_APPROVAL',
      });
    await expect(take({ kind: 'activate', who: 'taskForceAgain', version: 1 }, pack, 2)).rejects.toMatchObject({
      code: 'NOT_APPROVED',
    });
    expect(await store.currentVersion(pack.packId)).toBeUndefined();
  });

  it("refuses a bank's supervisor every governing step, naming the bank", async () => {
    const pack = freshPack();
    await take({ kind: 'propose', who: 'analyst', version: 1 }, pack, 0);
    await expect(take({ kind: 'approve', who: 'bankSupervisor', version: 1 }, pack, 1)).rejects.toThrow(
      'park is supervisor of kr-demo-bank; deciding on a rule pack needs a task-force supervisor',
    );
    await take({ kind: 'approve', who: 'otherTaskForce', version: 1 }, pack, 2);
    await expect(take({ kind: 'activate', who: 'cambodianSupervisor', version: 1 }, pack, 3)).rejects.toMatchObject({
      code: 'TASK_FORCE_SUPERVISOR_REQUIRED',
    });
    await expect(take({ kind: 'shadow', who: 'bankSupervisor', version: 1 }, pack, 4)).rejects.toMatchObject({
      code: 'TASK_FORCE_SUPERVISOR_REQUIRED',
    });
    expect((await store.auditTrail(pack.packId)).map((e) => [e.action, e.actor.username])).toEqual([
      ['PROPOSED', 'mina'],
      ['APPROVED', 'joon'],
    ]);
  });

  it('takes the activated version out of shadow, audited, and leaves another version in shadow alone', async () => {
    const pack = freshPack();
    for (const version of [1, 2, 3]) {
      await take({ kind: 'propose', who: 'analyst', version }, pack, 0);
      await take({ kind: 'approve', who: 'taskForce', version }, pack, 1);
    }
    await take({ kind: 'activate', who: 'otherTaskForce', version: 3 }, pack, 2);
    await take({ kind: 'shadow', who: 'taskForce', version: 1 }, pack, 3);
    await take({ kind: 'activate', who: 'otherTaskForce', version: 2 }, pack, 4);
    expect(await store.shadowVersion(pack.packId)).toBe(pack.versionOf(1));
    await take({ kind: 'activate', who: 'otherTaskForce', version: 1 }, pack, 5);
    expect(await store.shadowVersion(pack.packId)).toBeUndefined();
    expect((await store.auditTrail(pack.packId)).slice(-2).map((e) => [e.action, e.version, e.note])).toEqual([
      ['ACTIVATED', pack.versionOf(1), 'activated'],
      ['UNSHADOWED', pack.versionOf(1), `${pack.versionOf(1)} is in force`],
    ]);
  });

  it('refuses a proposal to one pack of a document naming another', async () => {
    const pack = freshPack();
    const governance = createRulePackGovernance({ store, clock: () => new Date() });
    await expect(
      governance.propose(OFFICERS.analyst, pack.packId, { pack: { ...shippedPack }, note: 'x' }),
    ).rejects.toMatchObject({ code: 'PACK_MISMATCH' });
  });
});
