// The signalling protocol over WSS /ws (docs/signalling.md). The appliance is always
// the SDP offerer; the browser only answers, so renegotiation never glares.
// The appliance declares the same messages and codes in Conclave.Web.Signalling
// (ServerMessage, SignallingError); tests/Conclave.Web.Tests compiles its JSON against
// these types, so neither side can change alone.

export interface Participant {
  id: string;
  name: string;
}

/** The mids where this browser publishes its own microphone, camera and shared screen. */
export interface PublishMids {
  audio: string;
  video: string;
  screen: string;
}

/** What a published stream comes from; a screen share is an auxiliary video stream (docs/content-sharing.md). */
export type MediaSourceName = "microphone" | "camera" | "screen";

/** Which m-section (mid) carries which remote participant's track. */
export interface TrackInfo {
  mid: string;
  participantId: string;
  kind: "audio" | "video";
  source: MediaSourceName;
}

/**
 * joined's end-to-end encryption part (docs/signalling.md, "Credential"). Base64 is standard
 * base64 with padding.
 */
export interface JoinedE2ee {
  /** The ConclaveCredential for this participant's MLS leaf. */
  credential: string;
  /** The credential CA's SubjectPublicKeyInfo (DER) that verifies every credential. */
  caPublicKey: string;
  /** `Authorization: Bearer` of this participant's GroupInfo requests. */
  groupToken: string;
}

/** What a data message carries. */
export type DataKind = "chat" | "content";

/** The code of an error message; the socket closes with 1008 right after it, but for share-busy. */
export type SignallingError =
  | "malformed"
  | "too-large"
  | "out-of-order"
  | "bad-sdp"
  | "media-closed"
  | "timeout"
  | "lobby-full"
  | "too-many-connections"
  | "meeting-full"
  | "rate-limited"
  | "e2ee-required"
  | "recording-notice-required"
  /** Someone else presents and you are not the host; the socket stays open. */
  | "share-busy"
  // admission refusals, each audited
  | "no-such-meeting"
  | "not-on-roster"
  | "meeting-ended"
  | "outside-time-window"
  | "meeting-locked"
  | "removed"
  | "denied"
  | "invitation-invalid";

// Epochs are MLS epochs as JSON numbers; leaves are MLS leaf indexes.
export type ServerMessage =
  | { type: "joined"; participantId: string; participants: Participant[]; e2ee: JoinedE2ee }
  | { type: "participant-joined"; participant: Participant }
  | { type: "participant-left"; participantId: string }
  | {
      type: "offer";
      revision: number;
      sdp: string;
      publish: PublishMids;
      tracks: TrackInfo[];
    }
  | { type: "lobby"; message: string }
  | { type: "error"; code: SignallingError; message: string }
  /** You found the MLS group: create it (epoch 0) with this group id, then PUT its GroupInfo. */
  | { type: "mls-create"; groupId: string }
  /** The GroupInfo of this epoch is available: GET it, commit externally at this epoch. */
  | { type: "mls-join"; epoch: number }
  /** An accepted commit made at `epoch`, in order, to everyone (the committer's acknowledgement too). */
  | { type: "mls-commit"; epoch: number; commit: string; participantId: string }
  /** Your commit lost the race: the group is at `epoch` now. */
  | { type: "mls-stale"; epoch: number }
  /** Please commit a Remove of this leaf, whose participant left. */
  | { type: "mls-remove"; epoch: number; leaf: number; participantId: string }
  /** Please PUT the GroupInfo of this epoch: its committer did not. */
  | { type: "mls-publish"; epoch: number }
  /** Another participant's encrypted message, relayed as it came. */
  | { type: "data"; epoch: number; kind: DataKind; ct: string; participantId: string }
  /** To a host: put this recording into the group context (escrow keys: SPKI DER, base64). */
  | { type: "recording-requested"; recordingId: string; scope: RecordingScope; escrowKeys: string[] }
  /** To a host: take the recording out of the group context. */
  | { type: "recording-stopping"; recordingId: string }
  /** What the appliance stores now; the indicator itself comes from the group context. */
  | { type: "recording-state"; state: RecordingStateName; recordingId: string | null; reason: string | null }
  /** Who presents a screen now (null: nobody), to everyone; also right after joined when someone presents. */
  | { type: "presenter"; participantId: string | null };

export type RecordingScope = "media" | "media+chat";
export type RecordingStateName = "off" | "requested" | "on" | "stopped" | "refused";

export type ClientMessage =
  /** `e2ee.signatureKey`: the 65-byte uncompressed P-256 point this browser signs MLS messages with. */
  | { type: "join"; room: string; e2ee: { signatureKey: string }; recordingNotice?: true }
  | { type: "answer"; revision: number; sdp: string }
  | { type: "candidate"; candidate: string; sdpMid: string | null }
  | { type: "restart-ice" }
  | { type: "leave" }
  | { type: "negotiation-failed"; reason: string }
  /** An MLSMessage commit made at `epoch` (≤ 48 KiB of base64); `removes`: the leaves it removes. */
  | { type: "mls-commit"; epoch: number; commit: string; removes: number[] }
  /** After this browser's own external commit was echoed: its leaf. */
  | { type: "mls-joined"; epoch: number; leaf: number }
  /** ≤ 16 KiB of base64; at most 20 chat and, counted apart, 40 content messages a second. */
  | { type: "data"; epoch: number; kind: DataKind; ct: string }
  /** A host asks to record (or stop recording) the meeting. */
  | { type: "recording-start"; scope: RecordingScope }
  | { type: "recording-stop" }
  /** One EscrowBlob (≤ 48 KiB of base64) sealed for an epoch of the recording. */
  | { type: "recording-escrow"; recordingId: string; epoch: number; blob: string }
  /** Present this browser's screen (the answer to the next offer announces it on publish.screen), or stop. */
  | { type: "share-start" }
  | { type: "share-stop" };
