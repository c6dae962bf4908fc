//! `cargo xtask <command>`: the maintainer's commands for this workspace.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use codegen::{Config, Diagnostic, Severity};

/// The generator allocates many small token trees and strings; mimalloc
/// spends far fewer instructions on them than glibc's malloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod bench;
mod migration_map;
mod mock;
mod spec_diff;
mod sync_cmd;
mod verify;
mod write;

#[derive(Parser)]
#[command(about = "Maintainer tasks for ghl-client")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate ghl-client/src/generated from spec/ (writes only what changed, all or nothing).
    ///
    /// Paths given on the command line are taken from the current directory;
    /// the defaults are the workspace's own, wherever in it cargo runs.
    Codegen {
        /// Write nothing; list stale, missing and extra files and fail if any.
        #[arg(long)]
        check: bool,
        /// Directory of OpenAPI documents [default: <workspace>/spec].
        #[arg(long)]
        spec: Option<PathBuf>,
        /// Directory the generated files go to [default: <workspace>/ghl-client/src/generated].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Cargo.toml whose generated features block is updated
        /// (default: the workspace's ghl-client/Cargo.toml without --out, else none).
        #[arg(long)]
        manifest: Option<PathBuf>,
        /// Read documents as published (e.g. HighLevel's raw ones): defects the
        /// generator can work around become warnings instead of errors.
        #[arg(long)]
        lenient: bool,
    },
    /// Check the spec: every error and house-rule warning, located; fails on any.
    Lint {
        /// Directory of OpenAPI documents [default: <workspace>/spec].
        #[arg(long)]
        spec: Option<PathBuf>,
        /// As for `codegen --lenient`.
        #[arg(long)]
        lenient: bool,
    },
    /// Classified diff of spec/ against a git revision (breaking / non-breaking for ghl-client users).
    #[command(long_about = spec_diff::LONG_ABOUT)]
    SpecDiff(spec_diff::Args),
    /// Write MIGRATING-v3.md: each v2 operation's v3 equivalent (same, changed, renamed, gone) and each new one.
    #[command(long_about = migration_map::LONG_ABOUT)]
    MigrationMap(migration_map::Args),
    /// Run the spec-driven mock GHL server (prints its base URL; try the examples with GHL_BASE_URL).
    Mock(mock::Args),
    /// Drift of spec/ against a directory of OpenAPI documents (e.g. HighLevel's published ones).
    #[command(long_about = verify::LONG_ABOUT)]
    Verify(verify::Args),
    /// Edits that bring spec/ up to date with HighLevel's documents (a Markdown plan, or --apply).
    #[command(long_about = sync_cmd::LONG_ABOUT)]
    Sync(sync_cmd::Args),
    /// Benchmarks: regeneration, compile cost, request overhead, decoding, pagination (BENCHMARKS.md).
    #[command(long_about = bench::LONG_ABOUT)]
    Bench(bench::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = workspace_root();
    let cwd = std::env::current_dir().unwrap_or_else(|_| root.clone());
    let paths = Paths { root: root.clone(), cwd };
    let given_or = |p: Option<PathBuf>, default: &str| paths.given_or(p.as_deref(), default);
    match cli.command {
        Command::Codegen { check, spec, out, manifest, lenient } => {
            let manifest = match (&out, manifest) {
                (_, Some(m)) => Some(paths.given(&m)),
                (None, None) => Some(root.join("ghl-client/Cargo.toml")),
                (Some(_), None) => None,
            };
            let spec = given_or(spec, "spec");
            let out = given_or(out, "ghl-client/src/generated");
            codegen_cmd(&root, &spec, &out, manifest.as_deref(), check, lenient)
        }
        Command::Lint { spec, lenient } => lint_cmd(&root, &given_or(spec, "spec"), lenient),
        Command::SpecDiff(args) => spec_diff::run(&paths, args),
        Command::MigrationMap(args) => migration_map::run(&paths, args),
        Command::Verify(args) => verify::run(&paths, args),
        Command::Sync(args) => sync_cmd::run(&paths, args),
        Command::Mock(args) => mock::run(&paths, args),
        Command::Bench(args) => bench::run(&root, args),
    }
}

