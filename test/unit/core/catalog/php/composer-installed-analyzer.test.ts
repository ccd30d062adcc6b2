import { describe, expect, it } from 'vitest';
import { parseComposerInstalled } from '../../../../../lambdas/core/catalog/php/composer-installed-analyzer.ts';
import { INSTALLED_V1, INSTALLED_V2 } from '../../../../support/php-composer-fixtures.ts';

function parse(text: string) {
  const warnings: string[] = [];
  const result = parseComposerInstalled({ path: 'app/vendor/composer/installed.json', bytes: Buffer.from(text) }, { warn: (message) => warnings.push(message) });
  return { packages: result?.packages ?? [], warnings };
}

describe('composer installed.json', () => {
  it('reads Composer 1 arrays, keeping the version as written', () => {
    const { packages, warnings } = parse(INSTALLED_V1);
    expect(warnings).toEqual([]);
    expect(packages[2]).toEqual({ namespace: 'symfony', name: 'polyfill-mbstring', version: 'v1.19.0' });
  });

  it('reads Composer 2 documents, marks dev packages and falls back to version_normalized', () => {
    const { packages, warnings } = parse(INSTALLED_V2);
    expect(warnings).toEqual([]);
    expect(packages).toContainEqual({ namespace: 'phpunit', name: 'phpunit', version: '10.5.10', dev: true });
    expect(packages).toContainEqual({ namespace: 'laravel', name: 'framework', version: '10.48.4.0' });
  });

  it('warns about bad JSON without throwing', () => {
    const { packages, warnings } = parse('{"packages": [');
    expect(packages).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^is not valid JSON/);
  });

  it('warns about a document of the wrong shape', () => {
    expect(parse('{"name": "x"}').warnings).toEqual(['is neither a Composer 1 package list nor a Composer 2 document with "packages"; nothing was read']);
  });

  it('skips entries without a name or version and keeps their neighbours', () => {
    const { packages, warnings } = parse(JSON.stringify({ packages: [{ name: 'a/ok', version: '1.0' }, { version: '2.0' }, 'junk', { name: 'b/nover' }, { name: 'c/ok', version: '3.0' }] }));
    expect(packages.map((pkg) => `${pkg.namespace}/${pkg.name}@${pkg.version}`)).toEqual(['a/ok@1.0', 'c/ok@3.0']);
    expect(warnings).toEqual(['package 1 has no name and was skipped', 'package 2 has no name and was skipped', 'package 3 (b/nover) has no version and was skipped']);
  });
});
