import { MongoClient, Binary, ObjectId } from "mongodb";
const c = await new MongoClient("mongodb://127.0.0.1:27999/").connect();
const col = c.db("probe").collection("seek_indexes");
await col.createIndex({ episode: 1 }, { name: "seek_index_episode_idx" });
const b = new ObjectId().toHexString();
await col.insertMany([
  { _id: `ep/${b}/0`, episode: "ep", build: b, sizes: new Binary(new Uint8Array([1, 2, 3])) },
  { _id: `ep/${b}/1`, episode: "ep", build: b, sizes: new Binary(new Uint8Array([4])) },
]);
const before = await col.findOneAndReplace(
  { _id: "ep" },
  { episode: "ep", build: b, index: new Binary(new Uint8Array(20000)), written_at: new Date() },
  { upsert: true, returnDocument: "before", includeResultMetadata: false },
);
console.log("before1", before);
const b2 = new ObjectId().toHexString();
const before2 = await col.findOneAndReplace(
  { _id: "ep" },
  { episode: "ep", build: b2, index: new Binary(new Uint8Array(5)), written_at: new Date() },
  { upsert: true, returnDocument: "before" },
);
console.log("before2", before2);
const found = await col.find({ _id: { $in: [`ep/${b}/0`, `ep/${b}/1`, "nope"] } }).toArray();
console.log(found.map((d) => [d._id, d.sizes.buffer.length, d.sizes.buffer.constructor.name]));
const del = await col.deleteMany({ episode: "ep", build: b });
console.log(
  "deleted",
  del.deletedCount,
  await col.countDocuments({}),
  (await col.find({}).toArray()).map((d) => d._id),
);
const head = await col.findOne({ _id: "ep" });
console.log(head.index.buffer.length, head.build === b2);
await c.db("probe").dropDatabase();
await c.close();
