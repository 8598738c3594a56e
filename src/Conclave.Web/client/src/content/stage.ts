// The meeting page's shared documents (docs/content-sharing.md): sharing a PDF, an image or a
// DICOM series, the list of what is shared, the document on the stage at the page or slice the
// presenter shows, and the annotations drawn over it. Everything arrives and leaves as sealed
// content messages and sealed files (SharedFiles); this module only decides what to show.
import { phiBannerText, type DicomSeriesDocument, openDicomSeries } from "./dicom/series";
import { deidentifySeries } from "./dicom/deidentify";
import { AnnotationBoard, type DroppedOps, StrokeBatcher, drawAnnotations } from "./annotations";
import { readImageHeader, openImage } from "./image-view";
import type { AnnotationOp, ContentMessage, ContentTarget, ShareKind } from "./messages";
import { openPdf } from "./pdf-view";
import type { HeldShare, SharedFiles } from "./shared-files";
import { type ContentDocument, ContentRejected, type ViewWindow } from "./viewer";
import type { GroupMember } from "../e2ee/mls";

/** A canvas drawn on over something shown, with its own Draw, Undo and Clear. */
export interface InkElements {
  ink: HTMLCanvasElement;
  draw: HTMLButtonElement;
  undo: HTMLButtonElement;
  clear: HTMLButtonElement;
}

/** The page's elements this module drives (meeting.html). */
export interface StageElements {
  stage: HTMLElement;
  title: HTMLElement;
  notice: HTMLElement;
  canvas: HTMLCanvasElement;
  ink: HTMLCanvasElement;
  pageLabel: HTMLOutputElement;
  previous: HTMLButtonElement;
  next: HTMLButtonElement;
  windowControls: HTMLElement;
  windowCenter: HTMLInputElement;
  windowWidth: HTMLInputElement;
  draw: HTMLButtonElement;
  undo: HTMLButtonElement;
  clear: HTMLButtonElement;
  /** The presenter's screen (the stage's video) and the ink over it. */
  screen: InkElements & { video: HTMLVideoElement };
  shareList: HTMLUListElement;
  shareForm: HTMLFormElement;
  shareInput: HTMLInputElement;
  deidentify: HTMLInputElement;
  progress: HTMLProgressElement;
  message: HTMLElement;
}

/** What the page shows, for people and for the browser tests. */
export interface StageState {
  shares: { shareId: string; kind: ShareKind; name: string; offeredBy: string; mine: boolean }[];
  view?: { shareId: string; page: number; window?: ViewWindow; presenter: string };
  rendered?: { shareId: string; page: number; pageCount: number; widthPx: number; heightPx: number; window?: ViewWindow };
  /** The strokes on the page or slice shown, oldest first. */
  shownStrokeIds: string[];
  /** The strokes on the presenter's screen, oldest first. */
  screenStrokeIds: string[];
  annotationsDropped: DroppedOps;
  errors: string[];
}

const INK_COLOR = "#ff3b30";
/** Stroke width as a fraction of the target's width. */
const INK_WIDTH = 0.006;
/** Snapshot ops re-sent per epoch go out this far apart, well inside the 40 a second content budget. */
const SNAPSHOT_SPACING_MS = 60;

export class ContentStage {
  readonly state: StageState;
  private readonly board = new AnnotationBoard();
  private readonly batcher: StrokeBatcher;
  private readonly documents = new Map<string, Promise<ContentDocument>>();
  private readonly documentInk: InkSurface;
  private readonly screenInk: InkSurface;
  private presenterId: string | null = null;
  private renderSerial = 0;

