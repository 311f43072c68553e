import { parse } from 'csv-parse/sync';
import type { TransferLabel } from '#domain/rules/backtest-tally.ts';

/** Key of a transfer everywhere in a backtest: the contract's idempotency key. */
export function transferLabelKey(partnerId: string, transferId: string): string {
  return `${partnerId}\n${transferId}`;
}

/**
 * Reads a `label` as files carry it: `{ "fraud": true, "typology": "...", "scenarioId": "..." }` (with
 * `debtorFraud` / `creditorFraud` where the labels are of accounts), or
 * the demo workload's own (`{ "kind": "scam" | "legitimate", ..., "countsAsCaughtIfHeld" }`).
 * Anything else is no label.
 */
export function labelFrom(raw: unknown): TransferLabel | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const value = raw as Record<string, unknown>;
  const text = (field: string) =>
    typeof value[field] === 'string' && value[field] ? { [field]: value[field] as string } : {};
  const flag = (field: string) => (typeof value[field] === 'boolean' ? { [field]: value[field] as boolean } : {});
  if (typeof value.fraud === 'boolean')
    return {
      fraud: value.fraud,
      ...text('typology'),
      ...text('scenarioId'),
      ...flag('debtorFraud'),
      ...flag('creditorFraud'),
    };
  if (value.kind === 'legitimate') return { fraud: false };
  if (value.kind === 'scam') {
    return {
      fraud: true,
      ...text('typology'),
      ...text('scenarioId'),
      ...(value.countsAsCaughtIfHeld === false ? { countsAsCaught: false } : {}),
    };
  }
  return undefined;
}

export type LabelsCsvResult =
  | { ok: true; labels: Map<string, TransferLabel> }
  | { ok: false; errors: Array<{ line: number; message: string }> };

const FRAUD_VALUES: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, yes: true, no: false };

/**
 * A labels CSV with the header `partnerId,transferId,fraud[,typology][,scenarioId]` (any order);
 * `fraud` is true/false, 1/0 or yes/no. Every problem comes back with its line.
 */
export function parseLabelsCsv(text: string): LabelsCsvResult {
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    records = parse(text, { bom: true, columns: true, skip_empty_lines: true, trim: true, info: true });
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 1;
    return { ok: false, errors: [{ line, message: (error as Error).message }] };
  }
  const labels = new Map<string, TransferLabel>();
  const errors: Array<{ line: number; message: string }> = [];
  for (const { record, info } of records) {
    const line = info.lines;
    const missing = ['partnerId', 'transferId', 'fraud'].filter((column) => !record[column]);
    if (missing.length) {
      errors.push({ line, message: `${missing.join(', ')}: required` });
      continue;
    }
    const fraud = FRAUD_VALUES[record.fraud!.toLowerCase()];
    if (fraud === undefined) {
      errors.push({ line, message: `fraud: "${record.fraud}" is not true/false, 1/0 or yes/no` });
      continue;
    }
    labels.set(transferLabelKey(record.partnerId!, record.transferId!), {
      fraud,
      ...(record.typology ? { typology: record.typology } : {}),
      ...(record.scenarioId ? { scenarioId: record.scenarioId } : {}),
    });
  }
  return errors.length ? { ok: false, errors } : { ok: true, labels };
}
