import type { CapturedFile, FileAnalyzer, IssueSink } from '../file-analyzer.ts';
import { parseControlStanzas } from './control-stanzas.ts';

/** A package as one copy of the dpkg database records it. */
export interface DpkgRecord {
  readonly name: string;
  readonly version: string;
  readonly architecture?: string;
  readonly sourceName?: string;
  readonly sourceVersion?: string;
}

export interface DpkgDatabaseFile {
  readonly packages: readonly DpkgRecord[];
}

export const DPKG_STATUS = 'var/lib/dpkg/status';
export const DPKG_STATUS_D = 'var/lib/dpkg/status.d';

/** Files beside the control stanzas in distroless status.d directories. */
const STATUS_D_METADATA = /\.(md5sums|list|conffiles|preinst|postinst|prerm|postrm|triggers|shlibs|symbols|templates|config)$/;

/** Package states in which the package's files are not on disk. */
const ABSENT_STATES = new Set(['not-installed', 'config-files']);

export function parseDpkgDatabase(file: CapturedFile, issues: IssueSink): DpkgDatabaseFile | undefined {
  if (file.path.startsWith(`${DPKG_STATUS_D}/`) && STATUS_D_METADATA.test(file.path)) return undefined;
  const packages: DpkgRecord[] = [];
  const seen = new Set<string>();
  for (const stanza of parseControlStanzas(new TextDecoder('utf-8').decode(file.bytes))) {
    const name = stanza.get('package');
    const version = stanza.get('version');
    if (!name || !version) {
      issues.warn(`a stanza without ${name ? 'Version' : 'Package'} was skipped${name ? ` (package ${name})` : ''}`);
      continue;
    }
    // Distroless status.d stanzas carry no Status field: they describe installed packages.
    const state = stanza.get('status')?.split(/\s+/)[2];
    if (state && ABSENT_STATES.has(state)) continue;
    const architecture = stanza.get('architecture') || undefined;
    const key = `${name}:${architecture ?? ''}`;
    if (seen.has(key)) {
      issues.warn(`package ${name}${architecture ? `:${architecture}` : ''} is listed twice; the first entry is kept`);
      continue;
    }
    seen.add(key);
    packages.push({ name, version, ...(architecture ? { architecture } : {}), ...parseSource(stanza.get('source')) });
  }
  return { packages };
}

/** `Source: glibc (2.36-9)` names the source package and, when it differs, its version. */
function parseSource(field: string | undefined): Pick<DpkgRecord, 'sourceName' | 'sourceVersion'> {
  if (!field) return {};
  const match = /^(\S+)(?:\s+\(([^)]+)\))?$/.exec(field.trim());
  if (!match) return {};
  return { sourceName: match[1]!, ...(match[2] ? { sourceVersion: match[2].trim() } : {}) };
}

export const dpkgDatabaseAnalyzer: Pick<FileAnalyzer<DpkgDatabaseFile>, 'name' | 'version' | 'patterns' | 'parse'> = {
  name: 'dpkg',
  version: 1,
  patterns: [DPKG_STATUS, `${DPKG_STATUS_D}/*`],
  parse: parseDpkgDatabase,
};
