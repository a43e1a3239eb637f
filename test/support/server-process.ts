import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../bench/lib';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** `node --import tsx src/node.ts` as its own process, set by `env` alone (none of this one's settings). */
export function spawnServer(env: Record<string, string>): ChildProcess {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PEDIGREE_') && k !== 'DATABASE_URL'));
  return spawn(process.execPath, ['--import', 'tsx', 'src/node.ts'], {
    cwd: root,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The service as its own process (so that it can be killed), on a free port, once it answers. */
export async function startServer(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: URL; exited: Promise<number | null>; stdout: () => string }> {
  const port = await freePort();
  const child = spawnServer({ ...env, PORT: String(port) });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (c) => (stderr += c));
  child.stdout!.on('data', (c) => (stdout += c));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = new URL(`http://127.0.0.1:${port}`);
  for (const started = Date.now(); ; ) {
    if (child.exitCode !== null) throw new Error(`the server exited: ${stderr}`);
    if (Date.now() - started > 120_000) throw new Error(`the server did not start: ${stderr}`);
    if ((await send(new URL('/healthcheck', url), undefined).catch(() => undefined))?.status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url, exited, stdout: () => stdout };
}

export function send(
  url: URL,
  body: string | undefined,
  headers: Record<string, string> = {},
  agent: http.Agent | false = false,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: body === undefined ? 'GET' : 'POST', agent, headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
