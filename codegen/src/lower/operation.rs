//! Lowering operations: parameters, bodies, responses and the `x-ghl-*` facts.

use serde_json::Value;

use super::Lowerer;
use super::schema::At;
use crate::diag::join;
use crate::ir::{BodyKind, Context, Method, Operation, Param, ParamLoc, RequestBody, Success, Token, Ty, TypeKind};
use crate::names;

const METHODS: &[(&str, Method)] = &[
    ("get", Method::Get),
    ("post", Method::Post),
    ("put", Method::Put),
    ("patch", Method::Patch),
    ("delete", Method::Delete),
    ("head", Method::Head),
    ("options", Method::Options),
];

const OPERATION_EXTENSIONS: &[&str] =
    &["x-ghl-version", "x-ghl-version-any", "x-ghl-token", "x-ghl-pagination", "x-ghl-status", "x-ghl-note"];

/// Parameter idents the request builder keeps for itself (`foo` becomes `foo_param`).
const RESERVED_PARAM_IDENTS: &[&str] = &["client", "body", "send", "send_with_meta", "to_request", "stream"];

/// Builder type names of a document's operations (claimed before schemas).
pub fn builder_names(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for item in doc.get("paths").and_then(Value::as_object).into_iter().flat_map(|p| p.values()) {
        for (method, _) in METHODS {
            if let Some(id) = item.get(*method).and_then(|op| op.get("operationId")).and_then(Value::as_str) {
                out.push(names::type_ident(&names::pascal(id)));
            }
        }
    }
    out
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// `{name}` placeholders of a path template, in order.
pub fn path_placeholders(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else { break };
        out.push(rest[start + 1..start + len].to_owned());
        rest = &rest[start + len + 1..];
    }
    out
}

/// The value of `x-ghl-token`, if it is one.
pub(crate) fn token_extension(value: &str) -> Option<Token> {
    match value {
        "location" => Some(Token::Location),
        "agency" => Some(Token::Agency),
        "either" => Some(Token::Either),
        "none" => Some(Token::None),
        _ => None,
    }
}

/// The scopes an operation's security requirements name (its own, else its
/// document's), and the token kind their scheme names imply by `schemes`;
/// `None` when they imply none.
pub(crate) fn security_facts(
    op: &Value,
    doc: Option<&Value>,
    schemes: &crate::config::TokenSchemes,
) -> (Vec<String>, Option<Token>) {
    let security = op.get("security").or_else(|| doc.and_then(|d| d.get("security"))).and_then(Value::as_array);
    let mut scopes: Vec<String> = Vec::new();
    let (mut location, mut agency) = (false, false);
    for requirement in security.into_iter().flatten().filter_map(Value::as_object) {
        for (scheme, list) in requirement {
            match schemes.token_of(scheme) {
                Some(Token::Agency) => agency = true,
                Some(Token::Location) => location = true,
                Some(Token::Either) => (location, agency) = (true, true),
                Some(Token::None) | None => {}
            }
            for scope in list.as_array().into_iter().flatten().filter_map(Value::as_str) {
                if !scopes.iter().any(|s| s == scope) {
                    scopes.push(scope.to_owned());
                }
            }
        }
    }
    let token = match (location, agency) {
        (true, false) => Some(Token::Location),
        (false, true) => Some(Token::Agency),
        (true, true) => Some(Token::Either),
        (false, false) => None,
    };
    (scopes, token)
}

