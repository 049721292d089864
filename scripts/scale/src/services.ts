// The parts `pnpm test:scale` runs: PgBouncer and HAProxy from the repo's sample configurations, and instances of
// the built server (apps/web/dist/server.mjs), each a process of its own. PostgreSQL (a primary and its streaming
// replica) comes from @blocklist/db's test helper.
import { type ChildProcess, spawn } from "node:child_process";
import { chown, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { findProgram, freePort, LOOPBACK, serverUser } from "@blocklist/db/testing/system";

const here = path.dirname(fileURLToPath(import.meta.url));
export const scaleDir = path.resolve(here, "..");
const webDir = path.resolve(scaleDir, "../../apps/web");

/** A sample configuration with each `${NAME}` filled in; a name left without a value is an error. */
export async function renderConfig(file: string, values: Record<string, string | number>): Promise<string> {
  const template = await readFile(path.join(scaleDir, file), "utf8");
  return template.replace(/\$\{([A-Z_]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${file}: no value for \${${name}}`);
    return String(value);
  });
}

export interface Service {
  readonly name: string;
  readonly process: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

function startService(
  name: string,
  program: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; owner?: { uid: number; gid: number } },
): Service {
  const child = spawn(program, args, {
    ...(options.owner ?? {}),
    cwd: options.cwd ?? "/",
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    // The last 4 MiB are enough to say why something failed.
    output = (output + chunk.toString()).slice(-4_194_304);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    name,
    process: child,
    exited,
    output: () => output,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

async function until(what: string, service: Service, ready: () => Promise<boolean>, giveUpMs = 60_000) {
  const deadline = Date.now() + giveUpMs;
  let gone = false;
  void service.exited.then(() => {
    gone = true;
  });
  while (!(await ready().catch(() => false))) {
    if (gone) throw new Error(`${service.name} exited before ${what}:\n${service.output()}`);
    if (Date.now() > deadline) throw new Error(`${service.name}: no ${what} within ${giveUpMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface PgBouncer extends Service {
  /** `serviceUrl` (the primary's service database) through PgBouncer. */
  url: string;
  port: number;
}

/** PgBouncer (transaction pooling) from scripts/scale/pgbouncer.ini in front of the primary of `serviceUrl`. */
export async function startPgBouncer(serviceUrl: string, dir: string): Promise<PgBouncer> {
  const binary = await findProgram("pgbouncer", process.env.PGBOUNCER_PATH);
  if (!binary) throw new Error("pgbouncer not found: scripts/scale/install.sh installs it");
  const owner = await serverUser();
  const primary = new URL(serviceUrl);
  const port = await freePort();
  const database = primary.pathname.slice(1);
  const files = { ini: path.join(dir, "pgbouncer.ini"), users: path.join(dir, "userlist.txt") };
  const ini = await renderConfig("pgbouncer.ini", {
    DATABASE: database,
    PRIMARY_PORT: primary.port,
    PORT: port,
    DIR: dir,
  });
  const users = `"${decodeURIComponent(primary.username)}" "${decodeURIComponent(primary.password)}"\n`;
  for (const [file, text] of [
    [files.ini, ini],
    [files.users, users],
  ] as const) {
    await writeFile(file, text, { mode: 0o600 });
    if (owner) await chown(file, owner.uid, owner.gid);
  }
  const service = startService("pgbouncer", binary, [files.ini], owner ? { owner } : {});
  await until("listening", service, async () =>
    service.output().includes(`listening on ${LOOPBACK}:${port}`),
  );
  const url = new URL(serviceUrl);
  url.port = String(port);
  return { ...service, url: url.toString(), port };
}

export interface Instance extends Service {
  /** http://127.0.0.1:port of this instance itself, bypassing HAProxy. */
  url: string;
  port: number;
}

/** One instance of the built server, started with `env` on a port of its own; resolves once it is ready. */
export async function startInstance(name: string, env: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  const service = startService(name, process.execPath, ["dist/server.mjs"], {
    cwd: webDir,
    env: { ...env, PORT: String(port), HOST: LOOPBACK, NODE_ENV: "production" },
  });
  const url = `http://${LOOPBACK}:${port}`;
  await until("ready", service, async () => (await fetch(`${url}/api/ready`)).status === 200);
  return { ...service, url, port };
}

export interface HaProxy extends Service {
  url: string;
  /** Each server's status as HAProxy's health checks see it (`UP`, `DOWN`, …), by name. */
  serverStates(): Promise<Record<string, string>>;
}

/** HAProxy from scripts/scale/haproxy.cfg in front of `instances`. */
export async function startHaProxy(instances: Instance[], dir: string): Promise<HaProxy> {
  const binary = await findProgram("haproxy", process.env.HAPROXY_PATH);
  if (!binary) throw new Error("haproxy not found: scripts/scale/install.sh installs it");
  const [port, statsPort] = [await freePort(), await freePort()];
  const servers = instances
    .map((instance) => `    server ${instance.name} ${LOOPBACK}:${instance.port} check`)
    .join("\n");
  const cfg = path.join(dir, "haproxy.cfg");
  await writeFile(
    cfg,
    await renderConfig("haproxy.cfg", { PORT: port, STATS_PORT: statsPort, SERVERS: servers }),
  );
  const service = startService("haproxy", binary, ["-db", "-f", cfg], {});
  const url = `http://${LOOPBACK}:${port}`;
  const serverStates = async () => {
    const csv = await (await fetch(`http://${LOOPBACK}:${statsPort}/stats;csv`)).text();
    const states: Record<string, string> = {};
    for (const line of csv.split("\n")) {
      const [backend, server, ...fields] = line.split(",");
      if (backend === "instances" && server && server !== "BACKEND") states[server] = fields[15] ?? "";
    }
    return states;
  };
  await until("every instance up", service, async () =>
    Object.values(await serverStates()).every((state) => state === "UP"),
  );
  return { ...service, url, serverStates };
}

/** Resident memory of a process, in bytes (VmRSS). */
export async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kib ?? 0) * 1024;
}

const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used, its reaped children included. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces, inside parentheses).
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((index) => Number(fields[index]));
  return ((utime ?? 0) + (stime ?? 0) + (cutime ?? 0) + (cstime ?? 0)) / TICKS_PER_SECOND;
}

/** CPU seconds of a PostgreSQL server: its postmaster and every process it runs now. */
export async function postgresCpuSeconds(dataDir: string): Promise<number> {
  const postmaster = Number((await readFile(path.join(dataDir, "postmaster.pid"), "utf8")).split("\n")[0]);
  const { readdir } = await import("node:fs/promises");
  let total = 0;
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (Number(entry) === postmaster || ppid === postmaster)
      total += await cpuSeconds(Number(entry)).catch(() => 0);
  }
  return total;
}
