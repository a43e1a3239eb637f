import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

/** Marquez's own API description, the reference for the compatible read API. */
const file = fileURLToPath(new URL('../../../shared/marquez-api/openapi.yml', import.meta.url));
const document = parse(readFileSync(file, 'utf8')) as { components: { schemas: Record<string, unknown> } };

/**
 * The document is OpenAPI 3.0 (JSON Schema draft-04 dialect plus keywords). Two of its constructs cannot
 * validate any real response and are adapted, nothing else:
 * - GraphNode.data is `oneOf [Dataset, Job]` with a `discriminator` on `type`, but neither schema has
 *   required properties, so every object matches both and `oneOf` always fails; Marquez's own `data.type`
 *   is `DB_TABLE`/`BATCH`, not the mapping's `DATASET`/`JOB`. It becomes `anyOf`.
 * - `format: URL` is not a format; it is read as `uri-reference`-free text (ignored).
 */
function adapt(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(adapt);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'discriminator' || k === 'example') continue;
    out[k === 'oneOf' ? 'anyOf' : k] = adapt(v);
  }
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
addFormats(ajv);
ajv.addFormat('URL', true);
ajv.addSchema({ components: adapt(document.components) }, 'marquez');

/** Validates `body` against `#/components/schemas/<name>`; returns the errors, empty when valid. */
export function marquezErrors(name: string, body: unknown): string[] {
  const validate = ajv.getSchema(`marquez#/components/schemas/${name}`);
  if (!validate) throw new Error(`no schema ${name} in openapi.yml`);
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}
