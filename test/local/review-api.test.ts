import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  issueLocalToken,
  loadLocalSigningKey,
  type LocalSigningKey,
} from '#local/auth/local-issuer.ts';
import { arrivingAt } from '#local/simulated-clock.ts';
import { startLocalReviewStack, type LocalReviewStack } from '../../bin/commands/serve.ts';
import { heldTransfer } from '../support/review-fixtures.ts';

/**
 * The review API end to end as the local stage deploys it: local tokens, the gateway's routes and JWT
 * authorizer from the synthesized template, the review function in its container under its role's
 * policies, and flags the screening function raised from transfers sent on the partners' queues.
 */
let stack: LocalReviewStack;
let key: LocalSigningKey;
let stateDir: string;
const tokens: Record<string, string> = {};
const KR = 'kr-demo-bank';
const KH = 'kh-demo-bank';

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'review-api-'));
  key = await loadLocalSigningKey(stateDir);
  stack = await startLocalReviewStack({ stateDir, schedules: 'when-fired' });
  const held = [
    ...Array.from({ length: 6 }, (_, i) => heldTransfer({ transferId: `KR-${i}` })),
    heldTransfer({ transferId: 'KR-LARGE', amount: { value: '25000000', currency: 'KRW' } }),
    ...Array.from({ length: 2 }, (_, i) =>
      heldTransfer({ transferId: `KH-${i}`, partnerId: KH, amount: { value: '900.00', currency: 'USD' } }),
    ),
  ];
  for (const partnerId of [KR, KH])
    await stack.pipeline.send(
      partnerId,
      held
        .filter((event) => event.partnerId === partnerId)
        .map((event) => ({ body: JSON.stringify(event), attributes: arrivingAt(String(event.occurredAt)) })),
    );
  await stack.pipeline.drain();
  for (const [name, partnerId, role] of [
    ['kim', KR, 'analyst'],
    ['lee', KR, 'supervisor'],
    ['park', KR, 'supervisor'],
    ['sok', KH, 'analyst'],
    ['chan', '*', 'supervisor'],
    ['script', KH, 'analyst'],
  ] as const) {
    tokens[name] = await issueLocalToken(key, { username: name, partnerId, role });
  }
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

async function call(path: string, options: { token?: string; method?: string; body?: unknown } = {}) {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(options.body !== undefined
      ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }
      : {}),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
}

const act = (who: string, transferId: string, body: unknown, partnerId = KR) =>
  call(`/flags/${partnerId}/${transferId}/actions`, { token: tokens[who]!, body });

describe('review API: authentication', () => {
  it("answers 401 without a token, as API Gateway's JWT authorizer does, with a Bearer challenge saying why", async () => {
    const { status, headers, body } = await call('/flags');
    expect(status).toBe(401);
    expect(body).toEqual({ message: 'Unauthorized' });
    expect(headers.get('www-authenticate')).toMatch(
      /^Bearer error="invalid_token" error_description=".*no bearer token/,
    );
  });

  it('answers 401 to a token signed with another key', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ 'cognito:groups': ['supervisor'], 'custom:partner': KR })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setSubject('intruder')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    const { status, headers } = await call('/flags', { token: forged });
    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toContain('signature');
  });

  it('answers 401 to an expired token', async () => {
    const expired = await issueLocalToken(key, {
      username: 'kim',
      partnerId: KR,
      role: 'analyst',
      ttlSeconds: 60,
      now: new Date(Date.now() - 3_600_000),
    });
    const { status, headers } = await call('/flags', { token: expired });
    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toContain('expired');
  });

  it('answers 401 to a token whose payload was altered after signing', async () => {
    const [header, payload, signature] = tokens.kim!.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const altered = Buffer.from(JSON.stringify({ ...claims, 'custom:partner': KH })).toString('base64url');
    expect((await call('/flags', { token: `${header}.${altered}.${signature}` })).status).toBe(401);
  });

  it('answers 403 to a validly signed token that claims all partners without the task-force group', async () => {
    const sneaky = await new SignJWT({
      'cognito:username': 'kim',
      'cognito:groups': ['supervisor'],
      'custom:partner': '*',
    })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setSubject('kim')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(key.privateKey);
    const { status, body } = await call('/flags', { token: sneaky });
    expect(status).toBe(403);
    expect(body.error.code).toBe('NO_ROLE');
  });
});