  constructor(
    private readonly elements: StageElements,
    private readonly files: SharedFiles,
    private readonly send: (message: ContentMessage) => Promise<void>,
    private readonly selfId: string,
    private readonly nameOf: (participantId: string) => string,
  ) {
    this.state = { shares: [], shownStrokeIds: [], screenStrokeIds: [], annotationsDropped: this.board.dropped, errors: [] };
    this.batcher = new StrokeBatcher((op) => this.sendAnnotation(op));
    const whole = (canvas: HTMLCanvasElement): FrameRect => ({ x: 0, y: 0, width: canvas.width, height: canvas.height });
    this.documentInk = new InkSurface(elements, this.board, this.batcher, selfId, () => this.documentTarget(), () => {
      // The ink canvas has the document canvas's pixel size, so the page fills it.
      const { ink, canvas } = this.elements;
      if (ink.width !== canvas.width || ink.height !== canvas.height) {
        ink.width = canvas.width;
        ink.height = canvas.height;
      }
      return whole(ink);
    }, (ids) => (this.state.shownStrokeIds = ids));
    this.screenInk = new InkSurface(elements.screen, this.board, this.batcher, selfId, () => this.screenTarget(),
      () => videoFrameRect(elements.screen.video, elements.screen.ink), (ids) => (this.state.screenStrokeIds = ids));
    elements.screen.video.addEventListener("resize", () => this.screenInk.redraw());
    globalThis.addEventListener("resize", () => this.screenInk.redraw());
    this.wire();
  }

  /** Who presents a screen now (the appliance's presenter message): its ink follows. */
  setScreenPresenter(participantId: string | null): void {
    this.presenterId = participantId;
    this.screenInk.redraw();
  }

  /** SharedFiles' events. */
  onOffer(share: HeldShare): void {
    const { offer } = share;
    this.state.shares.push({ shareId: offer.shareId, kind: offer.kind, name: offer.name, offeredBy: share.offeredBy, mine: share.mine });
    this.showList();
    // What we share ourselves goes on the stage for everyone.
    if (share.mine) void this.present(offer.shareId, 0, undefined);
  }

  onWithdrawn(shareId: string): void {
    this.state.shares = this.state.shares.filter((s) => s.shareId !== shareId);
    this.documents.get(shareId)?.then((d) => d.destroy(), () => undefined);
    this.documents.delete(shareId);
    this.board.dropShare(shareId);
    if (this.state.view?.shareId === shareId) {
      this.state.view = undefined;
      this.state.rendered = undefined;
      this.elements.stage.hidden = true;
    }
    this.showList();
  }

  /** A content message from the group: offers go to SharedFiles, views and annotations are ours. */
  handleContent(message: ContentMessage, author: GroupMember | undefined): void {
    this.files.handleContent(message, author);
    if (!author) return;
    const from = author.credential.participantId;
    if (message.t === "view") {
      if (message.shareId === null) {
        this.state.view = undefined;
        this.elements.stage.hidden = true;
        return;
      }
      this.state.view = { shareId: message.shareId, page: message.page, window: message.window, presenter: from };
      void this.show();
    } else if (message.t === "annotation") {
      if (this.board.apply(message.op, from)) this.redrawInk();
    }
  }

  /** A new epoch: the keys changed, so offers and our strokes go out again for whoever just joined. */
  async onEpoch(view: Parameters<SharedFiles["onEpoch"]>[0]): Promise<void> {
    await this.files.onEpoch(view);
    if (this.state.view?.presenter === this.selfId) await this.send({ t: "view", shareId: this.state.view.shareId, page: this.state.view.page, window: this.state.view.window });
    for (const op of this.board.snapshotOps(this.selfId)) {
      await this.send({ t: "annotation", op });
      await new Promise((resolve) => setTimeout(resolve, SNAPSHOT_SPACING_MS));
    }
  }

  close(): void {
    for (const document of this.documents.values()) document.then((d) => d.destroy(), () => undefined);
    this.documents.clear();
    this.elements.stage.hidden = true;
    this.elements.shareList.replaceChildren();
  }

  // ---- sharing -------------------------------------------------------------------

