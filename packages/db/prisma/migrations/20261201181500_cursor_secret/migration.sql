-- The secret that seals paging cursors (packages/api/src/cursor.ts, docs/DECISIONS.md "Cursors"): one row, made
-- here once, read by every instance, never written by the service.
-- CreateTable
CREATE TABLE "cursor_secret" (
    "id" INTEGER NOT NULL,
    "secret" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cursor_secret_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "cursor_secret_one_row" CHECK ("id" = 1),
    CONSTRAINT "cursor_secret_aes_256_key" CHECK (octet_length("secret") = 32)
);

-- 32 bytes from PostgreSQL's strong random source: gen_random_uuid() (core since PostgreSQL 13) draws 122 random
-- bits from pg_strong_random(); SHA-256 over three of them (366 bits) makes a uniform 256-bit key.
INSERT INTO "cursor_secret" ("id", "secret")
SELECT 1, sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8'));
