// Postfix basics from "Sending Email from SmartOS": myhostname, trusted
// networks, listening interfaces, the root alias and an optional relay.
//
//   pulumi config set host 203.0.113.25
//   pulumi config set hostKeyFingerprint SHA256:...   # ssh-keyscan -t ed25519 HOST | ssh-keygen -lf -
//   pulumi config set --secret sshPrivateKey < ~/.ssh/id_ed25519
//   pulumi config set myhostname mx.example.com
//   pulumi config set rootAlias ops@example.com
//   pulumi config set --path 'relay.host' smtp.example.net      # optional
//   pulumi config set --path 'relay.port' 587                   # optional
//   pulumi config set --path 'relay.username' mailer            # optional
//   pulumi config set --secret --path 'relay.password' '...'    # optional
import * as pulumi from "@pulumi/pulumi";
import { type PlatformName, PostfixConfig } from "@smartos-mail/pulumi";

const config = new pulumi.Config();
const relay = config.getObject<{ host: string; port?: number; username?: string; password?: string }>("relay");

const postfix = new PostfixConfig("postfix", {
  connection: {
    host: config.require("host"),
    privateKey: config.requireSecret("sshPrivateKey"),
    hostKeyFingerprint: config.require("hostKeyFingerprint"),
  },
  profile: (config.get("profile") ?? "smartos") as PlatformName,
  myhostname: config.require("myhostname"),
  mynetworks: config.getObject<string[]>("mynetworks") ?? ["$myhostname", "127.0.0.0/8", "[::1]/128"],
  inetInterfaces: config.getObject<string[]>("inetInterfaces") ?? ["loopback-only"],
  rootAlias: config.require("rootAlias"),
  relayhost: relay ? { host: relay.host, port: relay.port } : undefined,
  saslRelay: relay?.username && relay.password ? { username: relay.username, password: relay.password } : undefined,
});

/** The main.cf values PostfixConfig found on the host after applying. */
export const mainCf = postfix.applied;
