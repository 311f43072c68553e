import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '#adapters/aws-clients.ts';
import { DecisionSchema, type Decision } from '#domain/contract/decision.ts';
import { replayFile, type ReplaySummary } from '#local/replay.ts';
import { arrivingAt } from '#local/simulated-clock.ts';
import { LOCAL_CREDENTIALS, startLocalPipeline, type LocalPipeline } from '#local/pipeline.ts';
import { summariseDetection } from '#local/workload/detection.ts';
import { generateWorkload, type Workload } from '#local/workload/generate.ts';
import { TYPOLOGIES } from '#local/workload/labels.ts';
import { quietTransfer } from '../support/transfers.ts';

const keyOf = (e: { partnerId?: unknown; transferId?: unknown }) => `${String(e.partnerId)}\n${String(e.transferId)}`;

/**
 * The whole local pipeline on a small labelled workload, replayed from a file into which repeated
 * and malformed lines were mixed: the properties `npm start` and `fraudctl replay` promise.
 */
describe('the local pipeline, end to end', () => {
  let dir: string;
  let workload: Workload;
  let results: Array<Record<string, unknown>>;
  let summary: ReplaySummary;
  const repeated = new Map<number, number>(); // line of a repeat -> line of the original
  const malformed = new Map<number, string>(); // line -> what is wrong with it

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pipeline-e2e-'));
    // Two scenarios per typology: a seed where the shipped pack catches one of each, so that every
    // typology's path through the pipeline is exercised (recall is measured by backtests; see README).
    workload = generateWorkload({ transfers: 400, seed: 14 });
    const lines: string[] = [];
    const lineOfEvent = new Map<number, number>();
    workload.events.forEach((event, i) => {
      lines.push(JSON.stringify(event));
      lineOfEvent.set(i, lines.length);
      if (i % 50 === 49) {
        // At-least-once delivery upstream: an earlier transfer arrives again.
        lines.push(JSON.stringify(workload.events[i - 40]));
        repeated.set(lines.length, lineOfEvent.get(i - 40)!);
      }
      if (i === 100) {
        lines.push('{"schemaVersion":1,"transferId":"X-1",');
        malformed.set(lines.length, 'invalid JSON');
        lines.push(JSON.stringify({ ...event, transferId: 'X-2', amount: { value: '-5', currency: 'KRW' } }));
        malformed.set(lines.length, 'negative amount, routed to a partner queue');
        lines.push(JSON.stringify({ ...event, transferId: 'X-3', partnerId: '../etc' }));
        malformed.set(lines.length, 'partnerId that cannot name a queue');
      }
    });
    const file = join(dir, 'workload.ndjson');
    const out = join(dir, 'results.ndjson');
    await writeFile(file, `${lines.join('\n')}\n`);
    summary = await replayFile({ file, out, watchlist: workload.watchlist });
    results = (await readFile(out, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives every transfer exactly one decision', () => {
    const decisions = results.filter((r) => r.decidedAt !== undefined);
    expect(decisions).toHaveLength(workload.events.length);
    expect(new Set(decisions.map(keyOf))).toEqual(new Set(workload.events.map(keyOf)));
    for (const { line: _line, ...decision } of decisions) expect(DecisionSchema.safeParse(decision).success).toBe(true);
    expect(summary.deadLettered).toBe(0);
  });

  it('marks repeated transfers as duplicates of their first line instead of deciding them twice', () => {
    const duplicates = results.filter((r) => r.duplicate === true);
    expect(new Map(duplicates.map((d) => [d.line, d.duplicateOfLine]))).toEqual(repeated);
    expect(summary.duplicates).toBe(repeated.size);
  });

  it('rejects malformed lines with their line number and a reason', () => {
    const rejected = results.filter((r) => r.outcome === 'REJECTED');
    expect(rejected.map((r) => r.line)).toEqual([...malformed.keys()]);
    for (const r of rejected) expect(r.reason).toEqual(expect.stringMatching(/^[\w.()]+: /));
    expect(rejected.map((r) => String(r.reason).split(':')[0])).toEqual(['(event)', 'amount.value', 'partnerId']);
  });

  it('catches every typology at least once', () => {
    const decisions = new Map(
      results.filter((r) => r.decidedAt !== undefined).map((r) => [keyOf(r), r as unknown as Decision]),
    );
    const detection = summariseDetection(workload.events, decisions);
    for (const typology of TYPOLOGIES) {
      expect(detection.typologies[typology]?.scenarios, typology).toBeGreaterThan(0);
      expect(detection.typologies[typology]?.caught, typology).toBeGreaterThan(0);
    }
  });
});

