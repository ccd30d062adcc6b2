/**
 * `npm run bench`: times `customs sbom` (bundled like the Lambda) against the unavoidable work of
 * the same layers (hash, gunzip, hash, tar walk in coreutils) on generated 100 MiB and 1 GiB dpkg
 * images, a 24-layer image holding a real rpm database and a Debian image with a 20,500-package
 * node_modules, and prints the ratios, peak RSS and packages per second against the targets,
 * plus Node's own gunzip+hash floor, and each image's `customs scan` time against the shared OSV
 * corpus next to its SBOM-only time. A measurement, not a test: misses exit 0;
 * only a failure to run or a scan that misses the expected packages exits non-zero. The rpm image is
 * skipped, with a message, when the shared fixtures are missing. Then the advisory bench
 * (advisory-bench.ts): OSV corpus load, and lookups in a synthetic 100,000-record store. Then the
 * pipeline cost bench (pipeline/pipeline-bench.ts): the scanner handler on local stand-ins, its
 * requests counted, units computed, timed on one CPU and priced per first scan and repeated push.
 * Then the rescan bench (rescan/rescan-bench.ts): a stored fleet re-evaluated after an advisory
 * sync through the committed fan-out and rescan, its requests priced per rescanned image and its
 * wall time projected with the trigger's ramp-up and a new table's throughput.
 * Then the findings API bench (api/api-bench.ts): the API Lambda's handler on a seeded registry,
 * each read route and the cheap actions counted, timed warm and priced per 1,000 requests.
 * Then the start-up bench (startup-bench.ts): `customs --help` through bin/customs.mjs from the
 * bundle against the source. `--only images`, `--only advisories`, `--only pipeline`, `--only rescan`,
 * `--only api` or `--only startup` runs one part. `--only node-versions` (never part of a full run:
 * it downloads two Node builds) repeats the images part's scans on Node 22 and 24 (node-versions-bench.ts).
 */
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { corpusDir, runAdvisoryBench } from './advisory-bench.ts';
import { BenchDir } from './bench-dir.ts';
import { BENCH_IMAGES, FIXTURE_VERSION } from './bench-images.ts';
import { timeBaseline } from './baseline.ts';
import { ensureBenchImage } from './build-bench-image.ts';
import { writeBenchAdvisories } from './bench-advisories.ts';
import { buildCli } from '../build-cli.ts';
import { resolveImage, type ImageSource } from './image-sources.ts';
import { runApiBench } from './api/api-bench.ts';
import { runNodeVersionsBench } from './node-versions-bench.ts';
import { runPipelineBench } from './pipeline/pipeline-bench.ts';
import { runRescanBench } from './rescan/rescan-bench.ts';
import { printMatchingReport, printReport, type ImageResult } from './report.ts';
import { countFindings, timeScan, verifyScan } from './scan.ts';
import { runStartupBench } from './startup-bench.ts';
import { timeZlibFloor } from './zlib-floor.ts';

const { values } = parseArgs({ options: { keep: { type: 'boolean' }, runs: { type: 'string' }, only: { type: 'string' } } });
const repetitions = Number(values.runs ?? 3);
if (!Number.isInteger(repetitions) || repetitions < 1) throw new Error(`--runs must be a positive integer, not ${values.runs}`);
const only = values.only;
const PARTS = ['images', 'advisories', 'pipeline', 'rescan', 'api', 'startup', 'node-versions'] as const;
/** Parts a full run leaves out: they fetch from the network. */
const OPT_IN: ReadonlySet<string> = new Set(['node-versions']);
if (only !== undefined && !(PARTS as readonly string[]).includes(only)) throw new Error(`--only must be one of ${PARTS.join(', ')}, not ${only}`);
const selected = (part: (typeof PARTS)[number]): boolean => (only === undefined ? !OPT_IN.has(part) : only === part);
const keep = values.keep === true;
const log = (line: string): void => void process.stdout.write(`${line}\n`);

