import { inject } from "vitest";

/**
 * Stops or starts a local server of this test project (same port and data afterwards), or pauses and resumes
 * it (SIGSTOP/SIGCONT: a server that accepts connections and answers nothing), for fault tests.
 */
export async function controlServer(
  kind: "mongo" | "s3",
  action: "stop" | "start" | "pause" | "resume",
): Promise<void> {
  const response = await fetch(`${inject("servicesControlUrl")}/${kind}/${action}`, { method: "POST" });
  if (!response.ok) {
    throw new Error(`controlServer(${kind}, ${action}) failed: ${response.status} ${await response.text()}`);
  }
}
