/**
 * `@hush/channels` (under construction).
 * @module
 */
export {};
