/** The object behind a manager's Queue proxy: the items of a channel store, served by calls. */
import type { ChannelStore } from "../../channels/store.js";
import type { Methods } from "../server.js";

export function queueMethods(store: ChannelStore<unknown>): Methods {
  return {
    put: ([item, timeout], { signal }) => store.put(item, { timeout: timeout as number | null, signal }),
    get: ([timeout], { signal }) => store.get({ timeout: timeout as number | null, signal }),
    qsize: () => store.qsize(),
    taskDone: () => store.taskDone(1, false),
    join: ([timeout], { signal }) => new Promise<void>((resolve, reject) => store.join({ timeout: timeout as number | null, signal }, resolve, reject)),
    close: () => store.close(),
  };
}
