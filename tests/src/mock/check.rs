//! Checking JSON values and text values against IR types.
//!
//! Request mode is strict (required fields, no unknown fields, no null where
//! the spec does not allow it, known enum values); response mode only checks
//! JSON kinds, as the generated response models are lenient.

use codegen::ir::{Api, Field, Tagged, Ty, TypeDef, TypeKind};
use serde_json::Value;

/// Checks values against the types of `api`, collecting problems.
pub(crate) struct Checker<'a> {
    api: &'a Api,
    request: bool,
    pub problems: Vec<String>,
}

impl<'a> Checker<'a> {
    /// A strict checker for what a client sends.
    pub fn request(api: &'a Api) -> Self {
        Checker { api, request: true, problems: Vec::new() }
    }

    /// A lenient checker for what a server answers (kinds only).
    pub fn response(api: &'a Api) -> Self {
        Checker { api, request: false, problems: Vec::new() }
    }

    fn problem(&mut self, at: &str, what: impl std::fmt::Display) {
        self.problems.push(format!("{at}: {what}"));
    }

    /// The definition of a named type.
    pub fn def(&self, ty: &Ty) -> Option<&'a TypeDef> {
        match ty {
            Ty::Named { module, name } => self.api.modules.get(module).and_then(|m| m.types.get(name)),
            _ => None,
        }
    }

    /// The fields of `ty` when it is (an alias of) an object type.
    pub fn struct_fields(&self, ty: &Ty) -> Option<&'a [Field]> {
        let mut ty = ty;
        for _ in 0..16 {
            match &self.def(ty)?.kind {
                TypeKind::Struct(fields) => return Some(fields),
                TypeKind::Alias(inner) => ty = inner,
                _ => return None,
            }
        }
        None
    }

    /// Checks a JSON value.
    pub fn value(&mut self, at: &str, v: &Value, ty: &Ty) {
        match ty {
            Ty::String | Ty::Secret => {
                if !v.is_string() {
                    self.problem(at, format!("expected a string, got {}", describe(v)));
                }
            }
            Ty::I32 => match v.as_i64() {
                Some(n) if i32::try_from(n).is_ok() => {}
                Some(n) => self.problem(at, format!("{n} does not fit a 32-bit integer")),
                None => self.problem(at, format!("expected an integer, got {}", describe(v))),
            },
            Ty::I64 => {
                if v.as_i64().is_none() {
                    self.problem(at, format!("expected an integer, got {}", describe(v)));
                }
            }
            Ty::F64 => {
                if !v.is_number() {
                    self.problem(at, format!("expected a number, got {}", describe(v)));
                }
            }
            Ty::Bool => {
                if !v.is_boolean() {
                    self.problem(at, format!("expected a boolean, got {}", describe(v)));
                }
            }
            Ty::Json => {}
            Ty::Upload => self.problem(at, "a file cannot be sent inside a JSON document"),
            Ty::Array(inner) => match v.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.value(&format!("{at}[{i}]"), item, inner);
                    }
                }
                None => self.problem(at, format!("expected an array, got {}", describe(v))),
            },
            Ty::Map(inner) => match v.as_object() {
                Some(map) => {
                    for (k, item) in map {
                        self.value(&format!("{at}.{k}"), item, inner);
                    }
                }
                None => self.problem(at, format!("expected an object (map), got {}", describe(v))),
            },
            Ty::Named { name, .. } => {
                let Some(def) = self.def(ty) else {
                    self.problem(at, format!("type `{name}` is not in the IR"));
                    return;
                };
                match &def.kind {
                    TypeKind::Alias(inner) => self.value(at, v, inner),
                    TypeKind::Enum(e) => match v.as_str() {
                        Some(s) if e.variants.iter().any(|(w, _)| w == s) => {}
                        Some(s) if self.request => {
                            let known: Vec<&str> = e.variants.iter().map(|(w, _)| w.as_str()).collect();
                            self.problem(
                                at,
                                format!("unknown value `{s}` of enum `{name}` (known: {})", known.join(", ")),
                            );
                        }
                        Some(_) => {}
                        None => self.problem(at, format!("expected a string (enum `{name}`), got {}", describe(v))),
                    },
                    TypeKind::Union(variants) => {
                        let mut first = None;
                        for var in variants {
                            let mut sub = Checker { api: self.api, request: self.request, problems: Vec::new() };
                            sub.value(at, v, &var.ty);
                            if sub.problems.is_empty() {
                                return;
                            }
                            first.get_or_insert(sub.problems);
                        }
                        let why = first.map(|p| p.join("; ")).unwrap_or_default();
                        self.problem(
                            at,
                            format!("matches none of the {} shapes of `{name}` (first: {why})", variants.len()),
                        );
                    }
                    TypeKind::Struct(fields) => self.object(at, v, name, fields),
                    // Met outside its parent (an example of the payload alone):
                    // without the tag, any variant's payload will do.
                    TypeKind::Tagged(t) => {
                        let fits = t.variants.iter().any(|var| {
                            let mut sub = Checker { api: self.api, request: self.request, problems: Vec::new() };
                            sub.value(at, v, &var.ty);
                            sub.problems.is_empty()
                        });
                        if !fits {
                            self.problem(at, format!("matches none of the payloads of `{name}`"));
                        }
                    }
                }
            }
        }
    }

    fn object(&mut self, at: &str, v: &Value, name: &str, fields: &[Field]) {
        let Some(obj) = v.as_object() else {
            self.problem(at, format!("expected an object (`{name}`), got {}", describe(v)));
            return;
        };
        for f in fields {
            if f.flatten {
                self.tagged(at, obj, name, f);
                continue;
            }
            let here = format!("{at}.{}", f.wire);
            match obj.get(&f.wire) {
                None if self.request && f.required => {
                    self.problem(at, format!("missing required field `{}` of `{name}`", f.wire));
                }
                None => {}
                Some(Value::Null) if self.request && !f.nullable => {
                    self.problem(&here, format!("is null, but `{name}.{}` is not nullable", f.wire));
                }
                Some(Value::Null) => {}
                Some(x) => self.value(&here, x, &f.ty),
            }
        }
        if self.request {
            let tags: Vec<&str> = fields.iter().filter_map(|f| self.tagged_def(f)).map(|t| t.tag.as_str()).collect();
            for k in obj.keys().filter(|k| !fields.iter().any(|f| &f.wire == *k) && !tags.contains(&k.as_str())) {
                self.problem(at, format!("unknown field `{k}`: `{name}` has no such field"));
            }
        }
    }

    /// The tagged enum of a flattened field.
    pub fn tagged_def(&self, f: &Field) -> Option<&'a Tagged> {
        match self.def(&f.ty).map(|d| &d.kind) {
            Some(TypeKind::Tagged(t)) if f.flatten => Some(t),
            _ => None,
        }
    }

    /// A flattened tagged field: the payload checked against the variant its tag names.
    fn tagged(&mut self, at: &str, obj: &serde_json::Map<String, Value>, name: &str, f: &Field) {
        let Some(t) = self.tagged_def(f) else {
            self.problem(at, format!("`{name}.{}` is flattened but not a tagged enum", f.wire));
            return;
        };
        if self.request && f.required {
            for key in [&t.tag, &t.content] {
                if !obj.contains_key(key) {
                    self.problem(at, format!("missing required field `{key}` of `{name}`"));
                }
            }
        }
        let content = obj.get(&t.content).filter(|c| !c.is_null());
        match obj.get(&t.tag) {
            Some(Value::String(tag)) => match (t.variants.iter().find(|v| &v.wire == tag), content) {
                (Some(var), Some(c)) => self.value(&format!("{at}.{}", t.content), c, &var.ty),
                (None, _) if self.request => {
                    let known: Vec<&str> = t.variants.iter().map(|v| v.wire.as_str()).collect();
                    self.problem(
                        &format!("{at}.{}", t.tag),
                        format!("unknown value `{tag}` (known: {})", known.join(", ")),
                    );
                }
                _ => {}
            },
            None | Some(Value::Null) => {}
            Some(other) => {
                self.problem(&format!("{at}.{}", t.tag), format!("expected a string, got {}", describe(other)))
            }
        }
    }

    /// Checks a value sent as text (query, path, header, form or multipart field).
    pub fn text(&mut self, at: &str, s: &str, ty: &Ty) {
        match ty {
            Ty::String | Ty::Secret | Ty::Json => {}
            Ty::I32 => {
                if s.parse::<i32>().is_err() {
                    self.problem(at, format!("`{s}` is not a 32-bit integer"));
                }
            }
            Ty::I64 => {
                if s.parse::<i64>().is_err() {
                    self.problem(at, format!("`{s}` is not an integer"));
                }
            }
            Ty::F64 => {
                if s.parse::<f64>().is_err() {
                    self.problem(at, format!("`{s}` is not a number"));
                }
            }
            Ty::Bool => {
                if s != "true" && s != "false" {
                    self.problem(at, format!("`{s}` is not `true` or `false`"));
                }
            }
            Ty::Upload => self.problem(at, "expected a file part, got a text value"),
            Ty::Named { .. } => match self.def(ty).map(|d| &d.kind) {
                Some(TypeKind::Alias(inner)) => self.text(at, s, inner),
                Some(TypeKind::Enum(_)) => self.value(at, &Value::String(s.to_owned()), ty),
                _ => self.json_text(at, s, ty),
            },
            Ty::Array(_) | Ty::Map(_) => self.json_text(at, s, ty),
        }
    }

    fn json_text(&mut self, at: &str, s: &str, ty: &Ty) {
        match serde_json::from_str::<Value>(s) {
            Ok(v) => self.value(at, &v, ty),
            Err(e) => self.problem(at, format!("expected JSON text, `{s}` does not parse: {e}")),
        }
    }
}

/// A short description of a JSON value's kind, for messages.
pub(crate) fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) if s.chars().count() > 40 => format!("string \"{}…\"", s.chars().take(40).collect::<String>()),
        Value::String(s) => format!("string \"{s}\""),
        Value::Array(a) => format!("an array of {}", a.len()),
        Value::Object(_) => "an object".into(),
    }
}
