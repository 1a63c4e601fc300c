export * from './api.js';
export * from './dispatch.js';
export * from './errors.js';
export * from './query.js';
export * from './result.js';
export * from './types.js';
export * from './codec.js';
export * from './media.js';
