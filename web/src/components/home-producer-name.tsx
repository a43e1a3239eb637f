const KNOWN: Record<string, string> = {
  airflow: 'Airflow',
  spark: 'Spark',
  flink: 'Flink',
  dbt: 'dbt',
  dagster: 'Dagster',
  hive: 'Hive',
  trino: 'Trino',
  great_expectations: 'Great Expectations',
  'great-expectations': 'Great Expectations',
  python: 'Python client',
  java: 'Java client',
  sql: 'SQL parser',
  client: 'OpenLineage client',
};

const VERSION = /^v?\d+([.-]\d+)*([.-][A-Za-z0-9]+)*$/;

/**
 * A producer URI said the way people name it: `https://github.com/OpenLineage/OpenLineage/tree/1.23.0/integration/spark`
 * is Spark 1.23.0, `https://github.com/apache/airflow/tree/providers-openlineage/1.14.0` Airflow 1.14.0.
 * Anything else is its host and last path segment.
 */
export function producerName(uri: string): { name: string; version?: string } {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { name: uri || '(no producer)' };
  }
  const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const version = segments.find((s) => VERSION.test(s));
  const known = [...segments].reverse().find((s) => KNOWN[s.toLowerCase()]);
  // Airflow's own provider package, not the OpenLineage repository's integration.
  const provider = segments.some((s) => s.toLowerCase() === 'providers-openlineage');
  const name = provider
    ? 'Airflow provider'
    : known
      ? KNOWN[known.toLowerCase()]!
      : segments.length > 0
        ? `${segments.at(-1)} (${url.host})`
        : url.host;
  return version ? { name, version } : { name };
}

/** What a screen reader says for a producer: its name, version and URI. */
export function producerLabel(uri: string): string {
  const { name, version } = producerName(uri);
  return `${name}${version ? ` ${version}` : ''}, ${uri}`;
}

/** The producer's friendly name, its version, and the URI itself underneath. */
export function ProducerName({ uri, showUri = true }: { uri: string; showUri?: boolean }) {
  const { name, version } = producerName(uri);
  return (
    <span className="producer-name">
      <span>
        <strong>{name}</strong>
        {version && <span className="muted"> {version}</span>}
      </span>
      {showUri && uri !== name && <span className="producer-uri muted">{uri}</span>}
    </span>
  );
}
