//! Edits to YAML text that leave everything else as it was: comments, key
//! order, quoting and flow style of untouched nodes.
//!
//! No maintained Rust crate edits YAML losslessly (serde_yaml and yaml-rust2
//! drop comments on a round trip), so edits are insertions at a node found
//! through its position (yaml-rust2's marks, [`crate::position`]) and the
//! indentation of its block: a new key at the end of a block mapping, a new
//! item at the end of a block or flow sequence. What this cannot place (a
//! flow mapping, a node that is not there) is returned as an error for the
//! caller to report; the text is then left alone.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::position::PositionIndex;

/// One insertion: after 0-based line `after` (or a rewrite of that line).
#[derive(Debug)]
enum Change {
    /// `indent` orders insertions after one line: the deeper node's first,
    /// since several blocks (an operation, its path, `paths`) can end there.
    Insert {
        after: usize,
        indent: usize,
        text: String,
    },
    Rewrite {
        line: usize,
        text: String,
    },
}

/// Edits to one file's text, applied together by [`Editor::finish`].
pub(crate) struct Editor<'t> {
    text: &'t str,
    lines: Vec<&'t str>,
    index: PositionIndex,
    changes: Vec<Change>,
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// The text after `key:` on a key's line (comment stripped), from the key's column.
fn value_after_key(line: &str, col: usize) -> Option<&str> {
    let rest = line.get(col.saturating_sub(1)..)?;
    let after_key = match rest.chars().next()? {
        q @ ('"' | '\'') => {
            let end = rest[1..].find(q)? + 2;
            &rest[end..]
        }
        _ => &rest[rest.find(':')?..],
    };
    let v = after_key.strip_prefix(':')?;
    let v = match v.find(" #") {
        Some(i) => &v[..i],
        None => v,
    };
    Some(v.trim())
}

