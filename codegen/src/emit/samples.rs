//! Sample calls of every operation, for contract tests against a mock server.
//!
//! Emitted behind the `contract-samples` feature: each module gets a hidden
//! `contract_samples(&Client)` returning one ready-to-await call per
//! operation, with every required argument filled from its type.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{ident, ty_tokens};
use crate::ir::{Api, Module, Ty, TypeKind};

/// The `contract_samples` function of a module (empty tokens when it has no operations).
pub fn contract_samples(api: &Api, module: &Module) -> TokenStream {
    if module.operations.is_empty() {
        return quote! {};
    }
    let handle = format_ident!("{}", super::ops::handle_name(module.leaf()));
    let pushes = module.operations.values().map(|op| {
        let fn_name = ident(&op.fn_name);
        let id = &op.id;
        let mut args = Vec::new();
        for p in op.params.iter().filter(|p| p.required && p.context.is_none()) {
            args.push(match (&p.ty, p.loc) {
                (Ty::String, crate::ir::ParamLoc::Path) => {
                    let v = format!("sample-{}", p.wire);
                    quote! { #v }
                }
                (ty, _) => sample(api, &module.name, ty, 0),
            });
        }
        if let Some(body) = op.body.as_ref().filter(|b| b.required) {
            args.push(sample(api, &module.name, &body.ty, 0));
        }
        let cfg = op.undocumented.then(|| quote! { #[cfg(feature = "undocumented")] });
        quote! {
            #cfg
            calls.push((#id, Box::pin({
                let call = handle.#fn_name(#(#args),*);
                async move { call.send().await.map(|_| ()) }
            })));
        }
    });
    quote! {
        /// One call per operation with sample arguments (contract tests only).
        #[cfg(feature = "contract-samples")]
        #[doc(hidden)]
        #[allow(clippy::vec_init_then_push, deprecated)]
        pub fn contract_samples(client: &crate::Client) -> Vec<(&'static str, crate::runtime::SampleCall)> {
            let handle = #handle::new(client.clone());
            let mut calls: Vec<(&'static str, crate::runtime::SampleCall)> = Vec::new();
            #(#pushes)*
            calls
        }
    }
}

/// An expression of type `ty` with plausible values.
fn sample(api: &Api, module: &str, ty: &Ty, depth: usize) -> TokenStream {
    // Lowering rejects alias loops; the bound keeps a missed one from overflowing the stack.
    if depth > 32 {
        return quote! { Default::default() };
    }
    match ty {
        Ty::String => quote! { "sample".to_owned() },
        Ty::Secret => quote! { crate::Secret::from("sample") },
        Ty::I32 => quote! { 1i32 },
        Ty::I64 => quote! { 1i64 },
        Ty::F64 => quote! { 1.0f64 },
        Ty::Bool => quote! { true },
        Ty::Json => quote! { serde_json::Value::Object(Default::default()) },
        Ty::Upload => quote! { crate::Upload::from_bytes("sample.txt", b"sample".to_vec()) },
        Ty::Array(inner) => {
            let inner = sample(api, module, inner, depth + 1);
            quote! { vec![#inner] }
        }
        Ty::Map(inner) => {
            let inner = sample(api, module, inner, depth + 1);
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
                    let inner = sample(api, module, &v.ty, depth + 1);
                    quote! { #path::#id(#inner) }
                }
                TypeKind::Alias(inner) => sample(api, module, inner, depth + 1),
                TypeKind::Struct(fields) if def.usage.request && depth < 8 => {
                    let part_ty = |f: &crate::ir::Field| {
                        if def.usage.multipart && f.binary {
                            if matches!(f.ty, Ty::Array(_)) { Ty::Array(Box::new(Ty::Upload)) } else { Ty::Upload }
                        } else {
                            f.ty.clone()
                        }
                    };
                    let mut args = fields.iter().filter(|f| f.in_constructor(def.usage)).peekable();
                    // The runtime refuses a multipart body without parts: with no
                    // required part, the sample sets its first file part.
                    let extra = match (def.usage.multipart && args.peek().is_none(), fields.iter().find(|f| f.binary)) {
                        (true, Some(f)) => {
                            let id = ident(&f.ident);
                            let value = sample(api, module, &part_ty(f), depth + 1);
                            quote! { .#id(#value) }
                        }
                        _ => quote! {},
                    };
                    let args = args.map(|f| sample(api, module, &part_ty(f), depth + 1));
                    quote! { #path::new(#(#args),*)#extra }
                }
                TypeKind::Struct(_) => quote! { #path::default() },
            }
        }
    }
}
