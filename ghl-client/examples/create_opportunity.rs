//! Create an opportunity in a pipeline (SKILL.md "Create Opportunity Example"):
//! `POST /opportunities/`.
//!
//! Needs the cargo feature `opportunities`; reads `GHL_API_KEY`,
//! `GHL_LOCATION_ID`, `GHL_PIPELINE_ID`, `GHL_PIPELINE_STAGE_ID`,
//! `GHL_CONTACT_ID` and `GHL_USER_ID`:
//!
//! ```text
//! cargo run -p ghl-client --example create_opportunity --features opportunities
//! ```

use ghl_client::opportunities::{CreateOpportunityRequest, OpportunityStatus};
use ghl_client::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;
    run(&client).await
}

/// Creates an open $5,000 deal for a contact and prints its id, stage and status.
pub async fn run(client: &Client) -> Result<(), Error> {
    let env = |name: &str, placeholder: &str| std::env::var(name).unwrap_or_else(|_| placeholder.to_owned());
    let location = client.location_id().ok_or_else(|| Error::Config("set GHL_LOCATION_ID".into()))?;
    let body = CreateOpportunityRequest::new(
        env("GHL_PIPELINE_ID", "PIPELINE_ID"),
        location,
        "New Deal - John Doe",
        OpportunityStatus::Open,
        env("GHL_CONTACT_ID", "CONTACT_ID"),
    )
    .pipeline_stage_id(env("GHL_PIPELINE_STAGE_ID", "STAGE_ID"))
    .monetary_value(5000.0)
    .assigned_to(env("GHL_USER_ID", "USER_ID"));
    let opportunity = client.opportunities().create_opportunity(body).send().await?.opportunity();
    println!(
        "created opportunity {} in stage {} ({}, value {})",
        opportunity.id.as_deref().unwrap_or("?"),
        opportunity.pipeline_stage_id.as_deref().unwrap_or("?"),
        opportunity.status.map(|s| s.to_string()).unwrap_or_else(|| "no status".into()),
        opportunity.monetary_value.unwrap_or_default()
    );
    Ok(())
}
