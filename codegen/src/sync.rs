//! Comparing a generated [`Output`](crate::Output) with what is on disk.
//! Reading only: `xtask` is the one that writes.

use std::path::Path;

/// Start and end markers of the generated block in the client's `Cargo.toml`.
pub const FEATURES_BEGIN: &str = "# BEGIN GENERATED FEATURES (cargo xtask codegen)";
/// End marker.
pub const FEATURES_END: &str = "# END GENERATED FEATURES";

/// How the generated tree on disk differs from a fresh run.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Drift {
    /// Files whose content differs.
    pub stale: Vec<String>,
    /// Files the run produces that are not on disk.
    pub missing: Vec<String>,
    /// Files on disk the run no longer produces.
    pub extra: Vec<String>,
    /// The features block of `Cargo.toml` differs (or its markers are missing).
    pub manifest_stale: bool,
}

impl Drift {
    /// True when nothing differs.
    pub fn is_clean(&self) -> bool {
        self.stale.is_empty() && self.missing.is_empty() && self.extra.is_empty() && !self.manifest_stale
    }

    /// One line per difference, for messages.
    pub fn describe(&self, out_dir: &Path, manifest: Option<&Path>) -> String {
        let mut lines = Vec::new();
        for (label, list) in [("stale", &self.stale), ("missing", &self.missing), ("extra", &self.extra)] {
            for f in list {
                lines.push(format!("  {label}: {}", out_dir.join(f).display()));
            }
        }
        if self.manifest_stale
            && let Some(m) = manifest
        {
            lines.push(format!("  stale: {} (generated features block)", m.display()));
        }
        lines.join("\n")
    }
}

fn normalize(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// Compares `files` with the contents of `out_dir` (and the features block of `manifest`).
pub fn drift(out: &crate::Output, out_dir: &Path, manifest: Option<&Path>) -> Drift {
    let mut d = Drift::default();
    for (rel, text) in &out.files {
        match std::fs::read_to_string(out_dir.join(rel)) {
            Ok(disk) if disk == *text || normalize(&disk) == normalize(text) => {}
            Ok(_) => d.stale.push(rel.clone()),
            Err(_) => d.missing.push(rel.clone()),
        }
    }
    let mut on_disk = Vec::new();
    generated_files(out_dir, "", &mut on_disk);
    d.extra = on_disk.into_iter().filter(|rel| !out.files.contains_key(rel)).collect();
    d.extra.sort();
    if let Some(manifest) = manifest {
        d.manifest_stale = match std::fs::read_to_string(manifest) {
            Ok(text) => splice_features(&text, &out.features).is_none_or(|new| normalize(&new) != normalize(&text)),
            Err(_) => true,
        };
    }
    d
}

/// Files below `dir` (relative, `/`-separated) that a generator run wrote:
/// those whose first line carries the `@generated` banner. Anything else in
/// the directory is someone else's and is never reported as extra.
fn generated_files(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.filter_map(Result::ok) {
        let name = e.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() { name.clone() } else { format!("{prefix}/{name}") };
        match e.file_type() {
            Ok(t) if t.is_dir() => generated_files(&e.path(), &rel, out),
            Ok(t) if t.is_file() && carries_banner(&e.path()) => out.push(rel),
            _ => {}
        }
    }
}

fn carries_banner(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 256];
    let n = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)).unwrap_or(0);
    let head = String::from_utf8_lossy(&head[..n]);
    head.lines().next().is_some_and(|l| l.contains(crate::render::BANNER_MARK))
}

/// `manifest` with the text between the markers replaced by `features`;
/// `None` when the markers are missing.
pub fn splice_features(manifest: &str, features: &str) -> Option<String> {
    let start = manifest.find(FEATURES_BEGIN)? + FEATURES_BEGIN.len();
    let end = manifest[start..].find(FEATURES_END)? + start;
    Some(format!("{}\n{}{}", &manifest[..start], features, &manifest[end..]))
}
