//! `cargo xtask bench [--quick]`: every figure of BENCHMARKS.md, in one run.
//!
//! Sections (all by default; `--only a,b` picks some):
//! - `regen`: load → lower → emit → format in this xtask's own profile (the dev
//!   profile with codegen and its heavy dependencies at opt-level 2, exactly
//!   what `cargo xtask codegen` runs), for `spec/` and HighLevel's documents;
//! - `callgrind`: instruction counts of one regeneration (dev and release
//!   builds) and of one request per client, repeatable under load;
//! - `criterion`: the release-profile benches `regen` and `decode`;
//! - `request`: per-request overhead of ghl-client against bare reqwest;
//! - `paginate`: peak memory of a 100 000-item stream;
//! - `compile`: clean builds of tiny programs using ghl-client with one, five
//!   and every module (and the same for ghl-sdk), each in its own target dir;
//! - `sdk`: per-request figures of ghl-sdk 0.5 beside ghl-client and reqwest;
//! - `redis`: per-call overhead of the Redis token store and rate budget
//!   against the in-memory ones, and refreshes under contention (needs
//!   `redis-server`; the bench starts its own).
//!
//! Scratch crates, target dirs and logs go under `--scratch` (/tmp/bench); the
//! ghl-sdk crates are fetched from crates.io there and never enter the repository.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use codegen::{Config, Severity};

pub const LONG_ABOUT: &str = "Run the benchmarks that BENCHMARKS.md reports and print their figures.

Sections: regen, callgrind, criterion, request, paginate, limiter, compile, sdk, redis (all by default).
The machine is shared: each section prints the load average and the compilers running
beside it. The whole run takes about 30 minutes on 2 cores; --quick (fewer rounds and
repetitions) about 20, most of it the clean builds of `compile`.
Needs valgrind for `callgrind`, /usr/bin/time for `compile` and redis-server for `redis`; scratch crates, target
directories and logs go under --scratch.";

const SECTIONS: [&str; 9] =
    ["regen", "callgrind", "criterion", "request", "paginate", "limiter", "compile", "sdk", "redis"];

#[derive(clap::Args)]
pub struct Args {
    /// Fewer rounds and repetitions.
    #[arg(long)]
    quick: bool,
    /// Run only these sections (comma-separated: regen, callgrind, criterion, request, paginate, limiter, compile, sdk, redis).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Leave out ghl-sdk (the `sdk` section and its compile configurations).
    #[arg(long)]
    no_sdk: bool,
    /// Scratch directory for comparison crates, target directories and logs.
    #[arg(long, default_value = "/tmp/bench")]
    scratch: PathBuf,
    /// Run one regeneration of the documents in this directory and exit (for valgrind).
    #[arg(long, hide = true)]
    regen_once: Option<PathBuf>,
}

pub fn run(root: &Path, args: Args) -> ExitCode {
    if let Some(dir) = &args.regen_once {
        let ok = codegen::generate(&Config::new(dir)).is_ok();
        println!("{}: {}", dir.display(), if ok { "generated" } else { "stopped with errors" });
        return ExitCode::SUCCESS;
    }
    for s in &args.only {
        if !SECTIONS.contains(&s.as_str()) {
            eprintln!("bench: unknown section `{s}` (one of {})", SECTIONS.join(", "));
            return ExitCode::FAILURE;
        }
    }
    let want = |s: &str| (args.only.is_empty() || args.only.iter().any(|o| o == s)) && !(s == "sdk" && args.no_sdk);
    if let Err(e) = std::fs::create_dir_all(args.scratch.join("logs")) {
        eprintln!("bench: cannot create {}: {e}", args.scratch.display());
        return ExitCode::FAILURE;
    }
    let started = Instant::now();
    let mut ok = true;
    println!("# cargo xtask bench{}", if args.quick { " --quick" } else { "" });
    println!("{}", machine());
    println!("{}", toolchain());
    let b = Bench { root: root.to_path_buf(), scratch: args.scratch.clone(), quick: args.quick, sdk: !args.no_sdk };
    let sections: [(&str, Section); 9] = [
        ("regen", Bench::regen),
        ("callgrind", Bench::callgrind),
        ("criterion", Bench::criterion),
        ("request", Bench::request),
        ("paginate", Bench::paginate),
        ("limiter", Bench::limiter),
        ("compile", Bench::compile),
        ("sdk", Bench::sdk_request),
        ("redis", Bench::redis),
    ];
    for (name, f) in sections {
        if !want(name) {
            continue;
        }
        println!("\n## {name}  [{}]", load());
        let t = Instant::now();
        if let Err(e) = f(&b) {
            println!("{name}: FAILED: {e}");
            ok = false;
        }
        println!("({name}: {:.0} s)", t.elapsed().as_secs_f64());
    }
    println!("\ndone in {:.0} s; after: {}", started.elapsed().as_secs_f64(), load());
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// One section of the run.
type Section = fn(&Bench) -> Result<(), String>;

struct Bench {
    root: PathBuf,
    scratch: PathBuf,
    quick: bool,
    sdk: bool,
}

// ---------------------------------------------------------------- regeneration

enum Input {
    Dir(PathBuf),
    Texts(PathBuf, Vec<(String, String)>),
}

impl Input {
    fn generate(&self) -> Result<codegen::Output, Vec<codegen::Diagnostic>> {
        match self {
            Input::Dir(dir) => codegen::generate(&Config::new(dir)),
            Input::Texts(dir, files) => codegen::generate_from_texts(&Config::new(dir), files),
        }
    }
}

fn highlevel_dir(root: &Path) -> PathBuf {
    std::env::var_os("GHL_OPENAPI_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/reference/ghl-openapi"))
}

