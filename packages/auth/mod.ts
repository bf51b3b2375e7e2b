/**
 * `@hush/auth` (under construction).
 * @module
 */
export {};
