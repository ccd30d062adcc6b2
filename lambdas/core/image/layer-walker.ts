import { CustomsError, messageOf } from '../errors.ts';
import type { FileAnalyzer, IssueSink } from '../catalog/file-analyzer.ts';
import type { PathMatcher } from '../catalog/path-matcher.ts';
import type { ScanLimits } from '../limits.ts';
import { formatBytes } from '../limits.ts';
import { ancestorsOf, joinPath, normalizeEntryPath, resolveSymlinkTarget } from './image-path.ts';
import type { LayerRecord } from './layer-analysis.ts';
import type { TarEntry } from './tar/tar-entry.ts';
import type { TarDataSink, TarVisitor } from './tar/tar-stream-parser.ts';
import { FileCapture } from './file-capture.ts';
import { whiteoutMeaning } from './whiteout.ts';

/**
 * Turns one layer's tar entries into layer records: reads the files analyzers want (each within the
 * size cap), keeps symlinks, whiteouts and the entries that can hide wanted files, and skips the rest
 * without copying a byte.
 */
export class LayerWalker implements TarVisitor {
  readonly records: LayerRecord[] = [];
  readonly warnings: string[] = [];
  entries = 0;
  /** Symlinks seen so far in this layer: later entries below them land where the link points. */
  private readonly symlinks = new Map<string, string>();
  /** Bytes of files read in this layer, kept (within one cap's worth) for hard links to them. */
  private readonly retained = new Map<string, Uint8Array>();
  private retainedBytes = 0;

  private readonly streamingAnalyzers: readonly FileAnalyzer[];

  constructor(
    private readonly matcher: PathMatcher,
    private readonly limits: ScanLimits,
  ) {
    this.streamingAnalyzers = matcher.analyzers.filter((analyzer) => analyzer.streaming !== undefined);
  }

  entry(entry: TarEntry): TarDataSink | undefined {
    this.entries++;
    const path = this.throughSymlinks(normalizeEntryPath(entry.path));
    if (path === '') return undefined;
    const whiteout = whiteoutMeaning(path);
    if (whiteout.kind === 'delete') return this.add({ type: 'whiteout', path: whiteout.target });
    if (whiteout.kind === 'opaque') return this.add({ type: 'opaque', path: whiteout.directory });
    if (whiteout.kind === 'ignore') return undefined;
    if (entry.kind !== 'symlink') this.symlinks.delete(path);
    switch (entry.kind) {
      case 'directory':
        if (this.matcher.ancestorsOfInterest.has(path)) this.add({ type: 'directory', path });
        return undefined;
      case 'symlink':
        this.symlinks.set(path, entry.linkPath);
        return this.add({ type: 'symlink', path, target: entry.linkPath });
      case 'hardlink':
        return this.hardLink(path, entry);
      case 'other':
        return this.hidingNode(path);
      case 'file':
        return this.file(path, entry);
    }
  }

  private file(path: string, entry: TarEntry): TarDataSink | undefined {
    const analyzers = this.matcher.match(path);
    const facts = { path, mode: entry.mode, size: entry.size };
    const streaming = entry.sparse ? [] : this.streamingAnalyzers.filter((analyzer) => analyzer.streaming!.wants(facts));
    if (analyzers.length === 0 && streaming.length === 0) return this.hidingNode(path);
    let capture: FileCapture | undefined;
    if (analyzers.length > 0) {
      if (entry.sparse) return this.unread(path, entry.size, 'it is stored as a sparse file');
      if (entry.size > this.limits.maxCapturedFileBytes) {
        this.unread(path, entry.size, `it is ${formatBytes(entry.size)}, over the ${formatBytes(this.limits.maxCapturedFileBytes)} cap on files read into memory`);
        if (streaming.length === 0) return undefined;
      } else {
        capture = new FileCapture(entry.size, analyzers);
      }
    }
    const scans = streaming.map((analyzer) => ({ analyzer, scan: analyzer.streaming!.open(path), active: true }));
    return {
      data: (chunk) => {
        capture?.write(chunk);
        for (const item of scans) if (item.active) item.active = item.scan.write(chunk);
      },
      end: () => {
        const bytes = capture?.finish();
        const results: Record<string, unknown> = bytes ? this.parseAll(path, bytes, capture!.analyzers) : {};
        for (const { analyzer, scan } of scans) {
          const result = this.guarded(analyzer, path, (issues) => scan.end(issues));
          if (result !== undefined) results[analyzer.name] = result;
        }
        if (bytes) this.keep(path, bytes, results);
        else if (Object.keys(results).length > 0) this.add({ type: 'file', path, size: entry.size, results });
      },
    };
  }

