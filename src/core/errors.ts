/**
 * The domain's errors. `read/`, `models/` and `ingest/` throw these and know nothing of HTTP; the one
 * mapping to statuses and bodies (problem+json, MLflow's `{error_code}`) is `http/errors.ts`.
 */

/** One finding, located by an RFC 6901 JSON pointer ("" is the whole input). */
export interface Deviation {
  pointer: string;
  message: string;
}

export type DomainErrorKind =
  /** What was asked for does not exist. */
  | 'notFound'
  /** The input cannot be used; `errors` names each place. */
  | 'invalid'
  /** Creating something that exists already (MLflow: RESOURCE_ALREADY_EXISTS). */
  | 'alreadyExists'
  /** The change contradicts the current state (a stage, a decision already taken). */
  | 'conflict'
  /** The promotion policy refuses the change; `errors` names each unmet rule. */
  | 'policyRefused'
  /** The actor may not do this, whatever their scopes (approving one's own version). */
  | 'forbidden';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    readonly errors?: Deviation[],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (message: string) => new DomainError('notFound', message);
export const alreadyExists = (message: string) => new DomainError('alreadyExists', message);
export const conflict = (message: string) => new DomainError('conflict', message);
export const forbidden = (message: string) => new DomainError('forbidden', message);
export const policyRefused = (message: string, errors: Deviation[]) => new DomainError('policyRefused', message, errors);

/** An invalid input at `pointer`; `detail` (default: the message) summarizes it. */
export const invalid = (pointer: string, message: string, detail = message) => new DomainError('invalid', detail, [{ pointer, message }]);
export const invalidAll = (detail: string, errors: Deviation[]) => new DomainError('invalid', detail, errors);
