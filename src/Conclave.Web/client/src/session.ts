import type { ClientMessage, Participant, PublishMids, ServerMessage, SignallingError, TrackInfo } from "./protocol";

export interface StreamReceiveStats {
  packetsReceived: number;
  packetsLost: number;
}

export interface ParticipantReceiveStats {
  audio: StreamReceiveStats;
  video: StreamReceiveStats & { framesDecoded: number };
}

export interface SessionEvents {
  onLobby(message: string): void;
  onJoined(selfId: string, participants: Participant[]): void;
  onParticipantJoined(participant: Participant): void;
  onParticipantLeft(participantId: string): void;
  onRemoteTrack(participantId: string, track: MediaStreamTrack): void;
  onError(code: SignallingError, message: string): void;
  /** The browser could not apply the appliance's offer; the session has been left. */
  onNegotiationFailed(reason: string): void;
  onClosed(): void;
}

// Chromium reports "disconnected" for a few seconds on a transient loss; only a
// lasting failure asks the appliance for an ICE restart (RFC 8445 §9).
const ICE_RESTART_AFTER_MS = 5000;

/** One meeting session: the WebSocket to the appliance and the one RTCPeerConnection. */
export class MeetingSession {
  readonly pc: RTCPeerConnection;
  private readonly ws: WebSocket;
  private tracksByMid = new Map<string, TrackInfo>();
  private restartTimer: number | undefined;
  private closed = false;

  constructor(
    url: string,
    private readonly room: string,
    private readonly localStream: MediaStream,
    private readonly events: SessionEvents,
  ) {
    this.pc = new RTCPeerConnection({ bundlePolicy: "max-bundle", rtcpMuxPolicy: "require" });
    this.pc.ontrack = (e) => this.onTrack(e);
    this.pc.onicecandidate = (e) => {
      if (e.candidate) this.send({ type: "candidate", candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid });
    };
    this.pc.oniceconnectionstatechange = () => this.watchIce();
    this.ws = new WebSocket(url);
    this.ws.onopen = () => this.send({ type: "join", room: this.room });
    this.ws.onmessage = (e) => void this.onMessage(e.data as string);
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
        video: { packetsReceived: 0, packetsLost: 0, framesDecoded: 0 },
      });
      const kind = entry[info.kind];
      kind.packetsReceived += s.packetsReceived ?? 0;
      kind.packetsLost += s.packetsLost ?? 0;
      if (info.kind === "video") entry.video.framesDecoded += s.framesDecoded ?? 0;
    });
    return result;
  }

  /** Asks the appliance for new ICE credentials (RFC 8445 §9); its next offer restarts ICE. */
  restartIce(): void {
    this.send({ type: "restart-ice" });
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
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000, "leave");
    this.events.onClosed();
  }

  private send(message: ClientMessage): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  private async onMessage(data: string): Promise<void> {
    const message = JSON.parse(data) as ServerMessage;
    switch (message.type) {
      case "lobby":
        this.events.onLobby(message.message);
        break;
      case "joined":
        this.events.onJoined(message.participantId, message.participants);
        break;
      case "participant-joined":
        this.events.onParticipantJoined(message.participant);
        break;
      case "participant-left":
        this.events.onParticipantLeft(message.participantId);
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
        this.events.onError(message.code, message.message);
        break;
      default:
        // Every type protocol.ts declares is handled above; one it does not know is ignored.
        message satisfies never;
    }
  }

  /** Answers an offer: the appliance's recvonly sections carry our own tracks. */
  private async answer(revision: number, sdp: string, publish: PublishMids, tracks: TrackInfo[]) {
    for (const t of tracks) this.tracksByMid.set(t.mid, t);
    await this.pc.setRemoteDescription({ type: "offer", sdp });
    for (const transceiver of this.pc.getTransceivers()) {
      const kind = transceiver.mid === publish.audio ? "audio" : transceiver.mid === publish.video ? "video" : null;
      if (!kind) continue;
      const track = this.localStream.getTracks().find((t) => t.kind === kind) ?? null;
      if (transceiver.sender.track !== track) await transceiver.sender.replaceTrack(track);
      transceiver.direction = "sendonly";
    }
    const answer = await this.pc.createAnswer();
    await this.pc.setLocalDescription(answer);
    this.send({ type: "answer", revision, sdp: this.pc.localDescription!.sdp });
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
    this.events.onRemoteTrack(info.participantId, track);
  }

  private watchIce(): void {
    const state = this.pc.iceConnectionState;
    window.clearTimeout(this.restartTimer);
    if (state === "disconnected" || state === "failed") {
      this.restartTimer = window.setTimeout(() => this.restartIce(), state === "failed" ? 0 : ICE_RESTART_AFTER_MS);
    }
  }
}
