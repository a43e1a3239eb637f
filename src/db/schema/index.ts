export * from './datasets';
export * from './events';
export * from './facets';
export * from './jobs';
export * from './models';
export * from './namespaces';
export * from './runs';
export * from './tags';
