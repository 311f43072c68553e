import type { LocalSystemModel, PolicyDocumentJson } from '../assembly/system-model.ts';
import { createIamGuard, type GuardedCall, type IamGuard } from './guard.ts';
import { allowEverythingPolicy, loadPolicy, type LoadedPolicy, type PolicyDocument } from './policy-evaluator.ts';
import type { ResourceLookup } from './sdk-permissions.ts';

/**
 * Everything a guard needs to enforce one principal's IAM policies, as data, so that it crosses into a
 * Lambda container's worker thread: the principal, its policies, and the resources of the templates
 * with their resource policies and customer managed keys.
 */
export interface IamGuardSpec {
  readonly principal: { readonly roleArn: string; readonly account: string; readonly sessionName: string };
  /** The role's policies; absent for a partner bank's principal, whose own IAM is not modelled. */
  readonly identityPolicies?: ReadonlyArray<{ readonly name: string; readonly document: PolicyDocumentJson }>;
  readonly resources: ResourcesOfTemplates;
}

export interface ResourcesOfTemplates {
  readonly tables: ReadonlyArray<{
    readonly name: string;
    readonly arn: string;
    readonly kmsKeyArn?: string;
    readonly resourcePolicy?: PolicyDocumentJson;
  }>;
  readonly queues: ReadonlyArray<{
    readonly name: string;
    readonly arn: string;
    readonly kmsKeyArn?: string;
    readonly policy?: PolicyDocumentJson;
  }>;
  readonly secrets: ReadonlyArray<{ readonly name: string; readonly arn: string; readonly kmsKeyArn?: string }>;
  readonly keys: ReadonlyArray<{ readonly arn: string; readonly policy: PolicyDocumentJson }>;
}

/** The resources of a model, as guards need them. */
export function resourcesOfTemplates(model: LocalSystemModel): ResourcesOfTemplates {
  return {
    tables: model.tables.map(({ name, arn, kmsKeyArn, resourcePolicy }) => ({
      name,
      arn,
      ...(kmsKeyArn ? { kmsKeyArn } : {}),
      ...(resourcePolicy ? { resourcePolicy } : {}),
    })),
    queues: model.queues.map(({ name, arn, kmsKeyArn, policy }) => ({
      name,
      arn,
      ...(kmsKeyArn ? { kmsKeyArn } : {}),
      ...(policy ? { policy } : {}),
    })),
    secrets: model.secrets.map(({ name, arn, kmsKeyArn }) => ({ name, arn, ...(kmsKeyArn ? { kmsKeyArn } : {}) })),
    keys: model.keys.map(({ arn, policy }) => ({ arn, policy })),
  };
}

/** The guard a spec describes; policies are loaded (and refused, naming the statement) here. */
export function guardFromSpec(spec: IamGuardSpec, onCall?: (call: GuardedCall) => void): IamGuard {
  const { resources } = spec;
  const load = (name: string, document: PolicyDocumentJson, kind: 'identity' | 'resource') =>
    loadPolicy(name, document as unknown as PolicyDocument, kind);
  const resourcePolicies = new Map<string, LoadedPolicy>();
  for (const table of resources.tables)
    if (table.resourcePolicy)
      resourcePolicies.set(table.arn, load(`${table.name} resource policy`, table.resourcePolicy, 'resource'));
  for (const queue of resources.queues)
    if (queue.policy) resourcePolicies.set(queue.arn, load(`${queue.name} queue policy`, queue.policy, 'resource'));
  const keyPolicies = new Map(
    resources.keys.map((key) => [key.arn, load(`key policy of ${key.arn}`, key.policy, 'resource')]),
  );
  const keyOf = new Map<string, string>();
  for (const resource of [...resources.tables, ...resources.queues, ...resources.secrets])
    if (resource.kmsKeyArn) keyOf.set(resource.arn, resource.kmsKeyArn);

  const unknown = (what: string, value: string): never => {
    throw new Error(`the templates define no ${what} ${value}`);
  };
  // Queue URLs differ by the host a client was given (loopback or fauxqs's sqs.<region>.localhost):
  // a queue is its account and name, the URL's last two segments.
  const queueByName = new Map(resources.queues.map((queue) => [queue.name, queue.arn]));
  const lookup: ResourceLookup = {
    tableArn: (name) => resources.tables.find((t) => t.name === name)?.arn ?? unknown('table', name),
    queueArn: (url) => queueByName.get(url.split('/').pop() ?? '') ?? unknown('queue', url),
    queueArnByName: (name) => queueByName.get(name) ?? unknown('queue', name),
    secretArn: (id) =>
      resources.secrets.find((s) => s.arn === id || s.name === id || s.arn.replace(/-[A-Za-z0-9]{6}$/, '') === id)
        ?.arn ?? unknown('secret', id),
    keyOf: (arn) => keyOf.get(arn),
  };
  return createIamGuard({
    principal: spec.principal,
    identityPolicies: spec.identityPolicies
      ? spec.identityPolicies.map((policy) => load(policy.name, policy.document, 'identity'))
      : [allowEverythingPolicy(`${spec.principal.account}'s own IAM (not modelled)`)],
    resourcePolicyOf: (arn) => resourcePolicies.get(arn),
    keyPolicyOf: (arn) => keyPolicies.get(arn),
    lookup,
    ...(onCall ? { onCall } : {}),
  });
}
