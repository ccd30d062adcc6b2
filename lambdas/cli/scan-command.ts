import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadAdvisories } from '../adapters/osv/load-advisories.ts';
import { AdvisoryStore } from '../core/advisories/advisory-store.ts';
import { StoreLookup } from '../core/advisories/store-lookup.ts';
import { CustomsError } from '../core/errors.ts';
import type { Severity, VulnerabilityReport } from '../core/findings/model.ts';
import { parseSeverity } from '../core/findings/severity-order.ts';
import { advisoryEcosystemsFor } from '../core/matching/package-query.ts';
import { parseIgnoreFile } from '../core/policy/ignore-file.ts';
import { parseOpenVex } from '../core/policy/openvex.ts';
import type { Policy } from '../core/policy/apply-policy.ts';
import type { RepositoryPolicy } from '../core/policy/repository-policy.ts';
import { readSbomDocument } from '../core/sbom/read-sbom-document.ts';
import type { ScanResult } from '../core/sbom/model.ts';
import { assessVulnerabilities } from '../core/use-cases/assess-vulnerabilities.ts';
import type { CliIo } from './cli-io.ts';
import { IMAGE_OPTIONS, inventoryImage, limitsFrom } from './inventory-image.ts';
import { repositoryPolicyFrom } from './policy-option.ts';
import { renderVulnerabilityReport, SCAN_FORMATS, type ScanFormat } from './render-scan-report.ts';

export const SCAN_USAGE = `Usage: customs scan IMAGE|sbom:FILE --advisories SOURCE [options]

Matches an image's packages (or an existing SBOM's) against OSV advisories and applies your policy.
IMAGE is any reference customs sbom takes; sbom:FILE reads a CycloneDX or SPDX JSON SBOM instead.

Advisories (at least one; repeat to combine):
  --advisories DIR|ZIP|URL      a directory of OSV JSON records, an all.zip, its URL, or the URL of
                                a bucket laid out like osv.dev's (ECOSYSTEM/all.zip)

Policy:
  --severity LIST               report only these severities (e.g. CRITICAL,HIGH)
  --ignore-unfixed              drop findings that have no fixed version yet
  --ignore-file FILE            YAML ignore rules: id, reason, optional expires/package/path
  --vex FILE                    OpenVEX document; not_affected and fixed statements suppress (repeatable)
  --fail-on SEVERITY            exit 1 when a finding at or above SEVERITY remains
  --policy FILE --repository NAME
                                judge as the pipeline judges NAME's images: the policy document
                                (what customs.policies holds, JSON or YAML) resolved for NAME gives
                                the threshold, ignoreUnfixed, ignore entries and VEX documents;
                                --ignore-file and --vex add to them
  --match-os-owned              also match language packages an OS package installed (python3-jinja2's
                                Jinja2) against language advisories; by default the distribution's
                                advisories for the owner cover them, since it backports fixes

Output:
  --format table|json|sarif|cyclonedx-json|spdx-json
                                (default: table on a terminal, json otherwise)
  --output FILE                 write the report to FILE instead of standard output

Image options (as for customs sbom):
  --platform os/arch[/variant]  scan one platform of a multi-platform image (default: all)
  --plain-http                  use HTTP, not HTTPS, for the registry (default only for loopback)
  --max-file-size SIZE          largest file read into memory per cataloged file (default 64MiB)
  --quiet                       no progress line
  --debug                       print stack traces on errors

Exit codes: 0 pass, 1 the --fail-on gate failed, 2 usage or input error.
`;

