import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../origin/config/config.js";
import { loadS3EndpointConfig } from "../../../origin/config/s3-config.js";
import { s3SettingsFromEnv } from "../../../scripts/services/local-services.js";

const keys = { S3_ACCESS_KEY_ID: "AKIAEXAMPLE", S3_SECRET_ACCESS_KEY: "secret-example" };

describe("S3 settings shared by the origin and the operator commands", () => {
  it("applies the origin's defaults: path style only with an endpoint, us-east-1", () => {
    expect(loadS3EndpointConfig({})).toEqual({ s3Endpoint: undefined, s3ForcePathStyle: false, region: "us-east-1" });
    expect(loadS3EndpointConfig({ S3_ENDPOINT: "http://127.0.0.1:7070" })).toEqual({
      s3Endpoint: "http://127.0.0.1:7070",
      s3ForcePathStyle: true,
      region: "us-east-1",
    });
  });

  it("takes S3_REGION over AWS_REGION, and checks both with the origin's region rule", () => {
    expect(loadS3EndpointConfig({ S3_REGION: "eu-west-1", AWS_REGION: "us-west-2" }).region).toBe("eu-west-1");
    expect(() => loadS3EndpointConfig({ AWS_REGION: "Not A Region" })).toThrow(/AWS_REGION: must be an AWS region/);
  });

  it("operator commands: undefined without S3_ENDPOINT, whatever else is set", () => {
    expect(s3SettingsFromEnv({ S3_FORCE_PATH_STYLE: "maybe", ...keys })).toBeUndefined();
  });

  it("operator commands: the endpoint, path style, region and keys", () => {
    expect(s3SettingsFromEnv({ S3_ENDPOINT: "https://s3.example.net", S3_FORCE_PATH_STYLE: "false", ...keys })).toEqual(
      {
        endpoint: "https://s3.example.net",
        region: "us-east-1",
        forcePathStyle: false,
        accessKeyId: "AKIAEXAMPLE",
        secretAccessKey: "secret-example",
      },
    );
  });

  it("operator commands: every problem in one error, with the origin's wording for its settings", () => {
    let message = "";
    try {
      s3SettingsFromEnv({ S3_ENDPOINT: "ftp://s3.example.net", S3_FORCE_PATH_STYLE: "maybe" });
    } catch (err) {
      expect(err).not.toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/S3_ENDPOINT: must be an http\(s\) URL/);
    expect(message).toMatch(/S3_FORCE_PATH_STYLE: must be true or false/);
    expect(message).toMatch(/S3_ACCESS_KEY_ID \(or AWS_ACCESS_KEY_ID\) is not set/);
    expect(message).toMatch(/S3_SECRET_ACCESS_KEY \(or AWS_SECRET_ACCESS_KEY\) is not set/);
  });
});
