//! HighLevel's own contract: every operation, called through the generated
//! client against Prism serving HighLevel's published documents (v2 and v3,
//! one Prism process each).
//!
//! Prism (`@stoplight/prism-cli`, installed by `.ci/run`) validates each
//! request against HighLevel's documents and answers a bad one with 422 and
//! the list of violations. Each operation is sent twice: with required
//! arguments only (`contract_samples`) and with every optional parameter and
//! body field set (`contract_samples_full`). Every violation fails the test
//! unless `tests/prism-allowed.yaml` lists it with the doc error behind it,
//! and an entry there that no longer matches anything fails it too.
//!
//! HighLevel's documents are read from `../shared/reference/ghl-openapi`
//! beside the workspace (or `GHL_REFERENCE_DIR`), merged and repaired in a
//! temporary directory by `tests/prism/prepare.mjs`; the originals are only read.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use futures::StreamExt;
use ghl_client::{Client, Error, RetryPolicy};
use serde::Deserialize;
use tests::mock::MockSpec;

const INSTALL_HINT: &str = "install Prism with `npm install --no-save --prefix .ci @stoplight/prism-cli@5.14.2` \
     (Node 18.20 or later; `.ci/run` does this), or point PRISM at a prism executable";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_owned()
}

fn reference_dir() -> PathBuf {
    match std::env::var_os("GHL_REFERENCE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => workspace().join("../shared/reference/ghl-openapi"),
    }
}

fn prism_command() -> PathBuf {
    if let Some(p) = std::env::var_os("PRISM") {
        return PathBuf::from(p);
    }
    let local = workspace().join(".ci/node_modules/.bin/prism");
    if local.exists() { local } else { PathBuf::from("prism") }
}

/// A Prism process, killed when dropped.
struct Prism {
    child: Child,
    base_url: String,
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_prism(document: &Path) -> Prism {
    // A free port: bound, read and released (Prism binds it right after).
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let mut child = Command::new(prism_command())
        .args(["mock", "--errors", "-h", "127.0.0.1", "-p", &port.to_string()])
        .arg(document)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run prism ({}): {e}\n{INSTALL_HINT}", prism_command().display()));
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut seen = Vec::new();
    loop {
        match lines.next() {
            Some(Ok(line)) if line.contains("Prism is listening") => break,
            Some(Ok(line)) => {
                seen.push(line);
                if seen.len() > 40 {
                    seen.remove(0);
                }
            }
            _ => {
                let status = child.wait();
                panic!("prism stopped before listening ({status:?}); its last output:\n{}", seen.join("\n"));
            }
        }
    }
    // Keep draining its log so that it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Prism { child, base_url: format!("http://127.0.0.1:{port}") }
}

/// One version's documents (`apps` or `apps/v3`), merged and repaired into
/// `out/merged.json`.
fn prepare(apps: &Path, out: &Path) -> PathBuf {
    assert!(
        std::fs::read_dir(apps)
            .is_ok_and(|mut d| d.any(|e| e.is_ok_and(|e| e.path().extension().is_some_and(|x| x == "json")))),
        "HighLevel's documents are not at {} (set GHL_REFERENCE_DIR to the ghl-openapi directory)",
        apps.display()
    );
    let script = workspace().join("tests/prism/prepare.mjs");
    let output = Command::new("node")
        .arg(&script)
        .arg(apps)
        .arg(out)
        .output()
        .unwrap_or_else(|e| panic!("cannot run node: {e}\n{INSTALL_HINT}"));
    assert!(output.status.success(), "{} failed:\n{}", script.display(), String::from_utf8_lossy(&output.stderr));
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        println!("{line}");
    }
    out.join("merged.json")
}

/// One entry of `tests/prism-allowed.yaml`: a violation Prism reports that is
/// an error of HighLevel's documents, not of the client.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Allowed {
    /// operationIds as in our spec (of the entry's API version).
    operations: Vec<String>,
    /// Where Prism places the violation, exactly (`body.type`, `query`).
    location: String,
    /// Text Prism's message contains.
    message: String,
    /// The doc error behind it (our spec's `x-ghl-note` says the same).
    reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowList {
    v2: Vec<Allowed>,
    v3: Vec<Allowed>,
}

impl Allowed {
    fn matches(&self, operation: &str, v: &Violation) -> bool {
        v.location == self.location
            && v.message.contains(&self.message)
            && self.operations.iter().any(|o| o == operation)
    }
}

#[derive(Debug, Deserialize)]
struct Problem {
    #[serde(default)]
    title: String,
    #[serde(default)]
    validation: Vec<Validation>,
}

#[derive(Debug, Deserialize)]
struct Validation {
    #[serde(default)]
    location: Vec<String>,
    #[serde(default)]
    message: String,
}

