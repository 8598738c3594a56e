// Transfer syntaxes (PS3.5 §10, Annex A) the series viewer decodes, and the names it gives the rest when it
// refuses them (docs/content-sharing.md says why each is refused).

export const IMPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2";
export const EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1";
export const DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1.99";
export const EXPLICIT_VR_BIG_ENDIAN = "1.2.840.10008.1.2.2";
export const RLE_LOSSLESS = "1.2.840.10008.1.2.5";
export const JPEG_BASELINE = "1.2.840.10008.1.2.4.50";
export const JPIP_REFERENCED_DEFLATE = "1.2.840.10008.1.2.4.95";

/** How the viewer gets samples out of a syntax's Pixel Data. */
export type PixelEncoding = "native" | "rle" | "jpeg-baseline";

export function pixelEncodingOf(transferSyntax: string): PixelEncoding | undefined {
  switch (transferSyntax) {
    case IMPLICIT_VR_LITTLE_ENDIAN:
    case EXPLICIT_VR_LITTLE_ENDIAN:
      return "native";
    case RLE_LOSSLESS:
      return "rle";
    case JPEG_BASELINE:
      return "jpeg-baseline";
    default:
      return undefined;
  }
}

const NAMES: Record<string, string> = {
  [IMPLICIT_VR_LITTLE_ENDIAN]: "Implicit VR Little Endian",
  [EXPLICIT_VR_LITTLE_ENDIAN]: "Explicit VR Little Endian",
  [DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN]: "Deflated Explicit VR Little Endian",
  [EXPLICIT_VR_BIG_ENDIAN]: "Explicit VR Big Endian",
  [RLE_LOSSLESS]: "RLE Lossless",
  [JPEG_BASELINE]: "JPEG Baseline (Process 1)",
  "1.2.840.10008.1.2.4.51": "JPEG Extended (Process 2 & 4)",
  "1.2.840.10008.1.2.4.57": "JPEG Lossless (Process 14)",
  "1.2.840.10008.1.2.4.70": "JPEG Lossless SV1",
  "1.2.840.10008.1.2.4.80": "JPEG-LS Lossless",
  "1.2.840.10008.1.2.4.81": "JPEG-LS Near-Lossless",
  "1.2.840.10008.1.2.4.90": "JPEG 2000 Lossless",
  "1.2.840.10008.1.2.4.91": "JPEG 2000",
  "1.2.840.10008.1.2.4.92": "JPEG 2000 Part 2 Lossless",
  "1.2.840.10008.1.2.4.93": "JPEG 2000 Part 2",
  [JPIP_REFERENCED_DEFLATE]: "JPIP Referenced Deflate",
  "1.2.840.10008.1.2.4.94": "JPIP Referenced",
  "1.2.840.10008.1.2.4.201": "High-Throughput JPEG 2000 Lossless",
  "1.2.840.10008.1.2.4.202": "High-Throughput JPEG 2000 RPCL Lossless",
  "1.2.840.10008.1.2.4.203": "High-Throughput JPEG 2000",
  "1.2.840.10008.1.2.4.100": "MPEG-2 Main Profile",
  "1.2.840.10008.1.2.4.102": "MPEG-4 AVC/H.264",
  "1.2.840.10008.1.2.4.107": "HEVC/H.265",
};

/** "JPEG 2000 Lossless (1.2.840.10008.1.2.4.90)", or the bare UID when the syntax has no name here. */
export function transferSyntaxLabel(transferSyntax: string): string {
  const name = NAMES[transferSyntax];
  return name === undefined ? transferSyntax : `${name} (${transferSyntax})`;
}
