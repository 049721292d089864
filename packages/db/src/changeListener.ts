// The LISTEN side of the change notifications that the migration `change_notifications` sends from triggers.
// One dedicated connection (never a pooled one: LISTEN belongs to a session), re-opened whenever it is lost,
// with a round trip every `heartbeatMs` so that the user of the notifications knows how recent its news is.
import type pg from "pg";
import { connectClient } from "./connection";

/** The channel every trigger of the change_notifications migration notifies. */
export const CHANGES_CHANNEL = "blocklist_changes";
/** The listening connection's application_name in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = "blocklist-change-listener";

export interface ChangeListenerEvents {
  /**
   * LISTEN is in place: every change committed from now on will be delivered. Changes committed while no
   * connection listened were not, so whatever was derived from earlier notifications must be dropped.
   * `since` is when the confirming round trip began (performance.now()).
   */
  onListening(since: number): void;
  /** A round trip on the listening connection came back: every change committed before `since` has been delivered. */
  onAlive(since: number): void;
  /** One notification's payload, in commit order. */
  onNotification(payload: string): void;
  /** The connection was lost (or stopped answering): notifications may be missed until the next onListening. */
  onLost(error: unknown): void;
}

export interface ChangeListenerOptions extends ChangeListenerEvents {
  connectionString: string;
  /** Time between round trips on the connection; default 250 ms. */
  heartbeatMs?: number;
  /** A round trip unanswered for this long counts as a lost connection; default 5 s. */
  heartbeatTimeoutMs?: number;
  /** First wait before reconnecting; doubles up to 2 s while the database stays away. Default 100 ms. */
  reconnectDelayMs?: number;
  /** How long opening the connection may take; default 5 s. */
  connectTimeoutMs?: number;
}

export interface ChangeListener {
  /** Closes the connection and stops reconnecting. */
  stop(): Promise<void>;
}

const MAX_RECONNECT_DELAY_MS = 2000;

export function startChangeListener(options: ChangeListenerOptions): ChangeListener {
  const heartbeatMs = options.heartbeatMs ?? 250;
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 5000;
  const firstDelay = options.reconnectDelayMs ?? 100;
  let delay = firstDelay;
  let stopped = false;
  let client: pg.Client | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let reconnect: NodeJS.Timeout | undefined;
  let beatStartedAt: number | undefined;

  const scheduleReconnect = () => {
    if (stopped || reconnect) return;
    reconnect = setTimeout(() => {
      reconnect = undefined;
      void connect();
    }, delay);
    delay = Math.min(delay * 2, MAX_RECONNECT_DELAY_MS);
  };

  const lose = (lost: pg.Client, error: unknown) => {
    if (lost !== client) return;
    client = undefined;
    clearInterval(heartbeat);
    heartbeat = undefined;
    beatStartedAt = undefined;
    lost.end().catch(() => {});
    options.onLost(error);
    scheduleReconnect();
  };

  const beat = (current: pg.Client) => {
    if (beatStartedAt !== undefined) {
      if (performance.now() - beatStartedAt > heartbeatTimeoutMs) {
        lose(current, new Error(`no answer on the listening connection for ${heartbeatTimeoutMs} ms`));
      }
      return;
    }
    const since = performance.now();
    beatStartedAt = since;
    current.query("SELECT 1").then(
      () => {
        if (current !== client) return;
        beatStartedAt = undefined;
        options.onAlive(since);
      },
      (error: unknown) => lose(current, error),
    );
  };

  const connect = async () => {
    let next: pg.Client;
    try {
      next = await connectClient(options.connectionString, {
        timeoutMs: options.connectTimeoutMs ?? 5000,
        applicationName: LISTENER_APPLICATION_NAME,
      });
    } catch {
      scheduleReconnect();
      return;
    }
    if (stopped) {
      await next.end().catch(() => {});
      return;
    }
    client = next;
    next.on("notification", (message) => {
      if (next !== client || message.channel !== CHANGES_CHANNEL || message.payload === undefined) return;
      options.onNotification(message.payload);
    });
    next.on("error", (error) => lose(next, error));
    next.on("end", () => lose(next, new Error("the listening connection ended")));
    try {
      const since = performance.now();
      await next.query(`LISTEN ${CHANGES_CHANNEL}`);
      if (next !== client) return;
      delay = firstDelay;
      options.onListening(since);
      heartbeat = setInterval(() => beat(next), heartbeatMs);
      heartbeat.unref();
    } catch (error) {
      lose(next, error);
    }
  };

  void connect();

  return {
    async stop() {
      stopped = true;
      clearTimeout(reconnect);
      clearInterval(heartbeat);
      const current = client;
      client = undefined;
      await current?.end().catch(() => {});
    },
  };
}
