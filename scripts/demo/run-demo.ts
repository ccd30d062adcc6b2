import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { processIo } from '../../lambdas/cli/cli-io.ts';
import { main } from '../../lambdas/cli/main.ts';
import { OciLayoutWriter } from '../../tools/image-builder/oci-layout-writer.ts';
import { tarBytes } from '../../tools/image-builder/tar-writer.ts';
import { writeDemoAdvisories } from './demo-advisories.ts';
import { appLayer, baseLayer } from './sample-image.ts';

/**
 * `npm run demo`: builds a two-platform sample image (linux/amd64 and linux/arm64, two layers each)
 * as an OCI layout and a few demo advisories, then runs `customs scan` on it. Extra arguments go to
 * customs, e.g. `npm run demo -- --format sarif` or `npm run demo -- --fail-on HIGH`.
 */
const root = join(process.cwd(), '.demo');
const dir = join(root, 'sample-image');
rmSync(root, { recursive: true, force: true });
const advisories = relative(process.cwd(), writeDemoAdvisories(join(root, 'advisories')));
const writer = new OciLayoutWriter(dir);
const platforms = [
  { os: 'linux', architecture: 'amd64', dpkgArch: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8', dpkgArch: 'arm64' },
];
const manifests = platforms.map(({ dpkgArch, ...platform }) =>
  writer.image({
    platform,
    layers: [
      { tar: tarBytes(baseLayer(dpkgArch)), compression: 'gzip' },
      { tar: tarBytes(appLayer(dpkgArch)), compression: 'none' },
    ],
  }),
);
writer.finish([{ descriptor: writer.index(manifests), tag: 'demo' }]);

const reference = `oci:${relative(process.cwd(), dir)}:demo`;
const extra = process.argv.slice(2);
const args = ['scan', reference, '--advisories', advisories, ...(extra.some((arg) => arg.startsWith('--format')) ? [] : ['--format', 'table']), ...extra];
processIo.stderr.write(`Built a sample image at ${reference} and demo advisories in ${advisories}; running: customs ${args.join(' ')}\n\n`);
process.exitCode = await main(args, processIo);
