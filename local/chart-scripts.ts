import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The browser builds the backtest's HTML report inlines, in load order (vega-lite needs vega; vega-embed both). */
const BUILDS = [
  ['vega', 'vega.min.js'],
  ['vega-lite', 'vega-lite.min.js'],
  ['vega-embed', 'vega-embed.min.js'],
] as const;

/**
 * Vega, Vega-Lite and vega-embed as script text, read from node_modules at report time so the report
 * needs no network. Their source-map comments are dropped: a browser's developer tools would try to
 * fetch the maps.
 */
export async function readChartScripts(): Promise<string[]> {
  return Promise.all(
    BUILDS.map(async ([name, file]) => {
      // The packages export their module builds only; the browser build sits beside the entry point.
      const path = join(dirname(require.resolve(name)), file);
      const text = await readFile(path, 'utf8');
      return text.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
    }),
  );
}
