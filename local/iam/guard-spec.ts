import type { PolicyDocumentJson } from '../assembly/system-model.ts';

/**
 * Everything a container needs to enforce its function's IAM policies, as data (it crosses into a
 * worker thread): the role, its policies, and the resources of the templates with their resource
 * policies and customer managed keys.
 */
export interface IamGuardSpec {
  readonly principal: { readonly roleArn: string; readonly accountId: string; readonly sessionName: string };
  readonly identityPolicies: ReadonlyArray<{ readonly name: string; readonly document: PolicyDocumentJson }>;
  readonly tables: ReadonlyArray<{
    readonly name: string;
    readonly arn: string;
    readonly kmsKeyArn?: string;
    readonly resourcePolicy?: PolicyDocumentJson;
  }>;
  readonly queues: ReadonlyArray<{
    readonly url: string;
    readonly arn: string;
    readonly kmsKeyArn?: string;
    readonly policy?: PolicyDocumentJson;
  }>;
  readonly secrets: ReadonlyArray<{ readonly name: string; readonly arn: string; readonly kmsKeyArn?: string }>;
  readonly keys: ReadonlyArray<{ readonly arn: string; readonly policy: PolicyDocumentJson }>;
  readonly region: string;
}
