//! IR → Rust tokens (quote) and text (minijinja). No decisions about the
//! spec are made here; see `lower` for those.

pub mod docs;
pub mod ops;
pub mod samples;
pub mod types;
pub mod webhooks;

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::{Api, Module, Ty, TypeKind};

/// An identifier, raw-escaped never: `names` already appended `_` to keywords.
pub fn ident(name: &str) -> syn::Ident {
    format_ident!("{}", name)
}

/// The Rust type of a [`Ty`] as seen from inside `module`.
pub fn ty_tokens(module: &str, ty: &Ty) -> TokenStream {
    match ty {
        Ty::String => quote! { String },
        Ty::I32 => quote! { i32 },
        Ty::I64 => quote! { i64 },
        Ty::F64 => quote! { f64 },
        Ty::Bool => quote! { bool },
        Ty::Json => quote! { serde_json::Value },
        Ty::Upload => quote! { crate::Upload },
        Ty::Array(inner) => {
            let inner = ty_tokens(module, inner);
            quote! { Vec<#inner> }
        }
        Ty::Map(inner) => {
            let inner = ty_tokens(module, inner);
            quote! { std::collections::BTreeMap<String, #inner> }
        }
        Ty::Named { module: m, name } => {
            let name = format_ident!("{}", name);
            if m == module {
                quote! { #name }
            } else {
                let m = format_ident!("{}", m);
                quote! { crate::#m::#name }
            }
        }
    }
}

/// Spec prose made safe for rustdoc: no indented code blocks and no
/// untagged fences (both would become doctests), HTML line breaks as newlines.
pub fn clean_doc(text: &str) -> String {
    let text = text.replace("<br/>", "\n").replace("<br />", "\n").replace("<br>", "\n");
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line == "```" && out.iter().filter(|l: &&String| l.starts_with("```")).count() % 2 == 0 {
            out.push("```text".to_owned());
        } else if line.starts_with("```") && line.len() > 3 {
            // A fence with a language: never run it.
            out.push("```text".to_owned());
        } else {
            out.push(line.to_owned());
        }
    }
    if out.iter().filter(|l| l.starts_with("```")).count() % 2 == 1 {
        out.push("```".to_owned());
    }
    out.join("\n").trim().to_owned()
}

/// `#[doc = ...]` attributes for a text (one per line, as `///` would give).
pub fn doc_attrs(text: &str) -> TokenStream {
    let text = clean_doc(text);
    if text.is_empty() {
        return quote! {};
    }
    let lines = text.lines().map(|l| {
        let l = if l.is_empty() { String::new() } else { format!(" {l}") };
        quote! { #[doc = #l] }
    });
    quote! { #(#lines)* }
}

/// The tokens of one module file.
pub fn module_tokens(api: &Api, module: &Module) -> Result<TokenStream, minijinja::Error> {
    let docs = docs::module_docs(module)?;
    let inner_docs = docs.lines().map(|l| {
        let l = if l.is_empty() { String::new() } else { format!(" {l}") };
        quote! { #![doc = #l] }
    });
    let handle = (!module.operations.is_empty()).then(|| ops::handle(module));
    let builders = module.operations.values().map(|op| ops::builder(&module.name, op));
    let types = module.types.values().map(|t| types::type_def(&module.name, t));
    let events = (!module.webhooks.is_empty()).then(|| webhooks::event_enum(module));
    let samples = samples::contract_samples(api, module);
    let module_name = &module.name;
    let module_const = (!module.operations.is_empty()).then(|| {
        quote! {
            /// This module's name (also its cargo feature).
            pub const MODULE: &str = #module_name;
        }
    });
    Ok(quote! {
        #(#inner_docs)*
        #module_const
        #handle
        #events
        #samples
        #(#builders)*
        #(#types)*
    })
}

/// The `generated/mod.rs` tokens: module declarations and handle accessors.
pub fn root_tokens(api: &Api) -> TokenStream {
    let decls = api.modules.values().map(|m| {
        let name = ident(&m.name);
        let doc = format!("{} (spec/{}).", m.title, m.source);
        if m.shared {
            quote! { #[doc = #doc] pub mod #name; }
        } else {
            let feature = &m.name;
            quote! { #[doc = #doc] #[cfg(feature = #feature)] pub mod #name; }
        }
    });
    let accessors = api.modules.values().filter(|m| !m.operations.is_empty()).map(|m| {
        let name = ident(&m.name);
        let handle = format_ident!("{}", ops::handle_name(&m.name));
        let doc = format!("Operations of the {} module.", m.title);
        let cfg = (!m.shared).then(|| {
            let f = &m.name;
            quote! { #[cfg(feature = #f)] }
        });
        quote! { #cfg #[doc = #doc] pub fn #name(&self) -> #name::#handle { #name::#handle::new(self.clone()) } }
    });
    let samples = api.modules.values().filter(|m| !m.operations.is_empty()).map(|m| {
        let name = ident(&m.name);
        let cfg = (!m.shared).then(|| {
            let f = &m.name;
            quote! { #[cfg(feature = #f)] }
        });
        quote! { #cfg calls.extend(#name::contract_samples(client).into_iter().map(|(id, call)| (#name::MODULE, id, call))); }
    });
    quote! {
        #(#decls)*
        impl crate::Client {
            #(#accessors)*
        }
        /// One sample call per operation of every enabled module: `(module, operationId, call)`.
        #[cfg(feature = "contract-samples")]
        #[doc(hidden)]
        #[allow(unused_mut)]
        pub fn contract_samples(client: &crate::Client) -> Vec<(&'static str, &'static str, crate::runtime::SampleCall)> {
            let mut calls = Vec::new();
            #(#samples)*
            calls
        }
    }
}

/// Other modules each module's types refer to (so its feature enables theirs).
pub fn module_deps(api: &Api) -> BTreeMap<String, BTreeSet<String>> {
    fn walk(ty: &Ty, out: &mut BTreeSet<String>) {
        match ty {
            Ty::Named { module, .. } => {
                out.insert(module.clone());
            }
            Ty::Array(i) | Ty::Map(i) => walk(i, out),
            _ => {}
        }
    }
    let mut deps = BTreeMap::new();
    for m in api.modules.values() {
        let mut out = BTreeSet::new();
        for t in m.types.values() {
            match &t.kind {
                TypeKind::Struct(fs) => fs.iter().for_each(|f| walk(&f.ty, &mut out)),
                TypeKind::Union(vs) => vs.iter().for_each(|v| walk(&v.ty, &mut out)),
                TypeKind::Alias(ty) => walk(ty, &mut out),
                TypeKind::Enum(_) => {}
            }
        }
        for op in m.operations.values() {
            op.params.iter().for_each(|p| walk(&p.ty, &mut out));
            if let Some(b) = &op.body {
                walk(&b.ty, &mut out);
            }
            if let crate::ir::Success::Json(ty) = &op.success {
                walk(ty, &mut out);
            }
        }
        out.remove(&m.name);
        out.retain(|d| api.modules.get(d).is_some_and(|dm| !dm.shared));
        deps.insert(m.name.clone(), out);
    }
    deps
}

/// The `[features]` lines between the generated markers of `Cargo.toml`.
pub fn features_block(api: &Api) -> String {
    let deps = module_deps(api);
    let featured: Vec<&Module> = api.modules.values().filter(|m| !m.shared).collect();
    let mut out = String::new();
    let all: Vec<String> = featured.iter().map(|m| format!("\"{}\"", m.name)).collect();
    out.push_str(&format!("full = [{}]\n", all.join(", ")));
    out.push_str("undocumented = []\n");
    out.push_str("contract-samples = []\n");
    for m in featured {
        let d: Vec<String> = deps.get(&m.name).into_iter().flatten().map(|d| format!("\"{d}\"")).collect();
        out.push_str(&format!("{} = [{}]\n", m.name, d.join(", ")));
    }
    out
}
