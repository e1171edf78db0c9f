/** The errors only a cluster pool raises. Every other failure is one of weft's own (from @weft/core). */
import { WeftError } from "@weft/core";
import { named } from "@weft/core/transport";

/**
 * A function was given where a cluster pool needs a task name. No code travels over the queue:
 * a worker node runs only the task modules it was started with, so export the function from the
 * task module and call it by name.
 */
export class InlineTaskError extends WeftError {
  static {
    named(this, "InlineTaskError");
  }
}
