import type { ContentMessage } from "./content/messages";
import type { ChatLine } from "./e2ee/chat";
import { type EpochView, GroupSession, type RecordingView, fromBase64, isGroupMessage, toBase64 } from "./e2ee/group-session";
import { type GroupMember, type SignatureKeyPair, generateSignatureKeyPair } from "./e2ee/mls";
import type { PageToWorker, TransformOptions, WorkerToPage } from "./e2ee/worker-messages";
import type {
  ClientMessage,
  MediaSourceName,
  Participant,
  PublishMids,
  RecordingScope,
  RecordingStateName,
  ServerMessage,
  SignallingError,
  TrackInfo,
} from "./protocol";

export interface StreamReceiveStats {
  packetsReceived: number;
  packetsLost: number;
}

export interface VideoReceiveStats extends StreamReceiveStats {
  framesDecoded: number;
  /** The last decoded frame's width in pixels; 0 before the first. */
  frameWidth: number;
}

export interface ParticipantReceiveStats {
  audio: StreamReceiveStats;
  /** The camera. */
  video: VideoReceiveStats;
  /** The screen the participant shares (docs/content-sharing.md); zeros while it shares none. */
  screen: VideoReceiveStats;
}

/** The appliance's error codes, and the browser's own when end-to-end encryption fails. */
export type SessionError = SignallingError | "e2ee-failed";

export interface SessionEvents {
  onLobby(message: string): void;
  onJoined(selfId: string, participants: Participant[]): void;
  onParticipantJoined(participant: Participant): void;
  onParticipantLeft(participantId: string): void;
  onRemoteTrack(participantId: string, track: MediaStreamTrack, source: MediaSourceName): void;
  /** Who presents a screen now (null: nobody); a share this browser asked for and lost ends by itself. */
  onPresenter(participantId: string | null): void;
  /** This browser's own screen share: its track while sharing, null once it ended (stopped, refused or taken over). */
  onLocalScreen(track: MediaStreamTrack | null): void;
  /** The appliance refused this browser's share (share-busy): the session goes on. */
  onShareRefused(message: string): void;
  onError(code: SessionError, message: string): void;
  /** The browser could not apply the appliance's offer; the session has been left. */
  onNegotiationFailed(reason: string): void;
  onClosed(): void;
  /** A new MLS epoch: its security code and verified members. */
  onEpoch(view: EpochView): void;
  onChat(line: ChatLine, author: GroupMember | undefined): void;
  /** A verified content message (docs/content-sharing.md): share offers, views, annotations. */
  onContent(message: ContentMessage, author: GroupMember | undefined): void;
  /** The recording indicator, from this member's own group context (docs/recording.md). */
  onRecording(view: RecordingView): void;
  /** What the appliance says it stores (or why it refused to record). */
  onRecordingState(state: RecordingStateName, reason: string | null): void;
  /** The worker's frame counts, about once a second. */
  onFrameCounts(counts: WorkerToPage): void;
}

/** Why a browser cannot take part: it has no encoded transforms, so it could only send and receive plain media. */
export const E2EE_UNSUPPORTED =
  "This browser cannot encrypt the meeting end to end (it lacks RTCRtpScriptTransform). Use a current Chromium, Edge, Firefox or Safari.";

export function supportsEndToEndEncryption(): boolean {
  return typeof RTCRtpScriptTransform === "function";
}

// Chromium reports "disconnected" for a few seconds on a transient loss; only a
// lasting failure asks the appliance for an ICE restart (RFC 8445 §9).
const ICE_RESTART_AFTER_MS = 5000;

/**
 * One meeting session: the WebSocket to the appliance, the one RTCPeerConnection, and the
 * end-to-end encryption around its media (an MLS group on the page, SFrame in a worker).
 */
