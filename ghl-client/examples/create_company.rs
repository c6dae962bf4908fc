//! Create a company record (SKILL.md "Create Company Example").
//!
//! SKILL.md gives `POST /companies/`; CRM company records are HighLevel's
//! *businesses*: the real call is `POST /businesses/` with the same fields
//! (`/companies/{companyId}` is the agency). Needs the cargo feature
//! `businesses`; reads `GHL_API_KEY` and `GHL_LOCATION_ID`:
//!
//! ```text
//! cargo run -p ghl-client --example create_company --features businesses
//! ```

use ghl_client::businesses::CreateBusinessRequest;
use ghl_client::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;
    run(&client).await
}

/// Creates Acme Corp in the location and prints whether HighLevel accepted it.
pub async fn run(client: &Client) -> Result<(), Error> {
    let location = client.location_id().ok_or_else(|| Error::Config("set GHL_LOCATION_ID".into()))?;
    let body = CreateBusinessRequest::new("Acme Corp", location)
        .phone("+1234567890")
        .email("info@acme.com")
        .website("https://acme.com")
        .address("123 Main St")
        .city("New York")
        .state("NY")
        .postal_code("10001")
        .country("US");
    let answer = client.businesses().create_business(body).send().await?;
    println!("created company Acme Corp: success {:?}", answer.success);
    Ok(())
}
