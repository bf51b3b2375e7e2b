/**
 * `@hush/keys` (under construction).
 * @module
 */
export {};
