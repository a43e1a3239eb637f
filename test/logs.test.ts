import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/log';
import { databases, useDatabase } from './support/databases';
import { post } from './support/events';
import { runStory } from './support/run-events';

type Line = Record<string, unknown> & { level: string; msg?: string };

/** The real app over the test's database, logging JSON lines (as `npm start` does off a terminal) into `lines`. */
function loggedApp(ctx: ReturnType<ReturnType<typeof useDatabase>>, env: Record<string, string> = {}) {
  const lines: Line[] = [];
  const config = { ...ctx.config, ...(Object.keys(env).length && { principals: loadConfig(env).principals }) };
  const logger = createLogger({ level: 'debug', destination: { write: (s: string) => void lines.push(JSON.parse(s)) } });
  const app = createApp({ ...ctx, config, logger });
  // An endpoint that fails as a bug would, to see what an unexpected error leaves in the log.
  app.get('/api/v1/__fail', () => {
    throw new TypeError('something nobody expected');
  });
  return { app, lines, requests: () => lines.filter((l) => l.method !== undefined && l.status !== undefined) };
}

describe.each(databases)('logs on $name', (database) => {
  const ctx = useDatabase(database);

  it('writes one JSON line per request: id, route template, status, duration, principal', async () => {
    const { app, requests } = loggedApp(ctx());
    const res = await app.request('/api/v1/namespaces/no-such/jobs/nothing', { headers: { 'x-pedigree-actor': 'ada' } });
    expect(res.status).toBe(404);
    const [line, ...more] = requests();
    expect(more).toEqual([]);
    expect(line).toMatchObject({
      level: 'info',
      reqId: res.headers.get('x-request-id'),
      method: 'GET',
      route: '/api/v1/namespaces/:namespace/jobs/:job',
      path: '/api/v1/namespaces/no-such/jobs/nothing',
      status: 404,
      principal: 'ada',
    });
    expect(line!.reqId).toMatch(/^[0-9a-f-]{36}$/);
    expect(line!.durationMs).toBeTypeOf('number');
    expect(new Date(line!.time as string).toISOString()).toBe(line!.time);
  });

  it('keeps the caller’s X-Request-Id, and replaces one it cannot use', async () => {
    const { app, requests } = loggedApp(ctx());
    const kept = await app.request('/api/v1/namespaces', { headers: { 'x-request-id': 'trace-42_a=b' } });
    expect(kept.headers.get('x-request-id')).toBe('trace-42_a=b');
    const replaced = await app.request('/api/v1/namespaces', { headers: { 'x-request-id': 'x'.repeat(201) } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(requests().map((l) => l.reqId)).toEqual(['trace-42_a=b', replaced.headers.get('x-request-id')]);
  });

  it('names the producer of an accepted or refused event, and the principal of its key', async () => {
    const { app, requests } = loggedApp(ctx(), {
      PEDIGREE_PRINCIPALS: JSON.stringify([{ name: 'airflow-prod', key: 'k-12345678', scopes: ['ingest'] }]),
    });
    const event = runStory().events[0]!;
    const accepted = await post(app, event, { headers: { authorization: 'Bearer k-12345678' } });
    expect(accepted.status).toBe(201);
    const refused = await post(app, { ...event, eventTime: 'yesterday' }, { headers: { authorization: 'Bearer k-12345678' } });
    expect(refused.status).toBe(400);
    const unauthorized = await post(app, event);
    expect(unauthorized.status).toBe(401);
    const [ok, bad, anonymous] = requests();
    expect(ok).toMatchObject({
      status: 201,
      principal: 'airflow-prod',
      producer: event.producer,
      eventId: ((await accepted.json()) as { id: string }).id,
    });
    expect(bad).toMatchObject({ status: 400, principal: 'airflow-prod', producer: event.producer });
    expect(anonymous).toMatchObject({ status: 401, route: '/api/v1/lineage' });
    expect(anonymous!.principal).toBeUndefined();
    // A problem answered by app.onError still carries the id.
    expect(refused.headers.get('x-request-id')).toBe(bad!.reqId);
  });

  it('logs an unexpected error with its stack under the request’s id, and answers a problem without it', async () => {
    const { app, lines, requests } = loggedApp(ctx());
    const res = await app.request('/api/v1/__fail');
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(body).not.toContain('nobody expected');
    const failure = lines.find((l) => l.msg === 'request failed')!;
    expect(failure).toMatchObject({ level: 'error', reqId: res.headers.get('x-request-id'), method: 'GET', path: '/api/v1/__fail' });
    expect(failure.err).toMatchObject({ type: 'TypeError', message: 'something nobody expected' });
    expect((failure.err as { stack: string }).stack).toContain('logs.test.ts');
    expect(requests()).toMatchObject([{ level: 'error', status: 500, reqId: res.headers.get('x-request-id') }]);
  });

  it('logs health checks and scrapes at debug only', async () => {
    const { app, requests } = loggedApp(ctx());
    expect((await app.request('/healthcheck')).status).toBe(200);
    expect((await app.request('/metrics')).status).toBe(200);
    expect(requests().map((l) => [l.route, l.level])).toEqual([
      ['/healthcheck', 'debug'],
      ['/metrics', 'debug'],
    ]);
  });
});

describe('log settings', () => {
  it('reads PEDIGREE_LOG_LEVEL and PEDIGREE_LOG_FORMAT, and names a bad value', () => {
    expect(loadConfig({}).log).toEqual({ level: 'info', format: undefined });
    expect(loadConfig({ PEDIGREE_LOG_LEVEL: 'WARN', PEDIGREE_LOG_FORMAT: 'json' }).log).toEqual({ level: 'warn', format: 'json' });
    expect(() => loadConfig({ PEDIGREE_LOG_LEVEL: 'verbose' })).toThrow(/PEDIGREE_LOG_LEVEL must be one of trace, debug/);
    expect(() => loadConfig({ PEDIGREE_LOG_FORMAT: 'xml' })).toThrow(/PEDIGREE_LOG_FORMAT/);
  });

  it('drops records below the level', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', destination: { write: (s: string) => void lines.push(s) } });
    logger.info('not this');
    logger.warn({ n: 1 }, 'this');
    expect(lines.map((l) => JSON.parse(l))).toMatchObject([{ level: 'warn', n: 1, msg: 'this' }]);
  });
});

/**
 * A process that logs through the Node logger (src/log-node.ts) as `npm start` does off a terminal, runs
 * `then` (JavaScript, after the lines are logged), and the lines of its stdout with when each arrived.
 */
async function nodeLogged(count: number, then: string): Promise<{ lines: { msg: string; at: number }[]; exitedAt: number }> {
  const script = `import { nodeLogger } from './src/log-node.ts';
    const logger = nodeLogger({ level: 'info', format: 'json' });
    for (let i = 0; i < ${count}; i++) logger.info({ i }, 'line ' + i);
    ${then}`;
  const root = fileURLToPath(new URL('..', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const lines: { msg: string; at: number }[] = [];
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    for (const p of parts) lines.push({ msg: (JSON.parse(p) as { msg: string }).msg, at: Date.now() });
  });
  await new Promise((r) => child.once('close', r));
  return { lines, exitedAt: Date.now() };
}

describe('the Node logger', () => {
  it('writes a quiet process’s lines while it runs, not only when a block fills or it exits', async () => {
    // Three lines are far from a block: the flush timer writes them, seconds before the process ends.
    const { lines, exitedAt } = await nodeLogged(3, 'setTimeout(() => {}, 4000);');
    expect(lines.map((l) => l.msg)).toEqual(['line 0', 'line 1', 'line 2']);
    expect(exitedAt - lines[0]!.at).toBeGreaterThan(1500);
  });

  it('writes everything buffered when the process exits at once, or on an uncaught error', async () => {
    const exited = await nodeLogged(1000, 'process.exit(0);');
    expect(exited.lines.map((l) => l.msg)).toEqual(Array.from({ length: 1000 }, (_, i) => `line ${i}`));
    const crashed = await nodeLogged(2, "throw new Error('boom');");
    expect(crashed.lines.map((l) => l.msg)).toEqual(['line 0', 'line 1']);
  });
});
