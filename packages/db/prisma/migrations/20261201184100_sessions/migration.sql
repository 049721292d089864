-- Web UI sessions (docs/DECISIONS.md, "Sessions"): the cookie holds a random id, this table its SHA-256 hash,
-- bound to the API key it was opened with (deleted with it). Expired rows are deleted at each sign-in, by
-- created_at (absolute lifetime) and last_used_at (idle lifetime), each with an index of its own.
-- CreateTable
CREATE TABLE "sessions" (
    "hash" BYTEA NOT NULL,
    "key_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("hash")
);

-- CreateIndex
CREATE INDEX "sessions_key_id_created_at_idx" ON "sessions"("key_id", "created_at");

-- CreateIndex
CREATE INDEX "sessions_created_at_idx" ON "sessions"("created_at");

-- CreateIndex
CREATE INDEX "sessions_last_used_at_idx" ON "sessions"("last_used_at");

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_key_id_fkey" FOREIGN KEY ("key_id") REFERENCES "api_keys"("id") ON DELETE CASCADE ON UPDATE CASCADE;
