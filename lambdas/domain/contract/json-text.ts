export type JsonTextResult = { ok: true; value: unknown } | { ok: false; problem: string };

/**
 * JSON.parse, but a failure is described by what was expected and where, never by quoting the text:
 * V8's own messages copy the input ("Unexpected token 'K', "{"a":KH-ABA-0..." is not valid JSON"),
 * and the input of this service holds account numbers and names.
 */
export function parseJsonText(text: string): JsonTextResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, problem: describeJsonSyntaxError(text) };
  }
}

/** Everything a syntax error can say was expected: fixed phrases, so that no input text gets in. */
export const EXPECTED = {
  value: 'a value (object, array, string, number, true, false or null)',
  propertyName: 'a property name in double quotes',
  colon: "':' after the property name",
  afterProperty: "',' or '}' after the property value",
  afterElement: "',' or ']' after the array element",
  closingQuote: 'a closing double quote',
  escape: 'an escape sequence (\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\u and 4 hex digits)',
  escapedControl: 'an escaped control character (a raw one may not appear in a string)',
  digit: 'a digit',
  end: 'nothing more after the JSON value',
  true: 'true',
  false: 'false',
  null: 'null',
} as const;

class SyntaxProblem {
  constructor(
    readonly position: number,
    readonly expected: (typeof EXPECTED)[keyof typeof EXPECTED],
  ) {}
}

/** Finds the first syntax error of a text JSON.parse refused, by the JSON grammar (RFC 8259). */
export function describeJsonSyntaxError(text: string): string {
  try {
    new JsonScanner(text).document();
  } catch (error) {
    if (!(error instanceof SyntaxProblem)) throw error;
    if (error.position >= text.length) return `is not valid JSON: the text ends where ${error.expected} was expected`;
    const before = text.slice(0, error.position);
    const line = before.split('\n').length;
    const column = error.position - before.lastIndexOf('\n');
    return `is not valid JSON: ${error.expected} was expected at line ${line}, column ${column} (character ${error.position + 1})`;
  }
  // Only reached if the scanner accepts what JSON.parse refused; the property tests hold them equal.
  return 'is not valid JSON';
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const SIMPLE_ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

class JsonScanner {
  private at = 0;

  constructor(private readonly text: string) {}

  /** Iterative, with a stack of the containers still open: 16 KiB of "[" must not exhaust the call stack. */
  document() {
    const closers: Array<'}' | ']'> = [];
    for (;;) {
      const opened = this.openOrScalar();
      if (opened) {
        closers.push(opened);
        continue;
      }
      let another = false;
      while (closers.length && !another) {
        this.skipWhitespace();
        const closer = closers.at(-1)!;
        if (this.text[this.at] === ',') {
          this.at++;
          if (closer === '}') this.propertyName();
          another = true;
        } else if (this.text[this.at] === closer) {
          this.at++;
          closers.pop();
        } else this.fail(closer === '}' ? EXPECTED.afterProperty : EXPECTED.afterElement);
      }
      if (!another) break;
    }
    this.skipWhitespace();
    if (this.at < this.text.length) this.fail(EXPECTED.end);
  }

  /** Reads a scalar or an empty container, or opens a container whose first member follows and returns its closer. */
  private openOrScalar(): '}' | ']' | undefined {
    this.skipWhitespace();
    const c = this.text[this.at];
    if (c === '{' || c === '[') {
      this.at++;
      this.skipWhitespace();
      const closer = c === '{' ? '}' : ']';
      if (this.text[this.at] === closer) {
        this.at++;
        return undefined;
      }
      if (c === '{') this.propertyName();
      return closer;
    }
    if (c === '"') this.string();
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) this.number();
    else {
      const word = (['true', 'false', 'null'] as const).find((w) => w[0] === c);
      if (!word) this.fail(EXPECTED.value);
      for (const letter of word) this.expect(letter, EXPECTED[word]);
    }
    return undefined;
  }

  private propertyName() {
    this.skipWhitespace();
    if (this.text[this.at] !== '"') this.fail(EXPECTED.propertyName);
    this.string();
    this.skipWhitespace();
    this.expect(':', EXPECTED.colon);
  }

  private string() {
    this.at++;
    for (;;) {
      const c = this.text[this.at];
      if (c === undefined) this.fail(EXPECTED.closingQuote);
      if (c === '"') {
        this.at++;
        return;
      }
      if (c === '\\') {
        const escaped = this.text[this.at + 1];
        if (escaped !== undefined && SIMPLE_ESCAPES.has(escaped)) this.at += 2;
        else if (escaped === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.at + 2, this.at + 6))) this.at += 6;
        else this.fail(EXPECTED.escape, this.at + 1);
      } else if (c < ' ') this.fail(EXPECTED.escapedControl);
      else this.at++;
    }
  }

  private number() {
    if (this.text[this.at] === '-') this.at++;
    if (this.text[this.at] === '0') this.at++;
    else this.digits();
    if (this.text[this.at] === '.') {
      this.at++;
      this.digits();
    }
    if (this.text[this.at] === 'e' || this.text[this.at] === 'E') {
      this.at++;
      if (this.text[this.at] === '+' || this.text[this.at] === '-') this.at++;
      this.digits();
    }
  }

  private digits() {
    if (!/[0-9]/.test(this.text[this.at] ?? '')) this.fail(EXPECTED.digit);
    while (/[0-9]/.test(this.text[this.at] ?? '')) this.at++;
  }

  private expect(c: string, expected: (typeof EXPECTED)[keyof typeof EXPECTED]) {
    if (this.text[this.at] !== c) this.fail(expected);
    this.at++;
  }

  private skipWhitespace() {
    while (WHITESPACE.has(this.text[this.at] ?? '')) this.at++;
  }

  private fail(expected: (typeof EXPECTED)[keyof typeof EXPECTED], position = this.at): never {
    throw new SyntaxProblem(position, expected);
  }
}
