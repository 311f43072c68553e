import { readFileSync } from 'node:fs';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { parseStageConfig, type StageConfig, type StageConfigInput } from '../../lib/config.ts';
import { addScreeningStacks } from '../../lib/screening-stacks.ts';
import { STAGES } from '../../lib/stages.ts';

/** The feature flags `cdk synth` runs with, so that the tests see the templates a deploy would. */
const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }
).context;

/**
 * An app with cdk.json's context and no asset bundling (the bundled synth has its own test in
 * test/bin). CloudFormation's built-in template validation costs seconds per synth: only the tests
 * that check validation findings turn it on.
 */
export function testApp(options: { validate?: boolean } = {}): App {
  return new App({
    context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: options.validate ?? false,
  });
}

export interface SynthesizedStage {
  readonly config: StageConfig;
  readonly app: App;
  readonly stacks: ReturnType<typeof addScreeningStacks>;
  readonly stateful: Template;
  readonly stateless: Template;
}

export function synthesizeStage(input: StageConfigInput = STAGES.dev): SynthesizedStage {
  const config = parseStageConfig(input.stage, input);
  const app = testApp();
  const stacks = addScreeningStacks(app, config);
  return {
    config,
    app,
    stacks,
    stateful: Template.fromStack(stacks.stateful),
    stateless: Template.fromStack(stacks.stateless),
  };
}

export type CfnResource = {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};

export function resourcesOf(template: Template, type: string): Record<string, CfnResource> {
  return template.findResources(type) as Record<string, CfnResource>;
}

export interface PolicyStatementJson {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Sid?: string;
}

export const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Every statement of every identity and resource policy in a template, except KMS key policies. */
export function policyStatements(
  template: Template,
): Array<{ resource: string; type: string; statement: PolicyStatementJson }> {
  const statements: Array<{ resource: string; type: string; statement: PolicyStatementJson }> = [];
  const documentsOf = (resource: CfnResource): unknown[] => {
    const properties = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy':
      case 'AWS::SQS::QueuePolicy':
      case 'AWS::SNS::TopicPolicy':
      case 'AWS::S3::BucketPolicy':
        return [properties.PolicyDocument];
      case 'AWS::IAM::Role':
        return asList(properties.Policies as Array<{ PolicyDocument: unknown }> | undefined).map(
          (p) => p.PolicyDocument,
        );
      default:
        return [];
    }
  };
  for (const [id, resource] of Object.entries(template.toJSON().Resources as Record<string, CfnResource>)) {
    for (const document of documentsOf(resource)) {
      for (const statement of (document as { Statement: PolicyStatementJson[] }).Statement)
        statements.push({ resource: id, type: resource.Type, statement });
    }
  }
  return statements;
}

/** The Allow statements of every identity policy of one role (by its logical id): attached and inline. */
export function allowsOf(template: Template, roleId: string): PolicyStatementJson[] {
  const attached = (resource: CfnResource) =>
    asList(resource.Properties?.Roles as unknown[] | undefined).some((role) => referencedId(role) === roleId);
  return policyStatements(template)
    .filter(({ resource, type }) =>
      type === 'AWS::IAM::Role'
        ? resource === roleId
        : type.startsWith('AWS::IAM::') && attached(template.toJSON().Resources[resource]),
    )
    .map(({ statement }) => statement)
    .filter((statement) => statement.Effect === 'Allow');
}

/** The logical id of a construct's CloudFormation resource: selects a resource by construct path, not by its place in the template. */
export function logicalIdOf(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId((construct.node.defaultChild ?? construct) as CfnElement);
}

/** The logical id a { Ref } or { Fn::GetAtt } points at. */
export function referencedId(value: unknown): string | undefined {
  if (value && typeof value === 'object') {
    if ('Ref' in value) return String(value.Ref);
    if ('Fn::GetAtt' in value) return String((value['Fn::GetAtt'] as unknown[])[0]);
  }
  return undefined;
}

/**
 * The logical id, in the producing stack, of what a cross-stack reference in the consuming stack
 * points at (weak references read a producer output with Fn::GetStackOutput, strong ones import it).
 */
export function producedBy(value: unknown, producer: Template): string | undefined {
  const outputs = (producer.toJSON().Outputs ?? {}) as Record<string, { Value: unknown; Export?: { Name: string } }>;
  if (value && typeof value === 'object') {
    if ('Fn::GetStackOutput' in value)
      return referencedId(outputs[(value['Fn::GetStackOutput'] as { OutputName: string }).OutputName]?.Value);
    if ('Fn::ImportValue' in value) {
      const name = value['Fn::ImportValue'];
      return referencedId(Object.values(outputs).find((output) => output.Export?.Name === name)?.Value);
    }
  }
  return undefined;
}
