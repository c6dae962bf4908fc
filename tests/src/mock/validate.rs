//! Checking one request against the operation it was routed to.

use codegen::ir::{BodyKind, ParamEncoding, ParamLoc, Ty};
use hyper::HeaderMap;
use serde_json::Value;

use super::check::Checker;
use super::multipart::{self, FormPart};
use super::spec::{MockOperation, MockSpec};

/// What kind of rule a problem breaks; decides the status of the answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    /// Missing or malformed credentials: 401.
    Auth,
    /// Path, query or headers: 400.
    Params,
    /// The body: 422.
    Body,
}

/// The problems of one request, each with its kind.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    pub items: Vec<(Kind, String)>,
}

impl Findings {
    fn add(&mut self, kind: Kind, problems: impl IntoIterator<Item = String>) {
        self.items.extend(problems.into_iter().map(|p| (kind, p)));
    }

    /// The status a contract violation is answered with.
    pub fn status(&self) -> u16 {
        match self.items.iter().map(|(k, _)| *k).min() {
            Some(Kind::Auth) => 401,
            Some(Kind::Params) => 400,
            _ => 422,
        }
    }

    pub fn messages(&self) -> Vec<String> {
        self.items.iter().map(|(_, m)| m.clone()).collect()
    }
}

/// Everything about the request the checks need.
pub(crate) struct Incoming<'a> {
    pub params: &'a [(String, String)],
    pub query: &'a [(String, String)],
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// Checks `req` against `op`.
pub(crate) fn check(spec: &MockSpec, op: &MockOperation, req: &Incoming<'_>) -> Findings {
    let mut f = Findings::default();
    let header = |name: &str| req.headers.get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());

    // Credentials and version.
    match header("authorization") {
        Some(v) => match v.strip_prefix("Bearer ") {
            Some(token) if !token.trim().is_empty() => {}
            _ => f.add(Kind::Auth, [format!("header Authorization: expected `Bearer <token>`, got `{}`", redact(&v))]),
        },
        None if op.auth_required => {
            f.add(Kind::Auth, ["header Authorization: missing (expected `Bearer <token>`)".to_owned()])
        }
        None => {}
    }
    // Where HighLevel names no Version (`x-ghl-version-any`) it takes any, or none.
    match header("version") {
        _ if op.op.version_any => {}
        Some(v) if v == op.op.version => {}
        Some(v) => f.add(Kind::Params, [format!("header Version: expected `{}`, got `{v}`", op.op.version)]),
        None => f.add(Kind::Params, [format!("header Version: missing (expected `{}`)", op.op.version)]),
    }

    // Parameters.
    let mut c = Checker::request(&spec.api);
    for p in &op.op.params {
        match p.loc {
            ParamLoc::Path => match req.params.iter().find(|(n, _)| n == &p.wire) {
                Some((_, v)) => c.text(&format!("path parameter `{}`", p.wire), v, &p.ty),
                None => c.problems.push(format!("path parameter `{}`: missing", p.wire)),
            },
            ParamLoc::Header => match header(&p.wire) {
                Some(v) => c.text(&format!("header `{}`", p.wire), &v, &p.ty),
                None if p.required => c.problems.push(format!("header `{}`: required, but not sent", p.wire)),
                None => {}
            },
            ParamLoc::Query => {
                let at = format!("query parameter `{}`", p.wire);
                let values: Vec<&str> =
                    req.query.iter().filter(|(n, _)| n == &p.wire).map(|(_, v)| v.as_str()).collect();
                if values.is_empty() {
                    if p.required {
                        c.problems.push(format!("{at}: required, but not sent"));
                    }
                    continue;
                }
                match p.encoding {
                    ParamEncoding::EachText => {
                        let inner = match &p.ty {
                            Ty::Array(inner) => inner.as_ref(),
                            other => other,
                        };
                        for v in values {
                            c.text(&at, v, inner);
                        }
                    }
                    ParamEncoding::CommaText => {
                        let inner = match &p.ty {
                            Ty::Array(inner) => inner.as_ref(),
                            other => other,
                        };
                        if values.len() > 1 {
                            c.problems
                                .push(format!("{at}: sent {} times, expected once (comma-separated)", values.len()));
                        }
                        for v in values[0].split(',') {
                            c.text(&at, v, inner);
                        }
                    }
                    ParamEncoding::Text | ParamEncoding::Json => {
                        if values.len() > 1 {
                            c.problems.push(format!("{at}: sent {} times, expected once", values.len()));
                        }
                        c.text(&at, values[0], &p.ty);
                    }
                }
            }
        }
    }
    for (name, _) in req.query {
        if !op.op.params.iter().any(|p| p.loc == ParamLoc::Query && &p.wire == name) {
            c.problems.push(format!("query parameter `{name}`: not declared by `{}`", op.op.id));
        }
    }
    // The spec's own schemas (patterns, formats, raw JSON), unless the
    // lowered types already found something.
    if c.problems.is_empty() {
        let comma = |name: &str| {
            op.op
                .params
                .iter()
                .any(|p| p.wire == name && p.loc == ParamLoc::Query && p.encoding == ParamEncoding::CommaText)
        };
        c.problems = op.schemas.check_params(req.params, req.query, &comma);
    }
    f.add(Kind::Params, std::mem::take(&mut c.problems));

    // Body.
    let content_type = header("content-type").unwrap_or_default();
    let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match &op.op.body {
        None if req.body.is_empty() => {}
        None => c.problems.push(format!(
            "body: `{}` takes no request body, but {} bytes were sent ({})",
            op.op.id,
            req.body.len(),
            if content_type.is_empty() { "no content type".to_owned() } else { content_type.clone() }
        )),
        // An empty form (no fields at all) is a form body with no fields.
        Some(b) if req.body.is_empty() && b.kind != BodyKind::Json && mime == kind_mime(b.kind) => {
            fields(&mut c, &[], &b.ty, b.max_bytes, b.kind == BodyKind::Multipart);
        }
        Some(b) if req.body.is_empty() => {
            if b.required {
                c.problems.push(format!("body: required ({}), but none was sent", kind_mime(b.kind)));
            }
        }
        Some(b) => {
            let expected = kind_mime(b.kind);
            if mime != expected {
                c.problems.push(format!("header Content-Type: expected `{expected}`, got `{content_type}`"));
            } else {
                match b.kind {
                    BodyKind::Json => match serde_json::from_slice::<Value>(req.body) {
                        Ok(v) => c.value("body", &v, &b.ty),
                        Err(e) => c.problems.push(format!("body: not valid JSON: {e}")),
                    },
                    BodyKind::Form => match serde_urlencoded::from_bytes::<Vec<(String, String)>>(req.body) {
                        Ok(pairs) => {
                            let parts: Vec<FormPart> = pairs
                                .into_iter()
                                .map(|(name, v)| FormPart { name, file_name: None, data: v.into_bytes() })
                                .collect();
                            fields(&mut c, &parts, &b.ty, None, false);
                        }
                        Err(e) => c.problems.push(format!("body: not valid form-urlencoded text: {e}")),
                    },
                    BodyKind::Multipart => match multipart::boundary(&content_type) {
                        None => c.problems.push(format!("header Content-Type: `{content_type}` has no boundary")),
                        Some(boundary) => match multipart::parse(req.body, &boundary) {
                            Ok(parts) => fields(&mut c, &parts, &b.ty, b.max_bytes, true),
                            Err(e) => c.problems.push(format!("body: malformed multipart: {e}")),
                        },
                    },
                }
            }
        }
    }
    if c.problems.is_empty() && !req.body.is_empty() && op.op.body.is_some() {
        c.problems = schema_body(op, &mime, &content_type, req.body);
    }
    f.add(Kind::Body, c.problems);
    f
}

