import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseQshape, QshapeParseError, qshapeScript } from "../src/monitoring/qshape";

// The guide's "Qshape" section, verbatim.
const GUIDE_DEFAULT = `                 T  5 10 20 40 80 160 320 640 1280 1280+
         TOTAL  20  6  8  5  1  0   0   0   0    0     0
     gmail.com   9  3  1  4  1  0   0   0   0    0     0
     yahoo.com  10  2  7  1  0  0   0   0   0    0     0
   hotmail.com   1  1  0  0  0  0   0   0   0    0     0
`;

const GUIDE_B7_T1 = `              T  1  2  4  8 16 32 32+
       TOTAL  0  0  0  0  0  0  0   0
`;

describe("parseQshape", () => {
  it("reads the guide's default table: ten buckets of 5..1280 minutes and the open-ended 1280+", () => {
    const shape = parseQshape(GUIDE_DEFAULT);
    assert.deepEqual(shape.bucketsMinutes, [5, 10, 20, 40, 80, 160, 320, 640, 1280, 1280]);
    assert.deepEqual(shape.total, { count: 20, buckets: [6, 8, 5, 1, 0, 0, 0, 0, 0, 0] });
    assert.deepEqual(shape.domains, [
      { domain: "gmail.com", count: 9, buckets: [3, 1, 4, 1, 0, 0, 0, 0, 0, 0], truncated: false },
      { domain: "yahoo.com", count: 10, buckets: [2, 7, 1, 0, 0, 0, 0, 0, 0, 0], truncated: false },
      { domain: "hotmail.com", count: 1, buckets: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0], truncated: false },
    ]);
  });

  it("reads the guide's qshape -b 7 -t 1 of an empty queue: seven buckets, no domains", () => {
    const shape = parseQshape(GUIDE_B7_T1);
    assert.deepEqual(shape.bucketsMinutes, [1, 2, 4, 8, 16, 32, 32]);
    assert.deepEqual(shape.total, { count: 0, buckets: [0, 0, 0, 0, 0, 0, 0] });
    assert.deepEqual(shape.domains, []);
  });

  it("reads fractional bucket minutes, the null sender of -s, and names qshape cut to fit its width", () => {
    const text = [
      "                      T 0.5   1   2   4   4+",
      "             TOTAL  123  100  20   3   0    0",
      "     MAILER-DAEMON  100   90  10   0   0    0",
      " +ng.example.co.uk   23   10  10   3   0    0",
    ].join("\n");
    const shape = parseQshape(text);
    assert.deepEqual(shape.bucketsMinutes, [0.5, 1, 2, 4, 4]);
    assert.equal(shape.domains[0].domain, "MAILER-DAEMON");
    assert.equal(shape.domains[0].truncated, false);
    assert.deepEqual(shape.domains[1], {
      domain: "+ng.example.co.uk",
      count: 23,
      buckets: [10, 10, 3, 0, 0],
      truncated: true,
    });
  });

  it("takes the last table when qshape wrote interim tables to a terminal (screen clears between them)", () => {
    const interim = "\x1b[H\x1b[2J        T  5  5+\n    TOTAL  1  1  0\n    a.example  1  1  0\n";
    const final = "\x1b[H\x1b[2J        T  5  5+\n    TOTAL  2  2  0\n    a.example  2  2  0\n";
    assert.equal(parseQshape(interim + final).total.count, 2);
  });

  it("refuses text that is not qshape's table, naming what is wrong", () => {
    assert.throws(() => parseQshape(""), QshapeParseError);
    assert.throws(() => parseQshape("qshape: chdir(/var/spool/postfix): Permission denied\n"), /no heading line/);
    assert.throws(() => parseQshape("   T 5 10 10+\n  TOTAL 1 1 0\n"), /line 2 has 3 counts, the heading 4/);
    assert.throws(
      () => parseQshape("   T 5 10 10+\n  gmail.com 1 1 0 0\n"),
      /first row after the heading is not TOTAL/,
    );
    assert.throws(() => parseQshape("   T 5 10 10+\n  TOTAL 2 1 0 0\n"), /buckets add up to 1, the total says 2/);
    assert.throws(() => parseQshape("   T 5 10 20\n  TOTAL 0 0 0 0\n"), /open-ended bucket/);
  });
});

describe("qshapeScript", () => {
  it("asks for a width that fits a 253-character domain, then the options and queues, each quoted", () => {
    const text = qshapeScript({ queues: ["deferred", "hold"], buckets: 7, bucketMinutes: 1, bySender: true }).text;
    assert.match(
      text,
      /^PATH='\/opt\/local\/sbin:\/opt\/local\/bin:\/usr\/sbin:\/usr\/bin:\/sbin:\/bin'; export PATH$/m,
    );
    assert.match(text, /^exec qshape '-w' '317' '-b' '7' '-t' '1' '-s' 'deferred' 'hold'$/m);
  });

  it("leaves qshape's defaults alone when no option is given (incoming and active, 10 buckets of 5 minutes)", () => {
    assert.match(qshapeScript().text, /^exec qshape '-w' '341' $/m);
  });

  it("says so on stderr and exits 127 when the host has no qshape", () => {
    assert.match(qshapeScript().text, /command -v qshape .*\|\| \{ echo 'qshape is not installed.*' >&2; exit 127; \}/);
  });

  it("refuses bucket counts and minutes qshape would ignore, and unknown queues", () => {
    assert.throws(() => qshapeScript({ buckets: 0 }), /buckets is 0/);
    assert.throws(() => qshapeScript({ buckets: 2.5 }), /whole number/);
    assert.throws(() => qshapeScript({ bucketMinutes: 0 }), /bucketMinutes is 0/);
    assert.throws(() => qshapeScript({ queues: ["corrupt" as "hold"] }), /queue "corrupt" is not one of/);
  });
});
