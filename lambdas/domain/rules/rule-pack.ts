import { z } from 'zod';
import { CURRENCY_CODES } from '../contract/iso.ts';
import { OUTCOMES } from '../contract/decision.ts';

export const COMPARISON_OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte'] as const;
export const MEMBERSHIP_OPS = ['in', 'notIn'] as const;

/** A comparison of one fact with a literal, a named list, or another fact (scaled by a percentage). */
export interface Predicate {
  fact: string;
  op: (typeof COMPARISON_OPS)[number] | (typeof MEMBERSHIP_OPS)[number] | 'containsAny' | 'exists';
  value?: string | number | boolean | Array<string>;
  list?: string;
  compareTo?: string;
  percent?: number;
}

export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | Predicate;

const PredicateSchema = z.strictObject({
  fact: z.string().min(1),
  op: z.enum([...COMPARISON_OPS, ...MEMBERSHIP_OPS, 'containsAny', 'exists']),
  value: z.union([z.string(), z.number(), z.boolean(), z.array(z.string()).min(1)]).optional(),
  list: z.string().optional(),
  compareTo: z.string().optional(),
  percent: z.int().min(1).max(10_000).optional(),
});

export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(ConditionSchema).min(1) }),
    z.strictObject({ any: z.array(ConditionSchema).min(1) }),
    z.strictObject({ not: ConditionSchema }),
    PredicateSchema,
  ]),
);

const DecimalString = z.string().regex(/^(0|[1-9]\d{0,17})(\.\d{1,8})?$/, {
  error: 'must be a positive decimal string such as "1450" or "0.36"',
});

export const RuleSchema = z.strictObject({
  id: z.string().regex(/^[A-Z0-9][A-Z0-9-]{1,47}$/, {
    error: 'must be upper-case letters, digits and hyphens, such as MULE-FANIN-24H',
  }),
  typology: z.string().regex(/^[a-z][a-z0-9-]{1,47}$/, { error: 'must be a lower-case slug such as mule-fan-in' }),
  rationale: z
    .string()
    .min(20, { error: 'must explain in a sentence or more why the rule exists and cite its source' }),
  when: ConditionSchema,
  points: z.int().min(0).max(100),
  minOutcome: z.enum(OUTCOMES).optional(),
  holdMinutes: z
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .optional(),
  explanation: z.string().min(1).max(300),
  evidence: z.array(z.string()).max(10).default([]),
  enabled: z.boolean().default(true),
});

export const PackIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { error: 'must be a lower-case slug such as kr-kh' });
export const PackVersionSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{0,63}$/, { error: 'must be a lower-case version string such as kr-kh-2026.11.1' });

export const RulePackSchema = z
  .strictObject({
    packId: PackIdSchema,
    version: PackVersionSchema,
    description: z.string().max(2000).optional(),
    referenceCurrency: z.enum(CURRENCY_CODES),
    fxRates: z.partialRecord(z.enum(CURRENCY_CODES), DecimalString).default({}),
    thresholds: z
      .strictObject({ delay: z.int().min(1).max(100), review: z.int().min(1).max(100) })
      .refine((t) => t.delay <= t.review, { error: 'delay must not be above review' }),
    delayMinutes: z
      .int()
      .min(1)
      .max(7 * 24 * 60),
    lists: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/), z.array(z.string().min(1)).min(1)).default({}),
    rules: z.array(RuleSchema).min(1).max(200),
  })
  .meta({ id: 'RulePack', title: 'Screening rule pack' });

export type RulePack = z.infer<typeof RulePackSchema>;
export type RulePackInput = z.input<typeof RulePackSchema>;
export type Rule = z.infer<typeof RuleSchema>;