  private hardLink(path: string, entry: TarEntry): undefined {
    const target = this.throughSymlinks(normalizeEntryPath(entry.linkPath, 'hard link target'));
    const analyzers = this.matcher.match(path);
    if (analyzers.length === 0) return this.hidingNode(path);
    const bytes = this.retained.get(target);
    if (bytes) this.analyze(path, bytes, analyzers);
    else this.unread(path, entry.size, `it is a hard link to ${target}, whose content was not read`);
    return undefined;
  }

  private analyze(path: string, bytes: Uint8Array, analyzers: readonly FileAnalyzer[]): void {
    this.keep(path, bytes, this.parseAll(path, bytes, analyzers));
  }

  private parseAll(path: string, bytes: Uint8Array, analyzers: readonly FileAnalyzer[]): Record<string, unknown> {
    const results: Record<string, unknown> = {};
    for (const analyzer of analyzers) {
      const result = this.guarded(analyzer, path, (issues) => analyzer.parse({ path, bytes }, issues));
      if (result !== undefined) results[analyzer.name] = result;
    }
    return results;
  }

  /** Runs an analyzer step; a crash becomes a warning about that file, never a failed scan. */
  private guarded<R>(analyzer: FileAnalyzer, path: string, step: (issues: IssueSink) => R | undefined): R | undefined {
    const issues: IssueSink = { warn: (message) => this.warnings.push(`${analyzer.name}: ${path}: ${message}`) };
    try {
      return step(issues);
    } catch (error) {
      issues.warn(`could not be parsed: ${messageOf(error)}`);
      return undefined;
    }
  }

  /** Records a file that was read, and keeps its bytes (within a cap) for hard links to it. */
  private keep(path: string, bytes: Uint8Array, results: Record<string, unknown>): void {
    this.add({ type: 'file', path, size: bytes.length, results });
    if (this.retainedBytes + bytes.length <= this.limits.maxCapturedFileBytes) {
      this.retained.set(path, bytes);
      this.retainedBytes += bytes.length;
    }
  }

  private unread(path: string, size: number, reason: string): undefined {
    this.warnings.push(`${path} was not read: ${reason}`);
    return this.add({ type: 'unread', path, size, reason });
  }

  /** A non-directory that is not wanted still matters where it replaces a directory on a wanted path. */
  private hidingNode(path: string): undefined {
    if (this.matcher.ancestorsOfInterest.has(path)) this.add({ type: 'node', path });
    return undefined;
  }

  private add(record: LayerRecord): undefined {
    if (this.records.length >= this.limits.maxRecordsPerLayer) {
      throw new CustomsError('limit', `layer has more than ${this.limits.maxRecordsPerLayer} symlinks, whiteouts and wanted files`);
    }
    this.records.push(record);
    return undefined;
  }

  /**
   * An entry below a symlink created earlier in the same layer is written where the link points when
   * a runtime extracts the layer; a scanner reading the name literally could be steered past a file.
   */
  private throughSymlinks(path: string): string {
    if (this.symlinks.size === 0) return path;
    let current = path;
    for (let hops = 0; ; hops++) {
      let redirected: string | undefined;
      for (const ancestor of ancestorsOf(current)) {
        const target = this.symlinks.get(ancestor);
        if (target === undefined) continue;
        redirected = joinPath(resolveSymlinkTarget(ancestor, target), current.slice(ancestor.length + 1));
        break;
      }
      if (redirected === undefined) break;
      if (hops >= this.limits.maxSymlinkHops) throw new CustomsError('unsafe', `tar entry ${JSON.stringify(path)} is written through a symlink loop`);
      current = redirected;
    }
    if (current !== path) this.warnings.push(`tar entry ${path} is written through a symlink in the same layer; read as ${current}`);
    return current;
  }
}
