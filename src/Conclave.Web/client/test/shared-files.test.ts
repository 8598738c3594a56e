import { test } from "node:test";
import assert from "node:assert/strict";
import type { ConclaveCredential } from "../src/e2ee/credential";
import type { EpochView } from "../src/e2ee/group-session";
import type { GroupMember } from "../src/e2ee/mls";
import { openFile, sealFile } from "../src/content/file-cipher";
import { type ContentMessage, decodeContent, encodeContent } from "../src/content/messages";
import { type FileCrypto, type HeldShare, SharedFiles } from "../src/content/shared-files";

const inThread: FileCrypto = { seal: (file, key, onProgress) => sealFile(file, key, onProgress), open: openFile };

function bytes(length: number, seed: number): Uint8Array<ArrayBuffer> {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed * 7 + (i >> 8)) & 0xff);
}

function member(participantId: string, leaf: number): GroupMember {
  return { leaf, credential: { participantId } as ConclaveCredential, credentialBytes: new Uint8Array(0), signaturePublicKey: new Uint8Array(0) };
}

/** The appliance's shared-file endpoints (docs/signalling.md) over an in-memory store: the only fake here is HTTP. */
class FakeAppliance {
  readonly files = new Map<string, Uint8Array>();
  readonly requests: string[] = [];
  /** The POST that answers 413 meeting-files-full (1-based), if any. */
  fullAtUpload: number | undefined;
  private uploads = 0;
  private nextId = 1;

  async handle(path: string, init: RequestInit = {}): Promise<Response> {
    const method = init.method ?? "GET";
    this.requests.push(`${method} ${path}`);
    if (path === "files" && method === "POST") {
      if (++this.uploads === this.fullAtUpload) return Response.json({ error: "meeting-files-full", message: "full" }, { status: 413 });
      const fileId = (this.nextId++).toString(16).padStart(32, "0");
      const body = new Uint8Array(await (init.body as Blob).arrayBuffer());
      this.files.set(fileId, body);
      return Response.json({ fileId, bytes: body.length }, { status: 201 });
    }
    const fileId = /^files\/([0-9a-f]{32})$/.exec(path)?.[1];
    const stored = fileId === undefined ? undefined : this.files.get(fileId);
    if (!stored) return new Response(null, { status: 404 });
    if (method === "DELETE") {
      this.files.delete(fileId!);
      return new Response(null, { status: 204 });
    }
    return new Response(stored.slice(), { status: 200, headers: { "Content-Type": "application/octet-stream" } });
  }
}

interface Participant {
  id: string;
  files: SharedFiles;
  offered: HeldShare[];
  withdrawn: string[];
  sent: ContentMessage[];
}

/** Members whose content messages are relayed to each other through encodeContent and decodeContent. */
class Meeting {
  readonly appliance = new FakeAppliance();
  readonly participants = new Map<string, Participant>();
  private roster: GroupMember[] = [];
  private epoch = 0n;

  join(id: string, cacheBytes?: number): Participant {
    const offered: HeldShare[] = [];
    const withdrawn: string[] = [];
    const sent: ContentMessage[] = [];
    const host = {
      meetingFetch: (path: string, init?: RequestInit) => this.appliance.handle(path, init),
      sendContent: async (message: ContentMessage) => {
        sent.push(message);
        const author = this.roster.find((m) => m.credential.participantId === id);
        for (const other of this.participants.values()) {
          if (other.id !== id) other.files.handleContent(decodeContent(encodeContent(message))!, author);
        }
      },
    };
    const files = new SharedFiles(host, inThread, id, { onOffer: (s) => offered.push(s), onWithdrawn: (s) => withdrawn.push(s) }, { cacheBytes });
    const participant = { id, files, offered, withdrawn, sent };
    this.participants.set(id, participant);
    return participant;
  }

  leave(id: string): void {
    this.participants.delete(id);
  }

  /** A new epoch with these members at these leaves; each member hears of it in leaf order, as commits arrive. */
  async enterEpoch(leaves: Record<string, number>): Promise<void> {
    this.roster = Object.entries(leaves).map(([id, leaf]) => member(id, leaf));
    const view: EpochView = { epoch: ++this.epoch, securityCode: "", members: this.roster };
    for (const m of [...this.roster].sort((a, b) => a.leaf - b.leaf)) await this.participants.get(m.credential.participantId)?.files.onEpoch(view);
  }
}

async function twoMembers() {
  const meeting = new Meeting();
  const a = meeting.join("alice");
  const b = meeting.join("bob");
  await meeting.enterEpoch({ alice: 0, bob: 1 });
  return { meeting, a, b };
}

const pdf = (length = 70_000) => new File([bytes(length, 1)], "Hinge drawing rev. 7.pdf", { type: "application/pdf" });

