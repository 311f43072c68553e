/** One problem with an input, located by its dotted path ("amount.value", "rules.3.when.all.0.fact"). */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** Joins issues into one line a person can act on: "amount.value: KRW allows 0 decimal places ...". */
export function describeIssues(issues: readonly FieldIssue[]): string {
  return issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
}
