//! Create an invoice (SKILL.md "Create Invoice Example"): `POST /invoices/`.
//!
//! HighLevel requires more than SKILL.md's example sends: the business
//! details, a discount, whom it is sent to, the issue date and the mode
//! (`liveMode`); line items carry `amount` and `qty` (not `price` and
//! `quantity`). Needs the cargo feature `invoices`; reads `GHL_API_KEY`,
//! `GHL_LOCATION_ID` and `GHL_CONTACT_ID`:
//!
//! ```text
//! cargo run -p ghl-client --example create_invoice --features invoices
//! ```

use ghl_client::invoices::{
    AltType, AmountType, BusinessDetails, ContactDetails, CreateInvoiceRequest, Discount, InvoiceItem, SentTo,
};
use ghl_client::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;
    run(&client).await
}

/// Creates a draft invoice for one hour of consulting and prints its number and total.
pub async fn run(client: &Client) -> Result<(), Error> {
    let location = client.location_id().ok_or_else(|| Error::Config("set GHL_LOCATION_ID".into()))?;
    let contact = std::env::var("GHL_CONTACT_ID").unwrap_or_else(|_| "CONTACT_ID".into());
    let body = CreateInvoiceRequest::new(
        location,
        AltType::Location,
        "Invoice #001",
        BusinessDetails::new().name("Acme Consulting"),
        "USD",
        vec![InvoiceItem::new("Consulting Service", "USD", 150.0, 1.0).description("1 hour consulting session")],
        Discount::new(AmountType::Fixed).value(0.0),
        ContactDetails::new(contact, "John Doe", "+1234567890", "john@example.com"),
        "2025-02-01",
        SentTo::new(vec!["john@example.com".to_owned()]),
        false,
    )
    .due_date("2025-03-01");
    let invoice = client.invoices().create_invoice(body).send().await?;
    println!(
        "created invoice {} (number {}, status {}, total {} {})",
        invoice.id.as_deref().unwrap_or("?"),
        invoice.invoice_number.as_deref().unwrap_or("?"),
        invoice.status.map(|s| s.to_string()).unwrap_or_else(|| "?".into()),
        invoice.total.unwrap_or_default(),
        invoice.currency.as_deref().unwrap_or("")
    );
    Ok(())
}
