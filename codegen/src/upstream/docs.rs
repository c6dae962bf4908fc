//! Reading a directory of OpenAPI documents as published: every defect a
//! warning, never a refusal. Documents are parsed by [`crate::load`] and
//! `$ref`s resolved by [`crate::refs`], as for generation; files a document
//! refers to outside the directory (HighLevel's `../common/common-schemas.json`)
//! are loaded too, under their path relative to the directory.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use serde_json::Value;

use crate::diag::Diagnostics;
use crate::load::SpecSet;

/// The documents of one side: the set, and which of them are in the directory.
pub(crate) struct Docs {
    pub(crate) set: SpecSet,
    /// Relative paths of the OpenAPI documents in the directory itself.
    pub(crate) primary: Vec<String>,
    /// Position of each document in `set.docs`, by relative path.
    index: BTreeMap<String, usize>,
    /// How this side's security schemes name token kinds.
    pub(crate) token_schemes: crate::config::TokenSchemes,
}

/// Lexical normalization: `a/b/../c` → `a/c` (a `..` above the start is kept).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                if matches!(out.components().next_back(), None | Some(Component::ParentDir)) {
                    out.push("..");
                } else {
                    out.pop();
                }
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn slashed(path: &Path) -> String {
    path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

fn refs_in(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                if k == "$ref" {
                    if let Some(file) = x.as_str().and_then(|s| s.split('#').next()).filter(|f| !f.is_empty()) {
                        out.insert(file.to_owned());
                    }
                } else {
                    refs_in(x, out);
                }
            }
        }
        Value::Array(list) => list.iter().for_each(|x| refs_in(x, out)),
        _ => {}
    }
}

impl Docs {
    /// Reads `dir` (subdirectories too when `recursive`). Fails only when the
    /// directory cannot be read; unparsable files and unreadable referenced
    /// files become `warnings`.
    pub(crate) fn load(
        dir: &Path,
        recursive: bool,
        token_schemes: &crate::config::TokenSchemes,
        warnings: &mut Vec<String>,
    ) -> Result<Docs, String> {
        let root = dir.canonicalize().map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut files = Vec::new();
        crate::load::collect_files(&root, &root, recursive, &mut files)
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        files.sort();
        let mut texts = Vec::new();
        for (rel, path) in &files {
            match std::fs::read_to_string(path) {
                Ok(t) => texts.push((rel.clone(), t)),
                Err(e) => warnings.push(format!("{}: cannot read: {e}", path.display())),
            }
        }
        let mut diags = Diagnostics::default();
        let mut set = crate::load::load_texts(&texts, &mut diags);
        let primary: Vec<String> =
            set.docs.iter().filter(|d| d.value.get("openapi").is_some()).map(|d| d.rel.clone()).collect();
        set.docs.retain(|d| d.value.get("openapi").is_some());
        // Load what the documents refer to outside themselves, transitively.
        let mut queue: Vec<String> = primary.clone();
        while let Some(from) = queue.pop() {
            let mut files = BTreeSet::new();
            if let Some(d) = set.doc(&from) {
                refs_in(&d.value, &mut files);
            }
            for file in files {
                let rel = slashed(&normalize(&Path::new(&from).parent().unwrap_or(Path::new("")).join(&file)));
                if set.doc(&rel).is_some() {
                    continue;
                }
                // The file the reference names wins; a loaded document found by
                // suffix (`crate::refs`' fallback) serves one that does not exist.
                let target = root.join(&rel);
                if !target.exists() && crate::refs::resolve(&set, &from, &format!("{file}#")).is_some() {
                    continue;
                }
                let loaded =
                    std::fs::read_to_string(&target).map_err(|e| format!("cannot read: {e}")).and_then(|text| {
                        let mut d = Diagnostics::default();
                        let extra = crate::load::load_texts(&[(rel.clone(), text)], &mut d);
                        extra.docs.into_iter().next().ok_or_else(|| "cannot parse".to_owned())
                    });
                match loaded {
                    Ok(doc) => {
                        set.docs.push(doc);
                        queue.push(rel);
                    }
                    Err(e) => warnings.push(format!(
                        "`$ref` to `{file}` from {}: {}: {e}",
                        root.join(&from).display(),
                        normalize(&target).display()
                    )),
                }
            }
        }
        // Parse errors and duplicate keys: reported, the document still read.
        for d in diags.finish(|f| texts.iter().find(|(r, _)| r == f).map(|(_, t)| t.clone())) {
            let mut d = d;
            d.file = root.join(&d.file).display().to_string();
            warnings.push(d.to_string());
        }
        let index = set.docs.iter().enumerate().map(|(i, d)| (d.rel.clone(), i)).collect();
        Ok(Docs { set, primary, index, token_schemes: token_schemes.clone() })
    }

