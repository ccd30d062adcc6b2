import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli } from '../build-cli.ts';
import { median, timeCommand } from './measure.ts';

type Log = (line: string) => void;

/** The start-up target for `customs --help` through the launcher, bundle present. */
export const STARTUP_TARGET_SECONDS = 0.3;
/** Starts per way: start-up is short and noisy, so more than the scan runs. */
export const MIN_STARTS = 11;

const LAUNCHER = fileURLToPath(new URL('../../bin/customs.mjs', import.meta.url));
// Inline preload: the child's own CPU time at exit (there are no grandchildren to miss).
const CPU_PRELOAD = `data:text/javascript,${encodeURIComponent(
  "import { writeFileSync } from 'node:fs'; const f = process.env.CUSTOMS_BENCH_CPU_FILE; if (f) process.on('exit', () => { const u = process.resourceUsage(); writeFileSync(f, String((u.userCPUTime + u.systemCPUTime) / 1e6)); });",
)}`;

interface Way {
  readonly name: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly wall: number[];
  readonly cpu: number[];
}

interface Start {
  readonly wall: number;
  readonly cpu: number;
  readonly stdout: string;
}

/**
 * The start-up part of `npm run bench`: `node bin/customs.mjs --help` from a fresh bundle (built into
 * scratch, as `npm run prepare` builds dist/cli) against the same launcher forced to the source
 * (CUSTOMS_FROM_SOURCE=1, tsx), with the bundle run directly and a bare `node -e 0` for scale. Wall
 * and CPU medians; the bench fails if the bundle's help differs from the source's.
 */
export async function runStartupBench(options: { runs: number; scratch: string; log: Log }): Promise<void> {
  const { log } = options;
  const starts = Math.max(MIN_STARTS, options.runs);
  log('startup:');
  const outdir = await mkdtemp(join(options.scratch, 'cli-'));
  try {
    const built = await buildCli(outdir);
    const bundleEnv = { ...process.env, CUSTOMS_CLI_BUNDLE_DIR: outdir, CUSTOMS_FROM_SOURCE: '' };
    const ways: Way[] = [
      { name: 'launcher, bundle', args: [LAUNCHER, '--help'], env: bundleEnv, wall: [], cpu: [] },
      { name: 'launcher, source (tsx)', args: [LAUNCHER, '--help'], env: { ...process.env, CUSTOMS_FROM_SOURCE: '1' }, wall: [], cpu: [] },
      { name: 'bundle directly', args: [built.bundle, '--help'], env: bundleEnv, wall: [], cpu: [] },
      { name: 'node -e 0', args: ['-e', '0'], env: process.env, wall: [], cpu: [] },
    ];
    const [bundled, source] = [ways[0]!, ways[1]!];
    const help = await Promise.all([bundled, source].map(async (way) => (await start(way, options.scratch)).stdout));
    if (help[0] !== help[1]) throw new Error('customs --help from the bundle differs from the source');
    log(`  ${starts} starts each, order rotated; bundle: the entry and ${built.files - 1} chunks, stamped with ${built.inputs} project inputs`);
    for (let run = 0; run < starts; run++) {
      for (let step = 0; step < ways.length; step++) {
        const way = ways[(step + run) % ways.length]!;
        const timed = await start(way, options.scratch);
        way.wall.push(timed.wall);
        way.cpu.push(timed.cpu);
      }
    }
    log('  | way | wall s (median) | CPU s (median) |');
    log('  |---|---|---|');
    for (const way of ways) log(`  | ${way.name} | ${median(way.wall).toFixed(3)} | ${median(way.cpu).toFixed(3)} |`);
    const wall = median(bundled.wall);
    log(`  source/bundle: ${(median(source.wall) / wall).toFixed(1)}× wall, ${(median(source.cpu) / median(bundled.cpu)).toFixed(1)}× CPU`);
    log(`  launcher with bundle ${wall.toFixed(3)} s (target ≤ ${STARTUP_TARGET_SECONDS} s): ${wall <= STARTUP_TARGET_SECONDS ? 'PASS' : 'MISS'}`);
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

/** One start in a fresh process: wall time until its pipes close, CPU time as the child reports it. */
async function start(way: Way, scratch: string): Promise<Start> {
  const cpuFile = join(scratch, `startup-cpu-${process.pid}`);
  await rm(cpuFile, { force: true });
  const args = ['--import', CPU_PRELOAD, ...way.args];
  const { seconds: wall, stdout } = await timeCommand(process.execPath, args, { ...way.env, CUSTOMS_BENCH_CPU_FILE: cpuFile });
  const cpu = Number(await readFile(cpuFile, 'utf8'));
  if (!Number.isFinite(cpu) || cpu <= 0) throw new Error(`no CPU time reported by ${way.name}`);
  return { wall, cpu, stdout };
}
