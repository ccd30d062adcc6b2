import { z } from 'zod';

/** The failsafe YAML schema reads an empty value (`ms@2.1.2:`) as '', which in a lockfile means an empty mapping. */
const emptyAsMap = (value: unknown): unknown => (value === '' ? {} : value);

const map = z.record(z.string(), z.unknown());
const section = z.preprocess(emptyAsMap, map).optional();

/** One pnpm-lock.yaml document; scalars are strings (see readLockfileYaml). */
export const pnpmDocument = z.looseObject({
  lockfileVersion: z.string().optional(),
  importers: section,
  packages: section,
  snapshots: section,
});
export type PnpmDocument = z.infer<typeof pnpmDocument>;

/** v6+ importers wrap each resolution as `{specifier, version}`; v5 wrote the version alone. */
const importerDependency = z.union([z.string(), z.looseObject({ version: z.string() }).transform((value) => value.version)]);
const dependencies = z.preprocess(emptyAsMap, z.record(z.string(), importerDependency)).optional();

export const pnpmImporter = z.preprocess(
  emptyAsMap,
  z.looseObject({
    dependencies,
    devDependencies: dependencies,
    optionalDependencies: dependencies,
    // pnpm's own tools, written to a separate document before the project's (see pnpm-documents.ts).
    configDependencies: section,
    packageManagerDependencies: section,
  }),
);
export type PnpmImporter = z.infer<typeof pnpmImporter>;

export const pnpmPackage = z.preprocess(
  emptyAsMap,
  z.looseObject({
    name: z.string().optional(),
    version: z.string().optional(),
    dev: z.string().optional(),
  }),
);

const snapshotDependencies = z.preprocess(emptyAsMap, z.record(z.string(), z.string())).optional();

export const pnpmSnapshot = z.preprocess(emptyAsMap, z.looseObject({ dependencies: snapshotDependencies, optionalDependencies: snapshotDependencies }));
export type PnpmSnapshot = z.infer<typeof pnpmSnapshot>;
