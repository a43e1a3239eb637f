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
 * - Marquez serializes every absent value as `null` (Dropwizard's mapper; `"description": null`), which the
 *   document never marks `nullable`: a property with a `type` or a `$ref` also accepts null. Values that are present
 *   are still checked against their type.
 * - FacetsResult.facets is declared as one CustomFacet, but Marquez answers the facets by name (as
 *   RunFacets and JobFacets are declared): it is checked as that map.
 * - NodeType lists JOB and DATASET, but column-lineage nodes are DATASET_FIELD (Marquez's NodeType.java
 *   has it, and its web UI reads it): the enum gains it.
 * - DatasetVersion.tags is declared a string; Marquez answers an array of tag names, as Dataset.tags.
 * - Input/OutputDatasetVersion.facets are declared as strings by name; they are facets (objects), as
 *   Marquez answers them. BaseFacet requires `_producer` and `_schemaURL`, but facets are answered as the
 *   producer sent them, and real producers omit both (stored with a warning, see the README): not required.
 * - `format: URL` is not a format; it is accepted as any string.
 */
function adapt(node: unknown, isProperty = false): unknown {
  if (Array.isArray(node)) return node.map((n) => adapt(n));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'discriminator' || k === 'example') continue;
    if (k === 'properties' && v && typeof v === 'object') {
      out[k] = Object.fromEntries(Object.entries(v).map(([name, schema]) => [name, adapt(schema, true)]));
    } else out[k === 'oneOf' ? 'anyOf' : k] = adapt(v);
  }
  if (out.type === null) delete out.type; // SearchResult's `type:` left empty in the YAML
  if (isProperty && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (isProperty && typeof out.$ref === 'string') return { anyOf: [out, { type: 'null' }] };
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
addFormats(ajv);
ajv.addFormat('URL', true);
const components = adapt(document.components) as { schemas: Record<string, { properties: Record<string, unknown> }> };
components.schemas.FacetsResult!.properties.facets = { $ref: '#/components/schemas/RunFacets' };
components.schemas.DatasetVersion!.properties.tags = { type: 'array', items: { type: 'string' } };
for (const name of ['InputDatasetVersion', 'OutputDatasetVersion']) {
  components.schemas[name]!.properties.facets = { $ref: '#/components/schemas/RunFacets' };
}
delete (components.schemas.BaseFacet as { required?: string[] }).required;
(components.schemas.NodeType as unknown as { enum: string[] }).enum.push('DATASET_FIELD');
ajv.addSchema({ components }, 'marquez');

/** Validates `body` against `#/components/schemas/<name>`; returns the errors, empty when valid. */
export function marquezErrors(name: string, body: unknown): string[] {
  const validate = ajv.getSchema(`marquez#/components/schemas/${name}`);
  if (!validate) throw new Error(`no schema ${name} in openapi.yml`);
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}
