// What the meeting page and the E2EE worker (e2ee-worker.ts) tell each other. The page runs
// MLS and hands the worker one SFrame epoch secret per epoch; the worker never sees MLS state.

/** What a stream comes from: each has its own SFrame stream context (docs/e2ee.md), so a screen's KIDs never collide with a camera's. */
export type MediaSourceName = "microphone" | "camera" | "screen";

/** The options an RTCRtpScriptTransform is created with: one per sender or receiver. */
export type TransformOptions =
  | { side: "send"; kind: "audio" | "video"; source: MediaSourceName }
  /** mid: the m-section; a receiver looks up which leaf, and which of its sources, may send on it. */
  | { side: "receive"; kind: "audio" | "video"; mid: string };

export type PageToWorker =
  /** A new epoch's keys (RFC 9605 §5.2): the worker seals with it from now on and keeps the previous epoch a while. */
  | { type: "epoch"; epoch: bigint; sframeEpochSecret: Uint8Array; leafCount: number; ownLeaf: number }
  /**
   * Which MLS leaf publishes on each receiving mid, and from which source (a mid may carry a
   * camera, later a screen); a frame from any other sender or stream context is dropped.
   */
  | { type: "senders"; leafByMid: Record<string, number>; sourceByMid: Record<string, MediaSourceName> }
  /** Leaving: forget every key. */
  | { type: "forget" };

/** Counts per receiving mid, and for what this browser sends per kind ("audio", "video": the camera) and "screen". */
export interface ReceiveCounts {
  decrypted: number;
  /** No key for the frame's epoch (not yet, or never: a removed member). */
  droppedNoKey: number;
  /** Authentication failed: tampered, or sealed under a key we do not share. */
  droppedAuthentication: number;
  /** The KID names another sender or stream than this mid carries. */
  droppedWrongSender: number;
  /** Not an SFrame frame at all. */
  droppedMalformed: number;
  keyFrameRequests: number;
}

export interface SendCounts {
  encrypted: number;
  droppedNoKey: number;
}

export type WorkerToPage = {
  type: "counts";
  receive: Record<string, ReceiveCounts>;
  send: Record<string, SendCounts>;
};