/// `spec/`, HighLevel's documents that generate (32) and all of them (41).
fn regen_inputs(root: &Path) -> Vec<(String, Input)> {
    let mut v = vec![("spec".to_owned(), Input::Dir(root.join("spec")))];
    let dir = highlevel_dir(root);
    let read = || -> std::io::Result<Vec<(String, String)>> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir.join("apps"))?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".json") {
                files.push((format!("apps/{name}"), std::fs::read_to_string(entry.path())?));
            }
        }
        files.push((
            "common/common-schemas.json".to_owned(),
            std::fs::read_to_string(dir.join("common/common-schemas.json"))?,
        ));
        files.sort();
        Ok(files)
    };
    match read() {
        Ok(all) => {
            let failing: Vec<String> = match codegen::generate_from_texts(&Config::new(&dir), &all) {
                Ok(_) => Vec::new(),
                Err(d) => d.into_iter().filter(|d| d.severity == Severity::Error).map(|d| d.file).collect(),
            };
            let good: Vec<_> = all.iter().filter(|(rel, _)| !failing.contains(rel)).cloned().collect();
            let docs = |files: &[(String, String)]| files.iter().filter(|(r, _)| r.starts_with("apps/")).count();
            v.push((format!("highlevel-{}", docs(&good)), Input::Texts(dir.clone(), good)));
            v.push((format!("highlevel-{}", docs(&all)), Input::Texts(dir, all)));
        }
        Err(e) => eprintln!("HighLevel's documents not readable under {}: {e}; skipped", dir.display()),
    }
    v
}

impl Bench {
    fn regen(&self) -> Result<(), String> {
        let runs = if self.quick { 5 } else { 15 };
        println!(
            "regeneration in this xtask's profile (dev, codegen and heavy deps at opt-level 2, as `cargo xtask codegen`);\n\
             in process, 1 warm-up + {runs} runs each; ms, median (min–max); spec/ is read from disk, HighLevel's from memory"
        );
        println!("  {:<14} {:>20} {:>20} {:>20} {:>20} {:>20}", "input", "total", "load", "lower", "emit", "format");
        for (name, input) in regen_inputs(&self.root) {
            let _ = input.generate();
            let mut cols: [Vec<f64>; 5] = Default::default();
            let mut outcome = String::new();
            for _ in 0..runs {
                let t = Instant::now();
                let r = input.generate();
                cols[0].push(t.elapsed().as_secs_f64());
                match r {
                    Ok(o) => {
                        let st = [o.timings.load, o.timings.lower, o.timings.emit, o.timings.format];
                        for (k, d) in st.iter().enumerate() {
                            cols[k + 1].push(d.as_secs_f64());
                        }
                        let ops: usize = o.api.modules.values().map(|m| m.operations.len()).sum();
                        let lines: usize = o.files.values().map(|t| t.lines().count()).sum();
                        outcome = format!("{} modules, {ops} operations, {lines} lines generated", o.api.modules.len());
                    }
                    Err(d) => {
                        let errors = d.iter().filter(|d| d.severity == Severity::Error).count();
                        outcome = format!("stops after lowering with {errors} located errors");
                    }
                }
            }
            let show = |v: &[f64]| {
                if v.is_empty() {
                    "—".to_owned()
                } else {
                    let s = Summary::of(v);
                    format!("{:.1} ({:.1}–{:.1})", s.median * 1e3, s.min * 1e3, s.max * 1e3)
                }
            };
            let total = Summary::of(&cols[0]);
            println!(
                "  {:<14} {:>20} {:>20} {:>20} {:>20} {:>20}   {outcome}{}",
                name,
                show(&cols[0]),
                show(&cols[1]),
                show(&cols[2]),
                show(&cols[3]),
                show(&cols[4]),
                if name == "spec" {
                    format!("; target < 500 ms: {} ({:.2} of it)", met(total.median < 0.5), total.median / 0.5)
                } else {
                    String::new()
                }
            );
        }
        Ok(())
    }

    // ------------------------------------------------------------ callgrind

