import type { LanguageRecord } from '../language-package.ts';

/** One npm package as a manifest or lockfile records it. */
export interface NpmRecord extends LanguageRecord {
  /** Where a package-lock says the package sits (`app/node_modules/a/package.json`), to drop it when that copy is installed. */
  readonly installedAt?: string;
}

/** A yarn.lock entry: its record plus the descriptors it answers and requires, for deciding dev-only later. */
export interface YarnRecord extends NpmRecord {
  /** `name@range` descriptors this entry resolves (`npm:` protocol stripped). */
  readonly descriptors: readonly string[];
  /** `name@range` descriptors of its dependencies, optional ones included. */
  readonly requires: readonly string[];
}

/** What the npm analyzer keeps from one file; every kind has `packages` so it reads as a LanguageFile. */
export type NpmFile =
  | { readonly kind: 'installed'; readonly packages: readonly NpmRecord[] }
  | { readonly kind: 'package-lock'; readonly directory: string; readonly packages: readonly NpmRecord[] }
  | { readonly kind: 'yarn-lock'; readonly directory: string; readonly packages: readonly YarnRecord[] }
  | { readonly kind: 'pnpm-lock'; readonly directory: string; readonly packages: readonly NpmRecord[] }
  | ({ readonly kind: 'manifest'; readonly packages: readonly NpmRecord[] } & AppDependencies);

/** An application's direct dependencies as its package.json declares them (name → range). */
export interface AppDependencies {
  readonly dependencies: Readonly<Record<string, string>>;
  readonly devDependencies: Readonly<Record<string, string>>;
}
