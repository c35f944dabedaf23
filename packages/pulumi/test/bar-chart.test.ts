import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { barChartSvg } from "../src/plan/chart";
import { assertWellFormed } from "./svg";

const groups = ["create", "no-op", "destroy"];
const series = [
  { label: "ours", color: "#1f77b4", values: [7.63, 5.11, 7.4] },
  { label: "Ansible & co", color: "#d62728", values: [17.6, 7.86, undefined] },
];

/** The bars drawn, as [fill colour, group label of the bar's tooltip]. */
function bars(svg: string): [string, string][] {
  return [
    ...svg.matchAll(/<rect x="[^"]*" y="[^"]*" width="[^"]*" height="[^"]*" fill="([^"]*)"><title>([^<]*)</g),
  ].map((m) => [m[1], m[2]]);
}

describe("bar chart", () => {
  it("draws one bar per series per group it has a value for, in its colour, tallest for the largest value", () => {
    const svg = barChartSvg(groups, series, { title: "Medians", valueLabel: "seconds" });
    assertWellFormed(svg);
    assert.deepEqual(bars(svg), [
      ["#1f77b4", "ours, create: 7.63"],
      ["#d62728", "Ansible &#38; co, create: 17.6"],
      ["#1f77b4", "ours, no-op: 5.11"],
      ["#d62728", "Ansible &#38; co, no-op: 7.86"],
      ["#1f77b4", "ours, destroy: 7.4"],
    ]);
    const heights = [
      ...svg.matchAll(/<rect x="[^"]*" y="[^"]*" width="[^"]*" height="([^"]*)" fill="[^"]*"><title>/g),
    ].map((m) => Number(m[1]));
    assert.equal(Math.max(...heights), heights[1], "17.6 s is the tallest bar");
    for (const text of [">ours</text>", ">Ansible &#38; co</text>", ">destroy</text>", ">seconds</text>"]) {
      assert.ok(svg.includes(text), `has ${text}`);
    }
  });

  it("is deterministic", () => {
    const options = { title: "Medians", valueLabel: "seconds", width: 640, height: 360 };
    assert.equal(barChartSvg(groups, series, options), barChartSvg([...groups], [...series], options));
  });
});
