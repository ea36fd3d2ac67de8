import { S3ServiceException } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { errorResponse } from "../../../origin/lambda/response.js";
import { s3Failure } from "../../../origin/store/s3-errors.js";

// versitygw in single-account mode cannot deny an authenticated request, so these faults are scripted:
// errors shaped exactly as the SDK throws them for S3's answers.
function sdkError(name: string, status: number): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: status >= 500 ? "server" : "client",
    $metadata: { httpStatusCode: status },
  });
}

describe("S3 failures (scripted faults)", () => {
  it("AccessDenied names the action and the bucket", () => {
    const err = s3Failure(sdkError("AccessDenied", 403), {
      action: "s3:PutObject",
      operation: "PutObject",
      bucket: "edgeclip-clips",
      key: "audio_clips/e/0-1000.mp3",
    });
    expect(err).toMatchObject({ code: "internal", status: 500 });
    expect(err.message).toBe("S3 access denied: s3:PutObject on bucket edgeclip-clips (PutObject)");
  });

  it("a HEAD denied (403 without a body, so no error code) is access denied for s3:GetObject", () => {
    const err = s3Failure(sdkError("Forbidden", 403), {
      action: "s3:GetObject",
      operation: "HeadObject",
      bucket: "clips",
    });
    expect(err.message).toBe("S3 access denied: s3:GetObject on bucket clips (HeadObject)");
  });

  it("bad credentials and a missing bucket say so", () => {
    const call = { action: "s3:GetObject", operation: "HeadObject", bucket: "clips" } as const;
    expect(s3Failure(sdkError("SignatureDoesNotMatch", 403), call).message).toBe(
      "S3 rejected the credentials (SignatureDoesNotMatch) for s3:GetObject on bucket clips",
    );
    expect(s3Failure(sdkError("NoSuchBucket", 404), call).message).toBe("S3 bucket clips does not exist (HeadObject)");
  });

  it("S3 throttling or server errors are a retryable 503", () => {
    const err = s3Failure(sdkError("SlowDown", 503), {
      action: "s3:PutObject",
      operation: "PutObject",
      bucket: "clips",
    });
    expect(err).toMatchObject({ code: "service_unavailable", retryAfterS: 5 });
    expect(err.message).toBe("S3 unavailable: PutObject on bucket clips failed (SlowDown)");
    expect(errorResponse(err).headers).toMatchObject({ "retry-after": "5" });
  });

  it("a refused connection is a 503 naming the cause", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9000"), { code: "ECONNREFUSED" });
    const err = s3Failure(refused, { action: "s3:GetObject", operation: "HeadObject", bucket: "clips" });
    expect(err.message).toBe("S3 unavailable: HeadObject on bucket clips failed (ECONNREFUSED)");
  });
});
