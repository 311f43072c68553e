import type { Command } from 'commander';
import type { OfficerRole } from '#domain/review/officer.ts';
import {
  DEFAULT_STATE_DIR,
  checkTokenRequest,
  issueLocalToken,
  loadLocalSigningKey,
} from '#local/auth/local-issuer.ts';
import { cliCommand, exits, runCli, usageError } from './cli.ts';

const DETAILS = `
--partner "*" with --role supervisor is a task-force supervisor, who sees every partner.
The signing key is created on first use in .fraudctl/ (mode 0600) and shared with fraudctl serve.
example: export FRAUDCTL_TOKEN=$(npx fraudctl token --user kim --partner kr-demo-bank --role analyst | tail -1)`;

/** "8h", "30m", "2d", "90s" or plain seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match) throw new Error(`--ttl "${text}" is not a duration such as 8h, 30m or 2d`);
  return Number(match[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
}

interface TokenOptions {
  user?: string;
  partner?: string;
  role?: string;
  ttl: string;
}

export function run(args: string[]): Promise<number> {
  const program = cliCommand(
    'token',
    'print a review API token for the local server (fraudctl serve) on the last line of stdout',
  )
    .option('--user <name>', 'the officer (required)')
    .option('--partner <id>', 'the partner bank the officer works for, or "*" (required)')
    .option('--role <role>', 'analyst or supervisor (required)')
    .option('--ttl <duration>', 'how long the token is valid: 8h, 30m, 2d or seconds', '8h')
    .addHelpText('after', DETAILS)
    .action(exits(token));
  return runCli(program, args);
}

async function token(options: TokenOptions, command: Command): Promise<number> {
  // Checked here rather than with requiredOption, so that one message names the missing option plainly.
  for (const option of ['user', 'partner', 'role'] as const)
    if (!options[option]) usageError(command, `--${option} is required`);
  const request = {
    username: options.user!,
    partnerId: options.partner!,
    role: options.role as OfficerRole,
    ttlSeconds: parseDuration(options.ttl),
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
