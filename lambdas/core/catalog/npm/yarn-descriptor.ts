import { descriptorName, isValidPackageName, normalizeDescriptor } from './npm-path.ts';

/** One `name@range` key of a yarn.lock entry, read as what it installs and under which name. */
export interface YarnDescriptor {
  /** The name it is installed under: the alias in `string-width-cjs@npm:string-width@^4.2.0`. */
  readonly installName: string;
  /** The package it resolves to: `string-width` there, otherwise the install name. */
  readonly realName: string;
  /** Normalised as package.json and other entries' requirements spell it (see normalizeDescriptor). */
  readonly descriptor: string;
}

export function readDescriptor(key: string): YarnDescriptor {
  const installName = descriptorName(key);
  // berry ties relative protocols (file:, portal:) to the workspace asking: `x@file:dir::locator=app%40workspace%3A.`.
  const range = key.slice(installName.length + 1).replace(/::locator=.*$/, '');
  const target = range.startsWith('npm:') ? range.slice(4) : '';
  const aliased = descriptorName(target) !== target && isValidPackageName(descriptorName(target));
  return { installName, realName: aliased ? descriptorName(target) : installName, descriptor: normalizeDescriptor(installName, range) };
}

/** The alias an entry is installed under, when every one of its descriptors uses the same name other than its own. */
export function aliasOf(descriptors: readonly YarnDescriptor[], realName: string): string | undefined {
  const names = new Set(descriptors.map((descriptor) => descriptor.installName));
  const [only] = names;
  return names.size === 1 && only !== realName ? only : undefined;
}
