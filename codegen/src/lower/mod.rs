//! Spec → IR. Runs in passes so every name is fixed before it is used:
//! 1. modules (one per document) and the names of all component schemas;
//! 2. component schemas, then operations (hoisting inline types);
//! 3. usage (request/response), recursion boxing, required-field cycles;
//! 4. pagination, which needs the final field shapes.

mod analyze;
mod operation;
mod pagination;
pub mod schema;
mod tagged;

pub(crate) use operation::{path_placeholders, security_facts, token_extension};

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::config::Config;
use crate::diag::{Diagnostics, join};
use crate::ir::{Api, Module, Ty, TypeDef};
use crate::load::SpecSet;
use crate::names;
use crate::refs::Target;
use schema::{At, Shape};

/// State of one lowering run.
pub struct Lowerer<'a> {
    pub(crate) set: &'a SpecSet,
    pub(crate) config: &'a Config,
    pub(crate) diags: &'a mut Diagnostics,
    pub(crate) api: Api,
    /// Component schema → its named type.
    pub(crate) components: BTreeMap<Target, Ty>,
    /// Non-component `$ref` targets already lowered.
    pub(crate) inline_refs: BTreeMap<Target, Shape>,
    pub(crate) in_progress: BTreeSet<Target>,
    /// Inline objects being hoisted, by (document, pointer): met again while
    /// lowering their own fields (through `allOf` and a `$ref` back), they are
    /// the same type, not a new one each time round.
    pub(crate) hoisting: BTreeMap<(String, String), Ty>,
    /// Names claimed per module (types, builders, the handle).
    claimed: BTreeMap<String, BTreeSet<String>>,
    doc_modules: BTreeMap<String, String>,
    /// Raw `x-ghl-pagination` per (module, operation type), resolved in pass 4.
    pending_pagination: Vec<(String, String, String, String, Value)>,
}

/// Lowers a loaded spec set to the IR. Problems go to `diags`.
pub fn lower(set: &SpecSet, config: &Config, diags: &mut Diagnostics) -> Api {
    let mut l = Lowerer {
        set,
        config,
        diags,
        api: Api::default(),
        components: BTreeMap::new(),
        inline_refs: BTreeMap::new(),
        in_progress: BTreeSet::new(),
        hoisting: BTreeMap::new(),
        claimed: BTreeMap::new(),
        doc_modules: BTreeMap::new(),
        pending_pagination: Vec::new(),
    };
    l.register_modules();
    l.register_components();
    l.lower_components();
    l.break_alias_cycles();
    l.lower_operations();
    l.check_other_responses();
    l.lower_webhooks();
    l.analyze();
    l.resolve_pagination();
    l.api
}

/// Every `$ref` below `v` (not below examples) that resolves to nothing.
fn collect_broken_refs(
    set: &SpecSet,
    doc: &str,
    ptr: &str,
    v: &Value,
    depth: usize,
    out: &mut Vec<(String, String, String)>,
) {
    if depth > 64 {
        return;
    }
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let child_ptr = join(ptr, k);
                if k == "$ref" {
                    if let Some(r) = child.as_str()
                        && crate::refs::resolve(set, doc, r).is_none()
                    {
                        out.push((doc.to_owned(), child_ptr, r.to_owned()));
                    }
                } else if !matches!(k.as_str(), "example" | "examples") {
                    collect_broken_refs(set, doc, &child_ptr, child, depth + 1, out);
                }
            }
        }
        Value::Array(list) => {
            for (i, child) in list.iter().enumerate() {
                collect_broken_refs(set, doc, &join(ptr, i), child, depth + 1, out);
            }
        }
        _ => {}
    }
}

