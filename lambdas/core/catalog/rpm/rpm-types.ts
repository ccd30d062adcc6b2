import type { FileList } from '../file-list.ts';

/** The fields Customs reads from one rpm header blob (an entry of any rpm database format). */
export interface RpmHeaderInfo {
  readonly name: string;
  /** Present only when the header has an EPOCH tag (0 included: rpm distinguishes 0 from unset). */
  readonly epoch?: number;
  readonly version: string;
  readonly release: string;
  /** Absent for pseudo-packages such as gpg-pubkey. */
  readonly arch?: string;
  /** `name-version-release.src.rpm`; absent for pseudo-packages. */
  readonly sourceRpm?: string;
  /** Directories without their trailing slash and relative to the root, e.g. `usr/bin`. */
  readonly files?: FileList;
}
