// The meeting's MLS group (RFC 9420) over ts-mls: ciphersuite 2,
// MLS_128_DHKEMP256_AES128GCM_SHA256_P256, basic credentials whose identity is the
// appliance-issued ConclaveCredential. Members join only by external commit from the
// GroupInfo the appliance keeps (RFC 9420 §12.4.3.2), and every commit travels as a
// PublicMessage so the appliance, as Delivery Service, can order them without a key.
// Every leaf admitted on any path (the tree in a GroupInfo, a commit's new leaf) passes
// verifyCredential; ts-mls's own authentication service would accept anything.
import {
  type AuthenticationService,
  type CiphersuiteImpl,
  type ClientConfig,
  type ClientState,
  type Credential,
  type IncomingMessageCallback,
  type MLSMessage,
  type RatchetTree,
  createCommit,
  createGroup,
  createGroupInfoWithExternalPubAndRatchetTree,
  decodeMlsMessage,
  defaultKeyPackageEqualityConfig,
  defaultKeyRetentionConfig,
  defaultLifetime,
  defaultLifetimeConfig,
  defaultPaddingConfig,
  emptyPskIndex,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  joinGroupExternal,
  mlsExporter,
  processPublicMessage,
  zeroOutUint8Array,
} from "ts-mls";
import { signWithLabel, verifyWithLabel } from "ts-mls/crypto/signature.js";
import { leafWidth } from "ts-mls/treemath.js";
import { p256 } from "@noble/curves/nist.js";
import { RECORDING_EXTENSION_TYPE } from "./escrow";
import {
  type ConclaveCredential,
  AttendeeKind,
  type CredentialExpectations,
  decodeCredential,
  verifyCredential,
} from "./credential";

export interface SignatureKeyPair {
  publicKey: Uint8Array /* 65-byte SEC1 */;
  privateKey: Uint8Array;
}

export interface MemberIdentity {
  credential: Uint8Array /* ConclaveCredential bytes */;
  keys: SignatureKeyPair;
}

export interface GroupMember {
  leaf: number;
  credential: ConclaveCredential;
  /** The ConclaveCredential as the appliance signed it (an escrowed roster carries it for the export to verify). */
  credentialBytes: Uint8Array;
  signaturePublicKey: Uint8Array;
}

export interface EpochChange {
  epoch: bigint;
  added: GroupMember[];
  removed: number[];
}

/** A leaf refused by the meeting's authentication service; `reason` is verifyCredential's. */
export class CredentialRefusedError extends Error {
  constructor(readonly reason: string) {
    super(`credential refused: ${reason}`);
    this.name = "CredentialRefusedError";
  }
}

const CIPHERSUITE_NAME = "MLS_128_DHKEMP256_AES128GCM_SHA256_P256";
let cipherSuitePromise: Promise<CiphersuiteImpl> | undefined;

function cipherSuite(): Promise<CiphersuiteImpl> {
  cipherSuitePromise ??= getCiphersuiteImpl(getCiphersuiteFromName(CIPHERSUITE_NAME));
  return cipherSuitePromise;
}

// Every client in a meeting is this module, so a leaf lists only what the meeting uses:
// the tree travels in every GroupInfo, and each extra entry is paid once per member. The
// recording extension must be listed for a group context to carry it (RFC 9420 §12.1.7).
const LEAF_CAPABILITIES = {
  versions: ["mls10" as const],
  ciphersuites: [CIPHERSUITE_NAME as typeof CIPHERSUITE_NAME],
  extensions: [RECORDING_EXTENSION_TYPE],
  proposals: [],
  credentials: ["basic" as const],
};

/**
 * A fresh P-256 signature key pair for one join, generated in memory and never stored: a new
 * join gets a new key (and a credential naming its hash). It is raw bytes rather than a
 * non-extractable CryptoKey because ts-mls signs with the raw private scalar. The public key is
 * the uncompressed SEC1 point, as RFC 9420 §5.1.1 carries ECDSA keys.
 */
export async function generateSignatureKeyPair(): Promise<SignatureKeyPair> {
  const privateKey = p256.utils.randomSecretKey();
  return { publicKey: p256.getPublicKey(privateKey, false), privateKey };
}

