// The shared-file vectors (tests/vectors/shared-file.json, test/tools/make-shared-file-vectors.ts):
// their fixed inputs, which the C# test derives the same way.
import { readFileSync } from "node:fs";
import { repositoryPath, seeded } from "./sframe-vectors";

/** Empty, one byte, and either side of one and of two 64 KiB chunks, then several chunks and a short last one. */
export const SHARED_FILE_VECTOR_SIZES = [0, 1, 65535, 65536, 65537, 200000] as const;

export interface SharedFileVector {
  bytes: number;
  plaintextSha256: string;
  ciphertext: string;
}

export interface SharedFileVectorFile {
  about: string;
  key: string;
  noncePrefix: string;
  vectors: SharedFileVector[];
}

export const sharedFileVectorKey = () => seeded("shared file key", 32);
export const sharedFileVectorPrefix = () => seeded("shared file nonce prefix", 7);
export const sharedFilePlaintext = async (bytes: number): Promise<Uint8Array<ArrayBuffer>> => new Uint8Array(await seeded(`shared file ${bytes} bytes`, bytes));

export function readSharedFileVectors(): SharedFileVectorFile {
  return JSON.parse(readFileSync(repositoryPath("tests/vectors/shared-file.json"), "utf8")) as SharedFileVectorFile;
}
