//! The migration map between two API versions held in one spec: for each
//! operation of the old version (the modules directly in the spec directory,
//! HighLevel's v2) its equivalent in a module group of the new one
//! (`spec/v3/`), behind `cargo xtask migration-map`.
//!
//! # How operations are paired
//!
//! All operations of both versions are paired at once (a v3 operation may sit
//! in another module than its v2 one), in three passes, each taking only what
//! the earlier ones left unpaired:
//!
//! 1. **same endpoint**: the same method and path, path parameters compared by
//!    position only (`/adsets/{adsetId}` is `/adsets/{adSetId}`);
//! 2. **renamed path**: the same method and the path compared with case, `-`
//!    and `_` folded (`/oauth/locationToken` → `/oauth/location-token`), when
//!    exactly one operation on each side fits;
//! 3. **same operationId**: v3 keeps the v2 `operationId` of an operation it
//!    carries over, so an unpaired pair with the same one is a renamed path too.
//!
//! A paired operation is compared with the spec diff's own rules (parameters,
//! request body, response, paging, scopes, token kind: see [`super::Rule`]);
//! where a v3 operation sends or returns its own type instead of the v2 one,
//! the two types are compared field by field, nested types too. The `Version`
//! header change is what moving to v3 means, so it is never listed, and neither
//! are the names of path parameters (positional arguments: no call sees them).
//! The result:
//!
//! - [`Status::Same`]: same endpoint, nothing to report;
//! - [`Status::Changed`]: same endpoint, with the changes listed;
//! - [`Status::Renamed`]: paired by pass 2 or 3 (changes listed as well);
//! - [`Status::Gone`]: an old operation with no equivalent; when a new path
//!   template covers its path (`/oauth/{platform}/start` covers
//!   `/oauth/facebook/start`) that operation is named as a lead;
//! - [`Status::New`]: a new operation nothing old pairs with.

use std::collections::{BTreeMap, BTreeSet};

use minijinja::context;
use serde::Serialize;

use super::compare::{self, Out};
use super::render::{self, RenderError};
use super::{Change, Impact, Rule};
use crate::ir::{Api, Module, Operation, Success, Ty, TypeDef, TypeKind};

/// What became of an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The same endpoint and Rust call; only the module group (and `Version`) differ.
    Same,
    /// The same endpoint; parameters, fields, paging, scopes or token kind differ.
    Changed,
    /// The endpoint moved to another path (found by folded path or operationId).
    Renamed,
    /// No equivalent in the new version.
    Gone,
    /// Only in the new version.
    New,
}

impl Status {
    /// Every status, in report order.
    pub const ALL: &'static [Status] = &[Status::Same, Status::Changed, Status::Renamed, Status::Gone, Status::New];

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Same => "same",
            Status::Changed => "changed",
            Status::Renamed => "renamed",
            Status::Gone => "gone",
            Status::New => "new",
        }
    }
}

/// How an old and a new operation were paired.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pairing {
    /// Same method and path (path parameters by position).
    Endpoint,
    /// Same method, path equal with case, `-` and `_` folded.
    FoldedPath,
    /// Same operationId.
    OperationId,
}

/// One operation as a user sees it.
#[derive(Clone, Debug, Serialize)]
pub struct OpRef {
    /// Rust module path (`v3::contacts`).
    pub module: String,
    /// operationId.
    pub id: String,
    /// Rust method on the module handle.
    pub fn_name: String,
    /// HTTP method.
    pub method: &'static str,
    /// Path template.
    pub path: String,
    /// The call with its positional arguments: `client.v3().contacts().get_contact(contact_id)`.
    pub call: String,
    /// Summary line.
    pub summary: Option<String>,
    /// Behind the `undocumented` feature (not in HighLevel's published documents).
    pub undocumented: bool,
}

