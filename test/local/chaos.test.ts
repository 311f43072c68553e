import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { MAX_RECEIVE_COUNT } from '#adapters/sqs/queues.ts';
import { runChaos } from '#local/chaos.ts';
import { arrivingAt } from '#local/simulated-clock.ts';
import { RUNTIME_EXIT_ERROR } from '#local/lambda-containers.ts';
import { startLocalPipeline } from '#local/pipeline.ts';
import type { InvocationReport } from '#local/poller.ts';
import { generateWorkload } from '#local/workload/generate.ts';

describe('crash points in the screening containers', () => {
  it('a container killed after its writes, before sending: the batch comes back, the container is replaced, nothing is sent', async () => {
    const { events } = generateWorkload({ transfers: 200, seed: 11 });
    const { label: _label, ...event } = events[0]!;
    const reports: InvocationReport[] = [];
    const pipeline = await startLocalPipeline({
      partners: [String(event.partnerId)],
      simulatedClock: true,
      deviations: { visibilityTimeoutSeconds: 1 },
      tuning: { containersPerFunction: 1, waitTimeSeconds: 1 },
      chaos: { seed: 3, faultRate: 0, faults: ['throttle'], crashRate: 1, crashPoints: ['before-send'] },
      onInvocation: (report) => reports.push(report),
    });
    try {
      await pipeline.send(String(event.partnerId), [
        { body: JSON.stringify(event), attributes: arrivingAt(String(event.occurredAt)) },
      ]);
      await pipeline.drain({ timeoutMs: 60_000 });
      // Every receive crashed its container, and each crash got a fresh one, until the redrive policy took it.
      expect(reports.length).toBeGreaterThanOrEqual(2);
      expect(reports.length).toBeLessThanOrEqual(MAX_RECEIVE_COUNT);
      expect(reports.every((r) => (r.error as Error).name === RUNTIME_EXIT_ERROR)).toBe(true);
      expect(await pipeline.deadLetters()).toHaveLength(1);
      // Its writes landed before each crash; no decision ever reached the partner.
      const { Item } = await pipeline.clients.documents.send(
        new GetCommand({
          TableName: pipeline.tables.decisions,
          Key: { partnerId: event.partnerId, transferId: event.transferId },
        }),
      );
      expect(Item?.transferId).toBe(event.transferId);
      const { Messages = [] } = await pipeline.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: pipeline.queues[String(event.partnerId)]!.decisions.url }),
      );
      expect(Messages).toEqual([]);
    } finally {
      await pipeline.stop();
    }
  }, 90_000);
});

describe('runChaos', () => {
  it('loses nothing, decides nothing twice, sends nothing conflicting and ends in the fault-free state', async () => {
    const report = await runChaos({
      transfers: 2_000,
      seed: 2026,
      faultRate: 0.05,
      duplicateRate: 0.02,
      // Crashes are drawn per invocation, and batching decides how many there are (about 200): at 1% a
      // run had no crash one time in eight; at 4% one in 3,000.
      crashRate: 0.04,
      pipeline: { handlerLogLevel: 'SILENT' },
    });
    expect(report.chaosRun.duplicatesSent).toBeGreaterThan(0);
    expect(report.chaosRun.recordsRetried).toBeGreaterThan(0);
    expect(report.lost).toEqual({ count: 0, examples: [] });
    expect(report.decidedTwice).toEqual({ count: 0, examples: [] });
    expect(report.conflictingSends).toEqual({ count: 0, examples: [] });
    expect(report.deadLetters.count).toBe(0);
    expect(report.state).toMatchObject({ windowFactsEqual: true, differences: [] });
    expect(report.state.accounts).toBe(report.state.referenceAccounts);
  }, 240_000);
});
