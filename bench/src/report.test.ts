import { describe, expect, it } from "vitest";
import { RESULTS_END, RESULTS_START, replaceResults } from "./report";

describe("replaceResults", () => {
  it("replaces only the section between the markers, keeping the text around it", () => {
    const document = `# Benchmarks\n\nintro\n\n${RESULTS_START}\nold figures\n${RESULTS_END}\n\n## Analysis\n`;
    expect(replaceResults(document, "new figures")).toBe(
      `# Benchmarks\n\nintro\n\n${RESULTS_START}\nnew figures\n${RESULTS_END}\n\n## Analysis\n`,
    );
  });

  it("appends a section to a document that has none", () => {
    expect(replaceResults("# Benchmarks\n", "figures")).toBe(
      `# Benchmarks\n\n${RESULTS_START}\nfigures\n${RESULTS_END}\n`,
    );
  });
});
