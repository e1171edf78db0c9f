/** Loads every module that registers a shared type's reviver (threading primitives, channels). */
import "./sync/index.js";
import "./channels/index.js";
