/**
 * Outside lists often give days, not instants ("2026-10-03"). A day becomes the instant its start has
 * in a stated time zone, written with that zone's offset, so a listing made in Seoul starts at
 * midnight in Seoul and stays readable as such.
 */
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isDateOnly(value: string): boolean {
  return DATE_ONLY.test(value);
}

/** True for an IANA time zone name this runtime knows, such as Asia/Seoul or UTC. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * The start of a calendar day in a time zone, as an ISO 8601 date-time with offset
 * ("2026-10-03" in Asia/Seoul is "2026-10-03T00:00:00+09:00"); undefined for a day that does not exist.
 */
export function startOfDay(date: string, timeZone: string): string | undefined {
  const match = DATE_ONLY.exec(date);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const midnightAsUtc = Date.UTC(year, month - 1, day);
  const check = new Date(midnightAsUtc);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day)
    return undefined;
  // The zone's offset at that midnight: a first guess from the offset at the same wall-clock time in
  // UTC, corrected once, which settles unless midnight itself falls in a daylight-saving jump.
  const guess = offsetMinutes(midnightAsUtc, timeZone);
  const offset = offsetMinutes(midnightAsUtc - guess * 60_000, timeZone);
  return `${date}T00:00:00${formatOffset(offset)}`;
}

function offsetMinutes(instant: number, timeZone: string): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(new Date(instant))
    .find((part) => part.type === 'timeZoneName')?.value;
  const match = /^GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
  if (!match) return 0; // "GMT": the zone is at UTC
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

function formatOffset(minutes: number): string {
  if (minutes === 0) return 'Z';
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
