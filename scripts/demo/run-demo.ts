import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { processIo } from '../../lambdas/cli/cli-io.ts';
import { main } from '../../lambdas/cli/main.ts';
import { buildDemoImage, demoAdvisoriesDir } from '../../lambdas/local/demo/demo-image.ts';

/**
 * `npm run demo`: builds the demo image (a Debian 12 base with an npm application, linux/amd64) as
 * an OCI layout and runs `customs scan` on it against the OSV snapshot the project ships, a few
 * real advisories about its packages. Extra arguments go to customs, e.g. `npm run demo -- --format
 * sarif` or `npm run demo -- --fail-on CRITICAL`.
 */
const root = join(process.cwd(), '.demo');
rmSync(root, { recursive: true, force: true });
const { layoutDir, tag } = await buildDemoImage(join(root, 'demo-image'));
const advisories = relative(process.cwd(), demoAdvisoriesDir());

const reference = `oci:${relative(process.cwd(), layoutDir)}:${tag}`;
const extra = process.argv.slice(2);
const args = ['scan', reference, '--advisories', advisories, ...(extra.some((arg) => arg.startsWith('--format')) ? [] : ['--format', 'table']), ...extra];
processIo.stderr.write(`Built the demo image at ${reference}; scanning it against the shipped advisory snapshot in ${advisories}: customs ${args.join(' ')}\n\n`);
process.exitCode = await main(args, processIo);
