//! Create a contact custom field (SKILL.md "Create Custom Field Example").
//!
//! SKILL.md posts its body (`model`, `dataType`) to `POST /custom-fields/`,
//! which takes custom-object fields; a contact field is created with
//! `POST /locations/{locationId}/customFields`. HighLevel's documented body has
//! no `options` list (SKILL.md's example sends one). Needs the cargo feature
//! `locations`; reads `GHL_API_KEY` and `GHL_LOCATION_ID`:
//!
//! ```text
//! cargo run -p ghl-client --example create_custom_field --features locations
//! ```

use ghl_client::locations::{CreateLocationCustomFieldRequest, CustomFieldModel, LocationCustomFieldDataType};
use ghl_client::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;
    run(&client).await
}

/// Creates a single-choice contact field and prints its id and merge key.
pub async fn run(client: &Client) -> Result<(), Error> {
    let body =
        CreateLocationCustomFieldRequest::new("Preferred Contact Method", LocationCustomFieldDataType::SingleOptions)
            .model(CustomFieldModel::Contact)
            .placeholder("Email, phone or SMS");
    let field = client.locations().create_location_custom_field(body).send().await?.custom_field();
    println!(
        "created custom field {} ({}), key {}",
        field.id.as_deref().unwrap_or("?"),
        field.name.as_deref().unwrap_or("?"),
        field.field_key.as_deref().unwrap_or("?")
    );
    Ok(())
}
