import { useId, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client';
import { href } from '../links';
import { AuditNotice, type Schemas, useAuditedWrite, WriteProblem } from './model-common';
import { ModelMarkdown } from './model-markdown';
import { Empty, Loaded } from './state';
import { Time } from './time';
import { WriteButton } from './write-button';

type Card = Schemas['ModelCard'];
type Fields = Card['fields'];

function metricsText(metrics: Fields['metrics']): string {
  return Object.entries(metrics ?? {})
    .map(([k, v]) => `${k} = ${v}`)
    .join('\n');
}

function parseMetrics(text: string): Record<string, number | string> | string {
  const out: Record<string, number | string> = {};
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^([^=]+)=(.*)$/.exec(line);
    if (!m) return `line ${i + 1}: write each metric as name = value`;
    const value = m[2]!.trim();
    out[m[1]!.trim()] = value !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
  }
  return out;
}

/** The model card: rendered Markdown, its structured fields and the training data generated from lineage; editable with the write scope. */
export function ModelCardSection({ name, version }: { name: string; version: string }) {
  const card = api.useQuery('get', '/api/v1/models/{name}/versions/{version}/card', { params: { path: { name, version } } });
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const audited = useAuditedWrite(name, version);
  return (
    <Loaded query={card} what="the model card">
      {(c) =>
        editing ? (
          <CardEditor
            name={name}
            version={version}
            card={c}
            audited={audited}
            close={(done) => {
              setEditing(false);
              setSaved(done);
            }}
          />
        ) : (
          <>
            {saved && <AuditNotice entry={audited.entry} label={audited.label} />}
            <CardView
              card={c}
              edit={() => {
                setSaved(false);
                setEditing(true);
              }}
              name={name}
              version={version}
            />
          </>
        )
      }
    </Loaded>
  );
}

function CardFieldsView({ fields }: { fields: Fields }) {
  const metrics = Object.entries(fields.metrics ?? {});
  const extra = Object.entries(fields).filter(([k]) => !['intendedUse', 'limitations', 'metrics'].includes(k));
  if (!fields.intendedUse && !fields.limitations && metrics.length === 0 && extra.length === 0) return null;
  return (
    <dl className="facts model-card-fields">
      {fields.intendedUse && (
        <>
          <dt>Intended use</dt>
          <dd>{fields.intendedUse}</dd>
        </>
      )}
      {fields.limitations && (
        <>
          <dt>Limitations</dt>
          <dd>{fields.limitations}</dd>
        </>
      )}
      {metrics.length > 0 && (
        <>
          <dt>Metrics</dt>
          <dd>
            {metrics.map(([k, v]) => (
              <span key={k} className="model-metric">
                <code>{k}</code> <strong>{String(v)}</strong>
              </span>
            ))}
          </dd>
        </>
      )}
      {extra.map(([k, v]) => (
        <div key={k} className="model-contents">
          <dt>{k}</dt>
          <dd>
            <code>{typeof v === 'string' ? v : JSON.stringify(v)}</code>
          </dd>
        </div>
      ))}
    </dl>
  );
}

function TrainingData({ card }: { card: Card }) {
  if (card.trainingData.length === 0) return <Empty>No confirmed training run: the training data is unknown.</Empty>;
  return (
    <ul className="model-training-data">
      {card.trainingData.map((t) => (
        <li key={t.runId}>
          Run{' '}
          <Link href={href.run(t.runId)} className="mono">
            {t.runId.slice(0, 8)}
          </Link>{' '}
          of <Link href={href.job(t.job.namespace, t.job.name)}>{t.job.name}</Link> read{' '}
          {t.inputs.map((d, i) => (
            <span key={`${d.namespace}:${d.name}`}>
              {i > 0 && (i === t.inputs.length - 1 ? ' and ' : ', ')}
              <Link href={href.dataset(d.namespace, d.name)}>{d.name}</Link> <span className="badge">{d.version ?? 'unknown version'}</span>
            </span>
          ))}
          {t.inputs.length === 0 && <span className="muted">no inputs</span>}
        </li>
      ))}
    </ul>
  );
}

