import { z } from 'zod';
import { OUTCOMES } from '#domain/contract/decision.ts';
import { PackVersionSchema } from '#domain/rules/rule-pack.ts';

const count = z.number().int().min(0);
const share = z.number().min(0).max(1);

/** One pack's side of a backtest as a proposal records it. */
const PackFiguresSchema = z.object({
  version: PackVersionSchema,
  outcomes: z.record(z.enum(OUTCOMES), count),
  heldShare: share,
  legitimateHoldRate: share.nullable(),
  typologies: z.record(z.string(), z.object({ scenarios: count, caught: count })).nullable(),
});

/**
 * What a proposal records of its backtest: the figures an approver reads (not the whole report, which
 * may run to megabytes). The review API refuses a proposal whose `backtest` is not this, naming the field.
 */
export const ProposalBacktestSchema = z.object({
  file: z.string().max(1000).optional(),
  transfers: count,
  invalidLines: count,
  candidate: PackFiguresSchema,
  baseline: PackFiguresSchema.optional(),
  changedOutcomes: count.optional(),
});
export type ProposalBacktest = z.output<typeof ProposalBacktestSchema>;

const PackSummarySchema = z.object({
  pack: z.object({ version: PackVersionSchema }),
  outcomes: z.record(z.enum(OUTCOMES), count),
  heldShare: share,
  labels: z
    .object({
      legitimateHoldRate: share.nullable(),
      typologies: z.record(z.string(), z.object({ scenarios: count, caught: count })),
    })
    .nullable(),
});

/** The part of `fraudctl backtest --json`'s report (BacktestReport) a proposal's figures come from. */
export const BacktestReportFiguresSchema = z.object({
  transfers: count,
  invalid: z.object({ count }),
  candidate: PackSummarySchema,
  baseline: PackSummarySchema.nullable(),
  changes: z.object({ count }).nullable(),
});

/** The proposal's figures of a backtest report, with the file it screened. */
export function proposalBacktest(
  report: z.input<typeof BacktestReportFiguresSchema>,
  file: string | undefined,
): ProposalBacktest {
  const figures = (side: z.input<typeof PackSummarySchema>) => ({
    version: side.pack.version,
    outcomes: side.outcomes,
    heldShare: side.heldShare,
    legitimateHoldRate: side.labels?.legitimateHoldRate ?? null,
    typologies: side.labels?.typologies ?? null,
  });
  return {
    ...(file === undefined ? {} : { file }),
    transfers: report.transfers,
    invalidLines: report.invalid.count,
    candidate: figures(report.candidate),
    ...(report.baseline ? { baseline: figures(report.baseline), changedOutcomes: report.changes?.count ?? 0 } : {}),
  };
}
