//! Webhook deliveries: every documented payload parses into its typed event,
//! and the verifier accepts exactly the deliveries signed with a configured
//! key, fresh and new, refusing every altered, stale, replayed or malformed one.
//!
//! Key pairs are generated here (seeded, so runs are reproducible); the
//! payloads are the examples of `spec/webhook-events.yaml`.
#![cfg(feature = "webhooks")]

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use ghl_client::webhook::{
    Installation, InstallationStore, Lifecycle, MemoryInstallations, MemoryReplayStore, PublicKey, ReplayStore,
    SignatureHeaders, SignatureScheme, WebhookError, WebhookVerifier, apply_lifecycle,
};
use ghl_client::webhook_events::WebhookEvent;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use rand::{Rng as _, SeedableRng as _};
use rsa::signature::{SignatureEncoding as _, Signer as _};
use serde_json::{Value, json};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The moment every test delivery is made and checked at.
fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_738_074_900) // 2025-01-28T14:35:00Z
}
const NOW_TEXT: &str = "2025-01-28T14:35:00Z";

struct Keys {
    ed: ed25519_dalek::SigningKey,
    ed_other: ed25519_dalek::SigningKey,
    rsa: rsa::pkcs1v15::SigningKey<rsa::sha2::Sha256>,
    rsa_public: rsa::RsaPublicKey,
    rsa_other: rsa::pkcs1v15::SigningKey<rsa::sha2::Sha256>,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut rng = rand::rngs::StdRng::seed_from_u64(0x6768_6c2d_7765_6268);
        let ed = ed25519_dalek::SigningKey::generate(&mut rng);
        let ed_other = ed25519_dalek::SigningKey::generate(&mut rng);
        let rsa_private = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap();
        let rsa_public = rsa_private.to_public_key();
        let rsa_other = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap();
        Keys {
            ed,
            ed_other,
            rsa: rsa::pkcs1v15::SigningKey::new(rsa_private),
            rsa_public,
            rsa_other: rsa::pkcs1v15::SigningKey::new(rsa_other),
        }
    })
}

fn ed_public() -> PublicKey {
    PublicKey::ed25519_from_bytes(keys().ed.verifying_key().as_bytes()).unwrap()
}

fn rsa_public() -> PublicKey {
    let der = rsa::pkcs8::EncodePublicKey::to_public_key_der(&keys().rsa_public).unwrap();
    PublicKey::from_der(der.as_bytes()).unwrap()
}

fn sign_ed(key: &ed25519_dalek::SigningKey, body: &[u8]) -> String {
    B64.encode(key.sign(body).to_bytes())
}

fn sign_rsa(key: &rsa::pkcs1v15::SigningKey<rsa::sha2::Sha256>, body: &[u8]) -> String {
    B64.encode(key.sign(body).to_bytes())
}

fn frozen_clock() -> impl Fn() -> SystemTime + Send + Sync + 'static {
    now
}

/// Test keys only (HighLevel's built-in key dropped), fixed clock, fresh replay store.
fn verifier() -> WebhookVerifier {
    WebhookVerifier::builder().without_default_keys().key(ed_public()).key(rsa_public()).clock(frozen_clock()).build()
}

fn headers(ghl: Option<&str>, wh: Option<&str>) -> HeaderMap {
    let mut h = HeaderMap::new();
    if let Some(v) = ghl {
        h.insert("x-ghl-signature", HeaderValue::from_str(v).unwrap());
    }
    if let Some(v) = wh {
        h.insert("x-wh-signature", HeaderValue::from_str(v).unwrap());
    }
    h
}

// ---------------------------------------------------------------- the documented payloads

struct Example {
    key: String,
    payload: Value,
}

fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/webhook-events.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

/// Every example in the spec: each payload schema's `example` and each
/// entry of a webhook's request-body `examples`, with its webhook key.
fn examples() -> Vec<Example> {
    let spec = spec();
    let schemas = &spec["components"]["schemas"];
    let mut out = Vec::new();
    for (key, item) in spec["webhooks"].as_object().unwrap() {
        let media = &item["post"]["requestBody"]["content"]["application/json"];
        let reference = media["schema"]["$ref"].as_str().unwrap();
        let name = reference.strip_prefix("#/components/schemas/").unwrap();
        let schema = &schemas[name];
        assert_eq!(schema["properties"]["type"]["type"], "string", "{name} has a string `type`");
        let mut payloads = Vec::new();
        if let Some(map) = media["examples"].as_object() {
            payloads.extend(map.values().map(|e| e["value"].clone()));
        } else {
            payloads.push(schema["example"].clone());
        }
        assert!(!payloads.is_empty() && payloads.iter().all(Value::is_object), "{key}: no example");
        out.extend(payloads.into_iter().map(|payload| Example { key: key.clone(), payload }));
    }
    out
}

