//! Rust names from wire names: heck for casing, plus an escape rule for what
//! heck leaves invalid (keywords, leading digits, `+`, empty results).

use heck::{ToSnakeCase, ToUpperCamelCase};

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
    "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self",
    "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract",
    "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
    "union",
];

/// Spells out symbols heck would drop, so `65+` and `65` stay apart.
fn prepare(wire: &str) -> std::borrow::Cow<'_, str> {
    if wire.trim().len() == wire.len() && !wire.contains(['+', '%', '&', '@', '-']) {
        return wire.into();
    }
    let mut s = String::with_capacity(wire.len() + 8);
    let trimmed = wire.trim();
    if let Some(rest) = trimmed.strip_prefix('-').filter(|r| r.starts_with(|c: char| c.is_ascii_digit())) {
        s.push_str("minus ");
        s.push_str(rest);
    } else {
        s.push_str(trimmed);
    }
    s.replace('+', " plus ").replace('%', " percent ").replace('&', " and ").replace('@', " at ").into()
}

/// Standard names the generated code uses unqualified: a type of the same
/// name would shadow them.
const PRELUDE_TYPES: &[&str] = &[
    "Option",
    "Result",
    "String",
    "Vec",
    "Box",
    "Some",
    "None",
    "Ok",
    "Err",
    "Default",
    "Into",
    "From",
    "Send",
    "Sync",
    "Clone",
    "Copy",
    "Debug",
    "PartialEq",
    "Eq",
    "Sized",
    "ToString",
    "ToOwned",
    "Iterator",
    "Fn",
    "Drop",
];

/// Keeps what may stand in a Rust identifier (Unicode letters too: `ñame`
/// stays `ñame`, not `ame`).
fn keep_ident_chars(s: &str) -> String {
    s.chars().filter(|c| *c == '_' || unicode_ident::is_xid_continue(*c)).collect()
}

/// Prefixes `prefix` when `s` cannot start an identifier (a digit, or a
/// character that may only continue one).
fn fix_start(s: &mut String, prefix: char) {
    if s.starts_with(|c: char| c != '_' && !unicode_ident::is_xid_start(c)) {
        s.insert(0, prefix);
    }
}

/// `snake_case` identifier for a field, parameter or function.
pub fn snake(wire: &str) -> String {
    memo(&SNAKE, wire, |wire| identifier(prepare(wire).to_snake_case(), "value", 'v'))
}

/// `PascalCase` identifier for a type or enum variant.
pub fn pascal(wire: &str) -> String {
    memo(&PASCAL, wire, |wire| identifier(prepare(wire).to_upper_camel_case(), "Empty", 'V'))
}

/// A cased name made a Rust identifier: `empty` when nothing of it is left,
/// `prefix` before a leading digit, `_` after a keyword.
fn identifier(cased: String, empty: &str, prefix: char) -> String {
    let mut s = keep_ident_chars(&cased);
    if s.is_empty() {
        s = empty.to_owned();
    }
    fix_start(&mut s, prefix);
    if KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

type Memo = std::cell::RefCell<std::collections::HashMap<String, String>>;

thread_local! {
    // The same wire names (`id`, `locationId`, …) come back thousands of
    // times per run; casing them was a twentieth of a regeneration.
    static SNAKE: Memo = Memo::default();
    static PASCAL: Memo = Memo::default();
}

fn memo(table: &'static std::thread::LocalKey<Memo>, wire: &str, make: impl FnOnce(&str) -> String) -> String {
    if let Some(hit) = table.with(|t| t.borrow().get(wire).cloned()) {
        return hit;
    }
    let name = make(wire);
    table.with(|t| t.borrow_mut().insert(wire.to_owned(), name.clone()));
    name
}

/// Type name for a component schema: PascalCase, without DTO-style suffixes
/// that only add noise to Rust names.
pub fn type_name(component: &str) -> String {
    type_ident(&pascal(component))
}

/// `name`, or `name_` when it would shadow a standard type the generated
/// code uses (`Option`, `String`, …).
pub fn type_ident(name: &str) -> String {
    if PRELUDE_TYPES.contains(&name) { format!("{name}_") } else { name.to_owned() }
}

/// Picks `base`, or `base2`, `base3`… — the first that `taken` rejects not.
pub fn unique(base: &str, mut taken: impl FnMut(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_owned();
    }
    (2..).map(|n| format!("{base}{n}")).find(|c| !taken(c)).unwrap_or_else(|| base.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_names() {
        assert_eq!(snake("getContact"), "get_contact");
        assert_eq!(snake("get-contact"), "get_contact");
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("_id"), "id");
        assert_eq!(snake("2021-07-28"), "v2021_07_28");
        assert_eq!(snake("65+"), "v65_plus");
        assert_eq!(snake("first name"), "first_name");
        assert_eq!(snake("$$$"), "value");
        assert_eq!(snake("ñame"), "ñame");
        assert_eq!(snake("1ñ"), "v1ñ");
        assert_eq!(snake("✓"), "value");
    }

    #[test]
    fn pascal_names() {
        assert_eq!(pascal("get-contact"), "GetContact");
        assert_eq!(pascal("2021-07-28"), "V20210728");
        assert_eq!(pascal("13-17"), "V1317");
        assert_eq!(pascal("65+"), "V65Plus");
        assert_eq!(pascal("-1"), "Minus1");
        assert_eq!(pascal("self"), "Self_");
        assert_eq!(pascal(""), "Empty");
        assert_eq!(pascal("contacts/bulkActions.write"), "ContactsBulkActionsWrite");
        assert_eq!(pascal("ñame"), "Ñame");
        assert_eq!(type_name("option"), "Option_");
        assert_eq!(type_name("Vec"), "Vec_");
    }

    #[test]
    fn unique_suffixes() {
        let taken = ["A", "A2"];
        assert_eq!(unique("A", |c| taken.contains(&c)), "A3");
        assert_eq!(unique("B", |c| taken.contains(&c)), "B");
    }
}
