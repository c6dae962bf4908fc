//! Comparing two matched operations: the drift items, each explained by the
//! nearest `x-ghl-note` on our side, and for those `sync` can act on, the edit.

use std::collections::BTreeSet;

use serde_json::Value;

use super::docs::Docs;
use super::flatten::{FieldFacts, Flat, flatten, parent};
use super::ops::{Op, ParamFacts, body_schema, list, params_of, same_type, security_of, success_schema, version_of};
use super::sync::Fix;
use super::{Drift, DriftKind, NoteLevel};

/// One comparison; `drift` pairs each item with the edit that would remove it, if any.
pub(crate) struct Cmp<'a> {
    pub(crate) ours: &'a Docs,
    pub(crate) theirs: &'a Docs,
    pub(crate) depth: usize,
    pub(crate) op_note: Option<String>,
    pub(crate) drift: Vec<(Drift, Option<Fix>)>,
}

impl<'a> Cmp<'a> {
    fn push(
        &mut self,
        kind: DriftKind,
        subject: impl Into<String>,
        ours: Option<String>,
        upstream: Option<String>,
        note: Option<String>,
    ) {
        use DriftKind as K;
        let level = match kind {
            K::ParameterMissing | K::ParameterExtra | K::ParameterRequired | K::ParameterType | K::ParameterEnum => {
                NoteLevel::Parameter
            }
            K::Version | K::Token | K::ScopeMissing | K::ScopeExtra => NoteLevel::Operation,
            _ => NoteLevel::Schema,
        };
        // The most specific note wins; the operation's covers everything else.
        let (explained_at, explained_by) = match (note, &self.op_note) {
            (Some(n), _) => (Some(level), Some(n)),
            (None, Some(n)) => (Some(NoteLevel::Operation), Some(n.clone())),
            (None, None) => (None, None),
        };
        self.drift.push((Drift { kind, subject: subject.into(), ours, upstream, explained_by, explained_at }, None));
    }

    /// Attaches `fix` to the item just pushed, unless a note explains it.
    fn fix(&mut self, fix: Option<Fix>) {
        if let Some((d, slot)) = self.drift.last_mut()
            && d.explained_by.is_none()
        {
            *slot = fix;
        }
    }

    pub(crate) fn op(&mut self, o: &Op<'a>, t: &Op<'a>) {
        if let (Some(ov), Some(tv)) = (version_of(self.ours, o), version_of(self.theirs, t))
            && ov.is_disjoint(&tv)
        {
            self.push(DriftKind::Version, "Version", Some(list(&ov)), Some(list(&tv)), None);
        }
        let (os, otok) = security_of(self.ours, o);
        let (ts, ttok) = security_of(self.theirs, t);
        if let (Some(a), Some(b)) = (otok, ttok)
            && a != b
        {
            self.push(DriftKind::Token, "token", Some(a.to_owned()), Some(b.to_owned()), None);
        }
        for s in ts.difference(&os) {
            self.push(DriftKind::ScopeMissing, format!("scope {s}"), None, Some(format!("`{s}`")), None);
        }
        for s in os.difference(&ts) {
            self.push(DriftKind::ScopeExtra, format!("scope {s}"), Some(format!("`{s}`")), None, None);
        }
        self.params(o, t);
        self.bodies(o, t);
        self.responses(o, t);
    }