impl OpRef {
    fn of(m: &Module, op: &Operation) -> Self {
        let mut args: Vec<&str> =
            op.params.iter().filter(|p| compare::positional(p)).map(|p| p.ident.as_str()).collect();
        if op.body.as_ref().is_some_and(|b| b.required) {
            args.push("body");
        }
        OpRef {
            module: m.name.clone(),
            id: op.id.clone(),
            fn_name: op.fn_name.clone(),
            method: op.method.as_str(),
            path: op.path.clone(),
            call: format!("{}.{}({})", m.accessor(), op.fn_name, args.join(", ")),
            summary: op.summary.clone(),
            undocumented: op.undocumented,
        }
    }
}

/// One line of the map: an old operation and what became of it, or a new one.
#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    /// What became of it.
    pub status: Status,
    /// The old operation (absent for [`Status::New`]).
    pub old: Option<OpRef>,
    /// The new operation (absent for [`Status::Gone`]).
    pub new: Option<OpRef>,
    /// How the two were paired.
    pub pairing: Option<Pairing>,
    /// The classified differences, breaking first (the `Version` change left out).
    pub changes: Vec<Change>,
    /// How many of them are breaking.
    pub breaking: usize,
    /// Types the operation uses that the new version defines again with the
    /// same shape: code naming them changes the path, nothing else.
    pub moved_types: Vec<MovedType>,
    /// Gone: new operations whose path template covers the old path.
    /// New: the gone old operations it covers.
    pub covers: Vec<OpRef>,
}

/// A type defined again in the new version with the same shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MovedType {
    /// The old Rust path (`users::User`).
    pub old: String,
    /// The new Rust path (`v3::users::User`).
    pub new: String,
}

impl MovedType {
    fn of(old: &Ty, new: &Ty) -> Self {
        MovedType { old: super::items::ty_display(old, ""), new: super::items::ty_display(new, "") }
    }
}

/// Per-status counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Old operations.
    pub old: usize,
    /// New operations.
    pub new_ops: usize,
    /// [`Status::Same`].
    pub same: usize,
    /// [`Status::Changed`].
    pub changed: usize,
    /// [`Status::Renamed`].
    pub renamed: usize,
    /// [`Status::Gone`].
    pub gone: usize,
    /// [`Status::New`].
    pub new: usize,
}

impl Counts {
    fn count(&mut self, e: &Entry) {
        self.old += usize::from(e.old.is_some());
        self.new_ops += usize::from(e.new.is_some());
        *match e.status {
            Status::Same => &mut self.same,
            Status::Changed => &mut self.changed,
            Status::Renamed => &mut self.renamed,
            Status::Gone => &mut self.gone,
            Status::New => &mut self.new,
        } += 1;
    }

    /// The count of one status.
    pub fn of(&self, status: Status) -> usize {
        match status {
            Status::Same => self.same,
            Status::Changed => self.changed,
            Status::Renamed => self.renamed,
            Status::Gone => self.gone,
            Status::New => self.new,
        }
    }
}

/// A module on one side.
#[derive(Clone, Debug, Serialize)]
pub struct ModuleRef {
    /// Rust module path.
    pub module: String,
    /// `client.v3().contacts()`.
    pub accessor: String,
    /// Cargo feature.
    pub feature: String,
    /// Spec file, relative to the spec directory.
    pub source: String,
}

impl ModuleRef {
    fn of(m: &Module) -> Self {
        ModuleRef {
            module: m.name.clone(),
            accessor: m.accessor(),
            feature: m.feature.clone(),
            source: m.source.clone(),
        }
    }
}

/// The map of one module: its old and new sides, paired by file name.
#[derive(Clone, Debug, Serialize)]
pub struct ModuleMap {
    /// The module's name without the group (`contacts`).
    pub name: String,
    /// The old module, if there is one.
    pub old: Option<ModuleRef>,
    /// The new module, if there is one.
    pub new: Option<ModuleRef>,
    /// Old operations (by Rust method name), then new ones.
    pub entries: Vec<Entry>,
    /// Counts.
    pub counts: Counts,
}

