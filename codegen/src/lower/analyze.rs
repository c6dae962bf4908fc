//! Whole-API checks after lowering: which types are sent or received, which
//! fields must be boxed to break recursion, and cycles no value can satisfy.

use std::collections::{BTreeMap, BTreeSet};

use super::Lowerer;
use crate::ir::{BodyKind, Success, Ty, TypeKind, Usage};

type Key = (String, String);

fn named(ty: &Ty, out: &mut Vec<Key>) {
    match ty {
        Ty::Named { module, name } => out.push((module.clone(), name.clone())),
        Ty::Array(inner) | Ty::Map(inner) => named(inner, out),
        _ => {}
    }
}

/// The named types a type definition refers to.
fn def_refs(kind: &TypeKind, out: &mut Vec<Key>) {
    match kind {
        TypeKind::Struct(fields) => fields.iter().for_each(|f| named(&f.ty, out)),
        TypeKind::Union(vs) => vs.iter().for_each(|v| named(&v.ty, out)),
        TypeKind::Tagged(t) => t.variants.iter().for_each(|v| named(&v.ty, out)),
        TypeKind::Alias(ty) => named(ty, out),
        TypeKind::Enum(_) => {}
    }
}

impl Lowerer<'_> {
    pub(super) fn analyze(&mut self) {
        self.mark_usage();
        self.param_encodings();
        self.box_recursion();
        self.check_required_cycles();
        self.mark_needed_by();
    }

    /// For each featured module, every type its code reaches in other
    /// featured modules (transitively), so that type can be compiled for it.
    fn mark_needed_by(&mut self) {
        let mut found: Vec<(Key, String)> = Vec::new();
        for m in self.api.modules.values().filter(|m| !m.shared) {
            let mut stack: Vec<Key> = Vec::new();
            for op in m.operations.values() {
                op.params.iter().for_each(|p| named(&p.ty, &mut stack));
                if let Some(b) = &op.body {
                    named(&b.ty, &mut stack);
                }
                if let Success::Json(ty) = &op.success {
                    named(ty, &mut stack);
                }
            }
            m.webhooks.values().for_each(|e| named(&e.ty, &mut stack));
            stack.extend(m.types.keys().map(|t| (m.name.clone(), t.clone())));
            let mut seen: BTreeSet<Key> = BTreeSet::new();
            while let Some(key) = stack.pop() {
                if !seen.insert(key.clone()) {
                    continue;
                }
                let Some(owner) = self.api.modules.get(&key.0) else { continue };
                if owner.shared {
                    continue;
                }
                if owner.name != m.name {
                    found.push((key.clone(), m.feature.clone()));
                }
                if let Some(def) = owner.types.get(&key.1) {
                    def_refs(&def.kind, &mut stack);
                }
            }
        }
        for ((module, ty), feature) in found {
            if let Some(m) = self.api.modules.get_mut(&module) {
                m.needed_by.entry(ty).or_default().insert(feature);
            }
        }
    }

    fn mark_usage(&mut self) {
        let mut request: Vec<Key> = Vec::new();
        let mut response: Vec<Key> = Vec::new();
        let mut multipart: Vec<Key> = Vec::new();
        for m in self.api.modules.values() {
            for op in m.operations.values() {
                for p in &op.params {
                    named(&p.ty, &mut request);
                }
                if let Some(body) = &op.body {
                    named(&body.ty, &mut request);
                    if body.kind == BodyKind::Multipart {
                        named(&body.ty, &mut multipart);
                    }
                }
                if let Success::Json(ty) = &op.success {
                    named(ty, &mut response);
                }
            }
            for event in m.webhooks.values() {
                named(&event.ty, &mut response);
            }
        }
        let edges = self.edges(false);
        let reach = |roots: Vec<Key>| -> BTreeSet<Key> {
            let mut seen = BTreeSet::new();
            let mut stack = roots;
            while let Some(k) = stack.pop() {
                if seen.insert(k.clone()) {
                    stack.extend(edges.get(&k).into_iter().flatten().cloned());
                }
            }
            seen
        };
        let request = reach(request);
        let response = reach(response);
        // Unused types are treated as received, and so is all they hold.
        let mut decoded_roots = response.iter().cloned().collect::<Vec<_>>();
        for m in self.api.modules.values() {
            for t in m.types.values() {
                let key = (m.name.clone(), t.name.clone());
                if !request.contains(&key) && !response.contains(&key) {
                    decoded_roots.push(key);
                }
            }
        }
        let decoded = reach(decoded_roots);
        for m in self.api.modules.values_mut() {
            for t in m.types.values_mut() {
                let key = (m.name.clone(), t.name.clone());
                t.usage = Usage {
                    request: request.contains(&key),
                    response: response.contains(&key),
                    multipart: multipart.contains(&key),
                    decoded: decoded.contains(&key),
                };
            }
        }
    }

    /// Decides how each parameter is written, now that every type is known.
    fn param_encodings(&mut self) {
        use crate::ir::ParamEncoding;
        let text_like = |l: &Self, ty: &Ty| -> bool {
            let mut ty = ty.clone();
            for _ in 0..8 {
                match &ty {
                    Ty::String | Ty::Secret | Ty::I32 | Ty::I64 | Ty::F64 | Ty::Bool => return true,
                    Ty::Named { module, name } => match l.type_def(module, name).map(|t| &t.kind) {
                        Some(TypeKind::Enum(_)) => return true,
                        Some(TypeKind::Alias(inner)) => ty = inner.clone(),
                        _ => return false,
                    },
                    _ => return false,
                }
            }
            false
        };
        let mut encodings = Vec::new();
        for (mname, m) in &self.api.modules {
            for (oname, op) in &m.operations {
                for (i, p) in op.params.iter().enumerate() {
                    let enc = match &p.ty {
                        ty if text_like(self, ty) => ParamEncoding::Text,
                        Ty::Array(inner) if text_like(self, inner) && !p.explode => ParamEncoding::CommaText,
                        Ty::Array(inner) if text_like(self, inner) => ParamEncoding::EachText,
                        _ => ParamEncoding::Json,
                    };
                    encodings.push((mname.clone(), oname.clone(), i, enc));
                }
            }
        }
        for (m, o, i, enc) in encodings {
            if let Some(op) = self.api.modules.get_mut(&m).and_then(|m| m.operations.get_mut(&o)) {
                op.params[i].encoding = enc;
            }
        }
    }

    /// Type → types it refers to. With `direct_only`, references through a
    /// `Vec` or map (which already allocate) are left out.
    fn edges(&self, direct_only: bool) -> BTreeMap<Key, Vec<Key>> {
        let mut edges: BTreeMap<Key, Vec<Key>> = BTreeMap::new();
        for m in self.api.modules.values() {
            for t in m.types.values() {
                let mut out = Vec::new();
                let mut add = |ty: &Ty| {
                    if direct_only {
                        if let Ty::Named { module, name } = ty {
                            out.push((module.clone(), name.clone()));
                        }
                    } else {
                        named(ty, &mut out);
                    }
                };
                match &t.kind {
                    TypeKind::Struct(fields) => fields.iter().for_each(|f| add(&f.ty)),
                    TypeKind::Union(vs) => vs.iter().for_each(|v| add(&v.ty)),
                    TypeKind::Tagged(tagged) => tagged.variants.iter().for_each(|v| add(&v.ty)),
                    TypeKind::Alias(ty) => add(ty),
                    TypeKind::Enum(_) => {}
                }
                edges.insert((m.name.clone(), t.name.clone()), out);
            }
        }
        edges
    }

    fn box_recursion(&mut self) {
        let edges = self.edges(true);
        let reaches = |from: &Key, to: &Key| -> bool {
            let mut seen = BTreeSet::new();
            let mut stack = vec![from.clone()];
            while let Some(k) = stack.pop() {
                if &k == to {
                    return true;
                }
                if seen.insert(k.clone()) {
                    stack.extend(edges.get(&k).into_iter().flatten().cloned());
                }
            }
            false
        };
        let mut to_box: Vec<(Key, usize)> = Vec::new();
        for m in self.api.modules.values() {
            for t in m.types.values() {
                let owner = (m.name.clone(), t.name.clone());
                if let TypeKind::Struct(fields) = &t.kind {
                    for (i, f) in fields.iter().enumerate() {
                        if let Ty::Named { module, name } = &f.ty
                            && reaches(&(module.clone(), name.clone()), &owner)
                        {
                            to_box.push((owner.clone(), i));
                        }
                    }
                }
            }
        }
        for ((module, name), i) in to_box {
            if let Some(TypeKind::Struct(fields)) =
                self.api.modules.get_mut(&module).and_then(|m| m.types.get_mut(&name)).map(|t| &mut t.kind)
            {
                fields[i].boxed = true;
            }
        }
    }

    /// A cycle of required, non-null fields has no finite JSON value.
    fn check_required_cycles(&mut self) {
        let mut edges: BTreeMap<Key, Vec<(Key, String)>> = BTreeMap::new();
        for m in self.api.modules.values() {
            for t in m.types.values() {
                if let TypeKind::Struct(fields) = &t.kind {
                    let out = fields
                        .iter()
                        .filter(|f| f.required && !f.nullable)
                        .filter_map(|f| match &f.ty {
                            Ty::Named { module, name } => Some(((module.clone(), name.clone()), f.wire.clone())),
                            _ => None,
                        })
                        .collect();
                    edges.insert((m.name.clone(), t.name.clone()), out);
                }
            }
        }
        let mut reported: BTreeSet<Key> = BTreeSet::new();
        for start in edges.keys() {
            // Depth-first search for a path back to `start`.
            let mut stack: Vec<(Key, Vec<String>)> = vec![(start.clone(), Vec::new())];
            let mut seen = BTreeSet::new();
            while let Some((k, trail)) = stack.pop() {
                for (next, wire) in edges.get(&k).into_iter().flatten() {
                    let mut trail = trail.clone();
                    trail.push(format!("{}.{wire}", k.1));
                    if next == start {
                        if !reported.contains(start) {
                            reported.extend(
                                edges
                                    .keys()
                                    .filter(|key| trail.iter().any(|s| s.starts_with(&format!("{}.", key.1))))
                                    .cloned(),
                            );
                            let (doc, ptr) = self.origin_of(start);
                            self.diags.error(
                                &doc,
                                &ptr,
                                format!("`$ref` cycle through required fields ({} → {}): no finite value can satisfy it; make one field optional or nullable", trail.join(" → "), start.1),
                            );
                        }
                    } else if seen.insert(next.clone()) {
                        stack.push((next.clone(), trail));
                    }
                }
            }
        }
    }

    fn origin_of(&self, key: &Key) -> (String, String) {
        self.components
            .iter()
            .find(|(_, ty)| matches!(ty, Ty::Named { module, name } if *module == key.0 && *name == key.1))
            .map(|(t, _)| (t.doc.clone(), t.pointer.clone()))
            .or_else(|| self.api.modules.get(&key.0).map(|m| (m.source.clone(), String::new())))
            .unwrap_or_default()
    }
}
