import { describe, expect, it } from 'vitest';
import { ancestorsOf, normalizeEntryPath, resolveSymlinkTarget } from '../../../../lambdas/core/image/image-path.ts';
import { whiteoutMeaning } from '../../../../lambdas/core/image/whiteout.ts';

describe('normalizeEntryPath', () => {
  it.each([
    ['./etc/os-release', 'etc/os-release'],
    ['/etc/os-release', 'etc/os-release'],
    ['etc//dpkg/./status', 'etc/dpkg/status'],
    ['usr/lib/../share/doc/', 'usr/share/doc'],
    ['./', ''],
    ['a/b/../../c', 'c'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeEntryPath(input)).toBe(expected);
  });

  it.each(['../etc/passwd', './../x', 'a/../../b', '/../../etc/shadow'])('refuses %s, which climbs above the root', (input) => {
    expect(() => normalizeEntryPath(input)).toThrow(expect.objectContaining({ code: 'unsafe', message: expect.stringContaining('escapes the image root') }));
  });
});

describe('resolveSymlinkTarget', () => {
  it.each([
    ['etc/os-release', '../usr/lib/os-release', 'usr/lib/os-release'],
    ['etc/os-release', '/usr/lib/os-release', 'usr/lib/os-release'],
    ['bin', 'usr/bin', 'usr/bin'],
    ['etc/alternatives/x', '../../../../../../etc/passwd', 'etc/passwd'],
    ['a/b/c', '/../../..', ''],
  ])('%s → %s resolves to %s inside the image', (link, target, expected) => {
    expect(resolveSymlinkTarget(link, target)).toBe(expected);
  });
});

describe('ancestorsOf', () => {
  it('lists proper ancestors from the root down', () => {
    expect([...ancestorsOf('var/lib/dpkg/status')]).toEqual(['var', 'var/lib', 'var/lib/dpkg']);
    expect([...ancestorsOf('file')]).toEqual([]);
  });
});

describe('whiteoutMeaning', () => {
  it.each([
    ['etc/.wh.passwd', { kind: 'delete', target: 'etc/passwd' }],
    ['.wh.etc', { kind: 'delete', target: 'etc' }],
    ['var/lib/dpkg/.wh..wh..opq', { kind: 'opaque', directory: 'var/lib/dpkg' }],
    ['.wh..wh..opq', { kind: 'opaque', directory: '' }],
    ['tmp/.wh..wh.plnk', { kind: 'ignore' }],
    ['etc/passwd', { kind: 'none' }],
    ['etc/.whatever', { kind: 'none' }],
  ])('%s', (path, meaning) => {
    expect(whiteoutMeaning(path)).toEqual(meaning);
  });
});
