const workerpool = require("workerpool");
workerpool.worker({ echo: (value) => value });
