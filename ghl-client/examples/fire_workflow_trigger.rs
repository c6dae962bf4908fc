//! Fire a custom workflow trigger with outside data (SKILL.md "Marketplace
//! Workflow Triggers"): `POST /workflows/triggers`.
//!
//! HighLevel does not document this endpoint (marketplace triggers are fired
//! through the address HighLevel hands the app); it is generated behind the
//! `undocumented` feature. Needs the cargo features `triggers` and
//! `undocumented`; reads `GHL_API_KEY`, `GHL_LOCATION_ID`, `GHL_TRIGGER_ID`
//! and `GHL_CONTACT_ID`:
//!
//! ```text
//! cargo run -p ghl-client --example fire_workflow_trigger --features triggers,undocumented
//! ```

use std::collections::BTreeMap;

use ghl_client::triggers::FireWorkflowTriggerRequest;
use ghl_client::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;
    run(&client).await
}

/// Fires the trigger for one contact with two data fields and prints the answer (raw JSON).
pub async fn run(client: &Client) -> Result<(), Error> {
    let env = |name: &str, placeholder: &str| std::env::var(name).unwrap_or_else(|_| placeholder.to_owned());
    let location = client.location_id().ok_or_else(|| Error::Config("set GHL_LOCATION_ID".into()))?;
    let data = BTreeMap::from([
        ("key1".to_owned(), serde_json::json!("value1")),
        ("key2".to_owned(), serde_json::json!("value2")),
    ]);
    let body = FireWorkflowTriggerRequest::new()
        .location_id(location)
        .trigger_id(env("GHL_TRIGGER_ID", "CUSTOM_TRIGGER_ID"))
        .contact_id(env("GHL_CONTACT_ID", "CONTACT_ID"))
        .data(data);
    let answer = client.triggers().fire_workflow_trigger(body).send().await?;
    println!("trigger fired: {answer}");
    Ok(())
}
