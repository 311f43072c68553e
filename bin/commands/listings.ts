import { cliCommand, exits, runCli } from './cli.ts';
import { type ApiOptions, apiOptions, printJson, reviewApiClient } from './review-api-client.ts';

interface ListingEventJson {
  at: string;
  actorName: string;
  role: string;
  actorPartnerId: string;
  action: string;
  reason: string;
  toStatus: string;
}

interface ListingJson {
  source: string;
  accountKey: string;
  party: string;
  status: string;
  version: number;
  flag: { partnerId: string; transferId: string };
  proposedAt: string;
  expiresAt: string;
  appeal?: { filedAt: string; filedByName: string; filedByPartnerId: string; reason: string };
  history: ListingEventJson[];
  choices?: Record<string, { allowed: boolean; reason?: string }>;
}

/** One subcommand per step of a listing's lifecycle: its API action and what it does, for --help. */
const STEPS = {
  approve: ['APPROVE', 'second officer (a supervisor who did not confirm it): share the listing with every bank'],
  reject: ['REJECT', 'second officer: do not share the listing, and lift the hold at the confirming bank'],
  appeal: ['APPEAL', "file an appeal on the account holder's behalf; the listing stays until it is settled"],
  'dismiss-appeal': ['DISMISS_APPEAL', 'supervisor other than its filer: settle the open appeal, keeping the listing'],
  delist: [
    'DELIST',
    "supervisor: remove the listing (grants an open appeal); the account's next transfer is screened without it",
  ],
} as const;

const DETAILS = `
A fraud confirmation holds the account at the confirming bank only (status HELD_AT_OWN_BANK); a second
supervisor shares it with every bank (SHARED) or rejects it (REJECTED). A listing in effect can be
appealed and delisted (DELISTED). Every step needs a reason and is kept on the listing's trail.
example: fraudctl listings approve kr-demo-bank/3q2sJ0mD4u6W1Xk9PzYb7Q --reason "read the call log" --expected-version 1`;

interface ListingsOptions extends ApiOptions {
  account?: string;
  status?: string;
  partner?: string;
  limit: string;
  reason?: string;
  expectedVersion?: string;
}

export function run(args: string[]): Promise<number> {
  const listings = cliCommand(
    'listings',
    'confirmed fraud listings through the review API: the second officer, appeals and delisting',
  ).addHelpText('after', DETAILS);
  const list = listings
    .command('list')
    .description('listings of your bank (the task force: every bank), newest first')
    .option('--status <status>', 'only HELD_AT_OWN_BANK, SHARED, REJECTED or DELISTED')
    .option('--partner <id>', 'task force: only this bank')
    .option('--limit <n>', 'at most this many', '50')
    .action(exits((options: ListingsOptions) => listListings(options)));
  const show = listings
    .command('show')
    .description('a listing with its trail (who did what, when and why) and what you may do to it')
    .argument('<listing>', LISTING_ARGUMENT)
    .action(exits((listing: string, options: ListingsOptions) => showListing(listing, options)));
  const steps = Object.entries(STEPS).map(([name, [action, description]]) =>
    listings
      .command(name)
      .description(description)
      .argument('<listing>', LISTING_ARGUMENT)
      .requiredOption('--reason <text>', 'why, 1 to 1000 characters (kept on the trail; no account numbers)')
      .requiredOption('--expected-version <n>', 'the listing version you decided on (fraudctl listings show prints it)')
      .action(exits((listing: string, options: ListingsOptions) => actOnListing(action, listing, options))),
  );
  const appealAccount = listings
    .command('appeal-account')
    .description("the account holder's bank: appeal every shared listing of your customer's account")
    .requiredOption('--account <id>', "your customer's account number (used to find the listing, never stored)")
    .requiredOption('--reason <text>', 'why the listing is wrong, 1 to 1000 characters')
    .action(exits((options: ListingsOptions) => appealAccountListings(options)));
  for (const command of [list, show, ...steps, appealAccount])
    for (const option of apiOptions()) command.addOption(option);
  return runCli(listings, args);
}

