/**
 * @weft/core/transport — for pools over other transports (@weft/cluster): the same map/imap
 * chunking and option checks as the local Pool, the error codec that carries a thrown value
 * across any wire, error-class registration, and a Future's controller, so that such a pool
 * settles the Futures it hands out exactly as the local Pool does.
 */
export { mapChunks, imapChunks, type SubmitChunk } from "./pool/map.js";
export { abortReasonToError, checkKnownKeys } from "./options.js";
export { serializeError, deserializeError, type SerializedError } from "./codec/thrown.js";
export { named, errorBrand, brandedClass } from "./errors.js";
export { futureController, type FutureController } from "./future.js";
