import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { run } from "../src/cli";
import { captureIo } from "./io";

/**
 * A scripted SMTP server on 127.0.0.1: answers like Postfix, except that
 * RCPT TO for an address containing "reject" gets 554. Records what clients
 * sent, line by line.
 */
function fakePostfix(): { server: Server; received: string[] } {
  const received: string[] = [];
  const server = createServer((socket: Socket) => {
    let buffer = "";
    let inData = false;
    socket.write("220 mx.cospix.net ESMTP Postfix\r\n");
    socket.on("data", (chunk) => {
      buffer += chunk.toString("latin1");
      let at = buffer.indexOf("\r\n");
      while (at !== -1) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        at = buffer.indexOf("\r\n");
        received.push(line);
        if (inData) {
          if (line === ".") {
            inData = false;
            socket.write("250 2.0.0 Ok: queued as 5B69E5E\r\n");
          }
          continue;
        }
        const verb = line.split(/[ :]/)[0].toUpperCase();
        if (verb === "EHLO") socket.write("250-mx.cospix.net\r\n250-PIPELINING\r\n250-SIZE 51200000\r\n250 DSN\r\n");
        else if (verb === "MAIL") socket.write("250 2.1.0 Ok\r\n");
        else if (verb === "RCPT")
          socket.write(
            line.includes("reject") ? "554 5.7.1 <reject@example.com>: Relay access denied\r\n" : "250 2.1.5 Ok\r\n",
          );
        else if (verb === "DATA") {
          inData = true;
          socket.write("354 End data with <CR><LF>.<CR><LF>\r\n");
        } else if (verb === "QUIT") socket.end("221 2.0.0 Bye\r\n");
        else socket.write("502 5.5.2 Error: command not recognized\r\n");
      }
    });
  });
  return { server, received };
}

describe("smtp-test against a scripted server", () => {
  const fake = fakePostfix();
  let port = 0;
  before(async () => {
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    port = (fake.server.address() as { port: number }).port;
  });
  after(() => fake.server.close());

  it("runs the guide's session, prints the dialogue and the queue id, exits 0", async () => {
    fake.received.length = 0;
    const io = captureIo();
    const code = await run(
      [
        "smtp-test",
        "127.0.0.1",
        "-p",
        String(port),
        "--from",
        "root@cospix.net",
        "--to",
        "your@example.com",
        "--helo",
        "mx.cospix.net",
      ],
      io,
      {},
    );
    assert.equal(code, 0, io.err());
    const out = io.out().split("\n");
    assert.deepEqual(out.slice(0, 11), [
      "220 mx.cospix.net ESMTP Postfix",
      "EHLO mx.cospix.net",
      "250-mx.cospix.net",
      "250-PIPELINING",
      "250-SIZE 51200000",
      "250 DSN",
      "MAIL FROM: <root@cospix.net>",
      "250 2.1.0 Ok",
      "RCPT TO: <your@example.com>",
      "250 2.1.5 Ok",
      "DATA",
    ]);
    assert.ok(out.includes("Subject: Test Email"));
    assert.ok(out.includes("This is a test email"));
    assert.deepEqual(out.slice(-6), [
      ".",
      "250 2.0.0 Ok: queued as 5B69E5E",
      "QUIT",
      "221 2.0.0 Bye",
      "queue id: 5B69E5E",
      "",
    ]);
    const message = fake.received.slice(fake.received.indexOf("DATA") + 1, fake.received.indexOf("."));
    assert.match(
      message.join("\n"),
      /^From: <root@cospix\.net>\nTo: <your@example\.com>\nSubject: Test Email\nDate: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000\nMessage-ID: <[^>]+@mx\.cospix\.net>\n\nThis is a test email$/,
    );
  });

  it("stops at a refused recipient, says QUIT, and exits 1 with the reply and a hint", async () => {
    const io = captureIo();
    const code = await run(
      ["smtp-test", "127.0.0.1", "-p", String(port), "--from", "root@cospix.net", "--to", "reject@example.com"],
      io,
      {},
    );
    assert.equal(code, 1);
    assert.match(io.out(), /^RCPT TO: <reject@example\.com>\n554 5\.7\.1 .*\nQUIT\n221 2\.0\.0 Bye\n$/m);
    assert.doesNotMatch(io.out(), /^DATA$/m);
    assert.match(
      io.err(),
      /^error: RCPT TO was answered 554 5\.7\.1 <reject@example\.com>: Relay access denied; the message was not queued\nhint: /,
    );
  });

  it("exits 1 with a hint when nothing listens on the port", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const freePort = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const io = captureIo();
    const code = await run(
      ["smtp-test", "127.0.0.1", "-p", String(freePort), "--from", "a@example.com", "--to", "b@example.com"],
      io,
      {},
    );
    assert.equal(code, 1);
    assert.match(io.err(), /^error: SMTP with 127\.0\.0\.1:\d+: connect ECONNREFUSED .*\nhint: is Postfix running/);
  });
});
