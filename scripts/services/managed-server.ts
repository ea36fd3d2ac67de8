import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { freeLoopbackPort } from "./free-port.js";
import { guardChild, releaseChild } from "./orphan-guard.js";

export interface ServerSpec {
  name: string;
  command: string;
  args(port: number): string[];
  /** One readiness probe; polled until it says true. */
  ready(port: number): Promise<boolean>;
  /** stdout and stderr of every run of the server are appended here. */
  logFile: string;
}

const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const LOG_TAIL_LINES = 30;

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
  exitInfo?: string;
}

/** One server process on a fixed loopback port: started, restarted on the same port, and stopped cleanly. */
export class ManagedServer {
  #port: number | undefined;
  #running: Running | undefined;

  constructor(private readonly spec: ServerSpec) {}

  get port(): number {
    if (this.#port === undefined) throw new Error(`${this.spec.name} has not been started`);
    return this.#port;
  }

  get running(): boolean {
    return this.#running !== undefined && this.#running.exitInfo === undefined;
  }

  /** First start: picks a free port, and picks again when another process grabbed it in the meantime. */
  async startOnFreePort(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.#port = await freeLoopbackPort();
      try {
        return await this.start();
      } catch (err) {
        if (attempt >= 3 || !this.#logSinceStart().includes("address already in use")) throw err;
      }
    }
  }

  /** Starts the server on its port (kept across restarts) and waits until it answers. No-op when running. */
  async start(): Promise<void> {
    if (this.running) return;
    const port = this.port;
    const logFd = fs.openSync(this.spec.logFile, "a");
    fs.writeSync(logFd, `\n=== ${this.spec.name} starting on 127.0.0.1:${port} at ${new Date().toISOString()} ===\n`);
    // The server writes straight into the log file, so no pipe of ours can fill up or break.
    const child = spawn(this.spec.command, this.spec.args(port), { stdio: ["ignore", logFd, logFd] });
    fs.closeSync(logFd);
    const running: Running = {
      child,
      exited: new Promise<void>((resolve) => {
        child.once("exit", (code, signal) => {
          running.exitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
          resolve();
        });
        child.once("error", (err) => {
          running.exitInfo = `spawn error: ${err.message}`;
          resolve();
        });
      }),
    };
    this.#running = running;
    if (child.pid !== undefined) guardChild(child.pid);

    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (running.exitInfo !== undefined) {
        await this.stop();
        throw this.#startError(`exited (${running.exitInfo}) before it was ready`);
      }
      if (await this.spec.ready(port)) {
        if (running.exitInfo === undefined) return;
        continue;
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw this.#startError(`did not answer within ${START_TIMEOUT_MS / 1000} s`);
      }
      await sleep(100);
    }
  }

  /**
   * Freezes the process (SIGSTOP): its port stays open and connections are accepted by the kernel, but
   * nothing answers. That is what a server stuck in GC, swap or a full disk looks like to a client.
   */
  pause(): void {
    if (this.running) this.#running?.child.kill("SIGSTOP");
  }

  /** Lets a paused server go on (SIGCONT) with everything it had received meanwhile. */
  resume(): void {
    if (this.running) this.#running?.child.kill("SIGCONT");
  }

  /** SIGTERM, then SIGKILL if the server has not exited after a grace period. No-op when stopped. */
  async stop(): Promise<void> {
    const running = this.#running;
    if (running === undefined) return;
    if (running.exitInfo === undefined) {
      // A paused process would only see the SIGTERM after the grace period, as a SIGKILL.
      running.child.kill("SIGCONT");
      running.child.kill("SIGTERM");
      const graceful = await Promise.race([running.exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
      if (!graceful) {
        running.child.kill("SIGKILL");
        await running.exited;
      }
    }
    if (running.child.pid !== undefined) releaseChild(running.child.pid);
    this.#running = undefined;
  }

  #logSinceStart(): string {
    let text: string;
    try {
      text = fs.readFileSync(this.spec.logFile, "utf8");
    } catch {
      return "";
    }
    const marker = text.lastIndexOf(`\n=== ${this.spec.name} starting`);
    return marker >= 0 ? text.slice(marker + 1) : text;
  }

  #startError(what: string): Error {
    const tail = this.#logSinceStart().trimEnd().split("\n").slice(-LOG_TAIL_LINES).join("\n");
    return new Error(
      `${this.spec.name} (${this.spec.command}) ${what}. Last lines of ${this.spec.logFile}:\n${tail || "(empty)"}`,
    );
  }
}
