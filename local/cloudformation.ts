import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A CloudFormation stand-in for the stacks the local runtime runs: DescribeStacks only, over the
 * service's own query protocol, so that operators' tools (fraudctl smoke, the AWS CLI) read a local
 * stage's outputs exactly as they read a deployed one's. Hand-written: no package stands in for
 * CloudFormation without Docker, and one read-only call is all the tools make.
 */
export interface LocalStack {
  readonly stackName: string;
  readonly outputs: Readonly<Record<string, { readonly value: string; readonly description?: string }>>;
}

export interface LocalCloudFormation {
  readonly endpoint: string;
  close(): Promise<void>;
}

const NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

export async function startLocalCloudFormation(
  stacks: readonly LocalStack[],
  identity: { readonly region: string; readonly accountId: string },
): Promise<LocalCloudFormation> {
  const created = new Date().toISOString();
  const stackId = (name: string) =>
    `arn:aws:cloudformation:${identity.region}:${identity.accountId}:stack/${name}/${randomUUID()}`;
  const ids = new Map(stacks.map((stack) => [stack.stackName, stackId(stack.stackName)]));

  const server = createServer(async (request, response) => {
    const form = new URLSearchParams(await readBody(request));
    const reply = (status: number, xml: string) => {
      response.writeHead(status, { 'content-type': 'text/xml' });
      response.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
    };
    const requestId = randomUUID();
    if (form.get('Action') !== 'DescribeStacks')
      return reply(
        400,
        errorXml('InvalidAction', `the local CloudFormation answers DescribeStacks only, not ${form.get('Action')}`, requestId),
      );
    const name = form.get('StackName');
    const found = name ? stacks.filter((s) => s.stackName === name || ids.get(s.stackName) === name) : stacks;
    if (name && !found.length) return reply(400, errorXml('ValidationError', `Stack with id ${name} does not exist`, requestId));
    const members = found
      .map((stack) => {
        const outputs = Object.entries(stack.outputs)
          .map(
            ([key, output]) =>
              `<member><OutputKey>${escape(key)}</OutputKey><OutputValue>${escape(output.value)}</OutputValue>${
                output.description ? `<Description>${escape(output.description)}</Description>` : ''
              }</member>`,
          )
          .join('');
        return `<member><StackName>${escape(stack.stackName)}</StackName><StackId>${escape(ids.get(stack.stackName)!)}</StackId><CreationTime>${created}</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><Outputs>${outputs}</Outputs></member>`;
      })
      .join('');
    reply(
      200,
      `<DescribeStacksResponse xmlns="${NAMESPACE}"><DescribeStacksResult><Stacks>${members}</Stacks></DescribeStacksResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></DescribeStacksResponse>`,
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const errorXml = (code: string, message: string, requestId: string) =>
  `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;

const escape = (text: string) =>
  text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
