import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../../bin/commands/up.ts';
import { EXTERNAL_ADDRESS, accepts, portOf } from '../../local/loopback.ts';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('fraudctl up', () => {
  it('serves DynamoDB and SQS on 127.0.0.1 only', async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    const exited = run(['--port-dynamodb', '0', '--port-sqs', '0', '--partners', 'kr-demo-bank', '--json']);
    await vi.waitFor(() => expect(out.length).toBeGreaterThan(0), { timeout: 30_000, interval: 50 });
    const { endpoints } = JSON.parse(out[0]!) as { endpoints: { dynamodb: string; sqs: string } };
    try {
      for (const endpoint of [endpoints.dynamodb, endpoints.sqs]) {
        expect(new URL(endpoint).hostname).toBe('127.0.0.1');
        expect(await accepts('127.0.0.1', portOf(endpoint))).toBe(true);
        if (EXTERNAL_ADDRESS) expect(await accepts(EXTERNAL_ADDRESS, portOf(endpoint))).toBe(false);
      }
    } finally {
      process.emit('SIGTERM');
      expect(await exited).toBe(0);
    }
  }, 60_000);
});
