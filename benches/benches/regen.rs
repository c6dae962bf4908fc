//! Regeneration speed in the release profile: load → lower → emit → format
//! for our `spec/` (read from disk, as `cargo xtask codegen` does) and for
//! HighLevel's published documents (in memory): the 32 that generate, and
//! all 41 (9 stop with located errors after lowering; errors are a result too).
//! After criterion's figures, a per-stage split from `Output.timings`.
//!
//! `cargo bench -p ghl-benches --bench regen [-- --quick]`
//! `… --bench regen -- --once DIR` runs one generation of the documents in
//! `DIR` (for valgrind).
//!
//! HighLevel's documents are read from `$GHL_OPENAPI_DIR` or
//! `../shared/reference/ghl-openapi` beside the workspace (skipped if absent).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use codegen::Config;
use criterion::Criterion;
use ghl_benches::stats::Summary;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

fn highlevel_dir() -> PathBuf {
    std::env::var_os("GHL_OPENAPI_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("../shared/reference/ghl-openapi"))
}

/// HighLevel's 41 `apps/*.json` documents and `common/common-schemas.json`,
/// as `(relative path, text)`.
fn highlevel_all() -> Option<Vec<(String, String)>> {
    let dir = highlevel_dir();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir.join("apps")).ok()?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") {
            files.push((format!("apps/{name}"), std::fs::read_to_string(entry.path()).ok()?));
        }
    }
    files.push((
        "common/common-schemas.json".to_owned(),
        std::fs::read_to_string(dir.join("common/common-schemas.json")).ok()?,
    ));
    files.sort();
    Some(files)
}

/// The documents of `all` that generate without error (and the common schemas).
fn highlevel_generating(all: &[(String, String)]) -> Vec<(String, String)> {
    let config = Config::new(highlevel_dir());
    let failing: Vec<String> = match codegen::generate_from_texts(&config, all) {
        Ok(_) => Vec::new(),
        Err(diags) => diags.into_iter().filter(|d| d.severity == codegen::Severity::Error).map(|d| d.file).collect(),
    };
    all.iter().filter(|(rel, _)| !failing.iter().any(|f| f == rel)).cloned().collect()
}

enum Input {
    Dir(PathBuf),
    Texts(Vec<(String, String)>),
}

fn inputs() -> Vec<(&'static str, Input)> {
    let mut v = vec![("spec", Input::Dir(workspace().join("spec")))];
    if let Some(all) = highlevel_all() {
        v.push(("highlevel-32", Input::Texts(highlevel_generating(&all))));
        v.push(("highlevel-41", Input::Texts(all)));
    } else {
        eprintln!("HighLevel's documents not found under {}; skipped", highlevel_dir().display());
    }
    v
}

fn generate(input: &Input) -> Result<codegen::Output, Vec<codegen::Diagnostic>> {
    match input {
        Input::Dir(dir) => codegen::generate(&Config::new(dir)),
        Input::Texts(files) => codegen::generate_from_texts(&Config::new(highlevel_dir()), files),
    }
}

fn bench(c: &mut Criterion, inputs: &[(&'static str, Input)]) {
    let mut group = c.benchmark_group("regen");
    group.sample_size(10).measurement_time(Duration::from_secs(8));
    for (name, input) in inputs {
        group.bench_function(*name, |b| b.iter(|| generate(input).map(|o| o.files.len()).unwrap_or_else(|e| e.len())));
    }
    group.finish();
}

fn stage_split(inputs: &[(&'static str, Input)], runs: usize) {
    println!("per-stage split, release profile, {runs} runs each (median ms, range):");
    println!("  {:<14} {:>22} {:>22} {:>22} {:>22} {:>22}", "input", "total", "load", "lower", "emit", "format");
    for (name, input) in inputs {
        let mut cols: [Vec<f64>; 5] = Default::default();
        let mut outcome = String::new();
        for _ in 0..runs {
            let t = Instant::now();
            let result = generate(input);
            let total = t.elapsed().as_secs_f64();
            cols[0].push(total);
            match result {
                Ok(o) => {
                    for (k, d) in [o.timings.load, o.timings.lower, o.timings.emit, o.timings.format].iter().enumerate()
                    {
                        cols[k + 1].push(d.as_secs_f64());
                    }
                    let ops: usize = o.api.modules.values().map(|m| m.operations.len()).sum();
                    let lines: usize = o.files.values().map(|t| t.lines().count()).sum();
                    outcome = format!(
                        "{} modules, {ops} operations, {} files, {lines} lines",
                        o.api.modules.len(),
                        o.files.len()
                    );
                }
                Err(d) => {
                    let errors = d.iter().filter(|d| d.severity == codegen::Severity::Error).count();
                    outcome = format!("stops with {errors} located errors (stages after lowering do not run)");
                }
            }
        }
        let show = |v: &Vec<f64>| {
            if v.is_empty() {
                "—".to_owned()
            } else {
                let s = Summary::of(v);
                format!("{:.1} ({:.1}–{:.1})", s.median * 1e3, s.min * 1e3, s.max * 1e3)
            }
        };
        println!(
            "  {:<14} {:>22} {:>22} {:>22} {:>22} {:>22}   {outcome}",
            name,
            show(&cols[0]),
            show(&cols[1]),
            show(&cols[2]),
            show(&cols[3]),
            show(&cols[4])
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--once") {
        let dir = args.get(i + 1).map(PathBuf::from).unwrap_or_else(|| workspace().join("spec"));
        let ok = codegen::generate(&Config::new(&dir)).is_ok();
        println!("{}: {}", dir.display(), if ok { "generated" } else { "stopped with errors" });
        return;
    }
    eprintln!("{}", ghl_benches::machine::describe());
    let inputs = inputs();
    let quick = args.iter().any(|a| a == "--quick");
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c, &inputs);
    c.final_summary();
    stage_split(&inputs, if quick { 5 } else { 15 });
    eprintln!("after: {}", ghl_benches::machine::load());
}
