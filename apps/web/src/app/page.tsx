export default function HomePage() {
  return (
    <main>
      <h1>Agent block list</h1>
      <p>The block-list service is running.</p>
    </main>
  );
}
