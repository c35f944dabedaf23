import * as pulumi from "@pulumi/pulumi";

/**
 * Runs the Pulumi SDK under mocks that take each new resource as given (id
 * `<name>-id`, its inputs as its state) and returns the list its registrations
 * are added to, in order.
 */
export async function recordRegistrations(): Promise<pulumi.runtime.MockResourceArgs[]> {
  const registered: pulumi.runtime.MockResourceArgs[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push(args);
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: () => ({}),
    },
    "proj",
    "stack",
    false,
  );
  return registered;
}
