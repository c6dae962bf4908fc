//! Command-line arguments → the values of one call → a [`Request`].
//!
//! Values are kept as JSON until the request is built, so `--all` can move
//! a paging parameter (query or body) between pages.

use std::io::Read as _;
use std::path::PathBuf;

use clap::ArgMatches;
use serde_json::{Map, Value};

use crate::cli::command::{self, BODY, FIELD, FILE};
use crate::cli::output::Failure;
use crate::cli::table::{BodyEncoding, CliOperation, CliParam, ParamEncoding, ParamIn, Shape, ValueKind};
use crate::runtime::request::{multipart_text, path_segment};
use crate::{Part, Request, Upload};

/// Body fields filled from `GHL_LOCATION_ID` when a required one is not given.
const LOCATION_FIELDS: &[&str] = &["locationId", "location_id"];

/// Everything one call sends.
#[derive(Debug)]
pub struct Input {
    /// Parameter values (path ones included), each a list for list parameters.
    pub params: Vec<(&'static CliParam, Vec<Value>)>,
    /// The body, if one is sent.
    pub body: Option<Value>,
    /// File parts: `(part name, path)`.
    pub files: Vec<(String, PathBuf)>,
}

impl Input {
    /// Reads the operation's arguments; `location` fills parameters marked
    /// `from_location` (and a required `locationId` body field) when not given.
    pub fn from_matches(op: &'static CliOperation, m: &ArgMatches, location: Option<&str>) -> Result<Input, Failure> {
        let mut params = Vec::new();
        for p in op.params {
            let values = param_values(p, m)?;
            if !values.is_empty() {
                params.push((p, values));
            } else if p.from_location {
                match location {
                    Some(l) => params.push((p, vec![Value::String(l.to_owned())])),
                    None if p.required => {
                        return Err(Failure::usage(format!(
                            "`{}` needs --{} or GHL_LOCATION_ID",
                            op.command,
                            command::flag(p)
                        )));
                    }
                    None => {}
                }
            }
        }
        let body = match &op.body {
            Some(spec) => {
                let mut body = match m.get_one::<String>(BODY) {
                    Some(source) => Some(read_body(source)?),
                    None => None,
                };
                let fields: Vec<&String> = m.get_many::<String>(FIELD).map(|v| v.collect()).unwrap_or_default();
                if !fields.is_empty() || (body.is_none() && spec.required) {
                    let obj = object(body.get_or_insert_with(|| Value::Object(Map::new())))?;
                    for f in fields {
                        let (key, value) = field(op, f)?;
                        set_field(obj, key, value);
                    }
                }
                if let (Some(Value::Object(obj)), Some(l)) = (body.as_mut(), location) {
                    for f in spec.fields.iter().filter(|f| f.required && LOCATION_FIELDS.contains(&f.name)) {
                        obj.entry(f.name).or_insert_with(|| Value::String(l.to_owned()));
                    }
                }
                body
            }
            None => None,
        };
        let mut files = Vec::new();
        for spec in m.try_get_many::<String>(FILE).ok().flatten().into_iter().flatten() {
            let (part, path) =
                spec.split_once('=').ok_or_else(|| Failure::usage(format!("--file `{spec}`: expected PART=PATH")))?;
            files.push((part.to_owned(), PathBuf::from(path)));
        }
        Ok(Input { params, body, files })
    }

    /// The value of a parameter or (for body paging) body field, by wire name.
    pub fn get(&self, name: &str, in_body: bool) -> Option<&Value> {
        if in_body {
            return self.body.as_ref()?.get(name);
        }
        self.params.iter().find(|(p, _)| p.name == name).and_then(|(_, v)| v.first())
    }

    /// Sets a query parameter or (for body paging) body field, by wire name.
    pub fn set(&mut self, op: &'static CliOperation, name: &str, value: Value, in_body: bool) {
        if in_body {
            if let Value::Object(obj) = self.body.get_or_insert_with(|| Value::Object(Map::new())) {
                obj.insert(name.to_owned(), value);
            }
            return;
        }
        match self.params.iter_mut().find(|(p, _)| p.name == name) {
            Some((_, v)) => *v = vec![value],
            None => {
                if let Some(p) = op.params.iter().find(|p| p.name == name) {
                    self.params.push((p, vec![value]));
                }
            }
        }
    }

