import { readFileSync } from 'node:fs';
import { npmCataloger } from '../../../lambdas/core/catalog/npm/npm-cataloger.ts';
import type { PackageCataloger } from '../../../lambdas/core/catalog/package-cataloger.ts';
import type { Package } from '../../../lambdas/core/sbom/model.ts';
import type { TarInput } from '../../../tools/image-builder/tar-writer.ts';
import { layoutOf } from '../../support/layout.ts';
import type { ToolPackage } from '../../support/lockfile-scenario.ts';
import { scan } from '../../support/scan.ts';

/** name@version, dev and alias: what is compared with the package manager's own listing. */
const line = ({ name, version, dev, alias }: { name: string; version: string; dev?: boolean; alias?: string }) => `${name}@${version}${dev ? ' dev' : ''}${alias ? ` alias=${alias}` : ''}`;

export const toolLines = (packages: readonly ToolPackage[]): string[] => packages.map(line).sort();

/** Scans an image holding only the given files of an app (its manifests and lockfile) under app/. */
export async function scanLockfileOnly(dir: string, paths: readonly string[]): Promise<{ lines: string[]; packages: Package[]; warnings: string[] }> {
  const entries: TarInput[] = paths.map((path) => ({ type: 'file', path: `app/${path}`, content: readFileSync(`${dir}/${path}`) }));
  const [image] = (await scan(`oci:${layoutOf([{ entries }])}`, { catalogers: [npmCataloger as PackageCataloger] })).images;
  const packages = image!.packages.filter((pkg) => pkg.type === 'npm');
  return { lines: packages.map(line).sort(), packages, warnings: image!.warnings.filter((warning) => warning.startsWith('npm')) };
}
