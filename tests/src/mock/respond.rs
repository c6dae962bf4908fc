//! Building response bodies from the IR, with `example` values from the raw spec.
//!
//! Every field of every object is filled with a value of its type. Where
//! the raw schema (or property) has an `example` that fits the type, it is
//! laid over the generated value; an example that does not fit is skipped
//! and noted (see [`super::MockSpec::example_notes`]).

use std::collections::BTreeSet;

use codegen::ir::{Api, Ty, TypeKind};
use codegen::load::SpecSet;
use serde_json::{Map, Value, json};

use super::check::Checker;

/// Deeper than this, objects are left empty and arrays hold no items.
const MAX_DEPTH: usize = 10;

/// A node of a raw schema and the document it sits in (for `$ref`s).
#[derive(Clone, Copy)]
pub(crate) struct Raw<'a> {
    doc: &'a str,
    node: &'a Value,
}

impl<'a> Raw<'a> {
    pub fn new(doc: &'a str, node: &'a Value) -> Self {
        Raw { doc, node }
    }
}

/// Builds sample values for types of `api`.
pub(crate) struct Builder<'a> {
    api: &'a Api,
    set: &'a SpecSet,
    stack: Vec<(String, String)>,
    /// Document of the example being laid over (for notes).
    doc: &'a str,
    /// Examples that did not fit their type.
    pub notes: BTreeSet<String>,
}

impl<'a> Builder<'a> {
    pub fn new(api: &'a Api, set: &'a SpecSet) -> Self {
        Builder { api, set, stack: Vec::new(), doc: "", notes: BTreeSet::new() }
    }

    /// Names the document of examples laid over next (for notes).
    pub fn set_doc(&mut self, doc: &'a str) {
        self.doc = doc;
    }

