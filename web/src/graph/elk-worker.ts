/**
 * ELK in a Web Worker: the layout of a graph of thousands of nodes takes seconds, and the page stays
 * responsive meanwhile. The worker is elkjs's own script, served as an asset of this lazily loaded chunk.
 * One worker for the session: starting one (reading 1.6 MB of script) costs more than a small layout, so
 * the explorer starts it while its graph is being fetched, and keeps it. A large layout that no one waits
 * for any more is stopped with its worker (`abandonLayout`): ELK cannot cancel, and the next graph would
 * wait seconds behind it.
 */
import ELK from 'elkjs/lib/elk-api.js';
import workerUrl from 'elkjs/lib/elk-worker.min.js?url';

let shared: InstanceType<typeof ELK> | undefined;

export function sharedElk() {
  shared ??= new ELK({ workerFactory: () => new Worker(workerUrl, { name: 'elk-layout' }) });
  return shared;
}

/** Stops the worker and what it is laying out; the next `sharedElk()` starts a fresh one. */
export function abandonLayout() {
  shared?.terminateWorker();
  shared = undefined;
}
