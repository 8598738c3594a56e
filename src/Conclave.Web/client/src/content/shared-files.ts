// Shared files (docs/content-sharing.md): a share is one document (PDF, image) or a DICOM series,
// each file sealed in the browser under the share's fresh 32-byte key (file-cipher.ts), uploaded
// to the appliance as ciphertext, and announced with a share offer — a signed content message
// sealed under the meeting's MLS group, which carries the key. The appliance stores bytes it
// cannot read; only the members of an epoch in which the offer was sent ever hold the key.
import { type EpochView, fromBase64, toBase64 } from "../e2ee/group-session";
import type { GroupMember } from "../e2ee/mls";
import { FileCipherError, type SealProgress, type SealedFile } from "./file-cipher";
import {
  type ContentMessage,
  type FileRef,
  MAX_SHARE_NAME_CHARACTERS,
  type ShareKind,
  type ShareOffer,
  decodeManifest,
  encodeManifest,
} from "./messages";

/** Sealing and opening of files: the content worker in the page (content-worker-client.ts). */
export interface FileCrypto {
  seal(file: Blob, key: Uint8Array, onProgress?: SealProgress): Promise<SealedFile>;
  /** May take the ciphertext over (a transfer to a worker). */
  open(ciphertext: ArrayBuffer, key: Uint8Array): Promise<ArrayBuffer>;
}

/** What SharedFiles needs of the meeting session (MeetingSession provides both). */
export interface SharedFilesHost {
  /** An HTTPS request to /m/{meeting}/{path} as a participant (the group token's bearer credential). */
  meetingFetch(path: string, init?: RequestInit): Promise<Response>;
  sendContent(message: ContentMessage): Promise<void>;
}

/** A share this browser holds the key of. */
export interface HeldShare {
  readonly offer: ShareOffer;
  /** The participant who offers it now: its sharer, or after the sharer left, the member who re-offers it. */
  readonly offeredBy: string;
  /** This browser shared it: it uploaded the files and may withdraw it. */
  readonly mine: boolean;
}

export interface SharedFilesEvents {
  /** A share offered for the first time (ours included). */
  onOffer(share: HeldShare): void;
  onWithdrawn(shareId: string): void;
}

/** Sealed plaintext bytes so far, of all the share's files. */
export type ShareProgress = (bytesDone: number, bytesTotal: number) => void;

export interface SharedFilesOptions {
  /** Opened shares kept in memory, least recently opened dropped first. */
  cacheBytes?: number;
}

const DEFAULT_CACHE_BYTES = 512 * 1024 * 1024;
const FILE_KEY_BYTES = 32;
// Slices downloaded and opened at once: enough to fill a LAN, few enough to bound memory.
const PARALLEL_DOWNLOADS = 4;
const FILE_ID = /^[0-9a-f]{32}$/;

interface Held {
  offer: ShareOffer;
  offeredBy: string;
  mine: boolean;
  /** Files this browser uploaded (to DELETE on withdrawal). */
  uploaded: string[];
  /** Participants who were members when the offer last arrived: who else holds the key. */
  holders: Set<string>;
}

