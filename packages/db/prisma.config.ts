import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  // generate needs no database; the fallback keeps it working without DATABASE_URL.
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/blocklist" },
});
