import { readFile } from 'node:fs/promises';

type CpuNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type CpuProfile = { nodes: CpuNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

export type ProfileEntry = { name: string; ms: number; share: number };
/** Where a thread's time went: self time by area (package, src file, runtime), and time inside our own functions. */
export type ProfileSummary = {
  file: string;
  totalMs: number;
  idleShare: number;
  /** Self time by area: `node_modules` package, `src/…` file, `node:` internals, GC, native (program). */
  byArea: ProfileEntry[];
  /** Self time by function, busiest first. */
  topSelf: ProfileEntry[];
  /** Time inside each of our `src/` functions, callees included (recursion counted once). */
  topInclusiveSrc: ProfileEntry[];
};

function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native / builtin)';
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return `pkg ${pkg[1]}`;
  const own = /\/(src|tasks)\/(.+)$/.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  if (url.startsWith('node:')) {
    const parts = url.slice(5).split('/');
    if (parts[0] !== 'internal') return `node:${parts[0]}`;
    // Bundled dependencies by name: node:internal/deps/undici/… is fetch.
    const area = parts[1] === 'deps' ? (parts[2] ?? 'deps') : (parts[1] ?? 'internal');
    return `node:${area.replace(/\.js$/, '')}`;
  }
  return url;
}

function labelOf(frame: CpuNode['callFrame']): string {
  const file = frame.url.replace(/^.*\/(node_modules|src|tasks)\//, '$1/').replace(/^file:\/\//, '');
  return `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
}

function top(map: Map<string, number>, total: number, n: number): ProfileEntry[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => ({ name, ms: us / 1000, share: us / total }));
}

/** Monotonic microseconds: the clock V8's profiler stamps samples with, so a load's window can be cut out of a profile. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * Reads a `.cpuprofile` and says where the time went, counting only samples inside `window` (monotonic µs, the
 * profiler's own clock) when given — so a process's start-up and setup stay out of a load's profile.
 */
export async function summarizeProfile(file: string, window?: { fromUs: number; toUs: number }, topN = 15): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (window && (at < window.fromUs || at > window.toUs)) return;
    self.set(id, (self.get(id) ?? 0) + delta);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0) || 1;

  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, us] of self) {
    const frame = (byId.get(id) as CpuNode).callFrame;
    const area = areaOf(frame.url, frame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
    functions.set(labelOf(frame), (functions.get(labelOf(frame)) ?? 0) + us);
  }

  // Inclusive time of our own functions: walk the tree, adding each subtree to every src/ function on the path once.
  const inclusive = new Map<string, number>();
  const subtree = new Map<number, number>();
  const totalOf = (node: CpuNode): number => {
    let sum = self.get(node.id) ?? 0;
    for (const child of node.children ?? []) sum += totalOf(byId.get(child) as CpuNode);
    subtree.set(node.id, sum);
    return sum;
  };
  const root = profile.nodes[0] as CpuNode;
  totalOf(root);
  const walk = (node: CpuNode, onPath: Set<string>) => {
    const label = /\/src\//.test(node.callFrame.url) ? labelOf(node.callFrame) : undefined;
    const fresh = label !== undefined && !onPath.has(label);
    if (fresh) {
      inclusive.set(label, (inclusive.get(label) ?? 0) + (subtree.get(node.id) ?? 0));
      onPath.add(label);
    }
    for (const child of node.children ?? []) walk(byId.get(child) as CpuNode, onPath);
    if (fresh) onPath.delete(label);
  };
  walk(root, new Set());

  return {
    file,
    totalMs: total / 1000,
    idleShare: (areas.get('(idle)') ?? 0) / total,
    byArea: top(areas, total, topN),
    topSelf: top(functions, total, topN),
    topInclusiveSrc: top(inclusive, total, topN),
  };
}
