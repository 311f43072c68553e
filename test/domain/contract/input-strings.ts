/** Every string value of a JSON value (not its object keys), at any depth. */
export function stringValues(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap(stringValues);
}

/** The input's string values longer than 3 characters that `text` quotes. */
export function echoedInputStrings(input: unknown, text: string): string[] {
  return stringValues(input).filter((value) => value.length > 3 && text.includes(value));
}
