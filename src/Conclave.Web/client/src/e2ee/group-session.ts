// The page's side of end-to-end encryption: follows the MLS group of the meeting in the
// order the appliance's Delivery Service gives (docs/signalling.md), hands each epoch's
// SFrame secret to the worker, and seals and opens chat and content messages. The appliance orders and relays;
// every decision about who is in the group is made here, from verified credentials.
import { CONTENT_SIGNATURE_LABEL, type ContentMessage, contentContext, decodeContent, encodeContent } from "../content/messages";
import type { ClientMessage, RecordingScope, ServerMessage } from "../protocol";
import { type ChatLine, openChat, sealChat } from "./chat";
import { DATA_KEY_LABEL, type DataEpoch, type OpenedData, openSignedData, sealSignedData } from "./data-message";
import { type CredentialExpectations, decodeCredential } from "./credential";
import {
  type RecordingExtension,
  RecordingScope as EscrowScope,
  decodeRecordingExtension,
  displayEscrowKeyId,
  encodeEscrowedEpoch,
  encodeRecordingExtension,
  escrowKeyId,
  sealEscrowBlob,
} from "./escrow";
import { type GroupMember, MeetingGroup, type MemberIdentity } from "./mls";
import { securityCode } from "./security-code";
import { StreamContext, senderBitsForLeafCount } from "./sframe";
import type { PageToWorker } from "./worker-messages";

const SFRAME_BASE_KEY_LABEL = "SFrame 1.0 Base Key";
const GROUP_INFO_PATH = "mls/group-info";
// Chat sealed in an epoch we have just left is still worth opening.
const DATA_EPOCHS_KEPT = 3;
// The lowest leaves escrow each recorded epoch: one would do, a second covers a member whose
// browser sealed garbage or went away (docs/recording.md).
const ESCROWERS_PER_EPOCH = 2;
// A data message's ct is at most 16 KiB of base64 (docs/signalling.md).
const MAX_DATA_CT_CHARACTERS = 16 * 1024;

type Message<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;

export interface E2eeJoined {
  credential: string;
  caPublicKey: string;
  groupToken: string;
}

export interface EpochView {
  epoch: bigint;
  securityCode: string;
  members: GroupMember[];
}

/** The recording as this member's own group context says: what the indicator shows. */
export interface RecordingView {
  recording: boolean;
  recordingId?: string;
  startedBy?: string;
  scope?: RecordingScope;
  /** The escrow keys' ids as people compare them ("3F2A 91C0 77D1 0B4E"). */
  escrowKeyIds: string[];
}

export interface E2eeEvents {
  onEpoch(view: EpochView): void;
  onRecording(view: RecordingView): void;
  onChat(line: ChatLine, member: GroupMember | undefined): void;
  /** A content message whose signature verified, with its author as this epoch's roster says. */
  onContent(message: ContentMessage, author: GroupMember | undefined): void;
  /** The group cannot be followed any more (a commit failed verification): the session must end. */
  onFailure(reason: string): void;
}

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** The server messages a GroupSession follows: whoever reads the signalling socket hands each to handle(). */
const GROUP_MESSAGE_TYPES = [
  "mls-create",
  "mls-join",
  "mls-commit",
  "mls-stale",
  "mls-remove",
  "mls-publish",
  "data",
  "recording-requested",
  "recording-stopping",
] as const;
type GroupMessageType = (typeof GROUP_MESSAGE_TYPES)[number];
export type GroupMessage = Message<GroupMessageType>;

