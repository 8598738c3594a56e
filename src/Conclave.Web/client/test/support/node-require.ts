// dicom-parser is a UMD bundle that calls require("zlib") when it loads (for deflated DICOM, which the viewer
// refuses anyway). The page's bundle maps zlib to nothing (its package.json "browser" field); an ES module test
// bundle under Node has no require, so this gives it Node's. Import it before anything that loads dicom-parser.
import { createRequire } from "node:module";

(globalThis as { require?: NodeJS.Require }).require ??= createRequire(import.meta.url);
