import { OUTCOMES } from '#domain/contract/decision.ts';
import type { ShadowDecision } from '#domain/rules/shadow.ts';
import { type ShadowComparison, ShadowTally } from '#domain/rules/shadow-comparison.ts';

/** Where the report reads shadow decisions: by shadow version and event time, [from, to). */
export interface ShadowDecisionSource {
  decisions(shadowVersion: string, from: Date, to: Date): AsyncIterable<ShadowDecision>;
}

/** What the report needs of the rule pack store: the shadow pointer, when no version is named. */
export interface ShadowPointerReader {
  shadowVersion(packId: string): Promise<string | undefined>;
}

export interface ShadowReportRequest {
  readonly packId: string;
  /** Default: the version the SHADOW pointer names now. */
  readonly shadowVersion?: string;
  readonly from: string;
  readonly to: string;
  readonly sampleSize?: number;
}

export interface ShadowReport extends ShadowComparison {
  readonly packId: string;
  readonly period: { readonly from: string; readonly to: string };
}

/** Shadow decisions are kept 90 days; a longer period could only ever be partly covered. */
export const MAX_REPORT_DAYS = 92;

export class ShadowReportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShadowReportError';
  }
}

/** Parses the report period; every refusal names the option and why. */
export function reportPeriod(from: string | undefined, to: string | undefined): { from: Date; to: Date } {
  const instant = (value: string | undefined, option: string) => {
    if (!value) throw new ShadowReportError(`${option} is required: an ISO 8601 date-time, such as 2026-12-01T00:00Z`);
    // Date.parse alone accepts "1", "May 5" and more: the ISO shape is checked first.
    const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value);
    const at = Date.parse(value);
    if (!iso || Number.isNaN(at))
      throw new ShadowReportError(
        `${option} ${JSON.stringify(value.slice(0, 40))} is not an ISO 8601 date or date-time with a time zone, such as 2026-12-01 or 2026-12-01T09:00+09:00`,
      );
    return new Date(at);
  };
  const period = { from: instant(from, '--from'), to: instant(to, '--to') };
  if (period.to <= period.from) throw new ShadowReportError('--to must be after --from');
  if (period.to.getTime() - period.from.getTime() > MAX_REPORT_DAYS * 86_400_000)
    throw new ShadowReportError(
      `the period is longer than ${MAX_REPORT_DAYS} days; shadow decisions are kept 90 days: report a shorter period`,
    );
  return period;
}

/** Compares the shadow pack's decisions with the live ones over a period of event time. */
export async function shadowReport(
  source: ShadowDecisionSource,
  pointers: ShadowPointerReader,
  request: ShadowReportRequest,
): Promise<ShadowReport> {
  const period = reportPeriod(request.from, request.to);
  const shadowVersion = request.shadowVersion ?? (await pointers.shadowVersion(request.packId));
  if (!shadowVersion)
    throw new ShadowReportError(
      `${request.packId} has no shadow pack now: name the version with --shadow-version (fraudctl rules history lists them)`,
    );
  const tally = new ShadowTally(shadowVersion, request.sampleSize);
  for await (const decision of source.decisions(shadowVersion, period.from, period.to)) tally.add(decision);
  return {
    packId: request.packId,
    period: { from: period.from.toISOString(), to: period.to.toISOString() },
    ...tally.summary(),
  };
}

const count = (n: number) => n.toLocaleString('en-US');
const percent = (share: number | null) => (share === null ? '-' : `${(share * 100).toFixed(2)}%`);

/** The report as an analyst reads it in a terminal. */
export function formatShadowReport(report: ShadowReport): string {
  const live = Object.keys(report.liveVersions).join(', ') || '(none)';
  const out = [
    `Shadow report of ${report.packId}: ${report.shadowVersion} beside ${live}`,
    `  event time ${report.period.from} to ${report.period.to}: ${count(report.transfers)} transfers`,
  ];
  if (!report.transfers || !report.events)
    return `${[...out, '  no shadow decisions in this period'].join('\n')}\n`;
  out.push(`  the transfers happened from ${report.events.first} to ${report.events.last}`);
  const column = (text: string) => text.padStart(14);
  out.push('', `${''.padEnd(12)}${column('live')}${column('shadow')}`);
  for (const o of OUTCOMES)
    out.push(`${o.padEnd(12)}${column(count(report.outcomes.live[o]))}${column(count(report.outcomes.shadow[o]))}`);
  out.push(
    `${'hold rate'.padEnd(12)}${column(percent(report.holdRate.live))}${column(percent(report.holdRate.shadow))}`,
  );
  out.push('', `live \\ shadow${OUTCOMES.map((o) => o.padStart(9)).join('')}`);
  for (const o of OUTCOMES)
    out.push(`${o.padEnd(13)}${OUTCOMES.map((s) => count(report.transitions[o][s]).padStart(9)).join('')}`);
  out.push('', `${'rule'.padEnd(28)}${'live'.padStart(8)}${'shadow'.padStart(8)}`);
  for (const rule of report.rules)
    out.push(`${rule.ruleId.padEnd(28)}${count(rule.live).padStart(8)}${count(rule.shadow).padStart(8)}`);
  out.push('', `${count(report.differing)} transfers change outcome (earliest ${report.sample.length}):`);
  for (const d of report.sample)
    out.push(
      `  ${d.occurredAt} ${d.partnerId} ${d.transferId}: ${d.live.outcome} (${d.live.score}) -> ${d.shadow.outcome} (${d.shadow.score})`,
    );
  return `${out.join('\n')}\n`;
}
