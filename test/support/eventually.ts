/**
 * Waits until `check` holds, for at most `timeoutMs`: for what happens after an answer or apart from the
 * test (a Worker's `waitUntil`, a thread, statistics PGlite writes a second late). Fails once it is over.
 */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  for (const started = Date.now(); !(await check()); ) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
