import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createReviewApi } from '#handlers/http/review-router.ts';
import type { ReviewService } from '#use-cases/review/service.ts';
import type { RulePackGovernanceService } from '#use-cases/rules/governance.ts';
import { echoedInputStrings } from '../../domain/contract/input-strings.ts';
import { SEED } from '../../domain/contract/transfer-arbitraries.ts';

const CLAIMS = { sub: 'officer-1', 'cognito:groups': '[analyst]', 'custom:partner': 'kr-demo-bank' };

/** A body that gets past the parser reaches actOnFlag, which answers 409 here so that acceptance is visible. */
const accepted = Symbol('accepted');
const service = {
  checkRequestLimits: async () => {},
  actOnFlag: async () => {
    throw accepted;
  },
} as unknown as ReviewService;
const api = createReviewApi({
  service,
  rulePacks: {} as RulePackGovernanceService,
  authenticate: () => ({ claims: CLAIMS }),
});

async function post(body: string) {
  const response = await api.request('/flags/kr-demo-bank/T-1/actions', { method: 'POST', body });
  return { status: response.status, body: await response.text() };
}

async function checkBody(body: string, input: unknown) {
  const response = await post(body);
  if (response.status === 500) return; // accepted: the stub service threw
  expect(response.status).toBe(400);
  const { error } = JSON.parse(response.body) as { error: { code: string; message: string; field?: string } };
  expect(error.code).toBe('INVALID_INPUT');
  expect(error.field).toMatch(/^(body|action|note|expectedVersion)$/);
  expect(
    error.message.startsWith(error.field === 'body' ? 'the body' : `${error.field}: `) ||
      error.message.startsWith(`${error.field}: `),
  ).toBe(true);
  expect(echoedInputStrings(input, error.message)).toEqual([]);
}

describe('the review API body parser', () => {
  it('names the place of a syntax error without quoting the body', async () => {
    const response = await post('{"action":"RELEASE","note":checked 110-234-567890}');
    expect(response.status).toBe(400);
    const { error } = JSON.parse(response.body);
    expect(error).toMatchObject({ code: 'INVALID_INPUT', field: 'body' });
    expect(error.message).toMatch(/^the body is not valid JSON: .* at line 1, column 28 \(character 28\)$/);
    expect(error.message).not.toContain('110-234');
    expect(error.message).not.toContain('checked');
  });

  it('accepts or refuses any JSON body with a 400 naming the field, quoting no input string', async () => {
    const action = fc.oneof(fc.constantFrom('RELEASE', 'CONFIRM_FRAUD', 'ESCALATE'), fc.jsonValue());
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record(
        { action, note: fc.oneof(fc.string({ maxLength: 40 }), fc.jsonValue()), expectedVersion: fc.jsonValue() },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(body, (value) => checkBody(JSON.stringify(value), value)),
      { seed: SEED, numRuns: 1500 },
    );
  });

  it('accepts or refuses any byte string with a 400, quoting none of it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), async (bytes) => {
        const text = new TextDecoder().decode(bytes);
        let value: unknown = text;
        try {
          value = JSON.parse(text);
        } catch {
          // Not JSON: the whole text is the input that must not come back.
        }
        await checkBody(text, value);
      }),
      { seed: SEED, numRuns: 1500 },
    );
  });
});
