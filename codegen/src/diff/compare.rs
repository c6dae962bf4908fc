//! The comparison itself: module by module, operation by operation, type by type.

use std::collections::BTreeSet;

use super::items::ty_display;
use super::{Change, Rule};
use crate::ir::{
    Api, Module, Operation, PageStyle, Pagination, Param, ParamLoc, PathStep, Repr, Success, Token, TypeDef, TypeKind,
    Usage,
};

/// Collects the changes found in one module.
pub(super) struct Out<'a> {
    pub(super) module: &'a str,
    pub(super) changes: Vec<Change>,
}

impl Out<'_> {
    pub(super) fn push(&mut self, rule: Rule, subject: impl Into<String>, detail: impl Into<String>) {
        self.changes.push(Change {
            module: self.module.to_owned(),
            subject: subject.into(),
            rule,
            impact: rule.impact(),
            detail: detail.into(),
        });
    }
}

pub(super) fn compare(old: &Api, new: &Api) -> Vec<Change> {
    let names: BTreeSet<&String> = old.modules.keys().chain(new.modules.keys()).collect();
    let empty = Module::default();
    let mut changes = Vec::new();
    for name in names {
        let mut out = Out { module: name, changes: Vec::new() };
        let (o, n) = (old.modules.get(name), new.modules.get(name));
        match (o, n) {
            (Some(m), None) => out.push(
                Rule::ModuleRemoved,
                format!("module {name}"),
                format!("`{}` ({} operations, {} types) is gone", m.source, m.operations.len(), m.types.len()),
            ),
            (None, Some(m)) => out.push(
                Rule::ModuleAdded,
                format!("module {name}"),
                format!("new module from `{}` ({} operations, {} types)", m.source, m.operations.len(), m.types.len()),
            ),
            (Some(a), Some(b)) if a.shared != b.shared => {
                let (rule, how) = if b.shared {
                    (Rule::ModuleUngated, format!("always compiled now; no longer behind the feature `{name}`"))
                } else {
                    (Rule::ModuleGated, format!("now behind the cargo feature `{name}`"))
                };
                out.push(rule, format!("module {name}"), how);
            }
            _ => {}
        }
        module(&mut out, o.unwrap_or(&empty), n.unwrap_or(&empty));
        changes.extend(out.changes);
    }
    changes
}

fn module(out: &mut Out, o: &Module, n: &Module) {
    let m = out.module.to_owned();
    // An operation whose operationId changed but not its method and path is
    // renamed, and its contents are still compared.
    let renamed: Vec<(&String, &String)> = o
        .operations
        .iter()
        .filter(|(k, _)| !n.operations.contains_key(*k))
        .filter_map(|(ok, a)| {
            let mut hits = n
                .operations
                .iter()
                .filter(|(nk, b)| !o.operations.contains_key(*nk) && b.method == a.method && b.path == a.path);
            let (nk, _) = hits.next()?;
            hits.next().is_none().then_some((ok, nk))
        })
        .collect();
    for (ok, nk) in &renamed {
        let (a, b) = (&o.operations[*ok], &n.operations[*nk]);
        out.push(Rule::OperationRenamed, &b.id, format!("`{}` → `{}` (`{}` → `{}`)", a.id, b.id, a.fn_name, b.fn_name));
        operation(out, &m, a, b);
    }
    let is_renamed = |k: &String| renamed.iter().any(|(a, b)| *a == k || *b == k);
    for key in keys(&o.operations, &n.operations) {
        if is_renamed(key) {
            continue;
        }
        match (o.operations.get(key), n.operations.get(key)) {
            (Some(op), None) => out.push(
                Rule::OperationRemoved,
                &op.id,
                format!("`{} {}` (`{}`) is gone", op.method.as_str(), op.path, op.fn_name),
            ),
            (None, Some(op)) => out.push(
                Rule::OperationAdded,
                &op.id,
                format!(
                    "`{} {}` as `{}`{}",
                    op.method.as_str(),
                    op.path,
                    op.fn_name,
                    if op.undocumented { " (feature `undocumented`)" } else { "" }
                ),
            ),
            (Some(a), Some(b)) => operation(out, &m, a, b),
            (None, None) => {}
        }
    }
    for key in keys(&o.types, &n.types) {
        match (o.types.get(key), n.types.get(key)) {
            (Some(t), None) => out.push(Rule::TypeRemoved, key, format!("{} `{key}` is gone", kind_name(&t.kind))),
            (None, Some(t)) => out.push(Rule::TypeAdded, key, format!("new {} `{key}`", kind_name(&t.kind))),
            (Some(a), Some(b)) => type_def(out, &m, a, b),
            (None, None) => {}
        }
    }
    for key in keys(&o.webhooks, &n.webhooks) {
        let subject = format!("webhook {key}");
        match (o.webhooks.get(key), n.webhooks.get(key)) {
            (Some(e), None) => {
                out.push(Rule::WebhookEventRemoved, subject, format!("`WebhookEvent::{}` is gone", e.variant))
            }
            (None, Some(e)) => out.push(
                Rule::WebhookEventAdded,
                subject,
                format!("`WebhookEvent::{}({})`", e.variant, ty_display(&e.ty, &m)),
            ),
            (Some(a), Some(b)) if a.ty != b.ty => out.push(
                Rule::WebhookEventRetyped,
                subject,
                format!("payload `{}` → `{}`", ty_display(&a.ty, &m), ty_display(&b.ty, &m)),
            ),
            _ => {}
        }
    }
}

