import { describe, expect, it } from 'vitest';
import { HOLD_SHARE_TARGET } from '#domain/rules/threshold-sweep.ts';
import { renderHtmlReport } from '#use-cases/backtest/html-report.ts';
import { CANDIDATE_VERSION, smallBacktestReport } from '../../support/backtest-report.ts';

/** A chart's Vega-Lite specification, as the page carries it beside the chart. */
function specOf(html: string, chart: string): Record<string, unknown> {
  const found = new RegExp(`<script type="application/json" id="${chart}-spec">(.*?)</script>`, 's').exec(html);
  if (!found) throw new Error(`no specification for ${chart}`);
  return JSON.parse(found[1]!);
}

/** Every data value of a spec and its layers, flattened. */
function valuesOf(spec: unknown): Array<Record<string, unknown>> {
  if (!spec || typeof spec !== 'object') return [];
  const { data, layer } = spec as { data?: { values?: Array<Record<string, unknown>> }; layer?: unknown[] };
  return [...(data?.values ?? []), ...(layer ?? []).flatMap(valuesOf)];
}

describe('the backtest HTML report', async () => {
  const { report, html, events } = await smallBacktestReport();

  it('loads nothing from outside: no src or href to a URL, no stylesheet or import', () => {
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b|@import|url\(\s*["']?(?:https?:)?\/\//i);
    expect(html).not.toContain('sourceMappingURL');
  });

  it('carries the 1% line and the current and proposed thresholds in the sweep specification', () => {
    const values = valuesOf(specOf(html, 'threshold-sweep'));
    expect(values).toContainEqual(expect.objectContaining({ target: HOLD_SHARE_TARGET }));
    const marked = values.filter((v) => typeof v.mark === 'string').map((v) => [v.mark, v.delay]);
    expect(marked).toEqual(
      expect.arrayContaining([
        ['current: kr-kh-2026.12.4 (DELAY 40 · REVIEW 70)', 40],
        [`proposed: ${CANDIDATE_VERSION} (DELAY 60 · REVIEW 70)`, 60],
      ]),
    );
    // Every point has each typology's recall for its tooltip.
    const point = values.find((v) => v.pack === CANDIDATE_VERSION && v.delay === 60)!;
    for (const typology of Object.keys(report.candidate.labels!.typologies))
      expect(point[`caught ${typology}`]).toBeTypeOf('number');
  });

  it("draws both packs' thresholds on the histograms and the officers' workload", () => {
    const thresholds = (chart: string) => valuesOf(specOf(html, chart)).filter((v) => typeof v.value === 'number');
    expect(thresholds('scores-0').map((t) => t.value)).toEqual(expect.arrayContaining([40, 60, 70]));
    expect(thresholds('review-workload').map((t) => t.value)).toContain(70);
    const workload = valuesOf(specOf(html, 'review-workload')).filter((v) => v.review === 70);
    const reviews = report.candidate.outcomes.REVIEW;
    const days = (Date.parse(report.period!.to) - Date.parse(report.period!.from)) / 86_400_000;
    expect(workload).toContainEqual(
      expect.objectContaining({ pack: CANDIDATE_VERSION, reviews: Math.round(reviews / days) }),
    );
  });

  it('lists the changed transfers by transferId, with amount and label, and no account or name in clear', () => {
    expect(report.changes!.count).toBeGreaterThan(0);
    const first = report.changes!.first[0]!;
    expect(html).toContain(
      `<td>${first.transferId}</td><td>${first.occurredAt}</td><td>${first.amount.value} KRW</td>`,
    );
    const secrets = new Set<string>();
    for (const event of events) {
      const { debtor, creditor } = event as { debtor: Record<string, string>; creditor: Record<string, string> };
      for (const value of [debtor.accountId, debtor.customerId, creditor.accountId, creditor.name])
        if (value) secrets.add(value);
    }
    expect(secrets.size).toBeGreaterThan(1_000);
    // The page without the inlined library (whose minified code holds short names such as "KT" by chance).
    const figures = html.replace(/<script>[\s\S]*?<\/script>/g, '');
    expect(figures.length).toBeLessThan(html.length / 5);
    expect([...secrets].filter((secret) => figures.includes(secret))).toEqual([]);
  });

  it('keeps a label that reads like markup inert, in the tables and in the chart specifications', () => {
    const typology = '</script><script>alert(1)</script>';
    const labels = { ...report.candidate.labels!, typologies: { [typology]: { scenarios: 1, caught: 1 } } };
    const page = renderHtmlReport({ ...report, candidate: { ...report.candidate, labels } }, 'f.ndjson', []);
    expect(page).not.toContain(typology);
    expect(page).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    const point = valuesOf(specOf(page, 'threshold-sweep')).find((v) => v.pack === CANDIDATE_VERSION)!;
    expect(point).toHaveProperty([`caught ${typology}`]);
  });
});
