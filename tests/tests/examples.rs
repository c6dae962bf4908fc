//! SKILL.md's examples (`ghl-client/examples/`) run against the mock server.
//!
//! Each example is written as `pub async fn run(client) -> Result<(), Error>`
//! plus a two-line `main` that builds the client with `Client::from_env()`.
//! This test includes every example file as a module (`#[path]`) and calls its
//! `run` with a client pointed at a fresh mock server, so it needs no example
//! binaries: no separate `cargo build --examples` with its own feature set,
//! no processes, no environment variables to set (Rust 2024 makes `set_var`
//! unsafe in a multi-threaded test), and a compile error in an example fails
//! this test's build. The `main`s are compiled too; running them is the user's
//! part: `GHL_BASE_URL=<cargo xtask mock's URL> cargo run -p ghl-client --example …`.
//!
//! Each example must succeed, its requests must reach exactly the operations
//! listed (its real endpoints), and the mock must record no contract violation.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use ghl_client::{Client, ClientBuilder, Error, OAuthApp};
use tests::mock::{MockServer, MockSpec};

#[allow(dead_code)]
#[path = "../../ghl-client/examples/book_appointment.rs"]
mod book_appointment;
#[allow(dead_code)]
#[path = "../../ghl-client/examples/create_company.rs"]
mod create_company;
#[allow(dead_code)]
#[path = "../../ghl-client/examples/create_contact.rs"]
mod create_contact;
#[allow(dead_code)]
#[path = "../../ghl-client/examples/create_custom_field.rs"]
mod create_custom_field;
#[allow(dead_code)]
#[path = "../../ghl-client/examples/create_custom_value.rs"]
mod create_custom_value;
#[allow(dead_code)]
#[path = "../../ghl-client/examples/create_invoice.rs"]
mod create_invoice;
#[allow(dead_code)]
#[path = "../../ghl-client/examples/create_opportunity.rs"]
mod create_opportunity;
#[allow(dead_code)]
#[path = "../../ghl-client/examples/create_product.rs"]
mod create_product;
#[allow(dead_code)]
#[path = "../../ghl-client/examples/create_webhook.rs"]
mod create_webhook;
#[allow(dead_code)]
#[path = "../../ghl-client/examples/fire_workflow_trigger.rs"]
mod fire_workflow_trigger;
#[allow(dead_code)]
#[path = "../../ghl-client/examples/form_submissions.rs"]
mod form_submissions;
#[allow(dead_code)]
#[path = "../../ghl-client/examples/free_slots.rs"]
mod free_slots;
#[allow(dead_code)]
#[path = "../../ghl-client/examples/list_funnels.rs"]
mod list_funnels;
#[allow(dead_code)]
#[path = "../../ghl-client/examples/list_snapshots.rs"]
mod list_snapshots;
#[allow(dead_code)]
#[path = "../../ghl-client/examples/oauth_exchange_code.rs"]
mod oauth_exchange_code;
#[allow(dead_code)]
#[path = "../../ghl-client/examples/oauth_refresh_token.rs"]
mod oauth_refresh_token;
#[allow(dead_code)]
#[path = "../../ghl-client/examples/search_contacts.rs"]
mod search_contacts;
#[allow(dead_code)]
#[path = "../../ghl-client/examples/send_email.rs"]
mod send_email;
#[allow(dead_code)]
#[path = "../../ghl-client/examples/send_sms.rs"]
mod send_sms;
#[allow(dead_code)]
#[path = "../../ghl-client/examples/social_post.rs"]
mod social_post;
#[allow(dead_code)]
#[path = "../../ghl-client/examples/survey_submissions.rs"]
mod survey_submissions;
#[allow(dead_code)]
#[path = "../../ghl-client/examples/upload_media.rs"]
mod upload_media;
#[allow(dead_code)]
#[path = "../../ghl-client/examples/v3_contact_tasks.rs"]
mod v3_contact_tasks;

fn spec() -> Arc<MockSpec> {
    static SPEC: OnceLock<Arc<MockSpec>> = OnceLock::new();
    SPEC.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").join("spec");
        Arc::new(MockSpec::load(dir).unwrap_or_else(|e| panic!("the spec does not lower:\n{e}")))
    })
    .clone()
}

/// What `Client::from_env()` builds with `GHL_BASE_URL`, `GHL_API_KEY` and
/// `GHL_LOCATION_ID` set for the mock.
fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder().base_url(server.base_url()).location_id("mock-location")
}

fn client(server: &MockServer) -> Client {
    builder(server).private_integration_token("mock-token").build().expect("client builds")
}

/// The same with `GHL_CLIENT_ID` and `GHL_CLIENT_SECRET` set instead of a token.
fn oauth_builder(server: &MockServer) -> ClientBuilder {
    builder(server).oauth(OAuthApp::new("mock-client-id", "mock-client-secret"))
}

