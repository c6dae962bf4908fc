//! The public Rust items a spec generates, so a diff can say which ones a
//! regeneration adds, removes or changes.
//!
//! Paths are written as a user of `ghl_client` sees them, with one spelling
//! per kind so they never collide: `contacts::Contact` (type),
//! `contacts::Contact.email` (field), `contacts::CreateContactRequest::new()`
//! (method), `contacts::ContactType::Lead` (variant). The signature is a short
//! Rust-like line; an item whose signature differs between versions is "changed".

use std::collections::BTreeMap;

use serde::Serialize;

use super::compare::{has_builder, positional};
use crate::ir::{Api, Field, Module, Operation, Repr, Success, Ty, TypeDef, TypeKind};

/// What kind of public item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    /// A module (and cargo feature).
    Module,
    /// `Client::<module>()` or a method of a module handle.
    HandleMethod,
    /// A request builder struct.
    Builder,
    /// A method of a request builder (setter, `send`, `stream`).
    BuilderMethod,
    /// A model type.
    Type,
    /// A `pub` field of a model struct.
    Field,
    /// `new()` or a setter of a model struct.
    TypeMethod,
    /// An enum or union variant.
    Variant,
}

impl ItemKind {
    /// Every kind, in report order.
    pub const ALL: &'static [ItemKind] = &[
        ItemKind::Module,
        ItemKind::HandleMethod,
        ItemKind::Builder,
        ItemKind::BuilderMethod,
        ItemKind::Type,
        ItemKind::Field,
        ItemKind::TypeMethod,
        ItemKind::Variant,
    ];

    /// Human label (plural).
    pub fn label(self) -> &'static str {
        match self {
            ItemKind::Module => "modules",
            ItemKind::HandleMethod => "handle methods",
            ItemKind::Builder => "request builders",
            ItemKind::BuilderMethod => "builder methods",
            ItemKind::Type => "types",
            ItemKind::Field => "struct fields",
            ItemKind::TypeMethod => "constructors and setters",
            ItemKind::Variant => "variants",
        }
    }
}

/// One public item and its signature line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Item {
    /// Kind.
    pub kind: ItemKind,
    /// Short Rust-like signature.
    pub signature: String,
}

/// Every public item one version of the spec generates, by path.
#[derive(Clone, Debug, Default)]
pub struct RustItems {
    /// Items by path.
    pub items: BTreeMap<String, Item>,
}

/// An item that was added, removed or changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ItemChange {
    /// Path, e.g. `contacts::Contact.email`.
    pub path: String,
    /// Kind.
    pub kind: ItemKind,
    /// Old signature (absent when added).
    pub old: Option<String>,
    /// New signature (absent when removed).
    pub new: Option<String>,
}

/// Per-kind counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ItemCount {
    /// Kind.
    pub kind: ItemKind,
    /// Human label.
    pub label: &'static str,
    /// Added items.
    pub added: usize,
    /// Removed items.
    pub removed: usize,
    /// Items whose signature changed.
    pub changed: usize,
}

/// The public Rust items a regeneration adds, removes and changes.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ItemSummary {
    /// Per-kind counts (kinds with no change are left out).
    pub counts: Vec<ItemCount>,
    /// New items.
    pub added: Vec<ItemChange>,
    /// Items that are gone.
    pub removed: Vec<ItemChange>,
    /// Items whose signature changed.
    pub changed: Vec<ItemChange>,
}

impl ItemSummary {
    /// No item added, removed or changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// The Rust spelling of a [`Ty`] seen from `module` (other modules' types qualified).
pub fn ty_display(ty: &Ty, module: &str) -> String {
    match ty {
        Ty::String => "String".into(),
        Ty::Secret => "Secret".into(),
        Ty::I32 => "i32".into(),
        Ty::I64 => "i64".into(),
        Ty::F64 => "f64".into(),
        Ty::Bool => "bool".into(),
        Ty::Json => "serde_json::Value".into(),
        Ty::Upload => "Upload".into(),
        Ty::Array(inner) => format!("Vec<{}>", ty_display(inner, module)),
        Ty::Map(inner) => format!("BTreeMap<String, {}>", ty_display(inner, module)),
        Ty::Named { module: m, name } if m == module => name.clone(),
        Ty::Named { module: m, name } => format!("{m}::{name}"),
    }
}

impl RustItems {
    /// The inventory of `api`.
    pub fn of(api: &Api) -> Self {
        let mut items = RustItems::default();
        for m in api.modules.values() {
            items.module(m);
        }
        items
    }

    fn add(&mut self, path: String, kind: ItemKind, signature: String) {
        self.items.insert(path, Item { kind, signature });
    }

