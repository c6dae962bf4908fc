//! List an agency's snapshots (SKILL.md "List Snapshots Example"):
//! `GET /snapshots/?companyId=…`.
//!
//! Takes an agency token (an agency Private Integration Token in
//! `GHL_API_KEY`). Needs the cargo feature `snapshots`; reads `GHL_API_KEY` and
//! `GHL_COMPANY_ID`:
//!
//! ```text
//! cargo run -p ghl-client --example list_snapshots --features snapshots
//! ```

use ghl_client::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;
    run(&client).await
}

/// Prints each snapshot's id and name.
pub async fn run(client: &Client) -> Result<(), Error> {
    let company = std::env::var("GHL_COMPANY_ID").unwrap_or_else(|_| "YOUR_COMPANY_ID".into());
    let page = client.snapshots().list_snapshots(company).send().await?;
    let snapshots = page.snapshots;
    println!("{} snapshot(s)", snapshots.len());
    for s in snapshots {
        println!("  {} {}", s.id.as_deref().unwrap_or("?"), s.name.as_deref().unwrap_or(""));
    }
    Ok(())
}
