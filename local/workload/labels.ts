import { z } from 'zod';

/** The scam typologies the workload injects, named as the rule pack names them. */
export const TYPOLOGIES = [
  'mule-fan-in',
  'rapid-pass-through',
  'voice-phishing',
  'elderly-new-payee',
  'escalating-deposits',
  'crypto-offramp',
  'scam-hub-cross-border',
  'known-mule',
] as const;
export type Typology = (typeof TYPOLOGIES)[number];

/**
 * Ordinary traffic, including the edge cases a naive rule set would hold (an elderly customer paying
 * a new contractor, a landlord paid by several tenants, a first crypto purchase, ...).
 */
export const LEGITIMATE_PATTERNS = [
  'salary',
  'salary-sweep',
  'family-support',
  'friend-payment',
  'new-payee-payment',
  'merchant-payment',
  'qr-merchant-payment',
  'qr-personal-vendor',
  'bill-payment',
  'school-fee',
  'loan-repayment',
  'rent',
  'rent-multi-unit-landlord',
  'rent-deposit',
  'club-dues',
  'small-business-personal-account',
  'own-account-transfer',
  'securities-deposit',
  'emoney-topup',
  'crypto-deposit',
  'crypto-first-purchase',
  'cross-border-family-support',
  'cross-border-new-payee',
  'elderly-large-new-payee',
  // The migrant-corridor profile's own (see profiles.ts).
  'migrant-remittance',
  'migrant-new-family-member',
  'elderly-life-event',
  'business-supplier-run',
  'holiday-gift',
  // The corridor-households profile's own (see households.ts).
  'household-remittance',
  'tuition-abroad',
  'elderly-family-payment',
  'supplier-abroad',
] as const;
export type LegitimatePattern = (typeof LEGITIMATE_PATTERNS)[number];

/**
 * The `label` every workload event carries next to the contract fields (the contract ignores unknown
 * fields, so labelled events can be screened as they are). Plain JSON, two kinds:
 *
 * - `{ "kind": "legitimate", "pattern": "rent" }`
 * - `{ "kind": "scam", "typology": "mule-fan-in", "scenarioId": "S0007", "step": 3,
 *      "role": "victim-payment", "countsAsCaughtIfHeld": true }`
 *
 * A scenario is one scam: a mule collecting from its victims, one victim's staircase of deposits, a
 * mule forwarding what it received. `step` numbers its transfers from 1 in event-time order. `role`
 * says whose money moves: a victim paying (`victim-payment`) or a mule passing it on
 * (`onward-transfer`). `countsAsCaughtIfHeld` marks the transfers at which a hold still saves the
 * money: the first ten victims of a fan-in (by the eleventh the account has done its work), and every
 * transfer of the other typologies (each one moves money that is not gone yet: a held onward transfer
 * keeps the victims' money in the mule account, a held deposit stops the staircase).
 */
export const WorkloadLabelSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('legitimate'), pattern: z.enum(LEGITIMATE_PATTERNS) }),
  z.strictObject({
    kind: z.literal('scam'),
    typology: z.enum(TYPOLOGIES),
    scenarioId: z.string().regex(/^S\d{4,}$/),
    step: z.int().min(1),
    role: z.enum(['victim-payment', 'onward-transfer']),
    countsAsCaughtIfHeld: z.boolean(),
  }),
]);

export type WorkloadLabel = z.infer<typeof WorkloadLabelSchema>;
export type ScamLabel = Extract<WorkloadLabel, { kind: 'scam' }>;