    fn callgrind(&self) -> Result<(), String> {
        if which("valgrind").is_none() {
            return Err("valgrind is not installed".into());
        }
        let dir = self.scratch.join("callgrind");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        println!("instruction counts (valgrind --tool=callgrind; Ir, repeatable whatever the load):");
        let xtask = std::env::current_exe().map_err(|e| e.to_string())?;
        let regen = self.bench_exe("regen")?;
        let stages = [
            ("load", &["codegen::load::load_dir", "codegen::load::load_texts"][..]),
            ("lower", &["codegen::lower::lower"][..]),
            (
                "emit",
                &[
                    "codegen::emit::module_tokens",
                    "codegen::emit::root_tokens",
                    "codegen::emit::docs::crate_docs",
                    "codegen::emit::features_block",
                ][..],
            ),
            ("format", &["codegen::render::rust_file"][..]),
        ];
        println!(
            "  regeneration, one run from disk (Ir in millions, including process start-up; per stage: inclusive cost of its entry functions):"
        );
        let mut dirs = Vec::new();
        for (name, input) in regen_inputs(&self.root) {
            match input {
                Input::Dir(d) => dirs.push((name, d)),
                Input::Texts(_, files) => {
                    let d = self.scratch.join("inputs").join(&name);
                    let _ = std::fs::remove_dir_all(&d);
                    for (rel, text) in &files {
                        let path = d.join(rel);
                        std::fs::create_dir_all(path.parent().unwrap_or(&d)).map_err(|e| e.to_string())?;
                        std::fs::write(&path, text).map_err(|e| e.to_string())?;
                    }
                    dirs.push((name, d));
                }
            }
        }
        for (profile, exe, pre) in [
            ("dev (xtask)", &xtask, vec!["bench".to_owned(), "--regen-once".to_owned()]),
            ("release", &regen, vec!["--once".to_owned()]),
        ] {
            for (input, input_dir) in &dirs {
                let tag = profile.split(' ').next().unwrap_or("x");
                let out = dir.join(format!("regen-{tag}-{input}.out"));
                let mut a = pre.clone();
                a.push(input_dir.display().to_string());
                let total = callgrind(exe, &a, &out, &self.root)?;
                let costs = inclusive(&out);
                let mut line = format!("    {profile:<12} {input:<14} total {:>8.1}", total as f64 / 1e6);
                for (stage, fns) in &stages {
                    let sum: u64 = fns.iter().filter_map(|f| costs.iter().find(|(n, _)| n == f).map(|(_, c)| *c)).sum();
                    if sum > 0 {
                        let _ = write!(line, "  {stage} {:.1}", sum as f64 / 1e6);
                    } else {
                        let _ = write!(line, "  {stage} —");
                    }
                }
                println!("{line}");
            }
        }
        println!("  profiles: callgrind_annotate --inclusive=yes {}/regen-*.out", dir.display());
        let request = self.bench_exe("request")?;
        self.requests_ir(&request, &["reqwest", "reqwest-p2e", "ghl-client"], "request")
    }

    /// Instructions per request, one at a time and 64-way: two runs of N1 and
    /// N2 requests; the difference divided by N2 - N1 cancels start-up and warm-up.
    fn requests_ir(&self, exe: &Path, who: &[&str], tag: &str) -> Result<(), String> {
        let dir = self.scratch.join("callgrind");
        println!(
            "  client instructions per request (GET /contacts/{{id}}, decoded; the server is a child process valgrind does not follow):"
        );
        for (mode, flag, other, (n1, n2)) in [
            ("sequential", "--single", "--concurrent", (500usize, 2500usize)),
            ("64-way", "--concurrent", "--single", (1280, 6400)),
        ] {
            let mut base = None;
            for w in who {
                let mut ir = Vec::new();
                for n in [n1, n2] {
                    let out = dir.join(format!("{tag}-{w}-{mode}-{n}.out"));
                    let args: Vec<String> =
                        ["--only", w, flag, &n.to_string(), other, "0", "--rounds", "1", "--warmup", "100", "--quiet"]
                            .iter()
                            .map(|s| s.to_string())
                            .collect();
                    ir.push(callgrind(exe, &args, &out, &self.root)?);
                }
                let per = (ir[1] as f64 - ir[0] as f64) / (n2 - n1) as f64;
                let b = *base.get_or_insert(per);
                println!("    {mode:<10} {w:<12} {:>9.0} Ir/request  ({:.3}x of {})", per, per / b, who[0]);
            }
        }
        println!("  profiles: callgrind_annotate --inclusive=yes {}/{tag}-*-6400.out (and -2500)", dir.display());
        Ok(())
    }

    // ------------------------------------------------------------ cargo bench

    fn cargo_bench(&self, bench: &str, extra: &[&str]) -> Result<(), String> {
        self.cargo_bench_with(bench, &[], extra)
    }

