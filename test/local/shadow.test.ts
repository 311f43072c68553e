import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import { DynamoShadowStore } from '#adapters/dynamodb/shadow-store.ts';
import type { Decision } from '#domain/contract/decision.ts';
import type { TransferEvent } from '#domain/contract/transfer-event.ts';
import type { Officer } from '#domain/review/officer.ts';
import { arrivingAt } from '#local/simulated-clock.ts';
import { startLocalPipeline, type LocalPipeline } from '#local/pipeline.ts';
import { generateWorkload } from '#local/workload/generate.ts';
import { proposePack } from '#use-cases/rules/maker-checker.ts';
import { startShadow } from '#use-cases/rules/shadow-pack.ts';
import { formatShadowReport, type ShadowReport, shadowReport } from '#use-cases/rules/shadow-report.ts';
import shippedPack from '../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };

const analyst: Officer = { id: 'u-1', username: 'mina', role: 'analyst', partnerId: 'kr-demo-bank' };
/** Shadowing the shared pack is a task-force supervisor's step. */
const supervisor: Officer = { id: 'u-2', username: 'joon', role: 'supervisor', partnerId: '*' };
/** The shipped pack with DELAY from 60 instead of 40: same rules and points, so the same scores. */
const SHADOW = { ...shippedPack, version: 'kr-kh-delay-60', thresholds: { ...shippedPack.thresholds, delay: 60 } };
const REDELIVERED = 25;

/**
 * Shadow mode on the local stand-ins: the real handler in its containers, dynalite and fauxqs. A
 * proposed pack is put in shadow, a workload (with redeliveries) goes through, and the report
 * compares what the shadow pack decided with what the partners received.
 */
describe('shadow mode, end to end', () => {
  let pipeline: LocalPipeline;
  let delivered: Map<string, Decision>;
  let report: ShadowReport;

  beforeAll(async () => {
    const workload = generateWorkload({ transfers: 400, seed: 11 });
    pipeline = await startLocalPipeline({ simulatedClock: true, watchlist: workload.watchlist });
    const store = new DynamoRulePackStore(pipeline.clients.documents, pipeline.tables.rulePacks);
    const now = new Date();
    await proposePack(store, SHADOW, { officer: analyst, now, note: 'fewer DELAYs on single 45-point rules' });
    await startShadow(store, { packId: 'kr-kh', version: SHADOW.version }, { officer: supervisor, now });

    const events = workload.events.map(({ label: _label, ...event }) => event as unknown as TransferEvent);
    const byPartner = new Map<string, typeof events>();
    for (const event of [...events, ...events.slice(0, REDELIVERED)])
      byPartner.set(event.partnerId, [...(byPartner.get(event.partnerId) ?? []), event]);
    await Promise.all(
      [...byPartner].map(([partnerId, list]) =>
        pipeline.send(
          partnerId,
          list.map((event) => ({ body: JSON.stringify(event), attributes: arrivingAt(event.occurredAt) })),
        ),
      ),
    );
    await pipeline.drain({ timeoutMs: 90_000 });
    delivered = (await pipeline.collectDecisions()).decisions;

    const times = events.map((e) => Date.parse(e.occurredAt));
    report = await shadowReport(
      new DynamoShadowStore(pipeline.clients.documents, pipeline.tables.shadowDecisions),
      store,
      {
        packId: 'kr-kh',
        from: new Date(Math.min(...times)).toISOString(),
        to: new Date(Math.max(...times) + 1).toISOString(),
      },
    );
    // The README's excerpt: PRINT_SHADOW_REPORT=1 npx vitest run test/local/shadow.test.ts
    if (process.env.PRINT_SHADOW_REPORT) process.stdout.write(formatShadowReport(report));
  }, 180_000);
  afterAll(async () => pipeline?.stop());

  it('records one shadow decision per transfer, redeliveries included, beside the live decision the partner got', () => {
    expect(report.shadowVersion).toBe(SHADOW.version);
    expect(report.transfers).toBe(delivered.size);
    expect(report.liveVersions).toEqual({ [shippedPack.version]: delivered.size });
    const live = { ALLOW: 0, DELAY: 0, REVIEW: 0, BLOCK: 0 };
    for (const decision of delivered.values()) live[decision.outcome]++;
    expect(report.outcomes.live).toEqual(live);
    for (const sample of report.sample)
      expect(delivered.get(`${sample.partnerId}\n${sample.transferId}`)?.outcome).toBe(sample.live.outcome);
    expect(formatShadowReport(report)).toContain(
      `Shadow report of kr-kh: ${SHADOW.version} beside ${shippedPack.version}`,
    );
  });

  it('sends, and flags, only the live decisions', async () => {
    for (const decision of delivered.values()) expect(decision.rulesetVersion).toBe(shippedPack.version);
    const flags = await pipeline.clients.documents.send(new ScanCommand({ TableName: pipeline.tables.flags }));
    const held = [...delivered.values()].filter((d) => d.outcome === 'DELAY' || d.outcome === 'REVIEW');
    expect(flags.Items?.map((f) => f.transferId).sort()).toEqual(held.map((d) => d.transferId).sort());
  });

  it('scores the same facts: the same rules fire, and only DELAYs scoring 40-59 without a floor turn to ALLOW', async () => {
    expect(report.differing).toBeGreaterThan(0);
    expect(report.rules.every((rule) => rule.live === rule.shadow)).toBe(true);
    const { transitions } = report;
    expect(transitions.DELAY.ALLOW).toBe(report.differing);
    expect(transitions.ALLOW).toEqual({ ALLOW: report.outcomes.live.ALLOW, DELAY: 0, REVIEW: 0, BLOCK: 0 });
    for (const sample of report.sample) {
      expect(sample.shadow.score).toBe(sample.live.score);
      expect(sample.live.score).toBeGreaterThanOrEqual(40);
      expect(sample.live.score).toBeLessThan(60);
    }
    expect(report.holdRate.shadow!).toBeLessThan(report.holdRate.live!);
  });
});
