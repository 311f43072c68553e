/**
 * IAM policy evaluation for the local runtime: identity policies, resource-based policies and KMS key
 * policies, as a synthesized CloudFormation template holds them once its intrinsic functions are
 * resolved. Written here rather than imported because the one complete simulator on npm,
 * @cloud-copilot/iam-simulate, is AGPL-3.0 and this project is Apache-2.0: it only checks this module
 * from the tests (test/local/iam/policy-evaluator-differential.test.ts).
 *
 * Semantics follow the IAM User Guide: "Policy evaluation logic", "Policy evaluation for requests within
 * a single account", "Cross-account policy evaluation logic", "IAM JSON policy elements: Condition
 * operators", "Conditions with multiple context keys or values", "Single-valued vs. multivalued context
 * keys", "Principal" and "NotPrincipal"; and the KMS Developer Guide's "Default key policy". Anything
 * outside what those pages pin down is refused when a policy is loaded (fail closed), never guessed.
 */

export type PolicyKind = 'identity' | 'resource';

type OneOrMany<T> = T | readonly T[];

/** A condition value as a template holds it: JSON scalars, which IAM compares as strings. */
export type ConditionPolicyValue = string | boolean | number;

export type PrincipalElement =
  | '*'
  | {
      readonly AWS?: OneOrMany<string>;
      readonly Service?: OneOrMany<string>;
      readonly Federated?: OneOrMany<string>;
      readonly CanonicalUser?: OneOrMany<string>;
    };

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: OneOrMany<string>;
  readonly NotAction?: OneOrMany<string>;
  readonly Resource?: OneOrMany<string>;
  readonly NotResource?: OneOrMany<string>;
  readonly Principal?: PrincipalElement;
  readonly NotPrincipal?: PrincipalElement;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, OneOrMany<ConditionPolicyValue>>>>>;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Id?: string;
  readonly Statement: OneOrMany<PolicyStatement>;
}

/** Who makes the request: a role session (a Lambda function's role), or an AWS service. */
export type RequestPrincipal =
  | { readonly kind: 'role-session'; readonly roleArn: string; readonly sessionName: string; readonly account: string }
  | { readonly kind: 'service'; readonly service: string };

/** A context key's value; an array is a multivalued key (set operators apply to it). */
export type ContextValue = string | boolean | number | readonly string[];

export interface AuthorizationRequest {
  readonly principal: RequestPrincipal;
  readonly action: string;
  /** The resource's ARN. A KMS key's (service `kms`) needs its key policy to allow, directly or by delegation. */
  readonly resource: string;
  /** The account owning the resource; by default the account in its ARN (S3 ARNs have none). */
  readonly resourceAccount?: string;
  /** Keys are matched case-insensitively, as IAM matches them. */
  readonly context: Readonly<Record<string, ContextValue>>;
}

export interface PolicySet {
  /** The caller's identity policies (for a partner account whose IAM is not modelled: allowEverythingPolicy). */
  readonly identity: readonly LoadedPolicy[];
  /** The resource-based policy of the resource (a queue policy, a key policy), if it has one. */
  readonly resource?: LoadedPolicy;
}

export interface StatementRef {
  readonly policy: string;
  readonly kind: PolicyKind;
  readonly sid?: string;
  /** Position of the statement in the policy's Statement list. */
  readonly index: number;
}

/** Which kind of policy lacked the Allow the request needed, as AWS names it in its access-denied message. */
export type ImplicitDenyReason = 'no-identity-based-allow' | 'no-resource-based-allow';

export type Decision =
  | { readonly decision: 'allow'; readonly statements: readonly StatementRef[] }
  | { readonly decision: 'explicit-deny'; readonly statement: StatementRef }
  | { readonly decision: 'implicit-deny'; readonly reason: ImplicitDenyReason };

export interface LoadedPolicy {
  readonly name: string;
  readonly kind: PolicyKind;
  readonly statements: readonly CompiledStatement[];
  /**
   * Condition keys (lower case) of the statements that can apply to a role session: every identity
   * statement, and resource statements whose principal is not only services. A caller that fills the
   * request context checks it can fill each of these.
   */
  readonly roleConditionKeys: ReadonlySet<string>;
}