describe('startLocalPipeline', () => {
  let pipeline: LocalPipeline;
  let events: Array<Record<string, unknown>>;

  beforeAll(async () => {
    pipeline = await startLocalPipeline({ partners: ['kr-demo-bank', 'kh-demo-bank'], simulatedClock: true });
    events = generateWorkload({ transfers: 200, seed: 3 }).events.slice(0, 120);
  }, 60_000);
  afterAll(async () => {
    await pipeline.stop();
  });

  it('screens what is sent to the partner queues, records one decision per transfer and delivers each to the partner', async () => {
    const byPartner = new Map<string, string[]>();
    for (const { label: _label, ...event } of [...events, ...events.slice(0, 20)]) {
      byPartner.set(String(event.partnerId), [
        ...(byPartner.get(String(event.partnerId)) ?? []),
        JSON.stringify(event),
      ]);
    }
    await Promise.all(
      [...byPartner].map(([partnerId, bodies]) =>
        pipeline.send(
          partnerId,
          bodies.map((body) => ({ body, attributes: arrivingAt(JSON.parse(body).occurredAt) })),
        ),
      ),
    );
    await pipeline.drain({ timeoutMs: 60_000 });

    const { decisions, deliveries } = await pipeline.collectDecisions();
    expect(new Set(decisions.keys())).toEqual(new Set(events.map(keyOf)));
    expect(deliveries).toBe(events.length + 20);
    const stored = await pipeline.clients.documents.send(
      new ScanCommand({ TableName: pipeline.tables.decisions, Select: 'COUNT' }),
    );
    expect(stored.Count).toBe(events.length);
    expect(await pipeline.rejections()).toEqual([]);
    expect(await pipeline.deadLetters()).toEqual([]);
    expect(pipeline.stats()).toMatchObject({ recordsDone: events.length + 20, recordsRetried: 0 });
    expect(pipeline.latency()?.p99).toBeGreaterThan(0);
  }, 60_000);

  it('loads the sample watchlist under a fresh pseudonym key, so that screening blocks a confirmed fraud account', async () => {
    expect(pipeline.pseudonymKey).toMatch(/^[0-9a-f]{64}$/);
    const toFraudAccount = quietTransfer({
      transferId: 'SAMPLE-1',
      partnerId: 'kr-demo-bank',
      creditor: { accountId: 'KH-ACL-000998877', bankCode: 'ACLBKHPP', country: 'KH' },
    });
    await pipeline.send('kr-demo-bank', [
      { body: JSON.stringify(toFraudAccount), attributes: arrivingAt(toFraudAccount.occurredAt) },
    ]);
    await pipeline.drain({ timeoutMs: 30_000 });
    const { decisions } = await pipeline.collectDecisions();
    expect(decisions.get('kr-demo-bank\nSAMPLE-1')).toMatchObject({ outcome: 'BLOCK' });
  }, 30_000);

  it('refuses a partner that cannot name a queue', async () => {
    await expect(startLocalPipeline({ partners: ['Kr Demo'] })).rejects.toThrow(
      /partner "Kr Demo": must be 1-40 lower-case/,
    );
  });

  it('leaves nothing listening once stopped', async () => {
    const other = await startLocalPipeline({ partners: ['stop-test'] });
    const clients = createAwsClients({
      endpoints: other.endpoints,
      region: other.region,
      credentials: { ...LOCAL_CREDENTIALS },
    });
    await other.stop();
    await expect(clients.dynamodb.send(new ListTablesCommand({}))).rejects.toThrow(/ECONNREFUSED|connect/);
    clients.dynamodb.destroy();
  }, 60_000);
});