    fn cargo_bench_with(&self, bench: &str, features: &[&str], extra: &[&str]) -> Result<(), String> {
        let mut cmd = Command::new(cargo());
        cmd.current_dir(&self.root).args(["bench", "-q", "-p", "ghl-benches"]);
        let features = features.join(",");
        if !features.is_empty() {
            cmd.args(["--features", &features]);
        }
        cmd.args(["--bench", bench, "--"]);
        if self.quick {
            cmd.arg("--quick");
        }
        cmd.args(extra).env("CRITERION_HOME", self.scratch.join("criterion"));
        let shown = if features.is_empty() { String::new() } else { format!(" --features {features}") };
        println!("$ cargo bench -p ghl-benches{shown} --bench {bench} --{}", if self.quick { " --quick" } else { "" });
        let status = cmd.status().map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("cargo bench --bench {bench} failed: {status}"));
        }
        Ok(())
    }

    /// Builds the `ghl-benches` bench target `name` and returns its executable.
    fn bench_exe(&self, name: &str) -> Result<PathBuf, String> {
        let out = Command::new(cargo())
            .current_dir(&self.root)
            .args(["bench", "-q", "-p", "ghl-benches", "--bench", name, "--no-run", "--message-format=json"])
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&out.stdout);
        text.lines()
            .filter(|l| l.contains("\"reason\":\"compiler-artifact\"") && l.contains(&format!("\"name\":\"{name}\"")))
            .find_map(|l| json_string(l, "executable"))
            .map(PathBuf::from)
            .ok_or_else(|| format!("no executable for bench `{name}`"))
    }

    fn criterion(&self) -> Result<(), String> {
        self.cargo_bench("regen", &[])?;
        self.cargo_bench("decode", &[])?;
        println!("criterion estimates (median of the per-iteration times, with its median absolute deviation):");
        let home = self.scratch.join("criterion");
        for (group, names) in [
            ("regen", &["spec", "highlevel-32", "highlevel-41"][..]),
            ("decode_1000_contacts", &["serde_json_Value", "ContactList", "ContactList_path_to_error"][..]),
        ] {
            let mut base = None;
            for n in names {
                let path = home.join(group).join(n).join("new/estimates.json");
                let Ok(text) = std::fs::read_to_string(&path) else { continue };
                let (Some(median), Some(mad)) = (estimate(&text, "median"), estimate(&text, "median_abs_dev")) else {
                    continue;
                };
                let b = *base.get_or_insert(median);
                println!(
                    "  {group}/{n:<28} median {:>10.3} ms  MAD {:>8.3} ms  ({:.2}x of {})",
                    median / 1e6,
                    mad / 1e6,
                    median / b,
                    names[0]
                );
            }
        }
        Ok(())
    }

    fn request(&self) -> Result<(), String> {
        self.cargo_bench("request", &[])
    }

    fn paginate(&self) -> Result<(), String> {
        self.cargo_bench("paginate", &[])
    }

    /// The rate limit on the wire at the default 10 s window (issue 18).
    fn limiter(&self) -> Result<(), String> {
        self.cargo_bench("limiter", &[])
    }

    fn redis(&self) -> Result<(), String> {
        if Command::new("redis-server").arg("--version").stdout(Stdio::null()).status().is_err() {
            return Err("redis-server is missing (apt-get update && apt-get install -y redis-server)".into());
        }
        self.cargo_bench_with("redis", &["redis"], &[])
    }

    // ------------------------------------------------------------ compile cost

    fn compile(&self) -> Result<(), String> {
        if !Path::new("/usr/bin/time").exists() {
            return Err("/usr/bin/time is missing (apt-get install time)".into());
        }
        self.lines_per_module();
        let reps = if self.quick { 1 } else { 3 };
        let mut configs = vec![
            Program::baseline(),
            Program::ghl_client("ghl-client-one", &["contacts"], &self.root),
            Program::ghl_client("ghl-client-five", &FIVE, &self.root),
            Program::ghl_client("ghl-client-full", &["full"], &self.root),
        ];
        if self.sdk {
            configs.push(Program::ghl_sdk("ghl-sdk-one", &["contacts"]));
            configs.push(Program::ghl_sdk("ghl-sdk-five", &FIVE));
            configs.push(Program::ghl_sdk("ghl-sdk-full", &["full"]));
        }
        println!(
            "clean `cargo build` (dev profile, CARGO_INCREMENTAL=0, 2 jobs) of a tiny program, each configuration in its own\n\
             CARGO_TARGET_DIR under {}/target; 'total' includes every dependency (n=1); 'alone' rebuilds only the client\n\
             crate(s) and the program after `cargo clean -p` (n={reps}); peak RSS is the largest single process (rustc)",
            self.scratch.display()
        );
        let mut rows = Vec::new();
        for p in &configs {
            match self.measure(p, reps) {
                Ok(r) => {
                    println!("  {}", r.show());
                    rows.push(r);
                }
                Err(e) => println!("  {}: FAILED: {e}", p.name),
            }
        }
        for family in ["ghl-client", "ghl-sdk"] {
            let get = |n: &str| rows.iter().find(|r| r.name == format!("{family}-{n}"));
            if let (Some(one), Some(full)) = (get("one"), get("full")) {
                let alone = one.alone.as_ref().zip(full.alone.as_ref()).map(|(a, b)| a.median / b.median);
                let cpu = one.alone_cpu.as_ref().zip(full.alone_cpu.as_ref()).map(|(a, b)| a.median / b.median);
                println!(
                    "  {family}: one module / full = {:.2} of the clean total (wall), {:.2} (CPU); crate alone {} (wall), {} (CPU); \
                     target < 0.25 (crate alone, wall): {}",
                    one.total.wall / full.total.wall,
                    one.total.cpu / full.total.cpu,
                    alone.map_or("—".to_owned(), |a| format!("{a:.2}")),
                    cpu.map_or("—".to_owned(), |a| format!("{a:.2}")),
                    alone.map_or("—", |a| met(a < 0.25)),
                );
            }
        }
        Ok(())
    }

    fn lines_per_module(&self) {
        let dir = self.root.join("ghl-client/src/generated");
        let mut rows: Vec<(String, usize)> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let module = name.strip_suffix(".rs")?.to_owned();
                Some((module, std::fs::read_to_string(e.path()).ok()?.lines().count()))
            })
            .collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let total: usize = rows.iter().map(|r| r.1).sum();
        let five: usize = rows.iter().filter(|r| FIVE.contains(&r.0.as_str())).map(|r| r.1).sum();
        println!(
            "lines of generated code (ghl-client/src/generated/*.rs): {total} in {} files; the five: {five}",
            rows.len()
        );
        let mut line = String::from(" ");
        for (i, (m, n)) in rows.iter().enumerate() {
            let _ = write!(line, " {m} {n}{}", if i + 1 < rows.len() { "," } else { "" });
            if line.len() > 110 {
                println!("{line}");
                line = String::from(" ");
            }
        }
        if !line.trim().is_empty() {
            println!("{line}");
        }
    }

    fn measure(&self, p: &Program, reps: usize) -> Result<Row, String> {
        let dir = self.scratch.join("compile").join(&p.name);
        let target = self.scratch.join("target").join(&p.name);
        std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("Cargo.toml"), &p.manifest).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("src/main.rs"), &p.main).map_err(|e| e.to_string())?;
        // Same dependency versions as the workspace where they overlap.
        if !dir.join("Cargo.lock").exists() {
            let _ = std::fs::copy(self.root.join("Cargo.lock"), dir.join("Cargo.lock"));
        }
        let log = self.scratch.join("logs").join(format!("compile-{}.log", p.name));
        let run = |args: &[&str], timed: bool| -> Result<Timed, String> {
            let mut cmd = Command::new(if timed { "/usr/bin/time" } else { "cargo" });
            if timed {
                cmd.args(["-v", "cargo"]);
            }
            cmd.args(args)
                .current_dir(&dir)
                .env("CARGO_TARGET_DIR", &target)
                .env("CARGO_INCREMENTAL", "0")
                .env_remove("RUSTFLAGS")
                .env_remove("CARGO_BUILD_JOBS");
            let out = cmd.output().map_err(|e| e.to_string())?;
            let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            append(&log, &format!("$ cargo {}\n{text}\n", args.join(" ")));
            if !out.status.success() {
                let tail: Vec<&str> = text.lines().rev().take(15).collect();
                return Err(format!(
                    "`cargo {}` failed ({}); log {}:\n{}",
                    args.join(" "),
                    out.status,
                    log.display(),
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                ));
            }
            Ok(if timed { Timed::parse(&text) } else { Timed::default() })
        };
        run(&["fetch", "--quiet"], false)?;
        let _ = std::fs::remove_dir_all(&target);
        let load_before = load();
        let total = run(&["build", "--quiet"], true)?;
        let mut alone = Vec::new();
        let mut alone_cpu = Vec::new();
        let mut alone_rss = 0u64;
        if !p.crates.is_empty() {
            for _ in 0..reps {
                let mut args = vec!["clean", "--quiet"];
                for c in &p.crates {
                    args.extend(["-p", c]);
                }
                run(&args, false)?;
                let t = run(&["build", "--quiet"], true)?;
                alone.push(t.wall);
                alone_cpu.push(t.cpu);
                alone_rss = alone_rss.max(t.max_rss_kb);
            }
        }
        Ok(Row {
            name: p.name.clone(),
            crates: p.crates.join(" + "),
            total,
            alone: (!alone.is_empty()).then(|| Summary::of(&alone)),
            alone_cpu: (!alone_cpu.is_empty()).then(|| Summary::of(&alone_cpu)),
            alone_rss_kb: alone_rss,
            load: load_before,
        })
    }

    // ------------------------------------------------------------ ghl-sdk requests

    fn sdk_request(&self) -> Result<(), String> {
        let dir = self.scratch.join("sdk-request");
        let target = self.scratch.join("target/sdk-request");
        std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
        let manifest = format!(
            r#"[package]
name = "sdk-request"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
ghl-benches = {{ path = "{root}/benches" }}
ghl-client = {{ path = "{root}/ghl-client", features = ["contacts"] }}
ghl-sdk = {{ version = "0.5", features = ["contacts"] }}
reqwest = {{ version = "0.12", default-features = false, features = ["json", "rustls-tls", "http2", "charset"] }}
tokio = {{ version = "1", features = ["rt", "macros"] }}

[workspace]
"#,
            root = self.root.display()
        );
        std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("src/main.rs"), SDK_REQUEST_MAIN).map_err(|e| e.to_string())?;
        // Always the workspace's lock (cargo adds ghl-sdk's own crates to it): a
        // lock left from an earlier run would pin other reqwest, hyper and tokio
        // versions than the `request` section uses, and the two would disagree.
        std::fs::copy(self.root.join("Cargo.lock"), dir.join("Cargo.lock")).map_err(|e| e.to_string())?;
        println!("$ (cd {} && cargo build --release)  # ghl-sdk 0.5 from crates.io, in scratch only", dir.display());
        let status = Command::new(cargo())
            .current_dir(&dir)
            .args(["build", "--release", "--quiet"])
            .env("CARGO_TARGET_DIR", &target)
            .status()
            .map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("building {} failed", dir.display()));
        }
        let exe = target.join("release/sdk-request");
        let mut cmd = Command::new(&exe);
        if self.quick {
            cmd.arg("--quick");
        }
        println!("$ {}{}", exe.display(), if self.quick { " --quick" } else { "" });
        let status = cmd.status().map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("{} failed: {status}", exe.display()));
        }
        if which("valgrind").is_some() {
            std::fs::create_dir_all(self.scratch.join("callgrind")).map_err(|e| e.to_string())?;
            self.requests_ir(&exe, &["reqwest", "ghl-client", "ghl-sdk"], "sdk")?;
        }
        Ok(())
    }
}

