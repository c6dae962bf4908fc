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
    // A `..` above the spec root leaves the tree: only the fallback can find it.
    let mut inside = true;
    for seg in file.split('/') {
        match seg {
            "." | "" => {}
            ".." => inside &= parts.pop().is_some(),
            s => parts.push(s),
        }
    }
    let direct = parts.join("/");
    if inside && set.doc(&direct).is_some() {
        return Some(direct);
    }
    let tail: Vec<&str> = file.split('/').filter(|s| !matches!(*s, "." | ".." | "")).collect();
    let tail = tail.join("/");
    // The nearest such document: the one beside `from`'s directory wins over
    // deeper ones; two equally near are ambiguous.
    let from_dir = from.rsplit_once('/').map_or("", |(d, _)| d);
    let candidates: Vec<&str> = set
        .docs
        .iter()
        .map(|d| d.rel.as_str())
        .filter(|rel| *rel == tail || rel.ends_with(&format!("/{tail}")))
        .collect();
    let distance = |rel: &str| {
        let dir = &rel[..rel.len() - tail.len()];
        let dir = dir.trim_end_matches('/');
        let common = dir.split('/').zip(from_dir.split('/')).take_while(|(a, b)| a == b).count();
        dir.split('/').filter(|s| !s.is_empty()).count() + from_dir.split('/').filter(|s| !s.is_empty()).count()
            - 2 * common.min(dir.split('/').filter(|s| !s.is_empty()).count())
    };
    let best = candidates.iter().map(|r| distance(r)).min()?;
    let mut nearest = candidates.into_iter().filter(|r| distance(r) == best);
    let hit = nearest.next()?;
    if nearest.next().is_some() {
        return None;
    }
    Some(hit.to_owned())
}
