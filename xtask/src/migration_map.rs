//! `cargo xtask migration-map`: writes `MIGRATING-v3.md`, the map from each v2
//! operation to its v3 equivalent.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use codegen::Config;
use codegen::diff::migration::{MigrationLabels, migration_json, migration_map, migration_markdown};

use crate::Paths;

/// The long help of the command (`--help`).
pub const LONG_ABOUT: &str = "Lowers spec/ (both versions: the documents directly in spec/ are v2, spec/v3/ is v3) \
and writes MIGRATING-v3.md at the workspace root: for each v2 operation its v3 equivalent, per module, and each new \
v3 operation.\n\n\
Operations are paired by method and path (path parameters by position); what is left, by method and path with \
case, `-` and `_` folded (/oauth/locationToken -> /oauth/location-token), then by operationId. A pair is `same`, \
`changed` (parameters, request and response fields, paging, scopes or token kind differ, classified with the rules \
of `cargo xtask spec-diff`; the Version header change itself is expected and not listed) or `renamed`; an \
unpaired v2 operation is `gone`, an unpaired v3 one `new`. The file names the Rust calls on both sides \
(client.contacts().get_contact(..) -> client.v3().contacts().get_contact(..)).\n\n\
This command is the only writer of the file; `cargo test -p tests` fails when the committed one is stale.\n\n\
Exit status: 0 when the file is written (or, with --check, up to date); 1 when the spec does not lower, the file \
cannot be written, or (with --check) it is stale.";

/// Arguments of `cargo xtask migration-map`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write nothing; fail when the file is missing or differs from what the spec gives.
    #[arg(long)]
    check: bool,
    /// The module group (directory under the spec directory) to migrate to.
    #[arg(long, default_value = "v3", value_name = "GROUP")]
    to: String,
    /// Directory of OpenAPI documents [default: the workspace's `spec/`;
    /// a path given is taken from the current directory].
    #[arg(long)]
    spec: Option<PathBuf>,
    /// The file to write [default: MIGRATING-<GROUP>.md in the workspace; a
    /// path given is taken from the current directory].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print the map as JSON on stdout instead (for scripts); writes nothing.
    #[arg(long, conflicts_with_all = ["check", "out"])]
    json: bool,
}

/// The command named in the file's banner, for the group `to`.
pub fn command(to: &str) -> String {
    if to == "v3" { "cargo xtask migration-map".to_owned() } else { format!("cargo xtask migration-map --to {to}") }
}

/// Runs the command.
pub fn run(paths: &Paths, args: Args) -> ExitCode {
    match run_inner(paths, &args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("migration-map: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_inner(paths: &Paths, args: &Args) -> Result<ExitCode, String> {
    // As typed (or the default), for messages and the file's own command line.
    let shown = args.spec.as_deref().unwrap_or(Path::new("spec"));
    let config = Config::new(paths.given_or(args.spec.as_deref(), "spec"));
    let api = codegen::lower_api(&config, None).map_err(|diags| {
        for d in &diags {
            eprintln!("{}/{d}", shown.display());
        }
        format!("the spec does not lower ({} diagnostics above); see `cargo xtask lint`", diags.len())
    })?;
    if !api.modules.values().any(|m| m.group.as_deref() == Some(args.to.as_str())) {
        return Err(format!("{} has no module group `{}` (a directory of documents)", shown.display(), args.to));
    }
    let map = migration_map(&api, None, &args.to);
    if args.json {
        print!("{}", migration_json(&map).map_err(|e| e.to_string())?);
        return Ok(ExitCode::SUCCESS);
    }
    let labels = MigrationLabels {
        from: config.root_group.clone().unwrap_or_else(|| "the top-level modules".to_owned()),
        to: args.to.clone(),
        command: command(&args.to),
        spec: shown.display().to_string().replace('\\', "/"),
    };
    let text = migration_markdown(&map, &labels).map_err(|e| e.to_string())?;
    let rel = args.out.clone().unwrap_or_else(|| PathBuf::from(format!("MIGRATING-{}.md", args.to)));
    let path = paths.given_or(args.out.as_deref(), &rel.to_string_lossy());
    let t = map.totals;
    let counts = format!(
        "{} modules; {} {} and {} {} operations: {} same, {} changed, {} renamed, {} gone, {} new",
        map.modules.len(),
        t.old,
        labels.from,
        t.new_ops,
        labels.to,
        t.same,
        t.changed,
        t.renamed,
        t.gone,
        t.new
    );
    let current = std::fs::read_to_string(&path).ok();
    if args.check {
        return Ok(if current.as_deref() == Some(text.as_str()) {
            eprintln!("migration-map --check: {} is up to date ({counts})", rel.display());
            ExitCode::SUCCESS
        } else {
            let how = if current.is_some() { "out of date" } else { "missing" };
            eprintln!("migration-map --check: {} is {how}; run `{}` and commit it", rel.display(), labels.command);
            ExitCode::FAILURE
        });
    }
    if current.as_deref() == Some(text.as_str()) {
        eprintln!("migration-map: {} unchanged ({counts})", rel.display());
        return Ok(ExitCode::SUCCESS);
    }
    let tmp = path.with_extension("md.tmp");
    std::fs::write(&tmp, &text).and_then(|()| std::fs::rename(&tmp, &path)).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write {}: {e}", path.display())
    })?;
    eprintln!("migration-map: wrote {} ({counts})", rel.display());
    Ok(ExitCode::SUCCESS)
}