    fn module(&mut self, m: &Module) {
        let name = &m.name;
        let gate = if m.shared { "always compiled".to_owned() } else { format!("feature `{name}`") };
        self.add(name.clone(), ItemKind::Module, format!("mod {name} ({gate})"));
        if !m.operations.is_empty() {
            let handle = crate::emit::ops::handle_name(name);
            self.add(
                format!("Client::{name}()"),
                ItemKind::HandleMethod,
                format!("fn {name}(&self) -> {name}::{handle}"),
            );
            for op in m.operations.values() {
                self.operation(name, &handle, op);
            }
        }
        for t in m.types.values() {
            self.type_def(name, t);
        }
        if !m.webhooks.is_empty() {
            self.add(format!("{name}::WebhookEvent"), ItemKind::Type, "enum (non_exhaustive)".into());
            for e in m.webhooks.values() {
                self.add(
                    format!("{name}::WebhookEvent::{}", e.variant),
                    ItemKind::Variant,
                    format!("{}({})", e.variant, ty_display(&e.ty, name)),
                );
            }
        }
    }

    fn operation(&mut self, m: &str, handle: &str, op: &Operation) {
        let mut gates = String::new();
        if op.undocumented {
            gates.push_str(" [feature `undocumented`]");
        }
        if op.deprecated {
            gates.push_str(" [deprecated]");
        }
        let mut args: Vec<String> = op
            .params
            .iter()
            .filter(|p| positional(p))
            .map(|p| format!("{}: impl Into<{}>", p.ident, ty_display(&p.ty, m)))
            .collect();
        if let Some(b) = op.body.as_ref().filter(|b| b.required) {
            args.push(format!("body: {}", ty_display(&b.ty, m)));
        }
        let builder = &op.type_name;
        self.add(
            format!("{m}::{handle}::{}()", op.fn_name),
            ItemKind::HandleMethod,
            format!(
                "fn {}(&self{}) -> {builder}{gates}",
                op.fn_name,
                args.iter().map(|a| format!(", {a}")).collect::<String>()
            ),
        );
        self.add(format!("{m}::{builder}"), ItemKind::Builder, format!("struct{gates}"));
        for p in op.params.iter().filter(|p| !positional(p)) {
            self.add(
                format!("{m}::{builder}::{}()", p.ident),
                ItemKind::BuilderMethod,
                format!("fn {}(self, value: impl Into<{}>) -> Self", p.ident, ty_display(&p.ty, m)),
            );
        }
        if let Some(b) = op.body.as_ref().filter(|b| !b.required) {
            self.add(
                format!("{m}::{builder}::body()"),
                ItemKind::BuilderMethod,
                format!("fn body(self, value: impl Into<{}>) -> Self", ty_display(&b.ty, m)),
            );
        }
        let success = match &op.success {
            Success::Json(ty) => ty_display(ty, m),
            Success::Empty => "()".into(),
            Success::Bytes => "bytes::Bytes".into(),
        };
        self.add(
            format!("{m}::{builder}::send()"),
            ItemKind::BuilderMethod,
            format!("fn send(self) -> impl Future<Output = Result<{success}, Error>>"),
        );
        self.add(
            format!("{m}::{builder}::send_with_meta()"),
            ItemKind::BuilderMethod,
            format!("fn send_with_meta(self) -> impl Future<Output = Result<ApiResponse<{success}>, Error>>"),
        );
        if let Some(p) = &op.pagination {
            self.add(
                format!("{m}::{builder}::stream()"),
                ItemKind::BuilderMethod,
                format!("fn stream(self) -> impl Stream<Item = Result<{}, Error>>", ty_display(&p.item_ty, m)),
            );
        }
    }

