import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { processIo } from '../../lambdas/cli/cli-io.ts';
import { main } from '../../lambdas/cli/main.ts';
import { OciLayoutWriter } from '../../tools/image-builder/oci-layout-writer.ts';
import { tarBytes } from '../../tools/image-builder/tar-writer.ts';
import { appLayer, baseLayer } from './sample-image.ts';

/**
 * `npm run demo`: builds a two-platform sample image (linux/amd64 and linux/arm64, two layers each)
 * as an OCI layout, then inventories it with `customs sbom`. Extra arguments go to customs, e.g.
 * `npm run demo -- --format cyclonedx-json`.
 */
const dir = join(process.cwd(), '.demo', 'sample-image');
rmSync(dir, { recursive: true, force: true });
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
processIo.stderr.write(`Built a sample image at ${reference}; running: customs sbom ${reference} ${extra.join(' ')}\n\n`);
process.exitCode = await main(['sbom', reference, ...(extra.some((arg) => arg.startsWith('--format')) ? [] : ['--format', 'table']), ...extra], processIo);
