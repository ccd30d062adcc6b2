import { describe, expect, it } from 'vitest';
import { parseDepsJson } from '../../../../../lambdas/core/catalog/dotnet/deps-json-analyzer.ts';
import { SELF_CONTAINED_DEPS, WEBAPP_DEPS } from '../../../../support/dotnet-deps-fixtures.ts';

function parse(text: string) {
  const warnings: string[] = [];
  const result = parseDepsJson({ path: 'app/WebApp.deps.json', bytes: Buffer.from(text) }, { warn: (message) => warnings.push(message) });
  return { packages: result?.packages ?? [], warnings };
}

describe('.deps.json', () => {
  // The self-contained fixture follows the SDK's documented deps.json format (see dotnet-deps-fixtures.ts).
  it.each([
    ['the package libraries, leaving out projects and references', WEBAPP_DEPS, ['Newtonsoft.Json@13.0.3', 'Serilog.AspNetCore@8.0.1', 'Serilog@3.1.1']],
    [
      'a self-contained app’s runtime packs under their NuGet ids, without the runtimepack. prefix',
      SELF_CONTAINED_DEPS,
      ['Microsoft.NETCore.App.Runtime.linux-x64@8.0.8', 'Microsoft.AspNetCore.App.Runtime.linux-x64@8.0.8', 'Newtonsoft.Json@13.0.3'],
    ],
  ])('lists %s', (_, text, expected) => {
    const { packages, warnings } = parse(text);
    expect(packages.map((pkg) => `${pkg.name}@${pkg.version}`)).toEqual(expected);
    expect(warnings).toEqual([]);
  });

  it('warns about a runtime pack keyed without a name', () => {
    const text = JSON.stringify({ libraries: { 'runtimepack./8.0.8': { type: 'runtimepack' }, 'runtimepack.X/': { type: 'runtimepack' } } });
    expect(parse(text)).toEqual({
      packages: [],
      warnings: ['library "runtimepack./8.0.8" is not keyed Name/Version and was skipped', 'library "runtimepack.X/" is not keyed Name/Version and was skipped'],
    });
  });

  it('reads a file that starts with a byte-order mark', () => {
    expect(parse(`\uFEFF${WEBAPP_DEPS}`).packages).toHaveLength(3);
  });

  it('warns about bad JSON without throwing', () => {
    const { packages, warnings } = parse('{"libraries": {"A/1.0": {"type": "package"}');
    expect(packages).toEqual([]);
    expect(warnings[0]).toMatch(/^is not valid JSON/);
  });

  it('warns about a libraries value of the wrong shape', () => {
    expect(parse('{"libraries": []}').warnings).toEqual(['is not a .deps.json document (no "libraries" object); nothing was read']);
  });

  it('skips malformed libraries with a warning and keeps their neighbours', () => {
    const text = JSON.stringify({ libraries: { 'A/1.0': { type: 'package' }, 'B/2.0': 'junk', NoVersion: { type: 'package' }, 'C/3.0': { type: 'package' } } });
    const { packages, warnings } = parse(text);
    expect(packages.map((pkg) => `${pkg.name}@${pkg.version}`)).toEqual(['A@1.0', 'C@3.0']);
    expect(warnings).toEqual(['library "B/2.0" has no type and was skipped', 'library "NoVersion" is not keyed Name/Version and was skipped']);
  });
});
