//! Token trees → readable Rust source, without parsing them back into a
//! syntax tree.
//!
//! The emitters build `proc_macro2` token streams with `quote!`. Formatting
//! them with prettyplease meant re-parsing every token with `syn` first: about
//! two thirds of a regeneration's instructions (BENCHMARKS.md §1). This
//! printer lays the tokens out directly. It knows the shapes the emitters
//! produce (items, field lists, blocks, match arms, struct literals, calls)
//! and keeps any other sequence on one line, wrapped at delimiters.
//!
//! It only ever inserts whitespace: the printed text tokenizes back to exactly
//! the input (`codegen/tests/print.rs` checks this over the whole spec).

use proc_macro2::{Delimiter, Group, Spacing, TokenStream, TokenTree};

/// Lines longer than this are broken at delimiters where possible.
const WIDTH: usize = 100;
const INDENT: &str = "    ";

/// Formats a whole file.
pub fn file(tokens: TokenStream) -> String {
    file_of_atoms(&atoms(tokens))
}

/// Formats a whole file given as atoms (see [`crate::emit::data`], which
/// builds large static tables this way without token trees).
pub(crate) fn file_of_atoms(atoms: &[Atom]) -> String {
    let mut p = Printer { out: String::with_capacity(atoms.len() * 8), depth: 0, reserve: 0 };
    p.items(atoms);
    p.out
}

// ------------------------------------------------------------------ atoms

/// A token, with multi-character operators (`::`, `->`, `=>`, `..`) and
/// lifetimes (`'a`) joined into one, so spacing rules see them whole.
#[derive(Clone, Debug)]
pub(crate) enum Atom {
    Word(String),
    Lit(String),
    Op(&'static str),
    Group(Delimiter, Vec<Atom>),
}

pub(crate) fn atoms(tokens: TokenStream) -> Vec<Atom> {
    let mut out = Vec::new();
    let mut run = String::new();
    for tt in tokens {
        if let TokenTree::Punct(p) = &tt {
            run.push(p.as_char());
            if p.spacing() == Spacing::Alone {
                split_ops(&run, &mut out);
                run.clear();
            }
            continue;
        }
        // A lifetime is `'` joined to the identifier after it.
        let lifetime = run.ends_with('\'') && matches!(tt, TokenTree::Ident(_));
        if lifetime {
            run.pop();
        }
        split_ops(&run, &mut out);
        run.clear();
        out.push(match tt {
            TokenTree::Ident(i) if lifetime => Atom::Word(format!("'{i}")),
            TokenTree::Group(g) => group_atom(g),
            other => {
                let text = other.to_string();
                if matches!(other, TokenTree::Literal(_)) { Atom::Lit(text) } else { Atom::Word(text) }
            }
        });
    }
    split_ops(&run, &mut out);
    out
}

/// Operators the spacing rules know as one; `>>` and `<<` stay apart
/// (they close and open generics in generated code, never shift).
const OPERATORS: &[&str] =
    &["..=", "::", "->", "=>", "..", "==", "!=", "&&", "||", "+=", "-=", "*=", "/=", "%=", "^=", "&=", "|="];

/// Splits a run of joined punctuation into operators, longest first.
fn split_ops(mut run: &str, out: &mut Vec<Atom>) {
    while let Some(first) = run.chars().next() {
        let op = if run.len() == 1 { None } else { OPERATORS.iter().find(|op| run.starts_with(**op)).copied() };
        let op = op.unwrap_or_else(|| punct(first));
        out.push(Atom::Op(op));
        run = &run[op.len()..];
    }
}

/// A punctuation character as static text, so an operator atom costs no
/// allocation (`proc_macro2` makes no others).
fn punct(c: char) -> &'static str {
    match c {
        '=' => "=",
        '<' => "<",
        '>' => ">",
        '!' => "!",
        '~' => "~",
        '+' => "+",
        '-' => "-",
        '*' => "*",
        '/' => "/",
        '%' => "%",
        '^' => "^",
        '&' => "&",
        '|' => "|",
        '@' => "@",
        '.' => ".",
        ',' => ",",
        ';' => ";",
        ':' => ":",
        '#' => "#",
        '$' => "$",
        '?' => "?",
        _ => "'",
    }
}

