//! The operation table of the `ghl` command line (`cli_table.rs`).
//!
//! One static array describing every operation of every module (both groups,
//! undocumented ones marked): what the hand-written dispatcher in
//! `ghl-client/src/cli/` needs to build a `Request` and the `--help` text.
//! Data only, no code per operation, so the binary builds fast. Types live
//! in `crate::cli::table`.

use std::collections::BTreeSet;

use heck::ToKebabCase;
use quote::quote;

use super::data::Data;
use crate::ir::{
    Api, BodyKind, Module, Operation, PageStyle, ParamEncoding, ParamLoc, PathStep, Success, Token, Ty, TypeKind,
};
use crate::print::Atom;

/// The file's atoms: `pub static OPERATIONS: &[CliOperation]`, ordered by
/// group (top level first), module and command. Built as data, not tokens
/// (see [`super::data`]): this table is a quarter of the generated lines.
pub(crate) fn cli_table(api: &Api) -> Vec<Atom> {
    let mut modules: Vec<&Module> = api.modules.values().filter(|m| !m.operations.is_empty()).collect();
    modules.sort_by_key(|m| (m.group.is_some(), m.group.clone(), m.leaf().to_owned()));
    let ops: Vec<Data> = modules
        .iter()
        .flat_map(|m| {
            let mut ops: Vec<&Operation> = m.operations.values().collect();
            ops.sort_by_key(|op| command_name(op));
            ops.into_iter().map(move |op| operation(api, m, op))
        })
        .collect();
    let mut atoms = crate::print::atoms(quote! {
        use crate::cli::table::*;
        use crate::{OperationMeta, TokenKind};

        /// Every operation, by group, module and command.
        pub static OPERATIONS: &[CliOperation] =
    });
    Data::Slice(ops).push_atoms(&mut atoms);
    atoms.push(Atom::Op(";"));
    atoms
}

/// The command name of an operation: its operationId in kebab case.
pub fn command_name(op: &Operation) -> String {
    op.id.to_kebab_case()
}

/// The command name of a module: its last path segment in kebab case.
pub fn module_command(m: &Module) -> String {
    m.leaf().to_kebab_case()
}

/// `Name { a: .., b: .. }` with a comma after the last field, as the
/// table's larger rows are written.
fn row(name: &'static str, fields: Vec<(&'static str, Data)>) -> Data {
    Data::Struct { name, fields, trailing_comma: true }
}

/// `Name { a: .., b: .. }` without a comma after the last field.
fn compact(name: &'static str, fields: Vec<(&'static str, Data)>) -> Data {
    Data::Struct { name, fields, trailing_comma: false }
}

fn operation(api: &Api, m: &Module, op: &Operation) -> Data {
    let token = match op.token {
        Token::Location => "TokenKind::Location",
        Token::Agency => "TokenKind::Agency",
        Token::Either => "TokenKind::Either",
        Token::None => "TokenKind::None",
    };
    let meta = row(
        "OperationMeta",
        vec![
            ("id", Data::str(&op.id)),
            ("method", Data::path(format!("http::Method::{}", op.method.as_str()))),
            ("path", Data::str(&op.path)),
            ("version", Data::str(&op.version)),
            ("token", Data::path(token)),
            ("scopes", Data::strs(op.scopes.iter().map(String::as_str))),
        ],
    );
    let body = op.body.as_ref().map(|b| {
        let encoding = match b.kind {
            BodyKind::Json => "BodyEncoding::Json",
            BodyKind::Form => "BodyEncoding::Form",
            BodyKind::Multipart => "BodyEncoding::Multipart",
        };
        compact(
            "CliBody",
            vec![
                ("encoding", Data::path(encoding)),
                ("required", Data::Bool(b.required)),
                ("fields", Data::Slice(fields(api, &b.ty))),
            ],
        )
    });
    let success = match op.success {
        Success::Json(_) => "SuccessKind::Json",
        Success::Empty => "SuccessKind::Empty",
        Success::Bytes => "SuccessKind::Bytes",
    };
    let paging = op.pagination.as_ref().map(|p| {
        let style = match &p.style {
            PageStyle::Offset(param) => Data::Call("PagingStyle::Offset", vec![Data::str(&param.wire)]),
            PageStyle::Page(param) => Data::Call("PagingStyle::Page", vec![Data::str(&param.wire)]),
            PageStyle::Cursor(cursors) => {
                let cursors = cursors.iter().map(|(param, source)| {
                    compact(
                        "CliCursor",
                        vec![
                            ("param", Data::str(&param.wire)),
                            ("from_last_item", Data::Bool(source.from_last_item)),
                            ("path", wires(&source.path)),
                        ],
                    )
                });
                Data::Call("PagingStyle::Cursor", vec![Data::Slice(cursors.collect())])
            }
        };
        compact(
            "CliPaging",
            vec![
                ("in_body", Data::Bool(p.in_body)),
                ("style", style),
                ("limit", Data::option(p.limit.as_ref().map(|l| Data::str(&l.wire)))),
                ("items", wires(&p.items)),
                ("total", Data::option(p.total.as_deref().map(wires))),
            ],
        )
    });
    row(
        "CliOperation",
        vec![
            ("group", Data::str(m.group.as_deref().unwrap_or(""))),
            ("module", Data::str(module_command(m))),
            ("command", Data::str(command_name(op))),
            ("meta", meta),
            ("summary", Data::str(first_line(op.summary.as_deref()))),
            ("params", Data::Slice(params(api, op))),
            ("body", Data::option(body)),
            ("success", Data::path(success)),
            ("paging", Data::option(paging)),
            ("undocumented", Data::Bool(op.undocumented)),
            ("deprecated", Data::Bool(op.deprecated)),
        ],
    )
}

