import { describe, expect, it } from 'vitest';
import { canSeePartner, officerFromIdentity } from '#domain/review/officer.ts';
import type { ReviewRefusal } from '#domain/review/refusal.ts';

const identity = { sub: 's-1', username: 'kim', groups: ['analyst'], partner: 'kr-demo-bank' };

describe('officers from token identities', () => {
  it('makes an analyst or supervisor of exactly the partner in the token', () => {
    expect(officerFromIdentity(identity)).toEqual({
      id: 's-1',
      username: 'kim',
      role: 'analyst',
      partnerId: 'kr-demo-bank',
    });
    expect(officerFromIdentity({ ...identity, groups: ['analyst', 'supervisor'] }).role).toBe('supervisor');
  });

  it('makes a member of taskforce a supervisor of every partner', () => {
    const officer = officerFromIdentity({ sub: 's-2', username: 'chan', groups: ['taskforce'] });
    expect(officer).toMatchObject({ role: 'supervisor', partnerId: '*' });
    expect(canSeePartner(officer, 'kh-demo-bank')).toBe(true);
  });

  it('refuses the all-partners value to anyone outside the task force', () => {
    expect(() => officerFromIdentity({ ...identity, groups: ['supervisor'], partner: '*' })).toThrow(
      /reserved for task-force supervisors/,
    );
  });

  it('refuses a token without a role group or without a valid partner', () => {
    const codeOf = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return (error as ReviewRefusal).code;
      }
    };
    expect(codeOf(() => officerFromIdentity({ ...identity, groups: [] }))).toBe('NO_ROLE');
    expect(codeOf(() => officerFromIdentity({ ...identity, partner: undefined }))).toBe('NO_ROLE');
    expect(codeOf(() => officerFromIdentity({ ...identity, partner: 'KR Bank' }))).toBe('NO_ROLE');
  });

  it('keeps an officer to their own partner', () => {
    expect(canSeePartner(officerFromIdentity(identity), 'kr-demo-bank')).toBe(true);
    expect(canSeePartner(officerFromIdentity(identity), 'kh-demo-bank')).toBe(false);
  });
});