fn group_atom(g: Group) -> Atom {
    let (delimiter, stream) = (g.delimiter(), g.stream());
    // Dropped first, so the stream is the only owner of its tokens and
    // iterating it moves them instead of copying the whole subtree.
    drop(g);
    let inner = atoms(stream);
    match delimiter {
        // Invisible groups come from interpolated fragments: print them inline.
        Delimiter::None if inner.len() == 1 => inner.into_iter().next().unwrap_or(Atom::Group(Delimiter::None, vec![])),
        d => Atom::Group(d, inner),
    }
}

impl Atom {
    fn is_op(&self, s: &str) -> bool {
        matches!(self, Atom::Op(o) if *o == s)
    }
    fn is_word(&self, s: &str) -> bool {
        matches!(self, Atom::Word(w) if w == s)
    }
    fn is_brace(&self) -> bool {
        matches!(self, Atom::Group(Delimiter::Brace, _))
    }
}

/// Keywords after which a `(` or `[` is not a call or an index.
fn is_spaced_keyword(w: &str) -> bool {
    matches!(
        w,
        "if" | "match"
            | "while"
            | "in"
            | "return"
            | "let"
            | "for"
            | "as"
            | "else"
            | "move"
            | "mut"
            | "ref"
            | "where"
            | "dyn"
            | "impl"
    )
}

/// Keywords that put the next `{` in block position.
fn is_block_keyword(w: &str) -> bool {
    matches!(w, "else" | "move" | "async" | "unsafe" | "loop" | "try" | "const")
}

fn is_item_keyword(w: &str) -> bool {
    matches!(
        w,
        "fn" | "struct" | "enum" | "union" | "impl" | "mod" | "trait" | "use" | "static" | "const" | "type" | "extern"
    )
}

/// Whether a space goes between two atoms printed on one line.
/// `closure_open`: inside closure parameters (`|a, b|`).
fn space_between(prev: &Atom, next: &Atom, closure_open: bool) -> bool {
    use Atom::*;
    match next {
        Op(o) if matches!(*o, "," | ";" | "." | "?" | ":" | "::") => {
            return *o == "::" && matches!(prev, Op(p) if matches!(*p, "=" | "=>" | "->"));
        }
        Group(Delimiter::Parenthesis | Delimiter::Bracket, _) => {
            return match prev {
                Word(w) => is_spaced_keyword(w),
                Op(o) if *o == "|" => !closure_open,
                Op(o) => !matches!(*o, "!" | "&" | "&&" | "*" | "::" | "#" | "-" | "<" | ">" | "." | ".."),
                _ => false,
            };
        }
        // `name! { ... }` as rustfmt writes a braced macro call.
        Group(Delimiter::Brace, _) => return !matches!(prev, Op(o) if *o == "::"),
        _ => {}
    }
    match prev {
        Op(o) => match *o {
            "::" | "." | "!" | "#" | "<" | "&" | "&&" | "*" | "-" | ".." | "..=" => false,
            "|" => !closure_open,
            ">" => !matches!(next, Op(n) if *n == ">"),
            _ => true,
        },
        Word(_) | Lit(_) | Group(..) => match next {
            Op(o) => match *o {
                "!" => matches!(prev, Word(w) if is_spaced_keyword(w)),
                "<" | ">" | ".." | "..=" => false,
                "|" => !closure_open,
                _ => true,
            },
            _ => true,
        },
    }
}

/// A minus between two operands is binary (`a - b`); the rules above treat
/// `-` as unary (`-1`), which is what the emitters produce almost always.
fn binary_minus(before: Option<&Atom>) -> bool {
    matches!(before, Some(Atom::Word(_) | Atom::Lit(_) | Atom::Group(..)))
}

/// Spacing state along one line: tracks closure parameters and binary minus.
#[derive(Default)]
struct Spacer<'a> {
    prev: Option<&'a Atom>,
    before_prev: Option<&'a Atom>,
    closure_open: bool,
}

