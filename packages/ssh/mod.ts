/**
 * `@hush/ssh` (under construction).
 * @module
 */
export {};
