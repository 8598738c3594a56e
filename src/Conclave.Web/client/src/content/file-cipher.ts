// A shared file's ciphertext (docs/content-sharing.md, "The file format"): the STREAM construction
// (Hoang et al., CRYPTO 2015) over 64 KiB AES-256-GCM chunks, as the appliance's SealedEnvelope
// seals what it stores, without a wrapped key — the file key travels in the sealed share offer.
//   header (12 bytes): "CNSF" ‖ version 1 ‖ nonce prefix (7 random bytes); every chunk's AAD is the header
//   then chunk₀ ‖ tag₀ ‖ … ‖ chunkₙ ‖ tagₙ   (every chunk 64 KiB but the last; an empty file is one empty chunk)
// A chunk's nonce is prefix ‖ chunk index (u32 BE) ‖ 1 if last else 0, so a reordered, dropped or
// cut-off chunk fails authentication. Runs in the page, a worker and Node: WebCrypto and Blob only.
import { sha256 } from "@noble/hashes/sha2.js";

export const FILE_CHUNK_BYTES = 64 * 1024;
export const FILE_KEY_BYTES = 32;
export const FILE_NONCE_PREFIX_BYTES = 7;
const TAG_BYTES = 16;
const HEADER_BYTES = 12;
const VERSION = 1;
const MAGIC = [0x43, 0x4e, 0x53, 0x46]; // "CNSF"
const MAX_CHUNK_INDEX = 0xffffffff;

type Bytes = Uint8Array<ArrayBuffer>;

/** The ciphertext is not a shared file, or not this one under this key: altered, reordered, truncated. */
export class FileCipherError extends Error {}

export interface SealedFile {
  ciphertext: Blob;
  /** SHA-256 of the plaintext: the share offer carries it, so a reader checks what it opened. */
  sha256: Uint8Array;
  /** The plaintext's length. */
  bytes: number;
}

/** Plaintext bytes sealed so far. */
export type SealProgress = (bytesDone: number) => void;

function importKey(key: Uint8Array, usage: "encrypt" | "decrypt"): Promise<CryptoKey> {
  if (key.length !== FILE_KEY_BYTES) throw new RangeError(`a file key is ${FILE_KEY_BYTES} bytes`);
  return crypto.subtle.importKey("raw", new Uint8Array(key), "AES-GCM", false, [usage]);
}

