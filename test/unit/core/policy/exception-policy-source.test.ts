import { describe, expect, it } from 'vitest';
import type { ExceptionStore, StoredException } from '../../../../lambdas/core/api/api-ports.ts';
import { applyPolicy } from '../../../../lambdas/core/policy/apply-policy.ts';
import { ExceptionPolicySource } from '../../../../lambdas/core/policy/exception-policy-source.ts';
import type { RepositoryPolicy } from '../../../../lambdas/core/policy/repository-policy.ts';
import { StaticPolicySource } from '../../../../lambdas/core/policy/static-policy-source.ts';
import { sampleFinding, sampleImageSbom } from '../../../support/sample-findings.ts';

/** The store's contract as far as the policy source uses it, counting its reads. */
class ListedExceptions implements Pick<ExceptionStore, 'list' | 'revision'> {
  entries: StoredException[] = [];
  rev = 0;
  revisionReads = 0;
  listReads = 0;
  set(entries: StoredException[]): void {
    this.entries = entries;
    this.rev++;
  }
  revision(): Promise<number> {
    this.revisionReads++;
    return Promise.resolve(this.rev);
  }
  list(): Promise<readonly StoredException[]> {
    this.listReads++;
    return Promise.resolve(this.entries);
  }
}

const base = StaticPolicySource.fromDocument({ default: { failOn: 'HIGH', ignore: [{ id: 'CVE-2023-44487', reason: 'HTTP/2 not exposed' }] } });
const finding = sampleFinding(); // CVE-2024-25062 in libxml2
const sbom = sampleImageSbom([finding.package]);

function ignoreException(overrides: Partial<StoredException> = {}): StoredException {
  return { id: 'exc-0001aaaa', kind: 'ignore', vulnerability: 'CVE-2024-25062', reason: 'not reachable: SEC-9', createdBy: 'arn:aws:iam::111111111111:role/sec', createdAt: new Date('2026-03-01T00:00:00Z'), ...overrides };
}

function judge(policy: RepositoryPolicy, now: Date) {
  return applyPolicy([finding], sbom, { ignores: policy.ignores, vex: policy.vex, now });
}

function setup(entries: StoredException[], start = '2026-03-01T12:00:00Z') {
  const store = new ListedExceptions();
  store.set(entries);
  const clock = { at: new Date(start), now(): Date { return this.at; } };
  const source = new ExceptionPolicySource({ base, exceptions: store, clock, refreshMs: 60_000 });
  return { store, clock, source };
}