  private async shareChosenFiles(): Promise<void> {
    const chosen = [...(this.elements.shareInput.files ?? [])];
    if (chosen.length === 0) return;
    const kinds = await Promise.all(chosen.map(kindOf));
    const progress = this.elements.progress;
    progress.hidden = false;
    progress.value = 0;
    const onProgress = (done: number, total: number) => {
      progress.max = Math.max(total, 1);
      progress.value = done;
    };
    try {
      if (kinds.every((k) => k === "dicom")) {
        let slices = chosen;
        if (this.elements.deidentify.checked) {
          // PS3.15 Annex E before anything leaves this browser: the appliance never sees it either way.
          const cleaned = deidentifySeries(await Promise.all(chosen.map((f) => f.arrayBuffer())));
          slices = cleaned.map((bytes, i) => new File([bytes], `slice-${i}.dcm`, { type: "application/dicom" }));
        }
        // Opened here first, so an unsupported series is refused before it is uploaded.
        (await openDicomSeries(await Promise.all(slices.map((f) => f.arrayBuffer())))).destroy();
        await this.files.share(slices, "dicom", seriesName(chosen), onProgress);
      } else {
        for (const [i, file] of chosen.entries()) {
          const kind = kinds[i];
          if (kind === "dicom") throw new ContentRejected("share a DICOM series on its own, not mixed with other files");
          await checkBeforeSharing(file, kind);
          await this.files.share([file], kind, file.name, onProgress);
        }
      }
      this.say("");
      this.elements.shareForm.reset();
    } catch (e: unknown) {
      this.say(`Not shared: ${reason(e)}`);
    } finally {
      progress.hidden = true;
    }
  }

  // ---- the stage -----------------------------------------------------------------

  /** Shows a share for everyone: we become the presenter. */
  private async present(shareId: string, page: number, window: ViewWindow | undefined): Promise<void> {
    this.state.view = { shareId, page, window, presenter: this.selfId };
    await this.send({ t: "view", shareId, page, window }).catch((e: unknown) => this.say(`Could not present: ${reason(e)}`));
    await this.show();
  }

  private documentFor(shareId: string): Promise<ContentDocument> {
    let document = this.documents.get(shareId);
    if (!document) {
      const share = this.state.shares.find((s) => s.shareId === shareId);
      if (!share) return Promise.reject(new Error("this share is not offered to you"));
      // Copies: a viewer may hand its bytes to a worker, and SharedFiles keeps the originals cached.
      document = this.files.open(shareId).then((files) => {
        const copies = files.map((f) => f.slice(0));
        if (share.kind === "pdf") return openPdf(copies[0]);
        if (share.kind === "image") return openImage(copies[0]);
        return openDicomSeries(copies);
      });
      document.catch(() => this.documents.delete(shareId));
      this.documents.set(shareId, document);
    }
    return document;
  }

  /** Renders the current view; a newer view started meanwhile wins. */
  private async show(): Promise<void> {
    const view = this.state.view;
    if (!view) return;
    const serial = ++this.renderSerial;
    const { stage, canvas, title, notice, windowControls } = this.elements;
    stage.hidden = false;
    const share = this.state.shares.find((s) => s.shareId === view.shareId);
    title.textContent = `${share?.name ?? "A shared file"} — shown by ${view.presenter === this.selfId ? "you" : this.nameOf(view.presenter)}`;
    try {
      const document = await this.documentFor(view.shareId);
      if (serial !== this.renderSerial) return;
      const page = Math.min(Math.max(view.page, 0), document.pageCount - 1);
      const dicom = document.kind === "dicom" ? (document as DicomSeriesDocument) : undefined;
      const window = dicom ? (view.window ?? dicom.defaultWindow) : undefined;
      const size = await document.render(page, canvas, { window, maxWidthPx: stage.clientWidth || 960, maxHeightPx: Math.max(240, Math.round(globalThis.innerHeight * 0.6)) });
      if (serial !== this.renderSerial) return;
      this.state.rendered = { shareId: view.shareId, page, pageCount: document.pageCount, widthPx: size.widthPx, heightPx: size.heightPx, window };
      this.elements.pageLabel.value = `${document.kind === "dicom" ? "Slice" : "Page"} ${page + 1} of ${document.pageCount}`;
      windowControls.hidden = !dicom;
      if (dicom && window) {
        this.elements.windowCenter.value = String(Math.round(window.center));
        this.elements.windowWidth.value = String(Math.round(window.width));
      }
      const phi = dicom ? phiBannerText(dicom.phi) : "";
      notice.hidden = !dicom;
      notice.textContent = dicom
        ? `Not for diagnosis: a meeting view of a DICOM series.${phi ? ` Contains patient details: ${phi}.` : ""}`
        : "";
      this.redrawInk();
    } catch (e: unknown) {
      if (serial !== this.renderSerial || (e instanceof DOMException && e.name === "AbortError")) return;
      this.state.errors.push(reason(e));
      this.state.rendered = undefined;
      this.say(`This share cannot be shown: ${reason(e)}`);
    }
  }

