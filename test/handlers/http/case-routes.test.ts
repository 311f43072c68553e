import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaseRoutes, type CaseRoutes } from '#handlers/http/case-routes.ts';
import { ACCOUNT_KEY_PATTERN } from '#domain/review/case.ts';
import { ReviewRefusal } from '#domain/review/refusal.ts';
import { startDynamoFixture, type DynamoFixture } from '../../support/local-dynamo.ts';
import { officer, reviewService } from '../../support/review-fixtures.ts';

/** The case calls' input checks: every bad value is a 400 naming its field, whatever the value. */
let fixture: DynamoFixture;
let routes: CaseRoutes;
const kim = officer('analyst', 'kr-demo-bank', 'kim');
const KEY = 'A'.repeat(22);

beforeAll(async () => {
  fixture = await startDynamoFixture();
  routes = createCaseRoutes(reviewService(fixture));
});
afterAll(async () => fixture.close());

async function refusalOf(promise: Promise<unknown>): Promise<ReviewRefusal> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReviewRefusal);
  return error as ReviewRefusal;
}

describe('case routes', () => {
  it('names the field of a bad action body, and never quotes the note', async () => {
    const cases: Array<[unknown, string, string]> = [
      [[], 'body', 'must be a JSON object { "action", "note", "expectedVersion" }'],
      [{ note: 'n', expectedVersion: 'x'.repeat(16) }, 'action', 'is required'],
      [
        { action: 'RELEASE', note: 'n', expectedVersion: 'x'.repeat(16) },
        'action',
        'must be one of CONFIRM_MULE, ESCALATE',
      ],
      [
        { action: 'ESCALATE', note: '  ', expectedVersion: 'x'.repeat(16) },
        'note',
        'must say why, in 1 to 1000 characters',
      ],
      [{ action: 'ESCALATE', note: 'n', expectedVersion: 3 }, 'expectedVersion', 'must be the version of the case'],
      [{ action: 'ESCALATE', note: 'n', expectedVersion: 'short' }, 'expectedVersion', 'is not a case version'],
    ];
    for (const [body, field, message] of cases) {
      const refusal = await refusalOf(routes.act(kim, KEY, body));
      expect(refusal).toMatchObject({ code: 'INVALID_INPUT', details: { field } });
      expect(refusal.message).toContain(`${field}: ${message}`);
    }
  });

  it('refuses any body that is not a complete case action, naming a field (property)', async () => {
    const body = fc.oneof(
      fc.anything(),
      fc.record(
        {
          action: fc.oneof(fc.string(), fc.constantFrom('CONFIRM_MULE', 'ESCALATE')),
          note: fc.anything(),
          expectedVersion: fc.anything(),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(body, async (input) => {
        const refusal = await refusalOf(routes.act(kim, KEY, input));
        // A well-formed body reaches the use case, which finds no case: that is a refusal too, of another kind.
        expect(['INVALID_INPUT', 'NOT_FOUND']).toContain(refusal.code);
        if (refusal.code === 'INVALID_INPUT')
          expect(['body', 'action', 'note', 'expectedVersion']).toContain(refusal.details.field);
      }),
      { seed: 2026, numRuns: 150 },
    );
  });

  it('refuses a limit that is not a whole number from 1 to 100, and any account key that is no pseudonym (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Whatever Number() makes of the text, unless it is a whole number from 1 to 100 ("1e1" is 10).
        fc.string().filter((text) => !(Number.isInteger(Number(text)) && Number(text) >= 1 && Number(text) <= 100)),
        async (limit) => {
          const refusal = await refusalOf(routes.list(kim, { limit }));
          expect(refusal).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'limit' } });
        },
      ),
      { seed: 2026, numRuns: 150 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 40 }).filter((key) => !ACCOUNT_KEY_PATTERN.test(key)),
        async (key) => {
          const refusal = await refusalOf(routes.show(kim, key));
          expect(refusal).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'accountKey' } });
        },
      ),
      { seed: 2026, numRuns: 150 },
    );
  });

  it('answers an empty list when no account is shared by two open flags', async () => {
    expect(await routes.list(kim, {})).toEqual({ items: [] });
  });
});
