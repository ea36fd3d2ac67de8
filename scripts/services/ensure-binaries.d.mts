// Types for ensure-binaries.mjs, which stays plain JavaScript so it runs before `npm ci`.
export type ServerName = "ferretdb" | "versitygw";

export interface ServerInfo {
  title: string;
  module: string;
  version: string;
  envOverride: "MONGODB_URI" | "S3_ENDPOINT";
  versionLine: RegExp;
}

export const DEFAULT_BIN_DIR: string;
export const SERVERS: Record<ServerName, ServerInfo>;
export class ServicesSetupError extends Error {}
export function binaryPath(name: ServerName, binDir?: string): string;
export function reportedVersion(file: string, name: ServerName): string | undefined;
export function serversNeeded(env?: NodeJS.ProcessEnv): ServerName[];
export function ensureServerBinaries(opts?: {
  binDir?: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}): Promise<Partial<Record<ServerName, string>>>;
