/**
 * @weft/core/transport — for pools over other transports (@weft/cluster): the pool's front
 * ({@link TaskFront}: submission, cancellation, the ledger of pending tasks, close/terminate, the
 * counts and back-pressure under `maxQueue`, once for every pool) and the dispatcher port it drives ({@link TaskDispatcher},
 * whose contract says what a transport must do); the tasks it hands out ({@link FrontTask});
 * the same map/imap chunking and option checks as the local Pool; the error codec that carries a
 * thrown value across any wire; error-class registration; and a Future's controller.
 */
export { TaskFront, checkMaxQueue, type FrontSettings } from "./pool/front.js";
export type { TaskDispatcher } from "./pool/dispatcher.js";
export { FrontTask, type FrontTaskInit, type TaskEnd, type TaskObserver } from "./pool/front-task.js";
export { mapChunks, imapChunks, type SubmitChunk } from "./pool/map.js";
export { abortReasonToError, checkArgumentList, checkKnownKeys, checkTaskSignal } from "./options.js";
export { serializeError, deserializeError, type SerializedError } from "./codec/thrown.js";
export { named, errorBrand, brandedClass } from "./errors.js";
export { futureController, type FutureController } from "./future.js";
