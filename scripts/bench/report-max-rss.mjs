// Preload for bench scans: on exit, writes this process's peak RSS (KiB, from getrusage) to the
// file named by CUSTOMS_BENCH_RSS_FILE, so the parent measures the scanner and not itself.
import { writeFileSync } from 'node:fs';
import process from 'node:process';

const target = process.env.CUSTOMS_BENCH_RSS_FILE;
if (target) process.on('exit', () => writeFileSync(target, String(process.resourceUsage().maxRSS)));
