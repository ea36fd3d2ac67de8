import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";

/**
 * In production the two secrets live in SSM Parameter Store (SecureString) and are fetched once at
 * cold start, so they are never part of the CloudFormation template or the function's environment.
 * Locally and in tests they are plain environment variables; a plain variable always wins.
 */
export const SSM_SECRETS = [
  { setting: "MONGODB_URI", parameterSetting: "MONGODB_URI_SSM_PARAM" },
  { setting: "ORIGIN_SECRET", parameterSetting: "ORIGIN_SECRET_SSM_PARAM" },
] as const;

export interface ParameterReader {
  send(command: GetParameterCommand): Promise<{ Parameter?: { Value?: string | undefined } | undefined }>;
}

type Env = Record<string, string | undefined>;

export async function resolveSsmSecrets(env: Env, reader?: ParameterReader): Promise<Env> {
  const wanted = SSM_SECRETS.filter(({ setting, parameterSetting }) => !env[setting] && env[parameterSetting]);
  if (wanted.length === 0) return env;
  const client: ParameterReader = reader ?? new SSMClient({});
  const resolved: Env = { ...env };
  const problems: string[] = [];
  await Promise.all(
    wanted.map(async ({ setting, parameterSetting }) => {
      const name = env[parameterSetting] as string;
      try {
        const out = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
        const value = out.Parameter?.Value;
        if (!value) problems.push(`${setting}: SSM parameter ${name} is empty`);
        else resolved[setting] = value;
      } catch (err) {
        problems.push(`${setting}: ${describeSsmError(err, name)}`);
      }
    }),
  );
  if (problems.length > 0) {
    throw new Error(`Could not read secrets from SSM:\n  - ${problems.sort().join("\n  - ")}`);
  }
  return resolved;
}

function describeSsmError(err: unknown, name: string): string {
  const errorName = err instanceof Error ? err.name : "";
  if (errorName === "ParameterNotFound") {
    return `SSM parameter ${name} not found (create it: aws ssm put-parameter --type SecureString --name ${name} --value ...)`;
  }
  if (errorName === "AccessDeniedException") return `SSM access denied: ssm:GetParameter on ${name}`;
  const message = err instanceof Error ? err.message : String(err);
  return `SSM GetParameter ${name} failed: ${message}`;
}