impl<'a> Spacer<'a> {
    /// Whether `next` needs a space before it; then records it.
    fn step(&mut self, next: &'a Atom) -> bool {
        let space = match self.prev {
            None => false,
            Some(p) if p.is_op("-") => binary_minus(self.before_prev),
            Some(p) => (next.is_op("-") && binary_minus(Some(p))) || space_between(p, next, self.closure_open),
        };
        if next.is_op("|") {
            // `|` opens closure parameters unless it follows an operand.
            let after_operand = matches!(self.prev, Some(Atom::Word(w)) if w != "move")
                || matches!(self.prev, Some(Atom::Lit(_) | Atom::Group(..)));
            self.closure_open = !self.closure_open && !after_operand;
        }
        self.before_prev = self.prev;
        self.prev = Some(next);
        space
    }
}

/// One line of atoms, with the spacing rules above.
fn flat(atoms: &[Atom], out: &mut String) {
    let mut spacer = Spacer::default();
    for a in atoms {
        if spacer.step(a) {
            out.push(' ');
        }
        match a {
            Atom::Word(s) | Atom::Lit(s) => out.push_str(s),
            Atom::Op(s) => out.push_str(s),
            Atom::Group(d, inner) => {
                let (open, close) = delims(*d);
                out.push_str(open);
                if *d == Delimiter::Brace && !inner.is_empty() {
                    out.push(' ');
                    flat(inner, out);
                    out.push(' ');
                } else {
                    flat(inner, out);
                }
                out.push_str(close);
            }
        }
    }
}

/// [`flat`], giving up (with a partial line) as soon as the text passes
/// byte `end` or meets what cannot be one line: a block with statements,
/// match arms, an `if`, an `else` block, or attributes.
fn flat_up_to(atoms: &[Atom], end: usize, out: &mut String) -> bool {
    let mut spacer = Spacer::default();
    let mut prev: Option<&Atom> = None;
    for a in atoms {
        if spacer.step(a) {
            out.push(' ');
        }
        match a {
            Atom::Word(w) if w == "match" || w == "if" => return false,
            Atom::Word(s) | Atom::Lit(s) => out.push_str(s),
            Atom::Op(s) => out.push_str(s),
            Atom::Group(d, inner) => {
                let brace = *d == Delimiter::Brace;
                if brace
                    && (inner.iter().any(|x| x.is_op(";"))
                        || prev.is_some_and(|p| p.is_word("else"))
                        || attrs_len(inner) > 0)
                {
                    return false;
                }
                let (open, close) = delims(*d);
                out.push_str(open);
                let spaced = brace && !inner.is_empty();
                if spaced {
                    out.push(' ');
                }
                if !flat_up_to(inner, end, out) {
                    return false;
                }
                if spaced {
                    out.push(' ');
                }
                out.push_str(close);
            }
        }
        if out.len() > end {
            return false;
        }
        prev = Some(a);
    }
    true
}

fn delims(d: Delimiter) -> (&'static str, &'static str) {
    match d {
        Delimiter::Parenthesis => ("(", ")"),
        Delimiter::Bracket => ("[", "]"),
        Delimiter::Brace => ("{", "}"),
        Delimiter::None => ("", ""),
    }
}

/// Splits at top-level commas, keeping each comma with its element. Commas
/// between generic arguments (`BTreeMap<String, i64>`) do not split: the
/// emitters write no comparisons, so `<` and `>` always pair up.
fn split_commas(atoms: &[Atom]) -> Vec<&[Atom]> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut angles = 0usize;
    for (i, a) in atoms.iter().enumerate() {
        if a.is_op("<") {
            angles += 1;
        } else if a.is_op(">") {
            angles = angles.saturating_sub(1);
        } else if a.is_op(",") && angles == 0 {
            parts.push(&atoms[start..=i]);
            start = i + 1;
        }
    }
    if start < atoms.len() {
        parts.push(&atoms[start..]);
    }
    parts
}

/// Leading `#[...]` / `#![...]` attributes: how many atoms they take.
fn attrs_len(atoms: &[Atom]) -> usize {
    let mut i = 0;
    loop {
        match (atoms.get(i), atoms.get(i + 1), atoms.get(i + 2)) {
            (Some(h), Some(Atom::Group(Delimiter::Bracket, _)), _) if h.is_op("#") => i += 2,
            (Some(h), Some(b), Some(Atom::Group(Delimiter::Bracket, _))) if h.is_op("#") && b.is_op("!") => i += 3,
            _ => return i,
        }
    }
}