    fn deref(&self, raw: Raw<'a>) -> Raw<'a> {
        let mut raw = raw;
        for _ in 0..16 {
            let Some(r) = raw.node.get("$ref").and_then(Value::as_str) else { break };
            let Some((target, node)) = codegen::refs::resolve(self.set, raw.doc, r) else { break };
            let Some(doc) = self.set.doc(&target.doc) else { break };
            raw = Raw { doc: &doc.rel, node };
        }
        raw
    }

    fn example(&self, raw: Option<Raw<'a>>) -> Option<&'a Value> {
        let raw = raw?;
        let own = |n: &'a Value| n.get("example").or_else(|| n.get("examples").and_then(|e| e.get(0)));
        own(raw.node).or_else(|| own(self.deref(raw).node))
    }

    fn property(&self, raw: Option<Raw<'a>>, wire: &str, depth: usize) -> Option<Raw<'a>> {
        let raw = self.deref(raw?);
        if let Some(p) = raw.node.get("properties").and_then(|p| p.get(wire)) {
            return Some(Raw { doc: raw.doc, node: p });
        }
        if depth > 8 {
            return None;
        }
        raw.node
            .get("allOf")
            .and_then(Value::as_array)?
            .iter()
            .find_map(|part| self.property(Some(Raw { doc: raw.doc, node: part }), wire, depth + 1))
    }

    fn child(&self, raw: Option<Raw<'a>>, key: &str) -> Option<Raw<'a>> {
        let raw = self.deref(raw?);
        raw.node.get(key).filter(|v| v.is_object()).map(|node| Raw { doc: raw.doc, node })
    }

    fn format(&self, raw: Option<Raw<'a>>) -> Option<&'a str> {
        raw.and_then(|r| r.node.get("format").or_else(|| self.deref(r).node.get("format"))).and_then(Value::as_str)
    }

    /// A value of `ty`: generated, then overlaid with the raw schema's example.
    pub fn build(&mut self, at: &str, ty: &Ty, raw: Option<Raw<'a>>, depth: usize) -> Value {
        let mut v = self.generate(at, ty, raw, depth);
        if let (Some(ex), Some(r)) = (self.example(raw), raw) {
            self.doc = r.doc;
            self.overlay(at, &mut v, ex, ty);
        }
        v
    }

    fn generate(&mut self, at: &str, ty: &Ty, raw: Option<Raw<'a>>, depth: usize) -> Value {
        match ty {
            Ty::String | Ty::Secret | Ty::Upload => Value::String(
                match self.format(raw) {
                    Some("date-time") => "2024-01-15T10:30:00.000Z",
                    Some("date") => "2024-01-15",
                    Some("email") => "sample@example.com",
                    Some("uri" | "url") => "https://example.com/sample",
                    _ => "sample",
                }
                .to_owned(),
            ),
            Ty::I32 | Ty::I64 => json!(1),
            Ty::F64 => json!(1.5),
            Ty::Bool => json!(true),
            Ty::Json => json!({}),
            Ty::Array(inner) if depth >= MAX_DEPTH => {
                let _ = inner;
                json!([])
            }
            Ty::Array(inner) => {
                let items = self.child(raw, "items");
                json!([self.build(&format!("{at}[]"), inner, items, depth + 1)])
            }
            Ty::Map(inner) => {
                let values = self.child(raw, "additionalProperties");
                json!({ "key": self.build(&format!("{at}.key"), inner, values, depth + 1) })
            }
            Ty::Named { module, name } => {
                let Some(def) = self.api.modules.get(module).and_then(|m| m.types.get(name)) else {
                    return Value::Null;
                };
                match &def.kind {
                    TypeKind::Enum(e) => e.variants.first().map_or_else(|| json!("sample"), |(w, _)| json!(w)),
                    TypeKind::Alias(inner) => self.generate(at, inner, raw, depth),
                    // Only reached through its parent's flattened field.
                    TypeKind::Tagged(_) => json!({}),
                    TypeKind::Union(vs) => {
                        let Some(first) = vs.first() else { return Value::Null };
                        let raw_first = raw.and_then(|r| {
                            let r = self.deref(r);
                            let alts = r.node.get("oneOf").or_else(|| r.node.get("anyOf"))?.as_array()?;
                            (alts.len() == vs.len()).then(|| Raw { doc: r.doc, node: &alts[0] })
                        });
                        self.build(at, &first.ty, raw_first, depth + 1)
                    }
                    TypeKind::Struct(fields) => {
                        let key = (module.clone(), name.clone());
                        if depth >= MAX_DEPTH || self.stack.contains(&key) {
                            return json!({});
                        }
                        self.stack.push(key);
                        let mut obj = Map::new();
                        for f in fields {
                            let prop = self.property(raw, &f.wire, 0);
                            if let Some(t) = Checker::response(self.api).tagged_def(f) {
                                // The first variant, tag and payload.
                                let Some(first) = t.variants.first() else { continue };
                                let raw_first = prop.and_then(|r| {
                                    let r = self.deref(r);
                                    let alts = r.node.get("oneOf")?.as_array()?;
                                    Some(Raw { doc: r.doc, node: alts.first()? })
                                });
                                let v = self.build(&format!("{name}.{}", f.wire), &first.ty, raw_first, depth + 1);
                                obj.insert(t.tag.clone(), json!(first.wire));
                                obj.insert(f.wire.clone(), v);
                                continue;
                            }
                            let v = self.build(&format!("{name}.{}", f.wire), &f.ty, prop, depth + 1);
                            obj.insert(f.wire.clone(), v);
                        }
                        self.stack.pop();
                        Value::Object(obj)
                    }
                }
            }
        }
    }

    /// Lays `ex` over `v` where it fits `ty`: objects field by field, arrays
    /// item by item (each on a copy of the generated item), leaves whole.
    pub fn overlay(&mut self, at: &str, v: &mut Value, ex: &Value, ty: &Ty) {
        let mut checker = Checker::response(self.api);
        if let Some(fields) = checker.struct_fields(ty) {
            let (Some(obj), Some(ex_obj)) = (v.as_object_mut(), ex.as_object()) else {
                self.notes.insert(format!("spec/{}: {at}: the example {ex} is not an object", self.doc));
                return;
            };
            for (k, exv) in ex_obj {
                let field = fields.iter().find(|f| &f.wire == k);
                if let Some(t) = field.and_then(|f| checker.tagged_def(f)) {
                    // A tagged payload goes in with its tag, when the example has a known one.
                    let tag = ex_obj.get(&t.tag).and_then(Value::as_str);
                    let Some(var) = t.variants.iter().find(|var| Some(var.wire.as_str()) == tag) else { continue };
                    if exv.is_null() {
                        continue;
                    }
                    if obj.get(&t.tag).and_then(Value::as_str) == tag {
                        if let Some(slot) = obj.get_mut(k) {
                            self.overlay(&format!("{at}.{k}"), slot, exv, &var.ty);
                        }
                    } else {
                        let mut fit = Checker::response(self.api);
                        fit.value(at, exv, &var.ty);
                        if fit.problems.is_empty() {
                            obj.insert(k.clone(), exv.clone());
                            obj.insert(t.tag.clone(), json!(var.wire));
                        }
                    }
                    continue;
                }
                match (field, obj.get_mut(k)) {
                    (Some(f), Some(slot)) if !exv.is_null() => self.overlay(&format!("{at}.{k}"), slot, exv, &f.ty),
                    _ => {}
                }
            }
            return;
        }
        let inner_of_array = match ty {
            Ty::Array(inner) => Some(inner.as_ref()),
            _ => None,
        };
        if let (Some(inner), Some(items), Some(template)) =
            (inner_of_array, ex.as_array(), v.as_array().and_then(|a| a.first()).cloned())
        {
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let mut t = template.clone();
                self.overlay(&format!("{at}[{i}]"), &mut t, item, inner);
                out.push(t);
            }
            if !out.is_empty() {
                *v = Value::Array(out);
            }
            return;
        }
        checker.value(at, ex, ty);
        if checker.problems.is_empty() {
            *v = ex.clone();
        } else {
            self.notes.insert(format!(
                "spec/{}: an example does not fit its type: {}",
                self.doc,
                checker.problems.join("; ")
            ));
        }
    }
}

/// Replaces every enum value in `v` (a value of `ty`) with `replacement`.
pub(crate) fn replace_enums(api: &Api, v: &mut Value, ty: &Ty, replacement: &str) {
    walk(api, v, ty, &mut |v, kind| {
        if let Walk::Enum = kind {
            *v = Value::String(replacement.to_owned());
        }
    });
}

/// Adds `field: extra` to every object of a generated struct type in `v`.
pub(crate) fn add_unknown_fields(api: &Api, v: &mut Value, ty: &Ty, field: &str, extra: &Value) {
    walk(api, v, ty, &mut |v, kind| {
        if let (Walk::Struct, Some(obj)) = (kind, v.as_object_mut()) {
            obj.insert(field.to_owned(), extra.clone());
        }
    });
}

/// Whether `v` (a value of `ty`) holds an enum value anywhere (so that [`replace_enums`] changes something).
pub(crate) fn has_enum(api: &Api, v: &Value, ty: &Ty) -> bool {
    let mut found = false;
    let mut v = v.clone();
    walk(api, &mut v, ty, &mut |_, kind| found |= matches!(kind, Walk::Enum));
    found
}

#[derive(Clone, Copy)]
enum Walk {
    Enum,
    Struct,
}

fn walk(api: &Api, v: &mut Value, ty: &Ty, f: &mut dyn FnMut(&mut Value, Walk)) {
    match (ty, &mut *v) {
        (Ty::Array(inner), Value::Array(items)) => {
            for item in items {
                walk(api, item, inner, f);
            }
        }
        (Ty::Map(inner), Value::Object(map)) => {
            for item in map.values_mut() {
                walk(api, item, inner, f);
            }
        }
        (Ty::Named { module, name }, _) => {
            let Some(def) = api.modules.get(module).and_then(|m| m.types.get(name)) else { return };
            match &def.kind {
                TypeKind::Enum(_) if v.is_string() => f(v, Walk::Enum),
                TypeKind::Alias(inner) => walk(api, v, inner, f),
                TypeKind::Union(vs) => {
                    // The variant the value was generated from: the first that checks.
                    if let Some(var) = vs.iter().find(|var| {
                        let mut c = Checker::response(api);
                        c.value("", v, &var.ty);
                        c.problems.is_empty()
                    }) {
                        walk(api, v, &var.ty, f);
                    }
                }
                TypeKind::Struct(fields) => {
                    if let Value::Object(obj) = v {
                        for fd in fields {
                            let ty = match Checker::response(api).tagged_def(fd) {
                                Some(t) => {
                                    let tag = obj.get(&t.tag).and_then(Value::as_str);
                                    match t.variants.iter().find(|var| Some(var.wire.as_str()) == tag) {
                                        Some(var) => &var.ty,
                                        None => continue,
                                    }
                                }
                                None => &fd.ty,
                            };
                            if let Some(x) = obj.get_mut(&fd.wire) {
                                walk(api, x, ty, f);
                            }
                        }
                    }
                    if v.is_object() {
                        f(v, Walk::Struct);
                    }
                }
                TypeKind::Enum(_) | TypeKind::Tagged(_) => {}
            }
        }
        _ => {}
    }
}

/// Empties the item array at the dot path `items` (a page past the last).
pub(crate) fn empty_items(v: &mut Value, items: &str) {
    let mut cur = v;
    for step in items.split('.') {
        match cur.get_mut(step) {
            Some(next) => cur = next,
            None => return,
        }
    }
    if cur.is_array() {
        *cur = json!([]);
    }
}