/// The whole migration map.
#[derive(Clone, Debug, Serialize)]
pub struct MigrationMap {
    /// The new module group (`v3`).
    pub to: String,
    /// Modules with operations on either side, by name.
    pub modules: Vec<ModuleMap>,
    /// Counts over all modules.
    pub totals: Counts,
}

impl MigrationMap {
    /// Every entry of every module.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.modules.iter().flat_map(|m| m.entries.iter())
    }
}

/// A path with its parameter names dropped: `/a/{id}/b` → `/a/{}/b`.
fn shape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

/// [`shape`] with case, `-` and `_` folded.
fn folded(path: &str) -> String {
    shape(path).chars().filter(|c| *c != '-' && *c != '_').flat_map(char::to_lowercase).collect()
}

/// Whether the `new` path template takes the `old` concrete path: the same
/// segments, where a parameter of `new` may stand for a literal of `old`
/// (and at least one does).
fn covers(new: &str, old: &str) -> bool {
    let (n, o) = (shape(new), shape(old));
    let (ns, os): (Vec<&str>, Vec<&str>) = (n.split('/').collect(), o.split('/').collect());
    ns.len() == os.len()
        && ns.iter().zip(&os).all(|(a, b)| a == b || *a == "{}")
        && ns.iter().zip(&os).any(|(a, b)| *a == "{}" && *b != "{}")
        && ns.iter().zip(&os).all(|(a, b)| *a != "{}" || !b.is_empty())
}

type Side<'a> = Vec<(&'a Module, &'a Operation)>;

fn side<'a>(api: &'a Api, group: Option<&str>) -> Side<'a> {
    api.modules
        .values()
        .filter(|m| m.group.as_deref() == group)
        .flat_map(|m| m.operations.values().map(move |op| (m, op)))
        .collect()
}

/// Pairs old and new operations (indices into the two sides).
fn pair(old: &Side, new: &Side) -> Vec<(usize, usize, Pairing)> {
    let mut pairs = Vec::new();
    let mut old_used = vec![false; old.len()];
    let mut new_used = vec![false; new.len()];
    let key = |op: &Operation, f: fn(&str) -> String| (op.method, f(&op.path));
    // Passes 1 and 2: by (method, path key), unique on both sides among the unpaired.
    for (pairing, f) in [(Pairing::Endpoint, shape as fn(&str) -> String), (Pairing::FoldedPath, folded)] {
        let mut new_by: BTreeMap<_, Vec<usize>> = BTreeMap::new();
        for (j, (_, op)) in new.iter().enumerate().filter(|(j, _)| !new_used[*j]) {
            new_by.entry(key(op, f)).or_default().push(j);
        }
        let mut old_by: BTreeMap<_, Vec<usize>> = BTreeMap::new();
        for (i, (_, op)) in old.iter().enumerate().filter(|(i, _)| !old_used[*i]) {
            old_by.entry(key(op, f)).or_default().push(i);
        }
        for (k, olds) in &old_by {
            if let (&[i], Some(&[j])) = (olds.as_slice(), new_by.get(k).map(Vec::as_slice)) {
                old_used[i] = true;
                new_used[j] = true;
                pairs.push((i, j, pairing));
            }
        }
    }
    // Pass 3: by operationId (unique within a group).
    for (i, (_, a)) in old.iter().enumerate() {
        if old_used[i] {
            continue;
        }
        if let Some(j) = (0..new.len()).find(|&j| !new_used[j] && new[j].1.id == a.id) {
            old_used[i] = true;
            new_used[j] = true;
            pairs.push((i, j, Pairing::OperationId));
        }
    }
    pairs
}

