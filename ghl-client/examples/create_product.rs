//! Create a product (SKILL.md "Create Product Example"): `POST /products/`.
//!
//! Needs the cargo feature `products`; reads `GHL_API_KEY` and `GHL_LOCATION_ID`:
//!
//! ```text
//! cargo run -p ghl-client --example create_product --features products
//! ```

use ghl_client::products::{CreateProductRequest, ProductType};
use ghl_client::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;
    run(&client).await
}

/// Creates a digital product shown in the store and prints its id.
pub async fn run(client: &Client) -> Result<(), Error> {
    let location = client.location_id().ok_or_else(|| Error::Config("set GHL_LOCATION_ID".into()))?;
    let body = CreateProductRequest::new("Premium Consulting Package", location, ProductType::Digital)
        .description("Monthly consulting package")
        .available_in_store(true);
    let product = client.products().create_product(body).send().await?;
    println!(
        "created product {} ({}, {})",
        product.id.as_deref().unwrap_or("?"),
        product.name.as_deref().unwrap_or("?"),
        product.product_type.map(|t| t.to_string()).unwrap_or_else(|| "no type".into())
    );
    Ok(())
}
