/**
 * The model questions from a terminal or a CI pipeline: each command is one call to a running Pedigree
 * (PEDIGREE_URL, default http://localhost:5000; PEDIGREE_API_KEY when keys are configured), printed for
 * people, or as the API's JSON with --json. Exit codes: 0 yes/ok, 1 no (check-run fails, approval is not
 * approved), 2 usage or request errors.
 */

// biome-ignore lint/suspicious/noExplicitAny: answers are printed, not typed.
type Json = Record<string, any>;

export const MODEL_USAGE = `  lineage <model> <version> [--depth N]
                      which data (versions), code and parameters trained the version
  models-of <namespace> <dataset> [--version V] [--direct]
                      which model versions were trained on the dataset, and which are in production
  diff <model> [--from V] [--to V]
                      why a version may have regressed: its lineage against another (default: the
                      previous version that reached Production), causes ranked
  approval <model> <version>
                      stage, policy verdict, approvals and history (exit 1 unless approved for production)
  check-run <runId>   the promotion policy's run-level rules (exit 1 when any fails)

  A version is a number, an alias (@champion), a stage (Production) or latest. --json prints the API's answer.
  These commands ask the server at PEDIGREE_URL (default http://localhost:5000) with PEDIGREE_API_KEY.`;

export const MODEL_COMMANDS = new Set(['lineage', 'models-of', 'diff', 'approval', 'check-run']);

class UsageError extends Error {}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} needs a value`);
  return v;
}

const positional = (args: string[]) =>
  args.filter((a, i) => !a.startsWith('--') && !(i > 0 && ['--depth', '--version', '--from', '--to'].includes(args[i - 1]!)));
const enc = encodeURIComponent;

export async function runModelCommand(
  command: string,
  args: string[],
  env: Record<string, string | undefined>,
  out: (s: string) => void,
): Promise<number> {
  try {
    const [a, b] = positional(args);
    const need = (v: string | undefined, what: string) => {
      if (!v) throw new UsageError(`${command}: missing ${what}`);
      return v;
    };
    let path: string;
    switch (command) {
      case 'lineage':
        path = `/api/v1/models/${enc(need(a, '<model>'))}/versions/${enc(need(b, '<version>'))}/lineage?depth=${enc(option(args, '--depth') ?? '20')}`;
        break;
      case 'models-of': {
        const version = option(args, '--version');
        path = `/api/v1/namespaces/${enc(need(a, '<namespace>'))}/datasets/${enc(need(b, '<dataset>'))}/models?transitive=${!args.includes('--direct')}${version ? `&version=${enc(version)}` : ''}`;
        break;
      }
      case 'diff': {
        const [from, to] = [option(args, '--from'), option(args, '--to')];
        path = `/api/v1/models/${enc(need(a, '<model>'))}/diff?to=${enc(to ?? 'latest')}${from ? `&from=${enc(from)}` : ''}`;
        break;
      }
      case 'approval':
        path = `/api/v1/models/${enc(need(a, '<model>'))}/versions/${enc(need(b, '<version>'))}/approval`;
        break;
      case 'check-run':
        path = `/api/v1/runs/${enc(need(a, '<runId>'))}/policy-check`;
        break;
      default:
        throw new UsageError(`unknown command ${command}`);
    }
    const body = await request(env, path);
    if (args.includes('--json')) out(JSON.stringify(body, null, 2));
    else out(format(command, body));
    if (command === 'check-run') return body.passes ? 0 : 1;
    if (command === 'approval') return body.approvedForProduction ? 0 : 1;
    return 0;
  } catch (error) {
    out(error instanceof UsageError ? `${error.message}\n\nusage:\n${MODEL_USAGE}` : `error: ${(error as Error).message}`);
    return 2;
  }
}

async function request(env: Record<string, string | undefined>, path: string): Promise<Json> {
  const base = (env.PEDIGREE_URL || 'http://localhost:5000').replace(/\/+$/, '');
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      headers: { accept: 'application/json', ...(env.PEDIGREE_API_KEY ? { authorization: `Bearer ${env.PEDIGREE_API_KEY}` } : {}) },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
    throw new Error(`cannot reach Pedigree at ${base} (PEDIGREE_URL): ${cause}`);
  }
  const text = await res.text();
  let body: Json;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${res.status} from ${base}${path}: ${text.slice(0, 200)}`);
  }
  if (!res.ok) throw new Error(`${res.status} ${body.title ?? ''}: ${body.detail ?? body.message ?? text.slice(0, 200)}`);
  return body;
}

// ---------------------------------------------------------------------------------------------------------
// Human-readable answers

function format(command: string, b: Json): string {
  switch (command) {
    case 'lineage':
      return formatLineage(b);
    case 'models-of':
      return formatModelsOf(b);
    case 'diff':
      return formatDiff(b);
    case 'approval':
      return formatApproval(b);
    default:
      return formatCheck(b);
  }
}

const versionTitle = (m: Json) => `${m.name} version ${m.version} (${m.stage}${m.aliases?.length ? `, @${m.aliases.join(', @')}` : ''})`;

