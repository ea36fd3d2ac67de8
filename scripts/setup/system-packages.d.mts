// Types for system-packages.mjs, which stays plain JavaScript so it runs before `npm ci`.
export interface SystemTool {
  tool: string;
  probe: string[];
  apt: string;
  brew: string;
  for: ("start" | "test")[];
  required: boolean;
}
export const SYSTEM_TOOLS: readonly SystemTool[];
export type InstallPlan =
  | { kind: "none" }
  | { kind: "install"; update: string[]; argv: string[] }
  | { kind: "advise"; command: string; required: boolean };
export function installPlan(input: {
  missing: readonly SystemTool[];
  isRoot: boolean;
  sudoOk: boolean;
  aptPresent: boolean;
  platform: string;
}): InstallPlan;
export class SystemToolsError extends Error {}
export function ensureSystemTools(
  purpose: "start" | "test",
  options?: { log?: (line: string) => void; env?: NodeJS.ProcessEnv },
): void;
