//! The ghl-client generator: OpenAPI documents → IR → Rust source.
//!
//! The stages, each a module: [`load`] (YAML/JSON into memory), [`lower`]
//! (resolve `$ref`s, validate, build the [`ir`]), [`emit`] (tokens with quote,
//! text with minijinja) and [`render`] (prettyplease). The library only
//! computes: [`generate`] returns every output file in memory and `xtask`
//! writes them.
//!
//! ```no_run
//! let out = codegen::generate(&codegen::Config::new("spec")).expect("spec is valid");
//! for (path, text) in &out.files {
//!     println!("{path}: {} bytes", text.len());
//! }
//! ```

pub mod config;
pub mod diag;
pub mod diff;
pub mod emit;
pub mod ir;
pub mod load;
pub mod lower;
pub mod names;
mod position;
pub mod refs;
pub mod render;
pub mod sync;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

pub use config::Config;
pub use diag::{Diagnostic, Severity};

/// Everything one run produces.
#[derive(Debug)]
pub struct Output {
    /// Generated files, by path relative to the output directory (`src/generated`).
    pub files: BTreeMap<String, String>,
    /// The lines of the `[features]` block in the client's `Cargo.toml`.
    pub features: String,
    /// Warnings (house rules); errors abort generation instead.
    pub warnings: Vec<Diagnostic>,
    /// Time spent per stage.
    pub timings: Timings,
    /// The IR, for reports and tools.
    pub api: ir::Api,
}

/// Time per stage of one run.
#[derive(Clone, Debug, Default)]
pub struct Timings {
    /// Reading and parsing files.
    pub load: Duration,
    /// Resolving, validating and lowering to IR.
    pub lower: Duration,
    /// Emitting tokens and text.
    pub emit: Duration,
    /// Formatting with prettyplease.
    pub format: Duration,
}

/// Generates the client from the documents in `config.spec_dir`.
///
/// Returns every diagnostic (errors first) when any error was found.
pub fn generate(config: &Config) -> Result<Output, Vec<Diagnostic>> {
    let start = Instant::now();
    let mut diags = diag::Diagnostics::default();
    let set = load::load_dir(&config.spec_dir, &mut diags);
    run(config, set, diags, start.elapsed())
}

/// Generates from in-memory documents (`(relative path, text)` pairs).
pub fn generate_from_texts(config: &Config, files: &[(String, String)]) -> Result<Output, Vec<Diagnostic>> {
    let start = Instant::now();
    let mut diags = diag::Diagnostics::default();
    let set = load::load_texts(files, &mut diags);
    run(config, set, diags, start.elapsed())
}

/// Lowers the spec to the IR without emitting code: what reports and tools
/// such as [`diff`] need. Reads `config.spec_dir`, or `texts` (`(relative
/// path, text)` pairs) when given. Returns every diagnostic (errors first)
/// when any error was found; warnings are dropped.
///
/// ```no_run
/// let api = codegen::lower_api(&codegen::Config::new("spec"), None).expect("spec is valid");
/// println!("{} modules", api.modules.len());
/// ```
pub fn lower_api(config: &Config, texts: Option<&[(String, String)]>) -> Result<ir::Api, Vec<Diagnostic>> {
    let mut diags = diag::Diagnostics::default();
    let set = match texts {
        Some(files) => load::load_texts(files, &mut diags),
        None => load::load_dir(&config.spec_dir, &mut diags),
    };
    let api = lower::lower(&set, config, &mut diags);
    if diags.has_errors() {
        return Err(diags.finish(|f| set.text(f)));
    }
    Ok(api)
}

fn run(
    config: &Config,
    set: load::SpecSet,
    mut diags: diag::Diagnostics,
    load_time: Duration,
) -> Result<Output, Vec<Diagnostic>> {
    let mut timings = Timings { load: load_time, ..Timings::default() };
    let t = Instant::now();
    let api = lower::lower(&set, config, &mut diags);
    timings.lower = t.elapsed();
    if diags.has_errors() {
        return Err(diags.finish(|f| set.text(f)));
    }

    let t = Instant::now();
    let mut token_files = Vec::new();
    for m in api.modules.values() {
        match emit::module_tokens(&api, m) {
            Ok(tokens) => token_files.push((format!("{}.rs", m.name), format!("spec/{}", m.source), tokens)),
            Err(e) => diags.error(&m.source, "", format!("could not render the module docs: {e}")),
        }
    }
    token_files.push(("mod.rs".to_owned(), "spec/".to_owned(), emit::root_tokens(&api)));
    let crate_docs = emit::docs::crate_docs(&api);
    let features = emit::features_block(&api);
    timings.emit = t.elapsed();

    let t = Instant::now();
    let mut files = BTreeMap::new();
    for (path, source, tokens) in token_files {
        match render::rust_file(tokens, &source, &config.command) {
            Ok(text) => {
                files.insert(path, text);
            }
            Err(e) => diags.error(source.trim_start_matches("spec/"), "", e),
        }
    }
    match crate_docs {
        Ok(text) => {
            files.insert(
                "crate_docs.md".to_owned(),
                format!("<!-- {}-->\n{text}", render::banner("spec/", &config.command, "").replace('\n', " ")),
            );
        }
        Err(e) => diags.error("", "", format!("could not render the crate docs: {e}")),
    }
    timings.format = t.elapsed();
    if diags.has_errors() {
        return Err(diags.finish(|f| set.text(f)));
    }
    let warnings = diags.finish(|f| set.text(f));
    Ok(Output { files, features, warnings, timings, api })
}
