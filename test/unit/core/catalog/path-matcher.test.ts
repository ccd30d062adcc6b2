import { describe, expect, it } from 'vitest';
import type { FileAnalyzer } from '../../../../lambdas/core/catalog/file-analyzer.ts';
import { globToRegex, PathMatcher } from '../../../../lambdas/core/catalog/path-matcher.ts';

const analyzer = (name: string, patterns: string[]): FileAnalyzer => ({ name, version: 1, patterns, parse: () => undefined });

describe('PathMatcher', () => {
  const dpkg = analyzer('dpkg', ['var/lib/dpkg/status', 'var/lib/dpkg/status.d/*']);
  const release = analyzer('release', ['etc/os-release', 'usr/lib/os-release']);
  const deep = analyzer('deep', ['**/site-packages/*.dist-info/METADATA']);
  const matcher = new PathMatcher([dpkg, release, deep]);

  it('matches literal paths and globs, and nothing else', () => {
    expect(matcher.match('var/lib/dpkg/status')).toEqual([dpkg]);
    expect(matcher.match('var/lib/dpkg/status.d/libc6')).toEqual([dpkg]);
    expect(matcher.match('var/lib/dpkg/status.d/sub/libc6')).toEqual([]);
    expect(matcher.match('var/lib/dpkg/status-old')).toEqual([]);
    expect(matcher.match('etc/os-release')).toEqual([release]);
    expect(matcher.match('usr/lib/python3/site-packages/jinja2-3.1.dist-info/METADATA')).toEqual([deep]);
    expect(matcher.match('site-packages/x.dist-info/METADATA')).toEqual([deep]);
    expect(matcher.match('usr/bin/bash')).toEqual([]);
  });

  it('knows the directories on the way to wanted files', () => {
    for (const path of ['var', 'var/lib', 'var/lib/dpkg', 'var/lib/dpkg/status.d', 'etc', 'usr', 'usr/lib']) {
      expect(matcher.ancestorsOfInterest.has(path), path).toBe(true);
    }
    expect(matcher.ancestorsOfInterest.has('var/lib/dpkg/status')).toBe(false);
    expect(matcher.ancestorsOfInterest.has('opt')).toBe(false);
  });

  it('lists an analyzer once even when several of its patterns match', () => {
    const twice = analyzer('twice', ['etc/*', 'etc/os-*']);
    expect(new PathMatcher([twice]).match('etc/os-release')).toEqual([twice]);
  });
});

describe('globToRegex', () => {
  it('keeps * and ? inside one segment and lets ** cross segments', () => {
    expect(globToRegex('a/*/c').test('a/b/c')).toBe(true);
    expect(globToRegex('a/*/c').test('a/b/x/c')).toBe(false);
    expect(globToRegex('a/**/c').test('a/b/x/c')).toBe(true);
    expect(globToRegex('a/**/c').test('a/c')).toBe(true);
    expect(globToRegex('file?.txt').test('file1.txt')).toBe(true);
    expect(globToRegex('file?.txt').test('file/.txt')).toBe(false);
    expect(globToRegex('a.b').test('axb')).toBe(false);
  });
});

describe('PathMatcher name pre-filter', () => {
  it('decides exactly as the patterns alone would, for every default cataloger', async () => {
    const { defaultCatalogers, supportAnalyzers } = await import('../../../../lambdas/core/catalog/catalogers.ts');
    const analyzers = [...supportAnalyzers, ...defaultCatalogers];
    const matcher = new PathMatcher(analyzers);
    const paths = [
      'app/node_modules/@babel/core/package.json',
      'app/node_modules/a/node_modules/b/package.json',
      'usr/lib/python3/dist-packages/six-1.16.0.egg-info',
      'usr/lib/python3/dist-packages/x.egg/EGG-INFO/PKG-INFO',
      'srv/site-packages/y-1.dist-info/METADATA',
      'opt/app/lib/outer.war',
      'opt/app/lib/x.jar.sha1',
      'var/lib/gems/3.1.0/specifications/rack-2.2.6.gemspec',
      'srv/vendor/composer/installed.json',
      'srv/app.deps.json',
      'var/lib/dpkg/status.d/libc6',
      'usr/lib/sysimage/rpm/Packages.db',
      'etc/os-release',
      '.jar',
      'usr/bin/bash',
    ];
    let wanted = 0;
    for (const path of paths) {
      const naive = analyzers.filter((analyzer) => analyzer.patterns.some((pattern) => globToRegex(pattern).test(path)));
      expect(new Set(matcher.match(path)), path).toEqual(new Set(naive));
      if (naive.length > 0) wanted++;
    }
    expect(wanted).toBe(paths.length - 2); // every path but x.jar.sha1 and usr/bin/bash is wanted
  });
});
