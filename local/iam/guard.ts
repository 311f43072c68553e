import { randomUUID } from 'node:crypto';
import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { SecretsManagerServiceException } from '@aws-sdk/client-secrets-manager';
import { KmsAccessDenied, SQSServiceException } from '@aws-sdk/client-sqs';
import { type Decision, evaluate, type LoadedPolicy, type RequestPrincipal, sessionArn } from './policy-evaluator.ts';
import {
  FILLED_CONTEXT_KEYS,
  type RequiredPermission,
  type ResourceLookup,
  requiredPermissions,
  serviceOf,
} from './sdk-permissions.ts';

/**
 * Checks every AWS SDK call a function makes locally against its role's policies, as AWS would, and
 * fails a denied call with the error the service's SDK surfaces. A middleware at the initialize step:
 * above the SDK's retries, so a denial is never retried (AWS's access-denied errors are not), and never
 * reaches the local stand-in.
 */

export interface GuardPrincipal {
  readonly roleArn: string;
  readonly account: string;
  readonly sessionName: string;
}

/** One permission check of one call: the runtime records which statements its calls use. */
export interface GuardedCall {
  /** The role session's ARN (arn:aws:sts::<account>:assumed-role/<role>/<session>). */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly decision: Decision;
}

export interface IamGuardOptions {
  readonly principal: GuardPrincipal;
  readonly identityPolicies: readonly LoadedPolicy[];
  /** The resource-based policy of a table, queue or secret ARN (a table's for its indexes), if any. */
  readonly resourcePolicyOf: (resourceArn: string) => LoadedPolicy | undefined;
  readonly keyPolicyOf: (keyArn: string) => LoadedPolicy | undefined;
  readonly lookup: ResourceLookup;
  /** Told of each distinct check once: the first call that needs it (later ones reuse its decision). */
  readonly onCall?: (call: GuardedCall) => void;
}

/** The part of an SDK v3 client's middleware stack the guard uses (each client types its own). */
interface InstrumentableClient {
  readonly middlewareStack: unknown;
}
type Handler = (args: { input: Record<string, unknown> }) => Promise<unknown>;
interface MiddlewareStack {
  add(
    middleware: (next: Handler, context: { clientName?: string; commandName?: string }) => Handler,
    options: { step: 'initialize'; priority: 'high'; name: string },
  ): void;
}

export interface IamGuard {
  /**
   * Adds the guard to a DynamoDBClient, SQSClient or SecretsManagerClient, once per client: a
   * DynamoDBDocumentClient shares the stack of the client it was made from, so it is guarded with it.
   */
  instrument(client: InstrumentableClient): void;
}

export function createIamGuard(options: IamGuardOptions): IamGuard {
  const principal: RequestPrincipal = { kind: 'role-session', ...options.principal };
  const principalArn = sessionArn(principal);
  for (const policy of options.identityPolicies) checkFillable(policy);
  const checked = new WeakSet<LoadedPolicy>(options.identityPolicies);
  const checkOnce = (policy: LoadedPolicy | undefined) => {
    if (policy && !checked.has(policy)) {
      checkFillable(policy);
      checked.add(policy);
    }
    return policy;
  };

  // Policies are fixed for a run and a function makes the same few checks over and over.
  const decisions = new Map<string, Decision>();
  const decide = (permission: RequiredPermission): Decision => {
    const key = `${permission.action}\n${permission.resource}\n${JSON.stringify(permission.context)}`;
    let decision = decisions.get(key);
    if (!decision) {
      const resource = permission.action.toLowerCase().startsWith('kms:')
        ? options.keyPolicyOf(permission.policyResource)
        : options.resourcePolicyOf(permission.policyResource);
      decision = evaluate(
        { principal, action: permission.action, resource: permission.resource, context: permission.context },
        { identity: options.identityPolicies, ...(resource ? { resource: checkOnce(resource) } : {}) },
      );
      decisions.set(key, decision);
    }
    return decision;
  };

  // The permissions of a call depend only on its command and the resources it names: a function makes
  // the same few calls hundreds of thousands of times, so each is worked out and decided once.
  const checksOf = new Map<string, ReadonlyArray<GuardedCall>>();
  const checks = (service: string, command: string, input: Record<string, unknown>): ReadonlyArray<GuardedCall> => {
    const signature = `${service}\n${command}\n${resourcesNamedBy(input)}`;
    let known = checksOf.get(signature);
    if (!known) {
      known = requiredPermissions({ service, command, input }, options.principal, options.lookup).map((permission) => ({
        principal: principalArn,
        action: permission.action,
        resource: permission.resource,
        decision: decide(permission),
      }));
      checksOf.set(signature, known);
      for (const check of known) options.onCall?.(check);
    }
    return known;
  };

  return {
    instrument(client) {
      (client.middlewareStack as MiddlewareStack).add(
        (next, context) => async (args) => {
          const service = String(context.clientName ?? '');
          for (const check of checks(service, String(context.commandName ?? ''), args.input))
            if (check.decision.decision !== 'allow') throw accessDeniedError(service, check as Denial);
          return next(args);
        },
        { step: 'initialize', priority: 'high', name: 'localIamGuard' },
      );
    },
  };
}