const FIVE: [&str; 5] = ["contacts", "conversations", "calendars", "opportunities", "locations"];

/// The comparison program: reqwest, ghl-client and ghl-sdk (`contacts().get`)
/// send the same `GET /contacts/{id}` to the same loopback server, in one process.
const SDK_REQUEST_MAIN: &str = r#"//! Written by `cargo xtask bench` (section `sdk`); scratch only.
use ghl_benches::fixtures::{CONTACT_ID, LOCATION, TOKEN};
use ghl_benches::request::{Contender, Settings};
use ghl_benches::{machine, request, server};

fn main() {
    server::maybe_serve();
    let settings = Settings::from_args();
    let server = server::Server::start().expect("server");
    let base = server.base_url.clone();
    let http = reqwest::Client::builder().user_agent("bench").build().unwrap();
    let url = format!("{base}/contacts/{CONTACT_ID}");
    let bare = Contender::new("reqwest", move || {
        let req = http
            .get(&url)
            .header(reqwest::header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .header("Version", "2021-07-28")
            .header(reqwest::header::ACCEPT, "application/json");
        async move {
            let resp = req.send().await.map_err(|e| e.to_string())?.error_for_status().map_err(|e| e.to_string())?;
            let body: ghl_client::contacts::ContactResponse = resp.json().await.map_err(|e| e.to_string())?;
            std::hint::black_box(body);
            Ok(())
        }
    });
    let client = ghl_client::Client::builder()
        .base_url(base.as_str())
        .private_integration_token(TOKEN)
        .location_id(LOCATION)
        .no_rate_limit()
        .build()
        .unwrap();
    let ours = Contender::new("ghl-client", move || {
        let op = client.contacts().get_contact(CONTACT_ID);
        async move {
            std::hint::black_box(op.send().await.map_err(|e| e.to_string())?);
            Ok(())
        }
    });
    let ghl = ghl_sdk::Ghl::builder().base_url(base.as_str()).private_integration_token(TOKEN).build().unwrap();
    // ghl-sdk's generated `get_contact` types custom-field values as strings, so a
    // contact with a numeric custom field does not decode; its hand-written
    // `get` (same request, lenient `Contact`) is what can be compared.
    let probe = ghl.clone();
    let sdk = Contender::new("ghl-sdk", move || {
        let ghl = ghl.clone();
        async move {
            std::hint::black_box(ghl.contacts().get(CONTACT_ID).await.map_err(|e| e.to_string())?);
            Ok(())
        }
    });
    if !settings.quiet {
        eprintln!("{}", machine::describe());
        eprintln!("server: {base}; {settings:?}");
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    if !settings.quiet {
        match runtime.block_on(probe.contacts().get_contact(CONTACT_ID)) {
            Ok(_) => eprintln!("ghl-sdk get_contact (generated model) decodes the contact"),
            Err(e) => eprintln!("ghl-sdk get_contact (generated model) fails on the same contact: {e}"),
        }
    }
    let report = runtime.block_on(request::run(&[bare, ours, sdk], &settings)).expect("benchmark");
    if !settings.quiet {
        println!("{}", report.table());
        eprintln!("after: {}", machine::load());
    }
}
"#;

struct Program {
    name: String,
    manifest: String,
    main: String,
    /// The crates rebuilt for the 'alone' figure.
    crates: Vec<&'static str>,
}

impl Program {
    fn manifest(name: &str, deps: &str) -> String {
        format!(
            "[package]\nname = \"bench-{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\n{deps}tokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\n\n[workspace]\n"
        )
    }

    /// The dependency floor: bare reqwest with ghl-client's features, serde_json, tokio.
    fn baseline() -> Program {
        let deps = "reqwest = { version = \"0.12\", default-features = false, features = [\"json\", \"multipart\", \"stream\", \"rustls-tls\", \"http2\", \"charset\"] }\nserde_json = \"1\"\n";
        let main = r#"#[tokio::main]
async fn main() -> Result<(), reqwest::Error> {
    let http = reqwest::Client::new();
    if std::env::args().count() > 1 {
        let v: serde_json::Value = http.get("http://127.0.0.1:9/contacts/id").send().await?.json().await?;
        println!("{v}");
    }
    Ok(())
}
"#;
        Program {
            name: "baseline-reqwest".into(),
            manifest: Program::manifest("baseline-reqwest", deps),
            main: main.into(),
            crates: vec![],
        }
    }

    fn ghl_client(name: &str, features: &[&str], root: &Path) -> Program {
        let feats: Vec<String> = features.iter().map(|f| format!("\"{f}\"")).collect();
        let deps = format!(
            "ghl-client = {{ path = \"{}\", features = [{}] }}\n",
            root.join("ghl-client").display(),
            feats.join(", ")
        );
        let five = features.len() > 1;
        let main = format!(
            r#"#[tokio::main]
async fn main() -> Result<(), ghl_client::Error> {{
    let client = ghl_client::Client::builder()
        .base_url("http://127.0.0.1:9")
        .private_integration_token("pit")
        .location_id("loc")
        .build()?;
    if std::env::args().count() > 1 {{
        println!("{{:?}}", client.contacts().get_contact("id").send().await?);
{}    }}
    Ok(())
}}
"#,
            if five {
                "        println!(\"{:?}\", client.conversations().get_conversation(\"id\").send().await?);\n\
                 \x20       println!(\"{:?}\", client.calendars().get_calendar(\"id\").send().await?);\n\
                 \x20       println!(\"{:?}\", client.opportunities().get_opportunity(\"id\").send().await?);\n\
                 \x20       println!(\"{:?}\", client.locations().get_location().send().await?);\n"
            } else {
                ""
            }
        );
        Program { name: name.into(), manifest: Program::manifest(name, &deps), main, crates: vec!["ghl-client"] }
    }

    fn ghl_sdk(name: &str, features: &[&str]) -> Program {
        let feats: Vec<String> = features.iter().map(|f| format!("\"{f}\"")).collect();
        let deps = format!("ghl-sdk = {{ version = \"0.5\", features = [{}] }}\n", feats.join(", "));
        let five = features.len() > 1;
        let main = format!(
            r#"#[tokio::main]
async fn main() -> Result<(), ghl_sdk::Error> {{
    let ghl = ghl_sdk::Ghl::builder().base_url("http://127.0.0.1:9").private_integration_token("pit").build()?;
    if std::env::args().count() > 1 {{
        println!("{{:?}}", ghl.contacts().get_contact("id").await?);
{}    }}
    Ok(())
}}
"#,
            if five {
                "        println!(\"{:?}\", ghl.conversations().get_conversation(\"id\").await?);\n\
                 \x20       println!(\"{:?}\", ghl.calendars().get_calendar(\"id\").await?);\n\
                 \x20       println!(\"{:?}\", ghl.opportunities().get_opportunity(\"id\").await?);\n\
                 \x20       println!(\"{:?}\", ghl.locations().get_sub_account_formerly_location(\"id\").await?);\n"
            } else {
                ""
            }
        );
        Program {
            name: name.into(),
            manifest: Program::manifest(name, &deps),
            main,
            crates: vec!["ghl-sdk", "ghl-models"],
        }
    }
}

#[derive(Clone, Debug, Default)]
struct Timed {
    wall: f64,
    cpu: f64,
    max_rss_kb: u64,
}

impl Timed {
    /// Reads GNU time's `-v` report.
    fn parse(text: &str) -> Timed {
        let mut t = Timed::default();
        for line in text.lines().map(str::trim) {
            if let Some(v) = line.strip_prefix("Elapsed (wall clock) time (h:mm:ss or m:ss): ") {
                t.wall = v.split(':').fold(0.0, |acc, part| acc * 60.0 + part.parse::<f64>().unwrap_or(0.0));
            } else if let Some(v) = line.strip_prefix("User time (seconds): ") {
                t.cpu += v.parse::<f64>().unwrap_or(0.0);
            } else if let Some(v) = line.strip_prefix("System time (seconds): ") {
                t.cpu += v.parse::<f64>().unwrap_or(0.0);
            } else if let Some(v) = line.strip_prefix("Maximum resident set size (kbytes): ") {
                t.max_rss_kb = v.parse().unwrap_or(0);
            }
        }
        t
    }
}

struct Row {
    name: String,
    crates: String,
    total: Timed,
    alone: Option<Summary>,
    alone_cpu: Option<Summary>,
    alone_rss_kb: u64,
    load: String,
}

impl Row {
    fn show(&self) -> String {
        let mut s = format!(
            "{:<17} total {:>6.1} s wall, {:>6.1} s CPU, peak RSS {:>5.0} MiB",
            self.name,
            self.total.wall,
            self.total.cpu,
            self.total.max_rss_kb as f64 / 1024.0
        );
        if let Some(a) = &self.alone {
            let _ = write!(
                s,
                " | {} alone {:.1} s wall ({:.1}–{:.1}, n={}), {:.1} s CPU, peak RSS {:.0} MiB",
                self.crates,
                a.median,
                a.min,
                a.max,
                a.n,
                self.alone_cpu.map_or(0.0, |c| c.median),
                self.alone_rss_kb as f64 / 1024.0
            );
        }
        let _ = write!(s, "  [before: {}]", self.load);
        s
    }
}

// ---------------------------------------------------------------- helpers

#[derive(Clone, Copy, Debug)]
struct Summary {
    n: usize,
    median: f64,
    min: f64,
    max: f64,
}

impl Summary {
    fn of(xs: &[f64]) -> Summary {
        let mut v = xs.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 };
        Summary { n, median, min: v[0], max: v[n - 1] }
    }
}

fn met(ok: bool) -> &'static str {
    if ok { "MET" } else { "NOT MET" }
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|d| Path::new(d).join(program)).find(|p| p.is_file())
}

