import type { FileAnalyzer } from '../catalog/file-analyzer.ts';
import { parseOsRelease } from './os-release.ts';

/** What one release file says about the distribution; combined into a Distro by detectDistro. */
export interface ReleaseFileFacts {
  readonly id?: string;
  readonly versionId?: string;
  readonly codename?: string;
  readonly prettyName?: string;
  readonly idLike?: readonly string[];
}

export const OS_RELEASE_PATHS = ['etc/os-release', 'usr/lib/os-release'] as const;
/**
 * The per-family release files, in the order they are trusted when no os-release names the
 * distribution. `usr/lib/system-release` counts too, for images that keep that file only under /usr.
 */
export const FALLBACK_RELEASE_PATHS = ['etc/alpine-release', 'etc/debian_version', 'etc/redhat-release', 'etc/centos-release', 'etc/system-release', 'usr/lib/system-release'] as const;

const MAX_RELEASE_FILE_BYTES = 64 * 1024;

/** Reads os-release and the older per-family release files. */
export const releaseFilesAnalyzer: FileAnalyzer<ReleaseFileFacts> = {
  name: 'release-files',
  version: 2,
  patterns: [...OS_RELEASE_PATHS, ...FALLBACK_RELEASE_PATHS],
  parse(file, issues) {
    if (file.bytes.length > MAX_RELEASE_FILE_BYTES) {
      issues.warn('too large to be a release file; ignored');
      return undefined;
    }
    const text = new TextDecoder('utf-8').decode(file.bytes);
    // By exact path: `centos-release` also ends in `os-release`.
    if ((OS_RELEASE_PATHS as readonly string[]).includes(file.path)) return fromOsRelease(text);
    if (file.path === 'etc/alpine-release') return firstLine(text) ? { id: 'alpine', versionId: firstLine(text) } : undefined;
    if (file.path === 'etc/debian_version') return fromDebianVersion(firstLine(text));
    return fromRedHatRelease(firstLine(text));
  },
};

function fromOsRelease(text: string): ReleaseFileFacts | undefined {
  const fields = parseOsRelease(text);
  const id = fields.get('ID')?.toLowerCase();
  if (!id) return undefined;
  return compact({
    id,
    versionId: fields.get('VERSION_ID'),
    codename: fields.get('VERSION_CODENAME') ?? fields.get('UBUNTU_CODENAME'),
    prettyName: fields.get('PRETTY_NAME') ?? fields.get('NAME'),
    idLike: fields.get('ID_LIKE')?.toLowerCase().split(/\s+/).filter(Boolean),
  });
}

/** `12.4` → Debian 12; `bookworm/sid` names a codename of a development release. */
function fromDebianVersion(line: string): ReleaseFileFacts | undefined {
  if (!line) return undefined;
  const major = /^(\d+)(?:\.\d+)*$/.exec(line)?.[1];
  if (major) return { id: 'debian', versionId: major, prettyName: `Debian GNU/Linux ${line}` };
  const codename = /^([a-z]+)\//.exec(line)?.[1];
  return { id: 'debian', ...(codename ? { codename } : {}), prettyName: `Debian GNU/Linux ${line}` };
}

/** First words of a Red Hat family release file → the os-release ID (and ID_LIKE) that release uses. */
const RED_HAT_FAMILY: ReadonlyArray<readonly [RegExp, string, (readonly string[])?]> = [
  [/^Red Hat Enterprise Linux/i, 'rhel'],
  [/^Scientific Linux/i, 'scientific', ['rhel', 'centos', 'fedora']],
  [/^CentOS Stream/i, 'centos'],
  [/^CentOS/i, 'centos'],
  [/^Rocky Linux/i, 'rocky'],
  [/^AlmaLinux/i, 'almalinux'],
  [/^Fedora/i, 'fedora'],
  [/^Oracle Linux/i, 'ol'],
  [/^Amazon Linux/i, 'amzn'],
  [/^CBL-Mariner/i, 'mariner'],
];

/** `Rocky Linux release 9.3 (Blue Onyx)`, `Scientific Linux release 7.9 (Nitrogen)` and their relatives. */
function fromRedHatRelease(line: string): ReleaseFileFacts | undefined {
  const family = RED_HAT_FAMILY.find(([pattern]) => pattern.test(line));
  if (!family) return undefined;
  const version = /release\s+(\d+(?:\.\d+)*)/i.exec(line)?.[1];
  return compact({ id: family[1], versionId: version, prettyName: line, idLike: family[2] });
}

function firstLine(text: string): string {
  return (text.split(/\r?\n/, 1)[0] ?? '').trim();
}

function compact(facts: { [K in keyof ReleaseFileFacts]: ReleaseFileFacts[K] | undefined }): ReleaseFileFacts {
  return Object.fromEntries(Object.entries(facts).filter(([, value]) => value !== undefined && value !== '')) as ReleaseFileFacts;
}
