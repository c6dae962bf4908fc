//! A body schema flattened to dotted field paths (`a.b`, `items[].c`), each
//! with the facts compared and where it is written.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::docs::{Docs, Loc};
use super::ops::{enum_of, type_of};

/// What is compared about one field.
#[derive(Clone, Debug)]
pub(crate) struct FieldFacts<'a> {
    pub(crate) ty: Option<String>,
    pub(crate) required: bool,
    pub(crate) values: Option<BTreeSet<String>>,
    /// Own note, or the nearest one above.
    pub(crate) note: Option<String>,
    /// The field's schema, `$ref`s followed, and where it is.
    pub(crate) at: Loc<'a>,
    pub(crate) schema: &'a Value,
    /// The schema holding `enum` (the field's, or its items').
    pub(crate) enum_at: Option<Loc<'a>>,
    /// The schema as written (a `$ref` not followed), and where.
    pub(crate) raw: &'a Value,
    pub(crate) raw_at: Loc<'a>,
}

/// A flattened body.
#[derive(Debug, Default)]
pub(crate) struct Flat<'a> {
    pub(crate) root_note: Option<String>,
    pub(crate) fields: BTreeMap<String, FieldFacts<'a>>,
    /// Notes on the item schema of the array at a path (`items: {$ref: Order}`).
    pub(crate) item_notes: BTreeMap<String, String>,
    /// Where the properties of the object at a path (`""` the root) are
    /// written: the schema whose own `properties` a new field would join.
    pub(crate) objects: BTreeMap<String, Loc<'a>>,
}

/// The enclosing field of a dotted path (`a.b` → `a`, `a[].b` → `a`, `a[]` →
/// `a`); `None` at the top level.
pub(crate) fn parent(path: &str) -> Option<&str> {
    if let Some(p) = path.strip_suffix("[]") {
        return (!p.is_empty()).then_some(p);
    }
    let p = &path[..path.rfind('.')?];
    let p = p.strip_suffix("[]").unwrap_or(p);
    (!p.is_empty()).then_some(p)
}

impl Flat<'_> {
    /// The note covering `path`: its own, or the nearest existing ancestor's.
    pub(crate) fn note_for(&self, path: &str) -> Option<String> {
        let mut p = path;
        loop {
            if p != path
                && let Some(n) = self.item_notes.get(p)
            {
                return Some(n.clone());
            }
            if let Some(f) = self.fields.get(p) {
                return f.note.clone().or_else(|| self.root_note.clone());
            }
            match parent(p) {
                Some(up) => p = up,
                None => return self.root_note.clone(),
            }
        }
    }

    /// Whether a field at `path` can be said to be absent here: it sits at the
    /// top level, or in an object this side has and describes with fields.
    pub(crate) fn comparable(&self, path: &str) -> bool {
        match parent(path) {
            None => true,
            Some(p) => self.fields.contains_key(p) && self.fields.keys().any(|k| parent(k) == Some(p)),
        }
    }
}

/// Flattens the schema `v` at `at`, `depth` object levels deep.
pub(crate) fn flatten<'a>(docs: &'a Docs, depth: usize, at: Loc<'a>, v: &'a Value) -> Flat<'a> {
    let mut f = Flattener { docs, depth, stack: Vec::new() };
    let (at, v, note) = docs.deref(at, v);
    let mut flat = Flat { root_note: note.clone(), ..Flat::default() };
    f.object(at, v, "", 0, note.as_deref(), &mut flat);
    flat
}

struct Flattener<'a> {
    docs: &'a Docs,
    depth: usize,
    stack: Vec<*const Value>,
}

type Prop<'a> = (Loc<'a>, &'a str, &'a Value);

