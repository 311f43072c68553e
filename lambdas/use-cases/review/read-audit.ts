import type { Officer } from '#domain/review/officer.ts';
import { READ_AUDIT_RETENTION_DAYS, type ReadAuditEntry } from '#domain/review/read-audit.ts';
import type { ReadAuditStore } from './ports.ts';

export interface ReadAuditDependencies {
  readonly readAudit: ReadAuditStore;
  readonly clock: () => Date;
}

/**
 * Before review data is read: record who reads what, when. The data is served only once its read is
 * on record, so an audit store that cannot be written fails the read instead of leaving it untraced.
 */
export function createAuditRead(deps: ReadAuditDependencies) {
  return async function auditRead(
    officer: Officer,
    route: string,
    target: Readonly<Record<string, string>>,
  ): Promise<void> {
    const now = deps.clock();
    const entry: ReadAuditEntry = {
      at: now.toISOString(),
      officer: { id: officer.id, username: officer.username, role: officer.role, partnerId: officer.partnerId },
      route,
      target,
    };
    await deps.readAudit.record(entry, new Date(now.getTime() + READ_AUDIT_RETENTION_DAYS * 86_400_000));
  };
}
