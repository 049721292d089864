// What tests of the check cache ask a running server: `blockList.check`, and the cache's gauges.
import { type Answer, call } from "./http";
import { parsePrometheusText } from "./prometheus";
import type { RunningServer } from "./server";

/** `blockList.check` on one instance: the whole answer. */
export function checkAnswer(
  server: RunningServer,
  key: string,
  agentId: string,
  number: string,
): Promise<Answer> {
  const input = encodeURIComponent(JSON.stringify({ agentId, number }));
  return call(server.url, "GET", `/api/trpc/blockList.check?input=${input}`, { key });
}

/** `blockList.check` on one instance: `blocked`, or the HTTP status of the refusal. */
export async function check(
  server: RunningServer,
  key: string,
  agentId: string,
  number: string,
): Promise<boolean | number> {
  const answer = await checkAnswer(server, key, agentId, number);
  if (answer.status !== 200) return answer.status;
  return (answer.body as { result: { data: { blocked: boolean } } }).result.data.blocked;
}

/** One gauge on one instance (started with METRICS_TOKEN `metricsToken`). */
export async function cacheGauge(
  server: RunningServer,
  metricsToken: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const response = await fetch(`${server.url}/api/metrics`, {
    headers: { Authorization: `Bearer ${metricsToken}` },
  });
  const samples = parsePrometheusText(await response.text()).flatMap((family) => family.samples);
  return samples.find(
    (sample) =>
      sample.name === name &&
      Object.entries(labels).every(([label, value]) => sample.labels[label] === value),
  )?.value;
}