impl<'a> Flattener<'a> {
    /// Properties (merged over `allOf`/`oneOf`/`anyOf`) and required names;
    /// `home` becomes the schema with its own `properties` (the outermost
    /// one, else the last part that has them).
    #[allow(clippy::too_many_arguments)]
    fn props(
        &mut self,
        at: Loc<'a>,
        v: &'a Value,
        out: &mut Vec<Prop<'a>>,
        req: &mut BTreeSet<String>,
        home: &mut Option<Loc<'a>>,
        hops: usize,
    ) {
        if hops > 12 {
            return;
        }
        let (at, v, _) = self.docs.deref(at, v);
        for key in ["allOf", "oneOf", "anyOf"] {
            for (i, part) in v.get(key).and_then(Value::as_array).into_iter().flatten().enumerate() {
                let mut part_req = BTreeSet::new();
                let mut part_home = None;
                self.props(at.join(key).join(i), part, out, &mut part_req, &mut part_home, hops + 1);
                if part_home.is_some() && key == "allOf" {
                    *home = part_home;
                }
                if key == "allOf" {
                    req.extend(part_req);
                }
            }
        }
        if let Some(props) = v.get("properties").and_then(Value::as_object) {
            *home = Some(at.clone());
            for (name, schema) in props {
                let p = (at.join("properties").join(name), name.as_str(), schema);
                if let Some(slot) = out.iter_mut().find(|(_, n, _)| *n == name) {
                    *slot = p;
                } else {
                    out.push(p);
                }
            }
        }
        req.extend(
            v.get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned),
        );
    }

    fn object(
        &mut self,
        at: Loc<'a>,
        v: &'a Value,
        prefix: &str,
        level: usize,
        note: Option<&str>,
        flat: &mut Flat<'a>,
    ) {
        let (at, v, _) = self.docs.deref(at, v);
        if level >= self.depth || self.stack.contains(&(v as *const Value)) {
            return;
        }
        self.stack.push(v as *const Value);
        // An array at this level: describe its items under `prefix[]`.
        if let Some(items) = v.get("items") {
            let (raw, raw_at) = (items, at.join("items"));
            let (iat, items, inote) = self.docs.deref(raw_at.clone(), items);
            let path = format!("{prefix}[]");
            let n = inote.or_else(|| note.map(str::to_owned));
            if !prefix.is_empty() || items.get("properties").is_none() {
                flat.fields.entry(path.clone()).or_insert(FieldFacts {
                    ty: type_of(self.docs, iat.clone(), items),
                    required: false,
                    values: enum_of(items),
                    note: n.clone(),
                    enum_at: enum_of(items).map(|_| iat.clone()),
                    at: iat.clone(),
                    schema: items,
                    raw,
                    raw_at,
                });
            }
            self.object(iat, items, &path, level + 1, n.as_deref(), flat);
        }
        let mut props = Vec::new();
        let mut req = BTreeSet::new();
        let mut home = None;
        self.props(at, v, &mut props, &mut req, &mut home, 0);
        if let Some(home) = home {
            flat.objects.entry(prefix.to_owned()).or_insert(home);
        }
        for (pat, name, schema) in props {
            let (sat, s, snote) = self.docs.deref(pat.clone(), schema);
            let path = if prefix.is_empty() { name.to_owned() } else { format!("{prefix}.{name}") };
            let n = snote.or_else(|| note.map(str::to_owned));
            let item = s.get("items").map(|i| self.docs.deref(sat.join("items"), i));
            let (values, enum_at) = match (enum_of(s), &item) {
                (Some(e), _) => (Some(e), Some(sat.clone())),
                (None, Some((iat, i, _))) => (enum_of(i), enum_of(i).map(|_| iat.clone())),
                (None, None) => (None, None),
            };
            flat.fields.insert(
                path.clone(),
                FieldFacts {
                    ty: type_of(self.docs, sat.clone(), s),
                    required: req.contains(name),
                    values,
                    note: n.clone(),
                    enum_at,
                    at: sat.clone(),
                    schema: s,
                    raw: schema,
                    raw_at: pat,
                },
            );
            // Go into objects, and into arrays of objects (their items are `path[]`).
            if let Some((iat, items, inote)) = item {
                // A note on the item schema (`items: {$ref: Order}`, Order noted) covers its fields.
                if let Some(note) = &inote {
                    flat.item_notes.insert(path.clone(), note.clone());
                }
                let n = inote.or(n);
                self.object(iat, items, &format!("{path}[]"), level + 1, n.as_deref(), flat);
            } else {
                self.object(sat, s, &path, level + 1, n.as_deref(), flat);
            }
        }
        self.stack.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_parents() {
        assert_eq!(parent("a"), None);
        assert_eq!(parent("a.b"), Some("a"));
        assert_eq!(parent("a[].b"), Some("a"));
        assert_eq!(parent("a[]"), Some("a"));
        assert_eq!(parent("[].b"), None);
    }
}
