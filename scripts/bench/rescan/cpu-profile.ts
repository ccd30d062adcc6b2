import { Session } from 'node:inspector/promises';
import { z } from 'zod';

/** Set to profile the timed rescans (V8's sampling profiler, in-process) and print where their CPU went. */
export const PROFILE_ENV = 'CUSTOMS_BENCH_RESCAN_PROFILE';

const profileSchema = z.object({
  nodes: z.array(z.object({ id: z.number(), callFrame: z.object({ functionName: z.string(), url: z.string() }) })),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

/** Where a sampled frame's self time is counted: a package of node_modules, a folder of the repository, or the runtime. */
function areaOf(url: string, functionName: string): string {
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!.startsWith('@aws-sdk/') || modules[1]!.startsWith('@smithy/') ? 'AWS SDK (@aws-sdk, @smithy)' : modules[1]!;
  const repo = /\/(lambdas\/(?:core|adapters)\/[^/]+)\//.exec(url);
  if (repo) return repo[1]!;
  if (url.includes('/scripts/bench/')) return 'the bench itself';
  if (url.startsWith('node:')) return `node: ${url.slice(5).split('/')[0]}`;
  if (url === '') return functionName === '(garbage collector)' ? 'garbage collection' : functionName === '(program)' || functionName === '(idle)' ? 'runtime and native (zlib, crypto, sockets)' : `native: ${functionName || '(anonymous)'}`;
  return 'other';
}

export interface CpuProfiler {
  /** Runs `work` under the profiler (the samples of every call add up). */
  during<T>(work: () => Promise<T>): Promise<T>;
  /** Self time by area, largest first, as `area: share`. */
  summary(top: number): Promise<string[]>;
}

export async function startCpuProfiler(): Promise<CpuProfiler> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  const self = new Map<string, number>();
  let total = 0;
  return {
    async during(work) {
      await session.post('Profiler.start');
      try {
        return await work();
      } finally {
        const { profile } = await session.post('Profiler.stop');
        const parsed = profileSchema.parse(profile);
        const byId = new Map(parsed.nodes.map((node) => [node.id, node]));
        parsed.samples.forEach((id, index) => {
          const node = byId.get(id);
          const delta = parsed.timeDeltas[index] ?? 0;
          if (!node || node.callFrame.functionName === '(idle)') return;
          const area = areaOf(node.callFrame.url, node.callFrame.functionName);
          self.set(area, (self.get(area) ?? 0) + delta);
          total += delta;
        });
      }
    },
    async summary(top) {
      session.disconnect();
      return [...self.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([area, micros]) => `${area} ${((100 * micros) / Math.max(1, total)).toFixed(0)}% (${(micros / 1000).toFixed(0)} ms)`);
    },
  };
}
