import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { CustomsError } from '../core/errors.ts';
import { renderCycloneDx } from '../core/report/cyclonedx.ts';
import { renderSbomJson } from '../core/report/sbom-json.ts';
import { renderTable } from '../core/report/table.ts';
import type { ScanResult } from '../core/sbom/model.ts';
import { TOOL } from '../core/version.ts';
import type { CliIo } from './cli-io.ts';
import { IMAGE_OPTIONS, inventoryImage } from './inventory-image.ts';

export const SBOM_USAGE = `Usage: customs sbom IMAGE [options]

Lists the packages in an image. IMAGE is one of:
  host[:port]/repo[:tag][@sha256:…]   an image in an OCI registry (docker:// prefix optional)
  oci:DIR[:tag]                       an OCI image layout directory
  oci-archive:FILE[:tag]              an OCI layout in a tar file
  docker-archive:FILE[:name:tag|:@N]  a docker save / skopeo docker-archive tar file

Options:
  --platform os/arch[/variant]  scan one platform of a multi-platform image (default: all)
  --format table|json|cyclonedx-json
                                output format (default: table on a terminal, json otherwise)
  --output FILE                 write the report to FILE instead of standard output
  --plain-http                  use HTTP, not HTTPS, for the registry (default only for loopback)
  --max-file-size SIZE          largest file read into memory per cataloged file (default 64MiB)
  --quiet                       no progress line
  --debug                       print stack traces on errors

Credentials come from ~/.docker/config.json (or $DOCKER_CONFIG) and its credential helpers, or from
CUSTOMS_REGISTRY_USERNAME / CUSTOMS_REGISTRY_PASSWORD for the registry being scanned.
`;

const FORMATS = ['table', 'json', 'cyclonedx-json'] as const;
type Format = (typeof FORMATS)[number];

export async function sbomCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...IMAGE_OPTIONS,
      format: { type: 'string' },
      output: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(SBOM_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new CustomsError('usage', positionals.length === 0 ? 'sbom needs an IMAGE (see customs sbom --help)' : `sbom takes one IMAGE, got ${positionals.length}`);
  const format = chooseFormat(values.format, values.output === undefined && io.stdout.isTTY === true);
  const result = await inventoryImage(positionals[0]!, values);
  // Colour only for a person at a terminal; NO_COLOR (no-color.org) turns it off.
  const color = io.stdout.isTTY === true && values.output === undefined && !io.env.NO_COLOR;
  const report = render(result, format, color);
  if (values.output) await writeFile(values.output, report);
  else io.stdout.write(report);
  for (const failure of result.failures ?? []) io.stderr.write(`customs: ${failure.message}\n`);
  return result.failures?.length ? 2 : 0;
}

function chooseFormat(requested: string | undefined, terminal: boolean): Format {
  if (requested === undefined) return terminal ? 'table' : 'json';
  if (!(FORMATS as readonly string[]).includes(requested)) throw new CustomsError('usage', `--format must be one of ${FORMATS.join(', ')}, not ${JSON.stringify(requested)}`);
  return requested as Format;
}

function render(result: ScanResult, format: Format, color: boolean): string {
  const meta = { tool: TOOL, generatedAt: new Date() };
  switch (format) {
    case 'table':
      return renderTable(result, { color });
    case 'json':
      return renderSbomJson(result, meta);
    case 'cyclonedx-json':
      return renderCycloneDx(result, meta);
  }
}
