import { OUTCOMES, type Outcome } from '../contract/decision.ts';
import type { ShadowDecision } from './shadow.ts';

/** Live and shadow side by side over a period: what an analyst reads before approving the shadow pack. */
export interface ShadowComparison {
  readonly shadowVersion: string;
  readonly transfers: number;
  /** The earliest and latest event time among the transfers (as sent), null over none. */
  readonly events: { readonly first: string; readonly last: string } | null;
  /** Versions in force over the period (an activation inside it shows as two), with their transfers. */
  readonly liveVersions: Readonly<Record<string, number>>;
  readonly outcomes: { readonly live: Record<Outcome, number>; readonly shadow: Record<Outcome, number> };
  /** transitions[live][shadow]: transfers with that live outcome and that shadow outcome. */
  readonly transitions: Record<Outcome, Record<Outcome, number>>;
  /** Held: DELAY, REVIEW or BLOCK. Null over no transfers. */
  readonly holdRate: { readonly live: number | null; readonly shadow: number | null };
  /** Per rule id, fires under each pack, most fires (both packs together) first. */
  readonly rules: ReadonlyArray<{ readonly ruleId: string; readonly live: number; readonly shadow: number }>;
  /** Transfers whose outcome differs. */
  readonly differing: number;
  /** The earliest differing transfers by event time, at most the sample size. */
  readonly sample: readonly DifferingTransfer[];
}

export interface DifferingTransfer {
  readonly partnerId: string;
  readonly transferId: string;
  readonly occurredAt: string;
  readonly live: { readonly outcome: Outcome; readonly score: number; readonly rules: readonly string[] };
  readonly shadow: { readonly outcome: Outcome; readonly score: number; readonly rules: readonly string[] };
}

const zeroes = (): Record<Outcome, number> => ({ ALLOW: 0, DELAY: 0, REVIEW: 0, BLOCK: 0 });
/** By event instant (partners send their own offsets, so the text does not sort), then partner and transfer. */
const earlier = (a: DifferingTransfer, b: DifferingTransfer) =>
  Date.parse(a.occurredAt) - Date.parse(b.occurredAt) ||
  a.partnerId.localeCompare(b.partnerId) ||
  a.transferId.localeCompare(b.transferId);

/** Tallies shadow decisions one at a time, so a long period is never held in memory. */
export class ShadowTally {
  private transfers = 0;
  private readonly liveVersions = new Map<string, number>();
  private readonly live = zeroes();
  private readonly shadow = zeroes();
  private readonly transitions = Object.fromEntries(OUTCOMES.map((o) => [o, zeroes()])) as Record<
    Outcome,
    Record<Outcome, number>
  >;
  private readonly fires = new Map<string, { live: number; shadow: number }>();
  private differing = 0;
  private sample: DifferingTransfer[] = [];
  private first: { at: number; text: string } | undefined;
  private last: { at: number; text: string } | undefined;

  constructor(
    private readonly shadowVersion: string,
    private readonly sampleSize = 50,
  ) {}

  add(decision: ShadowDecision): void {
    this.transfers++;
    const at = Date.parse(decision.occurredAt);
    if (!this.first || at < this.first.at) this.first = { at, text: decision.occurredAt };
    if (!this.last || at > this.last.at) this.last = { at, text: decision.occurredAt };
    this.liveVersions.set(decision.liveVersion, (this.liveVersions.get(decision.liveVersion) ?? 0) + 1);
    this.live[decision.live.outcome]++;
    this.shadow[decision.shadow.outcome]++;
    this.transitions[decision.live.outcome][decision.shadow.outcome]++;
    for (const ruleId of decision.live.rules) this.fire(ruleId).live++;
    for (const ruleId of decision.shadow.rules) this.fire(ruleId).shadow++;
    if (decision.live.outcome === decision.shadow.outcome) return;
    this.differing++;
    const { partnerId, transferId, occurredAt, live, shadow } = decision;
    this.sample.push({ partnerId, transferId, occurredAt, live, shadow });
    // Trimmed now and then rather than on every push: a sorted bounded sample at a small cost.
    if (this.sample.length >= 4 * this.sampleSize) this.trimSample();
  }

  summary(): ShadowComparison {
    this.trimSample();
    const held = (outcomes: Record<Outcome, number>) =>
      this.transfers ? (this.transfers - outcomes.ALLOW) / this.transfers : null;
    return {
      shadowVersion: this.shadowVersion,
      transfers: this.transfers,
      events: this.first && this.last ? { first: this.first.text, last: this.last.text } : null,
      liveVersions: Object.fromEntries([...this.liveVersions].sort(([a], [b]) => a.localeCompare(b))),
      outcomes: { live: { ...this.live }, shadow: { ...this.shadow } },
      transitions: Object.fromEntries(OUTCOMES.map((o) => [o, { ...this.transitions[o] }])) as Record<
        Outcome,
        Record<Outcome, number>
      >,
      holdRate: { live: held(this.live), shadow: held(this.shadow) },
      rules: [...this.fires]
        .map(([ruleId, fires]) => ({ ruleId, ...fires }))
        .sort((a, b) => b.live + b.shadow - (a.live + a.shadow) || a.ruleId.localeCompare(b.ruleId)),
      differing: this.differing,
      sample: [...this.sample],
    };
  }

  private fire(ruleId: string) {
    let fires = this.fires.get(ruleId);
    if (!fires) {
      fires = { live: 0, shadow: 0 };
      this.fires.set(ruleId, fires);
    }
    return fires;
  }

  private trimSample(): void {
    this.sample = this.sample.sort(earlier).slice(0, this.sampleSize);
  }
}
