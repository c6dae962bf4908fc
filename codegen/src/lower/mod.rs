//! Spec → IR. Runs in passes so every name is fixed before it is used:
//! 1. modules (one per document) and the names of all component schemas;
//! 2. component schemas, then operations (hoisting inline types);
//! 3. usage (request/response), recursion boxing, required-field cycles;
//! 4. pagination, which needs the final field shapes.

mod analyze;
mod operation;
mod pagination;
pub mod schema;

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
        claimed: BTreeMap::new(),
        doc_modules: BTreeMap::new(),
        pending_pagination: Vec::new(),
    };
    l.register_modules();
    l.register_components();
    l.lower_components();
    l.lower_operations();
    l.lower_webhooks();
    l.analyze();
    l.resolve_pagination();
    l.api
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

    /// Claims `base` (or `base2`, …) in `module`'s namespace.
    pub(crate) fn claim_name(&mut self, module: &str, base: &str) -> String {
        let claimed = self.claimed.entry(module.to_owned()).or_default();
        let name = names::unique(base, |c| claimed.contains(c));
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
