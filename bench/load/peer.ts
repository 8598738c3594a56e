// One werift RTCPeerConnection as the harness's participants use it against both servers: Opus
// and VP8 (NACK, PLI, FIR, transport-cc feedback), the mid and transport-wide sequence number
// header extensions Chromium sends, no STUN server (everything is host candidates on 127.0.0.2).
import {
  RTCPeerConnection,
  type RTCDtlsTransport,
  useFIR,
  useNACK,
  useOPUS,
  usePLI,
  useSdesMid,
  useTWCC,
  useTransportWideCC,
  useVP8,
} from "werift";

export function newPeerConnection(): RTCPeerConnection {
  return new RTCPeerConnection({
    bundlePolicy: "max-bundle",
    iceServers: [],
    iceUseIpv6: false,
    codecs: {
      audio: [useOPUS({ payloadType: 111 })],
      video: [useVP8({ payloadType: 96, rtcpFeedback: [useNACK(), usePLI(), useFIR(), useTWCC()] })],
    },
    headerExtensions: {
      audio: [useSdesMid(), useTransportWideCC()],
      video: [useSdesMid(), useTransportWideCC()],
    },
  });
}

/** RFC 5764 §4.1.2 protection profile ids werift uses. */
const SRTP_PROFILE_NAMES: Record<number, string> = { 1: "AES_CM_128_HMAC_SHA1_80", 7: "AEAD_AES_128_GCM" };

/** The SRTP protection profile DTLS negotiated on this connection, once connected. */
export function srtpProfile(pc: RTCPeerConnection): string | undefined {
  const transport = pc.dtlsTransports[0] as (RTCDtlsTransport & { dtls?: { srtp?: { srtpProfile?: number } } }) | undefined;
  const id = transport?.dtls?.srtp?.srtpProfile;
  return id === undefined ? undefined : (SRTP_PROFILE_NAMES[id] ?? `0x${id.toString(16)}`);
}

export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function waitForIceGathering(pc: RTCPeerConnection): Promise<void> {
  await waitFor(() => pc.iceGatheringState === "complete", 10000, "ICE gathering");
}