  private documentTarget(): ContentTarget | undefined {
    const rendered = this.state.rendered;
    return rendered ? { kind: "share", shareId: rendered.shareId, page: rendered.page } : undefined;
  }

  private screenTarget(): ContentTarget | undefined {
    return this.presenterId === null ? undefined : { kind: "screen", participantId: this.presenterId };
  }

  private redrawInk(): void {
    this.documentInk.redraw();
    this.screenInk.redraw();
  }

  private sendAnnotation(op: AnnotationOp): void {
    if (this.board.apply(op, this.selfId)) this.redrawInk();
    this.send({ t: "annotation", op }).catch((e: unknown) => this.say(`Annotation not sent: ${reason(e)}`));
  }

  private turnPage(step: number): void {
    const view = this.state.view;
    const rendered = this.state.rendered;
    if (!view || !rendered) return;
    const page = Math.min(Math.max(rendered.page + step, 0), rendered.pageCount - 1);
    if (page !== rendered.page) void this.present(view.shareId, page, view.window);
  }

  private changeWindow(): void {
    const view = this.state.view;
    const center = Number(this.elements.windowCenter.value);
    const width = Number(this.elements.windowWidth.value);
    if (!view || !Number.isFinite(center) || !Number.isFinite(width) || width <= 0) return;
    void this.present(view.shareId, view.page, { center, width });
  }

  private showList(): void {
    this.elements.shareList.replaceChildren(
      ...this.state.shares.map((share) => {
        const item = document.createElement("li");
        const show = document.createElement("button");
        show.type = "button";
        show.textContent = `Show ${share.name}`;
        show.addEventListener("click", () => void this.present(share.shareId, 0, undefined));
        item.append(show, document.createTextNode(` shared by ${share.mine ? "you" : this.nameOf(share.offeredBy)}`));
        if (share.mine) {
          const withdraw = document.createElement("button");
          withdraw.type = "button";
          withdraw.textContent = "Stop sharing";
          withdraw.addEventListener("click", () => {
            this.files.withdraw(share.shareId).catch((e: unknown) => this.say(reason(e)));
            this.onWithdrawn(share.shareId);
          });
          item.append(" ", withdraw);
        }
        return item;
      }),
    );
  }

  private say(text: string): void {
    this.elements.message.textContent = text;
  }

  private wire(): void {
    const e = this.elements;
    e.shareForm.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.shareChosenFiles();
    });
    e.previous.addEventListener("click", () => this.turnPage(-1));
    e.next.addEventListener("click", () => this.turnPage(1));
    e.windowCenter.addEventListener("change", () => this.changeWindow());
    e.windowWidth.addEventListener("change", () => this.changeWindow());
  }
}

/** Where the shown picture sits on an ink canvas, in the canvas's pixels. */
interface FrameRect { x: number; y: number; width: number; height: number }

/**
 * Strokes over one thing shown (a document page, or the presenter's screen): pointer input
 * becomes annotation ops normalised to the picture, and the board's strokes on that target
 * are drawn back over it.
 */
class InkSurface {
  private drawing = false;
  private pointerDown = false;

  constructor(
    private readonly elements: InkElements,
    private readonly board: AnnotationBoard,
    private readonly batcher: StrokeBatcher,
    private readonly selfId: string,
    private readonly target: () => ContentTarget | undefined,
    private readonly frame: () => FrameRect,
    private readonly shown: (strokeIds: string[]) => void,
  ) {
    this.wire();
  }

  redraw(): void {
    const { ink } = this.elements;
    const target = this.target();
    const frame = this.frame();
    const context = ink.getContext("2d");
    if (!context) return;
    context.clearRect(0, 0, ink.width, ink.height);
    const strokes = target ? this.board.strokes(target) : [];
    this.shown(strokes.map((s) => s.strokeId));
    context.save();
    context.translate(frame.x, frame.y);
    drawAnnotations(context, strokes, frame.width, frame.height);
    context.restore();
  }

