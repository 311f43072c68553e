import { z } from 'zod';
import type { Officer } from '#domain/review/officer.ts';
import { PackIdSchema, PackVersionSchema } from '#domain/rules/rule-pack.ts';
import { ProposalBacktestSchema } from '#use-cases/backtest/proposal-backtest.ts';
import type { RulePackGovernanceService } from '#use-cases/rules/governance.ts';
import { DecisionNoteSchema, expecting, parseInput as parse } from './inputs.ts';

/**
 * The review API's rule pack calls (the maker-checker), whatever routes them:
 *   GET  /rule-packs/{packId}                              in force, in shadow, and the audit
 *   GET  /rule-packs/{packId}/versions/{version}           a stored version's document
 *   POST /rule-packs/{packId}/proposals                    { pack, note, backtest? }
 *   POST /rule-packs/{packId}/versions/{version}/decision  { decision: APPROVE | REJECT, note }
 *   POST /rule-packs/{packId}/activation                   { version, note }
 *   POST /rule-packs/{packId}/shadow                       { version | null, note }
 * Who may take which step is the domain's (maker-checker.ts); bad input is a ReviewRefusal
 * INVALID_INPUT naming the field.
 */

const ProposalSchema = z.object(
  {
    pack: z.record(z.string(), z.unknown(), { error: expecting('must be the rule pack, a JSON object') }),
    note: DecisionNoteSchema,
    backtest: ProposalBacktestSchema.optional(),
  },
  { error: 'must be a JSON object { "pack", "note", "backtest"? }' },
);

const DecisionSchema = z.object(
  {
    decision: z.enum(['APPROVE', 'REJECT'], { error: expecting('must be APPROVE or REJECT') }),
    note: DecisionNoteSchema,
  },
  { error: 'must be a JSON object { "decision", "note" }' },
);

const ActivationSchema = z.object(
  { version: PackVersionSchema, note: DecisionNoteSchema },
  { error: 'must be a JSON object { "version", "note" }' },
);

const ShadowSchema = z.object(
  {
    version: z.union([PackVersionSchema, z.null()], {
      error: expecting('must be a version string such as kr-kh-2026.11.1, or null to stop shadow scoring'),
    }),
    note: DecisionNoteSchema,
  },
  { error: 'must be a JSON object { "version" (or null), "note" }' },
);

const packIdOf = (value: string | undefined) => parse(PackIdSchema, value, 'packId');
const versionOf = (value: string | undefined) => parse(PackVersionSchema, value, 'version');

export function createRulePackRoutes(governance: RulePackGovernanceService) {
  return {
    async overview(packId: string | undefined) {
      const overview = await governance.overview(packIdOf(packId));
      return {
        packId: overview.packId,
        active: overview.active ?? null,
        shadow: overview.shadow ?? null,
        history: overview.history,
      };
    },

    async version(packId: string | undefined, version: string | undefined) {
      const id = packIdOf(packId);
      const v = versionOf(version);
      return { packId: id, version: v, pack: await governance.version(id, v) };
    },

    async propose(officer: Officer, packId: string | undefined, body: unknown) {
      const input = parse(ProposalSchema, body);
      return governance.propose(officer, packIdOf(packId), {
        pack: input.pack,
        note: input.note,
        ...(input.backtest === undefined ? {} : { backtest: input.backtest }),
      });
    },

    async decide(officer: Officer, packId: string | undefined, version: string | undefined, body: unknown) {
      const input = parse(DecisionSchema, body);
      const target = { packId: packIdOf(packId), version: versionOf(version) };
      return governance.decide(officer, target, input.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED', input.note);
    },

    async activate(officer: Officer, packId: string | undefined, body: unknown) {
      const input = parse(ActivationSchema, body);
      return governance.activate(officer, { packId: packIdOf(packId), version: input.version }, input.note);
    },

    /** `changed: false` when the version asked for already was the one in shadow (or none was). */
    async shadow(officer: Officer, packId: string | undefined, body: unknown) {
      const input = parse(ShadowSchema, body);
      const entry = await governance.shadow(officer, packIdOf(packId), input.version, input.note);
      return entry ? { changed: true, entry } : { changed: false };
    },
  };
}
