import type { ReactNode } from "react";

export const metadata = {
  title: "Agent block list",
  description: "Manage the callers each voice agent refuses.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
