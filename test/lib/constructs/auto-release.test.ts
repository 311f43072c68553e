import { describe, expect, it } from 'vitest';
import { policyStatements, resourcesOf } from '../stage-fixture.ts';
import { synthesizeReview } from './review-fixture.ts';

const { template, ids } = synthesizeReview();
const functions = resourcesOf(template, 'AWS::Lambda::Function');
const autoReleaseId = Object.keys(functions).find((id) => id.startsWith('AutoReleaseHandler'))!;

describe('auto-release construct', () => {
  it('runs the auto-release function every minute, without retrying a missed run', () => {
    const rules = Object.values(resourcesOf(template, 'AWS::Events::Rule')).map((r) => r.Properties!);
    expect(rules).toEqual([
      expect.objectContaining({
        ScheduleExpression: 'rate(1 minute)',
        State: 'ENABLED',
        Targets: [
          expect.objectContaining({
            Arn: { 'Fn::GetAtt': [autoReleaseId, 'Arn'] },
            RetryPolicy: { MaximumRetryAttempts: 0 },
          }),
        ],
      }),
    ]);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [autoReleaseId, 'Arn'] },
    });
  });

  it('gives the function the review configuration and the grants of its sweep: the due index, the due flags by key and the case indexes, no queue or network reads', () => {
    const properties = functions[autoReleaseId]!.Properties!;
    expect(properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Timeout: 50 });
    expect(Object.keys((properties.Environment as { Variables: Record<string, unknown> }).Variables)).toEqual(
      expect.arrayContaining(['FLAGS_TABLE', 'WATCHLIST_TABLE', 'OUTBOUND_QUEUE_URLS', 'PSEUDONYM_KEY_SECRET_ARN']),
    );
    const sids = (prefix: string) =>
      policyStatements(template)
        .filter(({ resource }) => resource.startsWith(prefix))
        .map(({ statement }) => statement.Sid)
        .filter(Boolean)
        .sort();
    expect(sids('AutoReleaseHandlerRole')).toEqual(
      [
        ...sids('ReviewApiHandlerRole').filter(
          (sid) =>
            ![
              'QueryCasesAndNetwork',
              'QueryReviewQueues',
              'ReadFlags',
              'ReadAccountState',
              'CountRequests',
              'GovernRulePacks',
              'AuditReads',
              // Officers' steps on listings; the sweep only re-drives a confirmation's proposal.
              'ReadConfirmedListings',
              'QueryConfirmedListings',
              'DelistConfirmedListings',
            ].includes(sid!),
        ),
        'QueryCases',
        'QueryDueFlags',
        'ReadDueFlags',
      ].sort(),
    );
    const statementOf = (sid: string) =>
      policyStatements(template).find(
        ({ resource, statement }) => resource.startsWith('AutoReleaseHandlerRole') && statement.Sid === sid,
      )!.statement;
    const index = (name: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.flags, 'Arn'] }, `/index/${name}`]] });
    expect(statementOf('QueryDueFlags').Resource).toEqual(index('byDue'));
    expect(statementOf('ReadDueFlags').Action).toBe('dynamodb:BatchGetItem');
    expect(statementOf('QueryCases').Resource).toEqual([index('byCreditorAccount'), index('byDebtorAccount')]);
  });
});
