//! `cargo xtask <command>`: the maintainer's commands for this workspace.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use codegen::{Config, Diagnostic, Severity};

mod bench;
mod migration_map;
mod mock;
mod spec_diff;
mod verify;

#[derive(Parser)]
#[command(about = "Maintainer tasks for ghl-client")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate ghl-client/src/generated from spec/ (writes only what changed).
    Codegen {
        /// Write nothing; list stale, missing and extra files and fail if any.
        #[arg(long)]
        check: bool,
        /// Directory of OpenAPI documents.
        #[arg(long, default_value = "spec")]
        spec: PathBuf,
        /// Directory the generated files go to.
        #[arg(long, default_value = "ghl-client/src/generated")]
        out: PathBuf,
        /// Cargo.toml whose generated features block is updated
        /// (default: ghl-client/Cargo.toml when --out is the default, else none).
        #[arg(long)]
        manifest: Option<PathBuf>,
    },
    /// Check the spec: every error and house-rule warning, located; fails on any.
    Lint {
        /// Directory of OpenAPI documents.
        #[arg(long, default_value = "spec")]
        spec: PathBuf,
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
    /// Benchmarks: regeneration, compile cost, request overhead, decoding, pagination (BENCHMARKS.md).
    #[command(long_about = bench::LONG_ABOUT)]
    Bench(bench::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Paths are relative to the workspace root, wherever cargo was run from.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap_or(Path::new(".")).to_path_buf();
    match cli.command {
        Command::Codegen { check, spec, out, manifest } => {
            let default_out = out == Path::new("ghl-client/src/generated");
            let manifest = manifest.or_else(|| default_out.then(|| PathBuf::from("ghl-client/Cargo.toml")));
            codegen_cmd(&root, &root.join(spec), &root.join(out), manifest.map(|m| root.join(m)).as_deref(), check)
        }
        Command::Lint { spec } => lint_cmd(&root.join(spec)),
        Command::SpecDiff(args) => spec_diff::run(&root, args),
        Command::MigrationMap(args) => migration_map::run(&root, args),
        Command::Verify(args) => verify::run(&root, args),
        Command::Mock(args) => mock::run(&root, args),
        Command::Bench(args) => bench::run(&root, args),
    }
}

fn print_diagnostics(diags: &[Diagnostic], spec: &Path) {
    for d in diags {
        eprintln!("{}", located(d, spec));
    }
}

fn located(d: &Diagnostic, spec: &Path) -> String {
    let mut d = d.clone();
    d.file = spec.join(&d.file).display().to_string();
    d.to_string()
}

fn codegen_cmd(root: &Path, spec: &Path, out_dir: &Path, manifest: Option<&Path>, check: bool) -> ExitCode {
    let started = Instant::now();
    let output = match codegen::generate(&Config::new(spec)) {
        Ok(o) => o,
        Err(diags) => {
            print_diagnostics(&diags, &rel(root, spec));
            let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
            eprintln!("codegen: {errors} error(s); nothing was written");
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
    match write(&output, &drift, out_dir, manifest) {
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
            eprintln!("codegen: could not write: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Writes changed files through a temp file and rename, removes extra ones,
/// and splices the features block. Returns the number of files written.
fn write(
    output: &codegen::Output,
    drift: &codegen::sync::Drift,
    out_dir: &Path,
    manifest: Option<&Path>,
) -> std::io::Result<usize> {
    std::fs::create_dir_all(out_dir)?;
    let mut written = 0;
    for rel in drift.stale.iter().chain(&drift.missing) {
        atomic_write(&out_dir.join(rel), &output.files[rel])?;
        written += 1;
    }
    for rel in &drift.extra {
        std::fs::remove_file(out_dir.join(rel))?;
    }
    if let Some(manifest) = manifest.filter(|_| drift.manifest_stale) {
        let text = std::fs::read_to_string(manifest)?;
        let Some(new) = codegen::sync::splice_features(&text, &output.features) else {
            return Err(std::io::Error::other(format!(
                "{} has no `{}` … `{}` block",
                manifest.display(),
                codegen::sync::FEATURES_BEGIN,
                codegen::sync::FEATURES_END
            )));
        };
        atomic_write(manifest, &new)?;
        written += 1;
    }
    Ok(written)
}

fn atomic_write(path: &Path, text: &str) -> std::io::Result<()> {
    let with_path = |e: std::io::Error| std::io::Error::new(e.kind(), format!("{}: {e}", path.display()));
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(with_path)?;
    }
    let tmp = path.with_extension("rs.tmp");
    std::fs::write(&tmp, text).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        with_path(e)
    })?;
    std::fs::rename(&tmp, path).map_err(with_path)
}

fn lint_cmd(spec: &Path) -> ExitCode {
    let diags = match codegen::generate(&Config::new(spec)) {
        Ok(o) => o.warnings,
        Err(d) => d,
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap_or(Path::new("."));
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