    fn type_def(&mut self, m: &str, t: &TypeDef) {
        let name = &t.name;
        match &t.kind {
            TypeKind::Struct(fields) => {
                let usage = t.usage;
                let shown: Vec<Field> = fields
                    .iter()
                    .map(|f| {
                        let mut f = f.clone();
                        if usage.multipart && f.binary {
                            f.ty = match f.ty {
                                Ty::Array(_) => Ty::Array(Box::new(Ty::Upload)),
                                _ => Ty::Upload,
                            };
                        }
                        f
                    })
                    .collect();
                let all_optional = shown.iter().all(|f| f.repr(usage) != Repr::Plain);
                let sig = if usage.multipart {
                    "struct (multipart body)".to_owned()
                } else if all_optional {
                    "struct (serde, Default)".to_owned()
                } else {
                    "struct (serde)".to_owned()
                };
                self.add(format!("{m}::{name}"), ItemKind::Type, sig);
                for f in &shown {
                    let mut ty = ty_display(&f.ty, m);
                    if f.boxed {
                        ty = format!("Box<{ty}>");
                    }
                    let ty = match f.repr(usage) {
                        Repr::Plain => ty,
                        Repr::Option => format!("Option<{ty}>"),
                        Repr::Nullable => format!("Nullable<{ty}>"),
                    };
                    self.add(format!("{m}::{name}.{}", f.ident), ItemKind::Field, format!("pub {}: {ty}", f.ident));
                }
                if has_builder(usage) {
                    let args: Vec<String> = shown
                        .iter()
                        .filter(|f| f.repr(usage) == Repr::Plain)
                        .map(|f| format!("{}: impl Into<{}>", f.ident, ty_display(&f.ty, m)))
                        .collect();
                    self.add(
                        format!("{m}::{name}::new()"),
                        ItemKind::TypeMethod,
                        format!("fn new({}) -> Self", args.join(", ")),
                    );
                    for f in shown.iter().filter(|f| f.repr(usage) != Repr::Plain) {
                        let setter = if f.ident == "new" { "set_new".to_owned() } else { f.ident.clone() };
                        self.add(
                            format!("{m}::{name}::{setter}()"),
                            ItemKind::TypeMethod,
                            format!("fn {setter}(self, value: impl Into<{}>) -> Self", ty_display(&f.ty, m)),
                        );
                        if f.repr(usage) == Repr::Nullable {
                            let clear = format!("clear_{}", f.ident.trim_end_matches('_'));
                            self.add(
                                format!("{m}::{name}::{clear}()"),
                                ItemKind::TypeMethod,
                                format!("fn {clear}(self) -> Self"),
                            );
                        }
                    }
                    if usage.multipart {
                        self.add(
                            format!("{m}::{name}::into_parts()"),
                            ItemKind::TypeMethod,
                            "fn into_parts(self) -> Vec<Part>".into(),
                        );
                    }
                }
            }
            TypeKind::Enum(e) => {
                self.add(format!("{m}::{name}"), ItemKind::Type, "enum (non_exhaustive, string)".into());
                for (wire, v) in &e.variants {
                    self.add(format!("{m}::{name}::{v}"), ItemKind::Variant, format!("{v} = {wire:?}"));
                }
                self.add(
                    format!("{m}::{name}::{}", e.catch_all),
                    ItemKind::Variant,
                    format!("{}(String) (catch-all)", e.catch_all),
                );
            }
            TypeKind::Union(vs) => {
                self.add(format!("{m}::{name}"), ItemKind::Type, "enum (untagged union)".into());
                for v in vs {
                    self.add(
                        format!("{m}::{name}::{}", v.ident),
                        ItemKind::Variant,
                        format!("{}({})", v.ident, ty_display(&v.ty, m)),
                    );
                }
            }
            TypeKind::Tagged(tagged) => {
                let sig = format!("enum (non_exhaustive, tag {:?} beside {:?})", tagged.tag, tagged.content);
                self.add(format!("{m}::{name}"), ItemKind::Type, sig);
                for v in &tagged.variants {
                    self.add(
                        format!("{m}::{name}::{}", v.ident),
                        ItemKind::Variant,
                        format!("{}({}) = {:?}", v.ident, ty_display(&v.ty, m), v.wire),
                    );
                }
                self.add(
                    format!("{m}::{name}::{}", tagged.catch_all),
                    ItemKind::Variant,
                    format!("{}(RawVariant) (catch-all)", tagged.catch_all),
                );
            }
            TypeKind::Alias(ty) => {
                self.add(format!("{m}::{name}"), ItemKind::Type, format!("type {name} = {}", ty_display(ty, m)));
            }
        }
    }
}

/// What changes between two inventories.
pub fn summarize(old: &RustItems, new: &RustItems) -> ItemSummary {
    let mut s = ItemSummary::default();
    for (path, item) in &new.items {
        match old.items.get(path) {
            None => s.added.push(ItemChange {
                path: path.clone(),
                kind: item.kind,
                old: None,
                new: Some(item.signature.clone()),
            }),
            Some(o) if o != item => s.changed.push(ItemChange {
                path: path.clone(),
                kind: item.kind,
                old: Some(o.signature.clone()),
                new: Some(item.signature.clone()),
            }),
            _ => {}
        }
    }
    for (path, item) in &old.items {
        if !new.items.contains_key(path) {
            s.removed.push(ItemChange {
                path: path.clone(),
                kind: item.kind,
                old: Some(item.signature.clone()),
                new: None,
            });
        }
    }
    for &kind in ItemKind::ALL {
        let count = |v: &[ItemChange]| v.iter().filter(|c| c.kind == kind).count();
        let c = ItemCount {
            kind,
            label: kind.label(),
            added: count(&s.added),
            removed: count(&s.removed),
            changed: count(&s.changed),
        };
        if c.added + c.removed + c.changed > 0 {
            s.counts.push(c);
        }
    }
    s
}
