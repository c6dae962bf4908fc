//! Writing a generator run to disk, all or nothing: every new file is staged
//! beside its target first, then the targets are swapped in; if any step
//! fails, what was already swapped is put back and the staged files removed.

use std::io;
use std::path::{Path, PathBuf};

use codegen::Output;
use codegen::sync::{Drift, FEATURES_BEGIN, FEATURES_END, splice_features};

const STAGED: &str = ".codegen-new";
const SAVED: &str = ".codegen-old";

/// `path` with `suffix` added to its file name (`mod.rs` → `mod.rs.codegen-new`).
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

fn with_path(path: &Path) -> impl Fn(io::Error) -> io::Error + '_ {
    move |e| io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// One change: a file to (re)write, or one to remove (`text` is `None`).
struct Change {
    target: PathBuf,
    text: Option<String>,
}

/// What has been done so far, to undo it.
#[derive(Default)]
struct Journal {
    staged: Vec<PathBuf>,
    /// Targets swapped in: (target, saved copy of the old one, if any).
    swapped: Vec<(PathBuf, Option<PathBuf>)>,
    created_dirs: Vec<PathBuf>,
}

impl Journal {
    fn roll_back(self) {
        for (target, saved) in self.swapped.into_iter().rev() {
            match saved {
                Some(saved) => {
                    let _ = std::fs::rename(&saved, &target);
                }
                None => {
                    let _ = std::fs::remove_file(&target);
                }
            }
        }
        for staged in self.staged {
            let _ = std::fs::remove_file(staged);
        }
        for dir in self.created_dirs.into_iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
    }

    fn finish(self) {
        for (_, saved) in self.swapped {
            if let Some(saved) = saved {
                let _ = std::fs::remove_file(saved);
            }
        }
    }
}

/// Writes changed and missing files, removes extra ones and splices the
/// features block into `manifest`. Returns the number of files written.
/// On error nothing on disk has changed, and the error names the path.
pub fn commit(output: &Output, drift: &Drift, out_dir: &Path, manifest: Option<&Path>) -> io::Result<usize> {
    let mut changes: Vec<Change> = drift
        .stale
        .iter()
        .chain(&drift.missing)
        .map(|rel| Change { target: out_dir.join(rel), text: Some(output.files[rel].clone()) })
        .collect();
    if let Some(manifest) = manifest.filter(|_| drift.manifest_stale) {
        let text = std::fs::read_to_string(manifest).map_err(with_path(manifest))?;
        let Some(new) = splice_features(&text, &output.features) else {
            return Err(io::Error::other(format!(
                "{} has no `{FEATURES_BEGIN}` … `{FEATURES_END}` block",
                manifest.display()
            )));
        };
        changes.push(Change { target: manifest.to_path_buf(), text: Some(new) });
    }
    changes.extend(drift.extra.iter().map(|rel| Change { target: out_dir.join(rel), text: None }));

    let mut journal = Journal::default();
    match apply(&changes, &mut journal) {
        Ok(()) => {
            journal.finish();
            Ok(changes.iter().filter(|c| c.text.is_some()).count())
        }
        Err(e) => {
            journal.roll_back();
            Err(e)
        }
    }
}

fn apply(changes: &[Change], journal: &mut Journal) -> io::Result<()> {
    // Stage every new file: nothing visible changes yet.
    let mut staged = Vec::new();
    for change in changes {
        let Some(text) = &change.text else {
            staged.push(None);
            continue;
        };
        if let Some(parent) = change.target.parent() {
            create_dirs(parent, journal)?;
        }
        let tmp = beside(&change.target, STAGED);
        journal.staged.push(tmp.clone());
        std::fs::write(&tmp, text).map_err(with_path(&tmp))?;
        staged.push(Some(tmp));
    }
    // Swap them in (and move extra files aside), keeping the old ones until the end.
    for (change, tmp) in changes.iter().zip(staged) {
        let saved = if change.target.exists() {
            let saved = beside(&change.target, SAVED);
            std::fs::rename(&change.target, &saved).map_err(with_path(&change.target))?;
            Some(saved)
        } else {
            None
        };
        let Some(tmp) = tmp else {
            journal.swapped.push((change.target.clone(), saved));
            continue;
        };
        let result = std::fs::rename(&tmp, &change.target).map_err(with_path(&change.target));
        if let Err(e) = result {
            if let Some(saved) = saved {
                let _ = std::fs::rename(&saved, &change.target);
            }
            return Err(e);
        }
        journal.staged.retain(|p| *p != tmp);
        journal.swapped.push((change.target.clone(), saved));
    }
    Ok(())
}

fn create_dirs(dir: &Path, journal: &mut Journal) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_dirs(parent, journal)?;
    }
    std::fs::create_dir(dir).map_err(with_path(dir))?;
    journal.created_dirs.push(dir.to_path_buf());
    Ok(())
}
