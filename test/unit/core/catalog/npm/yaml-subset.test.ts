import { describe, expect, it } from 'vitest';
import { parseYaml, YamlError } from '../../../../../lambdas/core/catalog/npm/yaml-subset.ts';

describe('YAML subset', () => {
  it('reads nested mappings, quoted keys, flow collections and sequences, keeping scalars as text', () => {
    const text = [
      '# comment',
      "lockfileVersion: '9.0'",
      'settings:',
      '  autoInstallPeers: true # trailing comment',
      'packages:',
      "  '@babel/code-frame@7.0.0':",
      '    resolution: {integrity: sha512-Ab+/==, tarball: "https://x/y.tgz"}',
      '    cpu: [x64, arm64]',
      '    os:',
      '      - linux',
      '      - name: darwin',
      '        arch: arm64',
      '  "say \\"hi\\"": \'it\'\'s\'',
      'empty:',
      'text: |',
      '  line one',
      '  line two',
    ].join('\n');
    expect(parseYaml(text)).toEqual({
      lockfileVersion: '9.0',
      settings: { autoInstallPeers: 'true' },
      packages: {
        '@babel/code-frame@7.0.0': { resolution: { integrity: 'sha512-Ab+/==', tarball: 'https://x/y.tgz' }, cpu: ['x64', 'arm64'], os: ['linux', { name: 'darwin', arch: 'arm64' }] },
        'say "hi"': "it's",
      },
      empty: null,
      text: 'line one\nline two\n',
    });
  });

  it('keeps __proto__ as an ordinary key', () => {
    const value = parseYaml('__proto__:\n  polluted: yes\n') as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['bad indentation', 'a:\n    b: 1\n  c: 2\n'],
    ['unclosed flow', 'a: {b: c\n'],
    ['not a mapping entry', 'a: 1\njust text\n'],
    ['anchors', 'a: &x 1\n'],
    ['tabs', 'a:\n\tb: 1\n'],
    ['hostile nesting', Array.from({ length: 100 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')],
  ])('rejects %s with a YamlError', (_name, text) => {
    expect(() => parseYaml(text)).toThrow(YamlError);
  });
});