/// The text of a `doc = "..."` attribute body, if it is one.
fn doc_text(inner: &[Atom]) -> Option<String> {
    match inner {
        [Atom::Word(w), eq, Atom::Lit(l)] if w == "doc" && eq.is_op("=") => unquote(l),
        _ => None,
    }
}

/// The value of a string literal as written by `proc_macro2`.
fn unquote(lit: &str) -> Option<String> {
    if let Some(raw) = lit.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let body = raw.get(hashes + 1..raw.len().checked_sub(hashes + 1)?)?;
        return Some(body.to_owned());
    }
    let body = lit.strip_prefix('"')?.strip_suffix('"')?;
    if !body.contains('\\') {
        return Some(body.to_owned());
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '0' => out.push('\0'),
            'u' => {
                let hex: String = chars.by_ref().skip(1).take_while(|&c| c != '}').collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            other => out.push(other),
        }
    }
    Some(out)
}

// ---------------------------------------------------------------- printer

struct Printer {
    out: String,
    depth: usize,
    /// Columns to keep free at the end of the line (for an item's ` {`).
    reserve: usize,
}

impl Printer {
    fn col(&self) -> usize {
        self.out.len() - self.out.rfind('\n').map_or(0, |i| i + 1)
    }

    /// Ends the line (and leaves a blank one when `blank`), then indents.
    fn line(&mut self, blank: bool) {
        let kept = self.out.trim_end_matches([' ', '\n']).len();
        self.out.truncate(kept);
        if self.out.is_empty() {
            return;
        }
        self.out.push('\n');
        if blank && !self.out.ends_with("{\n") {
            self.out.push('\n');
        }
        for _ in 0..self.depth {
            self.out.push_str(INDENT);
        }
    }

    /// Prints attributes, one per line; docs as `///` / `//!`.
    fn attrs(&mut self, atoms: &[Atom]) {
        let mut i = 0;
        while i < atoms.len() {
            let inner = atoms.get(i + 1).is_some_and(|a| a.is_op("!"));
            let n = if inner { 3 } else { 2 };
            let Some(Atom::Group(_, body)) = atoms.get(i + n - 1) else { break };
            match doc_text(body) {
                Some(text) => {
                    let mark = if inner { "//!" } else { "///" };
                    for (k, line) in text.split('\n').enumerate() {
                        if k > 0 {
                            self.line(false);
                        }
                        self.out.push_str(mark);
                        self.out.push_str(line);
                    }
                }
                None => self.seq(&atoms[i..i + n]),
            }
            self.line(false);
            i += n;
        }
    }

    // ---------------------------------------------------------- items

    /// A list of items (a file, a module, an impl or trait body).
    fn items(&mut self, atoms: &[Atom]) {
        let inner = inner_attrs_len(atoms);
        self.attrs(&atoms[..inner]);
        let mut rest = &atoms[inner..];
        let mut prev_use = false;
        let mut first = inner == 0;
        while !rest.is_empty() {
            let n = attrs_len(rest);
            let len = n + item_len(&rest[n..]);
            let is_use = item_kind(&rest[n..]) == Some("use");
            if !first {
                self.line(!(is_use && prev_use));
            }
            self.item(&rest[..len], n);
            prev_use = is_use;
            first = false;
            rest = &rest[len..];
        }
    }

    /// One item: its attributes, its header and its body.
    fn item(&mut self, item: &[Atom], n_attrs: usize) {
        self.attrs(&item[..n_attrs]);
        let body = &item[n_attrs..];
        let kind = item_kind(body).filter(|k| !matches!(*k, "use" | "static" | "const" | "type"));
        match (kind, body.split_last()) {
            (Some(kind), Some((Atom::Group(Delimiter::Brace, inner), header))) => {
                self.reserve = 2;
                self.seq(header);
                self.reserve = 0;
                self.out.push(' ');
                match kind {
                    "struct" | "enum" | "union" => self.braced(inner, Self::fields),
                    "fn" => self.braced(inner, Self::statements),
                    _ => self.braced(inner, Self::items),
                }
            }
            _ => self.seq(body),
        }
    }