fn keys<'a, V>(
    a: &'a std::collections::BTreeMap<String, V>,
    b: &'a std::collections::BTreeMap<String, V>,
) -> BTreeSet<&'a String> {
    a.keys().chain(b.keys()).collect()
}

fn kind_name(kind: &TypeKind) -> &'static str {
    match kind {
        TypeKind::Struct(_) => "struct",
        TypeKind::Enum(_) => "enum",
        TypeKind::Union(_) => "union",
        TypeKind::Tagged(_) => "tagged enum",
        TypeKind::Alias(_) => "alias",
    }
}

fn token_name(t: Token) -> &'static str {
    match t {
        Token::Location => "location",
        Token::Agency => "agency",
        Token::Either => "either",
        Token::None => "no",
    }
}

/// Which credentials a token kind accepts: location, agency, or none at all.
fn accepts(t: Token) -> u8 {
    match t {
        Token::Location => 0b001,
        Token::Agency => 0b010,
        Token::Either => 0b011,
        Token::None => 0b111,
    }
}

fn loc_name(l: ParamLoc) -> &'static str {
    match l {
        ParamLoc::Path => "path",
        ParamLoc::Query => "query",
        ParamLoc::Header => "header",
    }
}

/// A required parameter the caller passes as an argument (not one the client fills in).
pub(super) fn positional(p: &Param) -> bool {
    p.required && p.context.is_none()
}

fn success_display(s: &Success, module: &str) -> String {
    match s {
        Success::Json(ty) => ty_display(ty, module),
        Success::Empty => "()".to_owned(),
        Success::Bytes => "bytes::Bytes".to_owned(),
    }
}

pub(super) fn operation(out: &mut Out, m: &str, o: &Operation, n: &Operation) {
    let id = n.id.as_str();
    if o.method != n.method {
        out.push(Rule::OperationMethodChanged, id, format!("`{}` → `{}`", o.method.as_str(), n.method.as_str()));
    }
    if o.path != n.path {
        out.push(Rule::OperationPathChanged, id, format!("`{}` → `{}`", o.path, n.path));
    }
    if o.version != n.version {
        out.push(Rule::OperationVersionChanged, id, format!("`{}` → `{}`", o.version, n.version));
    }
    if o.token != n.token {
        // Narrowed when a credential the old operation accepted no longer works.
        let narrowed = accepts(o.token) & !accepts(n.token) != 0;
        let rule = if narrowed { Rule::OperationTokenNarrowed } else { Rule::OperationTokenWidened };
        out.push(rule, id, format!("{} → {} token", token_name(o.token), token_name(n.token)));
    }
    for s in n.scopes.iter().filter(|s| !o.scopes.contains(s)) {
        out.push(Rule::OperationScopeAdded, id, format!("scope `{s}`"));
    }
    for s in o.scopes.iter().filter(|s| !n.scopes.contains(s)) {
        out.push(Rule::OperationScopeRemoved, id, format!("scope `{s}`"));
    }
    match (o.undocumented, n.undocumented) {
        (false, true) => out.push(Rule::OperationMadeUndocumented, id, "now behind the `undocumented` feature"),
        (true, false) => out.push(Rule::OperationMadeDocumented, id, "no longer behind the `undocumented` feature"),
        _ => {}
    }
    match (o.deprecated, n.deprecated) {
        (false, true) => out.push(Rule::OperationDeprecated, id, "marked deprecated"),
        (true, false) => out.push(Rule::OperationUndeprecated, id, "no longer deprecated"),
        _ => {}
    }
    if o.success != n.success {
        out.push(
            Rule::OperationSuccessRetyped,
            id,
            format!("`send()` returns `{}` → `{}`", success_display(&o.success, m), success_display(&n.success, m)),
        );
    }
    params(out, m, o, n);
    body(out, m, o, n);
    pagination(out, m, id, o.pagination.as_ref(), n.pagination.as_ref());
}

