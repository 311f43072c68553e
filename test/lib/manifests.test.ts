import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { TABLES, type TableNames } from '#adapters/dynamodb/tables.ts';
import { queueName } from '#adapters/sqs/queues.ts';
import { loadAutoReleaseConfig, loadReviewConfig } from '#config/review.ts';
import { loadScreeningConfig } from '#config/screening.ts';
import { tableOf, type Grant } from '#manifests/function-manifest.ts';
import { decisionApiManifest } from '#manifests/decision-api.ts';
import { autoReleaseManifest, reviewApiManifest } from '#manifests/review.ts';
import { screeningManifest } from '#manifests/screening.ts';
import { partnersWithQueues, queuePrefix } from '../../lib/config.ts';
import {
  allowsOf,
  asList,
  logicalIdOf,
  producedBy,
  referencedId,
  resourcesOf,
  synthesizeStage,
} from './stage-fixture.ts';

const { config, stacks, stateful, stateless } = synthesizeStage();
const prefix = queuePrefix(config.stage);
const decisionQueues = partnersWithQueues(config).map((p) => queueName(prefix, p.id, 'decisions'));
// The decision API hands transfers to the banks' inbound queues (the canary has no decision API).
const bankInboundQueues = config.partners.map((p) => queueName(prefix, p.id, 'inbound'));
const queueNames: Record<string, string> = Object.fromEntries(
  Object.entries(resourcesOf(stateless, 'AWS::SQS::Queue')).map(([id, queue]) => [
    id,
    String(queue.Properties!.QueueName),
  ]),
);
const withoutHash = (id: string) => id.replace(/[0-9A-F]{8}$/, '');

/** A policy resource by what it is: a table, index, key or secret of the stateful stack, or a queue by name. */
const nameOf = (resource: unknown): string => {
  const inStateful = producedBy(resource, stateful);
  if (inStateful) return withoutHash(inStateful);
  const inStateless = referencedId(resource);
  if (inStateless) return queueNames[inStateless] ?? withoutHash(inStateless);
  const join = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map((part) => (typeof part === 'string' ? part : nameOf(part))).join(join[0]);
  return String(resource);
};

type Operations = Record<string, Record<string, string[]>>;

/** What a role's statements with a sid (the manifest's; CDK's own grants have none) allow, by sid and resource. */
function grantedBySid(role: IConstruct): Operations {
  const granted: Operations = {};
  for (const statement of allowsOf(stateless, logicalIdOf(role)).filter((s) => s.Sid)) {
    for (const resource of asList(statement.Resource))
      (granted[statement.Sid!] ??= {})[nameOf(resource)] = asList(statement.Action).sort();
  }
  return granted;
}

/** The same, read from a manifest: tables and indexes by the stateful stack's construct ids. */
function manifestOperations(grants: readonly Grant[]): Operations {
  const resourcesOfGrant = (grant: Grant): string[] => {
    if ('tables' in grant)
      return grant.tables.map((target) => {
        const table = TABLES[tableOf(target)].id;
        return typeof target === 'string' ? table : `${table}/index/${target.index}`;
      });
    if ('queues' in grant)
      return grant.queues.flatMap((role) => (role === 'decisions' ? decisionQueues : bankInboundQueues));
    if ('secrets' in grant) return ['PseudonymKey'];
    return ['DataKey'];
  };
  return Object.fromEntries(
    grants.map((grant) => [
      grant.sid,
      Object.fromEntries(resourcesOfGrant(grant).map((resource) => [resource, [...grant.actions].sort()])),
    ]),
  );
}

const functions = {
  screening: { manifest: screeningManifest, construct: stacks.stateless.screening },
  'review API': { manifest: reviewApiManifest, construct: stacks.stateless.review.function },
  'auto-release': { manifest: autoReleaseManifest, construct: stacks.stateless.autoRelease.function },
  'decision API': { manifest: decisionApiManifest, construct: stacks.stateless.decisionApi!.function },
};

