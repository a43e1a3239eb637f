import { notFound } from '../core/errors';

/** The registry's own not-found messages, worded as MLflow words them (its clients show them). */
export const modelNotFound = (name: string) => notFound(`Registered Model with name=${name} not found`);
export const versionNotFound = (name: string, version: string | number) =>
  notFound(`Model Version (name=${name}, version=${version}) not found`);