const dir = new BenchDir();
const onSignal = (signal: NodeJS.Signals): void => {
  dir.clean(keep);
  process.kill(process.pid, signal);
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

try {
  dir.create();
  log(`machine: ${availableParallelism()} cpus, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${cpus()[0]?.model ?? 'unknown cpu'}, node ${process.version}`);
  log(`bench dir: ${dir.root} (images v${FIXTURE_VERSION}${keep ? ', kept for the next run' : ', deleted at the end; --keep reuses them'})`);
  const started = performance.now();
  if (selected('images')) await runImageBench();
  if (selected('advisories')) {
    if (only === undefined) log('');
    await runAdvisoryBench({ runs: repetitions, scratch: dir.scratch, log });
  }
  if (selected('pipeline')) {
    if (only === undefined) log('');
    await runPipelineBench({ runs: repetitions, imagesDir: dir.images, scratch: dir.scratch, log });
  }
  if (selected('rescan')) {
    if (only === undefined) log('');
    await runRescanBench({ log });
  }
  if (selected('api')) {
    if (only === undefined) log('');
    await runApiBench({ log });
  }
  if (selected('startup')) {
    if (only === undefined) log('');
    await runStartupBench({ runs: repetitions, scratch: dir.scratch, log });
  }
  if (selected('node-versions')) await runNodeVersionsBench({ runs: repetitions, root: dir.root, imagesDir: dir.images, scratch: dir.scratch, keep, log });
  log('');
  log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);
} catch (error) {
  process.exitCode = 1;
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
} finally {
  dir.clean(keep);
}

async function runImageBench(): Promise<void> {
  log('images:');
  // Built side by side: gzip runs on the libuv pool, so the two cores both work.
  const sources: ImageSource[] = [];
  for (const spec of BENCH_IMAGES) {
    const resolved = await resolveImage(spec);
    if ('skipped' in resolved) log(`  ${spec.name}: SKIPPED, ${resolved.skipped}`);
    else sources.push(resolved.source);
  }
  const images = await Promise.all(sources.map((source) => ensureBenchImage(dir.images, source, log)));
  const { bundle } = await buildCli(join(dir.scratch, 'cli'));
  log(`checking each scan finds the expected packages (also warms the page cache)…`);
  const sboms = [];
  for (const image of images) sboms.push(await verifyScan(bundle, image, dir.scratch));
  const found = corpusDir();
  const corpus = typeof found === 'string' ? found : undefined;
  if (typeof found !== 'string') log(`  matching: SKIPPED, ${found.skipped}`);
  const results: ImageResult[] = images.map((image) => ({ image, baseline: [], floor: [], scan: [], rssKiB: [], matched: [], matchedRssKiB: [], advisories: [] }));
  if (corpus) {
    for (const [index, result] of results.entries()) {
      const sbom = sboms[index]!.images?.[0];
      const own = join(dir.scratch, `advisories-${result.image.spec.name}`);
      result.synthetic = writeBenchAdvisories(sbom?.packages ?? [], sbom?.distro?.versionId, own);
      result.advisories.push(corpus, own);
      result.findings = await countFindings(bundle, result.image, dir.scratch, result.advisories);
    }
  }
  for (let run = 0; run < repetitions; run++) {
    log(`run ${run + 1} of ${repetitions}…`);
    for (const result of results) {
      const steps = [
        async () => void result.baseline.push(await timeBaseline(result.image)),
        async () => void result.floor.push(await timeZlibFloor(result.image)),
        async () => {
          const scan = await timeScan(bundle, result.image, dir.scratch);
          result.scan.push(scan.seconds);
          result.rssKiB.push(scan.maxRssKiB);
        },
        async () => {
          if (!corpus) return;
          const scan = await timeScan(bundle, result.image, dir.scratch, { advisories: result.advisories });
          result.matched.push(scan.seconds);
          result.matchedRssKiB.push(scan.maxRssKiB);
        },
      ];
      // Rotate which goes first, so drift (thermal, neighbours) hits every side alike.
      for (let step = 0; step < steps.length; step++) await steps[(step + run) % steps.length]!();
    }
  }
  log('');
  printReport(results, log);
  if (corpus) printMatchingReport(results, 'the shared osv-corpus', log);
}

