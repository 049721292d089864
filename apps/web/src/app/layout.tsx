import type { Metadata } from "next";
import type { ReactNode } from "react";
import { TrpcReactProvider } from "~/trpc/provider";
import "./globals.css";

export const metadata: Metadata = {
  title: "Agent block list",
  description: "Manage the callers each voice agent refuses.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <TrpcReactProvider>{children}</TrpcReactProvider>
      </body>
    </html>
  );
}
