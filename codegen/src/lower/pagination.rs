//! Resolving `x-ghl-pagination` against the operation's parameters, body and
//! response types, so the emitter gets field paths it can print directly.

use serde_json::Value;

use super::Lowerer;
use crate::diag::join;
use crate::ir::{CursorSource, PageParam, PageStyle, Pagination, ParamLoc, PathStep, Repr, Success, Ty, TypeKind};

const KEYS: &[&str] = &["style", "in", "limit", "offset", "page", "cursor", "items", "total"];

impl Lowerer<'_> {
    pub(super) fn resolve_pagination(&mut self) {
        for (doc, module, type_name, ptr, raw) in std::mem::take(&mut self.pending_pagination) {
            match self.pagination(&module, &type_name, &raw) {
                Ok(p) => {
                    if let Some(op) = self.api.modules.get_mut(&module).and_then(|m| m.operations.get_mut(&type_name)) {
                        op.pagination = Some(p);
                    }
                }
                Err((key, message)) => {
                    let at = if key.is_empty() { ptr.clone() } else { join(&ptr, key) };
                    self.diags.error(&doc, &at, message);
                }
            }
        }
    }

    fn pagination(&self, module: &str, type_name: &str, raw: &Value) -> Result<Pagination, (String, String)> {
        let err = |key: &str, msg: String| (key.to_owned(), msg);
        let obj = raw.as_object().ok_or_else(|| err("", "`x-ghl-pagination` must be a mapping".into()))?;
        if let Some(k) = obj.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(err(k, format!("unknown key `{k}` (expected one of {})", KEYS.join(", "))));
        }
        let s = |k: &str| obj.get(k).and_then(Value::as_str);
        let op = self
            .api
            .modules
            .get(module)
            .and_then(|m| m.operations.get(type_name))
            .ok_or_else(|| err("", "operation not lowered".into()))?;
        let in_body = match s("in").unwrap_or("query") {
            "query" => false,
            "body" => true,
            other => return Err(err("in", format!("`in` must be query or body, not `{other}`"))),
        };
        // A paging parameter by wire name: a body field (`in: body`) or a query parameter.
        let lookup = |key: &str, wire: &str| -> Result<PageParam, (String, String)> {
            if in_body {
                let body =
                    op.body.as_ref().ok_or_else(|| err(key, "`in: body` but the operation has no body".into()))?;
                let (fields, usage) =
                    self.struct_of(&body.ty).ok_or_else(|| err(key, "`in: body` needs an object body".into()))?;
                let f = fields
                    .iter()
                    .find(|f| f.wire == wire)
                    .ok_or_else(|| err(key, format!("the body has no field `{wire}`")))?;
                let repr = f.repr(usage);
                if repr == Repr::Nullable || !body.required {
                    return Err(err(
                        key,
                        format!("body field `{wire}` must be in a required body and not nullable to be paged"),
                    ));
                }
                Ok(PageParam {
                    ident: f.ident.clone(),
                    wire: f.wire.clone(),
                    ty: f.ty.clone(),
                    plain: repr == Repr::Plain,
                })
            } else {
                let p = op
                    .params
                    .iter()
                    .find(|p| p.wire == wire && p.loc == ParamLoc::Query)
                    .ok_or_else(|| err(key, format!("no query parameter `{wire}`")))?;
                Ok(PageParam {
                    ident: p.ident.clone(),
                    wire: p.wire.clone(),
                    ty: p.ty.clone(),
                    plain: p.required && p.context.is_none(),
                })
            }
        };
        let param = |key: &str| -> Result<PageParam, (String, String)> {
            let wire = s(key).ok_or_else(|| err(key, format!("`{key}` must name a parameter")))?;
            lookup(key, wire)
        };
        let Success::Json(page_ty) = &op.success else {
            return Err(err("items", "a paged operation needs a JSON response".into()));
        };
        let items_path =
            s("items").ok_or_else(|| err("items", "`items` must give the path of the item array".into()))?;
        let (items, items_ty) = self.field_path(page_ty, items_path).map_err(|m| err("items", m))?;
        let Ty::Array(item_ty) = items_ty else {
            return Err(err("items", format!("`{items_path}` is not an array")));
        };
        let (total, total_ty) = match s("total") {
            Some(path) => {
                let (steps, ty) = self.field_path(page_ty, path).map_err(|m| err("total", m))?;
                if !matches!(ty, Ty::I32 | Ty::I64 | Ty::F64) {
                    return Err(err("total", format!("`{path}` is not a number")));
                }
                (Some(steps), Some(ty))
            }
            None => (None, None),
        };
        let numeric = |p: &PageParam, key: &str| {
            if matches!(p.ty, Ty::I32 | Ty::I64) {
                Ok(())
            } else {
                Err(err(key, format!("`{}` must be an integer parameter", p.ident)))
            }
        };
        let limit = match s("limit") {
            Some(_) => {
                let p = param("limit")?;
                numeric(&p, "limit")?;
                Some(p)
            }
            None => None,
        };
        let style = match s("style") {
            Some("offset" | "skip") => {
                let p = param(if obj.contains_key("offset") { "offset" } else { "skip" })?;
                numeric(&p, "offset")?;
                PageStyle::Offset(p)
            }
            Some("page") => {
                let p = param("page")?;
                numeric(&p, "page")?;
                PageStyle::Page(p)
            }
            Some("cursor") => {
                let map = obj
                    .get("cursor")
                    .and_then(Value::as_object)
                    .ok_or_else(|| err("cursor", "`cursor` must map parameters to response paths".into()))?;
                let mut out = Vec::new();
                for (wire, path) in map {
                    let key = format!("cursor/{wire}");
                    let p = lookup(&key, wire)?;
                    let path = path.as_str().ok_or_else(|| err(&key, "the response path must be a string".into()))?;
                    let (from_last_item, root, rel) = match path.strip_prefix("$last.") {
                        Some(rest) => (true, (*item_ty).clone(), rest),
                        None => (false, page_ty.clone(), path),
                    };
                    let (steps, ty) = self.field_path(&root, rel).map_err(|m| err(&key, m))?;
                    let compatible = ty == p.ty
                        || (matches!(p.ty, Ty::String) && matches!(ty, Ty::I32 | Ty::I64 | Ty::F64))
                        || (matches!(p.ty, Ty::I64 | Ty::I32) && matches!(ty, Ty::I32 | Ty::I64 | Ty::F64))
                        || (matches!(p.ty, Ty::F64) && matches!(ty, Ty::I32 | Ty::I64));
                    if !compatible {
                        return Err(err(&key, format!("`{path}` has a type the parameter `{wire}` cannot take")));
                    }
                    out.push((p, CursorSource { from_last_item, path: steps, ty }));
                }
                if out.is_empty() {
                    return Err(err("cursor", "`cursor` names no parameter".into()));
                }
                PageStyle::Cursor(out)
            }
            other => return Err(err("style", format!("`style` must be offset, skip, page or cursor, not {other:?}"))),
        };
        Ok(Pagination { style, in_body, limit, items, item_ty: *item_ty, total, total_ty })
    }

    fn struct_of(&self, ty: &Ty) -> Option<(&Vec<crate::ir::Field>, crate::ir::Usage)> {
        let Ty::Named { module, name } = ty else { return None };
        let def = self.type_def(module, name)?;
        match &def.kind {
            TypeKind::Struct(fields) => Some((fields, def.usage)),
            TypeKind::Alias(inner) => self.struct_of(&inner.clone()),
            _ => None,
        }
    }

    /// Walks a dot path of wire names through response structs.
    fn field_path(&self, root: &Ty, path: &str) -> Result<(Vec<PathStep>, Ty), String> {
        let mut ty = root.clone();
        let mut steps = Vec::new();
        for segment in path.split('.') {
            let (fields, usage) =
                self.struct_of(&ty).ok_or_else(|| format!("cannot find `{segment}` of `{path}`: not an object"))?;
            let f = fields
                .iter()
                .find(|f| f.wire == segment)
                .ok_or_else(|| format!("the response has no field `{segment}` (in `{path}`)"))?;
            let repr = f.repr(usage);
            if repr == Repr::Nullable {
                return Err(format!("`{segment}` is a nullable request field"));
            }
            steps.push(PathStep {
                ident: f.ident.clone(),
                wire: f.wire.clone(),
                optional: repr == Repr::Option,
                boxed: f.boxed,
            });
            ty = f.ty.clone();
        }
        Ok((steps, ty))
    }
}
