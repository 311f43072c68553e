import { createHash } from 'node:crypto';
import { ENTRY_METADATA } from '#manifests/function-manifest.ts';
import type { CloudAssembly } from './cloud-assembly.ts';
import {
  asList,
  type LocalAccount,
  type PhysicalResource,
  StackResolver,
  type Template,
  type TemplateResource,
  TemplateError,
  withoutHash,
} from './template.ts';

/**
 * What the templates of a cloud assembly say, resolved to the local runtime's resources: the tables,
 * queues, keys, secret, roles and policies, functions with their environment and limits, event
 * sources, schedules, HTTP APIs with routes and authorizers, user pools, custom resources, console
 * hosting and outputs. Every resource type is either emulated here or listed as observability the
 * local runtime does not run (alarms, dashboards, log groups); any other type is a start-up error.
 */

/** Every Cognito user pool of a local stage is the local issuer: one id, one app client id. */
export const LOCAL_USER_POOL_ID = (region: string) => `${region}_fraudctl`;
export const LOCAL_USER_POOL_CLIENT_ID = 'fraudctllocalconsole';

export interface LocalEnvironment extends LocalAccount {
  /** The URL the SQS stand-in gives a queue of this name. */
  readonly queueUrl: (queueName: string) => string;
  /**
   * The local gateway's URL, such as http://127.0.0.1:8080: API Gateway's and CloudFront's host. It
   * serves an HTTP API's named stage at /<stage>, and the console (a distribution's domain) at /.
   */
  readonly gatewayUrl: string;
}

export interface PolicyDocumentJson {
  readonly Version?: string;
  readonly Statement: unknown;
}

export interface TableModel {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly properties: Record<string, unknown>;
  readonly timeToLiveAttribute?: string;
  readonly kmsKeyArn?: string;
  readonly resourcePolicy?: PolicyDocumentJson;
}

export interface QueueModel {
  readonly logicalId: string;
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
  readonly redrive?: { readonly deadLetterArn: string; readonly maxReceiveCount: number };
  readonly kmsKeyArn?: string;
  /** The queue's resource policy (AWS::SQS::QueuePolicy), merged when several name it. */
  readonly policy?: PolicyDocumentJson;
}

export interface KeyModel {
  readonly logicalId: string;
  readonly id: string;
  readonly arn: string;
  readonly policy: PolicyDocumentJson;
}

export interface SecretModel {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly kmsKeyArn?: string;
  readonly passwordLength: number;
  readonly excludePunctuation: boolean;
}

export interface RoleModel {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly policies: ReadonlyArray<{ readonly name: string; readonly document: PolicyDocumentJson }>;
}

export interface FunctionModel {
  readonly logicalId: string;
  readonly stackName: string;
  readonly name: string;
  readonly arn: string;
  readonly roleArn: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly reservedConcurrency?: number;
  /** Source entry (relative to the repository root) of a function of this project; absent for CDK's own providers. */
  readonly entry?: string;
}

export interface EventSourceModel {
  readonly logicalId: string;
  readonly functionArn: string;
  readonly queueArn: string;
  readonly batchSize: number;
  readonly batchingWindowSeconds: number;
  readonly maximumConcurrency?: number;
  readonly reportBatchItemFailures: boolean;
}

export interface ScheduleModel {
  readonly logicalId: string;
  readonly name: string;
  readonly expression: string;
  readonly everyMs: number;
  readonly functionArns: readonly string[];
}

export interface RouteModel {
  readonly routeKey: string;
  readonly method: string;
  readonly path: string;
  readonly functionArn: string;
  readonly payloadFormatVersion: string;
  readonly authorizer?:
    | {
        readonly type: 'JWT';
        readonly identitySource: string;
        readonly issuer: string;
        readonly audience: readonly string[];
      }
    /** SigV4: the caller's signature is verified and its identity policies must allow execute-api:Invoke. */
    | { readonly type: 'AWS_IAM' };
  readonly scopes: readonly string[];
}

export interface HttpApiModel {
  readonly logicalId: string;
  readonly id: string;
  readonly name: string;
  /** The API's one stage: $default, or a name that begins every path API Gateway hands the integration. */
  readonly stageName: string;
  /** Where the local gateway serves the stage: its ApiEndpoint, then /<stage> for a named stage. */
  readonly url: string;
  /** The path of `url` on the local gateway, such as /review-api. */
  readonly mount: string;
  /** The host name CloudFront reaches the API at, <id>.execute-api.<region>.<suffix>: how a distribution's origin names it. */
  readonly executeApiHost: string;
  readonly routes: readonly RouteModel[];
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
}

export interface UserPoolModel {
  readonly logicalId: string;
  readonly id: string;
  readonly issuer: string;
  readonly groups: readonly string[];
  readonly clientIds: readonly string[];
}

/** A Custom::AWS resource (AwsCustomResource): an SDK call made with its provider function's role. */
export interface SdkCallModel {
  readonly logicalId: string;
  readonly stackName: string;
  readonly roleArn: string;
  readonly call: {
    readonly service: string;
    readonly action: string;
    readonly parameters: Record<string, unknown>;
    readonly ignoreErrorCodesMatching?: string;
  };
}

/** What a CloudFront response headers policy adds to a response, by header name; `override` replaces the origin's own. */
export type ResponseHeadersModel = Readonly<Record<string, { readonly value: string; readonly override: boolean }>>;