/// Builds the migration map from the modules directly in the spec directory
/// (`from: None`) or a group, to the module group `to`.
///
/// ```
/// let api = codegen::ir::Api::default();
/// let map = codegen::diff::migration::migration_map(&api, None, "v3");
/// assert!(map.modules.is_empty() && map.totals.old == 0);
/// ```
pub fn migration_map(api: &Api, from: Option<&str>, to: &str) -> MigrationMap {
    let (old, new) = (side(api, from), side(api, Some(to)));
    let pairs = pair(&old, &new);
    let mut entries: Vec<(String, Entry)> = Vec::new();
    let mut paired_old = vec![false; old.len()];
    let mut paired_new = vec![false; new.len()];
    for &(i, j, pairing) in &pairs {
        paired_old[i] = true;
        paired_new[j] = true;
        let ((om, a), (nm, b)) = (old[i], new[j]);
        let (changes, moved) = compare_pair(api, om.leaf(), a, b);
        let status = match (pairing, changes.is_empty()) {
            (Pairing::Endpoint, true) => Status::Same,
            (Pairing::Endpoint, false) => Status::Changed,
            _ => Status::Renamed,
        };
        entries.push((
            om.leaf().to_owned(),
            Entry {
                status,
                old: Some(OpRef::of(om, a)),
                new: Some(OpRef::of(nm, b)),
                pairing: Some(pairing),
                breaking: changes.iter().filter(|c| c.impact == Impact::Breaking).count(),
                changes,
                moved_types: moved.iter().map(|(x, y)| MovedType::of(x, y)).collect(),
                covers: Vec::new(),
            },
        ));
    }
    for &(m, a) in old.iter().enumerate().filter(|(i, _)| !paired_old[*i]).map(|(_, x)| x) {
        let leads = new.iter().filter(|(_, b)| b.method == a.method && covers(&b.path, &a.path));
        entries.push((
            m.leaf().to_owned(),
            Entry {
                status: Status::Gone,
                old: Some(OpRef::of(m, a)),
                new: None,
                pairing: None,
                changes: Vec::new(),
                breaking: 0,
                moved_types: Vec::new(),
                covers: leads.map(|(nm, b)| OpRef::of(nm, b)).collect(),
            },
        ));
    }
    for &(m, b) in new.iter().enumerate().filter(|(j, _)| !paired_new[*j]).map(|(_, x)| x) {
        let covered = old
            .iter()
            .enumerate()
            .filter(|(i, (_, a))| !paired_old[*i] && a.method == b.method && covers(&b.path, &a.path));
        entries.push((
            m.leaf().to_owned(),
            Entry {
                status: Status::New,
                old: None,
                new: Some(OpRef::of(m, b)),
                pairing: None,
                changes: Vec::new(),
                breaking: 0,
                moved_types: Vec::new(),
                covers: covered.map(|(_, (om, a))| OpRef::of(om, a)).collect(),
            },
        ));
    }

    let mut by_name: BTreeMap<String, ModuleMap> = BTreeMap::new();
    let module_of = |group: Option<&str>, name: &str| {
        api.modules.values().find(|m| m.group.as_deref() == group && m.leaf() == name && !m.operations.is_empty())
    };
    for (name, entry) in entries {
        let map = by_name.entry(name.clone()).or_insert_with(|| ModuleMap {
            old: module_of(from, &name).map(ModuleRef::of),
            new: module_of(Some(to), &name).map(ModuleRef::of),
            name,
            entries: Vec::new(),
            counts: Counts::default(),
        });
        map.entries.push(entry);
    }
    let mut totals = Counts::default();
    let modules = by_name
        .into_values()
        .map(|mut m| {
            // Old operations by Rust method name, then the new ones.
            let sort_key = |e: &Entry| match &e.old {
                Some(o) => (0, o.fn_name.clone()),
                None => (1, e.new.as_ref().map_or(String::new(), |n| n.fn_name.clone())),
            };
            m.entries.sort_by_key(sort_key);
            for e in &m.entries {
                m.counts.count(e);
                totals.count(e);
            }
            m
        })
        .collect();
    MigrationMap { to: to.to_owned(), modules, totals }
}

