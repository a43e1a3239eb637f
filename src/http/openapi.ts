import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './context';

/**
 * Pedigree's OpenAPI 3.1 document, generated from the routes' declarations (src/http/routes/*): each
 * route's parameters, body, answers and the scope it needs (as its bearer security requirement).
 */
export function openApiDocument(app: OpenAPIHono<AppEnv>) {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description:
      'A key of PEDIGREE_PRINCIPALS or PEDIGREE_API_KEYS; each operation names the scope it needs (none: any valid key). With no key configured, no authentication.',
  });
  const document = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Pedigree',
      version: '0.1.0',
      description:
        'An OpenLineage collector with a Marquez-compatible read API and an MLflow-compatible model registry. Ingest: `POST /api/v1/lineage` ' +
        '(OpenLineage RunEvent, DatasetEvent or JobEvent). Reads answer in the shapes of Marquez (api/openapi.yml of MarquezProject/marquez); ' +
        "errors are RFC 9457 problem details that also carry Marquez's `code` and `message`; under /api/2.0/mlflow, MLflow's `{error_code, message}`.",
    },
    servers: [{ url: 'http://localhost:5000' }],
  });
  document.paths = {
    ...document.paths,
    '/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } } } },
  };
  return document;
}
