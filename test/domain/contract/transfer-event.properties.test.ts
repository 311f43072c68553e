import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonText } from '#domain/contract/json-text.ts';
import { parseTransferEvent } from '#domain/contract/transfer-event.ts';
import { echoedInputStrings } from './input-strings.ts';
import { mutatedEvent, SEED } from './transfer-arbitraries.ts';

/** A dotted path of field names and indexes, or "(event)" for the whole message. */
const FIELD_PATH = /^\(event\)$|^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/;

const outcomes = { accepted: 0, rejected: 0 };

function checkOutcome(body: string, input: unknown) {
  const result = parseTransferEvent(body);
  if (result.ok) {
    outcomes.accepted++;
    return;
  }
  outcomes.rejected++;
  expect(result.issues.length).toBeGreaterThan(0);
  for (const issue of result.issues) expect(issue.path).toMatch(FIELD_PATH);
  expect(echoedInputStrings(input, result.reason)).toEqual([]);
}

describe('transfer event contract, by property', () => {
  it('accepts or rejects any JSON value, naming fields and quoting no input string', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => checkOutcome(JSON.stringify(value), value)),
      { seed: SEED, numRuns: 1500 },
    );
  });

  it('accepts or rejects any mutation of a valid event, naming fields and quoting no input string', () => {
    fc.assert(
      fc.property(mutatedEvent, (event) => checkOutcome(JSON.stringify(event), event)),
      { seed: SEED, numRuns: 3000 },
    );
    // Not vacuous: mutations both pass and fail the contract.
    expect(outcomes.accepted).toBeGreaterThan(100);
    expect(outcomes.rejected).toBeGreaterThan(100);
  });

  it('accepts or rejects any byte string decoded as UTF-8, quoting none of its text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const body = new TextDecoder().decode(bytes);
        const result = parseTransferEvent(body);
        if (result.ok) return;
        expect(result.issues.length).toBeGreaterThan(0);
        for (const issue of result.issues) expect(issue.path).toMatch(FIELD_PATH);
        // Text that is not JSON has no values; the reason is then a fixed phrase and a position only.
        const json = parseJsonText(body);
        if (json.ok) expect(echoedInputStrings(json.value, result.reason)).toEqual([]);
        else expect(result.reason).toBe(`(event): ${json.problem}`);
      }),
      { seed: SEED, numRuns: 1500 },
    );
  });
});