describe('review API: partner scoping', () => {
  it("lists only the officer's own partner's flags, highest score first, with what a queue row needs", async () => {
    const { status, body } = await call('/flags?status=PENDING&limit=100', { token: tokens.kim! });
    expect(status).toBe(200);
    expect(body.items.length).toBeGreaterThanOrEqual(7);
    expect(body.items.every((item: any) => item.partnerId === KR)).toBe(true);
    expect(body.items[0]).toMatchObject({
      partnerId: KR,
      status: 'PENDING',
      outcome: 'REVIEW',
      score: expect.any(Number),
      version: 1,
      createdAt: expect.any(String),
      amount: { currency: 'KRW' },
    });
    expect(body.items[0].reasons[0]).toEqual({
      ruleId: expect.any(String),
      typology: expect.any(String),
      points: expect.any(Number),
      explanation: expect.any(String),
    });
    expect(body.items[0].transfer).toBeUndefined();
  });

  it("reports another partner's flag as not found, and refuses a list of another partner's flags", async () => {
    const read = await call(`/flags/${KR}/KR-0`, { token: tokens.sok! });
    expect(read.status).toBe(404);
    expect(read.body.error.code).toBe('NOT_FOUND');
    const list = await call(`/flags?partnerId=${KR}`, { token: tokens.sok! });
    expect(list.status).toBe(403);
    expect(list.body.error).toMatchObject({ code: 'OUT_OF_SCOPE', field: 'partnerId' });
    expect((await act('sok', 'KR-0', { action: 'RELEASE', note: 'not mine', expectedVersion: 1 })).status).toBe(404);
  });

  it('shows the task force every partner, or one partner on request', async () => {
    const all = await call('/flags?limit=100', { token: tokens.chan! });
    expect(new Set(all.body.items.map((item: any) => item.partnerId))).toEqual(new Set([KR, KH]));
    const kh = await call(`/flags?limit=100&partnerId=${KH}`, { token: tokens.chan! });
    expect(kh.body.items.map((item: any) => item.transferId).sort()).toEqual(['KH-0', 'KH-1']);
  });

  it('pages with an opaque cursor, and refuses a bad one naming cursor', async () => {
    const first = await call('/flags?limit=3', { token: tokens.kim! });
    expect(first.body.items).toHaveLength(3);
    const second = await call(`/flags?limit=3&cursor=${first.body.nextCursor}`, { token: tokens.kim! });
    expect(second.body.items.map((i: any) => i.transferId)).not.toContain(first.body.items[0].transferId);
    const bad = await call('/flags?cursor=eyJub3QiOiJpdCJ9', { token: tokens.kim! });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('cursor');
  });
});

describe('review API: decisions', () => {
  it('shows a flag with its transfer, reasons, evidence and (empty) audit trail', async () => {
    const { status, body } = await call(`/flags/${KR}/KR-0`, { token: tokens.kim! });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      partnerId: KR,
      transferId: 'KR-0',
      version: 1,
      audit: [],
      transfer: { creditor: { accountId: expect.any(String) } },
    });
    expect(body.reasons.some((r: any) => Object.keys(r.evidence).length > 0)).toBe(true);
    expect(body.choices).toEqual({
      RELEASE: { allowed: true },
      CONFIRM_FRAUD: { allowed: true },
      ESCALATE: { allowed: true },
    });
  });

  it('releases once; a second release on the old version is 409 with the current version', async () => {
    const first = await act('kim', 'KR-1', {
      action: 'RELEASE',
      note: 'customer confirmed the payee in branch',
      expectedVersion: 1,
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'RELEASED', version: 2, pendingEffects: [] });
    const second = await act('lee', 'KR-1', { action: 'RELEASE', note: 'releasing too', expectedVersion: 1 });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 2 });
    const again = await act('lee', 'KR-1', { action: 'RELEASE', note: 'current version now', expectedVersion: 2 });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('FLAG_CLOSED');
  });

  it('records every action in the audit trail: who, role, when, action, note', async () => {
    await act('kim', 'KR-2', { action: 'ESCALATE', note: 'payee looks like a mule', expectedVersion: 1 });
    await act('lee', 'KR-2', {
      action: 'CONFIRM_FRAUD',
      note: 'confirmed with the receiving bank',
      expectedVersion: 2,
    });
    const { body } = await call(`/flags/${KR}/KR-2`, { token: tokens.kim! });
    expect(body.status).toBe('CONFIRMED_FRAUD');
    expect(body.audit).toEqual([
      expect.objectContaining({
        actorName: 'kim',
        role: 'analyst',
        action: 'ESCALATE',
        note: 'payee looks like a mule',
        fromStatus: 'PENDING',
        toStatus: 'ESCALATED',
        version: 2,
        at: expect.any(String),
      }),
      expect.objectContaining({
        actorName: 'lee',
        role: 'supervisor',
        action: 'CONFIRM_FRAUD',
        note: 'confirmed with the receiving bank',
        fromStatus: 'ESCALATED',
        toStatus: 'CONFIRMED_FRAUD',
        version: 3,
      }),
    ]);
  });

  it('refuses an analyst acting as a supervisor on an escalated flag (403)', async () => {
    await act('lee', 'KR-3', { action: 'ESCALATE', note: 'second opinion', expectedVersion: 1 });
    const { status, body } = await act('kim', 'KR-3', {
      action: 'RELEASE',
      note: 'I think it is fine',
      expectedVersion: 2,
    });
    expect(status).toBe(403);
    expect(body.error.code).toBe('SUPERVISOR_REQUIRED');
  });

  it('enforces four eyes: the escalating supervisor cannot decide, another can; a large release needs escalation', async () => {
    expect((await act('lee', 'KR-3', { action: 'RELEASE', note: 'fine', expectedVersion: 2 })).body.error.code).toBe(
      'FOUR_EYES',
    );
    expect(
      (await act('park', 'KR-3', { action: 'RELEASE', note: 'verified by phone', expectedVersion: 2 })).status,
    ).toBe(200);

    const large = await act('lee', 'KR-LARGE', { action: 'RELEASE', note: 'fine', expectedVersion: 1 });
    expect(large.status).toBe(403);
    expect(large.body.error.message).toContain('escalate the flag');
    expect(
      (await act('kim', 'KR-LARGE', { action: 'ESCALATE', note: 'above my limit', expectedVersion: 1 })).status,
    ).toBe(200);
    expect((await act('lee', 'KR-LARGE', { action: 'RELEASE', note: 'verified', expectedVersion: 2 })).status).toBe(
      200,
    );
  });
});

