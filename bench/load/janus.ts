// Janus 1.1.2 (Debian's package) as the reference SFU: a minimal configuration the harness writes
// (the HTTP transport on 127.0.0.1, the admin API for its counters, the videoroom plugin alone,
// one VP8/Opus room per load room, ICE on the namespace's veth only), and the same werift
// participants driven through the videoroom's HTTP API: a publisher joins and publishes, each
// subscriber joins as a subscriber of that feed and answers Janus's offer.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MediaStreamTrack, RTCPeerConnection } from "werift";
import { SFrameSender } from "./frames";
import { type Clip, Publisher, type RoomTraffic, countReceived } from "./media";
import { newPeerConnection, waitFor, waitForIceGathering } from "./peer";

export const JANUS_API = "http://127.0.0.1:8088/janus";
const JANUS_ADMIN_API = "http://127.0.0.1:7088/admin";
const ADMIN_SECRET = "load-harness";
const JANUS_LIB = "/usr/lib/x86_64-linux-gnu/janus";
export const FIRST_ROOM = 1001;

/** A directory with Janus's configuration and only the plugin and transport the harness uses. */
export function writeJanusConfig(dir: string, rooms: number, interfaceName: string): string {
  for (const sub of ["conf", "plugins", "transports", "events", "loggers"]) mkdirSync(join(dir, sub), { recursive: true });
  symlinkSync(join(JANUS_LIB, "plugins/libjanus_videoroom.so"), join(dir, "plugins/libjanus_videoroom.so"));
  symlinkSync(join(JANUS_LIB, "transports/libjanus_http.so"), join(dir, "transports/libjanus_http.so"));
  writeFileSync(
    join(dir, "conf/janus.jcfg"),
    `general: {
  configs_folder = "${dir}/conf"
  plugins_folder = "${dir}/plugins"
  transports_folder = "${dir}/transports"
  events_folder = "${dir}/events"
  loggers_folder = "${dir}/loggers"
  debug_level = 3
  admin_secret = "${ADMIN_SECRET}"
  session_timeout = 120
}
certificates: {}
media: {
  rtp_port_range = "20000-40000"
}
nat: {
  nice_debug = false
  ice_enforce_list = "${interfaceName}"
  ignore_mdns = true
}
plugins: {}
transports: {}
loggers: {}
events: {}
`,
  );
  writeFileSync(
    join(dir, "conf/janus.transport.http.jcfg"),
    `general: {
  json = "plain"
  base_path = "/janus"
  http = true
  port = 8088
  ip = "127.0.0.1"
  https = false
}
admin: {
  admin_base_path = "/admin"
  admin_http = true
  admin_port = 7088
  admin_ip = "127.0.0.1"
  admin_https = false
}
cors: {}
`,
  );
  // Like the appliance's offer: Opus and VP8, transport-cc, no audio-level extension.
  const roomBlocks = Array.from(
    { length: rooms },
    (_, i) => `room-${FIRST_ROOM + i}: {
  description = "load room ${i}"
  publishers = 1
  bitrate = 0
  audiocodec = "opus"
  videocodec = "vp8"
  audiolevel_ext = false
  videoorient_ext = false
  playoutdelay_ext = false
  transport_wide_cc_ext = true
}
`,
  ).join("");
  writeFileSync(join(dir, "conf/janus.plugin.videoroom.jcfg"), `general: {}\n${roomBlocks}`);
  return join(dir, "conf");
}

let transactions = 0;

interface JanusEvent {
  janus: string;
  transaction?: string;
  sender?: number;
  plugindata?: { data: Record<string, unknown> };
  jsep?: { type: "offer" | "answer"; sdp: string };
  data?: { id: number };
  info?: unknown;
}

async function post(url: string, body: Record<string, unknown>): Promise<JanusEvent> {
  const response = await fetch(url, { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });
  return (await response.json()) as JanusEvent;
}

/** One Janus session with one videoroom handle, as a browser page using janus.js holds; events come by long poll. */
class JanusHandle {
  private readonly waiting = new Map<string, (event: JanusEvent) => void>();
  private polling = true;

  private constructor(readonly sessionId: number, readonly handleId: number) {}

  static async attach(): Promise<JanusHandle> {
    const session = await post(JANUS_API, { janus: "create", transaction: `t${++transactions}` });
    if (session.janus !== "success") throw new Error(`Janus create: ${JSON.stringify(session)}`);
    const handle = await post(`${JANUS_API}/${session.data!.id}`, { janus: "attach", plugin: "janus.plugin.videoroom", transaction: `t${++transactions}` });
    if (handle.janus !== "success") throw new Error(`Janus attach: ${JSON.stringify(handle)}`);
    const janus = new JanusHandle(session.data!.id, handle.data!.id);
    void janus.poll();
    return janus;
  }

