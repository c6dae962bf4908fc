//! IR → Rust tokens (quote) and text (minijinja). No decisions about the
//! spec are made here; see `lower` for those.

pub mod cli_table;
pub(crate) mod data;
pub mod docs;
pub mod ops;
pub mod samples;
pub mod types;
pub mod webhooks;

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::config::Vendor;
use crate::ir::{Api, Module, Ty};
use crate::names;

/// An identifier, raw-escaped never: `names` already appended `_` to keywords.
pub fn ident(name: &str) -> syn::Ident {
    format_ident!("{}", name)
}

/// The Rust type of a [`Ty`] as seen from inside `module`.
pub fn ty_tokens(module: &str, ty: &Ty) -> TokenStream {
    match ty {
        Ty::String => quote! { String },
        Ty::Secret => quote! { crate::Secret },
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
                let path = m.split("::").map(|s| format_ident!("{}", s));
                quote! { crate::#(#path::)*#name }
            }
        }
    }
}

/// Spec prose made safe for rustdoc: no indented code blocks and no
/// untagged fences (both would become doctests), HTML line breaks as newlines.
pub fn clean_doc(text: &str) -> String {
    // Most docs are one plain line: nothing to clean.
    if !text.contains(['\n', '<', '`']) && text.trim().len() == text.len() {
        return text.to_owned();
    }
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

/// One `#[doc = " line"]` per line of a generated sentence: the printer
/// prints `#[doc = "x"]` as `///x`, so the space `///` readers expect is
/// part of the string.
pub fn doc_lines(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| {
        let l = doc_literal(l);
        quote! { #[doc = #l] }
    });
    quote! { #(#lines)* }
}

/// A doc line (with the leading space `///` gives) as a raw string literal.
/// Docs are most of a module's text; escaping them char by char only for
/// the printer to unescape them again was a tenth of a regeneration.
fn doc_literal(line: &str) -> proc_macro2::Literal {
    if line.contains('\r') {
        return proc_macro2::Literal::string(&format!(" {line}"));
    }
    // Enough `#`s that no `"#…` inside the text ends the literal early.
    let hashes = if line.contains('"') {
        "#".repeat((1..).find(|n| !line.contains(&format!("\"{}", "#".repeat(*n)))).unwrap_or(1))
    } else {
        String::new()
    };
    let mut raw = String::with_capacity(line.len() + 2 * hashes.len() + 4);
    raw.push('r');
    raw.push_str(&hashes);
    raw.push('"');
    if !line.is_empty() {
        raw.push(' ');
        raw.push_str(line);
    }
    raw.push('"');
    raw.push_str(&hashes);
    raw.parse().unwrap_or_else(|_| proc_macro2::Literal::string(&format!(" {line}")))
}

/// `#[doc = ...]` attributes for a text (one per line, as `///` would give).
pub fn doc_attrs(text: &str) -> TokenStream {
    doc_lines(&clean_doc(text))
}

/// `#[cfg(feature = "a")]`, or `#[cfg(any(feature = "a", feature = "b", ...))]`.
pub fn cfg_any<'a>(features: impl IntoIterator<Item = &'a String>) -> TokenStream {
    let features: BTreeSet<&String> = features.into_iter().collect();
    match features.len() {
        0 => quote! {},
        1 => {
            let f = features.into_iter().next();
            quote! { #[cfg(feature = #f)] }
        }
        _ => {
            let fs = features.into_iter();
            quote! { #[cfg(any(#(feature = #fs),*))] }
        }
    }
}

/// Puts `cfg` in front of every top-level item of `items`. No
/// `doc(cfg(...))` badge is written: the crate's `feature(doc_cfg)` on
/// docs.rs shows every `#[cfg]` as one (rustdoc folded `doc_auto_cfg` into
/// `doc_cfg`). Items are split at their end: a `;`, or a brace group not followed by `;`.
pub fn gate(cfg: &TokenStream, items: TokenStream) -> TokenStream {
    use proc_macro2::{Delimiter, TokenTree};
    if cfg.is_empty() {
        return items;
    }
    let mut out = TokenStream::new();
    let mut current: Vec<TokenTree> = Vec::new();
    let mut iter = items.into_iter().peekable();
    while let Some(tt) = iter.next() {
        let ends = match &tt {
            TokenTree::Punct(p) => p.as_char() == ';',
            TokenTree::Group(g) => {
                g.delimiter() == Delimiter::Brace
                    && !matches!(iter.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ';')
            }
            _ => false,
        };
        current.push(tt);
        if ends {
            out.extend(cfg.clone());
            out.extend(current.drain(..));
        }
    }
    if !current.is_empty() {
        out.extend(cfg.clone());
        out.extend(current);
    }
    out
}

/// The tokens of one module file.
pub fn module_tokens(api: &Api, module: &Module, vendor: &Vendor) -> Result<TokenStream, minijinja::Error> {
    let docs = docs::module_docs(module)?;
    let inner_docs = docs.lines().map(|l| {
        let l = doc_literal(l);
        quote! { #![doc = #l] }
    });
    // A module other features reach into is compiled for them too: then its
    // own items carry its feature, and each shared type the features it serves.
    let split = !module.shared && !module.needed_by.is_empty();
    let own = if split {
        cfg_any([&module.feature])
    } else {
        quote! {}
    };
    let handle = (!module.operations.is_empty()).then(|| ops::handle(module, vendor));
    let builders: TokenStream = module.operations.values().map(|op| ops::builder(&module.name, op, vendor)).collect();
    // Parts are joined with `extend`, not `quote!`: interpolating a stream
    // copies all its tokens, once per level (BENCHMARKS.md §12).
    let types = module.types.values().map(|t| {
        let mut tokens = types::type_def(&module.name, t);
        tokens.extend(types::wrapper_accessor(api, &module.name, t));
        match module.needed_by.get(&t.name).filter(|_| split) {
            Some(others) => gate(&cfg_any(others.iter().chain([&module.feature])), tokens),
            None => gate(&own, tokens),
        }
    });
    let events = (!module.webhooks.is_empty()).then(|| webhooks::event_enum(module));
    let samples = samples::contract_samples(api, module);
    let module_name = &module.name;
    let module_const = (!module.operations.is_empty()).then(|| {
        quote! {
            /// This module's path below the crate root.
            pub const MODULE: &str = #module_name;
        }
    });
    let mut items = TokenStream::new();
    items.extend(module_const.into_iter().chain(handle).chain(events).chain([samples, builders]));
    let mut file: TokenStream = inner_docs.collect();
    file.extend(gate(&own, items));
    file.extend(types);
    Ok(file)
}

/// The features under which a module is compiled: its own, and those of the
/// modules whose code uses its types. Empty for shared (always-on) modules.
fn module_features(m: &Module) -> BTreeSet<&String> {
    if m.shared {
        return BTreeSet::new();
    }
    let mut fs: BTreeSet<&String> = m.needed_by.values().flatten().collect();
    fs.insert(&m.feature);
    fs
}

/// The `generated/mod.rs` tokens: module declarations (nested for groups,
/// such as `v3`), handle accessors, and the group handles (`client.v3()`).
pub fn root_tokens(api: &Api) -> TokenStream {
    let mut groups: BTreeMap<Option<&str>, Vec<&Module>> = BTreeMap::new();
    for m in api.modules.values() {
        groups.entry(m.group.as_deref()).or_default().push(m);
    }
    // Each group's own items, by path (`v3`, `v3::common`), and its accessor.
    let mut inners: BTreeMap<String, TokenStream> = BTreeMap::new();
    let mut parts: Vec<(Option<&str>, TokenStream)> = Vec::new();
    for (group, modules) in &groups {
        let decls = modules.iter().map(|m| {
            let name = ident(m.leaf());
            let doc = doc_lines(&format!("{} (spec/{}).", m.title, m.source));
            let cfg = cfg_any(module_features(m));
            quote! { #doc #cfg pub mod #name; }
        });
        let accessors = modules.iter().filter(|m| !m.operations.is_empty()).map(|m| {
            let name = ident(m.leaf());
            let handle = format_ident!("{}", ops::handle_name(m.leaf()));
            let doc = doc_lines(&format!("Operations of the {} module.", m.title));
            let cfg = cfg_any((!m.shared).then_some(&m.feature));
            let client = if group.is_some() {
                quote! { self.client.clone() }
            } else {
                quote! { self.clone() }
            };
            quote! { #cfg #doc pub fn #name(&self) -> #name::#handle { #name::#handle::new(#client) } }
        });
        match group {
            None => parts.push((
                None,
                quote! {
                    #(#decls)*
                    impl crate::Client {
                        #(#accessors)*
                    }
                },
            )),
            Some(group) => {
                let path: Vec<_> = group.split("::").map(ident).collect();
                let handle = format_ident!("{}", names::pascal(&group.replace("::", "_")));
                let accessor = format_ident!("{}", group.replace("::", "_"));
                let features: Vec<&String> =
                    modules.iter().filter(|m| !m.operations.is_empty()).map(|m| &m.feature).collect();
                let cfg = cfg_any(features.iter().copied());
                let doc = format!(" The modules of `spec/{}/`.", group.replace("::", "/"));
                let handle_doc =
                    doc_lines(&format!("Operations of the `{group}` modules. Get one with `client.{accessor}()`."));
                let accessor_doc = doc_lines(&format!("The `{group}` modules (`spec/{}/`).", group.replace("::", "/")));
                let inner = quote! {
                    #(#decls)*
                    #cfg
                    #handle_doc
                    #[derive(Clone, Debug)]
                    pub struct #handle { pub(crate) client: crate::Client }
                    #cfg
                    impl #handle {
                        #(#accessors)*
                    }
                };
                inners.insert((*group).to_owned(), quote! { #![doc = #doc] #inner });
                parts.push((
                    Some(group),
                    quote! {
                        #cfg
                        impl crate::Client {
                            #accessor_doc
                            pub fn #accessor(&self) -> #(#path::)*#handle { #(#path::)*#handle { client: self.clone() } }
                        }
                    },
                ));
            }
        }
    }
    // Nested groups (`v3` and `v3::common`) share their outer modules: each
    // top-level one is declared once, where its first group comes.
    let mut out = TokenStream::new();
    let mut declared = std::collections::BTreeSet::new();
    for (group, accessor) in parts {
        if let Some(group) = group {
            let top = group.split("::").next().unwrap_or(group);
            if declared.insert(top.to_owned()) {
                out.extend(nest_groups(top, &inners));
            }
        }
        out.extend(accessor);
    }
    let samples = api.modules.values().filter(|m| !m.operations.is_empty()).map(|m| {
        let path: Vec<_> = m.name.split("::").map(ident).collect();
        let cfg = cfg_any((!m.shared).then_some(&m.feature));
        quote! { #cfg calls.extend(#(#path::)*contract_samples(client).into_iter().map(|(id, call)| (#(#path::)*MODULE, id, call))); }
    });
    let full_samples = api.modules.values().filter(|m| !m.operations.is_empty()).map(|m| {
        let path: Vec<_> = m.name.split("::").map(ident).collect();
        let cfg = cfg_any((!m.shared).then_some(&m.feature));
        quote! { #cfg calls.extend(#(#path::)*contract_samples_full(client).into_iter().map(|(id, call)| (#(#path::)*MODULE, id, call))); }
    });
    quote! {
        #out
        /// The operation table of the `ghl` command line.
        #[cfg(feature = "cli")]
        #[doc(hidden)]
        pub mod cli_table;
        /// One sample call per operation of every enabled module: `(module, operationId, call)`.
        #[cfg(feature = "contract-samples")]
        #[doc(hidden)]
        #[allow(unused_mut)]
        pub fn contract_samples(client: &crate::Client) -> Vec<(&'static str, &'static str, crate::runtime::SampleCall)> {
            let mut calls = Vec::new();
            #(#samples)*
            calls
        }
        /// Like [`contract_samples`], with every optional parameter and body field set.
        #[cfg(feature = "contract-samples")]
        #[doc(hidden)]
        #[allow(unused_mut)]
        pub fn contract_samples_full(client: &crate::Client) -> Vec<(&'static str, &'static str, crate::runtime::SampleCall)> {
            let mut calls = Vec::new();
            #(#full_samples)*
            calls
        }
    }
}

/// `pub mod <last segment of path> { <its items> <its subgroups> }`.
fn nest_groups(path: &str, inners: &BTreeMap<String, TokenStream>) -> TokenStream {
    let own = inners.get(path).cloned().unwrap_or_default();
    let prefix = format!("{path}::");
    let mut children: Vec<&str> = inners
        .keys()
        .filter_map(|k| k.strip_prefix(&prefix))
        .map(|rest| rest.split("::").next().unwrap_or(rest))
        .collect();
    children.dedup();
    let nested = children.into_iter().map(|c| nest_groups(&format!("{path}::{c}"), inners));
    let seg = ident(path.rsplit("::").next().unwrap_or(path));
    quote! { pub mod #seg { #own #(#nested)* } }
}

/// The `[features]` lines between the generated markers of `Cargo.toml`:
/// one per module, one per group (`v3`, and `root_group` for the top level
/// when named), and `full` for all. A module needs no other module's feature:
/// the types it borrows are compiled for it (see [`Module::needed_by`]).
pub fn features_block(api: &Api, root_group: Option<&str>) -> String {
    let featured: Vec<&Module> = api.modules.values().filter(|m| !m.shared).collect();
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in &featured {
        let group = match (&m.group, root_group) {
            (Some(g), _) => Some(g.replace("::", "_")),
            (None, Some(root)) => Some(root.to_owned()),
            (None, None) => None,
        };
        if let Some(g) = group {
            groups.entry(g).or_default().push(format!("\"{}\"", m.feature));
        }
    }
    let quoted = |v: &[String]| v.join(", ");
    let mut out = String::new();
    let all: Vec<String> = if groups.is_empty() {
        featured.iter().map(|m| format!("\"{}\"", m.feature)).collect()
    } else {
        groups.keys().map(|g| format!("\"{g}\"")).collect()
    };
    out.push_str(&format!("full = [{}]\n", quoted(&all)));
    for (g, members) in &groups {
        out.push_str(&format!("{g} = [{}]\n", quoted(members)));
    }
    out.push_str("undocumented = []\n");
    out.push_str("contract-samples = []\n");
    for m in featured {
        out.push_str(&format!("{} = []\n", m.feature));
    }
    out
}
