import type { SQSRecord } from 'aws-lambda';

/**
 * The local runtime's simulated clock: `fraudctl demo`, `replay`, `serve --demo` and `chaos` stream
 * past transfers as if they arrived live. Each message carries its simulated arrival time in this
 * attribute; the local event source invokes the function at that time through the clock it gives
 * the handler factory. Deployed functions never see any of it: they run on the wall clock.
 */
export const SIMULATED_TIME_ATTRIBUTE = 'fraudctl.simulatedTime';

/** The simulated arrival of a generated transfer: when it happened. */
export function arrivingAt(occurredAt: string): Record<string, string> {
  return { [SIMULATED_TIME_ATTRIBUTE]: new Date(Date.parse(occurredAt)).toISOString() };
}

/** Simulated arrivals screened at one clock lie within this span of each other. */
const SIMULATED_RUN_MS = 3600_000;

/**
 * A batch as the invocations a simulated clock makes of it: runs of records whose simulated arrivals
 * lie within an hour of each other, each screened at its latest arrival, so that a sparse replay (a
 * payment every few hours) is not screened days after some of its transfers arrived and refused by
 * the event-time bounds. Records without a simulated arrival run last, at the wall clock (`now`
 * undefined). Records keep their order within a run.
 */
export function clockRuns(records: readonly SQSRecord[]): Array<{ records: SQSRecord[]; now: Date | undefined }> {
  const arrivals = records.map((record) =>
    Date.parse(record.messageAttributes?.[SIMULATED_TIME_ATTRIBUTE]?.stringValue ?? ''),
  );
  const runOf = new Array<number>(records.length).fill(-1);
  const runs: Array<{ records: SQSRecord[]; latest: number }> = [];
  let runStart = Number.NEGATIVE_INFINITY;
  const timedIndexes = [...records.keys()].filter((index) => Number.isFinite(arrivals[index]));
  for (const index of timedIndexes.sort((a, b) => arrivals[a]! - arrivals[b]!)) {
    const at = arrivals[index]!;
    if (!runs.length || at - runStart > SIMULATED_RUN_MS) {
      runs.push({ records: [], latest: at });
      runStart = at;
    }
    runOf[index] = runs.length - 1;
    runs.at(-1)!.latest = at;
  }
  const untimed: SQSRecord[] = [];
  records.forEach((record, index) => {
    const run = runOf[index]!;
    if (run < 0) untimed.push(record);
    else runs[run]!.records.push(record);
  });
  const timed = runs.map((run) => ({ records: run.records, now: new Date(run.latest) as Date | undefined }));
  return untimed.length ? [...timed, { records: untimed, now: undefined }] : timed;
}