/// Fails with the error, the violations and the requests when the example did not pass.
fn check(server: &MockServer, example: &str, result: Result<(), Error>, expected: Option<&[&str]>) {
    let violations = server.violations();
    let requests: Vec<String> = server
        .requests()
        .iter()
        .map(|r| {
            format!(
                "{} {} -> {} ({:?})",
                r.method,
                r.path,
                r.operation_id.as_deref().unwrap_or("no operation"),
                r.status
            )
        })
        .collect();
    let report = || {
        format!(
            "example `{example}`\n  result: {result:?}\n  requests:\n    {}\n  violations:\n    {}",
            requests.join("\n    "),
            violations.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n    ")
        )
    };
    assert!(result.is_ok() && violations.is_empty(), "{}", report());
    let reached: Vec<String> = server.requests().iter().filter_map(|r| r.operation_id.clone()).collect();
    match expected {
        Some(ops) => assert_eq!(reached, ops, "{}", report()),
        None => assert!(!reached.is_empty(), "{}", report()),
    }
}

macro_rules! example {
    ($name:ident, $ops:expr) => {
        #[tokio::test]
        async fn $name() {
            let server = MockServer::start(spec()).await.expect("mock starts");
            let result = $name::run(&client(&server)).await;
            check(&server, stringify!($name), result, $ops);
        }
    };
}

#[tokio::test]
async fn oauth_exchange_code() {
    let server = MockServer::start(spec()).await.expect("mock starts");
    let client = oauth_builder(&server).build().expect("client builds");
    let result = oauth_exchange_code::run(&client).await;
    check(&server, "oauth_exchange_code", result, Some(&["getAccessToken"]));
}

#[tokio::test]
async fn oauth_refresh_token() {
    let server = MockServer::start(spec()).await.expect("mock starts");
    let result = oauth_refresh_token::run(oauth_builder(&server)).await;
    check(&server, "oauth_refresh_token", result, None);
    let grants: Vec<String> = server.requests().iter().map(|r| String::from_utf8_lossy(&r.body).into_owned()).collect();
    assert!(grants.iter().all(|b| b.contains("grant_type=refresh_token")), "{grants:?}");
}

example!(create_contact, Some(&["createContact"]));
example!(search_contacts, Some(&["searchContacts", "listContacts"]));
example!(send_sms, Some(&["sendMessage"]));
example!(send_email, Some(&["sendMessage"]));
example!(free_slots, Some(&["getFreeSlots"]));
example!(book_appointment, Some(&["createAppointment"]));
example!(create_opportunity, Some(&["createOpportunity"]));
example!(create_invoice, Some(&["createInvoice"]));
example!(list_funnels, Some(&["listFunnels"]));
example!(form_submissions, Some(&["listFormSubmissions"]));
example!(survey_submissions, Some(&["listSurveySubmissions"]));
example!(social_post, Some(&["createSocialPost"]));
example!(upload_media, Some(&["uploadMediaFile"]));
example!(create_company, Some(&["createBusiness"]));
example!(create_custom_field, Some(&["createLocationCustomField"]));
example!(create_custom_value, Some(&["createCustomValue"]));
example!(list_snapshots, Some(&["listSnapshots"]));
example!(create_webhook, Some(&["createWebhookSubscription"]));
example!(fire_workflow_trigger, Some(&["fireWorkflowTrigger"]));
example!(create_product, Some(&["createProduct"]));

/// API v3: the mock routes by path and `Version`; both calls must reach the v3 module.
#[tokio::test]
async fn v3_contact_tasks() {
    let server = MockServer::start(spec()).await.expect("mock starts");
    let result = v3_contact_tasks::run(&client(&server)).await;
    check(&server, "v3_contact_tasks", result, Some(&["createContactTask", "listContactTasks"]));
    let modules: Vec<Option<String>> = server.requests().iter().map(|r| r.module.clone()).collect();
    assert_eq!(modules, vec![Some("v3::contacts".to_owned()); 2]);
}

/// Every example file in `ghl-client/examples/` (but the webhook receiver, a
/// server of its own, and the fleet worker, which needs Redis and stored
/// OAuth tokens; ghl-client's redis tests cover what it does) is run above:
/// a new example must be added here.
#[test]
fn every_example_is_run() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").join("ghl-client/examples");
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .expect("examples directory")
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".rs")).map(str::to_owned))
        .filter(|n| n != "webhook_receiver" && n != "fleet")
        .collect();
    found.sort();
    let mut tested = vec![
        "oauth_exchange_code",
        "oauth_refresh_token",
        "create_contact",
        "search_contacts",
        "send_sms",
        "send_email",
        "free_slots",
        "book_appointment",
        "create_opportunity",
        "create_invoice",
        "list_funnels",
        "form_submissions",
        "survey_submissions",
        "social_post",
        "upload_media",
        "create_company",
        "create_custom_field",
        "create_custom_value",
        "list_snapshots",
        "create_webhook",
        "fire_workflow_trigger",
        "create_product",
        "v3_contact_tasks",
    ];
    tested.sort();
    assert_eq!(found, tested, "examples without a test here (or tests without an example)");
    assert_eq!(tested.len(), 22 + 1, "SKILL.md's 22 curl examples and one of API v3");
}
