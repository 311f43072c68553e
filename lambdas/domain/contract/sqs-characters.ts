/**
 * The characters an SQS message body may carry (the XML 1.0 character set): #x9 | #xA | #xD |
 * #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF. With the `u` flag a lone surrogate is one code
 * point outside every range, so it is refused too.
 */
export const SQS_REFUSED_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** True when SQS would accept the text as (part of) a message body. */
export function isSqsText(text: string): boolean {
  return !SQS_REFUSED_CHARACTER.test(text);
}