describe('review API: request limits', () => {
  it("answers 429 with Retry-After once an officer passes 120 requests a minute; the bank's other officers go on", async () => {
    let limited: Awaited<ReturnType<typeof call>> | undefined;
    // Counters are per minute: a burst that straddles a minute boundary may take up to twice the limit.
    for (let sent = 0; sent < 242 && !limited; sent++) {
      const response = await call(`/flags?partnerId=${KH}&limit=1`, { token: tokens.script! });
      if (response.status !== 200) limited = response;
    }
    expect(limited).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED' } } });
    const retryAfter = Number(limited!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited!.body.error.message).toContain(`try again in ${retryAfter} s`);
    expect((await call(`/flags?partnerId=${KH}&limit=1`, { token: tokens.sok! })).status).toBe(200);
  });
});

describe('review API: bad input names the field', () => {
  it.each([
    [{ note: 'x', expectedVersion: 1 }, 'action', 'is required'],
    [{ action: 'APPROVE', note: 'x', expectedVersion: 1 }, 'action', 'must be one of RELEASE, CONFIRM_FRAUD, ESCALATE'],
    [{ action: 'RELEASE', expectedVersion: 1 }, 'note', 'is required'],
    [{ action: 'RELEASE', note: '   ', expectedVersion: 1 }, 'note', 'must say why'],
    [{ action: 'RELEASE', note: 'x'.repeat(1001), expectedVersion: 1 }, 'note', 'at most 1000'],
    [{ action: 'RELEASE', note: 'x' }, 'expectedVersion', 'is required'],
    [{ action: 'RELEASE', note: 'x', expectedVersion: 0 }, 'expectedVersion', 'positive whole number'],
    [{ action: 'RELEASE', note: 'x', expectedVersion: '1' }, 'expectedVersion', 'positive whole number'],
    ['{"action":', 'body', 'not valid JSON'],
  ])('POST actions %j -> 400 on %s', async (body, field, message) => {
    const response = await act('kim', 'KR-4', body);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({
      code: 'INVALID_INPUT',
      field,
      message: expect.stringContaining(message),
    });
  });

  it.each([
    ['status=OPEN', 'status'],
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['partnerId=KR%20BANK', 'partnerId'],
  ])('GET /flags?%s -> 400 on %s', async (query, field) => {
    const response = await call(`/flags?${query}`, { token: tokens.kim! });
    expect(response.status).toBe(400);
    expect(response.body.error.field).toBe(field);
  });

  it('answers 404 to a route the template does not deploy, and to a deployed path with another method, as API Gateway does', async () => {
    expect(await call('/nothing', { token: tokens.kim! })).toMatchObject({
      status: 404,
      body: { message: 'Not Found' },
    });
    const wrong = await call(`/flags/${KR}/KR-4`, { token: tokens.kim!, method: 'DELETE' });
    expect(wrong).toMatchObject({ status: 404, body: { message: 'Not Found' } });
  });
});