describe.each(Object.entries(functions))('the %s manifest', (_, { manifest, construct }) => {
  it('is exactly what the synthesized role allows with its own statements', () => {
    expect(grantedBySid(construct.role)).toEqual(manifestOperations(manifest.grants));
  });

  it('gives the function nothing else but its log group, X-Ray and, for an SQS trigger, its inbound queues', () => {
    const others = allowsOf(stateless, logicalIdOf(construct.role))
      .filter((s) => !s.Sid)
      .flatMap((s) => asList(s.Resource).map(nameOf));
    const inbound = partnersWithQueues(config).map((p) => queueName(prefix, p.id, 'inbound'));
    const expected = ['*', `${withoutHash(logicalIdOf(construct.logGroup))}`];
    // Lambda's event source mapping consumes the queues with the role, decrypting with the data key.
    if (manifest.trigger.kind === 'sqs') expected.push(...inbound, 'DataKey');
    expect([...new Set(others)].sort()).toEqual(expected.sort());
  });

  it('sets, besides the Powertools settings, only variables its schema reads, among them every table it uses', () => {
    const variables = resourcesOf(stateless, 'AWS::Lambda::Function')[logicalIdOf(construct.function)]!.Properties!
      .Environment as { Variables: Record<string, unknown> };
    const powertools = [
      'POWERTOOLS_SERVICE_NAME',
      'POWERTOOLS_METRICS_NAMESPACE',
      'POWERTOOLS_LOG_LEVEL',
      'NODE_OPTIONS',
    ];
    const manifestVariables = Object.keys(manifest.environment.shape);
    expect(Object.keys(variables.Variables).filter((name) => !powertools.includes(name))).toEqual(
      expect.arrayContaining(manifest.tables.map((key) => TABLES[key].envVar)),
    );
    for (const name of Object.keys(variables.Variables).filter((name) => !powertools.includes(name)))
      expect(manifestVariables, name).toContain(name);
    expect(manifest.entry).toMatch(/^lambdas\/handlers\/[a-z-]+\.ts$/);
  });
});

const tableNames = Object.fromEntries(Object.entries(TABLES).map(([key, t]) => [key, `local-${t.id}`])) as TableNames;
const outboundQueueUrls = { 'kr-demo-bank': 'http://127.0.0.1:4566/000000000000/local-kr-demo-bank-decisions' };
const pseudonymKey = { value: 'k'.repeat(32) };

describe('manifest environments', () => {
  it('renders a screening environment its loader reads back as the same settings', () => {
    const environment = screeningManifest.render({
      queuePrefix: 'local',
      outboundQueueUrls,
      rulePackId: 'kr-kh',
      rulePackMaxAgeSeconds: 30,
      eventTimeMaxSkewSeconds: 60,
      eventTimeMaxAgeHours: 48,
      shadowMode: 'off',
      networkIndex: false,
      pseudonymKey,
      tables: tableNames,
    });
    expect(loadScreeningConfig(environment)).toEqual({
      queuePrefix: 'local',
      outboundQueueUrls,
      rulePackId: 'kr-kh',
      rulePackMaxAgeMs: 30_000,
      shadowPointer: false,
      pseudonymKey,
      // Every table but the review API's request counters and read audit.
      tables: (({ requestLimits: _, readAudit: __, ...screeningTables }) => screeningTables)(tableNames),
      networkIndex: false,
      eventTimeBounds: { maxSkewMs: 60_000, maxAgeMs: 48 * 3_600_000 },
      canaryPartners: new Set(),
    });
  });

  it('renders the review environments with only the tables their grants name: auto-release never reads decisions or account state', () => {
    const inputs = {
      outboundQueueUrls,
      releaseLimits: { KRW: '5000000' },
      requestLimits: { perOfficerPerMinute: 30, perBankPerMinute: 300 },
      pseudonymKey,
      tables: tableNames,
    };
    const api = reviewApiManifest.render(inputs);
    expect(Object.keys(api).filter((name) => name.endsWith('_TABLE'))).toEqual([
      'WATCHLIST_TABLE',
      'AGGREGATES_TABLE',
      'RULE_PACKS_TABLE',
      'DECISIONS_TABLE',
      'FLAGS_TABLE',
      'REQUEST_LIMITS_TABLE',
      'READ_AUDIT_TABLE',
    ]);
    expect(loadReviewConfig(api)).toMatchObject({
      flagsTable: tableNames.flags,
      watchlistTable: tableNames.watchlist,
      decisionsTable: tableNames.decisions,
      aggregatesTable: tableNames.aggregates,
      requestLimitsTable: tableNames.requestLimits,
      rulePacksTable: tableNames.rulePacks,
      readAuditTable: tableNames.readAudit,
      outboundQueueUrls,
      pseudonymKey,
    });
    expect(loadReviewConfig(api).releasePolicy.limits.get('KRW')).toBe(5_000_000n);
    expect(loadReviewConfig(api).requestLimits).toEqual(inputs.requestLimits);
    const sweep = autoReleaseManifest.render(inputs);
    expect(Object.keys(sweep).filter((name) => name.endsWith('_TABLE'))).toEqual(['WATCHLIST_TABLE', 'FLAGS_TABLE']);
    expect(loadAutoReleaseConfig(sweep)).toEqual({
      flagsTable: tableNames.flags,
      watchlistTable: tableNames.watchlist,
      outboundQueueUrls,
      releasePolicy: expect.anything(),
      pseudonymKey,
    });
  });

  it('requires the variable of every table the manifest uses', () => {
    const environment = reviewApiManifest.render({ outboundQueueUrls, pseudonymKey, tables: tableNames });
    expect(() => loadReviewConfig({ ...environment, WATCHLIST_TABLE: '' })).toThrow(
      /WATCHLIST_TABLE: must name the Watchlist table/,
    );
  });
});
