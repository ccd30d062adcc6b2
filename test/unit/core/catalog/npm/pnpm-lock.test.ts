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

  it('warns about malformed YAML and odd keys without throwing', () => {
    expect(parse("lockfileVersion: '9.0'\npackages:\n  a@1.0.0: {resolution: \n").warnings[0]).toMatch(/^is not a readable pnpm lockfile/);
    expect(parse("lockfileVersion: '9.0'\npackages:\n  weird-key: {}\n").warnings).toEqual(['package "weird-key" has no recognisable name and version and was skipped']);
    expect(parse('- just\n- a list\n').warnings).toEqual(['is not a pnpm lockfile mapping']);
  });
});
