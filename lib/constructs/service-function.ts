import { fileURLToPath } from 'node:url';
import { Validations, type Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  ApplicationLogLevel,
  type CfnFunction,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { TableKey } from '#adapters/dynamodb/tables.ts';
import { ENTRY_METADATA, tableOf, type Grant } from '#manifests/function-manifest.ts';

/** The repository root: entries are given relative to it, and its package-lock.json pins the bundle. */
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Powertools identity shared by every function, the dashboard and the alarms. */
export const POWERTOOLS_SERVICE_NAME = 'transfer-screening';
export const POWERTOOLS_METRICS_NAMESPACE = 'TransferScreening';

export type FunctionLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** The resources a manifest's grants name, as the stacks have them. */
export interface ManifestResources {
  /** Every table a grant names must be here; others may be. */
  readonly tables: Readonly<Partial<Record<TableKey, ITable>>>;
  /** Every partner's outbound decision queue. */
  readonly decisionQueues: readonly IQueue[];
  /** The inbound queues a function may send to (the decision API's hand-off): its partners'. */
  readonly inboundQueues?: readonly IQueue[];
  /** The customer managed key of the tables, queues and secret. */
  readonly key: IKey;
  readonly pseudonymKey: ISecret;
}

/** The part of a function manifest (lambdas/manifests/) the construct builds from. */
export interface ManifestOfFunction {
  readonly entry: string;
  readonly grants: readonly Grant[];
}

/** One IAM statement per grant of the manifest, on the ARNs of exactly the resources it names. */
export function manifestStatements(manifest: ManifestOfFunction, resources: ManifestResources): PolicyStatement[] {
  const arnsOf = (grant: Grant): string[] => {
    if ('tables' in grant)
      return grant.tables.map((target) => {
        const table = resources.tables[tableOf(target)];
        if (!table) throw new Error(`${manifest.entry} uses the ${tableOf(target)} table, which was not given`);
        return typeof target === 'string' ? table.tableArn : `${table.tableArn}/index/${target.index}`;
      });
    if ('queues' in grant)
      return grant.queues.flatMap((role) =>
        (role === 'decisions' ? resources.decisionQueues : (resources.inboundQueues ?? [])).map((q) => q.queueArn),
      );
    if ('secrets' in grant) return [resources.pseudonymKey.secretArn];
    return [resources.key.keyArn];
  };
  return manifest.grants.map(
    (grant) => new PolicyStatement({ sid: grant.sid, actions: [...grant.actions], resources: arnsOf(grant) }),
  );
}

export interface ServiceFunctionProps {
  /** Its handler (relative to the repository root; it exports `handler`) and the calls it makes. */
  readonly manifest: ManifestOfFunction;
  /** What the manifest's grants name: the role is granted exactly those calls on exactly these. */
  readonly resources: ManifestResources;
  readonly description: string;
  /** Rendered by the manifest (`manifest.render`). */
  readonly environment: Readonly<Record<string, string>>;
  readonly timeout: Duration;
  readonly memorySizeMb: number;
  readonly logLevel: FunctionLogLevel;
  readonly logRetention: RetentionDays;
  /** A fixed role name, for a resource policy in another stack to name the role without a reference. */
  readonly roleName?: string;
  /** Concurrent executions kept for this function alone (and its most). */
  readonly reservedConcurrency?: number;
}

/**
 * A Node.js function with the defaults every function of the project shares, so that stacks do not
 * repeat them: Node.js 22 on arm64 (Graviton: cheaper per millisecond for this CPU-bound work),
 * Powertools settings, JSON logs into an explicit log group with retention, X-Ray tracing, source maps,
 * and a role that may write only to its own log group (no AWSLambdaBasicExecutionRole, which grants
 * every log group in the account). Bundling runs esbuild locally: no Docker.
 */
export class ServiceFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description}: execution role`,
      ...(props.roleName ? { roleName: props.roleName } : {}),
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: `${PROJECT_ROOT}${props.manifest.entry}`,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySizeMb,
      timeout: props.timeout,
      ...(props.reservedConcurrency ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      // Lambda filters application logs at the same level Powertools writes them, so the two agree.
      applicationLogLevelV2: ApplicationLogLevel[props.logLevel],
      systemLogLevelV2: SystemLogLevel.INFO,
      tracing: Tracing.ACTIVE,
      environment: {
        POWERTOOLS_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        // ESM output: some dependencies are CommonJS and call require(), which ESM lacks.
        banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // index.meta.json lists every module in the bundle: a test checks no local-runtime code is among them.
        metafile: true,
        // The SDK is bundled at the versions package-lock.json pins and the tests ran against,
        // rather than whatever version the Lambda runtime happens to ship that day.
        bundleAwsSDK: true,
        externalModules: [],
      },
    });

    for (const statement of manifestStatements(props.manifest, props.resources)) this.role.addToPolicy(statement);
    // Inert in AWS; the local runtime reads it to run this function's TypeScript source instead of its bundle.
    (this.function.node.defaultChild as CfnFunction).addMetadata(ENTRY_METADATA, props.manifest.entry);

    // Acknowledged on the exact resources the findings are about, not on their parents.
    const defaultPolicy = this.role.node.findChild('DefaultPolicy');
    Validations.of(defaultPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        "Only X-Ray's xray:PutTraceSegments and xray:PutTelemetryRecords (added by active tracing) use Resource '*': X-Ray has no resource-level permissions. Every other statement names its resources.",
    });
    Validations.of(this.function.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is deliberate: the code supports Node 20 and 22 (package.json engines) and the bundle targets node22. Moving to a newer runtime is a tested change of its own, not a side effect of a deploy.',
    });
  }
}
