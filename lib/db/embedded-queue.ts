import type { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/**
 * pglite-socket serves every connection from one PGlite backend through a queue of protocol
 * messages, and keeps one connection's messages together only inside a transaction. A
 * parameterised query is several messages (Parse, Bind, Describe, Execute, then Sync); when a large
 * one arrives in several TCP chunks, another connection's Parse can land between them and the
 * backend answers "bind message supplies N parameters, but prepared statement requires M".
 * This keeps a connection's extended-protocol messages together until its Sync, as a real server's
 * separate backends would. (Patches the server's queue; checked by embedded-concurrency test.)
 */
type QueuedMessage = { handlerId: number; message: Uint8Array; resolve(bytes: number): void; reject(err: unknown): void; onData(data: Uint8Array): void };
type PGliteLike = {
  isInTransaction(): boolean;
  runExclusive<T>(fn: () => Promise<T>): Promise<T>;
  execProtocolRawStream(m: Uint8Array, o: { onRawData(d: Uint8Array): void }): Promise<void>;
};
type QueryQueue = {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  db: PGliteLike;
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
};

// Parse, Bind, Describe, Execute, Close, Flush: a Sync (or a simple Query) ends the sequence.
const EXTENDED = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48]);

export function keepExtendedQueriesWhole(server: PGLiteSocketServer): void {
  const q = (server as unknown as { queryQueue: QueryQueue }).queryQueue;
  let midSequence: number | null = null;

  const clear = q.clearQueueForHandler.bind(q);
  q.clearQueueForHandler = (handlerId) => {
    clear(handlerId);
    if (midSequence === handlerId) {
      // The connection went away mid-query: the others' waiting messages go on.
      midSequence = null;
      void q.processQueue();
    }
  };

  q.processQueue = async function processQueue(this: QueryQueue) {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const owner = midSequence ?? (this.db.isInTransaction() ? this.lastHandlerId : null);
        const index = owner === null ? 0 : this.queue.findIndex((m) => m.handlerId === owner);
        if (index === -1) break; // the owner's next message has not arrived yet; its arrival resumes the queue
        const item = this.queue.splice(index, 1)[0]!;
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
        } catch (err) {
          midSequence = null;
          item.reject(err);
          continue;
        }
        this.lastHandlerId = item.handlerId;
        midSequence = EXTENDED.has(item.message[0]!) ? item.handlerId : null;
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  };
}