fn params(api: &Api, op: &Operation) -> Vec<Data> {
    let mut taken = BTreeSet::new();
    op.params
        .iter()
        .map(|p| {
            // Two parameters may differ only in case or separators (`locationId`, `location_id`).
            let base = p.wire.to_kebab_case();
            let flag = crate::names::unique(&base, |f| taken.contains(f));
            taken.insert(flag.clone());
            let location = match p.loc {
                ParamLoc::Path => "ParamIn::Path",
                ParamLoc::Query => "ParamIn::Query",
                ParamLoc::Header => "ParamIn::Header",
            };
            let encoding = match p.encoding {
                ParamEncoding::Text => "ParamEncoding::Text",
                ParamEncoding::EachText => "ParamEncoding::Each",
                ParamEncoding::CommaText => "ParamEncoding::Comma",
                ParamEncoding::Json => "ParamEncoding::Json",
            };
            row(
                "CliParam",
                vec![
                    ("name", Data::str(&p.wire)),
                    ("flag", Data::str(flag)),
                    ("location", Data::path(location)),
                    ("required", Data::Bool(p.required)),
                    ("shape", shape(api, &p.ty)),
                    ("encoding", Data::path(encoding)),
                    ("from_location", Data::Bool(p.context.is_some())),
                    ("help", Data::str(first_line(p.doc.as_deref()))),
                ],
            )
        })
        .collect()
}

/// Top-level fields of a body that is an object; none for other bodies.
fn fields(api: &Api, ty: &Ty) -> Vec<Data> {
    let Some(fields) = struct_fields(api, ty) else { return Vec::new() };
    let field = |name: &str, required: bool, shape: Data, help: String| {
        compact(
            "CliField",
            vec![
                ("name", Data::str(name)),
                ("required", Data::Bool(required)),
                ("shape", shape),
                ("help", Data::str(help)),
            ],
        )
    };
    fields
        .iter()
        .flat_map(|f| {
            let help = first_line(f.doc.as_deref());
            // A tagged payload is two body fields: its tag, then the payload as JSON.
            if let Some(t) = tagged(api, &f.ty).filter(|_| f.flatten) {
                let values = t.variants.iter().map(|v| v.wire.clone()).collect();
                return vec![
                    field(&t.tag, f.required, shape_of("ValueKind::String", false, values), String::new()),
                    field(&f.wire, f.required, shape_of("ValueKind::Json", false, Vec::new()), help),
                ];
            }
            // A binary string (or list of them) is a file part.
            let shape = if f.binary { shape(api, &file_ty(&f.ty)) } else { shape(api, &f.ty) };
            vec![field(&f.wire, f.required, shape, help)]
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
fn shape(api: &Api, ty: &Ty) -> Data {
    let (list, inner) = match ty {
        Ty::Array(inner) => (true, inner.as_ref()),
        other => (false, other),
    };
    let (kind, values) = scalar(api, inner, 0);
    shape_of(kind, list, values)
}

fn shape_of(kind: &str, list: bool, values: Vec<String>) -> Data {
    compact(
        "Shape",
        vec![
            ("kind", Data::path(kind)),
            ("list", Data::Bool(list)),
            ("values", Data::Slice(values.into_iter().map(Data::Str).collect())),
        ],
    )
}

fn scalar(api: &Api, ty: &Ty, depth: usize) -> (&'static str, Vec<String>) {
    match ty {
        Ty::String => ("ValueKind::String", Vec::new()),
        Ty::Secret => ("ValueKind::Secret", Vec::new()),
        Ty::I32 | Ty::I64 => ("ValueKind::Integer", Vec::new()),
        Ty::F64 => ("ValueKind::Number", Vec::new()),
        Ty::Bool => ("ValueKind::Boolean", Vec::new()),
        Ty::Upload => ("ValueKind::File", Vec::new()),
        Ty::Json | Ty::Array(_) | Ty::Map(_) => ("ValueKind::Json", Vec::new()),
        Ty::Named { module, name } => {
            let def = api.modules.get(module).and_then(|m| m.types.get(name));
            match def.map(|d| &d.kind) {
                Some(TypeKind::Enum(e)) => {
                    ("ValueKind::String", e.variants.iter().map(|(wire, _)| wire.clone()).collect())
                }
                Some(TypeKind::Alias(inner)) if depth < 8 => scalar(api, inner, depth + 1),
                _ => ("ValueKind::Json", Vec::new()),
            }
        }
    }
}

fn wires(steps: &[PathStep]) -> Data {
    Data::strs(steps.iter().map(|s| s.wire.as_str()))
}

/// The first line of a doc text, trimmed (help lines stay one line).
fn first_line(text: Option<&str>) -> String {
    text.and_then(|t| t.lines().map(str::trim).find(|l| !l.is_empty())).unwrap_or("").to_owned()
}
