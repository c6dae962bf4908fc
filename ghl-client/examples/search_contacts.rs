//! Search contacts (SKILL.md "Search Contacts Example").
//!
//! SKILL.md's `GET /contacts/?query=john&limit=20` is `list_contacts`, which
//! HighLevel has deprecated in favour of `POST /contacts/search`
//! (`search_contacts`). This example calls both: the search endpoint for a page
//! of contacts, then the deprecated listing for the text query.
//!
//! Needs the cargo feature `contacts`; reads `GHL_API_KEY` and `GHL_LOCATION_ID`:
//!
//! ```text
//! cargo run -p ghl-client --example search_contacts --features contacts
//! ```

use ghl_client::contacts::SearchContactsRequest;
use ghl_client::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;
    run(&client).await
}

/// Prints how many contacts the search returned, then the ones matching "john".
pub async fn run(client: &Client) -> Result<(), Error> {
    let location = client.location_id().ok_or_else(|| Error::Config("set GHL_LOCATION_ID".into()))?;
    let page = client.contacts().search_contacts(SearchContactsRequest::new(location).page_limit(20)).send().await?;
    let found = page.get("contacts").and_then(|c| c.as_array()).map_or(0, Vec::len);
    println!("search returned {found} contact(s) (total {})", page.get("total").unwrap_or(&serde_json::Value::Null));

    #[allow(deprecated)]
    let matching = client.contacts().list_contacts().query("john").limit(20).send().await?;
    for c in matching.contacts {
        println!("  {} {}", c.id.as_deref().unwrap_or("?"), c.name.as_deref().or(c.email.as_deref()).unwrap_or(""));
    }
    Ok(())
}
