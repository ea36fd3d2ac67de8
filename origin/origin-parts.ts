import { EpisodeCatalog, isHttpsLocation } from "./catalog/episode-catalog.js";
import { mongoWhere } from "./catalog/mongo-failure.js";
import type { OriginClients } from "./config/clients.js";
import type { OriginDeps, OriginParts } from "./origin.js";
import { httpsAudioSource, s3AudioSource } from "./sources/audio-source.js";
import { httpsSourcePolicy } from "./sources/https/policy.js";
import { ClipStore } from "./store/clip-store.js";
import { SeekIndexStore } from "./store/seek-index-store.js";
import { StoredIndexes } from "./store/stored-index.js";
import { WaveformStore } from "./store/waveform-store.js";

/** The origin's parts, each created on first use and then shared by every request of the container. */
export function originParts(deps: OriginDeps, clients: OriginClients, ffmpegPath: string): OriginParts {
  const { config } = deps;
  let store: ClipStore | undefined;
  let catalog: EpisodeCatalog | undefined;
  let indexes: SeekIndexStore | undefined;
  let stored: StoredIndexes | undefined;
  let waveforms: WaveformStore | undefined;
  const where = () => mongoWhere(clients.mongo());
  const db = () => clients.mongo().db(config.mongodbDb);
  const storedIndexes = () => (stored ??= new StoredIndexes(db().collection(config.collections.seekIndexes), where()));
  return {
    s3: () => clients.s3(),
    openSource: (episode, deadline) =>
      isHttpsLocation(episode.audio)
        ? httpsAudioSource(episode.audio.url, {
            ...(deps.httpsPolicy ?? httpsSourcePolicy(config)),
            // Reads still waiting at the deadline stop there: the answer is a 504, not a Lambda kill.
            signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
          })
        : s3AudioSource(clients.s3(), episode.audio),
    store: () => (store ??= new ClipStore(clients.s3(), config.clipsBucket, config.presignExpiresS)),
    storedIndexes,
    indexes: () => (indexes ??= new SeekIndexStore(storedIndexes())),
    waveforms: () => (waveforms ??= new WaveformStore(clients.s3(), config.clipsBucket)),
    catalog: () =>
      (catalog ??= new EpisodeCatalog(db(), {
        collections: config.collections,
        fields: config.episodeFields,
        rawBucket: config.rawBucket,
        ...where(),
      })),
    ffmpegPath,
  };
}
