import type { IamCallRecord } from '../lambda-containers.ts';
import type { GuardedCall } from './guard.ts';

/**
 * Collects each distinct IAM evaluation once (a function makes the same few calls thousands of times),
 * so that the runtime can tell which calls each principal made and which statements allowed them.
 */
export function iamCallRecorder() {
  const seen = new Set<string>();
  let fresh: IamCallRecord[] = [];
  return {
    record(call: GuardedCall) {
      const allowed = call.decision.decision === 'allow';
      const key = `${call.principal}\n${call.action}\n${call.resource}\n${allowed}`;
      if (seen.has(key)) return;
      seen.add(key);
      const refs =
        call.decision.decision === 'allow'
          ? call.decision.statements
          : call.decision.decision === 'explicit-deny'
            ? [call.decision.statement]
            : [];
      fresh.push({
        principal: call.principal,
        action: call.action,
        resource: call.resource,
        allowed,
        statements: refs.map((ref) => `${ref.policy}#${ref.sid ?? ref.index}`),
      });
    },
    /** The evaluations recorded since the last call. */
    takeNew(): IamCallRecord[] {
      const calls = fresh;
      fresh = [];
      return calls;
    },
  };
}
