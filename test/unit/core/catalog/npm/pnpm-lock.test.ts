import { describe, expect, it } from 'vitest';
import { parsePnpmLock } from '../../../../../lambdas/core/catalog/npm/pnpm-lock.ts';
import { parseText } from '../../../../support/npm-parse.ts';

const parse = (text: string) => parseText(parsePnpmLock, 'app/pnpm-lock.yaml', text);

describe('pnpm-lock.yaml', () => {
  it('reads v5 keys and dev flags', () => {
    const text = `lockfileVersion: 5.4

specifiers:
  debug: ^4.3.4

dependencies:
  debug: 4.3.4_supports-color@8.1.1

packages:

  /@babel/code-frame/7.0.0:
    resolution: {integrity: sha512-abc==}
    dev: true

  /debug/4.3.4_supports-color@8.1.1:
    resolution: {integrity: sha512-def==}
    engines: {node: '>=6.0'}
    peerDependenciesMeta:
      supports-color:
        optional: true
    dependencies:
      ms: 2.1.2
    dev: false
`;
    expect(parse(text).result?.packages).toEqual([
      { namespace: '@babel', name: 'code-frame', version: '7.0.0', dev: true },
      { name: 'debug', version: '4.3.4' },
    ]);
  });

  it('reads v6 keys, collapsing peer variants', () => {
    const text = `lockfileVersion: '6.0'

packages:

  /debug@4.3.4(supports-color@8.1.1):
    resolution: {integrity: sha512-def==}
    dev: true

  /debug@4.3.4:
    resolution: {integrity: sha512-def==}
    dev: false

  /tar-pkg@https://example.com/tar-pkg.tgz:
    resolution: {tarball: https://example.com/tar-pkg.tgz}
    name: tar-pkg
    version: 0.1.0
    dev: true
`;
    expect(parse(text).result?.packages).toEqual([
      { name: 'debug', version: '4.3.4' },
      { name: 'tar-pkg', version: '0.1.0', dev: true },
    ]);
  });

  it('works out dev-only in v9 from importers and snapshots', () => {
    const text = `lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      debug:
        specifier: ^4.3.4
        version: 4.3.4
    devDependencies:
      mocha:
        specifier: ^10.0.0
        version: 10.0.0

packages:

  debug@4.3.4:
    resolution: {integrity: sha512-a==}

  mocha@10.0.0:
    resolution: {integrity: sha512-b==}

  ms@2.1.2:
    resolution: {integrity: sha512-c==}

  glob@7.2.0:
    resolution: {integrity: sha512-d==}

snapshots:

  debug@4.3.4:
    dependencies:
      ms: 2.1.2

  mocha@10.0.0:
    dependencies:
      debug: 4.3.4
      glob: 7.2.0

  ms@2.1.2: {}

  glob@7.2.0: {}
`;
    expect(parse(text).result?.packages).toEqual([
      { name: 'debug', version: '4.3.4' },
      { name: 'mocha', version: '10.0.0', dev: true },
      { name: 'ms', version: '2.1.2' },
      { name: 'glob', version: '7.2.0', dev: true },
    ]);
  });

  // The shape pnpm 12 writes with configDependencies: a tooling document, then the project's.
  const TOOLING_THEN_PROJECT = `---
lockfileVersion: '9.0'

importers:

  .:
    configDependencies:
      is-positive:
        specifier: 3.1.0
        version: 3.1.0

packages:

  is-positive@3.1.0:
    resolution: {integrity: sha512-a==}

snapshots:

  is-positive@3.1.0: {}

---
lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      string-width-cjs:
        specifier: npm:string-width@^4.2.0
        version: string-width@4.2.3
    devDependencies:
      local-dir:
        specifier: file:local-dir
        version: file:local-dir
      tarpkg:
        specifier: file:vendor/tarpkg-1.0.0.tgz
        version: file:vendor/tarpkg-1.0.0.tgz

  packages/a:
    dependencies:
      b:
        specifier: workspace:*
        version: link:../b
    devDependencies:
      kleur:
        specifier: 4.1.5
        version: 4.1.5

  packages/b:
    dependencies:
      kleur:
        specifier: 4.1.5
        version: 4.1.5

packages:

  is-number@6.0.0:
    resolution: {integrity: sha512-b==}

  is-number@7.0.0:
    resolution: {integrity: sha512-c==}

  is-odd@3.0.1:
    resolution: {integrity: sha512-d==}

  kleur@4.1.5:
    resolution: {integrity: sha512-e==}

  local-dir@file:local-dir:
    resolution: {directory: local-dir, type: directory}

  string-width@4.2.3:
    resolution: {integrity: sha512-f==}

  tarpkg@file:vendor/tarpkg-1.0.0.tgz:
    resolution: {integrity: sha512-g==, tarball: file:vendor/tarpkg-1.0.0.tgz}
    version: 1.0.0

snapshots:

  is-number@6.0.0: {}

  is-number@7.0.0: {}

  is-odd@3.0.1:
    dependencies:
      is-number: 6.0.0

  kleur@4.1.5: {}

  local-dir@file:local-dir:
    dependencies:
      is-odd: 3.0.1

  string-width@4.2.3: {}

  tarpkg@file:vendor/tarpkg-1.0.0.tgz:
    dependencies:
      is-number: 7.0.0
`;

  it('reads the project document after the tooling one, following local tarballs, directories, aliases and every importer', () => {
    const { result, warnings } = parse(TOOLING_THEN_PROJECT);
    expect(warnings).toEqual([]);
    expect(result?.packages).toEqual([
      { name: 'is-number', version: '6.0.0', dev: true },
      { name: 'is-number', version: '7.0.0', dev: true },
      { name: 'is-odd', version: '3.0.1', dev: true },
      { name: 'kleur', version: '4.1.5' },
      { name: 'string-width', version: '4.2.3', alias: 'string-width-cjs' },
      { name: 'tarpkg', version: '1.0.0', dev: true },
    ]);
  });

  it('ignores the tooling document pnpm 11 writes for a devEngines.packageManager pin', () => {
    // Abridged from pnpm 11.28.6's output for `"devEngines": {"packageManager": {"name": "pnpm", "version": "11.28.6", "onFail": "download"}}`.
    const text = `---
lockfileVersion: '9.0'

importers:

  .:
    configDependencies: {}
    packageManagerDependencies:
      pnpm:
        specifier: 11.28.6
        version: 11.28.6

packages:

  pnpm@11.28.6:
    resolution: {integrity: sha512-a==}
    hasBin: true

snapshots:

  pnpm@11.28.6: {}

---
lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      ms:
        specifier: 2.1.3
        version: 2.1.3

packages:

  ms@2.1.3:
    resolution: {integrity: sha512-b==}

snapshots:

  ms@2.1.3: {}
`;
    expect(parse(text)).toEqual({ result: { kind: 'pnpm-lock', directory: 'app', packages: [{ name: 'ms', version: '2.1.3' }] }, warnings: [] });
  });

  it('drops keys that are not npm package names, saying why', () => {
    const { result, warnings } = parse("lockfileVersion: '9.0'\npackages:\n  node_modules/async@1.0.0: {}\n  ms@2.1.3: {}\n");
    expect(result?.packages).toEqual([{ name: 'ms', version: '2.1.3' }]);
    expect(warnings).toEqual(['package "node_modules/async@1.0.0" is named "node_modules/async", which is not an npm package name, and was skipped']);
  });

  it('warns about malformed entries and documents without throwing', () => {
    expect(parse("lockfileVersion: '9.0'\nimporters:\n  .: [x]\npackages:\n  ms@2.1.3: [x]\n").warnings).toEqual([
      'importer "." is not a mapping of dependencies and was ignored',
      'package "ms@2.1.3" is not a mapping and was skipped',
    ]);
    expect(parse("---\n- x\n---\nlockfileVersion: '9.0'\n").warnings).toEqual(['document 1 is not a pnpm lockfile mapping and was ignored']);
    expect(parse("lockfileVersion: '9.0'\n---\nlockfileVersion: '9.0'\n").warnings).toEqual(['has 2 project documents; only the last was read']);
  });

  it.each([
    ['an alias expansion bomb', "lockfileVersion: '9.0'\nx: &a [y, y, y, y, y, y, y, y]\npackages:\n  ms@2.1.3: {a: *a, b: *a}\n", /alias/i],
    ['deep nesting', `lockfileVersion: '9.0'\npackages: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, /nest 5000 deep/],
    ['a package listed twice', "lockfileVersion: '9.0'\npackages:\n  ms@2.1.3: {}\n  ms@2.1.3: {}\n", /"ms@2.1.3" appears twice/],
  ])('refuses %s with a warning', (_name, text, message) => {
    const { result, warnings } = parse(text);
    expect(result).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(message)]);
  });

  it('warns about malformed YAML and odd keys without throwing', () => {
    expect(parse("lockfileVersion: '9.0'\npackages:\n  a@1.0.0: {resolution: \n").warnings[0]).toMatch(/^is not a readable pnpm lockfile/);
    expect(parse("lockfileVersion: '9.0'\npackages:\n  weird-key: {}\n").warnings).toEqual(['package "weird-key" has no recognisable name and version and was skipped']);
    expect(parse('- just\n- a list\n').warnings).toEqual(['is not a pnpm lockfile mapping']);
  });
});