export function isGroupMessage(message: ServerMessage): message is GroupMessage {
  return (GROUP_MESSAGE_TYPES as readonly string[]).includes(message.type);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export class GroupSession {
  private group: MeetingGroup | undefined;
  private pendingJoin: { commit: Uint8Array; group: MeetingGroup } | undefined;
  private readonly dataEpochs: DataEpoch[] = [];
  /** Content messages that were not opened or not understood, by reason: counted, never shown. */
  readonly contentDropped: Record<string, number> = {};
  private chatCounter = 0n;
  /** One SFrame counter per content stream context (each its own KID), reset with each epoch like chat's. */
  private readonly contentCounters = new Map<StreamContext, bigint>();
  private queue: Promise<void> = Promise.resolve();
  private readonly expect: CredentialExpectations;
  /** While joining, the tree's existing leaves may include people who left and are not yet removed. */
  private joining = false;
  /** As host: the recording extension the appliance asked us to commit (scope Stopped: take it out). */
  private wantedRecording: RecordingExtension | undefined;
  /** The epoch at which our last recording commit was made, so one epoch gets one such commit. */
  private recordingCommitEpoch: bigint | undefined;

  constructor(
    private readonly room: string,
    private readonly selfId: string,
    private readonly me: MemberIdentity,
    private readonly joined: E2eeJoined,
    caPublicKey: CryptoKey,
    private readonly present: ReadonlySet<string>,
    private readonly send: (message: ClientMessage) => void,
    private readonly worker: Worker,
    private readonly events: E2eeEvents,
  ) {
    this.expect = {
      caPublicKey,
      meetingId: room,
      nowUnixSeconds: () => Math.floor(Date.now() / 1000),
      isPresent: (participantId) => this.joining || this.present.has(participantId),
    };
  }

  get members(): GroupMember[] {
    return this.group?.members() ?? [];
  }

  get epoch(): bigint | undefined {
    return this.group?.epoch;
  }

  /** Messages are handled one at a time, in the order the appliance sent them. */
  handle(message: Message<GroupMessageType>): void {
    this.queue = this.queue
      .then(() => this.dispatch(message))
      .catch((e: unknown) => this.events.onFailure(e instanceof Error ? e.message : String(e)));
  }

  async sendChat(text: string): Promise<void> {
    const epoch = this.dataEpochs[0];
    if (!this.group || !epoch) throw new Error("The meeting's encryption is not ready yet.");
    const sealed = await sealChat(epoch, this.chatCounter++, this.group, text, Date.now());
    this.send({ type: "data", epoch: Number(epoch.epoch), kind: "chat", ct: toBase64(sealed) });
  }

  /** Seals a content message (docs/content-sharing.md) to everyone in the group, in its kind's stream context. */
  async sendContent(message: ContentMessage): Promise<void> {
    const epoch = this.dataEpochs[0];
    if (!this.group || !epoch) throw new Error("The meeting's encryption is not ready yet.");
    const body = encodeContent(message);
    const context = contentContext(message);
    const ctr = this.contentCounters.get(context) ?? 0n;
    this.contentCounters.set(context, ctr + 1n);
    const ct = toBase64(await sealSignedData(epoch, ctr, this.group, context, CONTENT_SIGNATURE_LABEL, body, Date.now()));
    if (ct.length > MAX_DATA_CT_CHARACTERS) throw new RangeError("This content message is too large to send; split it.");
    this.send({ type: "data", epoch: Number(epoch.epoch), kind: "content", ct });
  }

  /** An HTTPS request to /m/{meeting}/{path} as a participant of it: the group token is its bearer credential. */
  meetingFetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("Authorization", `Bearer ${this.joined.groupToken}`);
    return fetch(`/m/${encodeURIComponent(this.room)}/${path}`, { ...init, headers });
  }

  private async dispatch(message: Message<GroupMessageType>): Promise<void> {
    switch (message.type) {
      case "mls-create":
        this.group = await MeetingGroup.create(fromBase64(message.groupId), this.me, this.expect);
        await this.enterEpoch();
        await this.publishGroupInfo();
        break;
      case "mls-join":
        if (this.group) return;
        await this.joinExternally();
        break;
      case "mls-commit":
        await this.onCommit(fromBase64(message.commit), message.participantId);
        break;
      case "mls-stale":
        // Our commit lost; a joiner waits for the next mls-join, a member for the next request.
        this.pendingJoin = undefined;
        break;
      case "mls-remove":
        if (!this.group || this.group.epoch !== BigInt(message.epoch)) return;
        this.send({
          type: "mls-commit",
          epoch: message.epoch,
          commit: toBase64(await this.group.createRemoveCommit([message.leaf])),
          removes: [message.leaf],
        });
        break;
      case "mls-publish":
        if (this.group && this.group.epoch === BigInt(message.epoch)) await this.publishGroupInfo();
        break;
      case "data":
        if (message.kind === "chat") await this.onChat(fromBase64(message.ct));
        else if (message.kind === "content") await this.onContent(fromBase64(message.ct));
        break;
      case "recording-requested":
        this.wantedRecording = {
          recordingId: fromHex(message.recordingId),
          scope: message.scope === "media" ? EscrowScope.Media : EscrowScope.MediaAndChat,
          escrowKeys: message.escrowKeys.map(fromBase64),
          startedBy: decodeCredential(this.me.credential)?.credential.displayName ?? "the host",
        };
        await this.commitWantedRecording();
        break;
      case "recording-stopping":
        // ts-mls treats a GroupContextExtensions proposal with no extensions as "no change", so a
        // stopped recording stays in the context with scope None and no keys: nobody escrows.
        this.wantedRecording = { recordingId: fromHex(message.recordingId), scope: EscrowScope.Stopped, escrowKeys: [], startedBy: "" };
        await this.commitWantedRecording();
        break;
      default:
        message satisfies never;
    }
  }

  private async joinExternally(): Promise<void> {
    const response = await this.meetingFetch(GROUP_INFO_PATH);
    if (response.status === 404) return; // not published yet: mls-join comes again when it is
    if (!response.ok) throw new Error(`The meeting's group could not be fetched (HTTP ${response.status}).`);
    const epoch = Number(response.headers.get("Conclave-Mls-Epoch"));
    this.joining = true;
    try {
      this.pendingJoin = await MeetingGroup.joinExternal(new Uint8Array(await response.arrayBuffer()), this.me, this.expect);
    } finally {
      this.joining = false;
    }
    this.send({ type: "mls-commit", epoch, commit: toBase64(this.pendingJoin.commit), removes: [] });
  }

  private async onCommit(commit: Uint8Array, committer: string): Promise<void> {
    if (!this.group) {
      // Only our own external commit concerns us before we are a member.
      if (!this.pendingJoin || !sameBytes(this.pendingJoin.commit, commit)) return;
      this.group = this.pendingJoin.group;
      this.pendingJoin = undefined;
      this.send({ type: "mls-joined", epoch: Number(this.group.epoch), leaf: this.group.ownLeaf });
      await this.enterEpoch();
      await this.publishGroupInfo();
      return;
    }
    const ownLeaf = this.group.ownLeaf;
    const change = await this.group.processCommit(commit);
    if (change.removed.includes(ownLeaf)) {
      // Removed while still connected (the appliance thought we had gone): no key of the
      // new epoch is ours, so nothing is sent or shown until the appliance says mls-join.
      this.group = undefined;
      this.dataEpochs.length = 0;
      this.worker.postMessage({ type: "forget" } satisfies PageToWorker);
      return;
    }
    // Keys first: media and the security code move to the new epoch before the GroupInfo
    // for later joiners is made and sent.
    await this.enterEpoch();
    if (committer === this.selfId) await this.publishGroupInfo();
  }

  private async onChat(sealed: Uint8Array): Promise<void> {
    const group = this.group;
    if (!group) return;
    const opened = await openChat(sealed, (low) => this.dataEpochs.find((e) => Number(e.epoch & 0xffn) === low), group);
    if (!opened.ok) return;
    this.events.onChat(opened.line, group.members().find((m) => m.leaf === opened.line.senderLeaf));
  }

  /** Content is dropped unless it opens, verifies, decodes, and came in the stream context of its kind. */
  private async onContent(sealed: Uint8Array): Promise<void> {
    const group = this.group;
    if (!group) return;
    const epochs = (low: number) => this.dataEpochs.find((e) => Number(e.epoch & 0xffn) === low);
    let context = StreamContext.Annotation;
    let opened: OpenedData = await openSignedData(sealed, epochs, group, context, CONTENT_SIGNATURE_LABEL);
    if (!opened.ok && opened.reason === "wrong context") {
      context = StreamContext.FileOffer;
      opened = await openSignedData(sealed, epochs, group, context, CONTENT_SIGNATURE_LABEL);
    }
    if (!opened.ok) {
      this.contentDropped[opened.reason] = (this.contentDropped[opened.reason] ?? 0) + 1;
      return;
    }
    const message = decodeContent(opened.body);
    if (!message || contentContext(message) !== context) {
      this.contentDropped.malformed = (this.contentDropped.malformed ?? 0) + 1;
      return;
    }
    const { senderLeaf } = opened;
    this.events.onContent(message, group.members().find((m) => m.leaf === senderLeaf));
  }

  /** Keys of the group's current epoch to the worker and the chat; the new code to the page; escrow while recorded. */
  private async enterEpoch(): Promise<void> {
    const group = this.group!;
    const sframeEpochSecret = await group.exportSecret(SFRAME_BASE_KEY_LABEL, 16);
    const epochMessage: PageToWorker = {
      type: "epoch",
      epoch: group.epoch,
      sframeEpochSecret: sframeEpochSecret.slice(),
      leafCount: group.leafCount,
      ownLeaf: group.ownLeaf,
    };
    this.worker.postMessage(epochMessage);
    const dataKey = await group.exportSecret(DATA_KEY_LABEL, 16);
    this.dataEpochs.unshift({
      epoch: group.epoch,
      groupId: group.groupId,
      dataKey,
      layout: { senderBits: senderBitsForLeafCount(group.leafCount), epochBits: 8 },
      ownLeaf: group.ownLeaf,
    });
    this.dataEpochs.length = Math.min(this.dataEpochs.length, DATA_EPOCHS_KEPT);
    this.chatCounter = 0n;
    this.contentCounters.clear();
    this.events.onEpoch({ epoch: group.epoch, securityCode: securityCode(group.epochAuthenticator()), members: group.members() });
    const recording = this.recordingInContext(group);
    await this.showRecording(recording);
    if (recording !== undefined) await this.escrow(group, recording, sframeEpochSecret, dataKey);
    await this.commitWantedRecording();
  }

  /** The recording this epoch's group context carries, when it records (scope Stopped: it ended). */
  private recordingInContext(group: MeetingGroup): RecordingExtension | undefined {
    const data = group.recordingExtension();
    const recording = data === undefined ? undefined : decodeRecordingExtension(data);
    return recording !== undefined && recording.scope !== EscrowScope.Stopped ? recording : undefined;
  }

  private async showRecording(recording: RecordingExtension | undefined): Promise<void> {
    if (recording === undefined) {
      this.events.onRecording({ recording: false, escrowKeyIds: [] });
      return;
    }
    const ids = await Promise.all(recording.escrowKeys.map(async (spki) => displayEscrowKeyId(await escrowKeyId(spki))));
    this.events.onRecording({
      recording: true,
      recordingId: toHex(recording.recordingId),
      startedBy: recording.startedBy,
      scope: recording.scope === EscrowScope.Media ? "media" : "media+chat",
      escrowKeyIds: ids,
    });
  }

  /**
   * While the group context says the meeting is recorded, the lowest leaves seal this epoch's
   * keys to every escrow key it names (docs/recording.md): the SFrame epoch secret, the data key
   * when chat is in scope, and the roster that attributes each leaf. Never the exporter secret.
   */
  private async escrow(group: MeetingGroup, recording: RecordingExtension, sframeEpochSecret: Uint8Array, dataKey: Uint8Array): Promise<void> {
    const members = group.members();
    const escrowers = members.map((m) => m.leaf).sort((a, b) => a - b).slice(0, ESCROWERS_PER_EPOCH);
    if (!escrowers.includes(group.ownLeaf)) return;
    const content = encodeEscrowedEpoch({
      recordingId: recording.recordingId,
      groupId: group.groupId,
      epoch: group.epoch,
      sframeEpochSecret,
      dataKey: recording.scope === EscrowScope.MediaAndChat ? dataKey : new Uint8Array(0),
      epochAuthenticator: group.epochAuthenticator(),
      leafCount: group.leafCount,
      roster: members.map((m) => ({ leaf: m.leaf, credential: m.credentialBytes, signatureKey: m.signaturePublicKey })),
    });
    for (const spki of recording.escrowKeys) {
      const blob = await sealEscrowBlob(spki, recording.recordingId, group.epoch, group.ownLeaf, content);
      this.send({ type: "recording-escrow", recordingId: toHex(recording.recordingId), epoch: Number(group.epoch), blob: toBase64(blob) });
    }
    content.fill(0);
  }

  /** As host: one commit per epoch until the group context holds the recording state the appliance asked for. */
  private async commitWantedRecording(): Promise<void> {
    const group = this.group;
    const wanted = this.wantedRecording;
    if (!group || !wanted || this.recordingCommitEpoch === group.epoch) return;
    const current = group.recordingExtension();
    const data = encodeRecordingExtension(wanted);
    if (current !== undefined && sameBytes(current, data)) {
      this.wantedRecording = undefined;
      return;
    }
    if (current === undefined && wanted.scope === EscrowScope.Stopped) {
      this.wantedRecording = undefined;
      return;
    }
    this.recordingCommitEpoch = group.epoch;
    this.send({ type: "mls-commit", epoch: Number(group.epoch), commit: toBase64(await group.createRecordingCommit(data)), removes: [] });
  }

  private async publishGroupInfo(): Promise<void> {
    const group = this.group!;
    const response = await this.meetingFetch(`${GROUP_INFO_PATH}?epoch=${group.epoch}`, {
      method: "PUT",
      headers: { "Content-Type": "application/octet-stream" },
      body: (await group.groupInfo()) as BufferSource,
    });
    // 409: someone else's commit already moved the group on, or its GroupInfo is stored.
    if (!response.ok && response.status !== 409) throw new Error(`The group could not be published (HTTP ${response.status}).`);
  }
}
