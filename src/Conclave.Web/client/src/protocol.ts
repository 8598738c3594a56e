// The signalling protocol over WSS /ws (docs/signalling.md). The appliance is always
// the SDP offerer; the browser only answers, so renegotiation never glares.

export interface Participant {
  id: string;
  name: string;
}

/** Which m-section (mid) carries which remote participant's track. */
export interface TrackInfo {
  mid: string;
  participantId: string;
  kind: "audio" | "video";
}

export type ServerMessage =
  | { type: "joined"; participantId: string; participants: Participant[] }
  | { type: "participant-joined"; participant: Participant }
  | { type: "participant-left"; participantId: string }
  | {
      type: "offer";
      revision: number;
      sdp: string;
      /** mids where this browser publishes its own microphone and camera */
      publish: { audio: string; video: string };
      tracks: TrackInfo[];
    }
  | { type: "lobby"; message: string }
  | { type: "error"; code: string; message: string };

export type ClientMessage =
  | { type: "join"; room: string; name: string }
  | { type: "answer"; revision: number; sdp: string }
  | { type: "candidate"; candidate: string; sdpMid: string | null }
  | { type: "restart-ice" }
  | { type: "leave" };
