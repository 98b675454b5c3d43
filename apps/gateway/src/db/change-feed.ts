/**
 * Tells every gateway process sharing a database that credentials or settings changed (a token revoked, a user
 * locked or re-granted, a session ended, a setting set), so in-memory caches can drop what they hold. It rides on
 * PostgreSQL LISTEN/NOTIFY; the publishing process's own listeners run synchronously before `publish` resolves,
 * so a change is never stale in the process that made it. A (re)connected listener also fires, because
 * notifications sent while it was away are lost.
 */
export const CHANGE_CHANNEL = "rack_gateway_changes";

export interface ChangeFeed {
  /** Runs this process's listeners, then notifies the other processes. */
  publish(): Promise<void>;
  /** Calls `listener` on every change anywhere (and after a reconnect). Returns an unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Starts listening on the database (idempotent). */
  start(): Promise<void>;
  /** Stops listening. */
  stop(): Promise<void>;
}

export interface ChangeTransport {
  /** LISTEN on the channel; `onListen` fires on every (re)connection. Resolves to an unlisten function. */
  listen(channel: string, onNotify: () => void, onListen: () => void): Promise<() => Promise<void>>;
  notify(channel: string): Promise<void>;
}

export function createChangeFeed(transport: ChangeTransport, onError: (error: unknown) => void): ChangeFeed {
  const listeners = new Set<() => void>();
  const fire = () => {
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        onError(error);
      }
    }
  };
  let unlisten: Promise<() => Promise<void>> | null = null;
  return {
    async publish() {
      fire();
      try {
        await transport.notify(CHANGE_CHANNEL);
      } catch (error) {
        // Other processes then catch up when their cache entries age out; this one is already current.
        onError(error);
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      unlisten ??= transport.listen(CHANGE_CHANNEL, fire, fire);
      return unlisten.then(() => undefined);
    },
    async stop() {
      if (!unlisten) return;
      const stopListening = await unlisten;
      unlisten = null;
      await stopListening().catch(onError);
    },
  };
}