export class MeetingSession {
  readonly pc: RTCPeerConnection;
  private readonly ws: WebSocket;
  private readonly worker = new Worker("/js/e2ee-worker.js", { name: "e2ee" });
  private tracksByMid = new Map<string, TrackInfo>();
  private readonly present = new Set<string>();
  private readonly transformed = new WeakSet<RTCRtpReceiver>();
  private signatureKeys: SignatureKeyPair | undefined;
  private group: GroupSession | undefined;
  private restartTimer: number | undefined;
  private closed = false;
  /** The transceiver our screen goes out on (publish.screen), set up with its transform before the first offer. */
  private screenTransceiver: RTCRtpTransceiver | undefined;
  private screenTrack: MediaStreamTrack | null = null;
  /** share-start sent and no presenter message naming us yet: another presenter announced meanwhile is not a takeover. */
  private shareAwaitingPresenter = false;
  private selfId: string | undefined;
  /** Every offer's SDP length, in order: tests check that sharing again and again does not grow it. */
  readonly offerSdpLengths: number[] = [];
  private inbox: Promise<void> = Promise.resolve();

  constructor(
    url: string,
    private readonly room: string,
    private readonly localStream: MediaStream,
    private readonly events: SessionEvents,
    /** The page showed this meeting's recording notice before Join. */
    private readonly recordingNoticeShown = false,
  ) {
    this.pc = new RTCPeerConnection({ bundlePolicy: "max-bundle", rtcpMuxPolicy: "require" });
    this.pc.ontrack = (e) => this.onTrack(e);
    this.pc.onicecandidate = (e) => {
      if (e.candidate) this.send({ type: "candidate", candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid });
    };
    this.pc.oniceconnectionstatechange = () => this.watchIce();
    this.addLocalTracks();
    this.ws = new WebSocket(url);
    this.ws.onopen = () => void this.sendJoin();
    this.worker.onmessage = (e: MessageEvent<WorkerToPage>) => this.events.onFrameCounts(e.data);
    // One message at a time, in order: "joined" must set up the group before the
    // group's first message is handled.
    this.ws.onmessage = (e) => {
      this.inbox = this.inbox
        .then(() => this.onMessage(e.data as string))
        .catch((error: unknown) => this.failEncryption(error instanceof Error ? error.message : String(error)));
    };
    this.ws.onclose = () => this.close();
  }

  /**
   * Receive statistics per remote participant, from inbound-rtp (W3C webrtc-stats),
   * keyed by the mid the appliance mapped to that participant.
   */
  async receiveStats(): Promise<Record<string, ParticipantReceiveStats>> {
    const result: Record<string, ParticipantReceiveStats> = {};
    const report = await this.pc.getStats();
    report.forEach((s: RTCInboundRtpStreamStats & { mid?: string }) => {
      if (s.type !== "inbound-rtp" || !s.mid) return;
      const info = this.tracksByMid.get(s.mid);
      if (!info) return;
      const entry = (result[info.participantId] ??= {
        audio: { packetsReceived: 0, packetsLost: 0 },
        video: { packetsReceived: 0, packetsLost: 0, framesDecoded: 0, frameWidth: 0 },
        screen: { packetsReceived: 0, packetsLost: 0, framesDecoded: 0, frameWidth: 0 },
      });
      if (info.source === "microphone") {
        entry.audio.packetsReceived += s.packetsReceived ?? 0;
        entry.audio.packetsLost += s.packetsLost ?? 0;
        return;
      }
      const video = info.source === "camera" ? entry.video : entry.screen;
      video.packetsReceived += s.packetsReceived ?? 0;
      video.packetsLost += s.packetsLost ?? 0;
      video.framesDecoded += s.framesDecoded ?? 0;
      video.frameWidth = s.frameWidth ?? video.frameWidth;
    });
    return result;
  }

  /** Asks the appliance for new ICE credentials (RFC 8445 §9); its next offer restarts ICE. */
  restartIce(): void {
    this.send({ type: "restart-ice" });
  }

  /**
   * Shares a screen, window or tab the person picks (Screen Capture, getDisplayMedia): it
   * goes out on the screen's own transceiver, sealed under the screen's SFrame stream
   * context, once the appliance lets this participant present (its next offer is answered
   * sendonly). Tuned for text: contentHint "detail", and resolution kept over frame rate.
   * The browser's own "Stop sharing" ends it as stopScreenShare does.
   */
  async startScreenShare(): Promise<void> {
    if (this.screenTrack || !this.screenTransceiver) return;
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const track = stream.getVideoTracks()[0];
    if (!track) throw new Error("The browser shared no video.");
    if (this.closed || this.screenTrack) {
      track.stop();
      return;
    }
    track.contentHint = "detail";
    track.addEventListener("ended", () => this.stopScreenShare());
    this.screenTrack = track;
    const sender = this.screenTransceiver.sender;
    await sender.replaceTrack(track);
    await this.preferResolution(sender);
    this.shareAwaitingPresenter = true;
    this.send({ type: "share-start" });
    this.events.onLocalScreen(track);
  }

