//! Emitting named types: structs, string enums, untagged unions, aliases.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{doc_attrs, doc_lines, ident, ty_tokens};
use crate::ir::{Api, Field, Repr, StrEnum, Tagged, Ty, TypeDef, TypeKind, UnionVariant, Usage};

/// Tokens for one named type and its impls.
pub fn type_def(module: &str, def: &TypeDef) -> TokenStream {
    let fallback = match &def.kind {
        TypeKind::Enum(_) => format!("Values of `{}`.", def.name),
        TypeKind::Union(_) => format!("`{}`: one of several JSON shapes.", def.name),
        TypeKind::Tagged(t) => format!("`{}`: one of several shapes, chosen by `{}`.", def.name, t.tag),
        _ => format!("The `{}` object.", def.name),
    };
    let docs = doc_attrs(def.doc.as_deref().unwrap_or(&fallback));
    let name = format_ident!("{}", def.name);
    match &def.kind {
        TypeKind::Struct(fields) if def.usage.multipart => multipart_struct(module, &name, &docs, fields, def.usage),
        TypeKind::Struct(fields) => serde_struct(module, &name, &docs, fields, def.usage),
        TypeKind::Enum(e) => string_enum(&name, &docs, e),
        TypeKind::Union(vs) => union(module, &name, &docs, vs, def.usage),
        TypeKind::Tagged(t) => tagged_enum(module, &name, &docs, t, def.usage),
        TypeKind::Alias(ty) => {
            let ty = ty_tokens(module, ty);
            quote! { #docs pub type #name = #ty; }
        }
    }
}

/// The field's type with its Option/Nullable/Box wrapping.
fn field_type(module: &str, f: &Field, usage: Usage) -> TokenStream {
    let mut inner = ty_tokens(module, &f.ty);
    if f.boxed {
        inner = quote! { Box<#inner> };
    }
    match f.repr(usage) {
        Repr::Plain => inner,
        Repr::Option => quote! { Option<#inner> },
        Repr::Nullable => quote! { crate::Nullable<#inner> },
    }
}

/// The accessor of a single-object response wrapper (`{"contact": {...}}`):
/// `resp.contact()` gives the object, or an empty one when the response has
/// none. A wrapper is a type only received, with exactly one field holding
/// an object and otherwise only scalar fields (ids, flags, counts).
pub fn wrapper_accessor(api: &Api, module: &str, def: &TypeDef) -> TokenStream {
    let TypeKind::Struct(fields) = &def.kind else { return quote! {} };
    if def.usage.request || def.usage.multipart {
        return quote! {};
    }
    let is_object = |ty: &Ty| match ty {
        Ty::Named { module, name } => api
            .modules
            .get(module)
            .and_then(|m| m.types.get(name))
            .is_some_and(|t| matches!(t.kind, TypeKind::Struct(_))),
        _ => false,
    };
    let scalar = |ty: &Ty| match ty {
        Ty::String | Ty::Secret | Ty::I32 | Ty::I64 | Ty::F64 | Ty::Bool => true,
        Ty::Named { module, name } => {
            api.modules.get(module).and_then(|m| m.types.get(name)).is_some_and(|t| matches!(t.kind, TypeKind::Enum(_)))
        }
        _ => false,
    };
    let objects: Vec<&Field> = fields.iter().filter(|f| is_object(&f.ty)).collect();
    let [field] = objects.as_slice() else { return quote! {} };
    if !fields.iter().all(|f| is_object(&f.ty) || scalar(&f.ty)) {
        return quote! {};
    }
    let name = format_ident!("{}", def.name);
    let id = ident(&field.ident);
    let ty = ty_tokens(module, &field.ty);
    let Ty::Named { name: inner, .. } = &field.ty else { return quote! {} };
    let value = if field.boxed {
        quote! { self.#id.map(|b| *b).unwrap_or_default() }
    } else {
        quote! { self.#id.unwrap_or_default() }
    };
    let doc = doc_lines(&format!(
        "The `{}` object of the response, or an empty [`{inner}`] (every field absent) when it has none.",
        field.wire
    ));
    quote! {
        impl #name {
            #doc
            pub fn #id(self) -> #ty { #value }
        }
    }
}

fn field_docs(f: &Field) -> TokenStream {
    match f.doc.as_deref() {
        Some(d) => doc_attrs(d),
        None => doc_attrs(&described(f)),
    }
}

/// A field's doc when the spec gives no description, in our words: what the
/// value is (type, format, allowed values) and an example.
pub fn described(f: &Field) -> String {
    let mut text = format!("`{}`: {}", f.wire, value_kind(&f.ty, f.facts.format.as_deref()));
    if !f.facts.values.is_empty() && f.facts.values.len() <= 12 {
        let values: Vec<String> = f.facts.values.iter().map(|v| format!("`{v}`")).collect();
        text.push_str(&format!(", one of {}", values.join(", ")));
    }
    text.push('.');
    if let Some(example) = f.facts.example.as_deref().filter(|e| usable_example(e)) {
        text.push_str(&format!(" Example: `{example}`."));
    }
    text
}

/// A short example fits on the line and breaks no Markdown.
fn usable_example(e: &str) -> bool {
    !e.is_empty() && e.len() <= 80 && !e.contains(['`', '\n', '\r'])
}

/// What a value is, as a noun phrase: `a string`, `a list of [`Contact`] values`...
fn value_kind(ty: &Ty, format: Option<&str>) -> String {
    match ty {
        Ty::Array(inner) => format!("a list of {}", plural(inner, format)),
        Ty::Map(inner) => format!("a map from names to {}", plural(inner, None)),
        Ty::Named { module, name } => format!("a [`{name}`](crate::{module}::{name})"),
        Ty::String => match format {
            Some("date-time") => "a date and time (RFC 3339 string)".to_owned(),
            Some("date") => "a date (`YYYY-MM-DD`)".to_owned(),
            Some("email") => "an email address".to_owned(),
            Some("uri" | "url") => "a URL".to_owned(),
            Some(other) if plain_format(other) => format!("a string (format `{other}`)"),
            _ => "a string".to_owned(),
        },
        Ty::Secret => "a secret string (hidden from `Debug` output)".to_owned(),
        Ty::I32 | Ty::I64 => "a whole number".to_owned(),
        Ty::F64 => "a number".to_owned(),
        Ty::Bool => "`true` or `false`".to_owned(),
        Ty::Json => "any JSON value".to_owned(),
        Ty::Upload => "a file to upload".to_owned(),
    }
}

fn plural(ty: &Ty, format: Option<&str>) -> String {
    match ty {
        Ty::Array(_) => "lists".to_owned(),
        Ty::Map(_) => "maps".to_owned(),
        Ty::Named { module, name } => format!("[`{name}`](crate::{module}::{name}) values"),
        Ty::String => match format {
            Some("date-time") => "dates and times (RFC 3339 strings)".to_owned(),
            Some(other) if plain_format(other) => format!("strings (format `{other}`)"),
            _ => "strings".to_owned(),
        },
        Ty::Secret => "secret strings".to_owned(),
        Ty::I32 | Ty::I64 => "whole numbers".to_owned(),
        Ty::F64 => "numbers".to_owned(),
        Ty::Bool => "booleans".to_owned(),
        Ty::Json => "JSON values".to_owned(),
        Ty::Upload => "files".to_owned(),
    }
}

/// A format name worth repeating (the numeric ones say nothing the Rust type does not).
fn plain_format(format: &str) -> bool {
    !matches!(format, "" | "int32" | "int64" | "float" | "double" | "password" | "binary")
        && format.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn value_expr(f: &Field) -> TokenStream {
    if f.boxed {
        quote! { Box::new(value.into()) }
    } else {
        quote! { value.into() }
    }
}

fn serde_struct(module: &str, name: &syn::Ident, docs: &TokenStream, fields: &[Field], usage: Usage) -> TokenStream {
    let with_default = all_optional(fields, usage);
    let default = with_default.then(|| quote! { Default, });
    // A flattened tagged enum needs serde's buffering of the other keys: derived.
    let derived_de = fields.iter().any(|f| f.flatten);
    // Most wire names are serde's camelCase of the field: one struct-level
    // `rename_all` instead of a `rename` on each of those fields.
    // (serde_derive slices the first byte: only for ASCII names.)
    let camel = fields.iter().all(|f| f.ident.is_ascii())
        && fields.iter().any(|f| f.ident != f.wire && serde_camel_case(&f.ident) == f.wire);
    let rename_all = (camel && derived_de).then(|| quote! { #[serde(rename_all = "camelCase")] });
    let members = fields.iter().map(|f| {
        let id = ident(&f.ident);
        let ty = field_type(module, f, usage);
        let attrs = derived_de.then(|| derive_attrs(f, usage, camel));
        let fdocs = field_docs(f);
        quote! { #fdocs #attrs pub #id: #ty, }
    });
    let builder = usage.request.then(|| builder_impl(module, name, fields, usage));
    let (serde, object) = if derived_de {
        (Some(serde_derives(usage)), None)
    } else {
        (None, Some(object_impls(name, fields, usage, with_default)))
    };
    quote! {
        #docs
        #[derive(Clone, Debug, #default PartialEq)]
        #serde
        #rename_all
        #[non_exhaustive]
        pub struct #name { #(#members)* }
        #object
        #builder
    }
}

/// `rename = "wire"` where serde's own name for the field (its ident,
/// camelCased under the struct's `rename_all`) is not the wire name.
fn rename(f: &Field, camel: bool) -> Option<TokenStream> {
    let serde_name = if camel { serde_camel_case(&f.ident) } else { f.ident.clone() };
    let wire = &f.wire;
    (serde_name != f.wire).then(|| quote! { rename = #wire })
}

/// serde's `rename_all = "camelCase"` of a field name, as serde computes it:
/// each `_` dropped and the next character upper-cased (ASCII), the first
/// character lower-cased.
fn serde_camel_case(field: &str) -> String {
    let field = field.strip_prefix("r#").unwrap_or(field);
    let mut pascal = String::with_capacity(field.len());
    let mut capitalize = true;
    for ch in field.chars() {
        if ch == '_' {
            capitalize = true;
        } else if capitalize {
            pascal.push(ch.to_ascii_uppercase());
            capitalize = false;
        } else {
            pascal.push(ch);
        }
    }
    match pascal.chars().next() {
        Some(first) => first.to_ascii_lowercase().to_string() + &pascal[first.len_utf8()..],
        None => pascal,
    }
}

/// A field's `#[serde(...)]` for both derives.
fn derive_attrs(f: &Field, usage: Usage, camel: bool) -> TokenStream {
    let wire_name = rename(f, camel);
    let rename = wire_name.as_ref().map(|r| quote! { #r, });
    match f.repr(usage) {
        // The enum writes and reads both of its keys in the parent object;
        // a flattened `None` writes nothing.
        _ if f.flatten => quote! { #[serde(flatten)] },
        // Always written: a received list has no "leave unchanged"
        // meaning, and a sent one is required.
        Repr::Plain if f.empty_when_absent(usage) => {
            quote! { #[serde(#rename default, deserialize_with = "crate::runtime::lenient::null_as_default")] }
        }
        Repr::Plain => wire_name.map(|r| quote! { #[serde(#r)] }).unwrap_or_default(),
        Repr::Option if usage.lenient() || !f.required => {
            quote! { #[serde(#rename default, skip_serializing_if = "Option::is_none")] }
        }
        // A required nullable field is always sent, as null when unset.
        Repr::Option => quote! { #[serde(#rename default)] },
        Repr::Nullable => quote! { #[serde(#rename default, skip_serializing_if = "crate::Nullable::is_absent")] },
    }
}

/// No field is required: the type derives `Default`, and decoding starts from it.
fn all_optional(fields: &[Field], usage: Usage) -> bool {
    fields.iter().all(|f| f.repr(usage) != Repr::Plain || f.empty_when_absent(usage))
}

/// `Serialize` and `Deserialize` through `crate::runtime::object`, where
/// [`serde_derives`] would derive them: each is one line per field handed to
/// a runtime macro, instead of serde's derives (a field enum and a visitor
/// with `visit_seq` and `visit_map` per type; a `serialize_field` and a skip
/// test per field), which were most of a type's compile cost.
fn object_impls(name: &syn::Ident, fields: &[Field], usage: Usage, with_default: bool) -> TokenStream {
    // A received type's `Serialize` (under `serde-both-ways`) writes every
    // field: `object_impl!` makes it from the same lines.
    let received = !usage.request && with_default;
    let de = object_impl(name, fields, usage, with_default, received);
    let ser = (!received).then(|| serialize_impl(name, fields, usage));
    quote! { #ser #de }
}

/// `Serialize` when callers send the type (else with `serde-both-ways`).
fn serialize_impl(name: &syn::Ident, fields: &[Field], usage: Usage) -> TokenStream {
    let cfg = (!usage.request).then(|| quote! { #[cfg(feature = "serde-both-ways")] });
    let lines = fields.iter().map(|f| {
        let (id, wire) = (ident(&f.ident), &f.wire);
        let write = match f.repr(usage) {
            // A received type serialized (with `serde-both-ways`) writes `null`
            // for an absent field, which decodes back the same.
            Repr::Option if usage.request && (usage.lenient() || !f.required) => quote!(unless_none),
            Repr::Nullable => quote!(unless_absent),
            _ => quote!(value),
        };
        quote! { #id: #wire #write }
    });
    quote! {
        #cfg
        crate::runtime::object::serialize_impl! { #name { #(#lines),* } }
    }
}

/// `Deserialize` through the field table: one `read` that matches each
/// key's index.
fn object_impl(name: &syn::Ident, fields: &[Field], usage: Usage, with_default: bool, received: bool) -> TokenStream {
    let cfg = (usage.request && !usage.decoded).then(|| quote! { #[cfg(feature = "serde-both-ways")] });
    // One line per field; `runtime::object::object_impl!` writes the impls.
    // A type with a default is read into it; only the others say, per
    // field, whether it is required.
    let lines = fields.iter().enumerate().map(|(i, f)| {
        let (id, wire, index) = (ident(&f.ident), &f.wire, proc_macro2::Literal::usize_unsuffixed(i));
        let plain = f.repr(usage) == Repr::Plain;
        let read = if plain && f.empty_when_absent(usage) { quote!(value_or_default) } else { quote!(value) };
        let finish = match (with_default, plain && !f.empty_when_absent(usage)) {
            (true, _) => None,
            (false, true) => Some(quote!(required)),
            (false, false) => Some(quote!(optional)),
        };
        quote! { #id: #index #wire #read #finish }
    });
    let received = received.then(|| quote!(received));
    quote! {
        #cfg
        crate::runtime::object::object_impl! { #received #name { #(#lines),* } }
    }
}

/// The serde derives of a type, one per direction it travels: `Serialize`
/// when callers send it, `Deserialize` when it is decoded (received, unused,
/// or inside an unused type: [`Usage::decoded`]). A
/// derive is most of what a type costs to compile, so the other direction is
/// only derived with the `serde-both-ways` feature.
fn serde_derives(usage: Usage) -> TokenStream {
    let both = quote! { feature = "serde-both-ways" };
    match (usage.request, usage.decoded) {
        (true, true) => quote! { #[derive(serde::Serialize, serde::Deserialize)] },
        (true, false) => quote! {
            #[derive(serde::Serialize)]
            #[cfg_attr(#both, derive(serde::Deserialize))]
        },
        (false, _) => quote! {
            #[derive(serde::Deserialize)]
            #[cfg_attr(#both, derive(serde::Serialize))]
        },
    }
}

/// `new(required…)` plus one setter per optional field, for types callers build.
/// Setter and `clear_` method names, one pair per field: the field's ident
/// (`set_new` for `new`, the constructor's name), then `clear_<ident>`, each
/// numbered when another method already has it (`foo` + `clear_foo` fields).
fn method_names(fields: &[&Field], usage: Usage) -> Vec<(String, String)> {
    let mut taken: Vec<String> = vec!["new".to_owned()];
    taken.extend(fields.iter().filter(|f| f.ident != "new").map(|f| f.ident.clone()));
    let mut out = Vec::new();
    for f in fields {
        let setter = if f.ident == "new" {
            let s = crate::names::unique("set_new", |c| taken.iter().any(|t| t == c));
            taken.push(s.clone());
            s
        } else {
            f.ident.clone()
        };
        out.push((setter, String::new()));
    }
    for (f, (_, clear)) in fields.iter().zip(out.iter_mut()) {
        if f.repr(usage) == Repr::Nullable {
            *clear = crate::names::unique(&format!("clear_{}", f.ident.trim_end_matches('_')), |c| {
                taken.iter().any(|t| t == c)
            });
            taken.push(clear.clone());
        }
    }
    out
}

fn builder_impl(module: &str, name: &syn::Ident, fields: &[Field], usage: Usage) -> TokenStream {
    let required: Vec<&Field> = fields.iter().filter(|f| f.in_constructor(usage)).collect();
    let args = required.iter().map(|f| {
        let id = ident(&f.ident);
        let ty = ty_tokens(module, &f.ty);
        quote! { #id: impl Into<#ty> }
    });
    let inits = fields.iter().map(|f| {
        let id = ident(&f.ident);
        match f.repr(usage) {
            Repr::Plain if f.boxed => quote! { #id: Box::new(#id.into()), },
            Repr::Plain => quote! { #id: #id.into(), },
            Repr::Option if f.in_constructor(usage) && f.boxed => quote! { #id: Some(Box::new(#id.into())), },
            Repr::Option if f.in_constructor(usage) => quote! { #id: Some(#id.into()), },
            Repr::Option => quote! { #id: None, },
            Repr::Nullable => quote! { #id: crate::Nullable::Absent, },
        }
    });
    let with_setter: Vec<&Field> = fields.iter().filter(|f| f.repr(usage) != Repr::Plain).collect();
    let names = method_names(&with_setter, usage);
    let setters = with_setter.iter().zip(names).map(|(f, (setter, clear))| {
        let id = ident(&f.ident);
        let setter = ident(&setter);
        let ty = ty_tokens(module, &f.ty);
        let value = value_expr(f);
        let doc = doc_lines(&format!("Sets `{}`.", f.wire));
        match f.repr(usage) {
            Repr::Nullable => {
                let clear = ident(&clear);
                let clear_doc = doc_lines(&format!("Sends `{}` as `null`.", f.wire));
                quote! {
                    #doc
                    pub fn #setter(mut self, value: impl Into<#ty>) -> Self { self.#id = crate::Nullable::Value(#value); self }
                    #clear_doc
                    pub fn #clear(mut self) -> Self { self.#id = crate::Nullable::Null; self }
                }
            }
            _ => quote! {
                #doc
                pub fn #setter(mut self, value: impl Into<#ty>) -> Self { self.#id = Some(#value); self }
            },
        }
    });
    let new_doc = doc_lines(&if required.is_empty() {
        "An empty value; set fields with the methods below.".to_owned()
    } else {
        format!(
            "A value with the required fields ({}).",
            required.iter().map(|f| format!("`{}`", f.wire)).collect::<Vec<_>>().join(", ")
        )
    });
    quote! {
        impl #name {
            #new_doc
            #[allow(clippy::new_without_default, clippy::too_many_arguments)]
            pub fn new(#(#args),*) -> Self { Self { #(#inits)* } }
            #(#setters)*
        }
    }
}

fn multipart_struct(
    module: &str,
    name: &syn::Ident,
    docs: &TokenStream,
    fields: &[Field],
    usage: Usage,
) -> TokenStream {
    // Binary fields become file parts.
    let fields: Vec<Field> = fields
        .iter()
        .map(|f| {
            let mut f = f.clone();
            if f.binary {
                f.ty = match f.ty {
                    Ty::Array(_) => Ty::Array(Box::new(Ty::Upload)),
                    _ => Ty::Upload,
                };
            }
            f
        })
        .collect();
    let fields = fields.as_slice();
    let members = fields.iter().map(|f| {
        let id = ident(&f.ident);
        let ty = field_type(module, f, usage);
        let fdocs = field_docs(f);
        quote! { #fdocs pub #id: #ty, }
    });
    let builder = builder_impl(module, name, fields, usage);
    let parts = fields.iter().map(|f| {
        let id = ident(&f.ident);
        let wire = &f.wire;
        let max = match f.max_bytes {
            Some(m) => quote! { Some(#m) },
            None => quote! { None },
        };
        let push_one = |v: TokenStream, ty: &Ty| -> TokenStream {
            match ty {
                Ty::Upload => quote! { parts.push(crate::Part::File { name: #wire.into(), upload: #v, max_bytes: #max }); },
                Ty::String => quote! { parts.push(crate::Part::Text { name: #wire.into(), value: #v }); },
                Ty::Secret => quote! { parts.push(crate::Part::Text { name: #wire.into(), value: #v.expose().to_owned() }); },
                Ty::I32 | Ty::I64 | Ty::F64 | Ty::Bool => quote! { parts.push(crate::Part::Text { name: #wire.into(), value: #v.to_string() }); },
                Ty::Named { .. } | Ty::Json | Ty::Map(_) | Ty::Array(_) => quote! {
                    parts.push(crate::Part::Text { name: #wire.into(), value: crate::runtime::request::multipart_text(&#v) });
                },
            }
        };
        let body = match &f.ty {
            Ty::Array(inner) if matches!(**inner, Ty::Upload | Ty::String) => {
                let one = push_one(quote! { item }, inner);
                quote! { for item in values { #one } }
            }
            other => push_one(quote! { values }, other),
        };
        match f.repr(usage) {
            Repr::Plain => quote! { { let values = self.#id; #body } },
            _ => quote! { if let Some(values) = self.#id { #body } },
        }
    });
    quote! {
        #docs
        #[derive(Clone, Debug)]
        #[non_exhaustive]
        pub struct #name { #(#members)* }
        #builder
        impl #name {
            /// The multipart parts of this body, in field order.
            pub fn into_parts(self) -> Vec<crate::Part> {
                let mut parts = Vec::new();
                #(#parts)*
                parts
            }
        }
    }
}

fn string_enum(name: &syn::Ident, docs: &TokenStream, e: &StrEnum) -> TokenStream {
    let catch_all = format_ident!("{}", e.catch_all);
    let variants = e.variants.iter().map(|(wire, v)| {
        let v = format_ident!("{}", v);
        let doc = doc_lines(&format!("`{wire}`"));
        quote! { #doc #v, }
    });
    let to_str = e.variants.iter().map(|(wire, v)| {
        let v = format_ident!("{}", v);
        quote! { Self::#v => #wire, }
    });
    let from_str = e.variants.iter().map(|(wire, v)| {
        let v = format_ident!("{}", v);
        quote! { #wire => Self::#v, }
    });
    quote! {
        #docs
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this version of the client does not know; the text is kept.
            #catch_all(String),
        }
        impl #name {
            /// The value as sent on the wire.
            #[inline]
            pub fn as_str(&self) -> &str {
                match self { #(#to_str)* Self::#catch_all(other) => other }
            }
        }
        impl From<&str> for #name {
            #[inline]
            fn from(value: &str) -> Self {
                match value { #(#from_str)* other => Self::#catch_all(other.to_owned()) }
            }
        }
        crate::runtime::enums::string_enum!(#name);
    }
}

fn union(module: &str, name: &syn::Ident, docs: &TokenStream, variants: &[UnionVariant], usage: Usage) -> TokenStream {
    let vs = variants.iter().map(|v| {
        let id = format_ident!("{}", v.ident);
        let ty = ty_tokens(module, &v.ty);
        let doc = doc_lines(&format!("The `{}` shape.", v.ident));
        quote! { #doc #id(#ty), }
    });
    let serde = serde_derives(usage);
    quote! {
        #docs
        #[derive(Clone, Debug, PartialEq)]
        #serde
        #[serde(untagged)]
        #[allow(clippy::large_enum_variant)]
        pub enum #name { #(#vs)* }
    }
}

/// An enum whose variant a tag beside it in the parent object chooses. It is
/// flattened into the parent: it reads and writes both keys, and keeps an
/// unknown tag (or a payload that does not fit its tag) in the catch-all.
fn tagged_enum(module: &str, name: &syn::Ident, docs: &TokenStream, t: &Tagged, usage: Usage) -> TokenStream {
    let (tag, content) = (&t.tag, &t.content);
    let other = format_ident!("{}", t.catch_all);
    let variants = t.variants.iter().map(|v| {
        let id = format_ident!("{}", v.ident);
        let ty = ty_tokens(module, &v.ty);
        let doc = doc_lines(&format!("`{tag}` is `{}`.", v.wire));
        quote! { #doc #id(#ty), }
    });
    let tags = t.variants.iter().map(|v| {
        let id = format_ident!("{}", v.ident);
        let wire = &v.wire;
        quote! { Self::#id(_) => Some(#wire), }
    });
    let writes = t.variants.iter().map(|v| {
        let id = format_ident!("{}", v.ident);
        let wire = &v.wire;
        quote! { Self::#id(value) => crate::runtime::tagged::write(serializer, #tag, Some(#wire), #content, Some(value)), }
    });
    let reads = t.variants.iter().map(|v| {
        let id = format_ident!("{}", v.ident);
        let wire = &v.wire;
        quote! { Some(#wire) => crate::runtime::tagged::decode(&raw).map(Self::#id), }
    });
    // `From` for each payload type that only one variant carries.
    let froms = t.variants.iter().filter(|v| t.variants.iter().filter(|w| w.ty == v.ty).count() == 1).map(|v| {
        let id = format_ident!("{}", v.ident);
        let ty = ty_tokens(module, &v.ty);
        quote! { impl From<#ty> for #name { fn from(value: #ty) -> Self { Self::#id(value) } } }
    });
    let other_doc =
        doc_lines(&format!("Another `{tag}`, or a `{content}` that does not fit its `{tag}`: kept as received."));
    let tag_doc = doc_lines(&format!("The `{tag}` value, if any."));
    // Like the derives: one direction unless `serde-both-ways` asks for both
    // (the payload types implement only what their own usage needs).
    let both = quote! { #[cfg(feature = "serde-both-ways")] };
    let ser_cfg = (!usage.request).then(|| both.clone());
    let de_cfg = (!usage.decoded).then(|| both.clone());
    quote! {
        #docs
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        #[allow(clippy::large_enum_variant)]
        pub enum #name {
            #(#variants)*
            #other_doc
            #other(crate::RawVariant),
        }
        impl #name {
            #tag_doc
            pub fn tag(&self) -> Option<&str> {
                match self { #(#tags)* Self::#other(raw) => raw.tag.as_deref() }
            }
        }
        #ser_cfg
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(#writes)*
                    Self::#other(raw) => crate::runtime::tagged::write(serializer, #tag, raw.tag.as_deref(), #content, raw.content.as_ref()),
                }
            }
        }
        #de_cfg
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = crate::runtime::tagged::split(deserializer, #tag, #content)?;
                let known = match raw.tag.as_deref() {
                    #(#reads)*
                    _ => None,
                };
                Ok(known.unwrap_or(Self::#other(raw)))
            }
        }
        #(#froms)*
    }
}

#[cfg(test)]
mod tests {
    use super::serde_camel_case;

    /// The generator drops a field's `rename` where serde's own camelCase gives
    /// the wire name: the two must agree exactly, or a request sends wrong keys.
    #[test]
    fn camel_case_matches_serde() {
        #[allow(non_snake_case, dead_code)]
        #[derive(serde::Serialize, Default)]
        #[serde(rename_all = "camelCase")]
        struct Fields {
            first_name: u8,
            address1: u8,
            v2_api: u8,
            type_: u8,
            a_b_c: u8,
            x__y: u8,
            _id: u8,
            id_2: u8,
            already_camelCase: u8,
        }
        let keys: Vec<String> = match serde_json::to_value(Fields::default()) {
            Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
            other => panic!("not an object: {other:?}"),
        };
        let ours: Vec<String> =
            ["first_name", "address1", "v2_api", "type_", "a_b_c", "x__y", "_id", "id_2", "already_camelCase"]
                .iter()
                .map(|f| serde_camel_case(f))
                .collect();
        assert_eq!(ours, keys);
    }
}