test("a PDF shared by one member opens for another byte for byte, and the appliance holds only ciphertext", async () => {
  const { meeting, a, b } = await twoMembers();
  const progress: [number, number][] = [];
  const offer = await a.files.share([pdf()], "pdf", "Hinge drawing rev. 7.pdf", (done, total) => progress.push([done, total]));
  assert.match(offer.shareId, /^[0-9a-f]{16}$/);
  assert.deepEqual(progress.at(-1), [70_000, 70_000]);
  assert.deepEqual(a.sent, [{ t: "share-offer", share: offer }]);
  assert.deepEqual(b.offered, [{ offer, offeredBy: "alice", mine: false }]);
  assert.deepEqual(a.offered, [{ offer, offeredBy: "alice", mine: true }]);
  const [stored] = meeting.appliance.files.values();
  assert.equal(Buffer.from(stored).indexOf(Buffer.from(bytes(70_000, 1).subarray(1000, 1032))), -1);
  const [opened] = await b.files.open(offer.shareId);
  assert.deepEqual(new Uint8Array(opened), bytes(70_000, 1));
});

test("a DICOM series uploads its slices and a manifest, and opens as the slices in the order shared", async () => {
  const { meeting, a, b } = await twoMembers();
  const slices = [bytes(10, 1), bytes(140_000, 2), bytes(0, 3), bytes(65_536, 4), bytes(5, 5), bytes(900, 6)];
  const offer = await a.files.share(slices.map((s, i) => new File([s], `${i}.dcm`)), "dicom", "CT chest", undefined);
  assert.equal(offer.mime, "application/dicom");
  assert.equal(meeting.appliance.files.size, slices.length + 1);
  const opened = await b.files.open(offer.shareId);
  assert.deepEqual(opened.map((f) => new Uint8Array(f)), slices);
});

test("an image's type is read from its bytes, a GIF is refused before anything is uploaded, and a PDF share is one file", async () => {
  const { meeting, a } = await twoMembers();
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  const webp = new TextEncoder().encode("RIFF\u0004\u0000\u0000\u0000WEBPVP8 ");
  assert.equal((await a.files.share([new File([png], "x.jpg", { type: "image/jpeg" })], "image", "x")).mime, "image/png");
  assert.equal((await a.files.share([new File([webp], "y")], "image", "y")).mime, "image/webp");
  const uploads = meeting.appliance.files.size;
  await assert.rejects(a.files.share([new File([new TextEncoder().encode("GIF89a......")], "z.gif")], "image", "z"), /Only PNG, JPEG and WebP/);
  await assert.rejects(a.files.share([pdf(), pdf()], "pdf", "two"), /one file/);
  assert.equal(meeting.appliance.files.size, uploads);
});

test("a long name is cut to 255 characters without splitting a character", async () => {
  const { a } = await twoMembers();
  const offer = await a.files.share([pdf(10)], "pdf", `${"x".repeat(254)}😀 and more`);
  assert.equal(offer.name, "x".repeat(254));
});

test("a file the appliance altered, swapped or lost is refused with a clear error", async () => {
  const { meeting, a, b } = await twoMembers();
  const first = await a.files.share([pdf(1000)], "pdf", "first");
  const second = await a.files.share([pdf(2000)], "pdf", "second");
  const store = meeting.appliance.files;
  // Altered: a bit of the ciphertext flipped.
  store.get(first.file.fileId)![40] ^= 1;
  await assert.rejects(b.files.open(first.shareId), /does not open: it was altered or cut short/);
  // Swapped: another file sealed by the same sharer (under another key) in its place.
  store.set(first.file.fileId, store.get(second.file.fileId)!);
  await assert.rejects(b.files.open(first.shareId), /does not open/);
  // Lost.
  store.delete(second.file.fileId);
  await assert.rejects(b.files.open(second.shareId), /no longer on the appliance/);
});

test("a file that opens but differs from the offer's size or SHA-256 is refused", async () => {
  const { meeting, a, b } = await twoMembers();
  const slices = [bytes(100, 1), bytes(100, 2)];
  const offer = await a.files.share(slices.map((s) => new File([s], "s.dcm")), "dicom", "series");
  // Both slices are sealed under the share's key: swapping them opens, but not to what the manifest says.
  const [one, two] = [...meeting.appliance.files.keys()];
  const store = meeting.appliance.files;
  const kept = store.get(one)!;
  store.set(one, store.get(two)!);
  store.set(two, kept);
  await assert.rejects(b.files.open(offer.shareId), /not the one offered: its size or SHA-256 differs/);
});

test("a share whose upload fails leaves no file on the appliance and offers nothing", async () => {
  const { meeting, a, b } = await twoMembers();
  meeting.appliance.fullAtUpload = 3;
  await assert.rejects(a.files.share([1, 2, 3].map((n) => new File([bytes(50, n)], "s.dcm")), "dicom", "series"), /no room for more shared files/);
  assert.equal(meeting.appliance.files.size, 0);
  assert.deepEqual([a.sent, a.offered, b.offered], [[], [], []]);
});

