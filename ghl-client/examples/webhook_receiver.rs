//! A HighLevel webhook receiver: verifies each delivery, reads it as a typed
//! event, keeps token stores in step with installs and uninstalls, and
//! answers with the status HighLevel expects.
//!
//! ```text
//! GHL_WEBHOOK_KEYS="$(cat highlevel-ed25519.pem)" PORT=3000 \
//!     cargo run -p ghl-client --features webhooks --example webhook_receiver
//! ```
//!
//! `GHL_WEBHOOK_KEYS` holds HighLevel's Ed25519 public key (PEM, base64 or
//! hex); during a key rotation give the old and the new key separated by
//! `;`. HighLevel's RSA key for the legacy `x-wh-signature` is built in.
//! Point the app's webhook URL at `http://<host>:<PORT>/webhooks/ghl`.
//!
//! # Status codes
//!
//! HighLevel redelivers a webhook only when the answer is `429`; any other
//! status ends the delivery. So the receiver answers:
//!
//! - `200` when the delivery was accepted, and also when it can be ignored:
//!   an event type it does not handle, a payload it cannot type (logged with
//!   its raw JSON), or a `webhookId` already accepted (a redelivery of
//!   something handled; acknowledging it stops further attempts);
//! - `401` when the delivery cannot be trusted: no signature, a malformed
//!   or wrong one, a scheme without a configured key, a stale timestamp;
//! - `400` / `413` for an empty, non-JSON or oversized body;
//! - `429` when a verified event could not be handled (here: the replay or
//!   token store failed), after releasing its `webhookId`, so that HighLevel
//!   tries again instead of the event being lost.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use ghl_client::webhook::{Lifecycle, MemoryInstallations, PublicKey, WebhookVerifier, apply_lifecycle};
use ghl_client::webhook_events::WebhookEvent;

/// What every request shares.
struct App {
    verifier: WebhookVerifier,
    installations: MemoryInstallations,
}

/// `POST /webhooks/ghl`: the whole receiving path.
async fn receive(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> (StatusCode, &'static str) {
    // 1. Verify over the raw bytes, before any parsing.
    let delivery = match app.verifier.verify(&headers, &body).await {
        Ok(delivery) => delivery,
        Err(e) if e.is_duplicate() => return (StatusCode::OK, "already handled"),
        Err(e) => {
            eprintln!("rejected delivery: {e}");
            return (e.status(), "rejected");
        }
    };
    // 2. Read it as a typed event. An authentic payload that does not fit its
    //    documented shape is kept in the log, not retried: a redelivery would not fit either.
    let event = match delivery.clone().into_event() {
        Ok(event) => event,
        Err(e) => {
            eprintln!(
                "authentic but unreadable {:?} delivery: {e}; payload: {}",
                delivery.event_type(),
                delivery.payload
            );
            return (StatusCode::OK, "unreadable, ignored");
        }
    };
    // 3. Handle it; on a failure worth retrying, free the id and ask for a redelivery.
    match handle(&app, &event).await {
        Ok(answer) => (StatusCode::OK, answer),
        Err(e) => {
            eprintln!("could not handle {}: {e}", event.event_type());
            let _ = app.verifier.release(&delivery).await;
            (StatusCode::TOO_MANY_REQUESTS, "try again later")
        }
    }
}

/// The app's own logic: a few events as examples, everything else acknowledged.
async fn handle(app: &App, event: &WebhookEvent) -> Result<&'static str, ghl_client::Error> {
    // Installs and uninstalls keep one token store per account.
    match apply_lifecycle(event, &app.installations).await? {
        Some(Lifecycle::Installed { installation, event }) => {
            println!(
                "installed in {installation} (plan {:?}); its tokens arrive with the OAuth code exchange",
                event.plan_id
            );
            return Ok("installed");
        }
        Some(Lifecycle::Uninstalled { installation, .. }) => {
            println!("uninstalled from {installation}; its tokens were dropped");
            return Ok("uninstalled");
        }
        _ => {}
    }
    match event {
        WebhookEvent::ContactCreate(contact) => {
            println!("new contact {:?} in {:?}", contact.id, contact.location_id);
            Ok("contact noted")
        }
        WebhookEvent::InboundMessage(message) => {
            println!("message from contact {:?}: {:?}", message.contact_id, message.body);
            Ok("message noted")
        }
        WebhookEvent::Unknown { event_type, .. } => {
            println!("event type {event_type:?} is not known to this version; ignored");
            Ok("ignored")
        }
        other => {
            println!("{} received", other.event_type());
            Ok("ignored")
        }
    }
}

/// The verifier: HighLevel's RSA key (built in) plus the keys in `GHL_WEBHOOK_KEYS`.
fn verifier() -> Result<WebhookVerifier, ghl_client::Error> {
    let mut builder = WebhookVerifier::builder();
    for key in std::env::var("GHL_WEBHOOK_KEYS").unwrap_or_default().split(';').filter(|k| !k.trim().is_empty()) {
        builder = builder.key(PublicKey::parse(key)?);
    }
    let verifier = builder.build();
    if !verifier.accepts(ghl_client::webhook::SignatureScheme::Ed25519) {
        eprintln!(
            "warning: no Ed25519 key in GHL_WEBHOOK_KEYS; deliveries signed only with x-ghl-signature will be refused"
        );
    }
    Ok(verifier)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let verifier = verifier()?;
    let limit = verifier.max_body_bytes();
    let app = Arc::new(App { verifier, installations: MemoryInstallations::new() });
    let router = Router::new()
        .route("/webhooks/ghl", post(receive))
        // Larger bodies get 413 from axum before they are buffered.
        .layer(DefaultBodyLimit::max(limit))
        .with_state(app);
    let port: u16 = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(3000);
    let addr = SocketAddr::from(([0, 0, 0, 0], port));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("listening on http://{addr}/webhooks/ghl");
    axum::serve(listener, router).await?;
    Ok(())
}