    fn params(&mut self, o: &Op<'a>, t: &Op<'a>) {
        let op = params_of(self.ours, o);
        let tp = params_of(self.theirs, t);
        let (opath, oother): (Vec<_>, Vec<_>) = op.into_iter().partition(|p| p.loc == "path");
        let (tpath, tother): (Vec<_>, Vec<_>) = tp.into_iter().partition(|p| p.loc == "path");
        let mut pairs: Vec<(Option<ParamFacts<'a>>, Option<ParamFacts<'a>>)> = Vec::new();
        // Path parameters by position in the path (names differ freely).
        let order = |ps: &[ParamFacts<'a>], path: &str| -> Vec<ParamFacts<'a>> {
            let names = crate::lower::path_placeholders(path);
            let mut v: Vec<ParamFacts<'a>> = ps.to_vec();
            v.sort_by_key(|p| names.iter().position(|n| *n == p.name).unwrap_or(usize::MAX));
            v
        };
        let (opath, tpath) = (order(&opath, o.path), order(&tpath, t.path));
        for i in 0..opath.len().max(tpath.len()) {
            pairs.push((opath.get(i).cloned(), tpath.get(i).cloned()));
        }
        let mut used = vec![false; tother.len()];
        for p in oother {
            let hit = tother.iter().enumerate().position(|(i, q)| !used[i] && q.name == p.name && q.loc == p.loc);
            match hit {
                Some(i) => {
                    used[i] = true;
                    pairs.push((Some(p), Some(tother[i].clone())));
                }
                None => pairs.push((Some(p), None)),
            }
        }
        for (i, q) in tother.into_iter().enumerate() {
            if !used[i] {
                pairs.push((None, Some(q)));
            }
        }
        for pair in pairs {
            match pair {
                (Some(p), None) => {
                    let subject = format!("{} {}", p.loc, p.name);
                    let ours = Some(format!(
                        "{}{}",
                        p.ty.as_deref().unwrap_or("any"),
                        if p.required { ", required" } else { "" }
                    ));
                    self.push(DriftKind::ParameterExtra, subject, ours, None, p.note);
                }
                (None, Some(q)) => {
                    let subject = format!("{} {}", q.loc, q.name);
                    let up = Some(format!(
                        "{}{}",
                        q.ty.as_deref().unwrap_or("any"),
                        if q.required { ", required" } else { "" }
                    ));
                    self.push(DriftKind::ParameterMissing, subject, None, up, None);
                    if q.loc != "path" {
                        let param = super::convert::parameter(self.theirs, &q);
                        self.fix(Some(Fix::Parameter { doc: o.file.to_owned(), op_ptr: o.ptr.clone(), param }));
                    }
                }
                (Some(p), Some(q)) => {
                    let subject = if p.loc == "path" && p.name != q.name {
                        format!("path {} (upstream {})", p.name, q.name)
                    } else {
                        format!("{} {}", p.loc, p.name)
                    };
                    if p.required != q.required {
                        let show = |r: bool| Some(if r { "required" } else { "optional" }.to_owned());
                        self.push(
                            DriftKind::ParameterRequired,
                            &subject,
                            show(p.required),
                            show(q.required),
                            p.note.clone(),
                        );
                    }
                    if let (Some(a), Some(b)) = (&p.ty, &q.ty)
                        && !same_type(a, b)
                    {
                        self.push(DriftKind::ParameterType, &subject, Some(a.clone()), Some(b.clone()), p.note.clone());
                    }
                    self.enums(
                        DriftKind::ParameterEnum,
                        &subject,
                        (p.values.as_ref(), p.enum_at.as_ref()),
                        q.values.as_ref(),
                        p.note.clone(),
                    );
                }
                (None, None) => {}
            }
        }
    }

    fn enums(
        &mut self,
        kind: DriftKind,
        subject: &str,
        (ours, ours_at): (Option<&BTreeSet<String>>, Option<&super::docs::Loc>),
        theirs: Option<&BTreeSet<String>>,
        note: Option<String>,
    ) {
        match (ours, theirs) {
            (Some(a), Some(b)) if a != b => {
                let only_ours: BTreeSet<String> = a.difference(b).cloned().collect();
                let only_theirs: BTreeSet<String> = b.difference(a).cloned().collect();
                let show = |s: &BTreeSet<String>| (!s.is_empty()).then(|| format!("only here: {}", list(s)));
                self.push(kind, subject, show(&only_ours), show(&only_theirs), note);
                if let Some(at) = ours_at.filter(|_| !only_theirs.is_empty()) {
                    let values = only_theirs.into_iter().map(Value::String).collect();
                    self.fix(Some(Fix::EnumValues { doc: at.doc.to_owned(), ptr: at.ptr.clone(), values }));
                }
            }
            (None, Some(b)) => {
                self.push(kind, subject, Some("no enum".into()), Some(list(b)), note);
            }
            _ => {}
        }
    }

    fn flat(&self, docs: &'a Docs, schema: Option<(super::docs::Loc<'a>, &'a Value)>) -> Option<Flat<'a>> {
        let (at, v) = schema?;
        // Free-form (`{}`) and scalar bodies have no fields to compare.
        Some(flatten(docs, self.depth, at, v))
    }

    fn bodies(&mut self, o: &Op<'a>, t: &Op<'a>) {
        let ob = body_schema(self.ours, o).map(|(at, _, v)| (at, v));
        let tb = body_schema(self.theirs, t).map(|(at, _, v)| (at, v));
        match (ob.is_some(), tb.is_some()) {
            (true, false) => {
                let note = ob.and_then(|(at, v)| self.ours.deref(at, v).2);
                self.push(DriftKind::RequestBody, "request body", Some("sent".into()), Some("none".into()), note);
                return;
            }
            (false, true) => {
                self.push(DriftKind::RequestBody, "request body", Some("none".into()), Some("sent".into()), None);
                return;
            }
            (false, false) => return,
            (true, true) => {}
        }
        let (Some(of), Some(tf)) = (self.flat(self.ours, ob), self.flat(self.theirs, tb)) else { return };
        if tf.fields.is_empty() {
            return;
        }
        if of.fields.is_empty() {
            let top = tf.fields.keys().filter(|k| parent(k).is_none()).count();
            let note = of.root_note.clone();
            self.push(
                DriftKind::RequestBody,
                "request body",
                Some("raw JSON".into()),
                Some(format!("{top} top-level fields")),
                note,
            );
            return;
        }
        self.fields(&of, &tf, true);
    }

    fn responses(&mut self, o: &Op<'a>, t: &Op<'a>) {
        let tf = self.flat(self.theirs, success_schema(self.theirs, t).map(|(_, at, v)| (at, v)));
        let Some(tf) = tf.filter(|f| !f.fields.is_empty()) else { return };
        let of = self.flat(self.ours, success_schema(self.ours, o).map(|(_, at, v)| (at, v))).unwrap_or_default();
        if of.fields.is_empty() {
            let note = of.root_note.clone();
            let top = tf.fields.keys().filter(|k| parent(k).is_none()).count();
            self.push(
                DriftKind::ResponseSchema,
                "response",
                Some("raw JSON".into()),
                Some(format!("{top} top-level fields")),
                note,
            );
            return;
        }
        self.fields(&of, &tf, false);
    }

    fn fields(&mut self, of: &Flat<'a>, tf: &Flat<'a>, request: bool) {
        let side = if request { "request" } else { "response" };
        let (missing, extra, ty_kind, enum_kind) = if request {
            (
                DriftKind::RequestFieldMissing,
                DriftKind::RequestFieldExtra,
                DriftKind::RequestFieldType,
                DriftKind::RequestFieldEnum,
            )
        } else {
            (
                DriftKind::ResponseFieldMissing,
                DriftKind::ResponseFieldExtra,
                DriftKind::ResponseFieldType,
                DriftKind::ResponseFieldEnum,
            )
        };
        for (path, f) in &tf.fields {
            let subject = format!("{side} {path}");
            match of.fields.get(path) {
                // Reported only where our side has the enclosing object with
                // fields: children of a missing field are implied by it, and
                // below an object we keep free-form there is nothing to compare.
                None if of.comparable(path) => {
                    let up = Some(format!(
                        "{}{}",
                        f.ty.as_deref().unwrap_or("any"),
                        if request && f.required { ", required" } else { "" }
                    ));
                    self.push(missing, subject, None, up, of.note_for(path));
                    let fix = self.add_field(of, tf, path, f);
                    self.fix(fix);
                }
                None => {}
                Some(ours) => {
                    if request && ours.required != f.required && parent(path).is_none() {
                        let show = |r: bool| Some(if r { "required" } else { "optional" }.to_owned());
                        self.push(
                            DriftKind::RequestFieldRequired,
                            &subject,
                            show(ours.required),
                            show(f.required),
                            ours.note.clone(),
                        );
                    }
                    if let (Some(a), Some(b)) = (&ours.ty, &f.ty)
                        && !same_type(a, b)
                    {
                        self.push(ty_kind, &subject, Some(a.clone()), Some(b.clone()), ours.note.clone());
                    }
                    self.enums(
                        enum_kind,
                        &subject,
                        (ours.values.as_ref(), ours.enum_at.as_ref()),
                        f.values.as_ref(),
                        ours.note.clone(),
                    );
                }
            }
        }
        for (path, f) in &of.fields {
            if tf.fields.contains_key(path) || !tf.comparable(path) {
                continue;
            }
            let ours = Some(f.ty.clone().unwrap_or_else(|| "any".into()));
            self.push(extra, format!("{side} {path}"), ours, None, f.note.clone());
        }
    }

    /// A property for a field only upstream has, in the schema of ours that
    /// holds its siblings; `None` for array items and unknown homes.
    fn add_field(&self, of: &Flat<'a>, tf: &Flat<'a>, path: &str, f: &FieldFacts<'a>) -> Option<Fix> {
        let (prefix, name) = match path.rfind('.') {
            Some(i) => (&path[..i], &path[i + 1..]),
            None => ("", path),
        };
        if name.ends_with("[]") {
            return None;
        }
        let home = of.objects.get(prefix)?;
        Some(Fix::Field {
            doc: home.doc.to_owned(),
            object_ptr: home.ptr.clone(),
            name: name.to_owned(),
            schema: reuse_ref(self.theirs, of, tf, f, home.doc)
                .unwrap_or_else(|| super::convert::schema(self.theirs, f.at.clone(), f.schema)),
            required_upstream: f.required,
        })
    }
}

/// Our own name for an upstream schema: when the new field refers to the
/// same upstream schema as a field both sides have, and ours refers to a
/// schema from the same document, the new field gets that `$ref` (`GMB`
/// beside `Call` is a `DndSetting` too) instead of an inline copy.
fn reuse_ref(theirs: &Docs, of: &Flat, tf: &Flat, f: &FieldFacts, home: &str) -> Option<Value> {
    // `{$ref: X}`, or `{allOf: [{$ref: X}]}` as HighLevel often writes it.
    let target = |docs: &Docs, g: &FieldFacts| {
        let single = g.raw.get("allOf").and_then(Value::as_array).filter(|parts| parts.len() == 1);
        let r = g.raw.get("$ref").or_else(|| single?[0].get("$ref"))?.as_str()?;
        docs.resolve(g.raw_at.doc, r).map(|(at, _)| (at.doc.to_owned(), at.ptr))
    };
    let wanted = target(theirs, f)?;
    tf.fields.iter().find_map(|(path, g)| {
        let ours = of.fields.get(path)?;
        let ours_ref = ours.raw.get("$ref")?.as_str()?;
        (ours.raw_at.doc == home && target(theirs, g).as_ref() == Some(&wanted))
            .then(|| serde_json::json!({ "$ref": ours_ref }))
    })
}
