//! Lowering schemas to [`Ty`]s, hoisting inline objects, enums and unions
//! into named types of the module they appear in.

use serde_json::Value;

use super::Lowerer;
use crate::diag::join;
use crate::ir::{Field, FieldFacts, StrEnum, Ty, TypeDef, TypeKind, UnionVariant, Usage};
use crate::names;

/// Where a schema sits: its document, module and JSON pointer.
#[derive(Clone, Debug)]
pub struct At {
    pub doc: String,
    pub module: String,
    pub ptr: String,
}

impl At {
    pub(super) fn child(&self, segment: impl std::fmt::Display) -> Self {
        At { doc: self.doc.clone(), module: self.module.clone(), ptr: join(&self.ptr, segment) }
    }
}

/// A lowered schema: its type, whether `null` is allowed, and why it is raw JSON.
#[derive(Clone, Debug)]
pub struct Shape {
    pub ty: Ty,
    pub nullable: bool,
    pub note: Option<String>,
}

impl Shape {
    fn of(ty: Ty) -> Self {
        Shape { ty, nullable: false, note: None }
    }
}

/// JSON kind of a schema, for deciding whether an untagged union can tell variants apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    String,
    Number,
    Bool,
    Array,
    Object,
    Any,
}

fn kind_of(ty: &Ty, lowerer: &Lowerer, depth: usize) -> Kind {
    // Alias loops are reported after the components are lowered; until then
    // a loop must not be followed forever.
    if depth > 32 {
        return Kind::Any;
    }
    match ty {
        Ty::String | Ty::Secret | Ty::Upload => Kind::String,
        Ty::I32 | Ty::I64 | Ty::F64 => Kind::Number,
        Ty::Bool => Kind::Bool,
        Ty::Array(_) => Kind::Array,
        Ty::Map(_) => Kind::Object,
        Ty::Json => Kind::Any,
        Ty::Named { module, name } => match lowerer.type_def(module, name).map(|t| &t.kind) {
            Some(TypeKind::Struct(_)) => Kind::Object,
            Some(TypeKind::Enum(_)) => Kind::String,
            Some(TypeKind::Alias(t)) => kind_of(&t.clone(), lowerer, depth + 1),
            Some(_) => Kind::Any,
            // A component not lowered yet (components go in name order): its schema tells.
            None => lowerer.component_value(module, name).map_or(Kind::Any, |v| raw_kind(&v)),
        },
    }
}

/// The JSON kind a component's own schema declares, before it is lowered.
fn raw_kind(v: &Value) -> Kind {
    match v.get("type").and_then(Value::as_str) {
        Some("string") => Kind::String,
        Some("integer" | "number") => Kind::Number,
        Some("boolean") => Kind::Bool,
        Some("array") => Kind::Array,
        Some("object") => Kind::Object,
        _ if v.get("properties").is_some() => Kind::Object,
        _ => Kind::Any,
    }
}

/// The facts of a property schema that its docs can state (of the items for a list).
pub(crate) fn field_facts(schema: &Value) -> FieldFacts {
    let v = match schema.get("items") {
        Some(items) if schema.get("type").and_then(Value::as_str) == Some("array") => items,
        _ => schema,
    };
    let example = v.get("example").or_else(|| v.get("examples").and_then(|e| e.get(0))).and_then(|e| match e {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => serde_json::to_string(other).ok(),
    });
    FieldFacts {
        format: text(v, "format"),
        values: v
            .get("enum")
            .and_then(Value::as_array)
            .map_or_else(Vec::new, |vs| vs.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect()),
        example,
        min_items: schema.get("minItems").and_then(Value::as_u64).and_then(|n| usize::try_from(n).ok()),
    }
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

const SCHEMA_EXTENSIONS: &[&str] = &["x-ghl-note", "x-ghl-max-bytes", super::tagged::EXTENSION];

/// Keys that change what a schema describes: beside a `$ref` they are lost.
const SHAPE_KEYS: &[&str] =
    &["type", "properties", "items", "enum", "allOf", "oneOf", "anyOf", "additionalProperties", "const"];

/// An object schema with its own properties (not a `$ref`, union or enum):
/// one struct whatever refers to it.
fn is_plain_object(v: &Value) -> bool {
    v.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty())
        && ["$ref", "allOf", "oneOf", "anyOf", "enum"].iter().all(|k| v.get(*k).is_none())
        && matches!(v.get("type").and_then(Value::as_str), None | Some("object"))
}

