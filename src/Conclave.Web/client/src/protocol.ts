// The signalling protocol over WSS /ws (docs/signalling.md). The appliance is always
// the SDP offerer; the browser only answers, so renegotiation never glares.
// The appliance declares the same messages and codes in Conclave.Web.Signalling
// (ServerMessage, SignallingError); tests/Conclave.Web.Tests compiles its JSON against
// these types, so neither side can change alone.

export interface Participant {
  id: string;
  name: string;
}

/** The mids where this browser publishes its own microphone and camera. */
export interface PublishMids {
  audio: string;
  video: string;
}

/** Which m-section (mid) carries which remote participant's track. */
export interface TrackInfo {
  mid: string;
  participantId: string;
  kind: "audio" | "video";
}

/** The code of an error message; the socket closes with 1008 right after it. */
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
  // admission refusals, each audited
  | "no-such-meeting"
  | "not-on-roster"
  | "meeting-ended"
  | "outside-time-window"
  | "meeting-locked"
  | "removed"
  | "denied"
  | "invitation-invalid";

export type ServerMessage =
  | { type: "joined"; participantId: string; participants: Participant[] }
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
  | { type: "error"; code: SignallingError; message: string };

export type ClientMessage =
  | { type: "join"; room: string }
  | { type: "answer"; revision: number; sdp: string }
  | { type: "candidate"; candidate: string; sdpMid: string | null }
  | { type: "restart-ice" }
  | { type: "leave" }
  | { type: "negotiation-failed"; reason: string };
