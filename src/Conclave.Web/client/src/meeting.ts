import { ContentStage, type StageState } from "./content/stage";
import { WorkerFileCrypto } from "./content/content-worker-client";
import type { ContentMessage } from "./content/messages";
import { SharedFiles } from "./content/shared-files";
import type { ChatLine } from "./e2ee/chat";
import { AttendeeKind } from "./e2ee/credential";
import type { EpochView, RecordingView } from "./e2ee/group-session";
import type { GroupMember } from "./e2ee/mls";
import type { WorkerToPage } from "./e2ee/worker-messages";
import type { MediaSourceName, Participant, RecordingStateName } from "./protocol";
import { E2EE_UNSUPPORTED, MeetingSession, type SessionError, supportsEndToEndEncryption } from "./session";

// The meeting page: /m/<meeting id>. The appliance knows who you are (your console
// login or your guest pass) and the name others see; press Join, wait in the lobby if
// the host asked for one, and every other participant appears as a tile.

const room = decodeURIComponent(location.pathname.replace(/^\/m\//, ""));
const joinForm = document.querySelector<HTMLFormElement>("#join")!;
const joinAs = document.querySelector<HTMLElement>("#join-as")!;
const recordingNotice = document.querySelector<HTMLElement>("#recording-notice")!;
const recordingIndicator = document.querySelector<HTMLElement>("#recording-indicator")!;
const recordButton = document.querySelector<HTMLButtonElement>("#record")!;
const recordScope = document.querySelector<HTMLSelectElement>("#record-scope")!;
let recordable = false;
let runsIt = false;
let recordingOn = false;
const meeting = document.querySelector<HTMLElement>("#meeting")!;
const tiles = document.querySelector<HTMLElement>("#tiles")!;
const status = document.querySelector<HTMLElement>("#status")!;
const muteButton = document.querySelector<HTMLButtonElement>("#mute")!;
const cameraButton = document.querySelector<HTMLButtonElement>("#camera")!;
const shareButton = document.querySelector<HTMLButtonElement>("#share")!;
const stage = document.querySelector<HTMLElement>("#stage")!;
const stageVideo = document.querySelector<HTMLVideoElement>("#stage-video")!;
const stageCaption = document.querySelector<HTMLElement>("#stage-caption")!;
const leaveButton = document.querySelector<HTMLButtonElement>("#leave")!;
const selfVideo = document.querySelector<HTMLVideoElement>("#self-video")!;
const securityCodeOutput = document.querySelector<HTMLOutputElement>("#security-code")!;
const securityCodeChanged = document.querySelector<HTMLElement>("#security-code-changed")!;
const roster = document.querySelector<HTMLUListElement>("#roster")!;
const chatLines = document.querySelector<HTMLOListElement>("#chat-lines")!;
const chatForm = document.querySelector<HTMLFormElement>("#chat-form")!;
const chatText = document.querySelector<HTMLInputElement>("#chat-text")!;
document.querySelector<HTMLElement>("#room-name")!.textContent = room;

const names = new Map<string, string>();
let session: MeetingSession | undefined;
let contentStage: ContentStage | undefined;
let fileCrypto: WorkerFileCrypto | undefined;
let localStream: MediaStream | undefined;
let displayName = "";

/** What the page knows, for people and for tests that drive it (tests/Conclave.Browser.Tests). */
interface PageState {
  session?: MeetingSession;
  names: Map<string, string>;
  selfId?: string;
  epoch?: string;
  securityCode?: string;
  roster: { participantId: string; name: string; kind: string; leaf: number }[];
  chat: { from: string; text: string }[];
  frameCounts?: WorkerToPage;
  recording?: RecordingView;
  content?: StageState;
  /** Who presents a screen now, as the appliance says; the stage shows their verified name. */
  presenterId: string | null;
  /** The stage's label, as shown. */
  stageLabel: string;
  /** Why the last share was refused (share-busy), as shown. */
  shareRefused?: string;
}
const state: PageState = { names, roster: [], chat: [], presenterId: null, stageLabel: "" };
/** Each participant's screen track, kept while their section carries it: the stage shows the presenter's. */
const screens = new Map<string, MediaStreamTrack>();
let localScreen: MediaStreamTrack | null = null;
(window as unknown as { conclave: PageState }).conclave = state;

const KIND_NAMES: Record<AttendeeKind, string> = {
  [AttendeeKind.Host]: "host",
  [AttendeeKind.Member]: "member",
  [AttendeeKind.Guest]: "guest",
};

/**
 * The roster from verified credentials, not from what the appliance says: one line per
 * attendee with its number of devices, so a second device or a ghost member is visible.
 */
function showEpoch(view: EpochView): void {
  const previous = state.securityCode;
  state.epoch = view.epoch.toString();
  state.securityCode = view.securityCode;
  securityCodeOutput.textContent = view.securityCode;
  securityCodeChanged.hidden = previous === undefined || previous === view.securityCode;
  state.roster = view.members.map((m) => ({
    participantId: m.credential.participantId,
    name: m.credential.displayName,
    kind: KIND_NAMES[m.credential.kind] ?? "unknown",
    leaf: m.leaf,
  }));
  const byAttendee = new Map<string, GroupMember[]>();
  for (const m of view.members) {
    names.set(m.credential.participantId, m.credential.displayName);
    byAttendee.set(m.credential.attendeeKey, [...(byAttendee.get(m.credential.attendeeKey) ?? []), m]);
  }
  roster.replaceChildren(
    ...[...byAttendee.values()].map((devices) => {
      const item = document.createElement("li");
      const first = devices[0]!.credential;
      const count = devices.length === 1 ? "" : ` — ${devices.length} devices`;
      item.textContent = `${first.displayName} (${KIND_NAMES[first.kind] ?? "unknown"})${count}`;
      return item;
    }),
  );
  for (const tile of tiles.querySelectorAll<HTMLElement>("[data-participant-id]")) tileFor(tile.dataset.participantId!);
  showStage();
}

/**
 * The stage: the presenter's screen, above the tiles, for everyone (the presenter sees its
 * own share there), labelled with the name from the presenter's verified credential — the
 * appliance says who presents, but not whose name others see.
 */
function showStage(): void {
  const presenter = state.presenterId;
  const track = presenter === null ? undefined : presenter === state.selfId ? localScreen ?? undefined : screens.get(presenter);
  stage.hidden = presenter === null;
  stage.dataset.presenterId = presenter ?? "";
  contentStage?.setScreenPresenter(presenter);
  if (presenter === null) {
    stageVideo.srcObject = null;
    state.stageLabel = "";
    return;
  }
  const verified = session?.securityMembers.find((m) => m.credential.participantId === presenter)?.credential.displayName;
  const name = presenter === state.selfId ? "You are presenting" : `${verified ?? "(not yet verified)"} is presenting`;
  stageCaption.textContent = name;
  state.stageLabel = name;
  stage.setAttribute("aria-label", `Presentation: ${name}`);
  const current = stageVideo.srcObject instanceof MediaStream ? stageVideo.srcObject.getVideoTracks()[0] : undefined;
  if (current !== track) stageVideo.srcObject = track ? new MediaStream([track]) : null;
}

function showLocalScreen(track: MediaStreamTrack | null): void {
  localScreen = track;
  shareButton.textContent = track ? "Stop sharing" : "Share screen";
  shareButton.setAttribute("aria-pressed", String(track !== null));
  showStage();
}

/** Chat text goes into the page as text only, never as HTML. */
function showChat(from: string, text: string): void {
  state.chat.push({ from, text });
  const item = document.createElement("li");
  const who = document.createElement("strong");
  who.textContent = `${from}: `;
  item.append(who, document.createTextNode(text));
  chatLines.append(item);
  chatLines.scrollTop = chatLines.scrollHeight;
}

async function whoAmI(): Promise<void> {
  const response = await fetch(`/m/${encodeURIComponent(room)}/me`, { credentials: "same-origin" });
  if (!response.ok) {
    say("Log in or open your invitation link first.");
    return;
  }
  const me = (await response.json()) as { displayName: string; guest: boolean; title: string | null; runsIt: boolean; recordable: boolean };
  displayName = me.displayName;
  recordable = me.recordable;
  runsIt = me.runsIt;
  // Told before Join, and the appliance refuses a join into a recordable meeting without it.
  recordingNotice.hidden = !recordable;
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

function addTrack(participantId: string, track: MediaStreamTrack, source: MediaSourceName): void {
  // A section (and its track) that carried a screen may carry another stream later.
  for (const [owner, screen] of screens) if (screen === track) screens.delete(owner);
  if (source === "screen") {
    screens.set(participantId, track);
    showStage();
    return;
  }
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
  recordButton.hidden = recordScope.hidden = !(runsIt && recordable);
  session = new MeetingSession(url, room, localStream, {
    onLobby(message: string) {
      joinForm.hidden = true;
      say(message);
    },
    onJoined(selfId: string, participants: Participant[]) {
      names.set(selfId, name);
      state.session = session;
      state.selfId = selfId;
      for (const p of participants) {
        names.set(p.id, p.name);
        tileFor(p.id);
      }
      startContent(session!, selfId);
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
      screens.delete(participantId);
    },
    onRemoteTrack: addTrack,
    onEpoch(view: EpochView) {
      showEpoch(view);
      contentStage?.onEpoch(view).catch((err: unknown) => say(`Shared files not re-offered: ${err instanceof Error ? err.message : String(err)}`));
    },
    onContent(message: ContentMessage, author: GroupMember | undefined) {
      contentStage?.handleContent(message, author);
    },
    onPresenter(participantId: string | null) {
      state.presenterId = participantId;
      showStage();
    },
    onLocalScreen: showLocalScreen,
    onShareRefused(message: string) {
      state.shareRefused = message;
      say(`Not shared: ${message}`);
      status.dataset.code = "share-busy";
    },
    onChat(line: ChatLine, author: GroupMember | undefined) {
      showChat(author?.credential.displayName ?? "unknown member", line.text);
    },
    onRecording: showRecording,
    onRecordingState(state: RecordingStateName, reason: string | null) {
      if (state === "refused") say(`Not recorded: ${reason ?? "the appliance refused"}`);
      else if (state === "stopped" && reason) say(`Recording stopped: ${reason}`);
      recordingIndicator.dataset.applianceState = state;
    },
    onFrameCounts(counts: WorkerToPage) {
      state.frameCounts = counts;
    },
    onError(code: SessionError, message: string) {
      say(`Error: ${message}`);
      status.dataset.code = code;
    },
    onNegotiationFailed(reason: string) {
      say(`Error: your browser could not set up the meeting's media (${reason}). Join again.`);
      status.dataset.code = "negotiation-failed";
    },
    onClosed() {
      localStream?.getTracks().forEach((t) => t.stop());
      contentStage?.close();
      contentStage = undefined;
      fileCrypto?.terminate();
      fileCrypto = undefined;
      showRecording({ recording: false, escrowKeyIds: [] });
      tiles.replaceChildren();
      screens.clear();
      state.presenterId = null;
      showLocalScreen(null);
      chatLines.replaceChildren();
      roster.replaceChildren();
      securityCodeOutput.textContent = "…";
      meeting.hidden = true;
      joinForm.hidden = false;
      if (!status.textContent?.startsWith("Error")) say("You left the meeting.");
    },
  }, recordable);
}

const element = <T extends Element>(selector: string) => document.querySelector<T>(selector)!;

/** Shared documents on the stage: sealed in a worker, offered and shown through the group (content/stage.ts). */
function startContent(meetingSession: MeetingSession, selfId: string): void {
  fileCrypto = new WorkerFileCrypto();
  const files = new SharedFiles(meetingSession, fileCrypto, selfId, {
    onOffer: (share) => contentStage?.onOffer(share),
    onWithdrawn: (shareId) => contentStage?.onWithdrawn(shareId),
  });
  contentStage = new ContentStage(
    {
      stage: element("#document-stage"),
      title: element("#document-title"),
      notice: element("#document-notice"),
      canvas: element("#document-canvas"),
      ink: element("#document-ink"),
      pageLabel: element("#document-page"),
      previous: element("#document-previous"),
      next: element("#document-next"),
      windowControls: element("#document-window"),
      windowCenter: element("#document-window-center"),
      windowWidth: element("#document-window-width"),
      draw: element("#document-draw"),
      undo: element("#document-undo"),
      clear: element("#document-clear"),
      screen: { video: stageVideo, ink: element("#stage-ink"), draw: element("#stage-draw"), undo: element("#stage-undo"), clear: element("#stage-clear") },
      shareList: element("#share-list"),
      shareForm: element("#share-form"),
      shareInput: element("#share-file"),
      deidentify: element("#share-deidentify"),
      progress: element("#share-progress"),
      message: element("#share-message"),
    },
    files,
    (message) => meetingSession.sendContent(message),
    selfId,
    (participantId) => names.get(participantId) ?? "a participant",
  );
  state.content = contentStage.state;
  contentStage.setScreenPresenter(state.presenterId);
}

/** The indicator comes from this browser's own group context: no indicator, nothing escrowed, nothing a recording could open. */
function showRecording(view: RecordingView): void {
  recordingOn = view.recording;
  recordingIndicator.hidden = !view.recording;
  recordingIndicator.textContent = view.recording
    ? `● REC — recorded for compliance (${view.scope === "media" ? "audio and video" : "audio, video and chat"}), started by ${view.startedBy}. ` +
      `Escrow keys: ${view.escrowKeyIds.join(", ")}`
    : "";
  if (view.recordingId) recordingIndicator.dataset.recordingId = view.recordingId;
  recordButton.textContent = view.recording ? "Stop recording" : "Record";
  state.recording = view;
}

recordButton.addEventListener("click", () => {
  if (!session) return;
  if (recordingOn) session.stopRecording();
  else session.startRecording(recordScope.value === "media" ? "media" : "media+chat");
});

chatForm.addEventListener("submit", (e) => {
  e.preventDefault();
  const text = chatText.value.trim();
  if (!text || !session) return;
  session
    .sendChat(text)
    .then(() => {
      showChat("You", text);
      chatText.value = "";
    })
    .catch((err: unknown) => say(`Chat not sent: ${err instanceof Error ? err.message : String(err)}`));
});

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
shareButton.addEventListener("click", () => {
  if (!session) return;
  if (session.sharingScreen) {
    session.stopScreenShare();
    return;
  }
  session.startScreenShare().catch((err: unknown) => {
    // Cancelling the browser's picker is a choice, not an error worth more than a line.
    say(`Not shared: ${err instanceof Error ? err.message : String(err)}`);
  });
});

if (!supportsEndToEndEncryption()) {
  // Never a meeting without end-to-end encryption: a browser that cannot seal frames does not join.
  const refusal = document.querySelector<HTMLElement>("#e2ee-unsupported")!;
  refusal.textContent = E2EE_UNSUPPORTED;
  refusal.hidden = false;
  joinForm.hidden = true;
} else whoAmI().catch((err: unknown) => say(`Could not reach the appliance: ${err instanceof Error ? err.message : String(err)}`));
