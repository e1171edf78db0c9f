// The raw floor of a thread round trip on any runtime with Web Workers: echo every message.
self.onmessage = (event) => self.postMessage(event.data);