  /** Stops sharing: the appliance ends the presentation, and our next answer says the screen's section is inactive. */
  stopScreenShare(): void {
    if (this.endLocalScreen()) this.send({ type: "share-stop" });
  }

  get sharingScreen(): boolean {
    return this.screenTrack !== null;
  }

  /** A screen share must stay legible: lower the frame rate rather than the resolution, where the browser lets us. */
  private async preferResolution(sender: RTCRtpSender): Promise<void> {
    const parameters = sender.getParameters() as RTCRtpSendParameters & { degradationPreference?: string };
    parameters.degradationPreference = "maintain-resolution";
    try {
      await sender.setParameters(parameters);
    } catch {
      // Not settable in this browser: the encoder's own trade-off applies.
    }
  }

  /** Ends our own share locally; false when there was none. */
  private endLocalScreen(): boolean {
    const track = this.screenTrack;
    if (!track) return false;
    this.screenTrack = null;
    this.shareAwaitingPresenter = false;
    track.stop();
    void this.screenTransceiver?.sender.replaceTrack(null);
    this.events.onLocalScreen(null);
    return true;
  }

  private onPresenter(participantId: string | null): void {
    if (participantId !== null && participantId === this.selfId) this.shareAwaitingPresenter = false;
    else if (this.screenTrack && !this.shareAwaitingPresenter) this.endLocalScreen(); // taken over (or ended by the appliance)
    this.events.onPresenter(participantId);
  }

  /** Sends a chat line to everyone in the group, sealed for them alone. */
  /** As host: ask the appliance to record the meeting (it answers with recording-requested or a refusal). */
  startRecording(scope: RecordingScope): void {
    this.send({ type: "recording-start", scope });
  }

  stopRecording(): void {
    this.send({ type: "recording-stop" });
  }

  sendChat(text: string): Promise<void> {
    if (!this.group) return Promise.reject(new Error("The meeting's encryption is not ready yet."));
    return this.group.sendChat(text);
  }

  /** Sends a content message to everyone in the group, sealed and signed (docs/content-sharing.md). */
  sendContent(message: ContentMessage): Promise<void> {
    if (!this.group) return Promise.reject(new Error("The meeting's encryption is not ready yet."));
    return this.group.sendContent(message);
  }

  /** An HTTPS request to this meeting's /m/{id}/{path} as a participant (shared files, docs/signalling.md). */
  meetingFetch(path: string, init?: RequestInit): Promise<Response> {
    if (!this.group) return Promise.reject(new Error("The meeting's encryption is not ready yet."));
    return this.group.meetingFetch(path, init);
  }

  /** Content messages this browser could not open or understand, by reason (a forged or garbled one). */
  get contentDropped(): Readonly<Record<string, number>> {
    return this.group?.contentDropped ?? {};
  }

  get securityMembers(): GroupMember[] {
    return this.group?.members ?? [];
  }

