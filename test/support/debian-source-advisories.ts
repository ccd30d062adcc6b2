import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A binary package as dpkg itself describes it, with the source it was built from. */
export interface DpkgBinary {
  readonly name: string;
  readonly version: string;
  readonly source: string;
  readonly sourceVersion: string;
}

/** Installed binaries of a root filesystem with their sources, from dpkg-query (the oracle). */
export function dpkgBinaries(rootfs: string): DpkgBinary[] {
  const format = '${db:Status-Status}\\t${Package}\\t${Version}\\t${source:Package}\\t${source:Version}\\n';
  const output = execFileSync('dpkg-query', [`--admindir=${rootfs}/var/lib/dpkg`, '-W', '-f', format], { encoding: 'utf8' });
  return output
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t'))
    .filter(([state]) => state !== 'config-files' && state !== 'not-installed')
    .map(([, name, version, source, sourceVersion]) => ({ name: name!, version: version!, source: source!, sourceVersion: sourceVersion! }));
}

export interface DebianTestAdvisories {
  readonly dir: string;
  /** Vulnerability ID → the binaries dpkg says come from the source it names (expected findings). */
  readonly expected: ReadonlyMap<string, readonly string[]>;
  /** IDs that must not be reported: fixed below the installed version, or naming a binary, not a source. */
  readonly notExpected: readonly string[];
}

/**
 * OSV records for Debian:12 written the way Debian's are (by source package), for sources whose
 * binaries are named differently: one fixed just above the installed source version per source,
 * one already fixed, and one that names a binary package instead of its source.
 */
export function writeDebianTestAdvisories(dir: string, binaries: readonly DpkgBinary[], sources: readonly string[]): DebianTestAdvisories {
  mkdirSync(dir, { recursive: true });
  const expected = new Map<string, string[]>();
  const notExpected: string[] = [];
  sources.forEach((source, index) => {
    const built = binaries.filter((binary) => binary.source === source);
    if (built.length === 0) throw new Error(`no installed binary is built from ${source}`);
    const sourceVersion = built[0]!.sourceVersion;
    const cve = `CVE-2099-${String(1000 + index)}`;
    writeRecord(dir, `DEBIAN-${cve}`, source, [{ introduced: '0' }, { fixed: `${sourceVersion}+customs1` }], [cve]);
    expected.set(cve, built.map((binary) => binary.name).sort());
    const fixedBefore = `CVE-2099-${String(2000 + index)}`;
    writeRecord(dir, `DEBIAN-${fixedBefore}`, source, [{ introduced: '0' }, { fixed: '0.0.1-1' }], [fixedBefore]);
    notExpected.push(fixedBefore);
    const binaryNamed = built.find((binary) => binary.name !== source);
    if (binaryNamed) {
      const byBinary = `CVE-2099-${String(3000 + index)}`;
      writeRecord(dir, `DEBIAN-${byBinary}`, binaryNamed.name, [{ introduced: '0' }, { fixed: `${binaryNamed.version}+customs1` }], [byBinary], 'binary-named');
      notExpected.push(byBinary);
    }
  });
  return { dir, expected, notExpected };
}

function writeRecord(dir: string, id: string, name: string, events: object[], upstream: string[], suffix = ''): void {
  const record = {
    schema_version: '1.7.3',
    id,
    modified: '2026-01-01T00:00:00Z',
    upstream,
    summary: `test advisory for ${name}`,
    affected: [{ package: { ecosystem: 'Debian:12', name }, ranges: [{ type: 'ECOSYSTEM', events }] }],
  };
  writeFileSync(join(dir, `${id}${suffix ? `-${suffix}` : ''}.json`), JSON.stringify(record));
}