impl Lowerer<'_> {
    fn register_modules(&mut self) {
        for doc in &self.set.docs {
            let v = &doc.value;
            match v.get("openapi").and_then(Value::as_str) {
                Some(ver) if ver.starts_with("3.0") || ver.starts_with("3.1") => {}
                Some(ver) => self.diags.error(
                    &doc.rel,
                    "/openapi",
                    format!("OpenAPI version `{ver}` is not supported (3.0 or 3.1)"),
                ),
                None => self.diags.error(&doc.rel, "", "not an OpenAPI document: no `openapi` field"),
            }
            let stem = doc.rel.rsplit('/').next().unwrap_or(&doc.rel);
            let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
            // Each directory below the spec root is a module group: its own
            // Rust module, client accessor and feature prefix.
            let parts: Vec<&str> = doc.rel.split('/').collect();
            let dirs: Vec<String> = parts[..parts.len() - 1].iter().map(|d| names::snake(d)).collect();
            let mut segments = dirs.clone();
            segments.push(names::snake(stem));
            let name = segments.join("::");
            let feature = segments.join("_");
            let group = (!dirs.is_empty()).then(|| dirs.join("::"));
            if let Some(other) = self.api.modules.values().find(|m| m.name == name || m.feature == feature) {
                self.diags.error(
                    &doc.rel,
                    "",
                    format!("module `{name}` (feature `{feature}`) clashes with the one `{}` produces", other.source),
                );
                continue;
            }
            let has_ops = ["paths", "webhooks"]
                .iter()
                .any(|k| v.get(*k).and_then(Value::as_object).is_some_and(|p| !p.is_empty()));
            let info = v.get("info");
            let info_text = |k: &str| info.and_then(|i| i.get(k)).and_then(Value::as_str).map(str::to_owned);
            if let Some(Value::Object(info)) = info {
                for key in info.keys().filter(|k| k.starts_with("x-ghl-") && *k != "x-ghl-example") {
                    self.diags.error(&doc.rel, &join("/info", key), format!("unknown extension `{key}` in `info`"));
                }
            }
            let module = Module {
                name: name.clone(),
                feature,
                group,
                source: doc.rel.clone(),
                title: info_text("title").unwrap_or_else(|| stem.to_owned()),
                description: info_text("description"),
                example: info_text("x-ghl-example"),
                shared: !has_ops,
                ..Module::default()
            };
            let mut claimed = BTreeSet::new();
            claimed.insert(names::pascal(segments.last().map_or("", String::as_str)));
            self.claimed.insert(name.clone(), claimed);
            self.doc_modules.insert(doc.rel.clone(), name.clone());
            self.api.modules.insert(name, module);
        }
    }

    fn register_components(&mut self) {
        for doc in &self.set.docs {
            let Some(module) = self.doc_modules.get(&doc.rel).cloned() else { continue };
            // Builder names are claimed first: they come from operationIds, which
            // are stable, so a schema named like an operation is the one renamed.
            for op_name in operation::builder_names(&doc.value) {
                self.claimed.entry(module.clone()).or_default().insert(op_name);
            }
            let Some(schemas) = doc.value.pointer("/components/schemas").and_then(Value::as_object) else { continue };
            for key in schemas.keys() {
                let name = self.claim_name(&module, &names::type_name(key));
                let target = Target { doc: doc.rel.clone(), pointer: join("/components/schemas", key) };
                self.components.insert(target, Ty::Named { module: module.clone(), name });
            }
        }
    }

    fn lower_components(&mut self) {
        let components: Vec<(Target, Ty)> = self.components.iter().map(|(t, n)| (t.clone(), n.clone())).collect();
        for (target, ty) in components {
            let Ty::Named { module, name } = ty else { continue };
            let Some(value) = self.set.doc(&target.doc).and_then(|d| d.value.pointer(&target.pointer)).cloned() else {
                continue;
            };
            let at = At { doc: target.doc.clone(), module: module.clone(), ptr: target.pointer.clone() };
            let def = self.lower_component(&at, &value, &name);
            self.insert_type(&module, def);
        }
    }

    /// A component keeps its registered name whatever its shape.
    fn lower_component(&mut self, at: &At, value: &Value, name: &str) -> TypeDef {
        use crate::ir::TypeKind;
        let doc = value.get("description").and_then(Value::as_str).map(str::to_owned);
        let is_object = value.get("properties").is_some()
            || value
                .get("allOf")
                .and_then(Value::as_array)
                .is_some_and(|a| a.len() > 1 || value.get("properties").is_some());
        if is_object && value.get("$ref").is_none() {
            let fields = self.struct_fields(at, value, name);
            return TypeDef { name: name.to_owned(), doc, kind: TypeKind::Struct(fields), usage: Default::default() };
        }
        // Enums and unions are hoisted under the component's own name: release
        // the name so the hoisting claims exactly it.
        if let Some(claimed) = self.claimed.get_mut(&at.module) {
            claimed.remove(name);
        }
        let shape = self.lower_schema(at, value, name);
        if let Ty::Named { module, name: hoisted } = &shape.ty
            && hoisted == name
            && module == &at.module
            && let Some(def) = self.api.modules.get_mut(module).and_then(|m| m.types.remove(name))
        {
            return def;
        }
        let name = self.claim_name(&at.module, name);
        TypeDef { name, doc, kind: TypeKind::Alias(shape.ty), usage: Default::default() }
    }

    /// A defect the generator can work around: an error, or with
    /// [`Config::lenient`] a warning saying what was done instead.
    pub(crate) fn defect(&mut self, doc: &str, ptr: &str, message: impl Into<String>, fallback: &str) {
        let message = message.into();
        if self.config.lenient {
            self.diags.warning(doc, ptr, format!("{message}; {fallback}"));
        } else {
            self.diags.error(doc, ptr, message);
        }
    }

    /// Component schemas that are only other names for each other (`A: {$ref:
    /// B}`, `B: {$ref: A}`, or `A: {type: array, items: {$ref: A}}`) name no
    /// type at all: each is reported and becomes raw JSON, so nothing later
    /// follows the loop forever.
    fn break_alias_cycles(&mut self) {
        use crate::ir::TypeKind;
        let aliases: Vec<(Target, String, String)> = self
            .components
            .iter()
            .filter_map(|(t, ty)| match ty {
                Ty::Named { module, name } => Some((t.clone(), module.clone(), name.clone())),
                _ => None,
            })
            .filter(|(_, m, n)| matches!(self.type_def(m, n).map(|d| &d.kind), Some(TypeKind::Alias(_))))
            .collect();
        let mut cyclic = Vec::new();
        for (target, module, name) in &aliases {
            let mut path = vec![name.clone()];
            let mut stack: Vec<Ty> = match self.type_def(module, name).map(|d| &d.kind) {
                Some(TypeKind::Alias(t)) => vec![t.clone()],
                _ => continue,
            };
            let mut visited = BTreeSet::new();
            let mut closes = false;
            while let Some(ty) = stack.pop() {
                match ty {
                    Ty::Array(inner) | Ty::Map(inner) => stack.push(*inner),
                    Ty::Named { module: m, name: n } => {
                        if m == *module && n == *name {
                            closes = true;
                            break;
                        }
                        if !visited.insert((m.clone(), n.clone())) {
                            continue;
                        }
                        if let Some(TypeKind::Alias(t)) = self.type_def(&m, &n).map(|d| &d.kind) {
                            path.push(n.clone());
                            stack.push(t.clone());
                        }
                    }
                    _ => {}
                }
            }
            if closes {
                path.push(name.clone());
                cyclic.push((target.clone(), module.clone(), name.clone(), path.join(" -> ")));
            }
        }
        for (target, module, name, path) in cyclic {
            self.diags.error(
                &target.doc,
                &target.pointer,
                format!("schema `{name}` only refers to itself through `$ref`s ({path}): it describes no value"),
            );
            if let Some(def) = self.api.modules.get_mut(&module).and_then(|m| m.types.get_mut(&name)) {
                def.kind = TypeKind::Alias(Ty::Json);
            }
        }
    }

    /// `$ref`s in responses the client never decodes (non-2xx) must still
    /// point somewhere: a typo there is as broken as anywhere else.
    fn check_other_responses(&mut self) {
        let mut broken = Vec::new();
        for doc in &self.set.docs {
            let Some(paths) = doc.value.get("paths").and_then(Value::as_object) else { continue };
            for (path, item) in paths {
                for (method, op) in item.as_object().into_iter().flatten() {
                    let Some(responses) = op.get("responses").and_then(Value::as_object) else { continue };
                    for (code, response) in responses.iter().filter(|(c, _)| !c.starts_with('2')) {
                        let ptr = join(&join(&join(&join("/paths", path), method), "responses"), code);
                        collect_broken_refs(self.set, &doc.rel, &ptr, response, 0, &mut broken);
                    }
                }
            }
        }
        for (doc, ptr, reference) in broken {
            self.defect(&doc, &ptr, format!("`$ref` target `{reference}` does not exist"), "ignored");
        }
    }

    /// Claims `base` (or `base2`, …) in `module`'s namespace.
    pub(crate) fn claim_name(&mut self, module: &str, base: &str) -> String {
        let claimed = self.claimed.entry(module.to_owned()).or_default();
        let name = names::unique(&names::type_ident(base), |c| claimed.contains(c));
        claimed.insert(name.clone());
        name
    }

    pub(crate) fn insert_type(&mut self, module: &str, def: TypeDef) {
        if let Some(m) = self.api.modules.get_mut(module) {
            m.types.insert(def.name.clone(), def);
        }
    }

    pub(crate) fn type_def(&self, module: &str, name: &str) -> Option<&TypeDef> {
        self.api.modules.get(module).and_then(|m| m.types.get(name))
    }

    pub(crate) fn module_of_doc(&self, doc: &str) -> String {
        self.doc_modules.get(doc).cloned().unwrap_or_default()
    }
}
