import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { DECISION_ROUTES } from '#handlers/http/decision-routes.ts';
import { REVIEW_ROUTES } from '#handlers/http/review-routes.ts';
import { logicalIdOf, resourcesOf, synthesizeStage } from '../../lib/stage-fixture.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');
const folder = (path: string, pattern: RegExp) =>
  readdirSync(`${root}${path}`)
    .filter((name) => pattern.test(name))
    .map((name) => `${path}/${name}`);

/** The first segments of the API's paths ("flags", "cases"): what a client's API call starts with. */
const TOP = [...new Set(Object.values(REVIEW_ROUTES).map((route) => route.path.split('/')[1]!))].join('|');

/**
 * Every API path a client of the review API calls, as written in its source: "/flags/${...}/network"
 * becomes "GET /flags/{}/network". API paths start at a quote or backtick (the console's and fraudctl's
 * calls) or after "review-api" (the browser tests' request interception); "#/cases/..." is a console
 * page, not an API path.
 */
function calledPaths(source: string): string[] {
  const found = new Set<string>();
  const apiPath = new RegExp(`(?:[\`'"]|review-api)(\\/(?:${TOP})(?:\\$\\{[^}]*\\}|[^\`'"?*\\s$])*)`, 'g');
  for (const match of withHelpersExpanded(source).matchAll(apiPath)) {
    found.add(
      match[1]!
        .replace(/\$\{[^}]*\}/g, '{}')
        .replace(/\/$/, '')
        .replace(/\/(KB|ABA|KR|KH)-[A-Z0-9-]+/g, '/{}')
        .replace(/\/kr-demo-bank|\/kh-demo-bank/g, '/{}'),
    );
  }
  return [...found];
}

/** `${flagPath(flag)}/actions` as the path it builds: "/flags/{}/{}/actions" (helpers that return a path). */
function withHelpersExpanded(source: string): string {
  let expanded = source;
  for (const [, name, template] of source.matchAll(
    new RegExp(`const (\\w+) = \\([^)]*\\) =>\\s*\`(\\/(?:${TOP})[^\`]*)\``, 'g'),
  ))
    expanded = expanded.replace(
      new RegExp(`\\$\\{${name}\\([^)]*\\)\\}`, 'g'),
      template!.replace(/\$\{[^}]*\}/g, '{}'),
    );
  return expanded;
}

/** Whether a called path ("/flags/{}/{}") is a deployed route's path ("/flags/{partnerId}/{transferId}"). */
const deployedAs = (called: string, routePath: string) => {
  const calledSegments = called.split('/');
  const routeSegments = routePath.split('/');
  return (
    calledSegments.length === routeSegments.length &&
    routeSegments.every(
      (segment, i) => segment === calledSegments[i] || (segment.startsWith('{') && calledSegments[i] === '{}'),
    )
  );
};

describe('the review API route table', () => {
  const { stateless, stacks } = synthesizeStage();
  /** The routes of one HTTP API of the stack (the review API's, or the decision API's). */
  const routesOf = (api: IConstruct) =>
    Object.values(resourcesOf(stateless, 'AWS::ApiGatewayV2::Route'))
      .filter((route) => (route.Properties!.ApiId as { Ref?: string }).Ref === logicalIdOf(api))
      .map((route) => {
        const [method, path] = String(route.Properties!.RouteKey).split(' ');
        return { method: method!, path: path! };
      });
  const deployed = routesOf(stacks.stateless.review.api);

  it('the decision API deploys exactly its own route table', () => {
    expect(routesOf(stacks.stateless.decisionApi!.api).map((r) => `${r.method} ${r.path}`)).toEqual(
      Object.values(DECISION_ROUTES).map((r) => `${r.method} ${r.path}`),
    );
  });

  it('is what the stack deploys, route for route', () => {
    expect(deployed.map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      Object.values(REVIEW_ROUTES)
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    );
  });

  it.each([
    ['the console', ['lambdas/review-console/app.js']],
    ['fraudctl flags, cases and rules', folder('bin/commands', /\.ts$/)],
    ['the browser tests', folder('test/browser', /\.ts$/)],
  ])('covers every API path %s calls', (client, files) => {
    const called = files.flatMap((file) => calledPaths(read(file)));
    expect(called.length).toBeGreaterThan(0);
    // Every route has a client: the console calls all but the rule packs', which fraudctl rules calls.
    const routesOf = (pattern: RegExp) =>
      new Set(
        Object.values(REVIEW_ROUTES)
          .map((route) => route.path.replace(/\{\w+\}/g, '{}'))
          .filter((path) => pattern.test(path)),
      );
    if (client === 'the console') expect(new Set(called)).toEqual(routesOf(/^\/(?!rule-packs)/));
    if (client.startsWith('fraudctl'))
      expect(new Set(called.filter((path) => path.startsWith('/rule-packs')))).toEqual(routesOf(/^\/rule-packs/));
    const undeployed = called.filter((path) => !deployed.some((route) => deployedAs(path, route.path)));
    expect(undeployed).toEqual([]);
  });

  it('finds a call to a path that is not deployed', () => {
    const [called] = calledPaths(`api(\`/cases/\${encodeURIComponent(key)}/history\`)`);
    expect(deployed.some((route) => deployedAs(called!, route.path))).toBe(false);
  });
});
