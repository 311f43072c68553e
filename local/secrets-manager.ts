import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { listenOnLoopback, readBody } from './loopback-server.ts';

/**
 * A Secrets Manager stand-in on a loopback port, speaking the service's own protocol (JSON 1.1, the
 * operation in X-Amz-Target), so that a function reads its secret through the real SDK client as in
 * AWS. It serves the secrets the templates define and nothing else: GetSecretValue and DescribeSecret.
 * Hand-written because no package on the registry stands in for Secrets Manager without Docker.
 */
export interface LocalSecret {
  readonly arn: string;
  readonly name: string;
  readonly value: string;
}

export interface LocalSecretsManager {
  readonly endpoint: string;
  close(): Promise<void>;
}

const TARGET_PREFIX = 'secretsmanager.';

export async function startLocalSecretsManager(secrets: readonly LocalSecret[]): Promise<LocalSecretsManager> {
  const created = Math.floor(Date.now() / 1000);
  const versions = new Map(secrets.map((secret) => [secret.arn, randomUUID()]));
  // A secret is found by its full ARN, its name, or its ARN without the random suffix (a partial ARN).
  const find = (id: unknown) =>
    typeof id === 'string'
      ? secrets.find((s) => s.arn === id || s.name === id || s.arn.replace(/-[A-Za-z0-9]{6}$/, '') === id)
      : undefined;

  const server = await listenOnLoopback(async (request, response) => {
    try {
      const target = String(request.headers['x-amz-target'] ?? '');
      const body = JSON.parse((await readBody(request)).toString('utf8') || '{}') as {
        SecretId?: unknown;
        VersionStage?: unknown;
      };
      const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
      if (operation !== 'GetSecretValue' && operation !== 'DescribeSecret')
        return fail(response, 400, 'InvalidRequestException', `the local Secrets Manager does not serve ${operation}`);
      const secret = find(body.SecretId);
      if (!secret)
        return fail(response, 400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
      if (body.VersionStage !== undefined && body.VersionStage !== 'AWSCURRENT')
        return fail(
          response,
          400,
          'ResourceNotFoundException',
          `no version of the secret has stage ${String(body.VersionStage)}`,
        );
      const common = { ARN: secret.arn, Name: secret.name };
      const versionId = versions.get(secret.arn)!;
      reply(
        response,
        200,
        operation === 'GetSecretValue'
          ? {
              ...common,
              SecretString: secret.value,
              VersionId: versionId,
              VersionStages: ['AWSCURRENT'],
              CreatedDate: created,
            }
          : { ...common, CreatedDate: created, VersionIdsToStages: { [versionId]: ['AWSCURRENT'] } },
      );
    } catch {
      fail(response, 400, 'InvalidRequestException', 'the request body is not JSON');
    }
  });
  return { endpoint: server.url, close: server.close };
}

function reply(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
  response.end(JSON.stringify(body));
}

function fail(response: ServerResponse, status: number, type: string, message: string) {
  reply(response, status, { __type: type, message });
}