/// One thing Prism refused: where, and why.
#[derive(Debug)]
struct Violation {
    location: String,
    message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// What Prism said about one call: `Ok` (2xx), or the violations it listed.
fn outcome(result: Result<(), Error>) -> Result<(), Vec<Violation>> {
    let err = match result {
        Ok(()) => return Ok(()),
        Err(e) => e,
    };
    let whole = |message: String| vec![Violation { location: String::new(), message }];
    match &err {
        // A 2xx whose example body does not decode: Prism took the request.
        Error::Decode { .. } => Ok(()),
        Error::Api { status, raw, .. } => match serde_json::from_slice::<Problem>(raw) {
            Ok(p) if !p.validation.is_empty() => Err(p
                .validation
                .into_iter()
                .map(|v| Violation { location: v.location.join("."), message: v.message })
                .collect()),
            Ok(p) if !p.title.is_empty() => Err(whole(format!("{status}: {}", p.title))),
            _ => Err(whole(format!("{err}"))),
        },
        _ => Err(whole(format!("{err}"))),
    }
}

/// Calls in flight at once: Prism answers from one Node thread, so a few
/// keep it busy while the client encodes the next ones.
const IN_FLIGHT: usize = 8;

/// Sends every sample call of one API version (`v3` true: the `v3::`
/// modules) to Prism serving that version's documents.
async fn check_version(v3: bool) {
    let version = if v3 { "v3" } else { "v2" };
    let spec = MockSpec::load(workspace().join("spec")).unwrap_or_else(|e| panic!("spec:\n{e}"));
    let of_version = |module: &str| module.starts_with("v3::") == v3;
    // Not sent: operations HighLevel does not document, and multipart bodies
    // (Prism 5.14's multipart reader crashes the server on a file part
    // without its own Content-Type, which RFC 7578 allows).
    let unchecked: BTreeSet<(String, String)> = spec
        .operations()
        .iter()
        .filter(|o| of_version(&o.module))
        .filter(|o| o.op.undocumented || o.op.body.as_ref().is_some_and(|b| b.kind == codegen::ir::BodyKind::Multipart))
        .map(|o| (o.module.clone(), o.op.id.clone()))
        .collect();
    let list: AllowList = serde_yaml::from_str(
        &std::fs::read_to_string(workspace().join("tests/prism-allowed.yaml")).expect("tests/prism-allowed.yaml"),
    )
    .expect("tests/prism-allowed.yaml parses");
    let allowed = if v3 { list.v3 } else { list.v2 };
    for a in &allowed {
        assert!(!a.reason.trim().is_empty(), "{:?}: an allowed violation needs its reason", a.operations);
        assert!(!a.message.is_empty(), "{:?}: an allowed violation needs the text of its message", a.operations);
    }

    let apps = if v3 { reference_dir().join("apps/v3") } else { reference_dir().join("apps") };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let started = std::time::Instant::now();
    let document = prepare(&apps, dir.path());
    let prism = start_prism(&document);
    let ready = started.elapsed();
    let client = Client::builder()
        .base_url(&prism.base_url)
        .private_integration_token("prism-contract-token")
        .location_id("prism-location")
        .no_rate_limit()
        .retry(RetryPolicy::none())
        .build()
        .expect("client builds");

    let mut calls = Vec::new();
    for (kind, samples) in
        [("required", ghl_client::contract_samples(&client)), ("full", ghl_client::contract_samples_full(&client))]
    {
        for (module, id, call) in samples {
            if of_version(module) && !unchecked.contains(&(module.to_owned(), id.to_owned())) {
                calls.push(async move { (kind, module, id, outcome(call.await)) });
            }
        }
    }
    let results: Vec<_> = futures::stream::iter(calls).buffered(IN_FLIGHT).collect().await;
    println!(
        "{version}: Prism ready in {:.1}s, {} calls answered in {:.1}s",
        ready.as_secs_f64(),
        results.len(),
        (started.elapsed() - ready).as_secs_f64()
    );

    // (entry, operation) pairs that matched something: every one must.
    let mut used = BTreeSet::new();
    let mut failures = Vec::new();
    let mut tally: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut answer_problems = 0;
    for (kind, module, id, result) in results {
        let entry = tally.entry(kind).or_default();
        entry.1 += 1;
        let Err(violations) = result else {
            entry.0 += 1;
            continue;
        };
        // Prism also checks its own answers (HighLevel's examples against
        // HighLevel's schemas): not the client's doing.
        let (about_answer, violations): (Vec<_>, Vec<_>) =
            violations.into_iter().partition(|v| v.location.starts_with("response"));
        answer_problems += about_answer.len();
        let mut unexplained = Vec::new();
        for v in violations {
            match allowed.iter().position(|a| a.matches(id, &v)) {
                Some(i) => {
                    used.insert((i, id));
                }
                None => unexplained.push(v.to_string()),
            }
        }
        if unexplained.is_empty() {
            entry.0 += 1;
        } else {
            failures.push(format!("{id} ({module}, {kind}): {}", unexplained.join("; ")));
        }
    }
    failures.sort();
    for (kind, (passed, total)) in &tally {
        println!("{version} {kind}: {passed}/{total} operations accepted by Prism (allowed violations included)");
    }
    println!("{version}: not sent to Prism: {} operations (undocumented, or multipart)", unchecked.len());
    println!("{version}: violations in Prism's own answers (HighLevel's examples), not counted: {answer_problems}");
    let stale: Vec<String> = allowed
        .iter()
        .enumerate()
        .flat_map(|(i, a)| a.operations.iter().map(move |o| (i, a, o)))
        .filter(|(i, _, o)| !used.contains(&(*i, o.as_str())))
        .map(|(_, a, o)| format!("{o}: {} `{}`", a.location, a.message))
        .collect();
    assert!(tally.values().all(|(_, total)| *total > 0), "{version}: no operation was called");
    assert!(
        failures.is_empty() && stale.is_empty(),
        "{version}: {} call(s) broke HighLevel's documents:\n  {}\n{} allowed violation(s) in tests/prism-allowed.yaml \
         no longer happen (delete them):\n  {}",
        failures.len(),
        failures.join("\n  "),
        stale.len(),
        stale.join("\n  ")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn highlevel_v2_documents_accept_every_v2_operation() {
    check_version(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn highlevel_v3_documents_accept_every_v3_operation() {
    check_version(true).await;
}
