import { type PackAuditEntry, RulePackRefusal } from '#domain/rules/maker-checker.ts';
import type { Officer } from '#domain/review/officer.ts';
import { activatePack, decideOnPack, proposePack, type RulePackGovernance } from './maker-checker.ts';
import { type ShadowGovernance, startShadow, stopShadow } from './shadow-pack.ts';

/** What governing rule packs through the review API needs of the rule pack store. */
export interface RulePackStore extends RulePackGovernance, ShadowGovernance {}

export interface RulePackOverview {
  readonly packId: string;
  /** The version in force; undefined for a pack never put in force. */
  readonly active: string | undefined;
  readonly shadow: string | undefined;
  /** Every proposal, decision, activation and shadow change, oldest first. */
  readonly history: readonly PackAuditEntry[];
}

/**
 * The rule pack maker-checker as the review API serves it: every step is taken as the officer the
 * verified token names, checked by the domain (maker-checker.ts), and audited before it takes effect.
 * A client (fraudctl rules) only asks; nothing it holds can approve on someone else's behalf.
 */
export function createRulePackGovernance(deps: { readonly store: RulePackStore; readonly clock: () => Date }) {
  const { store } = deps;
  const step = (officer: Officer, note: string | undefined) => ({
    officer,
    now: deps.clock(),
    ...(note === undefined ? {} : { note }),
  });
  return {
    async overview(packId: string): Promise<RulePackOverview> {
      const [active, shadow, history] = await Promise.all([
        store.currentVersion(packId),
        store.shadowVersion(packId),
        store.auditTrail(packId),
      ]);
      return { packId, active, shadow, history };
    },

    /** A stored version's document, for an approver to read before deciding (and a backtest to run). */
    async version(packId: string, version: string): Promise<unknown> {
      return (await store.load(packId, version)).source;
    },

    async propose(
      officer: Officer,
      packId: string,
      input: { readonly pack: unknown; readonly note?: string; readonly backtest?: unknown },
    ): Promise<PackAuditEntry> {
      const named = (input.pack as { packId?: unknown } | null)?.packId;
      if (typeof named === 'string' && named !== packId)
        throw new RulePackRefusal('PACK_MISMATCH', `the pack is ${named}, not ${packId}`);
      return proposePack(store, input.pack, {
        ...step(officer, input.note),
        ...(input.backtest === undefined ? {} : { backtest: input.backtest }),
      });
    },

    decide(
      officer: Officer,
      target: { readonly packId: string; readonly version: string },
      decision: 'APPROVED' | 'REJECTED',
      note: string | undefined,
    ): Promise<PackAuditEntry> {
      return decideOnPack(store, target, decision, step(officer, note));
    },

    async activate(
      officer: Officer,
      target: { readonly packId: string; readonly version: string },
      note: string | undefined,
    ): Promise<PackAuditEntry> {
      const entry = await activatePack(store, target, step(officer, note));
      // In force, it scores every transfer live: scoring it in shadow too would compare it with itself.
      if ((await store.shadowVersion(target.packId)) === target.version)
        await stopShadow(store, target.packId, step(officer, `${target.version} is in force`));
      return entry;
    },

    /** Puts `version` in shadow, or stops shadow scoring (null); undefined when nothing changed. */
    shadow(
      officer: Officer,
      packId: string,
      version: string | null,
      note: string | undefined,
    ): Promise<PackAuditEntry | undefined> {
      return version === null
        ? stopShadow(store, packId, step(officer, note))
        : startShadow(store, { packId, version }, step(officer, note));
    },
  };
}

export type RulePackGovernanceService = ReturnType<typeof createRulePackGovernance>;
