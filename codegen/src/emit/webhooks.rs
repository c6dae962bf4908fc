//! The `WebhookEvent` enum of a module with webhook events.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{doc_attrs, ty_tokens};
use crate::ir::Module;

/// `WebhookEvent`: one variant per event, dispatched on the payload's `type`,
/// plus `Unknown` that keeps events this version does not know. The parsers
/// are `#[inline]`: their decoders, most of the module's machine code, are then
/// generated only in a crate that parses events.
pub fn event_enum(module: &Module) -> TokenStream {
    let variants = module.webhooks.values().map(|e| {
        let v = format_ident!("{}", e.variant);
        let ty = ty_tokens(&module.name, &e.ty);
        let doc = match &e.summary {
            Some(s) => format!("`{}`: {s}", e.wire),
            None => format!("`{}`", e.wire),
        };
        let doc = doc_attrs(&doc);
        quote! { #doc #v(#ty), }
    });
    let arms = module.webhooks.values().map(|e| {
        let v = format_ident!("{}", e.variant);
        let wire = &e.wire;
        quote! { #wire => Self::#v(serde_json::from_value(value)?), }
    });
    let type_arms = module.webhooks.values().map(|e| {
        let v = format_ident!("{}", e.variant);
        let wire = &e.wire;
        quote! { Self::#v(_) => #wire, }
    });
    quote! {
        /// An event delivered to an app's webhook URL, typed by its `type` field.
        ///
        /// Parse the raw body only after its signature was verified.
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum WebhookEvent {
            #(#variants)*
            /// An event type this version does not know; the payload is kept whole.
            Unknown {
                /// The payload's `type` value.
                event_type: String,
                /// The whole payload.
                raw: serde_json::Value,
            },
        }
        impl WebhookEvent {
            /// Parses a delivery body.
            #[inline]
            pub fn from_slice(body: &[u8]) -> Result<Self, serde_json::Error> {
                Self::from_value(serde_json::from_slice(body)?)
            }
            /// Parses an already decoded payload.
            #[inline]
            pub fn from_value(value: serde_json::Value) -> Result<Self, serde_json::Error> {
                let event_type = value.get("type").and_then(serde_json::Value::as_str).unwrap_or_default().to_owned();
                Ok(match event_type.as_str() {
                    #(#arms)*
                    _ => Self::Unknown { event_type, raw: value },
                })
            }
            /// The event's `type` value.
            pub fn event_type(&self) -> &str {
                match self {
                    #(#type_arms)*
                    Self::Unknown { event_type, .. } => event_type,
                }
            }
        }
    }
}
