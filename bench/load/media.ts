// What flows through the servers under test: one publisher per room sends the clip's VP8 frames
// and Opus-sized frames, SFrame-sealed, through werift's raw RTP sender; subscribers count what
// arrives per SSRC and how long after its send it arrived. Publishers and subscribers share this
// process, so one clock (performance.now) times both ends.
import { performance } from "node:perf_hooks";
import { type RTCRtpSender, RtpHeader, RtpPacket, type MediaStreamTrack } from "werift";
import { MAX_PAYLOAD_BYTES, OPUS_FRAME_BYTES, type SFrameSender, isVp8KeyFrame, packetizeVp8 } from "./frames";

export const VIDEO_FRAME_INTERVAL_MS = 1000 / 30;
export const AUDIO_FRAME_INTERVAL_MS = 20;
const VIDEO_CLOCK_PER_FRAME = 90000 / 30;
const AUDIO_CLOCK_PER_FRAME = 48000 / 50;
/** Send stamps older than this are forgotten: a packet that late counts as lost for latency. */
const STAMP_LIFETIME_MS = 2000;

/** The pre-built media every publisher sends: the clip's frames, looped. */
export interface Clip {
  videoFrames: Uint8Array[];
}

/** A packet's identity on the way through a server: 53 bits of its payload's last 7 bytes (SFrame ciphertext or tag). */
export function payloadFingerprint(payload: Uint8Array): number {
  const n = payload.length;
  const high = ((payload[n - 7] << 16) | (payload[n - 6] << 8) | payload[n - 5]) & 0x1fffff;
  const low = ((payload[n - 4] << 24) | (payload[n - 3] << 16) | (payload[n - 2] << 8) | payload[n - 1]) >>> 0;
  return high * 2 ** 32 + low;
}

/** Send times of one room's packets, by fingerprint, for the subscribers' latency samples. */
export class SendStamps {
  private current = new Map<number, number>();
  private previous = new Map<number, number>();
  private rotatedAt = performance.now();

  stamp(payload: Uint8Array, atMs: number): void {
    if (atMs - this.rotatedAt > STAMP_LIFETIME_MS) {
      this.previous = this.current;
      this.current = new Map();
      this.rotatedAt = atMs;
    }
    this.current.set(payloadFingerprint(payload), atMs);
  }

  sentAt(payload: Uint8Array): number | undefined {
    const key = payloadFingerprint(payload);
    return this.current.get(key) ?? this.previous.get(key);
  }
}

/** Counts one measurement window's packets. */
export class WindowCounters {
  measuring = false;
  packets = 0;
  bytes = 0;
  readonly latenciesMs: number[] = [];
  readonly packetsBySsrc = new Map<number, number>();

  reset(measuring: boolean): void {
    this.measuring = measuring;
    this.packets = 0;
    this.bytes = 0;
    this.latenciesMs.length = 0;
    this.packetsBySsrc.clear();
  }
}

/** One room's traffic: its publisher's send counts and stamps, and every subscriber's receive counts. */
export class RoomTraffic {
  readonly stamps = new SendStamps();
  readonly sent = new WindowCounters();
  readonly received = new WindowCounters();
  /** Subscribers that have seen the publisher's audio and video: ready to be measured. */
  readonly receivingBoth = new Set<string>();
}

/** Feeds a subscriber's received RTP into its room's counters. */
export function countReceived(track: MediaStreamTrack, traffic: RoomTraffic, subscriber: string, seen: Set<string>): void {
  track.onReceiveRtp.subscribe((rtp) => {
    const now = performance.now();
    seen.add(track.kind);
    if (seen.size === 2) traffic.receivingBoth.add(subscriber);
    const counters = traffic.received;
    if (!counters.measuring) return;
    counters.packets++;
    counters.bytes += rtp.serializeSize;
    counters.packetsBySsrc.set(rtp.header.ssrc, (counters.packetsBySsrc.get(rtp.header.ssrc) ?? 0) + 1);
    const sentAt = traffic.stamps.sentAt(rtp.payload);
    if (sentAt !== undefined) counters.latenciesMs.push(now - sentAt);
  });
}