describe('ExceptionPolicySource', () => {
  it('suppresses a finding with the exception, showing its reason and expiry, until the expiry lapses', async () => {
    const { source, clock } = setup([ignoreException({ expires: '2026-03-10' })]);
    const catalogue = await source.current();
    const policy = catalogue.policyFor('team/app');
    const before = judge(policy, clock.now());
    expect(before.findings).toEqual([]);
    expect(before.suppressed.map((entry) => [entry.by, entry.reason, entry.expires])).toEqual([['ignore', 'not reachable: SEC-9', '2026-03-10']]);
    // The policy's own entry is kept, the exception comes after it.
    expect(policy.ignores.map((rule) => rule.source)).toEqual(['policy default', 'exception exc-0001aaaa']);
    // Through the end of that day (UTC), not after.
    expect(judge(policy, new Date('2026-03-10T23:59:59Z')).findings).toEqual([]);
    expect(judge(policy, new Date('2026-03-11T00:00:00Z')).findings).toEqual([finding]);
  });

  it('applies an exception only to repositories its prefix starts, and changes only their policy versions', async () => {
    const { source } = setup([ignoreException({ repositoryPrefix: 'team/' })]);
    const plain = await base.current();
    const catalogue = await source.current();
    expect(judge(catalogue.policyFor('team/app'), new Date()).findings).toEqual([]);
    expect(judge(catalogue.policyFor('other/app'), new Date()).findings).toEqual([finding]);
    expect(catalogue.policyFor('other/app').version).toBe(plain.policyFor('other/app').version);
    expect(catalogue.policyFor('team/app').version).not.toBe(plain.policyFor('team/app').version);
    expect(catalogue.version).not.toBe(plain.version);
  });

  it('reads VEX statements as policy VEX is, and leaves a lapsed one out (versions change back)', async () => {
    const statement = { vulnerability: { name: 'CVE-2024-25062' }, products: [{ '@id': 'pkg:deb/debian/libxml2' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' };
    const { source, clock } = setup([ignoreException({ id: 'exc-vex00001', kind: 'vex', statement, expires: '2026-03-01T18:00:00Z' })]);
    const plain = await base.current();
    const during = await source.current();
    const suppressed = judge(during.policyFor('team/app'), clock.now()).suppressed;
    expect(suppressed.map((entry) => [entry.by, entry.vex?.document])).toEqual([['vex', 'exception exc-vex00001']]);
    clock.at = new Date('2026-03-01T18:00:01Z');
    const after = await source.current();
    expect(judge(after.policyFor('team/app'), clock.now()).findings).toEqual([finding]);
    expect(after.policyFor('team/app').version).toBe(plain.policyFor('team/app').version);
  });

  it('reads the revision at most every refreshMs unless forced, and the list only when the revision moved', async () => {
    const { source, store, clock } = setup([]);
    expect(judge((await source.current()).policyFor('team/app'), clock.now()).findings).toEqual([finding]);
    store.set([ignoreException()]);
    // Within refreshMs: the exceptions read before are used.
    expect(judge((await source.current()).policyFor('team/app'), clock.now()).findings).toEqual([finding]);
    expect(store.revisionReads).toBe(1);
    source.forceRefresh();
    expect(judge((await source.current()).policyFor('team/app'), clock.now()).findings).toEqual([]);
    expect([store.revisionReads, store.listReads]).toEqual([2, 2]);
    clock.at = new Date(clock.at.getTime() + 60_000);
    await source.current();
    expect([store.revisionReads, store.listReads]).toEqual([3, 2]);
  });

  it('keeps the exceptions it read when the store fails, and leaves out one that does not compile', async () => {
    const invalid: string[] = [];
    const store = new ListedExceptions();
    store.set([ignoreException(), ignoreException({ id: 'exc-bad00001', package: 'pkg:' })]);
    const clock = { now: () => new Date('2026-03-01T12:00:00Z') };
    const source = new ExceptionPolicySource({ base, exceptions: store, clock, onInvalid: (exception) => invalid.push(exception.id) });
    expect((await source.current()).policyFor('team/app').ignores.map((rule) => rule.source)).toEqual(['policy default', 'exception exc-0001aaaa']);
    expect(invalid).toEqual(['exc-bad00001']);
    store.revision = () => Promise.reject(new Error('throttled'));
    source.forceRefresh();
    expect(judge((await source.current()).policyFor('team/app'), clock.now()).findings).toEqual([]);
  });

  it('answers a forced refresh with the exceptions after the change, not a read already in flight from before it', async () => {
    const store = new ListedExceptions();
    const clock = { now: () => new Date('2026-03-01T12:00:00Z') };
    // The first revision read stalls until released: a read in flight when the change lands.
    let release: () => void = () => undefined;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    let first = true;
    const slow: Pick<ExceptionStore, 'list' | 'revision'> = {
      revision: async () => {
        const before = store.rev;
        if (first) {
          first = false;
          await stalled;
        }
        return before;
      },
      list: async () => (store.rev === 0 ? [] : store.entries),
    };
    const source = new ExceptionPolicySource({ base, exceptions: slow, clock, refreshMs: 60_000 });
    const inFlight = source.current();
    store.set([ignoreException()]);
    source.forceRefresh();
    const fresh = await source.current();
    expect(judge(fresh.policyFor('team/app'), clock.now()).findings).toEqual([]);
    release();
    await inFlight;
    // The slower read of the older revision did not replace the newer one.
    expect(judge((await source.current()).policyFor('team/app'), clock.now()).findings).toEqual([]);
  });
});