/// Where the commands' paths are taken from.
pub(crate) struct Paths {
    /// The workspace: where the defaults are.
    root: PathBuf,
    /// Where the user is: what a path they typed is relative to.
    cwd: PathBuf,
}

impl Paths {
    /// A path the user typed is theirs: taken from where they are. A default
    /// names the workspace's own directory, wherever in it cargo was run.
    pub(crate) fn given_or(&self, given: Option<&Path>, default: &str) -> PathBuf {
        given.map_or_else(|| self.root.join(default), |p| self.given(p))
    }

    /// A path the user typed, taken from where they are.
    pub(crate) fn given(&self, path: &Path) -> PathBuf {
        self.cwd.join(path)
    }
}

/// The workspace this xtask belongs to: the one `cargo xtask` runs it from
/// (cargo tells the manifest directory at run time), else the one it was built in.
fn workspace_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Errors, then warnings, each group apart.
fn print_diagnostics(diags: &[Diagnostic], spec: &Path) {
    for severity in [Severity::Error, Severity::Warning] {
        for d in diags.iter().filter(|d| d.severity == severity) {
            eprintln!("{}", located(d, spec));
        }
    }
}

fn config(spec: &Path, lenient: bool) -> Config {
    Config { lenient, ..Config::new(spec) }
}

fn located(d: &Diagnostic, spec: &Path) -> String {
    let mut d = d.clone();
    d.file = spec.join(&d.file).display().to_string();
    d.to_string()
}

fn codegen_cmd(
    root: &Path,
    spec: &Path,
    out_dir: &Path,
    manifest: Option<&Path>,
    check: bool,
    lenient: bool,
) -> ExitCode {
    let started = Instant::now();
    let output = match codegen::generate(&config(spec, lenient)) {
        Ok(o) => o,
        Err(diags) => {
            let errors: Vec<Diagnostic> = diags.into_iter().filter(|d| d.severity == Severity::Error).collect();
            print_diagnostics(&errors, &rel(root, spec));
            eprintln!("codegen: {} error(s); nothing was written (warnings: `cargo xtask lint`)", errors.len());
            return ExitCode::FAILURE;
        }
    };
    let elapsed = started.elapsed();
    if !output.warnings.is_empty() {
        eprintln!("codegen: {} warning(s) (see `cargo xtask lint`)", output.warnings.len());
    }
    let drift = codegen::sync::drift(&output, out_dir, manifest);
    if check {
        if drift.is_clean() {
            eprintln!("codegen --check: up to date ({} files)", output.files.len());
            return ExitCode::SUCCESS;
        }
        eprintln!(
            "codegen --check: the generated code is out of date:\n{}",
            drift.describe(&rel(root, out_dir), manifest)
        );
        eprintln!("run `cargo xtask codegen` and commit the result");
        return ExitCode::FAILURE;
    }
    match write::commit(&output, &drift, out_dir, manifest) {
        Ok(n) => {
            let ops: usize = output.api.modules.values().map(|m| m.operations.len()).sum();
            let types: usize = output.api.modules.values().map(|m| m.types.len()).sum();
            eprintln!(
                "codegen: {} modules, {ops} operations, {types} types; {n} file(s) changed, {} removed; {:.0?} (load {:.0?}, lower {:.0?}, emit {:.0?}, format {:.0?})",
                output.api.modules.len(),
                drift.extra.len(),
                elapsed,
                output.timings.load,
                output.timings.lower,
                output.timings.emit,
                output.timings.format,
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("codegen: could not write, nothing was changed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn lint_cmd(root: &Path, spec: &Path, lenient: bool) -> ExitCode {
    let diags = match codegen::generate(&config(spec, lenient)) {
        Ok(o) => o.warnings,
        Err(d) => d,
    };
    print_diagnostics(&diags, &rel(root, spec));
    if diags.is_empty() {
        eprintln!("lint: clean");
        ExitCode::SUCCESS
    } else {
        let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
        eprintln!("lint: {errors} error(s), {} warning(s)", diags.len() - errors);
        ExitCode::FAILURE
    }
}

fn rel(root: &Path, p: &Path) -> PathBuf {
    p.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| p.to_path_buf())
}
