/**
 * `@hush/cipher` (under construction).
 * @module
 */
export {};
