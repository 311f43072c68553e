import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransferEvent } from '#domain/contract/transfer-event.ts';
import { startLocalPipeline, type LocalPipeline } from '#local/pipeline.ts';
import { writeFile } from 'node:fs/promises';
import { vi } from 'vitest';
import { run as decide } from '../../bin/commands/decide.ts';
import { postDecision, signDecisionRequest } from '../../bin/commands/decision-api-client.ts';
import { captureOutput } from '../support/output.ts';
import { transferEvent } from '../support/transfers.ts';

/**
 * The decision API end to end as the local stage deploys it: calls signed with the AWS SDK's SigV4
 * signer by a partner's caller role, the gateway's IAM authorizer (signature, then the role's policy)
 * from the synthesized template, the decision API function in its container under its role, and the
 * stream's queues and tables beside it.
 */
let pipeline: LocalPipeline;
let stateDir: string;
let apiUrl: string;
const roles: Record<string, string> = {};
const KR = 'kr-demo-bank';
const KH = 'kh-demo-bank';

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'decision-api-'));
  pipeline = await startLocalPipeline({ stateDir, schedules: 'when-fired' });
  const outputs = pipeline.system.model.outputs['fraud-local-stateless']!;
  apiUrl = outputs.DecisionApiUrl!;
  roles[KR] = outputs.KrDemoBankDecisionCallerRoleArn!;
  roles[KH] = outputs.KhDemoBankDecisionCallerRoleArn!;
}, 180_000);
afterAll(async () => {
  await pipeline?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

const credentialsOf = (partnerId: string) => pipeline.system.callerCredentials(roles[partnerId]!);
const ask = (event: unknown, as = KR) =>
  postDecision(apiUrl, typeof event === 'string' ? event : JSON.stringify(event), credentialsOf(as), pipeline.region);

/** A transfer happening now (the local stage screens on the wall clock). */
const now = (overrides: Partial<Record<keyof TransferEvent, unknown>> = {}) =>
  transferEvent({ occurredAt: new Date(Date.now() - 1_000).toISOString(), ...overrides });

describe('POST /v1/decisions on the local stage', () => {
  it('answers a signed call with the decision, and the same transfer on the queue gets that decision once on the outbound queue', async () => {
    const event = now();
    const answer = await ask(event);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ transferId: event.transferId, partnerId: KR, outcome: 'REVIEW' });
    expect(answer.body, JSON.stringify(answer.body)).toMatchObject({
      rulesetVersion: expect.stringMatching(/^kr-kh-/),
    });

    // Nothing on the outbound queue from the call: the caller has its decision.
    expect((await pipeline.collectDecisions()).decisions.size).toBe(0);
    await pipeline.send(KR, [{ body: JSON.stringify(event) }]);
    await pipeline.drain();
    const { decisions, deliveries } = await pipeline.collectDecisions();
    expect(deliveries).toBe(1);
    expect(decisions.get(`${KR}\n${event.transferId}`)).toEqual(answer.body);
  });

  it('refuses an unsigned call and a call signed with a wrong secret (403), before the function runs', async () => {
    const event = now();
    const unsigned = await fetch(`${apiUrl}/v1/decisions`, { method: 'POST', body: JSON.stringify(event) });
    expect(unsigned.status).toBe(403);
    const forged = await ask(event).then(() =>
      postDecision(
        apiUrl,
        JSON.stringify(now()),
        { ...credentialsOf(KR), secretAccessKey: 'not-the-secret' },
        pipeline.region,
      ),
    );
    expect(forged.status).toBe(403);
    expect(forged.body).toMatchObject({ message: expect.stringMatching(/signature we calculated does not match/) });
  });

  it('refuses a body changed after signing', async () => {
    const signed = await signDecisionRequest(apiUrl, JSON.stringify(now()), credentialsOf(KR), pipeline.region);
    const tampered = await fetch(signed.url, {
      method: 'POST',
      headers: signed.headers,
      body: JSON.stringify(now({ amount: { value: '1', currency: 'KRW' } })),
    });
    expect(tampered.status).toBe(403);
  });

  it('refuses a caller acting as another partner: kh-demo-bank signing a kr-demo-bank transfer', async () => {
    const event = now({ partnerId: KR });
    const answer = await ask(event, KH);
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({
      message: expect.stringContaining("caller's credential belongs to (kh-demo-bank)"),
    });
    const stored = await pipeline.clients.documents.send(
      new (await import('@aws-sdk/lib-dynamodb')).GetCommand({
        TableName: pipeline.tables.decisions,
        Key: { partnerId: KR, transferId: event.transferId },
      }),
    );
    expect(stored.Item).toBeUndefined();
  });

  it('refuses an oversize body with 413 and a malformed one with 400 and its reasons', async () => {
    expect((await ask(now({ remittanceInfo: 'x'.repeat(17 * 1024) }))).status).toBe(413);
    const malformed = await ask('{"schemaVersion":1,');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ message: expect.any(String) });
  });

  it('fraudctl decide signs each transfer of an NDJSON file as the partner and prints each answer', async () => {
    const file = join(stateDir, 'transfers.ndjson');
    const events = [now(), now()];
    await writeFile(file, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const output = captureOutput();
    const code = await decide(['--file', file, '--api', apiUrl, '--partner', KR, '--state-dir', stateDir]);
    vi.restoreAllMocks();
    const lines = output.out.join('').trim().split('\n');
    expect(code, output.err.join('')).toBe(0);
    expect(lines.map((line) => line.slice(0, 4))).toEqual(['200 ', '200 ']);
    expect(lines.map((line) => JSON.parse(line.slice(4)).transferId)).toEqual(events.map((e) => e.transferId));
  });
});
