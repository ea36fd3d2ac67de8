import { startLocalOrigin, type LocalOriginServer } from "../../../origin/dev/local-server.js";
import type { Origin } from "../../../origin/origin.js";
import type { Fixture } from "../../origin/helpers/fixtures.js";
import {
  SECRET,
  seedFixtureEpisode,
  startTestOrigin,
  type EpisodeFacts,
  type TestOrigin,
} from "../../origin/helpers/harness.js";
import { disposeWorkerBundle, startEdge, type Edge } from "./edge.js";

/** The whole miss path for real: workerd → local API Gateway stand-in → origin → FerretDB, versitygw, FFmpeg. */
export interface RealEdge {
  t: TestOrigin;
  server: LocalOriginServer;
  edge: Edge;
  /** The one episode seeded from the fixture. */
  episode: string;
  fixture: Fixture;
}

/**
 * `wrap` stands between the local API Gateway and the origin, e.g. to count the calls that reach it; `facts`
 * are the episode's title, show and cover in the catalog.
 */
export async function startRealEdge(
  makeFixture: () => Promise<Fixture>,
  opts: { wrap?: (origin: Origin) => Origin; facts?: EpisodeFacts } = {},
): Promise<RealEdge> {
  const [t, fixture] = await Promise.all([startTestOrigin(), makeFixture()]);
  const episode = await seedFixtureEpisode(t.db, fixture, opts.facts);
  const server = await startLocalOrigin(opts.wrap ? opts.wrap(t.origin) : t.origin);
  const edge = await startEdge({ originUrl: server.url, originSecret: SECRET, generateLimit: 1000 });
  return { t, server, edge, episode, fixture };
}

/** Stops what startRealEdge started (any part may be missing when it failed half-way). */
export async function stopRealEdge(parts: Partial<Pick<RealEdge, "t" | "server" | "edge">>): Promise<void> {
  await parts.edge?.close();
  await parts.server?.close();
  await parts.t?.close();
  await disposeWorkerBundle();
}