impl Lowerer<'_> {
    /// Lowers the schema `v` at `at`; inline named types get `hint` as their name.
    pub fn lower_schema(&mut self, at: &At, v: &Value, hint: &str) -> Shape {
        let Some(obj) = v.as_object() else {
            if v.as_bool() == Some(true) {
                return Shape::of(Ty::Json);
            }
            self.diags.error(&at.doc, &at.ptr, "a schema must be a mapping");
            return Shape::of(Ty::Json);
        };
        for key in obj.keys().filter(|k| k.starts_with("x-ghl-")) {
            if !SCHEMA_EXTENSIONS.contains(&key.as_str()) {
                self.diags.error(&at.doc, &join(&at.ptr, key), format!("unknown extension `{key}` on a schema"));
            }
        }
        if obj.contains_key(super::tagged::EXTENSION) {
            self.diags.error(
                &at.doc,
                &join(&at.ptr, super::tagged::EXTENSION),
                "`x-ghl-discriminator` belongs on an object's property, beside the tag property it names",
            );
        }
        if let Some(reference) = obj.get("$ref") {
            let ignored: Vec<&str> = obj.keys().map(String::as_str).filter(|k| SHAPE_KEYS.contains(k)).collect();
            if !ignored.is_empty() {
                self.diags.warning(
                    &at.doc,
                    &at.ptr,
                    format!(
                        "`$ref` beside {}: only the `$ref` is read; wrap both in `allOf` if both are meant",
                        ignored.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                    ),
                );
            }
            let mut shape = self.lower_ref(at, reference, hint);
            shape.nullable |= obj.get("nullable") == Some(&Value::Bool(true));
            return shape;
        }
        let mut nullable = obj.get("nullable") == Some(&Value::Bool(true));
        let ty_name = match obj.get("type") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Array(list)) => {
                let names: Vec<&str> = list.iter().filter_map(Value::as_str).collect();
                nullable |= names.contains(&"null");
                let rest: Vec<&str> = names.into_iter().filter(|n| *n != "null").collect();
                match rest.as_slice() {
                    [] => Some("null".to_owned()),
                    [one] => Some((*one).to_owned()),
                    _ => {
                        return Shape {
                            ty: Ty::Json,
                            nullable,
                            note: Some(format!("Raw JSON: the value may be any of {}.", rest.join(", "))),
                        };
                    }
                }
            }
            Some(_) => {
                self.diags.error(&at.doc, &join(&at.ptr, "type"), "`type` must be a string or a list of strings");
                None
            }
        };

        if let Some(Value::Array(values)) = obj.get("enum") {
            let strings: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
            nullable |= values.iter().any(Value::is_null);
            let non_null = values.iter().filter(|v| !v.is_null()).count();
            if non_null > 0 && strings.len() == non_null && matches!(ty_name.as_deref(), None | Some("string")) {
                let ty = self.hoist_enum(at, obj, &strings, hint);
                return Shape { ty, nullable, note: None };
            }
        }
        if let Some(Value::Array(parts)) = obj.get("allOf") {
            let own_props = obj.get("properties").is_some_and(|p| p.as_object().is_some_and(|m| !m.is_empty()));
            if parts.len() == 1 && !own_props {
                let mut shape = self.lower_schema(&at.child("allOf").child(0), &parts[0], hint);
                shape.nullable |= nullable;
                return shape;
            }
            let ty = self.hoist_struct(at, v, hint);
            return Shape { ty, nullable, note: None };
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(variants)) = obj.get(key) {
                let mut shape = self.lower_union(at, key, variants, hint);
                shape.nullable |= nullable;
                return shape;
            }
        }

        let format = obj.get("format").and_then(Value::as_str).unwrap_or("");
        let ty = match ty_name.as_deref() {
            Some("string") => {
                // Binary strings stay `String` here; multipart emission turns
                // fields flagged `binary` into file parts.
                if format == "password" { Ty::Secret } else { Ty::String }
            }
            Some("integer") => {
                if format == "int32" {
                    Ty::I32
                } else {
                    Ty::I64
                }
            }
            Some("number") => Ty::F64,
            Some("boolean") => Ty::Bool,
            Some("null") => {
                nullable = true;
                Ty::Json
            }
            Some("array") => self.lower_array(at, obj, hint),
            Some("object") | None => {
                let has_props = obj.get("properties").and_then(Value::as_object).is_some_and(|m| !m.is_empty());
                if has_props {
                    self.hoist_struct(at, v, hint)
                } else if let Some(addl) = obj.get("additionalProperties").filter(|a| a.is_object()) {
                    let inner = self.lower_schema(&at.child("additionalProperties"), addl, &format!("{hint}Value"));
                    Ty::Map(Box::new(inner.ty))
                } else if ty_name.is_none() && obj.contains_key("items") {
                    self.lower_array(at, obj, hint)
                } else {
                    Ty::Json
                }
            }
            Some(other) => {
                self.defect(
                    &at.doc,
                    &join(&at.ptr, "type"),
                    format!(
                        "unknown type `{other}` (expected string, integer, number, boolean, array, object or null)"
                    ),
                    "taken as raw JSON",
                );
                Ty::Json
            }
        };
        Shape { ty, nullable, note: None }
    }

    fn lower_array(&mut self, at: &At, obj: &serde_json::Map<String, Value>, hint: &str) -> Ty {
        match obj.get("items") {
            Some(items) => {
                let inner = self.lower_schema(&at.child("items"), items, &format!("{hint}Item"));
                Ty::Array(Box::new(inner.ty))
            }
            None => Ty::Array(Box::new(Ty::Json)),
        }
    }

    fn lower_ref(&mut self, at: &At, reference: &Value, hint: &str) -> Shape {
        let ptr = join(&at.ptr, "$ref");
        let Some(reference) = reference.as_str() else {
            self.diags.error(&at.doc, &ptr, "`$ref` must be a string");
            return Shape::of(Ty::Json);
        };
        let Some((target, value)) = crate::refs::resolve(self.set, &at.doc, reference) else {
            self.defect(&at.doc, &ptr, format!("`$ref` target `{reference}` does not exist"), "taken as raw JSON");
            return Shape::of(Ty::Json);
        };
        if let Some(named) = self.components.get(&target) {
            return Shape::of(named.clone());
        }
        if let Some(shape) = self.inline_refs.get(&target) {
            return shape.clone();
        }
        // A reference into something other than a component schema: lower the
        // target in its own document, once.
        if !self.in_progress.insert(target.clone()) {
            self.diags.error(&at.doc, &ptr, format!("`$ref` `{reference}` refers to itself"));
            return Shape::of(Ty::Json);
        }
        let module = self.module_of_doc(&target.doc);
        let value = value.clone();
        let doc = target.doc.clone();
        let inner_at = At { doc, module, ptr: target.pointer.clone() };
        if is_plain_object(&value) {
            // Named before its fields are lowered, so a field may refer back
            // to it: recursion through such a `$ref` is as legal as through a
            // component.
            let name = self.claim_name(&inner_at.module, hint);
            let ty = Ty::Named { module: inner_at.module.clone(), name: name.clone() };
            let shape = Shape { ty, nullable: value.get("nullable") == Some(&Value::Bool(true)), note: None };
            self.inline_refs.insert(target.clone(), shape.clone());
            let fields = self.struct_fields(&inner_at, &value, &name);
            let def = TypeDef {
                name,
                doc: text(&value, "description"),
                kind: TypeKind::Struct(fields),
                usage: Usage::default(),
            };
            self.insert_type(&inner_at.module, def);
            self.in_progress.remove(&target);
            return shape;
        }
        let shape = self.lower_schema(&inner_at, &value, hint);
        self.in_progress.remove(&target);
        self.inline_refs.insert(target, shape.clone());
        shape
    }

    fn lower_union(&mut self, at: &At, key: &str, variants: &[Value], hint: &str) -> Shape {
        let mut nullable = false;
        let mut lowered = Vec::new();
        for (i, variant) in variants.iter().enumerate() {
            if variant.get("type").and_then(Value::as_str) == Some("null") {
                nullable = true;
                continue;
            }
            let shape = self.lower_schema(&at.child(key).child(i), variant, &format!("{hint}Variant{}", i + 1));
            nullable |= shape.nullable;
            lowered.push(shape.ty);
        }
        lowered.dedup();
        match lowered.len() {
            0 => return Shape { ty: Ty::Json, nullable, note: None },
            1 => return Shape { ty: lowered.remove(0), nullable, note: None },
            _ => {}
        }
        let kinds: Vec<Kind> = lowered.iter().map(|t| kind_of(t, self, 0)).collect();
        let mut distinct = kinds.clone();
        distinct.sort();
        distinct.dedup();
        if distinct.len() != kinds.len() || kinds.contains(&Kind::Any) {
            return Shape {
                ty: Ty::Json,
                nullable,
                note: Some(format!(
                    "Raw JSON: the `{key}` variants cannot be told apart by their JSON kind, so no typed union is generated."
                )),
            };
        }
        let variants =
            lowered.into_iter().map(|ty| UnionVariant { ident: union_variant_name(&ty), ty }).collect::<Vec<_>>();
        let name = self.claim_name(&at.module, hint);
        let doc = text(&self.value_at(at), "description");
        self.insert_type(
            &at.module,
            TypeDef { name: name.clone(), doc, kind: TypeKind::Union(variants), usage: Usage::default() },
        );
        Shape { ty: Ty::Named { module: at.module.clone(), name }, nullable, note: None }
    }

    fn hoist_enum(&mut self, at: &At, obj: &serde_json::Map<String, Value>, values: &[&str], hint: &str) -> Ty {
        let mut variants: Vec<(String, String)> = Vec::new();
        for value in values {
            if variants.iter().any(|(w, _)| w == value) {
                continue;
            }
            let base = names::pascal(value);
            let ident = names::unique(&base, |c| variants.iter().any(|(_, i)| i == c));
            variants.push(((*value).to_owned(), ident));
        }
        let taken = |c: &str| variants.iter().any(|(_, i)| i == c);
        let catch_all = if taken("Unknown") { names::unique("Other", taken) } else { "Unknown".to_owned() };
        let kind = StrEnum { variants, catch_all };
        // Identical inline enums under the same name hint share one type.
        if let Some(existing) = self.type_def(&at.module, hint)
            && let TypeKind::Enum(e) = &existing.kind
            && e.variants == kind.variants
        {
            return Ty::Named { module: at.module.clone(), name: hint.to_owned() };
        }
        let name = self.claim_name(&at.module, hint);
        let doc = text(&Value::Object(obj.clone()), "description");
        self.insert_type(
            &at.module,
            TypeDef { name: name.clone(), doc, kind: TypeKind::Enum(kind), usage: Usage::default() },
        );
        Ty::Named { module: at.module.clone(), name }
    }

    fn hoist_struct(&mut self, at: &At, v: &Value, hint: &str) -> Ty {
        let key = (at.doc.clone(), at.ptr.clone());
        if let Some(ty) = self.hoisting.get(&key) {
            return ty.clone();
        }
        let name = self.claim_name(&at.module, hint);
        self.hoisting.insert(key.clone(), Ty::Named { module: at.module.clone(), name: name.clone() });
        let fields = self.struct_fields(at, v, &name);
        self.hoisting.remove(&key);
        let doc = text(v, "description");
        self.insert_type(
            &at.module,
            TypeDef { name: name.clone(), doc, kind: TypeKind::Struct(fields), usage: Usage::default() },
        );
        Ty::Named { module: at.module.clone(), name }
    }

    /// The fields of an object schema, merging `allOf` parts in order.
    pub fn struct_fields(&mut self, at: &At, v: &Value, owner: &str) -> Vec<Field> {
        let mut props: Vec<(At, String, Value)> = Vec::new();
        let mut required: Vec<String> = Vec::new();
        self.collect_props(at, v, &mut props, &mut required, 0);
        // A sibling tag belongs to its payload's enum, not to the struct.
        let tagged = self.sibling_tags(&props);
        props.retain(|(_, wire, _)| !tagged.iter().any(|t| t.tag == *wire));
        let mut fields: Vec<Field> = Vec::new();
        // Wire names that are already valid idents claim them first, so `id`
        // stays `id` when `_id` is also present.
        let mut idents: Vec<Option<String>> = vec![None; props.len()];
        let mut taken: Vec<String> = Vec::new();
        for pass in 0..2 {
            for (i, (_, wire, _)) in props.iter().enumerate() {
                let ident = names::snake(wire);
                if idents[i].is_some() || ((pass == 0) != (ident == *wire)) {
                    continue;
                }
                // `_id` next to `id`: spell the underscore out rather than number it.
                let ident =
                    if taken.contains(&ident) && wire.starts_with('_') { format!("underscore_{ident}") } else { ident };
                let ident = names::unique(&ident, |c| taken.iter().any(|t| t == c));
                taken.push(ident.clone());
                idents[i] = Some(ident);
            }
        }
        for ((prop_at, wire, schema), ident) in props.into_iter().zip(idents) {
            let hint = format!("{owner}{}", names::pascal(&wire));
            if let Some(sibling) = tagged.iter().find(|t| t.content == wire) {
                let ty = self.hoist_tagged(&prop_at, &schema, sibling, &hint);
                fields.push(Field {
                    // Both keys must be there for the value to be known.
                    required: required.contains(&wire) && required.contains(&sibling.tag),
                    wire,
                    ident: ident.unwrap_or_default(),
                    ty,
                    nullable: false,
                    boxed: false,
                    doc: text(&schema, "description"),
                    facts: FieldFacts::default(),
                    max_bytes: None,
                    binary: false,
                    flatten: true,
                });
                continue;
            }
            let shape = self.lower_schema(&prop_at, &schema, &hint);
            let mut doc = text(&schema, "description");
            if let Some(note) = shape.note {
                doc = Some(match doc {
                    Some(d) => format!("{d}\n\n{note}"),
                    None => note,
                });
            }
            let max_bytes = schema.get("x-ghl-max-bytes").and_then(Value::as_u64);
            let binary = self.is_binary(&prop_at, &schema);
            fields.push(Field {
                required: required.contains(&wire),
                wire,
                ident: ident.unwrap_or_default(),
                ty: shape.ty,
                nullable: shape.nullable,
                boxed: false,
                doc,
                facts: field_facts(&schema),
                max_bytes,
                binary,
                flatten: false,
            });
        }
        fields
    }

    fn collect_props(
        &mut self,
        at: &At,
        v: &Value,
        props: &mut Vec<(At, String, Value)>,
        required: &mut Vec<String>,
        depth: usize,
    ) {
        if depth > 16 {
            self.diags.error(&at.doc, &at.ptr, "`allOf` nesting is too deep (a reference cycle?)");
            return;
        }
        if let Some(r) = v.get("$ref").and_then(Value::as_str) {
            match crate::refs::resolve(self.set, &at.doc, r) {
                Some((target, value)) => {
                    let value = value.clone();
                    let module = self.module_of_doc(&target.doc);
                    let inner = At { doc: target.doc, module, ptr: target.pointer };
                    self.collect_props(&inner, &value, props, required, depth + 1);
                }
                None => {
                    self.diags.error(&at.doc, &join(&at.ptr, "$ref"), format!("`$ref` target `{r}` does not exist"))
                }
            }
            return;
        }
        if let Some(Value::Array(parts)) = v.get("allOf") {
            for (i, part) in parts.iter().enumerate() {
                self.collect_props(&at.child("allOf").child(i), part, props, required, depth + 1);
            }
        }
        if let Some(Value::Object(map)) = v.get("properties") {
            for (wire, schema) in map {
                let prop_at = at.child("properties").child(wire);
                if let Some(existing) = props.iter_mut().find(|(_, w, _)| w == wire) {
                    *existing = (prop_at, wire.clone(), schema.clone());
                } else {
                    props.push((prop_at, wire.clone(), schema.clone()));
                }
            }
        }
        if let Some(Value::Array(list)) = v.get("required") {
            for name in list.iter().filter_map(Value::as_str) {
                if !required.iter().any(|r| r == name) {
                    required.push(name.to_owned());
                }
            }
        }
    }

    /// `format: binary` (or `contentMediaType`) on the schema, its items, or its `$ref` target.
    fn is_binary(&self, at: &At, v: &Value) -> bool {
        let mut v = v.clone();
        for _ in 0..4 {
            if let Some(r) = v.get("$ref").and_then(Value::as_str) {
                match crate::refs::resolve(self.set, &at.doc, r) {
                    Some((_, t)) => v = t.clone(),
                    None => return false,
                }
            } else if let Some(items) = v.get("items") {
                v = items.clone();
            } else {
                break;
            }
        }
        v.get("format").and_then(Value::as_str) == Some("binary") || v.get("contentMediaType").is_some()
    }

    /// The raw schema of the component registered as `module::name`.
    fn component_value(&self, module: &str, name: &str) -> Option<Value> {
        let (target, _) = self
            .components
            .iter()
            .find(|(_, ty)| matches!(ty, Ty::Named { module: m, name: n } if m == module && n == name))?;
        self.set.doc(&target.doc).and_then(|d| d.value.pointer(&target.pointer)).cloned()
    }

    fn value_at(&self, at: &At) -> Value {
        self.set.doc(&at.doc).and_then(|d| d.value.pointer(&at.ptr)).cloned().unwrap_or(Value::Null)
    }
}

fn union_variant_name(ty: &Ty) -> String {
    match ty {
        Ty::String | Ty::Secret | Ty::Upload => "String".into(),
        Ty::I32 | Ty::I64 => "Integer".into(),
        Ty::F64 => "Number".into(),
        Ty::Bool => "Bool".into(),
        Ty::Json => "Json".into(),
        Ty::Array(_) => "List".into(),
        Ty::Map(_) => "Map".into(),
        Ty::Named { name, .. } => name.clone(),
    }
}
