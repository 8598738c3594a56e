import "./support/node-require";
import { test } from "node:test";
import assert from "node:assert/strict";
import { type DataSet, parseDicom } from "dicom-parser";
import { deidentify, deidentifySeries } from "../src/content/dicom/deidentify";
import { openDicomSeries, phiBannerText } from "../src/content/dicom/series";
import { ContentRejected } from "../src/content/viewer";
import { makeSeries, withPydicom } from "./support/dicom-series";

const SYNTAXES = ["implicit", "explicit", "rle"] as const;
const ORIGINAL_UID_ROOT = "1.2.826.0.1.3680043.8.498.4242";

function parsed(file: ArrayBuffer): DataSet {
  return parseDicom(new Uint8Array(file));
}

function pixelDataBytes(file: ArrayBuffer): Buffer {
  const ds = parsed(file);
  const element = ds.elements.x7fe00010;
  const end = element.hadUndefinedLength ? element.dataOffset + element.length + 8 : element.dataOffset + element.length;
  return Buffer.from(ds.byteArray.subarray(element.dataOffset, end));
}

test("de-identified files carry none of the marker values and none of the original UIDs", async () => {
  for (const syntax of SYNTAXES) {
    for (const file of deidentifySeries(await makeSeries("--syntax", syntax, "--slices", "3"))) {
      const bytes = Buffer.from(file);
      assert.equal(bytes.indexOf("MARKER"), -1, `${syntax}: a marker value is left`);
      assert.equal(bytes.indexOf(ORIGINAL_UID_ROOT), -1, `${syntax}: an original UID is left`);
    }
  }
});

test("the pixel data is kept byte for byte and the viewer shows the same values", async () => {
  for (const syntax of SYNTAXES) {
    const files = await makeSeries("--syntax", syntax, "--slices", "3");
    const cleaned = deidentifySeries(files);
    const before = await openDicomSeries(files);
    const after = await openDicomSeries(cleaned);
    assert.equal(after.pageCount, 3);
    for (let k = 0; k < 3; k++) {
      assert.ok(pixelDataBytes(cleaned[k]).equals(pixelDataBytes(files[k])), `${syntax} slice ${k}`);
      assert.deepEqual((await after.slicePixels(k)).values, (await before.slicePixels(k)).values);
    }
  }
});

test("the series stays one series: shared study, series and frame of reference, each slice its own, references followed", async () => {
  const cleaned = deidentifySeries(await makeSeries("--syntax", "implicit", "--slices", "3")).map(parsed);
  const shared = ["x0020000d", "x0020000e", "x00200052"];
  for (const tag of shared) {
    const values = new Set(cleaned.map((ds) => ds.string(tag)));
    assert.equal(values.size, 1, tag);
    assert.match([...values][0]!, /^2\.25\.\d+$/);
  }
  const instances = cleaned.map((ds) => ds.string("x00080018")!);
  assert.equal(new Set(instances).size, 3);
  for (const [k, ds] of cleaned.entries()) {
    assert.equal(ds.string("x00020003"), instances[k], "Media Storage SOP Instance UID follows SOP Instance UID");
    if (k > 0) {
      const reference = ds.elements.x00081140.items![0].dataSet!;
      assert.equal(reference.string("x00081155"), instances[k - 1], "Referenced SOP Instance UID follows the slice it names");
    }
  }
});

test("separate calls give unrelated UIDs, so two shares cannot be linked by them", async () => {
  const [file] = await makeSeries("--syntax", "explicit", "--slices", "1");
  assert.notEqual(parsed(deidentify(file)).string("x0020000d"), parsed(deidentify(file)).string("x0020000d"));
});