    /// Struct fields or enum variants: one per line, attributes above.
    fn fields(&mut self, atoms: &[Atom]) {
        let parts = split_commas(atoms);
        let spaced = parts.iter().any(|p| attrs_len(p) > 0);
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                self.line(spaced);
            }
            let n = attrs_len(part);
            self.attrs(&part[..n]);
            self.seq(&part[n..]);
        }
    }

    // ------------------------------------------------------ statements

    /// The statements of a block, one per line.
    fn statements(&mut self, atoms: &[Atom]) {
        let mut rest = atoms;
        let mut first = true;
        while !rest.is_empty() {
            let n = attrs_len(rest);
            let len = n + statement_len(&rest[n..]);
            if !first {
                self.line(false);
            }
            let stmt = &rest[..len];
            if matches!(item_kind(&stmt[n..]), Some(k) if k != "const" || stmt.get(n + 1).is_some_and(|a| a.is_word("fn")))
            {
                self.item(stmt, n);
            } else {
                self.attrs(&stmt[..n]);
                self.seq(&stmt[n..]);
            }
            first = false;
            rest = &rest[len..];
        }
    }

    /// Match arms: `pattern => body,`, one per line.
    fn arms(&mut self, atoms: &[Atom]) {
        let mut rest = atoms;
        let mut first = true;
        while !rest.is_empty() {
            let len = arm_len(rest);
            if !first {
                self.line(false);
            }
            let n = attrs_len(rest);
            self.attrs(&rest[..n]);
            self.seq(&rest[n..len]);
            first = false;
            rest = &rest[len..];
        }
    }

    // ------------------------------------------------------ sequences

    /// Any other run of atoms: on one line if it fits, else with its
    /// delimited groups broken, left to right.
    fn seq(&mut self, atoms: &[Atom]) {
        let room = WIDTH.saturating_sub(self.col() + self.reserve);
        if self.flat_within(atoms, room) {
            return;
        }
        if !atoms.iter().any(|a| matches!(a, Atom::Group(..))) {
            flat(atoms, &mut self.out);
            return;
        }
        let reserve = std::mem::take(&mut self.reserve);
        // A chain of method calls (two, or one on a call's result) gets a line per call.
        let calls: Vec<usize> = (0..atoms.len()).filter(|&i| is_method_call(atoms, i)).collect();
        let after_call = calls.first().is_some_and(|&c| matches!(atoms[c - 1], Atom::Group(..)));
        let chain = calls.len() >= 2 || after_call;
        let depth = self.depth;
        let mut spacer = Spacer::default();
        let mut block_next = false; // the next `{` is a block, not a struct literal
        let mut arms_next = false; // the next `{` holds match arms
        let mut prev: Option<&Atom> = None;
        for (i, a) in atoms.iter().enumerate() {
            if chain && calls.contains(&i) {
                self.depth = depth + 1;
                self.line(false);
            }
            if spacer.step(a) {
                self.out.push(' ');
            }
            if a.is_op("|") && !spacer.closure_open {
                block_next = true;
            }
            match a {
                Atom::Word(w) => {
                    if w == "match" {
                        arms_next = true;
                    } else if matches!(w.as_str(), "if" | "while" | "for") || is_block_keyword(w) {
                        block_next = true;
                    }
                    self.out.push_str(w);
                }
                Atom::Lit(s) => self.out.push_str(s),
                Atom::Op(s) => self.out.push_str(s),
                Atom::Group(Delimiter::Brace, inner) => {
                    let after_path = match prev {
                        Some(Atom::Word(w)) => !is_block_keyword(w) && !is_spaced_keyword(w),
                        Some(p) => p.is_op(">"),
                        None => false,
                    };
                    if arms_next {
                        self.braced(inner, Self::arms);
                    } else if after_path && !block_next {
                        self.delimited(Delimiter::Brace, inner, &atoms[i + 1..]);
                    } else {
                        self.block(inner);
                    }
                    arms_next = false;
                    block_next = false;
                }
                Atom::Group(d, inner) => {
                    // In a broken chain, what follows the next call goes on its own line.
                    let end = calls.iter().find(|&&c| chain && c > i).copied().unwrap_or(atoms.len());
                    let rest = &atoms[i + 1..end];
                    let last_group = !rest.iter().any(|a| matches!(a, Atom::Group(..)));
                    self.reserve = if last_group { reserve } else { 0 };
                    self.delimited(*d, inner, rest);
                }
            }
            prev = Some(a);
        }
        self.depth = depth;
    }

    /// Appends `atoms` on one line if they fit in `limit` columns (the
    /// rules of [`flat_up_to`]); else appends nothing and says so. One pass
    /// instead of measuring first and printing after.
    fn flat_within(&mut self, atoms: &[Atom], limit: usize) -> bool {
        let start = self.out.len();
        if flat_up_to(atoms, start + limit, &mut self.out) {
            return true;
        }
        self.out.truncate(start);
        false
    }

    /// A block: flat when it is one short expression, else a statement per line.
    fn block(&mut self, inner: &[Atom]) {
        let single = !inner.iter().any(|a| a.is_op(";")) && statement_len(inner) == inner.len();
        if single {
            let (start, room) = (self.out.len(), WIDTH.saturating_sub(self.col() + 4));
            self.out.push_str("{ ");
            if self.flat_within(inner, room) {
                self.out.push_str(" }");
                return;
            }
            self.out.truncate(start);
        }
        self.braced(inner, Self::statements);
    }

    /// `{`, the body on its own lines one level deeper, `}`.
    fn braced(&mut self, inner: &[Atom], body: fn(&mut Self, &[Atom])) {
        self.out.push('{');
        if inner.is_empty() {
            self.out.push('}');
            return;
        }
        self.depth += 1;
        self.line(false);
        body(self, inner);
        self.depth -= 1;
        self.line(false);
        self.out.push('}');
    }

    /// A delimited list (call arguments, a tuple, an array, a struct
    /// literal): flat if it fits with what follows it up to the next group,
    /// else one element per line.
    fn delimited(&mut self, d: Delimiter, inner: &[Atom], after: &[Atom]) {
        let (open, close) = delims(d);
        if inner.is_empty() {
            self.out.push_str(open);
            self.out.push_str(close);
            return;
        }
        let room = WIDTH.saturating_sub(self.col() + std::mem::take(&mut self.reserve));
        let pad = if d == Delimiter::Brace && !inner.is_empty() { 4 } else { 2 };
        let run = after.iter().position(|a| matches!(a, Atom::Group(..))).unwrap_or(after.len());
        let start = self.out.len();
        self.out.push_str(open);
        if pad == 4 {
            self.out.push(' ');
        }
        if self.flat_within(inner, room.saturating_sub(pad)) {
            let width = self.out.len() - start + pad / 2;
            if room.checked_sub(width).and_then(|left| measure(&after[..run], left)).is_some() {
                if pad == 4 {
                    self.out.push(' ');
                }
                self.out.push_str(close);
                return;
            }
        }
        self.out.truncate(start);
        let parts = split_commas(inner);
        // A lone block or group hugs the delimiters: `f({ ... })`, `push((a, b))`.
        let hug = matches!(inner.last(), Some(Atom::Group(Delimiter::Brace, _)))
            || (inner.len() == 1 && matches!(inner[0], Atom::Group(..)));
        if parts.len() == 1 && d != Delimiter::Brace && hug {
            self.out.push_str(open);
            self.seq(inner);
            self.out.push_str(close);
            return;
        }
        self.out.push_str(open);
        self.depth += 1;
        for part in parts {
            self.line(false);
            let n = attrs_len(part);
            self.attrs(&part[..n]);
            self.seq(&part[n..]);
        }
        self.depth -= 1;
        self.line(false);
        self.out.push_str(close);
    }
}

