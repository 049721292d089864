export function ReadOnlyNotice() {
  return (
    <p className="notice">
      This key is read-only: you can see every entry and check numbers, but not add, change or remove entries.
    </p>
  );
}