impl<'t> Editor<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        Editor { text, lines: text.lines().collect(), index: PositionIndex::build(text), changes: Vec::new() }
    }

    /// 0-based line and 1-based column of the key at `ptr`.
    fn key(&self, ptr: &str) -> Result<(usize, usize), String> {
        let (line, col) = self.index.get(ptr).ok_or_else(|| format!("`#{ptr}` is not in the text"))?;
        Ok((line.saturating_sub(1), col))
    }

    /// The block below the key at line `l`, column `col`: (indent of its
    /// entries, last line of it).
    fn block(&self, l: usize, col: usize) -> Option<(usize, usize)> {
        let key_indent = col - 1;
        let mut child = None;
        let mut last = None;
        for (i, line) in self.lines.iter().enumerate().skip(l + 1) {
            if is_blank_or_comment(line) {
                continue;
            }
            let ind = indent_of(line);
            let seq_at_key = ind == key_indent && line.trim_start().starts_with("- ");
            if ind > key_indent || seq_at_key {
                child.get_or_insert(ind);
                last = Some(i);
            } else {
                break;
            }
        }
        Some((child?, last?))
    }

    /// Adds `key: value` as the last entry of the block mapping at `map_ptr`.
    pub(crate) fn add_entry(&mut self, map_ptr: &str, key: &str, value: &Value) -> Result<(), String> {
        let (l, col) = self.key(map_ptr)?;
        let inline = value_after_key(self.lines[l], col).unwrap_or("");
        if !inline.is_empty() {
            return Err(format!("`#{map_ptr}` is written inline (`{inline}`); add `{key}` by hand"));
        }
        let (indent, last) = self.block(l, col).unwrap_or((col - 1 + 2, l));
        self.changes.push(Change::Insert { after: last, indent, text: entry(key, value, indent) });
        Ok(())
    }

    /// Appends `values` to the sequence at `seq_ptr` (block or flow style);
    /// with no such key, adds it to the mapping that would hold it.
    pub(crate) fn add_items(&mut self, seq_ptr: &str, values: &[Value]) -> Result<(), String> {
        let Ok((l, col)) = self.key(seq_ptr) else {
            let (parent, key) = seq_ptr.rsplit_once('/').unwrap_or(("", seq_ptr));
            let key = key.replace("~1", "/").replace("~0", "~");
            return self.add_entry(parent, &key, &Value::Array(values.to_vec()));
        };
        let inline = value_after_key(self.lines[l], col).unwrap_or("").to_owned();
        if inline.is_empty() {
            let (indent, last) = self.block(l, col).ok_or_else(|| format!("`#{seq_ptr}` is empty"))?;
            let mut text = String::new();
            for v in values {
                text.push_str(&item(v, indent));
            }
            self.changes.push(Change::Insert { after: last, indent, text });
            return Ok(());
        }
        if !inline.starts_with('[') {
            return Err(format!("`#{seq_ptr}` is not a sequence"));
        }
        // A flow sequence: before its closing bracket, on whichever line that is.
        let added: Vec<String> = values.iter().map(flow).collect();
        for (i, line) in self.lines.iter().enumerate().skip(l) {
            if let Some(pos) = closing_bracket(line, i == l) {
                let before = line[..pos].trim_end();
                let sep = if before.ends_with('[') { "" } else { ", " };
                let text = format!("{before}{sep}{}{}", added.join(", "), &line[pos..]);
                self.changes.push(Change::Rewrite { line: i, text });
                return Ok(());
            }
        }
        Err(format!("`#{seq_ptr}`: no closing `]`"))
    }

    /// The edited text; `None` when nothing changed.
    pub(crate) fn finish(self) -> Option<String> {
        if self.changes.is_empty() {
            return None;
        }
        let mut inserts: BTreeMap<usize, Vec<(usize, String)>> = BTreeMap::new();
        let mut rewrites: BTreeMap<usize, String> = BTreeMap::new();
        for c in self.changes {
            match c {
                Change::Insert { after, indent, text } => inserts.entry(after).or_default().push((indent, text)),
                Change::Rewrite { line, text } => {
                    rewrites.insert(line, text);
                }
            }
        }
        let mut out = String::with_capacity(self.text.len() + 1024);
        for (i, line) in self.lines.iter().enumerate() {
            out.push_str(rewrites.get(&i).map_or(line, String::as_str));
            out.push('\n');
            if let Some(list) = inserts.get_mut(&i) {
                list.sort_by_key(|(indent, _)| std::cmp::Reverse(*indent));
                for (_, t) in list {
                    out.push_str(t);
                }
            }
        }
        Some(out)
    }
}

/// Position of the `]` closing the flow sequence on `line` (the last one on
/// the key's line; the first unquoted one on a continuation line).
fn closing_bracket(line: &str, first: bool) -> Option<usize> {
    let code = match line.find(" #") {
        Some(i) => &line[..i],
        None => line,
    };
    if first { code.rfind(']') } else { code.find(']') }
}

/// A scalar as YAML (quoted where plain text would mean something else).
fn scalar(v: &Value) -> String {
    serde_yaml::to_string(v).map(|s| s.trim_end().to_owned()).unwrap_or_else(|_| v.to_string())
}

/// A value inside a flow collection: JSON quoting where plain text could break it.
fn flow(v: &Value) -> String {
    match v {
        Value::String(s) => {
            let plain = scalar(v);
            let risky = s.is_empty()
                || s.contains([',', '[', ']', '{', '}', '#', ':', '"', '\''])
                || s.trim() != s
                || looks_typed(s);
            if risky || plain != *s { serde_json::to_string(s).unwrap_or_default() } else { plain }
        }
        Value::Array(list) => format!("[{}]", list.iter().map(flow).collect::<Vec<_>>().join(", ")),
        Value::Object(map) if map.is_empty() => "{}".to_owned(),
        Value::Object(map) => format!(
            "{{ {} }}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", flow(&Value::String(k.clone())), flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => scalar(other),
    }
}

/// Plain text YAML readers might take for a number or a date (`2021-07-28`, `200`).
fn looks_typed(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | '+' | 'e' | 'E' | '_' | ':'))
        && s.chars().any(|c| c.is_ascii_digit())
}

