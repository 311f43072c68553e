import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { parseStageConfig } from '../../lib/config.ts';
import { addScreeningStacks } from '../../lib/screening-stacks.ts';
import { STAGES } from '../../lib/stages.ts';
import { asList, logicalIdOf, policyStatements, testApp } from './stage-fixture.ts';

interface ValidationReport {
  pluginReports: Array<{
    pluginName: string;
    violations: Array<{ ruleName: string; severity: string; violatingConstructs?: Array<{ constructPath: string }> }>;
  }>;
}

/** Synthesizes a stage as `cdk synth` checks it: cdk-nag's AWS Solutions rules and CloudFormation's own validation. */
function checkedStage(stage: keyof typeof STAGES) {
  const app = testApp({ validate: true });
  const stacks = addScreeningStacks(app, parseStageConfig(stage, STAGES[stage]));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // Errors make synth throw with the report in the message; warnings only reach the report file.
  const assembly = app.synth();
  const report = JSON.parse(
    readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'),
  ) as ValidationReport;
  return { app, stacks, report };
}

function acknowledgements(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id,
          reason,
        })),
      ),
  );
}

describe.each(['dev', 'prod'] as const)('the %s stage', (stage) => {
  const { app, stacks, report } = checkedStage(stage);
  const templates = [Template.fromStack(stacks.stateful), Template.fromStack(stacks.stateless)];

  it('has no unacknowledged cdk-nag (AwsSolutions) or CloudFormation validation finding, error or warning', () => {
    const findings = report.pluginReports.flatMap((plugin) =>
      plugin.violations.map(
        (v) =>
          `${plugin.pluginName} ${v.severity} ${v.ruleName} at ${(v.violatingConstructs ?? []).map((c) => c.constructPath).join(', ')}`,
      ),
    );
    expect(findings).toEqual([]);
  });

  it('acknowledges only the reviewed findings, each with its specific reason', () => {
    const found = acknowledgements(app);
    const ownFunctions = ['Screening', 'ReviewApi/Handler', 'AutoRelease/Handler', 'DecisionApi/Handler'];
    const uploadProvider = stacks.stateless.node.children.find((child) =>
      child.node.id.startsWith('Custom::CDKBucketDeployment'),
    )!;
    expect(
      found.map(({ path, id }) => `${path.replace(/^fraud-\w+-/, '')} ${id.replace(/^annotation::/i, '')}`).sort(),
    ).toEqual(
      [
        'stateful/PseudonymKey AwsSolutions-SMG4',
        // Each function of the project: a deliberate runtime, and X-Ray's Resource '*'.
        ...ownFunctions.flatMap((fn) => [
          `stateless/${fn}/Function/Resource AwsSolutions-L1`,
          `stateless/${fn}/Role/DefaultPolicy AwsSolutions-IAM5[Resource::*]`,
        ]),
        // The console: static files without access logs, WAF, geo restriction or a custom domain by default.
        'stateless/ReviewConsole/Assets AwsSolutions-S1',
        ...['CFR1', 'CFR2', 'CFR3', 'CFR4'].map((rule) => `stateless/ReviewConsole/Cdn AwsSolutions-${rule}`),
        // Its upload: replacing the console's files, and CDK's own provider function.
        `stateless/ReviewConsole/DeployRole/DefaultPolicy AwsSolutions-IAM5[Resource::<${logicalIdOf(stacks.stateless.reviewConsole.bucket)}.Arn>/*]`,
        `stateless/${uploadProvider.node.id} AwsSolutions-L1`,
      ].sort(),
    );
    for (const { id, reason } of found) expect(reason.length, id).toBeGreaterThan(100);
  });

  it('grants no wildcard action in any IAM or resource policy, and no DynamoDB action on every resource', () => {
    // No exemptions: the console upload runs with ConsoleHosting's own narrowed role, and no CDK
    // provider brings a role of its own (the stateless stack's tests list every role).
    for (const template of templates) {
      for (const { resource, statement } of policyStatements(template).filter((s) => s.statement.Effect === 'Allow')) {
        for (const action of asList(statement.Action)) {
          expect(action, `${resource} ${statement.Sid ?? ''}`).not.toContain('*');
          if (action.startsWith('dynamodb:'))
            expect(asList(statement.Resource), `${resource} ${action}`).not.toContain('*');
        }
      }
    }
  });

  it("uses Resource '*' only for X-Ray's actions, which have no resource-level permissions", () => {
    for (const template of templates) {
      for (const { resource, type, statement } of policyStatements(template)) {
        if (type.startsWith('AWS::IAM::') && statement.Effect === 'Allow' && asList(statement.Resource).includes('*')) {
          expect(asList(statement.Action).sort(), resource).toEqual([
            'xray:PutTelemetryRecords',
            'xray:PutTraceSegments',
          ]);
        }
      }
    }
  });

  it('deploys the stateless stack after the stateful one, which depends on nothing', () => {
    expect(stacks.stateless.dependencies).toContain(stacks.stateful);
    expect(stacks.stateful.dependencies).toEqual([]);
    expect([stacks.stateful.stackName, stacks.stateless.stackName]).toEqual([
      `fraud-${stage}-stateful`,
      `fraud-${stage}-stateless`,
    ]);
  });
});
