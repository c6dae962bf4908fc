//! Loading: every `.yaml`, `.yml` and `.json` file under the spec directory.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::diag::Diagnostics;

mod strict;

/// One parsed spec document.
#[derive(Debug)]
pub struct Document {
    /// Path relative to the spec directory, `/`-separated.
    pub rel: String,
    /// The document as JSON.
    pub value: Value,
}

/// The spec directory, read into memory.
#[derive(Debug, Default)]
pub struct SpecSet {
    /// Documents sorted by relative path.
    pub docs: Vec<Document>,
    /// Text of every file read, for locating diagnostics.
    pub texts: Vec<(String, String)>,
}

impl SpecSet {
    /// The document at `rel`, if loaded.
    pub fn doc(&self, rel: &str) -> Option<&Document> {
        self.docs.iter().find(|d| d.rel == rel)
    }

    /// The text of `rel`, if read.
    pub fn text(&self, rel: &str) -> Option<String> {
        self.texts.iter().find(|(r, _)| r == rel).map(|(_, t)| t.clone())
    }
}

/// Reads every spec file under `dir` (recursively; files named `README*` and
/// hidden entries are skipped). Unreadable or unparsable files become errors.
pub fn load_dir(dir: &Path, diags: &mut Diagnostics) -> SpecSet {
    let mut files = Vec::new();
    if let Err(e) = collect_files(dir, dir, true, &mut files) {
        diags.error_at(&dir.display().to_string(), 1, 1, format!("cannot read the spec directory: {e}"));
    }
    files.sort();
    let mut texts = Vec::with_capacity(files.len());
    for (rel, path) in files {
        match std::fs::read_to_string(&path) {
            Ok(text) => texts.push((rel, text)),
            Err(e) => diags.error_at(&rel, 1, 1, format!("cannot read file: {e}")),
        }
    }
    parse_all(texts, diags)
}

/// Parses in-memory documents (used by tests and benchmarks).
pub fn load_texts(files: &[(String, String)], diags: &mut Diagnostics) -> SpecSet {
    let mut sorted: Vec<_> = files.to_vec();
    sorted.sort();
    parse_all(sorted, diags)
}

/// Parses `texts` (already in order) on all cores: YAML is a fifth of a
/// regeneration and every file parses on its own. Results and diagnostics
/// keep the files' order.
fn parse_all(texts: Vec<(String, String)>, diags: &mut Diagnostics) -> SpecSet {
    let slots = crate::parallel::map(&texts, |(rel, text)| {
        let mut file_diags = Diagnostics::default();
        let value = parse(rel, text, &mut file_diags);
        (value, file_diags)
    });
    let mut set = SpecSet::default();
    for ((rel, text), slot) in texts.into_iter().zip(slots) {
        match slot {
            Some((value, file_diags)) => {
                diags.append(file_diags);
                if let Some(value) = value {
                    set.docs.push(Document { rel: rel.clone(), value });
                }
            }
            None => diags.error_at(&rel, 1, 1, "the parser stopped on this file (a bug in the generator)"),
        }
        set.texts.push((rel, text));
    }
    set
}

fn parse(rel: &str, text: &str, diags: &mut Diagnostics) -> Option<Value> {
    use serde::de::DeserializeSeed;
    let duplicate = std::cell::Cell::new(false);
    let seed = strict::Strict { duplicate: &duplicate };
    let result: Result<Value, String> = if rel.ends_with(".json") {
        let mut de = serde_json::Deserializer::from_str(text);
        seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v)).map_err(|e| {
            diags.error_at(rel, e.line(), e.column(), format!("invalid JSON: {e}"));
            String::new()
        })
    } else {
        seed.deserialize(serde_yaml::Deserializer::from_str(text)).map_err(|e| {
            let (line, col) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            diags.error_at(rel, line, col, format!("invalid YAML: {e}"));
            String::new()
        })
    };
    let value = result.ok()?;
    // Only a file with a repeated key pays for the second, positioned parse.
    let duplicates = if duplicate.get() { crate::position::duplicate_keys(text) } else { Vec::new() };
    for (pointer, line, col) in duplicates {
        let key = pointer.rsplit('/').next().unwrap_or_default().replace("~1", "/").replace("~0", "~");
        diags.error_at(
            rel,
            line,
            col,
            format!("duplicate key `{key}` (at #{pointer}): only one of them would be read; merge or rename them"),
        );
    }
    if !value.is_object() {
        diags.error_at(rel, 1, 1, "a spec document must be a mapping at the top level");
        return None;
    }
    Some(value)
}

/// Every spec file (`.yaml`, `.yml`, `.json`) under `dir`, as (path relative
/// to `root` with `/` separators, full path). Hidden entries and `README*`
/// are skipped; subdirectories are read when `recursive`.
pub fn collect_files(
    root: &Path,
    dir: &Path,
    recursive: bool,
    out: &mut Vec<(String, PathBuf)>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name.starts_with("README") {
            continue;
        }
        if entry.file_type()?.is_dir() {
            if recursive {
                collect_files(root, &path, recursive, out)?;
            }
        } else if [".yaml", ".yml", ".json"].iter().any(|ext| name.ends_with(ext)) {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.push((rel, path));
        }
    }
    Ok(())
}
