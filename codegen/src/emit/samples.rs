//! Sample calls of every operation, for contract tests against a mock server.
//!
//! Emitted behind the `contract-samples` feature: each module gets a hidden
//! `contract_samples(&Client)` returning one ready-to-await call per
//! operation with every required argument filled from its type, and
//! `contract_samples_full(&Client)` whose calls also set every optional
//! parameter, the optional body and every optional field of the bodies.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{ident, ty_tokens};
use crate::ir::{Api, FieldFacts, Module, Operation, Repr, Ty, TypeKind};

/// Below this depth, full samples set the optional fields of nested objects
/// too (and their required chains may go this much deeper than 8).
const FULL_DEPTH: usize = 4;

/// The `contract_samples` and `contract_samples_full` functions of a module
/// (empty tokens when it has no operations).
pub fn contract_samples(api: &Api, module: &Module) -> TokenStream {
    if module.operations.is_empty() {
        return quote! {};
    }
    let required = samples_fn(api, module, false);
    let full = samples_fn(api, module, true);
    quote! { #required #full }
}

fn samples_fn(api: &Api, module: &Module, full: bool) -> TokenStream {
    let handle = format_ident!("{}", super::ops::handle_name(module.leaf()));
    let pushes = module.operations.values().map(|op| {
        let id = &op.id;
        let call = call(api, module, op, full);
        let cfg = op.undocumented.then(|| quote! { #[cfg(feature = "undocumented")] });
        quote! {
            #cfg
            calls.push((#id, Box::pin({
                let call = #call;
                async move { call.send().await.map(|_| ()) }
            })));
        }
    });
    let (name, doc) = if full {
        (
            format_ident!("contract_samples_full"),
            " One call per operation with every optional argument and field set too (contract tests only).",
        )
    } else {
        (format_ident!("contract_samples"), " One call per operation with sample arguments (contract tests only).")
    };
    quote! {
        #[doc = #doc]
        #[cfg(feature = "contract-samples")]
        #[doc(hidden)]
        #[allow(clippy::vec_init_then_push, deprecated)]
        pub fn #name(client: &crate::Client) -> Vec<(&'static str, crate::runtime::SampleCall)> {
            let handle = #handle::new(client.clone());
            let mut calls: Vec<(&'static str, crate::runtime::SampleCall)> = Vec::new();
            #(#pushes)*
            calls
        }
    }
}

/// `handle.op(required…)`, with `.setter(value)` for every optional
/// parameter and the optional body when `full`.
fn call(api: &Api, module: &Module, op: &Operation, full: bool) -> TokenStream {
    let fn_name = ident(&op.fn_name);
    let mut args = Vec::new();
    for p in op.params.iter().filter(|p| p.required && p.context.is_none()) {
        args.push(match (&p.ty, p.loc) {
            (Ty::String, crate::ir::ParamLoc::Path) => {
                let v = format!("sample-{}", p.wire);
                quote! { #v }
            }
            (ty, _) => field_sample(api, &module.name, &p.facts, ty, 0, full, 0),
        });
    }
    if let Some(body) = op.body.as_ref().filter(|b| b.required) {
        args.push(sample(api, &module.name, &body.ty, 0, full, 0));
    }
    let mut call = quote! { handle.#fn_name(#(#args),*) };
    if full {
        // Parameters the client fills from its configuration keep that value.
        for p in op.params.iter().filter(|p| !p.required && p.context.is_none()) {
            let setter = ident(&p.ident);
            let v = field_sample(api, &module.name, &p.facts, &p.ty, 0, full, 0);
            call = quote! { #call.#setter(#v) };
        }
        if let Some(body) = op.body.as_ref().filter(|b| !b.required) {
            let v = sample(api, &module.name, &body.ty, 0, full, 0);
            call = quote! { #call.body(#v) };
        }
    }
    call
}

/// An expression of type `ty` with plausible values.
/// `salt` above 0 makes the strings differ from those of salt 0 (items of a
/// list whose items must be unique).
fn sample(api: &Api, module: &str, ty: &Ty, depth: usize, full: bool, salt: usize) -> TokenStream {
    // Lowering rejects alias loops; the bound keeps a missed one from overflowing the stack.
    if depth > 32 {
        return quote! { Default::default() };
    }
    match ty {
        Ty::String if salt > 0 => {
            let v = format!("sample-{salt}");
            quote! { #v.to_owned() }
        }
        Ty::String => quote! { "sample".to_owned() },
        Ty::Secret => quote! { crate::Secret::from("sample") },
        Ty::I32 => quote! { 1i32 },
        Ty::I64 => quote! { 1i64 },
        Ty::F64 => quote! { 1.0f64 },
        Ty::Bool => quote! { true },
        Ty::Json => quote! { serde_json::Value::Object(Default::default()) },
        Ty::Upload => quote! { crate::Upload::from_bytes("sample.txt", b"sample".to_vec()) },
        Ty::Array(inner) => {
            let inner = sample(api, module, inner, depth + 1, full, salt);
            quote! { vec![#inner] }
        }
        Ty::Map(inner) => {
            let inner = sample(api, module, inner, depth + 1, full, salt);
            quote! { std::collections::BTreeMap::from([("key".to_owned(), #inner)]) }
        }
        Ty::Named { module: m, name } => {
            let path = ty_tokens(module, ty);
            let Some(def) = api.modules.get(m).and_then(|md| md.types.get(name)) else {
                return quote! { Default::default() };
            };
            match &def.kind {
                TypeKind::Enum(e) => match e.variants.first() {
                    Some((_, v)) => {
                        let v = format_ident!("{}", v);
                        quote! { #path::#v }
                    }
                    None => quote! { #path::from("sample") },
                },
                TypeKind::Union(vs) => {
                    let v = &vs[0];
                    let id = format_ident!("{}", v.ident);
                    let inner = sample(api, module, &v.ty, depth + 1, full, salt);
                    quote! { #path::#id(#inner) }
                }
                TypeKind::Tagged(t) => match t.variants.first() {
                    Some(v) => {
                        let id = format_ident!("{}", v.ident);
                        let inner = sample(api, module, &v.ty, depth + 1, full, salt);
                        quote! { #path::#id(#inner) }
                    }
                    None => {
                        let other = format_ident!("{}", t.catch_all);
                        quote! { #path::#other(crate::RawVariant::default()) }
                    }
                },
                TypeKind::Alias(inner) => sample(api, module, inner, depth + 1, full, salt),
                TypeKind::Struct(fields) if def.usage.request && depth < 8 + if full { FULL_DEPTH } else { 0 } => {
                    let required: Vec<_> = fields.iter().filter(|f| f.in_constructor(def.usage)).collect();
                    let no_part = def.usage.multipart && required.is_empty();
                    let args = required.into_iter().map(|f| {
                        let ty = multipart_ty(def.usage.multipart, f);
                        field_sample(api, module, &f.facts, &ty, depth + 1, full, salt)
                    });
                    let mut value = quote! { #path::new(#(#args),*) };
                    if full && depth < FULL_DEPTH {
                        for f in
                            fields.iter().filter(|f| f.repr(def.usage) != Repr::Plain && !f.in_constructor(def.usage))
                        {
                            let setter = if f.ident == "new" { format_ident!("set_new") } else { ident(&f.ident) };
                            let ty = multipart_ty(def.usage.multipart, f);
                            let v = field_sample(api, module, &f.facts, &ty, depth + 1, full, salt);
                            value = quote! { #value.#setter(#v) };
                        }
                    } else if no_part && let Some(f) = fields.iter().find(|f| f.binary) {
                        // The runtime refuses a multipart body without parts: with no
                        // required part, the sample sets its first file part.
                        let id = ident(&f.ident);
                        let v = sample(api, module, &multipart_ty(def.usage.multipart, f), depth + 1, full, salt);
                        value = quote! { #value.#id(#v) };
                    }
                    value
                }
                TypeKind::Struct(_) => quote! { #path::default() },
            }
        }
    }
}

/// A field's value: its own example, or a value of its `format`, where the
/// field is a string or number (or a list of them), so that patterns, formats
/// and bounds the schema states hold; [`sample`] of its type otherwise.
fn field_sample(
    api: &Api,
    module: &str,
    facts: &FieldFacts,
    ty: &Ty,
    depth: usize,
    full: bool,
    salt: usize,
) -> TokenStream {
    let (item, list) = match ty {
        Ty::Array(inner) => (inner.as_ref(), true),
        other => (other, false),
    };
    let example = facts.example.as_deref().filter(|e| !(list && e.starts_with('[')));
    let by_format = match facts.format.as_deref() {
        Some("date-time") => Some("2024-01-05T12:00:00Z"),
        Some("date") => Some("2024-01-05"),
        Some("email") => Some("sample@example.com"),
        Some("uri") => Some("https://example.com/sample"),
        _ => None,
    };
    let value = match item {
        Ty::String => match (example, by_format) {
            (Some(e), _) if salt > 0 => {
                let v = format!("{e}-{salt}");
                Some(quote! { #v.to_owned() })
            }
            (e, f) => e.or(f).map(|v| quote! { #v.to_owned() }),
        },
        Ty::I32 => example.and_then(|e| e.parse::<i32>().ok()).map(|v| quote! { #v }),
        Ty::I64 => example.and_then(|e| e.parse::<i64>().ok()).map(|v| quote! { #v }),
        Ty::F64 => example.and_then(|e| e.parse::<f64>().ok()).filter(|v| v.is_finite()).map(|v| quote! { #v }),
        _ => None,
    };
    match (value, list) {
        (Some(v), true) => quote! { vec![#v] },
        (Some(v), false) => v,
        // A list the schema wants longer than one: items told apart by
        // their strings (`uniqueItems` lists exist).
        (None, true) if facts.min_items.is_some_and(|n| n > 1) => {
            let n = facts.min_items.unwrap_or(1);
            let items = (0..n).map(|i| sample(api, module, item, depth + 1, full, salt + i));
            quote! { vec![#(#items),*] }
        }
        (None, _) => sample(api, module, ty, depth, full, salt),
    }
}

/// The Rust type of a field: binary fields of multipart bodies are files.
fn multipart_ty(multipart: bool, f: &crate::ir::Field) -> Ty {
    if multipart && f.binary {
        if matches!(f.ty, Ty::Array(_)) { Ty::Array(Box::new(Ty::Upload)) } else { Ty::Upload }
    } else {
        f.ty.clone()
    }
}
