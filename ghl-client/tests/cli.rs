//! The `ghl` binary against the spec-driven mock server (`tests::mock`): one
//! test per kind of command. Each runs the built binary with a clean
//! environment pointing at a fresh mock, then checks what it printed, its
//! exit code, and what reached the mock (which also checks every request
//! against the spec).

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, OnceLock};

use serde_json::Value;
use tests::mock::{Fault, FaultScope, MockServer, MockSpec, RecordedRequest};

const TOKEN: &str = "pit-cli-test-token-0123456789";

fn spec() -> Arc<MockSpec> {
    static SPEC: OnceLock<Arc<MockSpec>> = OnceLock::new();
    SPEC.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").join("spec");
        Arc::new(MockSpec::load(dir).unwrap_or_else(|e| panic!("the spec does not lower:\n{e}")))
    })
    .clone()
}

/// `ghl` with only the variables a user would set for the mock.
fn ghl(server: Option<&MockServer>, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ghl"));
    cmd.env_clear().args(args).stdin(Stdio::null());
    if let Some(server) = server {
        cmd.env("GHL_BASE_URL", server.base_url()).env("GHL_API_KEY", TOKEN).env("GHL_LOCATION_ID", "loc-cli");
    }
    cmd
}

/// Runs it off the async runtime (the mock is served on it meanwhile).
async fn run(mut cmd: Command, stdin: Option<&'static str>) -> Output {
    tokio::task::spawn_blocking(move || {
        if stdin.is_some() {
            cmd.stdin(Stdio::piped());
        }
        let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("ghl starts");
        if let Some(text) = stdin {
            child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("stdin written");
        }
        child.wait_with_output().expect("ghl ends")
    })
    .await
    .expect("runner")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn ok(out: &Output, server: &MockServer) {
    assert!(out.status.success(), "exit {:?}\nstdout: {}\nstderr: {}", out.status.code(), stdout(out), stderr(out));
    assert!(server.violations().is_empty(), "contract violations: {:?}", server.violations());
}

fn only_request(server: &MockServer, operation: &str) -> RecordedRequest {
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].operation_id.as_deref(), Some(operation));
    requests[0].clone()
}

