import {
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  type MongoClient,
} from "mongodb";
import { ClipError } from "../../core/index.js";

/** Where the MongoDB is, for messages: `host:port` list without credentials, and the selection timeout. */
export interface MongoWhere {
  hosts: string;
  selectionTimeoutMs: number;
}

/** Where a client connects (an SRV name, or its seed list) and how long it waits for a server. */
export function mongoWhere(client: MongoClient): MongoWhere {
  const { options } = client;
  return {
    hosts: options.srvHost ?? options.hosts.map((h) => h.toString()).join(","),
    selectionTimeoutMs: options.serverSelectionTimeoutMS,
  };
}

/**
 * One mapping of driver errors for every collection the origin uses: an unreachable server is a 503 the
 * client may retry, a refusal (auth, permissions) or anything else a 500. The message (hosts included) is
 * for the log line only; the public answer carries the code's fixed text.
 */
export function mongoFailure(err: unknown, what: string, where: MongoWhere): ClipError {
  const { hosts, selectionTimeoutMs } = where;
  if (err instanceof MongoServerSelectionError || err instanceof MongoTopologyClosedError) {
    return new ClipError(
      "service_unavailable",
      `MongoDB connection timeout (host ${hosts}): no server answered within ${selectionTimeoutMs} ms ` +
        `(MONGODB_SERVER_SELECTION_TIMEOUT_MS) during the ${what}; check MONGODB_URI and that the network allows it`,
      { cause: err },
    );
  }
  if (err instanceof MongoNetworkError || err instanceof MongoNotConnectedError) {
    return new ClipError(
      "service_unavailable",
      `MongoDB connection timeout (host ${hosts}): the connection failed during the ${what} (${err.message})`,
      { cause: err },
    );
  }
  if (err instanceof MongoServerError && (err.code === 18 || err.code === 13)) {
    return new ClipError("internal", `MongoDB refused the ${what} (host ${hosts}): ${err.codeName ?? err.code}`, {
      cause: err,
    });
  }
  const name = err instanceof MongoError ? `${err.name} ${err.message}` : String(err);
  return new ClipError("internal", `MongoDB ${what} failed (host ${hosts}): ${name}`, { cause: err });
}
