import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Lowers the CPU priority of the calling thread (not of its process) to `nice`, 1 (a little) to 19 (only
 * what is left). Linux keeps a nice value per thread (setpriority(2), NOTES: under NPTL it is a per-thread
 * attribute) and names the calling thread's id at /proc/thread-self, which Node does not expose otherwise.
 * Returns why it could not where it cannot (no /proc: macOS, Windows; a sandbox that forbids it): the
 * thread then runs at its process's priority, as it would have.
 */
export function lowerThisThreadPriority(nice: number): { lowered: true } | { lowered: false; why: string } {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isSafeInteger(tid) || tid <= 0) return { lowered: false, why: 'no thread id in /proc/thread-self' };
    setPriority(tid, nice);
    return { lowered: true };
  } catch (error) {
    return { lowered: false, why: error instanceof Error ? error.message : String(error) };
  }
}
