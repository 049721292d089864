import { docsAssetResponse } from "~/docs/assets";

export async function GET(_request: Request, { params }: { params: Promise<{ file: string }> }) {
  return docsAssetResponse((await params).file);
}
