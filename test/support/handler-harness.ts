import type { SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { vi } from 'vitest';

/** What SQS answers when it takes every entry of a SendMessageBatch. */
export function everySendSucceeds(input: SendMessageBatchCommandInput) {
  return { Successful: input.Entries!.map((e) => ({ Id: e.Id!, MessageId: `out-${e.Id}`, MD5OfMessageBody: '' })), Failed: [] };
}

/** Collects what the handler writes to stdout (Powertools logs and EMF metrics) instead of printing it. */
export function captureStdout(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  return lines;
}
