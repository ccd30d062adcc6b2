import { describe, expect, it } from 'vitest';
import { parsePackageLock } from '../../../../../lambdas/core/catalog/npm/package-lock.ts';
import { parseText } from '../../../../support/npm-parse.ts';

const parse = (text: string) => parseText(parsePackageLock, 'srv/app/package-lock.json', text);

describe('package-lock.json', () => {
  it('reads v2/v3 packages keyed by install path, skipping the root, workspaces and links', () => {
    const lock = {
      lockfileVersion: 3,
      packages: {
        '': { name: 'app', version: '1.0.0' },
        'node_modules/@babel/code-frame': { version: '7.0.0' },
        'node_modules/send/node_modules/debug': { version: '2.6.9', dev: true },
        'node_modules/ws-a': { resolved: 'packages/ws-a', link: true },
        'packages/ws-a': { version: '0.1.0' },
        'node_modules/broken': 'nope',
      },
    };
    const { result, warnings } = parse(JSON.stringify(lock));
    expect(result).toEqual({
      kind: 'package-lock',
      directory: 'srv/app',
      packages: [
        { namespace: '@babel', name: 'code-frame', version: '7.0.0', installedAt: 'srv/app/node_modules/@babel/code-frame/package.json' },
        { name: 'debug', version: '2.6.9', dev: true, installedAt: 'srv/app/node_modules/send/node_modules/debug/package.json' },
      ],
    });
    expect(warnings).toEqual(['entry "node_modules/broken" is malformed and was skipped']);
  });

  it('reads the v1 dependencies tree, nested ones at nested paths, aliases by folder', () => {
    const lock = {
      lockfileVersion: 1,
      dependencies: {
        send: { version: '0.17.1', dependencies: { debug: { version: '2.6.9', dev: true } } },
        foo: { version: 'npm:bar@1.2.3' },
      },
    };
    expect(parse(JSON.stringify(lock)).result?.packages).toEqual([
      { name: 'send', version: '0.17.1', installedAt: 'srv/app/node_modules/send/package.json' },
      { name: 'debug', version: '2.6.9', dev: true, installedAt: 'srv/app/node_modules/send/node_modules/debug/package.json' },
      { name: 'foo', version: '1.2.3', installedAt: 'srv/app/node_modules/foo/package.json' },
    ]);
  });

  it('warns about malformed JSON without throwing', () => {
    const { result, warnings } = parse('{"lockfileVersion": 3, "packages": {');
    expect(result).toBeUndefined();
    expect(warnings).toHaveLength(1);
  });
});
