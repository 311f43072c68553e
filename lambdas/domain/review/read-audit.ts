import type { Officer } from './officer.ts';

/** Reads of flags, cases and networks are kept this long, apart from the data they read. */
export const READ_AUDIT_RETENTION_DAYS = 2 * 366;

/** One officer's read of review data: who, what and when. Names no account but by its pseudonym. */
export interface ReadAuditEntry {
  readonly at: string;
  readonly officer: Pick<Officer, 'id' | 'username' | 'role' | 'partnerId'>;
  /** The review route read, such as getFlag or caseNetwork. */
  readonly route: string;
  /** Its path parameters (partner and transfer id, or an account's pseudonym) and query. */
  readonly target: Readonly<Record<string, string>>;
}