interface Cached {
  files: Promise<ArrayBuffer[]>;
  bytes: number;
}

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** At most 255 UTF-16 code units, never half of a surrogate pair. */
function shareName(name: string): string {
  if (name.length <= MAX_SHARE_NAME_CHARACTERS) return name;
  const cut = name.slice(0, MAX_SHARE_NAME_CHARACTERS);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/** The image's type from its first bytes (PNG, JPEG, WebP signatures); what the browser says of a file is its extension's guess. */
async function imageMime(file: Blob): Promise<string> {
  const b = new Uint8Array(await file.slice(0, 12).arrayBuffer());
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (b.length >= 8 && b[0] === 0x89 && ascii(1, 4) === "PNG") return "image/png";
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  if (b.length >= 12 && ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return "image/webp";
  throw new Error("Only PNG, JPEG and WebP images can be shared.");
}

async function sha256Base64(data: ArrayBuffer): Promise<string> {
  return toBase64(new Uint8Array(await crypto.subtle.digest("SHA-256", data)));
}

function sameOffer(a: ShareOffer, b: ShareOffer): boolean {
  return (
    a.shareId === b.shareId && a.kind === b.kind && a.name === b.name && a.mime === b.mime && a.key === b.key &&
    a.file.fileId === b.file.fileId && a.file.bytes === b.file.bytes && a.file.sha256 === b.file.sha256
  );
}

/**
 * The shares of a meeting as this browser knows them: its own (sealed, uploaded, offered,
 * withdrawn) and everyone else's offers, opened on demand. Re-offers keep late joiners in: in
 * every new epoch the member who offers a share sends its offer again, and when that member has
 * left, the lowest-leaf member among those who held the share takes it over.
 */
export class SharedFiles {
  private readonly held = new Map<string, Held>();
  private readonly cache = new Map<string, Cached>();
  private readonly cacheBytes: number;
  private members: GroupMember[] = [];

  constructor(
    private readonly host: SharedFilesHost,
    private readonly files: FileCrypto,
    private readonly selfId: string,
    private readonly events: SharedFilesEvents,
    options: SharedFilesOptions = {},
  ) {
    this.cacheBytes = options.cacheBytes ?? DEFAULT_CACHE_BYTES;
  }

  get offers(): HeldShare[] {
    return Array.from(this.held.values(), ({ offer, offeredBy, mine }) => ({ offer, offeredBy, mine }));
  }

  /**
   * Seals and uploads the files under a fresh key, then offers them: pdf and image take one file,
   * dicom the slices in order (a manifest listing them is sealed and uploaded last). Nothing is
   * left on the appliance when a step fails.
   */
  async share(files: File[], kind: ShareKind, name: string, onProgress?: ShareProgress): Promise<ShareOffer> {
    if (kind !== "dicom" && files.length !== 1) throw new Error(`A ${kind === "pdf" ? "PDF" : "image"} share is one file.`);
    if (files.length === 0) throw new Error("A DICOM series needs at least one file.");
    const mime = kind === "pdf" ? "application/pdf" : kind === "image" ? await imageMime(files[0]) : "application/dicom";
    const key = crypto.getRandomValues(new Uint8Array(FILE_KEY_BYTES));
    const total = files.reduce((sum, f) => sum + f.size, 0);
    const uploaded: string[] = [];
    try {
      const refs: FileRef[] = [];
      let before = 0;
      for (const file of files) {
        const base = before;
        refs.push(await this.sealAndUpload(file, key, uploaded, (done) => onProgress?.(base + done, total)));
        before += file.size;
      }
      const file = kind === "dicom" ? await this.sealAndUpload(new Blob([encodeManifest(refs)]), key, uploaded) : refs[0];
      const offer: ShareOffer = { shareId: randomHex(8), kind, name: shareName(name), mime, key: toBase64(key), file };
      await this.host.sendContent({ t: "share-offer", share: offer });
      this.held.set(offer.shareId, { offer, offeredBy: this.selfId, mine: true, uploaded, holders: this.memberIds() });
      this.events.onOffer({ offer, offeredBy: this.selfId, mine: true });
      return offer;
    } catch (e: unknown) {
      for (const fileId of uploaded) await this.deleteFile(fileId).catch(() => undefined);
      throw e;
    }
  }

  /** Stops offering a share: everyone is told, and the files this browser uploaded are deleted. */
  async withdraw(shareId: string): Promise<void> {
    const held = this.held.get(shareId);
    if (!held) return;
    if (held.offeredBy !== this.selfId) throw new Error("Only the member who offers a share can withdraw it.");
    this.forget(shareId);
    await this.host.sendContent({ t: "share-withdraw", shareId });
    const refused: number[] = [];
    for (const fileId of held.uploaded) {
      const status = await this.deleteFile(fileId);
      if (status !== 204 && status !== 404) refused.push(status);
    }
    if (refused.length > 0) throw new Error(`The appliance kept ${refused.length} file(s) of the share (HTTP ${refused[0]}); it deletes them when the meeting's files expire.`);
  }

  /** A content message from the group (MeetingSession's onContent): offers and withdrawals concern us. */
  handleContent(message: ContentMessage, author: GroupMember | undefined): void {
    if (!author) return;
    const from = author.credential.participantId;
    if (message.t === "share-offer") this.onOffer(message.share, from);
    else if (message.t === "share-withdraw") {
      // Only who offers a share now may withdraw it; anyone else's withdrawal is ignored.
      if (this.held.get(message.shareId)?.offeredBy === from) this.forget(message.shareId);
    }
  }

  /**
   * A new epoch (MeetingSession's onEpoch): someone may have joined without the keys, so every
   * share is offered again — by who offers it, or, when that member is no longer in the group,
   * by the lowest leaf among the members who held it (each holder decides the same from its
   * own roster). Sent after the epoch's keys are in place, so a joiner can open it.
   */
  async onEpoch(view: EpochView): Promise<void> {
    this.members = view.members;
    const present = this.memberIds();
    const ownLeaf = view.members.find((m) => m.credential.participantId === this.selfId)?.leaf;
    if (ownLeaf === undefined) return;
    const failures: unknown[] = [];
    for (const held of this.held.values()) {
      if (held.offeredBy !== this.selfId) {
        if (present.has(held.offeredBy)) continue;
        const successor: number = view.members
          .filter((m) => held.holders.has(m.credential.participantId) || m.leaf === ownLeaf)
          .reduce((lowest, m) => Math.min(lowest, m.leaf), Number.MAX_SAFE_INTEGER);
        if (successor !== ownLeaf) continue;
        held.offeredBy = this.selfId;
      }
      held.holders = present;
      await this.host.sendContent({ t: "share-offer", share: held.offer }).catch((e: unknown) => failures.push(e));
    }
    if (failures.length > 0) throw failures[0];
  }

  /**
   * The share's documents in order (one for pdf and image, the slices for dicom), downloaded,
   * opened and checked against the offer's byte count and SHA-256. Kept for the next call while
   * the cache has room.
   */
  open(shareId: string): Promise<ArrayBuffer[]> {
    const cached = this.cache.get(shareId);
    if (cached) {
      // Most recently used last: the Map's order is the eviction order.
      this.cache.delete(shareId);
      this.cache.set(shareId, cached);
      return cached.files;
    }
    const held = this.held.get(shareId);
    if (!held) return Promise.reject(new Error("This share is no longer offered."));
    const entry: Cached = { files: this.download(held.offer), bytes: 0 };
    this.cache.set(shareId, entry);
    entry.files.then(
      (files) => {
        entry.bytes = files.reduce((sum, f) => sum + f.byteLength, 0);
        this.evict();
      },
      () => {
        if (this.cache.get(shareId) === entry) this.cache.delete(shareId);
      },
    );
    return entry.files;
  }

  private onOffer(offer: ShareOffer, from: string): void {
    const held = this.held.get(offer.shareId);
    if (held) {
      // A re-offer; an offer that differs under a held id is someone's attempt to swap the share.
      if (!sameOffer(held.offer, offer)) return;
      held.offeredBy = from;
      held.holders = this.memberIds();
      return;
    }
    this.held.set(offer.shareId, { offer, offeredBy: from, mine: false, uploaded: [], holders: this.memberIds() });
    this.events.onOffer({ offer, offeredBy: from, mine: false });
  }

  private forget(shareId: string): void {
    if (!this.held.delete(shareId)) return;
    this.cache.delete(shareId);
    this.events.onWithdrawn(shareId);
  }

  private memberIds(): Set<string> {
    return new Set(this.members.map((m) => m.credential.participantId));
  }

  private evict(): void {
    let total = 0;
    for (const entry of this.cache.values()) total += entry.bytes;
    for (const [shareId, entry] of this.cache) {
      if (total <= this.cacheBytes) break;
      if (entry.bytes === 0) continue; // still downloading
      this.cache.delete(shareId);
      total -= entry.bytes;
    }
  }

  private async sealAndUpload(file: Blob, key: Uint8Array, uploaded: string[], onProgress?: SealProgress): Promise<FileRef> {
    const sealed = await this.files.seal(file, key, onProgress);
    const response = await this.host.meetingFetch("files", {
      method: "POST",
      headers: { "Content-Type": "application/octet-stream" },
      body: sealed.ciphertext,
    });
    if (response.status === 413) {
      const refusal = (await response.json().catch(() => ({}))) as { error?: string };
      throw new Error(
        refusal.error === "meeting-files-full"
          ? "The meeting has no room for more shared files: withdraw a share first."
          : "The file is larger than this appliance accepts for sharing.",
      );
    }
    if (response.status !== 201) throw new Error(`The file could not be uploaded (HTTP ${response.status}).`);
    const { fileId } = (await response.json()) as { fileId?: unknown };
    if (typeof fileId !== "string" || !FILE_ID.test(fileId)) throw new Error("The appliance answered the upload without a file id.");
    uploaded.push(fileId);
    return { fileId, bytes: sealed.bytes, sha256: toBase64(sealed.sha256) };
  }

  private async deleteFile(fileId: string): Promise<number> {
    return (await this.host.meetingFetch(`files/${fileId}`, { method: "DELETE" })).status;
  }

  private async download(offer: ShareOffer): Promise<ArrayBuffer[]> {
    const key = fromBase64(offer.key);
    const first = await this.fetchFile(offer.file, key);
    if (offer.kind !== "dicom") return [first];
    const slices = decodeManifest(new Uint8Array(first));
    if (!slices) throw new Error("The series' list of files is malformed.");
    const opened: ArrayBuffer[] = new Array(slices.length);
    let next = 0;
    const downloader = async () => {
      for (let i = next++; i < slices.length; i = next++) opened[i] = await this.fetchFile(slices[i], key);
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_DOWNLOADS, slices.length) }, downloader));
    return opened;
  }

  private async fetchFile(ref: FileRef, key: Uint8Array): Promise<ArrayBuffer> {
    const response = await this.host.meetingFetch(`files/${ref.fileId}`);
    if (response.status === 404) throw new Error("A file of this share is no longer on the appliance.");
    if (!response.ok) throw new Error(`A file of this share could not be downloaded (HTTP ${response.status}).`);
    let plaintext: ArrayBuffer;
    try {
      plaintext = await this.files.open(await response.arrayBuffer(), key);
    } catch (e: unknown) {
      if (e instanceof FileCipherError) throw new Error(`A file of this share does not open: it was altered or cut short (${e.message}).`);
      throw e;
    }
    if (plaintext.byteLength !== ref.bytes || (await sha256Base64(plaintext)) !== ref.sha256) {
      throw new Error("A file of this share is not the one offered: its size or SHA-256 differs.");
    }
    return plaintext;
  }
}