/** A cache behaviour of the console's distribution whose origin is an HTTP API of the templates. */
export interface ApiBehaviourModel {
  /** CloudFront's path pattern, such as /review-api/*. */
  readonly pathPattern: string;
  readonly apiLogicalId: string;
  /** The origin's OriginPath: CloudFront puts it before the viewer's path. */
  readonly originPath: string;
  /** Whether CloudFront passes the viewer's Authorization header on: only if the cache policy's key names it. */
  readonly forwardsAuthorization: boolean;
  readonly responseHeaders: ResponseHeadersModel;
}

/** The console: a bucket deployment of staged asset directories behind a CloudFront distribution. */
export interface ConsoleHostingModel {
  /** Staged asset directories of the deployment's sources, with the values of each source's markers. */
  readonly sources: ReadonlyArray<{ readonly directory: string; readonly markers: Readonly<Record<string, string>> }>;
  /** The headers policy of the distribution's default behaviour: the console's files. */
  readonly responseHeaders: ResponseHeadersModel;
  /** The distribution's other cache behaviours, in CloudFront's order of evaluation. */
  readonly apiBehaviours: readonly ApiBehaviourModel[];
}

export interface InvokePermissionModel {
  readonly functionArn: string;
  readonly principal: string;
  readonly sourceArn?: string;
}

export interface LocalSystemModel {
  readonly account: LocalAccount;
  readonly tables: readonly TableModel[];
  readonly queues: readonly QueueModel[];
  readonly keys: readonly KeyModel[];
  readonly secrets: readonly SecretModel[];
  readonly roles: readonly RoleModel[];
  readonly functions: readonly FunctionModel[];
  readonly eventSources: readonly EventSourceModel[];
  readonly schedules: readonly ScheduleModel[];
  readonly httpApis: readonly HttpApiModel[];
  readonly userPools: readonly UserPoolModel[];
  readonly sdkCalls: readonly SdkCallModel[];
  readonly console?: ConsoleHostingModel;
  readonly invokePermissions: readonly InvokePermissionModel[];
  /** Stack outputs, as `cdk deploy --outputs-file` writes them. */
  readonly outputs: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Resources the local runtime deliberately does not run, by type: what an operator watches in AWS. */
  readonly notRunLocally: Readonly<Record<string, number>>;
}

/** Types that only observe or notify: present in the templates, not run by the local runtime. */
const OBSERVABILITY_TYPES = new Set([
  'AWS::Logs::LogGroup',
  'AWS::CloudWatch::Alarm',
  'AWS::CloudWatch::Dashboard',
  'AWS::SNS::Topic',
  'AWS::SNS::TopicPolicy',
  'AWS::SNS::Subscription',
  'AWS::CDK::Metadata',
]);

/**
 * Types emulated through the resource that uses them: the console's bucket, distribution and its
 * policies are the local gateway's console hosting; the bucket deployment's layer is part of it.
 */
const EMULATED_THROUGH_OTHERS = new Set([
  'AWS::S3::Bucket',
  'AWS::S3::BucketPolicy',
  'AWS::CloudFront::Distribution',
  'AWS::CloudFront::OriginAccessControl',
  'AWS::CloudFront::ResponseHeadersPolicy',
  'AWS::CloudFront::CachePolicy',
  'AWS::Lambda::LayerVersion',
  'AWS::Lambda::Permission',
  'AWS::KMS::Alias',
  'AWS::IAM::Policy',
  'AWS::SQS::QueuePolicy',
  'AWS::Cognito::UserPoolGroup',
  'AWS::Cognito::UserPoolClient',
  'AWS::Cognito::UserPoolDomain',
  'AWS::ApiGatewayV2::Route',
  'AWS::ApiGatewayV2::Integration',
  'AWS::ApiGatewayV2::Authorizer',
  'AWS::ApiGatewayV2::Stage',
]);

const EMULATED_TYPES = new Set([
  'AWS::DynamoDB::Table',
  'AWS::SQS::Queue',
  'AWS::KMS::Key',
  'AWS::SecretsManager::Secret',
  'AWS::IAM::Role',
  'AWS::Lambda::Function',
  'AWS::Lambda::EventSourceMapping',
  'AWS::Events::Rule',
  'AWS::ApiGatewayV2::Api',
  'AWS::Cognito::UserPool',
  'Custom::AWS',
  'Custom::CDKBucketDeployment',
]);

/**
 * A resource's properties once resolved: JSON whose shape is the resource type's, as CloudFormation
 * documents it; each reader below reads the fields of its type.
 */
// biome-ignore lint/suspicious/noExplicitAny: see above; typing every CloudFormation resource type is not worth it here.
type CfnProperties = Record<string, any>;

const shortHash = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length);

interface Located {
  readonly stackName: string;
  readonly logicalId: string;
  readonly resource: TemplateResource;
  readonly resolver: StackResolver;
}

/**
 * Reads the assembly's templates into the local system they describe. Throws a TemplateError naming
 * the stack, resource and property for anything the local runtime cannot emulate.
 */
