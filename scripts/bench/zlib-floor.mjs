// Child process for the bench's "zlib floor": what Node itself needs to hash, gunzip and hash each
// layer given as an argument (one after another), printing both digests per layer as proof of work.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import process from 'node:process';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

for (const path of process.argv.slice(2)) {
  const blob = createHash('sha256');
  const tar = createHash('sha256');
  await pipeline(
    createReadStream(path, { highWaterMark: 256 * 1024 }),
    async function* (source) {
      for await (const chunk of source) {
        blob.update(chunk);
        yield chunk;
      }
    },
    createGunzip({ chunkSize: 128 * 1024 }),
    async function (source) {
      for await (const chunk of source) tar.update(chunk);
    },
  );
  process.stdout.write(`${blob.digest('hex')} ${tar.digest('hex')}\n`);
}
