import { Problem } from '../http/problem';

/** MLflow's error codes; the MLflow routes answer `{error_code, message}`, the native ones problem+json. */
export type RegistryErrorCode = 'RESOURCE_DOES_NOT_EXIST' | 'RESOURCE_ALREADY_EXISTS' | 'INVALID_PARAMETER_VALUE' | 'INVALID_STATE';

export class RegistryProblem extends Problem {
  constructor(
    status: number,
    readonly errorCode: RegistryErrorCode,
    detail: string,
    errors?: { pointer: string; message: string }[],
  ) {
    super(status, TITLES[status] ?? 'Error', detail, errors);
  }
}

const TITLES: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict' };

export const modelNotFound = (name: string) =>
  new RegistryProblem(404, 'RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${name} not found`);
export const versionNotFound = (name: string, version: string | number) =>
  new RegistryProblem(404, 'RESOURCE_DOES_NOT_EXIST', `Model Version (name=${name}, version=${version}) not found`);
export const invalid = (pointer: string, message: string) =>
  new RegistryProblem(400, 'INVALID_PARAMETER_VALUE', message, [{ pointer, message }]);
