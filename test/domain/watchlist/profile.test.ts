import { describe, expect, it } from 'vitest';
import {
  WATCHLIST_PROFILE_SCHEMA_FILE,
  mapValue,
  parseWatchlistProfile,
  renderWatchlistProfileSchema,
} from '#domain/watchlist/profile.ts';

describe('watchlist profile', () => {
  it(`the committed ${WATCHLIST_PROFILE_SCHEMA_FILE} is generated from the zod schema (refresh it with vitest -u)`, async () => {
    await expect(renderWatchlistProfileSchema()).toMatchFileSnapshot(
      `../../../lambdas/domain/watchlist/schemas/${WATCHLIST_PROFILE_SCHEMA_FILE}`,
    );
  });

  it('reads the documented example', () => {
    const parsed = parseWatchlistProfile(
      '{"columns": {"accountId": "acct_no"}, "values": {"category": {"scam-center": "SCAM_REPORTED", "mule": "SUSPECTED_MULE"}, "confidence": {"high": 90, "medium": 60, "low": 30}}, "timeZone": "Asia/Seoul"}',
    );
    expect(parsed).toMatchObject({ ok: true, profile: { columns: { accountId: 'acct_no' }, timeZone: 'Asia/Seoul' } });
  });

  it('refuses typos, values that are not ours and unknown time zones, naming each path', () => {
    const parsed = parseWatchlistProfile(
      JSON.stringify({
        colums: {},
        columns: { acountId: 'acct_no' },
        values: { category: { mule: 'MULE' }, confidence: { high: 900 } },
        timeZone: 'Asia/Atlantis',
      }),
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors).toEqual([
      'columns: Unrecognized key: "acountId"',
      expect.stringMatching(/^values\.category\.mule: Invalid option/),
      expect.stringMatching(/^values\.confidence\.high: Too big/),
      'timeZone: must be an IANA time zone name, such as Asia/Seoul or UTC',
      '(profile): Unrecognized key: "colums"',
    ]);
    expect(parseWatchlistProfile('{')).toMatchObject({ ok: false, errors: [expect.stringMatching(/^not JSON/)] });
  });

  it('maps outside values, accepts ours as they are, and marks the rest unmapped', () => {
    const profile = { values: { category: { mule: 'SUSPECTED_MULE' as const }, confidence: { high: 90 } } };
    expect(mapValue('category', 'mule', profile)).toBe('SUSPECTED_MULE');
    expect(mapValue('category', 'SUSPENDED', profile)).toBe('SUSPENDED');
    expect(mapValue('category', 'constructor', profile)).toBeUndefined();
    expect(mapValue('confidence', 'high', profile)).toBe(90);
    expect(mapValue('confidence', '100', undefined)).toBe(100);
    expect(mapValue('confidence', '101', undefined)).toBe(101);
    expect(mapValue('confidence', 'very high', undefined)).toBeUndefined();
    expect(mapValue('source', 'kr-kh-taskforce', undefined)).toBe('kr-kh-taskforce');
    expect(mapValue('source', 'KR Taskforce', undefined)).toBeUndefined();
  });
});