function CardView({ card, edit, name, version }: { card: Card; edit: () => void; name: string; version: string }) {
  return (
    <div className="model-card">
      <div className="model-card-head">
        <span className="muted">
          {card.updatedAt ? (
            <>
              Last written by <strong>{card.updatedBy ?? 'unknown'}</strong> <Time iso={card.updatedAt} />
            </>
          ) : (
            `${name} v${version} has no card yet.`
          )}
        </span>
        <WriteButton scope="write" onClick={edit}>
          {card.markdown ? 'Edit card' : 'Write card'}
        </WriteButton>
      </div>
      {card.markdown ? (
        <div className="model-card-body">
          <ModelMarkdown markdown={card.markdown} />
        </div>
      ) : (
        <Empty>No card text.</Empty>
      )}
      <CardFieldsView fields={card.fields} />
      <h3>Training data (from lineage)</h3>
      <TrainingData card={card} />
    </div>
  );
}

function CardEditor({
  name,
  version,
  card,
  audited,
  close,
}: {
  name: string;
  version: string;
  card: Card;
  audited: ReturnType<typeof useAuditedWrite>;
  close: (saved: boolean) => void;
}) {
  const [markdown, setMarkdown] = useState(card.markdown);
  const [intendedUse, setIntendedUse] = useState(card.fields.intendedUse ?? '');
  const [limitations, setLimitations] = useState(card.fields.limitations ?? '');
  const [metrics, setMetrics] = useState(metricsText(card.fields.metrics));
  const [preview, setPreview] = useState(false);
  const save = api.useMutation('put', '/api/v1/models/{name}/versions/{version}/card', {
    onSuccess: async () => {
      await audited.done();
      close(true);
    },
  });
  const ids = { md: useId(), use: useId(), lim: useId(), met: useId() };
  const parsed = parseMetrics(metrics);
  return (
    <form
      className="model-card-editor"
      onSubmit={(e) => {
        e.preventDefault();
        if (typeof parsed === 'string') return;
        audited.begin('card.updated', `Saved the card of ${name} v${version}`);
        const rest = Object.fromEntries(
          Object.entries(card.fields).filter(([k]) => !['intendedUse', 'limitations', 'metrics'].includes(k)),
        );
        save.mutate({
          params: { path: { name, version } },
          body: {
            markdown,
            fields: {
              ...rest,
              ...(intendedUse.trim() ? { intendedUse: intendedUse.trim() } : {}),
              ...(limitations.trim() ? { limitations: limitations.trim() } : {}),
              ...(Object.keys(parsed).length ? { metrics: parsed } : {}),
            },
          },
        });
      }}
    >
      <fieldset className="model-tabs">
        <legend className="visually-hidden">Card text</legend>
        <button type="button" aria-pressed={!preview} onClick={() => setPreview(false)}>
          Write
        </button>
        <button type="button" aria-pressed={preview} onClick={() => setPreview(true)}>
          Preview
        </button>
      </fieldset>
      {preview ? (
        <div className="model-card-body model-preview">
          {markdown.trim() ? <ModelMarkdown markdown={markdown} /> : <Empty>Nothing to preview.</Empty>}
        </div>
      ) : (
        <>
          <label htmlFor={ids.md} className="visually-hidden">
            Card (Markdown)
          </label>
          <textarea id={ids.md} value={markdown} onChange={(e) => setMarkdown(e.target.value)} />
        </>
      )}
      <div className="model-card-inputs">
        <label htmlFor={ids.use}>Intended use</label>
        <input id={ids.use} type="text" value={intendedUse} onChange={(e) => setIntendedUse(e.target.value)} />
        <label htmlFor={ids.lim}>Limitations</label>
        <input id={ids.lim} type="text" value={limitations} onChange={(e) => setLimitations(e.target.value)} />
        <label htmlFor={ids.met}>Metrics (name = value, one a line)</label>
        <textarea
          id={ids.met}
          className="model-metrics-input"
          value={metrics}
          onChange={(e) => setMetrics(e.target.value)}
          aria-invalid={typeof parsed === 'string'}
        />
      </div>
      {typeof parsed === 'string' && (
        <p className="model-field-error" role="alert">
          {parsed}
        </p>
      )}
      <div className="toolbar">
        <WriteButton scope="write" type="submit" className="primary" disabled={save.isPending || typeof parsed === 'string'}>
          {save.isPending ? 'Saving…' : 'Save card'}
        </WriteButton>
        <button type="button" onClick={() => close(false)}>
          Cancel
        </button>
      </div>
      <WriteProblem error={save.error} what="save the card" />
    </form>
  );
}
