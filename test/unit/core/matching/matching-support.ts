import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdvisoryStore } from '../../../../lambdas/core/advisories/advisory-store.ts';
import type { OsvRecord } from '../../../../lambdas/core/advisories/osv-schema.ts';
import { osvRecordSchema } from '../../../../lambdas/core/advisories/osv-schema.ts';
import { StoreLookup } from '../../../../lambdas/core/advisories/store-lookup.ts';
import { matchImage } from '../../../../lambdas/core/matching/match-image.ts';
import type { Distro, Package, PackageType } from '../../../../lambdas/core/sbom/model.ts';
import { sampleImageSbom, samplePackage } from '../../../support/sample-findings.ts';

/** Every OSV record in a fixtures folder. */
export function recordsIn(dir: string): OsvRecord[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => osvRecordSchema.parse(JSON.parse(readFileSync(join(dir, file), 'utf8'))));
}

export function storeOf(records: readonly OsvRecord[]): AdvisoryStore {
  const store = new AdvisoryStore();
  for (const record of records) store.add(record);
  return store;
}

/** A package as a cataloger would report it; `source` for deb and apk. */
export function pkg(type: PackageType, name: string, version: string, source?: { name: string; version: string }): Package {
  const purl = `pkg:${type}/${encodeURIComponent(name)}@${encodeURIComponent(version)}`;
  const base = samplePackage({ id: `${purl}#${name}`, type, name, version, purl });
  const { source: _sampleSource, ...rest } = base;
  return source ? { ...rest, source } : rest;
}

export function distro(id: string, versionId?: string): Distro {
  return { id, ...(versionId !== undefined ? { versionId } : {}), source: '/etc/os-release' };
}

export async function match(records: readonly OsvRecord[], packages: readonly Package[], os?: Distro) {
  const sbom = sampleImageSbom(packages, os ? { distro: os } : {});
  const { distro: _drop, ...withoutDistro } = sbom;
  return matchImage(os ? sbom : withoutDistro, new StoreLookup(storeOf(records)));
}
