import { describe, expect, it } from 'vitest';
import { collectFromDatabases, type PackageCataloger } from '../../../../lambdas/core/catalog/package-cataloger.ts';
import { layoutOf } from '../../../support/layout.ts';
import { scan } from '../../../support/scan.ts';

interface Line {
  readonly name: string;
  readonly dev: boolean;
}

/** A toy database, one `name [dev]` a line, whose package id ignores the file: two files, one package. */
const toyCataloger: PackageCataloger<Line[]> = {
  name: 'toy',
  version: 1,
  patterns: ['**/*.toy'],
  parse: (file) =>
    Buffer.from(file.bytes)
      .toString('utf8')
      .split('\n')
      .filter((text) => text !== '')
      .map((text) => ({ name: text.split(' ')[0]!, dev: text.endsWith(' dev') })),
  collect: (view, context) =>
    collectFromDatabases(view, context, {
      analyzer: 'toy',
      entries: (lines: Line[]) => lines,
      sameInstall: (a: Line, b: Line) => a.name === b.name,
      toPackage: (line, location) => ({ id: line.name, type: 'npm', name: line.name, version: '1', purl: `pkg:npm/${line.name}@1`, location, cataloger: 'toy', ...(line.dev ? { dev: true } : {}) }),
    }),
};

describe('collectFromDatabases', () => {
  it.each([
    ['the dev copy first', 'a dev\n', 'a\n'],
    ['the production copy first', 'a\n', 'a dev\n'],
  ])('keeps one package for one id, dev only if every copy is dev (%s)', async (_order, first, second) => {
    const image = layoutOf([{ entries: [{ type: 'file', path: 'a.toy', content: first }, { type: 'file', path: 'b.toy', content: second }, { type: 'file', path: 'c.toy', content: 'b dev\n' }] }]);
    const [sbom] = (await scan(`oci:${image}`, { catalogers: [toyCataloger as PackageCataloger] })).images;
    expect(sbom!.packages.map((pkg) => [pkg.id, pkg.location.path, pkg.dev ?? false])).toEqual([
      ['a', 'a.toy', false],
      ['b', 'c.toy', true],
    ]);
  });
});
