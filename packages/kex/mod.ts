/**
 * `@hush/kex` (under construction).
 * @module
 */
export {};
