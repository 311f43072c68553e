import { setTimeout as sleep } from 'node:timers/promises';

/** Exponential backoff with full jitter (AWS Architecture Blog), capped: attempt 0 waits up to base. */
export function backoffDelay(attempt: number, baseMs = 25, capMs = 1_000): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}

export async function pause(attempt: number): Promise<void> {
  await sleep(backoffDelay(attempt));
}
