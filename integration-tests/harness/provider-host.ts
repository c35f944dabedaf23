// biome-ignore-all lint/suspicious/noExplicitAny: the SDK's generated gRPC stubs are loaded untyped through createRequire
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";

// The SDK's own generated gRPC client and protobuf classes, loaded from the
// SDK's location so they share its google-protobuf and grpc-js instances.
const sdkRequire = createRequire(require.resolve("@pulumi/pulumi/package.json"));
const grpc = sdkRequire("@grpc/grpc-js");
const structproto = sdkRequire("google-protobuf/google/protobuf/struct_pb");
const provproto = sdkRequire("./proto/provider_pb");
const provrpc = sdkRequire("./proto/provider_grpc_pb");

/** Fills the fields DiffRequest and UpdateRequest share. */
function changeRequest(req: any, id: string, urn: string, olds: Props, news: Props, oldInputs: Props): any {
  req.setId(id);
  req.setUrn(urn);
  req.setOlds(structproto.Struct.fromJavaScript(olds));
  req.setNews(structproto.Struct.fromJavaScript(news));
  req.setOldInputs(structproto.Struct.fromJavaScript(oldInputs));
  return req;
}

/** Plain property map as the dynamic-provider host exchanges it (no secrets: it refuses them). */
export type Props = Record<string, unknown>;

/** DiffResponse, reduced to what the engine acts on. */
export interface DiffResult {
  changes: "none" | "some" | "unknown";
  replaces: string[];
  deleteBeforeReplace: boolean;
}

/** A failure returned by Check. */
export interface CheckFailure {
  property: string;
  reason: string;
}

/**
 * The Pulumi SDK's dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`),
 * started as its own process the way the engine starts the
 * `pulumi-resource-pulumi-nodejs` plugin, and spoken to over gRPC.
 */
export class ProviderHost {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: any,
  ) {}

  /**
   * Starts a host process. `cwd` must resolve the program's packages (the
   * engine runs plugins in the program's directory); stdout/stderr go to `logFile`.
   */
  static async start(cwd: string, logFile: string): Promise<ProviderHost> {
    const script = sdkRequire.resolve("./cmd/dynamic-provider/index.js");
    const child = spawn(process.execPath, [script, "127.0.0.1:0"], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    const log = createWriteStream(logFile, { flags: "a" });
    child.stderr!.pipe(log);
    const port = await new Promise<number>((resolve, reject) => {
      let buf = "";
      // Generous: on a 2-core machine running several test files, node can take tens of seconds to load the SDK.
      const timer = setTimeout(
        () => reject(new Error("dynamic-provider host did not print its port in 120s")),
        120_000,
      );
      child.once("exit", (code) => reject(new Error(`dynamic-provider host exited early (${code})`)));
      child.stdout!.on("data", (d: Buffer) => {
        buf += d.toString();
        const line = buf.split("\n")[0];
        if (buf.includes("\n")) {
          clearTimeout(timer);
          resolve(Number(line.trim()));
          child.stdout!.pipe(log);
        }
      });
    });
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const host = new ProviderHost(child, client);
    await host.configure();
    return host;
  }

  private call<T>(method: string, req: unknown): Promise<T> {
    return new Promise((resolve, reject) => {
      this.client[method](req, (err: Error | null, resp: T) => (err ? reject(err) : resolve(resp)));
    });
  }

  private async configure(): Promise<void> {
    const req = new provproto.ConfigureRequest();
    req.setArgs(structproto.Struct.fromJavaScript({}));
    req.setAcceptsecrets(true);
    req.setAcceptresources(true);
    const resp = await this.call<any>("configure", req);
    if (resp.getAcceptsecrets()) throw new Error("expected the dynamic-provider host to refuse secrets");
  }

  /** Check(urn, olds, news) -> checked inputs and failures. */
  async check(urn: string, olds: Props, news: Props): Promise<{ inputs: Props; failures: CheckFailure[] }> {
    const req = new provproto.CheckRequest();
    req.setUrn(urn);
    req.setOlds(structproto.Struct.fromJavaScript(olds));
    req.setNews(structproto.Struct.fromJavaScript(news));
    const resp = await this.call<any>("check", req);
    return {
      inputs: resp.getInputs().toJavaScript(),
      failures: resp.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  /** Diff(id, urn, old outputs, new inputs, old inputs). */
  async diff(id: string, urn: string, olds: Props, news: Props, oldInputs: Props): Promise<DiffResult> {
    const resp = await this.call<any>(
      "diff",
      changeRequest(new provproto.DiffRequest(), id, urn, olds, news, oldInputs),
    );
    const kinds = provproto.DiffResponse.DiffChanges;
    const c = resp.getChanges();
    return {
      changes: c === kinds.DIFF_NONE ? "none" : c === kinds.DIFF_SOME ? "some" : "unknown",
      replaces: resp.getReplacesList(),
      deleteBeforeReplace: resp.getDeletebeforereplace(),
    };
  }

  /** Create(urn, inputs) -> id and outputs. */
  async create(urn: string, inputs: Props): Promise<{ id: string; outputs: Props }> {
    const req = new provproto.CreateRequest();
    req.setUrn(urn);
    req.setProperties(structproto.Struct.fromJavaScript(inputs));
    const resp = await this.call<any>("create", req);
    return { id: resp.getId(), outputs: resp.getProperties().toJavaScript() };
  }

  /** Read(id, urn, old outputs, old inputs) -> refreshed outputs. */
  async read(id: string, urn: string, props: Props, inputs: Props): Promise<{ id: string; outputs: Props }> {
    const req = new provproto.ReadRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setProperties(structproto.Struct.fromJavaScript(props));
    req.setInputs(structproto.Struct.fromJavaScript(inputs));
    const resp = await this.call<any>("read", req);
    return { id: resp.getId(), outputs: resp.getProperties().toJavaScript() };
  }

  /** Update(id, urn, old outputs, new inputs, old inputs) -> outputs. */
  async update(id: string, urn: string, olds: Props, news: Props, oldInputs: Props): Promise<Props> {
    const req = changeRequest(new provproto.UpdateRequest(), id, urn, olds, news, oldInputs);
    const resp = await this.call<any>("update", req);
    return resp.getProperties().toJavaScript();
  }

  /** Delete(id, urn, outputs, inputs). */
  async delete(id: string, urn: string, outputs: Props, inputs: Props): Promise<void> {
    const req = new provproto.DeleteRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setProperties(structproto.Struct.fromJavaScript(outputs));
    req.setOldInputs(structproto.Struct.fromJavaScript(inputs));
    await this.call("delete", req);
  }

  /** Stops the host as the engine does at the end of an operation. */
  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once("exit", r));
      this.child.kill("SIGKILL");
      await exited;
    }
  }
}

/** Directory whose node_modules resolve the program's packages (this workspace package). */
export const PROGRAM_DIR = path.resolve(__dirname, "..", "..");
