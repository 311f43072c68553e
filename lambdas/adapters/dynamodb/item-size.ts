import { marshall } from '@aws-sdk/util-dynamodb';

/**
 * DynamoDB's size of an item, by its documented rules: attribute names plus values (strings and
 * binaries by their bytes, numbers about one byte per two significant digits plus one, maps and lists
 * 3 bytes plus their elements). Takes marshalled items or the document client's plain ones. Items are
 * billed by it: 1 write unit per KB, 1 read unit per 4 KB (half for an eventually consistent read).
 */
type AttributeValue = Record<string, unknown>;

/** DynamoDB's size of an attribute value (numbers: about one byte per two digits, plus one). */
function valueSize(value: AttributeValue): number {
  const [type, inner] = Object.entries(value)[0] ?? ['NULL', true];
  switch (type) {
    case 'S':
      return Buffer.byteLength(String(inner));
    case 'N':
      return Math.ceil(String(inner).replace(/^-|\./g, '').length / 2) + 1;
    case 'B':
      return (inner as Uint8Array).length;
    case 'M':
      return 3 + itemSize(inner as Record<string, AttributeValue>) + Object.keys(inner as object).length;
    case 'L':
      return 3 + (inner as AttributeValue[]).reduce((n, v) => n + valueSize(v) + 1, 0);
    default:
      return 1;
  }
}

const ATTRIBUTE_TYPES = new Set(['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS']);
const isMarshalled = (item: Record<string, unknown>) =>
  Object.values(item).every(
    (v) =>
      v !== null &&
      typeof v === 'object' &&
      !(v instanceof Uint8Array) &&
      Object.keys(v).length === 1 &&
      ATTRIBUTE_TYPES.has(Object.keys(v)[0]!),
  );

/** DynamoDB's item size; the document client may hand over plain values, marshalled here first. */
export function itemSize(item: Record<string, unknown>): number {
  const attributes = (
    isMarshalled(item) ? item : marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: false })
  ) as Record<string, AttributeValue>;
  return Object.entries(attributes).reduce((n, [name, value]) => n + Buffer.byteLength(name) + valueSize(value), 0);
}
