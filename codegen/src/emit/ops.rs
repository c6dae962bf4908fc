//! Emitting the module handle, one builder per operation, and the
//! `Paginated` impls of paged operations.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{doc_attrs, doc_lines, ident, ty_tokens};
use crate::config::Vendor;
use crate::ir::{
    BodyKind, Context, Method, Module, Operation, PageParam, PageStyle, Param, ParamEncoding, ParamLoc, PathStep,
    Success, Token, Ty,
};
use crate::names;

/// The handle type name of a module (`contacts` → `Contacts`).
pub fn handle_name(module: &str) -> String {
    names::pascal(module)
}

/// The handle struct and its one method per operation.
pub fn handle(module: &Module, vendor: &Vendor) -> TokenStream {
    let name = format_ident!("{}", handle_name(module.leaf()));
    let doc = doc_lines(&format!("Operations of the {} module. Get one with `{}`.", module.title, module.accessor()));
    let methods = module.operations.values().map(|op| {
        let fn_name = ident(&op.fn_name);
        let builder = format_ident!("{}", op.type_name);
        let (args, inits) = constructor_parts(&module.name, op);
        let docs = doc_attrs(&op_doc(op, vendor));
        let cfg = op.undocumented.then(|| {
            quote! { #[cfg(feature = "undocumented")] }
        });
        let note = format!("{} marks this operation deprecated", vendor.name);
        let deprecated = op.deprecated.then(|| quote! { #[deprecated(note = #note)] });
        quote! {
            #docs #cfg #deprecated
            pub fn #fn_name(&self #(, #args)*) -> #builder {
                #builder { client: self.client.clone(), #(#inits)* }
            }
        }
    });
    // Without `undocumented`, a module of undocumented operations has no method using its client.
    let unused =
        module.all_undocumented().then(|| quote! { #[cfg_attr(not(feature = "undocumented"), allow(dead_code))] });
    quote! {
        #doc
        #[derive(Clone, Debug)]
        pub struct #name { #unused client: crate::Client }
        impl #name {
            pub(crate) fn new(client: crate::Client) -> Self { Self { client } }
            #(#methods)*
        }
    }
}

/// Whether a parameter is a positional argument (required, not filled from the client).
fn positional(p: &Param) -> bool {
    p.required && p.context.is_none()
}

fn param_field_ty(module: &str, p: &Param) -> TokenStream {
    let ty = ty_tokens(module, &p.ty);
    if positional(p) {
        ty
    } else {
        quote! { Option<#ty> }
    }
}

fn constructor_parts(module: &str, op: &Operation) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let mut args = Vec::new();
    let mut inits = Vec::new();
    for p in &op.params {
        let id = ident(&p.ident);
        if positional(p) {
            let ty = ty_tokens(module, &p.ty);
            args.push(quote! { #id: impl Into<#ty> });
            inits.push(quote! { #id: #id.into(), });
        } else {
            inits.push(quote! { #id: None, });
        }
    }
    if let Some(body) = &op.body {
        if body.required {
            let ty = ty_tokens(module, &body.ty);
            args.push(quote! { body: #ty });
            inits.push(quote! { body, });
        } else {
            inits.push(quote! { body: None, });
        }
    }
    (args, inits)
}

/// Rustdoc of an operation: summary, description, and the facts line.
pub fn op_doc(op: &Operation, vendor: &Vendor) -> String {
    let mut parts = Vec::new();
    if let Some(s) = &op.summary {
        parts.push(s.clone());
    }
    if let Some(d) = &op.description {
        parts.push(d.clone());
    }
    let token = match op.token {
        Token::Location => "location",
        Token::Agency => "agency",
        Token::Either => "location or agency",
        Token::None => "no",
    };
    let scopes = if op.scopes.is_empty() {
        "none stated".to_owned()
    } else {
        op.scopes.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
    };
    parts.push(format!(
        "`{} {}` · Version `{}` · {token} token · scopes: {scopes}",
        op.method.as_str(),
        op.path,
        op.version
    ));
    if op.undocumented {
        parts.push(format!("Not in {}'s published docs; available with the `undocumented` feature.", vendor.name));
    }
    // `op.note` (`x-ghl-note`) is for maintainers: it stays in the spec.
    parts.join("\n\n")
}

fn method_tokens(m: Method) -> TokenStream {
    let c = format_ident!("{}", m.as_str());
    quote! { http::Method::#c }
}

/// The builder struct of one operation with its setters and send methods.
///
/// `to_request`, the send methods and the paging methods are `#[inline]`:
/// an unoptimized build then generates their machine code (and the decoder
/// of the response type they pull in) only in the crate that calls them, so
/// a program pays for the operations it uses, not for every one enabled.
pub fn builder(module: &str, op: &Operation, vendor: &Vendor) -> TokenStream {
    let name = format_ident!("{}", op.type_name);
    let cfg = op.undocumented.then(|| {
        quote! { #[cfg(feature = "undocumented")] }
    });
    let doc = format!(
        "Request builder for `{}`: set optional parameters, then call `send()`.\n\n{}",
        op.fn_name,
        op_doc(op, vendor)
    );
    let docs = doc_attrs(&doc);
    let mut fields = vec![quote! { client: crate::Client, }];
    for p in &op.params {
        let id = ident(&p.ident);
        let ty = param_field_ty(module, p);
        fields.push(quote! { #id: #ty, });
    }
    if let Some(body) = &op.body {
        let ty = ty_tokens(module, &body.ty);
        fields.push(if body.required {
            quote! { body: #ty, }
        } else {
            quote! { body: Option<#ty>, }
        });
    }
    let setters = op.params.iter().filter(|p| !positional(p)).map(|p| {
        let id = ident(&p.ident);
        let ty = ty_tokens(module, &p.ty);
        let mut doc = p.doc.clone().unwrap_or_else(|| format!("Sets `{}`.", p.wire));
        if p.context == Some(Context::Location) {
            doc.push_str("\n\nDefaults to the client's configured location.");
        }
        let doc = doc_attrs(&doc);
        quote! {
            #doc
            pub fn #id(mut self, value: impl Into<#ty>) -> Self { self.#id = Some(value.into()); self }
        }
    });
    let body_setter = op.body.as_ref().filter(|b| !b.required).map(|b| {
        let ty = ty_tokens(module, &b.ty);
        quote! {
            /// Sets the request body.
            pub fn body(mut self, value: impl Into<#ty>) -> Self { self.body = Some(value.into()); self }
        }
    });
    let to_request = to_request(op);
    let success = match &op.success {
        Success::Json(ty) => ty_tokens(module, ty),
        Success::Empty => quote! { () },
        Success::Bytes => quote! { bytes::Bytes },
    };
    // Both return the runtime's generic future: an operation has no
    // coroutine of its own to compile. The request is built at the call,
    // its error reported when the future is awaited.
    let (call, call_body) = if op.success == Success::Bytes {
        (quote! { call_bytes }, quote! { call_bytes_body })
    } else {
        (quote! { call }, quote! { call_body })
    };
    let paged = op.pagination.as_ref().map(|_| paginated(module, op));
    quote! {
        #docs #cfg
        #[derive(Clone, Debug)]
        #[must_use = "a request does nothing until `.send().await`"]
        pub struct #name { #(#fields)* }
        #cfg
        impl #name {
            #(#setters)*
            #body_setter
            #to_request
            /// Sends the request and returns the decoded body.
            #[inline]
            pub fn send(self) -> impl std::future::Future<Output = Result<#success, crate::Error>> {
                crate::runtime::client::#call_body(self.to_request(), self.client)
            }
            /// Sends the request and returns the body with status, headers and raw bytes.
            #[inline]
            pub fn send_with_meta(self) -> impl std::future::Future<Output = Result<crate::ApiResponse<#success>, crate::Error>> {
                crate::runtime::client::#call(self.to_request(), self.client)
            }
        }
        #paged
    }
}

fn to_request(op: &Operation) -> TokenStream {
    let id = &op.id;
    let method = method_tokens(op.method);
    let path_template = &op.path;
    let version = &op.version;
    let token = match op.token {
        Token::Location => quote! { crate::TokenKind::Location },
        Token::Agency => quote! { crate::TokenKind::Agency },
        Token::Either => quote! { crate::TokenKind::Either },
        Token::None => quote! { crate::TokenKind::None },
    };
    let scopes = &op.scopes;
    // Resolve context parameters (locationId) first: they are needed in the path and as the rate-limit key.
    let mut prelude = Vec::new();
    let mut scope_key = None;
    for p in op.params.iter().filter(|p| p.context == Some(Context::Location)) {
        let pid = ident(&p.ident);
        prelude.push(quote! { let #pid = self.client.resolve_location(#id, self.#pid.as_deref())?; });
        scope_key.get_or_insert_with(|| quote! { request.scope_key(#pid.clone()); });
    }
    // Path parameters, in the template's order: the runtime fills and
    // encodes them (`Request::at`).
    let mut path_args = Vec::new();
    let mut rest = op.path.as_str();
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else { break };
        let wire = &rest[start + 1..start + len];
        let p = op.params.iter().find(|p| p.loc == ParamLoc::Path && p.wire == wire);
        path_args.push(match p {
            Some(p) => {
                let pid = ident(&p.ident);
                if p.context.is_some() {
                    quote! { #pid.as_str() }
                } else if p.ty == Ty::String || matches!(p.ty, Ty::Named { .. }) {
                    // Strings, string enums and aliases of String: no allocation.
                    quote! { self.#pid.as_str() }
                } else {
                    quote! { self.#pid.to_string().as_str() }
                }
            }
            None => quote! { "" },
        });
        rest = &rest[start + len + 1..];
    }

    let mut adds = Vec::new();
    for p in op.params.iter().filter(|p| p.loc != ParamLoc::Path) {
        let pid = ident(&p.ident);
        let wire = &p.wire;
        let add = |v: TokenStream| -> TokenStream {
            match (p.loc, p.encoding) {
                (ParamLoc::Header, _) => quote! { request.header(#wire, #v); },
                (_, ParamEncoding::EachText) => quote! { request.query_each(#wire, #v); },
                (_, ParamEncoding::CommaText) => quote! { request.query_joined(#wire, #v); },
                (_, ParamEncoding::Json) => quote! { request.query_json(#wire, #v)?; },
                (_, ParamEncoding::Text) => quote! { request.query(#wire, #v); },
            }
        };
        if p.context.is_some() {
            adds.push(add(quote! { &#pid }));
        } else if positional(p) && matches!(p.ty, Ty::I32 | Ty::I64 | Ty::F64 | Ty::Bool) {
            adds.push(add(quote! { self.#pid }));
        } else if positional(p) {
            adds.push(add(quote! { &self.#pid }));
        } else {
            let inner = add(quote! { value });
            adds.push(quote! { if let Some(value) = &self.#pid { #inner } });
        }
    }
    let body = op.body.as_ref().map(|b| {
        let set = match b.kind {
            BodyKind::Json => quote! { request.json(value)?; },
            BodyKind::Form => quote! { request.form(value)?; },
            BodyKind::Multipart if matches!(b.ty, Ty::Map(_)) => {
                let max = match b.max_bytes {
                    Some(m) => quote! { Some(#m) },
                    None => quote! { None },
                };
                quote! {
                    request.multipart(value.iter().map(|(name, upload)| crate::Part::File {
                        name: name.clone().into(),
                        upload: upload.clone(),
                        max_bytes: #max,
                    }).collect());
                }
            }
            BodyKind::Multipart => quote! { request.multipart(value.clone().into_parts()); },
        };
        if b.required {
            quote! { { let value = &self.body; #set } }
        } else {
            quote! { if let Some(value) = &self.body { #set } }
        }
    });
    let mut_kw = if adds.is_empty() && body.is_none() && scope_key.is_none() {
        quote! {}
    } else {
        quote! { mut }
    };
    quote! {
        /// Builds the HTTP request without sending it (useful in tests).
        #[inline]
        pub fn to_request(&self) -> Result<crate::Request, crate::Error> {
            static META: crate::OperationMeta = crate::OperationMeta {
                id: #id,
                method: #method,
                path: #path_template,
                version: #version,
                token: #token,
                scopes: &[#(#scopes),*],
            };
            #(#prelude)*
            let #mut_kw request = crate::Request::at(&META, &[#(#path_args),*]);
            #scope_key
            #(#adds)*
            #body
            Ok(request)
        }
    }
}

/// `Some(page)` followed by field steps, borrowing: yields `Option<&T>`.
fn borrow_path(root: TokenStream, steps: &[PathStep]) -> TokenStream {
    let mut expr = root;
    for s in steps {
        let f = ident(&s.ident);
        expr = match (s.optional, s.boxed) {
            (true, true) => quote! { #expr.and_then(|v| v.#f.as_deref()) },
            (true, false) => quote! { #expr.and_then(|v| v.#f.as_ref()) },
            (false, true) => quote! { #expr.map(|v| &*v.#f) },
            (false, false) => quote! { #expr.map(|v| &v.#f) },
        };
    }
    expr
}

/// Same, taking ownership: yields `Option<T>`.
fn owned_path(root: TokenStream, steps: &[PathStep]) -> TokenStream {
    let mut expr = root;
    for s in steps {
        let f = ident(&s.ident);
        expr = match (s.optional, s.boxed) {
            (true, true) => quote! { #expr.and_then(|v| v.#f).map(|b| *b) },
            (true, false) => quote! { #expr.and_then(|v| v.#f) },
            (false, true) => quote! { #expr.map(|v| *v.#f) },
            (false, false) => quote! { #expr.map(|v| v.#f) },
        };
    }
    expr
}

/// `Option<i64>` from a numeric `Option<&T>`.
fn as_i64(expr: TokenStream, ty: &Ty) -> TokenStream {
    match ty {
        Ty::I32 => quote! { #expr.map(|v| i64::from(*v)) },
        Ty::F64 => quote! { #expr.map(|v| *v as i64) },
        _ => quote! { #expr.copied() },
    }
}

/// Where a paging parameter lives on the builder.
fn param_place(p: &PageParam, in_body: bool) -> TokenStream {
    let id = ident(&p.ident);
    if in_body {
        quote! { self.body.#id }
    } else {
        quote! { self.#id }
    }
}

fn current_i64(p: &PageParam, in_body: bool) -> TokenStream {
    let place = param_place(p, in_body);
    let opt = if p.plain {
        quote! { Some(&#place) }
    } else {
        quote! { #place.as_ref() }
    };
    as_i64(opt, &p.ty)
}

fn set_from_i64(p: &PageParam, in_body: bool) -> TokenStream {
    let place = param_place(p, in_body);
    let conv = match p.ty {
        Ty::I32 => quote! { match i32::try_from(next) { Ok(v) => v, Err(_) => return false } },
        _ => quote! { next },
    };
    if p.plain {
        quote! { #place = #conv; }
    } else {
        quote! { #place = Some(#conv); }
    }
}

fn paginated(module: &str, op: &Operation) -> TokenStream {
    let Some(pg) = &op.pagination else { return quote! {} };
    let name = format_ident!("{}", op.type_name);
    let cfg = op.undocumented.then(|| {
        quote! { #[cfg(feature = "undocumented")] }
    });
    let Success::Json(page_ty) = &op.success else { return quote! {} };
    let page = ty_tokens(module, page_ty);
    let item = ty_tokens(module, &pg.item_ty);
    let items_ref = borrow_path(quote! { Some(page) }, &pg.items);
    let items_owned = owned_path(quote! { Some(page) }, &pg.items);
    let total = match &pg.total {
        Some(steps) => as_i64(borrow_path(quote! { Some(page) }, steps), pg.total_ty.as_ref().unwrap_or(&Ty::I64)),
        None => quote! { None },
    };
    let limit = match &pg.limit {
        Some(p) => current_i64(p, pg.in_body),
        None => quote! { None },
    };
    let advance = match &pg.style {
        PageStyle::Offset(p) | PageStyle::Page(p) => {
            let helper = if matches!(pg.style, PageStyle::Offset(_)) {
                quote! { next_offset }
            } else {
                quote! { next_page }
            };
            let current = current_i64(p, pg.in_body);
            let set = set_from_i64(p, pg.in_body);
            quote! {
                let count = #items_ref.map_or(0, Vec::len);
                let total: Option<i64> = #total;
                let limit: Option<i64> = #limit;
                let Some(next) = crate::runtime::pagination::#helper(#current, limit, count, total) else { return false };
                #set
                true
            }
        }
        PageStyle::Cursor(cursors) => {
            let mut lets = Vec::new();
            let mut moved = Vec::new();
            let mut sets = Vec::new();
            for (i, (p, src)) in cursors.iter().enumerate() {
                let var = format_ident!("next_{}", i);
                let root = if src.from_last_item {
                    quote! { #items_ref.and_then(|items| items.last()) }
                } else {
                    quote! { Some(page) }
                };
                let found = borrow_path(root, &src.path);
                let conv = match (&p.ty, &src.ty) {
                    (a, b) if a == b => quote! { #found.cloned() },
                    (Ty::String, _) => quote! { #found.map(|v| v.to_string()) },
                    (Ty::I64, Ty::I32) => quote! { #found.map(|v| i64::from(*v)) },
                    (Ty::I64, Ty::F64) => quote! { #found.map(|v| *v as i64) },
                    (Ty::I32, _) => quote! { #found.and_then(|v| i32::try_from(*v as i64).ok()) },
                    (Ty::F64, _) => quote! { #found.map(|v| *v as f64) },
                    _ => quote! { #found.cloned() },
                };
                let ty = ty_tokens(module, &p.ty);
                lets.push(quote! { let #var: Option<#ty> = #conv; });
                let place = param_place(p, pg.in_body);
                let current = if p.plain {
                    quote! { Some(&#place) }
                } else {
                    quote! { #place.as_ref() }
                };
                moved.push(quote! { crate::runtime::pagination::cursor_moved(#current, #var.as_ref()) });
                sets.push(if p.plain {
                    quote! { if let Some(v) = #var { #place = v; } }
                } else {
                    quote! { if #var.is_some() { #place = #var; } }
                });
            }
            quote! {
                if #items_ref.is_none_or(|items| items.is_empty()) { return false; }
                #(#lets)*
                if !(#(#moved)||*) { return false; }
                #(#sets)*
                true
            }
        }
    };
    quote! {
        #cfg
        impl crate::Paginated for #name {
            type Page = #page;
            type Item = #item;
            #[inline]
            fn client(&self) -> &crate::Client { &self.client }
            #[inline]
            fn to_request(&self) -> Result<crate::Request, crate::Error> { #name::to_request(self) }
            #[inline]
            #[allow(unused_variables, clippy::cast_possible_truncation)]
            fn advance(&mut self, page: &Self::Page) -> bool { #advance }
            #[inline]
            fn items(page: Self::Page) -> Vec<Self::Item> { #items_owned.unwrap_or_default() }
        }
        #cfg
        impl #name {
            /// Every item of every page, fetched lazily one page at a time.
            #[inline]
            pub fn stream(self) -> impl futures::Stream<Item = Result<#item, crate::Error>> {
                crate::paginate(self)
            }
        }
    }
}
