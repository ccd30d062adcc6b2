import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';

/**
 * A second, independent reading of OSV ranges for the end-to-end tests: events taken pairwise in
 * the order a record lists them (as GHSA and the Go database write them), compared by node-semver
 * or by Python's `packaging`, not by Customs' own schemes. Returns the IDs of records affecting the
 * version.
 */
interface OsvRecordShape {
  id: string;
  withdrawn?: string;
  affected?: Array<{ package?: { ecosystem: string; name: string }; versions?: string[]; ranges?: Array<{ type: string; events: Array<Partial<Record<'introduced' | 'fixed' | 'last_affected', string>>> }> }>;
}

function readRecords(dirs: readonly string[]): OsvRecordShape[] {
  return dirs.flatMap((dir) => readdirSync(dir).filter((name) => name.endsWith('.json')).map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as OsvRecordShape));
}

/** Record IDs whose SEMVER/ECOSYSTEM ranges for (ecosystem, name) contain `version`, by node-semver. */
export function semverAffectingIds(dirs: readonly string[], ecosystem: string, name: string, version: string): Set<string> {
  const ids = new Set<string>();
  for (const record of readRecords(dirs)) {
    if (record.withdrawn) continue;
    for (const affected of record.affected ?? []) {
      if (affected.package?.ecosystem !== ecosystem || affected.package.name !== name) continue;
      if (affected.versions?.includes(version)) ids.add(record.id);
      for (const range of affected.ranges ?? []) {
        if (range.type === 'GIT') continue;
        if (inPairs(range.events, (a, b) => semver.compare(a, b))) ids.add(record.id);
      }
    }
  }
  return ids;

  function inPairs(events: Array<Partial<Record<string, string>>>, compare: (a: string, b: string) => number): boolean {
    let introduced: string | undefined;
    for (const event of events) {
      if (event.introduced !== undefined) introduced = event.introduced === '0' ? '0.0.0-0' : event.introduced;
      else if (event.fixed !== undefined && introduced !== undefined) {
        if (compare(version, introduced) >= 0 && compare(version, event.fixed) < 0) return true;
        introduced = undefined;
      } else if (event.last_affected !== undefined && introduced !== undefined) {
        if (compare(version, introduced) >= 0 && compare(version, event.last_affected) <= 0) return true;
        introduced = undefined;
      }
    }
    return introduced !== undefined && compare(version, introduced) >= 0;
  }
}

const PYTHON_ORACLE = `
import json, os, re, sys
from packaging.version import Version, InvalidVersion
dirs, name, version = json.loads(sys.argv[1]), sys.argv[2], Version(sys.argv[3])
norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
def v(text):
    try: return Version(text)
    except InvalidVersion: return None
ids = set()
for d in dirs:
    for f in os.listdir(d):
        if not f.endswith(".json"): continue
        r = json.load(open(os.path.join(d, f)))
        if r.get("withdrawn"): continue
        for a in r.get("affected", []):
            p = a.get("package", {})
            if p.get("ecosystem") != "PyPI" or norm(p.get("name", "")) != norm(name): continue
            if sys.argv[3] in a.get("versions", []): ids.add(r["id"])
            for rng in a.get("ranges", []):
                if rng["type"] != "ECOSYSTEM": continue
                lo = None
                for e in rng["events"]:
                    if "introduced" in e: lo = Version("0") if e["introduced"] == "0" else v(e["introduced"])
                    elif "fixed" in e and lo is not None:
                        hi = v(e["fixed"])
                        if hi is not None and lo <= version < hi: ids.add(r["id"])
                        lo = None
                if lo is not None and version >= lo: ids.add(r["id"])
print(json.dumps(sorted(ids)))
`;

/** Record IDs affecting a PyPI package version, by Python's own `packaging.version`. */
export function pep440AffectingIds(dirs: readonly string[], name: string, version: string): Set<string> {
  const output = execFileSync('python3', ['-c', PYTHON_ORACLE, JSON.stringify(dirs), name, version], { encoding: 'utf8' });
  return new Set(JSON.parse(output) as string[]);
}
