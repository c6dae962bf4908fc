//! Sibling-tagged one-of properties (`x-ghl-discriminator`): a `oneOf` whose
//! variant is chosen by another property of the same object, such as
//! `{"type": "CALL", "payload": {...}}`. They lower to a [`TypeKind::Tagged`]
//! enum that owns both keys and is flattened into the parent struct.

use serde_json::Value;

use super::Lowerer;
use super::schema::At;
use crate::diag::join;
use crate::ir::{Tagged, TaggedVariant, Ty, TypeDef, TypeKind, Usage};
use crate::names;

/// The extension's key.
pub const EXTENSION: &str = "x-ghl-discriminator";

/// A checked `x-ghl-discriminator` on a property.
pub struct SiblingTag {
    /// Wire name of the payload property.
    pub content: String,
    /// Wire name of the tag property beside it.
    pub tag: String,
}

impl Lowerer<'_> {
    /// The tagged properties among `props` (a struct's merged properties), with
    /// their tag properties. A malformed extension is reported and the
    /// property lowered as usual.
    pub(super) fn sibling_tags(&mut self, props: &[(At, String, Value)]) -> Vec<SiblingTag> {
        let mut out: Vec<SiblingTag> = Vec::new();
        for (at, wire, schema) in props {
            let Some(ext) = schema.get(EXTENSION) else { continue };
            let ptr = join(&at.ptr, EXTENSION);
            let sibling = ext.get("sibling").and_then(Value::as_str);
            let known_keys = ext.as_object().is_some_and(|m| m.keys().all(|k| k == "sibling" || k == "mapping"));
            let Some(sibling) = sibling.filter(|_| known_keys && ext.get("mapping").is_some_and(Value::is_object))
            else {
                self.diags.error(&at.doc, &ptr, "expected `{ sibling: <property>, mapping: { <tag value>: <$ref> } }`");
                continue;
            };
            if schema.get("oneOf").and_then(Value::as_array).is_none() {
                self.diags.error(&at.doc, &ptr, "`x-ghl-discriminator` belongs beside a `oneOf`");
                continue;
            }
            if sibling == wire || !props.iter().any(|(_, w, _)| w == sibling) {
                self.diags.error(
                    &at.doc,
                    &join(&ptr, "sibling"),
                    format!("`{sibling}` is not another property of the same object"),
                );
                continue;
            }
            if out.iter().any(|s| s.tag == sibling || s.content == sibling || s.tag == *wire) {
                self.diags.error(&at.doc, &join(&ptr, "sibling"), format!("`{sibling}` already tags another property"));
                continue;
            }
            out.push(SiblingTag { content: wire.clone(), tag: sibling.to_owned() });
        }
        out
    }

    /// The enum for the tagged property `schema` at `at`, named `hint`.
    pub(super) fn hoist_tagged(&mut self, at: &At, schema: &Value, sibling: &SiblingTag, hint: &str) -> Ty {
        let variants_at = at.child("oneOf");
        let one_of: Vec<Value> = schema.get("oneOf").and_then(Value::as_array).cloned().unwrap_or_default();
        let mapping: Vec<(String, Value)> = schema
            .get(EXTENSION)
            .and_then(|e| e.get("mapping"))
            .and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        let mapping_ptr = join(&join(&at.ptr, EXTENSION), "mapping");
        for (tag, target) in &mapping {
            let listed = target
                .as_str()
                .is_some_and(|t| one_of.iter().any(|v| v.get("$ref").and_then(Value::as_str) == Some(t)));
            if !listed {
                self.diags.error(
                    &at.doc,
                    &join(&mapping_ptr, tag),
                    "must be the `$ref` of one of the `oneOf` variants",
                );
            }
        }
        let mut variants: Vec<TaggedVariant> = Vec::new();
        for (i, variant) in one_of.iter().enumerate() {
            let reference = variant.get("$ref").and_then(Value::as_str);
            let tags: Vec<&String> = mapping
                .iter()
                .filter(|(_, t)| reference.is_some() && t.as_str() == reference)
                .map(|(k, _)| k)
                .collect();
            if tags.is_empty() {
                self.diags.error(
                    &variants_at.doc,
                    &join(&variants_at.ptr, i),
                    "no `x-ghl-discriminator` mapping names this variant",
                );
                continue;
            }
            let ty = self.lower_schema(&variants_at.child(i), variant, &format!("{hint}Variant{}", i + 1)).ty;
            for tag in tags {
                let ident = names::unique(&names::pascal(tag), |c| variants.iter().any(|v| v.ident == c));
                variants.push(TaggedVariant { wire: tag.clone(), ident, ty: ty.clone() });
            }
        }
        let catch_all = names::unique("Other", |c| variants.iter().any(|v| v.ident == c));
        let kind = Tagged { tag: sibling.tag.clone(), content: sibling.content.clone(), variants, catch_all };
        let name = self.claim_name(&at.module, hint);
        let doc = schema.get("description").and_then(Value::as_str).map(str::to_owned);
        self.insert_type(
            &at.module,
            TypeDef { name: name.clone(), doc, kind: TypeKind::Tagged(kind), usage: Usage::default() },
        );
        Ty::Named { module: at.module.clone(), name }
    }
}