fn append(path: &Path, text: &str) {
    use std::io::Write;
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
        let _ = f.write_all(text.as_bytes());
    }
}

/// Runs `exe args` under callgrind and returns the total instruction count.
fn callgrind(exe: &Path, args: &[String], out: &Path, cwd: &Path) -> Result<u64, String> {
    let o = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(exe)
        .args(args)
        .current_dir(cwd)
        .output()
        .map_err(|e| e.to_string())?;
    let err = String::from_utf8_lossy(&o.stderr);
    if !o.status.success() {
        return Err(format!("valgrind {} {} failed: {err}", exe.display(), args.join(" ")));
    }
    err.lines()
        .find_map(|l| l.split_once("Collected :").map(|(_, n)| n.trim().parse::<u64>().ok()))
        .flatten()
        .ok_or_else(|| format!("no instruction count from valgrind: {err}"))
}

/// Inclusive instruction counts per function from `callgrind_annotate`.
fn inclusive(out: &Path) -> Vec<(String, u64)> {
    let Ok(o) = Command::new("callgrind_annotate").arg("--inclusive=yes").arg("--threshold=100").arg(out).output()
    else {
        return Vec::new();
    };
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let (count, rest) = l.split_once(' ')?;
            let count: u64 = count.replace(',', "").parse().ok()?;
            let name = rest.split_once(':')?.1; // after `???:` or `file:`
            let name = name.split(" [").next()?.trim();
            Some((name.to_owned(), count))
        })
        .collect()
}

