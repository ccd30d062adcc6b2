import { describe, expect, it } from 'vitest';
import { readLockfileYaml } from '../../../../../lambdas/core/catalog/npm/lockfile-yaml.ts';

/** Nine anchors each repeating the previous nine times: 9^9 strings once expanded. */
const BILLION_LAUGHS = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
  .concat(Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`))
  .join('\n');

const problem = (text: string): string | undefined => {
  const read = readLockfileYaml(text);
  return 'problem' in read ? read.problem : undefined;
};

describe('lockfile YAML', () => {
  it('keeps every scalar as text and reads flow collections, quoting and block scalars', () => {
    const text = "lockfileVersion: '9.0'\nversion: 1.10\ndev: true\nempty:\nlist: [x64, 'arm64']\nmap: {integrity: sha512-Ab+/==}\ntext: |\n  one\n";
    expect(readLockfileYaml(text)).toEqual({ documents: [{ lockfileVersion: '9.0', version: '1.10', dev: 'true', empty: '', list: ['x64', 'arm64'], map: { integrity: 'sha512-Ab+/==' }, text: 'one\n' }] });
  });

  it('returns each document of a stream, and none for an empty file', () => {
    expect(readLockfileYaml('---\na: 1\n---\nb: 2\n')).toEqual({ documents: [{ a: '1' }, { b: '2' }] });
    expect(readLockfileYaml('')).toEqual({ documents: [] });
  });

  it('keeps __proto__ as an ordinary key without touching Object.prototype', () => {
    const read = readLockfileYaml('__proto__:\n  polluted: yes\n');
    expect('documents' in read && Object.keys(read.documents[0] as object)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['duplicate keys', 'a: 1\na: 2\n', /"a" appears twice/],
    ['duplicate keys deeper down', 'a:\n  - b: {c: 1, c: 2}\n', /"c" appears twice/],
    ['a key that is not text', '? [a, b]\n: c\n', /not plain text/],
    ['any alias, so no expansion bomb', 'a: &x 1\nb: *x\n', /alias/i],
    ['a billion laughs', BILLION_LAUGHS, /alias/i],
    ['deep flow nesting', `a: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`, /nest 20000 deep/],
    ['deep block nesting', Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}k:`).join('\n'), /indented 299 columns/],
    ['nested sequences on one line', `${'- '.repeat(200)}x\n`, /indented 400 columns/],
    ['language tags', 'a: !!js/function "x"\n', /tag/i],
    ['bad indentation', 'a:\n    b: 1\n  c: 2\n', /./],
    ['unclosed flow', 'a: {b: c\n', /./],
  ])('refuses %s with a problem, not an exception', (_name, text, message) => {
    expect(problem(text)).toMatch(message);
  });

  it('does not count brackets inside quoted strings as nesting', () => {
    expect(problem(`a: "${'['.repeat(100)}"\nb: '${'{'.repeat(100)}'\n`)).toBeUndefined();
  });
});
