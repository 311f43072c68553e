import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';

/** The AMLSim sample committed beside this file (see its README: IBM AMLSim, Apache-2.0). */
export const AMLSIM_ARCHIVE = new URL('./20K_cycle200.tgz', import.meta.url);
/** Where step 1 of the simulation falls: AMLSim's steps are days without a calendar. */
export const AMLSIM_START = new Date('2026-01-01T00:00:00Z');
export const AMLSIM_PARTNER = 'amlsim-bank';
const DAY_MS = 86_400_000;

/**
 * The regular files of a tar archive (POSIX ustar, as AMLSim ships it): name -> contents. A header
 * block of 512 bytes (name at 0, octal size at 124, type at 156) precedes each file's blocks; two
 * zero blocks end it. Enough for this sample, so no tar dependency for one archive.
 */
export function untar(archive: Uint8Array): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const text = (from: number, length: number) =>
    new TextDecoder().decode(archive.subarray(from, from + length)).replace(/\0.*$/s, '');
  for (let at = 0; at + 512 <= archive.length; ) {
    const name = text(at, 100);
    if (!name) break;
    const size = Number.parseInt(text(at + 124, 12).trim() || '0', 8);
    const type = text(at + 156, 1);
    const prefix = text(at + 345, 155);
    if (type === '0' || type === '')
      files.set(prefix ? `${prefix}/${name}` : name, archive.subarray(at + 512, at + 512 + size));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** nodes.csv and transactions.csv of the archive (in whatever folder it keeps them). */
export async function readAmlsimArchive(
  path: string | URL = AMLSIM_ARCHIVE,
): Promise<{ nodes: string; transactions: string }> {
  const files = untar(gunzipSync(await readFile(path)));
  const find = (name: string) => {
    for (const [file, bytes] of files)
      if (file === name || file.endsWith(`/${name}`)) return new TextDecoder().decode(bytes);
    throw new Error(`${String(path)}: the archive holds no ${name}`);
  };
  return { nodes: find('nodes.csv'), transactions: find('transactions.csv') };
}

/** Rows of a numeric CSV with the expected header; a bad row is an error naming the file, line and column. */
function rows(csv: string, file: string, columns: readonly string[]): string[][] {
  const lines = csv.split(/\r?\n/);
  const header = lines[0]?.trim();
  if (header !== columns.join(',')) throw new Error(`${file} line 1: expected the header ${columns.join(',')}`);
  const out: string[][] = [];
  lines.slice(1).forEach((line, i) => {
    if (!line.trim()) return;
    const cells = line.trim().split(',');
    cells.forEach((cell, c) => {
      if (!/^-?\d+(\.\d+)?$/.test(cell))
        throw new Error(`${file} line ${i + 2}: ${columns[c] ?? `column ${c + 1}`} is not a number`);
    });
    if (cells.length !== columns.length) throw new Error(`${file} line ${i + 2}: expected ${columns.length} columns`);
    out.push(cells);
  });
  return out;
}

/**
 * AMLSim's transactions as v1 transfer events, in event-time order: step n is the day AMLSIM_START + n - 1,
 * the transfers of a step spread evenly over its day in file order. Accounts become `AMLSIM-<node>`
 * personal accounts (AMLSim simulates individuals) with no country, age or opening date: AMLSim has
 * none, and a rule that needs one stays quiet. Amounts are taken as US dollars (AMLSim's currency is
 * unnamed, with two decimals). Labels name accounts: `debtorFraud` / `creditorFraud` from `isFraud`,
 * and a transfer between two laundering accounts is a fraud transfer (typology `amlsim-cycle`).
 */
export function amlsimEvents(nodesCsv: string, transactionsCsv: string): Array<Record<string, unknown>> {
  const fraud = new Set<string>();
  for (const [node, isFraud] of rows(nodesCsv, 'nodes.csv', ['nodeid', 'isFraud', 'init_balance', 'fraudStep']))
    if (isFraud === '1') fraud.add(node!);
  const transactions = rows(transactionsCsv, 'transactions.csv', ['sourceNodeId', 'targetNodeId', 'value', 'time']);
  const perStep = new Map<number, number>();
  for (const [, , , time] of transactions) perStep.set(Number(time), (perStep.get(Number(time)) ?? 0) + 1);
  const seenInStep = new Map<number, number>();
  const events = transactions.map(([source, target, value, time], index) => {
    const step = Number(time);
    const n = seenInStep.get(step) ?? 0;
    seenInStep.set(step, n + 1);
    const at = AMLSIM_START.getTime() + (step - 1) * DAY_MS + Math.floor((n * DAY_MS) / perStep.get(step)!);
    const debtorFraud = fraud.has(source!);
    const creditorFraud = fraud.has(target!);
    const isFraud = debtorFraud && creditorFraud;
    return {
      step,
      at,
      index,
      event: {
        schemaVersion: 1,
        transferId: `AML-${String(index + 1).padStart(6, '0')}`,
        partnerId: AMLSIM_PARTNER,
        occurredAt: new Date(Math.floor(at / 1000) * 1000).toISOString(),
        amount: { value: dollars(value!), currency: 'USD' },
        debtor: { accountId: `AMLSIM-${source}` },
        creditor: { accountId: `AMLSIM-${target}`, accountType: 'PERSONAL' },
        label: { fraud: isFraud, ...(isFraud ? { typology: 'amlsim-cycle' } : {}), debtorFraud, creditorFraud },
      },
    };
  });
  return events.sort((a, b) => a.at - b.at || a.index - b.index).map((e) => e.event);
}

/** "147.8" -> "147.80"; at most two decimals, as the dollar allows. */
function dollars(value: string): string {
  const [whole, fraction = ''] = value.split('.');
  if (fraction.length > 2) throw new Error(`transactions.csv: value ${value} has more than two decimals`);
  return `${whole}.${fraction.padEnd(2, '0')}`;
}
