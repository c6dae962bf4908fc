//! `cargo xtask sync`: bring spec/ up to date with a directory of HighLevel's documents.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use codegen::upstream::sync::{apply, plan};
use codegen::upstream::{VerifyOptions, sync_markdown};

use crate::Paths;

/// The long help of the command (`--help`).
pub const LONG_ABOUT: &str = "Compares spec/ with HighLevel's published OpenAPI documents (read as they are: \
their defects become located warnings) and plans the edits that bring spec/ up to date: operations HighLevel \
documents and spec/ lacks (complete entries with method, path, Version, token kind, scopes, parameters and \
schemas; the summary is a `TODO(sync)` placeholder for the maintainer to write), fields, parameters and enum \
values spec/ lacks, and `deprecated: true` on operations HighLevel no longer documents. Differences an \
`x-ghl-note` explains are left alone, as `cargo xtask verify` counts them; other differences (types, required \
flags, tokens, scopes, versions) are listed for review.\n\n\
Without --apply, prints the plan as Markdown (for a pull request description). With --apply, edits the YAML \
text in place: comments, names and notes stay; then run `cargo xtask lint` and `cargo xtask codegen`.\n\n\
Exit status: 0 when the plan was printed or applied; 1 on an error (a directory cannot be read, a file \
cannot be written).";

/// Arguments of `cargo xtask sync`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory of HighLevel's documents (e.g. ../shared/reference/ghl-openapi/apps, or apps/v3 with --spec spec/v3).
    #[arg(long, value_name = "DIR")]
    from: PathBuf,
    /// Directory of our documents to bring up to date [default: <workspace>/spec].
    #[arg(long, value_name = "DIR")]
    spec: Option<PathBuf>,
    /// Edit the YAML instead of printing the plan.
    #[arg(long)]
    apply: bool,
}

/// Runs the command; relative paths are taken from the current directory.
pub fn run(paths: &Paths, args: Args) -> ExitCode {
    let started = Instant::now();
    let shown = args.spec.as_deref().map_or_else(|| "spec".to_owned(), |s| s.display().to_string());
    let spec = paths.given_or(args.spec.as_deref(), "spec");
    let from = paths.given(&args.from);
    let mut plan = match plan(&spec, &from, &VerifyOptions::default()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("sync: {e}");
            return ExitCode::FAILURE;
        }
    };
    plan.ours_dir = shown;
    plan.upstream_dir = args.from.display().to_string();
    for w in &plan.warnings {
        eprintln!("sync: warning: {w}");
    }
    if !args.apply {
        print!("{}", sync_markdown(&plan));
        eprintln!(
            "sync: {} edit(s) planned, {} for review; {:.0?}",
            plan.edits.len(),
            plan.review.len(),
            started.elapsed()
        );
        return ExitCode::SUCCESS;
    }
    match apply(&plan, &spec) {
        Ok(applied) => {
            for s in &applied.skipped {
                eprintln!("sync: not applied: {s}");
            }
            eprintln!(
                "sync: {} edit(s) applied to {} file(s), {} not applied, {} for review; {:.0?}",
                applied.edits,
                applied.files.len(),
                applied.skipped.len(),
                plan.review.len(),
                started.elapsed()
            );
            if !plan.placeholders.is_empty() || applied.edits > 0 {
                eprintln!(
                    "sync: next: write the `TODO(sync)` summaries, then `cargo xtask lint` and `cargo xtask codegen`"
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sync: nothing written: {e}");
            ExitCode::FAILURE
        }
    }
}