/// Whether `atoms[i]` is the `.` of a method call (`.name(` or `.name::<T>(`).
fn is_method_call(atoms: &[Atom], i: usize) -> bool {
    atoms[i].is_op(".")
        && i > 0
        && matches!(atoms.get(i + 1), Some(Atom::Word(_)))
        && matches!(atoms.get(i + 2), Some(Atom::Group(Delimiter::Parenthesis, _)) | Some(Atom::Op(_)))
        && !atoms.get(i + 2).is_some_and(|a| a.is_op(".") || a.is_op("?") || a.is_op(";") || a.is_op(","))
}

/// The width of `atoms` on one line, or `None` when that exceeds `limit` or
/// [`flat_up_to`] refuses to put them on one line.
fn measure(atoms: &[Atom], limit: usize) -> Option<usize> {
    let mut line = String::new();
    flat_up_to(atoms, limit, &mut line).then_some(line.len())
}

// -------------------------------------------------- where things end

/// The item keyword of an item (after visibility and qualifiers).
fn item_kind(atoms: &[Atom]) -> Option<&str> {
    for a in atoms {
        match a {
            Atom::Word(w) if is_item_keyword(w) || w == "macro_rules" => return Some(w),
            Atom::Word(w) if matches!(w.as_str(), "pub" | "async" | "unsafe" | "default") => {}
            Atom::Group(Delimiter::Parenthesis, _) => {} // pub(crate)
            Atom::Word(_) => return None,
            _ => return None,
        }
    }
    None
}

