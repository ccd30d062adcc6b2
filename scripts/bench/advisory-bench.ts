/**
 * The advisory part of `npm run bench`: loading the shared OSV corpus (a real mirror sample) and
 * looking packages up in a synthetic 100,000-record store, each in a fresh node process running a
 * bundle of advisory-worker.ts, so peak RSS is the store's and not the bench's or tsx's.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { sharedFixtures } from '../../test/support/paths.ts';
import type { LoadResult, LookupResult } from './advisory-worker.ts';
import { median, timeCommand } from './measure.ts';

const PRELOAD = fileURLToPath(new URL('./report-max-rss.mjs', import.meta.url));
const SEED = 20261128;
export const SYNTH = { records: 100_000, packages: 30_000, lookups: 1_000_000, evalLookups: 100_000 } as const;

interface Measured<T> {
  readonly result: T;
  readonly maxRssMiB: number;
}

async function runWorker<T>(bundle: string, scratch: string, args: readonly string[]): Promise<Measured<T>> {
  const rssFile = join(scratch, 'advisory-max-rss');
  await rm(rssFile, { force: true });
  const { stdout } = await timeCommand(process.execPath, ['--import', PRELOAD, bundle, ...args], { ...process.env, CUSTOMS_BENCH_RSS_FILE: rssFile });
  const maxRssKiB = Number(await readFile(rssFile, 'utf8'));
  if (!Number.isFinite(maxRssKiB) || maxRssKiB <= 0) throw new Error(`no peak RSS reported for advisory-worker ${args.join(' ')}`);
  return { result: JSON.parse(stdout) as T, maxRssMiB: maxRssKiB / 1024 };
}

/** The shared OSV corpus, or why it is missing (the bench skips what needs it, with that message). */
export function corpusDir(): string | { skipped: string } {
  try {
    const dir = sharedFixtures('osv-corpus');
    return existsSync(dir) ? dir : { skipped: `${dir} not found; set CUSTOMS_SHARED_FIXTURES` };
  } catch (error) {
    return { skipped: error instanceof Error ? error.message : String(error) };
  }
}

const fmt = (value: number, digits = 0): string => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function table(rows: ReadonlyArray<readonly [string, string]>, log: (line: string) => void): void {
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) log(`    ${label.padEnd(width)}  ${value}`);
}

export async function runAdvisoryBench(options: { runs: number; scratch: string; log: (line: string) => void }): Promise<void> {
  const { runs, scratch, log } = options;
  const bundle = join(scratch, 'advisory-worker.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('./advisory-worker.ts', import.meta.url))],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
  const corpus = corpusDir();
  if (typeof corpus !== 'string') log(`  osv-corpus: SKIPPED, ${corpus.skipped}`);
  const loads: Array<Measured<LoadResult>> = [];
  const lookups: Array<Measured<LookupResult>> = [];
  const synthArgs = [SEED, SYNTH.records, SYNTH.packages, SYNTH.lookups, SYNTH.evalLookups].map(String);
  for (let run = 0; run < runs; run++) {
    log(`advisories run ${run + 1} of ${runs}…`);
    if (typeof corpus === 'string') loads.push(await runWorker<LoadResult>(bundle, scratch, ['load', corpus]));
    lookups.push(await runWorker<LookupResult>(bundle, scratch, ['lookup', ...synthArgs]));
  }

  log('');
  log(`advisories (median of ${runs}):`);
  if (loads.length > 0) {
    const first = loads[0]!.result;
    const seconds = median(loads.map((m) => m.result.seconds));
    log(`  osv-corpus load (${typeof corpus === 'string' ? corpus : ''}):`);
    table(
      [
        ['files offered', fmt(first.seen)],
        ['loaded / withdrawn / malformed', `${fmt(first.loaded)} / ${fmt(first.withdrawn)} / ${fmt(first.malformed)}`],
        ['load s', fmt(seconds, 2)],
        ['records/s', fmt(first.seen / seconds)],
        ['RSS after load MiB', fmt(median(loads.map((m) => m.result.rssAfterMiB)))],
        ['peak RSS MiB (process)', fmt(median(loads.map((m) => m.maxRssMiB)))],
      ],
      log,
    );
  }
  const first = lookups[0]!.result;
  const lookupSeconds = median(lookups.map((m) => m.result.lookupSeconds));
  const evalSeconds = median(lookups.map((m) => m.result.evalSeconds));
  log(`  synthetic store (${fmt(first.records)} records, ${fmt(first.packages)} packages, seed ${SEED}):`);
  table(
    [
      ['generate s (not the store)', fmt(median(lookups.map((m) => m.result.generateSeconds)), 2)],
      ['build s (store.add)', fmt(median(lookups.map((m) => m.result.buildSeconds)), 2)],
      ['records/s added', fmt(first.records / median(lookups.map((m) => m.result.buildSeconds)))],
      ['RSS after build MiB', fmt(median(lookups.map((m) => m.result.rssAfterBuildMiB)))],
      ['peak RSS MiB (process)', fmt(median(lookups.map((m) => m.maxRssMiB)))],
      ['lookups', `${fmt(first.lookups)} (${fmt(first.hitRate * 100, 1)}% with a match, ${fmt(first.matches / first.lookups, 2)} records each)`],
      ['lookup s', fmt(lookupSeconds, 2)],
      ['lookups/s', fmt(first.lookups / lookupSeconds)],
      ['lookups + isAffected', `${fmt(first.evalLookups)} lookups, ${fmt(first.evaluations)} evaluations (${fmt(first.affectedRate * 100, 1)}% affected, ${first.unreadable} unreadable)`],
      ['lookup+isAffected s', fmt(evalSeconds, 2)],
      ['lookups/s with isAffected', fmt(first.evalLookups / evalSeconds)],
      ['isAffected evaluations/s', fmt(first.evaluations / evalSeconds)],
    ],
    log,
  );
}
