import { describe, expect, it } from 'vitest';
import { accessFor, canAct, canRead, parseAccessRules, principalFromIam, readsEverything } from '../../../../lambdas/core/api/access-rules.ts';

const principal = (arn: string) => ({ arn, display: arn });
const session = (role: string, account = '111122223333') => principal(`arn:aws:sts::${account}:assumed-role/${role}/someone@example.com`);

describe('access rules', () => {
  const rules = parseAccessRules(
    JSON.stringify([
      { principal: 'arn:aws:iam::111122223333:role/security/auditor', read: [''] },
      { principal: 'arn:aws:iam::111122223333:role/team-a-ci', read: ['team-a/'], act: ['team-a/apps/'] },
      { principal: 'arn:aws:iam::111122223333:role/team-a-ci', read: ['shared/'] },
      { principal: 'arn:aws:iam::111122223333:role/deploy-*', read: ['prod/'] },
      { principal: 'arn:aws:iam::444455556666:user/alice', read: ['alice/'], act: ['alice/'] },
    ]),
  );

  it('matches an assumed-role session to its role, whatever the role path', () => {
    const access = accessFor(session('auditor'), rules);
    expect(access).toEqual({ read: [''], act: [] });
    expect(readsEverything(access)).toBe(true);
    expect(canRead(access, 'anything/at/all')).toBe(true);
    expect(canAct(access, 'anything/at/all')).toBe(false);
  });

  it('unions every matching rule, act prefixes readable too', () => {
    const access = accessFor(session('team-a-ci'), rules);
    expect(access.read).toEqual(['shared/', 'team-a/', 'team-a/apps/']);
    expect(access.act).toEqual(['team-a/apps/']);
    expect(canRead(access, 'team-a/lib')).toBe(true);
    expect(canRead(access, 'shared/base')).toBe(true);
    expect(canRead(access, 'team-b/app')).toBe(false);
    expect(canAct(access, 'team-a/apps/web')).toBe(true);
    expect(canAct(access, 'team-a/lib')).toBe(false);
    expect(readsEverything(access)).toBe(false);
  });

  it('does not match a role of the same name in another account', () => {
    expect(accessFor(session('team-a-ci', '999988887777'), rules)).toEqual({ read: [], act: [] });
  });

  it('matches a prefix rule ending in * against role sessions', () => {
    expect(accessFor(session('deploy-prod'), rules).read).toEqual(['prod/']);
    expect(accessFor(session('deployer'), rules).read).toEqual([]);
  });

  it('matches users by their exact ARN', () => {
    expect(accessFor(principal('arn:aws:iam::444455556666:user/alice'), rules).act).toEqual(['alice/']);
    expect(accessFor(principal('arn:aws:iam::444455556666:user/alicia'), rules).act).toEqual([]);
  });

  it('gives nothing to a principal no rule names', () => {
    const access = accessFor(session('stranger'), rules);
    expect(access).toEqual({ read: [], act: [] });
    expect(canRead(access, 'team-a/app')).toBe(false);
  });

  it('refuses malformed configuration naming where', () => {
    expect(() => parseAccessRules('not json')).toThrow(/not JSON/);
    expect(() => parseAccessRules(JSON.stringify([{ principal: 'x', read: 'team-a/' }]))).toThrow(/0\.read/);
    expect(() => parseAccessRules(JSON.stringify([{ principal: 'x', read: [], write: [] }]))).toThrow(/malformed/);
  });

  it('builds the caller from the IAM authorizer context', () => {
    expect(principalFromIam({ userArn: 'arn:aws:sts::111122223333:assumed-role/r/s', accountId: '111122223333' })).toEqual({
      arn: 'arn:aws:sts::111122223333:assumed-role/r/s',
      display: 'arn:aws:sts::111122223333:assumed-role/r/s',
      account: '111122223333',
    });
    expect(() => principalFromIam(undefined)).toThrow(/no IAM identity/);
  });
});
