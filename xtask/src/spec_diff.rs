//! `cargo xtask spec-diff`: the classified diff of `spec/` against a git revision.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use codegen::Config;
use codegen::diff::{DiffLabels, changelog_markdown, diff_apis, diff_json, diff_markdown};

use crate::Paths;

/// Output format of the reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Markdown, fit to paste into a pull request.
    #[default]
    Markdown,
    /// JSON, for tools.
    Json,
}

/// The long help of the command (`--help`).
pub const LONG_ABOUT: &str = "Lowers spec/ at a git revision (read with `git show`, nothing is checked out) and spec/ in the \
working tree, compares them at the IR level, and classifies every change as breaking or non-breaking for users \
of the generated client (the rules are in the report's footer and the rustdoc of `codegen::diff`).\n\n\
The base defaults to the merge base of HEAD with `main` (or `origin/main`): on a feature branch that is where \
the branch started, so the report covers the whole branch plus uncommitted edits, as a pull request would. \
When HEAD is `main` itself (or behind it) that merge base is HEAD, which would show only uncommitted edits, so \
HEAD~1 is used instead: the last commit plus uncommitted edits. Without a parent commit, HEAD is used.\n\n\
The same rules compare v2 with v3 within one spec in `cargo xtask migration-map` (MIGRATING-v3.md).\n\n\
Exit status: 0 when the report was produced; 1 on an error (git, or a spec that does not lower); 2 with \
--fail-on-breaking when a breaking change exists.";

/// Arguments of `cargo xtask spec-diff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Git revision to compare against (default: merge base with main; see --help).
    #[arg(long, value_name = "GIT_REF")]
    base: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    format: Format,
    /// Exit with status 2 when any change is breaking.
    #[arg(long)]
    fail_on_breaking: bool,
    /// Print a CHANGELOG.md entry (Keep a Changelog: Added/Changed/Deprecated/Removed) instead of the report.
    #[arg(long, conflicts_with = "format")]
    changelog: bool,
    /// Directory of OpenAPI documents [default: the workspace's `spec/`;
    /// a path given is taken from the current directory].
    #[arg(long)]
    spec: Option<PathBuf>,
}

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!("`git {}` failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()));
    }
    String::from_utf8(out.stdout).map_err(|_| format!("`git {}` printed non-UTF-8 output", args.join(" ")))
}

