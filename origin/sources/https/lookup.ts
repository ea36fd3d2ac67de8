import { promises as dns, type LookupAddress, type LookupOptions } from "node:dns";
import type { LookupFunction } from "node:net";
import { ClipError } from "../../../core/index.js";
import { forbiddenAddressKind } from "./address.js";
import type { HttpsSourcePolicy } from "./policy.js";

/** Why the policy refuses this address, or undefined when it may be connected to. */
export function refusedAddress(address: string, policy: HttpsSourcePolicy): string | undefined {
  if (policy.testOnly?.allowAddresses?.includes(address)) return undefined;
  return forbiddenAddressKind(address);
}

export function privateAddressError(host: string, address: string, kind: string): ClipError {
  return new ClipError(
    "unprocessable_source",
    `Source host ${host} resolves to ${address} (${kind}); https sources must be on public addresses`,
  );
}

const systemResolve = (hostname: string) => dns.lookup(hostname, { all: true, verbatim: true });

/**
 * The `lookup` of the agent that makes every source connection. Checking an address and then letting
 * the socket resolve the name again would leave a gap a rebinding DNS server can use (public answer for
 * the check, 127.0.0.1 for the connection); here the socket connects to exactly the addresses checked.
 * Every answer is checked, not only the first: a name that also resolves to a private address is refused.
 */
export function pinnedLookup(policy: HttpsSourcePolicy): LookupFunction {
  const resolve = policy.resolve ?? systemResolve;
  return (hostname: string, options: LookupOptions, callback) => {
    resolve(hostname)
      .then((answers: LookupAddress[]) => {
        for (const { address } of answers) {
          const kind = refusedAddress(address, policy);
          if (kind !== undefined) throw privateAddressError(hostname, address, kind);
        }
        const family = options.family === 4 || options.family === 6 ? options.family : undefined;
        const usable = family === undefined ? answers : answers.filter((a) => a.family === family);
        const first = usable[0];
        if (first === undefined) {
          throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname });
        }
        if (options.all) callback(null, usable);
        else callback(null, first.address, first.family);
      })
      .catch((err: unknown) => callback(err as NodeJS.ErrnoException, "", 0));
  };
}
