import { describe, expect, it } from 'vitest';
import { createReviewApi } from '#handlers/http/review-router.ts';
import type { ReviewService } from '#use-cases/review/service.ts';
import type { RulePackGovernanceService } from '#use-cases/rules/governance.ts';

const CLAIMS = { sub: 'officer-1', 'cognito:groups': '[supervisor]', 'custom:partner': 'kr-demo-bank' };
const KEY = 'K'.repeat(22);

/** The listing routes turn input into the service's request, and bad input into a 400 naming the field. */
const received: unknown[][] = [];
const service = {
  checkRequestLimits: async () => {},
  auditRead: async (...args: unknown[]) => void received.push(['auditRead', ...args]),
  listListings: async (...args: unknown[]) => {
    received.push(['listListings', ...args]);
    return [];
  },
  appealByAccount: async (...args: unknown[]) => {
    received.push(['appealByAccount', ...args]);
    return { appealed: [{ source: 'kr-demo-bank', status: 'SHARED', version: 3 }], alreadyAppealed: [] };
  },
  actOnListing: async (...args: unknown[]) => {
    received.push(['actOnListing', ...args]);
    return { listing: { source: 'kr-demo-bank', accountKey: KEY, status: 'DELISTED', version: 4 }, choices: {} };
  },
} as unknown as ReviewService;
const api = createReviewApi({
  service,
  rulePacks: {} as RulePackGovernanceService,
  authenticate: () => ({ claims: CLAIMS }),
});

async function call(path: string, body?: unknown) {
  const response = await api.request(
    path,
    body === undefined ? {} : { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) },
  );
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe('the listing routes', () => {
  it('pass a valid step to the service as the signed-in officer, and answer with the listing', async () => {
    const answer = await call(`/listings/kr-demo-bank/${KEY}/actions`, {
      action: 'DELIST',
      reason: ' appeal granted ',
      expectedVersion: 3,
    });
    expect(answer).toMatchObject({ status: 200, body: { status: 'DELISTED', version: 4 } });
    expect(received.at(-1)).toEqual([
      'actOnListing',
      expect.objectContaining({ id: 'officer-1', role: 'supervisor' }),
      'kr-demo-bank',
      KEY,
      { action: 'DELIST', reason: 'appeal granted', expectedVersion: 3 },
    ]);
  });

  it.each([
    [{ action: 'DELIST', expectedVersion: 3 }, 'reason', 'reason: is required'],
    [
      { action: 'DELIST', reason: '   ', expectedVersion: 3 },
      'reason',
      'reason: must say why, in 1 to 1000 characters',
    ],
    [{ action: 'BURY', reason: 'r', expectedVersion: 3 }, 'action', 'action: must be one of APPROVE, REJECT, APPEAL'],
    [{ action: 'APPEAL', reason: 'r', expectedVersion: 0 }, 'expectedVersion', 'expectedVersion: must be the version'],
  ])('refuse %j with a 400 naming %s', async (body, field, message) => {
    const before = received.length;
    const answer = await call(`/listings/kr-demo-bank/${KEY}/actions`, body);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'INVALID_INPUT', field });
    expect(answer.body.error.message).toContain(message);
    expect(received).toHaveLength(before);
  });

  it('refuses a malformed source and an unknown status, naming them; lists are audited reads', async () => {
    expect(
      (await call(`/listings/KR_BANK/${KEY}/actions`, { action: 'APPEAL', reason: 'r', expectedVersion: 1 })).body
        .error,
    ).toMatchObject({ code: 'INVALID_INPUT', field: 'source' });
    expect((await call('/listings?status=GONE')).body.error).toMatchObject({ code: 'INVALID_INPUT', field: 'status' });
    await call('/listings?status=SHARED');
    expect(received.slice(-2).map(([name]) => name)).toEqual(['auditRead', 'listListings']);
  });

  it("takes an appeal by the account holder's bank, never echoing the account number", async () => {
    const answer = await call('/listings/appeals', { accountId: ' 110-234-567890 ', reason: 'payroll' });
    expect(answer.status).toBe(200);
    expect(received.at(-1)!.slice(2)).toEqual([{ accountId: '110-234-567890', reason: 'payroll' }]);
    const tooLong = await call('/listings/appeals', { accountId: '9'.repeat(65), reason: 'payroll' });
    expect(tooLong.body.error).toMatchObject({ code: 'INVALID_INPUT', field: 'accountId' });
    expect(tooLong.body.error.message).not.toContain('9999');
  });
});