/// Atoms in the item at the start of `atoms` (attributes excluded).
fn item_len(atoms: &[Atom]) -> usize {
    let braced = matches!(
        item_kind(atoms),
        Some("fn" | "struct" | "enum" | "union" | "impl" | "mod" | "trait" | "extern" | "macro_rules")
    );
    for (i, a) in atoms.iter().enumerate() {
        if a.is_op(";") || (braced && a.is_brace()) {
            return i + 1;
        }
        // `name! { ... }` at item level.
        if a.is_brace() && i > 0 && atoms[i - 1].is_op("!") {
            return i + 1;
        }
    }
    atoms.len()
}

fn inner_attrs_len(atoms: &[Atom]) -> usize {
    let mut i = 0;
    while atoms.get(i).is_some_and(|a| a.is_op("#")) && atoms.get(i + 1).is_some_and(|a| a.is_op("!")) {
        i += 3;
    }
    i
}

/// Atoms in the statement at the start of `atoms`: up to its `;`, or to the
/// end of a block-like expression (`if`, `match`, `for`, ... or a block).
fn statement_len(atoms: &[Atom]) -> usize {
    let block_like = match atoms.first() {
        Some(Atom::Word(w)) => matches!(w.as_str(), "if" | "match" | "for" | "while" | "loop" | "unsafe"),
        Some(a) => a.is_brace(),
        None => false,
    };
    if matches!(item_kind(atoms), Some("fn" | "struct" | "enum" | "impl" | "mod" | "trait")) {
        return item_len(atoms);
    }
    let mut i = 0;
    while i < atoms.len() {
        let a = &atoms[i];
        if a.is_op(";") {
            return i + 1;
        }
        if block_like && a.is_brace() {
            // An `else` continues an `if`; `.` or `?` continue the expression.
            match atoms.get(i + 1) {
                Some(n) if n.is_word("else") => {}
                Some(n) if n.is_op(".") || n.is_op("?") || n.is_op(";") => {}
                _ => return i + 1,
            }
        }
        i += 1;
    }
    atoms.len()
}

/// Atoms in the match arm at the start of `atoms`, its comma included.
fn arm_len(atoms: &[Atom]) -> usize {
    let Some(arrow) = atoms.iter().position(|a| a.is_op("=>")) else { return atoms.len() };
    let body = &atoms[arrow + 1..];
    let end = if body.first().is_some_and(|a| a.is_brace() || a.is_word("if") || a.is_word("match")) {
        // A block-like body ends where its statement does; the comma is optional.
        arrow + 1 + statement_len(body)
    } else {
        match body.iter().position(|a| a.is_op(",")) {
            Some(comma) => return arrow + 1 + comma + 1,
            None => return atoms.len(),
        }
    };
    if atoms.get(end).is_some_and(|a| a.is_op(",")) { end + 1 } else { end }
}