fn header(req: &RecordedRequest, name: &str) -> Option<String> {
    req.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

async fn mock() -> MockServer {
    MockServer::start(spec()).await.expect("mock starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ops_lists_every_operation_of_the_spec() {
    let out = run(ghl(None, &["ops"]), None).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    let spec = spec();
    assert_eq!(lines.len(), spec.operations().len(), "one line per operation of spec/ and spec/v3/");
    assert!(lines.iter().filter(|l| l[0] == "v2").count() >= 609);
    assert!(lines.iter().any(|l| l[0] == "v3"));
    // Each line's method and path is an operation the mock (the spec) knows.
    for l in &lines {
        assert_eq!(l.len(), 5, "{l:?}");
        let known = spec.operations().iter().any(|op| op.op.method.as_str() == l[3] && op.op.path == l[4]);
        assert!(known, "not in the spec: {l:?}");
    }
    let contacts = run(ghl(None, &["ops", "--module", "contacts"]), None).await;
    let contacts = stdout(&contacts);
    assert!(contacts.lines().all(|l| l.split('\t').nth(1) == Some("contacts")), "{contacts}");
    assert!(contacts.contains("get-contact\tGET\t/contacts/{contactId}"), "{contacts}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_parameter_is_positional_and_json_is_printed() {
    let server = mock().await;
    let out = run(ghl(Some(&server), &["contacts", "get-contact", "abc 1"]), None).await;
    ok(&out, &server);
    let body: Value = serde_json::from_str(&stdout(&out)).expect("stdout is JSON");
    assert!(body.get("contact").is_some(), "{body}");
    // Piped: compact, one line.
    assert_eq!(stdout(&out).trim_end().lines().count(), 1);
    let req = only_request(&server, "getContact");
    assert_eq!(req.path, "/contacts/abc%201");
    assert_eq!(header(&req, "version").as_deref(), Some("2021-07-28"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v3_operations_take_the_v3_flag() {
    let server = mock().await;
    let out = run(ghl(Some(&server), &["--v3", "contacts", "list-contact-notes", "abc"]), None).await;
    ok(&out, &server);
    let req = only_request(&server, "listContactNotes");
    assert_eq!(req.module.as_deref(), Some("v3::contacts"), "routed to the v3 operation");
    let version = |module: &str| {
        spec()
            .operations()
            .iter()
            .find(|o| o.op.id == "listContactNotes" && o.module == module)
            .map(|o| o.op.version.clone())
    };
    assert_eq!(
        header(&req, "version"),
        version("v3::contacts"),
        "v3's Version is sent (v2's is {:?})",
        version("contacts")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_parameters_and_location_default() {
    let server = mock().await;
    let out = run(ghl(Some(&server), &["contacts", "list-contacts", "--limit", "7", "--query", "ann"]), None).await;
    ok(&out, &server);
    let req = only_request(&server, "listContacts");
    let query: Vec<(String, String)> = serde_urlencoded::from_str(req.query.as_deref().unwrap_or("")).expect("query");
    assert!(query.contains(&("limit".into(), "7".into())), "{query:?}");
    assert!(query.contains(&("query".into(), "ann".into())), "{query:?}");
    assert!(query.contains(&("locationId".into(), "loc-cli".into())), "GHL_LOCATION_ID fills locationId: {query:?}");
    // A value clap can check is checked before anything is sent.
    let bad = run(ghl(Some(&server), &["contacts", "list-contacts", "--limit", "seven"]), None).await;
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_body_from_flag_file_stdin_and_fields() {
    let server = mock().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("contact.json");
    std::fs::write(&file, r#"{"firstName":"File","locationId":"loc-file"}"#).expect("write");
    let at_file = format!("@{}", file.display());
    let cases: [(Vec<&str>, Option<&'static str>, &str); 3] = [
        (vec!["--body", r#"{"firstName":"Flag","locationId":"loc-flag"}"#], None, "Flag"),
        (vec!["--body", &at_file], None, "File"),
        (
            vec!["--body", "-", "--field", "lastName=Doe", "--field", "dnd=true"],
            Some(r#"{"firstName":"Stdin"}"#),
            "Stdin",
        ),
    ];
    for (extra, stdin, name) in cases {
        server.reset();
        let mut args = vec!["contacts", "create-contact"];
        args.extend(extra);
        let out = run(ghl(Some(&server), &args), stdin).await;
        ok(&out, &server);
        let body = only_request(&server, "createContact").json();
        assert_eq!(body["firstName"], name, "{body}");
        assert!(body["locationId"].is_string(), "{body}");
        if name == "Stdin" {
            assert_eq!(body["lastName"], "Doe");
            assert_eq!(body["dnd"], true, "a boolean field is sent as a boolean: {body}");
            assert_eq!(body["locationId"], "loc-cli", "a required locationId field falls back to GHL_LOCATION_ID");
        }
    }
    let bad = run(ghl(Some(&server), &["contacts", "create-contact", "--body", "{not json"]), None).await;
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("not valid JSON"), "{}", stderr(&bad));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_body() {
    let server = mock().await;
    let args = ["oauth", "get-location-access-token", "--field", "companyId=co-1", "--field", "locationId=loc-9"];
    let out = run(ghl(Some(&server), &args), None).await;
    ok(&out, &server);
    let req = only_request(&server, "getLocationAccessToken");
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&req.body).expect("form body");
    assert_eq!(form, vec![("companyId".to_owned(), "co-1".to_owned()), ("locationId".to_owned(), "loc-9".to_owned())]);
    assert_eq!(header(&req, "content-type").as_deref(), Some("application/x-www-form-urlencoded"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_sends_the_file_as_a_part() {
    let server = mock().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("hello.txt");
    std::fs::write(&file, "hello from ghl").expect("write");
    let part = format!("file={}", file.display());
    let out =
        run(ghl(Some(&server), &["medias", "upload-media-file", "--file", &part, "--field", "name=greeting"]), None)
            .await;
    ok(&out, &server);
    let req = only_request(&server, "uploadMediaFile");
    let body = String::from_utf8_lossy(&req.body);
    assert!(body.contains("hello from ghl") && body.contains("filename=\"hello.txt\""), "{body}");
    assert!(body.contains("name=\"name\"") && body.contains("greeting"), "{body}");
    let missing = run(ghl(Some(&server), &["medias", "upload-media-file", "--file", "file=/no/such/file"]), None).await;
    assert_eq!(missing.status.code(), Some(2), "{}", stderr(&missing));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_follows_the_cursor_and_prints_json_lines() {
    let server = mock().await;
    let out = run(ghl(Some(&server), &["contacts", "list-contacts", "--all", "--limit", "1"]), None).await;
    ok(&out, &server);
    let requests = server.requests();
    assert!(requests.len() >= 2, "a second page was asked for: {requests:?}");
    let first: Vec<(String, String)> = serde_urlencoded::from_str(requests[0].query.as_deref().unwrap_or("")).unwrap();
    let second: Vec<(String, String)> = serde_urlencoded::from_str(requests[1].query.as_deref().unwrap_or("")).unwrap();
    assert!(!first.iter().any(|(k, _)| k == "startAfterId"), "{first:?}");
    assert!(second.iter().any(|(k, _)| k == "startAfterId"), "the cursor moved: {second:?}");
    let lines: Vec<Value> =
        stdout(&out).lines().map(|l| serde_json::from_str(l).expect("each line is one JSON item")).collect();
    assert!(!lines.is_empty() && lines.iter().all(Value::is_object), "{lines:?}");
    // stderr is not a terminal here: no progress line.
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_go_to_stderr_with_an_exit_code_per_class() {
    let server = mock().await;
    // HighLevel's answer to a bad body (the mock validates against the spec): exit 1, its message on stderr.
    let out = run(ghl(Some(&server), &["contacts", "create-contact", "--body", r#"{"firstName":7}"#]), None).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("422") && stderr(&out).contains("firstName"), "{}", stderr(&out));
    // The daily limit: exit 5.
    server.inject(
        FaultScope::Operation("getContact".into()),
        Fault::RateLimited { retry_after_secs: 1.0, daily_exhausted: true },
        1,
    );
    let out = run(ghl(Some(&server), &["contacts", "get-contact", "abc"]), None).await;
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    // No credentials: exit 3, and nothing is sent.
    server.reset();
    let mut cmd = ghl(None, &["contacts", "get-contact", "abc"]);
    cmd.env("GHL_BASE_URL", server.base_url());
    let out = run(cmd, None).await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("GHL_API_KEY"), "{}", stderr(&out));
    // Usage: unknown operation, missing positional.
    for args in [&["contacts", "no-such-op"][..], &["contacts", "get-contact"][..]] {
        let out = run(ghl(Some(&server), args), None).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
    assert!(server.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_shows_the_request_and_never_the_token() {
    let server = mock().await;
    let args = ["--dry-run", "contacts", "create-contact", "--field", "firstName=Ann", "--field", "tags=vip"];
    let out = run(ghl(Some(&server), &args), None).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with(&format!("POST {}/contacts/", server.base_url())), "{text}");
    assert!(text.contains("version: 2021-07-28"), "{text}");
    assert!(text.contains("authorization: Bearer <redacted"), "{text}");
    assert!(text.contains(r#""tags":["vip"]"#), "a list field takes one element per --field: {text}");
    assert!(!text.contains(TOKEN) && !stderr(&out).contains(TOKEN), "the token leaked: {text}");
    assert!(server.requests().is_empty(), "nothing is sent");
    let out = run(ghl(Some(&server), &["--dry-run", "contacts", "get-contact", "abc"]), None).await;
    assert!(stdout(&out).starts_with(&format!("GET {}/contacts/abc\n", server.base_url())), "{}", stdout(&out));
    assert!(!stdout(&out).contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_shows_method_path_version_scopes_and_parameters() {
    let out = run(ghl(None, &["contacts", "list-contacts", "--help"]), None).await;
    assert!(out.status.success());
    let text = stdout(&out);
    for needle in [
        "GET /contacts/",
        "Version: 2021-07-28",
        "Scopes: contacts.readonly",
        "--limit <INT>",
        "--all",
        "--location-id",
    ] {
        assert!(text.contains(needle), "missing `{needle}` in:\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_and_auth_status() {
    for shell in ["bash", "zsh", "fish"] {
        let out = run(ghl(None, &["completions", shell]), None).await;
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        assert!(stdout(&out).contains("get-contact"), "{shell} completes operations");
    }
    let server = mock().await;
    let out = run(ghl(Some(&server), &["auth", "status"]), None).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("GHL_API_KEY: set"), "{}", stdout(&out));
    assert!(!stdout(&out).contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_login_exchanges_the_code_into_the_token_file() {
    let server = mock().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("tokens.json");
    let mut cmd = ghl(None, &["auth", "login", "--code", "the-code", "--token-store", store.to_str().unwrap()]);
    cmd.env("GHL_BASE_URL", server.base_url())
        .env("GHL_CLIENT_ID", "cli-client")
        .env("GHL_CLIENT_SECRET", "cli-secret-value");
    let out = run(cmd, None).await;
    ok(&out, &server);
    assert_eq!(only_request(&server, "getAccessToken").method, "POST");
    assert!(store.is_file(), "tokens stored");
    let printed = stdout(&out);
    assert!(printed.contains("userType") && !printed.contains("cli-secret-value"), "{printed}");
    let stored: Value = serde_json::from_slice(&std::fs::read(&store).unwrap()).unwrap();
    let access = stored["tokens"]["access_token"].as_str().expect("stored access token").to_owned();
    assert!(!printed.contains(&access), "the access token is not printed");
}

/// The README's `ghl` versions of SKILL.md's curl examples all run against
/// the mock without a contract violation (so their paths and fields match the spec).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readme_examples_match_the_spec() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md")).expect("README");
    let block = readme
        .split("<!-- ghl examples: begin -->")
        .nth(1)
        .and_then(|rest| rest.split("<!-- ghl examples: end -->").next())
        .expect("the README has the examples block");
    let commands: Vec<&str> = block.lines().filter(|l| l.starts_with("ghl ")).collect();
    assert!(commands.len() >= 20, "{commands:?}");
    let server = mock().await;
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("file.png"), b"\x89PNG not really").expect("write");
    std::fs::write(
        dir.path().join("invoice.json"),
        r#"{"altId":"loc-cli","altType":"location","name":"Invoice #001",
            "contactDetails":{"id":"CONTACT_ID","name":"John Doe","email":"john@example.com","phoneNo":"+1234567890"},
            "businessDetails":{"name":"Acme"},"currency":"USD",
            "items":[{"name":"Consulting","qty":1,"amount":500,"currency":"USD","type":"one_time"}],
            "issueDate":"2025-01-15","dueDate":"2025-02-15","discount":{"value":0,"type":"percentage"},
            "sentTo":{"email":["john@example.com"]},"liveMode":false}"#,
    )
    .expect("write");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_ghl")).parent().expect("bin dir").to_owned();
    for line in commands {
        server.reset();
        let mut cmd = Command::new("sh");
        cmd.env_clear()
            .arg("-c")
            .arg(line)
            .current_dir(dir.path())
            .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
            .env("GHL_BASE_URL", server.base_url())
            .env("GHL_LOCATION_ID", "loc-cli");
        if line.starts_with("ghl auth") {
            cmd.env("GHL_CLIENT_ID", "cli-client")
                .env("GHL_CLIENT_SECRET", "cli-secret")
                .env("GHL_TOKEN_STORE", dir.path().join("tokens.json"));
        } else {
            cmd.env("GHL_API_KEY", TOKEN);
        }
        let out = run(cmd, None).await;
        assert!(out.status.success(), "`{line}` failed ({:?}): {}", out.status.code(), stderr(&out));
        assert!(server.violations().is_empty(), "`{line}`: {:?}", server.violations());
        assert!(server.requests().iter().all(|r| r.operation_id.is_some()), "`{line}`: {:?}", server.requests());
        assert!(!server.requests().is_empty(), "`{line}` sent nothing");
    }
}
