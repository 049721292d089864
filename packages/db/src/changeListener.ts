// The LISTEN side of the change notifications that the migration `change_notifications` sends from triggers.
// One dedicated connection, re-opened whenever it is lost. It must reach PostgreSQL directly (DATABASE_DIRECT_URL):
// LISTEN belongs to a session, and a pooler in transaction mode hands the session to other clients and drops the
// notifications, while every query on the connection still succeeds. So an answered query proves nothing here:
// every `heartbeatMs` a heartbeat notification with a fresh token is sent through the ORDINARY pool, the way
// changes travel, and only its arrival on the listening connection tells the user of the notifications how recent
// its news is (onDelivered).
import { randomBytes } from "node:crypto";
import type pg from "pg";
import { connectClient } from "./connection";

/** The channel every trigger of the change_notifications migration notifies. */
export const CHANGES_CHANNEL = "blocklist_changes";
/** Each listener's heartbeats go to a channel of its own (this prefix and 16 hex digits), heard by it alone. */
export const HEARTBEAT_CHANNEL_PREFIX = "blocklist_heartbeat_";
/** The listening connection's application_name in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = "blocklist-change-listener";

export interface ChangeListenerEvents {
  /**
   * LISTEN is in place on a new connection. Changes committed while no connection listened were not delivered,
   * so whatever was derived from earlier notifications must be dropped. Nothing is proven delivered yet.
   */
  onListening(): void;
  /**
   * A heartbeat sent through the pool at `since` (performance.now()) arrived on the listening connection. As
   * PostgreSQL delivers notifications in commit order, every change committed before `since` has been delivered.
   */
  onDelivered(since: number): void;
  /** One notification's payload, in commit order. */
  onNotification(payload: string): void;
  /** The connection was lost (or stopped answering): notifications may be missed until the next onListening. */
  onLost(error: unknown): void;
}

/** Where heartbeats are sent from: the service's ordinary pool (a `pg.Pool`). */
export interface HeartbeatSender {
  query(text: string, values: unknown[]): Promise<unknown>;
}

export interface ChangeListenerOptions extends ChangeListenerEvents {
  /** A direct connection to PostgreSQL, never through a pooler in transaction mode. */
  connectionString: string;
  /** The ordinary pool: heartbeats must travel as changes do, not on the listening connection. */
  heartbeatPool: HeartbeatSender;
  /** Time between heartbeats; default 250 ms. */
  heartbeatMs?: number;
  /**
   * No heartbeat heard for this long: a round trip checks that the connection still answers; unanswered for
   * this long again, the connection counts as lost. Default 5 s.
   */
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
  const heartbeatChannel = `${HEARTBEAT_CHANNEL_PREFIX}${randomBytes(8).toString("hex")}`;
  let delay = firstDelay;
  let stopped = false;
  let current: ListeningSession | undefined;
  let reconnect: NodeJS.Timeout | undefined;

  const scheduleReconnect = () => {
    if (stopped || reconnect) return;
    reconnect = setTimeout(() => {
      reconnect = undefined;
      void connect();
    }, delay);
    delay = Math.min(delay * 2, MAX_RECONNECT_DELAY_MS);
  };

  const lose = (session: ListeningSession, error: unknown) => {
    if (session !== current) return;
    current = undefined;
    session.close();
    options.onLost(error);
    scheduleReconnect();
  };

  const connect = async () => {
    let client: pg.Client;
    try {
      client = await connectClient(options.connectionString, {
        timeoutMs: options.connectTimeoutMs ?? 5000,
        applicationName: LISTENER_APPLICATION_NAME,
      });
    } catch {
      scheduleReconnect();
      return;
    }
    if (stopped) {
      await client.end().catch(() => {});
      return;
    }
    const session: ListeningSession = new ListeningSession(client, {
      heartbeatChannel,
      heartbeatPool: options.heartbeatPool,
      heartbeatTimeoutMs,
      isCurrent: () => session === current,
      onDelivered: options.onDelivered,
      onNotification: options.onNotification,
      onLost: (error) => lose(session, error),
    });
    current = session;
    try {
      await session.listen();
      if (session !== current) return;
      delay = firstDelay;
      options.onListening();
      session.startHeartbeat(heartbeatMs);
    } catch (error) {
      lose(session, error);
    }
  };