/**
 * A publisher's media clock: a VP8 frame every 33⅓ ms (its packets sent back to back, as a
 * pacer with a burst allowance sends a frame at this rate) and an Opus frame every 20 ms, each
 * SFrame-sealed first. The clip's one key frame goes out first and whenever a PLI asks for one,
 * as an encoder answers a PLI; otherwise its delta frames loop.
 */
export class Publisher {
  private videoIndex = 0;
  private pictureId = 0;
  private videoSeq = 0;
  private audioSeq = 0;
  private videoTimestamp = 0;
  private audioTimestamp = 0;
  private timers: NodeJS.Timeout[] = [];
  private running = false;
  private keyFrameWanted = false;
  keyFramesSent = 0;

  constructor(
    private readonly clip: Clip,
    private readonly sealer: SFrameSender,
    private readonly audio: RTCRtpSender,
    private readonly video: RTCRtpSender,
    private readonly traffic: RoomTraffic,
  ) {
    video.onPictureLossIndication.subscribe(() => (this.keyFrameWanted = true));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.every(VIDEO_FRAME_INTERVAL_MS, () => this.sendVideoFrame());
    this.every(AUDIO_FRAME_INTERVAL_MS, () => this.sendAudioFrame());
  }

  stop(): void {
    this.running = false;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }

  /** A drift-free schedule: each tick is due at start + k·interval, whatever the last one cost. */
  private every(intervalMs: number, tick: () => Promise<void>): void {
    const start = performance.now();
    let k = 0;
    const slot = this.timers.length;
    const next = () => {
      if (!this.running) return;
      k++;
      void tick().catch(() => {});
      this.timers[slot] = setTimeout(next, Math.max(0, start + k * intervalMs - performance.now()));
    };
    this.timers.push(setTimeout(next, 0));
  }

  private async sendVideoFrame(): Promise<void> {
    if (!this.sealer.ready) return;
    if (this.keyFrameWanted) {
      this.keyFrameWanted = false;
      this.videoIndex = 0;
    }
    const frame = this.clip.videoFrames[this.videoIndex];
    // The clip loops over its delta frames: an encoder sends a key frame only when asked.
    this.videoIndex = this.videoIndex + 1 < this.clip.videoFrames.length ? this.videoIndex + 1 : 1;
    if (isVp8KeyFrame(frame)) this.keyFramesSent++;
    const sealed = await this.sealer.seal("video", frame);
    const payloads = packetizeVp8(sealed, this.pictureId, MAX_PAYLOAD_BYTES);
    this.pictureId = (this.pictureId + 1) & 0x7fff;
    this.videoTimestamp = (this.videoTimestamp + VIDEO_CLOCK_PER_FRAME) >>> 0;
    for (let i = 0; i < payloads.length; i++) {
      this.send(this.video, payloads[i], this.videoSeq, this.videoTimestamp, i === payloads.length - 1);
      this.videoSeq = (this.videoSeq + 1) & 0xffff;
    }
  }

  private async sendAudioFrame(): Promise<void> {
    if (!this.sealer.ready) return;
    const frame = new Uint8Array(OPUS_FRAME_BYTES);
    crypto.getRandomValues(frame);
    const sealed = await this.sealer.seal("audio", frame);
    this.audioTimestamp = (this.audioTimestamp + AUDIO_CLOCK_PER_FRAME) >>> 0;
    this.send(this.audio, sealed, this.audioSeq, this.audioTimestamp, true);
    this.audioSeq = (this.audioSeq + 1) & 0xffff;
  }

  private send(sender: RTCRtpSender, payload: Uint8Array, sequenceNumber: number, timestamp: number, marker: boolean): void {
    const now = performance.now();
    this.traffic.stamps.stamp(payload, now);
    const counters = this.traffic.sent;
    if (counters.measuring) {
      counters.packets++;
      counters.bytes += payload.length;
    }
    const header = new RtpHeader({ sequenceNumber, timestamp, marker, payloadType: 0, ssrc: 0 });
    void sender.sendRtp(new RtpPacket(header, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)));
  }
}
