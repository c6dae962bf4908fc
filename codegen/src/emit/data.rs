//! Static data (struct literals, slices, strings) straight into the
//! printer's atoms, without `quote!`.
//!
//! The CLI table is a quarter of the generated lines and nothing but data.
//! Building its token trees and reading them back into atoms cost more than
//! laying it out; this builds the atoms once. The printed text is the same
//! as for the equivalent `quote!` tokens (`codegen/tests/print.rs` checks the
//! checked-in file).

use proc_macro2::Delimiter;

use crate::print::Atom;

/// A constant expression of a static table.
pub(crate) enum Data {
    /// A path (`TokenKind::Location`, `None`, `http::Method::GET`).
    Path(String),
    /// A string literal.
    Str(String),
    Bool(bool),
    /// `Name { field: value, ... }`; `trailing_comma` after the last field.
    Struct {
        name: &'static str,
        fields: Vec<(&'static str, Data)>,
        trailing_comma: bool,
    },
    /// `&[a, b]`.
    Slice(Vec<Data>),
    /// `path(a, b)`, e.g. `Some(x)`.
    Call(&'static str, Vec<Data>),
}

impl Data {
    pub fn path(p: impl Into<String>) -> Data {
        Data::Path(p.into())
    }

    pub fn str(s: impl Into<String>) -> Data {
        Data::Str(s.into())
    }

    /// `Some(value)`, or `None`.
    pub fn option(value: Option<Data>) -> Data {
        match value {
            Some(v) => Data::Call("Some", vec![v]),
            None => Data::path("None"),
        }
    }

    /// A slice of string literals.
    pub fn strs<'a>(items: impl IntoIterator<Item = &'a str>) -> Data {
        Data::Slice(items.into_iter().map(Data::str).collect())
    }

    /// Appends this value's atoms.
    pub fn push_atoms(&self, out: &mut Vec<Atom>) {
        match self {
            Data::Path(p) => push_path(p, out),
            Data::Str(s) => out.push(Atom::Lit(string_literal(s))),
            Data::Bool(b) => out.push(Atom::Word(b.to_string())),
            Data::Struct { name, fields, trailing_comma } => {
                let mut inner = Vec::with_capacity(fields.len() * 4);
                for (i, (field, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        inner.push(Atom::Op(","));
                    }
                    inner.push(Atom::Word((*field).to_owned()));
                    inner.push(Atom::Op(":"));
                    value.push_atoms(&mut inner);
                }
                if *trailing_comma && !fields.is_empty() {
                    inner.push(Atom::Op(","));
                }
                out.push(Atom::Word((*name).to_owned()));
                out.push(Atom::Group(Delimiter::Brace, inner));
            }
            Data::Slice(items) => {
                out.push(Atom::Op("&"));
                out.push(Atom::Group(Delimiter::Bracket, list(items)));
            }
            Data::Call(name, args) => {
                push_path(name, out);
                out.push(Atom::Group(Delimiter::Parenthesis, list(args)));
            }
        }
    }
}

fn push_path(path: &str, out: &mut Vec<Atom>) {
    for (i, segment) in path.split("::").enumerate() {
        if i > 0 {
            out.push(Atom::Op("::"));
        }
        out.push(Atom::Word(segment.to_owned()));
    }
}

fn list(items: &[Data]) -> Vec<Atom> {
    let mut out = Vec::with_capacity(items.len() * 2);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(Atom::Op(","));
        }
        item.push_atoms(&mut out);
    }
    out
}

/// A string literal written as `proc_macro2::Literal::string` writes it.
fn string_literal(s: &str) -> String {
    // Almost every table string is plain printable ASCII, which needs no escape.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\') {
        let mut lit = String::with_capacity(s.len() + 2);
        lit.push('"');
        lit.push_str(s);
        lit.push('"');
        lit
    } else {
        proc_macro2::Literal::string(s).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literals_match_proc_macro2() {
        for s in ["", "plain text", "a \"quote\"", "back\\slash", "tab\tnew\nline", "it's", "ünïcode", "\0 7"] {
            assert_eq!(string_literal(s), proc_macro2::Literal::string(s).to_string(), "{s:?}");
        }
    }

    #[test]
    fn atoms_print_as_the_equivalent_tokens() {
        let value = Data::Struct {
            name: "Row",
            fields: vec![
                ("name", Data::str("a \"b\"")),
                ("kind", Data::path("http::Method::GET")),
                ("tags", Data::strs(["x", "y"])),
                ("next", Data::option(Some(Data::Bool(true)))),
                ("none", Data::option(None)),
            ],
            trailing_comma: true,
        };
        let mut atoms = Vec::new();
        value.push_atoms(&mut atoms);
        atoms.push(Atom::Op(";"));
        let tokens: proc_macro2::TokenStream =
            r#"Row { name: "a \"b\"", kind: http::Method::GET, tags: &["x", "y"], next: Some(true), none: None, };"#
                .parse()
                .expect("tokenizes");
        assert_eq!(crate::print::file_of_atoms(&atoms), crate::print::file(tokens));
    }
}
