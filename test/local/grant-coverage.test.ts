import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoFlagRepository } from '#adapters/dynamodb/flag-repository.ts';
import { DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import { DynamoWatchlistStore } from '#adapters/dynamodb/watchlist-store.ts';
import type { RoleModel } from '#local/assembly/system-model.ts';
import { issueLocalToken, loadLocalSigningKey } from '#local/auth/local-issuer.ts';
import { guardFromSpec, resourcesOfTemplates } from '#local/iam/guard-spec.ts';
import type { IamCallRecord } from '#local/lambda-containers.ts';
import { arrivingAt } from '#local/simulated-clock.ts';
import type { WatchlistEntry } from '#local/watchlist-csv.ts';
import { generateWorkload } from '#local/workload/generate.ts';
import { WORKLOAD_SPAN_MS } from '#local/workload/world.ts';
import { postDecision } from '../../bin/commands/decision-api-client.ts';
import { startLocalReviewStack, type LocalReviewStack } from '../../bin/commands/serve.ts';
import { transferEvent } from '../support/transfers.ts';
import shippedPack from '../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };

/**
 * Every call each function of the local stage makes, in a run that uses every path (screening with a
 * shadow pack and a malformed message, every review route, the auto-release sweep re-driving an owed
 * listing, the seed of the shipped pack, the decision API deciding and handing a transfer to the
 * stream), is allowed by its role's synthesized policy, and every
 * statement of each role is used by some call: the policy is exactly what the code needs.
 */
let stack: LocalReviewStack;
let stateDir: string;
const calls: IamCallRecord[] = [];

/** Statements Lambda and X-Ray use on the function's behalf, outside its SDK calls. */
const OUTSIDE_THE_CODE = /^(logs|xray):/;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'grants-'));
  stack = await startLocalReviewStack({ stateDir, schedules: 'when-fired', onIamCall: (call) => calls.push(call) });
  const { pipeline } = stack;
  // A shadow version beside the active one, so that screening stores what it decides.
  const store = new DynamoRulePackStore(pipeline.clients.documents, pipeline.tables.rulePacks);
  const shadow = await store.publish(
    { ...shippedPack, version: `${shippedPack.version}-shadow` },
    { activate: false, publishedBy: 'test', now: new Date() },
  );
  await store.pointShadow(
    shadow.packId,
    shadow.version,
    undefined,
    { id: 'test', username: 'test', role: 'analyst' },
    new Date(),
  );
  const workload = generateWorkload({ transfers: 400, seed: 3, start: new Date(Date.now() - WORKLOAD_SPAN_MS) });
  await loadWatchlist(pipeline, workload.watchlist);
  for (const partnerId of pipeline.partners)
    await pipeline.send(partnerId, [
      ...workload.events
        .filter((event) => event.partnerId === partnerId)
        .map((event) => ({ body: JSON.stringify(event), attributes: arrivingAt(String(event.occurredAt)) })),
      { body: '{"schemaVersion":1,', attributes: arrivingAt(new Date().toISOString()) },
    ]);
  await pipeline.drain();
  const signingKey = await loadLocalSigningKey(stateDir);
  const kim = await issueLocalToken(signingKey, { username: 'kim', partnerId: 'kr-demo-bank', role: 'analyst' });
  const lee = await issueLocalToken(signingKey, { username: 'lee', partnerId: 'kr-demo-bank', role: 'supervisor' });
  const chan = await issueLocalToken(signingKey, { username: 'chan', partnerId: '*', role: 'supervisor' });
  const call = async (token: string, path: string, body?: unknown) => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(response.ok, `${path}: ${response.status} ${await response.clone().text()}`).toBe(true);
    return (await response.json()) as Record<string, any>;
  };
  const queue = await call(kim, '/flags?limit=100');
  await call(chan, '/flags?limit=5');
  await call(kim, '/flags?status=PENDING&sort=deadline&limit=10');
  const [first, second] = queue.items.filter((flag: any) => flag.outcome === 'REVIEW');
  await call(kim, `/flags/kr-demo-bank/${first.transferId}`);
  await call(kim, `/flags/kr-demo-bank/${first.transferId}/network`);
  await call(kim, `/flags/kr-demo-bank/${first.transferId}/profile`);
  await call(kim, `/flags/kr-demo-bank/${first.transferId}/actions`, {
    action: 'ESCALATE',
    note: 'a second look before release',
    expectedVersion: 1,
  });
  await call(lee, `/flags/kr-demo-bank/${second.transferId}/actions`, {
    action: 'CONFIRM_FRAUD',
    note: 'mule confirmed by the receiving bank',
    expectedVersion: 1,
  });
  // The confirmation's listing: held at kr-demo-bank until a second supervisor shares it; then delisted.
  const listings = await call(kim, '/listings?status=HELD_AT_OWN_BANK');
  const held = listings.items[0];
  await call(kim, `/listings/kr-demo-bank/${held.accountKey}`);
  await call(chan, `/listings/kr-demo-bank/${held.accountKey}/actions`, {
    action: 'APPROVE',
    reason: 'evidence read',
    expectedVersion: 1,
  });
  const confirmedFlag = await call(lee, `/flags/kr-demo-bank/${second.transferId}`);
  await call(kim, '/listings/appeals', { accountId: confirmedFlag.transfer.creditor.accountId, reason: 'payroll' });
  await call(chan, `/listings/kr-demo-bank/${held.accountKey}/actions`, {
    action: 'DELIST',
    reason: 'appeal granted',
    expectedVersion: 3,
  });
  const cases = await call(chan, '/cases?limit=5');
  const accountKey = cases.items[0].accountKey;
  await call(chan, `/cases/${accountKey}`);
  await call(chan, `/cases/${accountKey}/network`);
  const shown = await call(chan, `/cases/${accountKey}`);
  await call(chan, `/cases/${accountKey}/actions`, {
    action: 'ESCALATE',
    note: 'second look',
    expectedVersion: shown.version,
  });
  // The rule pack maker-checker, a proposal and its approval by a different task-force supervisor.
  const ana = await issueLocalToken(signingKey, { username: 'ana', partnerId: '*', role: 'supervisor' });
  const proposed = { ...shippedPack, version: `${shippedPack.version}-proposed` };
  await call(kim, '/rule-packs/kr-kh/proposals', { pack: proposed, note: 'a proposal' });
  await call(chan, `/rule-packs/kr-kh/versions/${proposed.version}`);
  await call(ana, `/rule-packs/kr-kh/versions/${proposed.version}/decision`, { decision: 'APPROVE', note: 'read it' });
  await call(chan, '/rule-packs/kr-kh');
  // An outage after the confirmation left its listing owed: the sweep re-drives it.
  const flags = new DynamoFlagRepository(pipeline.clients.documents, pipeline.tables.flags);
  const confirmed = (await flags.get('kr-demo-bank', second.transferId))!;
  await flags.settleEffects(confirmed, ['WATCHLIST'], new Date());
  await stack.autoRelease();
  await askForDecisions(pipeline);
}, 240_000);