/// Pairs parameters: path ones by position, the others by wire name (and location).
pub(super) fn pair_params<'a>(o: &'a [Param], n: &'a [Param]) -> Vec<(Option<&'a Param>, Option<&'a Param>)> {
    let mut pairs = Vec::new();
    let op: Vec<&Param> = o.iter().filter(|p| p.loc == ParamLoc::Path).collect();
    let np: Vec<&Param> = n.iter().filter(|p| p.loc == ParamLoc::Path).collect();
    for i in 0..op.len().max(np.len()) {
        pairs.push((op.get(i).copied(), np.get(i).copied()));
    }
    let oq: Vec<&Param> = o.iter().filter(|p| p.loc != ParamLoc::Path).collect();
    let nq: Vec<&Param> = n.iter().filter(|p| p.loc != ParamLoc::Path).collect();
    let mut used = vec![false; oq.len()];
    for p in &nq {
        let exact = oq.iter().enumerate().position(|(i, q)| !used[i] && q.wire == p.wire && q.loc == p.loc);
        let any = || oq.iter().enumerate().position(|(i, q)| !used[i] && q.wire == p.wire);
        match exact.or_else(any) {
            Some(i) => {
                used[i] = true;
                pairs.push((Some(oq[i]), Some(*p)));
            }
            None => pairs.push((None, Some(*p))),
        }
    }
    for (i, q) in oq.iter().enumerate() {
        if !used[i] {
            pairs.push((Some(*q), None));
        }
    }
    // A parameter that moved between the path and the query (or a header)
    // keeps its wire name: one parameter whose location changed.
    let mut i = 0;
    while i < pairs.len() {
        if let (None, Some(p)) = pairs[i] {
            let moved =
                pairs.iter().position(|pair| matches!(pair, (Some(q), None) if q.wire == p.wire && q.loc != p.loc));
            if let Some(j) = moved {
                pairs[i].0 = pairs[j].0;
                pairs.remove(j);
                if j < i {
                    i -= 1;
                }
            }
        }
        i += 1;
    }
    pairs
}

fn params(out: &mut Out, m: &str, o: &Operation, n: &Operation) {
    let id = n.id.as_str();
    for pair in pair_params(&o.params, &n.params) {
        match pair {
            (None, Some(p)) => {
                let subject = format!("{id}({})", p.wire);
                let rule = if p.required { Rule::ParameterAddedRequired } else { Rule::ParameterAddedOptional };
                let how = if positional(p) {
                    "a new positional argument".to_owned()
                } else if p.required {
                    format!("setter `{}()`, filled from the client's configuration", p.ident)
                } else {
                    format!("setter `{}()`", p.ident)
                };
                out.push(
                    rule,
                    subject,
                    format!("{} parameter `{}: {}`: {how}", loc_name(p.loc), p.wire, ty_display(&p.ty, m)),
                );
            }
            (Some(p), None) => {
                let how = if positional(p) { "positional argument" } else { "setter" };
                out.push(
                    Rule::ParameterRemoved,
                    format!("{id}({})", p.wire),
                    format!("{} parameter `{}` ({how} `{}`) is gone", loc_name(p.loc), p.wire, p.ident),
                );
            }
            (Some(a), Some(b)) => param_pair(out, m, id, a, b),
            (None, None) => {}
        }
    }
    // Reordered positional arguments: compare the order of those on both sides.
    let identity = |params: &[Param], p: &Param| -> String {
        if p.loc == ParamLoc::Path {
            let i = params.iter().filter(|q| q.loc == ParamLoc::Path).position(|q| q.wire == p.wire).unwrap_or(0);
            format!("path#{i}")
        } else {
            format!("{}:{}", loc_name(p.loc), p.wire)
        }
    };
    let args = |op: &Operation| -> Vec<String> {
        let mut v: Vec<String> = op.params.iter().filter(|p| positional(p)).map(|p| identity(&op.params, p)).collect();
        if op.body.as_ref().is_some_and(|b| b.required) {
            v.push("body".to_owned());
        }
        v
    };
    let (oa, na) = (args(o), args(n));
    let common_o: Vec<&String> = oa.iter().filter(|a| na.contains(a)).collect();
    let common_n: Vec<&String> = na.iter().filter(|a| oa.contains(a)).collect();
    if common_o != common_n {
        out.push(
            Rule::OperationArgumentsReordered,
            id,
            format!(
                "({}) → ({})",
                common_o.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
                common_n.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            ),
        );
    }
}