/// The classified differences of a paired operation, breaking first, and
/// the types it uses that moved to another Rust path with the same shape.
fn compare_pair(api: &Api, module: &str, a: &Operation, b: &Operation) -> (Vec<Change>, Vec<(Ty, Ty)>) {
    // The named types both operations use in the same place, nested ones too.
    let mut found = TypePairs::default();
    for (x, y) in used_pairs(a, b) {
        found.walk(api, x, y);
    }
    // A type that moved with the same shape is no change of the operation:
    // compare as if the new operation used the old type there.
    let subst: BTreeMap<&Ty, &Ty> = found.moved.iter().map(|(x, y)| (y, x)).collect();
    let b_seen = substituted(b, &subst);

    let mut out = Out { module, changes: Vec::new() };
    if a.id != b.id {
        out.push(
            Rule::OperationRenamed,
            &b.id,
            format!("`{}` → `{}` (`{}()` → `{}()`)", a.id, b.id, a.fn_name, b.fn_name),
        );
    }
    // Types are spelled from the crate root, so both versions' types read apart.
    compare::operation(&mut out, "", a, &b_seen);
    out.changes.retain(|c| match c.rule {
        // Moving to the new version is the version change.
        Rule::OperationVersionChanged => false,
        // The entry shows the path: a rename is its status, and on the same
        // endpoint only path parameter names differ, which no call sees (a
        // path parameter is a positional argument).
        Rule::OperationPathChanged | Rule::ParameterRenamed => false,
        _ => true,
    });
    for (x, y) in &found.differing {
        let (Some(tx), Some(ty)) = (lookup(api, x), lookup(api, y)) else { continue };
        let mut ty = ty.clone();
        ty.name = super::items::ty_display(y, "");
        subst_kind(&mut ty.kind, &subst);
        let tx = TypeDef { name: super::items::ty_display(x, ""), ..tx.clone() };
        compare::type_def(&mut out, "", &tx, &ty);
    }
    let mut changes = out.changes;
    // Breaking first, then in the order found (operation, parameters, body, types).
    changes.sort_by_key(|c| c.impact);
    changes.dedup();
    (changes, found.moved)
}

/// The types two paired operations use in the same places: response, body,
/// parameters (paired as the spec diff pairs them) and paged items.
fn used_pairs<'a>(a: &'a Operation, b: &'a Operation) -> Vec<(&'a Ty, &'a Ty)> {
    let mut pairs = Vec::new();
    if let (Success::Json(x), Success::Json(y)) = (&a.success, &b.success) {
        pairs.push((x, y));
    }
    if let (Some(x), Some(y)) = (&a.body, &b.body) {
        pairs.push((&x.ty, &y.ty));
    }
    for pair in compare::pair_params(&a.params, &b.params) {
        if let (Some(x), Some(y)) = pair {
            pairs.push((&x.ty, &y.ty));
        }
    }
    if let (Some(x), Some(y)) = (&a.pagination, &b.pagination) {
        pairs.push((&x.item_ty, &y.item_ty));
    }
    pairs
}

fn lookup<'a>(api: &'a Api, ty: &Ty) -> Option<&'a TypeDef> {
    match ty {
        Ty::Named { module, name } => api.modules.get(module)?.types.get(name),
        _ => None,
    }
}

/// Pairs of different named types found in the same place, each once.
#[derive(Default)]
struct TypePairs {
    seen: BTreeSet<(Ty, Ty)>,
    /// Same shape (fields, values, variants), another Rust path.
    moved: Vec<(Ty, Ty)>,
    /// Different shape: compared field by field.
    differing: Vec<(Ty, Ty)>,
}