#[test]
fn every_documented_example_parses_into_its_variant() {
    let spec = spec();
    let webhooks = spec["webhooks"].as_object().unwrap();
    let payload_schemas: BTreeSet<&str> = webhooks
        .values()
        .map(|w| w["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str().unwrap())
        .collect();
    // 58 documented events; the provider outbound message is keyed by its two channel values.
    assert_eq!(payload_schemas.len(), 58, "{payload_schemas:?}");
    assert_eq!(webhooks.len(), 59);

    let all = examples();
    let mut seen = BTreeSet::new();
    for Example { key, payload } in &all {
        assert_eq!(payload["type"], Value::String(key.clone()), "example of {key} carries its type");
        let event = WebhookEvent::from_value(payload.clone()).unwrap_or_else(|e| panic!("{key}: {e}"));
        assert!(!matches!(event, WebhookEvent::Unknown { .. }), "{key} parsed as Unknown");
        assert_eq!(event.event_type(), key);
        // The same through the byte parser.
        let bytes = serde_json::to_vec(payload).unwrap();
        assert_eq!(WebhookEvent::from_slice(&bytes).unwrap(), event);
        // Each payload schema's own example parses too (checked above for keys without `examples`).
        seen.insert(key.clone());
    }
    assert_eq!(seen.len(), webhooks.len());
    for (name, schema) in spec["components"]["schemas"].as_object().unwrap() {
        if name.ends_with("Event") {
            let example = &schema["example"];
            let event = WebhookEvent::from_value(example.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!matches!(event, WebhookEvent::Unknown { .. }), "{name}");
        }
    }
    assert_eq!(all.len(), 69, "examples");
}

#[test]
fn typed_fields_come_through() {
    let event =
        WebhookEvent::from_value(examples().into_iter().find(|e| e.key == "OrderCreate").unwrap().payload).unwrap();
    let WebhookEvent::OrderCreate(order) = event else { panic!() };
    let items = order.items;
    assert_eq!(items.len(), 2);
    let variants = &items[0].product.as_ref().unwrap().variants;
    assert_eq!(variants[0].options.len(), 7);
    assert_eq!(order.amount, Some(150.1));

    let unknown = WebhookEvent::from_value(json!({"type": "SomethingNew", "x": 1})).unwrap();
    assert_eq!(unknown.event_type(), "SomethingNew");
    assert!(matches!(unknown, WebhookEvent::Unknown { ref raw, .. } if raw["x"] == 1));
}

/// An example made into a delivery: `timestamp` and `webhookId` set (every
/// signed delivery carries them), serialized compactly.
fn delivery(payload: &Value, webhook_id: &str, timestamp: &str) -> Vec<u8> {
    let mut p = payload.clone();
    p["webhookId"] = json!(webhook_id);
    p["timestamp"] = json!(timestamp);
    serde_json::to_vec(&p).unwrap()
}

// ---------------------------------------------------------------- accepted deliveries

#[tokio::test]
async fn signed_examples_are_accepted_once_and_then_refused_as_replays() {
    let v = verifier();
    for (i, ex) in examples().iter().enumerate() {
        for scheme in [Some(SignatureScheme::Ed25519), Some(SignatureScheme::RsaSha256), None] {
            let id = format!("wh-{i}-{scheme:?}");
            let body = delivery(&ex.payload, &id, NOW_TEXT);
            let ed = sign_ed(&keys().ed, &body);
            let rsa = sign_rsa(&keys().rsa, &body);
            let h = match scheme {
                Some(SignatureScheme::Ed25519) => headers(Some(&ed), None),
                Some(_) => headers(None, Some(&rsa)),
                None => headers(Some(&ed), Some(&rsa)),
            };
            let ok = v.verify(&h, &body).await.unwrap_or_else(|e| panic!("{}: {e}", ex.key));
            assert_eq!(ok.scheme, scheme.unwrap_or(SignatureScheme::Ed25519));
            assert_eq!(ok.webhook_id.as_deref(), Some(id.as_str()));
            assert_eq!(ok.timestamp, Some(now()));
            assert_eq!(ok.event_type(), Some(ex.key.as_str()));
            let event = ok.into_event().unwrap();
            assert_eq!(event.event_type(), ex.key);
            assert!(!matches!(event, WebhookEvent::Unknown { .. }));

            let again = v.verify(&h, &body).await.unwrap_err();
            assert!(matches!(&again, WebhookError::Duplicate { webhook_id } if *webhook_id == id), "{again}");
            assert!(again.is_duplicate());
            assert_eq!(again.status(), StatusCode::OK);
        }
    }
}

// ---------------------------------------------------------------- zero false accepts

/// One signature header, of `scheme`.
fn only(scheme: SignatureScheme, value: &[u8]) -> SignatureHeaders<'_> {
    match scheme {
        SignatureScheme::Ed25519 => SignatureHeaders { ghl_signature: Some(value), wh_signature: None },
        _ => SignatureHeaders { ghl_signature: None, wh_signature: Some(value) },
    }
}

/// Flips each byte of every body and of every signature value (XOR 1, so
/// the byte always changes): nothing altered is accepted, and an altered
/// body fails on its signature (not on some later check).
#[test]
fn flipping_any_byte_of_body_or_signature_is_refused() {
    let v = verifier();
    let mut tried = 0usize;
    for (i, ex) in examples().iter().enumerate() {
        let body = delivery(&ex.payload, &format!("flip-{i}"), NOW_TEXT);
        let ed = sign_ed(&keys().ed, &body);
        let rsa = sign_rsa(&keys().rsa, &body);
        for (scheme, sig) in [(SignatureScheme::Ed25519, &ed), (SignatureScheme::RsaSha256, &rsa)] {
            assert_eq!(v.verify_signature_with(only(scheme, sig.as_bytes()), &body).unwrap(), scheme);
            let mut altered = body.clone();
            for at in 0..altered.len() {
                altered[at] ^= 1;
                let e = v.verify_signature_with(only(scheme, sig.as_bytes()), &altered).unwrap_err();
                assert!(
                    matches!(e, WebhookError::BadSignature { scheme: s } if s == scheme),
                    "{}: body[{at}]: {e}",
                    ex.key
                );
                altered[at] ^= 1;
                tried += 1;
            }
            let mut bad_sig = sig.as_bytes().to_vec();
            for at in 0..bad_sig.len() {
                bad_sig[at] ^= 1;
                let e = v.verify_signature_with(only(scheme, &bad_sig), &body).unwrap_err();
                assert!(
                    matches!(e, WebhookError::BadSignature { .. } | WebhookError::BadEncoding { .. }),
                    "{}: signature[{at}]: {e}",
                    ex.key
                );
                bad_sig[at] ^= 1;
                tried += 1;
            }
        }
    }
    assert!(tried > 50_000, "{tried} alterations");
}

/// Every single-bit change of one delivery, through the full check with headers.
#[tokio::test]
async fn every_bit_flip_of_one_delivery_is_refused() {
    let v = verifier();
    let body = delivery(&json!({"type": "ContactDelete", "locationId": "l1", "id": "c1"}), "bits", NOW_TEXT);
    let ed = sign_ed(&keys().ed, &body);
    let rsa = sign_rsa(&keys().rsa, &body);
    let mut accepted = 0;
    for bit in 0..body.len() * 8 {
        let mut b = body.clone();
        b[bit / 8] ^= 1 << (bit % 8);
        if v.verify(&headers(Some(&ed), Some(&rsa)), &b).await.is_ok() {
            accepted += 1;
        }
    }
    for (name, sig) in [("x-ghl-signature", &ed), ("x-wh-signature", &rsa)] {
        for bit in 0..sig.len() * 8 {
            let mut s = sig.as_bytes().to_vec();
            s[bit / 8] ^= 1 << (bit % 8);
            let mut h = HeaderMap::new();
            let Ok(value) = HeaderValue::from_bytes(&s) else { continue };
            h.insert(HeaderName::from_static(name), value);
            if v.verify(&h, &body).await.is_ok() {
                accepted += 1;
            }
        }
    }
    assert_eq!(accepted, 0);
    // Untouched, it goes through.
    v.verify(&headers(Some(&ed), Some(&rsa)), &body).await.unwrap();
}

/// A signature under a changed header name is not a signature at all.
#[tokio::test]
async fn flipping_a_byte_of_the_header_name_is_refused() {
    let v = verifier();
    let body = delivery(&json!({"type": "NoteCreate", "locationId": "l"}), "names", NOW_TEXT);
    let ed = sign_ed(&keys().ed, &body);
    let rsa = sign_rsa(&keys().rsa, &body);
    for (name, sig) in [("x-ghl-signature", &ed), ("x-wh-signature", &rsa)] {
        for at in 0..name.len() {
            let mut n = name.as_bytes().to_vec();
            n[at] ^= 1;
            let Ok(header) = HeaderName::from_bytes(&n) else { continue };
            let mut h = HeaderMap::new();
            h.insert(header, HeaderValue::from_str(sig).unwrap());
            let e = v.verify(&h, &body).await.unwrap_err();
            assert!(matches!(e, WebhookError::MissingSignature), "{}: {e}", String::from_utf8_lossy(&n));
        }
    }
}

#[tokio::test]
async fn both_signatures_are_checked_when_both_are_present() {
    let v = verifier();
    let body = delivery(&json!({"type": "TaskCreate"}), "both", NOW_TEXT);
    let ed = sign_ed(&keys().ed, &body);
    let rsa = sign_rsa(&keys().rsa, &body);
    let other_body = delivery(&json!({"type": "TaskCreate"}), "other", NOW_TEXT);
    let ed_wrong = sign_ed(&keys().ed, &other_body);
    let rsa_wrong = sign_rsa(&keys().rsa, &other_body);
    let e = v.verify(&headers(Some(&ed), Some(&rsa_wrong)), &body).await.unwrap_err();
    assert!(matches!(e, WebhookError::BadSignature { scheme: SignatureScheme::RsaSha256 }), "{e}");
    let e = v.verify(&headers(Some(&ed_wrong), Some(&rsa)), &body).await.unwrap_err();
    assert!(matches!(e, WebhookError::BadSignature { scheme: SignatureScheme::Ed25519 }), "{e}");
    // A repeated header is ambiguous: refused.
    let mut h = headers(Some(&ed), None);
    h.append("x-ghl-signature", HeaderValue::from_str(&ed).unwrap());
    assert!(matches!(v.verify(&h, &body).await.unwrap_err(), WebhookError::BadEncoding { .. }));
}

#[tokio::test]
async fn a_wrong_key_is_refused() {
    let v = verifier();
    let body = delivery(&json!({"type": "ContactCreate"}), "wrong-key", NOW_TEXT);
    let e = v.verify(&headers(Some(&sign_ed(&keys().ed_other, &body)), None), &body).await.unwrap_err();
    assert!(matches!(e, WebhookError::BadSignature { scheme: SignatureScheme::Ed25519 }), "{e}");
    assert_eq!(e.status(), StatusCode::UNAUTHORIZED);
    let e = v.verify(&headers(None, Some(&sign_rsa(&keys().rsa_other, &body))), &body).await.unwrap_err();
    assert!(matches!(e, WebhookError::BadSignature { scheme: SignatureScheme::RsaSha256 }), "{e}");
    // An Ed25519 signature in the RSA header (and the reverse) does not fit.
    let e = v.verify(&headers(None, Some(&sign_ed(&keys().ed, &body))), &body).await.unwrap_err();
    assert!(matches!(e, WebhookError::BadEncoding { .. }), "{e}");
    let e = v.verify(&headers(Some(&sign_rsa(&keys().rsa, &body)), None), &body).await.unwrap_err();
    assert!(matches!(e, WebhookError::BadEncoding { .. }), "{e}");

    // HighLevel's defaults know neither test key.
    let defaults = WebhookVerifier::builder().clock(frozen_clock()).build();
    let e = defaults.verify(&headers(None, Some(&sign_rsa(&keys().rsa, &body))), &body).await.unwrap_err();
    // (HighLevel's key has 4096 bits, the test key 2048: the length alone gives it away.)
    assert!(matches!(e, WebhookError::BadEncoding { scheme: SignatureScheme::RsaSha256, .. }), "{e}");
    let e = defaults.verify(&headers(Some(&sign_ed(&keys().ed, &body)), None), &body).await.unwrap_err();
    assert!(matches!(e, WebhookError::SchemeNotAccepted { scheme: SignatureScheme::Ed25519 }), "{e}");
    assert!(e.to_string().contains("Ed25519 public key"), "{e}");

    // With the legacy scheme off, an RSA-only delivery is refused even with the right key.
    let no_rsa = WebhookVerifier::builder()
        .without_default_keys()
        .key(rsa_public())
        .legacy_rsa(false)
        .clock(frozen_clock())
        .build();
    let e = no_rsa.verify(&headers(None, Some(&sign_rsa(&keys().rsa, &body))), &body).await.unwrap_err();
    assert!(matches!(e, WebhookError::SchemeNotAccepted { scheme: SignatureScheme::RsaSha256 }), "{e}");
}

#[tokio::test]
async fn rotation_accepts_every_configured_key() {
    let other = PublicKey::ed25519_from_bytes(keys().ed_other.verifying_key().as_bytes()).unwrap();
    let v = WebhookVerifier::builder().without_default_keys().key(ed_public()).key(other).clock(frozen_clock()).build();
    for (i, key) in [&keys().ed, &keys().ed_other].into_iter().enumerate() {
        let body = delivery(&json!({"type": "NoteUpdate"}), &format!("rot-{i}"), NOW_TEXT);
        v.verify(&headers(Some(&sign_ed(key, &body)), None), &body).await.unwrap();
    }
}

// ---------------------------------------------------------------- replay protection

#[tokio::test]
async fn timestamps_outside_the_window_are_refused() {
    let v = verifier();
    let check = |ts: Value, id: &str| {
        let mut p = json!({"type": "ContactUpdate", "webhookId": id});
        if !ts.is_null() {
            p["timestamp"] = ts;
        }
        let body = serde_json::to_vec(&p).unwrap();
        let sig = sign_ed(&keys().ed, &body);
        let v = v.clone();
        async move { v.verify(&headers(Some(&sig), None), &body).await }
    };
    let e = check(json!("2025-01-28T14:29:59Z"), "old").await.unwrap_err();
    assert!(matches!(e, WebhookError::StaleTimestamp { in_future: false, .. }), "{e}");
    assert_eq!(e.status(), StatusCode::UNAUTHORIZED);
    let e = check(json!("2025-01-28T14:40:01Z"), "ahead").await.unwrap_err();
    assert!(matches!(e, WebhookError::StaleTimestamp { in_future: true, .. }), "{e}");
    check(json!("2025-01-28T14:30:00Z"), "edge-old").await.unwrap();
    check(json!("2025-01-28T14:40:00Z"), "edge-new").await.unwrap();
    check(json!("2025-01-28T15:34:00+01:00"), "offset").await.unwrap();
    check(json!(1_738_074_900_000u64), "millis").await.unwrap();
    assert!(matches!(check(Value::Null, "none").await.unwrap_err(), WebhookError::MissingTimestamp));
    assert!(matches!(check(json!("last tuesday"), "text").await.unwrap_err(), WebhookError::BadTimestamp));
    assert!(matches!(check(json!({"at": 1}), "object").await.unwrap_err(), WebhookError::BadTimestamp));

    // A stale delivery is not recorded: the id stays free.
    let again = check(json!("2025-01-28T14:35:00Z"), "old").await;
    assert!(again.is_ok(), "{again:?}");

    // The window is configurable, and so is the clock.
    let later = || now() + Duration::from_secs(3600);
    let v2 = WebhookVerifier::builder()
        .without_default_keys()
        .key(ed_public())
        .tolerance(Duration::from_secs(7200))
        .clock(later)
        .build();
    let body = delivery(&json!({"type": "ContactUpdate"}), "hour", NOW_TEXT);
    v2.verify(&headers(Some(&sign_ed(&keys().ed, &body)), None), &body).await.unwrap();

    // Without the requirement, a payload without timestamp passes.
    let lax = WebhookVerifier::builder()
        .without_default_keys()
        .key(ed_public())
        .require_timestamp(false)
        .clock(frozen_clock())
        .build();
    let body = serde_json::to_vec(&json!({"type": "ContactUpdate", "webhookId": "lax"})).unwrap();
    let ok = lax.verify(&headers(Some(&sign_ed(&keys().ed, &body)), None), &body).await.unwrap();
    assert_eq!(ok.timestamp, None);
    assert!(lax.verify(&headers(Some(&sign_ed(&keys().ed, &body)), None), &body).await.unwrap_err().is_duplicate());
}

#[tokio::test]
async fn webhook_ids_are_required_and_remembered() {
    let v = verifier();
    let signed = |p: Value| {
        let body = serde_json::to_vec(&p).unwrap();
        (headers(Some(&sign_ed(&keys().ed, &body)), None), body)
    };
    let (h, b) = signed(json!({"type": "TaskDelete", "timestamp": NOW_TEXT}));
    assert!(matches!(v.verify(&h, &b).await.unwrap_err(), WebhookError::MissingWebhookId));
    let (h, b) = signed(json!({"type": "TaskDelete", "timestamp": NOW_TEXT, "webhookId": 7}));
    assert!(matches!(v.verify(&h, &b).await.unwrap_err(), WebhookError::InvalidPayload { .. }));
    let (h, b) = signed(json!({"type": "TaskDelete", "timestamp": NOW_TEXT, "webhookId": ""}));
    assert!(matches!(v.verify(&h, &b).await.unwrap_err(), WebhookError::InvalidPayload { .. }));

    // The same id in a differently signed body is still a replay.
    let (h, b) = signed(json!({"type": "TaskDelete", "timestamp": NOW_TEXT, "webhookId": "same"}));
    v.verify(&h, &b).await.unwrap();
    let (h, b) = signed(json!({"type": "TaskComplete", "timestamp": NOW_TEXT, "webhookId": "same"}));
    assert!(v.verify(&h, &b).await.unwrap_err().is_duplicate());

    // A released id may be delivered again.
    let (h, b) = signed(json!({"type": "TaskDelete", "timestamp": NOW_TEXT, "webhookId": "retry"}));
    let first = v.verify(&h, &b).await.unwrap();
    v.release(&first).await.unwrap();
    v.verify(&h, &b).await.unwrap();
    assert!(v.verify(&h, &b).await.unwrap_err().is_duplicate());

    // One store shared by two verifiers (two workers) catches a replay across them.
    let shared: Arc<dyn ReplayStore> = Arc::new(MemoryReplayStore::with_capacity(16));
    let make = || {
        WebhookVerifier::builder()
            .without_default_keys()
            .key(ed_public())
            .clock(frozen_clock())
            .replay_store(shared.clone())
            .build()
    };
    let (a, b2) = (make(), make());
    let (h, b) = signed(json!({"type": "TaskCreate", "timestamp": NOW_TEXT, "webhookId": "shared"}));
    a.verify(&h, &b).await.unwrap();
    assert!(b2.verify(&h, &b).await.unwrap_err().is_duplicate());
}

#[derive(Debug)]
struct BrokenStore;

#[async_trait::async_trait]
impl ReplayStore for BrokenStore {
    async fn insert_if_absent(&self, _: &str, _: SystemTime, _: SystemTime) -> Result<bool, WebhookError> {
        Err(WebhookError::store("down", std::io::Error::other("connection refused")))
    }
}

#[tokio::test]
async fn a_failing_replay_store_fails_closed_and_asks_for_redelivery() {
    let v = WebhookVerifier::builder()
        .without_default_keys()
        .key(ed_public())
        .clock(frozen_clock())
        .replay_store(Arc::new(BrokenStore))
        .build();
    let body = delivery(&json!({"type": "ContactCreate"}), "store", NOW_TEXT);
    let e = v.verify(&headers(Some(&sign_ed(&keys().ed, &body)), None), &body).await.unwrap_err();
    assert!(matches!(e, WebhookError::Store { .. }), "{e}");
    assert_eq!(e.status(), StatusCode::TOO_MANY_REQUESTS);
}

// ---------------------------------------------------------------- malformed deliveries

#[tokio::test]
async fn empty_and_oversized_bodies_are_refused() {
    let v = WebhookVerifier::builder()
        .without_default_keys()
        .key(ed_public())
        .key(rsa_public())
        .max_body_bytes(1024)
        .clock(frozen_clock())
        .build();
    let e =
        v.verify(&headers(Some(&sign_ed(&keys().ed, b"")), Some(&sign_rsa(&keys().rsa, b""))), b"").await.unwrap_err();
    assert!(matches!(e, WebhookError::EmptyBody), "{e}");
    assert_eq!(e.status(), StatusCode::BAD_REQUEST);

    let padded = |len: usize, id: &str| {
        let mut body = delivery(&json!({"type": "NoteCreate", "body": ""}), id, NOW_TEXT);
        let fill = len - body.len();
        let p: Value = serde_json::from_slice(&body).unwrap();
        let mut p = p;
        p["body"] = json!("x".repeat(fill));
        body = serde_json::to_vec(&p).unwrap();
        assert_eq!(body.len(), len);
        body
    };
    let at_limit = padded(1024, "limit");
    v.verify(&headers(Some(&sign_ed(&keys().ed, &at_limit)), None), &at_limit).await.unwrap();
    let over = padded(1025, "over");
    let e = v.verify(&headers(Some(&sign_ed(&keys().ed, &over)), None), &over).await.unwrap_err();
    assert!(matches!(e, WebhookError::BodyTooLarge { len: 1025, limit: 1024 }), "{e}");
    assert_eq!(e.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // The default limit is 1 MiB.
    let huge = vec![b' '; WebhookVerifier::DEFAULT_MAX_BODY_BYTES + 1];
    let e = verifier().verify(&headers(Some(&sign_ed(&keys().ed, &huge)), None), &huge).await.unwrap_err();
    assert!(matches!(e, WebhookError::BodyTooLarge { .. }), "{e}");
}

#[tokio::test]
async fn malformed_signatures_are_refused_with_a_reason() {
    let v = verifier();
    let body = delivery(&json!({"type": "ContactCreate"}), "b64", NOW_TEXT);
    let good = sign_ed(&keys().ed, &body);
    let raw = B64.decode(&good).unwrap();
    let url_safe = base64::engine::general_purpose::URL_SAFE.encode(&raw);
    let mut non_canonical = good.clone().into_bytes();
    // The last data character before `==` carries 4 unused bits; setting one is not canonical.
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let last = non_canonical.len() - 3;
    let value = ALPHABET.iter().position(|c| *c == non_canonical[last]).unwrap();
    non_canonical[last] = ALPHABET[value ^ 1];
    let cases: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), b"".to_vec()),
        ("not base64".into(), b"!!!!not-base64!!!!".to_vec()),
        ("spaces inside".into(), format!("{} {}", &good[..40], &good[40..]).into_bytes()),
        ("trailing newline".into(), format!("{good}\n").into_bytes()),
        ("non-ASCII".into(), format!("{}é", &good[..86]).into_bytes()),
        ("truncated".into(), B64.encode(&raw[..63]).into_bytes()),
        ("too long".into(), B64.encode([raw.as_slice(), &[0]].concat()).into_bytes()),
        ("hex instead of base64".into(), hex::encode(&raw).into_bytes()),
        ("prefixed".into(), format!("ed25519={good}").into_bytes()),
        ("huge".into(), vec![b'A'; 10_000]),
        ("non-canonical bits".into(), non_canonical),
    ];
    for (what, value) in cases {
        let e = v
            .verify_with(SignatureHeaders { ghl_signature: Some(&value), wh_signature: None }, &body)
            .await
            .unwrap_err();
        assert!(matches!(e, WebhookError::BadEncoding { scheme: SignatureScheme::Ed25519, .. }), "{what}: {e}");
        assert_eq!(e.status(), StatusCode::UNAUTHORIZED);
    }
    // URL-safe base64 differs from standard only when the signature has `+` or `/`.
    if url_safe != good {
        let e = v
            .verify_with(SignatureHeaders { ghl_signature: Some(url_safe.as_bytes()), wh_signature: None }, &body)
            .await
            .unwrap_err();
        assert!(matches!(e, WebhookError::BadEncoding { .. }), "{e}");
    }
    // Padding is optional.
    let unpadded = good.trim_end_matches('=');
    v.verify_signature_with(SignatureHeaders { ghl_signature: Some(unpadded.as_bytes()), wh_signature: None }, &body)
        .unwrap();
    // No signature at all.
    let e = v.verify(&HeaderMap::new(), &body).await.unwrap_err();
    assert!(matches!(e, WebhookError::MissingSignature), "{e}");
    assert!("hmac".parse::<SignatureScheme>().is_err_and(|e| matches!(e, WebhookError::UnknownScheme { .. })));
}

