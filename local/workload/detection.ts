import { type Decision, isHeld } from '#domain/contract/decision.ts';
import type { Workload } from './generate.ts';
import { TYPOLOGIES, WorkloadLabelSchema } from './labels.ts';

export interface DetectionSummary {
  typologies: Record<string, { scenarios: number; caught: number }>;
  legitimate: { transfers: number; held: number };
}

/**
 * Scores decisions against the workload's labels. A scenario is caught when at least one of its
 * transfers marked `countsAsCaughtIfHeld` was held (any outcome but ALLOW): the money was stopped
 * before it was gone. A legitimate transfer counts as held on the same terms. A transfer without a
 * decision counts as neither held nor caught; events without a workload label are not counted.
 *
 * @param decisions the screening decision of each transfer (not a later review update, which may
 *   release it), keyed by `${partnerId}\n${transferId}`
 */
export function summariseDetection(
  events: Workload['events'],
  decisions: ReadonlyMap<string, Decision>,
): DetectionSummary {
  const typologies: DetectionSummary['typologies'] = Object.fromEntries(
    TYPOLOGIES.map((t) => [t, { scenarios: 0, caught: 0 }]),
  );
  const legitimate = { transfers: 0, held: 0 };
  const scenarios = new Map<string, { typology: string; caught: boolean }>();

  for (const event of events) {
    const parsed = WorkloadLabelSchema.safeParse(event.label);
    if (!parsed.success) continue;
    const label = parsed.data;
    const decision = decisions.get(`${String(event.partnerId)}\n${String(event.transferId)}`);
    const held = decision !== undefined && isHeld(decision.outcome);
    if (label.kind === 'legitimate') {
      legitimate.transfers += 1;
      if (held) legitimate.held += 1;
      continue;
    }
    let scenario = scenarios.get(label.scenarioId);
    if (!scenario) scenarios.set(label.scenarioId, (scenario = { typology: label.typology, caught: false }));
    if (held && label.countsAsCaughtIfHeld) scenario.caught = true;
  }

  for (const { typology, caught } of scenarios.values()) {
    const tally = (typologies[typology] ??= { scenarios: 0, caught: 0 });
    tally.scenarios += 1;
    if (caught) tally.caught += 1;
  }
  return { typologies, legitimate };
}
