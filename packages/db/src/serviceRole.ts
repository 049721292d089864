// The role the service connects to the embedded PostgreSQL as: it owns the service's database, so the public
// schema (owned by pg_database_owner) and everything the migrations create in it, and may do nothing else: no
// SUPERUSER, CREATEDB, CREATEROLE, REPLICATION or BYPASSRLS. The superuser only sets it up, here. With
// DATABASE_URL the operator provides such a role (README, Configuration).
import type pg from "pg";
import { connectClient, withDatabaseName } from "./connection";

export interface ServiceRole {
  user: string;
  password: string;
}

const NOTHING_MORE = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS";

/**
 * Makes `role` exist with only the rights above (and `role.password` when `setPassword`), `database` exist and
 * belong to it, and gives it what others own in the database's public schema: a database an older version
 * created as the superuser, with its tables, becomes the service role's. Does nothing that takes a lock when
 * all of that already holds. `superuserUrl` is any database of the server, as a superuser.
 */
export async function ensureServiceDatabase(
  superuserUrl: string,
  role: ServiceRole,
  database: string,
  options: { setPassword: boolean },
): Promise<void> {
  await withClient(superuserUrl, async (admin) => {
    const user = admin.escapeIdentifier(role.user);
    const password = admin.escapeLiteral(role.password);
    const { rows: roles } = await admin.query<{ limited: boolean }>(
      `SELECT rolcanlogin AND NOT (rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls)
         AS limited
       FROM pg_roles WHERE rolname = $1`,
      [role.user],
    );
    if (roles.length === 0) {
      await admin.query(`CREATE ROLE ${user} ${NOTHING_MORE} PASSWORD ${password}`);
    } else if (!roles[0]?.limited || options.setPassword) {
      const setPassword = options.setPassword ? ` PASSWORD ${password}` : "";
      await admin.query(`ALTER ROLE ${user} ${NOTHING_MORE}${setPassword}`);
    }

    const { rows: databases } = await admin.query<{ owner: string }>(
      "SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1",
      [database],
    );
    const name = admin.escapeIdentifier(database);
    if (databases.length === 0) await admin.query(`CREATE DATABASE ${name} OWNER ${user}`);
    else if (databases[0]?.owner !== role.user) await admin.query(`ALTER DATABASE ${name} OWNER TO ${user}`);
  });
  await withClient(withDatabaseName(superuserUrl, database), (admin) =>
    handOverPublicSchema(admin, role.user),
  );
}

// Tables, views and sequences of their own (a serial column's sequence follows its table), functions, enums
// and domains in the public schema, and the schema itself if it is neither the database owner's nor the role's.
const FOREIGN_OBJECTS = `
  WITH service AS (SELECT oid FROM pg_roles WHERE rolname = $1),
  public AS (SELECT oid FROM pg_namespace WHERE nspname = 'public')
  SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
           WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END AS kind,
         c.oid::regclass::text AS name
  FROM pg_class c
  WHERE c.relnamespace = (SELECT oid FROM public) AND c.relowner <> (SELECT oid FROM service)
    AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
    AND NOT (c.relkind = 'S' AND EXISTS (
      SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
        AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))
  UNION ALL
  SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END,
         p.oid::regprocedure::text
  FROM pg_proc p
  WHERE p.pronamespace = (SELECT oid FROM public) AND p.proowner <> (SELECT oid FROM service)
  UNION ALL
  SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.oid::regtype::text
  FROM pg_type t
  WHERE t.typnamespace = (SELECT oid FROM public) AND t.typowner <> (SELECT oid FROM service)
    AND t.typtype IN ('e', 'd')
  UNION ALL
  SELECT 'SCHEMA', 'public'
  FROM pg_namespace n
  WHERE n.oid = (SELECT oid FROM public)
    AND n.nspowner NOT IN ((SELECT oid FROM service), 'pg_database_owner'::regrole)`;

async function handOverPublicSchema(admin: pg.Client, user: string): Promise<void> {
  const { rows } = await admin.query<{ kind: string; name: string }>(FOREIGN_OBJECTS, [user]);
  if (rows.length === 0) return;
  await admin.query("BEGIN");
  try {
    for (const { kind, name } of rows) {
      await admin.query(`ALTER ${kind} ${name} OWNER TO ${admin.escapeIdentifier(user)}`);
    }
    await admin.query("COMMIT");
  } catch (error) {
    await admin.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connectClient(url);
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}