#[tokio::test]
async fn signed_bodies_that_are_not_payloads_are_refused() {
    let v = verifier();
    for body in [&b"not json"[..], b"[1,2,3]", b"\"text\"", b"{\"type\": ", b"\xff\xfe"] {
        let e = v.verify(&headers(Some(&sign_ed(&keys().ed, body)), None), body).await.unwrap_err();
        assert!(matches!(e, WebhookError::InvalidPayload { .. }), "{e}");
        assert_eq!(e.status(), StatusCode::BAD_REQUEST);
    }
    // Authentic, but a documented field has another JSON type: kept, and the typed read says why.
    let body = delivery(&json!({"type": "ContactCreate", "dnd": "yes"}), "typed", NOW_TEXT);
    let ok = v.verify(&headers(Some(&sign_ed(&keys().ed, &body)), None), &body).await.unwrap();
    assert_eq!(ok.payload["dnd"], "yes");
    assert!(matches!(ok.event(), Err(WebhookError::InvalidPayload { .. })));
}

/// Random headers and bodies, and random corruptions of valid deliveries:
/// no panic, no accept.
#[tokio::test]
async fn random_input_never_panics_or_passes() {
    let v = verifier();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let valid = delivery(&json!({"type": "OpportunityCreate", "id": "o1"}), "rand", NOW_TEXT);
    let valid_ed = sign_ed(&keys().ed, &valid);
    let valid_rsa = sign_rsa(&keys().rsa, &valid);
    let mut accepted = 0;
    for round in 0..3000 {
        let body: Vec<u8> = match round % 3 {
            0 => (0..rng.gen_range(0..300)).map(|_| rng.r#gen()).collect(),
            1 => {
                let mut b = valid.clone();
                for _ in 0..rng.gen_range(1..4) {
                    let at = rng.gen_range(0..b.len());
                    b[at] = rng.r#gen();
                }
                if b == valid {
                    continue;
                }
                b
            }
            _ => valid.clone(),
        };
        let random_sig = |rng: &mut rand::rngs::StdRng, base: &str| -> Vec<u8> {
            match rng.gen_range(0..4) {
                0 => (0..rng.gen_range(0..400)).map(|_| rng.r#gen()).collect(),
                1 => B64.encode((0..rng.gen_range(0..600)).map(|_| rng.r#gen()).collect::<Vec<u8>>()).into_bytes(),
                2 => {
                    let mut s = base.as_bytes().to_vec();
                    let at = rng.gen_range(0..s.len());
                    s[at] = rng.r#gen();
                    s
                }
                _ => Vec::new(),
            }
        };
        let ghl = rng.gen_bool(0.7).then(|| random_sig(&mut rng, &valid_ed));
        let wh = rng.gen_bool(0.5).then(|| random_sig(&mut rng, &valid_rsa));
        if body == valid && (ghl.as_deref() == Some(valid_ed.as_bytes()) || wh.as_deref() == Some(valid_rsa.as_bytes()))
        {
            continue;
        }
        let sigs = SignatureHeaders { ghl_signature: ghl.as_deref(), wh_signature: wh.as_deref() };
        if v.verify_with(sigs, &body).await.is_ok() {
            accepted += 1;
        }
    }
    assert_eq!(accepted, 0);
}

// ---------------------------------------------------------------- keys

#[test]
fn keys_load_from_every_format_and_verify() {
    use ed25519_dalek::pkcs8::EncodePublicKey as _;
    use rsa::pkcs1::EncodeRsaPublicKey as _;
    let ed_vk = keys().ed.verifying_key();
    let ed = ed_public();
    let ed_pem = ed_vk.to_public_key_pem(Default::default()).unwrap();
    let ed_der = ed_vk.to_public_key_der().unwrap();
    for (what, parsed) in [
        ("pem", PublicKey::from_pem(&ed_pem)),
        ("parse pem", PublicKey::parse(&ed_pem)),
        ("der", PublicKey::from_der(ed_der.as_bytes())),
        ("base64 raw", PublicKey::from_base64(&B64.encode(ed_vk.as_bytes()))),
        ("base64 der", PublicKey::from_base64(&B64.encode(ed_der.as_bytes()))),
        ("hex raw", PublicKey::from_hex(&hex::encode(ed_vk.as_bytes()))),
        ("parse hex", PublicKey::parse(&hex::encode(ed_vk.as_bytes()))),
        ("parse base64", PublicKey::parse(&B64.encode(ed_vk.as_bytes()))),
    ] {
        assert_eq!(parsed.unwrap_or_else(|e| panic!("{what}: {e}")), ed, "{what}");
    }
    let rsa = rsa_public();
    let spki_pem = rsa::pkcs8::EncodePublicKey::to_public_key_pem(&keys().rsa_public, Default::default()).unwrap();
    let pkcs1_pem = keys().rsa_public.to_pkcs1_pem(Default::default()).unwrap();
    let pkcs1_der = keys().rsa_public.to_pkcs1_der().unwrap();
    for (what, parsed) in [
        ("spki pem", PublicKey::from_pem(&spki_pem)),
        ("pkcs1 pem", PublicKey::from_pem(&pkcs1_pem)),
        ("pkcs1 der", PublicKey::from_der(pkcs1_der.as_bytes())),
        ("pkcs1 base64", PublicKey::from_base64(&B64.encode(pkcs1_der.as_bytes()))),
        ("pkcs1 hex", PublicKey::from_hex(&hex::encode(pkcs1_der.as_bytes()))),
        ("escaped newlines", PublicKey::from_pem(&spki_pem.replace('\n', "\\n"))),
    ] {
        assert_eq!(parsed.unwrap_or_else(|e| panic!("{what}: {e}")), rsa, "{what}");
    }
    assert_eq!(ed.scheme(), SignatureScheme::Ed25519);
    assert_eq!(rsa.scheme(), SignatureScheme::RsaSha256);

    // Too small an RSA key, a private key, garbage: refused.
    let small = rsa::RsaPrivateKey::new(&mut rand::rngs::StdRng::seed_from_u64(3), 1024).unwrap();
    let small_der = rsa::pkcs8::EncodePublicKey::to_public_key_der(&small.to_public_key()).unwrap();
    assert!(PublicKey::from_der(small_der.as_bytes()).unwrap_err().to_string().contains("2048"));
    assert!(PublicKey::from_pem("-----BEGIN PRIVATE KEY-----\nMC4CAQA=\n-----END PRIVATE KEY-----").is_err());
    assert!(PublicKey::parse("definitely not a key").is_err());
    assert!(PublicKey::from_hex(&"00".repeat(33)).is_err());

    // The published HighLevel key is a default.
    assert!(WebhookVerifier::new().keys().contains(&PublicKey::highlevel_rsa()));
    assert!(!WebhookVerifier::builder().without_default_keys().build().accepts(SignatureScheme::RsaSha256));
}

// ---------------------------------------------------------------- install lifecycle

#[tokio::test]
async fn install_and_uninstall_manage_token_stores() {
    let store = MemoryInstallations::new();
    let mut installs =
        examples().into_iter().filter(|e| e.key == "INSTALL").map(|e| WebhookEvent::from_value(e.payload).unwrap());
    let location_install = installs.next().unwrap();
    let agency_install = installs.nth(1).unwrap();
    match apply_lifecycle(&location_install, &store).await.unwrap() {
        Some(Lifecycle::Installed { installation, event }) => {
            assert_eq!(installation, Installation::Location { location_id: "otg8dTQqGLh3Q6iQI55w".into() });
            assert_eq!(event.plan_id.as_deref(), Some("66a0419a0dffa47fb5f8b22f"));
        }
        other => panic!("{other:?}"),
    }
    let agency = apply_lifecycle(&agency_install, &store).await.unwrap().unwrap();
    assert_eq!(agency.installation(), &Installation::Company { company_id: "otg8dTQqGLh3Q6iQI55w".into() });
    assert_eq!(store.installations().len(), 2);

    // Tokens stored for the location are dropped by its uninstall.
    let tokens =
        store.token_store(&Installation::Location { location_id: "otg8dTQqGLh3Q6iQI55w".into() }).await.unwrap();
    let record = ghl_client::TokenRecord::new(ghl_client::OAuthTokens::new(
        "a",
        None,
        1_900_000_000,
        ghl_client::UserType::Location,
    ));
    assert!(tokens.compare_and_swap(None, &record).await.unwrap());
    let uninstall =
        WebhookEvent::from_value(examples().into_iter().find(|e| e.key == "UNINSTALL").unwrap().payload).unwrap();
    assert!(matches!(apply_lifecycle(&uninstall, &store).await.unwrap(), Some(Lifecycle::Uninstalled { .. })));
    assert_eq!(store.installations(), vec![Installation::Company { company_id: "otg8dTQqGLh3Q6iQI55w".into() }]);
    let fresh =
        store.token_store(&Installation::Location { location_id: "otg8dTQqGLh3Q6iQI55w".into() }).await.unwrap();
    assert!(fresh.get().await.unwrap().is_none());

    // Other events, and installs naming no account, are left alone.
    let other = WebhookEvent::from_value(json!({"type": "ContactCreate"})).unwrap();
    assert!(apply_lifecycle(&other, &store).await.unwrap().is_none());
    let anonymous = WebhookEvent::from_value(json!({"type": "INSTALL", "appId": "a"})).unwrap();
    assert!(Lifecycle::of(&anonymous).is_none());
}
