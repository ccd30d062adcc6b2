import type { IssueSink } from '../file-analyzer.ts';
import { isValidPackageName, splitName, type NpmIdentity } from './npm-path.ts';

/** Who a package is (its own name) and, when npm installed it under another folder name, that alias. */
export interface AliasedIdentity extends NpmIdentity {
  readonly alias?: string;
}

/**
 * The identity of a package installed in the folder `folderName` whose own manifest (or lockfile
 * entry) names it `declared`. An alias dependency (`"string-width-cjs": "npm:string-width@^4"`)
 * installs string-width in `string-width-cjs/`: the purl must name string-width, or its advisories
 * never match, so a valid declared name wins and the folder becomes the alias. A missing declared
 * name means "the folder's"; an invalid one is not trusted (warned) and the folder is used. When
 * neither is a package name, there is no identity.
 */
export function aliasedIdentity(folderName: string, declared: unknown, issues: IssueSink, where: string): AliasedIdentity | undefined {
  const folderValid = isValidPackageName(folderName);
  if (typeof declared === 'string' && declared !== folderName) {
    if (isValidPackageName(declared)) return { ...splitName(declared), ...(folderValid ? { alias: folderName } : {}) };
    issues.warn(`${where} names the invalid package name ${JSON.stringify(declared)}; ${folderValid ? `the folder name ${folderName} is used` : 'skipped'}`);
  } else if (declared !== undefined && typeof declared !== 'string') {
    issues.warn(`${where} has a non-string name; ${folderValid ? `the folder name ${folderName} is used` : 'skipped'}`);
  } else if (!folderValid) {
    issues.warn(`${where} is installed as ${JSON.stringify(folderName)}, which is not a package name; skipped`);
  }
  return folderValid ? splitName(folderName) : undefined;
}