/** The input fields that name what a call acts on (never keys, items or bodies): its signature for the cache. */
function resourcesNamedBy(input: Record<string, unknown>): string {
  const { TableName, IndexName, QueueUrl, QueueName, QueueOwnerAWSAccountId, SecretId, RequestItems, TransactItems } =
    input as Record<string, unknown> & { TransactItems?: Array<Record<string, { TableName?: string }>> };
  return JSON.stringify([
    TableName,
    IndexName,
    QueueUrl,
    QueueName,
    QueueOwnerAWSAccountId,
    SecretId,
    RequestItems && typeof RequestItems === 'object' ? Object.keys(RequestItems) : undefined,
    TransactItems?.map((item) => Object.entries(item).map(([kind, request]) => `${kind}:${request?.TableName}`)),
  ]);
}

/**
 * Refuses a policy conditioned on a key the guard does not fill in: IAM would see a value there and the
 * guard would evaluate the key as missing, deciding differently.
 */
function checkFillable(policy: LoadedPolicy): void {
  const unfilled = [...policy.roleConditionKeys].filter((key) => !FILLED_CONTEXT_KEYS.has(key));
  if (unfilled.length)
    throw new Error(
      `policy ${policy.name} has conditions on ${unfilled.join(', ')}, which the local IAM guard does not fill in (it fills ${[...FILLED_CONTEXT_KEYS].join(', ')}); fill them in local/iam/sdk-permissions.ts to run this policy locally`,
    );
}

/** A denied check, as the guard reports it. */
export type Denial = GuardedCall & { readonly decision: Exclude<Decision, { decision: 'allow' }> };

/** IAM's access-denied message (IAM User Guide, "Troubleshoot access denied error messages"). */
export function accessDeniedMessage(denial: Denial): string {
  const head = `User: ${denial.principal} is not authorized to perform: ${denial.action} on resource: ${denial.resource}`;
  if (denial.decision.decision === 'explicit-deny')
    return `${head} with an explicit deny in ${denial.decision.statement.kind === 'identity' ? 'an identity-based' : 'a resource-based'} policy`;
  const kind = denial.decision.reason === 'no-identity-based-allow' ? 'identity-based' : 'resource-based';
  return `${head} because no ${kind} policy allows the ${denial.action} action`;
}

const metadata = (httpStatusCode: number, requestId: string) => ({
  httpStatusCode,
  requestId,
  attempts: 1,
  totalRetryDelay: 0,
});

/**
 * The error the service's SDK throws for a denial. DynamoDB and Secrets Manager answer
 * AccessDeniedException (400). SQS, whose JSON protocol keeps its query-protocol error codes
 * (awsQueryCompatible), answers AccessDenied (403) for IAM and KMS.AccessDeniedException (400), which
 * the SDK models as KmsAccessDenied, for its key; the SDK copies the code and type (Sender) onto the
 * error. For their keys, DynamoDB and Secrets Manager answer AccessDeniedException with messages of
 * their own (as reported in aws/aws-cdk#10010 and aws-samples/aws-secrets-manager-rotation-lambdas#53).
 */
export function accessDeniedError(service: string, denial: Denial): Error {
  const requestId = randomUUID();
  const onKey = denial.action.toLowerCase().startsWith('kms:');
  const message = accessDeniedMessage(denial);
  switch (serviceOf(service)) {
    case 'dynamodb':
      return new DynamoDBServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: metadata(400, requestId),
        message: onKey
          ? `KMS key access denied error: com.amazonaws.services.kms.model.AWSKMSException: The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access. (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; Request ID: ${requestId}; Proxy: null)`
          : message,
      });
    case 'secretsmanager':
      return new SecretsManagerServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: metadata(400, requestId),
        message: onKey ? 'Access to KMS is not allowed' : message,
      });
    case 'sqs': {
      const [Code, error] = onKey
        ? ['KMS.AccessDeniedException', new KmsAccessDenied({ $metadata: metadata(400, requestId), message })]
        : [
            'AccessDenied',
            new SQSServiceException({
              name: 'AccessDenied',
              $fault: 'client',
              $metadata: metadata(403, requestId),
              message,
            }),
          ];
      return Object.assign(error, {
        Code,
        Type: 'Sender',
        Error: { Code, Type: 'Sender', Message: message },
        RequestId: requestId,
      });
    }
    default:
      throw new Error(`the local IAM guard has no access-denied error for ${service}`);
  }
}