    /// The document at `rel`.
    pub(crate) fn value(&self, rel: &str) -> Option<&Value> {
        self.index.get(rel).map(|&i| &self.set.docs[i].value)
    }

    /// Follows `$ref`s from `v` (at `ptr` in `doc`); the first `x-ghl-note`
    /// seen on the way comes along. Returns where the value finally is.
    pub(crate) fn deref<'a>(&'a self, at: Loc<'a>, v: &'a Value) -> (Loc<'a>, &'a Value, Option<String>) {
        let (mut at, mut v) = (at, v);
        let mut note = note_of(v);
        for _ in 0..16 {
            let Some(r) = v.get("$ref").and_then(Value::as_str) else { break };
            match self.resolve(at.doc, r) {
                Some((target, t)) => {
                    at = target;
                    v = t;
                    note = note.or_else(|| note_of(v));
                }
                None => break,
            }
        }
        (at, v, note)
    }
}

impl Docs {
    /// Resolves `reference` written in `from`: the document it names when
    /// loaded (also one outside the directory, `../contacts.yaml` from `v3/`),
    /// else through [`crate::refs::resolve`]'s fallback, as for generation.
    pub(crate) fn resolve<'a>(&'a self, from: &str, reference: &str) -> Option<(Loc<'a>, &'a Value)> {
        let (file, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        // The document named (the usual case, looked up directly); the
        // generator's suffix fallback only when there is none.
        let named = if file.is_empty() {
            self.index.get(from)
        } else {
            self.index.get(&slashed(&normalize(&Path::new(from).parent().unwrap_or(Path::new("")).join(file))))
        };
        if let Some(&i) = named {
            let doc = &self.set.docs[i];
            let value = if fragment.is_empty() { &doc.value } else { doc.value.pointer(fragment)? };
            return Some((Loc { doc: &doc.rel, ptr: fragment.to_owned() }, value));
        }
        let (target, value) = crate::refs::resolve(&self.set, from, reference)?;
        let doc = self.set.doc(&target.doc)?;
        Some((Loc { doc: &doc.rel, ptr: target.pointer }, value))
    }
}

/// Where a value sits: document and JSON pointer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Loc<'a> {
    pub(crate) doc: &'a str,
    pub(crate) ptr: String,
}

impl<'a> Loc<'a> {
    /// The child at `segment`.
    pub(crate) fn join(&self, segment: impl std::fmt::Display) -> Loc<'a> {
        Loc { doc: self.doc, ptr: crate::diag::join(&self.ptr, segment) }
    }
}

/// The trimmed `x-ghl-note` of `v`, if any.
pub(crate) fn note_of(v: &Value) -> Option<String> {
    v.get("x-ghl-note").and_then(Value::as_str).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_normalization() {
        assert_eq!(normalize(Path::new("/a/apps/../common/x.json")), PathBuf::from("/a/common/x.json"));
        assert_eq!(normalize(Path::new("../common/x.json")), PathBuf::from("../common/x.json"));
    }
}
