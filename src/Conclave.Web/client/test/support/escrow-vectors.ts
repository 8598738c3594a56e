// The escrow vectors shared with the C# implementation (tests/vectors/escrow, README.md there):
// their shape, and the recipient side of HPKE, which only compliance export does (in C#) and the
// browser never needs.
import { Aes128Gcm, CipherSuite, DhkemP256HkdfSha256, HkdfSha256 } from "@hpke/core";
import { escrowInfo, type EscrowBlob } from "../../src/e2ee/escrow";

export const hpkeSuite = new CipherSuite({ kem: new DhkemP256HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() });

export interface EscrowRecipientVector {
  name: string;
  /** RFC 9180 §7.1.3 DeriveKeyPair input the key pair comes from. */
  ikm: string;
  /** The private key d, 32 bytes big-endian. */
  privateKey: string;
  spki: string;
  keyId: string;
  keyIdDisplay: string;
}

export interface RecordingExtensionVector {
  name: string;
  recordingId: string;
  scope: number;
  escrowKeys: string[];
  startedBy: string;
  encoded: string;
}

export interface EscrowedEpochFields {
  recordingId: string;
  groupId: string;
  /** Decimal. */
  epoch: string;
  sframeEpochSecret: string;
  dataKey: string;
  epochAuthenticator: string;
  leafCount: number;
  roster: { leaf: number; credential: string; signatureKey: string }[];
}

export interface EscrowBlobVector {
  name: string;
  /** Index into recipients. */
  recipient: number;
  sealerLeaf: number;
  escrowedEpoch: EscrowedEpochFields;
  escrowedEpochEncoded: string;
  blob: string;
}

export interface EscrowVectorFile {
  about: string;
  recipients: EscrowRecipientVector[];
  extensions: RecordingExtensionVector[];
  vectors: EscrowBlobVector[];
}

/** A recipient key pair from fixed input keying material, and its private key and SPKI bytes. */
export async function recipientFromIkm(ikm: Uint8Array): Promise<{ privateKey: Uint8Array; spki: Uint8Array }> {
  const pair = await hpkeSuite.kem.deriveKeyPair(ikm);
  return {
    privateKey: new Uint8Array(await hpkeSuite.kem.serializePrivateKey(pair.privateKey)),
    spki: new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey)),
  };
}

/** Opens a blob as the escrow key's holder would: HPKE base mode with the blob's recording id and epoch as info. */
export async function openEscrowBlob(privateKey: Uint8Array, blob: EscrowBlob): Promise<Uint8Array> {
  const recipientKey = await hpkeSuite.kem.deserializePrivateKey(privateKey);
  const info = escrowInfo(blob.recordingId, blob.epoch);
  return new Uint8Array(await hpkeSuite.open({ recipientKey, enc: blob.enc, info }, blob.ciphertext, new Uint8Array(0)));
}