interface CompiledStatement {
  readonly ref: StatementRef;
  readonly effect: 'Allow' | 'Deny';
  readonly actions: { readonly negated: boolean; readonly patterns: readonly RegExp[] };
  readonly resources: { readonly negated: boolean; readonly patterns: readonly ArnPattern[] };
  readonly principals?: { readonly negated: boolean; readonly patterns: readonly PrincipalPattern[] };
  readonly conditions: readonly CompiledCondition[];
}

type ArnPattern = 'any' | readonly RegExp[];

type PrincipalPattern =
  | { readonly type: 'everyone' }
  | { readonly type: 'account'; readonly account: string }
  | { readonly type: 'arn'; readonly arn: string }
  | { readonly type: 'service'; readonly service: string }
  | { readonly type: 'unmatchable' };

interface CompiledCondition {
  readonly key: string;
  readonly holds: (values: readonly string[] | undefined) => boolean;
}

/** A policy that is not what this evaluator can evaluate exactly as AWS would. */
export class PolicyLoadError extends Error {
  override name = 'PolicyLoadError';
}

/**
 * Validates and compiles a policy. Throws PolicyLoadError, naming the policy and statement, for anything
 * AWS would reject or this evaluator does not implement: an unknown condition operator, a policy
 * variable, a partial ARN, a Principal in an identity policy, NotPrincipal with Allow.
 */
export function loadPolicy(name: string, document: PolicyDocument, kind: PolicyKind): LoadedPolicy {
  if (!document.Statement) throw new PolicyLoadError(`policy ${name} has no Statement`);
  const statements = asList(document.Statement);
  if (document.Version !== undefined && !['2012-10-17', '2008-10-17'].includes(document.Version))
    throw new PolicyLoadError(`policy ${name}: Version ${document.Version} is not an IAM policy version`);
  const variablesAllowed = document.Version === '2012-10-17';
  const compiled = statements.map((statement, index) => {
    const ref: StatementRef = { policy: name, kind, index, ...(statement.Sid ? { sid: statement.Sid } : {}) };
    try {
      return compileStatement(statement, ref, variablesAllowed);
    } catch (error) {
      if (!(error instanceof PolicyLoadError)) throw error;
      throw new PolicyLoadError(`policy ${name}, statement ${describeStatement(ref)}: ${error.message}`);
    }
  });
  const roleConditionKeys = new Set(
    compiled
      .filter((statement) => canApplyToRoleSession(statement))
      .flatMap((statement) => statement.conditions.map((condition) => condition.key)),
  );
  return { name, kind, statements: compiled, roleConditionKeys };
}

/** An identity policy allowing everything: the IAM of a partner bank's account, which is not modelled. */
export function allowEverythingPolicy(name: string): LoadedPolicy {
  return loadPolicy(name, { Statement: { Effect: 'Allow', Action: '*', Resource: '*' } }, 'identity');
}

const describeStatement = (ref: StatementRef) => (ref.sid ? `${ref.index} (${ref.sid})` : String(ref.index));

const asList = <T>(value: OneOrMany<T> | undefined): readonly T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value as T];

function compileStatement(statement: PolicyStatement, ref: StatementRef, variablesAllowed: boolean): CompiledStatement {
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny')
    throw new PolicyLoadError(`Effect must be Allow or Deny, not ${JSON.stringify(statement.Effect)}`);
  const exactlyOne = (a: keyof PolicyStatement, b: keyof PolicyStatement) => {
    if ((statement[a] === undefined) === (statement[b] === undefined))
      throw new PolicyLoadError(`needs exactly one of ${a} and ${b}`);
  };
  exactlyOne('Action', 'NotAction');
  exactlyOne('Resource', 'NotResource');
  const checkVariables = (values: readonly string[], element: string) => {
    if (variablesAllowed && values.some((value) => value.includes('${')))
      throw new PolicyLoadError(`${element} uses a policy variable, which the local evaluator does not resolve`);
  };

  const actionList = asList(statement.Action ?? statement.NotAction);
  const resourceList = asList(statement.Resource ?? statement.NotResource);
  checkVariables(resourceList, 'Resource');
  const actions = { negated: statement.NotAction !== undefined, patterns: actionList.map(compileAction) };
  const resources = { negated: statement.NotResource !== undefined, patterns: resourceList.map(compileArnPattern) };

  let principals: CompiledStatement['principals'];
  if (ref.kind === 'identity') {
    if (statement.Principal !== undefined || statement.NotPrincipal !== undefined)
      throw new PolicyLoadError('an identity-based policy cannot name a Principal');
  } else {
    exactlyOne('Principal', 'NotPrincipal');
    if (statement.NotPrincipal !== undefined && statement.Effect === 'Allow')
      throw new PolicyLoadError(
        'NotPrincipal with Allow grants everyone else, anonymous callers included; the local evaluator refuses it',
      );
    principals = {
      negated: statement.NotPrincipal !== undefined,
      patterns: compilePrincipals((statement.Principal ?? statement.NotPrincipal)!),
    };
  }

  const conditions = Object.entries(statement.Condition ?? {}).flatMap(([operator, keys]) => {
    if (typeof keys !== 'object' || keys === null || Array.isArray(keys))
      throw new PolicyLoadError(`condition operator ${operator} must map condition keys to values`);
    return Object.entries(keys).map(([key, value]) => {
      const values = asList(value).map(String);
      checkVariables(values, `Condition ${operator} ${key}`);
      return compileCondition(operator, key, values);
    });
  });
  return { ref, effect: statement.Effect, actions, resources, ...(principals ? { principals } : {}), conditions };
}

