import { BlockListApp } from "~/components/blockListApp";

export default function HomePage() {
  return <BlockListApp view={{ kind: "home" }} />;
}