impl TypePairs {
    fn walk(&mut self, api: &Api, a: &Ty, b: &Ty) {
        match (a, b) {
            (Ty::Array(x), Ty::Array(y)) | (Ty::Map(x), Ty::Map(y)) => self.walk(api, x, y),
            (Ty::Named { .. }, Ty::Named { .. }) if a != b => {
                if !self.seen.insert((a.clone(), b.clone())) {
                    return;
                }
                if same_shape(api, a, b, &mut BTreeSet::new()) {
                    self.moved.push((a.clone(), b.clone()));
                    return;
                }
                self.differing.push((a.clone(), b.clone()));
                let (Some(ta), Some(tb)) = (lookup(api, a), lookup(api, b)) else { return };
                match (&ta.kind, &tb.kind) {
                    (TypeKind::Struct(fa), TypeKind::Struct(fb)) => {
                        for f in fb {
                            if let Some(g) = fa.iter().find(|g| g.wire == f.wire) {
                                self.walk(api, &g.ty, &f.ty);
                            }
                        }
                    }
                    (TypeKind::Union(va), TypeKind::Union(vb)) => {
                        for v in vb {
                            if let Some(w) = va.iter().find(|w| w.ident == v.ident) {
                                self.walk(api, &w.ty, &v.ty);
                            }
                        }
                    }
                    (TypeKind::Tagged(ta), TypeKind::Tagged(tb)) => {
                        for v in &tb.variants {
                            if let Some(w) = ta.variants.iter().find(|w| w.wire == v.wire) {
                                self.walk(api, &w.ty, &v.ty);
                            }
                        }
                    }
                    (TypeKind::Alias(x), TypeKind::Alias(y)) => self.walk(api, x, y),
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

/// Whether two types have the same Rust shape apart from where named types
/// live: the same fields (names, forms, flags), enum values or variants, all
/// the way down. A pair met again while comparing is assumed equal (recursion).
fn same_shape(api: &Api, a: &Ty, b: &Ty, assumed: &mut BTreeSet<(Ty, Ty)>) -> bool {
    match (a, b) {
        (Ty::Array(x), Ty::Array(y)) | (Ty::Map(x), Ty::Map(y)) => same_shape(api, x, y, assumed),
        (Ty::Named { .. }, Ty::Named { .. }) if a != b => {
            if !assumed.insert((a.clone(), b.clone())) {
                return true;
            }
            let (Some(ta), Some(tb)) = (lookup(api, a), lookup(api, b)) else { return false };
            let (ua, ub) = (ta.usage, tb.usage);
            match (&ta.kind, &tb.kind) {
                (TypeKind::Struct(fa), TypeKind::Struct(fb)) => {
                    compare::has_builder(ua) == compare::has_builder(ub)
                        && ua.multipart == ub.multipart
                        && fa.len() == fb.len()
                        && fa.iter().all(|f| {
                            fb.iter().find(|g| g.wire == f.wire).is_some_and(|g| {
                                f.ident == g.ident
                                    && f.required == g.required
                                    && f.nullable == g.nullable
                                    && f.boxed == g.boxed
                                    && f.binary == g.binary
                                    && f.flatten == g.flatten
                                    && f.repr(ua) == g.repr(ub)
                                    && same_shape(api, &f.ty, &g.ty, assumed)
                            })
                        })
                }
                (TypeKind::Enum(x), TypeKind::Enum(y)) => x.variants == y.variants && x.catch_all == y.catch_all,
                (TypeKind::Union(x), TypeKind::Union(y)) => {
                    x.len() == y.len()
                        && x.iter().zip(y).all(|(v, w)| v.ident == w.ident && same_shape(api, &v.ty, &w.ty, assumed))
                }
                (TypeKind::Tagged(x), TypeKind::Tagged(y)) => {
                    (&x.tag, &x.content, &x.catch_all, x.variants.len())
                        == (&y.tag, &y.content, &y.catch_all, y.variants.len())
                        && x.variants.iter().zip(&y.variants).all(|(v, w)| {
                            v.wire == w.wire && v.ident == w.ident && same_shape(api, &v.ty, &w.ty, assumed)
                        })
                }
                (TypeKind::Alias(x), TypeKind::Alias(y)) => same_shape(api, x, y, assumed),
                _ => false,
            }
        }
        _ => a == b,
    }
}

fn subst_ty(ty: &mut Ty, subst: &BTreeMap<&Ty, &Ty>) {
    match ty {
        Ty::Array(inner) | Ty::Map(inner) => subst_ty(inner, subst),
        Ty::Named { .. } => {
            if let Some(to) = subst.get(&*ty) {
                *ty = (*to).clone();
            }
        }
        _ => {}
    }
}

fn subst_kind(kind: &mut TypeKind, subst: &BTreeMap<&Ty, &Ty>) {
    match kind {
        TypeKind::Struct(fields) => fields.iter_mut().for_each(|f| subst_ty(&mut f.ty, subst)),
        TypeKind::Union(vs) => vs.iter_mut().for_each(|v| subst_ty(&mut v.ty, subst)),
        TypeKind::Tagged(t) => t.variants.iter_mut().for_each(|v| subst_ty(&mut v.ty, subst)),
        TypeKind::Alias(ty) => subst_ty(ty, subst),
        TypeKind::Enum(_) => {}
    }
}

/// `op` with the moved types replaced by the old ones.
fn substituted(op: &Operation, subst: &BTreeMap<&Ty, &Ty>) -> Operation {
    let mut op = op.clone();
    if let Success::Json(ty) = &mut op.success {
        subst_ty(ty, subst);
    }
    if let Some(body) = &mut op.body {
        subst_ty(&mut body.ty, subst);
    }
    for p in &mut op.params {
        subst_ty(&mut p.ty, subst);
    }
    if let Some(p) = &mut op.pagination {
        subst_ty(&mut p.item_ty, subst);
    }
    op
}

/// What the Markdown names: the two versions and the command that writes the file.
#[derive(Clone, Debug, Serialize)]
pub struct MigrationLabels {
    /// The old version (`v2`).
    pub from: String,
    /// The new version (`v3`).
    pub to: String,
    /// The command that writes the file, named in its banner.
    pub command: String,
    /// The spec directory as the reader knows it (`spec`), before each module's file.
    pub spec: String,
}

#[derive(Serialize)]
struct RowView<'a> {
    breaking: bool,
    rule: &'static str,
    subject: &'a str,
    detail: &'a str,
}

#[derive(Serialize)]
struct EntryView<'a> {
    moved_types: &'a [MovedType],
    old: Option<&'a OpRef>,
    new: Option<&'a OpRef>,
    breaking: usize,
    rows: Vec<RowView<'a>>,
    found_by: &'static str,
    note: String,
}

#[derive(Serialize)]
struct ModuleView<'a> {
    name: &'a str,
    old: Option<&'a ModuleRef>,
    new: Option<&'a ModuleRef>,
    counts: Counts,
    changed: Vec<EntryView<'a>>,
    renamed: Vec<EntryView<'a>>,
    gone: Vec<EntryView<'a>>,
    new_ops: Vec<EntryView<'a>>,
    same: Vec<EntryView<'a>>,
}

fn entry_view<'a>(e: &'a Entry, labels: &MigrationLabels) -> EntryView<'a> {
    let lead = |o: &OpRef| format!("`{}` (`{} {}`)", o.call, o.method, o.path);
    let note = match e.status {
        Status::Gone => {
            let mut notes = Vec::new();
            if e.old.as_ref().is_some_and(|o| o.undocumented) {
                notes.push(format!("feature `undocumented` in {}", labels.from));
            }
            if !e.covers.is_empty() {
                let leads: Vec<String> = e.covers.iter().map(lead).collect();
                notes.push(format!("its path fits {}", leads.join(", ")));
            }
            notes.join("; ")
        }
        Status::New => {
            let mut note = e.new.as_ref().and_then(|n| n.summary.clone()).unwrap_or_default();
            if !e.covers.is_empty() {
                let gone: Vec<String> = e.covers.iter().map(|o| format!("`{}()`", o.fn_name)).collect();
                note.push_str(&format!(" Its path also fits gone {} {}.", labels.from, gone.join(", ")));
            }
            note.trim().to_owned()
        }
        _ => String::new(),
    };
    EntryView {
        moved_types: &e.moved_types,
        old: e.old.as_ref(),
        new: e.new.as_ref(),
        breaking: e.breaking,
        rows: e
            .changes
            .iter()
            .map(|c| RowView {
                breaking: c.impact == Impact::Breaking,
                rule: c.rule.id(),
                subject: &c.subject,
                detail: &c.detail,
            })
            .collect(),
        found_by: match e.pairing {
            Some(Pairing::FoldedPath) => "the same path with case, `-` and `_` folded",
            Some(Pairing::OperationId) => "the same `operationId`",
            _ => "",
        },
        note,
    }
}

