export * from './events';
export * from './namespaces';
export * from './datasets';
export * from './jobs';
export * from './runs';
export * from './facets';