/** The meeting's authentication service: a leaf is admitted only when verifyCredential accepts it. */
class MeetingAuthenticationService implements AuthenticationService {
  constructor(private readonly expect: CredentialExpectations) {}

  async validateCredential(credential: Credential, signaturePublicKey: Uint8Array): Promise<boolean> {
    if (credential.credentialType !== "basic") throw new CredentialRefusedError("not basic");
    const result = await verifyCredential(credential.identity, signaturePublicKey, this.expect);
    // Thrown rather than returned as false so the caller learns which check failed.
    if (!result.ok) throw new CredentialRefusedError(result.reason);
    return true;
  }
}

function clientConfig(expect: CredentialExpectations): ClientConfig {
  return {
    keyRetentionConfig: defaultKeyRetentionConfig,
    lifetimeConfig: defaultLifetimeConfig,
    keyPackageEqualityConfig: defaultKeyPackageEqualityConfig,
    paddingConfig: defaultPaddingConfig,
    authService: new MeetingAuthenticationService(expect),
  };
}

// Joins are external commits and departures are removes; the one group-context change a meeting
// makes is its recording state, committed by a host (docs/recording.md). No other proposal (an
// Add, a PSK, a ReInit, other extensions) is part of a meeting, so a commit carrying one is refused.
function onlyMeetingProposals(tree: RatchetTree): IncomingMessageCallback {
  return (incoming) => {
    if (incoming.kind !== "commit") return "reject";
    const acceptable = incoming.proposals.every(({ proposal }) => {
      if (proposal.proposalType === "remove" || proposal.proposalType === "external_init") return true;
      if (proposal.proposalType !== "group_context_extensions") return false;
      const committer = incoming.senderLeafIndex === undefined ? undefined : memberAt(tree, incoming.senderLeafIndex);
      return (
        committer?.credential.kind === AttendeeKind.Host &&
        proposal.groupContextExtensions.extensions.every((e) => e.extensionType === RECORDING_EXTENSION_TYPE)
      );
    });
    return acceptable ? "accept" : "reject";
  };
}

interface PendingCommit {
  commit: Uint8Array;
  state: ClientState;
  consumed: Uint8Array[];
}