fn param_pair(out: &mut Out, m: &str, id: &str, a: &Param, b: &Param) {
    let subject = format!("{id}({})", b.wire);
    let (pa, pb) = (positional(a), positional(b));
    if !a.required && b.required {
        let how =
            if pb { "setter → positional argument" } else { "now required; filled from the client's configuration" };
        out.push(Rule::ParameterMadeRequired, &subject, format!("`{}`: {how}", b.wire));
    } else if a.required && !b.required {
        if pa {
            out.push(Rule::ParameterMadeOptional, &subject, format!("`{}`: positional argument → setter", b.wire));
        } else {
            out.push(Rule::ParameterRequirementRelaxed, &subject, format!("`{}`: no longer required", b.wire));
        }
    } else if pa != pb {
        let rule = if pb { Rule::ParameterMadeRequired } else { Rule::ParameterMadeOptional };
        let how = if pb { "setter → positional argument" } else { "positional argument → setter" };
        out.push(rule, &subject, format!("`{}`: {how}", b.wire));
    }
    if a.ty != b.ty {
        out.push(
            Rule::ParameterRetyped,
            &subject,
            format!("`{}`: `{}` → `{}`", b.wire, ty_display(&a.ty, m), ty_display(&b.ty, m)),
        );
    }
    if !pa && !pb && a.ident != b.ident {
        out.push(Rule::ParameterRustNameChanged, &subject, format!("setter `{}()` → `{}()`", a.ident, b.ident));
    }
    if a.loc == ParamLoc::Path && b.loc == ParamLoc::Path && a.wire != b.wire {
        out.push(Rule::ParameterRenamed, &subject, format!("path parameter `{{{}}}` → `{{{}}}`", a.wire, b.wire));
    }
    if a.loc != b.loc {
        out.push(
            Rule::ParameterLocationChanged,
            &subject,
            format!("`{}`: {} → {}", b.wire, loc_name(a.loc), loc_name(b.loc)),
        );
    }
}

fn body(out: &mut Out, m: &str, o: &Operation, n: &Operation) {
    let subject = format!("{} body", n.id);
    match (&o.body, &n.body) {
        (None, Some(b)) => {
            let rule = if b.required { Rule::BodyAddedRequired } else { Rule::BodyAddedOptional };
            out.push(rule, subject, format!("`{}` ({:?})", ty_display(&b.ty, m), b.kind));
        }
        (Some(b), None) => {
            out.push(Rule::BodyRemoved, subject, format!("`{}` is no longer sent", ty_display(&b.ty, m)))
        }
        (Some(a), Some(b)) => {
            match (a.required, b.required) {
                (false, true) => out.push(Rule::BodyMadeRequired, &subject, "`body()` setter → positional argument"),
                (true, false) => out.push(Rule::BodyMadeOptional, &subject, "positional argument → `body()` setter"),
                _ => {}
            }
            if a.ty != b.ty {
                out.push(
                    Rule::BodyRetyped,
                    &subject,
                    format!("`{}` → `{}`", ty_display(&a.ty, m), ty_display(&b.ty, m)),
                );
            }
            if a.kind != b.kind {
                out.push(Rule::BodyEncodingChanged, &subject, format!("{:?} → {:?}", a.kind, b.kind));
            }
        }
        (None, None) => {}
    }
}

fn steps(path: &[PathStep]) -> String {
    path.iter().map(|s| s.ident.as_str()).collect::<Vec<_>>().join(".")
}

