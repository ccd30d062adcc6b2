import { runCli, type CliRun } from './cli.ts';

/** The parts of `customs scan --format json` output the end-to-end tests read. */
export interface ScanJsonFinding {
  id: string;
  aliases: string[];
  package: { id: string; type: string; name: string; version: string; purl: string; path: string; layerIndex: number; owner?: { id: string; name: string; type: string } };
  installedVersion: string;
  fixedVersions: string[];
  fixState: 'fixed' | 'not-fixed';
  severity: { severity: string; kind: string; source?: string; score?: number };
  advisories: Array<{ id: string; ecosystem: string; name: string; fixedVersions: string[] }>;
}

export interface ScanJsonImage {
  distro?: { id: string; versionId?: string };
  packages: Array<{ id: string; type: string; name: string; version: string }>;
  findings: ScanJsonFinding[];
  suppressed: Array<{ finding: ScanJsonFinding; by: string; reason: string; vex?: { status: string; justification?: string } }>;
  warnings: string[];
}

export interface ScanJson {
  schema: string;
  gate?: { threshold: string; failing: number; passed: boolean };
  warnings: string[];
  images: ScanJsonImage[];
}

export interface ScanRun extends CliRun {
  report: ScanJson;
}

/** Runs `customs scan … --format json` and parses the report (the exit code is the caller's to check). */
export async function scanJson(args: string[]): Promise<ScanRun> {
  const run = await runCli(['scan', ...args, '--format', 'json', '--quiet']);
  if (run.stdout === '') throw new Error(`customs scan wrote no report (exit ${run.code}): ${run.stderr}`);
  return { ...run, report: JSON.parse(run.stdout) as ScanJson };
}

/** `package name → sorted vulnerability ids` of one image: the shape most assertions compare. */
export function findingsByPackage(image: ScanJsonImage): Map<string, string[]> {
  const byPackage = new Map<string, string[]>();
  for (const finding of image.findings) {
    const ids = byPackage.get(finding.package.name) ?? [];
    ids.push(finding.id);
    byPackage.set(finding.package.name, ids);
  }
  for (const ids of byPackage.values()) ids.sort();
  return byPackage;
}
