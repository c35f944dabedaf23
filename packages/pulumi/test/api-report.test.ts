import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { Extractor, ExtractorConfig, ExtractorLogLevel } from "@microsoft/api-extractor";

/** The package directory (this file runs from dist-test/test). */
const PACKAGE = path.resolve(__dirname, "..", "..");

/** Each entry point's API Extractor config; its report is committed under etc/. */
const ENTRIES = {
  "@smartos-mail/pulumi": "api-extractor.json",
  "@smartos-mail/pulumi/tools": "api-extractor.tools.json",
};

describe("the public API is the committed report", () => {
  for (const [entry, configFile] of Object.entries(ENTRIES)) {
    it(`${entry}: its exports and their types are as in etc/ (a change needs pnpm run api and a changeset)`, () => {
      const config = ExtractorConfig.loadFileAndPrepare(path.join(PACKAGE, configFile));
      const messages: string[] = [];
      const result = Extractor.invoke(config, {
        localBuild: false,
        messageCallback: (message) => {
          if (message.logLevel === ExtractorLogLevel.Error || message.logLevel === ExtractorLogLevel.Warning) {
            messages.push(message.formatMessageWithLocation(PACKAGE));
          }
          message.handled = true;
        },
      });
      assert.ok(
        result.succeeded,
        [
          `${entry}'s API differs from ${path.relative(PACKAGE, config.reportFilePath)}` +
            ` (the new report: ${config.reportTempFilePath}).`,
          "If the change is meant: pnpm run api, commit the report, and add a changeset whose bump fits",
          "(an export removed or a type narrowed is breaking: minor while 0.x). API Extractor said:",
          ...messages,
        ].join("\n"),
      );
    });
  }
});
