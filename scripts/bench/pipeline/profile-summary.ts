import { z } from 'zod';

const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
      children: z.array(z.number()).optional(),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

type ProfileNode = z.infer<typeof profileSchema>['nodes'][number];

/**
 * A V8 .cpuprofile summed up: self time per source file (node_modules per package) and per
 * function, and inclusive time per function. The bundle's text maps its lines to source files by
 * the `// path` comments an unminified esbuild bundle puts before each module.
 */
export function summarizeProfile(json: unknown, bundleText: string, top: number): string[] {
  const profile = profileSchema.parse(json);
  const fileOfLine = bundleFiles(bundleText);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const sampled = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const micros = profile.timeDeltas[index] ?? 0;
    sampled.set(id, (sampled.get(id) ?? 0) + micros);
    total += micros;
  });
  const where = (node: ProfileNode): string => {
    const { url, lineNumber } = node.callFrame;
    if (!url.endsWith('.mjs')) return url || node.callFrame.functionName;
    return fileOfLine(lineNumber);
  };
  const label = (node: ProfileNode): string => `${node.callFrame.functionName || '(anonymous)'} ${where(node)}`;
  const selfByFile = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, micros: number): void => void map.set(key, (map.get(key) ?? 0) + micros);
  for (const [id, micros] of sampled) {
    const node = byId.get(id)!;
    add(selfByFile, where(node), micros);
    add(selfByFunction, label(node), micros);
    const counted = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const key = label(byId.get(at)!);
      if (counted.has(key)) continue;
      add(inclusive, key, micros);
      counted.add(key);
    }
  }
  const table = (title: string, map: Map<string, number>): string[] => [
    `${title}:`,
    ...[...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, micros]) => `${(micros / 1000).toFixed(0).padStart(7)} ms ${((100 * micros) / total).toFixed(1).padStart(5)}%  ${key}`),
  ];
  return [`profile: ${(total / 1000).toFixed(0)} ms sampled`, ...table('self time by file', selfByFile), ...table('self time by function', selfByFunction), ...table('inclusive time by function', inclusive)];
}

/** Line (0-based, as profiles count) to the source file it came from. */
function bundleFiles(text: string): (line: number) => string {
  const starts: { line: number; file: string }[] = [];
  text.split('\n').forEach((line, index) => {
    const match = /^\/\/ ((?:node_modules|lambdas|scripts)\/\S+)$/.exec(line);
    if (match) starts.push({ line: index, file: packageOf(match[1]!) });
  });
  return (line) => {
    let low = 0;
    let high = starts.length - 1;
    let found = 'bundle';
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (starts[middle]!.line <= line) {
        found = starts[middle]!.file;
        low = middle + 1;
      } else high = middle - 1;
    }
    return found;
  };
}

function packageOf(path: string): string {
  const parts = path.split('/');
  if (parts[0] !== 'node_modules') return path;
  return parts[1]!.startsWith('@') ? `${parts[1]}/${parts[2]}` : parts[1]!;
}