// One argument, not two: a pseudonym may begin with "-", which would read as an option on its own.
const LISTING_ARGUMENT =
  'the confirming bank and the account pseudonym, SOURCE/ACCOUNT_KEY as fraudctl listings list prints it';

function listingPath(listing: string): string {
  const slash = listing.indexOf('/');
  if (slash < 1)
    throw new Error(
      `"${listing}" is not a listing: give SOURCE/ACCOUNT_KEY, such as kr-demo-bank/3q2sJ0mD4u6W1Xk9PzYb7Q`,
    );
  return `/listings/${encodeURIComponent(listing.slice(0, slash))}/${encodeURIComponent(listing.slice(slash + 1))}`;
}

async function listListings(options: ListingsOptions): Promise<number> {
  const query = new URLSearchParams({ limit: options.limit });
  if (options.status) query.set('status', options.status);
  if (options.partner) query.set('partnerId', options.partner);
  const page = (await reviewApiClient('listings', options)(`/listings?${query}`)) as
    | { items: ListingJson[] }
    | undefined;
  if (!page) return 1;
  if (options.json) return printJson(page);
  if (!page.items.length) process.stdout.write('no listing\n');
  for (const l of page.items)
    process.stdout.write(
      `${l.source}/${l.accountKey}  ${l.status.padEnd(16)}  v${l.version}  ${l.party.padEnd(8)}  proposed ${l.proposedAt}${l.appeal ? '  APPEALED' : ''}\n`,
    );
  return 0;
}

async function showListing(id: string, options: ListingsOptions): Promise<number> {
  const listing = (await reviewApiClient('listings', options)(listingPath(id))) as ListingJson | undefined;
  if (!listing) return 1;
  if (options.json) return printJson(listing);
  describe(listing);
  return 0;
}

async function actOnListing(action: string, id: string, options: ListingsOptions): Promise<number> {
  const expectedVersion = Number(options.expectedVersion);
  const listing = (await reviewApiClient('listings', options)(`${listingPath(id)}/actions`, {
    method: 'POST',
    body: JSON.stringify({ action, reason: options.reason, expectedVersion }),
  })) as ListingJson | undefined;
  if (!listing) return 1;
  if (options.json) return printJson(listing);
  process.stdout.write(
    `listing ${listing.source}/${listing.accountKey} is now ${listing.status}, version ${listing.version}\n`,
  );
  return 0;
}

async function appealAccountListings(options: ListingsOptions): Promise<number> {
  const result = (await reviewApiClient('listings', options)('/listings/appeals', {
    method: 'POST',
    body: JSON.stringify({ accountId: options.account, reason: options.reason }),
  })) as { appealed: Array<{ source: string; status: string }>; alreadyAppealed: string[] } | undefined;
  if (!result) return 1;
  if (options.json) return printJson(result);
  for (const listing of result.appealed)
    process.stdout.write(`appealed the listing by ${listing.source} (${listing.status}); its supervisors settle it\n`);
  for (const source of result.alreadyAppealed)
    process.stdout.write(`the listing by ${source} already has an open appeal\n`);
  return 0;
}

function describe(listing: ListingJson): void {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out(
    `listing of account ${listing.accountKey} (pseudonym) by ${listing.source}  ${listing.status}  version ${listing.version}`,
  );
  out(
    `  the ${listing.party} of ${listing.flag.partnerId}/${listing.flag.transferId}; proposed ${listing.proposedAt}, expires ${listing.expiresAt}`,
  );
  if (listing.appeal)
    out(
      `  open appeal by ${listing.appeal.filedByName} (${listing.appeal.filedByPartnerId}) at ${listing.appeal.filedAt}: ${listing.appeal.reason}`,
    );
  out('trail:');
  for (const e of listing.history)
    out(
      `  ${e.at}  ${e.actorName} (${e.role}, ${e.actorPartnerId})  ${e.action.padEnd(14)} -> ${e.toStatus}: ${e.reason}`,
    );
  out('you may:');
  for (const [action, choice] of Object.entries(listing.choices ?? {}))
    out(`  ${action.padEnd(14)} ${choice.allowed ? 'yes' : `no: ${choice.reason}`}`);
}