/// `"key":"value"` in one line of JSON (cargo's messages escape nothing in paths here).
fn json_string(line: &str, key: &str) -> Option<String> {
    let start = line.find(&format!("\"{key}\":\""))? + key.len() + 4;
    let end = line[start..].find('"')? + start;
    Some(line[start..end].to_owned())
}

/// `point_estimate` of `"kind"` in criterion's estimates.json (nanoseconds).
fn estimate(json: &str, kind: &str) -> Option<f64> {
    let at = json.find(&format!("\"{kind}\":"))?;
    let rest = &json[at..];
    let p = rest.find("\"point_estimate\":")? + "\"point_estimate\":".len();
    let num: String =
        rest[p..].chars().take_while(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+')).collect();
    num.parse().ok()
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, m)| m.trim().to_owned()))
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem_kb: u64 = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|r| r.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    format!("machine: {cores} cores, {model}, {:.1} GiB RAM", mem_kb as f64 / 1048576.0)
}

fn toolchain() -> String {
    Command::new("rustc")
        .arg("-V")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|_| "rustc: unknown".into())
}

/// Load average and the compilers running beside the benchmark.
fn load() -> String {
    let avg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let avg: Vec<&str> = avg.split_whitespace().take(3).collect();
    let (mut rustc, mut cargo) = (0, 0);
    let me = std::process::id();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|p| p.parse::<u32>().ok()) else { continue };
        if pid == me {
            continue;
        }
        match std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default().trim() {
            "rustc" => rustc += 1,
            "cargo" => cargo += 1,
            _ => {}
        }
    }
    format!("load {} ; running: {rustc} rustc, {cargo} cargo", avg.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gnu_time_report_is_read() {
        let t = Timed::parse(
            "\tUser time (seconds): 10.50\n\tSystem time (seconds): 1.25\n\
             \tElapsed (wall clock) time (h:mm:ss or m:ss): 1:02.50\n\tMaximum resident set size (kbytes): 2048\n",
        );
        assert_eq!((t.wall, t.cpu, t.max_rss_kb), (62.5, 11.75, 2048));
        assert_eq!(Timed::parse("Elapsed (wall clock) time (h:mm:ss or m:ss): 1:00:01").wall, 3601.0);
    }

    #[test]
    fn criterion_estimates_and_cargo_messages_are_read() {
        let j = r#"{"mean":{"confidence_interval":{"lower_bound":1.0},"point_estimate":5.5,"standard_error":0.1},"median":{"confidence_interval":{},"point_estimate":4.25e2,"standard_error":1},"median_abs_dev":{"point_estimate":3.0}}"#;
        assert_eq!(estimate(j, "median"), Some(425.0));
        assert_eq!(estimate(j, "median_abs_dev"), Some(3.0));
        assert_eq!(estimate(j, "slope"), None);
        let m = r#"{"reason":"compiler-artifact","executable":"/t/release/deps/regen-1","fresh":true}"#;
        assert_eq!(json_string(m, "executable").as_deref(), Some("/t/release/deps/regen-1"));
        assert_eq!(Summary::of(&[3.0, 1.0, 2.0, 10.0]).median, 2.5);
    }
}
