// The reader the metrics tests rely on must itself refuse what Prometheus refuses.
import { describe, expect, it } from "vitest";
import { parsePrometheusText } from "./prometheus";

const VALID = `# HELP http_requests_total Requests.
# TYPE http_requests_total counter
http_requests_total{method="GET",path="C:\\\\dir \\"x\\"\\n"} 3
http_requests_total{method="POST"} 1e3 1395066363000
# a comment
# TYPE latency_seconds histogram
latency_seconds_bucket{le="0.1",route="/a"} 1
latency_seconds_bucket{le="+Inf",route="/a"} 2
latency_seconds_sum{route="/a"} 0.35
latency_seconds_count{route="/a"} 2
up NaN
`;

describe("parsePrometheusText", () => {
  it("reads families, labels with escapes, values and histograms", () => {
    const families = parsePrometheusText(VALID);
    expect(families.map((family) => [family.name, family.type, family.samples.length])).toEqual([
      ["http_requests_total", "counter", 2],
      ["latency_seconds", "histogram", 4],
      ["up", "untyped", 1],
    ]);
    expect(families[0]?.samples[0]).toEqual({
      name: "http_requests_total",
      labels: { method: "GET", path: 'C:\\dir "x"\n' },
      value: 3,
    });
    expect(families[0]?.samples[1]?.value).toBe(1000);
  });

  it.each([
    ["a malformed line", "bad line here\n"],
    ["a value that is not a number", "x 1O\n"],
    ["an unterminated label", 'x{a="1} 1\n'],
    ["an unknown escape", 'x{a="\\t"} 1\n'],
    ["a bad label name", 'x{1a="1"} 1\n'],
    ["a repeated label", 'x{a="1",a="2"} 1\n'],
    ["a repeated sample", "x 1\nx 2\n"],
    ["an unknown type", "# TYPE x countr\nx 1\n"],
    ["a TYPE after samples", "x 1\n# TYPE x counter\n"],
    ["samples of one family apart", 'x 1\ny 1\nx{a="b"} 1\n'],
    ["a histogram without +Inf", '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    [
      "a histogram whose buckets shrink",
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
    ],
    ["text without a final newline", "x 1"],
  ])("refuses %s", (_what, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
