import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { CustomsError, isCustomsError, messageOf } from '../../core/errors.ts';
import { normalizeEntryPath, resolveSymlinkTarget } from '../../core/image/image-path.ts';
import { metaKindOf, TarEntryAssembler, type TarEntry } from '../../core/image/tar/tar-entry.ts';
import { BLOCK_SIZE, paddedSize, parseHeaderBlock, sparseExtensionContinues } from '../../core/image/tar/tar-header.ts';
import type { ScanLimits } from '../../core/limits.ts';
import type { ByteStream } from '../../core/ports.ts';
import type { LayoutFiles } from '../oci-layout/layout-files.ts';

interface Member {
  readonly entry: TarEntry;
  readonly path: string;
}

const MAX_MEMBERS = 100_000;
const MAX_LINK_HOPS = 16;
const READ_CHUNK = 256 * 1024;

/**
 * Random access to the members of an uncompressed tar file (an `oci-archive:` or `docker-archive:`)
 * without extracting it: headers are read once by position, data is then streamed by offset. Names
 * are normalised like layer entries, so nothing can point outside the archive.
 */
export class TarArchive implements LayoutFiles {
  private constructor(
    readonly location: string,
    private readonly members: ReadonlyMap<string, Member>,
  ) {}

  static async open(path: string, limits: ScanLimits): Promise<TarArchive> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw new CustomsError('not-found', `cannot open archive ${path}: ${messageOf(error)}`);
    }
    try {
      return new TarArchive(path, await indexMembers(handle, path, limits));
    } catch (error) {
      if (isCustomsError(error)) throw new CustomsError(error.code, `archive ${path}: ${error.message}`, { cause: error });
      throw new CustomsError('malformed', `archive ${path} could not be read: ${messageOf(error)}`, { cause: error });
    } finally {
      await handle.close();
    }
  }

  async exists(path: string): Promise<boolean> {
    return this.find(path) !== undefined;
  }

  async open(path: string): Promise<ByteStream> {
    const member = this.find(path);
    if (!member) throw new CustomsError('not-found', `${path} is missing from the archive ${this.location}`);
    const { dataOffset, size } = member.entry;
    if (size === 0) return emptyStream();
    return createReadStream(this.location, { start: dataOffset, end: dataOffset + size - 1, highWaterMark: READ_CHUNK });
  }

  /** Reads the first bytes of a member (to sniff compression) without streaming it all. */
  async head(path: string, length: number): Promise<Uint8Array> {
    const member = this.find(path);
    if (!member) return new Uint8Array(0);
    const handle = await open(this.location, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(length, member.entry.size));
      await handle.read(buffer, 0, buffer.length, member.entry.dataOffset);
      return buffer;
    } finally {
      await handle.close();
    }
  }

  async size(path: string): Promise<number | undefined> {
    return this.find(path)?.entry.size;
  }

  async close(): Promise<void> {}

  /** Finds a regular member, following symlinks and hard links inside the archive. */
  private find(path: string): Member | undefined {
    let current = normalizeEntryPath(path, 'archive path');
    for (let hops = 0; hops <= MAX_LINK_HOPS; hops++) {
      const member = this.members.get(current);
      if (!member) return undefined;
      if (member.entry.kind === 'file') return member;
      if (member.entry.kind === 'symlink') current = resolveSymlinkTarget(current, member.entry.linkPath);
      else if (member.entry.kind === 'hardlink') current = normalizeEntryPath(member.entry.linkPath, 'hard link target');
      else return undefined;
    }
    return undefined;
  }
}

async function indexMembers(handle: FileHandle, path: string, limits: ScanLimits): Promise<Map<string, Member>> {
  const { size: fileSize } = await handle.stat();
  const magic = Buffer.alloc(4);
  await handle.read(magic, 0, 4, 0);
  if (magic[0] === 0x1f && magic[1] === 0x8b) throw new CustomsError('unsupported', 'is gzip-compressed; decompress it first (gunzip), since compressed archives cannot be read by position');
  if (magic.readUInt32BE(0) === 0x28b52ffd) throw new CustomsError('unsupported', 'is zstd-compressed; decompress it first (zstd -d)');
  const members = new Map<string, Member>();
  const assembler = new TarEntryAssembler(limits.maxTarMetadataBytes);
  const block = Buffer.alloc(BLOCK_SIZE);
  let offset = 0;
  while (offset + BLOCK_SIZE <= fileSize) {
    await readExactly(handle, block, offset);
    const header = parseHeaderBlock(block, offset);
    if (header === 'zero') break;
    const meta = metaKindOf(header.typeFlag);
    if (meta) {
      assembler.checkMetadataSize(header, offset);
      const data = Buffer.alloc(header.size);
      await readExactly(handle, data, offset + BLOCK_SIZE);
      assembler.acceptMetadata(meta, data, offset);
      offset += BLOCK_SIZE + paddedSize(header.size);
      continue;
    }
    let extensionBlocks = 0;
    if (header.gnuSparseExtended) {
      do {
        extensionBlocks++;
        await readExactly(handle, block, offset + BLOCK_SIZE * extensionBlocks);
      } while (sparseExtensionContinues(block));
    }
    const entry = assembler.assemble(header, offset, extensionBlocks);
    if (entry.dataOffset + entry.size > fileSize) throw new CustomsError('malformed', `member ${JSON.stringify(entry.path)} runs past the end of the file`);
    const name = normalizeEntryPath(entry.path, 'archive member');
    if (name !== '') members.set(name, { entry, path: name });
    if (members.size > MAX_MEMBERS) throw new CustomsError('limit', `more than ${MAX_MEMBERS} members`);
    offset = entry.dataOffset + paddedSize(entry.size);
  }
  if (members.size === 0) throw new CustomsError('malformed', `${path} is not a tar archive or is empty`);
  return members;
}

async function readExactly(handle: FileHandle, buffer: Buffer, position: number): Promise<void> {
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
  if (bytesRead !== buffer.length) throw new CustomsError('malformed', `truncated at offset ${position}`);
}

async function* emptyStream(): AsyncGenerator<Uint8Array> {}
