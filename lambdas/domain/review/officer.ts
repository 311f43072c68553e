import { PartnerIdSchema } from '../contract/transfer-event.ts';
import { ReviewRefusal } from './refusal.ts';

export const OFFICER_ROLES = ['analyst', 'supervisor'] as const;
export type OfficerRole = (typeof OFFICER_ROLES)[number];

/** The partner value of a task-force supervisor, who works the flags of every partner. */
export const ALL_PARTNERS = '*';

/** Group names, the same in the Cognito user pool and in local tokens. */
export const GROUPS = { analyst: 'analyst', supervisor: 'supervisor', taskforce: 'taskforce' } as const;

/** A signed-in compliance officer, as the review API knows them from their token. */
export interface Officer {
  readonly id: string;
  readonly username: string;
  readonly role: OfficerRole;
  /** The partner bank whose flags they work, or ALL_PARTNERS for the task force. */
  readonly partnerId: string;
}

/** What a verified token says about its holder, whichever issuer signed it. */
export interface Identity {
  readonly sub: string;
  readonly username: string;
  readonly groups: readonly string[];
  readonly partner?: string;
}

/**
 * Who the holder of a verified token is allowed to be. Membership of `taskforce` makes a supervisor
 * of every partner; everyone else is an analyst or supervisor of exactly one partner, and the partner
 * value "*" is refused for them so that a mistyped attribute never widens anyone's view.
 */
export function officerFromIdentity(identity: Identity): Officer {
  const base = { id: identity.sub, username: identity.username };
  if (identity.groups.includes(GROUPS.taskforce)) return { ...base, role: 'supervisor', partnerId: ALL_PARTNERS };
  const role: OfficerRole | undefined = identity.groups.includes(GROUPS.supervisor)
    ? 'supervisor'
    : identity.groups.includes(GROUPS.analyst)
      ? 'analyst'
      : undefined;
  if (!role) {
    throw new ReviewRefusal(
      'NO_ROLE',
      `user ${identity.username} is in none of the groups analyst, supervisor or taskforce`,
    );
  }
  if (identity.partner === ALL_PARTNERS) {
    throw new ReviewRefusal(
      'NO_ROLE',
      'the partner "*" (all partners) is reserved for task-force supervisors (group taskforce)',
    );
  }
  if (!identity.partner || !PartnerIdSchema.safeParse(identity.partner).success) {
    throw new ReviewRefusal(
      'NO_ROLE',
      `user ${identity.username} has no valid partner attribute (custom:partner), so no flags can be shown`,
    );
  }
  return { ...base, role, partnerId: identity.partner };
}

export function isTaskForce(officer: Pick<Officer, 'partnerId'>): boolean {
  return officer.partnerId === ALL_PARTNERS;
}

/** Officers see and act on their own partner's flags only; the task force sees all. */
export function canSeePartner(officer: Pick<Officer, 'partnerId'>, partnerId: string): boolean {
  return isTaskForce(officer) || officer.partnerId === partnerId;
}
