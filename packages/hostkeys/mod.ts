/**
 * `@hush/hostkeys` (under construction).
 * @module
 */
export {};
