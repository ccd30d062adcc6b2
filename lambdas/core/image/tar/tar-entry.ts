import { CustomsError } from '../../errors.ts';
import { parsePaxRecords, type PaxOverrides } from './pax.ts';
import { BLOCK_SIZE, kindOf, paddedSize, type RawTarHeader, type TarEntryKind } from './tar-header.ts';

/** A tar entry with every dialect's extensions applied: the path and link are final, size is exact. */
export interface TarEntry {
  /** Name as the archive gives it (not yet normalised). */
  readonly path: string;
  readonly linkPath: string;
  readonly kind: TarEntryKind;
  readonly typeFlag: string;
  /** Bytes of data stored for this entry. */
  readonly size: number;
  readonly mode: number;
  /** Offset of the entry's own header block in the uncompressed archive. */
  readonly headerOffset: number;
  /** Offset of its first data byte. */
  readonly dataOffset: number;
  /** Sparse entries store a map and fragments, not the file's bytes. */
  readonly sparse: boolean;
}

/** Metadata headers carry data that modifies the next real entry rather than being entries. */
export type MetaKind = 'pax' | 'pax-global' | 'long-name' | 'long-link';

export function metaKindOf(typeFlag: string): MetaKind | undefined {
  switch (typeFlag) {
    case 'x':
    case 'X': // Solaris' name for a local extended header
      return 'pax';
    case 'g':
      return 'pax-global';
    case 'L':
      return 'long-name';
    case 'K':
      return 'long-link';
    default:
      return undefined;
  }
}

/**
 * Folds PAX records and GNU long names into the entry that follows them. Shared by the streaming
 * parser and the archive indexer so both read names identically.
 */
export class TarEntryAssembler {
  private pax: PaxOverrides | undefined;
  private longName: string | undefined;
  private longLink: string | undefined;

  constructor(private readonly maxMetadataBytes: number) {}

  /** Validates a metadata header's size before its data is collected. */
  checkMetadataSize(header: RawTarHeader, offset: number): void {
    if (header.size > this.maxMetadataBytes) {
      throw new CustomsError('limit', `tar metadata record at offset ${offset} is ${header.size} bytes, over the ${this.maxMetadataBytes}-byte cap`);
    }
  }

  /** Records a metadata header's collected data for the next entry. */
  acceptMetadata(kind: MetaKind, data: Uint8Array, offset: number): void {
    switch (kind) {
      case 'pax':
        this.pax = { ...this.pax, ...parsePaxRecords(data, offset) };
        break;
      case 'pax-global':
        parsePaxRecords(data, offset); // validated, but global records never rename entries
        break;
      case 'long-name':
        this.longName = nulTerminated(data);
        break;
      case 'long-link':
        this.longLink = nulTerminated(data);
        break;
    }
  }

  /** Produces the final entry for a non-metadata header and clears pending metadata. */
  assemble(header: RawTarHeader, headerOffset: number, extensionBlocks: number): TarEntry {
    const pax = this.pax;
    const entry: TarEntry = {
      path: pax?.path ?? this.longName ?? header.name,
      linkPath: pax?.linkPath ?? this.longLink ?? header.linkName,
      kind: kindOf(header.typeFlag),
      typeFlag: header.typeFlag,
      size: pax?.size ?? header.size,
      mode: header.mode,
      headerOffset,
      dataOffset: headerOffset + BLOCK_SIZE * (1 + extensionBlocks),
      sparse: header.typeFlag === 'S' || pax?.sparse === true,
    };
    this.pax = undefined;
    this.longName = undefined;
    this.longLink = undefined;
    return entry;
  }

  get hasPendingMetadata(): boolean {
    return this.pax !== undefined || this.longName !== undefined || this.longLink !== undefined;
  }
}

export { paddedSize };

const decoder = new TextDecoder('utf-8');
function nulTerminated(data: Uint8Array): string {
  const end = data.indexOf(0);
  return decoder.decode(end < 0 ? data : data.subarray(0, end));
}