export async function scanCommand(args: string[], io: CliIo, now: () => Date = () => new Date()): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      advisories: { type: 'string', multiple: true },
      severity: { type: 'string' },
      'ignore-unfixed': { type: 'boolean' },
      'ignore-file': { type: 'string' },
      vex: { type: 'string', multiple: true },
      'fail-on': { type: 'string' },
      policy: { type: 'string' },
      repository: { type: 'string' },
      'match-os-owned': { type: 'boolean' },
      ...IMAGE_OPTIONS,
      format: { type: 'string' },
      output: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(SCAN_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new CustomsError('usage', positionals.length === 0 ? 'scan needs an IMAGE or sbom:FILE (see customs scan --help)' : `scan takes one IMAGE, got ${positionals.length}`);
  const advisorySpecs = values.advisories ?? [];
  if (advisorySpecs.length === 0) throw new CustomsError('usage', 'scan needs --advisories DIR|ZIP|URL (see customs scan --help)');
  const format = chooseFormat(values.format, values.output === undefined && io.stdout.isTTY === true);
  const scanTime = now();
  // Policy files are read before the image, so a typo fails in a second, not after a pull.
  const repositoryPolicy = await policyOption(values.policy, values.repository, values['fail-on']);
  const failOn = values['fail-on'] === undefined ? repositoryPolicy?.failOn : parseSeverity(values['fail-on']);
  const ignores = [
    ...(repositoryPolicy?.ignores ?? []),
    ...(values['ignore-file'] !== undefined ? parseIgnoreFile(await readText(values['ignore-file'], 'ignore file'), values['ignore-file']) : []),
  ];
  const vex = [...(repositoryPolicy?.vex ?? []), ...(await Promise.all((values.vex ?? []).map(async (file) => parseOpenVex(await readText(file, 'VEX document'), file)))).flat()];
  const policy: Policy = {
    now: scanTime,
    ...(values.severity !== undefined ? { severities: parseSeverityList(values.severity) } : {}),
    ...(values['ignore-unfixed'] || repositoryPolicy?.ignoreUnfixed ? { ignoreUnfixed: true } : {}),
    ...(ignores.length > 0 ? { ignores } : {}),
    ...(vex.length > 0 ? { vex } : {}),
  };
  // Parsed before the image is read, so a bad size fails at once.
  const limits = limitsFrom(values);
  const target = positionals[0]!;
  const result = target.startsWith('sbom:') ? await readSbomFile(target.slice('sbom:'.length)) : await inventoryImage(target, values, limits);

  const matchOsOwned = values['match-os-owned'] === true;
  const ecosystems = advisoryEcosystemsFor(result.images, { matchOsOwned });
  // Only the image's ecosystems are kept: a mirror directory holds far more than a scan reads.
  const store = new AdvisoryStore({ ecosystems });
  const notes: string[] = [];
  for (const spec of advisorySpecs) notes.push(...(await loadAdvisories(spec, store, { ecosystems })));
  const report = await assessVulnerabilities(result, new StoreLookup(store), {
    policy,
    matchOsOwned,
    ...(failOn ? { failOn } : {}),
    advisories: { sources: advisorySpecs, loaded: store.counts.loaded, withdrawn: store.counts.withdrawn, malformed: store.counts.malformed },
    notes: [
      ...(repositoryPolicy ? [`policy: ${values.repository!} is judged by ${repositoryPolicy.source} (${repositoryPolicy.version}, ${repositoryPolicy.mode}, fail on ${repositoryPolicy.failOn})`] : []),
      ...notes,
      ...store.malformed.map((problem) => `advisories: ${problem.source}: ${problem.reason}`),
    ],
  });

  const color = io.stdout.isTTY === true && values.output === undefined && !io.env.NO_COLOR;
  const output = renderVulnerabilityReport(report, format, { color, generatedAt: scanTime });
  if (values.output) await writeFile(values.output, output);
  else io.stdout.write(output);
  return exitCode(report, io);
}

/** The repository's policy from `--policy FILE --repository NAME`, which come together. */
async function policyOption(file: string | undefined, repository: string | undefined, failOn: string | undefined): Promise<RepositoryPolicy | undefined> {
  if (file === undefined && repository === undefined) return undefined;
  if (file === undefined || repository === undefined) throw new CustomsError('usage', '--policy and --repository go together: the policy document, and the repository whose policy to apply');
  if (failOn !== undefined) throw new CustomsError('usage', '--fail-on and --policy both set the threshold: the policy document has failOn');
  return repositoryPolicyFrom(file, repository);
}

async function readSbomFile(path: string): Promise<ScanResult> {
  if (path === '') throw new CustomsError('usage', 'sbom: needs a file name (sbom:FILE)');
  return readSbomDocument(await readInput(path, 'SBOM'), path);
}

async function readText(path: string, what: string): Promise<string> {
  return (await readInput(path, what)).toString('utf8');
}

/** A file the user named: a missing or unreadable one is a one-line not-found error. */
async function readInput(path: string, what: string): Promise<Buffer> {
  return readFile(path).catch(() => {
    throw new CustomsError('not-found', `${what} ${JSON.stringify(path)}: cannot read the file`);
  });
}

function parseSeverityList(text: string): Severity[] {
  const list = text.split(',').map((part) => part.trim()).filter((part) => part !== '');
  if (list.length === 0) throw new CustomsError('usage', '--severity needs at least one of CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN');
  return list.map(parseSeverity);
}

function chooseFormat(requested: string | undefined, terminal: boolean): ScanFormat {
  if (requested === undefined) return terminal ? 'table' : 'json';
  if (!(SCAN_FORMATS as readonly string[]).includes(requested)) throw new CustomsError('usage', `--format must be one of ${SCAN_FORMATS.join(', ')}, not ${JSON.stringify(requested)}`);
  return requested as ScanFormat;
}

/** 2 when a platform image could not be read (its findings are unknown), else 1 when the gate failed. */
function exitCode(report: VulnerabilityReport, io: CliIo): number {
  for (const failure of report.failures ?? []) io.stderr.write(`customs: ${failure.message}\n`);
  if (report.failures?.length) return 2;
  if (report.gate && !report.gate.passed) {
    io.stderr.write(`customs: gate failed: ${report.gate.failing} finding${report.gate.failing === 1 ? '' : 's'} at ${report.gate.threshold} or above\n`);
    return 1;
  }
  return 0;
}