function formatLineage(b: Json): string {
  const lines = [
    versionTitle(b.model),
    `registered by ${b.model.registeredBy ?? 'unknown'} at ${b.model.registeredAt}; source ${b.model.source ?? '-'}`,
    '',
  ];
  if (b.trainingRuns.length === 0) lines.push('No confirmed training run. Candidate links:');
  for (const r of b.trainingRuns) {
    lines.push(`Training run ${r.runId} of ${r.job.namespace}:${r.job.name} (${r.state}, ${r.startedAt ?? '?'} .. ${r.endedAt ?? '?'})`);
    lines.push('  data:');
    for (const i of r.inputs)
      lines.push(
        `    ${i.namespace}:${i.name} @ ${i.version ?? 'unknown version'}${i.fields ? ` (${i.fields.map((f: Json) => f.name).join(', ')})` : ''}`,
      );
    if (r.code)
      lines.push(`  code: ${r.code.gitCommit ?? '?'}${r.code.repoUrl ? ` ${r.code.repoUrl}` : ''}${r.code.path ? ` ${r.code.path}` : ''}`);
    const params = Object.entries(r.parameters);
    if (params.length) lines.push(`  parameters: ${params.map(([k, v]) => `${k}=${v}`).join(', ')}`);
    const tags = Object.entries(r.tags);
    if (tags.length) lines.push(`  tags: ${tags.map(([k, v]) => `${k}=${v}`).join(', ')}`);
    lines.push('');
  }
  lines.push('Links:');
  for (const l of b.links) {
    const target = l.kind === 'run' ? `run ${l.runId}` : `${l.dataset.namespace}:${l.dataset.name} @ ${l.dataset.version}`;
    lines.push(`  ${l.status.padEnd(9)} ${l.method.padEnd(19)} ${l.confidence.toFixed(2)}  ${target}  [${l.id}]`);
  }
  lines.push('', `Upstream: ${b.upstream.graph.length} nodes`);
  return lines.join('\n');
}

function formatModelsOf(b: Json): string {
  const d = b.dataset;
  const lines = [`Models trained on ${d.namespace}:${d.name}${d.version ? ` @ ${d.version}` : ''}:`];
  if (b.models.length === 0) lines.push('  none');
  for (const m of b.models) {
    const flags = [
      m.inProduction ? 'IN PRODUCTION' : m.stage,
      ...(m.deployed ? [`deployed at ${m.deployments.map((x: Json) => `${x.endpoint} (${x.environment})`).join(', ')}`] : []),
    ];
    lines.push(`  ${m.model} version ${m.version}: ${flags.join(', ')}${m.direct ? '' : ' (through downstream jobs)'}`);
    lines.push(
      `    path: ${m.path.map((p: Json) => `${p.kind === 'job' ? 'job ' : ''}${p.namespace}:${p.name}${p.version ? ` @ ${p.version}` : ''}`).join(' -> ')}`,
    );
  }
  if (b.truncated) lines.push('  (the walk was cut short: too many downstream runs)');
  return lines.join('\n');
}

function formatDiff(b: Json): string {
  const lines = [
    `${b.to.name} version ${b.to.version} against version ${b.from.version}${b.baseline === 'last_production' ? ' (the previous version that reached Production)' : ''}`,
    '',
  ];
  lines.push('Most likely causes first:');
  if (b.causes.length === 0) lines.push('  none found in lineage');
  for (const [i, c] of (b.causes as Json[]).entries()) lines.push(`  ${i + 1}. [${c.kind}] ${c.summary}`);
  if (b.metrics.length) {
    lines.push('', 'Metrics:');
    for (const m of b.metrics)
      lines.push(`  ${m.name}: ${m.from ?? '-'} -> ${m.to ?? '-'}${m.delta !== null ? ` (${m.delta > 0 ? '+' : ''}${m.delta})` : ''}`);
  }
  return lines.join('\n');
}

function formatApproval(b: Json): string {
  const lines = [
    versionTitle(b.model),
    `approved for production: ${b.approvedForProduction ? 'YES' : 'NO'}`,
    '',
    `policy ${b.policy.passes ? 'passes' : 'fails'}:`,
  ];
  for (const r of b.policy.rules) lines.push(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.rule}: ${r.detail}`);
  lines.push('', 'approvals:');
  if (b.approvals.length === 0) lines.push('  none');
  for (const a of b.approvals) lines.push(`  ${a.actor} at ${a.approvedAt}${a.comment ? `: ${a.comment}` : ''}`);
  lines.push('', 'history:');
  for (const h of b.history)
    lines.push(`  ${h.at}  ${h.actor.padEnd(16)} ${h.action}${h.version === null ? ' (model)' : ''} ${JSON.stringify(h.detail)}`);
  if (b.deployments.length) {
    lines.push('', 'deployments:');
    for (const d of b.deployments)
      lines.push(`  ${d.endpoint} (${d.environment}) at ${d.deployedAt} by ${d.actor}${d.current ? ', current' : ''}`);
  }
  return lines.join('\n');
}

function formatCheck(b: Json): string {
  const lines = [`run ${b.runId}${b.job ? ` of ${b.job.namespace}:${b.job.name}` : ''}: ${b.passes ? 'passes' : 'FAILS'}`];
  for (const r of b.rules) lines.push(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.rule}: ${r.detail}`);
  return lines.join('\n');
}
