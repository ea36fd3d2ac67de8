// vitest globalSetup for the origin and worker projects: one set of real local servers per project, shared by
// its test files. Tests read their addresses with inject("services") and stop/start them with controlServer()
// (which every parallel test file of the project notices; startPrivateServices() avoids that).
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { TestProject } from "vitest/node";
import { listenOnLoopback } from "../shared/loopback-server.js";
import { prepareServices } from "./private-services.js";
import { servicesInfo, startLocalServices, type LocalServices } from "../../scripts/services/local-services.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (line: string) => console.log(`[services:${project.name}] ${line}`);
  const services = await startLocalServices({ log });
  try {
    await prepareServices(services);
    const control = await startControlServer(services);
    project.provide("services", servicesInfo(services));
    project.provide("servicesControlUrl", control.url);
    return async () => {
      await control.close();
      await services.stop();
    };
  } catch (err) {
    await services.stop();
    throw err;
  }
}

/**
 * Test files run in workers that cannot call the LocalServices functions, so a loopback endpoint does it for
 * them: POST {url}/{mongo|s3}/{stop|start|pause|resume}. The random path segment keeps strays from hitting it by accident.
 */
async function startControlServer(services: LocalServices): Promise<{ url: string; close(): Promise<void> }> {
  const token = randomUUID();
  const actions: Record<string, () => Promise<void>> = {
    [`/${token}/mongo/stop`]: services.stopMongo,
    [`/${token}/mongo/start`]: services.startMongo,
    [`/${token}/s3/stop`]: services.stopS3,
    [`/${token}/s3/start`]: services.startS3,
    [`/${token}/mongo/pause`]: services.pauseMongo,
    [`/${token}/mongo/resume`]: services.resumeMongo,
    [`/${token}/s3/pause`]: services.pauseS3,
    [`/${token}/s3/resume`]: services.resumeS3,
  };
  // One action at a time: a stop and a start racing on the same server would leave it in an unknown state.
  let queue: Promise<unknown> = Promise.resolve();
  const server = http.createServer((req, res) => {
    const action = req.method === "POST" ? actions[req.url ?? ""] : undefined;
    if (action === undefined) {
      res.writeHead(404, { "content-type": "text/plain" }).end("unknown control action\n");
      return;
    }
    const run = queue.then(action);
    queue = run.catch(() => {});
    run.then(
      () => res.writeHead(204).end(),
      (err: unknown) =>
        res.writeHead(500, { "content-type": "text/plain" }).end(String(err instanceof Error ? err.message : err)),
    );
  });
  const listening = await listenOnLoopback(server);
  return { url: `${listening.url}/${token}`, close: listening.close };
}
