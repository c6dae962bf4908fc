//! The operation table of the `ghl` command line (`cli_table.rs`).
//!
//! One static array describing every operation of every module (both groups,
//! undocumented ones marked): what the hand-written dispatcher in
//! `ghl-client/src/cli/` needs to build a `Request` and the `--help` text.
//! Data only, no code per operation, so the binary builds fast. Types live
//! in `crate::cli::table`.

use std::collections::BTreeSet;

use heck::ToKebabCase;
use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{
    Api, BodyKind, Module, Operation, PageStyle, ParamEncoding, ParamLoc, PathStep, Success, Token, Ty, TypeKind,
};

/// The file's tokens: `pub static OPERATIONS: &[CliOperation]`, ordered by
/// group (top level first), module and command.
pub fn cli_table(api: &Api) -> TokenStream {
    let mut modules: Vec<&Module> = api.modules.values().filter(|m| !m.operations.is_empty()).collect();
    modules.sort_by_key(|m| (m.group.is_some(), m.group.clone(), m.leaf().to_owned()));
    let ops = modules.iter().flat_map(|m| {
        let mut ops: Vec<&Operation> = m.operations.values().collect();
        ops.sort_by_key(|op| command_name(op));
        ops.into_iter().map(move |op| operation(api, m, op))
    });
    quote! {
        use crate::cli::table::*;
        use crate::{OperationMeta, TokenKind};

        /// Every operation, by group, module and command.
        pub static OPERATIONS: &[CliOperation] = &[#(#ops),*];
    }
}

/// The command name of an operation: its operationId in kebab case.
pub fn command_name(op: &Operation) -> String {
    op.id.to_kebab_case()
}

/// The command name of a module: its last path segment in kebab case.
pub fn module_command(m: &Module) -> String {
    m.leaf().to_kebab_case()
}

fn operation(api: &Api, m: &Module, op: &Operation) -> TokenStream {
    let group = m.group.as_deref().unwrap_or("");
    let module = module_command(m);
    let command = command_name(op);
    let id = &op.id;
    let method = syn::Ident::new(op.method.as_str(), proc_macro2::Span::call_site());
    let path = &op.path;
    let version = &op.version;
    let token = match op.token {
        Token::Location => quote! { TokenKind::Location },
        Token::Agency => quote! { TokenKind::Agency },
        Token::Either => quote! { TokenKind::Either },
        Token::None => quote! { TokenKind::None },
    };
    let scopes = &op.scopes;
    let summary = first_line(op.summary.as_deref());
    let params = params(api, op);
    let body = match &op.body {
        Some(b) => {
            let encoding = match b.kind {
                BodyKind::Json => quote! { BodyEncoding::Json },
                BodyKind::Form => quote! { BodyEncoding::Form },
                BodyKind::Multipart => quote! { BodyEncoding::Multipart },
            };
            let required = b.required;
            let fields = fields(api, &b.ty);
            quote! { Some(CliBody { encoding: #encoding, required: #required, fields: &[#(#fields),*] }) }
        }
        None => quote! { None },
    };
    let success = match op.success {
        Success::Json(_) => quote! { SuccessKind::Json },
        Success::Empty => quote! { SuccessKind::Empty },
        Success::Bytes => quote! { SuccessKind::Bytes },
    };
    let paging = match &op.pagination {
        Some(p) => {
            let in_body = p.in_body;
            let style = match &p.style {
                PageStyle::Offset(param) => {
                    let w = &param.wire;
                    quote! { PagingStyle::Offset(#w) }
                }
                PageStyle::Page(param) => {
                    let w = &param.wire;
                    quote! { PagingStyle::Page(#w) }
                }
                PageStyle::Cursor(cursors) => {
                    let cs = cursors.iter().map(|(param, source)| {
                        let w = &param.wire;
                        let last = source.from_last_item;
                        let path = wires(&source.path);
                        quote! { CliCursor { param: #w, from_last_item: #last, path: &[#(#path),*] } }
                    });
                    quote! { PagingStyle::Cursor(&[#(#cs),*]) }
                }
            };
            let limit = opt_str(p.limit.as_ref().map(|l| l.wire.as_str()));
            let items = wires(&p.items);
            let total = match &p.total {
                Some(steps) => {
                    let t = wires(steps);
                    quote! { Some(&[#(#t),*]) }
                }
                None => quote! { None },
            };
            quote! { Some(CliPaging { in_body: #in_body, style: #style, limit: #limit, items: &[#(#items),*], total: #total }) }
        }
        None => quote! { None },
    };
    let undocumented = op.undocumented;
    let deprecated = op.deprecated;
    quote! {
        CliOperation {
            group: #group,
            module: #module,
            command: #command,
            meta: OperationMeta {
                id: #id,
                method: http::Method::#method,
                path: #path,
                version: #version,
                token: #token,
                scopes: &[#(#scopes),*],
            },
            summary: #summary,
            params: &[#(#params),*],
            body: #body,
            success: #success,
            paging: #paging,
            undocumented: #undocumented,
            deprecated: #deprecated,
        }
    }
}

fn params(api: &Api, op: &Operation) -> Vec<TokenStream> {
    let mut taken = BTreeSet::new();
    op.params
        .iter()
        .map(|p| {
            let name = &p.wire;
            // Two parameters may differ only in case or separators (`locationId`, `location_id`).
            let base = p.wire.to_kebab_case();
            let flag = crate::names::unique(&base, |f| taken.contains(f));
            taken.insert(flag.clone());
            let location = match p.loc {
                ParamLoc::Path => quote! { ParamIn::Path },
                ParamLoc::Query => quote! { ParamIn::Query },
                ParamLoc::Header => quote! { ParamIn::Header },
            };
            let required = p.required;
            let shape = shape(api, &p.ty);
            let encoding = match p.encoding {
                ParamEncoding::Text => quote! { ParamEncoding::Text },
                ParamEncoding::EachText => quote! { ParamEncoding::Each },
                ParamEncoding::CommaText => quote! { ParamEncoding::Comma },
                ParamEncoding::Json => quote! { ParamEncoding::Json },
            };
            let from_location = p.context.is_some();
            let help = first_line(p.doc.as_deref());
            quote! {
                CliParam {
                    name: #name,
                    flag: #flag,
                    location: #location,
                    required: #required,
                    shape: #shape,
                    encoding: #encoding,
                    from_location: #from_location,
                    help: #help,
                }
            }
        })
        .collect()
}

/// Top-level fields of a body that is an object; none for other bodies.
fn fields(api: &Api, ty: &Ty) -> Vec<TokenStream> {
    let Some(fields) = struct_fields(api, ty) else { return Vec::new() };
    fields
        .iter()
        .flat_map(|f| {
            let name = &f.wire;
            let required = f.required;
            // A tagged payload is two body fields: its tag, then the payload as JSON.
            if let Some(t) = tagged(api, &f.ty).filter(|_| f.flatten) {
                let tag = &t.tag;
                let values = t.variants.iter().map(|v| v.wire.as_str());
                let help = first_line(f.doc.as_deref());
                return vec![
                    quote! { CliField { name: #tag, required: #required, shape: Shape { kind: ValueKind::String, list: false, values: &[#(#values),*] }, help: "" } },
                    quote! { CliField { name: #name, required: #required, shape: Shape { kind: ValueKind::Json, list: false, values: &[] }, help: #help } },
                ];
            }
            // A binary string (or list of them) is a file part.
            let shape = if f.binary { shape(api, &file_ty(&f.ty)) } else { shape(api, &f.ty) };
            let help = first_line(f.doc.as_deref());
            vec![quote! { CliField { name: #name, required: #required, shape: #shape, help: #help } }]
        })
        .collect()
}

fn tagged<'a>(api: &'a Api, ty: &Ty) -> Option<&'a crate::ir::Tagged> {
    let Ty::Named { module, name } = ty else { return None };
    match &api.modules.get(module)?.types.get(name)?.kind {
        TypeKind::Tagged(t) => Some(t),
        _ => None,
    }
}

fn file_ty(ty: &Ty) -> Ty {
    match ty {
        Ty::Array(_) => Ty::Array(Box::new(Ty::Upload)),
        _ => Ty::Upload,
    }
}

fn struct_fields<'a>(api: &'a Api, ty: &Ty) -> Option<&'a [crate::ir::Field]> {
    let mut ty = ty.clone();
    // Aliases of aliases end; a cycle of them would be a lowering bug, so stop after a few.
    for _ in 0..8 {
        let Ty::Named { module, name } = &ty else { return None };
        let def = api.modules.get(module)?.types.get(name)?;
        match &def.kind {
            TypeKind::Struct(fields) => return Some(fields),
            TypeKind::Alias(inner) => ty = inner.clone(),
            _ => return None,
        }
    }
    None
}

/// `Shape { kind, list, values }` of a type, resolving named types.
fn shape(api: &Api, ty: &Ty) -> TokenStream {
    let (list, inner) = match ty {
        Ty::Array(inner) => (true, inner.as_ref()),
        other => (false, other),
    };
    let (kind, values) = scalar(api, inner, 0);
    quote! { Shape { kind: #kind, list: #list, values: &[#(#values),*] } }
}

fn scalar(api: &Api, ty: &Ty, depth: usize) -> (TokenStream, Vec<String>) {
    match ty {
        Ty::String => (quote! { ValueKind::String }, Vec::new()),
        Ty::Secret => (quote! { ValueKind::Secret }, Vec::new()),
        Ty::I32 | Ty::I64 => (quote! { ValueKind::Integer }, Vec::new()),
        Ty::F64 => (quote! { ValueKind::Number }, Vec::new()),
        Ty::Bool => (quote! { ValueKind::Boolean }, Vec::new()),
        Ty::Upload => (quote! { ValueKind::File }, Vec::new()),
        Ty::Json | Ty::Array(_) | Ty::Map(_) => (quote! { ValueKind::Json }, Vec::new()),
        Ty::Named { module, name } => {
            let def = api.modules.get(module).and_then(|m| m.types.get(name));
            match def.map(|d| &d.kind) {
                Some(TypeKind::Enum(e)) => {
                    (quote! { ValueKind::String }, e.variants.iter().map(|(wire, _)| wire.clone()).collect())
                }
                Some(TypeKind::Alias(inner)) if depth < 8 => scalar(api, inner, depth + 1),
                _ => (quote! { ValueKind::Json }, Vec::new()),
            }
        }
    }
}

fn wires(steps: &[PathStep]) -> Vec<&str> {
    steps.iter().map(|s| s.wire.as_str()).collect()
}

fn opt_str(s: Option<&str>) -> TokenStream {
    match s {
        Some(s) => quote! { Some(#s) },
        None => quote! { None },
    }
}

/// The first line of a doc text, trimmed (help lines stay one line).
fn first_line(text: Option<&str>) -> String {
    text.and_then(|t| t.lines().map(str::trim).find(|l| !l.is_empty())).unwrap_or("").to_owned()
}