impl Lowerer<'_> {
    pub(super) fn lower_operations(&mut self) {
        let mut seen_ids: Vec<(String, String, String)> = Vec::new();
        for doc in &self.set.docs {
            let module = self.module_of_doc(&doc.rel);
            let Some(paths) = doc.value.get("paths").and_then(Value::as_object) else { continue };
            for (path, item) in paths {
                let item_ptr = join("/paths", path);
                if !path.starts_with('/') {
                    self.diags.error(&doc.rel, &item_ptr, format!("path `{path}` must start with `/`"));
                }
                for (key, op) in item.as_object().into_iter().flatten() {
                    let Some(method) = METHODS.iter().find(|(m, _)| m == key).map(|(_, m)| *m) else { continue };
                    let ptr = join(&item_ptr, key);
                    if let Some(op) = self.lower_operation(&doc.rel, &module, path, item, method, op, &ptr) {
                        // operationIds are unique per group: v3 keeps v2's names.
                        let group = self.api.modules.get(&module).and_then(|m| m.group.clone());
                        let same_group = |m: &String| self.api.modules.get(m).and_then(|m| m.group.clone()) == group;
                        if let Some((_, other_module, _)) =
                            seen_ids.iter().find(|(id, m, _)| *id == op.id && same_group(m))
                        {
                            if *other_module == module {
                                self.diags.error(
                                    &doc.rel,
                                    &join(&ptr, "operationId"),
                                    format!("duplicate operationId `{}` in this module", op.id),
                                );
                                continue;
                            }
                            self.diags.warning(
                                &doc.rel,
                                &join(&ptr, "operationId"),
                                format!("operationId `{}` is also used in module `{other_module}`", op.id),
                            );
                        }
                        seen_ids.push((op.id.clone(), module.clone(), ptr.clone()));
                        if let Some(m) = self.api.modules.get_mut(&module) {
                            if m.operations.contains_key(&op.type_name) {
                                self.diags.error(
                                    &doc.rel,
                                    &join(&ptr, "operationId"),
                                    format!("operationId `{}` gives the same Rust name as another operation", op.id),
                                );
                                continue;
                            }
                            m.operations.insert(op.type_name.clone(), op);
                        }
                    }
                }
            }
        }
    }

    /// The `webhooks` key: one event per entry, its payload the JSON request body.
    pub(super) fn lower_webhooks(&mut self) {
        for doc in &self.set.docs {
            let module = self.module_of_doc(&doc.rel);
            let Some(hooks) = doc.value.get("webhooks").and_then(Value::as_object) else { continue };
            for (wire, item) in hooks {
                let ptr = join("/webhooks", wire);
                let Some(op) = item.get("post") else {
                    self.diags.error(&doc.rel, &ptr, format!("webhook `{wire}` needs a `post` operation"));
                    continue;
                };
                let content_ptr = join(&join(&ptr, "post"), "requestBody");
                let Some(schema) = op.pointer("/requestBody/content/application~1json/schema") else {
                    self.diags.error(
                        &doc.rel,
                        &content_ptr,
                        format!("webhook `{wire}` needs an `application/json` request body schema"),
                    );
                    continue;
                };
                let variant = names::pascal(wire);
                let at = At {
                    doc: doc.rel.clone(),
                    module: module.clone(),
                    ptr: join(&content_ptr, "content/application~1json/schema"),
                };
                let ty = self.lower_schema(&at, schema, &format!("{variant}Event")).ty;
                let event = crate::ir::WebhookEvent {
                    wire: wire.clone(),
                    variant: variant.clone(),
                    ty,
                    summary: text(op, "summary"),
                };
                if let Some(m) = self.api.modules.get_mut(&module) {
                    if m.webhooks.values().any(|e| e.variant == variant) || variant == "Unknown" {
                        self.diags.error(
                            &doc.rel,
                            &ptr,
                            format!("webhook `{wire}` gives the variant name `{variant}`, which is already taken"),
                        );
                        continue;
                    }
                    m.webhooks.insert(wire.clone(), event);
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn lower_operation(
        &mut self,
        doc: &str,
        module: &str,
        path: &str,
        item: &Value,
        method: Method,
        op: &Value,
        ptr: &str,
    ) -> Option<Operation> {
        let Some(id) = text(op, "operationId") else {
            self.diags.error(doc, ptr, format!("`{} {path}` has no operationId", method.as_str()));
            return None;
        };
        for key in op.as_object().into_iter().flat_map(|o| o.keys()).filter(|k| k.starts_with("x-ghl-")) {
            if !OPERATION_EXTENSIONS.contains(&key.as_str()) {
                self.diags.error(doc, &join(ptr, key), format!("unknown extension `{key}` on an operation"));
            }
        }
        let type_name = names::type_ident(&names::pascal(&id));
        // The handle's own constructor is `new`.
        let fn_name = match names::snake(&id) {
            n if n == "new" => "new_".to_owned(),
            n => n,
        };
        let at = At { doc: doc.to_owned(), module: module.to_owned(), ptr: ptr.to_owned() };

        let (params, header_version) = self.lower_params(&at, path, item, op, &type_name);
        let body = self.lower_body(&at, op, &type_name).ok()?;
        let success = self.lower_success(&at, op, &type_name);

        let version = match (text(op, "x-ghl-version"), header_version) {
            (Some(v), _) => v,
            (None, Some(v)) => v,
            (None, None) => {
                self.diags.warning(
                    doc,
                    ptr,
                    "no `x-ghl-version` (and no `Version` header parameter); the default is used",
                );
                self.config.default_version.clone()
            }
        };
        let (token, scopes) = self.lower_security(doc, ptr, op);
        let status = text(op, "x-ghl-status");
        let note = text(op, "x-ghl-note");
        let undocumented = match status.as_deref() {
            None => false,
            Some("undocumented") => true,
            Some(other) => {
                self.diags.error(
                    doc,
                    &join(ptr, "x-ghl-status"),
                    format!("unknown `x-ghl-status` `{other}` (only `undocumented`)"),
                );
                false
            }
        };
        if note.is_none()
            && self.untyped(&success)
            && success_schemas(op).all(|s| !noted(s))
            && success_schemas(op).next().is_some()
        {
            self.diags.warning(
                doc,
                &join(ptr, "responses"),
                "the success body is untyped JSON: give its schema, or say why there is none in an `x-ghl-note` \
                 (on the operation or the response schema)",
            );
        }
        if undocumented && note.is_none() {
            self.diags.warning(doc, ptr, "an undocumented operation needs an `x-ghl-note` saying where it comes from");
        }
        if text(op, "summary").is_none() {
            self.diags.warning(doc, ptr, "operation has no summary");
        }
        if let Some(p) = op.get("x-ghl-pagination") {
            self.pending_pagination.push((
                doc.to_owned(),
                module.to_owned(),
                type_name.clone(),
                join(ptr, "x-ghl-pagination"),
                p.clone(),
            ));
        }
        Some(Operation {
            id,
            fn_name,
            type_name,
            method,
            path: path.to_owned(),
            version,
            version_any: op.get("x-ghl-version-any") == Some(&Value::Bool(true)),
            token,
            scopes,
            params,
            body,
            success,
            pagination: None,
            undocumented,
            deprecated: op.get("deprecated") == Some(&Value::Bool(true)),
            summary: text(op, "summary"),
            description: text(op, "description"),
            note,
        })
    }

    /// Parameters (path ones first, in path order) and the `Version` header's value.
    fn lower_params(
        &mut self,
        at: &At,
        path: &str,
        item: &Value,
        op: &Value,
        type_name: &str,
    ) -> (Vec<Param>, Option<String>) {
        let mut raw: Vec<(String, Value)> = Vec::new();
        for (source, ptr) in [(item, join("/paths", path)), (op, at.ptr.clone())] {
            for (i, p) in source.get("parameters").and_then(Value::as_array).into_iter().flatten().enumerate() {
                let p_ptr = join(&join(&ptr, "parameters"), i);
                let resolved = match p.get("$ref").and_then(Value::as_str) {
                    Some(r) => match crate::refs::resolve(self.set, &at.doc, r) {
                        Some((_, v)) => v.clone(),
                        None => {
                            self.diags.error(
                                &at.doc,
                                &join(&p_ptr, "$ref"),
                                format!("`$ref` target `{r}` does not exist"),
                            );
                            continue;
                        }
                    },
                    None => p.clone(),
                };
                let key = |v: &Value| (text(v, "name"), text(v, "in"));
                // An operation-level parameter replaces a path-level one of the same name and place.
                if let Some(existing) = raw.iter_mut().find(|(_, v)| key(v) == key(&resolved)) {
                    if existing.0.contains("/parameters/") && ptr == at.ptr && !existing.0.starts_with(&at.ptr) {
                        *existing = (p_ptr, resolved);
                    } else {
                        self.diags.error(
                            &at.doc,
                            &p_ptr,
                            format!("parameter `{}` is declared twice", key(&resolved).0.unwrap_or_default()),
                        );
                    }
                    continue;
                }
                raw.push((p_ptr, resolved));
            }
        }

        let placeholders = path_placeholders(path);
        let mut version = None;
        let mut params: Vec<Param> = Vec::new();
        for (p_ptr, p) in raw {
            let (Some(name), Some(loc)) = (text(&p, "name"), text(&p, "in")) else {
                self.diags.error(&at.doc, &p_ptr, "a parameter needs `name` and `in`");
                continue;
            };
            let loc = match loc.as_str() {
                "path" => ParamLoc::Path,
                "query" => ParamLoc::Query,
                "header" => ParamLoc::Header,
                other => {
                    self.diags.error(
                        &at.doc,
                        &join(&p_ptr, "in"),
                        format!("parameters `in: {other}` are not supported"),
                    );
                    continue;
                }
            };
            if loc == ParamLoc::Header
                && (name.eq_ignore_ascii_case("version") || name.eq_ignore_ascii_case("authorization"))
            {
                if name.eq_ignore_ascii_case("version") {
                    let s = p.get("schema");
                    version = s
                        .and_then(|s| s.get("enum"))
                        .and_then(Value::as_array)
                        .and_then(|e| e.first())
                        .or_else(|| s.and_then(|s| s.get("default")))
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                }
                continue;
            }
            if loc == ParamLoc::Path && !placeholders.contains(&name) {
                self.defect(
                    &at.doc,
                    &p_ptr,
                    format!("path parameter `{name}` does not appear in the path `{path}`"),
                    "it is left out",
                );
                continue;
            }
            let required = loc == ParamLoc::Path || p.get("required") == Some(&Value::Bool(true));
            let ty = match p.get("schema") {
                Some(schema) => {
                    let s_at = At { doc: at.doc.clone(), module: at.module.clone(), ptr: join(&p_ptr, "schema") };
                    let ty = self.lower_schema(&s_at, schema, &format!("{type_name}{}", names::pascal(&name))).ty;
                    if loc == ParamLoc::Path { self.path_param_ty(&s_at, &name, ty) } else { ty }
                }
                None => {
                    self.diags.warning(
                        &at.doc,
                        &p_ptr,
                        format!("parameter `{name}` has no schema; it is typed as a string"),
                    );
                    Ty::String
                }
            };
            let context = (required
                && self.config.location_params.contains(&name)
                && matches!(ty, Ty::String)
                && loc != ParamLoc::Header)
                .then_some(Context::Location);
            let base = names::snake(&name);
            // Names the builder already uses for its own fields and methods.
            let base = if RESERVED_PARAM_IDENTS.contains(&base.as_str()) { format!("{base}_param") } else { base };
            let ident = names::unique(&base, |c| params.iter().any(|p| p.ident == c));
            let encoding = crate::ir::ParamEncoding::default();
            let explode = p.get("explode") != Some(&Value::Bool(false));
            let mut facts = p.get("schema").map(super::schema::field_facts).unwrap_or_default();
            if facts.example.is_none() {
                facts.example = p
                    .get("example")
                    .or_else(|| p.get("schema").and_then(|s| s.get("default")))
                    .filter(|e| !e.is_null())
                    .map(|e| e.as_str().map_or_else(|| e.to_string(), str::to_owned));
            }
            params.push(Param {
                facts,
                explode,
                wire: name,
                ident,
                loc,
                ty,
                required,
                context,
                encoding,
                doc: text(&p, "description"),
            });
        }
        for placeholder in &placeholders {
            if !params.iter().any(|p| p.loc == ParamLoc::Path && p.wire == *placeholder) {
                self.defect(
                    &at.doc,
                    &at.ptr,
                    format!("path `{path}` has `{{{placeholder}}}` but no path parameter declares it"),
                    "it is declared as a string",
                );
                let base = names::snake(placeholder);
                let base = if RESERVED_PARAM_IDENTS.contains(&base.as_str()) { format!("{base}_param") } else { base };
                let ident = names::unique(&base, |c| params.iter().any(|p| p.ident == c));
                params.push(Param {
                    explode: true,
                    wire: placeholder.clone(),
                    ident,
                    loc: ParamLoc::Path,
                    ty: Ty::String,
                    required: true,
                    context: None,
                    encoding: crate::ir::ParamEncoding::default(),
                    doc: None,
                    facts: Default::default(),
                });
            }
        }
        // Path parameters in path order, then the rest in spec order.
        params.sort_by_key(|p| match p.loc {
            ParamLoc::Path => placeholders.iter().position(|n| *n == p.wire).unwrap_or(0),
            _ => usize::MAX,
        });
        (params, version)
    }

    /// The request body; `Err` when the operation cannot be generated at all
    /// (reported, as an error or, lenient, a warning that it is skipped).
    fn lower_body(&mut self, at: &At, op: &Value, type_name: &str) -> Result<Option<RequestBody>, ()> {
        let Some(raw) = op.get("requestBody") else { return Ok(None) };
        let ptr = join(&at.ptr, "requestBody");
        let body = match raw.get("$ref").and_then(Value::as_str) {
            Some(r) => match crate::refs::resolve(self.set, &at.doc, r) {
                Some((_, v)) => v.clone(),
                None => {
                    self.defect(
                        &at.doc,
                        &join(&ptr, "$ref"),
                        format!("`$ref` target `{r}` does not exist"),
                        "the operation is sent without a body",
                    );
                    return Ok(None);
                }
            },
            None => raw.clone(),
        };
        let Some(content) = body.get("content").and_then(Value::as_object) else { return Ok(None) };
        let pick = [
            ("application/json", BodyKind::Json),
            ("multipart/form-data", BodyKind::Multipart),
            ("application/x-www-form-urlencoded", BodyKind::Form),
        ]
        .into_iter()
        .find_map(|(mt, kind)| content.get(mt).map(|c| (mt, kind, c)))
        .or_else(|| content.iter().find(|(mt, _)| mt.contains("json")).map(|(mt, c)| (mt.as_str(), BodyKind::Json, c)));
        let Some((media, kind, media_obj)) = pick else {
            let types: Vec<&String> = content.keys().collect();
            self.defect(
                &at.doc,
                &join(&ptr, "content"),
                format!("unsupported request body media type(s) {types:?}"),
                "the operation is skipped",
            );
            return Err(());
        };
        let schema = media_obj.get("schema").cloned().unwrap_or(Value::Object(Default::default()));
        let s_at = At {
            doc: at.doc.clone(),
            module: at.module.clone(),
            ptr: join(&join(&join(&ptr, "content"), media), "schema"),
        };
        let shape = self.lower_schema(&s_at, &schema, &format!("{type_name}Body"));
        let required = body.get("required") == Some(&Value::Bool(true));
        // A multipart body of caller-named file parts: a map of uploads.
        if kind == BodyKind::Multipart && self.is_map(&shape.ty) {
            let max_bytes = self.map_max_bytes(&s_at, &schema);
            return Ok(Some(RequestBody { kind, ty: Ty::Map(Box::new(Ty::Upload)), required, max_bytes }));
        }
        if kind != BodyKind::Json && !self.is_struct(&shape.ty) {
            let message = format!("a `{media}` body must be an object schema with properties");
            if kind == BodyKind::Multipart {
                // Without field names, all a caller can send is named file parts.
                self.defect(&at.doc, &s_at.ptr, message, "the body is a map of named file parts");
                return Ok(Some(RequestBody { kind, ty: Ty::Map(Box::new(Ty::Upload)), required, max_bytes: None }));
            }
            self.defect(&at.doc, &s_at.ptr, message, "the operation is skipped");
            return Err(());
        }
        Ok(Some(RequestBody { kind, ty: shape.ty, required, max_bytes: None }))
    }

    fn is_struct(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Named { module, name } => {
                matches!(self.type_def(module, name).map(|t| &t.kind), Some(crate::ir::TypeKind::Struct(_)))
            }
            _ => false,
        }
    }

    /// A path segment is text: enums and scalars (through aliases) stay
    /// typed, anything else is taken as a string.
    fn path_param_ty(&mut self, at: &At, name: &str, ty: Ty) -> Ty {
        use crate::ir::TypeKind;
        let mut current = ty.clone();
        for _ in 0..32 {
            match &current {
                Ty::String | Ty::I32 | Ty::I64 | Ty::F64 | Ty::Bool => return current,
                Ty::Named { module, name: n } => match self.type_def(module, n).map(|t| &t.kind) {
                    Some(TypeKind::Enum(_)) => return current,
                    Some(TypeKind::Alias(inner)) => current = inner.clone(),
                    _ => break,
                },
                _ => break,
            }
        }
        if ty != Ty::Json {
            self.diags.warning(
                &at.doc,
                &at.ptr,
                format!("path parameter `{name}` is not a string, number or string enum; it is taken as a string"),
            );
        }
        Ty::String
    }

    fn is_map(&self, ty: &Ty) -> bool {
        let mut ty = ty;
        // Bounded: alias loops are broken before operations are lowered, but stay safe.
        for _ in 0..32 {
            match ty {
                Ty::Map(_) => return true,
                Ty::Named { module, name } => match self.type_def(module, name).map(|t| &t.kind) {
                    Some(crate::ir::TypeKind::Alias(inner)) => ty = inner,
                    _ => return false,
                },
                _ => return false,
            }
        }
        false
    }

    fn map_max_bytes(&self, at: &At, schema: &Value) -> Option<u64> {
        let mut v = schema.clone();
        if let Some(r) = v.get("$ref").and_then(Value::as_str) {
            v = crate::refs::resolve(self.set, &at.doc, r)?.1.clone();
        }
        v.get("additionalProperties")?.get("x-ghl-max-bytes")?.as_u64()
    }

    /// A JSON success body lowered to `serde_json::Value` as a whole.
    fn untyped(&self, success: &Success) -> bool {
        let Success::Json(mut ty) = success.clone() else { return false };
        for _ in 0..16 {
            match ty {
                Ty::Json => return true,
                Ty::Named { ref module, ref name } => match self.type_def(module, name).map(|t| &t.kind) {
                    Some(TypeKind::Alias(inner)) => ty = inner.clone(),
                    _ => return false,
                },
                _ => return false,
            }
        }
        false
    }

    fn lower_success(&mut self, at: &At, op: &Value, type_name: &str) -> Success {
        let ptr = join(&at.ptr, "responses");
        let Some(responses) = op.get("responses").and_then(Value::as_object) else {
            self.diags.error(&at.doc, &at.ptr, "operation has no `responses`");
            return Success::Json(Ty::Json);
        };
        let mut codes: Vec<&String> = responses.keys().filter(|c| c.starts_with('2')).collect();
        codes.sort();
        for code in &codes {
            let mut resp = responses[code.as_str()].clone();
            if let Some(r) = resp.get("$ref").and_then(Value::as_str) {
                match crate::refs::resolve(self.set, &at.doc, r) {
                    Some((_, v)) => resp = v.clone(),
                    None => {
                        self.diags.error(
                            &at.doc,
                            &join(&join(&ptr, code), "$ref"),
                            format!("`$ref` target `{r}` does not exist"),
                        );
                        continue;
                    }
                }
            }
            let Some(content) = resp.get("content").and_then(Value::as_object).filter(|c| !c.is_empty()) else {
                continue;
            };
            let Some((media, media_obj)) = content.iter().find(|(mt, _)| mt.contains("json")) else {
                // A recording, a CSV, a text file: handed over as bytes.
                return Success::Bytes;
            };
            let Some(schema) = media_obj.get("schema") else { return Success::Json(Ty::Json) };
            let s_at = At {
                doc: at.doc.clone(),
                module: at.module.clone(),
                ptr: join(&join(&join(&join(&ptr, code), "content"), media), "schema"),
            };
            return Success::Json(self.lower_schema(&s_at, schema, &format!("{type_name}Response")).ty);
        }
        if codes.iter().any(|c| c.as_str() == "204") && codes.len() == 1 {
            return Success::Empty;
        }
        if codes.is_empty() {
            self.diags.warning(&at.doc, &ptr, "no 2xx response is declared; the body is returned as raw JSON");
        }
        Success::Json(Ty::Json)
    }

    fn lower_security(&mut self, doc: &str, ptr: &str, op: &Value) -> (Token, Vec<String>) {
        let (scopes, inferred) = security_facts(op, self.set.doc(doc).map(|d| &d.value), &self.config.token_schemes);
        let token = match text(op, "x-ghl-token") {
            Some(t) => token_extension(&t).unwrap_or_else(|| {
                self.diags.error(
                    doc,
                    &join(ptr, "x-ghl-token"),
                    format!("`x-ghl-token` must be location, agency, either or none, not `{t}`"),
                );
                Token::Either
            }),
            None => {
                self.diags.warning(doc, ptr, "no `x-ghl-token`; inferred from the security schemes");
                inferred.unwrap_or(Token::Either)
            }
        };
        (token, scopes)
    }
}

/// The JSON schemas of `op`'s 2xx responses (a 2xx without content declares no body).
fn success_schemas(op: &Value) -> impl Iterator<Item = &Value> {
    op.get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(code, _)| code.starts_with('2'))
        .filter_map(|(_, resp)| resp.get("content").and_then(Value::as_object))
        .flatten()
        .filter(|(media, _)| media.contains("json"))
        .map(|(_, media)| media.get("schema").unwrap_or(&Value::Null))
}

fn noted(schema: &Value) -> bool {
    schema.get("x-ghl-note").and_then(Value::as_str).is_some_and(|n| !n.trim().is_empty())
}
