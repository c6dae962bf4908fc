//! Create a custom value, a placeholder usable in emails, SMS and funnels
//! (SKILL.md "Create Custom Value Example").
//!
//! SKILL.md gives `POST /custom-values/` with `locationId` in the body; the
//! real call is `POST /locations/{locationId}/customValues`. Needs the cargo
//! feature `locations`; reads `GHL_API_KEY` and `GHL_LOCATION_ID`:
//!
//! ```text
//! cargo run -p ghl-client --example create_custom_value --features locations
//! ```

use ghl_client::locations::CustomValueRequest;
use ghl_client::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;
    run(&client).await
}

/// Creates "Business Hours" and prints the merge key to use in templates.
pub async fn run(client: &Client) -> Result<(), Error> {
    let body = CustomValueRequest::new("Business Hours", "Mon-Fri 9AM-5PM EST");
    let value = client.locations().create_custom_value(body).send().await?.custom_value();
    println!(
        "created custom value {} = {:?}; use it as {}",
        value.id.as_deref().unwrap_or("?"),
        value.value.as_deref().unwrap_or(""),
        value.field_key.as_deref().unwrap_or("?")
    );
    Ok(())
}
