import type { ExceptionStore, StoredException } from '../api/api-ports.ts';
import type { Clock, PolicySource } from '../ports.ts';
import { policyVersionOf } from './canonical-json.ts';
import { compileException, exceptionCovers, exceptionFingerprint, exceptionLapsed } from './exception-rules.ts';
import type { IgnoreRule } from './ignore-rule.ts';
import type { PolicyCatalogue, RepositoryPolicy } from './repository-policy.ts';
import type { VexStatement } from './vex-statement.ts';

export interface ExceptionPolicySourceOptions {
  /** The deployed policy (SSM) the exceptions are added to. */
  readonly base: PolicySource;
  readonly exceptions: Pick<ExceptionStore, 'list' | 'revision'>;
  readonly clock: Clock;
  /** How long the exceptions read are used before the store's revision is asked again. Default one minute. */
  readonly refreshMs?: number;
  /** Told of an exception that does not compile (it is left out rather than failing every verdict). */
  readonly onInvalid?: (exception: StoredException, error: unknown) => void;
}

interface CompiledException {
  readonly exception: StoredException;
  readonly ignore?: IgnoreRule;
  readonly vex?: VexStatement;
}

/**
 * The deployed policy with the exceptions added through the findings API: each repository's policy
 * gets the exceptions whose prefix covers it, ignore entries after the policy's own and VEX
 * statements after its documents. The policy versions change with the exceptions that apply (the
 * catalogue's with every exception, a repository's only with its own), so the daily pass re-judges
 * exactly the verdicts an exception can change.
 *
 * An ignore exception's expiry is the ignore rule's (verdicts carry it as reviewAt). A VEX statement
 * has no expiry of its own, so a lapsed VEX exception is left out, which changes the versions.
 *
 * The store's revision is read at most every `refreshMs`; `forceRefresh` makes the next read ask it
 * (the API after a change). A failed read keeps the exceptions read before.
 */
export class ExceptionPolicySource implements PolicySource {
  private loaded: { revision: number; compiled: readonly CompiledException[]; checkedAt: number } | undefined;
  private inFlight: Promise<readonly CompiledException[]> | undefined;
  private forced = false;
  private built: { base: PolicyCatalogue; compiled: readonly CompiledException[]; inForce: string; catalogue: PolicyCatalogue } | undefined;

  constructor(private readonly options: ExceptionPolicySourceOptions) {}

  forceRefresh(): void {
    this.forced = true;
  }

  async current(): Promise<PolicyCatalogue> {
    const [base, compiled] = await Promise.all([this.options.base.current(), this.exceptions()]);
    const now = this.options.clock.now();
    const inForce = compiled.filter((entry) => !(entry.vex && exceptionLapsed(entry.exception, now)));
    const key = inForce.map((entry) => entry.exception.id).join(',');
    if (this.built?.base === base && this.built.compiled === compiled && this.built.inForce === key) return this.built.catalogue;
    const catalogue = withExceptions(base, inForce);
    this.built = { base, compiled, inForce: key, catalogue };
    return catalogue;
  }

  private async exceptions(): Promise<readonly CompiledException[]> {
    const now = this.options.clock.now().getTime();
    if (this.forced) {
      // Not the read in flight: it may have asked the revision before the change being forced.
      this.forced = false;
      return this.reload(now);
    }
    if (this.loaded && now - this.loaded.checkedAt < (this.options.refreshMs ?? 60_000)) return this.loaded.compiled;
    this.inFlight ??= this.reload(now).finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async reload(now: number): Promise<readonly CompiledException[]> {
    try {
      const revision = await this.options.exceptions.revision();
      if (this.loaded && this.loaded.revision === revision) {
        this.loaded = { ...this.loaded, checkedAt: now };
        return this.loaded.compiled;
      }
      const compiled = (await this.options.exceptions.list()).flatMap((exception): CompiledException[] => {
        try {
          return [{ exception, ...compileException(exception) }];
        } catch (error) {
          this.options.onInvalid?.(exception, error);
          return [];
        }
      });
      // Revisions only grow: a slower read of an older revision does not replace a newer one.
      if (!this.loaded || revision >= this.loaded.revision) this.loaded = { revision, compiled, checkedAt: now };
      return compiled;
    } catch (error) {
      if (this.loaded) return this.loaded.compiled;
      throw error;
    }
  }
}

/** The catalogue with each repository's exceptions added; a repository no exception covers keeps its policy as it was. */
function withExceptions(base: PolicyCatalogue, compiled: readonly CompiledException[]): PolicyCatalogue {
  if (compiled.length === 0) return base;
  const byRepository = new Map<string, RepositoryPolicy>();
  return {
    version: policyVersionOf({ policy: base.version, exceptions: compiled.map((entry) => exceptionFingerprint(entry.exception)) }),
    policyFor(repository: string): RepositoryPolicy {
      const known = byRepository.get(repository);
      if (known) return known;
      const policy = base.policyFor(repository);
      const covering = compiled.filter((entry) => exceptionCovers(entry.exception, repository));
      const extended: RepositoryPolicy =
        covering.length === 0
          ? policy
          : {
              ...policy,
              version: policyVersionOf({ policy: policy.version, exceptions: covering.map((entry) => exceptionFingerprint(entry.exception)) }),
              ignores: [...policy.ignores, ...covering.flatMap((entry) => (entry.ignore ? [entry.ignore] : []))],
              vex: [...policy.vex, ...covering.flatMap((entry) => (entry.vex ? [entry.vex] : []))],
            };
      byRepository.set(repository, extended);
      return extended;
    },
  };
}
