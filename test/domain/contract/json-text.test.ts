import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXPECTED, parseJsonText } from '#domain/contract/json-text.ts';
import { SEED } from './transfer-arbitraries.ts';

const problemOf = (text: string) => {
  const result = parseJsonText(text);
  if (result.ok) throw new Error('expected a syntax error');
  return result.problem;
};

/** Every problem parseJsonText can state: a fixed phrase and, unless the text ended, a position. */
const SYNTAX_PROBLEM = new RegExp(
  `^is not valid JSON: (the text ends where (${alternatives()}) was expected|(${alternatives()}) was expected at line \\d+, column \\d+ \\(character \\d+\\))$`,
);
function alternatives() {
  return Object.values(EXPECTED)
    .map((phrase) => phrase.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    .join('|');
}

describe('parseJsonText', () => {
  it('parses what JSON.parse parses', () => {
    expect(parseJsonText('{"a":[1,"\\ud800",null]}')).toEqual({ ok: true, value: { a: [1, '\ud800', null] } });
  });

  it.each([
    ['{"accountId":KH-ABA-000771234}', `${EXPECTED.value} was expected at line 1, column 14 (character 14)`],
    ['{"a":1,}', `${EXPECTED.propertyName} was expected at line 1, column 8 (character 8)`],
    ['{"a"\n  :\n  nul}', `${EXPECTED.null} was expected at line 3, column 6 (character 15)`],
    ['\uFEFF{}', `${EXPECTED.value} was expected at line 1, column 1 (character 1)`],
    ['{"a":"\\x"}', `${EXPECTED.escape} was expected at line 1, column 8 (character 8)`],
    ['{"a":1} tail', `${EXPECTED.end} was expected at line 1, column 9 (character 9)`],
    ['"SOK DARA', `the text ends where ${EXPECTED.closingQuote} was expected`],
    ['['.repeat(16_000), `the text ends where ${EXPECTED.value} was expected`],
  ])('describes %j by what was expected where', (text, problem) => {
    expect(problemOf(text)).toBe(`is not valid JSON: ${problem}`);
  });

  it('refuses exactly what JSON.parse refuses, stating only a fixed phrase and a position', () => {
    const nearlyJson = fc
      .tuple(
        fc.json(),
        fc.nat(),
        fc.oneof(
          fc.constantFrom('', '{', '}', '[', ']', ',', ':', '"', '\\', '-', 'e', '\u0001'),
          fc.string({ maxLength: 3 }),
        ),
        fc.boolean(),
      )
      .map(([json, at, insert, cut]) => {
        const position = at % (json.length + 1);
        return cut ? json.slice(0, position) : json.slice(0, position) + insert + json.slice(position);
      });
    fc.assert(
      fc.property(fc.oneof(nearlyJson, fc.string({ unit: 'binary' })), (text) => {
        let parses = true;
        try {
          JSON.parse(text);
        } catch {
          parses = false;
        }
        const result = parseJsonText(text);
        expect(result.ok).toBe(parses);
        if (!result.ok) expect(result.problem).toMatch(SYNTAX_PROBLEM);
      }),
      { seed: SEED, numRuns: 5000 },
    );
  });
});