export function describeLocalSystem(assembly: CloudAssembly, environment: LocalEnvironment): LocalSystemModel {
  const account: LocalAccount = {
    region: environment.region,
    accountId: environment.accountId,
    partition: environment.partition,
    urlSuffix: environment.urlSuffix,
  };
  const _stackNames = new Set(assembly.stacks.map((s) => s.stackName));
  const gatewayHost = new URL(environment.gatewayUrl).host;
  const resolvers = new Map<string, StackResolver>();
  const physicals = new Map<string, PhysicalResource>();
  const outputs: Record<string, Record<string, string>> = {};
  const resolving = new Set<string>();

  const stackOutput = (stackName: string, outputName: string): string => {
    const resolver = resolvers.get(stackName);
    const output = resolver?.template.Outputs?.[outputName];
    if (!resolver || !output) throw new Error(`Fn::GetStackOutput: ${stackName} has no output ${outputName}`);
    return resolver.string(output.Value, ['Outputs', outputName]);
  };
  const exportedValue = (name: string): string => {
    for (const resolver of resolvers.values())
      for (const [key, output] of Object.entries(resolver.template.Outputs ?? {}))
        if (output.Export && resolver.string(output.Export.Name, ['Outputs', key, 'Export']) === name)
          return resolver.string(output.Value, ['Outputs', key]);
    throw new Error(`Fn::ImportValue: no stack exports ${name}`);
  };

  for (const { stackName, template } of assembly.stacks) {
    const physical = (logicalId: string): PhysicalResource => {
      const key = `${stackName}/${logicalId}`;
      const known = physicals.get(key);
      if (known) return known;
      if (resolving.has(key)) throw new TemplateError(stackName, [logicalId], 'its name depends on itself');
      resolving.add(key);
      const value = physicalOf(stackName, logicalId, template.Resources[logicalId]!, resolvers.get(stackName)!);
      resolving.delete(key);
      physicals.set(key, value);
      return value;
    };
    resolvers.set(stackName, new StackResolver(stackName, template, account, physical, stackOutput, exportedValue));
  }

  function physicalOf(
    stackName: string,
    logicalId: string,
    resource: TemplateResource,
    resolver: StackResolver,
  ): PhysicalResource {
    const p = resource.Properties ?? {};
    const { region, accountId: acct, partition } = account;
    const base = `${stackName.replace(/-(stateful|stateless)$/, '')}-${withoutHash(logicalId)}`;
    const named = (property: string, fallback: string) =>
      p[property] === undefined ? fallback : resolver.string(p[property], [logicalId, 'Properties', property]);
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table': {
        const name = named('TableName', base);
        const arn = `arn:${partition}:dynamodb:${region}:${acct}:table/${name}`;
        return { ref: name, attributes: { Arn: arn, StreamArn: `${arn}/stream/local` } };
      }
      case 'AWS::SQS::Queue': {
        const name = named('QueueName', base);
        const url = environment.queueUrl(name);
        return {
          ref: url,
          attributes: { Arn: `arn:${partition}:sqs:${region}:${acct}:${name}`, QueueName: name, QueueUrl: url },
        };
      }
      case 'AWS::KMS::Key': {
        const hex = shortHash(`${stackName}/${logicalId}`, 32);
        const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
        return { ref: id, attributes: { Arn: `arn:${partition}:kms:${region}:${acct}:key/${id}`, KeyId: id } };
      }
      case 'AWS::SecretsManager::Secret': {
        const name = named('Name', base);
        const arn = `arn:${partition}:secretsmanager:${region}:${acct}:secret:${name}-${shortHash(name, 6)}`;
        return { ref: arn, attributes: { Id: arn } };
      }
      case 'AWS::IAM::Role': {
        const name = named(
          'RoleName',
          `${stackName}-${withoutHash(logicalId)}-${shortHash(logicalId, 8)}`.slice(0, 64),
        );
        return {
          ref: name,
          attributes: {
            Arn: `arn:${partition}:iam::${acct}:role/${name}`,
            RoleId: `AROA${shortHash(name, 17).toUpperCase()}`,
          },
        };
      }
      case 'AWS::Lambda::Function': {
        const name = named('FunctionName', base);
        return { ref: name, attributes: { Arn: `arn:${partition}:lambda:${region}:${acct}:function:${name}` } };
      }
      case 'AWS::Lambda::LayerVersion':
        return { ref: `arn:${partition}:lambda:${region}:${acct}:layer:${withoutHash(logicalId)}:1`, attributes: {} };
      case 'AWS::Logs::LogGroup': {
        const name = named('LogGroupName', `/local/${base}`);
        return { ref: name, attributes: { Arn: `arn:${partition}:logs:${region}:${acct}:log-group:${name}:*` } };
      }
      case 'AWS::S3::Bucket': {
        const name = named('BucketName', base.toLowerCase());
        return {
          ref: name,
          attributes: {
            Arn: `arn:${partition}:s3:::${name}`,
            DomainName: `${name}.s3.amazonaws.com`,
            RegionalDomainName: `${name}.s3.${region}.amazonaws.com`,
          },
        };
      }
      case 'AWS::CloudFront::Distribution':
        return {
          ref: `LOCAL${shortHash(logicalId, 10).toUpperCase()}`,
          attributes: { DomainName: gatewayHost },
        };
      case 'AWS::Cognito::UserPool': {
        const id = LOCAL_USER_POOL_ID(region);
        const providerName = `cognito-idp.${region}.amazonaws.com/${id}`;
        return {
          ref: id,
          attributes: {
            Arn: `arn:${partition}:cognito-idp:${region}:${acct}:userpool/${id}`,
            ProviderName: providerName,
            ProviderURL: `https://${providerName}`,
          },
        };
      }
      case 'AWS::Cognito::UserPoolClient':
        return { ref: LOCAL_USER_POOL_CLIENT_ID, attributes: { ClientId: LOCAL_USER_POOL_CLIENT_ID } };
      case 'AWS::Cognito::UserPoolDomain':
        return { ref: named('Domain', base), attributes: {} };
      case 'AWS::Cognito::UserPoolGroup':
        return { ref: named('GroupName', withoutHash(logicalId)), attributes: {} };
      case 'AWS::ApiGatewayV2::Api': {
        const id = shortHash(`${stackName}/${logicalId}`, 10);
        // In AWS each API has a host of its own; locally they share the gateway's. A named stage is
        // the first path segment there as under its own host; a $default stage has none, so the
        // gateway gives it a path made from the logical id ("ReviewApi49DBAE71" -> /review-api).
        const { name } = stageOf(stackName, resolver.template, logicalId);
        const endpoint =
          name === '$default' ? `${environment.gatewayUrl}${logicalIdPath(logicalId)}` : environment.gatewayUrl;
        return { ref: id, attributes: { ApiId: id, ApiEndpoint: endpoint } };
      }
      case 'AWS::Events::Rule': {
        const name = named('Name', base);
        return { ref: name, attributes: { Arn: `arn:${partition}:events:${region}:${acct}:rule/${name}` } };
      }
      case 'AWS::SNS::Topic': {
        const name = named('TopicName', base);
        const arn = `arn:${partition}:sns:${region}:${acct}:${name}`;
        return { ref: arn, attributes: { TopicArn: arn, TopicName: name } };
      }
      case 'AWS::CloudWatch::Alarm': {
        const name = named('AlarmName', base);
        return { ref: name, attributes: { Arn: `arn:${partition}:cloudwatch:${region}:${acct}:alarm:${name}` } };
      }
      case 'AWS::CloudWatch::Dashboard':
        return { ref: named('DashboardName', base), attributes: {} };
      default:
        return { ref: `${withoutHash(logicalId)}-${shortHash(`${stackName}/${logicalId}`, 8)}`, attributes: {} };
    }
  }

  const located: Located[] = assembly.stacks.flatMap(({ stackName, template }) =>
    Object.entries(template.Resources).map(([logicalId, resource]) => ({
      stackName,
      logicalId,
      resource,
      resolver: resolvers.get(stackName)!,
    })),
  );
  const notRunLocally: Record<string, number> = {};
  for (const { stackName, logicalId, resource } of located) {
    if (resource.Condition)
      throw new TemplateError(stackName, [logicalId, 'Condition'], 'conditional resources are not supported locally');
    if (OBSERVABILITY_TYPES.has(resource.Type)) notRunLocally[resource.Type] = (notRunLocally[resource.Type] ?? 0) + 1;
    else if (!EMULATED_TYPES.has(resource.Type) && !EMULATED_THROUGH_OTHERS.has(resource.Type))
      throw new TemplateError(
        stackName,
        [logicalId],
        `${resource.Type} cannot be emulated by the local runtime: add its emulation in local/, or keep it out of the local stage`,
      );
  }
  const ofType = (type: string) => located.filter((l) => l.resource.Type === type);
  const props = (l: Located) =>
    l.resolver.resolve(l.resource.Properties ?? {}, [l.logicalId, 'Properties']) as CfnProperties;
  const physicalOfLocated = (l: Located) => l.resolver.resolve({ Ref: l.logicalId }) as string;
  const attribute = (l: Located, name: string) =>
    l.resolver.string({ 'Fn::GetAtt': [l.logicalId, name] }, [l.logicalId]);
  const keyArnOf = (l: Located, reference: unknown): string | undefined => {
    if (reference === undefined || reference === null) return undefined;
    const value = String(reference);
    if (value.startsWith('arn:')) return value;
    if (value === 'alias/aws/sqs' || value === 'alias/aws/dynamodb') return undefined;
    const key = ofType('AWS::KMS::Key').find((k) => physicalOfLocated(k) === value);
    if (key) return attribute(key, 'Arn');
    throw new TemplateError(l.stackName, [l.logicalId], `refers to KMS key ${value}, which no template defines`);
  };

  // CloudFront serves a distribution over HTTPS; the local gateway serves it in plain HTTP on the
  // loopback address, so an output naming https://<its domain> gives the gateway's URL.
  const servedUrl = (value: string) =>
    value === `https://${gatewayHost}` || value.startsWith(`https://${gatewayHost}/`)
      ? `${environment.gatewayUrl}${value.slice(`https://${gatewayHost}`.length)}`
      : value;
  for (const { stackName, template } of assembly.stacks) {
    const resolver = resolvers.get(stackName)!;
    outputs[stackName] = Object.fromEntries(
      Object.entries(template.Outputs ?? {}).map(([key, output]) => [
        key,
        servedUrl(resolver.string(output.Value, ['Outputs', key])),
      ]),
    );
  }

  const keys: KeyModel[] = ofType('AWS::KMS::Key').map((l) => ({
    logicalId: l.logicalId,
    id: physicalOfLocated(l),
    arn: attribute(l, 'Arn'),
    policy: props(l).KeyPolicy as PolicyDocumentJson,
  }));

  const tables: TableModel[] = ofType('AWS::DynamoDB::Table').map((l) => {
    const p = props(l);
    const sse = p.SSESpecification as { SSEEnabled?: boolean; SSEType?: string; KMSMasterKeyId?: string } | undefined;
    const kmsKeyArn = sse?.SSEEnabled && sse.SSEType === 'KMS' ? keyArnOf(l, sse.KMSMasterKeyId) : undefined;
    const ttl = p.TimeToLiveSpecification as { Enabled?: boolean; AttributeName?: string } | undefined;
    if (p.StreamSpecification)
      throw new TemplateError(l.stackName, [l.logicalId, 'StreamSpecification'], 'the local DynamoDB has no streams');
    return {
      logicalId: l.logicalId,
      name: physicalOfLocated(l),
      arn: attribute(l, 'Arn'),
      properties: p,
      ...(ttl?.Enabled && ttl.AttributeName ? { timeToLiveAttribute: ttl.AttributeName } : {}),
      ...(kmsKeyArn ? { kmsKeyArn } : {}),
      ...(p.ResourcePolicy
        ? { resourcePolicy: (p.ResourcePolicy as { PolicyDocument: PolicyDocumentJson }).PolicyDocument }
        : {}),
    };
  });

  const queuePolicies = new Map<string, unknown[]>();
  for (const l of ofType('AWS::SQS::QueuePolicy')) {
    const p = props(l);
    for (const url of asList(p.Queues as string | string[]))
      queuePolicies.set(url, [
        ...(queuePolicies.get(url) ?? []),
        ...asList((p.PolicyDocument as PolicyDocumentJson).Statement),
      ]);
  }
  const queues: QueueModel[] = ofType('AWS::SQS::Queue').map((l) => {
    const p = props(l);
    if (p.FifoQueue) throw new TemplateError(l.stackName, [l.logicalId], 'FIFO queues are not emulated locally');
    const url = physicalOfLocated(l);
    const redrive = p.RedrivePolicy as { deadLetterTargetArn: string; maxReceiveCount: number } | undefined;
    const statements = queuePolicies.get(url);
    const kmsKeyArn = keyArnOf(l, p.KmsMasterKeyId);
    return {
      logicalId: l.logicalId,
      name: attribute(l, 'QueueName'),
      url,
      arn: attribute(l, 'Arn'),
      visibilityTimeoutSeconds: Number(p.VisibilityTimeout ?? 30),
      retentionSeconds: Number(p.MessageRetentionPeriod ?? 345_600),
      ...(redrive
        ? { redrive: { deadLetterArn: redrive.deadLetterTargetArn, maxReceiveCount: Number(redrive.maxReceiveCount) } }
        : {}),
      ...(kmsKeyArn ? { kmsKeyArn } : {}),
      ...(statements ? { policy: { Version: '2012-10-17', Statement: statements } } : {}),
    };
  });

  const secrets: SecretModel[] = ofType('AWS::SecretsManager::Secret').map((l) => {
    const p = props(l);
    const generate = p.GenerateSecretString as
      | { PasswordLength?: number; ExcludePunctuation?: boolean; SecretStringTemplate?: string }
      | undefined;
    if (!generate || generate.SecretStringTemplate)
      throw new TemplateError(l.stackName, [l.logicalId], 'only a generated plain secret string is emulated locally');
    const kmsKeyArn = keyArnOf(l, p.KmsKeyId);
    const arn = physicalOfLocated(l);
    return {
      logicalId: l.logicalId,
      name: arn.split(':secret:')[1]!.replace(/-[0-9a-f]{6}$/, ''),
      arn,
      ...(kmsKeyArn ? { kmsKeyArn } : {}),
      passwordLength: Number(generate.PasswordLength ?? 32),
      excludePunctuation: Boolean(generate.ExcludePunctuation),
    };
  });

  const attachedPolicies = new Map<string, Array<{ name: string; document: PolicyDocumentJson }>>();
  for (const l of ofType('AWS::IAM::Policy')) {
    const p = props(l);
    for (const role of asList(p.Roles as string[]))
      attachedPolicies.set(role, [
        ...(attachedPolicies.get(role) ?? []),
        { name: String(p.PolicyName), document: p.PolicyDocument as PolicyDocumentJson },
      ]);
  }
  const roles: RoleModel[] = ofType('AWS::IAM::Role').map((l) => {
    const p = props(l);
    if (asList(p.ManagedPolicyArns).length)
      throw new TemplateError(
        l.stackName,
        [l.logicalId, 'ManagedPolicyArns'],
        'managed policies cannot be evaluated locally: their documents are not in the template',
      );
    const name = physicalOfLocated(l);
    const inline = asList(p.Policies as Array<{ PolicyName: string; PolicyDocument: PolicyDocumentJson }>).map(
      (policy) => ({ name: policy.PolicyName, document: policy.PolicyDocument }),
    );
    return {
      logicalId: l.logicalId,
      name,
      arn: attribute(l, 'Arn'),
      policies: [...inline, ...(attachedPolicies.get(name) ?? [])],
    };
  });

  const functions: FunctionModel[] = ofType('AWS::Lambda::Function').map((l) => {
    const p = props(l);
    const entry = l.resource.Metadata?.[ENTRY_METADATA];
    const variables = ((p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
      {}) as Record<string, unknown>;
    return {
      logicalId: l.logicalId,
      stackName: l.stackName,
      name: physicalOfLocated(l),
      arn: attribute(l, 'Arn'),
      roleArn: String(p.Role),
      environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])),
      timeoutSeconds: Number(p.Timeout ?? 3),
      memoryMb: Number(p.MemorySize ?? 128),
      ...(p.ReservedConcurrentExecutions !== undefined
        ? { reservedConcurrency: Number(p.ReservedConcurrentExecutions) }
        : {}),
      ...(typeof entry === 'string' ? { entry } : {}),
    };
  });
  const functionArnOf = (l: Located, reference: unknown): string => {
    const value = String(reference);
    const found = functions.find((f) => f.arn === value || f.name === value || value.startsWith(`${f.arn}:`));
    if (!found)
      throw new TemplateError(l.stackName, [l.logicalId], `refers to function ${value}, which no template defines`);
    return found.arn;
  };

  const eventSources: EventSourceModel[] = ofType('AWS::Lambda::EventSourceMapping').map((l) => {
    const p = props(l);
    const queueArn = String(p.EventSourceArn);
    if (!queues.some((q) => q.arn === queueArn))
      throw new TemplateError(
        l.stackName,
        [l.logicalId],
        `event source ${queueArn} is not an SQS queue of the templates`,
      );
    if (p.FilterCriteria)
      throw new TemplateError(l.stackName, [l.logicalId, 'FilterCriteria'], 'event filtering is not emulated locally');
    const maximumConcurrency = (p.ScalingConfig as { MaximumConcurrency?: number } | undefined)?.MaximumConcurrency;
    return {
      logicalId: l.logicalId,
      functionArn: functionArnOf(l, p.FunctionName),
      queueArn,
      batchSize: Number(p.BatchSize ?? 10),
      batchingWindowSeconds: Number(p.MaximumBatchingWindowInSeconds ?? 0),
      ...(maximumConcurrency !== undefined ? { maximumConcurrency: Number(maximumConcurrency) } : {}),
      reportBatchItemFailures: asList(p.FunctionResponseTypes as string[]).includes('ReportBatchItemFailures'),
    };
  });

  const schedules: ScheduleModel[] = ofType('AWS::Events::Rule').map((l) => {
    const p = props(l);
    const expression = String(p.ScheduleExpression ?? '');
    if (!expression || p.EventPattern)
      throw new TemplateError(
        l.stackName,
        [l.logicalId],
        'only scheduled rules (rate expressions) are emulated locally',
      );
    return {
      logicalId: l.logicalId,
      name: physicalOfLocated(l),
      expression,
      everyMs: rateMs(expression, l),
      functionArns: asList(p.Targets as Array<{ Arn: string; Input?: unknown }>).map((target) =>
        functionArnOf(l, target.Arn),
      ),
    };
  });

  const invokePermissions: InvokePermissionModel[] = ofType('AWS::Lambda::Permission').map((l) => {
    const p = props(l);
    return {
      functionArn: functionArnOf(l, p.FunctionName),
      principal: String(p.Principal),
      ...(p.SourceArn ? { sourceArn: String(p.SourceArn) } : {}),
    };
  });

  const userPools: UserPoolModel[] = ofType('AWS::Cognito::UserPool').map((l) => {
    const id = physicalOfLocated(l);
    return {
      logicalId: l.logicalId,
      id,
      issuer: attribute(l, 'ProviderURL'),
      groups: ofType('AWS::Cognito::UserPoolGroup')
        .filter((g) => props(g).UserPoolId === id)
        .map((g) => String(props(g).GroupName)),
      clientIds: ofType('AWS::Cognito::UserPoolClient')
        .filter((c) => props(c).UserPoolId === id)
        .map((c) => physicalOfLocated(c)),
    };
  });
  if (userPools.length > 1)
    throw new TemplateError(
      'templates',
      [userPools[1]!.logicalId],
      'the local runtime emulates one Cognito user pool (its local token issuer); the templates define several',
    );

  const httpApis: HttpApiModel[] = ofType('AWS::ApiGatewayV2::Api').map((l) => describeHttpApi(l));
  for (const [index, api] of httpApis.entries()) {
    const other = httpApis.slice(0, index).find((a) => a.mount === api.mount);
    if (other)
      throw new TemplateError(
        'templates',
        [api.logicalId],
        `the local gateway serves every HTTP API on one port, by its stage name; ${other.logicalId} has the same path ${api.mount}`,
      );
  }
  function describeHttpApi(api: Located): HttpApiModel {
    const p = props(api);
    const id = physicalOfLocated(api);
    if (p.ProtocolType !== 'HTTP')
      throw new TemplateError(api.stackName, [api.logicalId], 'only HTTP APIs are emulated locally');
    const ofApi = (type: string) => ofType(type).filter((l) => props(l).ApiId === id);
    const integrations = new Map(
      ofApi('AWS::ApiGatewayV2::Integration').map((l) => [physicalOfLocated(l), { l, p: props(l) }]),
    );
    const authorizers = new Map(
      ofApi('AWS::ApiGatewayV2::Authorizer').map((l) => [physicalOfLocated(l), { l, p: props(l) }]),
    );
    const routes = ofApi('AWS::ApiGatewayV2::Route').map((route): RouteModel => {
      const rp = props(route);
      const routeKey = String(rp.RouteKey);
      const [method, path] = routeKey === '$default' ? ['ANY', '$default'] : routeKey.split(' ');
      const integration = integrations.get(String(rp.Target).replace(/^integrations\//, ''));
      if (integration?.p.IntegrationType !== 'AWS_PROXY')
        throw new TemplateError(
          route.stackName,
          [route.logicalId, 'Target'],
          'only Lambda proxy integrations are emulated locally',
        );
      let authorizer: RouteModel['authorizer'];
      if (rp.AuthorizationType === 'JWT') {
        const found = authorizers.get(String(rp.AuthorizerId));
        const jwt = found?.p.JwtConfiguration as { Issuer: string; Audience: string[] } | undefined;
        if (!found || !jwt)
          throw new TemplateError(
            route.stackName,
            [route.logicalId, 'AuthorizerId'],
            'names no JWT authorizer of the API',
          );
        if (!userPools.some((pool) => pool.issuer === jwt.Issuer))
          throw new TemplateError(
            found.l.stackName,
            [found.l.logicalId, 'JwtConfiguration', 'Issuer'],
            `${jwt.Issuer} is not a user pool of the templates: the local runtime can only stand in for one`,
          );
        authorizer = {
          type: 'JWT',
          identitySource: asList(found.p.IdentitySource as string[])[0] ?? '$request.header.Authorization',
          issuer: jwt.Issuer,
          audience: asList(jwt.Audience),
        };
      } else if (rp.AuthorizationType === 'AWS_IAM') {
        authorizer = { type: 'AWS_IAM' };
      } else if (rp.AuthorizationType && rp.AuthorizationType !== 'NONE') {
        throw new TemplateError(
          route.stackName,
          [route.logicalId, 'AuthorizationType'],
          `${String(rp.AuthorizationType)} authorization is not emulated locally`,
        );
      }
      return {
        routeKey,
        method: method!,
        path: path!,
        functionArn: functionArnOf(route, integration.p.IntegrationUri),
        payloadFormatVersion: String(integration.p.PayloadFormatVersion ?? '1.0'),
        ...(authorizer ? { authorizer } : {}),
        scopes: asList(rp.AuthorizationScopes as string[]),
      };
    });
    const stage = stageOf(api.stackName, api.resolver.template, api.logicalId);
    const settings = props(located.find((l) => l.stackName === api.stackName && l.logicalId === stage.logicalId)!)
      .DefaultRouteSettings as { ThrottlingRateLimit?: number; ThrottlingBurstLimit?: number } | undefined;
    const endpoint = attribute(api, 'ApiEndpoint');
    const url = stage.name === '$default' ? endpoint : `${endpoint}/${stage.name}`;
    return {
      logicalId: api.logicalId,
      id,
      name: String(p.Name ?? api.logicalId),
      stageName: stage.name,
      url,
      mount: new URL(url).pathname,
      executeApiHost: `${id}.execute-api.${account.region}.${account.urlSuffix}`,
      routes,
      ...(settings?.ThrottlingRateLimit !== undefined && settings.ThrottlingBurstLimit !== undefined
        ? { throttle: { rateLimit: settings.ThrottlingRateLimit, burstLimit: settings.ThrottlingBurstLimit } }
        : {}),
    };
  }

  const providerRole = (l: Located, serviceToken: string): string => {
    const provider = functions.find((f) => f.arn === serviceToken);
    if (!provider)
      throw new TemplateError(l.stackName, [l.logicalId, 'ServiceToken'], 'names no function of the templates');
    return provider.roleArn;
  };
  const sdkCalls: SdkCallModel[] = ofType('Custom::AWS').map((l) => {
    const p = props(l);
    if (p.Update || p.Delete)
      throw new TemplateError(
        l.stackName,
        [l.logicalId],
        'only onCreate SDK calls are run locally (the stack is created fresh)',
      );
    const call = JSON.parse(String(p.Create)) as SdkCallModel['call'];
    return { logicalId: l.logicalId, stackName: l.stackName, roleArn: providerRole(l, String(p.ServiceToken)), call };
  });

  const deployments = ofType('Custom::CDKBucketDeployment');
  let consoleHosting: ConsoleHostingModel | undefined;
  if (deployments.length > 1)
    throw new TemplateError(
      deployments[1]!.stackName,
      [deployments[1]!.logicalId],
      'the local gateway hosts one console',
    );
  if (deployments[0]) {
    const p = props(deployments[0]);
    const markers = asList(p.SourceMarkers as Array<Record<string, unknown>>);
    const distribution =
      p.DistributionId === undefined
        ? undefined
        : ofType('AWS::CloudFront::Distribution').find((d) => physicalOfLocated(d) === p.DistributionId);
    if (p.DistributionId !== undefined && !distribution)
      throw new TemplateError(
        deployments[0].stackName,
        [deployments[0].logicalId, 'Properties', 'DistributionId'],
        'names no distribution of the templates',
      );
    consoleHosting = {
      sources: asList(p.SourceObjectKeys as string[]).map((key, index) => ({
        directory: `${assembly.directory}/asset.${key.replace(/\.zip$/, '')}`,
        markers: Object.fromEntries(Object.entries(markers[index] ?? {}).map(([k, v]) => [k, String(v)])),
      })),
      ...(distribution ? describeDistribution(distribution) : { responseHeaders: {}, apiBehaviours: [] }),
    };
  }

  /**
   * The headers of a distribution's default behaviour, and the HTTP API each of its other behaviours
   * goes to. Only what the local gateway uses is resolved: the origins' access control is not emulated.
   */
  function describeDistribution(distribution: Located): Pick<ConsoleHostingModel, 'responseHeaders' | 'apiBehaviours'> {
    const at = (...path: Array<string | number>) => [
      distribution.logicalId,
      'Properties',
      'DistributionConfig',
      ...path,
    ];
    const config = (distribution.resource.Properties?.DistributionConfig ?? {}) as CfnProperties;
    const resolved = (value: unknown, ...path: Array<string | number>) =>
      distribution.resolver.resolve(value, at(...path));
    const headersOf = (policyId: unknown, path: Array<string | number>): ResponseHeadersModel => {
      if (policyId === undefined) return {};
      const policy = ofType('AWS::CloudFront::ResponseHeadersPolicy').find((l) => physicalOfLocated(l) === policyId);
      if (!policy)
        throw new TemplateError(
          distribution.stackName,
          [...at(...path), 'ResponseHeadersPolicyId'],
          `${String(policyId)} is no response headers policy of the templates (managed policies are not emulated locally)`,
        );
      return responseHeadersOf(props(policy));
    };
    // CloudFront forwards Authorization only when the cache policy's key names it (an origin request
    // policy may not), so whether an API behind a behaviour sees the token is the cache policy's say.
    const keysOnAuthorization = (policyId: unknown, path: Array<string | number>): boolean => {
      const policy = ofType('AWS::CloudFront::CachePolicy').find((l) => physicalOfLocated(l) === policyId);
      if (!policy)
        throw new TemplateError(
          distribution.stackName,
          [...at(...path), 'CachePolicyId'],
          `${String(policyId)} is no cache policy of the templates: managed cache policies in front of an HTTP API are not emulated locally`,
        );
      const headers = props(policy).CachePolicyConfig?.ParametersInCacheKeyAndForwardedToOrigin?.HeadersConfig;
      return (
        headers?.HeaderBehavior === 'whitelist' &&
        asList(headers.Headers as string[]).some((name) => name.toLowerCase() === 'authorization')
      );
    };
    const origins = asList(config.Origins as CfnProperties[]).map((origin, index) => ({
      id: String(resolved(origin.Id, 'Origins', index, 'Id')),
      domainName: String(resolved(origin.DomainName, 'Origins', index, 'DomainName')),
      path: origin.OriginPath === undefined ? '' : String(resolved(origin.OriginPath, 'Origins', index, 'OriginPath')),
    }));
    return {
      responseHeaders: headersOf(
        resolved(config.DefaultCacheBehavior?.ResponseHeadersPolicyId, 'DefaultCacheBehavior'),
        ['DefaultCacheBehavior'],
      ),
      apiBehaviours: asList(config.CacheBehaviors as CfnProperties[]).map((raw, index): ApiBehaviourModel => {
        const behaviour = resolved(raw, 'CacheBehaviors', index) as CfnProperties;
        const origin = origins.find((o) => o.id === behaviour.TargetOriginId);
        const api = httpApis.find((a) => a.executeApiHost === origin?.domainName);
        if (!api)
          throw new TemplateError(
            distribution.stackName,
            at('CacheBehaviors', index),
            `${behaviour.PathPattern} goes to ${origin?.domainName ?? `origin ${behaviour.TargetOriginId}`}, which is no HTTP API of the templates: the local gateway serves the console's files and behaviours routed to an HTTP API only`,
          );
        return {
          pathPattern: String(behaviour.PathPattern),
          apiLogicalId: api.logicalId,
          originPath: origin!.path,
          forwardsAuthorization: keysOnAuthorization(behaviour.CachePolicyId, ['CacheBehaviors', index]),
          responseHeaders: headersOf(behaviour.ResponseHeadersPolicyId, ['CacheBehaviors', index]),
        };
      }),
    };
  }

  // Functions backing a custom resource run as that resource's emulation, not as functions.
  const providers = new Set([...ofType('Custom::AWS'), ...deployments].map((l) => String(props(l).ServiceToken)));

  return {
    account,
    tables,
    queues,
    keys,
    secrets,
    roles,
    functions: functions.filter((f) => !providers.has(f.arn)),
    eventSources,
    schedules,
    httpApis,
    userPools,
    sdkCalls,
    ...(consoleHosting ? { console: consoleHosting } : {}),
    invokePermissions,
    outputs,
    notRunLocally,
  };
}

/** The interval of an EventBridge rate expression: "rate(1 minute)", "rate(5 minutes)", "rate(1 hour)". */
function rateMs(expression: string, l: Located): number {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!match)
    throw new TemplateError(
      l.stackName,
      [l.logicalId, 'ScheduleExpression'],
      `"${expression}" is not a rate expression the local runtime runs`,
    );
  const unit = { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[
    match[2]!.replace(/s$/, '') as 'minute' | 'hour' | 'day'
  ];
  return Number(match[1]) * unit;
}

/** The security headers a CloudFront response headers policy adds, by header name. */
function responseHeadersOf(properties: CfnProperties): ResponseHeadersModel {
  const config = properties.ResponseHeadersPolicyConfig?.SecurityHeadersConfig ?? {};
  const headers: Record<string, { value: string; override: boolean }> = {};
  const add = (name: string, setting: { Override?: boolean }, value: string) => {
    headers[name] = { value, override: Boolean(setting.Override) };
  };
  if (config.ContentSecurityPolicy)
    add(
      'content-security-policy',
      config.ContentSecurityPolicy,
      String(config.ContentSecurityPolicy.ContentSecurityPolicy),
    );
  if (config.ContentTypeOptions) add('x-content-type-options', config.ContentTypeOptions, 'nosniff');
  if (config.FrameOptions) add('x-frame-options', config.FrameOptions, String(config.FrameOptions.FrameOption));
  if (config.ReferrerPolicy)
    add('referrer-policy', config.ReferrerPolicy, String(config.ReferrerPolicy.ReferrerPolicy));
  if (config.StrictTransportSecurity) {
    const sts = config.StrictTransportSecurity;
    add(
      'strict-transport-security',
      sts,
      `max-age=${sts.AccessControlMaxAgeSec}${sts.IncludeSubdomains ? '; includeSubDomains' : ''}${sts.Preload ? '; preload' : ''}`,
    );
  }
  return headers;
}

/**
 * An HTTP API's stage, read from the raw template: the API's endpoint depends on it, so it is known
 * before the API's own id is. The local gateway serves one stage per API.
 */
function stageOf(stackName: string, template: Template, apiLogicalId: string): { logicalId: string; name: string } {
  const stages = Object.entries(template.Resources).filter(
    ([, resource]) =>
      resource.Type === 'AWS::ApiGatewayV2::Stage' &&
      (resource.Properties?.ApiId as { Ref?: unknown } | undefined)?.Ref === apiLogicalId,
  );
  if (stages.length !== 1)
    throw new TemplateError(
      stackName,
      [apiLogicalId],
      `the local gateway serves an HTTP API at its one stage; the template gives it ${stages.length}`,
    );
  const [logicalId, stage] = stages[0]!;
  if (typeof stage.Properties?.StageName !== 'string')
    throw new TemplateError(
      stackName,
      [logicalId, 'Properties', 'StageName'],
      'the local gateway needs a literal stage name',
    );
  return { logicalId, name: stage.Properties.StageName };
}

/** Where the local gateway serves a $default stage, from its API's logical id: "ReviewApi49DBAE71" -> "/review-api". */
const logicalIdPath = (apiLogicalId: string) =>
  `/${withoutHash(apiLogicalId)
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()}`;
