import { stat } from 'node:fs/promises';
import { CustomsError } from '../../core/errors.ts';
import { compilePolicyCatalogue } from '../../core/policy/policy-catalogue.ts';
import { parsePolicyDocument, s3Uri, vexObjectsOf } from '../../core/policy/policy-document.ts';
import { readYaml } from '../../core/policy/read-yaml.ts';
import type { PolicyCatalogue } from '../../core/policy/repository-policy.ts';
import type { Clock, PolicySource } from '../../core/ports.ts';
import { isMissing, readFileCapped } from './atomic-file.ts';

export { DEFAULT_LOCAL_POLICY_YAML, writeDefaultPolicy } from './default-local-policy.ts';

/** A policy file is written by hand, VEX inline included: far below this. */
const MAX_POLICY_FILE_BYTES = 4 * 1024 * 1024;
const ABSENT = 'absent';

export interface FilePolicySourceOptions {
  /** The policy document, YAML or JSON (the schema of `customs.policies`). */
  readonly path: string;
  readonly clock: Clock;
  /** How long a compiled policy is used before the file is looked at again (default 1 s: a stat). */
  readonly refreshMs?: number;
  /** Document text used while the file does not exist; without it a missing file is an error. */
  readonly fallback?: string;
  /** Told why a re-read failed while an earlier policy is kept (for the stack's log). */
  readonly onProblem?: (error: unknown) => void;
}

/**
 * The local stack's policy: a document on disk, validated and compiled by the same code as the
 * deployed SSM parameter, looked at every `refreshMs` and re-read only when its inode, size or mtime
 * changed. As with SSM, a re-read that fails keeps the policy compiled before (a broken edit never
 * turns into the default), and only a first read's failure is thrown. S3 VEX documents are refused:
 * the local stack reads no S3, so they belong inline.
 */
export class FilePolicySource implements PolicySource {
  private cached: { catalogue: PolicyCatalogue; stamp: string; checkedAt: number } | undefined;
  private inFlight: Promise<PolicyCatalogue> | undefined;

  constructor(private readonly options: FilePolicySourceOptions) {}

  async current(): Promise<PolicyCatalogue> {
    const now = this.options.clock.now().getTime();
    if (this.cached && now - this.cached.checkedAt < (this.options.refreshMs ?? 1_000)) return this.cached.catalogue;
    this.inFlight ??= this.refresh(now).finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async refresh(now: number): Promise<PolicyCatalogue> {
    try {
      const stamp = await this.stampOf();
      if (this.cached && stamp === this.cached.stamp) {
        this.cached.checkedAt = now;
        return this.cached.catalogue;
      }
      const catalogue = stamp === ABSENT ? this.compileFallback() : this.compile(await this.readText(), `policy file ${this.options.path}`);
      this.cached = { catalogue, stamp, checkedAt: now };
      return catalogue;
    } catch (error) {
      if (!this.cached) throw error;
      // Keep the stamp of the policy in use, so the file is tried again next time.
      this.cached.checkedAt = now;
      this.options.onProblem?.(error);
      return this.cached.catalogue;
    }
  }

  private async stampOf(): Promise<string> {
    try {
      const stats = await stat(this.options.path);
      return `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
    } catch (error) {
      if (isMissing(error)) return ABSENT;
      throw error;
    }
  }

  private async readText(): Promise<string> {
    const what = `policy file ${this.options.path}`;
    const bytes = await readFileCapped(this.options.path, MAX_POLICY_FILE_BYTES, what);
    if (!bytes) throw new CustomsError('not-found', `${what} disappeared while being read`);
    return bytes.toString('utf8');
  }

  private compileFallback(): PolicyCatalogue {
    if (this.options.fallback === undefined) throw new CustomsError('not-found', `policy file ${this.options.path} does not exist`);
    return this.compile(this.options.fallback, 'fallback policy');
  }

  private compile(text: string, what: string): PolicyCatalogue {
    const document = parsePolicyDocument(readYaml(text, what), what);
    const [first] = vexObjectsOf(document);
    if (first) throw new CustomsError('unsupported', `${what}: VEX document ${s3Uri(first)} is in S3, which the local stack does not read; give it inline ({ inline: <the OpenVEX document> })`);
    return compilePolicyCatalogue(document, new Map());
  }
}