/// Everything about paging except the item type, as one comparable line.
fn paging_line(p: &Pagination) -> String {
    let style = match &p.style {
        PageStyle::Offset(q) => format!("offset `{}`", q.ident),
        PageStyle::Page(q) => format!("page `{}`", q.ident),
        PageStyle::Cursor(list) => format!(
            "cursor {}",
            list.iter()
                .map(|(q, src)| format!(
                    "`{}` ← {}{}",
                    q.ident,
                    if src.from_last_item { "$last." } else { "" },
                    steps(&src.path)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    format!(
        "{style}{}; limit {}; items `{}`; total {}",
        if p.in_body { " (in body)" } else { "" },
        p.limit.as_ref().map_or("none".to_owned(), |l| format!("`{}`", l.ident)),
        steps(&p.items),
        p.total.as_ref().map_or("none".to_owned(), |t| format!("`{}`", steps(t))),
    )
}

fn pagination(out: &mut Out, m: &str, id: &str, o: Option<&Pagination>, n: Option<&Pagination>) {
    match (o, n) {
        (None, Some(p)) => out.push(
            Rule::PaginationAdded,
            id,
            format!("`stream()` of `{}`: {}", ty_display(&p.item_ty, m), paging_line(p)),
        ),
        (Some(_), None) => out.push(Rule::PaginationRemoved, id, "`stream()` is gone"),
        (Some(a), Some(b)) => {
            if a.item_ty != b.item_ty {
                out.push(
                    Rule::PaginationItemRetyped,
                    id,
                    format!("`stream()` item `{}` → `{}`", ty_display(&a.item_ty, m), ty_display(&b.item_ty, m)),
                );
            }
            let (la, lb) = (paging_line(a), paging_line(b));
            if la != lb {
                out.push(Rule::PaginationChanged, id, format!("{la} → {lb}"));
            }
        }
        (None, None) => {}
    }
}

/// Types that get `new()` and setters.
pub(super) fn has_builder(usage: Usage) -> bool {
    usage.request || usage.multipart
}

fn repr_name(r: Repr) -> &'static str {
    match r {
        Repr::Plain => "T",
        Repr::Option => "Option<T>",
        Repr::Nullable => "Nullable<T>",
    }
}

pub(super) fn type_def(out: &mut Out, m: &str, o: &TypeDef, n: &TypeDef) {
    let name = n.name.as_str();
    match (&o.kind, &n.kind) {
        (TypeKind::Struct(of), TypeKind::Struct(nf)) => {
            let (ou, nu) = (o.usage, n.usage);
            match (has_builder(ou), has_builder(nu)) {
                (false, true) => out.push(Rule::TypeBuilderAdded, name, "now sent in requests: `new()` and setters"),
                (true, false) => {
                    out.push(Rule::TypeBuilderRemoved, name, "no longer sent in requests: `new()` and setters are gone")
                }
                _ => {}
            }
            if ou.multipart != nu.multipart {
                let how = if nu.multipart { "now a multipart body" } else { "no longer a multipart body" };
                out.push(Rule::TypeMultipartChanged, name, how);
            }
            let wires: BTreeSet<&String> = of.iter().chain(nf.iter()).map(|f| &f.wire).collect();
            for wire in wires {
                let subject = format!("{name}.{wire}");
                match (of.iter().find(|f| &f.wire == wire), nf.iter().find(|f| &f.wire == wire)) {
                    (None, Some(f)) => {
                        let repr = f.repr(nu);
                        let ty = ty_display(&f.ty, m);
                        if repr == Repr::Plain && has_builder(nu) {
                            out.push(
                                Rule::FieldAddedRequired,
                                subject,
                                format!("`{}: {ty}`: a new `new()` argument", f.ident),
                            );
                        } else {
                            out.push(Rule::FieldAdded, subject, format!("`{}: {}`", f.ident, wrap(repr, &ty)));
                        }
                    }
                    (Some(f), None) => {
                        out.push(Rule::FieldRemoved, subject, format!("`{}` is gone", f.ident));
                    }
                    (Some(a), Some(b)) => {
                        let retyped = a.ty != b.ty || a.boxed != b.boxed || (nu.multipart && a.binary != b.binary);
                        if retyped {
                            let show = |f: &crate::ir::Field| {
                                let t = ty_display(&f.ty, m);
                                let t = if nu.multipart && f.binary { "Upload".to_owned() } else { t };
                                if f.boxed { format!("Box<{t}>") } else { t }
                            };
                            out.push(Rule::FieldRetyped, &subject, format!("`{}` → `{}`", show(a), show(b)));
                        }
                        if a.ident != b.ident {
                            out.push(Rule::FieldRustNameChanged, &subject, format!("`{}` → `{}`", a.ident, b.ident));
                        }
                        let (ra, rb) = (a.repr(ou), b.repr(nu));
                        if ra != rb {
                            let rule = match (ra, rb) {
                                (_, Repr::Plain) => Rule::FieldMadeRequired,
                                (Repr::Plain, _) => Rule::FieldMadeOptional,
                                _ => Rule::FieldNullabilityChanged,
                            };
                            out.push(rule, &subject, format!("`{}` → `{}`", repr_name(ra), repr_name(rb)));
                        } else if a.required != b.required || a.nullable != b.nullable {
                            out.push(
                                Rule::FieldRequiredFlagChanged,
                                &subject,
                                format!(
                                    "{} → {}; the Rust field stays `{}`",
                                    flags(a.required, a.nullable),
                                    flags(b.required, b.nullable),
                                    repr_name(rb)
                                ),
                            );
                        }
                    }
                    (None, None) => {}
                }
            }
        }
        (TypeKind::Enum(a), TypeKind::Enum(b)) => {
            for (wire, ident) in &b.variants {
                match a.variants.iter().find(|(w, _)| w == wire) {
                    None => out.push(Rule::EnumValueAdded, format!("{name}::{ident}"), format!("`{wire}`")),
                    Some((_, old)) if old != ident => out.push(
                        Rule::EnumVariantRenamed,
                        format!("{name}::{ident}"),
                        format!("`{wire}`: `{old}` → `{ident}`"),
                    ),
                    _ => {}
                }
            }
            for (wire, ident) in &a.variants {
                if !b.variants.iter().any(|(w, _)| w == wire) {
                    out.push(Rule::EnumValueRemoved, format!("{name}::{ident}"), format!("`{wire}`"));
                }
            }
            if a.catch_all != b.catch_all {
                out.push(
                    Rule::EnumVariantRenamed,
                    format!("{name}::{}", b.catch_all),
                    format!("catch-all `{}` → `{}`", a.catch_all, b.catch_all),
                );
            }
        }
        (TypeKind::Union(a), TypeKind::Union(b)) => {
            for v in b {
                match a.iter().find(|x| x.ident == v.ident) {
                    None => out.push(
                        Rule::UnionVariantAdded,
                        format!("{name}::{}", v.ident),
                        format!("`{}({})`", v.ident, ty_display(&v.ty, m)),
                    ),
                    Some(x) if x.ty != v.ty => out.push(
                        Rule::UnionVariantRetyped,
                        format!("{name}::{}", v.ident),
                        format!("`{}` → `{}`", ty_display(&x.ty, m), ty_display(&v.ty, m)),
                    ),
                    _ => {}
                }
            }
            for x in a.iter().filter(|x| !b.iter().any(|v| v.ident == x.ident)) {
                out.push(Rule::UnionVariantRemoved, format!("{name}::{}", x.ident), format!("`{}`", x.ident));
            }
        }
        (TypeKind::Tagged(a), TypeKind::Tagged(b)) => {
            if (&a.tag, &a.content) != (&b.tag, &b.content) {
                let detail = format!("keys `{}`+`{}` → `{}`+`{}`", a.tag, a.content, b.tag, b.content);
                out.push(Rule::TypeKindChanged, name, detail);
            }
            // Variants compare like those of a union.
            for v in &b.variants {
                match a.variants.iter().find(|x| x.ident == v.ident) {
                    None => out.push(
                        Rule::UnionVariantAdded,
                        format!("{name}::{}", v.ident),
                        format!("`{}({})` for `{}`", v.ident, ty_display(&v.ty, m), v.wire),
                    ),
                    Some(x) if x.ty != v.ty => out.push(
                        Rule::UnionVariantRetyped,
                        format!("{name}::{}", v.ident),
                        format!("`{}` → `{}`", ty_display(&x.ty, m), ty_display(&v.ty, m)),
                    ),
                    _ => {}
                }
            }
            for x in a.variants.iter().filter(|x| !b.variants.iter().any(|v| v.ident == x.ident)) {
                out.push(Rule::UnionVariantRemoved, format!("{name}::{}", x.ident), format!("`{}`", x.ident));
            }
        }
        (TypeKind::Alias(a), TypeKind::Alias(b)) => {
            if a != b {
                out.push(Rule::AliasRetyped, name, format!("`{}` → `{}`", ty_display(a, m), ty_display(b, m)));
            }
        }
        (a, b) => out.push(Rule::TypeKindChanged, name, format!("{} → {}", kind_name(a), kind_name(b))),
    }
}

fn wrap(repr: Repr, ty: &str) -> String {
    match repr {
        Repr::Plain => ty.to_owned(),
        Repr::Option => format!("Option<{ty}>"),
        Repr::Nullable => format!("Nullable<{ty}>"),
    }
}

fn flags(required: bool, nullable: bool) -> String {
    format!("{}{}", if required { "required" } else { "optional" }, if nullable { ", nullable" } else { "" })
}