  private async poll(): Promise<void> {
    while (this.polling) {
      try {
        const response = await fetch(`${JANUS_API}/${this.sessionId}?maxev=10&rid=${Date.now()}`);
        const events = (await response.json()) as JanusEvent | JanusEvent[];
        for (const event of Array.isArray(events) ? events : [events]) {
          const resolve = event.transaction ? this.waiting.get(event.transaction) : undefined;
          if (resolve && event.janus === "event") {
            this.waiting.delete(event.transaction!);
            resolve(event);
          }
        }
      } catch {
        if (this.polling) await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** A videoroom request whose answer comes as an asynchronous event. */
  async request(body: Record<string, unknown>, jsep?: { type: string; sdp: string }): Promise<JanusEvent> {
    const transaction = `t${++transactions}`;
    const event = new Promise<JanusEvent>((resolve) => this.waiting.set(transaction, resolve));
    const ack = await post(`${JANUS_API}/${this.sessionId}/${this.handleId}`, { janus: "message", body, jsep, transaction });
    if (ack.janus === "success") return ack;
    if (ack.janus !== "ack") throw new Error(`Janus ${String(body.request)}: ${JSON.stringify(ack)}`);
    const answer = await event;
    const data = answer.plugindata?.data;
    if (data?.error) throw new Error(`Janus ${String(body.request)}: ${String(data.error)}`);
    return answer;
  }

  /** The handle's counters from the admin API (handle_info). */
  async info(): Promise<unknown> {
    const answer = await post(`${JANUS_ADMIN_API}/${this.sessionId}/${this.handleId}`, { janus: "handle_info", admin_secret: ADMIN_SECRET, transaction: `t${++transactions}` });
    return answer.info;
  }

  async destroy(): Promise<void> {
    this.polling = false;
    await post(`${JANUS_API}/${this.sessionId}`, { janus: "destroy", transaction: `t${++transactions}` }).catch(() => undefined);
  }
}

/** Packets Janus says it sent on a subscriber handle: handle_info's webrtc.media[*].stats.out.packets, summed. */
export function janusPacketsOut(info: unknown): number {
  const media = (info as { webrtc?: { media?: Record<string, { stats?: { out?: { packets?: number } } }> } }).webrtc?.media ?? {};
  return Object.values(media).reduce((sum, m) => sum + (m.stats?.out?.packets ?? 0), 0);
}

export class JanusParticipant {
  readonly pc: RTCPeerConnection = newPeerConnection();
  private janus: JanusHandle | undefined;
  private publisher: Publisher | undefined;
  private readonly seenKinds = new Set<string>();
  feedId: number | undefined;

  constructor(
    readonly name: string,
    private readonly room: number,
    private readonly clip: Clip,
    private readonly traffic: RoomTraffic,
  ) {
    this.pc.onTrack.subscribe((track: MediaStreamTrack) => countReceived(track, traffic, name, this.seenKinds));
  }

  get keyFramesSent(): number {
    return this.publisher?.keyFramesSent ?? 0;
  }

  /** Joins as the room's publisher and publishes sealed media (Janus ignores SFrame; the payloads are the same as for Conclave). */
  async publish(): Promise<void> {
    this.janus = await JanusHandle.attach();
    const joined = await this.janus.request({ request: "join", ptype: "publisher", room: this.room, display: this.name });
    this.feedId = joined.plugindata!.data.id as number;
    const audio = this.pc.addTransceiver("audio", { direction: "sendonly" });
    const video = this.pc.addTransceiver("video", { direction: "sendonly" });
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await waitForIceGathering(this.pc);
    const answer = await this.janus.request({ request: "publish", audio: true, video: true }, { type: "offer", sdp: this.pc.localDescription!.sdp });
    if (!answer.jsep) throw new Error("Janus answered publish without SDP");
    await this.pc.setRemoteDescription(answer.jsep);
    // Janus is not in the MLS group: the frames are sealed under a key of the harness's own.
    const sealer = new SFrameSender();
    sealer.setEpoch({ epoch: 1n, sframeEpochSecret: crypto.getRandomValues(new Uint8Array(16)), leafCount: 8, ownLeaf: 0 });
    this.publisher = new Publisher(this.clip, sealer, audio.sender, video.sender, this.traffic);
    this.publisher.start();
  }

  async subscribe(feedId: number): Promise<void> {
    this.janus = await JanusHandle.attach();
    const attached = await this.janus.request({ request: "join", ptype: "subscriber", room: this.room, streams: [{ feed: feedId }] });
    if (!attached.jsep) throw new Error("Janus answered a subscription without SDP");
    await this.pc.setRemoteDescription(attached.jsep);
    for (const transceiver of this.pc.getTransceivers()) transceiver.setDirection("recvonly");
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    await waitForIceGathering(this.pc);
    await this.janus.request({ request: "start" }, { type: "answer", sdp: this.pc.localDescription!.sdp });
  }

  info(): Promise<unknown> {
    return this.janus!.info();
  }

  async leave(): Promise<void> {
    this.publisher?.stop();
    await this.janus?.destroy();
    await this.pc.close();
  }

  async waitConnected(timeoutMs: number): Promise<void> {
    await waitFor(() => this.pc.connectionState === "connected", timeoutMs, `${this.name} connected to Janus`);
  }
}
