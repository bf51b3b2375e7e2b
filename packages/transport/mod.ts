/**
 * `@hush/transport` (under construction).
 * @module
 */
export {};
