import { parentPath, resolveSymlinkTarget } from './image-path.ts';
import type { LayerAnalysis, LayerRecord } from './layer-analysis.ts';

/** One layer's copy of a file, with what each analyzer made of it. */
export interface FileVersion {
  readonly layerIndex: number;
  readonly results: Readonly<Record<string, unknown>>;
}

/** A visible file and its earlier copies at the same path, newest first, back to its last deletion. */
export interface FileHistory {
  readonly path: string;
  readonly versions: readonly FileVersion[];
}

type Node =
  | { readonly type: 'dir'; readonly children: Map<string, Node> }
  | { readonly type: 'file'; readonly versions: FileVersion[] }
  | { readonly type: 'symlink'; readonly target: string }
  | { readonly type: 'other' };

/**
 * The image filesystem as a container runtime would see it, restricted to the paths analyzers care
 * about: layers are applied in order, whiteouts and opaque directories delete what lower layers had,
 * and a non-directory replaces whatever tree a lower layer had at its path.
 */
export class SquashedView {
  private readonly root: Node & { type: 'dir' } = { type: 'dir', children: new Map() };
  readonly warnings: string[] = [];

  constructor(
    layers: readonly LayerAnalysis[],
    private readonly maxSymlinkHops = 40,
  ) {
    layers.forEach((layer, index) => this.apply(layer.records, index));
  }

  /** Visible files for which the analyzer produced a result. */
  *filesFor(analyzer: string): Generator<FileHistory> {
    for (const [path, node] of walk(this.root, '')) {
      if (node.type !== 'file' || !(analyzer in node.versions[0]!.results)) continue;
      yield { path, versions: node.versions };
    }
  }

  /**
   * The file at a path after following symlinks (in any component, the way the kernel would inside
   * the container's root). Undefined when the path does not lead to a file that was read.
   */
  lookup(path: string): FileHistory | undefined {
    const resolved = this.resolve(path);
    if (!resolved) return undefined;
    const node = this.nodeAt(resolved);
    return node?.type === 'file' ? { path: resolved, versions: node.versions } : undefined;
  }

  /** Follows symlinks; returns the final real path, or undefined on a loop or a file used as a directory. */
  resolve(path: string): string | undefined {
    const pending = path.split('/').filter(Boolean);
    const done: string[] = [];
    let directory: Node = this.root;
    let hops = 0;
    while (pending.length > 0) {
      const segment = pending.shift()!;
      if (segment === '.') continue;
      if (segment === '..') {
        done.pop();
        directory = this.nodeAt(done.join('/')) ?? UNTRACKED;
        continue;
      }
      if (directory.type !== 'dir') return undefined;
      // Paths no analyzer cares about are not tracked: absent means "not a symlink we know of".
      const child: Node = directory.children.get(segment) ?? UNTRACKED;
      if (child.type === 'symlink') {
        if (++hops > this.maxSymlinkHops) {
          this.warnings.push(`symlink loop while resolving ${path}`);
          return undefined;
        }
        const target = resolveSymlinkTarget([...done, segment].join('/'), child.target);
        pending.unshift(...target.split('/').filter(Boolean));
        done.length = 0;
        directory = this.root;
        continue;
      }
      done.push(segment);
      directory = child;
    }
    return done.join('/');
  }

  private apply(records: readonly LayerRecord[], layerIndex: number): void {
    // Whiteouts and opaque markers delete from lower layers only, whatever their place in the tar.
    for (const record of records) {
      if (record.type === 'whiteout') this.remove(record.path);
      else if (record.type === 'opaque') {
        const node = this.nodeAt(record.path);
        if (node?.type === 'dir') node.children.clear();
      }
    }
    for (const record of records) {
      switch (record.type) {
        case 'whiteout':
        case 'opaque':
          break;
        case 'directory':
          this.directory(record.path);
          break;
        case 'file':
          this.place(record.path, (previous) => ({
            type: 'file',
            versions: [{ layerIndex, results: record.results }, ...(previous?.type === 'file' ? previous.versions.filter((v) => v.layerIndex !== layerIndex) : [])],
          }));
          break;
        case 'symlink':
          this.place(record.path, () => ({ type: 'symlink', target: record.target }));
          break;
        case 'unread':
        case 'node':
          this.place(record.path, () => ({ type: 'other' }));
          break;
      }
    }
  }

  /** Puts a non-directory at a path, replacing whatever was there (a directory's whole subtree too). */
  private place(path: string, make: (previous: Node | undefined) => Node): void {
    const parent = this.directory(parentPath(path));
    const name = path.slice(path.lastIndexOf('/') + 1);
    parent.children.set(name, make(parent.children.get(name)));
  }

  /** The directory at a path, created (replacing non-directories on the way) if missing. */
  private directory(path: string): Node & { type: 'dir' } {
    let current = this.root;
    if (path === '') return current;
    for (const segment of path.split('/')) {
      let child = current.children.get(segment);
      if (child?.type !== 'dir') {
        child = { type: 'dir', children: new Map() };
        current.children.set(segment, child);
      }
      current = child;
    }
    return current;
  }

  private remove(path: string): void {
    const parent = this.nodeAt(parentPath(path));
    if (parent?.type === 'dir') parent.children.delete(path.slice(path.lastIndexOf('/') + 1));
  }

  /** The node at a literal path (no symlinks followed). */
  private nodeAt(path: string): Node | undefined {
    let current: Node = this.root;
    if (path === '') return current;
    for (const segment of path.split('/')) {
      if (current.type !== 'dir') return undefined;
      const child = current.children.get(segment);
      if (!child) return undefined;
      current = child;
    }
    return current;
  }
}

const UNTRACKED: Node = { type: 'dir', children: new Map() };

function* walk(node: Node & { type: 'dir' }, prefix: string): Generator<[string, Node]> {
  for (const [name, child] of node.children) {
    const path = prefix === '' ? name : `${prefix}/${name}`;
    if (child.type === 'dir') yield* walk(child, path);
    else yield [path, child];
  }
}
