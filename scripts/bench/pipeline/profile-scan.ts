/**
 * `tsx scripts/bench/pipeline/profile-scan.ts [--out DIR] [--top N] [--repeat] [--node-args FLAGS]`: a CPU profile of the
 * bundled scanner's first scan of the reference image, on the pipeline bench's stand-ins and
 * advisory table. The handler is bundled unminified (otherwise as the bench bundles it), so the
 * profile's samples are summed per source file and per function. With --repeat, every line read
 * on stdin re-bundles and profiles again against the same table (for before/after comparisons).
 * --node-args adds flags to the profiled process (e.g. `--max-old-space-size=256` to see what the
 * peak RSS is made of).
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { BenchDir } from '../bench-dir.ts';
import { ensureBenchImage } from '../build-bench-image.ts';
import { loadAdvisoryFixture } from './advisory-fixture.ts';
import { deployedResources } from './deployed-resources.ts';
import { startLocalServices } from './local-services.ts';
import { summarizeProfile } from './profile-summary.ts';
import { pushBenchImage } from './push-image.ts';
import { REFERENCE_IMAGE } from './reference-image.ts';
import { bundleLambda, timedScan } from './timed-run.ts';

const { values } = parseArgs({ options: { out: { type: 'string' }, top: { type: 'string' }, repeat: { type: 'boolean' }, 'node-args': { type: 'string' } } });
const log = (line: string): void => void process.stdout.write(`${line}\n`);
const dir = new BenchDir();
dir.create();
const out = values.out ?? join(dir.root, 'profiles');
mkdirSync(out, { recursive: true });
const top = Number(values.top ?? 30);
const extraNodeArgs = (values['node-args'] ?? '').split(/\s+/).filter((arg) => arg.length > 0);

const services = await startLocalServices();
try {
  const fixture = await loadAdvisoryFixture(services.dynamodbClient(), log);
  const image = await ensureBenchImage(dir.images, REFERENCE_IMAGE, log);
  const pushed = await pushBenchImage(services.registry, image);
  const profileOnce = async (round: number): Promise<void> => {
    const bundles = await bundleLambda(dir.scratch, { readable: true });
    const profileDir = join(out, `round-${round}-${Date.now()}`);
    const timed = await timedScan(services, fixture.table, pushed, bundles, { scratch: dir.scratch, memoryMiB: deployedResources().memoryMiB, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, ...extraNodeArgs] });
    const first = timed.cold.invocations[0]!;
    log(`round ${round}: first scan ${first.durationMs.toFixed(0)} ms wall / ${first.cpuMs.toFixed(0)} ms CPU (profiled), peak RSS ${timed.maxRssMiB.toFixed(0)} MiB; profiles in ${profileDir}`);
    // The cold process (first scan + warm repeat) writes first; the cold repeat's profile is later.
    const [coldProfile] = readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile')).sort();
    if (!coldProfile) throw new Error(`no profile written in ${profileDir}`);
    for (const line of summarizeProfile(JSON.parse(readFileSync(join(profileDir, coldProfile), 'utf8')), readFileSync(bundles.handler, 'utf8'), top)) log(line);
  };
  await profileOnce(1);
  if (values.repeat) {
    let round = 1;
    log('enter: profile again (re-bundled); end of input: stop');
    for await (const _line of createInterface({ input: process.stdin })) await profileOnce(++round);
  }
} finally {
  await services.stop();
  dir.clean(true);
}