fn commit(dir: &Path, rev: &str) -> Option<String> {
    git(dir, &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")]).ok().map(|s| s.trim().to_owned())
}

/// The default base revision and why it was chosen.
fn default_base(top: &Path) -> Result<(String, String), String> {
    let head = commit(top, "HEAD").ok_or("HEAD is not a commit (an empty repository?)")?;
    let parent_or_head = |why: &str| match commit(top, "HEAD~1") {
        Some(_) => ("HEAD~1".to_owned(), format!("{why}: comparing with HEAD~1")),
        None => {
            ("HEAD".to_owned(), format!("{why} and HEAD has no parent: comparing with HEAD (uncommitted edits only)"))
        }
    };
    let Some(main) = ["main", "origin/main"].into_iter().find(|r| commit(top, r).is_some()) else {
        return Ok(parent_or_head("no `main` branch"));
    };
    let base = git(top, &["merge-base", main, "HEAD"])?.trim().to_owned();
    if base == head {
        return Ok(parent_or_head(&format!("HEAD is `{main}`")));
    }
    Ok((base.clone(), format!("merge base of HEAD and `{main}`")))
}

/// The spec files at `rev`: `(path relative to the spec directory, text)`.
fn spec_at(top: &Path, rev: &str, prefix: &str) -> Result<Vec<(String, String)>, String> {
    let listing = git(top, &["ls-tree", "-r", "--name-only", "--full-tree", rev, "--", prefix])?;
    let mut files = Vec::new();
    for path in listing.lines().filter(|l| !l.is_empty()) {
        let rel = path.strip_prefix(prefix).map(|r| r.trim_start_matches('/')).unwrap_or(path);
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let wanted = [".yaml", ".yml", ".json"].iter().any(|e| name.ends_with(e))
            && !name.starts_with('.')
            && !name.starts_with("README")
            && !rel.split('/').any(|seg| seg.starts_with('.'));
        if wanted {
            let text = git(top, &["show", &format!("{rev}:{path}")])?;
            files.push((rel.to_owned(), text));
        }
    }
    Ok(files)
}

fn print_diags(diags: &[codegen::Diagnostic], label: &str) {
    for d in diags {
        eprintln!("{label}/{d}");
    }
}

/// Runs the command.
pub fn run(paths: &Paths, args: Args) -> ExitCode {
    match run_inner(paths, &args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("spec-diff: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_inner(paths: &Paths, args: &Args) -> Result<ExitCode, String> {
    let given = paths.given_or(args.spec.as_deref(), "spec");
    let spec = given.canonicalize().map_err(|e| format!("{}: {e}", given.display()))?;
    // The repository is the one holding the spec directory.
    let top = PathBuf::from(git(&spec, &["rev-parse", "--show-toplevel"])?.trim());
    let top = top.canonicalize().map_err(|e| format!("{}: {e}", top.display()))?;
    let prefix = spec
        .strip_prefix(&top)
        .map_err(|_| format!("{} is not inside the git repository {}", spec.display(), top.display()))?
        .to_string_lossy()
        .replace('\\', "/");

    let (base, why) = match &args.base {
        Some(b) => (b.clone(), "given with --base".to_owned()),
        None => default_base(&top)?,
    };
    let sha = commit(&top, &base).ok_or_else(|| format!("`{base}` is not a commit"))?;
    let short = &sha[..sha.len().min(10)];
    eprintln!("spec-diff: base `{base}` ({short}): {why}");

    let texts = spec_at(&top, &sha, &prefix)?;
    let config = Config::new(&spec);
    let old = codegen::lower_api(&config, Some(&texts)).map_err(|diags| {
        print_diags(&diags, &format!("{base}:{prefix}"));
        format!("the spec at `{base}` does not lower ({} diagnostics above)", diags.len())
    })?;
    let new = codegen::lower_api(&config, None).map_err(|diags| {
        print_diags(&diags, &prefix);
        format!(
            "the spec in the working tree does not lower ({} diagnostics above); see `cargo xtask lint`",
            diags.len()
        )
    })?;

    let diff = diff_apis(&old, &new);
    let label_base = if sha.starts_with(&base) { format!("`{short}`") } else { format!("`{base}` ({short})") };
    let labels = DiffLabels { base: label_base, head: format!("working tree (`{prefix}/`)") };
    let text = if args.changelog {
        changelog_markdown(&diff, &labels)
    } else {
        match args.format {
            Format::Markdown => diff_markdown(&diff, &labels),
            Format::Json => diff_json(&diff, &labels),
        }
    }
    .map_err(|e| e.to_string())?;
    print!("{text}");
    eprintln!(
        "spec-diff: {} change(s), {} breaking; public Rust items: {} added, {} removed, {} changed",
        diff.changes.len(),
        diff.breaking(),
        diff.rust_items.added.len(),
        diff.rust_items.removed.len(),
        diff.rust_items.changed.len()
    );
    if args.fail_on_breaking && diff.has_breaking() {
        eprintln!("spec-diff: failing: {} breaking change(s) (--fail-on-breaking)", diff.breaking());
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "openapi: 3.1.0\ninfo: { title: Things, version: \"1\" }\npaths: {}\n";

    fn sh(dir: &Path, args: &[&str]) {
        let status = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"])
            .args(args)
            .output()
            .expect("git runs");
        assert!(status.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&status.stderr));
    }

    fn commit_spec(dir: &Path, title: &str) {
        std::fs::write(dir.join("spec/things.yaml"), SPEC.replace("Things", title)).unwrap();
        sh(dir, &["add", "-A"]);
        sh(dir, &["commit", "-q", "-m", title]);
    }

    #[test]
    fn the_default_base_follows_main_and_branches() {
        let dir = std::env::temp_dir().join(format!("ghl-spec-diff-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("spec")).unwrap();
        sh(&dir, &["init", "-q", "-b", "main"]);
        commit_spec(&dir, "One");
        assert_eq!(default_base(&dir).unwrap().0, "HEAD", "a root commit has no parent");

        commit_spec(&dir, "Two");
        let (base, why) = default_base(&dir).unwrap();
        assert_eq!(base, "HEAD~1", "{why}");
        assert!(why.contains("HEAD is `main`"), "{why}");
        let two = commit(&dir, "HEAD").unwrap();

        sh(&dir, &["checkout", "-q", "-b", "feature"]);
        commit_spec(&dir, "Three");
        let (base, why) = default_base(&dir).unwrap();
        assert_eq!(base, two, "a branch is compared with where it left main");
        assert!(why.contains("merge base"), "{why}");

        let files = spec_at(&dir, &base, "spec").unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, "things.yaml");
        assert!(files[0].1.contains("title: Two"), "{}", files[0].1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