/// The migration map as Markdown (through `templates/migration.md.j2`): a
/// summary table of counts per module, then each module's changed, renamed,
/// gone, new and same operations, and the rules used.
pub fn migration_markdown(map: &MigrationMap, labels: &MigrationLabels) -> Result<String, RenderError> {
    let modules: Vec<ModuleView> = map
        .modules
        .iter()
        .map(|m| {
            let of = |s: Status| m.entries.iter().filter(|e| e.status == s).map(|e| entry_view(e, labels)).collect();
            ModuleView {
                name: &m.name,
                old: m.old.as_ref(),
                new: m.new.as_ref(),
                counts: m.counts,
                changed: of(Status::Changed),
                renamed: of(Status::Renamed),
                gone: of(Status::Gone),
                new_ops: of(Status::New),
                same: of(Status::Same),
            }
        })
        .collect();
    // The intro's example: the shortest call of one argument that stays the
    // same, a `get_` one if there is one.
    let example = map
        .entries()
        .filter(|e| e.status == Status::Same)
        .filter_map(|e| Some((e.old.as_ref()?, e.new.as_ref()?)))
        .filter(|(o, _)| o.call.matches(", ").count() == 0 && !o.call.ends_with("()"))
        .min_by_key(|(o, _)| (!o.fn_name.starts_with("get_"), o.call.len(), o.call.clone()))
        .map(|(o, n)| {
            let feature = map.modules.iter().find(|m| m.new.as_ref().is_some_and(|m| m.module == n.module));
            context! { old => o.call, new => n.call, feature => feature.and_then(|m| m.new.as_ref()).map(|m| &m.feature) }
        });
    let used: BTreeSet<Rule> = map.entries().flat_map(|e| e.changes.iter().map(|c| c.rule)).collect();
    let rules: Vec<_> = Rule::ALL
        .iter()
        .filter(|r| used.contains(r))
        .map(|r| context! { id => r.id(), impact => r.impact().as_str(), description => r.description() })
        .collect();
    let text = render::env().get_template("migration")?.render(context! {
        from => &labels.from,
        to => &labels.to,
        command => &labels.command,
        spec => &labels.spec,
        totals => map.totals,
        example => example,
        modules => modules,
        rules => rules,
    })?;
    Ok(render::with_newline(text))
}

