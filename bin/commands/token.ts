import { parseArgs } from 'node:util';
import type { OfficerRole } from '#domain/review/officer.ts';
import {
  DEFAULT_STATE_DIR,
  checkTokenRequest,
  issueLocalToken,
  loadLocalSigningKey,
} from '#local/auth/local-issuer.ts';

const USAGE = `usage: fraudctl token --user NAME --partner ID --role analyst|supervisor [--ttl 8h]
  prints a review API token for the local server (fraudctl serve) on the last line of stdout.
  --partner "*" with --role supervisor is a task-force supervisor, who sees every partner.
  The signing key is created on first use in .fraudctl/ (mode 0600) and shared with fraudctl serve.
  example: export FRAUDCTL_TOKEN=$(npx fraudctl token --user kim --partner kr-demo-bank --role analyst | tail -1)
`;

/** "8h", "30m", "2d", "90s" or plain seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match) throw new Error(`--ttl "${text}" is not a duration such as 8h, 30m or 2d`);
  return Number(match[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      user: { type: 'string' },
      partner: { type: 'string' },
      role: { type: 'string' },
      ttl: { type: 'string', default: '8h' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  for (const option of ['user', 'partner', 'role'] as const) {
    if (!values[option]) {
      process.stderr.write(`fraudctl token: --${option} is required\n\n${USAGE}`);
      return 2;
    }
  }
  const request = {
    username: values.user!,
    partnerId: values.partner!,
    role: values.role as OfficerRole,
    ttlSeconds: parseDuration(values.ttl),
  };
  checkTokenRequest(request);
  const token = await issueLocalToken(await loadLocalSigningKey(DEFAULT_STATE_DIR), request);
  const expires = new Date(Date.now() + request.ttlSeconds * 1000).toISOString();
  process.stderr.write(
    `token for ${request.username} (${request.role}, partner ${request.partnerId}), valid until ${expires}\n`,
  );
  process.stdout.write(`${token}\n`);
  return 0;
}