export class MeetingGroup {
  // ts-mls states are immutable values: a failed operation leaves #state as it was.
  #state: ClientState;
  // Our own commits not yet echoed by the appliance, all made at the current epoch; MLS has
  // the committer keep its commit's outcome until the Delivery Service confirms the order.
  #pending: PendingCommit[];
  // State changes run one at a time, in the order they were called (the appliance's order).
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    state: ClientState,
    private readonly cs: CiphersuiteImpl,
    pending: PendingCommit[],
  ) {
    this.#state = state;
    this.#pending = pending;
  }

  static async create(groupId: Uint8Array, me: MemberIdentity, expect: CredentialExpectations): Promise<MeetingGroup> {
    const cs = await cipherSuite();
    const keyPackage = await keyPackageFor(me, cs);
    const state = await createGroup(
      groupId,
      keyPackage.publicPackage,
      keyPackage.privatePackage,
      [],
      cs,
      clientConfig(expect),
    );
    return new MeetingGroup(state, cs, []);
  }

  /** An external commit (RFC 9420 §12.4.3.2) joining the group of this GroupInfo; use `group` only once the
   *  appliance echoes `commit` back. */
  static async joinExternal(
    groupInfo: Uint8Array,
    me: MemberIdentity,
    expect: CredentialExpectations,
  ): Promise<{ commit: Uint8Array; group: MeetingGroup }> {
    const cs = await cipherSuite();
    const message = decodeWhole(groupInfo);
    if (message?.wireformat !== "mls_group_info") throw new Error("not a GroupInfo");
    if (message.groupInfo.groupContext.cipherSuite !== CIPHERSUITE_NAME) throw new Error("GroupInfo of another ciphersuite");
    const keyPackage = await keyPackageFor(me, cs);
    // ts-mls checks the GroupInfo signature and validates the whole ratchet tree from its
    // ratchet_tree extension, every leaf through our authentication service.
    const { publicMessage, newState } = await joinGroupExternal(
      message.groupInfo,
      keyPackage.publicPackage,
      keyPackage.privatePackage,
      false,
      cs,
      undefined,
      clientConfig(expect),
    );
    const commit = encodeMlsMessage({ version: "mls10", wireformat: "mls_public_message", publicMessage });
    return { commit, group: new MeetingGroup(newState, cs, [{ commit, state: newState, consumed: [] }]) };
  }

  get epoch(): bigint {
    return this.#state.groupContext.epoch;
  }

  get ownLeaf(): number {
    return this.#state.privatePath.leafIndex;
  }

  /** Leaves in the tree, blank ones included (what RFC 9605 §5.2's sender bits must cover). */
  get leafCount(): number {
    return leafWidth(this.#state.ratchetTree.length);
  }

  get groupId(): Uint8Array {
    return this.#state.groupContext.groupId.slice();
  }

  /** GroupInfo with the ratchet_tree extension, signed, for external joiners. */
  async groupInfo(): Promise<Uint8Array> {
    this.requireMember();
    const groupInfo = await createGroupInfoWithExternalPubAndRatchetTree(this.#state, [], this.cs);
    return encodeMlsMessage({ version: "mls10", wireformat: "mls_group_info", groupInfo });
  }

  /** A commit removing these leaves; kept pending until processCommit sees the same bytes echoed. */
  createRemoveCommit(leaves: number[]): Promise<Uint8Array> {
    return this.serialised(async () => {
      this.requireMember();
      if (leaves.length === 0) throw new Error("no leaf to remove");
      const result = await createCommit(
        { state: this.#state, cipherSuite: this.cs },
        {
          wireAsPublicMessage: true,
          extraProposals: leaves.map((removed) => ({ proposalType: "remove" as const, remove: { removed } })),
        },
      );
      const commit = encodeMlsMessage(result.commit);
      this.#pending.push({ commit, state: result.newState, consumed: result.consumed });
      return commit;
    });
  }

  /** The group context's recording extension (docs/recording.md), or undefined when it has none. */
  recordingExtension(): Uint8Array | undefined {
    return this.#state.groupContext.extensions.find((e) => e.extensionType === RECORDING_EXTENSION_TYPE)?.extensionData.slice();
  }

  /** A commit setting the group context's recording extension; pending until echoed, like a remove. */
  createRecordingCommit(extensionData: Uint8Array): Promise<Uint8Array> {
    return this.serialised(async () => {
      this.requireMember();
      const result = await createCommit(
        { state: this.#state, cipherSuite: this.cs },
        {
          wireAsPublicMessage: true,
          extraProposals: [
            {
              proposalType: "group_context_extensions" as const,
              groupContextExtensions: { extensions: [{ extensionType: RECORDING_EXTENSION_TYPE, extensionData }] },
            },
          ],
        },
      );
      const commit = encodeMlsMessage(result.commit);
      this.#pending.push({ commit, state: result.newState, consumed: result.consumed });
      return commit;
    });
  }

  /** Applies a commit in the appliance's order (adopting our own pending one when it is echoed back). A
   *  commit whose new leaf fails verifyCredential throws, and the state stays as it was. */
  processCommit(commit: Uint8Array): Promise<EpochChange> {
    return this.serialised(() => this.applyCommit(commit));
  }

  members(): GroupMember[] {
    const members: GroupMember[] = [];
    const tree = this.#state.ratchetTree;
    for (let leaf = 0; leaf < leafWidth(tree.length); leaf++) {
      const member = memberAt(tree, leaf);
      if (member !== undefined) members.push(member);
    }
    return members;
  }

  epochAuthenticator(): Uint8Array {
    this.requireMember();
    return this.#state.keySchedule.epochAuthenticator.slice();
  }

  async exportSecret(label: string, length: number): Promise<Uint8Array> {
    this.requireMember();
    return mlsExporter(this.#state.keySchedule.exporterSecret, label, new Uint8Array(0), length, this.cs);
  }

  /** RFC 9420 §5.1.2 SignWithLabel / VerifyWithLabel with this member's (a leaf's) signature key. */
  async signWithLabel(label: string, content: Uint8Array): Promise<Uint8Array> {
    this.requireMember();
    return signWithLabel(this.#state.signaturePrivateKey, label, content, this.cs.signature);
  }

  async verifyWithLabel(leaf: number, label: string, content: Uint8Array, signature: Uint8Array): Promise<boolean> {
    const node = Number.isSafeInteger(leaf) && leaf >= 0 ? this.#state.ratchetTree[leaf * 2] : undefined;
    if (node?.nodeType !== "leaf") return false;
    try {
      return await verifyWithLabel(node.leaf.signaturePublicKey, label, content, signature, this.cs.signature);
    } catch {
      return false; // a signature that does not even parse as DER
    }
  }

  private async applyCommit(commit: Uint8Array): Promise<EpochChange> {
    this.requireMember();
    const before = this.#state.ratchetTree;
    const own = this.#pending.find((p) => bytesEqual(p.commit, commit));
    if (own !== undefined) {
      this.adopt(own.state, own.consumed);
      return { epoch: this.epoch, ...treeChange(before, this.#state.ratchetTree) };
    }
    const message = decodeWhole(commit);
    if (message?.wireformat !== "mls_public_message" || message.publicMessage.content.contentType !== "commit") {
      throw new Error("not a commit");
    }
    const commitEpoch = message.publicMessage.content.epoch;
    const result = await processPublicMessage(this.#state, message.publicMessage, emptyPskIndex, this.cs, onlyMeetingProposals(before));
    if (result.actionTaken === "reject") throw new Error("commit carries a proposal a meeting does not use, or a recording change by someone who is not a host");
    this.adopt(result.newState, result.consumed);
    // A member removed by this commit cannot derive the next epoch (RFC 9420 §12.4.2): ts-mls
    // keeps its old epoch and marks it removed; the change it sees names its own leaf.
    return { epoch: commitEpoch + 1n, ...treeChange(before, this.#state.ratchetTree) };
  }

  // Our pending commits were made at the epoch just left: whichever commit won, they are void.
  private adopt(state: ClientState, consumed: Uint8Array[]): void {
    this.#state = state;
    this.#pending = [];
    for (const secret of consumed) zeroOutUint8Array(secret);
  }

  private requireMember(): void {
    if (this.#state.groupActiveState.kind !== "active") throw new Error("no longer a member of the group");
  }

  private serialised<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(operation);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}

function keyPackageFor(me: MemberIdentity, cs: CiphersuiteImpl) {
  return generateKeyPackageWithKey(
    { credentialType: "basic", identity: me.credential },
    LEAF_CAPABILITIES,
    defaultLifetime,
    [],
    { signKey: me.keys.privateKey, publicKey: me.keys.publicKey },
    cs,
  );
}

/** The MLSMessage these bytes hold, or undefined unless they are exactly one. */
function decodeWhole(bytes: Uint8Array): MLSMessage | undefined {
  const decoded = decodeMlsMessage(bytes, 0);
  return decoded !== undefined && decoded[1] === bytes.length ? decoded[0] : undefined;
}

function memberAt(tree: RatchetTree, leaf: number): GroupMember | undefined {
  const node = tree[leaf * 2];
  if (node?.nodeType !== "leaf") return undefined;
  const credential = node.leaf.credential;
  // Every leaf was admitted through verifyCredential, so its identity decodes.
  const identity = credential.credentialType === "basic" ? credential.identity : undefined;
  const decoded = identity === undefined ? undefined : decodeCredential(identity);
  if (identity === undefined || decoded === undefined) throw new Error(`leaf ${leaf} holds no Conclave credential`);
  return { leaf, credential: decoded.credential, credentialBytes: identity.slice(), signaturePublicKey: node.leaf.signaturePublicKey };
}

/** Who left and who arrived between two trees: a leaf whose signature key changed did both. */
function treeChange(before: RatchetTree, after: RatchetTree): { added: GroupMember[]; removed: number[] } {
  const added: GroupMember[] = [];
  const removed: number[] = [];
  const leaves = Math.max(leafWidth(before.length), leafWidth(after.length));
  for (let leaf = 0; leaf < leaves; leaf++) {
    const old = before[leaf * 2];
    const now = after[leaf * 2];
    const oldKey = old?.nodeType === "leaf" ? old.leaf.signaturePublicKey : undefined;
    const newKey = now?.nodeType === "leaf" ? now.leaf.signaturePublicKey : undefined;
    if (oldKey !== undefined && (newKey === undefined || !bytesEqual(oldKey, newKey))) removed.push(leaf);
    if (newKey !== undefined && (oldKey === undefined || !bytesEqual(oldKey, newKey))) added.push(memberAt(after, leaf)!);
  }
  return { added, removed };
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
