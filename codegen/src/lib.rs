//! The ghl-client generator: OpenAPI documents → IR → Rust source.
//!
//! The stages, each a module: [`load`] (YAML/JSON into memory), [`lower`]
//! (resolve `$ref`s, validate, build the [`ir`]), [`emit`] (tokens with quote,
//! text with minijinja), [`print`] (tokens laid out as source) and [`render`]
//! (banners). The library only
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
mod parallel;
mod position;
pub mod print;
pub mod refs;
pub mod render;
pub mod sync;
pub mod upstream;

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
    /// Emitting tokens and text (summed over worker threads).
    pub emit: Duration,
    /// Laying tokens out as source text (summed over worker threads).
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

    // Emitting and formatting are per module and independent: spread them
    // over the cores, largest modules first. Results land in a BTreeMap, so
    // order stays fixed.
    let mut modules: Vec<&ir::Module> = api.modules.values().collect();
    modules.sort_by_key(|m| std::cmp::Reverse(m.operations.len() * 4 + m.types.len() + m.webhooks.len() * 4));
    let (rendered, crate_files) = std::thread::scope(|scope| {
        // The crate-level files (the CLI table is the largest file of all)
        // render beside the modules, not after them.
        let crate_files = scope.spawn(|| render_crate_files(&api, config));
        let rendered: Vec<Rendered> =
            parallel::map(&modules, |m| render_module(&api, m, config)).into_iter().flatten().collect();
        (rendered, crate_files.join().ok())
    });
    let Some(CrateFiles { root, cli_table, crate_docs, features, emit: crate_emit, format: crate_format }) =
        crate_files
    else {
        diags.error("", "", "internal error: the thread rendering the crate-level files stopped");
        return Err(diags.finish(|f| set.text(f)));
    };
    timings.emit = crate_emit;
    timings.format = crate_format;
    let mut files = BTreeMap::new();
    files.insert("mod.rs".to_owned(), root);
    files.insert("cli_table.rs".to_owned(), cli_table);
    for r in rendered {
        timings.emit += r.emit;
        timings.format += r.format;
        match r.text {
            Ok(text) => {
                files.insert(r.path, text);
            }
            Err(e) => diags.error(&r.source, "", e),
        }
    }
    if files.len() != api.modules.len() + 2 && !diags.has_errors() {
        diags.error("", "", "internal error: a worker thread stopped before rendering its modules");
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
    if diags.has_errors() {
        return Err(diags.finish(|f| set.text(f)));
    }
    let warnings = diags.finish(|f| set.text(f));
    Ok(Output { files, features, warnings, timings, api })
}

/// The files that are not one module's: `mod.rs`, `cli_table.rs`, the crate
/// docs and the features block, with the time their emit and format took.
struct CrateFiles {
    root: String,
    cli_table: String,
    crate_docs: Result<String, minijinja::Error>,
    features: String,
    emit: Duration,
    format: Duration,
}

fn render_crate_files(api: &ir::Api, config: &Config) -> CrateFiles {
    let t = Instant::now();
    let root = emit::root_tokens(api);
    let cli_table = emit::cli_table::cli_table(api);
    let crate_docs = emit::docs::crate_docs(api, &config.vendor);
    let features = emit::features_block(api, config.root_group.as_deref());
    let emit = t.elapsed();
    let t = Instant::now();
    let root = render::rust_file(root, "spec/", &config.command);
    let cli_table = render::rust_file_of_atoms(&cli_table, "spec/", &config.command);
    CrateFiles { root, cli_table, crate_docs, features, emit, format: t.elapsed() }
}

/// One module's file, with the time its emit and format took.
struct Rendered {
    path: String,
    source: String,
    text: Result<String, String>,
    emit: Duration,
    format: Duration,
}

fn render_module(api: &ir::Api, m: &ir::Module, config: &Config) -> Rendered {
    let t = Instant::now();
    let tokens = emit::module_tokens(api, m, &config.vendor);
    let emit = t.elapsed();
    let t = Instant::now();
    let text = match tokens {
        Ok(tokens) => Ok(render::rust_file(tokens, &format!("spec/{}", m.source), &config.command)),
        Err(e) => Err(format!("could not render the module docs: {e}")),
    };
    Rendered { path: m.file(), source: m.source.clone(), text, emit, format: t.elapsed() }
}
