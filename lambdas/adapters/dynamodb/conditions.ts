/**
 * Whether a DynamoDB call failed only because its condition did not hold. By name, not instanceof:
 * errors built by another copy of the SDK (a bundled client, a test double) are the same failure.
 */
export function isConditionalCheckFailure(error: unknown): boolean {
  return (error as Error | undefined)?.name === 'ConditionalCheckFailedException';
}