/** `*` and `?` as IAM's wildcards, everything else literal. */
function wildcardSource(pattern: string): string {
  return pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
}

const wildcard = (pattern: string, flags = '') => new RegExp(`^${wildcardSource(pattern)}$`, flags);

function compileAction(action: string): RegExp {
  if (action !== '*' && !/^[a-z0-9-]+:[A-Za-z0-9*?]+$/i.test(action))
    throw new PolicyLoadError(`action ${JSON.stringify(action)} is not "*" or service:Action`);
  return wildcard(action, 'i');
}

/**
 * ARNs match segment by segment ("You can use wildcard characters (* and ?) within any ARN segment (the
 * parts separated by colons)"): the first five never span a colon; the sixth, the resource, is
 * everything after the fifth colon, so a `*` there spans `/` and `:`.
 */
function compileArnPattern(resource: string): ArnPattern {
  if (resource === '*') return 'any';
  const segments = splitArn(resource);
  if (!segments)
    throw new PolicyLoadError(
      `resource ${JSON.stringify(resource)} is neither "*" nor an ARN of six segments (arn:partition:service:region:account:resource)`,
    );
  return segments.map((segment) => wildcard(segment));
}

function splitArn(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

const arnMatches = (pattern: ArnPattern, arn: string) => {
  if (pattern === 'any') return true;
  const segments = splitArn(arn);
  return !!segments && pattern.every((regex, i) => regex.test(segments[i]!));
};

const ACCOUNT_ID = /^\d{12}$/;
const ACCOUNT_ROOT = /^arn:aws[\w-]*:iam::(\d{12}):root$/;

function compilePrincipals(element: PrincipalElement): PrincipalPattern[] {
  if (element === '*') return [{ type: 'everyone' }];
  if (typeof element !== 'object' || element === null)
    throw new PolicyLoadError(`Principal must be "*" or an object, not ${JSON.stringify(element)}`);
  const known = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
  const unknown = Object.keys(element).filter((key) => !known.has(key));
  if (unknown.length) throw new PolicyLoadError(`Principal has unknown element(s) ${unknown.join(', ')}`);
  const noPartialWildcard = (value: string) => {
    if (value !== '*' && value.includes('*'))
      throw new PolicyLoadError(`principal ${value} has a wildcard; IAM allows only "*" on its own`);
  };
  const aws = asList(element.AWS).map((value): PrincipalPattern => {
    noPartialWildcard(value);
    if (value === '*') return { type: 'everyone' };
    if (ACCOUNT_ID.test(value)) return { type: 'account', account: value };
    const root = ACCOUNT_ROOT.exec(value);
    if (root) return { type: 'account', account: root[1]! };
    if (!value.startsWith('arn:')) throw new PolicyLoadError(`AWS principal ${value} is not an account id or an ARN`);
    return { type: 'arn', arn: value };
  });
  const services = asList(element.Service).map((service): PrincipalPattern => {
    noPartialWildcard(service);
    return { type: 'service', service };
  });
  // Web identity, SAML and S3 canonical-user principals are never a role session or a service caller.
  const others = [...asList(element.Federated), ...asList(element.CanonicalUser)].map(
    (): PrincipalPattern => ({ type: 'unmatchable' }),
  );
  return [...aws, ...services, ...others];
}

const canApplyToRoleSession = (statement: CompiledStatement) =>
  !statement.principals ||
  statement.principals.negated ||
  statement.principals.patterns.some((p) => p.type === 'everyone' || p.type === 'account' || p.type === 'arn');

// Conditions ------------------------------------------------------------------------------------------

interface BaseOperator {
  /** Negated operators (StringNotEquals...) hold for a value when no policy value matches it (NOR). */
  readonly negated: boolean;
  /** Compiles one policy value into a test of one context value, throwing PolicyLoadError if malformed. */
  readonly compile: (policyValue: string) => (contextValue: string) => boolean;
}

const numeric = (compare: (context: number, policy: number) => boolean) => (policyValue: string) => {
  const policy = Number(policyValue);
  if (policyValue.trim() === '' || Number.isNaN(policy))
    throw new PolicyLoadError(`${JSON.stringify(policyValue)} is not a number`);
  return (contextValue: string) => {
    const context = Number(contextValue);
    return contextValue.trim() !== '' && !Number.isNaN(context) && compare(context, policy);
  };
};

/** ArnEquals and ArnLike behave identically: each of the six colon-separated segments is matched separately. */
const arnOperator = (policyValue: string) => {
  const pattern = compileArnPattern(policyValue);
  return (contextValue: string) => arnMatches(pattern, contextValue);
};

const stringEquals = (policyValue: string) => (contextValue: string) => contextValue === policyValue;
const stringEqualsIgnoreCase = (policyValue: string) => {
  const lower = policyValue.toLowerCase();
  return (contextValue: string) => contextValue.toLowerCase() === lower;
};
const stringLike = (policyValue: string) => {
  const regex = wildcard(policyValue, 's');
  return (contextValue: string) => regex.test(contextValue);
};
const bool = (policyValue: string) => {
  const lower = policyValue.toLowerCase();
  if (lower !== 'true' && lower !== 'false') throw new PolicyLoadError(`Bool takes true or false, not ${policyValue}`);
  return (contextValue: string) => contextValue.toLowerCase() === lower;
};

const BASE_OPERATORS: Readonly<Record<string, BaseOperator>> = {
  StringEquals: { negated: false, compile: stringEquals },
  StringNotEquals: { negated: true, compile: stringEquals },
  StringEqualsIgnoreCase: { negated: false, compile: stringEqualsIgnoreCase },
  StringNotEqualsIgnoreCase: { negated: true, compile: stringEqualsIgnoreCase },
  StringLike: { negated: false, compile: stringLike },
  StringNotLike: { negated: true, compile: stringLike },
  NumericEquals: { negated: false, compile: numeric((c, p) => c === p) },
  NumericNotEquals: { negated: true, compile: numeric((c, p) => c === p) },
  NumericLessThan: { negated: false, compile: numeric((c, p) => c < p) },
  NumericLessThanEquals: { negated: false, compile: numeric((c, p) => c <= p) },
  NumericGreaterThan: { negated: false, compile: numeric((c, p) => c > p) },
  NumericGreaterThanEquals: { negated: false, compile: numeric((c, p) => c >= p) },
  Bool: { negated: false, compile: bool },
  ArnEquals: { negated: false, compile: arnOperator },
  ArnLike: { negated: false, compile: arnOperator },
  ArnNotEquals: { negated: true, compile: arnOperator },
  ArnNotLike: { negated: true, compile: arnOperator },
};

const SUPPORTED_CONDITION_OPERATORS = [...Object.keys(BASE_OPERATORS), 'Null'] as const;

function compileCondition(operator: string, key: string, policyValues: readonly string[]): CompiledCondition {
  const unsupported = (why: string) =>
    new PolicyLoadError(
      `condition operator ${operator} (on ${key}) ${why}; the local evaluator supports ${SUPPORTED_CONDITION_OPERATORS.join(', ')}, each with ...IfExists and the ForAnyValue:/ForAllValues: prefixes`,
    );
  const prefix = /^(ForAnyValue|ForAllValues):/.exec(operator)?.[1] as 'ForAnyValue' | 'ForAllValues' | undefined;
  const withoutPrefix = prefix ? operator.slice(prefix.length + 1) : operator;
  const ifExists = withoutPrefix.endsWith('IfExists') && withoutPrefix !== 'IfExists';
  const name = ifExists ? withoutPrefix.slice(0, -'IfExists'.length) : withoutPrefix;
  const lowerKey = key.toLowerCase();
  if (policyValues.length === 0) throw new PolicyLoadError(`condition ${operator} on ${key} has no values`);

  if (name === 'Null') {
    if (prefix || ifExists) throw unsupported('cannot take a set prefix or IfExists');
    const expectAbsent = policyValues.map((value) => {
      const lower = value.toLowerCase();
      if (lower !== 'true' && lower !== 'false') throw new PolicyLoadError(`Null takes true or false, not ${value}`);
      return lower === 'true';
    });
    // "true (the key doesn't exist — it is null) or false (the key exists and its value is not null)".
    return {
      key: lowerKey,
      holds: (values) => {
        const absent = values === undefined || values.length === 0;
        return expectAbsent.some((expected) => expected === absent);
      },
    };
  }

  const base = BASE_OPERATORS[name];
  if (!base) throw unsupported('is not supported');
  const tests = policyValues.map((value) => base.compile(value));
  const anyMatches = (contextValue: string) => tests.some((test) => test(contextValue));
  // One context value against all policy values: OR for an operator, NOR for its negation.
  const single = base.negated ? (value: string) => !anyMatches(value) : anyMatches;

  return {
    key: lowerKey,
    holds: (values) => {
      if (values === undefined || values.length === 0) {
        // A missing key (or an empty set): ...IfExists holds; ForAllValues holds and ForAnyValue does not
        // ("Conditions with multiple context keys or values"); otherwise the values "do not match", so a
        // positive operator fails and a negated one ("requires that the key is not matched") holds.
        if (ifExists) return true;
        if (prefix) return prefix === 'ForAllValues';
        return base.negated;
      }
      if (prefix === 'ForAllValues') return values.every(single);
      if (prefix === 'ForAnyValue') return values.some(single);
      if (values.length > 1)
        throw new Error(
          `condition ${operator} on ${key} compares a multivalued context key without ForAnyValue:/ForAllValues:, which IAM's documentation leaves undefined; write the policy with a set operator`,
        );
      return single(values[0]!);
    },
  };
}

// Evaluation ------------------------------------------------------------------------------------------

/** The ARN of a role session, as the principal appears in AWS's messages and in resource policies. */
export function sessionArn(principal: Extract<RequestPrincipal, { kind: 'role-session' }>): string {
  const segments = splitArn(principal.roleArn);
  const [, partition, service, , , resource] = segments ?? [];
  const roleName = resource?.startsWith('role/') ? resource.split('/').at(-1) : undefined;
  if (service !== 'iam' || !roleName)
    throw new Error(`${principal.roleArn} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
  return `arn:${partition}:sts::${principal.account}:assumed-role/${roleName}/${principal.sessionName}`;
}

const principalArns = (principal: RequestPrincipal) =>
  principal.kind === 'role-session' ? [principal.roleArn, sessionArn(principal)] : [];

/** How a resource-policy statement names the principal: itself, or its account (delegating to its IAM). */
type PrincipalMatch = 'direct' | 'account' | 'none';

function matchPrincipal(patterns: readonly PrincipalPattern[], principal: RequestPrincipal): PrincipalMatch {
  let match: PrincipalMatch = 'none';
  for (const pattern of patterns) {
    if (pattern.type === 'everyone') return 'direct';
    if (pattern.type === 'service' && principal.kind === 'service' && principal.service === pattern.service)
      return 'direct';
    if (pattern.type === 'arn' && principalArns(principal).includes(pattern.arn)) return 'direct';
    if (pattern.type === 'account' && principal.kind === 'role-session' && principal.account === pattern.account)
      match = 'account';
  }
  return match;
}

/**
 * NotPrincipal (with Deny only) spares a role session only when it names the session, the role and the
 * account: AWS "might validate the account first, then the role, and then the assumed-role user", so a
 * list missing any of them may deny the session; this evaluator takes that denial.
 */
function sparedByNotPrincipal(patterns: readonly PrincipalPattern[], principal: RequestPrincipal): boolean {
  if (patterns.some((p) => p.type === 'everyone')) return true;
  if (principal.kind === 'service')
    return patterns.some((p) => p.type === 'service' && p.service === principal.service);
  const arns = new Set(patterns.flatMap((p) => (p.type === 'arn' ? [p.arn] : [])));
  return (
    arns.has(principal.roleArn) &&
    arns.has(sessionArn(principal)) &&
    patterns.some((p) => p.type === 'account' && p.account === principal.account)
  );
}

type Context = ReadonlyMap<string, readonly string[]>;

function normalizeContext(context: AuthorizationRequest['context']): Context {
  const normalized = new Map<string, readonly string[]>();
  for (const [key, value] of Object.entries(context))
    normalized.set(key.toLowerCase(), Array.isArray(value) ? value.map(String) : [String(value)]);
  return normalized;
}

function statementApplies(statement: CompiledStatement, request: AuthorizationRequest, context: Context): boolean {
  const actionMatches = statement.actions.patterns.some((pattern) => pattern.test(request.action));
  if (actionMatches === statement.actions.negated) return false;
  const resourceMatches = statement.resources.patterns.some((pattern) => arnMatches(pattern, request.resource));
  if (resourceMatches === statement.resources.negated) return false;
  return statement.conditions.every((condition) => condition.holds(context.get(condition.key)));
}

/**
 * Decides a request as IAM does for the policies given: an explicit Deny in any of them wins. Within one
 * account, an Allow in an identity policy, or in the resource policy naming the principal itself, is
 * enough; a resource policy naming only the account delegates to the account's identity policies.
 * Across accounts both the identity policies and the resource policy (naming the principal or its
 * account) must allow. A KMS key is the exception: its key policy must allow, directly or by delegating
 * to the caller's account, in which case the identity policies decide.
 */
export function evaluate(request: AuthorizationRequest, policies: PolicySet): Decision {
  const context = normalizeContext(request.context);
  const identityAllows: StatementRef[] = [];
  const resourceAllows: { direct: StatementRef[]; delegated: StatementRef[] } = { direct: [], delegated: [] };

  const identity = request.principal.kind === 'role-session' ? policies.identity : [];
  for (const policy of identity) {
    if (policy.kind !== 'identity') throw new Error(`policy ${policy.name} is a resource policy, given as identity`);
    for (const statement of policy.statements) {
      if (!statementApplies(statement, request, context)) continue;
      if (statement.effect === 'Deny') return { decision: 'explicit-deny', statement: statement.ref };
      identityAllows.push(statement.ref);
    }
  }
  if (policies.resource) {
    if (policies.resource.kind !== 'resource')
      throw new Error(`policy ${policies.resource.name} is an identity policy, given as a resource policy`);
    for (const statement of policies.resource.statements) {
      const principals = statement.principals!;
      const match = principals.negated
        ? sparedByNotPrincipal(principals.patterns, request.principal)
          ? 'none'
          : 'direct'
        : matchPrincipal(principals.patterns, request.principal);
      if (match === 'none' || !statementApplies(statement, request, context)) continue;
      if (statement.effect === 'Deny') return { decision: 'explicit-deny', statement: statement.ref };
      (match === 'direct' ? resourceAllows.direct : resourceAllows.delegated).push(statement.ref);
    }
  }

  const allow = (...refs: StatementRef[][]): Decision => ({ decision: 'allow', statements: refs.flat() });
  const deny = (reason: ImplicitDenyReason): Decision => ({ decision: 'implicit-deny', reason });
  const { principal } = request;
  const resourceAccount = request.resourceAccount ?? splitArn(request.resource)?.[4];
  const keyPolicyDecides = splitArn(request.resource)?.[2] === 'kms';

  if (principal.kind === 'service')
    return resourceAllows.direct.length ? allow(resourceAllows.direct) : deny('no-resource-based-allow');
  if (principal.account !== resourceAccount) {
    if (!identityAllows.length) return deny('no-identity-based-allow');
    if (!resourceAllows.direct.length && !resourceAllows.delegated.length) return deny('no-resource-based-allow');
    return allow(identityAllows, resourceAllows.direct, resourceAllows.delegated);
  }
  if (keyPolicyDecides) {
    const delegatedAllows = identityAllows.length > 0 && resourceAllows.delegated.length > 0;
    if (resourceAllows.direct.length || delegatedAllows)
      return allow(resourceAllows.direct, delegatedAllows ? [...identityAllows, ...resourceAllows.delegated] : []);
    return deny(resourceAllows.delegated.length ? 'no-identity-based-allow' : 'no-resource-based-allow');
  }
  return identityAllows.length || resourceAllows.direct.length
    ? allow(identityAllows, resourceAllows.direct)
    : deny('no-identity-based-allow');
}
