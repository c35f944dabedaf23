import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { zoneDatasetsSchema } from "../schemas/zone-datasets";
import type { LayoutLive } from "../smartos/datasets";
import { type HostArgs, HostResource } from "./host-resource";

/** Arguments of {@link ZoneDatasets}, derived from its schema (fields: the README's field table). */
export type ZoneDatasetsArgs = HostArgs<z.input<typeof zoneDatasetsSchema>>;

/**
 * The guide's "Delegated Dataset" layout inside a SmartOS zone made with
 * `delegate_dataset: true`: zones/<uuid>/data gets mountpoint none, the mail
 * dataset is mounted at /var/mail and the Postfix queue's dataset at
 * /var/spool/postfix, each with its quota; existing files move onto them with
 * Postfix stopped. Quotas change in place; destroy moves the files back,
 * removes the datasets and restores the mountpoint and directories.
 */
export class ZoneDatasets extends HostResource {
  /** The dataset names: root (zones/<uuid>/data), mail and spool. */
  declare readonly datasets: pulumi.Output<{ root: string; mail: string; spool: string }>;
  /** The datasets as zfs last reported them (quotas in bytes). */
  declare readonly live: pulumi.Output<LayoutLive>;

  /**
   * @param name the resource name.
   * @param args the quotas; see {@link ZoneDatasetsArgs}.
   * @param opts resource options.
   */
  constructor(name: string, args: ZoneDatasetsArgs, opts?: pulumi.CustomResourceOptions) {
    super("zoneDatasets", name, args, opts);
  }
}
