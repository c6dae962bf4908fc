//! `$ref` resolution within and across documents.

use serde_json::Value;

use crate::load::SpecSet;

/// Where a `$ref` points.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Target {
    /// Document (relative path).
    pub doc: String,
    /// JSON pointer inside it (without the leading `#`).
    pub pointer: String,
}

impl Target {
    /// The component schema name, when the target is `#/components/schemas/<name>`.
    pub fn schema_name(&self) -> Option<&str> {
        self.pointer.strip_prefix("/components/schemas/").filter(|n| !n.contains('/'))
    }
}

/// Resolves `reference` written in document `from`.
pub fn resolve<'a>(set: &'a SpecSet, from: &str, reference: &str) -> Option<(Target, &'a Value)> {
    let (file, fragment) = match reference.split_once('#') {
        Some((f, p)) => (f, p),
        None => (reference, ""),
    };
    let doc_rel = if file.is_empty() { from.to_owned() } else { locate_file(set, from, file)? };
    let doc = set.doc(&doc_rel)?;
    let value = if fragment.is_empty() { Some(&doc.value) } else { doc.value.pointer(fragment) }?;
    Some((Target { doc: doc_rel, pointer: fragment.to_owned() }, value))
}

/// The loaded document a relative file reference names: the path relative to
/// `from`, or else the one loaded document whose path ends with the
/// reference's own components (so `../common/x.json` also finds `common/x.json`
/// when the spec directory holds `common/` beside the document).
fn locate_file(set: &SpecSet, from: &str, file: &str) -> Option<String> {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in file.split('/') {
        match seg {
            "." | "" => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let direct = parts.join("/");
    if set.doc(&direct).is_some() {
        return Some(direct);
    }
    let tail: Vec<&str> = file.split('/').filter(|s| !matches!(*s, "." | ".." | "")).collect();
    let tail = tail.join("/");
    let mut hits = set.docs.iter().filter(|d| d.rel == tail || d.rel.ends_with(&format!("/{tail}")));
    let hit = hits.next()?;
    if hits.next().is_some() {
        return None;
    }
    Some(hit.rel.clone())
}
