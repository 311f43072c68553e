import { randomUUID } from 'node:crypto';
import { listenOnLoopback, readBody } from './loopback-server.ts';

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

  const server = await listenOnLoopback(async (request, response) => {
    const form = new URLSearchParams((await readBody(request)).toString('utf8'));
    const reply = (status: number, xml: string) => {
      response.writeHead(status, { 'content-type': 'text/xml' });
      response.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
    };
    const requestId = randomUUID();
    if (form.get('Action') !== 'DescribeStacks')
      return reply(
        400,
        errorXml(
          'InvalidAction',
          `the local CloudFormation answers DescribeStacks only, not ${form.get('Action')}`,
          requestId,
        ),
      );
    const name = form.get('StackName');
    const found = name ? stacks.filter((s) => s.stackName === name || ids.get(s.stackName) === name) : stacks;
    if (name && !found.length)
      return reply(400, errorXml('ValidationError', `Stack with id ${name} does not exist`, requestId));
    const members = found
      .map((stack) => {
        const outputs = Object.entries(stack.outputs)
          .map(
            ([key, output]) =>
              `<member><OutputKey>${escapeXml(key)}</OutputKey><OutputValue>${escapeXml(output.value)}</OutputValue>${
                output.description ? `<Description>${escapeXml(output.description)}</Description>` : ''
              }</member>`,
          )
          .join('');
        return `<member><StackName>${escapeXml(stack.stackName)}</StackName><StackId>${escapeXml(ids.get(stack.stackName)!)}</StackId><CreationTime>${created}</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><Outputs>${outputs}</Outputs></member>`;
      })
      .join('');
    reply(
      200,
      `<DescribeStacksResponse xmlns="${NAMESPACE}"><DescribeStacksResult><Stacks>${members}</Stacks></DescribeStacksResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></DescribeStacksResponse>`,
    );
  });
  return { endpoint: server.url, close: server.close };
}

const errorXml = (code: string, message: string, requestId: string) =>
  `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;

const escapeXml = (text: string) =>
  text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
