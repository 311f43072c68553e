import { describe, expect, it } from 'vitest';
import { FACTS } from '#domain/rules/facts.ts';
import { quietFacts } from '../../support/facts.ts';

describe('fact catalogue', () => {
  it('every fact name is the property path of its value, which the rule compiler relies on', () => {
    const facts = quietFacts({
      creditor: { watchlist: { listed: true, category: 'SUSPENDED', confidence: 70, source: 's', sources: 1 } },
    });
    for (const [name, definition] of Object.entries(FACTS)) {
      const byPath = name
        .split('.')
        .reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], facts);
      expect(byPath, name).toBe(definition.get(facts));
      expect(name).toMatch(/^[a-zA-Z][a-zA-Z0-9]*(\.[a-zA-Z][a-zA-Z0-9]*)*$/);
    }
  });
});

describe('README', () => {
  it('documents every fact a rule can use', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const [name, definition] of Object.entries(FACTS))
      expect(readme).toContain(`| \`${name}\` | ${definition.type} |`);
  });
});