/// The body against the spec's schema (it parsed for the checks before).
fn schema_body(op: &MockOperation, mime: &str, content_type: &str, body: &[u8]) -> Vec<String> {
    match mime {
        "application/json" => {
            serde_json::from_slice::<Value>(body).map_or_else(|_| Vec::new(), |v| op.schemas.check_json_body(&v))
        }
        "application/x-www-form-urlencoded" => match serde_urlencoded::from_bytes::<Vec<(String, String)>>(body) {
            Ok(pairs) => {
                let parts: Vec<FormPart> = pairs
                    .into_iter()
                    .map(|(name, v)| FormPart { name, file_name: None, data: v.into_bytes() })
                    .collect();
                op.schemas.check_fields(&parts)
            }
            Err(_) => Vec::new(),
        },
        "multipart/form-data" => multipart::boundary(content_type)
            .and_then(|b| multipart::parse(body, &b).ok())
            .map(|parts| op.schemas.check_fields(&parts))
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn kind_mime(kind: BodyKind) -> &'static str {
    match kind {
        BodyKind::Json => "application/json",
        BodyKind::Form => "application/x-www-form-urlencoded",
        BodyKind::Multipart => "multipart/form-data",
    }
}

/// Checks named fields (form or multipart parts) against an object or map type.
fn fields(c: &mut Checker<'_>, parts: &[FormPart], ty: &Ty, map_max: Option<u64>, multipart: bool) {
    let what = if multipart { "multipart part" } else { "form field" };
    let check_file = |c: &mut Checker<'_>, at: &str, p: &FormPart, max: Option<u64>| {
        if p.file_name.is_none() {
            c.problems.push(format!("{at}: expected a file part (with a filename), got a text part"));
        }
        if let Some(max) = max
            && p.data.len() as u64 > max
        {
            c.problems.push(format!("{at}: {} bytes, over the documented limit of {max}", p.data.len()));
        }
    };
    let check_text = |c: &mut Checker<'_>, at: &str, p: &FormPart, ty: &Ty| {
        if p.file_name.is_some() {
            c.problems.push(format!("{at}: expected a text value, got a file part"));
        }
        c.text(at, &String::from_utf8_lossy(&p.data), ty);
    };
    let Some(field_defs) = c.struct_fields(ty) else {
        match ty {
            Ty::Map(inner) => {
                for p in parts {
                    let at = format!("{what} `{}`", p.name);
                    if **inner == Ty::Upload {
                        check_file(c, &at, p, map_max);
                    } else {
                        check_text(c, &at, p, inner);
                    }
                }
            }
            Ty::Json => {}
            other => c.problems.push(format!("body: the spec's body type {other:?} cannot be sent as named fields")),
        }
        return;
    };
    for f in field_defs {
        let at = format!("{what} `{}`", f.wire);
        let mine: Vec<&FormPart> = parts.iter().filter(|p| p.name == f.wire).collect();
        if mine.is_empty() {
            if f.required {
                c.problems.push(format!("{at}: required, but not sent"));
            }
            continue;
        }
        let (repeated, inner) = match &f.ty {
            Ty::Array(inner) if f.binary || **inner == Ty::String => (true, inner.as_ref()),
            other => (false, other),
        };
        if !repeated && mine.len() > 1 {
            c.problems.push(format!("{at}: sent {} times, expected once", mine.len()));
        }
        for p in mine {
            if f.binary {
                check_file(c, &at, p, f.max_bytes);
            } else {
                check_text(c, &at, p, inner);
            }
        }
    }
    for p in parts {
        if !field_defs.iter().any(|f| f.wire == p.name) {
            c.problems.push(format!("{what} `{}`: not a field of the body type", p.name));
        }
    }
}

fn redact(v: &str) -> String {
    match v.split_once(' ') {
        Some((scheme, _)) => format!("{scheme} …"),
        None if v.len() > 8 => format!("{}…", &v[..v.char_indices().nth(8).map_or(v.len(), |(i, _)| i)]),
        None => v.to_owned(),
    }
}
