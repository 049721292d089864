// A write that names a row another transaction deleted meanwhile (an agent deleted while numbers were being added
// to it): PostgreSQL's 23503, which @prisma/adapter-pg reports as kind ForeignKeyConstraintViolation.

/** Whether `error` is a foreign-key violation, as Prisma with @prisma/adapter-pg or pg itself throws it. */
export function isForeignKeyViolation(error: unknown): boolean {
  if ((error as { code?: unknown })?.code === "23503") return true;
  const cause = (
    error as { meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } } }
  )?.meta?.driverAdapterError?.cause;
  return cause?.kind === "ForeignKeyConstraintViolation" || cause?.originalCode === "23503";
}
