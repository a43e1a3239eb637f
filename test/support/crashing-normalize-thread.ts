/**
 * A normalization thread's entry that dies once per database, soon after it started (it throws, as a bug
 * would): test/normalizer-thread.test.ts checks that the process starts it again. The marker file says it
 * already died (its path: crashMarker in test/normalizer-thread.test.ts).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workerData } from 'node:worker_threads';
import '../../src/normalize-thread';

const crashMarker = (databaseUrl: string) => join(tmpdir(), `pedigree-thread-crashed-${new URL(databaseUrl).pathname.slice(1)}`);

const marker = crashMarker((workerData as { databaseUrl: string }).databaseUrl);
if (!existsSync(marker)) {
  writeFileSync(marker, '');
  setTimeout(() => {
    throw new Error('the normalization thread dies, once');
  }, 200);
}
