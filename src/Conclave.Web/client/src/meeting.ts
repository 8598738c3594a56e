import type { Participant, SignallingError } from "./protocol";
import { MeetingSession } from "./session";

// The meeting page: /m/<meeting id>. The appliance knows who you are (your console
// login or your guest pass) and the name others see; press Join, wait in the lobby if
// the host asked for one, and every other participant appears as a tile.

const room = decodeURIComponent(location.pathname.replace(/^\/m\//, ""));
const joinForm = document.querySelector<HTMLFormElement>("#join")!;
const joinAs = document.querySelector<HTMLElement>("#join-as")!;
const meeting = document.querySelector<HTMLElement>("#meeting")!;
const tiles = document.querySelector<HTMLElement>("#tiles")!;
const status = document.querySelector<HTMLElement>("#status")!;
const muteButton = document.querySelector<HTMLButtonElement>("#mute")!;
const cameraButton = document.querySelector<HTMLButtonElement>("#camera")!;
const leaveButton = document.querySelector<HTMLButtonElement>("#leave")!;
const selfVideo = document.querySelector<HTMLVideoElement>("#self-video")!;
document.querySelector<HTMLElement>("#room-name")!.textContent = room;

const names = new Map<string, string>();
let session: MeetingSession | undefined;
let localStream: MediaStream | undefined;
let displayName = "";

async function whoAmI(): Promise<void> {
  const response = await fetch(`/m/${encodeURIComponent(room)}/me`, { credentials: "same-origin" });
  if (!response.ok) {
    say("Log in or open your invitation link first.");
    return;
  }
  const me = (await response.json()) as { displayName: string; guest: boolean; title: string | null; runsIt: boolean };
  displayName = me.displayName;
  if (me.title) {
    document.querySelector<HTMLElement>("#room-name")!.textContent = me.title;
    document.title = `${me.title} — Conclave`;
  }
  // The host admits guests from the console; the page points there.
  const controls = document.querySelector<HTMLAnchorElement>("#host-controls")!;
  controls.href = `/console/meetings/${encodeURIComponent(room)}`;
  controls.hidden = !me.runsIt;
  joinAs.textContent = `You join as ${me.displayName}${me.guest ? " (guest)" : ""}.`;
  joinForm.querySelector("button")!.disabled = false;
}

function say(text: string): void {
  status.textContent = text;
}

function tileFor(participantId: string): HTMLElement {
  let tile = tiles.querySelector<HTMLElement>(`[data-participant-id="${CSS.escape(participantId)}"]`);
  if (!tile) {
    tile = document.createElement("figure");
    tile.className = "tile";
    tile.dataset.participantId = participantId;
    tile.setAttribute("role", "group");
    const video = document.createElement("video");
    video.autoplay = true;
    video.playsInline = true;
    const audio = document.createElement("audio");
    audio.autoplay = true;
    const caption = document.createElement("figcaption");
    tile.append(video, audio, caption);
    tiles.append(tile);
  }
  const name = names.get(participantId) ?? "…";
  tile.setAttribute("aria-label", `Participant ${name}`);
  tile.querySelector("figcaption")!.textContent = name;
  return tile;
}

function addTrack(participantId: string, track: MediaStreamTrack): void {
  const tile = tileFor(participantId);
  const element = tile.querySelector<HTMLMediaElement>(track.kind === "video" ? "video" : "audio")!;
  element.srcObject = new MediaStream([track]);
}

async function join(name: string): Promise<void> {
  say("Starting camera and microphone…");
  localStream = await navigator.mediaDevices.getUserMedia({
    audio: true,
    video: { width: 640, height: 480 },
  });
  selfVideo.srcObject = localStream;
  const url = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/ws`;
  say("Connecting…");
  session = new MeetingSession(url, room, localStream, {
    onLobby(message: string) {
      joinForm.hidden = true;
      say(message);
    },
    onJoined(selfId: string, participants: Participant[]) {
      names.set(selfId, name);
      (window as unknown as { conclave: Record<string, unknown> }).conclave = { session, names, selfId };
      for (const p of participants) {
        names.set(p.id, p.name);
        tileFor(p.id);
      }
      joinForm.hidden = true;
      meeting.hidden = false;
      say(`In ${document.querySelector<HTMLElement>("#room-name")!.textContent ?? room}`);
    },
    onParticipantJoined(p: Participant) {
      names.set(p.id, p.name);
      tileFor(p.id);
    },
    onParticipantLeft(participantId: string) {
      tiles.querySelector(`[data-participant-id="${CSS.escape(participantId)}"]`)?.remove();
      names.delete(participantId);
    },
    onRemoteTrack: addTrack,
    onError(code: SignallingError, message: string) {
      say(`Error: ${message}`);
      status.dataset.code = code;
    },
    onNegotiationFailed(reason: string) {
      say(`Error: your browser could not set up the meeting's media (${reason}). Join again.`);
      status.dataset.code = "negotiation-failed";
    },
    onClosed() {
      localStream?.getTracks().forEach((t) => t.stop());
      tiles.replaceChildren();
      meeting.hidden = true;
      joinForm.hidden = false;
      if (!status.textContent?.startsWith("Error")) say("You left the meeting.");
    },
  });
}

joinForm.addEventListener("submit", (e) => {
  e.preventDefault();
  if (!displayName) return;
  join(displayName).catch((err: unknown) => say(`Could not join: ${err instanceof Error ? err.message : String(err)}`));
});

function toggle(kind: "audio" | "video", button: HTMLButtonElement, on: string, off: string): void {
  const track = localStream?.getTracks().find((t) => t.kind === kind);
  if (!track) return;
  track.enabled = !track.enabled;
  button.textContent = track.enabled ? on : off;
  button.setAttribute("aria-pressed", String(!track.enabled));
}

muteButton.addEventListener("click", () => toggle("audio", muteButton, "Mute", "Unmute"));
cameraButton.addEventListener("click", () => toggle("video", cameraButton, "Stop camera", "Start camera"));
leaveButton.addEventListener("click", () => session?.leave());

whoAmI().catch((err: unknown) => say(`Could not reach the appliance: ${err instanceof Error ? err.message : String(err)}`));
