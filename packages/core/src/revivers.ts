/** Loads every module that registers a shared type's reviver (threading primitives, channels, a Manager's proxies). */
import "./sync/index.js";
import "./channels/index.js";
import "./manager/index.js";