test("withdrawing tells everyone and deletes the files; a withdrawal by anyone but its offerer is ignored", async () => {
  const { meeting, a, b } = await twoMembers();
  const c = meeting.join("carol");
  await meeting.enterEpoch({ alice: 0, bob: 1, carol: 2 });
  const offer = await a.files.share([1, 2].map((n) => new File([bytes(50, n)], "s.dcm")), "dicom", "series");
  await assert.rejects(b.files.withdraw(offer.shareId), /Only the member who offers a share/);
  // Bob says it anyway, as a modified client could: Carol keeps the share.
  c.files.handleContent({ t: "share-withdraw", shareId: offer.shareId }, member("bob", 1));
  assert.equal(c.files.offers.length, 1);
  await a.files.withdraw(offer.shareId);
  assert.equal(meeting.appliance.files.size, 0);
  assert.deepEqual([a.withdrawn, b.withdrawn, c.withdrawn], [[offer.shareId], [offer.shareId], [offer.shareId]]);
  assert.deepEqual([a.files.offers, b.files.offers, c.files.offers], [[], [], []]);
  await assert.rejects(b.files.open(offer.shareId), /no longer offered/);
});

test("an offer under a held share id with other contents is ignored: nobody can swap a share's key or file", async () => {
  const { a, b } = await twoMembers();
  const offer = await a.files.share([pdf(10)], "pdf", "minutes");
  b.files.handleContent({ t: "share-offer", share: { ...offer, key: Buffer.alloc(32, 1).toString("base64") } }, member("mallory", 5));
  assert.deepEqual(b.files.offers, [{ offer, offeredBy: "alice", mine: false }]);
});

test("in each new epoch the sharer offers again, and a late joiner can open the share", async () => {
  const { meeting, a, b } = await twoMembers();
  const offer = await a.files.share([pdf(3000)], "pdf", "plan");
  const dave = meeting.join("dave");
  await meeting.enterEpoch({ alice: 0, bob: 1, dave: 2 });
  assert.equal(a.sent.length, 2);
  assert.equal(b.sent.length, 0);
  assert.deepEqual(dave.offered, [{ offer, offeredBy: "alice", mine: false }]);
  assert.deepEqual(new Uint8Array((await dave.files.open(offer.shareId))[0]), bytes(3000, 1));
});

test("when the sharer has left, the lowest-leaf member holding the share offers it, and keeps doing so", async () => {
  const { meeting, a, b } = await twoMembers();
  const c = meeting.join("carol");
  await meeting.enterEpoch({ alice: 0, bob: 1, carol: 2 });
  const offer = await a.files.share([pdf(10)], "pdf", "plan");
  // Dave joins at leaf 0, which alice left: he does not hold the share, so bob (leaf 1) takes it over.
  meeting.leave("alice");
  const dave = meeting.join("dave");
  await meeting.enterEpoch({ dave: 0, bob: 1, carol: 2 });
  assert.deepEqual([b.sent.length, c.sent.length, dave.sent.length], [1, 0, 0]);
  assert.deepEqual(dave.offered, [{ offer, offeredBy: "bob", mine: false }]);
  assert.deepEqual(c.files.offers, [{ offer, offeredBy: "bob", mine: false }]);
  assert.deepEqual(b.files.offers, [{ offer, offeredBy: "bob", mine: false }]);
  // Bob offers it from now on; a new joiner gets it from him.
  const erin = meeting.join("erin");
  await meeting.enterEpoch({ dave: 0, bob: 1, carol: 2, erin: 3 });
  assert.deepEqual([b.sent.length, c.sent.length, dave.sent.length], [2, 0, 0]);
  assert.equal(erin.offered.length, 1);
  // Bob may withdraw it now; he uploaded none of its files, so they stay until the meeting's files expire.
  await b.files.withdraw(offer.shareId);
  assert.deepEqual([c.files.offers, dave.files.offers, erin.files.offers], [[], [], []]);
  assert.equal(meeting.appliance.files.size, 1);
  assert.equal(meeting.appliance.requests.filter((r) => r.startsWith("DELETE")).length, 0);
});

test("opened shares are kept within the cache's bytes, the least recently opened dropped first", async () => {
  const meeting = new Meeting();
  const a = meeting.join("alice");
  const b = meeting.join("bob", 5000);
  await meeting.enterEpoch({ alice: 0, bob: 1 });
  const [one, two, three] = [await a.files.share([pdf(2000)], "pdf", "1"), await a.files.share([pdf(2000)], "pdf", "2"), await a.files.share([pdf(2000)], "pdf", "3")];
  const downloads = () => meeting.appliance.requests.filter((r) => r.startsWith("GET")).length;
  await b.files.open(one.shareId);
  await b.files.open(two.shareId);
  await b.files.open(one.shareId);
  assert.equal(downloads(), 2);
  await b.files.open(three.shareId); // 6000 bytes > 5000: two, the least recently opened, goes
  await b.files.open(one.shareId);
  assert.equal(downloads(), 3);
  await b.files.open(two.shareId);
  assert.equal(downloads(), 4);
});
