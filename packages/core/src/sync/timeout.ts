/** Timeouts (milliseconds) turned into absolute deadlines on performance.now()'s clock. */
// The check itself lives with every other argument check, in ../options.ts.
export { toDeadline } from "../options.js";
