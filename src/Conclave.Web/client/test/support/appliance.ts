// The appliance as the client's tests play it: the credential CA and the list of who is present,
// and the Delivery Service's one order of commits (docs/e2ee.md).
import {
  AttendeeKind,
  type ConclaveCredential,
  type CredentialExpectations,
  encodeCredential,
  encodeCredentialBody,
} from "../../src/e2ee/credential";
import { type EpochChange, MeetingGroup, type MemberIdentity, type SignatureKeyPair, generateSignatureKeyPair } from "../../src/e2ee/mls";

const ECDSA_P256: EcKeyGenParams = { name: "ECDSA", namedCurve: "P-256" };
export const MEETING_ID = "kX3v9QmZ_b7T";
export const nowUnixSeconds = () => Math.floor(Date.now() / 1000);

export interface CredentialOptions {
  ca?: CryptoKey;
  meetingId?: string;
  notAfterUnixSeconds?: number;
  /** Name this key's hash instead of the person's own signature key. */
  keyFor?: SignatureKeyPair;
}

/** What the appliance plays in these tests: the credential CA and the list of who is present. */
export class Appliance {
  readonly present = new Set<string>();

  private constructor(readonly ca: CryptoKeyPair) {}

  static async start(): Promise<Appliance> {
    return new Appliance(await crypto.subtle.generateKey(ECDSA_P256, false, ["sign", "verify"]));
  }

  expectations(): CredentialExpectations {
    return {
      caPublicKey: this.ca.publicKey,
      meetingId: MEETING_ID,
      nowUnixSeconds,
      isPresent: (id) => this.present.has(id),
    };
  }

  /** A participant announced as present, with a fresh signature key and a credential for it. */
  async admit(participantId: string, options: CredentialOptions = {}): Promise<MemberIdentity> {
    this.present.add(participantId);
    const keys = await generateSignatureKeyPair();
    const credential: ConclaveCredential = {
      meetingId: options.meetingId ?? MEETING_ID,
      participantId,
      attendeeKey: `account:${participantId}`,
      displayName: `Participant ${participantId}`,
      kind: AttendeeKind.Member,
      notAfterUnixSeconds: options.notAfterUnixSeconds ?? nowUnixSeconds() + 12 * 3600,
      signatureKeySha256: new Uint8Array(
        await crypto.subtle.digest("SHA-256", (options.keyFor ?? keys).publicKey as Uint8Array<ArrayBuffer>),
      ),
    };
    const body = encodeCredentialBody(credential);
    const signed = new Uint8Array([...new TextEncoder().encode("Conclave credential v1"), ...body]);
    const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, options.ca ?? this.ca.privateKey, signed);
    return { credential: encodeCredential(body, new Uint8Array(signature)), keys };
  }

  async create(participantId: string): Promise<MeetingGroup> {
    return MeetingGroup.create(new TextEncoder().encode(MEETING_ID), await this.admit(participantId), this.expectations());
  }

  /** An external join from `from`'s GroupInfo, delivered to every member in the appliance's order. */
  async join(participantId: string, from: MeetingGroup, members: MeetingGroup[]): Promise<MeetingGroup> {
    const { commit, group } = await MeetingGroup.joinExternal(
      await from.groupInfo(),
      await this.admit(participantId),
      this.expectations(),
    );
    await deliver(commit, [...members, group]);
    return group;
  }
}

/** The appliance's broadcast of one accepted commit: every member applies it, committer included. */
export async function deliver(commit: Uint8Array, members: MeetingGroup[]): Promise<EpochChange[]> {
  const changes: EpochChange[] = [];
  for (const member of members) changes.push(await member.processCommit(commit));
  return changes;
}

export async function threeMembers() {
  const appliance = await Appliance.start();
  const a = await appliance.create("a0");
  const b = await appliance.join("b1", a, [a]);
  const c = await appliance.join("c2", b, [a, b]);
  return { appliance, a, b, c };
}

