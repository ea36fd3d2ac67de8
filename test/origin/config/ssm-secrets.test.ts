import type { GetParameterCommand } from "@aws-sdk/client-ssm";
import { describe, expect, it } from "vitest";
import { resolveSsmSecrets, type ParameterReader } from "../../../origin/config/ssm-secrets.js";

// No SSM-compatible server can be run here, so these tests use a scripted parameter store.
function scriptedStore(values: Record<string, string | Error>): ParameterReader & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async send(command: GetParameterCommand) {
      const name = command.input.Name ?? "";
      asked.push(`${name} decrypt=${command.input.WithDecryption}`);
      const value = values[name];
      if (value instanceof Error) throw value;
      if (value === undefined) throw Object.assign(new Error("not found"), { name: "ParameterNotFound" });
      return { Parameter: { Value: value } };
    },
  };
}

describe("resolveSsmSecrets (scripted SSM store)", () => {
  it("fills both secrets from their parameters, decrypting", async () => {
    const store = scriptedStore({
      "/edgeclip/dev/mongodb-uri": "mongodb://db/",
      "/edgeclip/dev/origin-secret": "s3cr3t",
    });
    const env = await resolveSsmSecrets(
      { MONGODB_URI_SSM_PARAM: "/edgeclip/dev/mongodb-uri", ORIGIN_SECRET_SSM_PARAM: "/edgeclip/dev/origin-secret" },
      store,
    );
    expect(env.MONGODB_URI).toBe("mongodb://db/");
    expect(env.ORIGIN_SECRET).toBe("s3cr3t");
    expect(store.asked.sort()).toEqual([
      "/edgeclip/dev/mongodb-uri decrypt=true",
      "/edgeclip/dev/origin-secret decrypt=true",
    ]);
  });

  it("lets a plain environment variable win and asks SSM nothing", async () => {
    const store = scriptedStore({});
    const env = await resolveSsmSecrets({ MONGODB_URI: "mongodb://local/", MONGODB_URI_SSM_PARAM: "/x" }, store);
    expect(env.MONGODB_URI).toBe("mongodb://local/");
    expect(store.asked).toEqual([]);
  });

  it("reports every missing or forbidden parameter by name in one error", async () => {
    const denied = Object.assign(new Error("denied"), { name: "AccessDeniedException" });
    const store = scriptedStore({ "/b": denied });
    const attempt = resolveSsmSecrets({ MONGODB_URI_SSM_PARAM: "/a", ORIGIN_SECRET_SSM_PARAM: "/b" }, store);
    await expect(attempt).rejects.toThrow(/MONGODB_URI: SSM parameter \/a not found/);
    await expect(attempt).rejects.toThrow(/ORIGIN_SECRET: SSM access denied: ssm:GetParameter on \/b/);
  });
});
