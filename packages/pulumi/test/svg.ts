import assert from "node:assert/strict";

/** Asserts that every tag closes in order, attributes are quoted and no text holds markup or a bare `&`. */
export function assertWellFormed(svg: string): void {
  const open: string[] = [];
  const text = svg.replace(
    /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<>]*")*)\s*(\/?)>/g,
    (_tag, close: string, name: string, _attrs: string, selfClosing: string) => {
      if (close) assert.equal(open.pop(), name, `</${name}> closes the element opened last`);
      else if (!selfClosing) open.push(name);
      return "";
    },
  );
  assert.deepEqual(open, [], "every element is closed");
  assert.doesNotMatch(text, /[<>]|&(?!#\d+;)/, "text outside tags has no markup and no bare &");
}
