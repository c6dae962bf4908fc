// Merges HighLevel's OpenAPI documents into one that Prism can serve, and
// repairs them in memory where they are not valid OpenAPI. The originals are
// only read; the result goes to <out>/merged.json.
//
// usage: node prepare.mjs <apps dir> <out dir>
//
// Every document's components get a prefix (its file stem) so that names do
// not clash; `$ref`s are rewritten to match, those into `../common/*.json`
// included. Error responses (4xx/5xx) are dropped: with them Prism answers a
// bad request with the document's own error example, without saying what was
// wrong; without them it answers 422 with the list of violations.
import fs from "node:fs";
import path from "node:path";

const [appsDir, outDir] = process.argv.slice(2);
if (!appsDir || !outDir) {
  console.error("usage: node prepare.mjs <apps dir> <out dir>");
  process.exit(2);
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const stem = (file) => path.basename(file).replace(/\.json$/, "").replace(/[^A-Za-z0-9]/g, "_");
const repairs = [];

function rewriteRefs(node, prefix) {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, prefix));
  if (node === null || typeof node !== "object") return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "$ref" && typeof v === "string") {
      const [file, fragment = ""] = v.split("#");
      const m = fragment.match(/^\/components\/([^/]+)\/(.+)$/);
      const p = file ? stem(file) : prefix;
      out[k] = m ? `#/components/${m[1]}/${p}__${m[2]}` : v;
    } else {
      out[k] = rewriteRefs(v, prefix);
    }
  }
  return out;
}

function addComponents(merged, doc, prefix) {
  for (const [kind, entries] of Object.entries(doc.components ?? {})) {
    if (kind === "securitySchemes") {
      Object.assign((merged.components.securitySchemes ??= {}), entries);
      continue;
    }
    const target = (merged.components[kind] ??= {});
    for (const [name, value] of Object.entries(entries)) {
      target[`${prefix}__${name}`] = rewriteRefs(value, prefix);
    }
  }
}

function repairOperation(where, op) {
  for (const code of Object.keys(op.responses ?? {})) {
    if (/^[45]/.test(code)) delete op.responses[code];
  }
  if (op.responses && Object.keys(op.responses).length === 0) {
    op.responses["200"] = { description: "OK" };
    repairs.push(`${where}: no success response; an empty 200 added`);
  }
}

const merged = {
  openapi: "3.0.3",
  info: { title: "HighLevel (merged for Prism)", version: "1" },
  servers: [{ url: "/" }],
  paths: {},
  components: {},
};

// v2's shared schemas are beside `apps`; v3's documents refer to
// `../common/` too, but theirs are in `apps/v3/common`.
const commonDir = [path.join(appsDir, "..", "common"), path.join(appsDir, "common")].find((d) => fs.existsSync(d));
if (commonDir) {
  for (const f of fs.readdirSync(commonDir).filter((f) => f.endsWith(".json")).sort()) {
    addComponents(merged, JSON.parse(fs.readFileSync(path.join(commonDir, f), "utf8")), stem(f));
  }
}
for (const f of fs.readdirSync(appsDir).filter((f) => f.endsWith(".json")).sort()) {
  const doc = JSON.parse(fs.readFileSync(path.join(appsDir, f), "utf8"));
  const prefix = stem(f);
  addComponents(merged, doc, prefix);
  for (const [p, item] of Object.entries(doc.paths ?? {})) {
    const fixed = rewriteRefs(item, prefix);
    for (const m of METHODS) {
      if (fixed[m]) {
        if (doc.security && !fixed[m].security) fixed[m].security = doc.security;
        repairOperation(`${f} ${m.toUpperCase()} ${p}`, fixed[m]);
      }
    }
    if (merged.paths[p]) {
      for (const m of METHODS) {
        if (fixed[m] && merged.paths[p][m]) repairs.push(`${f} ${m.toUpperCase()} ${p}: also in another document; the first kept`);
        else if (fixed[m]) merged.paths[p][m] = fixed[m];
      }
    } else {
      merged.paths[p] = fixed;
    }
  }
}

fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, "merged.json"), JSON.stringify(merged));
for (const r of repairs) console.log(`repaired: ${r}`);
