// The viewers' common contract (docs/content-sharing.md, "Viewers"): a shared PDF, image or
// DICOM series opened from its plaintext bytes, rendered page by page onto a canvas.

export type ShareKind = "pdf" | "image" | "dicom";

export class ContentRejected extends Error {}   // message is for people: "unsupported transfer syntax …", "corrupt PDF", …
export interface ViewWindow { center: number; width: number }
export interface RenderOptions { window?: ViewWindow; maxWidthPx?: number; maxHeightPx?: number }
export interface ContentDocument {
  readonly kind: ShareKind;
  readonly pageCount: number;          // PDF pages, DICOM slices, 1 for an image
  render(page: number, canvas: HTMLCanvasElement, options?: RenderOptions): Promise<{ widthPx: number; heightPx: number }>;
  destroy(): void;
}
