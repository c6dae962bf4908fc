//! `cargo xtask verify`: drift of `spec/` against a directory of OpenAPI documents.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use codegen::upstream::{VerifyOptions, verify, verify_json, verify_markdown};

use crate::Paths;
use crate::spec_diff::Format;

/// The long help of the command (`--help`).
pub const LONG_ABOUT: &str = "Compares spec/ with a directory of OpenAPI 3.0/3.1 documents, such as HighLevel's \
(../shared/reference/ghl-openapi/apps). Operations are matched by method and path, path parameter names \
ignored. Reports operations missing from spec/ (and upstream documents spec/ does not cover at all), \
operations only spec/ has (`x-ghl-status: undocumented` ones are explained), and for matched operations \
differing Version, token kind, scopes, parameters, request and response fields and enum values. An item is \
explained when spec/ carries an `x-ghl-note` on the operation, the parameter, or the schema or property \
covering it; the note is quoted.\n\n\
Exit status: 0 when the report was produced; 1 on an error (a directory cannot be read); 2 with --strict \
when anything is unexplained (missing operations in covered documents, unexplained extra operations or drift).";

/// Arguments of `cargo xtask verify`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory of the OpenAPI documents to compare with.
    #[arg(long, value_name = "DIR")]
    against: PathBuf,
    /// Exit with status 2 when any drift is unexplained.
    #[arg(long)]
    strict: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    format: Format,
    /// Also read subdirectories of DIR (HighLevel's `apps/v3` holds other API versions).
    #[arg(long)]
    recursive: bool,
    /// Object levels of request and response bodies to compare.
    #[arg(long, default_value_t = 4)]
    depth: usize,
    /// List only unexplained items in the Markdown report (counts stay complete).
    #[arg(long)]
    unexplained_only: bool,
    /// Directory of our OpenAPI documents [default: the workspace's `spec/`;
    /// a path given is taken from the current directory].
    #[arg(long)]
    spec: Option<PathBuf>,
}

/// Runs the command.
pub fn run(paths: &Paths, args: Args) -> ExitCode {
    let options = VerifyOptions { recursive: args.recursive, depth: args.depth.max(1), ..Default::default() };
    let spec = paths.given_or(args.spec.as_deref(), "spec");
    let mut report = match verify(&spec, &args.against, &options) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("verify: {e}");
            return ExitCode::FAILURE;
        }
    };
    report.ours_dir = args.spec.as_deref().unwrap_or(Path::new("spec")).display().to_string();
    let text = match args.format {
        Format::Markdown => verify_markdown(&report, args.unexplained_only),
        Format::Json => verify_json(&report),
    };
    match text {
        Ok(t) => print!("{t}"),
        Err(e) => {
            eprintln!("verify: {e}");
            return ExitCode::FAILURE;
        }
    }
    let s = &report.summary;
    eprintln!(
        "verify: {} upstream operations ({} documents), {} ours; matched {} ({} clean, {} drifting: {} items, {} unexplained); missing {}; extra {} ({} undocumented, {} unexplained); not covered {} in {} documents",
        s.upstream_operations,
        s.upstream_documents,
        s.our_operations,
        s.matched,
        s.matched_clean,
        s.drifting,
        s.drift_items,
        s.drift_items_unexplained,
        s.missing,
        s.extra,
        s.extra_undocumented,
        s.extra_unexplained,
        s.uncovered_operations,
        s.uncovered_documents,
    );
    for w in &report.warnings {
        eprintln!("verify: warning: {w}");
    }
    if args.strict && report.has_unexplained() {
        eprintln!("verify: failing: unexplained drift (--strict)");
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}