  leave(): void {
    this.send({ type: "leave" });
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    window.clearTimeout(this.restartTimer);
    this.pc.close();
    this.postToWorker({ type: "forget" });
    this.worker.terminate();
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000, "leave");
    this.events.onClosed();
  }

  private send(message: ClientMessage): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  private postToWorker(message: PageToWorker): void {
    this.worker.postMessage(message);
  }

  /** A fresh MLS signature key for this join only: the appliance binds it into our credential. */
  private async sendJoin(): Promise<void> {
    this.signatureKeys = await generateSignatureKeyPair();
    this.send({
      type: "join",
      room: this.room,
      e2ee: { signatureKey: toBase64(this.signatureKeys.publicKey) },
      ...(this.recordingNoticeShown ? { recordingNotice: true as const } : {}),
    });
  }

  private async startGroup(message: Extract<ServerMessage, { type: "joined" }>): Promise<void> {
    const caPublicKey = await crypto.subtle.importKey(
      "spki",
      fromBase64(message.e2ee.caPublicKey) as BufferSource,
      { name: "ECDSA", namedCurve: "P-256" },
      false,
      ["verify"],
    );
    this.present.add(message.participantId);
    for (const p of message.participants) this.present.add(p.id);
    this.group = new GroupSession(
      this.room,
      message.participantId,
      { credential: fromBase64(message.e2ee.credential), keys: this.signatureKeys! },
      message.e2ee,
      caPublicKey,
      this.present,
      (m) => this.send(m),
      this.worker,
      {
        onEpoch: (view) => {
          this.postSenders();
          this.events.onEpoch(view);
        },
        onChat: (line, author) => this.events.onChat(line, author),
        onContent: (message, author) => this.events.onContent(message, author),
        onRecording: (view) => this.events.onRecording(view),
        onFailure: (reason) => this.failEncryption(reason),
      },
    );
  }

  /** Without a working group there is no media anyone could read: say why and leave. */
  private failEncryption(reason: string): void {
    this.events.onError("e2ee-failed", `End-to-end encryption failed: ${reason.slice(0, 200)}`);
    this.leave();
  }

  /** Which leaf may send on each receiving mid: the worker drops frames sealed by anyone else. */
  private postSenders(): void {
    const leafByParticipant = new Map(this.securityMembers.map((m) => [m.credential.participantId, m.leaf]));
    const leafByMid: Record<string, number> = {};
    const sourceByMid: Record<string, MediaSourceName> = {};
    for (const [mid, track] of this.tracksByMid) {
      const leaf = leafByParticipant.get(track.participantId);
      if (leaf !== undefined) leafByMid[mid] = leaf;
      sourceByMid[mid] = track.source;
    }
    this.postToWorker({ type: "senders", leafByMid, sourceByMid });
  }

  /**
   * Our microphone and camera, each sealed by the E2EE worker. The tracks are added, and
   * their senders given the transform, before any offer arrives: set on the video sender of
   * a transceiver the appliance's offer created, Chromium 156 sent the camera's frames
   * unencrypted (measured; audio was transformed), which the appliance then refuses.
   * The screen's sender is made the same way, before the first offer, on a placeholder track
   * that ends at once (an addTrack transceiver, so the offer's screen section takes it, RFC
   * 8829 §5.10); sharing puts the screen's track on it with replaceTrack.
   */
  private addLocalTracks(): void {
    for (const track of this.localStream.getTracks()) {
      const kind = track.kind === "audio" ? "audio" : "video";
      const sender = this.pc.addTrack(track, this.localStream);
      const options: TransformOptions = { side: "send", kind, source: kind === "audio" ? "microphone" : "camera" };
      sender.transform = new RTCRtpScriptTransform(this.worker, options);
    }
    // The offer's video sections take addTrack transceivers in order: the camera's comes first.
    if (this.localStream.getVideoTracks().length === 0) this.addPlaceholderSender("camera");
    this.screenTransceiver = this.addPlaceholderSender("screen");
  }

  private addPlaceholderSender(source: "camera" | "screen"): RTCRtpTransceiver {
    const placeholder = document.createElement("canvas").captureStream(0).getVideoTracks()[0]!;
    const sender = this.pc.addTrack(placeholder, new MediaStream([placeholder]));
    placeholder.stop();
    const options: TransformOptions = { side: "send", kind: "video", source };
    sender.transform = new RTCRtpScriptTransform(this.worker, options);
    return this.pc.getTransceivers().find((t) => t.sender === sender)!;
  }

  /** Every frame we receive passes through the E2EE worker, once per receiver. */
  private attachReceiveTransform(transceiver: RTCRtpTransceiver, kind: "audio" | "video"): void {
    if (this.transformed.has(transceiver.receiver) || !transceiver.mid) return;
    const options: TransformOptions = { side: "receive", kind, mid: transceiver.mid };
    transceiver.receiver.transform = new RTCRtpScriptTransform(this.worker, options);
    this.transformed.add(transceiver.receiver);
  }

  private async onMessage(data: string): Promise<void> {
    const message = JSON.parse(data) as ServerMessage;
    if (isGroupMessage(message)) {
      this.group?.handle(message);
      return;
    }
    switch (message.type) {
      case "lobby":
        this.events.onLobby(message.message);
        break;
      case "joined":
        this.selfId = message.participantId;
        await this.startGroup(message);
        this.events.onJoined(message.participantId, message.participants);
        break;
      case "participant-joined":
        this.present.add(message.participant.id);
        this.events.onParticipantJoined(message.participant);
        break;
      case "participant-left":
        this.present.delete(message.participantId);
        this.events.onParticipantLeft(message.participantId);
        break;
      case "recording-state":
        this.events.onRecordingState(message.state, message.reason);
        break;
      case "presenter":
        this.onPresenter(message.participantId);
        break;
      case "offer":
        try {
          await this.answer(message.revision, message.sdp, message.publish, message.tracks);
        } catch (e: unknown) {
          // A failed setRemoteDescription leaves the connection unable to follow the
          // meeting: say so to the appliance and the person, and leave cleanly.
          const reason = (e instanceof Error ? e.message : String(e)).slice(0, 256);
          this.send({ type: "negotiation-failed", reason });
          this.events.onNegotiationFailed(reason);
          this.close();
        }
        break;
      case "error":
        if (message.code === "share-busy") {
          // Refused, not ended: the meeting goes on without our share.
          this.endLocalScreen();
          this.events.onShareRefused(message.message);
          break;
        }
        this.events.onError(message.code, message.message);
        break;
      default:
        // Every type protocol.ts declares is handled above; one it does not know is ignored.
        message satisfies never;
    }
  }

  /** Answers an offer: the appliance's recvonly sections carry our own tracks. */
  private async answer(revision: number, sdp: string, publish: PublishMids, tracks: TrackInfo[]) {
    this.offerSdpLengths.push(sdp.length);
    for (const t of tracks) this.tracksByMid.set(t.mid, t);
    await this.pc.setRemoteDescription({ type: "offer", sdp });
    for (const transceiver of this.pc.getTransceivers()) {
      if (transceiver === this.screenTransceiver && transceiver.mid === publish.screen) {
        // Announced while sharing, and the appliance takes it once it lets us present. The first
        // answer announces it too (the appliance ignores it): answered inactive there, Chromium
        // 156 left the receivers the same offer created without their transforms (measured:
        // their frames reached the decoder still sealed). Its track is put on and taken off
        // by startScreenShare and endLocalScreen.
        transceiver.direction = this.screenTrack || !this.pc.currentLocalDescription ? "sendonly" : "inactive";
        continue;
      }
      const kind = transceiver.mid === publish.audio ? "audio" : transceiver.mid === publish.video ? "video" : null;
      if (!kind) {
        const info = transceiver.mid ? this.tracksByMid.get(transceiver.mid) : undefined;
        if (info) this.attachReceiveTransform(transceiver, info.kind);
        continue;
      }
      // Our tracks were added (and their senders transformed) before the first offer, so the
      // offer's publish sections took those transceivers (RFC 8829 §5.10).
      const track = this.localStream.getTracks().find((t) => t.kind === kind) ?? null;
      if (transceiver.sender.track !== track) await transceiver.sender.replaceTrack(track);
      transceiver.direction = "sendonly";
    }
    const answer = await this.pc.createAnswer();
    await this.pc.setLocalDescription(answer);
    this.send({ type: "answer", revision, sdp: this.pc.localDescription!.sdp });
    this.postSenders();
    // A track may have arrived before its mapping; deliver now that the mapping is known.
    for (const transceiver of this.pc.getTransceivers()) this.deliver(transceiver);
  }

  private onTrack(e: RTCTrackEvent): void {
    this.deliver(e.transceiver);
  }

  private delivered = new WeakSet<MediaStreamTrack>();
  private deliveredMid = new Map<string, string>();

  private deliver(transceiver: RTCRtpTransceiver): void {
    const mid = transceiver.mid;
    if (!mid) return;
    const info = this.tracksByMid.get(mid);
    if (!info || transceiver.currentDirection === "inactive") return;
    const track = transceiver.receiver.track;
    if (this.deliveredMid.get(mid) === info.participantId && this.delivered.has(track)) return;
    this.delivered.add(track);
    this.deliveredMid.set(mid, info.participantId);
    this.events.onRemoteTrack(info.participantId, track, info.source);
  }

  private watchIce(): void {
    const state = this.pc.iceConnectionState;
    window.clearTimeout(this.restartTimer);
    if (state === "disconnected" || state === "failed") {
      this.restartTimer = window.setTimeout(() => this.restartIce(), state === "failed" ? 0 : ICE_RESTART_AFTER_MS);
    }
  }
}