  void connect();

  return {
    async stop() {
      stopped = true;
      clearTimeout(reconnect);
      const session = current;
      current = undefined;
      await session?.close();
    },
  };
}

interface SessionOptions {
  heartbeatChannel: string;
  heartbeatPool: HeartbeatSender;
  heartbeatTimeoutMs: number;
  isCurrent(): boolean;
  onDelivered(since: number): void;
  onNotification(payload: string): void;
  onLost(error: unknown): void;
}

/** One listening connection and its heartbeats. */
class ListeningSession {
  /** Heartbeats sent and not heard yet: token → when it was sent. */
  readonly #pending = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  /** A statement of ours is running on the connection (see #heard). */
  #statementRunning = false;
  #sending = false;
  #probeStartedAt: number | undefined;
  /** The last heartbeat heard, or the last round trip answered, or LISTEN. */
  #lastHeardAt = performance.now();

  constructor(
    readonly client: pg.Client,
    readonly options: SessionOptions,
  ) {
    client.on("notification", (message) => {
      if (!options.isCurrent() || message.payload === undefined) return;
      if (message.channel === options.heartbeatChannel) this.#heard(message.payload);
      else if (message.channel === CHANGES_CHANNEL) options.onNotification(message.payload);
    });
    client.on("error", (error) => options.onLost(error));
    client.on("end", () => options.onLost(new Error("the listening connection ended")));
  }

  async listen(): Promise<void> {
    await this.#statement(`LISTEN ${CHANGES_CHANNEL}; LISTEN ${this.options.heartbeatChannel}`);
  }

  startHeartbeat(intervalMs: number): void {
    this.#lastHeardAt = performance.now();
    this.#timer = setInterval(() => this.#beat(), intervalMs);
    this.#timer.unref();
    this.#beat();
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#pending.clear();
    await this.client.end().catch(() => {});
  }

  #beat(): void {
    const now = performance.now();
    for (const [token, sentAt] of this.#pending) {
      if (now - sentAt > this.options.heartbeatTimeoutMs) this.#pending.delete(token);
    }
    if (this.#probeStartedAt !== undefined) {
      if (now - this.#probeStartedAt > this.options.heartbeatTimeoutMs) {
        this.options.onLost(
          new Error(`no answer on the listening connection for ${this.options.heartbeatTimeoutMs} ms`),
        );
      }
      return;
    }
    // Silent for long: is the connection still there? (Heartbeats heard meanwhile are ignored, see #heard.)
    if (now - this.#lastHeardAt > this.options.heartbeatTimeoutMs) this.#probe(now);
    else this.#send();
  }

  #send(): void {
    if (this.#sending) return;
    this.#sending = true;
    const token = randomBytes(8).toString("hex");
    const since = performance.now();
    this.#pending.set(token, since);
    // A failed send is a heartbeat never heard: trust lapses, and the silence leads to a round trip.
    this.options.heartbeatPool
      .query("SELECT pg_notify($1, $2)", [this.options.heartbeatChannel, token])
      .catch(() => {})
      .finally(() => {
        this.#sending = false;
      });
  }

  #probe(now: number): void {
    this.#probeStartedAt = now;
    this.#statement("SELECT 1").then(
      () => {
        this.#probeStartedAt = undefined;
        this.#lastHeardAt = performance.now();
      },
      (error: unknown) => this.options.onLost(error),
    );
  }

  #heard(token: string): void {
    // Behind a pooler in transaction mode a notification reaches this connection only while a statement of ours
    // borrows one of the pooler's server connections, which may have missed earlier changes: not a proof.
    if (this.#statementRunning) return;
    const since = this.#pending.get(token);
    if (since === undefined) return;
    // Heard in order: earlier heartbeats still pending prove less than this one.
    for (const [pending, sentAt] of this.#pending) if (sentAt <= since) this.#pending.delete(pending);
    this.#lastHeardAt = performance.now();
    this.options.onDelivered(since);
  }

  async #statement(sql: string): Promise<void> {
    this.#statementRunning = true;
    try {
      await this.client.query(sql);
    } finally {
      this.#statementRunning = false;
    }
  }
}
