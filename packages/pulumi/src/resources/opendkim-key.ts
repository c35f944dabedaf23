import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { Live } from "../dkim/opendkim-host";
import type { openDkimKeySchema } from "../schemas/opendkim-key";
import { type HostArgs, HostResource } from "./host-resource";

/** Arguments of {@link OpenDkimKey}, derived from its schema (fields: the README's field table). */
export type OpenDkimKeyArgs = HostArgs<z.input<typeof openDkimKeySchema>>;

/**
 * A DKIM signing key for one domain and selector on a Postfix host, with
 * OpenDKIM set up as the guide does it: installed, configured with the
 * KeyTable, SigningTable and TrustedHosts, the guide's owners and modes,
 * Postfix in the opendkim group and the milter settings in main.cf. The key
 * is generated on the Pulumi side and kept in state only as a secret.
 */
export class OpenDkimKey extends HostResource {
  /** `<selector>._domainkey.<domain>`: where the public key is published. */
  declare readonly dkimRecordName: pulumi.Output<string>;
  /** The DKIM TXT record value: `v=DKIM1; k=rsa; p=...`. */
  declare readonly dkimRecordValue: pulumi.Output<string>;
  /** The RSA private key in PEM (secret). */
  declare readonly privateKey: pulumi.Output<string>;
  /** `<ed25519Selector>._domainkey.<domain>`, with `ed25519Selector`. */
  declare readonly ed25519RecordName: pulumi.Output<string | undefined>;
  /** `v=DKIM1; k=ed25519; p=...`, with `ed25519Selector`. */
  declare readonly ed25519RecordValue: pulumi.Output<string | undefined>;
  /** The Ed25519 private key in PEM (secret), with `ed25519Selector`. */
  declare readonly ed25519PrivateKey: pulumi.Output<string | undefined>;
  /** What was live on the host after the last change or refresh. */
  declare readonly live: pulumi.Output<Live>;

  /**
   * @param name the resource name.
   * @param args the key and where it signs; see {@link OpenDkimKeyArgs}.
   * @param opts resource options.
   */
  constructor(name: string, args: OpenDkimKeyArgs, opts?: pulumi.CustomResourceOptions) {
    super("openDkimKey", name, args, opts);
  }
}
