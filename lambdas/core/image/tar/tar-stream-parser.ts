import { CustomsError } from '../../errors.ts';
import { metaKindOf, TarEntryAssembler, type MetaKind, type TarEntry } from './tar-entry.ts';
import { BLOCK_SIZE, paddedSize, parseHeaderBlock, sparseExtensionContinues, type RawTarHeader } from './tar-header.ts';

/** Receives an entry's data, in order, as views into the parser's input (copy to keep them). */
export interface TarDataSink {
  data(chunk: Uint8Array): void;
  end(): void;
}

export interface TarVisitor {
  /** Called once per entry; return a sink to receive its data, or undefined to skip it unread. */
  entry(entry: TarEntry): TarDataSink | undefined;
}

type State =
  | { kind: 'header' }
  | { kind: 'sparse-extension'; header: RawTarHeader; headerOffset: number; blocks: number }
  | { kind: 'meta'; meta: MetaKind; buffer: Uint8Array; filled: number; headerOffset: number }
  | { kind: 'data'; remaining: number; padding: number; sink: TarDataSink | undefined; entry: TarEntry }
  | { kind: 'padding'; remaining: number }
  | { kind: 'zero' } // one zero block seen: the next must be zero too (end) or the stream must end
  | { kind: 'end' };

/**
 * A push parser for tar streams: feed it chunks with write(), call end() when the input ends.
 * Data of skipped entries is passed over without copying, so the cost of walking a layer is the
 * cost of reading its headers. Handles ustar, GNU (long names, base-256 sizes, old sparse) and PAX.
 */
export class TarStreamParser {
  private state: State = { kind: 'header' };
  private readonly block = new Uint8Array(BLOCK_SIZE);
  private blockFilled = 0;
  private offset = 0; // position in the archive of the next unread byte
  private readonly assembler: TarEntryAssembler;

  constructor(
    private readonly visitor: TarVisitor,
    options: { maxMetadataBytes: number },
  ) {
    this.assembler = new TarEntryAssembler(options.maxMetadataBytes);
  }

  /** True once the end-of-archive marker has been read; later input is ignored. */
  get ended(): boolean {
    return this.state.kind === 'end';
  }

  write(chunk: Uint8Array): void {
    let position = 0;
    while (position < chunk.length) {
      const state = this.state;
      switch (state.kind) {
        case 'end':
          this.offset += chunk.length - position;
          return;
        case 'data': {
          const take = Math.min(state.remaining, chunk.length - position);
          if (state.sink && take > 0) state.sink.data(chunk.subarray(position, position + take));
          state.remaining -= take;
          position += take;
          this.offset += take;
          if (state.remaining === 0) this.finishData(state);
          break;
        }
        case 'padding': {
          const take = Math.min(state.remaining, chunk.length - position);
          state.remaining -= take;
          position += take;
          this.offset += take;
          if (state.remaining === 0) this.state = { kind: 'header' };
          break;
        }
        case 'meta': {
          const take = Math.min(state.buffer.length - state.filled, chunk.length - position);
          state.buffer.set(chunk.subarray(position, position + take), state.filled);
          state.filled += take;
          position += take;
          this.offset += take;
          if (state.filled === state.buffer.length) {
            this.assembler.acceptMetadata(state.meta, state.buffer, state.headerOffset);
            const padding = paddedSize(state.buffer.length) - state.buffer.length;
            this.state = padding > 0 ? { kind: 'padding', remaining: padding } : { kind: 'header' };
          }
          break;
        }
        default: {
          // header, sparse-extension and zero states all consume whole blocks
          const take = Math.min(BLOCK_SIZE - this.blockFilled, chunk.length - position);
          this.block.set(chunk.subarray(position, position + take), this.blockFilled);
          this.blockFilled += take;
          position += take;
          if (this.blockFilled === BLOCK_SIZE) {
            this.blockFilled = 0;
            const blockOffset = this.offset;
            this.offset += BLOCK_SIZE;
            this.onBlock(state, blockOffset);
          }
        }
      }
    }
  }

  /** Signals the end of input; throws if the archive stops inside an entry. */
  end(): void {
    const state = this.state;
    if (state.kind === 'end' || state.kind === 'zero') return;
    if (state.kind === 'header' && this.blockFilled === 0 && !this.assembler.hasPendingMetadata) return; // no end marker: accepted, as tar(1) does
    const where = state.kind === 'data' ? ` inside entry ${JSON.stringify(state.entry.path)}` : '';
    throw new CustomsError('malformed', `tar stream is truncated at offset ${this.offset + this.blockFilled}${where}`);
  }

  private onBlock(state: State, blockOffset: number): void {
    if (state.kind === 'sparse-extension') {
      const blocks = state.blocks + 1;
      if (sparseExtensionContinues(this.block)) this.state = { ...state, blocks };
      else this.startEntry(state.header, state.headerOffset, blocks);
      return;
    }
    const header = parseHeaderBlock(this.block, blockOffset);
    if (state.kind === 'zero') {
      if (header !== 'zero') throw new CustomsError('malformed', `tar stream has a lone zero block at offset ${blockOffset - BLOCK_SIZE} followed by more entries`);
      this.state = { kind: 'end' };
      return;
    }
    if (header === 'zero') {
      this.state = { kind: 'zero' };
      return;
    }
    const meta = metaKindOf(header.typeFlag);
    if (meta) {
      this.assembler.checkMetadataSize(header, blockOffset);
      if (header.size === 0) return;
      this.state = { kind: 'meta', meta, buffer: new Uint8Array(header.size), filled: 0, headerOffset: blockOffset };
      return;
    }
    if (header.gnuSparseExtended) {
      this.state = { kind: 'sparse-extension', header, headerOffset: blockOffset, blocks: 0 };
      return;
    }
    this.startEntry(header, blockOffset, 0);
  }

  private startEntry(header: RawTarHeader, headerOffset: number, extensionBlocks: number): void {
    const entry = this.assembler.assemble(header, headerOffset, extensionBlocks);
    const sink = this.visitor.entry(entry);
    const data = { kind: 'data', remaining: entry.size, padding: paddedSize(entry.size) - entry.size, sink, entry } as const;
    if (entry.size === 0) this.finishData(data);
    else this.state = { ...data };
  }

  private finishData(state: { padding: number; sink: TarDataSink | undefined }): void {
    state.sink?.end();
    this.state = state.padding > 0 ? { kind: 'padding', remaining: state.padding } : { kind: 'header' };
  }
}
