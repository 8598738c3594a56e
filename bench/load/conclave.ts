// Conclave through the product's own paths: the first admin through the one-time setup link with
// TOTP enrolment, member accounts and a meeting per room from the console's forms, a login per
// member for its session cookie; then each participant joins over WSS as the meeting page does
// (client/src/session.ts): a fresh MLS signature key in `join`, the meeting's MLS group followed
// with the page's own GroupSession, every offer answered, and media sealed under the group's epoch.
import type { MediaStreamTrack, RTCPeerConnection, RTCRtpSender } from "werift";
import type { PublishMids } from "../../src/Conclave.Web/client/src/protocol";
import { SFrameSender } from "./frames";
import { ConsoleClient, type HttpsTarget, expectRedirect } from "./https";
import { type Clip, Publisher, type RoomTraffic, countReceived } from "./media";
import { type EpochSecret, MeetingMember, type OfferMessage, SESSION_COOKIE } from "./member";
import { newPeerConnection, waitFor } from "./peer";
import { fromBase32, totp } from "./totp";

const PASSWORD = "load harness password";

export interface ConclaveAccount {
  userName: string;
  cookie: string;
  /** The loopback address this participant connects from: the appliance counts sockets per source address. */
  localAddress: string;
}

export interface ConclaveRoom {
  meetingId: string;
  accounts: ConclaveAccount[];
}

/** The console's datetime-local form value, UTC (the appliance's clock). */
function formTime(date: Date): string {
  return date.toISOString().slice(0, 16);
}

/** The first admin (setup link, TOTP enrolment), `rooms` meetings each with `perRoom` member accounts on its roster, and their logins. */
export async function admitParticipants(target: HttpsTarget, setupLink: string, rooms: number, perRoom: number): Promise<{ admin: ConsoleClient; rooms: ConclaveRoom[] }> {
  const admin = new ConsoleClient(target);
  const link = new URL(setupLink);
  const created = await admin.submit(link.pathname + link.search, "/setup", [
    ["token", link.searchParams.get("token")!],
    ["username", "bench-admin"],
    ["display_name", "Bench Admin"],
    ["password", PASSWORD],
  ]);
  expectRedirect(created, "setup", /^\/console\/enrol$/);
  const enrolPage = await admin.page("/console/enrol");
  const secret = /id="totp-secret"[^>]*>([A-Z2-7]+)</.exec(enrolPage);
  if (!secret) throw new Error("the enrolment page shows no TOTP secret");
  const code = totp(fromBase32(secret[1]), Date.now() / 1000);
  expectRedirect(await admin.submitFrom(enrolPage, "/console/enrol", [["password", PASSWORD], ["code", code]]), "TOTP enrolment", /^\/console$/);

  const result: ConclaveRoom[] = [];
  let sourceIndex = 0;
  for (let r = 0; r < rooms; r++) {
    const userNames = Array.from({ length: perRoom }, (_, i) => `r${r}p${i}`);
    for (const userName of userNames) {
      expectRedirect(
        await admin.submit("/console/users", "/console/users", [["username", userName], ["display_name", `Room ${r} participant ${userName}`], ["password", PASSWORD], ["roles", "member"]]),
        `creating ${userName}`,
      );
    }
    const now = Date.now();
    const meeting = await admin.submit("/console/meetings", "/console/meetings", [
      ["title", `Load room ${r}`],
      ["starts_at", formTime(new Date(now - 60_000))],
      ["ends_at", formTime(new Date(now + 4 * 3600_000))],
      ["roster", userNames.join(" ")],
    ]);
    const meetingId = expectRedirect(meeting, `creating room ${r}`, /^\/console\/meetings\/[^/]+$/).split("/").pop()!;
    const accounts: ConclaveAccount[] = [];
    for (const userName of userNames) {
      sourceIndex++;
      const localAddress = `127.0.1.${sourceIndex}`;
      const member = new ConsoleClient(target, localAddress);
      expectRedirect(await member.submit("/login", "/login", [["username", userName], ["password", PASSWORD], ["code", ""], ["return", "/console"]]), `login of ${userName}`);
      const cookie = member.cookie(SESSION_COOKIE);
      if (!cookie) throw new Error(`login of ${userName} set no session cookie`);
      accounts.push({ userName, cookie, localAddress });
    }
    result.push({ meetingId, accounts });
  }
  return { admin, rooms: result };
}

export type Role = "publisher" | "subscriber";

/** One participant of a Conclave meeting, as the meeting page would be, without a browser: werift answers its offers. */
export class ConclaveParticipant extends MeetingMember {
  readonly pc: RTCPeerConnection = newPeerConnection();
  private readonly sealer = new SFrameSender();
  private publisher: Publisher | undefined;
  private readonly seenKinds = new Set<string>();
  epoch: bigint | undefined;
  error: string | undefined;

  constructor(
    target: HttpsTarget,
    private readonly account: ConclaveAccount,
    meetingId: string,
    readonly role: Role,
    private readonly clip: Clip,
    private readonly traffic: RoomTraffic,
  ) {
    super({ target, cookie: account.cookie, localAddress: account.localAddress }, meetingId);
    this.pc.onTrack.subscribe((track: MediaStreamTrack) => {
      if (role === "subscriber") countReceived(track, traffic, account.userName, this.seenKinds);
    });
  }

  get keyFramesSent(): number {
    return this.publisher?.keyFramesSent ?? 0;
  }

  override leave(): void {
    this.publisher?.stop();
    super.leave();
    void this.pc.close();
  }

  protected fail(e: unknown): void {
    this.error ??= e instanceof Error ? e.message : String(e);
  }

  protected override onClosed(): void {
    this.publisher?.stop();
  }

  protected onEpochSecret(epoch: EpochSecret): void {
    this.epoch = epoch.epoch;
    this.sealer.setEpoch(epoch);
  }

  protected onOffer(offer: OfferMessage): Promise<void> {
    return this.answer(offer.revision, offer.sdp, offer.publish);
  }

  /** The appliance offers; the publisher sends on publish.audio / publish.video, every forwarded section is received. */
  private async answer(revision: number, sdp: string, publish: PublishMids): Promise<void> {
    await this.pc.setRemoteDescription({ type: "offer", sdp });
    let audio: RTCRtpSender | undefined;
    let video: RTCRtpSender | undefined;
    for (const transceiver of this.pc.getTransceivers()) {
      const mid = transceiver.mid;
      if (mid === publish.audio || mid === publish.video) {
        const sends = this.role === "publisher";
        transceiver.setDirection(sends ? "sendonly" : "inactive");
        if (sends && mid === publish.audio) audio = transceiver.sender;
        if (sends && mid === publish.video) video = transceiver.sender;
      } else if (mid === publish.screen) {
        transceiver.setDirection("inactive");
      } else {
        transceiver.setDirection("recvonly");
      }
    }
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    this.send({ type: "answer", revision, sdp: this.pc.localDescription!.sdp });
    if (audio && video && !this.publisher) {
      this.publisher = new Publisher(this.clip, this.sealer, audio, video, this.traffic);
      this.publisher.start();
    }
  }

  async waitInGroup(epoch: bigint | undefined, timeoutMs: number): Promise<void> {
    await waitFor(() => this.error !== undefined || (this.epoch !== undefined && (epoch === undefined || this.epoch >= epoch)), timeoutMs, `${this.account.userName} in the MLS group`);
    if (this.error) throw new Error(`${this.account.userName}: ${this.error}`);
  }
}