/**
 * The decision API's paths: a transfer it cannot screen (no pack in force when its container starts)
 * handed to the stream, then a decision, a retry, and a malformed body, each signed by the partner's role.
 */
async function askForDecisions(pipeline: LocalReviewStack['pipeline']) {
  const outputs = pipeline.system.model.outputs['fraud-local-stateless']!;
  const ask = (partnerId: 'kr-demo-bank' | 'kh-demo-bank', body: string) => {
    const role =
      outputs[partnerId === 'kr-demo-bank' ? 'KrDemoBankDecisionCallerRoleArn' : 'KhDemoBankDecisionCallerRoleArn']!;
    return postDecision(outputs.DecisionApiUrl!, body, pipeline.system.callerCredentials(role), pipeline.region);
  };
  const transfer = (partnerId: string) =>
    JSON.stringify(transferEvent({ partnerId, occurredAt: new Date(Date.now() - 1_000).toISOString() }));
  const documents = pipeline.clients.documents;
  const pointer = { TableName: pipeline.tables.rulePacks, Key: { packId: 'kr-kh', version: 'ACTIVE' } };
  const active = (await documents.send(new GetCommand(pointer))).Item!;
  await documents.send(new DeleteCommand(pointer));
  const fallback = await ask('kh-demo-bank', transfer('kh-demo-bank'));
  await documents.send(new PutCommand({ TableName: pointer.TableName, Item: active }));
  expect(fallback.body, JSON.stringify(fallback.body)).toMatchObject({
    reasons: [{ ruleId: 'DEPENDENCY_UNAVAILABLE' }],
  });
  await pipeline.drain();
  const decided = transfer('kr-demo-bank');
  expect((await ask('kr-demo-bank', decided)).status).toBe(200);
  expect((await ask('kr-demo-bank', decided)).status).toBe(200);
  expect((await ask('kr-demo-bank', '{"schemaVersion":1,')).status).toBe(400);
}
afterAll(async () => {
  await stack?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

/** Each statement as the guard names it ("<policy>#<sid or position>"), but those only Lambda and X-Ray use. */
function statementsOf(role: RoleModel): string[] {
  return role.policies.flatMap((policy) =>
    ([] as Array<{ Sid?: string; Action: string | string[] }>)
      .concat(policy.document.Statement as never)
      .map((statement, index) => ({ name: `${policy.name}#${statement.Sid ?? index}`, statement }))
      .filter(({ statement }) => ![statement.Action].flat().every((action) => OUTSIDE_THE_CODE.test(action)))
      .map(({ name }) => name),
  );
}

async function loadWatchlist(pipeline: LocalReviewStack['pipeline'], entries: readonly WatchlistEntry[]) {
  const store = new DynamoWatchlistStore(pipeline.clients.documents, pipeline.tables.watchlist, pipeline.pseudonymiser);
  for (const { accountId, listing } of entries) await store.list(accountId, listing);
}

describe('the policies the templates give each role', () => {
  it('allow every call its code made', () => {
    expect(calls.filter((call) => !call.allowed)).toEqual([]);
  });

  it.each([
    ['ScreeningRole', 'the screening function'],
    ['ReviewApiHandlerRole', 'the review API'],
    ['AutoReleaseHandlerRole', 'the auto-release sweep'],
    ['RulePackSeedRole', "the shipped pack's seed"],
    ['DecisionApiHandlerRole', 'the decision API'],
  ])('hold no statement %s (%s) never used', (roleName) => {
    const role = stack.pipeline.system.model.roles.find((r) => r.logicalId.startsWith(roleName))!;
    const used = new Set(
      calls.filter((call) => call.principal.includes(`/${role.name}/`)).flatMap((call) => call.statements),
    );
    const unused = statementsOf(role).filter((statement) => !used.has(statement));
    expect(unused, roleName).toEqual([]);
  });
});

describe('the RulePacks table', () => {
  it("refuses writes from every principal but the review API's role and the seed's, an administrator's too", async () => {
    const { model } = stack.pipeline.system;
    const admin = guardFromSpec({
      principal: {
        roleArn: `arn:aws:iam::${model.account.accountId}:role/operator-admin`,
        account: model.account.accountId,
        sessionName: 'operator',
      },
      identityPolicies: [
        {
          name: 'AdministratorAccess',
          document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
        },
      ],
      resources: resourcesOfTemplates(model),
    });
    const client = new DynamoDBClient({
      endpoint: stack.pipeline.endpoints.dynamodb,
      region: model.account.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    admin.instrument(client);
    const documents = DynamoDBDocumentClient.from(client);
    const TableName = stack.pipeline.tables.rulePacks;
    const pointer = { packId: 'kr-kh', version: 'ACTIVE' };
    await expect(
      documents.send(new PutCommand({ TableName, Item: { ...pointer, activeVersion: 'anything' } })),
    ).rejects.toThrow(
      /not authorized to perform: dynamodb:PutItem on resource: \S+ with an explicit deny in a resource-based policy/,
    );
    // Reading stays open to what IAM allows: an operator may look at the pack in force.
    expect((await documents.send(new GetCommand({ TableName, Key: pointer }))).Item).toBeDefined();
    // Other tables carry no such policy: the administrator writes them.
    await documents.send(
      new PutCommand({ TableName: stack.pipeline.tables.requestLimits, Item: { pk: 'probe', expiresAt: 0 } }),
    );
  });
});
