import type { CapturedFile, FileAnalyzer, IssueSink } from '../file-analyzer.ts';
import { parseControlStanzas } from './control-stanzas.ts';
import { presenceOf } from './package-state.ts';

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

export function parseDpkgDatabase(file: CapturedFile, issues: IssueSink): DpkgDatabaseFile | undefined {
  if (file.path.startsWith(`${DPKG_STATUS_D}/`) && STATUS_D_METADATA.test(file.path)) return undefined;
  const statusRequired = file.path === DPKG_STATUS;
  const packages: DpkgRecord[] = [];
  const seen = new Set<string>();
  for (const stanza of parseControlStanzas(new TextDecoder('utf-8').decode(file.bytes))) {
    const name = stanza.get('package');
    const version = stanza.get('version');
    if (!name || !version) {
      issues.warn(`a stanza without ${name ? 'Version' : 'Package'} was skipped${name ? ` (package ${name})` : ''}`);
      continue;
    }
    const presence = presenceOf(stanza.get('status'), statusRequired);
    if ('problem' in presence) {
      issues.warn(`package ${name} ${presence.problem}; it was skipped`);
      continue;
    }
    if (!presence.present) continue;
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
  version: 2,
  patterns: [DPKG_STATUS, `${DPKG_STATUS_D}/*`],
  parse: parseDpkgDatabase,
};
