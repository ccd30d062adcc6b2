/**
 * One advisory measurement in a fresh process (bundled by advisory-bench.ts, so tsx plays no part),
 * printing its result as one JSON line. Peak RSS comes from the report-max-rss.mjs preload.
 *
 *   load DIR                          loadOsvDirectory(DIR) into an AdvisoryStore
 *   lookup SEED RECORDS PACKAGES N M  synthetic store, N lookups, then M lookups with isAffected
 */
import { AdvisoryStore } from '../../lambdas/core/advisories/advisory-store.ts';
import { isAffected, rangeSchemesFor, type RangeSchemes } from '../../lambdas/core/advisories/affected.ts';
import { loadOsvDirectory } from '../../lambdas/adapters/osv/load-osv-directory.ts';
import { schemeNamed } from '../../lambdas/core/versions/schemes.ts';
import type { VersionScheme } from '../../lambdas/core/versions/version-scheme.ts';
import { lookupStream, synthesizeOsv, SYNTH_ECOSYSTEMS, type SynthEcosystem } from './osv-synth.ts';

export interface LoadResult {
  readonly seconds: number;
  readonly seen: number;
  readonly loaded: number;
  readonly withdrawn: number;
  readonly malformed: number;
  readonly rssAfterMiB: number;
}

export interface LookupResult {
  readonly generateSeconds: number;
  readonly buildSeconds: number;
  readonly records: number;
  readonly packages: number;
  readonly rssAfterBuildMiB: number;
  readonly lookups: number;
  readonly lookupSeconds: number;
  readonly hitRate: number;
  readonly matches: number;
  readonly evalLookups: number;
  readonly evalSeconds: number;
  readonly evaluations: number;
  readonly affectedRate: number;
  readonly unreadable: number;
}

const SCHEME_OF: Readonly<Record<string, string>> = { npm: 'semver', PyPI: 'pep440', Go: 'go', Maven: 'maven', Debian: 'dpkg' };
const schemeFor = (ecosystem: string): VersionScheme | undefined => {
  const name = SCHEME_OF[ecosystem.split(':')[0]!];
  return name === undefined ? undefined : schemeNamed(name);
};
const rssMiB = (): number => process.memoryUsage().rss / 2 ** 20;

async function load(dir: string): Promise<LoadResult> {
  const store = new AdvisoryStore();
  const started = performance.now();
  const report = await loadOsvDirectory(dir, store);
  const seconds = (performance.now() - started) / 1000;
  return { seconds, seen: report.seen, ...store.counts, rssAfterMiB: rssMiB() };
}

function lookup(seed: number, recordCount: number, packageCount: number, lookups: number, evalLookups: number): LookupResult {
  let started = performance.now();
  const set = synthesizeOsv(seed, recordCount, packageCount);
  const generateSeconds = (performance.now() - started) / 1000;

  const store = new AdvisoryStore();
  started = performance.now();
  for (const record of set.records) store.add(record);
  const buildSeconds = (performance.now() - started) / 1000;
  // Before the lookup stream exists, so this is the records (held by the store) plus its index.
  const rssAfterBuildMiB = rssMiB();
  const stream = lookupStream(seed + 1, set.packages, Math.max(lookups, evalLookups), 0.7);

  let hits = 0;
  let matches = 0;
  started = performance.now();
  for (let i = 0; i < lookups; i++) {
    const { ecosystem, name } = stream[i]!;
    const found = store.lookup(ecosystem, name);
    matches += found.length;
    if (found.length > 0) hits++;
  }
  const lookupSeconds = (performance.now() - started) / 1000;

  const schemes = new Map<SynthEcosystem, RangeSchemes>(SYNTH_ECOSYSTEMS.map((e) => [e, rangeSchemesFor(e, schemeFor)]));
  let evaluations = 0;
  let affectedCount = 0;
  let unreadable = 0;
  started = performance.now();
  for (let i = 0; i < evalLookups; i++) {
    const { ecosystem, name, version } = stream[i]!;
    const rangeSchemes = schemes.get(ecosystem)!;
    for (const match of store.lookup(ecosystem, name)) {
      for (const entry of match.affected) {
        const verdict = isAffected(entry, version, rangeSchemes);
        evaluations++;
        if (verdict.affected) affectedCount++;
        unreadable += verdict.unreadable.length;
      }
    }
  }
  const evalSeconds = (performance.now() - started) / 1000;
  return {
    generateSeconds,
    buildSeconds,
    records: set.records.length,
    packages: set.packages.length,
    rssAfterBuildMiB,
    lookups,
    lookupSeconds,
    hitRate: hits / lookups,
    matches,
    evalLookups,
    evalSeconds,
    evaluations,
    affectedRate: evaluations ? affectedCount / evaluations : 0,
    unreadable,
  };
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'load' && args[0]) {
  process.stdout.write(`${JSON.stringify(await load(args[0]))}\n`);
} else if (mode === 'lookup' && args.length === 5) {
  const [seed, records, packages, lookups, evalLookups] = args.map(Number) as [number, number, number, number, number];
  process.stdout.write(`${JSON.stringify(lookup(seed, records, packages, lookups, evalLookups))}\n`);
} else {
  process.stderr.write('usage: advisory-worker load DIR | lookup SEED RECORDS PACKAGES LOOKUPS EVAL_LOOKUPS\n');
  process.exitCode = 2;
}