test("the profile's actions: names and IDs emptied, institution and addresses removed, dates emptied or removed, private tags gone", async () => {
  for (const syntax of ["implicit", "explicit"]) {
    const [file] = deidentifySeries(await makeSeries("--syntax", syntax, "--slices", "1"));
    const ds = parsed(file);
    for (const tag of ["x00100010", "x00100020", "x00100030", "x00100040", "x00080020", "x00080030", "x00080050", "x00080090", "x00200010"]) {
      assert.equal(ds.elements[tag]?.length, 0, `${syntax} ${tag} is present and empty (Z)`);
    }
    for (const tag of ["x00080080", "x00080081", "x00081070", "x00081050", "x00101000", "x00101001", "x00101010", "x00101040",
      "x00080021", "x00080012", "x00081120", "x00290010", "x00291010", "x00081030", "x0008103e", "x00204000"]) {
      assert.equal(ds.elements[tag], undefined, `${syntax} ${tag} is removed (X)`);
    }
    assert.equal(ds.string("x00120062"), "YES");
    assert.match(ds.string("x00120063")!, /PS3\.15 Annex E Basic Application Level Confidentiality Profile/);
    assert.equal(ds.string("x00280303"), "REMOVED");
    assert.equal(ds.string("x00080060"), "MR", "what is not identifying stays");
    const series = await openDicomSeries([file]);
    assert.equal(phiBannerText(series.phi), "");
  }
});

test("pydicom and dcmdump read the results as valid Part 10 files with the original pixel data", async () => {
  const script = `
import sys, pydicom
paths = sys.argv[1:]
half = len(paths) // 2
for original, cleaned in zip(paths[:half], paths[half:]):
    a = pydicom.dcmread(original)
    b = pydicom.dcmread(cleaned)
    assert b.file_meta.TransferSyntaxUID == a.file_meta.TransferSyntaxUID
    assert b.file_meta.MediaStorageSOPInstanceUID == b.SOPInstanceUID
    assert b.PixelData == a.PixelData
    assert b.PatientIdentityRemoved == "YES"
    assert b.PatientName == ""
    assert "InstitutionName" not in b
    assert not any(element.tag.is_private for element in b.iterall())
    assert b.ReferencedImageSequence[0].ReferencedSOPInstanceUID.startswith("2.25.") if "ReferencedImageSequence" in b else True
print("ok", half)
`;
  for (const syntax of SYNTAXES) {
    const files = await makeSeries("--syntax", syntax, "--slices", "2");
    const cleaned = deidentifySeries(files);
    assert.equal((await withPydicom(script, [...files, ...cleaned])).trim(), "ok 2", syntax);
    const dump = await withPydicom(
      "import subprocess, sys; r = subprocess.run(['dcmdump', '-q', '-E', sys.argv[1]], capture_output=True, text=True); print(r.returncode, 'E:' in r.stderr)",
      [cleaned[1]]);
    assert.equal(dump.trim(), "0 False", `${syntax}: dcmdump reports an error`);
  }
});

test("an image with burned-in annotation is refused: the pixels themselves identify", async () => {
  const [file] = await makeSeries("--syntax", "explicit", "--slices", "1", "--burned-in");
  assert.throws(() => deidentify(file), (error: unknown) => error instanceof ContentRejected && /burned-in/.test(error.message));
});

test("a big endian file is refused with its syntax named", async () => {
  const [file] = await makeSeries("--syntax", "explicit", "--slices", "1");
  const bytes = new Uint8Array(file.slice(0));
  const element = parsed(file).elements.x00020010;
  bytes.set(new TextEncoder().encode("1.2.840.10008.1.2.2"), element.dataOffset);
  assert.throws(() => deidentify(bytes.buffer), (error: unknown) => error instanceof ContentRejected && /Explicit VR Big Endian/.test(error.message));
});

test("damaged files are refused with ContentRejected and never throw anything else", async () => {
  const sources = [
    ...(await makeSeries("--syntax", "explicit", "--slices", "2")),
    ...(await makeSeries("--syntax", "implicit", "--slices", "2")),
    ...(await makeSeries("--syntax", "rle", "--slices", "2")),
  ];
  let seed = 987654321;
  const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (let round = 0; round < 1000; round++) {
    const source = new Uint8Array(sources[round % sources.length]);
    const mutant = source.slice(0, round % 5 === 0 ? Math.floor(next() * source.length) : source.length);
    for (let flips = 1 + Math.floor(next() * 8); flips > 0; flips--) {
      mutant[Math.floor(next() * mutant.length)] = Math.floor(next() * 256);
    }
    try {
      deidentify(mutant.buffer);
    } catch (error) {
      if (!(error instanceof ContentRejected)) assert.fail(`round ${round}: ${String(error)}`);
    }
  }
});
