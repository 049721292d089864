// A strict reader of the Prometheus text exposition format (version 0.0.4), for tests: it throws on anything
// a Prometheus server would refuse, and returns every sample. (The one npm parser of this format accepts
// malformed lines and drops histogram labels, so it cannot tell a good scrape from a bad one.)

export interface Sample {
  /** The sample's own name: `x_bucket`, `x_sum`, `x_count` for a histogram `x`. */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: "counter" | "gauge" | "histogram" | "summary" | "untyped";
  help?: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// NaN in any case, as Prometheus itself reads it (Go's ParseFloat): prom-client writes a gauge with no samples
// yet, such as the event-loop lag right after start, as `Nan`.
const FLOAT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?Inf$|^nan$/i;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

function parseValue(text: string, line: string): number {
  if (!FLOAT.test(text)) throw new Error(`bad value "${text}" in: ${line}`);
  return text.endsWith("Inf") ? (text.startsWith("-") ? -Infinity : Infinity) : Number(text);
}

/** `{a="1",b="x\"y"}` → labels; the text after the closing brace is returned too. */
function parseLabels(text: string, line: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let i = 1;
  for (;;) {
    if (text[i] === "}") return { labels, rest: text.slice(i + 1) };
    const equals = text.indexOf("=", i);
    const name = text.slice(i, equals);
    if (equals < 0 || !LABEL_NAME.test(name) || text[equals + 1] !== '"')
      throw new Error(`bad label: ${line}`);
    if (name in labels) throw new Error(`label ${name} twice: ${line}`);
    let value = "";
    let j = equals + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === "\\") {
        const escaped = text[++j];
        if (escaped === "n") value += "\n";
        else if (escaped === "\\" || escaped === '"') value += escaped;
        else throw new Error(`bad escape in label ${name}: ${line}`);
      } else if (text[j] === "\n") {
        throw new Error(`newline in label ${name}: ${line}`);
      } else {
        value += text[j];
      }
    }
    if (j >= text.length) throw new Error(`unterminated label ${name}: ${line}`);
    labels[name] = value;
    i = j + 1;
    if (text[i] === ",") i++;
    else if (text[i] !== "}") throw new Error(`expected , or } after label ${name}: ${line}`);
  }
}

function familyOf(sampleName: string, families: Map<string, MetricFamily>): MetricFamily | undefined {
  for (const suffix of ["_bucket", "_sum", "_count", ""]) {
    if (!sampleName.endsWith(suffix)) continue;
    const family = families.get(sampleName.slice(0, sampleName.length - suffix.length));
    if (!family) continue;
    const histogramPart = suffix !== "" && family.type === "histogram";
    const summaryPart = (suffix === "_sum" || suffix === "_count") && family.type === "summary";
    if (suffix === "" || histogramPart || summaryPart) return family;
  }
  return undefined;
}

function checkHistogram(family: MetricFamily): void {
  const series = new Map<string, Sample[]>();
  for (const sample of family.samples) {
    const { le: _le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    series.set(key, [...(series.get(key) ?? []), sample]);
  }
  for (const [key, samples] of series) {
    const buckets = samples.filter((sample) => sample.name === `${family.name}_bucket`);
    const count = samples.find((sample) => sample.name === `${family.name}_count`);
    const sum = samples.find((sample) => sample.name === `${family.name}_sum`);
    const infinity = buckets.find((bucket) => bucket.labels.le === "+Inf");
    if (!count || !sum || !infinity)
      throw new Error(`${family.name}${key}: needs +Inf bucket, _sum and _count`);
    if (infinity.value !== count.value)
      throw new Error(`${family.name}${key}: +Inf bucket differs from _count`);
    const bounds = buckets.map((bucket) => parseValue(bucket.labels.le ?? "", family.name));
    for (let i = 1; i < buckets.length; i++) {
      const previous = buckets[i - 1] as Sample;
      const current = buckets[i] as Sample;
      if ((bounds[i] as number) <= (bounds[i - 1] as number) || current.value < previous.value) {
        throw new Error(`${family.name}${key}: buckets not increasing and cumulative`);
      }
    }
  }
}

/** Every metric family of a scrape, in order; throws on the first thing that is not valid text format. */
export function parsePrometheusText(text: string): MetricFamily[] {
  if (text !== "" && !text.endsWith("\n")) throw new Error("the text must end with a newline");
  const families = new Map<string, MetricFamily>();
  const finished = new Set<string>();
  const seen = new Set<string>();
  let current: MetricFamily | undefined;
  const enter = (family: MetricFamily) => {
    if (current && current !== family) finished.add(current.name);
    if (finished.has(family.name)) throw new Error(`samples of ${family.name} are not together`);
    current = family;
  };

  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    if (line.startsWith("#")) {
      const [, keyword, name, ...rest] = line.split(" ");
      if (keyword !== "HELP" && keyword !== "TYPE") continue;
      if (!name || !METRIC_NAME.test(name)) throw new Error(`bad metric name: ${line}`);
      const family = families.get(name) ?? { name, type: "untyped", samples: [] };
      if (!families.has(name)) families.set(name, family);
      enter(family);
      if (keyword === "HELP") {
        if (family.help !== undefined) throw new Error(`second HELP for ${name}`);
        family.help = rest.join(" ");
      } else {
        const type = rest.join(" ");
        if (!TYPES.has(type)) throw new Error(`bad type: ${line}`);
        if (family.samples.length > 0) throw new Error(`TYPE after samples of ${name}`);
        family.type = type as MetricFamily["type"];
      }
      continue;
    }
    const nameEnd = line.search(/[{ ]/);
    const name = nameEnd < 0 ? line : line.slice(0, nameEnd);
    if (!METRIC_NAME.test(name)) throw new Error(`bad metric name: ${line}`);
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith("{")) ({ labels, rest } = parseLabels(rest, line));
    const fields = rest.trim().split(/ +/);
    if (!rest.startsWith(" ") || fields.length < 1 || fields.length > 2)
      throw new Error(`bad sample: ${line}`);
    const value = parseValue(fields[0] ?? "", line);
    if (fields[1] !== undefined && !/^-?\d+$/.test(fields[1])) throw new Error(`bad timestamp: ${line}`);
    let family = familyOf(name, families);
    if (!family) {
      family = { name, type: "untyped", samples: [] };
      families.set(name, family);
    }
    enter(family);
    if (name.endsWith("_bucket") && family.type === "histogram" && labels.le === undefined) {
      throw new Error(`bucket without le: ${line}`);
    }
    const series = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(series)) throw new Error(`sample twice: ${line}`);
    seen.add(series);
    family.samples.push({ name, labels, value });
  }
  for (const family of families.values()) if (family.type === "histogram") checkHistogram(family);
  return [...families.values()];
}

/** The value of the first sample called `name` on a running server's `/api/metrics`, if it has one. */
export async function scrapedValue(
  baseUrl: string,
  token: string,
  name: string,
): Promise<number | undefined> {
  const response = await fetch(`${baseUrl}/api/metrics`, { headers: { Authorization: `Bearer ${token}` } });
  const samples = parsePrometheusText(await response.text()).flatMap((family) => family.samples);
  return samples.find((sample) => sample.name === name)?.value;
}