/// The migration map as pretty-printed JSON (every entry with its changes).
pub fn migration_json(map: &MigrationMap) -> Result<String, RenderError> {
    Ok(serde_json::to_string_pretty(map)? + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_compared_by_shape_and_folded() {
        assert_eq!(shape("/a/{adsetId}/b/{x}"), "/a/{}/b/{}");
        assert_eq!(shape("/a/{adsetId}"), shape("/a/{adSetId}"));
        assert_eq!(folded("/oauth/locationToken"), folded("/oauth/location-token"));
        assert_eq!(folded("/contacts/{id}/campaigns/removeAll"), folded("/contacts/{c}/campaigns/remove_all"));
        assert_ne!(folded("/oauth/locationToken"), folded("/oauth/location/token"));
    }

    #[test]
    fn a_template_covers_literal_segments_only_where_it_has_parameters() {
        assert!(covers("/oauth/{platform}/start", "/oauth/facebook/start"));
        assert!(covers("/oauth/{a}/{platform}/accounts/{b}", "/oauth/{x}/google/accounts/{y}"));
        assert!(!covers("/oauth/{platform}/start", "/oauth/{platform}/start"), "equal shapes are not a lead");
        assert!(!covers("/oauth/{platform}/start", "/oauth/facebook/begin"));
        assert!(!covers("/oauth/{platform}", "/oauth/facebook/start"));
        assert!(!covers("/users/{userId}", "/users/"), "a parameter is never empty");
    }
}