    /// The request for these values.
    pub fn request(&self, op: &'static CliOperation) -> Result<Request, Failure> {
        let mut path = op.meta.path.to_owned();
        for (p, values) in self.params.iter().filter(|(p, _)| p.location == ParamIn::Path) {
            let value = values.first().map(text).unwrap_or_default();
            path = path.replace(&format!("{{{}}}", p.name), &path_segment(&value));
        }
        let mut request = Request::new(&op.meta, path);
        for (p, values) in &self.params {
            match p.location {
                ParamIn::Path => {
                    if p.from_location {
                        request.scope_key(values.first().map(text).unwrap_or_default());
                    }
                }
                ParamIn::Header => request.header(p.name, values.iter().map(text).collect::<Vec<_>>().join(",")),
                ParamIn::Query => {
                    if p.from_location {
                        request.scope_key(values.first().map(text).unwrap_or_default());
                    }
                    match p.encoding {
                        ParamEncoding::Text | ParamEncoding::Each => {
                            request.query_each(p.name, values.iter().map(text))
                        }
                        ParamEncoding::Comma => request.query_joined(p.name, values.iter().map(text)),
                        ParamEncoding::Json if p.shape.list => {
                            request.query_json(p.name, &values).map_err(Failure::from)?;
                        }
                        ParamEncoding::Json => {
                            for v in values {
                                request.query_json(p.name, v).map_err(Failure::from)?;
                            }
                        }
                    }
                }
            }
        }
        let Some(spec) = &op.body else { return Ok(request) };
        match spec.encoding {
            BodyEncoding::Json => {
                if let Some(body) = &self.body {
                    request.json(body).map_err(Failure::from)?;
                }
            }
            BodyEncoding::Form => {
                if let Some(body) = &self.body {
                    let pairs: Vec<(String, String)> = match body {
                        Value::Object(obj) => obj.iter().map(|(k, v)| (k.clone(), text(v))).collect(),
                        _ => return Err(Failure::usage("a form body must be a JSON object of fields".into())),
                    };
                    request.form(&pairs).map_err(Failure::from)?;
                }
            }
            BodyEncoding::Multipart => {
                let mut parts = Vec::new();
                if let Some(body) = &self.body {
                    let Value::Object(obj) = body else {
                        return Err(Failure::usage("a multipart body must be a JSON object of fields".into()));
                    };
                    for (k, v) in obj {
                        parts.push(Part::Text { name: k.clone().into(), value: multipart_text(v) });
                    }
                }
                for (name, path) in &self.files {
                    if !path.is_file() {
                        return Err(Failure::usage(format!("--file {name}={}: no such file", path.display())));
                    }
                    parts.push(Part::File {
                        name: name.clone().into(),
                        upload: Upload::from_path(path),
                        max_bytes: None,
                    });
                }
                request.multipart(parts);
            }
        }
        Ok(request)
    }
}

/// A value as query, header or form text: strings as they are, the rest as JSON.
pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn param_values(p: &CliParam, m: &ArgMatches) -> Result<Vec<Value>, Failure> {
    let id = p.flag;
    let values: Vec<Value> = match p.shape.kind {
        ValueKind::Integer => many::<i64>(m, id).into_iter().map(Value::from).collect(),
        ValueKind::Number => many::<f64>(m, id).into_iter().map(Value::from).collect(),
        ValueKind::Boolean => many::<bool>(m, id).into_iter().map(Value::from).collect(),
        ValueKind::Json => many::<String>(m, id)
            .into_iter()
            .map(|s| {
                serde_json::from_str(&s)
                    .map_err(|e| Failure::usage(format!("--{}: not valid JSON ({e})", command::flag(p))))
            })
            .collect::<Result<_, _>>()?,
        ValueKind::String | ValueKind::Secret | ValueKind::File => {
            many::<String>(m, id).into_iter().map(Value::String).collect()
        }
    };
    Ok(values)
}

fn many<T: Clone + Send + Sync + 'static>(m: &ArgMatches, id: &str) -> Vec<T> {
    m.try_get_many::<T>(id).ok().flatten().map(|v| v.cloned().collect()).unwrap_or_default()
}

fn read_body(source: &str) -> Result<Value, Failure> {
    let text = if source == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| Failure::usage(format!("--body -: cannot read stdin: {e}")))?;
        s
    } else if let Some(path) = source.strip_prefix('@') {
        std::fs::read_to_string(path).map_err(|e| Failure::usage(format!("--body @{path}: {e}")))?
    } else {
        source.to_owned()
    };
    serde_json::from_str(&text).map_err(|e| Failure::usage(format!("--body is not valid JSON: {e}")))
}

fn object(body: &mut Value) -> Result<&mut Map<String, Value>, Failure> {
    match body {
        Value::Object(obj) => Ok(obj),
        _ => Err(Failure::usage("--field needs the body to be a JSON object".into())),
    }
}

/// `KEY=VALUE` (typed from the spec's field) or `KEY:=JSON`.
fn field<'a>(op: &CliOperation, spec: &'a str) -> Result<(&'a str, Value), Failure> {
    let (key, raw) =
        spec.split_once('=').ok_or_else(|| Failure::usage(format!("--field `{spec}`: expected KEY=VALUE")))?;
    if let Some(key) = key.strip_suffix(':') {
        let value =
            serde_json::from_str(raw).map_err(|e| Failure::usage(format!("--field {key}:=…: not valid JSON ({e})")))?;
        return Ok((key, value));
    }
    let shape = op.body.as_ref().and_then(|b| b.fields.iter().find(|f| f.name == key)).map(|f| f.shape);
    Ok((key, typed(key, raw, shape)?))
}

fn typed(key: &str, raw: &str, shape: Option<Shape>) -> Result<Value, Failure> {
    let Some(shape) = shape else { return Ok(Value::String(raw.to_owned())) };
    if shape.list && raw.trim_start().starts_with('[') {
        return serde_json::from_str(raw).map_err(|e| Failure::usage(format!("--field {key}: not a JSON list ({e})")));
    }
    let bad = |what: &str| Failure::usage(format!("--field {key}: `{raw}` is not {what}"));
    let one = match shape.kind {
        ValueKind::Integer => raw.trim().parse::<i64>().map(Value::from).map_err(|_| bad("an integer"))?,
        ValueKind::Number => raw.trim().parse::<f64>().map(Value::from).map_err(|_| bad("a number"))?,
        ValueKind::Boolean => raw.trim().parse::<bool>().map(Value::from).map_err(|_| bad("true or false"))?,
        ValueKind::Json => serde_json::from_str(raw).map_err(|_| bad("valid JSON"))?,
        ValueKind::String | ValueKind::Secret | ValueKind::File => Value::String(raw.to_owned()),
    };
    Ok(if shape.list { Value::Array(vec![one]) } else { one })
}

/// Sets a field; a list field given twice collects both values.
fn set_field(obj: &mut Map<String, Value>, key: &str, value: Value) {
    match (obj.get_mut(key), value) {
        (Some(Value::Array(existing)), Value::Array(more)) => existing.extend(more),
        (_, value) => {
            obj.insert(key.to_owned(), value);
        }
    }
}
