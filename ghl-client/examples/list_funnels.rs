//! List the funnels of a location (SKILL.md "List Funnels Example").
//!
//! SKILL.md gives `GET /funnels/`; the real path is `GET /funnels/funnel/list`.
//! Needs the cargo feature `funnels`; reads `GHL_API_KEY` and `GHL_LOCATION_ID`:
//!
//! ```text
//! cargo run -p ghl-client --example list_funnels --features funnels
//! ```

use ghl_client::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;
    run(&client).await
}

/// Prints each funnel's id, name and number of steps.
pub async fn run(client: &Client) -> Result<(), Error> {
    let page = client.funnels().list_funnels().send().await?;
    println!("{} funnel(s)", page.count.unwrap_or_default());
    for f in page.funnels {
        println!(
            "  {} {} ({} step(s))",
            f.id.as_deref().unwrap_or("?"),
            f.name.as_deref().unwrap_or(""),
            f.steps.len()
        );
    }
    Ok(())
}
