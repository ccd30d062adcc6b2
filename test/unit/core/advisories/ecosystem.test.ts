import { describe, expect, it } from 'vitest';
import { ecosystemKey, normalizePackageName, parseEcosystem } from '../../../../lambdas/core/advisories/ecosystem.ts';

describe('parseEcosystem', () => {
  it.each([
    ['Debian:12', { base: 'Debian', release: '12' }],
    ['Ubuntu:22.04:LTS', { base: 'Ubuntu', release: '22.04', stream: '22.04:LTS' }],
    ['Ubuntu:Pro:18.04:LTS', { base: 'Ubuntu', release: '18.04', stream: 'Pro:18.04:LTS' }],
    ['Alpine:v3.20', { base: 'Alpine', release: 'v3.20' }],
    ['Red Hat:enterprise_linux:9::baseos', { base: 'Red Hat', release: '9', stream: 'enterprise_linux:9::baseos' }],
    ['Rocky Linux:9', { base: 'Rocky Linux', release: '9' }],
    ['AlmaLinux:9', { base: 'AlmaLinux', release: '9' }],
    ['SUSE:Linux Enterprise Server 15 SP5', { base: 'SUSE', release: 'Linux Enterprise Server 15 SP5' }],
    ['npm', { base: 'npm' }],
    ['PyPI', { base: 'PyPI' }],
    ['Go', { base: 'Go' }],
    ['Maven', { base: 'Maven' }],
    ['crates.io', { base: 'crates.io' }],
    ['RubyGems', { base: 'RubyGems' }],
    ['NuGet', { base: 'NuGet' }],
    ['Packagist', { base: 'Packagist' }],
    ['Wolfi', { base: 'Wolfi' }],
    ['Chainguard', { base: 'Chainguard' }],
  ])('%s', (input, expected) => {
    expect(parseEcosystem(input)).toEqual(expected);
  });

  it('keys by base and release only', () => {
    expect(ecosystemKey(parseEcosystem('Ubuntu:22.04:LTS'))).toBe('Ubuntu:22.04');
    expect(ecosystemKey(parseEcosystem('npm'))).toBe('npm');
  });

  it('normalises names the way each ecosystem compares them', () => {
    expect(normalizePackageName('PyPI', 'Zope.Interface__x')).toBe('zope-interface-x');
    expect(normalizePackageName('NuGet', 'Newtonsoft.Json')).toBe('newtonsoft.json');
    expect(normalizePackageName('npm', 'Foo')).toBe('Foo');
  });
});