function chunkNonce(prefix: Uint8Array, index: number, last: boolean): Bytes {
  const nonce = new Uint8Array(12);
  nonce.set(prefix);
  new DataView(nonce.buffer).setUint32(FILE_NONCE_PREFIX_BYTES, index);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

/** Whole 64 KiB chunks from a stream of pieces of any size; a shorter one only at its end. */
class ChunkReader {
  private readonly pieces: Uint8Array[] = [];
  private buffered = 0;
  private ended = false;

  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  async next(): Promise<Bytes> {
    while (this.buffered < FILE_CHUNK_BYTES && !this.ended) {
      const { done, value } = await this.reader.read();
      if (done) this.ended = true;
      else if (value.length > 0) {
        this.pieces.push(value);
        this.buffered += value.length;
      }
    }
    const chunk = new Uint8Array(Math.min(FILE_CHUNK_BYTES, this.buffered));
    let filled = 0;
    while (filled < chunk.length) {
      const piece = this.pieces[0];
      const take = Math.min(piece.length, chunk.length - filled);
      chunk.set(piece.subarray(0, take), filled);
      filled += take;
      if (take === piece.length) this.pieces.shift();
      else this.pieces[0] = piece.subarray(take);
    }
    this.buffered -= chunk.length;
    return chunk;
  }
}

/** Seals a file under its share's key with a fresh random nonce prefix, streaming 64 KiB at a time. */
export function sealFile(source: ReadableStream<Uint8Array> | Blob, key: Uint8Array, onProgress?: SealProgress): Promise<SealedFile> {
  return sealFileWithNoncePrefix(source, key, crypto.getRandomValues(new Uint8Array(FILE_NONCE_PREFIX_BYTES)), onProgress);
}

/**
 * sealFile with the nonce prefix given. The prefix must never repeat under one key (a share's files
 * share their key): sealFile draws it at random; only the cross-implementation vectors fix it.
 */
export async function sealFileWithNoncePrefix(
  source: ReadableStream<Uint8Array> | Blob,
  key: Uint8Array,
  noncePrefix: Uint8Array,
  onProgress?: SealProgress,
): Promise<SealedFile> {
  if (noncePrefix.length !== FILE_NONCE_PREFIX_BYTES) throw new RangeError(`a nonce prefix is ${FILE_NONCE_PREFIX_BYTES} bytes`);
  const aesKey = await importKey(key, "encrypt");
  const header = new Uint8Array(HEADER_BYTES);
  header.set(MAGIC);
  header[4] = VERSION;
  header.set(noncePrefix, 5);
  const parts: BlobPart[] = [header];
  const hash = sha256.create();
  const reader = (source instanceof Blob ? source.stream() : source).getReader();
  try {
    const chunks = new ChunkReader(reader);
    let current = await chunks.next();
    let done = 0;
    for (let index = 0; ; index++) {
      // Read one chunk ahead: the last chunk must be flagged as last.
      const next = current.length === FILE_CHUNK_BYTES ? await chunks.next() : new Uint8Array(0);
      const last = next.length === 0;
      const sealed = await crypto.subtle.encrypt(
        { name: "AES-GCM", iv: chunkNonce(noncePrefix, index, last), additionalData: header, tagLength: TAG_BYTES * 8 },
        aesKey,
        current,
      );
      parts.push(sealed);
      hash.update(current);
      done += current.length;
      onProgress?.(done);
      if (last) break;
      if (index === MAX_CHUNK_INDEX) throw new RangeError("a file of more than 256 TiB cannot be sealed");
      current = next;
    }
    return { ciphertext: new Blob(parts, { type: "application/octet-stream" }), sha256: hash.digest(), bytes: done };
  } finally {
    reader.releaseLock();
  }
}

/** The plaintext; throws FileCipherError when anything of the ciphertext was changed, cut or reordered, or the key is another. */
export async function openFile(ciphertext: ArrayBuffer, key: Uint8Array): Promise<ArrayBuffer> {
  const aesKey = await importKey(key, "decrypt");
  const all = new Uint8Array(ciphertext);
  if (all.length < HEADER_BYTES || MAGIC.some((b, i) => all[i] !== b)) throw new FileCipherError("not a shared file (no CNSF header)");
  if (all[4] !== VERSION) throw new FileCipherError(`shared file format version ${all[4]} is not supported (this browser reads ${VERSION})`);
  const header = all.slice(0, HEADER_BYTES);
  const prefix = header.subarray(5, HEADER_BYTES);
  const sealedChunkBytes = FILE_CHUNK_BYTES + TAG_BYTES;
  const bodyBytes = all.length - HEADER_BYTES;
  const chunkCount = Math.max(1, Math.ceil(bodyBytes / sealedChunkBytes));
  // Every chunk but the last is whole; the last holds at least its tag.
  if (bodyBytes - (chunkCount - 1) * sealedChunkBytes < TAG_BYTES) throw new FileCipherError(`the shared file is truncated at chunk ${chunkCount - 1}`);
  const plaintext = new Uint8Array(bodyBytes - chunkCount * TAG_BYTES);
  for (let index = 0, offset = HEADER_BYTES; index < chunkCount; index++) {
    const length = Math.min(sealedChunkBytes, all.length - offset);
    const last = index === chunkCount - 1;
    let opened: ArrayBuffer;
    try {
      opened = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: chunkNonce(prefix, index, last), additionalData: header, tagLength: TAG_BYTES * 8 },
        aesKey,
        all.subarray(offset, offset + length),
      );
    } catch {
      throw new FileCipherError(`chunk ${index} of the shared file fails authentication (altered, reordered, truncated or sealed under another key)`);
    }
    plaintext.set(new Uint8Array(opened), index * FILE_CHUNK_BYTES);
    offset += length;
  }
  return plaintext.buffer;
}