  /** A pointer event as a point of the picture, 0..1 on each axis. */
  private normalised(e: PointerEvent): [number, number] {
    const box = this.elements.ink.getBoundingClientRect();
    const frame = this.frame();
    const scaleX = this.elements.ink.width / box.width;
    const scaleY = this.elements.ink.height / box.height;
    return [
      clamp01(((e.clientX - box.left) * scaleX - frame.x) / frame.width),
      clamp01(((e.clientY - box.top) * scaleY - frame.y) / frame.height),
    ];
  }

  private wire(): void {
    const { ink, draw, undo, clear } = this.elements;
    draw.addEventListener("click", () => {
      this.drawing = !this.drawing;
      draw.setAttribute("aria-pressed", String(this.drawing));
      ink.classList.toggle("drawing", this.drawing);
    });
    undo.addEventListener("click", () => {
      const target = this.target();
      const own = target ? this.board.strokes(target).filter((s) => s.author === this.selfId).at(-1) : undefined;
      if (own) this.batcher.command({ op: "undo", strokeId: own.strokeId });
    });
    clear.addEventListener("click", () => {
      const target = this.target();
      if (target) this.batcher.command({ op: "clear", target });
    });
    ink.addEventListener("pointerdown", (event) => {
      const target = this.target();
      if (!this.drawing || !target) return;
      this.pointerDown = true;
      ink.setPointerCapture(event.pointerId);
      const [x, y] = this.normalised(event);
      this.batcher.begin(target, INK_COLOR, INK_WIDTH, x, y);
    });
    ink.addEventListener("pointermove", (event) => {
      const target = this.target();
      if (!target) return;
      const [x, y] = this.normalised(event);
      if (this.pointerDown) this.batcher.add(x, y);
      else if (this.drawing) this.batcher.pointer(target, x, y);
    });
    const finish = () => {
      if (!this.pointerDown) return;
      this.pointerDown = false;
      this.batcher.end();
    };
    ink.addEventListener("pointerup", finish);
    ink.addEventListener("pointercancel", finish);
  }
}

/**
 * The video frame's place on an ink canvas laid over the whole video element: object-fit
 * contain letterboxes it, and strokes are normalised to the frame, not the element, so they
 * land on the same spot of the shared screen at every viewer's size.
 */
function videoFrameRect(video: HTMLVideoElement, ink: HTMLCanvasElement): FrameRect {
  const width = video.clientWidth;
  const height = video.clientHeight;
  if (ink.width !== width || ink.height !== height) {
    ink.width = width;
    ink.height = height;
  }
  if (!video.videoWidth || !video.videoHeight || !width || !height) return { x: 0, y: 0, width, height };
  const scale = Math.min(width / video.videoWidth, height / video.videoHeight);
  const frameWidth = video.videoWidth * scale;
  const frameHeight = video.videoHeight * scale;
  return { x: (width - frameWidth) / 2, y: (height - frameHeight) / 2, width: frameWidth, height: frameHeight };
}

function clamp01(value: number): number {
  return Math.min(Math.max(value, 0), 1);
}

function reason(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).slice(0, 300);
}

/** By content, never by name or browser-given type: a DICOM Part 10 preamble, a PDF header, else an image. */
async function kindOf(file: File): Promise<ShareKind> {
  const head = new Uint8Array(await file.slice(0, 132).arrayBuffer());
  const ascii = (from: number, to: number) => String.fromCharCode(...head.subarray(from, to));
  if (head.length >= 132 && ascii(128, 132) === "DICM") return "dicom";
  if (ascii(0, 5) === "%PDF-") return "pdf";
  return "image";
}

/** Refuses what no one could view before it is sealed and uploaded (the viewers refuse it again on arrival). */
async function checkBeforeSharing(file: File, kind: ShareKind): Promise<void> {
  if (kind === "image") {
    readImageHeader(new Uint8Array(await file.slice(0, 256 * 1024).arrayBuffer()));
    return;
  }
  (await openPdf(await file.arrayBuffer())).destroy();
}

function seriesName(files: File[]): string {
  const folder = files[0].webkitRelativePath.split("/")[0];
  return folder || `DICOM series, ${files.length} image${files.length === 1 ? "" : "s"}`;
}
