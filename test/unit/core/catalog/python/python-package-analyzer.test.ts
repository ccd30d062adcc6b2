import { describe, expect, it } from 'vitest';
import { globToRegex } from '../../../../../lambdas/core/catalog/path-matcher.ts';
import { readMetadataHeaders } from '../../../../../lambdas/core/catalog/python/core-metadata.ts';
import { normalizePypiName } from '../../../../../lambdas/core/catalog/python/pypi-name.ts';
import { parsePythonMetadata, PYTHON_PATTERNS } from '../../../../../lambdas/core/catalog/python/python-package-analyzer.ts';

function parse(text: string, path = 'usr/lib/python3/dist-packages/x.dist-info/METADATA') {
  const warnings: string[] = [];
  const result = parsePythonMetadata({ path, bytes: Buffer.from(text) }, { warn: (message) => warnings.push(message) });
  return { packages: result?.packages ?? [], warnings };
}

const wanted = (path: string) => PYTHON_PATTERNS.some((pattern) => globToRegex(pattern).test(path));

describe('python core metadata', () => {
  it('reads Name and Version and ignores header-like lines in the description', () => {
    const text = 'Metadata-Version: 2.1\r\nName: Jinja2\r\nVersion: 3.1.2\r\nSummary: A very fast\r\n  template engine\r\n\r\nName: not-this\r\nVersion: 9\r\n';
    expect(parse(text)).toEqual({ packages: [{ name: 'jinja2', version: '3.1.2', displayName: 'Jinja2' }], warnings: [] });
    expect(readMetadataHeaders(text).get('summary')).toBe('A very fast template engine');
  });

  it('keeps the first of repeated headers and stops at a line that is not a header', () => {
    expect(readMetadataHeaders('Name: a\nname: b\nnot a header\nVersion: 1\n')).toEqual(new Map([['name', 'a']]));
  });

  it('normalises names per PEP 503', () => {
    expect(['Jinja2', 'zope.interface', 'ruamel.yaml.clib', 'Foo__Bar-.baz'].map(normalizePypiName)).toEqual(['jinja2', 'zope-interface', 'ruamel-yaml-clib', 'foo-bar-baz']);
  });

  it('builds the purl from the normalised name', () => {
    expect(parse('Name: ruamel.yaml\nVersion: 0.17.21\n').packages).toEqual([{ name: 'ruamel-yaml', version: '0.17.21', displayName: 'ruamel.yaml' }]);
  });

  it('warns about metadata without a Version (or Name) and skips it without throwing', () => {
    expect(parse('Metadata-Version: 2.1\nName: broken\n\nVersion: 1.0\n')).toEqual({ packages: [], warnings: ['has no Version header; the distribution was skipped'] });
    expect(parse('\u0000\u0001garbage').warnings).toEqual(['has no Name and Version header; the distribution was skipped']);
    expect(parse('').warnings).toHaveLength(1);
  });

  it('reads METADATA only from a metadata directory, whatever the case of its suffix', () => {
    const text = 'Name: x\nVersion: 1\n';
    expect(parse(text, 'usr/lib/python3/dist-packages/X-1.Dist-Info/METADATA').packages).toHaveLength(1);
    expect(parse(text, 'usr/lib/python3/dist-packages/X-1.EGG-INFO/PKG-INFO').packages).toHaveLength(1);
    expect(parse(text, 'usr/lib/python3/dist-packages/x/METADATA')).toEqual({ packages: [], warnings: [] });
    expect(parse(text, 'usr/lib/python3/dist-packages/.dist-info/METADATA').packages).toEqual([]);
  });

  it.each([
    ['usr/lib/python3/dist-packages/Jinja2-3.1.2.egg-info/PKG-INFO', true],
    ['usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA', true],
    ['usr/lib/python3/dist-packages/six-1.16.0.egg-info', true],
    ['opt/venv/lib/python3.12/site-packages/requests-2.32.3.dist-info/METADATA', true],
    ['site-packages/attrs-23.1.0.dist-info/METADATA', true],
    ['usr/lib/python3/dist-packages/PyYAML-6.0.DIST-INFO/METADATA', true],
    ['usr/lib/python3/dist-packages/Legacy-1.0.EGG-INFO', true],
    ['usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/RECORD', false],
    ['usr/lib/python3/dist-packages/yaml/__init__.py', false],
    ['usr/share/doc/x.dist-info/METADATA', false],
    ['usr/lib/python3/dist-packages/pkg/vendored/x.dist-info/METADATA', false],
  ])('%s is wanted: %s', (path, expected) => {
    expect(wanted(path)).toBe(expected);
  });
});