/// A mapping key: plain where block context allows it (`/contacts/{id}`), quoted otherwise.
fn key_text(k: &str) -> String {
    let plain = scalar(&Value::String(k.to_owned()));
    let starts_special =
        k.starts_with(['-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`']);
    if k.is_empty()
        || starts_special
        || k.contains(": ")
        || k.contains(" #")
        || k.trim() != k
        || looks_typed(k)
        || (plain != k && !k.contains('{'))
    {
        serde_json::to_string(k).unwrap_or_default()
    } else {
        k.to_owned()
    }
}

/// Small collections of scalars read best inline, as `spec/` writes them.
fn inline_ok(v: &Value) -> bool {
    match v {
        Value::Array(list) => list.iter().all(|x| !x.is_object() && !x.is_array()),
        Value::Object(map) => {
            map.len() <= 3
                && map.values().all(|x| !x.is_object() || x.as_object().is_some_and(|m| m.is_empty()))
                && map.values().all(|x| {
                    !x.is_array() || x.as_array().is_some_and(|l| l.len() <= 3 && l.iter().all(|i| !i.is_object()))
                })
        }
        _ => true,
    }
}

/// `key: value` at `indent`, with a newline.
pub(crate) fn entry(key: &str, value: &Value, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let key = key_text(key);
    if inline_ok(value) {
        return format!("{pad}{key}: {}\n", flow(value));
    }
    let mut out = format!("{pad}{key}:\n");
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                out.push_str(&entry(k, v, indent + 2));
            }
        }
        Value::Array(list) => {
            for v in list {
                out.push_str(&item(v, indent + 2));
            }
        }
        _ => {}
    }
    out
}

/// `- value` at `indent`, with a newline.
fn item(value: &Value, indent: usize) -> String {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) if !inline_ok(value) => {
            let mut out = String::new();
            for (i, (k, v)) in map.iter().enumerate() {
                let e = entry(k, v, indent + 2);
                if i == 0 {
                    out.push_str(&format!("{pad}- {}", e.trim_start()));
                } else {
                    out.push_str(&e);
                }
            }
            out
        }
        other => format!("{pad}- {}\n", flow(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn adds_entries_and_items_and_keeps_comments() {
        let text = "a:\n  # ours\n  b: 1 # why\n  c:\n    - x\n  d: [p, q] # note\ne: 2\n";
        let mut e = Editor::new(text);
        e.add_entry("/a", "n", &json!({"type": "string"})).unwrap();
        e.add_items("/a/c", &[json!("y")]).unwrap();
        e.add_items("/a/d", &[json!("r, s")]).unwrap();
        e.add_items("/a/f", &[json!("z")]).unwrap();
        let out = e.finish().unwrap();
        assert_eq!(
            out,
            "a:\n  # ours\n  b: 1 # why\n  c:\n    - x\n    - y\n  d: [p, q, \"r, s\"] # note\n  n: { type: string }\n  f: [z]\ne: 2\n"
        );
        let v: Value = serde_yaml::from_str(&out).unwrap();
        assert_eq!(v["a"]["d"], json!(["p", "q", "r, s"]));
    }

    #[test]
    fn inner_blocks_ending_on_one_line_get_their_entries_first() {
        let text = "paths:\n  /a:\n    get:\n      x: 1\n";
        let mut e = Editor::new(text);
        e.add_entry("/paths", "/b", &json!({"get": {"y": 2}})).unwrap();
        e.add_entry("/paths/~1a/get", "deprecated", &json!(true)).unwrap();
        let out = e.finish().unwrap();
        assert_eq!(out, "paths:\n  /a:\n    get:\n      x: 1\n      deprecated: true\n  /b:\n    get: { y: 2 }\n");
    }

    #[test]
    fn refuses_flow_mappings() {
        let mut e = Editor::new("a: { b: 1 }\n");
        assert!(e.add_entry("/a", "c", &json!(1)).is_err());
        assert!(e.finish().is_none());
    }
}
